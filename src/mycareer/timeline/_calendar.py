"""Calendar helpers: split by month/quarter/year, months touched, Belgian working days.

Belgian working days are Monday–Friday minus the national public holidays of
``holidays.country_holidays("BE")`` (New Year, Easter Monday, 1 May, Ascension,
Whit Monday, 21 July, 15 August, 1 and 11 November, Christmas). Regional and
sector holidays (e.g. 15 November for the German-speaking Community, bank
holidays) are *not* excluded; a public holiday on a weekend is not replaced.

>>> from datetime import date
>>> working_days(Period(date(2024, 4, 29), date(2024, 5, 5)))  # 1 May is a Wednesday
4
>>> [str(p) for p in split_by(Period(date(2024, 3, 15), date(2024, 5, 2)), "month")]
['2024-03-15..2024-03-31', '2024-04-01..2024-04-30', '2024-05-01..2024-05-02']
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date
from typing import Literal

import holidays
from dateutil.relativedelta import relativedelta

from mycareer._cache import bounded_cache
from mycareer.errors import InvalidPeriodError, InvalidValueError
from mycareer.period import Period

__all__ = ["SplitUnit", "belgian_public_holidays", "months_touched", "split_by", "working_days"]

SplitUnit = Literal["month", "quarter", "year"]

_STEP = {
    "month": relativedelta(months=1, day=1),
    "quarter": relativedelta(months=3, day=1),
    "year": relativedelta(years=1, month=1, day=1),
}


@bounded_cache(maxsize=512)
def belgian_public_holidays(year: int) -> tuple[date, ...]:
    """Belgian national public holidays of ``year`` (``holidays`` package), sorted.

    >>> date(2024, 4, 1) in belgian_public_holidays(2024)  # Easter Monday
    True
    """
    return tuple(sorted(holidays.country_holidays("BE", years=year)))


@bounded_cache(maxsize=512)
def _weekday_holiday_ordinals(year: int) -> tuple[int, ...]:
    return tuple(day.toordinal() for day in belgian_public_holidays(year) if day.weekday() < 5)


def _weekdays_between(start: int, stop: int) -> int:
    """Monday–Friday count in ordinals ``[start, stop)`` (ordinal 1 = Monday 0001-01-01)."""

    def before(ordinal: int) -> int:  # weekdays in [1, ordinal)
        weeks, rest = divmod(ordinal - 1, 7)
        return weeks * 5 + min(rest, 5)

    return before(stop) - before(start)


def working_days(period: Period, *, as_of: date | None = None) -> int:
    """Belgian working days in ``period``: weekdays minus national public holidays.

    An ongoing period needs ``as_of`` (counted up to and including it).

    >>> from datetime import date
    >>> working_days(Period(date(2024, 1, 1), date(2024, 12, 31)))  # 262 weekdays - 9 holidays
    253
    """
    if period.is_open:
        if as_of is None:
            raise InvalidPeriodError(f"period {period} is ongoing: working days need an as_of")
        resolved = period.resolve(as_of)
        if resolved is None:
            return 0
        period = resolved
    stop = period.stop
    assert stop is not None
    start_ord, stop_ord = period.start.toordinal(), stop.toordinal()
    count = _weekdays_between(start_ord, stop_ord)
    for year in range(period.start.year, stop.year + 1):
        ordinals = _weekday_holiday_ordinals(year)
        count -= bisect_left(ordinals, stop_ord) - bisect_left(ordinals, start_ord)
    return count


def _next_boundary(day: date, unit: SplitUnit) -> date:
    if unit == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        return day.replace(month=first_month, day=1) + _STEP["quarter"]
    return day + _STEP[unit]


def split_by(period: Period, unit: SplitUnit, *, as_of: date | None = None) -> tuple[Period, ...]:
    """Cut ``period`` at every month, quarter or year boundary.

    An ongoing period is resolved at ``as_of`` first (required then).

    >>> from datetime import date
    >>> [str(p) for p in split_by(Period(date(2003, 8, 20), date(2005, 2, 10)), "year")]
    ['2003-08-20..2003-12-31', '2004-01-01..2004-12-31', '2005-01-01..2005-02-10']
    >>> [str(p) for p in split_by(Period(date(2024, 2, 10), date(2024, 7, 1)), "quarter")]
    ['2024-02-10..2024-03-31', '2024-04-01..2024-06-30', '2024-07-01..2024-07-01']
    """
    if unit not in _STEP:
        raise InvalidValueError(f"unknown split unit {unit!r}: expected month, quarter or year")
    if period.is_open:
        if as_of is None:
            raise InvalidPeriodError(f"period {period} is ongoing: splitting needs an as_of")
        resolved = period.resolve(as_of)
        if resolved is None:
            return ()
        period = resolved
    stop = period.stop
    assert stop is not None
    pieces: list[Period] = []
    start = period.start
    while start < stop:
        boundary = min(_next_boundary(start, unit), stop)
        pieces.append(Period.from_stop(start, boundary))
        start = boundary
    return tuple(pieces)


def months_touched(
    periods: Iterable[Period], year: int, *, as_of: date | None = None
) -> tuple[int, ...]:
    """Months (1–12) of ``year`` that share at least one day with any period.

    Ongoing periods run to ``as_of`` when given, else to the end of time.

    >>> from datetime import date
    >>> months_touched([Period(date(2023, 11, 30), date(2024, 2, 1))], 2024)
    (1, 2)
    >>> months_touched([Period(date(2024, 10, 31), None)], 2024, as_of=date(2024, 11, 1))
    (10, 11)
    """
    touched: set[int] = set()
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    for period in periods:
        if as_of is not None and period.is_open:
            resolved = period.resolve(as_of)
            if resolved is None:
                continue
            period = resolved
        if period.start > year_end:
            continue
        end = period.end
        if end is not None and end < year_start:
            continue
        first = period.start.month if period.start >= year_start else 1
        last = end.month if end is not None and end <= year_end else 12
        touched.update(range(first, last + 1))
    return tuple(sorted(touched))
