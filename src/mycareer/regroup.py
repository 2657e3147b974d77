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

from collections.abc import Sequence
from typing import Protocol

import attrs

from mycareer.correction_groups import UnionFind
from mycareer.plans import EmployerGroup, Plan
from mycareer.quarter import Quarter

__all__ = [
    "UNKNOWN_EMPLOYER",
    "Named",
    "NamesEmployers",
    "disjoint_groups",
    "groups_to_join",
    "joined_plan",
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
