"""The DmfA reader's fast occupation path: plain, well-formed lines read by position.

Payroll software writes every ``Occupation`` the same way: its fields in XSD
order with plain digits and ISO dates, then ``Service``, ``Remun`` and
``ReorgMeasureInformation`` blocks whose fields sit at fixed positions. For such
a line this path builds the same :class:`~mycareer.dmfa.DmfaOccupation` as the
checked path (:func:`mycareer.xmlio.dmfa_occupation.read_occupation`) without a field
reader per line and sub-line. It checks nothing itself and decides nothing: on
anything it does not recognise (a sign, spaces, a missing or misplaced field, a
value the checked path refuses or would convert, an unknown joint committee) it
returns ``None`` and the caller reads the line with the checked path, which
gives the value or the error. ``tests/xmlio/test_dmfa_fast.py`` holds the two
paths equal on generated and mutated lines.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from mycareer._slots import slot_constructor
from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.period import Period
from mycareer.xmlio.dmfa_checks import work_hours_problem

__all__ = ["fast_occupation"]

_MAX_DIGITS: Final = 18  # as the checked path's integers (mycareer.limits)
_new_occupation = slot_constructor(DmfaOccupation)
_new_service = slot_constructor(ServiceLine)
_new_remuneration = slot_constructor(RemunerationLine)
_new_source = slot_constructor(SourceRef)
_FULL, _PART = ContractType.FULL_TIME, ContractType.PART_TIME


class _Bail(Exception):
    """Not a plain line: the checked path reads it."""


def _int(text: str | None) -> int:
    if text is None or len(text) > _MAX_DIGITS or not (text.isdigit() and text.isascii()):
        raise _Bail
    return int(text)


def _opt(element: Any) -> int | None:
    return None if element is None else _int(element.text)


def _date(text: str | None) -> date:
    if text is None or len(text) != 10 or not text.isascii():
        raise _Bail
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bail from None


def _ints(*texts: str | None) -> bool:
    """Whether every text is plain ASCII digits (at most 18 each): one check for a block."""
    try:
        joined = "".join(texts)  # type: ignore[arg-type]  # None raises TypeError: bail
    except TypeError:
        return False
    return (
        joined.isdigit() and joined.isascii() and all(len(text) <= _MAX_DIGITS for text in texts)  # type: ignore[arg-type]
    )


def _service(block: Any) -> ServiceLine:
    # ServiceSequenceNbr, ServiceCode, ServiceNbrDays[, ServiceNbrHours][, FlightNbrMinutes]
    fields = list(block)
    count = len(fields)
    if (
        count < 3
        or fields[0].tag != "ServiceSequenceNbr"
        or fields[1].tag != "ServiceCode"
        or fields[2].tag != "ServiceNbrDays"
    ):
        raise _Bail
    code, days = fields[1].text, fields[2].text
    if count == 3:
        if not _ints(code, days):
            raise _Bail
        return _new_service(int(code), int(days), None)
    hours = fields[3].text
    if (
        fields[3].tag != "ServiceNbrHours"
        or count > 5
        or (count == 5 and fields[4].tag != "FlightNbrMinutes")
        or not _ints(code, days, hours)
    ):
        raise _Bail
    return _new_service(int(code), int(days), int(hours))


def _remuneration(block: Any) -> RemunerationLine:
    # RemunSequenceNbr, RemunCode[, BonusPaymentFrequency][, PercentagePaid], RemunAmount
    fields = list(block)
    count = len(fields)
    if (
        count < 3
        or fields[0].tag != "RemunSequenceNbr"
        or fields[1].tag != "RemunCode"
        or fields[-1].tag != "RemunAmount"
    ):
        raise _Bail
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
    fields = list(block)
    if not 1 <= len(fields) <= 2 or fields[0].tag != "ReorganisationMeasure":
        raise _Bail
    percentage = None
    if len(fields) == 2:
        if fields[1].tag != "ReorganisationMeasurePercentage":
            raise _Bail
        percentage = _int(fields[1].text)
    return ReorganisationMeasure(_int(fields[0].text), percentage)


def _lines(
    element: Any,
) -> tuple[dict[str, Any], list[ServiceLine], list[RemunerationLine], list[ReorganisationMeasure]]:
    fields: dict[str, Any] = {}
    services: list[ServiceLine] = []
    remunerations: list[RemunerationLine] = []
    measures: list[ReorganisationMeasure] = []
    for child in element:
        tag = child.tag
        if tag == "Service":
            services.append(_service(child))
        elif tag == "Remun":
            remunerations.append(_remuneration(child))
        elif tag == "ReorgMeasureInformation":
            measures.append(_measure(child))
        elif tag in fields or not isinstance(tag, str):
            raise _Bail  # a field given twice, a comment or a processing instruction
        else:
            fields[tag] = child
    return fields, services, remunerations, measures


def fast_occupation(
    element: Any,
    path: str,
    file: str,
    quarter: tuple[date, date],
    joint_commissions: dict[str, JointCommission],
) -> DmfaOccupation | None:
    """The occupation ``element`` at record path ``path``, or ``None`` for the checked path."""
    try:
        fields, services, remunerations, measures = _lines(element)
        get = fields.get
        start = _date(get("OccupationStartingDate", _Missing).text)
        ending = get("OccupationEndingDate")
        end = None if ending is None else _date(ending.text)
        joint_commission = joint_commissions.get(get("JointCommissionNbr", _Missing).text)
        contract = _int(get("ContractType", _Missing).text)
        sequence = _int(get("OccupationSequenceNbr", _Missing).text)
        days_system = _int(get("WorkingDaysSystem", _Missing).text)
        q = _opt(get("MeanWorkingHours"))
        s = _opt(get("RefMeanWorkingHours"))
        measure = _opt(get("ReorganisationMeasure"))
    except _Bail:
        return None
    if (
        joint_commission is None
        or contract > 1
        or sequence < 1
        or (end is not None and end < start)
        or work_hours_problem(q, s) is not None
    ):
        return None
    if measure is not None:
        measures.insert(0, ReorganisationMeasure(measure))
    quarter_start, quarter_end = quarter
    clip_start = start if start > quarter_start else quarter_start
    clip_end = quarter_end if end is None or end > quarter_end else end
    if clip_start > clip_end:
        return None  # outside its quarter: the checked path decides (dmfa_checks)
    period = Period(clip_start, clip_end)
    return _new_occupation(
        sequence,
        start,
        end,
        period,
        joint_commission,
        days_system,
        _PART if contract else _FULL,
        q,
        s,
        tuple(measures),
        tuple(services),
        tuple(remunerations),
        _new_source(file, element.sourceline, path),
    )


class _Missing:
    """Stands for an absent required field: its ``text`` is None, so the line bails."""

    text = None
