"""Dimona consolidation: fold IN/UPDATE/OUT/CANCEL per ``DimonaPeriodId`` (docs/concepts.md).

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
from collections.abc import Callable, Iterable, Sequence
from datetime import date

import attrs

from mycareer._html import summarised
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


@summarised
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


@attrs.frozen
class _Step:
    """One declaration being applied: its outcome, period key and how to name it."""

    declaration: DimonaDeclaration
    outcome: DimonaOutcome | None
    key: str
    what: str

    @property
    def status(self) -> DimonaStatus | None:
        return self.outcome.status if self.outcome is not None else None

    @property
    def pending(self) -> bool:
        """No outcome yet, or ONSS still deciding: applied, but provisional."""
        return self.status is None or self.status is DimonaStatus.PENDING


@attrs.define
class _Fold:
    """The explicit state of the fold: one :class:`_State` per period key, and findings."""

    states: dict[str, _State] = attrs.Factory(dict)
    findings: list[Finding] = attrs.Factory(list)

    def note(self, code: str, severity: Severity, message: str, step: _Step) -> None:
        self.findings.append(Finding(code, severity, message, step.declaration.source))


#: A handler applies one step to its period (``None`` when there is none yet) and
#: returns the period it changed, or ``None`` when the declaration is ignored.
_Handler = Callable[[_Fold, _Step, "_State | None"], "_State | None"]


def _open(fold: _Fold, step: _Step, state: _State | None) -> _State | None:
    """IN (or an UPDATE of an unknown period): set the period's fields."""
    declaration, what = step.declaration, step.what
    if state is not None:
        fold.note(
            "DIMONA_DUPLICATE_IN",
            Severity.WARNING,
            f"{what}: the period already exists; its fields are overwritten",
            step,
        )
    if declaration.action is DimonaAction.UPDATE:
        fold.note(
            "DIMONA_UPDATE_WITHOUT_IN",
            Severity.WARNING,
            f"{what}: no IN seen for this period"
            + ("; the update starts it" if declaration.start else "; ignored"),
            step,
        )
    if declaration.start is None:
        if declaration.action is DimonaAction.IN:
            fold.note(
                "DIMONA_IN_WITHOUT_START",
                Severity.ERROR,
                f"{what} has no start date: ignored",
                step,
            )
        return None
    end = None if declaration.end == REOPEN_END else declaration.end
    if state is None:
        state = _State(
            step.key,
            declaration.employer,
            declaration.niss,
            declaration.start,
            end,
            declaration.worker_type,
            declaration.joint_commission,
            declaration.planned_hours,
            declaration.source,
        )
        fold.states[step.key] = state
    else:
        state.start, state.end = declaration.start, end
        state.worker_type = declaration.worker_type or state.worker_type
        state.joint_commission = declaration.joint_commission or state.joint_commission
        state.planned_hours = declaration.planned_hours or state.planned_hours
    return state


def _unknown(fold: _Fold, step: _Step, state: _State | None) -> _State | None:
    """OUT or CANCEL of a period no IN created."""
    fold.note(
        "DIMONA_UNKNOWN_PERIOD",
        Severity.WARNING,
        f"{step.what}: no IN seen for this period: ignored",
        step,
    )
    return None


def _update(fold: _Fold, step: _Step, state: _State | None) -> _State | None:
    """UPDATE: replace only the fields it carries; an end of 9999-12-31 re-opens."""
    assert state is not None
    declaration = step.declaration
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
    return state


def _out(fold: _Fold, step: _Step, state: _State | None) -> _State | None:
    """OUT: set the end, only while the period is open."""
    assert state is not None
    declaration, what = step.declaration, step.what
    if state.end is not None:
        fold.note(
            "DIMONA_OUT_ON_CLOSED",
            Severity.WARNING,
            f"{what}: the period already ends on {state.end.isoformat()}; "
            "an OUT only closes an open period: ignored",
            step,
        )
        return None
    if declaration.end is None or declaration.end == REOPEN_END:
        fold.note(
            "DIMONA_OUT_WITHOUT_END", Severity.ERROR, f"{what} carries no end date: ignored", step
        )
        return None
    state.end = declaration.end
    return state


def _cancel(fold: _Fold, step: _Step, state: _State | None) -> _State | None:
    """CANCEL: remove the period; a pending one keeps it, provisional."""
    assert state is not None
    if step.pending:
        fold.note(
            "DIMONA_PENDING_CANCEL",
            Severity.INFO,
            f"{step.what} is pending: the period is kept, provisional",
            step,
        )
        return state
    state.cancelled = True
    fold.note("DIMONA_CANCELLED", Severity.INFO, f"{step.what}: period removed", step)
    return state


