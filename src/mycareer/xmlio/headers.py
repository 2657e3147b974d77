"""The header pre-scan of DmfA files: root element, employer and quarter, up to the first worker.

:mod:`mycareer.plans` groups files by employer before reading any of them,
and the account pipeline needs the declared quarters before it computes, so each
file's header is read on its own: the root element, ``CompanyID``,
``NOSSRegistrationNbr`` and ``Quarter`` of the first ``EmployerDeclaration`` (of a
DmfA correction's ``EmployerDeclarationUpdate`` or ``EmployerDeclarationConsult``, for
:func:`scan_employer`). The employer key is derived as the reader derives it (B-14);
anything unclear gives None, and reading the file later reports the problem.

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa" / "dmfa-0403019261-20224.xml"
>>> scan_header(str(demo))
('DmfAOriginal', '0403019261', Quarter(year=2022, number=4))
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

from mycareer._gc import release_parsers
from mycareer._processes import map_in_processes
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import MycareerError
from mycareer.nsso import NssoNumber
from mycareer.quarter import Quarter
from mycareer.xmlio._safe import iterparse_document
from mycareer.xmlio.dmfa_update import CONSULTATION_ROOT, UPDATE_ROOT
from mycareer.xmlio.documents import DocumentKind, kind_of_root, sniff_document
from mycareer.xmlio.reading import has_doctype, refuse_doctype

__all__ = [
    "ORIGINAL_ROOT",
    "EmployerHeader",
    "file_header",
    "scan_document",
    "scan_employer",
    "scan_employers",
    "scan_header",
    "scan_headers",
    "scan_kind_and_employer",
    "scan_kinds_and_employers",
]

#: The root element of a DmfA original declaration.
ORIGINAL_ROOT = "DmfAOriginal"
_HEADER_TAGS = ("CompanyID", "NOSSRegistrationNbr", "Quarter")
_ID_TAGS = ("CompanyID", "NOSSRegistrationNbr")
_CORRECTIONS = frozenset({UPDATE_ROOT, CONSULTATION_ROOT})
#: The pre-scan parses this much of a file first (a DmfA header takes about 1 kB).
_HEADER_BYTES = 8192
#: From this many files on, ``scan_headers(jobs=N)`` scans in N processes. Measured with
#: 2 (the national sample's files, page-cached): 9,000 headers 0.69 s in one
#: process and 0.95 s in two (their start, imports, results pickled back), 36,000 headers
#: 2.14-2.60 s against 1.64-1.92 s.
HEADERS_IN_PROCESSES = 32_768


def scan_header(path: str | os.PathLike[str]) -> tuple[str | None, str | None, Quarter | None]:
    """(root tag, employer key, declared quarter) of a file, up to its first worker only.

    The quarter is None when the header has none or it does not read as one. The
    first 8 kB are parsed on their own first: lxml parses whole chunks (64 kB here)
    before it yields the header's events, and 9,000 national-scale files took 17 s
    so (0.90 s against 0.26 s a thousand files); a header that does not end within
    them, or any problem there, is read again from the file. Other documents than
    DmfA originals give their root alone.
    """
    return _as_header(*_header_texts(path, (ORIGINAL_ROOT,)))


def scan_document(path: str | os.PathLike[str]) -> tuple[DocumentKind, Header]:
    """:func:`~mycareer.xmlio.documents.sniff_document` and :func:`scan_header` of a file,
    from one read of its beginning: a run's group reads each of its files' beginnings
    once before reading them (docs/performance.md, "Small employers"). Raises as
    ``sniff_document`` raises when the beginning does not read (malformed, a DOCTYPE).

    >>> from importlib import resources
    >>> demo = resources.files("mycareer.data.demo") / "dmfa" / "dmfa-0403019261-20224.xml"
    >>> kind, header = scan_document(str(demo))
    >>> kind.root, kind.family, header
    ('DmfAOriginal', 'dmfa', ('DmfAOriginal', '0403019261', Quarter(year=2022, number=4)))
    """
    kinds: list[DocumentKind | None] = []
    root, texts = _header_texts(path, (ORIGINAL_ROOT,), kinds)
    kind = kinds[0] if kinds else None
    if kind is None:  # its root was not read: sniff_document's own read says why
        kind = sniff_document(path, name=os.fspath(path))
    return kind, _as_header(root, texts)


def scan_kind_and_employer(
    path: str | os.PathLike[str],
) -> tuple[DocumentKind | None, EmployerHeader]:
    """:func:`scan_employer` of a file, and its kind as :func:`scan_document` gives it, from
    one read of its beginning: the plan's pre-scan (:func:`mycareer.plans.plan_employers`)
    groups the files by it, with DmfA corrections or without, and keeps the kinds so that
    its groups do not read the beginnings again. The kind is None when the root was not
    read or the document declares a DOCTYPE (``scan_document`` raises for both); the rest
    is still ``scan_employer``'s, whose first three are :func:`scan_header`'s for any root
    but a correction's. Never raises.

    >>> from importlib import resources
    >>> demo = resources.files("mycareer.data.demo") / "dmfa" / "dmfa-0403019261-20224.xml"
    >>> kind, employer = scan_kind_and_employer(str(demo))
    >>> kind.root, kind.version
    ('DmfAOriginal', '20231')
    >>> employer
    ('DmfAOriginal', '0403019261', Quarter(year=2022, number=4), ('e:0403019261', 'n:100006'))
    """
    kinds: list[DocumentKind | None] = []
    found = _header_texts(path, tuple(_DECLARATION_OF), kinds, refuse_doctype=False)
    return (kinds[0] if kinds else None), _employer_of(path, *found)


def _as_header(root: str | None, texts: dict[str, str | None] | None) -> Header:
    """What :func:`scan_header` says of a root and its header's texts."""
    if texts is None:
        return root, None, None
    key = _employer_key(texts.get("CompanyID"), texts.get("NOSSRegistrationNbr"))
    return root, key, _quarter(texts.get("Quarter"))


