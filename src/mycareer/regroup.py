"""Which groups of a run by employer must be read again together, once they are read.

A plan (:mod:`mycareer.plans`) groups files by the employer their header names, from a
pre-scan that stops at the first worker. Reading says more: a file of several forms (a
social secretariat's batch: ``Form`` is unbounded in the DmfA XSDs) names employers its
header does not, a correction or a rejected file names one of another group, and two
groups may declare a quarter under one identifier (an NSSO number of two enterprise
numbers, which only a read of both gives: ``DMFA_NSSO_NUMBER_SHARED``, from
:mod:`mycareer.dmfa_update`).

An employer's results depend only on the files that name it, so a group's results are
those of one read of everything as long as no other group names one of its employers or
declares one of its quarters. :func:`groups_to_join` says which groups share an employer
(named by the header of one, by the records of another) or a declared quarter, joined
transitively; :func:`joined_plan` puts each such set in one group, to be read again while
every other group's results stand. A result naming :data:`UNKNOWN_EMPLOYER` (a file
rejected before its employer could be read, which concerns every employer's results,
:mod:`mycareer.fla.incomplete`) leaves only one read of everything.

>>> from mycareer.plans import EmployerGroup, Plan
>>> from mycareer.quarter import Quarter
>>> groups = (EmployerGroup(("A",), ("a.xml",)), EmployerGroup(("B",), ("b.xml",)),
...           EmployerGroup(("C",), ("c.xml",)))
>>> read = [Named(frozenset({"A", "B"})), Named(frozenset({"B"})), Named(frozenset({"C", "D"}))]
>>> groups_to_join(groups, read)
[(0, 1)]
>>> plan, sources = joined_plan(Plan(groups, ("a.xml", "b.xml", "c.xml")), [(0, 1)], read)
>>> [(g.keys, g.files) for g in plan.groups], sources
([(('A', 'B'), ('a.xml', 'b.xml')), (('C',), ('c.xml',))], [None, 2])
>>> groups_to_join(groups, [*read[:2], Named(frozenset({UNKNOWN_EMPLOYER}))]) is None
True
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import attrs

from mycareer.correction_groups import UnionFind
from mycareer.group_slices import EmployerRecord, PassingStage, RecordStage
from mycareer.plans import EmployerGroup, Plan
from mycareer.quarter import Quarter

__all__ = [
    "UNKNOWN_EMPLOYER",
    "HeaderMap",
    "Named",
    "NamesAnotherGroup",
    "NamesEmployers",
    "WatchedStage",
    "disjoint_groups",
    "groups_to_join",
    "header_groups",
    "joined_plan",
    "watched",
]

#: The "employer key" of a rejected file whose employer could not be read: no group's.
UNKNOWN_EMPLOYER = "?"


class NamesEmployers(Protocol):
    """A group's result that says which employer keys its records named, and under which
    identifiers they declared each quarter (:func:`~mycareer.read_order.declared_ids`)."""

    @property
    def keys(self) -> frozenset[str]: ...

    @property
    def ids(self) -> frozenset[tuple[Quarter, str]]: ...


@attrs.frozen
class Named:
    """What a group's records named, for runs whose results do not carry it themselves."""

    keys: frozenset[str]
    ids: frozenset[tuple[Quarter, str]] = frozenset()


def groups_to_join(
    groups: Sequence[EmployerGroup], results: Sequence[NamesEmployers]
) -> list[tuple[int, ...]] | None:
    """The sets of groups to read together (each of two groups or more, sorted), none when
    the groups are apart; None when only one read of everything is exact (a result names
    :data:`UNKNOWN_EMPLOYER`).

    Groups share an employer when one's header keys or records name an employer that
    another's do, and a slot when both declared a quarter under one identifier.
    """
    sets: UnionFind[int] = UnionFind()
    owner: dict[object, int] = {}
    shared = False
    for index, (group, result) in enumerate(zip(groups, results, strict=True)):
        if UNKNOWN_EMPLOYER in result.keys:
            return None
        for claim in (*group.keys, *result.keys, *result.ids):
            first = owner.setdefault(claim, index)
            if first != index:  # rare: no union-find work for groups that share nothing
                sets.join(first, index)
                shared = True
    if not shared:
        return []
    together: dict[int, list[int]] = {}
    for index in range(len(groups)):
        together.setdefault(sets.find(index), []).append(index)
    return sorted(tuple(found) for found in together.values() if len(found) > 1)


