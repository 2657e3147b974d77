"""Typed records of Dimona declarations and their ONSS outcomes.

A Dimona *period* (``DimonaPeriodId``, 12 digits) is created by an accepted IN
and changed by UPDATE, OUT and CANCEL (docs/concepts.md, Career records). Readers in
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

from mycareer._checks import is_a, items_of, register, to_enum, to_optional_date
from mycareer.employer import Employer, to_employer
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission, to_optional_joint_commission
from mycareer.niss import Niss, to_optional_niss
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


def _to_action(raw: DimonaAction | str) -> DimonaAction:
    return to_enum(DimonaAction, raw)


def _to_status(raw: DimonaStatus | str) -> DimonaStatus:
    return to_enum(DimonaStatus, raw)


register(_to_action, _to_status)


@attrs.frozen
class DimonaDeclaration:
    """One declaration as sent (IN, OUT, UPDATE or CANCEL).

    ``end`` keeps the raw date: ``REOPEN_END`` in an UPDATE means "clear the end".
    ``reference`` is the sender's reference (``Form/Reference/ReferenceNbr``),
    which sidecar outcome files key on.
    """

    action: DimonaAction = attrs.field(converter=_to_action, validator=is_a(DimonaAction))
    employer: Employer = attrs.field(converter=to_employer, validator=is_a(Employer))
    niss: Niss | None = attrs.field(
        default=None, converter=to_optional_niss, validator=is_a(Niss, optional=True)
    )
    period_id: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    reference: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    start: date | None = attrs.field(
        default=None, converter=to_optional_date, validator=is_a(date, optional=True)
    )
    end: date | None = attrs.field(
        default=None, converter=to_optional_date, validator=is_a(date, optional=True)
    )
    worker_type: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    joint_commission: JointCommission | None = attrs.field(
        default=None,
        converter=to_optional_joint_commission,
        validator=is_a(JointCommission, optional=True),
    )
    planned_hours: int | None = attrs.field(default=None, validator=is_a(int, optional=True))
    declared_at: datetime | None = attrs.field(
        default=None, validator=is_a(datetime, optional=True)
    )
    source: SourceRef | None = attrs.field(default=None, validator=is_a(SourceRef, optional=True))


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

    status: DimonaStatus = attrs.field(converter=_to_status, validator=is_a(DimonaStatus))
    reference: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    period_id: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    source: SourceRef | None = attrs.field(default=None, validator=is_a(SourceRef, optional=True))
    period_before: Period | None = attrs.field(default=None, validator=is_a(Period, optional=True))
    period_after: Period | None = attrs.field(default=None, validator=is_a(Period, optional=True))
    cancelled: bool = attrs.field(default=False, validator=is_a(bool))
    notified_at: datetime | None = attrs.field(
        default=None, validator=is_a(datetime, optional=True)
    )
    anomalies: tuple[str, ...] = attrs.field(
        converter=_strings, factory=tuple, validator=items_of(str)
    )
