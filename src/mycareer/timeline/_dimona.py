"""Dimona consolidation: fold IN/UPDATE/OUT/CANCEL per ``DimonaPeriodId`` (career-data.md §2.6).

Rules:

1. Outcomes are paired with declarations by the sender's ``reference`` (sidecar
   files, notifications) and otherwise by period id, in order. An IN gets its
   period id from its outcome when it does not carry one.
2. Declarations are applied per period id in declaration order: by
   ``declared_at`` when every declaration has one, else in input order.
3. Only accepted declarations (A, W) count. Refused ones (B) change nothing.
   Pending ones (S), and declarations without any outcome, are applied but
   mark the period *provisional*; a pending CANCEL does not remove it.
4. IN sets start, end (optional), worker type, joint committee and planned
   hours; UPDATE replaces only the fields it carries, and an end of
   ``9999-12-31`` (:data:`~mycareer.dimona.REOPEN_END`) re-opens the period;
   OUT sets the end only while the period is open (else ``DIMONA_OUT_ON_CLOSED``);
   CANCEL removes the period, and so does any outcome flagged ``cancelled``
   (e.g. refused because the period was already cancelled).
5. Raw periods are kept, one per period id; :meth:`DimonaConsolidation.merged_by_employer`
   is the merged view on top.

Every declaration that changes nothing is reported by a :class:`~mycareer.findings.Finding`.

>>> from datetime import date
>>> from mycareer.dimona import DimonaAction as A, DimonaStatus as S
>>> from mycareer.employer import Employer
>>> from mycareer.enterprise import EnterpriseNumber
>>> acme = Employer(EnterpriseNumber("0403019261"))
>>> declarations = [
...     DimonaDeclaration(A.IN, acme, reference="r1", start=date(2024, 1, 1)),
...     DimonaDeclaration(A.OUT, acme, period_id="100000000001", reference="r2",
...                       end=date(2024, 6, 30))]
>>> outcomes = [DimonaOutcome(S.ACCEPTED, reference="r1", period_id="100000000001"),
...             DimonaOutcome(S.ACCEPTED, reference="r2", period_id="100000000001")]
>>> result = consolidate_dimona(declarations, outcomes)
>>> [(p.period_id, str(p.period), p.provisional) for p in result.periods]
[('100000000001', '2024-01-01..2024-06-30', False)]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from datetime import date

import attrs

from mycareer.career import CareerPeriod
from mycareer.dimona import (
    REOPEN_END,
    DimonaAction,
    DimonaDeclaration,
    DimonaOutcome,
    DimonaStatus,
)
from mycareer.employer import Employer
from mycareer.errors import SourceRef
from mycareer.findings import Finding, Severity
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.timeline._merge import merge_by

__all__ = ["DimonaConsolidation", "DimonaPeriod", "consolidate_dimona"]


@attrs.frozen
class DimonaPeriod:
    """One consolidated Dimona period (raw: one per ``DimonaPeriodId``)."""

    period_id: str
    employer: Employer
    niss: Niss | None
    period: Period
    worker_type: str | None = None
    joint_commission: JointCommission | None = None
    planned_hours: int | None = None
    provisional: bool = False
    declarations: tuple[DimonaDeclaration, ...] = ()
    source: SourceRef | None = None

    def to_career_period(self) -> CareerPeriod | None:
        """As an ``EMPLOYMENT`` career period (no work fraction: Dimona has none); needs a NISS."""
        if self.niss is None:
            return None
        return CareerPeriod(
            niss=self.niss,
            kind=PeriodKind.EMPLOYMENT,
            period=self.period,
            employer=self.employer,
            joint_commission=self.joint_commission,
            label=f"Dimona {self.period_id}"
            + (f" ({self.worker_type})" if self.worker_type else ""),
            provisional=self.provisional,
            source=self.source,
        )


@attrs.frozen
class DimonaConsolidation:
    """Consolidated periods (raw, one per period id) and the findings of the fold."""

    periods: tuple[DimonaPeriod, ...]
    findings: tuple[Finding, ...] = ()

    def career_periods(self) -> tuple[CareerPeriod, ...]:
        """The periods with a NISS as ``EMPLOYMENT`` career periods."""
        out = []
        for period in self.periods:
            career = period.to_career_period()
            if career is not None:
                out.append(career)
        return tuple(out)

    def merged_by_employer(self) -> dict[tuple[Niss | None, str], tuple[Period, ...]]:
        """The merged view: ``{(niss, employer key): merged periods}``."""
        return merge_by(self.periods, key=lambda p: (p.niss, p.employer.key))


@attrs.define
class _State:
    key: str
    employer: Employer
    niss: Niss | None
    start: date | None
    end: date | None
    worker_type: str | None
    joint_commission: JointCommission | None
    planned_hours: int | None
    source: SourceRef | None
    provisional: bool = False
    cancelled: bool = False
    applied: list[DimonaDeclaration] = attrs.Factory(list)


def _describe(declaration: DimonaDeclaration, key: str) -> str:
    ref = f" (reference {declaration.reference})" if declaration.reference else ""
    return f"{declaration.action.value} for period {key}{ref}"


def _pair_outcomes(
    declarations: Sequence[DimonaDeclaration], outcomes: Iterable[DimonaOutcome]
) -> list[DimonaOutcome | None]:
    by_reference: dict[str, DimonaOutcome] = {}
    by_period: dict[str, deque[DimonaOutcome]] = {}
    for outcome in outcomes:
        if outcome.reference is not None:
            by_reference[outcome.reference] = outcome
        elif outcome.period_id is not None:
            by_period.setdefault(outcome.period_id, deque()).append(outcome)
    paired: list[DimonaOutcome | None] = []
    for declaration in declarations:
        found = by_reference.get(declaration.reference) if declaration.reference else None
        if found is None and declaration.period_id is not None:
            queue = by_period.get(declaration.period_id)
            if queue:
                found = queue.popleft()
        paired.append(found)
    return paired


def consolidate_dimona(
    declarations: Iterable[DimonaDeclaration],
    outcomes: Iterable[DimonaOutcome] = (),
) -> DimonaConsolidation:
    """Fold declarations and their outcomes into consolidated Dimona periods.

    Never raises on inconsistent data: every declaration that changes nothing
    becomes a finding.
    """
    declarations = list(declarations)
    paired = _pair_outcomes(declarations, outcomes)
    steps = list(zip(declarations, paired, strict=True))
    if steps and all(d.declared_at is not None for d in declarations):
        steps.sort(key=lambda step: step[0].declared_at)  # type: ignore[arg-type,return-value]
    findings: list[Finding] = []
    states: dict[str, _State] = {}

    def note(code: str, severity: Severity, message: str, declaration: DimonaDeclaration) -> None:
        findings.append(Finding(code, severity, message, declaration.source))

    for index, (declaration, outcome) in enumerate(steps):
        period_id = declaration.period_id or (outcome.period_id if outcome else None)
        if period_id is None:
            key = f"ref:{declaration.reference}" if declaration.reference else f"#{index + 1}"
            note(
                "DIMONA_NO_PERIOD_ID",
                Severity.INFO,
                f"{declaration.action.value} has no DimonaPeriodId (none in its outcome "
                f"either): grouped as {key}",
                declaration,
            )
        else:
            key = period_id
        what = _describe(declaration, key)
        status = outcome.status if outcome is not None else None
        if (
            outcome is not None
            and outcome.cancelled
            and declaration.action is not DimonaAction.CANCEL
        ):
            # hyperlab's fold: "refused because already cancelled" means cancelled (§2.6)
            known = states.get(key)
            if known is not None and not known.cancelled:
                known.cancelled = True
                note(
                    "DIMONA_CANCELLED",
                    Severity.INFO,
                    f"{what}: ONSS reports the period cancelled: period removed",
                    declaration,
                )
            continue
        if status is DimonaStatus.REFUSED:
            note("DIMONA_REFUSED", Severity.INFO, f"{what} was refused: ignored", declaration)
            continue
        pending = status is None or status is DimonaStatus.PENDING
        if status is None:
            note(
                "DIMONA_NO_OUTCOME",
                Severity.WARNING,
                f"{what} has no ONSS outcome: applied as pending (provisional)",
                declaration,
            )
        state = states.get(key)
        if state is not None and state.cancelled:
            note(
                "DIMONA_AFTER_CANCEL",
                Severity.WARNING,
                f"{what} comes after the period was cancelled: ignored",
                declaration,
            )
            continue
        action = declaration.action
        if action is DimonaAction.IN or (action is DimonaAction.UPDATE and state is None):
            if state is not None:
                note(
                    "DIMONA_DUPLICATE_IN",
                    Severity.WARNING,
                    f"{what}: the period already exists; its fields are overwritten",
                    declaration,
                )
            if action is DimonaAction.UPDATE:
                note(
                    "DIMONA_UPDATE_WITHOUT_IN",
                    Severity.WARNING,
                    f"{what}: no IN seen for this period"
                    + ("; the update starts it" if declaration.start else "; ignored"),
                    declaration,
                )
            if declaration.start is None:
                if action is DimonaAction.IN:
                    note(
                        "DIMONA_IN_WITHOUT_START",
                        Severity.ERROR,
                        f"{what} has no start date: ignored",
                        declaration,
                    )
                continue
            end = None if declaration.end == REOPEN_END else declaration.end
            if state is None:
                state = _State(
                    key,
                    declaration.employer,
                    declaration.niss,
                    declaration.start,
                    end,
                    declaration.worker_type,
                    declaration.joint_commission,
                    declaration.planned_hours,
                    declaration.source,
                )
                states[key] = state
            else:
                state.start, state.end = declaration.start, end
                state.worker_type = declaration.worker_type or state.worker_type
                state.joint_commission = declaration.joint_commission or state.joint_commission
                state.planned_hours = declaration.planned_hours or state.planned_hours
        elif state is None:
            note(
                "DIMONA_UNKNOWN_PERIOD",
                Severity.WARNING,
                f"{what}: no IN seen for this period: ignored",
                declaration,
            )
            continue
        elif action is DimonaAction.UPDATE:
            if declaration.start is not None:
                state.start = declaration.start
            if declaration.end == REOPEN_END:
                state.end = None
            elif declaration.end is not None:
                state.end = declaration.end
            if declaration.worker_type is not None:
                state.worker_type = declaration.worker_type
            if declaration.joint_commission is not None:
                state.joint_commission = declaration.joint_commission
            if declaration.planned_hours is not None:
                state.planned_hours = declaration.planned_hours
            state.niss = state.niss or declaration.niss
        elif action is DimonaAction.OUT:
            if state.end is not None:
                note(
                    "DIMONA_OUT_ON_CLOSED",
                    Severity.WARNING,
                    f"{what}: the period already ends on {state.end.isoformat()}; "
                    "an OUT only closes an open period: ignored",
                    declaration,
                )
                continue
            if declaration.end is None or declaration.end == REOPEN_END:
                note(
                    "DIMONA_OUT_WITHOUT_END",
                    Severity.ERROR,
                    f"{what} carries no end date: ignored",
                    declaration,
                )
                continue
            state.end = declaration.end
        else:  # CANCEL
            if pending:
                note(
                    "DIMONA_PENDING_CANCEL",
                    Severity.INFO,
                    f"{what} is pending: the period is kept, provisional",
                    declaration,
                )
                state.provisional = True
                state.applied.append(declaration)
                continue
            state.cancelled = True
            note("DIMONA_CANCELLED", Severity.INFO, f"{what}: period removed", declaration)
        state.provisional = state.provisional or pending
        state.applied.append(declaration)
    periods: list[DimonaPeriod] = []
    for state in states.values():
        if state.cancelled:
            continue
        assert state.start is not None
        if state.end is not None and state.end < state.start:
            findings.append(
                Finding(
                    "DIMONA_END_BEFORE_START",
                    Severity.ERROR,
                    f"period {state.key} ends {state.end.isoformat()} before it starts "
                    f"{state.start.isoformat()}: kept out",
                    state.source,
                )
            )
            continue
        periods.append(
            DimonaPeriod(
                period_id=state.key,
                employer=state.employer,
                niss=state.niss,
                period=Period(state.start, state.end),
                worker_type=state.worker_type,
                joint_commission=state.joint_commission,
                planned_hours=state.planned_hours,
                provisional=state.provisional,
                declarations=tuple(state.applied),
                source=state.source,
            )
        )
    return DimonaConsolidation(tuple(periods), tuple(findings))
