"""A group of several employers read in slices, each slice computing a share of them.

An employer's results depend only on the files that name it (:mod:`mycareer.regroup`).
A group that joins many employers (a social secretariat's quarterly files, each holding
every client's form) would hold every client's state in one process. Read in ``count``
slices, each slice reads the group's files whole, exactly as the group's one read does
(so it commits, rejects and says what that read does), but passes on only the records
of the employers whose key falls in it (:func:`slice_of`, a stable hash), keeps their
declarations only, and computes their results: a process holds its share of the
employers' state, and the
slices run on as many cores. What reading said (findings, errors, rejected files) is
given by the first slice only; the others give their results and the results' own
findings (:func:`mycareer.group_results.merge_slices` puts a group's slices together).

>>> part = GroupSlice(1, 3, watch=7)
>>> [key for key in ("0403019261", "0203430576", "0207500123") if part.owns(key)]
['0403019261']
>>> slice_count(size=2_500, keys=4, jobs=1, slice_bytes=1_000)
3
>>> slice_count(size=2_500, keys=1, jobs=1, slice_bytes=1_000)  # one employer: no split
1
>>> slice_count(size=20_000_000, keys=2, jobs=4, slice_bytes=10**9)  # for the cores
2
>>> slice_count(size=2_500, keys=9, jobs=2, slice_bytes=1_000)  # two rounds of two
4
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Generic, Protocol, TypeVar

import attrs

__all__ = [
    "MOST_SLICES",
    "PARALLEL_SLICE_BYTES",
    "SLICE_BYTES",
    "EmployerRecord",
    "GroupSlice",
    "PassingStage",
    "RecordStage",
    "SlicedStage",
    "owned",
    "slice_count",
    "slice_of",
    "slice_tasks",
    "sliceable_groups",
    "sliced",
    "with_cut_alone",
]

#: A group of several employers larger than this much XML is read in slices, one for each
#: this many bytes: ``entitlements`` held about 0.18 byte of state a byte of a group's XML
#: (543 MB for the 3.0 GB national mix as secretariat files: docs/performance.md, "A
#: secretariat's group in slices"), so that a slice's process stays near issue 15's
#: 300 MB, the interpreter included: 256 MB for four slices in their own processes, 312
#: MB for three run one after the other in one (``jobs=1``), measured.
SLICE_BYTES = 1_000_000_000
#: No group is cut in more slices than this: each slice parses every file of the group.
MOST_SLICES = 64
#: A group is cut in slices for idle cores only from this much XML on: below it, a
#: process of its own costs more than it saves.
PARALLEL_SLICE_BYTES = 8_000_000


def slice_of(key: str, count: int) -> int:
    """The slice of the employer ``key`` among ``count``: the same in every process and on
    every machine (``zlib.crc32``, not ``hash``)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % count


@attrs.frozen
class GroupSlice:
    """Slice ``number`` of ``count`` of one group, whose read is watched under the task
    index ``watch`` (:class:`~mycareer.regroup.WatchedStage`: the slices are one group)."""

    number: int = attrs.field(validator=attrs.validators.ge(0))
    count: int = attrs.field(validator=attrs.validators.ge(2))
    watch: int

    def __attrs_post_init__(self) -> None:
        if self.number >= self.count:
            raise ValueError(f"slice {self.number} of {self.count}: a slice is below the count")

    @property
    def first(self) -> bool:
        """Whether this slice gives what reading said (the first of its group)."""
        return self.number == 0

    def owns(self, key: str) -> bool:
        """Whether the employer ``key``'s results are this slice's."""
        return slice_of(key, self.count) == self.number


