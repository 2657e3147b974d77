"""Tell documents apart by their root element, and check the version they declare.

Folders may mix every kind of document: DmfA originals, modifications
(``DmfAUpdate``) and ONSS consultation answers, Dimona declarations, ONSS
notifications and personnel files, and mycareer's own formats. Each is
recognised by its root element (never by its file name) with
:func:`sniff_document`, which reads the first few kilobytes only.

**Versions.** ONSS documents name their schema in
``xsi:noNamespaceSchemaLocation`` (``DmfAUpdate_20223.xsd``: glossary version
2022/3). mycareer reads the elements that are common to every version from
2003/1 onward (the worker, occupation, service and remuneration blocks are the
same in ``DmfAOriginal_20223.xsd`` and ``DmfAOriginal_20231.xsd``), so
documents of the versions it was checked against, and earlier ones, are read
alike. A document naming a later version than :data:`LATEST_CHECKED` gets a
:data:`DOCUMENT_VERSION_UNKNOWN` finding (it is still read, by the same
elements: the finding says its new elements are not known). A document that
names no version is read without a finding.

>>> xsi = b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
>>> location = b' xsi:noNamespaceSchemaLocation="DmfAUpdate_20223.xsd"'
>>> kind = sniff_document(b"<DmfAUpdate " + xsi + location + b"><Form/></DmfAUpdate>")
>>> kind.root, kind.version, kind.family
('DmfAUpdate', '20223', 'dmfa')
>>> version_finding(attrs.evolve(kind, version="20301"), "x.xml").code
'DOCUMENT_VERSION_UNKNOWN'
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from mycareer.errors import InputError, SourceRef
from mycareer.findings import Finding, Severity
from mycareer.xmlio._safe import XmlSource, iterparse_document, source_name
from mycareer.xmlio.reading import close_events, refuse_doctype

__all__ = [
    "DOCUMENT_NOT_READ",
    "DOCUMENT_VERSION_UNKNOWN",
    "LATEST_CHECKED",
    "ONSS_FAMILIES",
    "DocumentKind",
    "kind_of_root",
    "not_read_finding",
    "onss_schema",
    "sniff_document",
    "sniff_version",
    "version_finding",
]

#: Finding: a document declares a schema version later than those mycareer was checked against.
DOCUMENT_VERSION_UNKNOWN: Final = "DOCUMENT_VERSION_UNKNOWN"

#: Finding (info): a document of a kind the DmfA reading does not read (a Dimona
#: declaration among the DmfA files given to ``entitlements``), left aside, said once.
DOCUMENT_NOT_READ: Final = "DOCUMENT_NOT_READ"

Family = Literal["dmfa", "dimona", "mycareer", "unknown"]

#: Every official ONSS document mycareer recognises, by root element, and its family.
ONSS_FAMILIES: Final[dict[str, Family]] = {
    "DmfAOriginal": "dmfa",
    "DmfAUpdate": "dmfa",
    "DmfAConsultationAnswer": "dmfa",
    "DmfAUpdateNotification": "dmfa",
    "Dimona": "dimona",
    "NOTIFICATION": "dimona",
    "PersonnelFileConsultationAnswer": "dimona",
}

#: The latest glossary version (YYYYQ) each kind was checked against: its XSD and the
#: public ONSS glossary 2023/3 (https://www.socialsecurity.be).
LATEST_CHECKED: Final[dict[str, int]] = {
    "DmfAOriginal": 20233,
    "DmfAUpdate": 20233,
    "DmfAConsultationAnswer": 20233,
    "DmfAUpdateNotification": 20233,
    "Dimona": 20233,
    "NOTIFICATION": 20233,
    "PersonnelFileConsultationAnswer": 20233,
}

_XSI_LOCATION: Final = "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"
_VERSION: Final = re.compile(r"_(\d{5})\.xsd$", re.IGNORECASE)


@attrs.frozen
class DocumentKind:
    """A document's root element, its namespace, and the version its schema location names."""

    root: str
    namespace: str | None = None
    version: str | None = None
    line: int | None = None

    @property
    def family(self) -> Family:
        """``dmfa``, ``dimona``, ``mycareer`` (our own namespaces) or ``unknown``."""
        if self.namespace is None:
            return ONSS_FAMILIES.get(self.root, "unknown")
        return "mycareer" if self.namespace.startswith("urn:mycareer:") else "unknown"

    @property
    def shown(self) -> str:
        """The root as written in messages: ``{namespace}local`` or ``local``."""
        return f"{{{self.namespace}}}{self.root}" if self.namespace else self.root


