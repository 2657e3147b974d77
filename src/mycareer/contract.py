"""Employment contracts as a payroll system holds them, and their DmfA quarter records.

A :class:`Contract` says who works for whom, from when to when, how many hours a
week against how many for a full-timer (Q and S), under which joint committee
and worker category, with its suspensions. :func:`contract_records` turns
contracts into the quarter worker records a DmfA declaration of the same facts
would hold (:class:`~mycareer.dmfa.DmfaWorkerRecord`, one per worker, employer
and quarter, with one occupation line per stretch of the contract), plus one
declared quarter per employer and quarter. The timeline and training-right
engines then run on them unchanged, so a contract and its DmfA give the same
results by construction (``mycareer.fla.entitlements_from_contracts``,
``mycareer.timeline.timelines_from_contracts``).

How facts become DmfA zones (docs/recipes/contracts.md):

* Q and S are ``MeanWorkingHours``/``RefMeanWorkingHours`` in hundredths of hours;
  ``days_per_week`` is ``WorkingDaysSystem``; a line with Q = S is full time;
* a full career break is its own line with reorganisation measure 3 and Q = 0;
* the other suspensions keep the line and declare their days under service code
  30 (unpaid leave), 50 (sickness) or 70 (temporary unemployment); worked days go
  under code 1. Days are the Monday–Friday days of the stretch scaled by the
  days a week: the rules only ask whether a line has days other than code 30
  (R-COUNT-5);
* the worker code comes from the category (:attr:`WorkerCategory.worker_code`)
  unless ``worker_code`` is given; the employer class defaults to ``"010"``.

>>> from datetime import date
>>> job = Contract("0403019261", "85073003328", date(2024, 4, 29), None,
...                weekly_hours="30.4", joint_commission="111")
>>> job.fraction
WorkFraction(value=Fraction(4, 5))
>>> found = contract_records([job], first=Quarter(2024, 2), last=Quarter(2024, 3))
>>> [(str(r.quarter), r.worker_code, len(r.occupations)) for r in found.records]
[('20242', 495, 1), ('20243', 495, 1)]
>>> line = found.records[0].occupations[0]
>>> line.mean_working_hours, line.ref_mean_working_hours, str(line.period), line.end
(3040, 3800, '2024-04-29..2024-06-30', None)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import attrs

from mycareer._checks import is_a, items_of, register, to_date, to_enum, to_optional_date
from mycareer._html import summarised
from mycareer.dmfa import (
    FULL_CAREER_BREAK,
    ContractType,
    DmfaDeclaration,
    DmfaOccupation,
    DmfaWorkerRecord,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.employer import Employer, to_employer
from mycareer.errors import InvalidValueError
from mycareer.joint_commission import JointCommission, to_joint_commission
from mycareer.niss import Niss, to_niss
from mycareer.period import ONE_DAY, Period
from mycareer.quarter import Quarter
from mycareer.work_fraction import WorkFraction

__all__ = [
    "Contract",
    "ContractRecords",
    "Suspension",
    "SuspensionKind",
    "WorkerCategory",
    "contract_records",
]

#: Service codes (annex 8) of worked days and of the suspensions that keep the line.
WORKED_SERVICE_CODE = 1
_HUNDRED = 100


class WorkerCategory(StrEnum):
    """The worker's category; it gives the DmfA worker code (annex 2).

    Only students paying the solidarity contribution are treated apart by the
    rules (they do not count in the size band, R-COUNT-5); apprentices and
    flexi-jobbers count like the other workers and carry the ordinary codes
    unless the contract gives its own ``worker_code``.
    """

    ORDINARY = "ordinary"  # white-collar, worker code 495
    BLUE_COLLAR = "blue_collar"  # worker code 015
    STUDENT = "student"  # solidarity contribution, worker code 841 (840 for blue-collar)
    APPRENTICE = "apprentice"
    FLEXI = "flexi"

    @property
    def worker_code(self) -> int:
        return _WORKER_CODES[self]


_WORKER_CODES = {
    WorkerCategory.ORDINARY: 495,
    WorkerCategory.BLUE_COLLAR: 15,
    WorkerCategory.STUDENT: 841,
    WorkerCategory.APPRENTICE: 495,
    WorkerCategory.FLEXI: 495,
}


class SuspensionKind(StrEnum):
    """Why a contract is suspended; a full career break stops the line, the others do not."""

    CAREER_BREAK = "career_break"  # full: own line, measure 3, Q = 0
    UNPAID_LEAVE = "unpaid_leave"  # service code 30
    SICKNESS = "sickness"  # service code 50
    TEMPORARY_UNEMPLOYMENT = "temporary_unemployment"  # service code 70

    @property
    def service_code(self) -> int | None:
        """The annex 8 code its days are declared under (``None``: a line of its own)."""
        return _SERVICE_CODES[self]


_SERVICE_CODES = {
    SuspensionKind.CAREER_BREAK: None,
    SuspensionKind.UNPAID_LEAVE: 30,
    SuspensionKind.SICKNESS: 50,
    SuspensionKind.TEMPORARY_UNEMPLOYMENT: 70,
}


def _to_category(raw: WorkerCategory | str) -> WorkerCategory:
    return to_enum(WorkerCategory, raw)


def _to_suspension_kind(raw: SuspensionKind | str) -> SuspensionKind:
    return to_enum(SuspensionKind, raw)


def _to_hours(raw: Decimal | Fraction | int | str) -> Decimal:
    """Hours a week, exact to the hundredth (DmfA's unit); never a float."""
    if isinstance(raw, bool | float) or not isinstance(raw, Decimal | Fraction | int | str):
        return raw  # type: ignore[return-value]  # the validator names the field
    try:
        value = Fraction(raw.strip() if isinstance(raw, str) else raw)
    except (ValueError, ZeroDivisionError):
        raise InvalidValueError(f"invalid weekly hours {raw!r:.80}") from None
    hundredths = value * _HUNDRED
    if hundredths.denominator != 1 or value <= 0:
        raise InvalidValueError(
            f"invalid weekly hours {raw!r:.80}: expected a positive number of hours "
            "with at most two decimals"
        )
    return Decimal(hundredths.numerator) / _HUNDRED


def _to_days(raw: Decimal | Fraction | int | str) -> Decimal:
    """Days a week (``WorkingDaysSystem``), exact to the hundredth."""
    return _to_hours(raw)


register(_to_category, _to_suspension_kind, _to_hours, _to_days)


def _suspensions(items: Iterable[Suspension]) -> tuple[Suspension, ...]:
    return tuple(sorted(items, key=lambda s: s.period.start))


@attrs.frozen
class Suspension:
    """A stretch of a contract during which it is suspended, and why."""

    period: Period = attrs.field(validator=is_a(Period))
    kind: SuspensionKind = attrs.field(
        converter=_to_suspension_kind, validator=is_a(SuspensionKind)
    )

    def __attrs_post_init__(self) -> None:
        if self.period.is_open:
            raise InvalidValueError(f"a suspension needs an end date: {self.period}")


@attrs.frozen
class Contract:
    """One employment contract of one worker at one employer.

    ``weekly_hours`` is the worker's Q and ``full_time_hours`` a full-timer's S,
    both in hours a week (exact to the hundredth). ``end`` is the last day, or
    ``None`` while the contract runs. Suspensions lie within the contract and do
    not overlap.
    """

    employer: Employer = attrs.field(converter=to_employer, validator=is_a(Employer))
    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    start: date = attrs.field(converter=to_date, validator=is_a(date))
    end: date | None = attrs.field(converter=to_optional_date, validator=is_a(date, optional=True))
    weekly_hours: Decimal = attrs.field(kw_only=True, converter=_to_hours, validator=is_a(Decimal))
    joint_commission: JointCommission = attrs.field(
        kw_only=True, converter=to_joint_commission, validator=is_a(JointCommission)
    )
    full_time_hours: Decimal = attrs.field(
        default=Decimal(38), kw_only=True, converter=_to_hours, validator=is_a(Decimal)
    )
    category: WorkerCategory = attrs.field(
        default=WorkerCategory.ORDINARY,
        kw_only=True,
        converter=_to_category,
        validator=is_a(WorkerCategory),
    )
    days_per_week: Decimal = attrs.field(
        default=Decimal(5), kw_only=True, converter=_to_days, validator=is_a(Decimal)
    )
    suspensions: tuple[Suspension, ...] = attrs.field(
        factory=tuple, kw_only=True, converter=_suspensions, validator=items_of(Suspension)
    )
    worker_code: int | None = attrs.field(
        default=None, kw_only=True, validator=is_a(int, optional=True)
    )
    employer_class: str = attrs.field(default="010", kw_only=True, validator=is_a(str))

    def __attrs_post_init__(self) -> None:
        period = self.period  # refuses an end before the start
        last_stop: date | None = None
        for suspension in self.suspensions:
            if not period.contains(suspension.period):
                raise InvalidValueError(
                    f"suspension {suspension.period} lies outside the contract {period}"
                )
            if last_stop is not None and suspension.period.start < last_stop:
                raise InvalidValueError(f"suspension {suspension.period} overlaps another one")
            last_stop = suspension.period.stop
        if self.days_per_week > 7:
            raise InvalidValueError(f"days_per_week {self.days_per_week} is more than 7")

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    @property
    def fraction(self) -> WorkFraction:
        """Q/S, exact."""
        return WorkFraction(Fraction(self.weekly_hours) / Fraction(self.full_time_hours))

    @property
    def code(self) -> int:
        """The DmfA worker code: ``worker_code`` if given, else the category's."""
        return self.category.worker_code if self.worker_code is None else self.worker_code


@summarised
@attrs.frozen
class ContractRecords:
    """The DmfA records of some contracts: worker records and declared quarters."""

    records: tuple[DmfaWorkerRecord, ...]
    declarations: tuple[DmfaDeclaration, ...]


def _hundredths(value: Decimal) -> int:
    return int(value * _HUNDRED)


def _weekdays(period: Period) -> int:
    """Monday–Friday days of a closed period."""
    assert period.stop is not None
    days = (period.stop - period.start).days
    weeks, rest = divmod(days, 7)
    first = period.start.weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < 5)


