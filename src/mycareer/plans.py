"""Which files go together: the plan of a run by employer, from a pre-scan of headers.

:func:`plan_employers` reads each file's header up to its first worker and groups the
files by employer (:class:`EmployerGroup`), so that a run computes each employer on its
own, in any process (:mod:`mycareer.pipeline`, :mod:`mycareer.account_jobs`,
:mod:`mycareer.timeline_jobs`, :mod:`mycareer.dask`). DmfA corrections go with the
originals of the employer they name (:mod:`mycareer.correction_groups`).

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa"
>>> plan = plan_employers([str(demo)])
>>> [group.keys for group in plan.groups], plan.by_employer, len(plan.quarters)
([('0403019261',)], True, 13)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping, Sequence

import attrs

from mycareer.correction_groups import CORRECTION_ROOTS, groups_from_headers, other_kind
from mycareer.errors import InvalidValueError
from mycareer.quarter import Quarter
from mycareer.xmlio.documents import DocumentKind, sniff_document
from mycareer.xmlio.headers import (
    ORIGINAL_ROOT,
    EmployerHeader,
    Header,
    scan_kinds_and_employers,
)
from mycareer.xmlio.reading import input_files

__all__ = [
    "EmployerGroup",
    "FileScan",
    "Plan",
    "mark_alone_files",
    "plan_employers",
    "plan_from_employers",
    "plan_from_headers",
    "plan_with_corrections",
    "total_bytes",
]


#: A DmfA original's kind and declared quarter as a plan's pre-scan read them (its root
#: and employer are its group's): None when its group reads its beginning again.
FileScan = tuple[DocumentKind, Quarter | None] | None


@attrs.frozen
class EmployerGroup:
    """Files to read together: every file of the employers ``keys`` (in input order).

    ``keys`` is empty for a file whose header could not be pre-scanned: it is
    read alone, and reading it reports its problem.
    """

    keys: tuple[str, ...]
    files: tuple[str, ...]
    size: int = 0
    #: What the plan's pre-scan read of each file (:func:`plan_employers`, one employer's
    #: originals), for :meth:`known_headers`; empty when not kept. Compared by nothing:
    #: a plan is the same grouping however its headers were scanned.
    scanned: tuple[FileScan, ...] = attrs.field(default=(), eq=False, repr=False)

    def known_headers(self) -> dict[str, tuple[DocumentKind, Header]]:
        """Each file's kind and header (:func:`~mycareer.xmlio.headers.scan_document`'s) as
        the plan's pre-scan read them, for the files it kept them of: reading the group
        does not read those beginnings again (docs/performance.md, "Small employers")."""
        if len(self.keys) != 1 or len(self.scanned) != len(self.files):
            return {}
        key = self.keys[0]
        return {
            name: (scan[0], (ORIGINAL_ROOT, key, scan[1]))
            for name, scan in zip(self.files, self.scanned, strict=True)
            if scan is not None
        }

    @property
    def order(self) -> str:
        """Where the group's results go: its smallest employer key (files last)."""
        return min(self.keys) if self.keys else "\uffff" + self.files[0]


