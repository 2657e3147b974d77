"""mycareer.outputs: atomic writes and the exact, reversible CSV neutralisation."""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer.outputs import (
    OutputError,
    OutputRefusedError,
    atomic_output,
    csv_cell,
    csv_text,
    refuse_inputs,
    write_atomic,
)

_TRIGGERS = "=+-@\t\r"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab 1\n")) | st.text())
def test_neutralisation_is_exactly_reversible(value: str) -> None:
    cell = csv_cell(value)
    assert csv_text(cell) == value
    assert not cell.startswith(tuple(_TRIGGERS))  # what a spreadsheet would run


@given(st.sampled_from(_TRIGGERS), st.text())
def test_every_formula_start_gets_an_apostrophe(first: str, rest: str) -> None:
    value = first + rest
    assert csv_cell(value) == "'" + value


def test_a_failure_inside_the_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(target, "w") as stream:
        stream.write("half")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_text_is_written_without_newline_translation(tmp_path: Path) -> None:
    write_atomic(tmp_path / "t.csv", "a\r\nb\rc\n")
    assert (tmp_path / "t.csv").read_bytes() == b"a\r\nb\rc\n"


def test_text_takes_the_error_handler_it_is_given(tmp_path: Path) -> None:
    """A lone surrogate (the byte of a file name that is not UTF-8, os.fsdecode) is
    refused by the strict default, the old file kept, and written back as its byte with
    ``surrogateescape`` (the command line's choice: mycareer.cli._common.NAME_BYTES_BACK)."""
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    with pytest.raises(UnicodeEncodeError), atomic_output(target, "w") as stream:
        stream.write("caf\udce9")
        stream.flush()
    assert target.read_bytes() == b"old"
    with atomic_output(target, "w", errors="surrogateescape") as stream:
        stream.write("caf\udce9")
    assert target.read_bytes() == b"caf\xe9"


def test_a_folder_in_the_way_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError, match="dir"):
        write_atomic(tmp_path / "dir", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]


