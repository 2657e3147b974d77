"""Timelines from DmfA files on one core or several: period rows shuffled by NISS.

A worker's timeline spans employers, while DmfA files come per employer. So the
run has two steps (a map and a reduce, as on a cluster):

1. *map*: each task reads whole employers (the groups of
   :func:`~mycareer.pipeline.plan_employers`, DmfA corrections with the employer they
   name), file by file, each file whole or not at all
   (:func:`~mycareer.xmlio.flows.stream_corrected_dmfa`; read at once with
   :func:`~mycareer.xmlio.flows.read_corrected_dmfa` where only that is exact),
   turns their records into career periods
   (:func:`~mycareer.timeline.career_periods_from_dmfa`) and puts each period in one
   of ``buckets`` by a stable hash of its NISS. Every period carries its place in the
   one-process read (its slot's, :func:`~mycareer.read_order.slot_place`), so the reduce
   sees each worker's periods in the order one read of everything gives;
2. *reduce*: each bucket is sorted by that place and every worker's timeline and
   gaps are built (:func:`worker_timeline`, the rule the one-process path
   uses), as of the date the whole input gives (the map steps report their
   latest day). Workers come back in order of first appearance, as one read of
   everything orders them.

Only period rows and results travel, never the DmfA records; locally the rows go
through temporary files as they grow (:mod:`mycareer._rows`): a map process holds a
few thousand records and a bounded number of rows, a reduce process one bucket.
Rendered results (``render`` other than ``"objects"``: each worker's text by the CLI's
rule, :mod:`mycareer.timeline_render`; and with ``pictures`` its picture, drawn there)
are spooled per bucket and read back lazily in order (:class:`~mycareer._spool.SpooledItems`).

:func:`timelines_from_files` falls back to one read of everything, in the calling
process, for input the grouping cannot prove safe: anything but DmfA (Dimona, personnel
files, career records, sidecars), files whose records name an employer their headers
did not, and groups that declare a quarter under one identifier (an NSSO number of two
enterprise numbers: one read puts them in one slot). Findings come
in the one-process order: document versions, then reading (duplicate originals: by
the file of the one excluded), then the periods'; errors by file.

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa"
>>> run = timelines_from_files([str(demo)], jobs=1)
>>> len(run.workers) > 0, run.errors, run.as_of.isoformat()
(True, (), '2025-12-31')
"""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, Protocol

import attrs

from mycareer._processes import ordered_results, worker_pool
from mycareer._rows import bucket_files, loaded_rows
from mycareer._slots import slot_constructor, trusted_constructor
from mycareer._spool import Spool, SpooledItems, write_spool
from mycareer._validators import is_a
from mycareer.career import CareerPeriod
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.group_tasks import Progress
from mycareer.jsontext import item_text
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.pipeline import (
    EmployerGroup,
    Plan,
    bucket_of,
    jobs_count,
    plan_employers,
    total_bytes,
)
from mycareer.plot import PlotFormat
from mycareer.quarter import Quarter
from mycareer.read_order import (
    sorted_out_first,
)
from mycareer.regroup import Named, groups_to_join, header_groups, joined_plan
from mycareer.timeline import Gap, Timeline, build_timeline
from mycareer.timeline.serialize import timeline_to_json
from mycareer.timeline_map import MapResult, MapTask, Tag, dump_rows, map_groups, run_map_task
from mycareer.timeline_render import draw_worker, worker_text
from mycareer.timeline_rows import PeriodRow, period_from_row, period_row, row_file, worker_periods
from mycareer.xmlio.career_inputs import CareerInputs, read_career_inputs
from mycareer.xmlio.reading import input_files

__all__ = [
    "MapResult",
    "MapTask",
    "PeriodRow",
    "Render",
    "Shuffle",
    "TimelineRun",
    "TimelineSpec",
    "WorkerTimeline",
    "bucket_count",
    "bucket_of",
    "dump_rows",
    "execute",
    "local_shuffle",
    "map_groups",
    "merge_buckets",
    "one_process",
    "pack_tasks",
    "period_from_row",
    "period_row",
    "plan_timelines",
    "reduce_bucket",
    "run_map_task",
    "run_timeline_plan",
    "timelines_from_files",
    "worker_timeline",
]

Render = Literal["objects", "json", "csv", "xml", "table"]
#: A task packs small employers together up to about this many bytes of XML.
_TASK_BYTES = 8_000_000
#: About this many bytes of XML per bucket: one bucket's periods fit a process easily.
_BUCKET_BYTES = 16_000_000
_SUFFIXES = (".xml", ".json", ".csv")  # what read_career_inputs lists


