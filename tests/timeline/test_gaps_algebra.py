"""Gaps, set algebra and calendar helpers against a set-of-days oracle.

Provisional quarters follow docs/concepts.md (DmfA arrives up to ~1.5 months
after the quarter); Belgian working days use the national public holidays.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.errors import InvalidPeriodError, InvalidValueError
from mycareer.period import Period
from mycareer.timeline import (
    belgian_public_holidays,
    gaps,
    intersect,
    merge,
    months_touched,
    split_by,
    subtract,
    working_days,
)

from .helpers import BASE, days_of, period_lists, periods, union_days

#: Belgian national public holidays of 2024 falling on a weekday (21 July is a Sunday).
BE_2024_WEEKDAY_HOLIDAYS = {
    date(2024, 1, 1),
    date(2024, 4, 1),  # Easter Monday
    date(2024, 5, 1),  # Labour Day
    date(2024, 5, 9),  # Ascension
    date(2024, 5, 20),  # Whit Monday
    date(2024, 8, 15),
    date(2024, 11, 1),
    date(2024, 11, 11),
    date(2024, 12, 25),
}


def oracle_working_days(period: Period) -> int:
    return sum(1 for d in days_of(period) if d.weekday() < 5 and d not in BE_2024_WEEKDAY_HOLIDAYS)


AS_OF = BASE + timedelta(days=180)


@settings(max_examples=200, deadline=None)
@given(period_lists, periods(allow_open=False, span=100, max_len=150))
def test_gaps_and_coverage_partition_the_window(items: list[Period], window: Period) -> None:
    found = gaps(items, window, as_of=AS_OF)
    window_days = {d for d in days_of(window) if d <= AS_OF}
    gap_days = union_days(g.period for g in found)
    covered = union_days(items, AS_OF) & window_days
    assert gap_days.isdisjoint(covered)
    assert gap_days | covered == window_days
    for gap in found:
        assert gap.days == len(days_of(gap.period))
        assert not gap.provisional
    assert merge(g.period for g in found) == tuple(g.period for g in found)


@settings(max_examples=100, deadline=None)
@given(period_lists, st.integers(1, 40))
def test_min_days_drops_only_short_gaps(items: list[Period], min_days: int) -> None:
    window = Period(BASE, AS_OF)
    every = gaps(items, window, as_of=AS_OF)
    long_only = gaps(items, window, as_of=AS_OF, min_days=min_days)
    assert long_only == tuple(g for g in every if g.days >= min_days)


@settings(max_examples=100, deadline=None)
@given(period_lists, st.integers(0, 3))
def test_provisional_quarters_split_but_never_lose_days(items: list[Period], n: int) -> None:
    window = Period(BASE, AS_OF)
    plain = gaps(items, window, as_of=AS_OF)
    flagged = gaps(items, window, as_of=AS_OF, provisional_quarters=n)
    assert union_days(g.period for g in plain) == union_days(g.period for g in flagged)
    # AS_OF is 29 June 2024 (Q2): 1 quarter → from 1 April, 2 → 1 January, 3 → 1 October 2023.
    zone = {1: date(2024, 4, 1), 2: date(2024, 1, 1), 3: date(2023, 10, 1)}.get(n)
    for gap in flagged:
        if n == 0:
            assert not gap.provisional
        else:
            assert zone is not None
            assert gap.provisional == (gap.period.start >= zone)


def test_provisional_zone_example() -> None:
    """as_of 10 May 2024, 2 provisional quarters: Q1 and Q2 2024 are not real gaps yet."""
    found = gaps(
        [Period(date(2023, 1, 1), date(2023, 11, 30))],
        Period(date(2023, 1, 1), None),
        as_of=date(2024, 5, 10),
        provisional_quarters=2,
    )
    assert [(str(g.period), g.provisional) for g in found] == [
        ("2023-12-01..2023-12-31", False),
        ("2024-01-01..2024-05-10", True),
    ]


def test_gap_working_days_exclude_easter_monday_and_labour_day() -> None:
    found = gaps(
        [Period(date(2024, 1, 1), date(2024, 3, 31)), Period(date(2024, 5, 6), None)],
        Period(date(2024, 1, 1), date(2024, 12, 31)),
        as_of=date(2024, 6, 30),
    )
    assert len(found) == 1
    gap = found[0]
    assert str(gap.period) == "2024-04-01..2024-05-05"
    # 25 weekdays from Mon 1 April to Fri 3 May, minus Easter Monday and 1 May.
    assert (gap.days, gap.working_days) == (35, 23)


@settings(max_examples=100, deadline=None)
@given(periods(allow_open=False, span=300, max_len=60))
def test_working_days_match_the_2024_holiday_oracle(period: Period) -> None:
    if period.end is not None and period.end.year > 2024:
        return
    assert working_days(period) == oracle_working_days(period)


def test_known_belgian_holidays() -> None:
    holidays_2024 = set(belgian_public_holidays(2024))
    assert {date(2024, 4, 1), date(2024, 5, 1), date(2024, 7, 21)} <= holidays_2024
    assert working_days(Period(date(2024, 4, 1), date(2024, 4, 5))) == 4
    assert working_days(Period(date(2024, 7, 20), date(2024, 7, 21))) == 0
    assert working_days(Period(date(2024, 12, 30), date(2025, 1, 2))) == 3  # 1 Jan 2025 off
    assert working_days(Period(date(2024, 12, 30), None), as_of=date(2025, 1, 2)) == 3
    with pytest.raises(InvalidPeriodError, match="ongoing: working days need an as_of"):
        working_days(Period(date(2024, 1, 1), None))


@settings(max_examples=150, deadline=None)
@given(period_lists, period_lists)
def test_intersect_and_subtract_match_day_sets(left: list[Period], right: list[Period]) -> None:
    left_days, right_days = union_days(left), union_days(right)
    both = intersect(left, right)
    only_left = subtract(left, right)
    assert union_days(both) == left_days & right_days
    assert union_days(only_left) == left_days - right_days
    assert merge(both) == both
    assert merge(only_left) == only_left


@settings(max_examples=100, deadline=None)
@given(
    periods(allow_open=False, span=700, max_len=800), st.sampled_from(["month", "quarter", "year"])
)
def test_split_by_tiles_the_period_inside_calendar_units(period: Period, unit: str) -> None:
    pieces = split_by(period, unit)  # type: ignore[arg-type]
    assert merge(pieces) == (period,)
    assert sum(p.days for p in pieces) == period.days
    for piece in pieces:
        assert piece.end is not None
        assert piece.start.year == piece.end.year
        if unit == "month":
            assert piece.start.month == piece.end.month
        if unit == "quarter":
            assert (piece.start.month - 1) // 3 == (piece.end.month - 1) // 3


def test_split_by_termination_example() -> None:
    """Termination-indemnity split of the ONSS DmfA instructions (dismissal 20 Aug 2003)."""
    quarters = split_by(Period(date(2003, 8, 20), date(2003, 12, 31)), "quarter")
    assert [str(p) for p in quarters] == ["2003-08-20..2003-09-30", "2003-10-01..2003-12-31"]
    assert split_by(Period(date(2024, 1, 1), None), "year", as_of=date(2023, 1, 1)) == ()
    with pytest.raises(InvalidValueError, match="unknown split unit 'week'"):
        split_by(Period(date(2024, 1, 1), date(2024, 1, 2)), "week")  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(period_lists, st.sampled_from([2023, 2024, 2025]))
def test_months_touched_matches_days(items: list[Period], year: int) -> None:
    as_of = date(2025, 3, 15)
    resolved = [p.resolve(as_of) for p in items]
    expected = sorted(
        {d.month for p in resolved if p is not None for d in days_of(p) if d.year == year}
    )
    assert list(months_touched(items, year, as_of=as_of)) == expected
