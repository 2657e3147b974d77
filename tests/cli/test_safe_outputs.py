"""Issue 11 item 6: every output is atomic, never over an input, never through a symlink.

The CLI runs as a subprocess on real files; each test fails on the main before
:mod:`mycareer.outputs` (outputs written in place, over inputs, through links).
"""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import mycareer
from mycareer import CareerPeriod, CareerRecords, Niss, Period, PeriodKind
from mycareer.cli import EXIT_WRITE
from mycareer.demo import demo_files
from mycareer.xmlio.career_records import career_records_bytes, read_career_records

from ._run import assert_no_traceback, run_cli

NISS = Niss("90010100123")


def _records(name: str, label: str | None = None) -> list[CareerRecords]:
    period = CareerPeriod(NISS, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1)), label=label)
    return [CareerRecords(NISS, [period], name=name)]


def _xml(tmp_path: Path, name: str = "An", label: str | None = None) -> Path:
    path = tmp_path / "records.xml"
    path.write_bytes(career_records_bytes(_records(name, label)))
    return path


@pytest.mark.parametrize(
    ("source_name", "output", "extra"),
    [
        ("s.json", "s.json", ()),
        ("r.xml", "r.xml", ("--to", "csv")),
        ("r.xml", "./sub/../r.xml", ("--to", "json")),
    ],
)
def test_an_output_that_is_the_input_is_refused(
    tmp_path: Path, source_name: str, output: str, extra: tuple[str, ...]
) -> None:
    (tmp_path / "sub").mkdir()
    source = tmp_path / source_name
    if source_name.endswith(".json"):
        source.write_text((demo_files() / "career.json").read_text(encoding="utf-8"))
    else:
        source.write_bytes(career_records_bytes(_records("An")))
    before = source.read_bytes()
    result = run_cli("convert", *extra, source_name, output, cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert "input of the same run" in result.stderr
    assert source.read_bytes() == before


def test_an_output_linked_to_the_input_is_refused(tmp_path: Path) -> None:
    source = _xml(tmp_path)
    (tmp_path / "alias.json").symlink_to(source)
    before = source.read_bytes()
    result = run_cli("convert", "--to", "json", source, tmp_path / "alias.json")
    assert result.returncode == 2, result.stderr
    assert source.read_bytes() == before


def test_a_failing_conversion_leaves_no_file_and_no_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"niss": "not a niss"}]', encoding="utf-8")
    result = run_cli("convert", bad, tmp_path / "out.csv")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert not (tmp_path / "out.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.json"]  # no temporary left behind


def test_a_failing_conversion_keeps_the_previous_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    (tmp_path / "out.xml").write_bytes(b"previous")
    assert run_cli("convert", bad, tmp_path / "out.xml").returncode == 1
    assert (tmp_path / "out.xml").read_bytes() == b"previous"


def test_a_planted_symlink_is_replaced_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "records.json").symlink_to(outside)
    result = run_cli("convert", _xml(tmp_path), folder / "records.json")
    assert result.returncode == 0, result.stderr
    assert outside.read_text(encoding="utf-8") == "precious"
    assert not (folder / "records.json").is_symlink()
    assert '"niss"' in (folder / "records.json").read_text(encoding="utf-8")


def test_demo_output_does_not_follow_a_planted_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious", encoding="utf-8")
    folder = tmp_path / "demo"
    folder.mkdir()
    for name in ("training-accounts.xml", "career-records.json", "timeline.csv"):
        (folder / name).symlink_to(outside)
    result = run_cli("demo", "--output", folder)
    assert_no_traceback(result)
    assert outside.read_text(encoding="utf-8") == "precious"
    for name in ("training-accounts.xml", "career-records.json", "timeline.csv"):
        assert not (folder / name).is_symlink()
        assert (folder / name).stat().st_size > 0


