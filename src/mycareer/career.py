"""Career periods: the common record every source is turned into.

A :class:`CareerPeriod` says that a worker was in some situation (``kind``) over
a :class:`~mycareer.period.Period`, possibly at an employer, with a work
fraction and joint committee, and where the record came from. DmfA occupation
lines, consolidated Dimona periods and caller-supplied unemployment or
sickness periods all become career periods before the timeline engine runs.

>>> from datetime import date
>>> p = CareerPeriod(
...     niss=Niss("90010100123"), kind=PeriodKind.EMPLOYMENT,
...     period=Period(date(2024, 1, 1), None),
...     employer=Employer(EnterpriseNumber("0403019261")),
...     fraction=WorkFraction.from_hundredths(3040, 3800),
...     joint_commission=JointCommission("200"))
>>> p.fraction, p.is_open
(WorkFraction(value=Fraction(4, 5)), True)
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from mycareer._checks import is_a, items_of
from mycareer._html import summarised
from mycareer.employer import Employer, to_optional_employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission, to_optional_joint_commission
from mycareer.kinds import PeriodKind, to_period_kind
from mycareer.niss import Niss, to_niss
from mycareer.period import Period
from mycareer.work_fraction import WorkFraction, to_optional_work_fraction

__all__ = ["CareerPeriod", "CareerRecords", "EnterpriseNumber"]


@attrs.frozen
class CareerPeriod:
    """One period of one worker's career.

    Fields are checked at construction; natural spellings convert (a NISS or
    enterprise number as text, the kind's name, a joint committee code, a
    ``Fraction``), anything else raises :class:`TypeError` naming the field.

    >>> from datetime import date
    >>> CareerPeriod("85073003328", "sickness", Period(date(2024, 1, 1), None),
    ...              employer="0403019261").employer
    Employer(enterprise=EnterpriseNumber(value='0403019261'), nsso=None, name=None)
    >>> CareerPeriod("85073003328", "employment", Period(date(2024, 1, 1), None), fraction=0.8)
    Traceback (most recent call last):
    ...
    TypeError: CareerPeriod.fraction: expected WorkFraction or None, got float 0.8; a float ...
    """

    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    kind: PeriodKind = attrs.field(converter=to_period_kind, validator=is_a(PeriodKind))
    period: Period = attrs.field(validator=is_a(Period))
    employer: Employer | None = attrs.field(
        default=None, converter=to_optional_employer, validator=is_a(Employer, optional=True)
    )
    fraction: WorkFraction | None = attrs.field(
        default=None,
        converter=to_optional_work_fraction,
        validator=is_a(WorkFraction, optional=True),
    )
    joint_commission: JointCommission | None = attrs.field(
        default=None,
        converter=to_optional_joint_commission,
        validator=is_a(JointCommission, optional=True),
    )
    label: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    provisional: bool = attrs.field(default=False, validator=is_a(bool))
    source: SourceRef | None = attrs.field(default=None, validator=is_a(SourceRef, optional=True))

    @property
    def is_open(self) -> bool:
        return self.period.is_open


def _period_tuple(items: Iterable[CareerPeriod]) -> tuple[CareerPeriod, ...]:
    return tuple(items)


@summarised
@attrs.frozen
class CareerRecords:
    """A worker's career records: the unit of the career-records format."""

    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    periods: tuple[CareerPeriod, ...] = attrs.field(
        converter=_period_tuple, factory=tuple, validator=items_of(CareerPeriod)
    )
    name: str | None = attrs.field(default=None, validator=is_a(str, optional=True))

    @property
    def employers(self) -> tuple[Employer, ...]:
        """Distinct employers, in order of first appearance."""
        seen: dict[Employer, None] = {}
        for period in self.periods:
            if period.employer is not None:
                seen.setdefault(period.employer, None)
        return tuple(seen)
