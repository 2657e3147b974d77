"""The map step of the timeline shuffle (:mod:`mycareer.timeline_jobs`): groups to period rows.

A map task reads whole employers (the groups of :func:`~mycareer.plans.plan_employers`),
file by file, each file whole or not at all, turns their records into career periods and
puts each period, as a plain row (:mod:`mycareer.timeline_rows`), in one of ``buckets`` by
a stable hash of its NISS, tagged with its place in the one-process read.
"""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime

import attrs

from mycareer._processes import bucket_of
from mycareer._rows import RowStore
from mycareer.career import CareerPeriod
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.plans import EmployerGroup
from mycareer.quarter import Quarter
from mycareer.read_order import (
    declared_ids,
    file_place,
    file_place_or,
    reading_rank,
    slot_place,
)
from mycareer.regroup import NamesAnotherGroup, watched
from mycareer.timeline import career_periods_from_dmfa
from mycareer.timeline_rows import period_row
from mycareer.xmlio.flows import KnownHeaders, read_corrected_dmfa, stream_corrected_dmfa

__all__ = ["MapResult", "MapTask", "Tag", "dump_rows", "map_groups", "run_map_task"]

#: Where a row, finding or error stands in one read of everything (read_order.py).
Tag = tuple[int | str | datetime, ...]


@attrs.frozen
class MapResult:
    """What one map task reports: per bucket the pickled rows, and the run-wide parts.

    ``rows[b]`` is a pickled list of ``(tag, NISS, period)`` (None when the task
    has none for bucket ``b``; locally the rows go to files and this is empty).
    ``keys`` holds, per group index, the employer keys its records and
    declarations named; ``ids`` the identifiers (enterprise and NSSO numbers,
    :func:`~mycareer.dmfa_update.employer_ids`) they declared each quarter under;
    ``latest`` the latest start or end day read.
    """

    rows: tuple[bytes | None, ...]
    keys: tuple[tuple[int, frozenset[str]], ...]
    latest: date | None
    findings: tuple[tuple[Tag, Finding], ...]
    errors: tuple[tuple[Tag, InvalidValueError], ...]
    #: True when a period's file is not one of the group's (then: one process).
    strange: bool = False
    ids: tuple[tuple[int, frozenset[tuple[Quarter, str]]], ...] = ()
    #: Per group in reading order: its index, where its findings and its errors end (in
    #: ``findings`` and ``errors``: each begins where the one before ended) and its latest
    #: day, so that a run can leave out the groups it reads again joined.
    spans: tuple[tuple[int, int, int, date | None], ...] = ()
    #: (name read, file's name) of each file a worker read under another name (a Dask
    #: worker's copy of a URL): the periods' sources name the copy.
    copies: tuple[tuple[str, str], ...] = ()