def test_refuse_inputs_sees_through_links_and_dots(tmp_path: Path) -> None:
    source = tmp_path / "in.xml"
    source.write_bytes(b"<a/>")
    (tmp_path / "hard.xml").hardlink_to(source)
    for alias in (source, tmp_path / "." / "in.xml", tmp_path / "hard.xml"):
        with pytest.raises(OutputRefusedError):
            refuse_inputs([alias], [source])
    refuse_inputs([tmp_path / "other.xml", "-"], [source, "-"])  # no error


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    # A report made private stays private (as open(path, "w") would keep it), and its
    # new content is never in a file more open than the old one, not even the temporary.
    # 0o604 is no usual umask's mode: the new file's mode comes from the old one.
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o604)
    with atomic_output(target, "w") as stream:
        (temporary,) = (p for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        assert stat.S_IMODE(temporary.stat().st_mode) == 0o604
        stream.write("new")
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o604


def _foreign_group() -> int:
    """A group other than the one new files get: as root, one the process is not in;
    otherwise one of the process's other groups (a skip when it has none)."""
    if os.geteuid() == 0:
        return max([*os.getgroups(), os.getegid()]) + 4321
    others = sorted(set(os.getgroups()) - {os.getegid()})
    if not others:
        pytest.skip("the process is in one group only: no other group to give a file")
    return others[0]


def test_a_replaced_file_keeps_its_group(tmp_path: Path) -> None:
    # A report shared with its group stays shared with that group, not with ours.
    target = tmp_path / "shared.csv"
    target.write_text("old", encoding="utf-8")
    group = _foreign_group()
    os.chown(target, -1, group)
    target.chmod(0o640)
    write_atomic(target, "new")
    assert (target.stat().st_gid, stat.S_IMODE(target.stat().st_mode)) == (group, 0o640)


def test_a_group_that_cannot_be_kept_gets_no_access(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not a member of the old file's group: giving its bits to our own group would
    # open the report to other people, so the new file keeps the owner's and others' only.
    target = tmp_path / "shared.csv"
    target.write_text("old", encoding="utf-8")
    os.chown(target, -1, _foreign_group())
    target.chmod(0o664)

    def refuse(_handle: int, _owner: int, _group: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert target.stat().st_gid != _foreign_group()


def test_set_id_bits_are_not_carried_over(tmp_path: Path) -> None:
    target = tmp_path / "tool"
    target.write_bytes(b"old")
    target.chmod(0o4750)
    write_atomic(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o750


def test_a_link_in_the_way_gives_no_mode_of_its_target(tmp_path: Path) -> None:
    # The link is replaced, never followed: its target's mode is not the new file's.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"kept")
    elsewhere.chmod(0o640)
    link = tmp_path / "out"
    link.symlink_to(elsewhere)
    previous = os.umask(0o022)
    try:
        write_atomic(link, b"new")
    finally:
        os.umask(previous)
    assert not link.is_symlink()
    assert stat.S_IMODE(link.stat().st_mode) == 0o644
    assert elsewhere.read_bytes() == b"kept"
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o640


def test_a_refused_chmod_is_an_output_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some filesystems (FUSE, CIFS) refuse chmod: the error names the file, the old file
    # stays, and no temporary file (nor its descriptor) is left.
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def refuse(_handle: int, _mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", refuse)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with pytest.raises(OutputError, match=r"report\.json: cannot keep its permissions"):
        write_atomic(target, b"new")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


_NOBODY = 65534


def _write_as_nobody(target: Path) -> str | None:
    """``write_atomic(target, "new")`` run as another user (root only): its error, or None.

    A forked child changes its ids, since the interpreter may sit where that user cannot
    run it (under /root)."""
    if os.geteuid() != 0:
        pytest.skip("only root can run the writer as another user")
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child ends with os._exit
        code = 0
        try:
            os.setgroups([])
            os.setgid(_NOBODY)
            os.setuid(_NOBODY)
            write_atomic(target, "new")
        except BaseException as error:  # told to the parent, whatever it is
            os.write(writing, str(error).encode()[:4000])
            code = 1
        os._exit(code)
    os.close(writing)
    with os.fdopen(reading, "rb") as told:
        message = told.read().decode()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == (1 if message else 0)
    return message or None


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user may write in (not sticky: a rename there is not stopped by the
    kernel), removed afterwards."""
    folder = Path(tempfile.mkdtemp())
    folder.chmod(0o777)
    yield folder
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def test_another_users_file_is_not_taken_over(open_folder: Path) -> None:
    # open(path, "w") would refuse: the folder's write permission alone must not let one
    # user replace (and so own) another's report.
    target = open_folder / "report.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    error = _write_as_nobody(target)
    assert error is not None
    assert error.endswith("report.json: cannot write: Permission denied (the file is not writable)")
    assert target.read_text(encoding="utf-8") == "old"
    assert target.stat().st_uid == 0
    assert sorted(p.name for p in open_folder.iterdir()) == ["report.json"]


def test_a_file_others_may_write_is_replaced_by_them(open_folder: Path) -> None:
    target = open_folder / "shared.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o666)
    assert _write_as_nobody(target) is None
    assert target.read_text(encoding="utf-8") == "new"
    # The new file is theirs; root's group cannot be kept by them, so its bits go.
    assert target.stat().st_uid == _NOBODY
    assert stat.S_IMODE(target.stat().st_mode) == 0o606


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write any file, as open() lets it")
    target = tmp_path / "kept.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(OutputError, match=r"kept\.json: cannot write: Permission denied"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"


def test_a_hard_link_keeps_the_old_content_under_its_other_name(tmp_path: Path) -> None:
    # Documented: the rename gives the new content to this name only.
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    other = tmp_path / "alias.json"
    other.hardlink_to(target)
    write_atomic(target, "new")
    assert (target.read_text(encoding="utf-8"), other.read_text(encoding="utf-8")) == ("new", "old")


def test_an_output_error_comes_back_whole_from_a_worker_process() -> None:
    """Pickled as a worker process sends it: before, ``Exception``'s own reduction called
    ``__init__`` with the one joined text and the calling process failed to rebuild it."""
    for kind in (OutputError, OutputRefusedError):
        error = kind("cannot write: File too large", "/out/report.json")
        error.add_note("while writing a picture")
        rebuilt = pickle.loads(pickle.dumps(error))
        assert type(rebuilt) is kind
        assert str(rebuilt) == "/out/report.json: cannot write: File too large"
        assert rebuilt.source == error.source
        assert rebuilt.__notes__ == ["while writing a picture"]


#: Writes 2 kB with the process's file size limit (RLIMIT_FSIZE) at 1 kB: the
#: system refuses the write past the limit (EFBIG; Python ignores SIGXFSZ).
_REFUSED_WRITE = """
import resource, sys
from mycareer.outputs import OutputError, atomic_output, write_atomic
resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))
target = sys.argv[2]
try:
    if sys.argv[1] == "whole":
        write_atomic(target, "x" * 2048)
    else:  # small writes, refused only when the buffer is flushed at the end
        with atomic_output(target, "w") as stream:
            for _ in range(64):
                stream.write("y" * 32)
except OutputError as error:
    print(error)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("how", ["whole", "buffered"])
def test_a_refused_write_names_the_file_and_keeps_the_old_one(tmp_path: Path, how: str) -> None:
    target = tmp_path / "report.json"
    target.write_text("the last good run", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", _REFUSED_WRITE, how, str(target)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.stderr == ""
    assert result.stdout == f"{target}: cannot write: File too large\n"
    assert target.read_text(encoding="utf-8") == "the last good run"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
