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

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.dmfa_update import CorrectedSlot, SlotOpener, employer_ids
from mycareer.errors import InvalidValueError
from mycareer.fla.incomplete import RejectedInput
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
    "rejections_in_file_order",
    "slot_place",
    "sorted_out_first",
]

R = TypeVar("R", bound=RejectedInput)


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


def slot_place(slot: CorrectedSlot, place: int) -> tuple[int | str | datetime, ...]:
    """Where one read of everything puts ``slot`` (``place``: its source file's place).

    One read opens the slots in :class:`~mycareer.dmfa_update.SlotOpener` order: the
    declarations as :func:`~mycareer.xmlio.read_dmfa` sorts them (quarter, then employer),
    original lines without one by file, then the corrections without an original by
    their form order. A group opens its own slots in the same order, so the tags of
    several groups interleave their slots as one read does; ties (one file's slots) fall
    in one group, where the periods' places keep its order.
    """
    if slot.opener is SlotOpener.DECLARATION:
        return (0, slot.quarter.year, slot.quarter.number, slot.employer.key)
    if slot.opener is SlotOpener.ORIGINAL:
        return (1, place)
    assert slot.form_order is not None  # an update or a consultation answer
    return (int(slot.opener), *slot.form_order)


def sorted_out_first(
    problems: Iterable[InvalidValueError],
    unread: Collection[str],
    errors: Iterable[InvalidValueError],
) -> tuple[InvalidValueError, ...]:
    """Errors as :func:`~mycareer.xmlio.career_inputs.read_career_inputs` gives them:
    what listing the paths refused, then the errors of the files ``unread`` (no document:
    sorted out before any file is read), then the others, each part in its order."""

    def sorted_out(error: InvalidValueError) -> bool:
        return error.source is not None and error.source.file in unread

    told = list(errors)
    return (*problems, *filter(sorted_out, told), *(e for e in told if not sorted_out(e)))


def rejections_in_file_order(
    own: Sequence[R], elsewhere: Sequence[R], places: Iterable[tuple[str, int]] | None
) -> tuple[R, ...] | None:
    """A group's rejected files and those read in other groups that concern it
    (``elsewhere``, by file), in the order one read gives them: by the file's place in
    the run (``places``: path, place). None when both are there and ``places`` is not
    given: only the places of the group's files say where its own come.

    >>> from mycareer.xmlio.dmfa import RejectedFile
    >>> a, m, z = (RejectedFile(name, None, None, "cut") for name in ("a", "m", "z"))
    >>> [r.source for r in rejections_in_file_order([m], [a, z], [("a", 0), ("m", 1), ("z", 2)])]
    ['a', 'm', 'z']
    >>> rejections_in_file_order([m], [a], None) is None
    True
    """
    if not elsewhere or not own:
        return (*own, *elsewhere)
    if places is None:
        return None
    place = dict(places)
    return tuple(sorted((*own, *elsewhere), key=lambda file: place[file.source]))