def slice_count(*, size: int, keys: int, jobs: int, slice_bytes: int = SLICE_BYTES) -> int:
    """How many slices a group of ``size`` bytes naming ``keys`` employers is read in:
    the fewest of at most ``slice_bytes`` of XML each (its employers may be more than its
    known ``keys``) that keep the cores busy (``jobs``, the caller's share of the cores,
    no more than ``keys``, from :data:`PARALLEL_SLICE_BYTES` of XML or ``slice_bytes`` if
    smaller: a multiple of them, as the slices run a round a core at a time), never more
    than :data:`MOST_SLICES`; 1 (not split) for a group of one employer."""
    if keys < 2 or size <= 0:
        return 1
    by_size = -(-size // max(1, slice_bytes))  # memory first: as many as the bytes take
    cores = min(jobs, keys) if size >= min(PARALLEL_SLICE_BYTES, slice_bytes) else 1
    rounds = -(-by_size // cores)  # the cores read that many slices each: fill them
    return max(1, min(rounds * cores, MOST_SLICES))


class _Employer(Protocol):
    @property
    def key(self) -> str: ...


class EmployerRecord(Protocol):
    """A record that names its employer (a DmfA worker record), for the stages' wrappers
    (this module's :class:`SlicedStage`, :class:`mycareer.regroup.WatchedStage`)."""

    @property
    def employer(self) -> _Employer: ...


R_in = TypeVar("R_in", bound=EmployerRecord, contravariant=True)


class RecordStage(Protocol[R_in]):
    """A file's stage (:class:`mycareer.xmlio.dmfa.FileStage`, without importing xmlio)."""

    def feed(self, records: Iterable[R_in], /) -> None: ...
    def commit(self) -> None: ...
    def discard(self) -> None: ...


Rec = TypeVar("Rec", bound=EmployerRecord)


class _Cut(Protocol):
    @property
    def cut(self) -> bool: ...


class _Group(Protocol):
    @property
    def size(self) -> int: ...

    @property
    def keys(self) -> tuple[str, ...]: ...


def slice_tasks(
    groups: Sequence[_Group], indexes: Sequence[int], number: int, slicing: tuple[int, int]
) -> tuple[dict[int, int], dict[int, GroupSlice]]:
    """The task indexes of ``groups`` (each read alone, known by its index in ``indexes``)
    from ``number`` on, one a slice (task index: group index), and each slice's
    :class:`GroupSlice` by task index (a group in one piece has none). The cores go to
    these groups (``slicing``: the run's jobs, and the bytes of a slice).

    >>> class Group:
    ...     def __init__(self, size, keys): self.size, self.keys = size, keys
    >>> named, parts = slice_tasks([Group(30, ("A", "B")), Group(5, ("C",))], [4, 7], 10,
    ...                            (1, 10))
    >>> named
    {10: 4, 11: 4, 12: 4, 13: 7}
    >>> parts[12]
    GroupSlice(number=2, count=3, watch=10)
    """
    jobs, slice_bytes = slicing
    share = max(1, jobs // max(1, len(groups)))
    named: dict[int, int] = {}
    parts: dict[int, GroupSlice] = {}
    for index, group in zip(indexes, groups, strict=True):
        count = slice_count(size=group.size, keys=len(group.keys), jobs=share,
                            slice_bytes=slice_bytes)  # fmt: skip
        for part in range(count):
            named[number + part] = index
            if count > 1:
                parts[number + part] = GroupSlice(part, count, watch=number)
        number += count
    return named, parts


def sliceable_groups(
    groups: Sequence[_Group], jobs: int, slice_bytes: int, *, skip: Collection[int] = ()
) -> frozenset[int]:
    """The groups of a plan (but ``skip``) that would be read in slices if they held
    several employers' forms (their headers name one each: a secretariat's files that all
    open with the same client): their reads stop at an employer no header names
    (``strangers``), and they are read again in slices (:func:`with_cut_alone`)."""
    share = max(1, jobs // max(1, len(groups) - len(skip)))
    return frozenset(
        index
        for index, group in enumerate(groups)
        if index not in skip
        and slice_count(size=group.size, keys=2, jobs=share, slice_bytes=slice_bytes) > 1
    )


def with_cut_alone(
    joins: Sequence[tuple[int, ...]], results: Sequence[_Cut]
) -> list[tuple[int, ...]]:
    """``joins`` and, alone, each group whose read stopped (``cut``) that no join holds:
    it stopped at an employer no other group names (``strangers``), and is read again.

    >>> class Result:
    ...     def __init__(self, cut): self.cut = cut
    >>> with_cut_alone([(0, 2)], [Result(True), Result(True), Result(False)])
    [(0, 2), (1,)]
    """
    joined = {index for indexes in joins for index in indexes}
    alone = [(index,) for index, r in enumerate(results) if r.cut and index not in joined]
    return sorted([*joins, *alone])


class PassingStage(Generic[Rec]):
    """A file stage that passes on to ``stage`` what :meth:`_passed` keeps of the records
    fed, and commits or discards with it: the shape of the stages' wrappers
    (:class:`SlicedStage`, :class:`mycareer.regroup.WatchedStage`)."""

    __slots__ = ("_stage",)

    def __init__(self, stage: RecordStage[Rec]) -> None:
        self._stage = stage

    def feed(self, records: Iterable[Rec], /) -> None:
        self._stage.feed(self._passed(records))

    def _passed(self, records: Iterable[Rec]) -> Iterator[Rec]:
        raise NotImplementedError

    def commit(self) -> None:
        self._stage.commit()

    def discard(self) -> None:
        self._stage.discard()


class SlicedStage(PassingStage[Rec]):
    """A file stage that passes on only the records of ``part``'s employers.

    >>> class Employer:
    ...     def __init__(self, key): self.key = key
    >>> class Record:
    ...     def __init__(self, employer): self.employer = employer
    >>> class Kept(list):
    ...     def feed(self, records): self.extend(records)
    >>> a, b = Employer("0403019261"), Employer("0203430576")
    >>> kept = Kept()
    >>> SlicedStage(kept, GroupSlice(0, 3, watch=0)).feed([Record(a), Record(b), Record(a)])
    >>> [r.employer.key for r in kept]
    ['0203430576']
    """

    __slots__ = ("_part",)

    def __init__(self, stage: RecordStage[Rec], part: GroupSlice) -> None:
        super().__init__(stage)
        self._part = part

    def _passed(self, records: Iterable[Rec]) -> Iterator[Rec]:
        return _of_part(records, self._part)


def _of_part(records: Iterable[Rec], part: GroupSlice) -> Iterator[Rec]:
    """The ``records`` of ``part``'s employers, each employer looked up once a run of its
    records (a form's records share their employer)."""
    owns = part.owns
    last: object = None
    keep = False
    for record in records:
        employer = record.employer
        if employer is not last:
            last, keep = employer, owns(employer.key)
        if keep:
            yield record


def sliced(
    stage: Callable[[], RecordStage[Rec]], part: GroupSlice | None
) -> Callable[[], RecordStage[Rec]]:
    """A maker of :class:`SlicedStage` of ``part`` around ``stage``'s stages, or ``stage``
    itself for a group read in one piece (``part`` None)."""
    if part is None:
        return stage
    return lambda: SlicedStage(stage(), part)


def owned(records: Iterable[Rec], part: GroupSlice | None) -> tuple[Rec, ...]:
    """The ``records`` of ``part``'s employers (all of them for a group in one piece)."""
    return tuple(records if part is None else _of_part(records, part))