def _stretches(contract: Contract) -> list[tuple[Period, bool]]:
    """The contract cut at its full career breaks: ``(period, is_break)`` in order."""
    found: list[tuple[Period, bool]] = []
    cursor: date | None = contract.start
    for suspension in contract.suspensions:
        if suspension.kind is not SuspensionKind.CAREER_BREAK:
            continue
        brk = suspension.period
        if cursor is not None and cursor < brk.start:
            found.append((Period(cursor, brk.start - ONE_DAY), False))
        found.append((brk, True))
        cursor = brk.stop
    if cursor is not None and (contract.end is None or cursor <= contract.end):
        found.append((Period(cursor, contract.end), False))
    return found


def _services(contract: Contract, part: Period, days_system: int) -> tuple[ServiceLine, ...]:
    """Worked and suspended days of one line in one quarter, by service code."""
    by_code: dict[int, int] = defaultdict(int)
    by_code[WORKED_SERVICE_CODE] = _weekdays(part)
    for suspension in contract.suspensions:
        code = suspension.kind.service_code
        common = part.intersection(suspension.period)
        if code is None or common is None:
            continue
        days = _weekdays(common)
        by_code[code] += days
        by_code[WORKED_SERVICE_CODE] -= days
    return tuple(
        ServiceLine(code, days * days_system // 5)
        for code, days in sorted(by_code.items())
        if days > 0 and days * days_system // 5 > 0
    )


def _line(
    contract: Contract, sequence: int, stretch: Period, quarter: Quarter, *, is_break: bool
) -> DmfaOccupation | None:
    part = stretch.intersection(quarter.period)
    if part is None:
        return None
    days_system = _hundredths(contract.days_per_week)
    q, s = _hundredths(contract.weekly_hours), _hundredths(contract.full_time_hours)
    ends_here = stretch.end is not None and stretch.end <= quarter.last_day
    return DmfaOccupation(
        sequence,
        stretch.start,
        stretch.end if ends_here else None,
        part,
        contract.joint_commission,
        days_system,
        ContractType.FULL_TIME if q >= s and not is_break else ContractType.PART_TIME,
        0 if is_break else q,
        s,
        (ReorganisationMeasure(FULL_CAREER_BREAK),) if is_break else (),
        () if is_break else _services(contract, part, days_system),
    )


def _quarters(contract: Contract, first: Quarter, last: Quarter) -> Iterable[Quarter]:
    start = max(Quarter.of(contract.start), first)
    stop = last if contract.end is None else min(Quarter.of(contract.end), last)
    return Quarter.range(start, stop)


def contract_records(
    contracts: Iterable[Contract], *, first: Quarter, last: Quarter
) -> ContractRecords:
    """The DmfA records of ``contracts`` for the quarters ``first`` to ``last``.

    One record per worker, employer, worker code, employer class and quarter, with
    the lines of all that worker's contracts there in order of start (numbered
    from 1); one declared quarter per employer and quarter with a record. Records
    come sorted by employer key, quarter and NISS.
    """
    lines: dict[tuple[str, Quarter, str, int, str], list[tuple[Contract, Period, bool]]] = (
        defaultdict(list)
    )
    employers: dict[str, Employer] = {}
    for contract in contracts:
        if not isinstance(contract, Contract):
            raise TypeError(f"contract_records: expected Contract, got {type(contract).__name__}")
        key = contract.employer.key
        employers.setdefault(key, contract.employer)
        stretches = _stretches(contract)
        for quarter in _quarters(contract, first, last):
            group = (key, quarter, contract.niss.value, contract.code, contract.employer_class)
            for stretch, is_break in stretches:
                if stretch.intersection(quarter.period) is not None:
                    lines[group].append((contract, stretch, is_break))
    return _assemble(lines, employers)


def _assemble(
    lines: dict[tuple[str, Quarter, str, int, str], list[tuple[Contract, Period, bool]]],
    employers: dict[str, Employer],
) -> ContractRecords:
    records: list[DmfaWorkerRecord] = []
    counts: dict[tuple[str, Quarter], set[str]] = defaultdict(set)
    record_counts: dict[tuple[str, Quarter], int] = defaultdict(int)
    for group in sorted(lines, key=lambda g: (g[0], g[1], g[2], g[3], g[4])):
        key, quarter, niss, code, employer_class = group
        ordered: Sequence[tuple[Contract, Period, bool]] = sorted(
            lines[group], key=lambda item: (item[1].start, item[2])
        )
        occupations = [
            line
            for sequence, (contract, stretch, is_break) in enumerate(ordered, start=1)
            if (line := _line(contract, sequence, stretch, quarter, is_break=is_break)) is not None
        ]
        records.append(
            DmfaWorkerRecord(
                employers[key],
                quarter,
                Niss(niss),
                code,
                employer_class,
                quarter.period,
                occupations,
            )
        )
        counts[(key, quarter)].add(niss)
        record_counts[(key, quarter)] += 1
    declarations = tuple(
        DmfaDeclaration(
            employers[key],
            quarter,
            worker_count=len(people),
            record_count=record_counts[(key, quarter)],
        )
        for (key, quarter), people in sorted(counts.items(), key=lambda item: item[0])
    )
    return ContractRecords(tuple(records), declarations)
