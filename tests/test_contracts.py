"""Contracts as input (issue 12 item 3): the same results as the DmfA route on the same facts.

Two properties over generated contracts: (1) the contract functions equal the DmfA
route run on the DmfA files of the same facts (written with the DmfA writer, read
back with the reader); (2) quarter-end FTE equals a direct reading of R-COUNT-5
on the contracts (an oracle that never builds DmfA records). Worked example: the
4/5 contract from 29 April 2024 in a 20+ employer has 3 days (R-PRO-2).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer import (
    Contract,
    InvalidValueError,
    Period,
    PeriodKind,
    Quarter,
    Suspension,
    SuspensionKind,
    WorkerCategory,
    contract_records,
)
from mycareer.fla import (
    Overrides,
    SizeBand,
    compute_entitlements,
    entitlements_from_contracts,
    quarter_counts,
    quarter_fte_from_contracts,
    size_band_from_contracts,
)
from mycareer.timeline import build_timelines, career_periods_from_dmfa, timelines_from_contracts
from mycareer.xmlio import read_dmfa
from mycareer.xmlio.dmfa_writer import write_dmfa

EMPLOYERS = ("0403019261", "0123456749")
WORKERS = ("85073003328", "90010100123", "93051822361")
YEAR = 2024
FIRST, LAST = Quarter(2022, 4), Quarter(2024, 4)


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    start = date(2022, 7, 1) + timedelta(days=draw(st.integers(0, 900)))
    end = None if draw(st.booleans()) else start + timedelta(days=draw(st.integers(0, 400)))
    suspensions: list[Suspension] = []
    last = end or date(2025, 6, 30)
    if draw(st.booleans()) and (last - start).days > 2:
        offset = draw(st.integers(0, (last - start).days - 1))
        length = draw(st.integers(0, (last - start).days - offset - 1))
        first_day = start + timedelta(days=offset)
        kind = draw(st.sampled_from(list(SuspensionKind)))
        suspensions.append(Suspension(Period(first_day, first_day + timedelta(days=length)), kind))
    return Contract(
        draw(st.sampled_from(EMPLOYERS)),
        draw(st.sampled_from(WORKERS)),
        start,
        end,
        weekly_hours=draw(st.sampled_from(["38", "30.4", "19", "7.6"])),
        full_time_hours="38",
        joint_commission=draw(st.sampled_from(["200", "111"])),
        category=draw(
            st.sampled_from([WorkerCategory.ORDINARY, WorkerCategory.STUDENT, "blue_collar"])
        ),
        days_per_week=draw(st.sampled_from(["5", "4"])),
        suspensions=suspensions,
    )


def dmfa_route(chosen: list[Contract], folder: Path) -> Any:
    """Write the contracts' DmfA as files, one per employer and quarter, and read them back."""
    first = min([FIRST, *(Quarter.of(c.start) for c in chosen)])  # as timelines_from_contracts
    found = contract_records(chosen, first=first, last=LAST)
    groups: dict[tuple[str, Quarter], list[Any]] = defaultdict(list)
    for record in found.records:
        groups[(record.employer.key, record.quarter)].append(record)
    for (key, quarter), records in groups.items():
        write_dmfa(
            folder / f"dmfa-{key}-{quarter}.xml",
            records[0].employer,
            quarter,
            records,
            created_at=datetime(2025, 1, 15, 10, 0),
        )
    return read_dmfa([folder])


def shown(timelines: dict[Any, Any]) -> dict[str, list[tuple[str, str, Fraction, tuple[str, ...]]]]:
    return {
        str(niss): [
            (str(s.period), s.kind.value, s.fte, tuple(str(e) for e in s.employers))
            for s in timeline.segments
        ]
        for niss, timeline in timelines.items()
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(contracts(), min_size=1, max_size=5))
def test_contract_route_equals_the_dmfa_route(chosen: list[Contract]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        batch = dmfa_route(chosen, Path(folder))
    from_dmfa = compute_entitlements(batch.records, batch.declarations, year=YEAR)
    assert entitlements_from_contracts(chosen, YEAR) == from_dmfa
    declared = quarter_counts(batch.records, batch.declarations)
    in_span = {
        key: {q: c for q, c in found.items() if q >= FIRST}
        for key, found in declared.items()
        if any(q >= FIRST for q in found)
    }
    assert quarter_fte_from_contracts(chosen, first=FIRST, last=LAST) == in_span
    as_of = LAST.last_day
    dmfa_timelines = build_timelines(career_periods_from_dmfa(batch.records).periods, as_of=as_of)
    assert shown(timelines_from_contracts(chosen, as_of=as_of)) == shown(dmfa_timelines)


def weekdays(period: Period) -> set[date]:
    return {day for day in period.iter_days() if day.weekday() < 5}


def oracle_fte(chosen: list[Contract]) -> dict[str, dict[Quarter, Fraction]]:
    """R-COUNT-5 read on the contracts themselves, day by day."""
    found: dict[str, dict[Quarter, Fraction]] = defaultdict(dict)
    for quarter in Quarter.range(FIRST, LAST):
        last_day = quarter.last_day
        for contract in chosen:
            key = contract.employer.key
            if contract.period.intersection(quarter.period) is None:
                continue
            total = found[key].setdefault(quarter, Fraction(0))
            if contract.category is WorkerCategory.STUDENT or not contract.period.contains(
                last_day
            ):
                continue
            breaks = [
                s.period for s in contract.suspensions if s.kind is SuspensionKind.CAREER_BREAK
            ]
            if any(b.contains(last_day) for b in breaks):
                continue
            # The stretch of work holding the quarter's last day, within the quarter.
            start = max(
                [
                    contract.start,
                    quarter.first_day,
                    *(b.stop for b in breaks if b.stop and b.stop <= last_day),
                ]
            )
            days = weekdays(Period(start, last_day))
            unpaid = set().union(
                *(
                    weekdays(s.period)
                    for s in contract.suspensions
                    if s.kind is SuspensionKind.UNPAID_LEAVE
                )
            )
            # No weekday declared other than unpaid leave (code 30), none at all
            # included: the line does not count (R-COUNT-5, docs/training-right.md).
            if days <= unpaid:
                continue
            found[key][quarter] = total + contract.fraction.value
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(contracts(), min_size=1, max_size=6))
def test_quarter_end_fte_is_r_count_5_on_the_contracts(chosen: list[Contract]) -> None:
    computed = quarter_fte_from_contracts(chosen, first=FIRST, last=LAST)
    assert {key: {q: c.fte for q, c in quarters.items()} for key, quarters in computed.items()} == (
        oracle_fte(chosen)
    )


