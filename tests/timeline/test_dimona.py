"""Dimona consolidation scenarios (fold per DimonaPeriodId, docs/concepts.md)."""

from __future__ import annotations

from datetime import date, datetime

from mycareer.dimona import (
    REOPEN_END,
    DimonaAction,
    DimonaDeclaration,
    DimonaOutcome,
    DimonaStatus,
)
from mycareer.employer import Employer
from mycareer.errors import SourceRef
from mycareer.kinds import PeriodKind
from mycareer.period import Period
from mycareer.timeline import consolidate_dimona

from .helpers import ACME, BETA, NISS

PID = "123456789012"
A, W, B, S = (
    DimonaStatus.ACCEPTED,
    DimonaStatus.ACCEPTED_WITH_WARNINGS,
    DimonaStatus.REFUSED,
    DimonaStatus.PENDING,
)


def declare(
    action: DimonaAction,
    ref: str,
    *,
    employer: Employer = ACME,
    period_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    worker_type: str | None = None,
    planned_hours: int | None = None,
    declared_at: datetime | None = None,
) -> DimonaDeclaration:
    return DimonaDeclaration(
        action,
        employer,
        niss=NISS,
        period_id=period_id,
        reference=ref,
        start=start,
        end=end,
        worker_type=worker_type,
        planned_hours=planned_hours,
        declared_at=declared_at,
        source=SourceRef("dimona.xml", int(ref[1:])),
    )


def outcome(ref: str, status: DimonaStatus = A) -> DimonaOutcome:
    return DimonaOutcome(status, reference=ref, period_id=PID)


def codes(result: object) -> list[str]:
    return [f.code for f in result.findings]  # type: ignore[attr-defined]


def test_in_then_out_closes_the_period() -> None:
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 1, 1), worker_type="OTH"),
        declare(DimonaAction.OUT, "r2", period_id=PID, end=date(2024, 3, 31)),
    ]
    result = consolidate_dimona(declarations, [outcome("r1"), outcome("r2", W)])
    [period] = result.periods
    assert period.period == Period(date(2024, 1, 1), date(2024, 3, 31))
    assert (period.period_id, period.provisional, period.worker_type) == (PID, False, "OTH")
    assert period.declarations == tuple(declarations)
    assert result.findings == ()
    [career] = result.career_periods()
    assert (career.kind, career.employer, career.fraction) == (PeriodKind.EMPLOYMENT, ACME, None)


def test_update_with_9999_12_31_reopens_a_closed_period() -> None:
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 1, 1), end=date(2024, 6, 30)),
        declare(DimonaAction.UPDATE, "r2", period_id=PID, end=REOPEN_END),
    ]
    result = consolidate_dimona(declarations, [outcome("r1"), outcome("r2")])
    [period] = result.periods
    assert period.period == Period(date(2024, 1, 1), None)


def test_update_replaces_only_the_fields_it_carries() -> None:
    declarations = [
        declare(
            DimonaAction.IN,
            "r1",
            start=date(2024, 1, 1),
            end=date(2024, 6, 30),
            worker_type="STU",
            planned_hours=120,
        ),
        declare(DimonaAction.UPDATE, "r2", period_id=PID, start=date(2024, 1, 15)),
    ]
    [period] = consolidate_dimona(declarations, [outcome("r1"), outcome("r2")]).periods
    assert period.period == Period(date(2024, 1, 15), date(2024, 6, 30))
    assert (period.worker_type, period.planned_hours) == ("STU", 120)


def test_cancel_removes_the_period_with_a_trace() -> None:
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 1, 1)),
        declare(DimonaAction.CANCEL, "r2", period_id=PID),
        declare(DimonaAction.OUT, "r3", period_id=PID, end=date(2024, 2, 1)),
    ]
    result = consolidate_dimona(declarations, [outcome("r1"), outcome("r2"), outcome("r3")])
    assert result.periods == ()
    assert codes(result) == ["DIMONA_CANCELLED", "DIMONA_AFTER_CANCEL"]


def test_refused_declarations_change_nothing() -> None:
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 1, 1)),
        declare(DimonaAction.OUT, "r2", period_id=PID, end=date(2024, 1, 31)),
        declare(DimonaAction.IN, "r3", start=date(2024, 5, 1), employer=BETA),
    ]
    result = consolidate_dimona(
        declarations,
        [outcome("r1"), outcome("r2", B), DimonaOutcome(B, reference="r3")],
    )
    [period] = result.periods
    assert period.period == Period(date(2024, 1, 1), None)
    assert codes(result) == ["DIMONA_REFUSED", "DIMONA_NO_PERIOD_ID", "DIMONA_REFUSED"]
    assert all(f.source is not None for f in result.findings)


