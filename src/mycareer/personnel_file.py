"""The Dimona personnel file: the ONSS's own list of an employer's Dimona periods.

An employer downloads it as a ``PersonnelFileConsultationAnswer``; mycareer
reads each ``DimonaPeriod`` into a :class:`PersonnelFilePeriod`. Zones (public
ONSS glossary "PersonnelFileConsultationAnswer" 2023/3,
https://www.socialsecurity.be): ``DimonaPeriodId`` 00913, ``StartingDate``
00910, ``EndingDate`` 00911, ``IsCancelled`` 00937, ``IsLocked`` 00936 (the
period was entered by an ONSS agent: the employer cannot change it),
``IsLate`` 01097, ``PlannedDaysNbr`` 01017, ``WorkerType`` 00655,
``LastUpdateDate`` 00938, ``ResultCodeResearch`` 00609.

A cancelled period is not employment (:attr:`PersonnelFilePeriod.is_employment`).

>>> from mycareer.enterprise import EnterpriseNumber
>>> acme = Employer(EnterpriseNumber("0403019261"))
>>> p = PersonnelFilePeriod("600027876089", acme, Niss("90010100123"),
...                         start=date(2023, 1, 5), end=date(2023, 1, 5), worker_type="STU")
>>> p.is_employment, str(p.period)
(True, '2023-01-05..2023-01-05')
>>> attrs.evolve(p, cancelled=True).to_career_period() is None
True
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from mycareer.career import CareerPeriod
from mycareer.employer import Employer
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period

__all__ = ["PersonnelFileAnswer", "PersonnelFilePeriod"]


@attrs.frozen
class PersonnelFilePeriod:
    """One ``DimonaPeriod`` of a personnel file, as the ONSS holds it."""

    period_id: str
    employer: Employer
    niss: Niss | None = None
    start: date | None = None
    end: date | None = None
    joint_commission: JointCommission | None = None
    worker_type: str | None = None
    cancelled: bool = False
    locked: bool = False
    late: bool | None = None
    planned_days: int | None = None
    planned_hours: int | None = None
    last_update: datetime | None = None
    source: SourceRef | None = None

    @property
    def period(self) -> Period | None:
        """The period's days (``None`` when the file gives no start date)."""
        if self.start is None or (self.end is not None and self.end < self.start):
            return None
        return Period(self.start, self.end)

    @property
    def is_employment(self) -> bool:
        """A period that is not cancelled and has its dates."""
        return not self.cancelled and self.period is not None

    def to_career_period(self) -> CareerPeriod | None:
        """As an ``EMPLOYMENT`` career period; ``None`` when cancelled, undated or anonymous."""
        period = self.period
        if self.cancelled or period is None or self.niss is None:
            return None
        return CareerPeriod(
            niss=self.niss,
            kind=PeriodKind.EMPLOYMENT,
            period=period,
            employer=self.employer,
            joint_commission=self.joint_commission,
            label=f"Dimona personnel file {self.period_id}"
            + (f" ({self.worker_type})" if self.worker_type else ""),
            source=self.source,
        )


@attrs.frozen
class PersonnelFileAnswer:
    """The header of one answer: whose file, which window, what the search found.

    ``result_code`` is ``ResultCodeResearch`` (zone 00609): 0 no anomaly, 1 no
    result for the request, 5 too many results (the answer is incomplete).
    """

    employer: Employer
    result_code: int
    window: Period | None = None
    created_at: datetime | None = None
    source: SourceRef | None = None

    @property
    def complete(self) -> bool:
        """Whether the answer lists the employer's periods (codes 0 and 1)."""
        return self.result_code in (0, 1)
