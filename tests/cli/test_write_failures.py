"""A write the system refuses (a disk full, a file too large) ends the command with one
error line and exit 74, never a traceback, and keeps nothing half written.

The standards of the project: every error names the file where it can; outputs are
written atomically and never half (mycareer.outputs). A full disk is simulated two ways a
test can set up without root: standard output on ``/dev/full`` (ENOSPC on every write) and
the process's file size limit (RLIMIT_FSIZE: EFBIG past it, for the command, its worker
processes and its temporary files alike).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mycareer.cli import EXIT_SYSTEM, EXIT_WRITE, main
from mycareer.demo import demo_files

from ._run import _limit_file_size, assert_no_traceback, run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file size limits")

#: Each command on the demo files, with the options it needs.
COMMANDS: dict[str, tuple[str, ...]] = {
    "timeline": ("--format", "json"),
    "entitlements": ("--year", "2024", "--format", "json"),
    "account": ("--as-of", "2025-12-31", "--format", "json"),
}
#: Far below any of their outputs on the demo files, and above nothing they need to read.
SMALL = 512


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(Path(str(demo_files())), folder)
    return folder


def _environment(*, unbuffered: bool = False) -> dict[str, str]:
    """This process's environment, standard output buffered (the usual default) or not
    (``PYTHONUNBUFFERED``, which some CI machines set)."""
    environment = {k: v for k, v in os.environ.items() if k != "MYCAREER_PROGRESS"}
    environment.pop("PYTHONUNBUFFERED", None)
    return environment | ({"PYTHONUNBUFFERED": "1"} if unbuffered else {})


def _one_error_line(result: subprocess.CompletedProcess[str], command: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in (result.stdout or "")
    assert result.returncode == EXIT_WRITE, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"mycareer {command}: error: ")
    return errors[0]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("unbuffered", [False, True])
@pytest.mark.parametrize("command", [*COMMANDS, "demo", "schema"])
def test_a_full_standard_output_is_one_error_line(
    demo: Path, command: str, unbuffered: bool
) -> None:
    """``schema`` lists a few names: held in the buffer until the command's end, where
    Python's exit flushed it with a traceback-like message and exit 120."""
    arguments = [str(demo), *COMMANDS[command]] if command in COMMANDS else []
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "mycareer", command, *arguments],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False, timeout=120,
            env=_environment(unbuffered=unbuffered),
        )  # fmt: skip
    line = _one_error_line(result, command)
    assert line.endswith(": No space left on device")
    assert "cannot write standard output or a temporary file in " in line
    # Python's exit does not fail again on what standard output still held.
    assert "Exception ignored" not in result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_refused_output_file_is_left_as_it_was(
    demo: Path, tmp_path: Path, command: str, jobs: str
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "report.json"
    target.write_text("the last good run\n", encoding="utf-8")
    result = run_cli(
        command, demo, *COMMANDS[command], "--jobs", jobs, "-o", target,
        env={"TMPDIR": str(temporary)}, file_size_limit=SMALL,
    )  # fmt: skip
    line = _one_error_line(result, command)
    assert line.endswith(": File too large")
    # The output and the temporary folder are both named: either may have refused it.
    assert f"cannot write {target} or a temporary file in {temporary} " in line
    assert target.read_text(encoding="utf-8") == "the last good run\n"
    assert [p.name for p in out.iterdir()] == ["report.json"]
    assert list(temporary.iterdir()) == []
    assert result.stdout == ""


def test_the_same_run_with_room_writes_its_output(demo: Path, tmp_path: Path) -> None:
    """The limit above is what fails those runs: with room, the same command succeeds."""
    target = tmp_path / "report.json"
    command = "entitlements"
    result = run_cli(command, demo, *COMMANDS[command], "-o", target, file_size_limit=10**8)
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8").startswith("[")


@pytest.mark.parametrize("suffix", ["json", "xml"])
def test_convert_names_its_out_file(demo: Path, tmp_path: Path, suffix: str) -> None:
    """Small enough to be refused when the whole is flushed (JSON) or written (XML): the
    refusal is the file's own and names it alone."""
    target = tmp_path / f"records.{suffix}"
    result = run_cli(
        "convert", demo / "career-records.xml", target, file_size_limit=256, cwd=tmp_path
    )
    line = _one_error_line(result, "convert")
    assert line == f"mycareer convert: error: {target}: cannot write: File too large"
    assert list(tmp_path.iterdir()) == []


def test_a_refused_picture_is_named_and_no_picture_is_left(demo: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "career.png"
    result = run_cli(
        "timeline", demo / "dmfa", "--format", "csv", "--plot", target, "--jobs", "2",
        file_size_limit=8192, cwd=tmp_path,
    )  # fmt: skip
    line = _one_error_line(result, "timeline")
    # Drawn in a folder next to the target, then moved: the drawing's file is named.
    assert f"{tmp_path}{os.sep}.mycareer-plot-" in line
    assert line.endswith(".png: cannot write: File too large")
    assert list(tmp_path.iterdir()) == []


def test_the_demo_stops_at_a_file_it_cannot_write(tmp_path: Path) -> None:
    """Its step's file is not kept half written, and no later step runs."""
    pytest.importorskip("matplotlib")
    folder = tmp_path / "demo-out"
    result = run_cli(
        "demo", "--output", folder, env={"TMPDIR": str(tmp_path)}, file_size_limit=5000
    )
    assert_no_traceback(result)
    assert result.returncode == EXIT_WRITE
    assert f"mycareer demo: error: {folder / 'timeline.csv'}: not written" in result.stderr
    assert "=== Career records converted to JSON ===" not in result.stdout
    assert list(folder.iterdir()) == []


#: The command's own process (``main()`` without arguments) with something still waiting
#: in standard output's buffer when a temporary file is refused.
_PENDING_THEN_REFUSED = """
import resource, sys
from mycareer.cli import main
resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))
sys.stdout.write("waiting in the buffer")
sys.argv = ["mycareer", *sys.argv[1:]]
sys.exit(main())
"""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_what_standard_output_still_holds_does_not_fail_the_exit(demo: Path) -> None:
    """Python flushes standard output at exit: on a full disk that failed again, with a
    traceback and exit 1 instead of the command's 74. The command's process sends what
    is left to /dev/null once a write was refused."""
    arguments = [
        "account", str(demo / "dmfa"), "--trainings", str(demo / "trainings.csv"),
        "--as-of", "2025-12-31", "--format", "table", "--jobs", "1",
    ]  # fmt: skip
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-c", _PENDING_THEN_REFUSED, *arguments],
            stdout=full, stderr=subprocess.PIPE, text=True, check=False, timeout=120,
            env=_environment(),  # buffered: the text waits there
        )  # fmt: skip
    line = _one_error_line(result, "account")
    assert line.endswith(": File too large")


@pytest.mark.parametrize(
    ("error", "code", "said"),
    [
        (OSError(errno.EAGAIN, "Resource temporarily unavailable"), EXIT_SYSTEM,
         "the system refused: Resource temporarily unavailable"),
        (OSError(errno.EMFILE, "Too many open files", "/tmp/spool-1"), EXIT_SYSTEM,
         "/tmp/spool-1: the system refused: Too many open files"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), EXIT_WRITE,
         "cannot write standard output or a temporary file in "),
        (OSError(errno.EROFS, "Read-only file system", "/mnt/ro/x"), EXIT_WRITE,
         "/mnt/ro/x: Read-only file system"),
    ],
)  # fmt: skip
def test_what_the_system_refused_decides_the_exit_code(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: OSError,
    code: int,
    said: str,
) -> None:
    """A refused write is 74; any other refusal (no process could be forked, too many open
    files) is the system stopping the run, 71, and never called a write."""
    import mycareer.cli._schema as schema

    def refused(*_arguments: object) -> int:
        raise error

    monkeypatch.setattr(schema, "run", refused)
    assert main(["schema"]) == code
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"mycareer schema: error: {said}")
    assert line.endswith(error.strerror or "")


