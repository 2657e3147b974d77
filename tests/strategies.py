"""Hypothesis strategies shared by the tests."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from mycareer.period import Period

BASE = date(2020, 1, 1)


@st.composite
def periods(
    draw: st.DrawFn, *, allow_open: bool = True, span_days: int = 120, max_len: int = 40
) -> Period:
    """Small periods near one base date, so that overlaps and adjacency are common."""
    start = BASE + timedelta(days=draw(st.integers(0, span_days)))
    if allow_open and draw(st.integers(0, 9)) == 0:
        return Period(start, None)
    return Period(start, start + timedelta(days=draw(st.integers(0, max_len))))


def days_of(period: Period, horizon: date) -> set[date]:
    """The set-of-days oracle: every day of the period up to ``horizon``."""
    last = period.end if period.end is not None else horizon
    return {period.start + timedelta(days=i) for i in range((last - period.start).days + 1)}


HORIZON = BASE + timedelta(days=400)
