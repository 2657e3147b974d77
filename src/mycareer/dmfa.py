"""Typed records of a DmfA original declaration (quarterly, per employer).

These are plain values; :mod:`mycareer.xmlio` fills them from XML. Quantities
come in DmfA hundredths and stay exact (``Decimal`` days, ``WorkFraction``).
Element names are those of ``DmfAOriginal`` 2003/1 onward
(``DmfAOriginal_20231.xsd``).

>>> from datetime import date
>>> occ = DmfaOccupation(
...     sequence=2, start=date(2023, 2, 15), end=None,
...     period=Period(date(2023, 2, 15), date(2023, 3, 31)),
...     joint_commission=JointCommission("200"), working_days_system=400,
...     contract_type=ContractType.PART_TIME, mean_working_hours=3040,
...     ref_mean_working_hours=3800)
>>> occ.fraction, occ.working_days_per_week, occ.is_full_career_break
(WorkFraction(value=Fraction(4, 5)), Decimal('4'), False)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum

import attrs

from mycareer._cache import bounded_cache
from mycareer._checks import is_a, items_of, register, to_date, to_enum, to_optional_date
from mycareer.employer import Employer, to_employer
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission, to_joint_commission
from mycareer.niss import Niss, to_niss
from mycareer.period import Period
from mycareer.quarter import Quarter, to_quarter
from mycareer.work_fraction import WorkFraction

__all__ = [
    "FULL_CAREER_BREAK",
    "PARTIAL_CAREER_BREAK",
    "TERMINATION_INDEMNITY_REMUNERATION_CODES",
    "ContractType",
    "DmfaDeclaration",
    "DmfaOccupation",
    "DmfaWorkerRecord",
    "RemunerationLine",
    "ReorganisationMeasure",
    "ServiceLine",
    "is_termination_indemnity",
]

#: DmfA annex 7 remuneration code(s) of termination indemnities ("indemnités payées
#: suite à la rupture du contrat"), declared on their own occupation lines
#: (ONSS DmfA instructions, occupation record). Code 3 is what Odoo's Belgian DmfA
#: export uses for them.
#: **[verify]** against annex 7 of the current DmfA instructions (codes 11/12/13
#: may also concern end-of-contract payments). Callers pass their own set through
#: ``indemnity_codes=``.
TERMINATION_INDEMNITY_REMUNERATION_CODES: frozenset[int] = frozenset({3})

#: Annex 44 reorganisation measure codes used for career breaks.
FULL_CAREER_BREAK = 3
PARTIAL_CAREER_BREAK = 4

_HUNDRED = Decimal(100)


class ContractType(IntEnum):
    """DmfA zone 00050."""

    FULL_TIME = 0
    PART_TIME = 1


def _to_contract_type(raw: ContractType | int) -> ContractType:
    return to_enum(ContractType, raw)


register(_to_contract_type)


@attrs.frozen
class ServiceLine:
    """``Service``: a working-time code (annex 8) and its days, both in hundredths."""

    code: int = attrs.field(validator=is_a(int))
    days_hundredths: int = attrs.field(validator=is_a(int))
    hours_hundredths: int | None = attrs.field(default=None, validator=is_a(int, optional=True))

    @property
    def days(self) -> Decimal:
        return Decimal(self.days_hundredths) / _HUNDRED

    @property
    def hours(self) -> Decimal | None:
        return None if self.hours_hundredths is None else Decimal(self.hours_hundredths) / _HUNDRED


@attrs.frozen
class RemunerationLine:
    """``Remun``: a remuneration code (annex 7) and its amount in euro cents."""

    code: int = attrs.field(validator=is_a(int))
    amount_cents: int = attrs.field(validator=is_a(int))
    frequency: int | None = attrs.field(default=None, validator=is_a(int, optional=True))
    percentage_paid: int | None = attrs.field(default=None, validator=is_a(int, optional=True))


@attrs.frozen
class ReorganisationMeasure:
    """A reorganisation measure (annex 44) and, when given, its percentage (hundredths)."""

    code: int = attrs.field(validator=is_a(int))
    percentage_hundredths: int | None = attrs.field(
        default=None, validator=is_a(int, optional=True)
    )


def _measures(items: Iterable[ReorganisationMeasure]) -> tuple[ReorganisationMeasure, ...]:
    return tuple(items)


def _services(items: Iterable[ServiceLine]) -> tuple[ServiceLine, ...]:
    return tuple(items)


def _remunerations(items: Iterable[RemunerationLine]) -> tuple[RemunerationLine, ...]:
    return tuple(items)


#: Q/S of a line, shared by its two values: payroll lines repeat a few dozen pairs, and a
#: WorkFraction built anew checks and normalises its Fraction (measured in
#: benchmarks/targets.py: 0.9 s of a 22 s profiled timeline run built them).
@bounded_cache(maxsize=4096)
def _work_fraction(q: int, s: int) -> WorkFraction:
    return WorkFraction.from_hundredths(q, s)


@attrs.frozen
class DmfaOccupation:
    """One ``Occupation`` line, read for its own quarter.

    ``start``/``end`` are the dates as declared (``end=None`` when the line goes
    on past the quarter); ``period`` is the same line clipped to the quarter.
    """

    sequence: int = attrs.field(validator=is_a(int))
    start: date = attrs.field(converter=to_date, validator=is_a(date))
    end: date | None = attrs.field(converter=to_optional_date, validator=is_a(date, optional=True))
    period: Period = attrs.field(validator=is_a(Period))
    joint_commission: JointCommission = attrs.field(
        converter=to_joint_commission, validator=is_a(JointCommission)
    )
    working_days_system: int = attrs.field(validator=is_a(int))
    contract_type: ContractType = attrs.field(
        converter=_to_contract_type, validator=is_a(ContractType)
    )
    mean_working_hours: int | None = attrs.field(default=None, validator=is_a(int, optional=True))
    ref_mean_working_hours: int | None = attrs.field(
        default=None, validator=is_a(int, optional=True)
    )
    reorganisation_measures: tuple[ReorganisationMeasure, ...] = attrs.field(
        converter=_measures,
        factory=tuple,
        validator=items_of(ReorganisationMeasure),
    )
    services: tuple[ServiceLine, ...] = attrs.field(
        converter=_services, factory=tuple, validator=items_of(ServiceLine)
    )
    remunerations: tuple[RemunerationLine, ...] = attrs.field(
        converter=_remunerations,
        factory=tuple,
        validator=items_of(RemunerationLine),
    )
    source: SourceRef | None = attrs.field(default=None, validator=is_a(SourceRef, optional=True))

    @property
    def fraction(self) -> WorkFraction | None:
        """Q/S, exact; ``None`` when S is missing or 0 (third-party payers)."""
        q, s = self.mean_working_hours, self.ref_mean_working_hours
        if q is None or not s:
            return None
        return _work_fraction(q, s)

    @property
    def working_days_per_week(self) -> Decimal:
        return Decimal(self.working_days_system) / _HUNDRED

    @property
    def measure_codes(self) -> frozenset[int]:
        return frozenset(m.code for m in self.reorganisation_measures)

    @property
    def is_full_career_break(self) -> bool:
        """Measure 3 with Q = 0: the relation stands, no work is due (DmfA FAQ)."""
        return FULL_CAREER_BREAK in self.measure_codes and not self.mean_working_hours

    @property
    def remuneration_codes(self) -> frozenset[int]:
        return frozenset(r.code for r in self.remunerations)

    @property
    def service_codes(self) -> frozenset[int]:
        return frozenset(s.code for s in self.services)


def _occupations(items: Iterable[DmfaOccupation]) -> tuple[DmfaOccupation, ...]:
    return tuple(items)


@attrs.frozen
class DmfaWorkerRecord:
    """One ``WorkerRecord`` with its employer and quarter: the unit the reader yields."""

    employer: Employer = attrs.field(converter=to_employer, validator=is_a(Employer))
    quarter: Quarter = attrs.field(converter=to_quarter, validator=is_a(Quarter))
    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    worker_code: int = attrs.field(validator=is_a(int))
    employer_class: str = attrs.field(validator=is_a(str))
    quarter_period: Period = attrs.field(validator=is_a(Period))
    occupations: tuple[DmfaOccupation, ...] = attrs.field(
        converter=_occupations,
        factory=tuple,
        validator=items_of(DmfaOccupation),
    )
    source: SourceRef | None = attrs.field(default=None, validator=is_a(SourceRef, optional=True))


@attrs.frozen
class DmfaDeclaration:
    """The header of one declared ``EmployerDeclaration``: who, which quarter, when, how many.

    Readers emit one per employer and quarter actually declared, even when every
    line in it has Q = 0 (the training-right engine counts declared quarters).
    ``worker_count`` is the number of ``NaturalPerson`` blocks; ``record_count``
    the number of ``WorkerRecord`` blocks.

    >>> from mycareer.enterprise import EnterpriseNumber
    >>> d = DmfaDeclaration(Employer(EnterpriseNumber("0403019261")), Quarter(2024, 1),
    ...                     created_at=datetime(2024, 4, 20, 10, 15), worker_count=6)
    >>> d.key
    ('0403019261', Quarter(year=2024, number=1))
    """

    employer: Employer = attrs.field(converter=to_employer, validator=is_a(Employer))
    quarter: Quarter = attrs.field(converter=to_quarter, validator=is_a(Quarter))
    created_at: datetime | None = attrs.field(default=None, validator=is_a(datetime, optional=True))
    worker_count: int = attrs.field(default=0, validator=is_a(int))
    record_count: int = attrs.field(default=0, validator=is_a(int))
    reference: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    source: SourceRef | None = attrs.field(default=None, validator=is_a(SourceRef, optional=True))

    @property
    def key(self) -> tuple[str, Quarter]:
        """``(employer key, quarter)``: two originals with the same key are duplicates."""
        return (self.employer.key, self.quarter)


def is_termination_indemnity(
    occupation: DmfaOccupation,
    indemnity_codes: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES,
) -> bool:
    """A line whose remunerations all carry termination-indemnity codes: not employment.

    Shared by the timeline (not employment) and the training right (R-COUNT-5).
    """
    remunerations = occupation.remunerations
    if not remunerations:
        return False
    for line in remunerations:  # noqa: SIM110 (a plain loop: this runs for every line)
        if line.code not in indemnity_codes:
            return False
    return True
