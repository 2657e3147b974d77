"""Groups of a run by employer as tasks: packed by size, run in order, counted as they finish.

Shared by the runs by employer (:mod:`mycareer.pipeline`, :mod:`mycareer.account_jobs`,
:mod:`mycareer.dask`): a task is a list of ``(group index, group)``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from mycareer._gc import release_parsers
from mycareer.plans import EmployerGroup, Plan
from mycareer.xmlio.flows import KnownHeaders

__all__ = ["FileTicks", "Progress", "Task", "pack_groups", "run_groups"]

S = TypeVar("S")
R = TypeVar("R")
#: A task packs small employers together up to about this many bytes of XML.
_TASK_BYTES = 8_000_000


#: A task: groups ``(group index, group)``, run in this order by one process.
Task = Sequence[tuple[int, EmployerGroup]]


def run_groups(
    work: Callable[[S, Sequence[str], int, KnownHeaders], R], spec: S, task: Task
) -> list[tuple[int, R]]:
    """``work(spec, files, index, known)`` on each group ``(index, group)`` of a task, in
    this process, in the task's order (the index names the group's spool and its place in
    :func:`~mycareer.regroup.header_groups`; ``known`` is what the plan's pre-scan read of
    the files, :meth:`~mycareer.plans.EmployerGroup.known_headers`)."""
    done = []
    for index, group in task:
        done.append((index, work(spec, group.files, index, group.known_headers())))
        # Between groups, while little is alive (149 MB set: 10.97-12.55 s, against
        # 12.9-13.0 s for full collections; mycareer._gc says why).
        release_parsers()
    return done


def pack_groups(
    groups: Sequence[EmployerGroup], jobs: int, *, skip: Collection[int] = ()
) -> list[list[tuple[int, EmployerGroup]]]:
    """Tasks of ``(group index, group)``: largest groups first (they bound the run time),
    small ones packed together up to about 8 MB of XML (a quarter of a job's share);
    the groups of the indexes ``skip`` left out."""
    total = sum(g.size for g in groups)
    target = max(1, min(_TASK_BYTES, total // (jobs * 4) or 1))
    tasks: list[list[tuple[int, EmployerGroup]]] = []
    current: list[tuple[int, EmployerGroup]] = []
    size = 0
    left = [index for index in range(len(groups)) if index not in skip]
    for index in sorted(left, key=lambda i: -groups[i].size):
        current.append((index, groups[index]))
        size += groups[index].size
        if size >= target:
            tasks.append(current)
            current, size = [], 0
    if current:
        tasks.append(current)
    return tasks


class FileTicks:
    """Advances a ``progress`` wrapper of a plan's files (those of the groups ``only``
    when given) as its groups finish."""

    def __init__(
        self, plan: Plan, progress: Progress | None, only: Collection[int] | None = None
    ) -> None:
        self._groups = plan.groups
        shown = plan.files
        if only is not None:
            read = {name for index in only for name in plan.groups[index].files}
            shown = tuple(name for name in plan.files if name in read)
        self._ticks = iter(progress([Path(f) for f in shown]) if progress else ())

    def done(self, indexes: Iterable[int]) -> None:
        for index in indexes:
            for _file in self._groups[index].files:
                next(self._ticks, None)

    def finish(self) -> None:
        for _rest in self._ticks:
            pass


Progress = Callable[[Sequence[Path]], Iterable[Path]]
