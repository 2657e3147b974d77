"""Period: inclusive end, half-open storage, algebra laws against a set-of-days oracle."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer import InvalidPeriodError, MycareerError, Period
from tests.strategies import HORIZON, days_of, periods


def test_reversed_period_names_both_dates() -> None:
    with pytest.raises(InvalidPeriodError) as caught:
        Period(date(2024, 3, 1), date(2024, 2, 29))
    assert "2024-02-29" in str(caught.value)
    assert "2024-03-01" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, MycareerError)


def test_single_day_period_has_one_day_and_exclusive_stop() -> None:
    p = Period.day(date(2024, 2, 29))
    assert p.days == 1
    assert p.stop == date(2024, 3, 1)
    assert p.end == date(2024, 2, 29)


def test_january_and_february_are_adjacent_and_do_not_overlap() -> None:
    # The adjacency case that continuous-interval libraries fail (docs/concepts.md, Periods).
    jan = Period(date(2024, 1, 1), date(2024, 1, 31))
    feb = Period(date(2024, 2, 1), date(2024, 2, 29))
    assert jan.adjacent(feb)
    assert feb.adjacent(jan)
    assert not jan.overlaps(feb)
    assert jan.days + feb.days == 60


def test_open_period_needs_explicit_as_of() -> None:
    p = Period(date(2024, 1, 1))
    assert p.is_open
    with pytest.raises(InvalidPeriodError, match="as_of"):
        _ = p.days
    assert p.days_as_of(date(2024, 12, 31)) == 366
    assert p.resolve(date(2023, 12, 31)) is None
    assert p.days_as_of(date(2023, 12, 31)) == 0


def test_datetime_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(
        TypeError, match=r"Period\.start: expected a date or ISO text, got datetime"
    ):
        Period(datetime(2024, 1, 1, 12), None)
    with pytest.raises(TypeError, match=r"Period\.end: .* got float 3\.5"):
        Period(date(2024, 1, 1), 3.5)  # type: ignore[arg-type]
    assert Period("2024-01-01", " 2024-03-31") == Period(date(2024, 1, 1), date(2024, 3, 31))
    with pytest.raises(InvalidPeriodError, match="'2024-02-30'"):
        Period("2024-02-30")


def test_parse_round_trips_text_and_reports_bad_text() -> None:
    assert str(Period.parse("2024-01-01..2024-03-31")) == "2024-01-01..2024-03-31"
    with pytest.raises(InvalidPeriodError, match="2024-02-30"):
        Period.parse("2024-02-30..2024-03-31")
    with pytest.raises(InvalidPeriodError, match="nonsense"):
        Period.parse("nonsense")


def test_date_max_end_is_treated_as_ongoing() -> None:
    # Dimona's 9999-12-31 means "no end"; date.max + 1 day would overflow.
    assert Period(date(2024, 1, 1), date.max).is_open


def test_from_stop_refuses_empty() -> None:
    with pytest.raises(InvalidPeriodError):
        Period.from_stop(date(2024, 1, 2), date(2024, 1, 2))


@given(periods())
def test_days_match_oracle(p: Period) -> None:
    assert p.days_as_of(HORIZON) == len(days_of(p, HORIZON))


@given(periods(), periods())
def test_overlaps_iff_shared_days(a: Period, b: Period) -> None:
    shared = days_of(a, HORIZON) & days_of(b, HORIZON)
    assert a.overlaps(b) == bool(shared)
    assert a.overlaps(b) == b.overlaps(a)


@given(periods(), periods())
def test_intersection_is_set_intersection(a: Period, b: Period) -> None:
    shared = days_of(a, HORIZON) & days_of(b, HORIZON)
    got = a.intersection(b)
    if not shared:
        assert got is None
    else:
        assert got is not None
        assert days_of(got, HORIZON) == shared
        assert got == b.intersection(a)
        assert got.is_open == (a.is_open and b.is_open)


@given(periods(), periods())
def test_adjacent_iff_union_is_contiguous_without_overlap(a: Period, b: Period) -> None:
    da, db = days_of(a, HORIZON), days_of(b, HORIZON)
    union = sorted(da | db)
    contiguous = all(y - x == timedelta(days=1) for x, y in pairwise(union))
    expected = contiguous and not (da & db) and not (a.is_open and b.is_open)
    if a.is_open or b.is_open:
        # an open period has no day after its end, so it can only be adjacent as the later one
        later, earlier = (a, b) if a.start > b.start else (b, a)
        expected = expected and not earlier.is_open and earlier.stop == later.start
    assert a.adjacent(b) == expected


@given(periods(), periods())
def test_contains_period_is_subset(a: Period, b: Period) -> None:
    da, db = days_of(a, HORIZON), days_of(b, HORIZON)
    if b.is_open and not a.is_open:
        assert not a.contains(b)
    else:
        assert a.contains(b) == (db <= da)


@given(periods(), st.integers(0, 200))
def test_contains_day_matches_oracle(p: Period, offset: int) -> None:
    day = date(2020, 1, 1) + timedelta(days=offset)
    assert p.contains(day) == (day in days_of(p, HORIZON))
    assert (day in p) == p.contains(day)


@given(periods(), periods())
def test_clip_stays_inside_window(p: Period, window: Period) -> None:
    clipped = p.clip(window)
    if clipped is not None:
        assert window.contains(clipped)
        assert p.contains(clipped)


@given(periods(allow_open=False))
def test_iter_days_matches_oracle(p: Period) -> None:
    assert list(p.iter_days()) == sorted(days_of(p, HORIZON))


def test_periods_are_frozen_and_hashable() -> None:
    import attrs

    p = Period(date(2024, 1, 1), date(2024, 1, 2))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.start = date(2025, 1, 1)  # type: ignore[misc]
    assert {p, Period(date(2024, 1, 1), date(2024, 1, 2))} == {p}
