"""Worker processes for the runs that use several cores: how many, how to map, how to shard.

Light on purpose (no reader, no engine): the command line asks for the usable cores
without importing the pipelines, and :mod:`mycareer.pipeline`,
:mod:`mycareer.timeline_jobs` and :mod:`mycareer.account_jobs` share one rule for each
(re-exported by :mod:`mycareer.pipeline`).

>>> bucket_of("85073003328", 8) == bucket_of("85073003328", 8)
True
>>> jobs_count(2)
2
"""

from __future__ import annotations

import os
import signal
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context, parent_process
from multiprocessing.connection import wait
from typing import Any, TypeVar

from mycareer._gc import bulk
from mycareer.errors import InvalidValueError, WorkerProcessLostError

__all__ = [
    "bucket_of",
    "jobs_count",
    "map_in_processes",
    "ordered_results",
    "run_paused",
    "usable_cores",
    "worker_pool",
]

R = TypeVar("R")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return max(1, os.cpu_count() or 1)


def bucket_of(niss: str, buckets: int) -> int:
    """The bucket of a NISS in a shuffle by worker (timelines, accounts): the same on every
    machine and in every process (not ``hash``)."""
    return zlib.crc32(niss.encode("ascii")) % buckets


def jobs_count(jobs: int | None) -> int:
    """``jobs``, or the usable cores when None; refused unless a whole number >= 1."""
    count = usable_cores() if jobs is None else jobs
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InvalidValueError(f"jobs must be a whole number of processes, at least 1: {jobs!r}")
    return count


def map_in_processes(
    function: Callable[..., R],
    jobs: int,
    *arguments: Sequence[Any],
    one_call_each: bool = False,
) -> Iterator[R]:
    """``function`` over the argument lists: in this process when ``jobs`` is 1 or
    there is one call, else in up to ``jobs`` fresh worker processes (forkserver:
    they share nothing with the caller), results in order as they come;
    ``one_call_each`` as :func:`worker_pool` takes it."""
    calls = min(len(a) for a in arguments) if arguments else 0
    if jobs == 1 or calls <= 1:
        yield from map(function, *arguments)
        return
    with worker_pool(min(jobs, calls), one_call_each=one_call_each) as pool:
        yield from ordered_results(pool, function, *arguments)


@contextmanager
def worker_pool(jobs: int, *, one_call_each: bool = False) -> Iterator[ProcessPoolExecutor]:
    """``jobs`` fresh worker processes (forkserver: they share nothing with the caller).

    ``one_call_each``: a new process for every call (for calls that each build up and
    free a large state, as a group's slices: a process reused keeps part of what the
    call before it freed, fragmented, and its peak grows call by call).

    An error or an interrupt in the block (Ctrl-C, the command's SIGTERM, a consumer
    that stops early) ends the worker processes: the run stops now, not after every
    task they have begun or have queued, and no process is left computing for nobody.
    Give the pool its calls with :func:`ordered_results`.
    """
    context = get_context("forkserver" if os.name == "posix" else "spawn")
    if context.get_start_method() == "forkserver":
        # Started now, outside _signals_held: the forkserver and every worker it forks
        # keep the signal mask it starts with, and SIGTERM must still end them.
        from multiprocessing import forkserver

        forkserver.ensure_running()
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_end_with_parent,
        # Only 1: above it, Python 3.11-3.13 may stop replacing the workers that retire
        # and hang (https://github.com/python/cpython/issues/115634); at 1 no call leaves
        # the idle token that misleads the replacement, and every retirement spawns anew.
        max_tasks_per_child=1 if one_call_each else None,
    ) as pool:
        try:
            yield pool
        except BrokenProcessPool as broken:  # a worker killed (out of memory?) mid-task
            lost = WorkerProcessLostError(_how_workers_ended(pool))
            _end_workers(pool)
            raise lost from broken
        except BaseException:
            _end_workers(pool)
            raise


def _end_with_parent() -> None:
    """In each worker process of :func:`worker_pool`: end it when the process that started
    it ends, however it ends.

    A process killed outright (SIGKILL, the kernel's out-of-memory killer) runs no
    cleanup: its workers waited for calls forever, and kept the forkserver alive (about
    55 MB each). ``parent_process().sentinel`` becomes readable when the starting process
    is gone; a daemon thread waits on it. Our own processes only, as ``run_paused``.
    """
    parent = parent_process()
    if parent is None:  # pragma: no cover - a pool's workers always have one
        return
    watch = threading.Thread(
        target=_exit_when_ready, args=(parent.sentinel,), name="mycareer-parent", daemon=True
    )
    watch.start()


def _exit_when_ready(sentinel: int) -> None:
    wait([sentinel])
    os._exit(EXIT_PARENT_GONE)  # no cleanup: nobody is left to take a result


#: The exit status of a worker process whose starting process has gone.
EXIT_PARENT_GONE = 70