def scan_employer(path: str | os.PathLike[str]) -> EmployerHeader:
    """The root, employer key, quarter and employer identifiers of a DmfA original,
    modification (``DmfAUpdate``) or ONSS consultation answer, from its first declaration.

    The identifiers are spelt as :func:`~mycareer.dmfa_update.employer_ids` spells them
    (``e:`` enterprise number, ``n:`` NSSO number): a correction finds its original by
    either. Anything unclear gives no key and no identifiers (reading reports it). A
    correction's identifiers are those of all its forms (a file may correct several
    employers: ``Form`` is unbounded in both XSDs), its first form's first, even when its
    first form names no employer (no key then: reading gives that form's error, and reads
    the others).

    >>> from importlib import resources
    >>> demo = resources.files("mycareer.data.demo") / "dmfa" / "dmfa-0403019261-20224.xml"
    >>> scan_employer(str(demo))
    ('DmfAOriginal', '0403019261', Quarter(year=2022, number=4), ('e:0403019261', 'n:100006'))
    """
    return _employer_of(path, *_header_texts(path, tuple(_DECLARATION_OF)))


def _employer_of(
    path: str | os.PathLike[str], root: str | None, texts: dict[str, str | None] | None
) -> EmployerHeader:
    """What :func:`scan_employer` says of a file whose root and header texts are read."""
    root, key, quarter = _as_header(root, texts)
    first = () if texts is None else _ids(texts.get("CompanyID"), texts.get("NOSSRegistrationNbr"))
    if root in _CORRECTIONS:  # every form's, even when the first names none: those are read
        return root, key, quarter, _every_form_ids(path, root, first)
    return root, key, quarter, (() if key is None else first)


def _ids(company: str | None, nsso: str | None) -> tuple[str, ...]:
    found = (_identifier("e:", company, EnterpriseNumber), _identifier("n:", nsso, NssoNumber))
    return tuple(i for i in found if i is not None)


