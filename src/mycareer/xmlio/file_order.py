"""The order one read of every file gives: what reading said, file by file.

:func:`~mycareer.xmlio.flows.read_corrected_dmfa` reports its findings and errors in this
order (the document versions first, then the other findings by the file they name, and
the errors by file, each file's in the order they were made), and the runs by employer
(:mod:`mycareer.pipeline`, :mod:`mycareer.account_jobs`, :mod:`mycareer.timeline_jobs`)
put their groups' back in it, so that their output is the same whatever the split
(:mod:`mycareer.read_order` gives these rules to them).

>>> from mycareer.errors import SourceRef
>>> file_place(SourceRef("b.xml", 3), {"a.xml": 0, "b.xml": 1}), file_place(None, {})
(1, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from mycareer.errors import InvalidValueError, SourceRef
from mycareer.findings import Finding
from mycareer.xmlio.documents import DOCUMENT_VERSION_UNKNOWN

__all__ = [
    "errors_in_file_order",
    "file_place",
    "file_place_or",
    "reading_in_file_order",
    "reading_rank",
]


def file_place(source: SourceRef | None, places: Mapping[str, int]) -> int | None:
    """The place of ``source``'s file among the run's files, or None (no file, or not one
    of them)."""
    return None if source is None or source.file is None else places.get(source.file)


def file_place_or(source: SourceRef | None, places: Mapping[str, int], default: int) -> int:
    """:func:`file_place`, or ``default`` when it is None."""
    place = file_place(source, places)
    return default if place is None else place


def reading_rank(finding: Finding) -> int:
    """0 for a document-version finding (one read gives those first), 1 for the others."""
    return 0 if finding.code == DOCUMENT_VERSION_UNKNOWN else 1


def reading_in_file_order(
    files: Sequence[str], groups: Iterable[Sequence[Finding]]
) -> list[Finding]:
    """The reading findings of groups of ``files`` in the order one read of them gives:
    the document versions by file, then the others (duplicate originals) by the file
    they name (each group's own order kept within a file; no file: last)."""
    places = {name: number for number, name in enumerate(files)}
    tagged: list[tuple[tuple[int, int, int, int], Finding]] = []
    for number, findings in enumerate(groups):
        for seq, finding in enumerate(findings):
            at = file_place_or(finding.source, places, len(places))
            tagged.append(((reading_rank(finding), at, number, seq), finding))
    tagged.sort(key=lambda item: item[0])
    return [finding for _tag, finding in tagged]


def errors_in_file_order(
    files: Sequence[str], errors: Iterable[InvalidValueError]
) -> tuple[InvalidValueError, ...]:
    """``errors`` by their file's place in ``files``, as one read of them reports them
    (stable: a file's own errors keep their order; an error naming no file comes last)."""
    places = {name: number for number, name in enumerate(files)}
    return tuple(sorted(errors, key=lambda e: file_place_or(e.source, places, len(places))))
