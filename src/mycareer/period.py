"""Whole-day periods: inclusive ``end`` in the API, half-open storage.

A :class:`Period` is what payroll people mean by "from 1 January to 31 March":
both days included. It is stored as ``[start, stop)`` with ``stop = end + 1 day``
(PostgreSQL ``daterange`` semantics), so adjacency is ``a.stop == b.start`` and
``days == stop - start``. An ongoing period has ``end=None``; it only gets a
length through an explicit ``as_of`` — this module never reads the clock.

>>> from datetime import date
>>> q1 = Period(date(2024, 1, 1), date(2024, 3, 31))
>>> q1.days, q1.stop
(91, datetime.date(2024, 4, 1))
>>> q1.adjacent(Period(date(2024, 4, 1), None))
True
>>> Period(date(2024, 2, 1), date(2024, 1, 31))
Traceback (most recent call last):
...
mycareer.errors.InvalidPeriodError: period end 2024-01-31 is before its start 2024-02-01
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import attrs

from mycareer.errors import InvalidPeriodError

__all__ = ["ONE_DAY", "Period"]

ONE_DAY = timedelta(days=1)


def _day(field: str, raw: object) -> date:
    """ISO text becomes a date; a ``datetime`` (its time would be lost) or another type is
    a :class:`TypeError` naming the field."""
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidPeriodError(
                f"invalid period {field} {raw[:80]!r}: expected YYYY-MM-DD"
            ) from None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    shown = repr(raw)[:80]
    raise TypeError(
        f"Period.{field}: expected a date or ISO text, got {type(raw).__name__} {shown}"
    )


@attrs.frozen(init=False, order=False)
class Period:
    """A run of whole days, ``start`` to ``end`` inclusive; ``end=None`` means ongoing.

    >>> from datetime import date
    >>> p = Period(date(2024, 1, 10), date(2024, 1, 20))
    >>> str(p)
    '2024-01-10..2024-01-20'
    >>> p.contains(date(2024, 1, 20)), p.contains(date(2024, 1, 21))
    (True, False)
    >>> p.intersection(Period(date(2024, 1, 15), None))
    Period(start=datetime.date(2024, 1, 15), end=datetime.date(2024, 1, 20))
    >>> Period("2024-01-10", "2024-01-20") == p
    True
    """

    start: date
    #: The first day *not* included (exclusive bound), or ``None`` while ongoing.
    stop: date | None

    def __init__(self, start: date | str, end: date | str | None = None) -> None:
        if type(start) is not date:
            start = _day("start", start)
        if end is not None and type(end) is not date:
            end = _day("end", end)
        if end is not None and end < start:
            raise InvalidPeriodError(
                f"period end {end.isoformat()} is before its start {start.isoformat()}"
            )
        if end is not None and end == date.max:
            stop: date | None = None  # date.max + 1 day overflows; treat as ongoing
        else:
            stop = None if end is None else end + ONE_DAY
        self.__attrs_init__(start, stop)

    @classmethod
    def from_stop(cls, start: date, stop: date | None) -> Period:
        """Build from half-open bounds ``[start, stop)``.

        >>> from datetime import date
        >>> Period.from_stop(date(2024, 1, 1), date(2024, 2, 1)).end
        datetime.date(2024, 1, 31)
        """
        if stop is not None and stop <= start:
            raise InvalidPeriodError(
                f"period stop {stop.isoformat()} must be after its start {start.isoformat()}"
            )
        return cls(start, None if stop is None else stop - ONE_DAY)

    @classmethod
    def day(cls, day: date) -> Period:
        """The one-day period ``day..day``."""
        return cls(day, day)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``"YYYY-MM-DD..YYYY-MM-DD"`` or ``"YYYY-MM-DD.."`` (ongoing).

        >>> Period.parse("2024-01-01..")
        Period(start=datetime.date(2024, 1, 1), end=None)
        >>> Period.parse("2024-13-01..")
        Traceback (most recent call last):
        ...
        mycareer.errors.InvalidPeriodError: invalid period '2024-13-01..': ...
        """
        head, sep, tail = text.strip().partition("..")
        try:
            if not sep:
                raise ValueError("expected START..END or START..")
            start = date.fromisoformat(head)
            end = date.fromisoformat(tail) if tail else None
        except ValueError as error:
            raise InvalidPeriodError(f"invalid period {text!r}: {error}") from None
        return cls(start, end)

    # --- bounds -----------------------------------------------------------------
    @property
    def end(self) -> date | None:
        """The last day included, or ``None`` while ongoing."""
        return None if self.stop is None else self.stop - ONE_DAY

    @property
    def is_open(self) -> bool:
        """True for an ongoing period (no end yet)."""
        return self.stop is None

    @property
    def days(self) -> int:
        """Number of days, both ends included. Ongoing periods need :meth:`days_as_of`."""
        if self.stop is None:
            raise InvalidPeriodError(
                f"period {self} is ongoing: its length needs an explicit as_of"
            )
        return (self.stop - self.start).days

    def days_as_of(self, as_of: date) -> int:
        """Days from ``start`` to ``end`` (or to ``as_of`` for an ongoing period); 0 if later.

        >>> from datetime import date
        >>> Period(date(2024, 1, 1)).days_as_of(date(2024, 1, 31))
        31
        """
        resolved = self.resolve(as_of)
        return 0 if resolved is None else resolved.days

    def resolve(self, as_of: date) -> Period | None:
        """Close an ongoing period on ``as_of``; ``None`` if it only starts after ``as_of``.

        A closed period is returned unchanged.
        """
        if self.stop is not None:
            return self
        if self.start > as_of:
            return None
        return Period(self.start, as_of)

    def sort_key(self) -> tuple[date, date]:
        """Order by start, then by stop (ongoing last)."""
        return (self.start, self.stop or date.max)

    # --- relations --------------------------------------------------------------
    def contains(self, other: date | Period) -> bool:
        """Whether a day, or a whole period, lies inside this one."""
        if isinstance(other, Period):
            if other.start < self.start:
                return False
            if self.stop is None:
                return True
            return other.stop is not None and other.stop <= self.stop
        return self.start <= other and (self.stop is None or other < self.stop)

    def __contains__(self, other: date | Period) -> bool:
        return self.contains(other)

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one day."""
        return (other.stop is None or self.start < other.stop) and (
            self.stop is None or other.start < self.stop
        )

    def adjacent(self, other: Period) -> bool:
        """Whether one ends the day before the other starts (no gap, no overlap).

        >>> from datetime import date
        >>> Period(date(2024, 1, 1), date(2024, 1, 31)).adjacent(
        ...     Period(date(2024, 2, 1), date(2024, 2, 29)))
        True
        """
        return self.stop == other.start or other.stop == self.start

    def intersection(self, other: Period) -> Period | None:
        """The shared days, or ``None`` when the periods are disjoint."""
        if other.contains(self):
            return self  # immutable: a DmfA line within its quarter, mostly (no new Period)
        start = max(self.start, other.start)
        stops = [s for s in (self.stop, other.stop) if s is not None]
        stop = min(stops) if stops else None
        if stop is not None and stop <= start:
            return None
        return Period.from_stop(start, stop)

    def clip(self, window: Period) -> Period | None:
        """This period restricted to ``window``; ``None`` if nothing remains."""
        return self.intersection(window)

    def iter_days(self, as_of: date | None = None) -> Iterator[date]:
        """Every day of the period; an ongoing period needs ``as_of``."""
        last = self.end if self.stop is not None else as_of
        if last is None:
            raise InvalidPeriodError(f"period {self} is ongoing: iterating needs an as_of")
        day = self.start
        while day <= last:
            yield day
            day += ONE_DAY

    # --- text -------------------------------------------------------------------
    def __str__(self) -> str:
        end = self.end
        return f"{self.start.isoformat()}..{'' if end is None else end.isoformat()}"

    def __repr__(self) -> str:
        return f"Period(start={self.start!r}, end={self.end!r})"