@pytest.mark.parametrize("unbuffered", [False, True])
@pytest.mark.parametrize("command", ["demo", "schema"])
def test_a_standard_output_file_too_large_is_one_error_line(
    tmp_path: Path, command: str, unbuffered: bool
) -> None:
    """Standard output on a file that fills up part-way (RLIMIT_FSIZE; a disk filling up
    alike). Unbuffered (``PYTHONUNBUFFERED``), the write that crossed the limit was cut
    short without a word: the output ended half way and the exit was 0. Buffered, the
    demo said it twice: its step's line, then its own when it flushed the same buffer."""
    arguments = ["timeline"] if command == "schema" else []
    with (tmp_path / "out").open("w") as out:
        result = subprocess.run(
            [sys.executable, "-m", "mycareer", command, *arguments],
            stdout=out, stderr=subprocess.PIPE, text=True, check=False, timeout=120,
            env=_environment(unbuffered=unbuffered), preexec_fn=_limit_file_size(SMALL),
        )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == EXIT_WRITE, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].endswith(": File too large")


def test_memory_refused_by_the_system_is_said_as_out_of_memory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Out of memory (``ulimit -v``), the cleanup of a temporary folder failed with ENOMEM
    and its OSError replaced the MemoryError: the line named the temporary folder, as if
    it were the trouble."""
    import mycareer.cli._schema as schema

    def refused(*_arguments: object) -> int:
        raise OSError(errno.ENOMEM, "Cannot allocate memory", "/tmp/mycareer-accounts-x")

    monkeypatch.setattr(schema, "run", refused)
    assert main(["schema"]) == EXIT_SYSTEM
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("mycareer schema: error: out of memory: the run was stopped")


def test_an_output_name_the_system_will_not_look_up_is_a_usage_error(
    demo: Path, tmp_path: Path
) -> None:
    """Checking ``--output`` before any work looked it up (``Path.is_dir``), which raises
    on a name longer than the file system allows: a traceback. Now a usage error."""
    target = tmp_path / ("x" * 300 + ".json")
    result = run_cli("timeline", demo, "-o", target)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"mycareer timeline: error: --output {target}: File name too long"
    ]
