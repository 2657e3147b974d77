"""``-o/--output FILE``: the report of ``validate``, ``timeline``, ``entitlements`` and
``account`` to a file, replaced only once complete and never one of the inputs.

The standards of the project: outputs are written atomically and never over an input
(mycareer.outputs). A shell redirect cannot keep either promise (``> in.json`` empties
the input before the run starts, and a stopped run leaves half a file), so the option is
how a long run writes its result; these tests run the command as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from mycareer.cli import EXIT_WRITE
from mycareer.demo import demo_files

from ._run import assert_no_traceback, run_cli

#: Each command with the options it needs, on the demo files.
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": (),
    "timeline": (),
    "entitlements": ("--year", "2024"),
    "account": ("--as-of", "2025-12-31"),
}
FORMATS: dict[str, tuple[str, ...]] = {
    "validate": ("table", "json", "csv"),
    "timeline": ("table", "json", "csv", "xml"),
    "entitlements": ("table", "json", "csv", "xml"),
    "account": ("table", "json", "csv", "xml"),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(Path(str(demo_files())), folder)
    return folder


@pytest.mark.parametrize(
    ("command", "fmt"), [(c, f) for c, formats in FORMATS.items() for f in formats]
)
def test_the_file_holds_what_standard_output_shows(
    demo: Path, tmp_path: Path, command: str, fmt: str
) -> None:
    arguments: tuple[str | Path, ...] = (command, demo, *COMMANDS[command], "--format", fmt)
    shown = run_cli(*arguments, cwd=tmp_path)
    target = tmp_path / f"report.{fmt}"
    written = run_cli(*arguments, "--output", target, cwd=tmp_path)
    assert_no_traceback(written)
    assert written.returncode == shown.returncode
    assert written.stdout == ""
    assert shown.stdout, "the demo gives a report"
    assert target.read_bytes() == shown.stdout.encode("utf-8")
    assert written.stderr == shown.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_a_dash_is_standard_output(demo: Path, tmp_path: Path) -> None:
    result = run_cli("timeline", demo, "--format", "json", "-o", "-", cwd=tmp_path)
    assert result.stdout.startswith("{")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_input_is_never_the_output(demo: Path, tmp_path: Path, command: str) -> None:
    source = tmp_path / "career.json"
    shutil.copyfile(demo / "career.json", source)
    before = source.read_bytes()
    result = run_cli(command, source, *COMMANDS[command], "-o", source, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"mycareer {command}: error: --output: {source}: refused: this output is an input "
        f"of the same run ({source})"
    )
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["career.json"]


@pytest.mark.parametrize("command", ["entitlements", "account"])
def test_the_rules_file_is_an_input_too(demo: Path, tmp_path: Path, command: str) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text("{}")
    result = run_cli(command, demo, *COMMANDS[command], "--rules", rules, "-o", rules)
    assert result.returncode == 2
    assert f"--output: {rules}: refused: this output is an input" in result.stderr
    assert rules.read_text() == "{}"


def test_an_input_reached_another_way_is_refused_too(demo: Path, tmp_path: Path) -> None:
    source = tmp_path / "career.json"
    shutil.copyfile(demo / "career.json", source)
    (tmp_path / "link.json").symlink_to(source)
    result = run_cli("timeline", source, "-o", tmp_path / "link.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "refused: this output is an input of the same run" in result.stderr
    assert (tmp_path / "link.json").is_symlink()


def test_a_folder_is_not_an_output(demo: Path, tmp_path: Path) -> None:
    result = run_cli("entitlements", demo, "--year", "2024", "-o", tmp_path, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert f"--output '{tmp_path}': give a file name, not a folder" in result.stderr


def test_a_usage_error_of_the_command_leaves_the_file_as_it_was(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "timeline.json"
    target.write_text("the last good run\n")
    result = run_cli("timeline", demo, "--plot", "x.txt", "-o", target, cwd=tmp_path)
    assert result.returncode == 2
    assert "--plot 'x.txt': the file must end in .png or .svg" in result.stderr
    assert target.read_text() == "the last good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.json"]


def test_an_output_in_a_missing_folder_is_named(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "absent" / "out.json"
    result = run_cli("timeline", demo, "-o", target, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == EXIT_WRITE
    assert result.stderr.splitlines()[-1] == (
        f"mycareer timeline: error: {target}: cannot write: No such file or directory"
    )


def test_the_picture_and_the_output_are_two_files(demo: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "same.png"
    result = run_cli("timeline", demo, "--plot", target, "-o", target, cwd=tmp_path)
    assert result.returncode == 2
    assert f"--output and --plot name the same file ({target})" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_worker_picture_name_is_not_the_output(demo: Path, tmp_path: Path) -> None:
    # With several workers, --plot p.png draws p-NISS.png for each: the output would be
    # replaced by a picture, or a picture by the output.
    pytest.importorskip("matplotlib")
    target = tmp_path / "p-85073003328.png"
    result = run_cli("timeline", demo, "--plot", tmp_path / "p.png", "-o", target, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "--plot draws a worker's picture under that name" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("plot", "name", "said"),
    [
        ("p.png", "P-85073003328.PNG", "--plot draws a worker's picture under"),
        ("p.png", "P.PNG", "--output and --plot name the same file"),
        # é as one character against e and a combining accent; then É decomposed too.
        ("\u00e9t\u00e9.png", "e\u0301te\u0301.png", "--output and --plot name the same file"),
        ("\u00e9.svg", "E\u0301-85073003328.SVG", "--plot draws a worker's picture under"),
    ],
)
def test_names_that_differ_only_in_case_are_refused(
    demo: Path, tmp_path: Path, plot: str, name: str, said: str
) -> None:
    # On a case- and normalisation-insensitive filesystem (macOS, Windows) they are the
    # same file.
    pytest.importorskip("matplotlib")
    result = run_cli("timeline", demo, "--plot", tmp_path / plot, "-o", tmp_path / name)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert said in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_folders_that_differ_in_case_are_two_folders(demo: Path, tmp_path: Path) -> None:
    # Only the file names are compared without case: A/p.png and a/p.png are two files here.
    pytest.importorskip("matplotlib")
    (tmp_path / "A").mkdir()
    (tmp_path / "a").mkdir()
    if (tmp_path / "A").samefile(tmp_path / "a"):
        pytest.skip("a case-insensitive filesystem: the two folders are one")
    plot, target = tmp_path / "A" / "p.png", tmp_path / "a" / "p.png"
    result = run_cli("timeline", demo / "dmfa", "--format", "json", "--plot", plot, "-o", target)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["workers"]


@pytest.mark.parametrize("target", ["p.txt", "p-85073003328.txt"])
def test_a_plot_that_is_no_picture_is_reported_first(
    demo: Path, tmp_path: Path, target: str
) -> None:
    # Whether or not the output's name matches p.txt or p-NISS.txt, --plot p.txt draws
    # nothing: what is wrong is --plot, and a clash would send the user astray.
    plot = tmp_path / "p.txt"
    result = run_cli("timeline", demo, "--plot", plot, "-o", tmp_path / target, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"mycareer timeline: error: --plot '{plot}': the file must end in .png or .svg"
    )
    assert list(tmp_path.iterdir()) == []


#: Ten or twelve digits, another suffix or stem, a letter: not a worker's picture.
OTHER_NAMES = (
    "p-8507300332.png", "p-850730033289.png", "p-85073003328.svg", "q-85073003328.png",
    "p-8507300332x.png",
)  # fmt: skip


@pytest.mark.parametrize("name", OTHER_NAMES)
def test_other_names_beside_the_pictures_are_allowed(demo: Path, tmp_path: Path, name: str) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / name
    plot = tmp_path / "p.png"
    result = run_cli("timeline", demo / "dmfa", "--format", "json", "--plot", plot, "-o", target)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    workers = json.loads(target.read_text(encoding="utf-8"))["workers"]
    drawn = {p.name for p in tmp_path.iterdir()} - {name}
    assert drawn == {f"p-{worker['niss']}.png" for worker in workers}


def test_a_kept_report_keeps_its_mode(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "private.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o604)  # no usual umask's mode: kept from the old file
    result = run_cli("timeline", demo / "dmfa", "--format", "json", "-o", target, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["workers"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o604


def test_the_option_is_in_the_help_of_each_command() -> None:
    for command in COMMANDS:
        text = run_cli(command, "--help").stdout
        assert "-o FILE, --output FILE" in text
        assert "143 terminated (SIGTERM): --output left as it was" in " ".join(text.split())


@pytest.mark.parametrize("command", ["demo", "convert"])
def test_commands_without_the_option_do_not_mention_it(command: str) -> None:
    text = " ".join(run_cli(command, "--help").stdout.split())
    assert "143 terminated (SIGTERM)" in text
    assert "--output left as it was" not in text


def test_an_output_inside_an_input_folder_is_refused(demo: Path, tmp_path: Path) -> None:
    # It could be a file the run reads (here: a DmfA declaration), and the next run would
    # read the output as an input.
    folder = tmp_path / "in"
    shutil.copytree(demo / "dmfa", folder)
    target = next(folder.glob("*.xml"))
    before = target.read_bytes()
    result = run_cli("entitlements", folder, "--year", "2024", "--format", "xml", "-o", target)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "an input folder of the same run" in result.stderr
    assert target.read_bytes() == before


def test_a_device_is_not_replaced(demo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run_cli("timeline", demo, "-o", fifo, cwd=tmp_path)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert fifo.is_fifo()
