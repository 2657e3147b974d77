"""The DmfA reader's fast paths: plain occupation lines and worker records read by position.

Payroll software writes every ``Occupation`` the same way: its fields in XSD
order with plain digits and ISO dates, then ``Service``, ``Remun`` and
``ReorgMeasureInformation`` blocks whose fields sit at fixed positions. For such
a line this path builds the same :class:`~mycareer.dmfa.DmfaOccupation` as the
checked path (:func:`mycareer.xmlio.dmfa_occupation.read_occupation`) without a field
reader per line and sub-line. It checks nothing itself and decides nothing: on
anything it does not recognise (a sign, spaces, a missing or misplaced field, a
value the checked path refuses or would convert, an unknown joint committee) it
returns ``None`` and the caller reads the line with the checked path, which
gives the value or the error. :func:`plain_record` does the same for a
``WorkerRecord``'s own fields (worker code, employer class, quarter dates the
checked path already accepted). ``tests/xmlio/test_dmfa_fast.py`` holds the
paths equal on generated and mutated lines and records.

Measured choices (``benchmarks/targets.py``, ``docs/performance.md``): children
are taken with one slice (``element[:]``, half the cost of ``list(element)``);
where the fields sit comes from the tuple of child tags (a cached layout:
payroll files repeat a few dozen), picked with ``itemgetter`` and read with
``map`` (no Python frame per field); a sub-line's digits are checked with one
``isdigit`` over their concatenation; dates, clipped periods and service and
remuneration lines are shared by their texts through bounded caches (immutable
values, equal to those built anew).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any, Final

from mycareer._cache import BoundedCache
from mycareer._slots import slot_constructor
from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.errors import SourceRef
from mycareer.limits import MAX_TEXT_CHARS
from mycareer.period import Period
from mycareer.xmlio.dmfa_checks import work_hours_problem
from mycareer.xmlio.dmfa_occupation import CHECKED_COMMITTEES

__all__ = ["fast_occupation", "plain_record"]

_MAX_DIGITS: Final = 18  # as the checked path's integers (mycareer.limits)
_new_occupation = slot_constructor(DmfaOccupation)
_new_service = slot_constructor(ServiceLine)
_new_remuneration = slot_constructor(RemunerationLine)
_new_source = slot_constructor(SourceRef)
_FULL, _PART = ContractType.FULL_TIME, ContractType.PART_TIME

#: The occupation fields a layout places, in the order :func:`fast_occupation` reads them.
_FIELDS: Final = (
    "OccupationSequenceNbr",
    "OccupationStartingDate",
    "OccupationEndingDate",
    "JointCommissionNbr",
    "WorkingDaysSystem",
    "ContractType",
    "MeanWorkingHours",
    "RefMeanWorkingHours",
    "ReorganisationMeasure",
)
_SUB_LINES: Final = ("Service", "Remun", "ReorgMeasureInformation")
#: The position of an absent field: the stand-in appended after the children.
_ABSENT: Final = -1

#: Per tuple of child tags: what picks, from the children, the fields (``_FIELDS``
#: order) and the Service, Remun and ReorgMeasureInformation lines; None when the line
#: is not plain. Pickers and ``map`` run in C: no Python frame per field (measured).
_Pick = Callable[[list[Any]], Sequence[Any]]
_Layout = tuple[_Pick, _Pick, _Pick, _Pick]
_LAYOUTS: BoundedCache[tuple[Any, ...], _Layout | None] = BoundedCache(
    "DmfA occupation layouts", maxsize=1 << 10
)
#: The same for a WorkerRecord: its four fields (``_RECORD_FIELDS``) and its occupations.
_RECORD_FIELDS: Final = (
    "NOSSQuarterStartingDate",
    "NOSSQuarterEndingDate",
    "WorkerCode",
    "EmployerClass",
)
_RecordLayout = tuple[_Pick, _Pick]
_RECORD_LAYOUTS: BoundedCache[tuple[Any, ...], _RecordLayout | None] = BoundedCache(
    "DmfA worker record layouts", maxsize=1 << 10
)
_DATES: BoundedCache[str, date] = BoundedCache("DmfA occupation dates", maxsize=4096)
_PERIODS: BoundedCache[tuple[date, date], Period] = BoundedCache(
    "DmfA clipped periods", maxsize=4096
)
#: Sub-lines by their texts (immutable values, shared): payroll lines repeat their
#: codes, days and hours, and often their amounts. About 3 MB each when full.
_SERVICES: BoundedCache[tuple[str | None, ...], ServiceLine] = BoundedCache(
    "DmfA service lines", maxsize=8192
)
_REMUNERATIONS: BoundedCache[tuple[str | None, ...], RemunerationLine] = BoundedCache(
    "DmfA remuneration lines", maxsize=8192
)
_UNKNOWN: Any = object()
_TAG, _TEXT = attrgetter("tag"), attrgetter("text")


class _Bail(Exception):
    """Not a plain line: the checked path reads it."""


class _Missing:
    """Stands for an absent field: its ``text`` is None, as an empty element's."""

    text = None