@attrs.frozen
class Plan:
    """The groups of a run, in result order, and every file in input order.

    ``quarters`` are the distinct quarters the files' headers declare, sorted (empty
    when not pre-scanned); a file whose header has none adds nothing.
    """

    groups: tuple[EmployerGroup, ...]
    files: tuple[str, ...]
    quarters: tuple[Quarter, ...] = ()
    #: Whether DmfA corrections are among the files, each in its employer's group.
    corrections: bool = False
    #: Files that are no document at all (empty, not XML: their root cannot be read), each
    #: a group of its own that contributes its error alone, whichever way it is read.
    not_documents: frozenset[str] = frozenset()
    #: What listing the paths refused (a dangling link, an unreadable folder...): one read
    #: reports them after every file's errors; the runs put them there too. Compared by
    #: nothing (exceptions compare by identity): two plans of the same paths are equal.
    problems: tuple[InvalidValueError, ...] = attrs.field(default=(), eq=False)
    #: DmfA originals whose header names no employer that the pre-scan could read (cut
    #: before it, an invalid enterprise number...), each a group of its own. Reading one
    #: rejects it with no employer known, which concerns every employer's results
    #: (:mod:`mycareer.fla.incomplete`): the entitlement runs read these first and give
    #: their rejections to every other group (:func:`mycareer.pipeline.execute`); a run
    #: falls back to one read if such a file turns out to hold records.
    headless: frozenset[str] = frozenset()
    #: Documents of other kinds than DmfA (a Dimona declaration, a personnel file, a
    #: document of no known kind...) among DmfA originals and corrections, each a group
    #: of its own. The DmfA runs (entitlements, accounts) read it alone, which says one
    #: thing of it (a ``DOCUMENT_NOT_READ`` finding, or its error), as their one read of
    #: everything does; the timeline reads Dimona and personnel files, and so does not go by this
    #: plan (:attr:`by_employer` is False).
    other_kinds: frozenset[str] = frozenset()
    #: DmfA corrections none of whose forms names an employer the pre-scan could read (cut
    #: before it, every form's numbers invalid...), each a group of its own. Reading one
    #: is all or nothing, and a form whose employer cannot be read gives its error and
    #: none of its lines: such a file gives its errors only, whichever way it is read.
    unnamed_corrections: frozenset[str] = frozenset()

    @property
    def by_employer(self) -> bool:
        """Whether every group is known by its employers, or is one file that is no
        document, one DmfA original whose header could not be read or one correction
        naming no employer (else: there are files of other kinds, or one group of every
        file)."""
        return self._by_employer(self.not_documents | self.headless | self.unnamed_corrections)

    @property
    def dmfa_by_employer(self) -> bool:
        """:attr:`by_employer` for the runs that read DmfA only (entitlements, accounts):
        the files of :attr:`other_kinds` are groups of their own too."""
        alone = self.not_documents | self.headless | self.unnamed_corrections
        return self._by_employer(alone | self.other_kinds)

    def _by_employer(self, alone: frozenset[str]) -> bool:
        return all(group.keys or set(group.files) <= alone for group in self.groups)

    @property
    def headless_groups(self) -> tuple[int, ...]:
        """The indexes of the groups of :attr:`headless` files (none built when none)."""
        if not self.headless:
            return ()
        return tuple(i for i, g in enumerate(self.groups) if set(g.files) <= self.headless)


def plan_employers(paths: Iterable[str | os.PathLike[str]], jobs: int = 1) -> Plan:
    """Group the DmfA files of ``paths`` by employer (header pre-scan), in result order.

    Files and folders are expanded as every reader does (recursively, sorted). DmfA
    corrections (updates, consultation answers) go with the originals of the employer
    they name (:func:`~mycareer.correction_groups.groups_from_headers`, from the
    identifiers the same scan read, :func:`~mycareer.xmlio.headers.scan_kind_and_employer`). One
    group holding every file is returned when no file was found; what listing refused is
    in :attr:`Plan.problems`. A file whose header could not be read is a group of its
    own, with no key: the plan stays by employer when the file is no document at all
    (:attr:`Plan.not_documents`), a DmfA original (:attr:`Plan.headless`) or a correction
    none of whose forms names an employer (:attr:`Plan.unnamed_corrections`; one whose
    later forms name one goes with that employer). So is a document of another kind
    among DmfA files, corrections or not (:attr:`Plan.other_kinds`: by employer for the
    DmfA runs only, :attr:`Plan.dmfa_by_employer`).
    ``jobs``: processes for the pre-scan of many files
    (:func:`~mycareer.xmlio.headers.scan_kinds_and_employers`). Each file's beginning is
    read once, and the groups keep what it said (:attr:`EmployerGroup.scanned`).
    """
    given = tuple(str(os.fspath(p)) for p in paths)
    files, problems = input_files(given)
    if not files:
        return Plan((EmployerGroup((), given, 0),), given)
    names = [str(p) for p in files]
    scanned = scan_kinds_and_employers(names, jobs)
    kinds = [kind for kind, _header in scanned]
    headers = [header for _kind, header in scanned]
    del scanned
    sizes = [total_bytes([path]) for path in names]
    plan = plan_from_employers(names, sizes, headers, kinds=kinds)
    return attrs.evolve(mark_alone_files(plan), problems=tuple(problems))