def sniff_version(root: Any) -> str | None:
    """The version (``YYYYQ``) a root element's ``xsi:noNamespaceSchemaLocation`` names."""
    location = root.get(_XSI_LOCATION) or ""
    match = _VERSION.search(location.strip())
    return match.group(1) if match else None


def kind_of_root(element: Any) -> DocumentKind:
    """The kind of a document from its root element (met at its start event)."""
    tag = str(element.tag)
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return DocumentKind(local, namespace or None, sniff_version(element), 1)


def sniff_document(source: XmlSource, *, name: str | None = None) -> DocumentKind:
    """The kind of one document, from its root element (a stream is rewound after).

    Unsafe or malformed beginnings raise :class:`~mycareer.errors.InputError`
    with the file and line, like every reader.
    """
    label = name or source_name(source)
    position = None
    if not isinstance(source, str | os.PathLike | bytes):
        position = source.tell()
    events = iterparse_document(source, events=("start",), name=label, peek=True)
    try:
        for _event, element in events:
            refuse_doctype(element, label)
            return kind_of_root(element)
    finally:
        close_events(events)
        if position is not None:
            source.seek(position)  # type: ignore[union-attr]
    raise InputError("empty document", source=SourceRef(label, 1))  # pragma: no cover


def version_finding(kind: DocumentKind, label: str) -> Finding | None:
    """A :data:`DOCUMENT_VERSION_UNKNOWN` finding when ``kind`` names a version not checked."""
    latest = LATEST_CHECKED.get(kind.root) if kind.namespace is None else None
    if latest is None or kind.version is None or int(kind.version) <= latest:
        return None
    version = f"{kind.version[:4]}/{kind.version[4]}"
    checked = f"{str(latest)[:4]}/{str(latest)[4]}"
    return Finding(
        DOCUMENT_VERSION_UNKNOWN,
        Severity.WARNING,
        f"<{kind.root}> of glossary version {version}: mycareer was checked against versions "
        f"up to {checked}; it reads the elements common to those versions and ignores any "
        "new one, so check the result",
        SourceRef(label, 1),
    )


def not_read_finding(kind: DocumentKind, label: str) -> Finding:
    """A :data:`DOCUMENT_NOT_READ` finding: the DmfA reading leaves the document ``label``
    of ``kind`` aside (nothing in the input is left out without a word).

    >>> not_read_finding(DocumentKind("Dimona", line=2), "d.xml").message[-67:]
    'the DmfA reading leaves the file aside (mycareer timeline reads it)'
    >>> not_read_finding(DocumentKind("DmfAUpdateNotification"), "n.xml").message[-38:]
    'the DmfA reading leaves the file aside'
    """
    # where it is read instead: Dimona declarations, their notifications, personnel files
    elsewhere = " (mycareer timeline reads it)" if kind.family == "dimona" else ""
    return Finding(
        DOCUMENT_NOT_READ,
        Severity.INFO,
        f"<{kind.shown[:80]}> is not a DmfA original, update or consultation answer: the DmfA "
        f"reading leaves the file aside{elsewhere}",
        SourceRef(label, kind.line),
    )


def onss_schema(schema_dir: Path, kind: DocumentKind) -> tuple[Path | None, str | None]:
    """The official XSD of ``kind`` in ``schema_dir``, and a note when it is not an exact match.

    ``<root>_<version>.xsd`` when the document names a version and that file is
    there; else the latest ``<root>_*.xsd`` not after the document's version;
    else the latest of all (with a note naming the one used).
    """
    candidates = sorted(schema_dir.glob(f"{kind.root}_*.xsd"))
    if not candidates:
        plain = schema_dir / f"{kind.root}.xsd"
        return (plain, None) if plain.is_file() else (None, None)
    if kind.version is None:
        return candidates[-1], None
    exact = schema_dir / f"{kind.root}_{kind.version}.xsd"
    if exact.is_file():
        return exact, None
    earlier = [p for p in candidates if _version_of(p) <= int(kind.version)]
    chosen = earlier[-1] if earlier else candidates[-1]
    return chosen, (f"no {exact.name} in the schema folder: checked against {chosen.name} instead")


def _version_of(path: Path) -> int:
    match = _VERSION.search(path.name)
    return int(match.group(1)) if match else 0
