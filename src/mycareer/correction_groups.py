"""Employer groups for DmfA input with corrections: each correction with its employer.

A modification declaration (``DmfAUpdate``) or an ONSS consultation answer
(``DmfAConsultationAnswer``) corrects one employer's quarter, which it names by its
enterprise number or its NSSO number, or both; the correction applies to the original
that shares either (:func:`~mycareer.dmfa_update.employer_ids`). Files whose headers
share an identifier therefore go in one group (:func:`correction_groups`), so that the
runs by employer (:mod:`mycareer.pipeline`, :mod:`mycareer.account_jobs`) read each
employer's originals and corrections together, and a country's corrections no longer
send the whole input through one read in one process. A file that names an employer its
header does not (several forms) is caught after reading, as for originals
(:func:`~mycareer.pipeline.disjoint_groups`).

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa"
>>> files = sorted(str(p) for p in demo.iterdir())[:2]
>>> [(keys, len(group)) for keys, group, _size in correction_groups(files, [0, 0])[0]]
[(('0403019261',), 2)]
"""

from __future__ import annotations

from collections.abc import Sequence

from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa_update import CONSULTATION_ROOT, UPDATE_ROOT
from mycareer.xmlio.headers import ORIGINAL_ROOT, EmployerHeader, scan_employers

__all__ = ["CORRECTION_ROOTS", "Group", "correction_groups", "groups_from_headers"]

#: The roots of the documents that correct an original.
CORRECTION_ROOTS = frozenset({UPDATE_ROOT, CONSULTATION_ROOT})
_GROUPED = frozenset({ORIGINAL_ROOT, *CORRECTION_ROOTS})

#: A group: its employer keys (sorted), its files (input order), their size.
Group = tuple[tuple[str, ...], tuple[str, ...], int]


class _Union:
    """Identifiers that one file names together end up in one set."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, name: str) -> str:
        parent = self.parent.setdefault(name, name)
        while parent != self.parent[parent]:
            parent = self.parent[parent]
        self.parent[name] = parent
        return parent

    def join(self, first: str, second: str) -> None:
        self.parent[self.find(second)] = self.find(first)


def correction_groups(
    files: Sequence[str], sizes: Sequence[int]
) -> tuple[list[Group], list[Quarter]] | None:
    """The groups of ``files`` (sizes ``sizes``) and the quarters their headers declare,
    from a scan of each header (:func:`~mycareer.xmlio.headers.scan_employers`); None when
    a file is neither a DmfA original nor a correction (one read of everything then).

    A file whose header names no employer is a group of its own, with no key (reading it
    reports its problem): the plan is then not by employer, and the run one read.
    """
    return groups_from_headers(files, sizes, scan_employers(list(files)))


def groups_from_headers(
    files: Sequence[str], sizes: Sequence[int], headers: Sequence[EmployerHeader]
) -> tuple[list[Group], list[Quarter]] | None:
    """:func:`correction_groups` from headers scanned elsewhere (on a cluster)."""
    if any(root is not None and root not in _GROUPED for root, *_rest in headers):
        return None
    union = _Union()
    scanned = []
    for _root, key, quarter, ids in headers:
        scanned.append((key, ids, quarter))
        for other in ids[1:]:
            union.join(ids[0], other)
    together: dict[str, list[int]] = {}
    groups: list[Group] = []
    for index, (key, ids, _quarter) in enumerate(scanned):
        if key is None or not ids:
            groups.append(((), (files[index],), sizes[index]))
        else:
            together.setdefault(union.find(ids[0]), []).append(index)
    for members in together.values():
        keys = tuple(sorted({k for k, _ids, _q in (scanned[i] for i in members) if k}))
        size = sum(sizes[i] for i in members)
        groups.append((keys, tuple(files[i] for i in members), size))
    quarters = [quarter for _key, _ids, quarter in scanned if quarter is not None]
    return groups, quarters