def _pick(positions: Sequence[int]) -> _Pick:
    """What picks the children at ``positions``: one slice when they follow each other."""
    if not positions:
        return itemgetter(slice(0))
    if list(positions) == list(range(positions[0], positions[-1] + 1)):
        return itemgetter(slice(positions[0], positions[-1] + 1))
    return itemgetter(*positions)  # two or more apart: a tuple


def _layout(tags: tuple[Any, ...]) -> _Layout | None:
    """Where an occupation with these child tags holds each field and sub-line."""
    positions: dict[str, int] = {}
    lines: tuple[list[int], list[int], list[int]] = ([], [], [])
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or tag in positions:
            return None  # a comment or PI, or a field given twice (the checked path keeps the last)
        if tag in _SUB_LINES:
            lines[_SUB_LINES.index(tag)].append(index)
        else:
            positions[tag] = index
    fields = itemgetter(*(positions.get(name, _ABSENT) for name in _FIELDS))
    return fields, _pick(lines[0]), _pick(lines[1]), _pick(lines[2])


def _too_long(*texts: str | None) -> bool:
    """Whether a text has more digits than the checked path's integers."""
    return any(text is not None and len(text) > _MAX_DIGITS for text in texts)


def _int(text: str | None) -> int:
    if text is None or len(text) > _MAX_DIGITS or not (text.isdigit() and text.isascii()):
        raise _Bail
    return int(text)


def _date(text: str | None) -> date | None:
    """The ISO date ``text`` (remembered), or None for the checked path."""
    if text is None or len(text) != 10 or not text.isascii():
        return None
    try:
        return _DATES.put(text, date.fromisoformat(text))
    except ValueError:
        return None


def _service(block: Any) -> ServiceLine:
    # ServiceSequenceNbr, ServiceCode, ServiceNbrDays[, ServiceNbrHours][, FlightNbrMinutes]
    fields = block[:]
    count = len(fields)
    if (
        count < 3
        or count > 5
        or fields[0].tag != "ServiceSequenceNbr"
        or fields[1].tag != "ServiceCode"
        or fields[2].tag != "ServiceNbrDays"
        or (count > 3 and fields[3].tag != "ServiceNbrHours")
        or (count == 5 and fields[4].tag != "FlightNbrMinutes")
    ):
        raise _Bail
    key = (fields[1].text, fields[2].text, fields[3].text if count > 3 else None)
    line = _SERVICES.get(key)
    if line is None:
        code, days, hours = key
        try:
            digits = code + days + (hours or "")  # code or days None: TypeError
        except TypeError:
            raise _Bail from None
        if not (digits.isdigit() and digits.isascii()) or (
            len(digits) > _MAX_DIGITS and _too_long(code, days, hours)
        ):
            raise _Bail
        hundredths = None if hours is None else int(hours)
        line = _SERVICES.put(key, _new_service(int(code), int(days), hundredths))
    return line


def _remuneration(block: Any) -> RemunerationLine:
    # RemunSequenceNbr, RemunCode[, BonusPaymentFrequency][, PercentagePaid], RemunAmount
    fields = block[:]
    count = len(fields)
    if (
        count < 3
        or fields[0].tag != "RemunSequenceNbr"
        or fields[1].tag != "RemunCode"
        or fields[-1].tag != "RemunAmount"
    ):
        raise _Bail
    if count == 3:  # the common line: code and amount, remembered
        key = (fields[1].text, fields[2].text)
        line = _REMUNERATIONS.get(key)
        if line is None:
            line = _REMUNERATIONS.put(
                key, _new_remuneration(_int(key[0]), _int(key[1]), None, None)
            )
        return line
    frequency = percentage = None
    for field in fields[2:-1]:
        if field.tag == "BonusPaymentFrequency" and frequency is None:
            frequency = _int(field.text)
        elif field.tag == "PercentagePaid" and percentage is None:
            percentage = _int(field.text)
        else:
            raise _Bail
    return _new_remuneration(_int(fields[1].text), _int(fields[-1].text), frequency, percentage)


