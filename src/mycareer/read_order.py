"""The order one read of every file gives, which runs by employer put their results back in.

One read of everything (:func:`~mycareer.xmlio.read_corrected_dmfa`,
:func:`~mycareer.xmlio.career_inputs.read_career_inputs`) reports what reading said file
by file: the document versions first, then the other findings (duplicate originals) by
the file they name, and the errors by file. The runs by employer
(:mod:`mycareer.pipeline`, :mod:`mycareer.account_jobs`, :mod:`mycareer.timeline_jobs`)
read the files group by group and restore that order with these rules (from
:mod:`mycareer.xmlio.file_order`, which one read follows too), so that their output is
the same whatever the split.

>>> from mycareer.errors import SourceRef
>>> file_place(SourceRef("b.xml", 3), {"a.xml": 0, "b.xml": 1}), file_place(None, {})
(1, None)
"""

from __future__ import annotations

from collections.abc import Iterable

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.dmfa_update import employer_ids
from mycareer.quarter import Quarter
from mycareer.xmlio.file_order import (
    errors_in_file_order,
    file_place,
    file_place_or,
    reading_in_file_order,
    reading_rank,
)

__all__ = [
    "declared_ids",
    "errors_in_file_order",
    "file_place",
    "file_place_or",
    "reading_in_file_order",
    "reading_rank",
]


def declared_ids(
    *declared: Iterable[DmfaDeclaration | DmfaWorkerRecord],
) -> frozenset[tuple[Quarter, str]]:
    """The (quarter, employer identifier) pairs that declarations or records declare
    (:func:`~mycareer.dmfa_update.employer_ids`: enterprise and NSSO numbers)."""
    return frozenset(
        (item.quarter, name)
        for items in declared
        for item in items
        for name in employer_ids(item.employer)
    )