class _Mapper:
    """One map task's state: bucket rows, tagged findings and errors, the latest day.

    With ``folder``, the rows are written there as they grow (:class:`~mycareer._rows.RowStore`).
    """

    def __init__(
        self,
        index: dict[str, int],
        buckets: int,
        folder: str | None = None,
        header_groups: Mapping[str, int] | None = None,
    ) -> None:
        self.index = index
        self.header_groups = header_groups
        # A process runs its map tasks one after the other: they append to the same files.
        self.store = RowStore(buckets, folder, os.getpid(), dump_rows)
        self.keys: list[tuple[int, frozenset[str]]] = []
        self.ids: list[tuple[int, frozenset[tuple[Quarter, str]]]] = []
        self.latest: date | None = None
        self.findings: list[tuple[Tag, Finding]] = []
        self.errors: list[tuple[Tag, InvalidValueError]] = []
        self.strange = False
        self.spans: list[tuple[int, int, int, date | None]] = []
        #: The place of the next period or finding of the group being read.
        self.position = 0

    @property
    def rows(self) -> list[list[tuple[Tag, str, CareerPeriod]]]:
        return self.store.rows

    def group(self, number: int, files: Sequence[str], known: KnownHeaders | None = None) -> None:
        """Read a group's files (:meth:`_group`), its span noted; ``known`` as
        :func:`~mycareer.xmlio.flows.stream_corrected_dmfa` takes it."""
        before, self.latest = self.latest, None
        self._group(number, files, known)
        self._span(number, before)

    def _span(self, number: int, before: date | None) -> None:
        """Note group ``number``'s span; the task's latest day is ``before`` or its."""
        latest = self.latest
        if before is not None and (latest is None or before > latest):
            self.latest = before
        self.spans.append((number, len(self.findings), len(self.errors), latest))

    def _group(self, number: int, files: Sequence[str], known: KnownHeaders | None) -> None:
        """Read a group's files: streamed file by file when they allow it, else whole."""
        self.position = 0
        depth = self.store.depth
        self.store.mark()
        saved = self.saved()
        named: set[str] = set()
        stage = watched(lambda: _MapStage(self, named), number, self.header_groups)
        try:
            streamed = stream_corrected_dmfa(files, stage, order="employer", known=known)
        except NamesAnotherGroup as met:  # mapped again joined: keep nothing but the name
            self.store.back_to(depth)  # the stopped file's stage marked too
            self.restore(saved)
            self.keys.append((number, frozenset({met.key})))
            return
        if streamed is None:  # only a whole read gives it: drop what the stages kept
            self.store.back()
            self.restore(saved)
            self._whole(number, files)
            return
        self.store.keep()
        keys = named | {d.employer.key for d in streamed.declarations}
        # Every streamed record was declared (the stream refuses the others): its ids too.
        self.ids.append((number, declared_ids(streamed.declarations)))
        self._reading(number, files, keys, streamed.findings, streamed.errors)

    def saved(self) -> tuple[int, date | None, bool, int]:
        return len(self.findings), self.latest, self.strange, self.position

    def restore(self, saved: tuple[int, date | None, bool, int]) -> None:
        del self.findings[saved[0] :]
        self.latest, self.strange, self.position = saved[1:]

    def _reading(
        self,
        number: int,
        files: Sequence[str],
        keys: Iterable[str],
        findings: Sequence[Finding],
        errors: Sequence[InvalidValueError],
    ) -> None:
        """The group's employer keys, and what reading it said, tagged with their places."""
        first = self.index[files[0]]
        self.keys.append((number, frozenset(keys)))
        for seq, finding in enumerate(findings):
            at = file_place_or(finding.source, self.index, first)
            self.findings.append(((reading_rank(finding), at, seq), finding))
        last = first
        for seq, error in enumerate(errors):  # in file order: unknown follows its file
            place = file_place(error.source, self.index)
            last = last if place is None else place
            self.errors.append(((last, seq), error))

    def _whole(self, number: int, files: Sequence[str]) -> None:
        """The group from one read of its files (any input)."""
        batch = read_corrected_dmfa(files, on_error="collect")
        first = self.index[files[0]]
        named = {r.employer.key for r in batch.records}
        keys = named | {d.employer.key for d in batch.declarations}
        self.ids.append((number, declared_ids(batch.declarations, batch.records)))
        self._reading(number, files, keys, batch.findings, batch.errors)
        records, slots = batch.records, batch.correction.slots
        del batch
        starts = [slot.start for slot in slots] + [len(records)]
        for slot, end in zip(slots, starts[1:], strict=True):
            tag = slot_place(slot, file_place_or(slot.source, self.index, first))
            for run in _slots(records[slot.start : end]):
                self.career(tag, run)

    def career(self, slot: Tag, records: Sequence[DmfaWorkerRecord]) -> None:
        """The career periods of consecutive records of one slot, and their findings."""
        career = career_periods_from_dmfa(records)
        self._periods(slot, career.periods)
        for finding in career.findings:
            self.findings.append(((2, *slot, self.position), finding))
            self.position += 1

    def _periods(self, slot: Tag, periods: Sequence[CareerPeriod]) -> None:
        buckets = len(self.rows)
        index, add = self.index, self.store.add
        latest, position, strange = self.latest, self.position, self.strange
        niss, bucket = None, 0  # a worker's lines come together: one bucket_of for them
        for period in periods:
            if file_place(period.source, index) is None:
                strange = True
            if period.niss.value != niss:
                niss = period.niss.value
                bucket = bucket_of(niss, buckets)
            add(bucket, ((*slot, position), niss, period))
            position += 1
            span = period.period  # its last day is its end, or its start while ongoing
            end = span.end
            last = span.start if end is None else end
            if latest is None or last > latest:
                latest = last
        self.latest, self.position, self.strange = latest, position, strange

    def result(self, rows: tuple[bytes | None, ...]) -> MapResult:
        return MapResult(rows, tuple(self.keys), self.latest, tuple(self.findings),
                         tuple(self.errors), self.strange, tuple(self.ids),
                         tuple(self.spans))  # fmt: skip


#: A streamed file's records go to career periods this many at a time.
_CHUNK = 4096