def _every_form_ids(
    path: str | os.PathLike[str], root: str, first: tuple[str, ...]
) -> tuple[str, ...]:
    """``first`` and the identifiers of every other form of a correction file.

    One pass over the file; only the numbers that are children of a form's declaration
    are read (a consultation answer's anomaly paths name them too), the last of a number
    given twice as the correction readers keep it (the first form's first, from its
    header, is kept too), and each worker is dropped once read. A file that does not
    read to its end keeps ``first`` (reading it reports why).
    """
    declaration, (worker,) = _DECLARATION_OF[root]
    found: dict[str, None] = dict.fromkeys(first)
    texts: dict[Any, dict[str, str | None]] = {}
    events: Any = iterparse_document(
        path, tag=(*_ID_TAGS, worker), name=os.fspath(path), element_only=True
    )
    try:
        for _event, element in events:
            if element.tag == worker:  # read: dropped with what came before it
                element.clear(keep_tail=True)
                parent = element.getparent()
                while element.getprevious() is not None:
                    del parent[0]
                continue
            parent = element.getparent()
            if parent is not None and parent.tag == declaration:
                texts.setdefault(parent, {})[element.tag] = element.text  # the reader's: last
    except MycareerError:
        return first
    finally:
        events.close()
    for named in texts.values():
        found.update(dict.fromkeys(_ids(named.get("CompanyID"), named.get("NOSSRegistrationNbr"))))
    return tuple(found)


#: What :func:`scan_employer` says of a file: root, employer key, quarter, identifiers.
EmployerHeader = tuple[str | None, str | None, Quarter | None, tuple[str, ...]]

#: Per root: the element holding the header, and the elements that begin the first worker.
_DECLARATION_OF: Final = {
    ORIGINAL_ROOT: ("EmployerDeclaration", ("NaturalPerson", "WorkerRecord")),
    UPDATE_ROOT: ("EmployerDeclarationUpdate", ("NaturalPersonUpdate",)),
    CONSULTATION_ROOT: ("EmployerDeclarationConsult", ("NaturalPersonConsult",)),
}


def _identifier(prefix: str, text: str | None, number: Callable[[str], Any]) -> str | None:
    """``prefix`` and the number ``text`` names (0 or unclear: None)."""
    if not text or not text.strip().strip("0"):
        return None
    try:
        return prefix + str(number(text.strip()).value)
    except (MycareerError, ValueError):
        return None