@attrs.frozen
class TimelineSpec:
    """What every worker's timeline is computed with: picklable, sent to every task.

    ``as_of`` None: the end of the latest quarter in the data
    (:meth:`~mycareer.xmlio.career_inputs.CareerInputs.default_as_of`).
    ``render="json"`` serialises each worker where it is computed (the
    ``timeline-1`` worker object, compact, or as ``indent`` places it in the document:
    :func:`mycareer.jsontext.item_text`), so only text comes back; ``"csv"``,
    ``"xml"`` and ``"table"`` render it there as ``mycareer timeline`` writes it
    (:func:`mycareer.timeline_render.worker_text`: XML with ``min_gap`` as the
    shortest gap, CSV names neutralised unless ``raw_csv``). ``pictures``: a folder
    where each worker's picture is drawn too (:func:`~mycareer.timeline_render.draw_worker`).
    """

    as_of: date | None = None
    window: Period | None = None
    min_gap: int = 1
    provisional_quarters: int = 0
    render: Render = "objects"
    raw_csv: bool = False
    pictures: str | None = None
    picture_format: PlotFormat = "png"
    indent: int | None = attrs.field(default=None, validator=is_a(int, optional=True))


@attrs.frozen
class WorkerTimeline:
    """One worker's result: the timeline and gaps, or (``render="json"``) its JSON text,
    or (``render="csv"``, ``"xml"``, ``"table"``) its ``text`` in that format.

    ``records`` are the worker's career periods (``render="objects"``), in
    reading order; ``findings`` the timeline's own findings (every render).
    """

    niss: Niss
    name: str | None
    timeline: Timeline | None
    gaps: tuple[Gap, ...]
    window: Period | None
    records: tuple[CareerPeriod, ...] = ()
    json: str | None = None
    findings: tuple[Finding, ...] = ()
    text: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as plain values, the NISS as its digits and the window as its two days
        (spooled, and sent between processes): attrs' state dicts of the worker, its NISS
        and its window made a spooled JSON worker cost twice as much CPU to write and read
        back (measured: 0.109 s against 0.052 s for the benchmark's 10,000 workers)."""
        niss, window = self.niss, self.window
        rest = (self.name, self.timeline, self.gaps)
        done = (self.records, self.json, self.findings, self.text)
        if (
            type(self) is not WorkerTimeline
            or type(niss) is not Niss
            or (window is not None and type(window) is not Period)
        ):
            return (type(self), attrs.astuple(self, recurse=False))
        span = None if window is None else (window.start, window.stop)
        return (_unpickled, (niss.value, *rest, span, *done))


_new_niss = trusted_constructor(Niss)  # pickled by WorkerTimeline.__reduce__ from checked ones
_new_period = trusted_constructor(Period)
_new_worker = slot_constructor(WorkerTimeline)


def _unpickled(
    niss: str,
    name: str | None,
    timeline: Timeline | None,
    gaps: tuple[Gap, ...],
    span: tuple[date, date | None] | None,
    *done: Any,
) -> WorkerTimeline:
    """The worker :meth:`WorkerTimeline.__reduce__` pickled (``done``: its last four fields)."""
    window = None if span is None else _new_period(*span)
    return _new_worker(_new_niss(niss), name, timeline, gaps, window, *done)


@attrs.frozen
class TimelineRun:
    """Every worker's timeline in the one-process order, with what reading said.

    ``as_of`` is None when there was no record (and no date given): no timeline then.
    ``workers`` is a tuple, or for local ``render="json"`` runs of DmfA files a
    :class:`~mycareer._spool.SpooledItems` read lazily from the run's temporary
    files (equal to the tuple of the same workers; its folder goes with it).
    """

    as_of: date | None
    workers: Sequence[WorkerTimeline]
    findings: tuple[Finding, ...]
    errors: tuple[InvalidValueError, ...]
    files: int


def worker_timeline(
    niss: Niss,
    records: Sequence[CareerPeriod],
    as_of: date,
    spec: TimelineSpec,
    name: str | None = None,
) -> WorkerTimeline:
    """One worker's timeline and gaps: ``spec.window``, else first covered day to ``as_of``."""
    timeline = build_timeline(records, as_of=as_of)
    window = spec.window
    if window is None and timeline.segments:
        window = Period(timeline.segments[0].period.start, as_of)
    gaps = (
        timeline.gaps(window, min_days=spec.min_gap, provisional_quarters=spec.provisional_quarters)
        if window is not None
        else ()
    )
    if spec.pictures is not None:
        draw_worker(spec.pictures, spec.picture_format, niss, name, timeline)
    if spec.render == "json":
        shown = attrs.evolve(timeline, niss=niss) if timeline.niss is None else timeline
        text = item_text(timeline_to_json(shown, gaps, name=name), spec.indent, 2)
        return WorkerTimeline(niss, name, None, (), window, json=text, findings=timeline.findings)
    if spec.render != "objects":
        text = worker_text(spec.render, niss, name, timeline, gaps, window, records,
                           min_days=spec.min_gap, neutralise=not spec.raw_csv)  # fmt: skip
        return WorkerTimeline(niss, name, None, (), window, findings=timeline.findings, text=text)
    return WorkerTimeline(
        niss, name, timeline, gaps, window, tuple(records), None, timeline.findings
    )


# --- plan ----------------------------------------------------------------------------


def plan_timelines(
    paths: Iterable[str | os.PathLike[str]],
    outcomes: Iterable[str | os.PathLike[str]] = (),
    *,
    min_bytes: int = 0,
    jobs: int = 1,
) -> Plan | None:
    """The employer plan when every input is a DmfA file with a known employer, else None.

    None means: read everything in one process (:func:`read_career_inputs`); so does
    input under ``min_bytes`` in all, decided before any file is opened. ``jobs`` as in
    :func:`~mycareer.pipeline.plan_employers`.
    """
    given = [str(os.fspath(p)) for p in paths]
    if list(outcomes):
        return None
    listed, problems = input_files(given, _SUFFIXES)
    if not listed or total_bytes(listed) < min_bytes:
        return None
    plan = plan_employers(given, jobs)
    if not plan.by_employer or plan.files != tuple(str(p) for p in listed):
        return None
    # What this listing refused, with the sidecars' suffixes too (a dangling .json that
    # the DmfA plan does not list): one read reports exactly these, first.
    return attrs.evolve(plan, problems=tuple(problems))


# --- reduce --------------------------------------------------------------------------

Worker = tuple[Tag, WorkerTimeline]


def reduce_bucket(
    blobs: Iterable[bytes],
    as_of: date,
    spec: TimelineSpec,
    dropped: Sequence[Collection[str]] = (),
) -> list[Worker]:
    """Every worker of one bucket (its pickled rows from every map task), first place
    first; without the rows of ``dropped[n]``'s files in the ``n``-th blob (groups mapped
    again, joined, since)."""
    rows: list[tuple[Tag, str, PeriodRow]] = []
    for number, blob in enumerate(blobs):
        gone = dropped[number] if number < len(dropped) else ()
        if not gone:
            rows.extend(loaded_rows(blob))  # our own rows, written by this run
            continue
        # Every period names its file (else the run is one read: _found).
        rows.extend(row for row in loaded_rows(blob) if row_file(row[2]) not in gone)
    rows.sort(key=itemgetter(0))
    workers: dict[str, tuple[Tag, list[PeriodRow]]] = {}
    for tag, niss, row in rows:
        found = workers.get(niss)
        if found is None:
            workers[niss] = (tag, [row])
        else:
            found[1].append(row)
    del rows
    done: list[Worker] = []
    for tag, worker_rows in workers.values():
        periods = worker_periods(worker_rows)  # one Niss object: see there
        done.append((tag, worker_timeline(periods[0].niss, periods, as_of, spec)))
    return done


def merge_buckets(parts: Iterable[Sequence[Worker]]) -> tuple[WorkerTimeline, ...]:
    """Every bucket's workers (each :func:`reduce_bucket`'s list) in the one-process order."""
    return tuple(worker for _tag, worker in heapq.merge(*parts, key=itemgetter(0)))


# --- run -----------------------------------------------------------------------------


class Shuffle(Protocol):
    """Where map tasks run and how their rows reach the reduce (local files, or Dask)."""

    def map(self, tasks: Sequence[MapTask], *, more: bool = False) -> Iterable[MapResult]:
        """Run the map tasks (any order of running; results in the order of ``tasks``);
        the rows of earlier calls are dropped (a map starts anew), or with ``more`` they
        stand, and these tasks' rows join them."""

    def reduce(
        self,
        buckets: int,
        as_of: date,
        spec: TimelineSpec,
        dropped: Sequence[Collection[str]] = (),
    ) -> Sequence[WorkerTimeline]:
        """Every worker, in the one-process order: :func:`reduce_bucket` on each bucket's rows
        from every map task, then :func:`merge_buckets` (or the same order read from disk);
        without the rows that the ``n``-th map call since the last new one read from the
        files ``dropped[n]``."""


def pack_tasks(
    plan: Plan, jobs: int, buckets: int, only: Collection[int] | None = None
) -> list[MapTask]:
    """Largest groups first (they bound the run time); small ones packed together; the
    groups of the indexes ``only`` when given."""
    groups = plan.groups
    index = {name: number for number, name in enumerate(plan.files)}
    chosen = range(len(groups)) if only is None else only
    total = sum(groups[i].size for i in chosen)
    target = max(1, min(_TASK_BYTES, total // (jobs * 4) or 1))
    packed: list[list[tuple[int, EmployerGroup]]] = [[]]
    size = 0
    for number in sorted(chosen, key=lambda i: -groups[i].size):
        packed[-1].append((number, groups[number]))
        size += groups[number].size
        if size >= target:
            packed.append([])
            size = 0
    tasks = [task for task in packed if task]
    # A group naming another's employer stops there, leaving nothing: it is mapped again
    # joined (execute).
    watch = header_groups(groups)
    return [
        MapTask(n, tuple(task), {f: index[f] for _n, g in task for f in g.files}, buckets, watch)
        for n, task in enumerate(tasks)
    ]


def bucket_count(plan: Plan, jobs: int) -> int:
    """Enough buckets that each holds about 16 MB of XML's rows, and one per job at least."""
    total = sum(g.size for g in plan.groups)
    return max(jobs, min(4096, -(-total // _BUCKET_BYTES)))


def _found(results: Sequence[MapResult]) -> dict[int, Named] | None:
    """What each mapped group named; None when only one read of everything is exact (a
    period of a file the run does not know)."""
    if any(result.strange for result in results):
        return None
    ids = {number: pairs for result in results for number, pairs in result.ids}
    nothing: frozenset[Any] = frozenset()
    return {
        number: Named(keys, ids.get(number, nothing))
        for result in results
        for number, keys in result.keys
    }


def _standing(
    rounds: Sequence[Sequence[MapResult]], dead: Sequence[Collection[int]]
) -> Iterator[
    tuple[Sequence[tuple[Tag, Finding]], Sequence[tuple[Tag, InvalidValueError]], date | None]
]:
    """The findings, errors and latest day of each group of every map call ``rounds[n]``
    but its groups ``dead[n]`` (mapped again, joined, since)."""
    for results, gone in zip(rounds, dead, strict=True):
        for result in results:
            findings = errors = 0
            for number, findings_end, errors_end, latest in result.spans:
                if number not in gone:
                    yield (result.findings[findings:findings_end],
                           result.errors[errors:errors_end], latest)  # fmt: skip
                findings, errors = findings_end, errors_end


Phase = Callable[[str], AbstractContextManager[None]]


@contextmanager
def _no_phase(_name: str) -> Iterator[None]:
    yield


def execute(
    plan: Plan,
    spec: TimelineSpec,
    jobs: int,
    shuffle: Shuffle,
    progress: Progress | None = None,
    phase: Phase = _no_phase,
) -> TimelineRun | None:
    """Map, shuffle by NISS and reduce; None when only one read of everything gives the
    timelines (a file whose employer could not be read, a period of an unknown file).

    Groups that named one employer (a file of several forms) or declared a quarter under
    one identifier are mapped again, joined (:mod:`mycareer.regroup`), alone: the other
    groups' rows and results stand, and what the joined ones left of their earlier maps
    is left out (nothing, for a group whose read stopped at another group's employer).
    ``progress`` wraps the list of files (again for each map) and is
    advanced as map tasks finish; ``phase(name)`` is entered around the ``"reading"`` (map) and the
    ``"computing"`` (reduce) steps.
    """
    buckets = bucket_count(plan, jobs)  # the same for every plan of the run: the same files
    mapped = _mapped(shuffle, pack_tasks(plan, jobs, buckets), plan, progress, phase)
    rounds, plans, dead = [mapped], [plan], [set[int]()]
    origin = [(0, number) for number in range(len(plan.groups))]  # (map call, group there)
    found = _found(mapped)
    joins: list[tuple[int, ...]] | None = []
    while found is not None:
        named = [found[number] for number in range(len(plan.groups))]
        joins = groups_to_join(plan.groups, named)
        if not joins:
            break
        # The joined groups are mapped again, the others' rows and results standing: what
        # the joined ones left of their first maps (nothing, if they stopped at another
        # group's employer) goes, rows by their files.
        for number in (number for join in joins for number in join):
            call, there = origin[number]
            dead[call].add(there)
        plan, sources = joined_plan(plan, joins, named)
        again = [number for number, source in enumerate(sources) if source is None]
        origin = [origin[s] if s is not None else (len(rounds), n) for n, s in enumerate(sources)]
        tasks = pack_tasks(plan, jobs, buckets, only=again)
        mapped = _mapped(shuffle, tasks, plan, progress, phase, more=True)
        rounds.append(mapped)
        plans.append(plan)
        dead.append(set())
        fresh = _found(mapped)
        found = None if fresh is None else {
            n: named[s] if s is not None else fresh[n] for n, s in enumerate(sources)
        }  # fmt: skip
    if found is None or joins is None:
        return None  # a period of an unknown file, a file whose employer could not be read
    standing = list(_standing(rounds, dead))
    as_of = spec.as_of
    days = [latest for _f, _e, latest in standing if latest is not None]
    if as_of is None and days:
        as_of = Quarter.of(max(days)).last_day
    workers: Sequence[WorkerTimeline] = ()
    if as_of is not None:
        files = [
            {f for n in gone for f in made.groups[n].files}
            for made, gone in zip(plans, dead, strict=True)
        ]
        with phase("computing"):
            workers = shuffle.reduce(buckets, as_of, spec, files)
    findings = sorted((item for said, _e, _l in standing for item in said), key=itemgetter(0))
    tagged = sorted((item for _f, said, _l in standing for item in said), key=itemgetter(0))
    errors = [error for _tag, error in tagged]
    return TimelineRun(as_of, workers, tuple(f for _t, f in findings),
                       sorted_out_first(plan.problems, plan.not_documents, errors),
                       len(plan.files))  # fmt: skip


def _mapped(
    shuffle: Shuffle,
    tasks: list[MapTask],
    plan: Plan,
    progress: Progress | None,
    phase: Phase,
    *,
    more: bool = False,
) -> list[MapResult]:
    """The tasks' results, ``progress`` over their files (``more`` as :meth:`Shuffle.map`)."""
    with phase("reading"):
        files = {name for task in tasks for _n, group in task.groups for name in group.files}
        ticks = iter(progress([Path(f) for f in plan.files if f in files]) if progress else ())
        results = []
        for task, result in zip(tasks, shuffle.map(tasks, more=more), strict=True):
            results.append(result)
            for _file in range(sum(len(group.files) for _n, group in task.groups)):
                next(ticks, None)
        for _rest in ticks:
            pass
    return results


#: A bucket's row files, each with the files whose rows it drops.
_RowFiles = tuple[tuple[str, frozenset[str]], ...]


def _reduce_files(files: _RowFiles, as_of: date, spec: TimelineSpec) -> list[Worker]:
    blobs = (Path(name).read_bytes() for name, _gone in files)
    return reduce_bucket(blobs, as_of, spec, [gone for _name, gone in files])


def _reduce_to_spool(
    files: _RowFiles, as_of: date, spec: TimelineSpec, target: str
) -> Spool | None:
    """A bucket's workers written to the file ``target``, in order (keyed by first place)."""
    folder, name = os.path.split(target)
    return write_spool(folder, name, _reduce_files(files, as_of, spec))


class _LocalShuffle:
    """Rows through files in a temporary folder, a folder of it per map call; tasks in
    this process or a process pool."""

    def __init__(self, folder: str, pool: Executor | None) -> None:
        self.folder = folder
        self.pool = pool
        self.calls = 0  #: map calls since the last new one: their folders

    def _call(self, number: int) -> str:
        return os.path.join(self.folder, f"map-{number}")

    def _map(self, function: Callable[..., Any], *items: Sequence[Any]) -> Iterator[Any]:
        if self.pool is None:
            return map(function, *items)
        return ordered_results(self.pool, function, *items)  # our own workers

    def map(self, tasks: Sequence[MapTask], *, more: bool = False) -> Iterator[MapResult]:
        if not more:
            for number in range(self.calls):  # earlier maps' rows (groups since joined)
                shutil.rmtree(self._call(number))
            self.calls = 0
        folder = self._call(self.calls)
        os.mkdir(folder)
        self.calls += 1
        return self._map(run_map_task, tasks, [folder] * len(tasks))

    def reduce(
        self,
        buckets: int,
        as_of: date,
        spec: TimelineSpec,
        dropped: Sequence[Collection[str]] = (),
    ) -> Sequence[WorkerTimeline]:
        """Rendered results go to a temporary folder the returned sequence owns; objects
        come back."""
        calls = [bucket_files(self._call(n), buckets) for n in range(self.calls)]
        gone = [
            frozenset(dropped[n]) if n < len(dropped) else frozenset() for n in range(self.calls)
        ]
        files = [
            tuple((name, gone[n]) for n, call in enumerate(calls) for name in call[bucket])
            for bucket in range(buckets)
        ]
        same = ([as_of] * buckets, [spec] * buckets)
        if spec.render == "objects":
            return merge_buckets(self._map(_reduce_files, files, *same))
        output = tempfile.TemporaryDirectory(prefix="mycareer-timeline-texts-")
        targets = [os.path.join(output.name, f"bucket-{b:05d}") for b in range(buckets)]
        spools = self._map(_reduce_to_spool, files, *same, targets)
        return SpooledItems([spool for spool in spools if spool is not None], output)


@contextmanager
def local_shuffle(jobs: int) -> Iterator[Shuffle]:
    """The local :class:`Shuffle`: ``jobs`` processes (1: this process), a temporary folder."""
    folder = tempfile.mkdtemp(prefix="mycareer-timeline-")
    try:
        if jobs == 1:
            yield _LocalShuffle(folder, None)
            return
        with worker_pool(jobs) as pool:
            yield _LocalShuffle(folder, pool)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_timeline_plan(
    plan: Plan,
    spec: TimelineSpec,
    jobs: int | None = None,
    progress: Progress | None = None,
    phase: Phase = _no_phase,
) -> TimelineRun | None:
    """Timelines of a :func:`plan_timelines` plan on ``jobs`` processes (default: the cores).

    None when the input is under 8 MB (one read of everything costs less CPU than the
    shuffle's temporary files, and is as small in memory: the quick benchmark measured
    the shuffle at 1.5 times its CPU there), or when a file's employer could not be
    read: read everything in one process then, with the same result. Groups whose
    records named one employer (a file of several forms) are mapped again, joined
    (:mod:`mycareer.regroup`). ``progress`` and ``phase`` as in :func:`execute`.
    """
    count = jobs_count(jobs)
    if sum(g.size for g in plan.groups) < _TASK_BYTES:
        return None
    with local_shuffle(count) as shuffle:
        return execute(plan, spec, count, shuffle, progress, phase)


def one_process(inputs: CareerInputs, spec: TimelineSpec) -> TimelineRun:
    """The run from everything read at once (:func:`read_career_inputs`), in this process."""
    as_of = spec.as_of or inputs.default_as_of()
    workers: list[WorkerTimeline] = []
    if as_of is not None:
        for niss, records in inputs.periods.items():
            workers.append(worker_timeline(niss, records, as_of, spec, inputs.names.get(niss)))
    return TimelineRun(as_of, tuple(workers), tuple(inputs.findings), tuple(inputs.errors),
                       inputs.files)  # fmt: skip


def timelines_from_files(
    paths: Iterable[str | os.PathLike[str]],
    outcomes: Iterable[str | os.PathLike[str]] = (),
    *,
    jobs: int | None = None,
    spec: TimelineSpec | None = None,
) -> TimelineRun:
    """Every worker's timeline and gaps from DmfA, Dimona and career-records files.

    The same results as :func:`~mycareer.xmlio.career_inputs.read_career_inputs`
    then :func:`worker_timeline` for each worker, whatever ``jobs`` (default:
    the usable cores): DmfA files run employer by employer, in ``jobs``
    processes; any other input is read at once in this process.
    """
    spec = spec or TimelineSpec()
    count = jobs_count(jobs)
    given = list(paths)
    extra = list(outcomes)
    plan = plan_timelines(given, extra, min_bytes=_TASK_BYTES, jobs=count)  # see run_timeline_plan
    if plan is not None:
        run = run_timeline_plan(plan, spec, count)
        if run is not None:
            return run
    return one_process(read_career_inputs(given, extra), spec)