class _MapStage:
    """One DmfA file of a group being streamed (a :class:`~mycareer.xmlio.dmfa.FileStage`).

    Its records come in the corrected order (by declaration, then file order), so each
    run of one employer quarter is the slot a whole read gives it (all of them declared:
    the stream refuses the rest), and the periods take the places a whole read gives
    them; findings keep their order within their slot. Discarded, the file leaves nothing.
    """

    def __init__(self, mapper: _Mapper, named: set[str]) -> None:
        self.mapper = mapper
        self.named = named
        self.keys: set[str] = set()
        mapper.store.mark()
        self.saved = mapper.saved()

    def feed(self, records: Iterable[DmfaWorkerRecord]) -> None:
        chunk: list[DmfaWorkerRecord] = []
        slot: Tag = ()
        for record in records:
            quarter, key = record.quarter, record.employer.key
            if not chunk or len(chunk) >= _CHUNK or slot[1:] != (quarter.year, quarter.number, key):
                if chunk:
                    self.mapper.career(slot, chunk)
                chunk = []
                slot = (0, quarter.year, quarter.number, key)
                self.keys.add(key)
            chunk.append(record)
        if chunk:
            self.mapper.career(slot, chunk)

    def commit(self) -> None:
        self.mapper.store.keep()
        self.named |= self.keys

    def discard(self) -> None:
        self.mapper.store.back()
        self.mapper.restore(self.saved)


def _slots(records: Sequence[DmfaWorkerRecord]) -> Iterator[Sequence[DmfaWorkerRecord]]:
    """Runs of consecutive records of one employer and quarter (the corrected order)."""
    begin = 0
    for end in range(1, len(records) + 1):
        if end == len(records) or (
            records[end].quarter != records[begin].quarter
            or records[end].employer.key != records[begin].employer.key
        ):
            yield records[begin:end]
            begin = end


def map_groups(
    groups: Sequence[tuple[int, EmployerGroup]],
    index: dict[str, int],
    buckets: int,
    folder: str | None = None,
    header_groups: Mapping[str, int] | None = None,
) -> tuple[MapResult, list[list[tuple[Tag, str, CareerPeriod]]]]:
    """Read the groups ``(group index, group)`` into period rows, one list per bucket.

    ``index`` gives each file's place in the run's file order. With ``folder``, the
    rows are written there as they grow (appended to this process's file of each bucket,
    :class:`~mycareer._rows.RowStore`) and the lists come back empty, so a task holds a
    bounded number of rows whatever its size. With ``header_groups``, a group stops at
    the first record of another group's employer, keeps nothing and names only it.
    """
    mapper = _Mapper(index, buckets, folder, header_groups)
    for number, group in groups:
        mapper.group(number, group.files, group.known_headers())
        # Collect between groups, while little is alive: lxml's iterparse leaves reference
        # cycles that keep each parsed document alive until a full collection, which an
        # enabled collector runs too rarely to bound a worker process (measured: 393 MB
        # against 291 MB), and a paused one (mycareer.bulk(), as the CLI runs) never.
        gc.collect(1)  # this group's objects are all young: the collector ran before it
    if folder is not None:
        mapper.store.write()
    return mapper.result(()), mapper.rows


def dump_rows(rows: Sequence[tuple[Tag, str, CareerPeriod]]) -> bytes:
    """One bucket's rows as the bytes :func:`reduce_bucket` reads (periods as plain rows)."""
    plain = [(tag, niss, period_row(period)) for tag, niss, period in rows]
    return pickle.dumps(plain, protocol=pickle.HIGHEST_PROTOCOL)


@attrs.frozen
class MapTask:
    """One map task: groups ``(group index, group)`` and each file's place in the run."""

    number: int
    groups: tuple[tuple[int, EmployerGroup], ...]
    index: dict[str, int]
    buckets: int
    #: The plan's header keys and their groups (:func:`~mycareer.regroup.header_groups`):
    #: a group whose records name another group's employer stops there.
    header_groups: Mapping[str, int] | None = attrs.field(default=None, eq=False)


def run_map_task(task: MapTask, folder: str | None = None) -> MapResult:
    """Run a map task: its rows appended to ``folder`` (this process's file of each bucket:
    tasks on one folder at once must run in different processes), or returned."""
    if folder is not None:
        return map_groups(task.groups, task.index, task.buckets, folder, task.header_groups)[0]
    result, rows = map_groups(task.groups, task.index, task.buckets, None, task.header_groups)
    return attrs.evolve(result, rows=tuple(dump_rows(r) if r else None for r in rows))