def disjoint_groups(groups: Sequence[EmployerGroup], results: Sequence[NamesEmployers]) -> bool:
    """Whether every group's results stand as read: no two groups name one employer or
    declare a quarter under one identifier, and no result names an unknown employer."""
    return groups_to_join(groups, results) == []


def joined_plan(
    plan: Plan, joins: Sequence[Sequence[int]], results: Sequence[NamesEmployers]
) -> tuple[Plan, list[int | None]]:
    """``plan`` with the groups of each of ``joins`` as one group, and for each group of
    the new plan the index of the group it was in ``plan`` (None: a joined group).

    A joined group holds its groups' files in the plan's file order, and as keys their
    keys and every employer their records named (where its results go); the groups stay
    in result order (:attr:`~mycareer.plans.EmployerGroup.order`).
    """
    joined = {index for indexes in joins for index in indexes}
    made: list[tuple[EmployerGroup, int | None]] = [
        (group, index) for index, group in enumerate(plan.groups) if index not in joined
    ]
    place = {path: number for number, path in enumerate(plan.files)}
    for indexes in joins:
        members = [plan.groups[i] for i in indexes]
        keys = {key for i in indexes for key in (*plan.groups[i].keys, *results[i].keys)}
        files = sorted((f for group in members for f in group.files), key=place.__getitem__)
        size = sum(group.size for group in members)
        made.append((EmployerGroup(tuple(sorted(keys)), tuple(files), size), None))
    made.sort(key=lambda item: item[0].order)
    groups = tuple(group for group, _source in made)
    return attrs.evolve(plan, groups=groups), [source for _group, source in made]