def _header_texts(
    path: str | os.PathLike[str],
    roots: tuple[str, ...],
    kinds: list[DocumentKind | None] | None = None,
    *,
    refuse_doctype: bool = True,
) -> tuple[str | None, dict[str, str | None] | None]:
    """The root and, for one of ``roots``, the texts of its first header (else None);
    the document's kind added to ``kinds`` when its root is read (see :func:`_header_of`)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(_HEADER_BYTES)
    except OSError:
        head = b""  # reading the file reports the problem
    name = os.fspath(path)
    if len(head) == _HEADER_BYTES:
        found = _header_of(head, str(name), roots, whole=False, kinds=kinds, refuse=refuse_doctype)
        if found is not None:
            return found
    # A shorter beginning is the whole file (read to its end), parsed as read: a third of
    # the national-mix sample's small employers' files were opened a second time.
    source = head if 0 < len(head) < _HEADER_BYTES else path
    whole = _header_of(source, str(name), roots, whole=True, kinds=kinds, refuse=refuse_doctype)
    assert whole is not None
    return whole


def _employer_key(company: str | None, nsso: str | None) -> str | None:
    """The employer key of a header, as the reader derives it (B-14): None if unclear."""
    if company and company.strip().strip("0"):  # named: its number, or nothing
        return _identifier("", company, EnterpriseNumber)
    return _identifier("nsso:", nsso, NssoNumber)


def file_header(path: str | os.PathLike[str]) -> tuple[str | None, str | None]:
    """(root tag, employer key) of a file, reading up to its first worker only."""
    root, key, _quarter = scan_header(path)
    return root, key


def _header_of(
    source: str | os.PathLike[str] | bytes,
    name: str,
    roots: tuple[str, ...],
    *,
    whole: bool,
    kinds: list[DocumentKind | None] | None = None,
    refuse: bool = True,
) -> tuple[str | None, dict[str, str | None] | None] | None:
    """The root of ``source`` and its header's texts (None for other roots); None when
    ``source`` is not ``whole`` and did not settle it. With ``kinds``, the document's
    kind is added there when its root is read: a DOCTYPE refused first (``refuse``: as if
    the root was not read), else None for a DOCTYPE and the header read as without."""
    root: str | None = None
    texts: dict[str, str | None] = {}
    events: Any = iterparse_document(source, events=("start", "end"), name=name, peek=True)
    try:
        for event, element in events:
            tag = element.tag
            if root is None:
                if kinds is not None and not kinds:
                    kinds.append(_kind(element, name, refuse=refuse))
                root = tag if isinstance(tag, str) else None
                if root not in roots:
                    return root, None
                declaration, worker = _DECLARATION_OF[root]
            if event == "start" and tag in worker:
                break
            if event == "end" and tag in _HEADER_TAGS:
                texts.setdefault(tag, element.text)
            if event == "end" and tag == declaration:
                break
        else:
            if not whole:
                return None  # the part ended before the header did
    except MycareerError:
        return (root, None) if whole else None
    finally:
        events.close()
    return root, texts


def _kind(root: Any, name: str, *, refuse: bool) -> DocumentKind | None:
    """The kind of a document from its root's start; a DOCTYPE refused (raises) or None."""
    if refuse:
        refuse_doctype(root, name)
    elif has_doctype(root):
        return None
    return kind_of_root(root)


def _quarter(text: str | None) -> Quarter | None:
    try:
        return Quarter.parse((text or "")[:16])  # bounded: a header zone of any length
    except (MycareerError, ValueError):
        return None


#: What :func:`scan_header` says of a file.
Header = tuple[str | None, str | None, Quarter | None]


def scan_headers(paths: Sequence[str], jobs: int = 1) -> list[Header]:
    """:func:`scan_header` of each file, in order: in up to ``jobs`` worker processes when
    there are :data:`HEADERS_IN_PROCESSES` files or more, else in this one.

    The run's workers wait for the pre-scan, and a country's DmfA comes in millions of
    files (the national sample's 9,000: 0.7 s, docs/performance.md).
    """
    return _scan_all(scan_header, paths, jobs)


def scan_kinds_and_employers(
    paths: Sequence[str], jobs: int = 1
) -> list[tuple[DocumentKind | None, EmployerHeader]]:
    """:func:`scan_kind_and_employer` of each file, in order, as :func:`scan_headers` scans."""
    return _scan_all(scan_kind_and_employer, paths, jobs)


def scan_employers(paths: Sequence[str], jobs: int = 1) -> list[EmployerHeader]:
    """:func:`scan_employer` of each file, in order, as :func:`scan_headers` scans."""
    return _scan_all(scan_employer, paths, jobs)


def _scan_all(scan: Callable[[str], _H], paths: Sequence[str], jobs: int) -> list[_H]:
    if jobs == 1 or len(paths) < HEADERS_IN_PROCESSES:
        return _scan_each(scan, paths)
    size = -(-len(paths) // (jobs * 4))  # a few parts a process: one slow disk part waits less
    parts = [paths[start : start + size] for start in range(0, len(paths), size)]
    each = functools.partial(_scan_each, scan)
    return [header for part in map_in_processes(each, jobs, parts) for header in part]


_H = TypeVar("_H")


def _scan_each(scan: Callable[[str], _H], paths: Sequence[str]) -> list[_H]:
    headers = []
    for index, path in enumerate(paths, 1):
        headers.append(scan(path))
        release_parsers(index)  # each stopped scan's parser, in a cycle (mycareer._gc)
    return headers