def test_out_on_an_already_closed_period_is_a_finding() -> None:
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 1, 1), end=date(2024, 3, 31)),
        declare(DimonaAction.OUT, "r2", period_id=PID, end=date(2024, 2, 15)),
    ]
    result = consolidate_dimona(declarations, [outcome("r1"), outcome("r2")])
    [period] = result.periods
    assert period.period.end == date(2024, 3, 31)
    [finding] = result.findings
    assert finding.code == "DIMONA_OUT_ON_CLOSED"
    assert "2024-03-31" in finding.message
    assert finding.source == SourceRef("dimona.xml", 2)


def test_pending_marks_provisional_and_a_pending_cancel_keeps_the_period() -> None:
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 1, 1)),
        declare(DimonaAction.OUT, "r2", period_id=PID, end=date(2024, 4, 30)),
        declare(DimonaAction.CANCEL, "r3", period_id=PID),
    ]
    result = consolidate_dimona(declarations, [outcome("r1"), outcome("r2", S), outcome("r3", S)])
    [period] = result.periods
    assert period.period == Period(date(2024, 1, 1), date(2024, 4, 30))
    assert period.provisional
    assert codes(result) == ["DIMONA_PENDING_CANCEL"]
    assert result.career_periods()[0].provisional


def test_declarations_without_outcome_are_pending_with_a_warning() -> None:
    result = consolidate_dimona(
        [declare(DimonaAction.IN, "r1", period_id=PID, start=date(2024, 1, 1))]
    )
    [period] = result.periods
    assert period.provisional
    assert codes(result) == ["DIMONA_NO_OUTCOME"]


def test_declaration_time_orders_the_fold_and_period_id_pairs_notifications() -> None:
    out = declare(
        DimonaAction.OUT,
        "r2",
        period_id=PID,
        end=date(2024, 3, 31),
        declared_at=datetime(2024, 4, 1, 9),
    )
    reopen = declare(
        DimonaAction.UPDATE,
        "r3",
        period_id=PID,
        end=REOPEN_END,
        declared_at=datetime(2024, 4, 2, 9),
    )
    first = declare(
        DimonaAction.IN,
        "r1",
        period_id=PID,
        start=date(2024, 1, 1),
        declared_at=datetime(2024, 1, 1, 8),
    )
    notifications = [DimonaOutcome(A, period_id=PID) for _ in range(3)]
    result = consolidate_dimona([reopen, out, first], notifications)
    [period] = result.periods
    assert period.period == Period(date(2024, 1, 1), None)
    assert result.findings == ()


def test_raw_periods_are_kept_and_merging_per_employer_is_a_view() -> None:
    days = [date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 7)]
    declarations = [
        DimonaDeclaration(
            DimonaAction.IN,
            ACME,
            niss=NISS,
            period_id=f"10000000000{i}",
            start=day,
            end=day,
            worker_type="STU",
        )
        for i, day in enumerate(days)
    ]
    outcomes = [DimonaOutcome(A, period_id=d.period_id) for d in declarations]
    result = consolidate_dimona(declarations, outcomes)
    assert len(result.periods) == 3
    assert result.merged_by_employer() == {
        (NISS, ACME.key): (
            Period(date(2024, 3, 4), date(2024, 3, 5)),
            Period(date(2024, 3, 7), date(2024, 3, 7)),
        )
    }


def test_end_before_start_after_folding_is_kept_out_with_an_error() -> None:
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 5, 1)),
        declare(DimonaAction.OUT, "r2", period_id=PID, end=date(2024, 4, 30)),
    ]
    result = consolidate_dimona(declarations, [outcome("r1"), outcome("r2")])
    assert result.periods == ()
    assert codes(result) == ["DIMONA_END_BEFORE_START"]


def test_outcome_flagged_cancelled_removes_the_period() -> None:
    """laravel-dimona's rule: "refused because already cancelled" counts as cancelled."""
    declarations = [
        declare(DimonaAction.IN, "r1", start=date(2024, 1, 1)),
        declare(DimonaAction.UPDATE, "r2", period_id=PID, end=date(2024, 1, 31)),
    ]
    cancelled = DimonaOutcome(B, reference="r2", period_id=PID, cancelled=True)
    result = consolidate_dimona(declarations, [outcome("r1"), cancelled])
    assert result.periods == ()
    assert codes(result) == ["DIMONA_CANCELLED"]
