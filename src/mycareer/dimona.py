"""Typed records of Dimona declarations and their ONSS outcomes.

A Dimona *period* (``DimonaPeriodId``, 12 digits) is created by an accepted IN
and changed by UPDATE, OUT and CANCEL (career-data.md §2.2–2.6). Readers in
:mod:`mycareer.xmlio` fill these records; :mod:`mycareer.timeline` folds them.

>>> DimonaStatus("W").counts, DimonaStatus.REFUSED.counts
(True, False)
>>> REOPEN_END.isoformat()
'9999-12-31'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

import attrs

from mycareer.employer import Employer
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.period import Period

__all__ = ["REOPEN_END", "DimonaAction", "DimonaDeclaration", "DimonaOutcome", "DimonaStatus"]

#: An UPDATE with this ``EndingDate`` re-opens a period (zone 00911).
REOPEN_END = date(9999, 12, 31)


class DimonaAction(StrEnum):
    IN = "IN"
    OUT = "OUT"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"


class DimonaStatus(StrEnum):
    """``declarationStatus.result``."""

    ACCEPTED = "A"
    ACCEPTED_WITH_WARNINGS = "W"
    REFUSED = "B"
    PENDING = "S"

    @property
    def counts(self) -> bool:
        """Only accepted declarations (A, W) change a period."""
        return self in (DimonaStatus.ACCEPTED, DimonaStatus.ACCEPTED_WITH_WARNINGS)


@attrs.frozen
class DimonaDeclaration:
    """One declaration as sent (IN, OUT, UPDATE or CANCEL).

    ``end`` keeps the raw date: ``REOPEN_END`` in an UPDATE means "clear the end".
    ``reference`` is the sender's reference (``Form/Reference/ReferenceNbr``),
    which sidecar outcome files key on.
    """

    action: DimonaAction
    employer: Employer
    niss: Niss | None = None
    period_id: str | None = None
    reference: str | None = None
    start: date | None = None
    end: date | None = None
    worker_type: str | None = None
    joint_commission: JointCommission | None = None
    planned_hours: int | None = None
    declared_at: datetime | None = None
    source: SourceRef | None = None


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class DimonaOutcome:
    """ONSS's answer to one declaration: its status and the period id it concerns.

    From an ONSS notification (``NOTIFICATION`` schema) the reader also fills the
    period as it was before and after the declaration, whether the period is now
    cancelled, when ONSS answered, and the anomaly codes (``ErrorID``). A sidecar
    file only gives ``reference``, ``period_id`` and ``status``.
    """

    status: DimonaStatus
    reference: str | None = None
    period_id: str | None = None
    source: SourceRef | None = None
    period_before: Period | None = None
    period_after: Period | None = None
    cancelled: bool = False
    notified_at: datetime | None = None
    anomalies: tuple[str, ...] = attrs.field(converter=_strings, factory=tuple)