#: The handler of each action on a known period (rule 4 of the module docstring).
_HANDLERS: dict[DimonaAction, _Handler] = {
    DimonaAction.IN: _open,
    DimonaAction.UPDATE: _update,
    DimonaAction.OUT: _out,
    DimonaAction.CANCEL: _cancel,
}


def _handler(action: DimonaAction, state: _State | None) -> _Handler:
    if state is None:
        return _open if action in (DimonaAction.IN, DimonaAction.UPDATE) else _unknown
    return _HANDLERS[action]


def _step(
    fold: _Fold, index: int, declaration: DimonaDeclaration, outcome: DimonaOutcome | None
) -> _Step:
    """The step of one declaration, keyed by its period id (rule 1)."""
    period_id = declaration.period_id or (outcome.period_id if outcome else None)
    key = period_id
    if key is None:
        key = f"ref:{declaration.reference}" if declaration.reference else f"#{index + 1}"
    step = _Step(declaration, outcome, key, _describe(declaration, key))
    if period_id is None:
        fold.note(
            "DIMONA_NO_PERIOD_ID",
            Severity.INFO,
            f"{declaration.action.value} has no DimonaPeriodId (none in its outcome "
            f"either): grouped as {key}",
            step,
        )
    return step


def _screen(fold: _Fold, step: _Step) -> tuple[bool, _State | None]:
    """The checks before any handler (rules 3-4): whether to apply the step, and its period."""
    outcome, what = step.outcome, step.what
    if (
        outcome is not None
        and outcome.cancelled
        and step.declaration.action is not DimonaAction.CANCEL
    ):
        # "refused because already cancelled" means cancelled, as in the fold of
        # github.com/hyperlab-be/laravel-dimona
        known = fold.states.get(step.key)
        if known is not None and not known.cancelled:
            known.cancelled = True
            fold.note(
                "DIMONA_CANCELLED",
                Severity.INFO,
                f"{what}: ONSS reports the period cancelled: period removed",
                step,
            )
        return False, None
    if step.status is DimonaStatus.REFUSED:
        fold.note("DIMONA_REFUSED", Severity.INFO, f"{what} was refused: ignored", step)
        return False, None
    if step.status is None:
        fold.note(
            "DIMONA_NO_OUTCOME",
            Severity.WARNING,
            f"{what} has no ONSS outcome: applied as pending (provisional)",
            step,
        )
    state = fold.states.get(step.key)
    if state is not None and state.cancelled:
        fold.note(
            "DIMONA_AFTER_CANCEL",
            Severity.WARNING,
            f"{what} comes after the period was cancelled: ignored",
            step,
        )
        return False, None
    return True, state


def _periods(fold: _Fold) -> list[DimonaPeriod]:
    """The periods still standing (rule 5), each checked for an end before its start."""
    periods: list[DimonaPeriod] = []
    for state in fold.states.values():
        if state.cancelled:
            continue
        assert state.start is not None
        if state.end is not None and state.end < state.start:
            fold.findings.append(
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
    return periods


def consolidate_dimona(
    declarations: Iterable[DimonaDeclaration],
    outcomes: Iterable[DimonaOutcome] = (),
) -> DimonaConsolidation:
    """Fold declarations and their outcomes into consolidated Dimona periods.

    Never raises on inconsistent data: every declaration that changes nothing
    becomes a finding. Each declaration goes through the checks of its outcome
    (:func:`_screen`), then the handler of its action (:data:`_HANDLERS`) over
    the explicit state of the fold (:class:`_Fold`).
    """
    declarations = list(declarations)
    paired = _pair_outcomes(declarations, outcomes)
    pairs = list(zip(declarations, paired, strict=True))
    if pairs and all(d.declared_at is not None for d in declarations):
        pairs.sort(key=lambda pair: pair[0].declared_at)  # type: ignore[arg-type,return-value]
    fold = _Fold()
    for index, (declaration, outcome) in enumerate(pairs):
        step = _step(fold, index, declaration, outcome)
        applies, state = _screen(fold, step)
        if not applies:
            continue
        changed = _handler(declaration.action, state)(fold, step, state)
        if changed is not None:
            changed.provisional = changed.provisional or step.pending
            changed.applied.append(declaration)
    periods = _periods(fold)
    return DimonaConsolidation(tuple(periods), tuple(fold.findings))