class NamesAnotherGroup(Exception):
    """A group's records named an employer that another group's headers name: the two
    groups are read again together (:func:`groups_to_join` joins them), so the rest of
    this read could only be thrown away. ``key`` is that employer's."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class HeaderMap(Mapping[str, int]):
    """Each employer key of a plan's headers and its group's index (:func:`header_groups`).

    Pickled, for a worker process of this machine, by the name of a file that holds it:
    a national run has some 250,000 keys and thousands of tasks, and the map pickled with
    each task cost the calling process more than the tasks (it was not sent beyond
    2,000,000 key-task pairs, and such runs read on). The file is written when the map is
    first pickled and removed when the map is collected (or the interpreter exits); an
    unpickled map reads it at its first lookup, which :class:`WatchedStage` makes only at
    an employer its file did not open with: the tasks of files of one employer never
    read it. ``inline=True`` makes a map pickled whole, for workers that do not share
    this machine's files (Dask).

    >>> import pickle
    >>> groups = HeaderMap({"A": 0, "B": 1})
    >>> sent = pickle.loads(pickle.dumps(groups))
    >>> sent.get("B", 0), sent.get("X", 0), dict(sent) == dict(groups)
    (1, 0, True)
    """

    __slots__ = ("__weakref__", "_file", "_groups", "_inline", "_lock")

    def __init__(self, groups: Mapping[str, int], *, inline: bool = False) -> None:
        self._groups: dict[str, int] | None = dict(groups)
        self._file: str | None = None
        self._inline = inline
        self._lock = threading.Lock()

    @classmethod
    def _from_file(cls, file: str) -> HeaderMap:
        sent = cls({})
        sent._groups, sent._file = None, file
        return sent

    def __reduce__(self) -> tuple[Any, ...]:
        if self._inline:
            return _inline_map, (self._loaded(),)
        return HeaderMap._from_file, (self._written(),)

    def _written(self) -> str:
        with self._lock:  # a pool pickles its calls in a thread of its own
            if self._file is None:
                descriptor, file = tempfile.mkstemp(prefix="mycareer-header-map-", suffix=".pickle")
                with os.fdopen(descriptor, "wb") as out:
                    pickle.dump(self._groups, out, protocol=pickle.HIGHEST_PROTOCOL)
                self._file = file
                weakref.finalize(self, _remove_quietly, file)
            return self._file

    def _loaded(self) -> dict[str, int]:
        groups = self._groups
        if groups is None:
            assert self._file is not None
            # Our own file (mkstemp: this user's, mode 0600), written by _written above.
            with open(self._file, "rb") as given:
                groups = self._groups = pickle.load(given)
        return groups

    def get(self, key: str, default: int) -> int:  # type: ignore[override]
        return self._loaded().get(key, default)

    def __getitem__(self, key: str) -> int:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def _inline_map(groups: dict[str, int]) -> HeaderMap:
    return HeaderMap(groups, inline=True)


def _remove_quietly(file: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(file)


def header_groups(groups: Sequence[EmployerGroup], *, alone: bool = False) -> HeaderMap | None:
    """Each employer key of the groups' headers and its group's index, for
    :class:`WatchedStage`; None when there is no other group to meet (unless ``alone``:
    a group watched for employers its headers do not name, ``strangers``).

    >>> dict(header_groups([EmployerGroup(("A", "B"), ("a.xml",)),
    ...                     EmployerGroup(("C",), ("c.xml",))]))
    {'A': 0, 'B': 0, 'C': 1}
    """
    if len(groups) < 2 and not alone:
        return None
    return HeaderMap({key: index for index, group in enumerate(groups) for key in group.keys})


R = TypeVar("R", bound=EmployerRecord)
S = TypeVar("S", bound="RecordStage[Any]")


class WatchedStage(PassingStage[R]):
    """A file stage of group ``own`` that raises :class:`NamesAnotherGroup` at the first
    record of an employer whose key ``groups`` (:func:`header_groups`) gives to another
    group: a file of several employers' forms (a social secretariat's quarterly file of
    all its clients) then stops there instead of being read, computed and thrown away.
    A file's first employer is its group's (the plan knows the file by it) and is not
    looked up; were it another's, the read would go on and the join follow from its
    result, as without a map. With ``strangers``, the read stops as well at an employer
    no group's headers name (a large group of several employers is then read again in
    slices, :mod:`mycareer.group_slices`).

    >>> class Employer:
    ...     def __init__(self, key): self.key = key
    >>> class Record:
    ...     def __init__(self, key): self.employer = Employer(key)
    >>> class Kept(list):
    ...     def feed(self, records): self.extend(records)
    >>> kept = Kept()
    >>> WatchedStage(kept, 0, {"A": 0, "B": 1}).feed(Record(k) for k in "AXB")
    Traceback (most recent call last):
    ...
    mycareer.regroup.NamesAnotherGroup: B
    >>> [r.employer.key for r in kept]
    ['A', 'X']
    >>> WatchedStage(Kept(), 0, {"A": 0, "B": 1}, strangers=True).feed(Record(k) for k in "AXB")
    Traceback (most recent call last):
    ...
    mycareer.regroup.NamesAnotherGroup: X
    """

    __slots__ = ("_groups", "_own", "_stranger")

    def __init__(
        self, stage: RecordStage[R], own: int, groups: Mapping[str, int], *, strangers: bool = False
    ) -> None:
        super().__init__(stage)
        self._own, self._groups = own, groups
        #: What an employer of no group's headers counts as: its own, or none (-1).
        self._stranger = -1 if strangers else own

    def _passed(self, records: Iterable[R]) -> Iterator[R]:
        groups, own, stranger = self._groups, self._own, self._stranger
        records = iter(records)
        first = next(records, None)
        if first is None:
            return
        last: object = first.employer  # the file opens with its group's employer
        opening = first.employer.key
        yield first
        for record in records:
            employer = record.employer
            if employer is not last:  # a form's records share their employer
                last = employer
                key = employer.key
                # Looked up only past the opening employer: a task of files of one
                # employer never reads a map sent by file (HeaderMap).
                if key != opening and groups.get(key, stranger) != own:
                    raise NamesAnotherGroup(key)
            yield record


def watched(
    stage: Callable[[], S],
    own: int | None,
    groups: Mapping[str, int] | None,
    *,
    strangers: bool = False,
) -> Callable[[], S | WatchedStage[Any]]:
    """A maker of :class:`WatchedStage` of group ``own`` around ``stage``'s stages, or
    ``stage`` itself when there is no map (``groups``) or no index to watch for."""
    if groups is None or own is None:
        return stage
    return lambda: WatchedStage(stage(), own, groups, strangers=strangers)
