"""A group of many files frees each file's parse as it goes, with the collector paused.

lxml's ``iterparse`` leaves every parsed document in a reference cycle that only a
collection frees (:func:`mycareer._gc.release_parsers`). The command pauses the collector
(:func:`mycareer.bulk`), and used to collect only between groups: a group of many files
(here, as at national scale, one correction naming every employer joins them all) kept
every file's parser and buffers until its end (2,000 small employers: 1,089 MB against
115 MB read by employer, docs/performance.md). The oracle: what a collection finds left
behind after the streamed read, against the same read with the releases made no-ops.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import partial
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mycareer import _gc, bulk
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.quarter import Quarter
from mycareer.xmlio import dimona, dmfa, flows, headers
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.flows import StreamedDmfa, stream_corrected_dmfa

from ._bench import bench_module
from .test_unnamed_corrections import _forms, _update

QUARTERS = (Quarter(2024, 1), Quarter(2024, 2))
DEMO = Path(str(resources.files("mycareer.data.demo")))
EMPLOYERS = 12


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve employers' 2024 Q1-Q2 and one modification deleting the first line of each
    employer's Q2: one group of 25 files."""
    folder = tmp_path_factory.mktemp("batch")
    files = bench_module("payroll").generate(folder, 120, QUARTERS, employers=EMPLOYERS)
    firsts = [next(iter(iter_dmfa(f))) for f in sorted(files) if f.name.endswith("-20242.xml")]
    assert len(firsts) == EMPLOYERS
    documents = [_update(line) for line in firsts]
    joined = b"\n".join(_forms(d) for d in documents)
    (folder / "updates-20242.xml").write_bytes(documents[0].replace(_forms(documents[0]), joined))
    return folder


class _Stage:
    """Adds the lines committed to ``kept`` (the stream's records go to stages)."""

    def __init__(self, kept: list[DmfaWorkerRecord]) -> None:
        self.kept = kept
        self.fed: list[DmfaWorkerRecord] = []

    def feed(self, records: Iterable[DmfaWorkerRecord]) -> None:
        self.fed.extend(records)

    def commit(self) -> None:
        self.kept.extend(self.fed)

    def discard(self) -> None:
        self.fed = []


def _left_behind(read: Callable[[], StreamedDmfa | None]) -> tuple[int, StreamedDmfa | None]:
    """What a full collection frees after ``read`` ran with the collector paused."""
    gc.collect()
    gc.disable()
    try:
        streamed = read()
        return gc.collect(), streamed
    finally:
        gc.enable()


def test_a_streamed_group_leaves_no_file_s_parse_behind(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(batch.iterdir())
    monkeypatch.setattr(_gc, "PARSES_PER_RELEASE", 1)  # the scans' loops too, each file

    lines: list[list[DmfaWorkerRecord]] = []

    def read() -> StreamedDmfa | None:
        lines.append([])
        return stream_corrected_dmfa(files, partial(_Stage, lines[-1]), order="employer")

    released, streamed = _left_behind(read)
    for module in (flows, headers):
        monkeypatch.setattr(module, "release_parsers", lambda _parsed=None: None)
    kept, unreleased = _left_behind(read)
    assert streamed == unreleased
    assert lines[0] == lines[1]
    assert len(lines[0]) > 100
    assert streamed is not None  # streamed, corrected file by file: not one whole read
    applied = [f for f in streamed.findings if f.code == "DMFA_UPDATE_APPLIED"]
    assert len(applied) == EMPLOYERS
    # Each file is parsed three times (kind, identifiers, lines): without the releases
    # every parse is left; with them less than one file's parse.
    assert kept > 0
    assert released * len(files) < kept


def test_a_paused_collector_stays_paused_and_a_running_one_is_not_collected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collections: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collections.append(generation))
    _gc.release_parsers()
    assert collections == []  # the collector runs: its own schedule
    with _gc.bulk():
        _gc.release_parsers()
        _gc.release_parsers(_gc.PARSES_PER_RELEASE - 1)
        _gc.release_parsers(_gc.PARSES_PER_RELEASE * 2)
        assert not gc.isenabled()
    assert collections == [0, 0]  # the youngest generation only; a count's every 32nd


def _parsers() -> int:
    """lxml's parsers alive (each holds its document and buffers)."""
    return sum(type(o).__name__ == "XMLPullParser" for o in gc.get_objects())


def test_the_scans_before_the_lines_free_their_parses_as_they_go(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files' kinds and (with corrections) identifiers are scanned before any line is
    read: without a release among them, every scan's parse is alive at the first read."""
    files = sorted(batch.iterdir())
    monkeypatch.setattr(_gc, "PARSES_PER_RELEASE", 1)
    alive: list[int] = []
    read_file = dmfa.read_dmfa_file

    def counted(*args: Any, **options: Any) -> Any:
        if not alive:
            alive.append(_parsers())
        return read_file(*args, **options)

    monkeypatch.setattr("mycareer.xmlio.flows.read_dmfa_file", counted)
    gc.collect()
    with bulk():
        assert stream_corrected_dmfa(files, partial(_Stage, []), order="employer")
    assert alive == [0]
    alive.clear()
    for module in (flows, headers):
        monkeypatch.setattr(module, "release_parsers", lambda _parsed=None: None)
    gc.collect()
    with bulk():
        assert stream_corrected_dmfa(files, partial(_Stage, []), order="employer")
    assert alive[0] >= 2 * len(files)  # the kinds' and the identifiers' scans


def test_sorting_many_documents_frees_the_scans_as_it_goes(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(batch.iterdir())
    monkeypatch.setattr(_gc, "PARSES_PER_RELEASE", 4)
    gc.collect()
    with bulk():
        kinds, _findings, errors = flows.sort_documents(files, headers={})
        alive = _parsers()
    assert len(kinds) == len(files)
    assert errors == []
    assert alive < 4  # those since the last release, each a file's first kilobytes
    monkeypatch.setattr(flows, "release_parsers", lambda _parsed=None: None)
    gc.collect()
    with bulk():
        flows.sort_documents(files, headers={})
        assert _parsers() >= len(files)


def _copies(source: Path, folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        (folder / f"{index:03d}-{source.name}").write_bytes(source.read_bytes())
    return folder


@pytest.mark.parametrize(
    ("module", "read", "source"),
    [
        (dmfa, lambda folder: dmfa.read_dmfa(folder), DEMO / "dmfa" / "dmfa-0403019261-20241.xml"),
        (dimona, dimona.read_dimona, DEMO / "dimona" / "dimona-0403019261.xml"),
    ],
    ids=["dmfa", "dimona"],
)
def test_whole_reads_of_many_files_free_each_file_s_parse(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType,
    read: Callable[[Path], Any],
    source: Path,
) -> None:
    """What a read keeps is its records: each file's parser goes once the file is read."""
    folder = _copies(source, tmp_path / "files", 20)

    def kept() -> tuple[int, Any]:
        gc.collect()
        with bulk():
            result = read(folder)
            return _parsers(), result

    released, result = kept()
    monkeypatch.setattr(module, "release_parsers", lambda _parsed=None: None)
    unreleased, same = kept()
    assert result == same
    assert released == 0
    assert unreleased >= 20
