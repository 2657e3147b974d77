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

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.work_fraction import WorkFraction

__all__ = ["CareerPeriod", "CareerRecords", "EnterpriseNumber"]


@attrs.frozen
class CareerPeriod:
    """One period of one worker's career."""

    niss: Niss
    kind: PeriodKind
    period: Period
    employer: Employer | None = None
    fraction: WorkFraction | None = None
    joint_commission: JointCommission | None = None
    label: str | None = None
    provisional: bool = False
    source: SourceRef | None = None

    @property
    def is_open(self) -> bool:
        return self.period.is_open


def _period_tuple(items: Iterable[CareerPeriod]) -> tuple[CareerPeriod, ...]:
    return tuple(items)


@attrs.frozen
class CareerRecords:
    """A worker's career records: the unit of the career-records format."""

    niss: Niss
    periods: tuple[CareerPeriod, ...] = attrs.field(converter=_period_tuple, factory=tuple)
    name: str | None = None

    @property
    def employers(self) -> tuple[Employer, ...]:
        """Distinct employers, in order of first appearance."""
        seen: dict[Employer, None] = {}
        for period in self.periods:
            if period.employer is not None:
                seen.setdefault(period.employer, None)
        return tuple(seen)
