"""Library calls leave the cyclic GC alone; ``mycareer.bulk()`` is the caller's explicit opt-in.

The GC is process-wide: a library that switched it off would change every
other thread of its caller's process. Each check hands control to another
thread from *inside* the library call (the library is reading our stream or
our record generator at that moment) and has that thread look at the GC.
"""

from __future__ import annotations

import gc
import io
import operator
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import mycareer
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.fla import compute_entitlements
from mycareer.xmlio.career_records import read_career_records
from mycareer.xmlio.dmfa import iter_dmfa

DEMO = Path(str(resources.files("mycareer.data.demo")))


class _OtherThread:
    """A thread that reports ``gc.isenabled()`` each time it is asked, while we wait."""

    def __init__(self) -> None:
        self.seen: list[bool] = []
        self._ask = threading.Semaphore(0)
        self._answered = threading.Semaphore(0)
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            self._ask.acquire()
            if self._stop:
                return
            self.seen.append(gc.isenabled())
            self._answered.release()

    def look(self) -> None:
        self._ask.release()
        assert self._answered.acquire(timeout=10)

    def close(self) -> None:
        self._stop = True
        self._ask.release()
        self._thread.join(timeout=10)


class _Stream(io.RawIOBase):
    """A binary stream whose every read asks the other thread to look at the GC."""

    def __init__(self, data: bytes, other: _OtherThread) -> None:
        self._data = io.BytesIO(data)
        self._other = other

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self._other.look()
        chunk = self._data.read(min(len(buffer), 4096))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _records(other: _OtherThread) -> Iterator[DmfaWorkerRecord]:
    for path in sorted((DEMO / "dmfa").glob("*.xml")):
        for record in iter_dmfa(path):
            other.look()
            yield record


def test_compute_entitlements_leaves_the_gc_enabled_for_other_threads() -> None:
    other = _OtherThread()
    try:
        results = compute_entitlements(_records(other), year=2024)
    finally:
        other.close()
    assert results  # the demo employer has workers in 2024
    assert len(other.seen) > 10
    assert all(other.seen)
    assert gc.isenabled()


def test_whole_document_reads_leave_the_gc_enabled_for_other_threads() -> None:
    document = (DEMO / "career-records.xml").read_bytes()
    other = _OtherThread()
    try:
        result = read_career_records(io.BufferedReader(_Stream(document, other)), name="s.xml")
    finally:
        other.close()
    assert result.records
    assert result.errors == ()
    assert other.seen
    assert all(other.seen)


def test_bulk_pauses_the_gc_for_the_callers_block_only_and_nests() -> None:
    assert gc.isenabled()
    with mycareer.bulk():
        assert not gc.isenabled()
        with mycareer.bulk():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block restores what it found
        other = _OtherThread()
        try:
            other.look()
        finally:
            other.close()
        assert other.seen == [False]  # the pause is process-wide: that is why it is opt-in
    assert gc.isenabled()


def test_bulk_restores_the_gc_when_the_block_raises() -> None:
    try:
        with mycareer.bulk():
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()


def test_bulk_leaves_a_caller_disabled_gc_disabled() -> None:
    gc.disable()
    try:
        with mycareer.bulk():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_worker_processes_of_a_run_pause_their_own_collector_only() -> None:
    """``--jobs`` workers run each task with the collector paused; the caller's stays on."""
    from mycareer.pipeline import map_in_processes, run_paused

    assert gc.isenabled()
    in_workers = list(map_in_processes(operator.call, 2, [gc.isenabled] * 3))
    assert in_workers == [False, False, False]
    assert run_paused(gc.isenabled) is False
    assert gc.isenabled(), "restored after the call"
    assert list(map_in_processes(operator.call, 1, [gc.isenabled])) == [True]  # here: untouched


def test_bulk_blocks_of_threads_that_do_not_nest_keep_the_pause_until_the_last_ends() -> None:
    """Two threads' blocks (a Dask worker's tasks): the first to end does not switch the
    collector back on under the other; the last one out restores it."""
    first_in = threading.Event()
    first_may_leave = threading.Event()
    first_left = threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with mycareer.bulk():
            first_in.set()
            assert first_may_leave.wait(10)
        first_left.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(10)
    with mycareer.bulk():
        first_may_leave.set()
        assert first_left.wait(10)
        seen.append(gc.isenabled())  # the other block ended while this one runs
    thread.join(10)
    assert seen == [False]
    assert gc.isenabled()
