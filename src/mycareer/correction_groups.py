"""Employer groups for DmfA input with corrections: each correction with its employer.

A modification declaration (``DmfAUpdate``) or an ONSS consultation answer
(``DmfAConsultationAnswer``) corrects one employer's quarter, which it names by its
enterprise number or its NSSO number, or both; the correction applies to the original
that shares either (:func:`~mycareer.dmfa_update.employer_ids`). Files whose headers
share an identifier therefore go in one group (:func:`groups_from_headers`), so that the
runs by employer (:mod:`mycareer.pipeline`, :mod:`mycareer.account_jobs`) read each
employer's originals and corrections together, and a country's corrections no longer
send the whole input through one read in one process. A correction file names every
employer its forms correct (:func:`~mycareer.xmlio.headers.scan_employer` reads them
all: a social secretariat may send one file for several employers), so they all go in
its group. An original that names an employer its header does not (several forms) is
caught after reading: the groups that then name one employer are read again together
(:mod:`mycareer.regroup`).

>>> from importlib import resources
>>> from mycareer.xmlio.headers import scan_employers
>>> demo = resources.files("mycareer.data.demo")
>>> files = [str(demo / "dmfa" / "dmfa-0403019261-20253.xml"),
...          str(demo / "corrections" / "dmfa-update-0403019261-20253.xml")]
>>> groups, quarters = groups_from_headers(files, [0, 0], scan_employers(files))
>>> [(keys, len(group)) for keys, group, _size in groups], quarters
([(('0403019261',), 2)], [Quarter(year=2025, number=3), Quarter(year=2025, number=3)])
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa_update import CONSULTATION_ROOT, UPDATE_ROOT
from mycareer.xmlio.headers import ORIGINAL_ROOT, EmployerHeader

__all__ = ["CORRECTION_ROOTS", "Group", "UnionFind", "groups_from_headers", "other_kind"]

H = TypeVar("H", bound=Hashable)

#: The roots of the documents that correct an original.
CORRECTION_ROOTS = frozenset({UPDATE_ROOT, CONSULTATION_ROOT})
_GROUPED = frozenset({ORIGINAL_ROOT, *CORRECTION_ROOTS})


def other_kind(root: str | None) -> bool:
    """Whether a file whose root is ``root`` is a document of another kind than a DmfA
    original or correction (None: its root could not be read).

    >>> other_kind("Dimona"), other_kind("DmfAUpdate"), other_kind(None)
    (True, False, False)
    """
    return root is not None and root not in _GROUPED


#: A group: its employer keys (sorted), its files (input order), their size.
Group = tuple[tuple[str, ...], tuple[str, ...], int]


class UnionFind(Generic[H]):
    """Names joined together end up in one set (identifiers that one file names here;
    groups that share an employer in :mod:`mycareer.regroup`)."""

    def __init__(self) -> None:
        self.parent: dict[H, H] = {}

    def find(self, name: H) -> H:
        parent = self.parent.setdefault(name, name)
        while parent != self.parent[parent]:
            parent = self.parent[parent]
        self.parent[name] = parent
        return parent

    def join(self, first: H, second: H) -> None:
        self.parent[self.find(second)] = self.find(first)


def groups_from_headers(
    files: Sequence[str], sizes: Sequence[int], headers: Sequence[EmployerHeader]
) -> tuple[list[Group], list[Quarter]]:
    """The groups of ``files`` (sizes ``sizes``) and the quarters their headers declare,
    from each one's :func:`~mycareer.xmlio.headers.scan_employer`.

    A file whose header names no employer is a group of its own, with no key (reading it
    reports its problem): the plan is then not by employer, and the run one read, unless
    the file is no document at all, a DmfA original, or a document of another kind
    (:func:`~mycareer.plans.plan_employers` says so). A document of another kind named
    twice is one group: one read sorts it once.
    """
    union: UnionFind[str] = UnionFind()
    for _root, _key, _quarter, ids in headers:
        for other in ids[1:]:
            union.join(ids[0], other)
    together: dict[str, list[int]] = {}
    groups: list[Group] = []
    aside: set[str] = set()
    for index, (root, _key, _quarter, ids) in enumerate(headers):
        if ids:  # a key, and its identifiers
            together.setdefault(union.find(ids[0]), []).append(index)
        elif files[index] not in aside:
            groups.append(((), (files[index],), sizes[index]))
            if other_kind(root):
                aside.add(files[index])
    for members in together.values():
        keys = tuple(sorted({key for i in members if (key := headers[i][1])}))
        size = sum(sizes[i] for i in members)
        groups.append((keys, tuple(files[i] for i in members), size))
    return groups, [quarter for _root, _key, quarter, _ids in headers if quarter is not None]