def mark_alone_files(
    plan: Plan,
    roots: Mapping[str, str | None] | None = None,
) -> Plan:
    """``plan`` with its groups of one file whose header could not be read marked: the
    files that are no document, the DmfA originals (:attr:`Plan.headless`) and the
    corrections (:attr:`Plan.unnamed_corrections`: the scan read every form's numbers
    and found none). One empty, not XML or cut file among a country's files no longer
    sends the run to one read of everything in one process (every record held); reading
    a file that is no document gives its error alone, as one read does
    (:func:`~mycareer.xmlio.flows.sort_documents`), and so does a correction that names
    no employer (should one still correct a line, its group names that employer, and the
    runs read it again with that employer's group: :mod:`mycareer.regroup`).

    ``roots``: each file's root as the plan's scan read it (None where it could not,
    as :func:`~mycareer.xmlio.headers.scan_kind_and_employer` gives it); without them,
    the beginning of each such file is read again here.
    """
    alone = [
        group.files[0]
        for group in plan.groups
        if not group.keys and len(group.files) == 1 and group.files[0] not in plan.other_kinds
    ]
    root_of = _root if roots is None else roots.__getitem__
    found = {path: root_of(path) for path in alone}
    if not found:
        return plan
    unread = frozenset(path for path, root in found.items() if root is None)
    originals = frozenset(path for path, root in found.items() if root == ORIGINAL_ROOT)
    unnamed = frozenset(path for path, root in found.items() if root in CORRECTION_ROOTS)
    return attrs.evolve(
        plan,
        not_documents=unread,
        headless=originals,
        unnamed_corrections=unnamed,
    )


def _root(path: str) -> str | None:
    """The file's root element, None when it cannot be read (whatever the document)."""
    try:
        return sniff_document(path, name=path).root
    except InvalidValueError:
        return None


def plan_from_employers(
    files: Sequence[str],
    sizes: Sequence[int],
    headers: Sequence[EmployerHeader],
    *,
    kinds: Sequence[DocumentKind | None] = (),
) -> Plan:
    """The plan of ``files`` from each one's :func:`~mycareer.xmlio.headers.scan_employer`
    (scanned here or elsewhere, on a cluster) and size: corrections with their employer
    (:func:`plan_with_corrections`), else as :func:`plan_from_headers` plans. With
    ``kinds`` (:func:`~mycareer.xmlio.headers.scan_kind_and_employer`), the groups keep
    what the scan read (:attr:`EmployerGroup.scanned`)."""
    if any(root in CORRECTION_ROOTS for root, *_rest in headers):
        return plan_with_corrections(files, sizes, headers, kinds=kinds)
    short = [(root, key, size) for (root, key, _q, _ids), size in zip(headers, sizes, strict=True)]
    quarters = [quarter for _root, _key, quarter, _ids in headers]
    return plan_from_headers(files, short, quarters, kinds=kinds)


def plan_with_corrections(
    files: Sequence[str],
    sizes: Sequence[int],
    headers: Sequence[EmployerHeader],
    *,
    kinds: Sequence[DocumentKind | None] = (),
) -> Plan:
    """The plan of input holding DmfA corrections, each with its employer's originals
    (:func:`~mycareer.correction_groups.groups_from_headers`); a document of another
    kind is a group of its own (:attr:`Plan.other_kinds`). ``kinds`` as
    :func:`plan_from_employers` takes them."""
    grouped, quarters = groups_from_headers(files, sizes, headers)
    of = _scans_of(files, [h[:3] for h in headers], kinds)
    made = (EmployerGroup(*group, scanned=_kept(group[0], group[1], of)) for group in grouped)
    groups = tuple(sorted(made, key=lambda g: g.order))
    others = _other_kinds(files, [root for root, *_rest in headers])
    quarters = sorted(set(quarters))
    return Plan(groups, tuple(files), tuple(quarters), corrections=True, other_kinds=others)


