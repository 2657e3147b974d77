"""Entitlements, timelines and accounts on a Dask cluster, for inputs larger than one machine.

Extra ``mycareer[dask]``. The unit of work is the employer, as in
:mod:`mycareer.pipeline`: the files are grouped by employer with a header
pre-scan (run on the cluster too), each group is read, computed and serialised
by one Dask task, and only compact results come back (JSON text or
entitlements), never worker records. The results are the same as
:func:`mycareer.pipeline.entitlements_from_files` on one machine, in the same
order. :func:`timelines` maps employers to career-period rows, shuffles them by
NISS between the workers (Dask moves each bucket's rows to the task that
builds its timelines) and gives what
:func:`mycareer.timeline_jobs.timelines_from_files` gives. :func:`accounts`
computes every year's entitlements employer by employer on the cluster and keeps
the ledgers in the calling process, as
:func:`mycareer.account_jobs.accounts_from_files` does.

``paths`` are files or folders the workers can open: local paths on a shared
file system (every worker sees the same path), or fsspec URLs such as
``s3://bucket/dmfa/2024/*.xml`` (each worker copies its group's files to a
local temporary folder: errors, rejected files and the findings that mark results
incomplete name the URL; the other findings and the periods' sources name the copy's
file name). ``client`` is
a :class:`distributed.Client` or a scheduler address (``"tcp://host:8786"``).

``pause_collector=True`` runs each task with its worker's cyclic garbage
collector paused (:func:`mycareer.bulk` around the task), as the local worker
processes of :mod:`mycareer.pipeline` run: the workers are your processes, so
this is your choice, off by default (see :func:`timelines`).

A run on several machines (see docs/performance.md)::

    from mycareer.dask import entitlements_json
    run = entitlements_json(["/shared/dmfa/"], "tcp://scheduler:8786", year=2024)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy as shallow_copy
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import attrs
from distributed import Client, Future, as_completed

from mycareer._gc import bulk
from mycareer._spool import Spool, SpooledItems, write_spool
from mycareer.account_groups import AccountGroupResult
from mycareer.account_jobs import (
    AccountChoices,
    AccountFilesRun,
    Render,
    run_account_group,
    run_account_plan,
)
from mycareer.errors import InvalidValueError
from mycareer.fla import EntitlementOptions, Overrides, Rulebook, SizeBand
from mycareer.fla.account import AccountPolicy, Termination
from mycareer.fla.trainings import Training
from mycareer.group_slices import SLICE_BYTES
from mycareer.pipeline import (
    EntitlementRun,
    EntitlementSpec,
    GroupResult,
    Plan,
    execute,
    jobs_count,
    plan_employers,
    run_group,
    run_groups,
)
from mycareer.plans import EmployerGroup, mark_alone_files, plan_from_employers
from mycareer.regroup import HeaderMap
from mycareer.timeline_jobs import (
    MapResult,
    MapTask,
    TimelineRun,
    TimelineSpec,
    WorkerTimeline,
    dump_rows,
    map_groups,
    merge_buckets,
    plan_timelines,
    reduce_bucket,
)
from mycareer.timeline_jobs import (
    execute as execute_timelines,
)
from mycareer.xmlio.documents import DocumentKind
from mycareer.xmlio.flows import KnownHeaders
from mycareer.xmlio.headers import EmployerHeader, scan_kind_and_employer

__all__ = ["accounts", "entitlements", "entitlements_json", "plan_on_cluster", "timelines"]

Task = list[tuple[int, EmployerGroup]]
R = TypeVar("R")


def _is_url(path: str) -> bool:
    return "://" in path


@contextmanager
def _client(client: Client | str) -> Iterator[Client]:
    if isinstance(client, Client):
        yield client
        return
    with Client(client) as own:  # type: ignore[no-untyped-call]
        yield own


@contextmanager
def _local_copies(files: Sequence[str]) -> Iterator[list[str]]:
    """``files`` as local paths: URLs copied (fsspec) into a temporary folder, kept in order."""
    if not any(_is_url(f) for f in files):
        yield list(files)
        return
    import fsspec

    folder = tempfile.mkdtemp(prefix="mycareer-dask-")
    try:
        local = []
        for index, name in enumerate(files):
            if not _is_url(name):
                local.append(name)
                continue
            target = Path(folder) / f"{index:06d}-{os.path.basename(name)}"
            with fsspec.open(name, "rb") as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            local.append(str(target))
        yield local
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _in_task(pause: bool, function: Callable[..., R], *arguments: Any) -> R:  # noqa: FBT001
    """``function(*arguments)`` on a worker; under :func:`mycareer.bulk` when ``pause``.

    ``pause`` is the caller's ``pause_collector``: the worker processes are theirs.
    """
    if not pause:
        return function(*arguments)
    with bulk():
        return function(*arguments)


def _run_remote_task(
    work: Callable[..., Any],
    spec: Any,
    task: Task,
    pause: bool,  # noqa: FBT001
) -> list[Any]:
    """``work(spec, files, group=index)`` on each group of a task, on a worker (URLs copied
    first): given its index, a group's read stops at another group's employer when the
    spec's ``header_groups`` says so (:class:`~mycareer.regroup.WatchedStage`).

    :func:`~mycareer.pipeline.run_groups` collects the parsers' cycles between groups
    when the collector is paused.
    """

    def copied(spec: Any, files: Sequence[str], index: int, known: KnownHeaders) -> Any:
        with _local_copies(files) as local:
            url_of = {copy: name for name, copy in zip(files, local, strict=True)}
            copies = {copy: known[name] for copy, name in url_of.items() if name in known}
            result = work(_reading_copies(spec, url_of), local, group=index, known=copies)
        return _returned(result, url_of)

    return _in_task(pause, run_groups, copied, spec, task)


def _reading_copies(spec: Any, url_of: Mapping[str, str]) -> Any:
    """An entitlement ``spec`` whose group's rejected files go by their URLs (``url_of``:
    this worker's copies' URLs, :attr:`EntitlementSpec.read_as`): in their places (the
    run's URLs, among the headless files' rejections) and in the findings that mark the
    results. Any other spec as it is."""
    if not isinstance(spec, EntitlementSpec):
        return spec
    return attrs.evolve(spec, read_as=url_of)


def _returned(result: Any, url_of: Mapping[str, str]) -> Any:
    """A group's ``result`` ready to travel back: its errors name their URLs (``url_of``),
    not this worker's copies (the calling process orders them by the run's files), and
    carry no context nor traceback (:func:`_portable`)."""
    if not isinstance(result, GroupResult | AccountGroupResult):
        return result
    return attrs.evolve(result, errors=tuple(_portable(e, url_of) for e in result.errors))


def _portable(error: InvalidValueError, url_of: Mapping[str, str]) -> InvalidValueError:
    """A copy of ``error`` naming the URL of the worker's copy it names, without the
    exception it was raised from nor its traceback: importing ``distributed`` after
    mycareer registers tblib's pickling for mycareer's errors, which then pickles those
    too, and a malformed file's error was raised from lxml's, whose error log cannot be
    pickled (the result failed to come back)."""
    portable = shallow_copy(error)
    portable.__cause__ = portable.__context__ = portable.__traceback__ = None
    source = error.source
    if source is not None and source.file is not None and source.file in url_of:
        portable.source = attrs.evolve(source, file=url_of[source.file])
    return portable


def _expand_urls(paths: Iterable[str]) -> list[str]:
    import fsspec

    files: list[str] = []
    for path in paths:
        fs, _token, found = fsspec.get_fs_token_paths(path)
        for item in sorted(found):
            if fs.isdir(item):
                found_xml = [f for f in fs.find(item) if f.lower().endswith(".xml")]
                files.extend(_unstrip(fs, f) for f in sorted(found_xml))
            else:
                files.append(_unstrip(fs, item))
    return files


def _unstrip(fs: Any, path: str) -> str:
    protocol = fs.protocol[0] if isinstance(fs.protocol, tuple) else fs.protocol
    return path if "://" in path else f"{protocol}://{path}"


def _remote_header(path: str) -> tuple[tuple[DocumentKind | None, EmployerHeader], int]:
    with _local_copies([path]) as (local,):
        return scan_kind_and_employer(local), os.stat(local).st_size


def plan_on_cluster(paths: Sequence[str | os.PathLike[str]], client: Client) -> Plan:
    """The employer groups of ``paths``; the headers of URLs are pre-scanned on the cluster.

    Local paths are planned here (the pre-scan reads each file's first few KB). The groups
    keep what the scan read (:attr:`~mycareer.plans.EmployerGroup.scanned`): a worker's
    copy of a file keeps its place in its group, and what was read of it.
    """
    given = [str(os.fspath(p)) for p in paths]
    if not any(_is_url(p) for p in given):
        return plan_employers(given)
    files = _expand_urls(given)
    found = client.gather(client.map(_remote_header, files, pure=False))  # type: ignore[no-untyped-call]
    kinds = [kind for (kind, _header), _size in found]
    headers = [header for (_kind, header), _size in found]
    plan = plan_from_employers(files, [size for _h, size in found], headers, kinds=kinds)
    # What the workers' scan read marks the files that are no document, the headless
    # originals and the corrections naming no employer (mark_alone_files).
    roots = {path: header[0] for path, header in zip(files, headers, strict=True)}
    return mark_alone_files(plan, roots)


def _mapper(
    client: Client,
    pause: bool,  # noqa: FBT001
    work: Callable[..., Any] = run_group,
) -> Any:
    def run(spec: Any, tasks: list[Task]) -> Iterator[list[Any]]:
        count = len(tasks)
        shared = _scattered(client, attrs.evolve(spec, header_groups=_inline(spec.header_groups)))
        futures = client.map(
            _run_remote_task, [work] * count, [shared] * count, tasks, [pause] * count, pure=False
        )
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()

    return run


def _inline(groups: Mapping[str, int] | None) -> HeaderMap | None:
    """The map pickled whole: a worker of another machine cannot read this one's files."""
    return None if groups is None else HeaderMap(groups, inline=True)


def _scattered(client: Client, value: Any) -> Any:
    """``value`` sent once to every worker (a spec with the run's map of some 250,000 keys
    at national scale), for tasks to take by reference instead of each pickling it."""
    return client.scatter(value, broadcast=True, hash=False)  # type: ignore[no-untyped-call]


def _workers(client: Client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def entitlements(
    paths: Sequence[str | os.PathLike[str]],
    client: Client | str,
    *,
    year: int,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
    every_band: SizeBand | None = None,
    pause_collector: bool = False,
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """Every (employer, worker) entitlement of ``year``, computed on the cluster.

    The same :class:`~mycareer.pipeline.EntitlementRun` as
    :func:`mycareer.pipeline.entitlements_from_files` on the same files.
    ``pause_collector`` as in :func:`timelines`; ``slice_bytes`` as
    :func:`~mycareer.pipeline.entitlements_from_files` takes it (a secretariat's group of
    several employers is read in slices, one a worker when it alone is left).
    """
    spec = EntitlementSpec(year, rulebook, overrides, options, as_of, "objects", "en", every_band)
    with _client(client) as connected:
        plan = plan_on_cluster(paths, connected)
        mapper = _mapper(connected, pause_collector)
        return execute(plan, spec, _workers(connected), mapper, slice_bytes=slice_bytes)


def entitlements_json(
    paths: Sequence[str | os.PathLike[str]],
    client: Client | str,
    *,
    year: int,
    lang: str = "en",
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
    every_band: SizeBand | None = None,
    pause_collector: bool = False,
    slice_bytes: int = SLICE_BYTES,
) -> EntitlementRun:
    """As :func:`entitlements`, serialised on the workers (``json``: one compact text each)."""
    spec = EntitlementSpec(year, rulebook, overrides, options, as_of, "json", lang, every_band)
    with _client(client) as connected:
        plan = plan_on_cluster(paths, connected)
        mapper = _mapper(connected, pause_collector)
        return execute(plan, spec, _workers(connected), mapper, slice_bytes=slice_bytes)


def accounts(
    paths: Sequence[str | os.PathLike[str]],
    client: Client | str,
    trainings: Iterable[Training] = (),
    *,
    as_of: date | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    terminations: Iterable[Termination] = (),
    policy: AccountPolicy | None = None,
    rulebook: Rulebook | None = None,
    options: EntitlementOptions | None = None,
    overrides: Overrides | None = None,
    keep_entitlements: bool = True,
    pause_collector: bool = False,
    render: Render = "objects",
    reduce_jobs: int | None = None,
) -> AccountFilesRun:
    """Every worker's training accounts: each employer's entitlements on the cluster.

    The same :class:`~mycareer.account_jobs.AccountFilesRun` as
    :func:`mycareer.account_jobs.accounts_from_files` on the same files: every year's
    entitlements are computed employer by employer on the workers, and the ledgers
    (trainings, windows, terminations) are kept in this process (``keep_entitlements``
    as there); ``pause_collector`` as in :func:`timelines`.

    ``render`` as there: the ledgers are then built bucket by bucket of workers in
    ``reduce_jobs`` processes of this machine (default: its usable cores; about a tenth
    of a run's work), from the credits the cluster sends back, and rendered there; this
    process holds neither the accounts nor the trainings (walked once), only the texts'
    temporary files.
    """
    lazy = render != "objects"
    choices = AccountChoices(
        () if lazy else tuple(trainings), as_of, from_year, to_year, tuple(terminations),
        policy, rulebook, options, overrides, keep_entitlements, render,
        more_trainings=trainings if lazy else (),
    )  # fmt: skip
    with _client(client) as connected:
        plan = plan_on_cluster(paths, connected)
        mapper = _mapper(connected, pause_collector, run_account_group)
        reduce = jobs_count(reduce_jobs)
        return run_account_plan(plan, choices, _workers(connected), mapper, reduce_jobs=reduce)


def _remote_map(task: MapTask, header_groups: HeaderMap | None = None) -> MapResult:
    """A map task on a worker: URLs copied first, each copy keeping its file's place;
    ``header_groups`` (scattered once, see :func:`_scattered`) for the task's own."""
    if header_groups is not None:
        task = attrs.evolve(task, header_groups=header_groups)
    names = [name for _number, group in task.groups for name in group.files]
    with _local_copies(names) as local:
        renamed = dict(zip(names, local, strict=True))
        groups = tuple(
            (n, attrs.evolve(group, files=tuple(renamed[f] for f in group.files)))
            for n, group in task.groups
        )  # the copies keep their files' places, and what the plan's pre-scan read
        index = {renamed[name]: place for name, place in task.index.items()}
        result, rows = map_groups(groups, index, task.buckets, None, task.header_groups)
    copies = tuple((copy, name) for name, copy in renamed.items() if copy != name)
    dumped = tuple(dump_rows(r) if r else None for r in rows)
    url_of = dict(copies)
    errors = tuple((tag, _portable(error, url_of)) for tag, error in result.errors)
    return attrs.evolve(result, rows=dumped, copies=copies, errors=errors)


def _summary(result: MapResult) -> MapResult:
    """The map result without its rows (an empty marker where a bucket has some)."""
    return attrs.evolve(result, rows=tuple(None if r is None else b"" for r in result.rows))


def _rows(result: MapResult, bucket: int) -> bytes:
    rows = result.rows[bucket]
    assert rows is not None
    return rows


def _reduce(
    blobs: list[bytes], gone: list[frozenset[str]], as_of: date, spec: TimelineSpec
) -> list[Any]:
    return reduce_bucket(blobs, as_of, spec, gone)


def _reduce_to(
    blobs: list[bytes],
    gone: list[frozenset[str]],
    as_of: date,
    spec: TimelineSpec,
    folder: str,
    bucket: int,
) -> Spool | None:
    """A bucket's workers written by the reduce task to a file of ``folder``, in order."""
    return write_spool(folder, f"bucket-{bucket:05d}", reduce_bucket(blobs, as_of, spec, gone))


def _spool_place(spool_to: str | os.PathLike[str]) -> str:
    """``spool_to`` when it is an existing folder (not a URL), else the error naming it."""
    where = os.fspath(spool_to)
    if _is_url(where) or not os.path.isdir(where):
        raise InvalidValueError(
            f"spool_to {where[:80]!r}: expected an existing folder that the workers and "
            "this process see at the same path (a shared file system), not a URL"
        )
    return where


def _spool_folder(spool_to: str | os.PathLike[str]) -> tempfile.TemporaryDirectory[str]:
    """A new folder for the run's bucket files in ``spool_to``."""
    where = _spool_place(spool_to)
    return tempfile.TemporaryDirectory(prefix="mycareer-dask-timelines-", dir=where)


class _DaskShuffle:
    """Map results stay on the workers; each reduce task fetches its bucket's rows.

    With ``spool_to``, each reduce task writes its bucket's workers to a file there and
    only the file's name comes back (:class:`~mycareer._spool.SpooledItems`).
    """

    def __init__(
        self,
        client: Client,
        pause: bool,  # noqa: FBT001
        spool_to: str | os.PathLike[str] | None = None,
    ) -> None:
        self.client = client
        self.pause = pause
        self.spool_to = spool_to
        self.futures: list[Future[MapResult]] = []
        self.summaries: list[MapResult] = []
        self.calls: list[int] = []  #: each future's map call since the last new one
        self.call = 0  #: the next map call's number

    def map(self, tasks: Sequence[MapTask], *, more: bool = False) -> list[MapResult]:
        client = self.client
        count = len(tasks)
        watch = tasks[0].header_groups if tasks else None  # one map for every task
        shared = None if watch is None else _scattered(client, _inline(watch))
        sent = [attrs.evolve(task, header_groups=None) for task in tasks]
        futures = client.map(
            _in_task, [self.pause] * count, [_remote_map] * count, sent, [shared] * count,
            pure=False,
        )  # fmt: skip
        summaries = client.gather(client.map(_summary, futures, pure=False))  # type: ignore[no-untyped-call]
        if not more:  # the earlier maps' rows go (released with their futures)
            self.futures, self.summaries, self.calls, self.call = [], [], [], 0
        self.futures.extend(futures)
        self.summaries.extend(summaries)
        self.calls.extend([self.call] * count)
        self.call += 1
        return summaries  # type: ignore[no-any-return]

    def _dropped(self, dropped: Sequence[Collection[str]]) -> list[frozenset[str]]:
        """Per map task, the files whose rows its reduce parts drop (made once a reduce)."""
        per_call = [frozenset(files) for files in dropped]
        gone = []
        for summary, call in zip(self.summaries, self.calls, strict=True):
            files = per_call[call] if call < len(per_call) else frozenset()
            # A worker's copy of a URL names the periods it read: dropped by that name.
            gone.append(files | {copy for copy, name in summary.copies if name in files})
        return gone

    def _parts(
        self, bucket: int, gone: Sequence[frozenset[str]]
    ) -> tuple[list[Future[bytes]], list[frozenset[str]]]:
        """The bucket's rows of each map task, and the files whose rows each drops."""
        futures, dropped = [], []
        for future, summary, files in zip(self.futures, self.summaries, gone, strict=True):
            if summary.rows[bucket] is not None:
                futures.append(self.client.submit(_rows, future, bucket, pure=False))
                dropped.append(files)
        return futures, dropped

    def reduce(
        self,
        buckets: int,
        as_of: date,
        spec: TimelineSpec,
        dropped: Sequence[Collection[str]] = (),
    ) -> Sequence[WorkerTimeline]:
        client = self.client
        pause = self.pause
        gone = self._dropped(dropped)
        if self.spool_to is not None:
            folder = _spool_folder(self.spool_to)
            written = []
            for b in range(buckets):
                arguments = (_reduce_to, *self._parts(b, gone), as_of, spec, folder.name, b)
                written.append(client.submit(_in_task, pause, *arguments, pure=False))
            spools: list[Spool | None] = client.gather(written)  # type: ignore[no-untyped-call]
            return SpooledItems([spool for spool in spools if spool is not None], folder)
        reduces = [
            client.submit(_in_task, pause, _reduce, *self._parts(b, gone), as_of, spec, pure=False)
            for b in range(buckets)
        ]
        buckets_of: list[list[Any]] = client.gather(reduces)  # type: ignore[no-untyped-call]
        return merge_buckets(buckets_of)


def timelines(
    paths: Sequence[str | os.PathLike[str]],
    client: Client | str,
    *,
    spec: TimelineSpec | None = None,
    pause_collector: bool = False,
    spool_to: str | os.PathLike[str] | None = None,
) -> TimelineRun:
    """Every worker's timeline and gaps from DmfA files, built on the cluster.

    The same :class:`~mycareer.timeline_jobs.TimelineRun` as
    :func:`mycareer.timeline_jobs.timelines_from_files` on the same files
    (``spec.render="json"``: each worker serialised on the cluster). Input that
    is not only DmfA (originals, and corrections with their employer) grouped by
    employer is refused: read it with
    :func:`~mycareer.timeline_jobs.timelines_from_files` on one machine.

    ``pause_collector=True`` runs each task under :func:`mycareer.bulk`: the
    worker's cyclic garbage collector is paused while the task runs, as the local
    worker processes run every task, and restored when the worker's last such task
    ends. The collector is process-wide state of the workers, which are your
    processes: the library only touches it when you ask. Ask when the workers run
    mycareer's tasks and nothing that relies on the collector meanwhile (other
    threads of a worker, its own communication included, run without it while a
    task runs). On 149 MB of DmfA it took the run from about 1.5 to 1.10-1.24 times the wall
    time of the local ``jobs=2`` (docs/performance.md); the results are the same.

    By default every bucket's workers are gathered into this process (the whole output,
    as objects or texts). ``spool_to``, for big runs: an existing folder that the workers
    and this process see at the same path (a shared file system; a ``LocalCluster``'s
    local disk). Each reduce task writes its bucket's workers to a file of a new
    temporary folder in it and only the file names come back; ``run.workers`` is then a
    :class:`~mycareer._spool.SpooledItems`, equal to the gathered tuple, read lazily in
    the same order (the buckets' workers interleave, so they are merged as they are
    read: a few hundred workers per bucket in memory). The folder is removed when
    ``run.workers`` is collected. With ``spec.render`` ``"json"``, ``"csv"``, ``"xml"``
    or ``"table"``, each worker's text is as ``mycareer timeline`` writes it
    (:mod:`mycareer.timeline_render` gives what goes around the workers).
    """
    spec = spec or TimelineSpec()
    with _client(client) as connected:
        given = [str(os.fspath(p)) for p in paths]
        plan = (
            plan_on_cluster(given, connected) if any(map(_is_url, given)) else plan_timelines(given)
        )
        if spool_to is not None:
            _spool_place(spool_to)  # refused before anything runs
        if plan is None or not plan.by_employer:
            raise InvalidValueError(
                "timelines on Dask need DmfA files only, one employer per file: "
                + ", ".join(given)[:80]
            )
        shuffle = _DaskShuffle(connected, pause_collector, spool_to)
        run = execute_timelines(plan, spec, _workers(connected), shuffle)
    if run is None:
        raise InvalidValueError(
            "a file's employer could not be read, or a period its file: read these files "
            "on one machine (mycareer.timeline_jobs.timelines_from_files)"
        )
    return run
