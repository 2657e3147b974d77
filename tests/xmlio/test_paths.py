"""Every reader takes one path or an iterable of paths; folders are walked without silence."""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

import pytest

from mycareer.errors import InputError, MycareerErrorGroup
from mycareer.xmlio import iter_dimona, iter_dmfa, iter_notifications, read_dimona, read_dmfa
from mycareer.xmlio.reading import input_files
from mycareer.xmlio.sidecar import read_outcomes

from ..cli._run import assert_no_traceback, run_cli

DEMO = Path(str(resources.files("mycareer.data.demo")))
DMFA = sorted((DEMO / "dmfa").glob("*.xml"))
DIMONA = DEMO / "dimona"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "declarations"
    (target / "sub").mkdir(parents=True)
    for index, path in enumerate(DMFA[:4]):
        shutil.copy(path, target / ("sub" if index % 2 else ".") / path.name)
    return target


def test_read_dmfa_takes_a_str_folder_without_iterating_it(folder: Path) -> None:
    by_str = read_dmfa(str(folder))
    assert len(by_str.declarations) == 4
    assert by_str.errors == ()
    assert read_dmfa(folder) == by_str
    assert read_dmfa([str(folder)]) == by_str


def test_read_dmfa_takes_one_path_to_a_file() -> None:
    one = read_dmfa(DMFA[0])
    assert [d.quarter for d in one.declarations] == [read_dmfa([DMFA[0]]).declarations[0].quarter]
    assert read_dmfa(str(DMFA[0])) == one


def test_iter_readers_take_paths_folders_and_iterables(folder: Path) -> None:
    from_folder = list(iter_dmfa(str(folder)))
    assert from_folder == list(iter_dmfa(sorted(folder.rglob("*.xml"), key=str)))
    assert list(iter_dmfa(DMFA[0])) == list(iter_dmfa(DMFA[0].read_bytes(), name=str(DMFA[0])))
    declarations = list(iter_dimona(str(DIMONA / "dimona-0403019261.xml")))
    assert declarations
    outcomes = list(iter_notifications(DIMONA / "notifications-0403019261.xml"))
    assert outcomes
    assert read_outcomes(str(DIMONA / "outcomes.csv")) == read_outcomes([DIMONA / "outcomes.csv"])
    batch = read_dimona(str(DIMONA))
    assert len(batch.declarations) == len(declarations)


@pytest.mark.parametrize("bad", [b"a.xml", 42, [b"a.xml"]])
def test_anything_but_paths_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="path"):
        read_dmfa(bad)  # type: ignore[arg-type]


# -- folder walking: nothing skipped silently (issue 11 item 5) ---------------------


def _problems(folder: Path) -> list[str]:
    _files, problems = input_files(folder)
    return [str(p) for p in problems]


def test_a_dangling_link_named_like_an_input_is_reported(folder: Path) -> None:
    (folder / "gone.xml").symlink_to(folder / "missing.xml")
    assert _problems(folder) == [f"{folder / 'gone.xml'}: cannot read: dangling symbolic link"]


def test_a_link_loop_is_reported(folder: Path) -> None:
    (folder / "a.xml").symlink_to(folder / "b.xml")
    (folder / "b.xml").symlink_to(folder / "a.xml")
    (folder / "sub" / "up").symlink_to(folder)
    problems = _problems(folder)
    assert len(problems) == 3
    assert all("symbolic link loop" in p for p in problems)