def _other_kinds(files: Sequence[str], roots: Sequence[str | None]) -> frozenset[str]:
    """The documents of another kind (:func:`~mycareer.correction_groups.other_kind`)."""
    return frozenset(path for path, root in zip(files, roots, strict=True) if other_kind(root))


def _scans_of(
    files: Sequence[str], headers: Sequence[Header], kinds: Sequence[DocumentKind | None]
) -> dict[str, tuple[str | None, FileScan]]:
    """Each file's employer key and :data:`FileScan` (None but for a DmfA original whose
    kind was read), equal scans shared: a country's files hold a few kinds and quarters,
    and a plan keeps one reference a file. Empty without ``kinds``."""
    if len(kinds) != len(files):
        return {}
    shared: dict[tuple[DocumentKind, Quarter | None], FileScan] = {}
    of: dict[str, tuple[str | None, FileScan]] = {}
    for name, (root, key, quarter), kind in zip(files, headers, kinds, strict=True):
        scan = None
        if kind is not None and root == ORIGINAL_ROOT:
            scan = shared.setdefault((kind, quarter), (kind, quarter))
        of[name] = (key, scan)
    return of


def _kept(
    keys: tuple[str, ...], files: Sequence[str], of: dict[str, tuple[str | None, FileScan]]
) -> tuple[FileScan, ...]:
    """What a group keeps of its files' scans: those of its one employer's originals (a
    correction among them, or another employer's file, reads its beginning again);
    nothing when it keeps no scan."""
    if len(keys) != 1 or not of:
        return ()
    kept = tuple(scan if key == keys[0] else None for key, scan in map(of.__getitem__, files))
    return kept if any(scan is not None for scan in kept) else ()


def plan_from_headers(
    files: Sequence[str],
    headers: Sequence[tuple[str | None, str | None, int]],
    quarters: Iterable[Quarter | None] = (),
    *,
    kinds: Sequence[DocumentKind | None] = (),
) -> Plan:
    """The plan of ``files`` (input order) from each one's (root, employer key, size).

    ``quarters``: the quarters the headers declare (:func:`scan_header`), if known;
    with ``kinds`` too (:func:`~mycareer.xmlio.headers.scan_kind_and_employer`), the
    groups keep both (:attr:`EmployerGroup.scanned`).
    """
    everything = tuple(files)
    quarters = list(quarters)
    declared = tuple(sorted({q for q in quarters if q is not None}))
    if any(root in CORRECTION_ROOTS for root, _key, _size in headers):
        # corrections plan_with_corrections could not place: one read applies them
        total = sum(size for _root, _key, size in headers)
        return Plan((EmployerGroup((), everything, total),), everything, declared)
    others = _other_kinds(files, [root for root, _key, _size in headers])
    by_key: dict[str, list[tuple[str, int]]] = {}
    alone: list[EmployerGroup] = []
    aside: set[str] = set()  # a document of another kind named twice is read once, as one
    for path, (_root, key, size) in zip(files, headers, strict=True):  # read sorts it once
        if key is not None:
            by_key.setdefault(key, []).append((path, size))
        elif path not in aside:
            alone.append(EmployerGroup((), (path,), size))
            aside.update({path} & others)
    of: dict[str, tuple[str | None, FileScan]] = {}
    if kinds and len(quarters) == len(files):
        scanned = [(root, key, q) for (root, key, _size), q in zip(headers, quarters, strict=True)]
        of = _scans_of(files, scanned, kinds)
    groups = [_group(key, found, of) for key, found in by_key.items()]
    ordered = tuple(sorted([*groups, *alone], key=lambda g: g.order))
    return Plan(ordered, everything, declared, other_kinds=others)


def _group(
    key: str, found: Sequence[tuple[str, int]], of: dict[str, tuple[str | None, FileScan]]
) -> EmployerGroup:
    files = tuple(path for path, _size in found)
    size = sum(size for _path, size in found)
    return EmployerGroup((key,), files, size, _kept((key,), files, of))


def total_bytes(paths: Sequence[str | os.PathLike[str]]) -> int:
    """The files' size together; a file that cannot be read counts 0 (reading reports it)."""
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += os.stat(path).st_size
    return total