def _how_workers_ended(pool: ProcessPoolExecutor) -> str:
    """Which worker process ended, and how, for :class:`WorkerProcessLostError`."""
    # The executor's thread reaps the workers once the pool breaks. Read alongside it, an
    # exit code was read from the forkserver's pipe by both threads, and the one that
    # found it empty set 255: "ended with exit code 255" for a SIGKILL, now and then.
    manager = _manager_thread(pool)
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=10)
    workers = getattr(pool, "_processes", None) or {}  # their exit codes: see _end_workers
    ended = [(pid, w.exitcode) for pid, w in workers.items() if w.exitcode not in (None, 0)]
    # The pool ends the others with SIGTERM once one is lost: the first cause comes first.
    ended.sort(key=lambda item: item[1] == -signal.SIGTERM)
    if not ended:
        what = "a worker process ended before its task did"
    else:
        pid, code = ended[0]
        what = f"worker process {pid} " + (
            f"ended with exit code {code}" if code > 0 else f"was killed by {_signal_name(-code)}"
        )
        if code == -getattr(signal, "SIGKILL", 0):  # none on Windows, nor negative codes
            what += " (as the system's out-of-memory killer does)"
    return f"{what}: the run was stopped; run it again, with fewer jobs if memory is short"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _end_workers(pool: ProcessPoolExecutor) -> None:
    # No public way to end running calls before Python 3.14 (terminate_workers): the
    # executor's processes are its ``_processes``. Their end breaks the pool, which
    # fails every call still pending; none may be cancelled first (Python 3.11 then
    # raises InvalidStateError in the executor's thread), hence ordered_results.
    workers = getattr(pool, "_processes", None)
    if not workers:
        pool.shutdown(wait=False, cancel_futures=True)
        return
    for worker in list(workers.values()):
        if worker.is_alive():
            worker.terminate()


def ordered_results(
    pool: Executor, function: Callable[..., R], *arguments: Sequence[Any]
) -> Iterator[R]:
    """``pool.map(function, *arguments)`` with the cyclic collector paused in the workers
    (:func:`run_paused`), results in order as they come, each dropped once given.

    Unlike ``Executor.map`` it cancels nothing when left early: :func:`worker_pool`
    ends the workers instead.
    """
    with _signals_held():
        try:
            pending = [
                pool.submit(run_paused, function, *call) for call in zip(*arguments, strict=False)
            ]
        except EOFError as refused:  # multiprocessing.forkserver: no worker could be forked
            raise WorkerProcessLostError(_NOT_STARTED) from refused
    pending.reverse()
    while pending:
        yield _result_of(pool, pending.pop())


#: How often a wait for a result checks that the pool still works, in seconds.
CHECK_EVERY = 1.0


def _result_of(pool: Executor, future: Future[R]) -> R:
    """``future.result()``, unless the pool's own thread has ended first: where the system
    refuses it a thread (memory short, ``ulimit -v``) it dies with a traceback of its
    own and leaves every result pending, and the run waited for ever."""
    while True:
        try:
            return future.result(timeout=CHECK_EVERY)
        except TimeoutError:
            manager = _manager_thread(pool)
            if manager is not None and not manager.is_alive() and not future.done():
                raise WorkerProcessLostError(_THREAD_ENDED) from None


def _manager_thread(pool: Executor) -> threading.Thread | None:
    """The thread of a process pool that takes its results and reaps its workers (no
    public accessor), or None (not started, or another kind of pool)."""
    manager = getattr(pool, "_executor_manager_thread", None)
    return manager if isinstance(manager, threading.Thread) else None


_NOT_STARTED = (
    "the worker processes could not be started (the process that forks them ended): "
    "the run was stopped; run it with one job, or check that this Python can start processes"
)

_THREAD_ENDED = (
    "the worker pool's own thread ended (the system refused it what it needed: memory?): "
    "the run was stopped; run it again, with fewer jobs if memory is short"
)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait for the end of the block (this thread's signal mask, restored).

    Submitting starts the executor's thread and forks the workers. Interrupted there, a
    worker forked but not yet recorded by the executor was left to fail on its own
    ("FileNotFoundError" once the run had gone) and the executor could not be shut down
    ("cannot join thread before it is started"): a traceback instead of one line, seen in
    about one run in four stopped as the first worker started (tests/scale/
    test_interrupt.py). Held, the signal arrives just after, where worker_pool ends
    every worker it knows. The delay is the forks' (milliseconds; up to the forkserver's
    own start, about 0.5 s, when it is still importing).
    """
    mask = getattr(signal, "pthread_sigmask", None)  # not on Windows (spawn: no forkserver)
    if mask is None:
        yield
        return
    held = mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, held)


def run_paused(function: Callable[..., R], *arguments: Any) -> R:
    """``function(*arguments)`` in a worker process of ours, its cyclic collector paused.

    Only for the processes a run starts for itself (never the caller's): the state
    is restored when the call returns.

    The worker's objects are mycareer's acyclic records, which reference counting
    frees; :func:`mycareer.pipeline.run_groups` collects generation 0 between groups,
    where lxml's parser cycles are. An enabled collector re-walked the live records
    instead: 1.8 s of 10.6 s of CPU on the 149 MB set (3,277 collections) against
    0.6 s paused, for the same peak.
    """
    with bulk():
        return function(*arguments)