def test_a_link_out_of_the_tree_is_not_followed(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(DMFA[5], outside / "secret.xml")
    (folder / "leak.xml").symlink_to(outside / "secret.xml")
    (folder / "elsewhere").symlink_to(outside)
    files, problems = input_files(folder)
    assert all(outside not in f.resolve().parents for f in files)
    assert len(problems) == 2
    assert all("leads out of the folder" in str(p) for p in problems)


def test_a_fifo_named_like_an_input_is_reported(folder: Path) -> None:
    os.mkfifo(folder / "pipe.xml")
    os.mkfifo(folder / "pipe.txt")  # not named like an input: not ours
    assert _problems(folder) == [
        f"{folder / 'pipe.xml'}: cannot read: not a regular file (FIFO, socket or device)"
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_sub_folder_is_reported(folder: Path) -> None:
    (folder / "sub").chmod(0)
    try:
        assert _problems(folder) == [f"{folder / 'sub'}: cannot read: Permission denied"]
    finally:
        (folder / "sub").chmod(0o755)


def test_cli_reports_walking_problems_and_exits_1_keeping_the_good_files(folder: Path) -> None:
    os.mkfifo(folder / "pipe.xml")
    (folder / "gone.xml").symlink_to(folder / "missing.xml")
    result = run_cli("entitlements", "--year", "2023", "--format", "csv", folder)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "pipe.xml: cannot read: not a regular file" in result.stderr
    assert "gone.xml: cannot read: dangling symbolic link" in result.stderr
    assert len(result.stdout.splitlines()) > 1  # the good files still give rows


def test_read_dmfa_raise_lists_walking_problems(folder: Path) -> None:
    (folder / "gone.xml").symlink_to(folder / "missing.xml")
    with pytest.raises(MycareerErrorGroup) as caught:
        read_dmfa(folder)
    assert [type(e) for e in caught.value.exceptions] == [InputError]


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """``os.scandir`` of ``denied`` fails as for a folder without read permission.

    The permission tests above are skipped as root (root reads every folder); this
    makes the same failure for everyone, at the one call that lists a folder.
    """
    real = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_top_folder_is_reported_not_read_as_empty(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deny(monkeypatch, folder)
    assert _problems(folder) == [f"{folder}: cannot read: Permission denied"]
    batch = read_dmfa(folder, on_error="collect")
    assert batch.records == ()
    assert [str(e) for e in batch.errors] == [f"{folder}: cannot read: Permission denied"]


def test_an_unreadable_sub_folder_costs_only_its_files(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deny(monkeypatch, folder / "sub")
    batch = read_dmfa(folder, on_error="collect")
    assert [str(e) for e in batch.errors] == [f"{folder / 'sub'}: cannot read: Permission denied"]
    assert {r.source.file for r in batch.records if r.source} == {
        str(p) for p in folder.glob("*.xml")
    }


# -- paths named directly: one status read each ---------------------------------------


def _pathlib_rule(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The oracle: what ``Path.is_dir`` then ``Path.exists`` decide (Python 3.11's pathlib:
    ENOENT, ENOTDIR, EBADF and ELOOP, and a NUL byte, read as "no"), with the messages
    :func:`input_files` gives; folders are left out (walked, tested above)."""
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        try:
            if path.is_dir():
                continue
            if path.exists():
                files.append(path)
                continue
        except OSError as error:
            problems.append(f"{path}: cannot read: {error.strerror}")
            continue
        why = "dangling symbolic link" if path.is_symlink() else "no such file or folder"
        problems.append(f"{path}: cannot read: {why}")
    return files, problems


def test_named_paths_are_decided_as_pathlib_decides(folder: Path) -> None:
    a_file = next(folder.glob("*.xml"))
    (folder / "gone.xml").symlink_to(folder / "missing.xml")
    (folder / "loop-a.xml").symlink_to(folder / "loop-b.xml")
    (folder / "loop-b.xml").symlink_to(folder / "loop-a.xml")
    os.mkfifo(folder / "pipe.xml")
    (folder / "to-file.xml").symlink_to(a_file)
    named = [
        a_file,
        folder / "missing.xml",
        folder / "gone.xml",
        folder / "loop-a.xml",
        folder / "pipe.xml",
        folder / "to-file.xml",
        a_file / "under-a-file.xml",  # ENOTDIR
        Path(str(a_file) + "\0nul"),  # a NUL byte: ValueError in os.stat
    ]
    files, problems = input_files(named)
    assert (files, [str(p) for p in problems]) == _pathlib_rule(named)
    assert files == [a_file, folder / "pipe.xml", folder / "to-file.xml"]


def test_a_named_path_whose_status_fails_otherwise_is_reported(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = next(folder.glob("*.xml"))
    real = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if Path(str(path)) == a_file:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    files, problems = input_files([a_file])
    assert files == []
    assert [str(p) for p in problems] == [f"{a_file}: cannot read: Permission denied"]


def test_each_named_file_is_looked_at_once(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run reads each group's files by name: ``is_dir`` then ``exists`` asked the system
    twice a file (3 % of a run over small employers' files, docs/performance.md)."""
    named = sorted(folder.rglob("*.xml"))
    calls: list[str] = []
    real = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        calls.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    files, problems = input_files(named)
    assert (files, problems) == (named, [])
    assert sorted(calls) == sorted(map(str, named))
