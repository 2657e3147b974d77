"""Entitlements from DmfA files, one employer at a time, on one core or several.

The size band, the choice between duplicate originals and every entitlement
belong to one employer (keyed by :attr:`~mycareer.employer.Employer.key`), so
mapping over employers is exact and needs no coordination. A cheap header
pre-scan (the first ``EmployerDeclaration`` of each file, read up to its first
worker) groups the files by employer; each group is read and computed on its
own, and only compact results (JSON text, or the entitlements) leave it, never
the worker records. Groups are processed in the calling process (``jobs=1``)
or in ``jobs`` worker processes; the results are put back in the one order
:func:`~mycareer.fla.compute_entitlements` gives (employer key, then NISS), so
the output is the same whatever ``jobs``.

A group's DmfA originals stream into the computation file by file (each whole or
not at all), so memory follows the compact state of the largest employer (counts,
the lines of the year), not its records nor the input. DmfA updates and consultation
answers go with the originals of the employer they name
(:mod:`mycareer.correction_groups`): the file each corrects is held while it is
corrected, the others stream. Groups that turn out to name one employer (a file of
several forms whose records name an employer another group's header or records name) or
to declare a quarter under one identifier (an NSSO number of two enterprise numbers) are
read again, joined, every other group's results kept (:mod:`mycareer.regroup`). Input the
grouping cannot prove safe runs as one group, exactly as a single
:func:`~mycareer.xmlio.flows.read_corrected_dmfa` call would: corrections without their
originals whose first forms name no employer, or a file rejected before its employer
could be read that a run cannot place (a file of another kind among originals and
corrections is a group of its own, which says it is not read, and so is a correction
none of whose forms names an employer, which gives its errors only).

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa"
>>> run = entitlements_from_files([str(demo)], 2024, jobs=1)
>>> len(run.entitlements), run.errors
(6, ())
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date
from functools import partial
from typing import IO, Any

import attrs

from mycareer._entitlement_json import JsonArraySink, with_finding
from mycareer._processes import (
    bucket_of,
    jobs_count,
    map_in_processes,
    run_paused,
    usable_cores,
)
from mycareer._spool import (
    SharedSpoolFile,
    own_spool,
    remove_spools,
)
from mycareer.fla import (
    Entitlement,
    EntitlementOptions,
    Overrides,
    Rulebook,
    SizeBand,
    compute_entitlements,
)
from mycareer.fla.bulk import EntitlementStream
from mycareer.fla.incomplete import mark_incomplete_references
from mycareer.fla.projection import project_entitlements, projection_as_of
from mycareer.fla.serialize import entitlement_json_text
from mycareer.fla.years import data_end_finding_after
from mycareer.group_results import (
    EntitlementRun,
    EntitlementSpec,
    GroupResult,
    Render,
    SpoolPlace,
    combine,
    group_result,
    merge_slices,
)
from mycareer.group_slices import (
    SLICE_BYTES,
    GroupSlice,
    owned,
    slice_tasks,
    sliceable_groups,
    sliced,
    with_cut_alone,
)
from mycareer.group_tasks import FileTicks, Progress, Task, pack_groups, run_groups
from mycareer.plans import (
    EmployerGroup,
    Plan,
    plan_employers,
    plan_from_employers,
    plan_from_headers,
    plan_with_corrections,
    total_bytes,
)
from mycareer.quarter import Quarter
from mycareer.read_order import (
    declared_ids,
    rejections_in_file_order,
)
from mycareer.regroup import (
    UNKNOWN_EMPLOYER,
    HeaderMap,
    NamesAnotherGroup,
    NamesEmployers,
    disjoint_groups,
    groups_to_join,
    header_groups,
    joined_plan,
    watched,
)
from mycareer.xmlio.dmfa import RejectedFile
from mycareer.xmlio.flows import (
    CorrectedDmfaBatch,
    KnownHeaders,
    StreamedDmfa,
    read_corrected_dmfa,
    stream_corrected_dmfa,
)
from mycareer.xmlio.headers import file_header, scan_header

__all__ = [
    "EmployerGroup",
    "EntitlementRun",
    "EntitlementSpec",
    "FileTicks",
    "GroupResult",
    "NamesEmployers",
    "Plan",
    "bucket_of",
    "combine",
    "disjoint_groups",
    "entitlements_for_year",
    "entitlements_from_files",
    "entitlements_json",
    "execute",
    "file_header",
    "jobs_count",
    "map_in_processes",
    "pack_groups",
    "plan_employers",
    "plan_from_employers",
    "plan_from_headers",
    "plan_with_corrections",
    "run_group",
    "run_groups",
    "run_paused",
    "run_plan",
    "scan_header",
    "total_bytes",
    "usable_cores",
]


def run_group(
    spec: EntitlementSpec,
    files: Sequence[str],
    spool_to: str | None = None,
    name: str = "group",
    group: int | None = None,
    *,
    known: KnownHeaders | None = None,
    shared: SharedSpoolFile | None = None,
) -> GroupResult:
    """Read one group's files and compute its entitlements (in this process).

    DmfA originals stream into the computation file by file, each file whole or not at
    all (:func:`~mycareer.xmlio.flows.stream_corrected_dmfa` feeding an
    :class:`~mycareer.fla.bulk.EntitlementStream`): the process holds counts and lines,
    never the group's records (a file a DmfA correction names is held while corrected).
    Input that only a whole read gives exactly (a correction without its original, a
    file whose forms give an employer's quarters out of order...) is read whole.

    With ``spool_to`` (a folder) and ``spec.render == "json"``, each result's JSON text
    is written to the file ``name`` there as it is made (the result's ``spool``), so
    that a large employer's output is never held either.

    ``group`` is the group's index in the plan of ``spec.header_groups``: its read stops
    at the first record of another group's employer, and the result says only that
    (``cut``), as the two groups are read again together (:mod:`mycareer.regroup`).
    ``known``: the files' kinds and headers the plan's pre-scan read
    (:meth:`~mycareer.plans.EmployerGroup.known_headers`), not read again. ``shared``:
    a file of the task's where a group of at most
    :data:`~mycareer._spool.SHARED_SPOOL_MOST` results spools its texts, after those of
    the task's groups before it (a file each cost more than their texts: small employers).
    """
    place = SpoolPlace(spool_to, name, shared)
    part = None if group is None else spec.slices.get(group)
    stream = EntitlementStream(spec.year, options=spec.options, sealed=True)
    watch = group if part is None else part.watch  # a group's slices are watched as one
    strangers = group in spec.strangers
    stage = watched(sliced(stream.stage, part), watch, spec.header_groups, strangers=strangers)
    try:
        streamed = stream_corrected_dmfa(
            files,
            stage,
            order="employer",
            known=known,
            employers=None if part is None else part.owns,
        )
    except NamesAnotherGroup as met:
        return GroupResult((), (), (), frozenset({met.key}), cut=True)
    if streamed is None:
        del stream  # what it committed before the input turned out to need a whole read
        return _run_group_whole(spec, files, place, part)
    named = stream.employer_keys()
    results = stream.entitlements(
        streamed.declarations,  # a slice's: its employers' only (a share of the memory)
        rulebook=spec.rulebook,
        overrides=spec.overrides_for(named),
        as_of=spec.as_of,
    )
    # Every streamed record was declared (the stream refuses the others): its ids too.
    facts = (named, stream.last_quarter(), declared_ids(streamed.declarations))
    return _marked(spec, results, streamed, facts, place, part)


def _run_group_whole(
    spec: EntitlementSpec,
    files: Sequence[str],
    place: SpoolPlace,
    part: GroupSlice | None = None,
) -> GroupResult:
    """:func:`run_group` from one read of the group's files (any input)."""
    batch = read_corrected_dmfa(files, on_error="collect")
    records = owned(batch.records, part)
    named = {r.employer.key for r in records}
    results = compute_entitlements(
        records,
        batch.declarations,
        spec.year,
        rulebook=spec.rulebook,
        overrides=spec.overrides_for(named),
        options=spec.options,
        as_of=spec.as_of,
    )
    last = max((r.quarter for r in records), default=None)
    facts = (named, last, declared_ids(batch.declarations, batch.records))
    return _marked(spec, results, batch, facts, place, part)


def _marked(
    spec: EntitlementSpec,
    results: Sequence[Entitlement],
    read: StreamedDmfa | CorrectedDmfaBatch,
    facts: tuple[Collection[str], Quarter | None, frozenset[tuple[Quarter, str]]],
    place: SpoolPlace,
    part: GroupSlice | None = None,
) -> GroupResult:
    """A group's result, its entitlements marked where its rejected files and
    ``spec.elsewhere`` concern them (issue 11 item 2); ``facts``: the employer keys its
    records named, their latest quarter and the ids they declared (:func:`declared_ids`).
    What reading said is the first slice's to give (``part``, :mod:`mycareer.group_slices`).
    The rejected files go by the names ``spec.read_as`` gives them."""
    own = [attrs.evolve(r, source=spec.read_as.get(r.source, r.source)) for r in read.rejected]
    rejected = rejections_in_file_order(own, spec.elsewhere, spec.places)
    if rejected is None:
        return GroupResult((), (), (), frozenset(), unordered=True)
    results = mark_incomplete_references(results, rejected)
    named, last, ids = facts
    keys = {*named, *(d.employer.key for d in read.declarations), *_rejected_keys(own)}
    if part is not None and not part.first:
        return group_result(spec, results, ((), (), keys, last, ids), place)
    said = (read.findings, read.errors, keys, last, ids)
    result = group_result(spec, results, said, place)
    return attrs.evolve(result, rejected=tuple(own)) if own else result


def _rejected_keys(rejected: Iterable[RejectedFile]) -> set[str]:
    """The employers a group's rejected files declared: their results are marked
    incomplete (mycareer.fla.incomplete), so they count among the employers the group
    names. A file of another group's employer (a file with several declarations), or of
    an employer that could not be read (which marks every result), then sends the run
    to one read of everything, which marks the results of every group concerned."""
    return {UNKNOWN_EMPLOYER if r.employer is None else r.employer.key for r in rejected}


def _run_task(spec: EntitlementSpec, task: Task, spool_to: str | None = None) -> list[Any]:
    """Run a task's groups; with ``spool_to``, JSON texts go to a file there, not back."""

    if spool_to is None:
        return run_groups(partial(_indexed, None, None), spec, task)
    with SharedSpoolFile(spool_to, f"task-{task[0][0]}-" if task else "task-") as shared:
        return run_groups(partial(_indexed, spool_to, shared), spec, task)


def _indexed(
    spool_to: str | None,
    shared: SharedSpoolFile | None,
    spec: EntitlementSpec,
    files: Sequence[str],
    index: int,
    known: KnownHeaders,
) -> GroupResult:
    """:func:`run_group` of a task's group ``index``."""
    return run_group(spec, files, spool_to, f"group-{index}", index, known=known, shared=shared)


#: Tasks of ``(group index, group)``, as :func:`~mycareer.group_tasks.pack_groups` makes them.
Tasks = list[list[tuple[int, EmployerGroup]]]
Mapper = Callable[[EntitlementSpec, Tasks], Iterator[list[Any]]]


def _local_mapper(jobs: int, spool_to: str | None = None) -> Mapper:
    def run(spec: EntitlementSpec, tasks: Tasks) -> Any:
        count = len(tasks)
        # A slice a process: one reused would keep part of the slice before it, fragmented.
        fresh = bool(spec.slices)
        return map_in_processes(_run_task, jobs, [spec] * count, tasks, [spool_to] * count,
                                one_call_each=fresh)  # fmt: skip

    return run


def execute(
    plan: Plan,
    spec: EntitlementSpec,
    jobs: int,
    mapper: Mapper,
    progress: Progress | None = None,
    *,
    folder: tempfile.TemporaryDirectory[str] | None = None,
    on_result: Callable[[int, GroupResult], None] | None = None,
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """Run every group through ``mapper`` and combine; one group if a group named a stranger.

    The groups of :attr:`~mycareer.plans.Plan.headless` files run first, in one task:
    reading rejects each with no employer known, which concerns every employer's results
    (:mod:`mycareer.fla.incomplete`), so their rejections go to every other group
    (``spec.elsewhere``). A group that has rejected files of its own too runs again with
    the places of its files and of those, to mark its results in file order as one read
    does. ``progress`` wraps the list of files and is advanced as groups finish;
    ``folder`` holds the spools a local mapper wrote (see :func:`combine`);
    ``on_result(index, result)`` is called as each group finishes. Given its index (as
    :func:`~mycareer.group_tasks.run_groups` gives it), a group's read stops at a record
    of another group's employer (:class:`~mycareer.regroup.WatchedStage`). Groups read
    again joined, of several employers, are read in slices of at most ``slice_bytes`` of
    XML, or one slice a core when they alone are left (:mod:`mycareer.group_slices`).
    """
    groups = plan.groups
    ticks = FileTicks(plan, progress)

    def finished(index: int, result: GroupResult) -> None:
        ticks.done((index,))
        if on_result is not None:
            on_result(index, result)

    results: dict[int, GroupResult] = {}
    first = plan.headless_groups
    if first:  # read first: their rejections concern every group (mycareer.fla.incomplete)
        results = _run_tasks(mapper, spec, plan, [[(i, groups[i]) for i in first]], finished)
        elsewhere = _headless_rejections(plan, first, results)
        if elsewhere is None:
            return _one_group(plan, spec, mapper, folder, results.values())
        spec = attrs.evolve(spec, elsewhere=elsewhere)
    tasks = pack_groups(groups, jobs, skip=first)
    strangers = sliceable_groups(groups, jobs, slice_bytes, skip=first)
    watch = header_groups(groups, alone=bool(strangers))
    watching = attrs.evolve(spec, header_groups=watch, strangers=strangers)
    results.update(_run_tasks(mapper, watching, plan, tasks, finished))
    ticks.finish()
    ordered = [results[i] for i in range(len(groups))]
    joins = groups_to_join(groups, ordered)
    if joins is None:
        return _one_group(plan, spec, mapper, folder, ordered)
    joins = with_cut_alone(joins, ordered)  # stopped at a stranger: read again, in slices
    if joins:
        slicing = (jobs, slice_bytes)
        return _joined(plan, spec, mapper, (ordered, joins), folder, progress, slicing)
    return combine(ordered, files=plan.files, folder=folder, problems=plan.problems)


def _joined(
    plan: Plan,
    spec: EntitlementSpec,
    mapper: Mapper,
    found: tuple[list[GroupResult], list[tuple[int, ...]]],
    folder: tempfile.TemporaryDirectory[str] | None,
    progress: Progress | None,
    slicing: tuple[int, int] = (1, SLICE_BYTES),
) -> EntitlementRun:
    """The groups ``joins`` (``found``: the results and the joins) read again together
    (:mod:`mycareer.regroup`), every other group's results kept, until the groups are
    apart; ``progress`` wraps the files read again. Each read runs under a new task
    index (spools are named by it): the kept groups' spools stay as they are. A group
    read again stops at a record of another group's employer too: the groups of a
    secretariat's files, each naming every client, join in a few short reads and are
    read whole once, in slices (``slicing``: the jobs and the bytes of a slice)."""
    results, joins = found
    number = len(plan.groups)
    while joins:
        results = _drop_spools(results, {i for indexes in joins for i in indexes})
        plan, sources = joined_plan(plan, joins, results)
        again = [index for index, source in enumerate(sources) if source is None]
        named, parts = slice_tasks([plan.groups[i] for i in again], again, number, slicing)
        number = max(named, default=number - 1) + 1
        watching = attrs.evolve(_watching(spec, plan, named, parts), slices=parts)
        fresh = _read_again(mapper, watching, plan, named, progress)
        by_index = _merged(fresh, named)
        results = [results[s] if s is not None else by_index[i] for i, s in enumerate(sources)]
        more = groups_to_join(plan.groups, results)
        if more is None:
            return _one_group(plan, spec, mapper, folder, results)
        joins = more
    run = combine(results, files=plan.files, folder=folder, problems=plan.problems)
    return attrs.evolve(run, regrouped=True)


def _merged(fresh: dict[int, GroupResult], named: dict[int, int]) -> dict[int, GroupResult]:
    """Each group's result (by group index) from its slices' (:func:`merge_slices`)."""
    slices: dict[int, list[GroupResult]] = {}
    for n, index in named.items():  # a group's slices in order (slice_tasks)
        slices.setdefault(index, []).append(fresh[n])
    return {index: merge_slices(results) for index, results in slices.items()}


def _watching(
    spec: EntitlementSpec,
    plan: Plan,
    named: dict[int, int],
    parts: dict[int, GroupSlice] | None = None,
) -> EntitlementSpec:
    """``spec`` for the groups ``named`` (task index: group index in ``plan``) read again,
    watching for the employers of every other group of ``plan`` (kept groups under their
    index in ``plan``, below every task index; a group read in slices under its first
    slice's, ``parts``)."""
    parts = parts or {}
    task_of = {index: n for n, index in named.items() if n not in parts or parts[n].first}
    groups = header_groups(plan.groups)
    if groups is not None:
        groups = HeaderMap({key: task_of.get(index, index) for key, index in groups.items()})
    return attrs.evolve(spec, header_groups=groups)


def _read_again(
    mapper: Mapper,
    spec: EntitlementSpec,
    plan: Plan,
    named: dict[int, int],
    progress: Progress | None,
) -> dict[int, GroupResult]:
    """The groups ``named`` (task index: group index in ``plan``) read again, each a task,
    ``progress`` advanced as they finish (a group with rejected files of its own and
    headless ones, run again with its files' places, when that run is done)."""
    indexes = list(dict.fromkeys(named.values()))  # a group read in slices: once
    groups = tuple(plan.groups[i] for i in indexes)
    ticks = FileTicks(Plan(groups, tuple(f for g in groups for f in g.files)), progress)
    position = {index: k for k, index in enumerate(indexes)}
    left = Counter(named.values())  # a group's files are read once its slices are all done

    def finished(n: int, _result: GroupResult) -> None:
        left[named[n]] -= 1
        if not left[named[n]]:
            ticks.done((position[named[n]],))

    tasks = [[(n, plan.groups[i])] for n, i in named.items()]
    fresh = _run_tasks(mapper, spec, plan, tasks, finished, named.__getitem__)
    ticks.finish()
    return fresh


def _run_tasks(
    mapper: Mapper,
    spec: EntitlementSpec,
    plan: Plan,
    tasks: Tasks,
    finished: Callable[[int, GroupResult], None],
    group_of: Callable[[int], int] = int,
) -> dict[int, GroupResult]:
    """Every task through ``mapper``: the results by task index, ``finished(index,
    result)`` called as each group is done. A group with rejected files of its own and
    headless ones (``unordered``) runs again with its files' places (group ``group_of(index)``
    of ``plan``), and is done when that run is."""
    results: dict[int, GroupResult] = {}

    def run(spec: EntitlementSpec, tasks: Tasks) -> None:
        for done in mapper(spec, tasks):
            results.update(done)
            for index, result in done:
                if not result.unordered:
                    finished(index, result)

    run(spec, tasks)
    again = [(index, plan.groups[group_of(index)]) for index, r in results.items() if r.unordered]
    if again:  # in one call: a cluster's mapper sends the spec once a call
        run(_placed(spec, plan, [group for _index, group in again]), [[task] for task in again])
    return results


def _drop_spools(results: Sequence[GroupResult], dropping: Collection[int]) -> list[GroupResult]:
    """``results``, the spools of those ``dropping`` (read again) gone from the disk:
    their texts would only take it. A task's shared spool file goes with them: a spool
    kept there is first copied to a file of its own (joins are rare, and the run's folder
    holds each text once)."""
    dropped = [s for i in dropping for part in results[i].parts() if (s := part.spool) is not None]
    shared = {spool.path for spool in dropped if spool.shared}
    kept = list(results)
    for index, result in enumerate(results):
        if index not in dropping and shared:
            kept[index] = _copied_out(result, shared, index)
    remove_spools(dropped)  # the shared files too: no spool is kept in them now
    return kept


def _copied_out(result: GroupResult, shared: Collection[str], index: int) -> GroupResult:
    """``result`` (and its slices'), each spool in one of the files ``shared`` copied out."""
    parts = []
    for number, part in enumerate(result.parts()):
        spool = part.spool
        if spool is not None and spool.path in shared:
            name = f"{os.path.basename(spool.path)}-kept-{index}-{number}"
            part = attrs.evolve(part, spool=own_spool(spool, name))
        parts.append(part)
    return attrs.evolve(parts[0], slices=tuple(parts[1:]))


def _one_group(
    plan: Plan,
    spec: EntitlementSpec,
    mapper: Mapper,
    folder: tempfile.TemporaryDirectory[str] | None,
    dropped: Iterable[GroupResult] = (),
) -> EntitlementRun:
    """Every file of ``plan`` read as one group, where ``mapper`` runs tasks: a local
    one runs a single task in this process, a cluster on a worker (which reads URLs).
    The spools of the results ``dropped`` leave the disk first (read again: their texts
    would only take it)."""
    dropped = list(dropped)
    _drop_spools(dropped, range(len(dropped)))
    spec = attrs.evolve(spec, elsewhere=(), places=None)
    everything = EmployerGroup((), plan.files)
    (result,) = (result for done in mapper(spec, [[(0, everything)]]) for _i, result in done)
    run = combine([result], files=plan.files, folder=folder, problems=plan.problems)
    return attrs.evolve(run, regrouped=True)


def _headless_rejections(
    plan: Plan, first: Sequence[int], results: dict[int, GroupResult]
) -> tuple[RejectedFile, ...] | None:
    """The rejections of the groups ``first`` (each one headless file), by file; None if
    one of them read records or declarations (then only one read gives the results).
    Their results then name no employer: their rejections are the other groups' too."""
    for index in first:
        result = results[index]
        rejected = _rejected_keys(result.rejected)
        read = bool(result.items or result.ids) or result.last_quarter is not None
        if read or result.spool is not None or not result.keys <= rejected:
            return None
        results[index] = attrs.evolve(result, keys=frozenset())
    place = {path: number for number, path in enumerate(plan.files)}
    by_file = sorted(first, key=lambda index: place[plan.groups[index].files[0]])
    return tuple(file for index in by_file for file in results[index].rejected)


def _placed(spec: EntitlementSpec, plan: Plan, groups: Iterable[EmployerGroup]) -> EntitlementSpec:
    """``spec`` with the places of ``groups``' files and of the files of ``spec.elsewhere``
    (a group looks up its own files' and those only)."""
    wanted = {*(path for group in groups for path in group.files),
              *(file.source for file in spec.elsewhere)}  # fmt: skip
    places = tuple((path, n) for n, path in enumerate(plan.files) if path in wanted)
    return attrs.evolve(spec, places=places)


def run_plan(
    plan: Plan,
    spec: EntitlementSpec,
    jobs: int | None = None,
    progress: Progress | None = None,
    *,
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """Run a :class:`Plan` on ``jobs`` processes (default: the usable cores).

    ``progress`` wraps the list of files (e.g. a progress bar) and must yield them;
    ``slice_bytes`` as :func:`entitlements_from_files` takes it.
    """
    return _run_local(plan, spec, jobs_count(jobs), progress, slice_bytes=slice_bytes)


def _run_local(
    plan: Plan,
    spec: EntitlementSpec,
    jobs: int,
    progress: Progress | None = None,
    sink: JsonArraySink | None = None,
    *,
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """Run on this machine; JSON texts are spooled to a temporary folder the run owns
    (and given to ``sink`` as each group finishes)."""
    if spec.render != "json":
        return execute(plan, spec, jobs, _local_mapper(jobs), progress, slice_bytes=slice_bytes)
    folder = tempfile.TemporaryDirectory(prefix="mycareer-run-")
    mapper, added = _local_mapper(jobs, folder.name), sink.add if sink else None
    return execute(plan, spec, jobs, mapper, progress, folder=folder, on_result=added,
                   slice_bytes=slice_bytes)  # fmt: skip


def entitlements_from_files(
    paths: Iterable[str | os.PathLike[str]],
    year: int,
    *,
    jobs: int | None = None,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """Every (employer, worker) entitlement of ``year`` from DmfA files, employer by employer.

    The same results as :func:`~mycareer.xmlio.flows.read_corrected_dmfa` then
    :func:`~mycareer.fla.compute_entitlements` on all the files, whatever
    ``jobs`` (default: the usable cores; 1 computes in this process). Bad
    records and files are collected in ``errors``, as ``on_error="collect"``.
    A group of several employers' files (a social secretariat's) larger than
    ``slice_bytes`` of XML is read in slices, each computing a share of its employers
    (:mod:`mycareer.group_slices`): a process holds that share's state only.
    """
    count = jobs_count(jobs)
    spec = EntitlementSpec(year, rulebook, overrides, options, as_of, "objects")
    return _run_local(plan_employers(paths, count), spec, count, slice_bytes=slice_bytes)


def entitlements_json(
    paths: Iterable[str | os.PathLike[str]],
    year: int,
    *,
    jobs: int | None = None,
    lang: str = "en",
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """As :func:`entitlements_from_files`, each result already serialised (``json``).

    The worker processes write the JSON (the ``entitlements-1`` object of each
    result, compact), so only text travels back.
    """
    count = jobs_count(jobs)
    spec = EntitlementSpec(year, rulebook, overrides, options, as_of, "json", lang)
    return _run_local(plan_employers(paths, count), spec, count, slice_bytes=slice_bytes)


def entitlements_for_year(
    paths: Iterable[str | os.PathLike[str]],
    year: int,
    *,
    project: bool = False,
    as_of: date | None = None,
    jobs: int | None = None,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    every_band: SizeBand | None = None,
    options: EntitlementOptions | None = None,
    render: Render = "objects",
    lang: str = "en",
    progress: Progress | None = None,
    json_to: IO[bytes] | None = None,
    json_errors: str = "strict",
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """The entitlements of ``year`` from DmfA files: the pipeline of ``mycareer entitlements``.

    It chooses the route, so that callers do not:

    * ``project=True``: every file is read together and ``year`` is projected from the
      lines in force on ``as_of`` (default
      :func:`~mycareer.fla.projection.projection_as_of`: the last day of the latest
      quarter declared before ``year``), as :func:`~mycareer.fla.project_entitlements`;
    * otherwise employer by employer on ``jobs`` processes (:func:`plan_employers`,
      :func:`run_plan`) when the files allow it, else (corrections without their originals
      whose first forms name no employer) one read of everything; the
      results are the same either way (``as_of`` is only recorded on them). A file that
      is no document at all (empty, not XML) or a document of another kind (a Dimona
      declaration: a ``DOCUMENT_NOT_READ`` finding) is read on its own, a DmfA original whose header
      cannot be read first (its rejection marks the other groups' results, see
      :func:`execute`), and what listing the paths refused is reported after every
      file's errors, as one read reports it.

    Without ``project``, when no declared quarter reaches ``year`` the run carries the
    :data:`~mycareer.fla.years.DATA_END_BEFORE_YEAR` warning, which points to the
    projection, in ``findings`` and in the findings of each entitlement.

    ``every_band`` is the band of every employer that ``overrides`` does not name;
    ``render="json"`` gives ``json`` (one compact ``entitlements-1`` object per result,
    explained in ``lang``) instead of ``entitlements``; ``progress`` wraps the list of
    files as they are read. With ``render="json"``, ``json_to`` (a seekable binary file)
    may receive the JSON array of the texts (``mycareer entitlements --format json``'s
    bytes, UTF-8 encoded with the error handler ``json_errors``) while the groups are
    computed, each employer's as soon as those before it are done: ``json_written`` then
    says it holds the whole array; if not, nothing was left in it. ``slice_bytes`` as
    :func:`entitlements_from_files` takes it.

    >>> from importlib import resources
    >>> demo = resources.files("mycareer.data.demo") / "dmfa"
    >>> run = entitlements_for_year([str(demo)], 2026, jobs=1)  # the demo ends in 2025 Q4
    >>> run.findings[-1].code, {e.findings[-1].code for e in run.entitlements}
    ('DATA_END_BEFORE_YEAR', {'DATA_END_BEFORE_YEAR'})
    >>> projected = entitlements_for_year([str(demo)], 2026, project=True)
    >>> len(projected.entitlements), projected.entitlements[0].as_of.isoformat()
    (5, '2025-12-31')
    """
    given = list(paths)
    count = jobs_count(jobs)
    spec = EntitlementSpec(year, rulebook, overrides, options, as_of, render, lang, every_band)
    plan = None if project else plan_employers(given, count)
    grouped = plan if plan is not None and plan.dmfa_by_employer else None
    sink = None if grouped is None else _json_sink(grouped, spec, json_to, json_errors)
    try:
        if grouped is not None:
            run = _run_local(grouped, spec, count, progress, sink, slice_bytes=slice_bytes)
        else:
            run = _read_all(given, spec, project=project, progress=progress)
        finding = None if project else data_end_finding_after(run.last_quarter, year)
        run = run if finding is None else with_finding(run, finding)
        return attrs.evolve(run, json_written=True) if sink and sink.settle(run) else run
    except BaseException:
        if sink is not None:
            sink.abandon()  # a failed or stopped run leaves nothing in json_to either
        raise


def _json_sink(
    plan: Plan, spec: EntitlementSpec, out: IO[bytes] | None, errors: str
) -> JsonArraySink | None:
    """A sink for the run's JSON texts, unless its output would be taken back: the
    headers declare no quarter of the year (every result gets a finding then)."""
    if out is None or spec.render != "json" or not plan.groups:
        return None
    if plan.quarters and plan.quarters[-1].year < spec.year:
        return None
    sink = JsonArraySink(out, plan, errors)
    return sink if sink.usable else None


def _read_all(
    paths: Sequence[str | os.PathLike[str]],
    spec: EntitlementSpec,
    *,
    project: bool,
    progress: Progress | None,
) -> EntitlementRun:
    """One read of every file, then the year computed or projected (one process)."""
    batch = read_corrected_dmfa(paths, on_error="collect", progress=progress)
    overrides = spec.overrides_for({r.employer.key for r in batch.records})
    results: Sequence[Entitlement]
    if project:
        as_of = spec.as_of or projection_as_of(batch.records, spec.year)
        results = project_entitlements(
            batch.records, batch.declarations, as_of=as_of, year=spec.year,
            rulebook=spec.rulebook, overrides=overrides, options=spec.options,
        )  # fmt: skip
    else:
        results = compute_entitlements(
            batch.records, batch.declarations, spec.year, rulebook=spec.rulebook,
            overrides=overrides, options=spec.options, as_of=spec.as_of,
        )  # fmt: skip
    results = mark_incomplete_references(results, batch.rejected)
    findings = tuple(dict.fromkeys((*batch.findings, *(f for e in results for f in e.findings))))
    last = max((r.quarter for r in batch.records), default=None)
    errors = tuple(batch.errors)
    if spec.render == "json":
        lang: Any = spec.lang
        texts = tuple(entitlement_json_text(e, lang) for e in results)
        return EntitlementRun(json=texts, findings=findings, errors=errors, last_quarter=last)
    return EntitlementRun(tuple(results), findings=findings, errors=errors, last_quarter=last)