def _measure(block: Any) -> ReorganisationMeasure:
    # ReorganisationMeasure[, ReorganisationMeasurePercentage]
    fields = block[:]
    if not 1 <= len(fields) <= 2 or fields[0].tag != "ReorganisationMeasure":
        raise _Bail
    percentage = None
    if len(fields) == 2:
        if fields[1].tag != "ReorganisationMeasurePercentage":
            raise _Bail
        percentage = _int(fields[1].text)
    return ReorganisationMeasure(_int(fields[0].text), percentage)


def fast_occupation(
    element: Any,
    path: str,
    file: str,
    quarter: tuple[date, date],
) -> DmfaOccupation | None:
    """The occupation ``element`` at record path ``path``, or ``None`` for the checked path."""
    children = element[:]
    tags = tuple(map(_TAG, children))
    layout = _LAYOUTS.get(tags, _UNKNOWN)
    if layout is _UNKNOWN:
        layout = _LAYOUTS.put(tags, _layout(tags))
    if layout is None:
        return None
    children.append(_Missing)  # at _ABSENT
    sequence, starting, ending, committee, system, contract, q, s, measure = map(
        _TEXT, layout[0](children)
    )
    try:
        digits = sequence + system + contract + (q or "") + (s or "") + (measure or "")
    except TypeError:
        return None  # a required field is missing or empty
    if not (digits.isdigit() and digits.isascii()) or (
        len(digits) > _MAX_DIGITS and _too_long(sequence, system, contract, q, s, measure)
    ):
        return None
    start = _DATES.get(starting or "") or _date(starting)
    end = None if ending is None else _DATES.get(ending) or _date(ending)
    joint_commission = CHECKED_COMMITTEES.get(committee)  # else: checked, then cached
    kind, number = int(contract), int(sequence)
    mean = None if q is None else int(q)
    reference = None if s is None else int(s)
    if (
        start is None
        or (end is None and ending is not None)
        or joint_commission is None
        or kind > 1
        or number < 1
        or (end is not None and end < start)
        or work_hours_problem(mean, reference) is not None
    ):
        return None
    quarter_start, quarter_end = quarter
    clip_start = start if start > quarter_start else quarter_start
    clip_end = quarter_end if end is None or end > quarter_end else end
    if clip_start > clip_end:
        return None  # outside its quarter: the checked path decides (dmfa_checks)
    _fields, services_of, remunerations_of, measures_of = layout
    try:
        services = tuple(map(_service, services_of(children)))
        remunerations = tuple(map(_remuneration, remunerations_of(children)))
        measures = tuple(map(_measure, measures_of(children)))
    except _Bail:
        return None
    if measure is not None:  # the occupation's own measure comes first
        measures = (ReorganisationMeasure(int(measure)), *measures)
    key = (clip_start, clip_end)
    period = _PERIODS.get(key) or _PERIODS.put(key, Period(clip_start, clip_end))
    return _new_occupation(
        number,
        start,
        end,
        period,
        joint_commission,
        int(system),
        _PART if kind else _FULL,
        mean,
        reference,
        measures,
        services,
        remunerations,
        _new_source(file, element.sourceline, path),
    )


def _record_layout(tags: tuple[Any, ...]) -> _RecordLayout | None:
    """Where a WorkerRecord with these child tags holds its fields and occupations."""
    positions: dict[str, int] = {}
    occupations: list[int] = []
    for index, tag in enumerate(tags):
        if tag == "Occupation":
            occupations.append(index)
        elif not isinstance(tag, str) or tag in positions:
            return None  # a comment or PI, or a field given twice (the checked path keeps the last)
        else:
            positions[tag] = index
    return itemgetter(*(positions.get(name, _ABSENT) for name in _RECORD_FIELDS)), _pick(
        occupations
    )


def plain_record(
    record: Any, quarter_texts: tuple[str | None, str | None] | None
) -> tuple[int, str, Sequence[Any]] | None:
    """A WorkerRecord's worker code, employer class and occupation elements, or None.

    None (the checked path reads the record) unless every field is plain and the
    quarter dates are the texts ``quarter_texts`` the checked path already accepted.
    """
    children = record[:]
    tags = tuple(map(_TAG, children))
    layout = _RECORD_LAYOUTS.get(tags, _UNKNOWN)
    if layout is _UNKNOWN:
        layout = _RECORD_LAYOUTS.put(tags, _record_layout(tags))
    if layout is None:
        return None
    children.append(_Missing)  # at _ABSENT
    first, last, code, employer_class = map(_TEXT, layout[0](children))
    if (
        (first, last) != quarter_texts
        or code is None
        or len(code) > _MAX_DIGITS
        or not (code.isdigit() and code.isascii())
    ):
        return None
    text = employer_class.strip() if employer_class else ""
    if not text or len(text) > MAX_TEXT_CHARS:
        return None
    return int(code), text, layout[1](children)