def test_plot_does_not_follow_a_planted_symlink(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    outside = tmp_path / "outside.txt"
    outside.write_text("precious", encoding="utf-8")
    (tmp_path / "t.png").symlink_to(outside)
    result = run_cli(
        "timeline", _xml(tmp_path), "--as-of", "2024-06-30", "--plot", tmp_path / "t.png"
    )
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert outside.read_text(encoding="utf-8") == "precious"
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


def test_plot_over_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "records.png.xml"
    source.write_bytes(career_records_bytes(_records("An")))
    alias = tmp_path / "alias.png"
    alias.symlink_to(source)
    before = source.read_bytes()
    result = run_cli("timeline", source, "--plot", alias)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert source.read_bytes() == before


@pytest.mark.parametrize("spelt", ["t-90010100123.png", "sub/../T-90010100123.PNG"])
def test_a_worker_picture_over_an_input_is_refused(tmp_path: Path, spelt: str) -> None:
    """With several workers, ``--plot t.png`` draws ``t-NISS.png`` for each: an input of the
    run under such a name (read whatever its name, as it is named on the command line)
    would be replaced by a worker's picture. Refused before any work, the input kept."""
    (tmp_path / "sub").mkdir()
    other = Niss("85073003328")
    workers = [
        *_records("An"),
        CareerRecords(
            other, [CareerPeriod(other, PeriodKind.EMPLOYMENT, Period(date(2024, 2, 1)))]
        ),
    ]
    source = tmp_path / "t-90010100123.png"
    source.write_bytes(career_records_bytes(workers))
    before = source.read_bytes()
    if spelt != source.name and not (tmp_path / spelt).exists():  # a case-sensitive filesystem
        (tmp_path / "T-90010100123.PNG").symlink_to(source)
    result = run_cli("timeline", spelt, "--as-of", "2024-06-30", "--plot", "t.png", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 2, result.stderr
    assert "--plot" in result.stderr
    assert source.read_bytes() == before
    assert not list(tmp_path.glob("t-*.png"))[1:]  # the input alone, no picture


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_modes_follow_the_umask(tmp_path: Path, umask: int) -> None:
    source = _xml(tmp_path)
    previous = os.umask(umask)
    try:
        result = run_cli("convert", "--to", "xml", source, tmp_path / "out.data")
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "out.data").stat().st_mode) == 0o666 & ~umask


def test_an_unwritable_output_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli("convert", _xml(tmp_path), tmp_path / "missing" / "out.json")
    assert_no_traceback(result)
    assert result.returncode == EXIT_WRITE
    assert "missing/out.json" in result.stderr


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_free_text_is_neutralised_and_restored(tmp_path: Path, text: str) -> None:
    source = _xml(tmp_path, name=text, label=text)
    result = run_cli("convert", source, tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["name"] == row["label"] == "'" + text  # OWASP: a leading apostrophe
    back = run_cli("convert", tmp_path / "out.csv", tmp_path / "back.xml")
    assert back.returncode == 0, back.stderr
    assert read_career_records(tmp_path / "back.xml").records == tuple(_records(text, text))


def test_raw_csv_writes_free_text_as_it_is(tmp_path: Path) -> None:
    source = _xml(tmp_path, name="=1+2")
    result = run_cli("convert", "--raw-csv", source, tmp_path / "out.csv")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["name"] == "=1+2"


def test_timeline_csv_neutralises_names(tmp_path: Path) -> None:
    source = _xml(tmp_path, name="=cmd|' /C calc'!A0")
    result = run_cli("timeline", source, "--as-of", "2024-06-30", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert rows
    assert {row["name"] for row in rows} == {"'=cmd|' /C calc'!A0"}


def test_timeline_csv_leaves_the_name_of_an_unnamed_worker_empty() -> None:
    # DmfA declarations carry no names: the cell is empty, not a neutralising "'" alone.
    result = run_cli("timeline", Path(str(demo_files() / "dmfa")), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert rows
    assert {row["name"] for row in rows} == {""}


def test_an_unwritable_demo_folder_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run_cli("demo", "--output", tmp_path / "file" / "sub")
    assert_no_traceback(result)
    assert result.returncode == EXIT_WRITE
    assert "cannot create the folder" in result.stderr


def test_a_command_run_from_another_folder_runs_the_tree_under_test(tmp_path: Path) -> None:
    """A test that runs the command with ``cwd=`` must test this tree, not an installed one
    (tests/conftest.py makes ``PYTHONPATH`` absolute)."""
    found = subprocess.run(
        [sys.executable, "-c", "import mycareer; print(mycareer.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(found.stdout.strip()).resolve() == Path(mycareer.__file__).resolve()
