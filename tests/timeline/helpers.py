"""Strategies and the set-of-days oracle for the timeline tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from hypothesis import strategies as st

from mycareer.career import CareerPeriod
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.work_fraction import WorkFraction

BASE = date(2024, 1, 1)
HORIZON = BASE + timedelta(days=500)
NISS = Niss("85073003328")
ACME = Employer(EnterpriseNumber("0403019261"))
BETA = Employer(EnterpriseNumber("0202239951"))


@st.composite
def periods(
    draw: st.DrawFn, *, allow_open: bool = True, span: int = 150, max_len: int = 45
) -> Period:
    """Short periods close together, so that overlap and adjacency are frequent."""
    start = BASE + timedelta(days=draw(st.integers(0, span)))
    if allow_open and draw(st.integers(0, 9)) == 0:
        return Period(start, None)
    return Period(start, start + timedelta(days=draw(st.integers(0, max_len))))


period_lists = st.lists(periods(), max_size=25)
closed_period_lists = st.lists(periods(allow_open=False), max_size=25)


def days_of(period: Period, horizon: date = HORIZON) -> set[date]:
    """Oracle: every day of ``period``, an ongoing one up to ``horizon``."""
    last = period.end if period.end is not None else horizon
    return {period.start + timedelta(days=i) for i in range((last - period.start).days + 1)}


def union_days(periods: Iterable[Period], horizon: date = HORIZON) -> set[date]:
    days: set[date] = set()
    for period in periods:
        days |= days_of(period, horizon)
    return days


@st.composite
def career_periods(draw: st.DrawFn, *, allow_open: bool = True) -> CareerPeriod:
    kind = draw(st.sampled_from(list(PeriodKind)))
    employer = draw(st.sampled_from([None, ACME, BETA]))
    fraction = None
    if kind is PeriodKind.EMPLOYMENT:
        fraction = draw(
            st.sampled_from([None, WorkFraction(1), WorkFraction("1/2"), WorkFraction("4/5")])
        )
    return CareerPeriod(
        niss=NISS,
        kind=kind,
        period=draw(periods(allow_open=allow_open)),
        employer=employer,
        fraction=fraction,
        provisional=draw(st.booleans()),
    )