def test_worked_example_four_fifths_from_29_april() -> None:
    """R-PRO-2: 5 days × 4/5 × 9/12 = 3 days (the 20+ band is given)."""
    job = Contract(
        "0403019261",
        "85073003328",
        date(2024, 4, 29),
        None,
        weekly_hours=Decimal("30.4"),
        joint_commission="111",
    )
    band = Overrides(band={"0403019261": SizeBand.FROM_20})
    [entitlement] = entitlements_from_contracts([job], 2024, overrides=band)
    assert (entitlement.days_exact, entitlement.months_employed) == (Fraction(3), 9)


def test_band_counts_fte_and_leaves_students_out() -> None:
    """Twelve full-timers and ten students all 2022–2023: 12 FTE, band 10-19 for 2024."""
    start = date(2022, 1, 1)
    staff = [
        Contract(
            "0403019261",
            niss,
            start,
            None,
            weekly_hours="38",
            joint_commission="200",
            category=category,
        )
        for niss, category in [(n, WorkerCategory.ORDINARY) for n in _people(12)]
        + [(n, WorkerCategory.STUDENT) for n in _people(10, offset=12)]
    ]
    [(key, result)] = size_band_from_contracts(staff, 2024).items()
    assert key == "0403019261"
    assert result.band is SizeBand.FROM_10_TO_19
    assert result.average_fte == Decimal("12.0000")


def _people(count: int, offset: int = 0) -> list[str]:
    from stdnum.be import ssn

    made: list[str] = []
    for serial in range(1 + offset, 1 + offset + count):
        base = f"800101{serial:03d}"
        made.append(base + f"{97 - int(base) % 97:02d}")
    assert all(ssn.is_valid(n) for n in made)
    return made


def test_career_break_is_its_own_line_with_measure_3() -> None:
    job = Contract(
        "0403019261",
        "85073003328",
        date(2024, 1, 1),
        date(2024, 12, 31),
        weekly_hours="38",
        joint_commission="200",
        suspensions=[Suspension(Period(date(2024, 3, 1), date(2024, 5, 31)), "career_break")],
    )
    records = contract_records([job], first=Quarter(2024, 1), last=Quarter(2024, 2)).records
    lines = [
        (str(o.period), o.mean_working_hours, sorted(o.measure_codes))
        for r in records
        for o in r.occupations
    ]
    assert lines == [
        ("2024-01-01..2024-02-29", 3800, []),
        ("2024-03-01..2024-03-31", 0, [3]),
        ("2024-04-01..2024-05-31", 0, [3]),
        ("2024-06-01..2024-06-30", 3800, []),
    ]
    [timeline] = timelines_from_contracts([job], as_of=date(2024, 6, 30)).values()
    assert [s.kind for s in timeline.segments] == [
        PeriodKind.EMPLOYMENT,
        PeriodKind.CAREER_BREAK,
        PeriodKind.EMPLOYMENT,
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weekly_hours": 30.4}, r"Contract\.weekly_hours: expected Decimal"),
        ({"weekly_hours": "30.405"}, "at most two decimals"),
        ({"end": date(2023, 12, 31)}, "before its start"),
        (
            {"suspensions": [Suspension(Period(date(2023, 1, 1), date(2023, 1, 2)), "sickness")]},
            "outside the contract",
        ),
        (
            {
                "suspensions": [
                    Suspension(Period(date(2024, 2, 1), date(2024, 2, 9)), "sickness"),
                    Suspension(Period(date(2024, 2, 5), date(2024, 2, 6)), "unpaid_leave"),
                ]
            },
            "overlaps",
        ),
        ({"category": "intern"}, "unknown WorkerCategory 'intern'"),
    ],
)
def test_bad_contracts_are_refused(changes: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {
        "employer": "0403019261",
        "niss": "85073003328",
        "start": date(2024, 1, 1),
        "end": None,
        "weekly_hours": "38",
        "joint_commission": "200",
    }
    with pytest.raises((TypeError, InvalidValueError), match=message):
        Contract(**(fields | changes))
