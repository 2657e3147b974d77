"""Gaps: the uncovered stretches of a window, in calendar and Belgian working days.

Rules (docs/concepts.md, Provisional quarters):

* ongoing periods — and an ongoing window — are resolved at the explicit
  ``as_of``; the window is also cut at ``as_of``, since nothing after it is known;
* an uncovered stretch shorter than ``min_days`` calendar days is not a gap;
* with ``provisional_quarters=n``, the quarter holding ``as_of`` and the
  ``n - 1`` quarters before it are *provisional*: DmfA data arrive up to about
  1.5 months after a quarter ends, so an uncovered stretch there is returned
  with ``provisional=True`` (split at the quarter boundary) instead of as a
  real gap. Filter on :attr:`Gap.provisional` to drop them.

>>> from datetime import date
>>> jobs = [Period(date(2024, 1, 1), date(2024, 4, 30)), Period(date(2024, 6, 1), None)]
>>> [str(g) for g in gaps(jobs, Period(date(2024, 1, 1), date(2024, 12, 31)),
...                        as_of=date(2024, 9, 30))]
['2024-05-01..2024-05-31: 31 days, 20 working days']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from mycareer._checks import is_a
from mycareer.errors import InvalidValueError
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.timeline._algebra import subtract_ordinals
from mycareer.timeline._calendar import working_days
from mycareer.timeline._merge import (
    _period,
    merge_sorted_ordinals,
    to_ordinals,
)

__all__ = ["Gap", "gaps", "provisional_start"]


@attrs.frozen
class Gap:
    """An uncovered stretch of the window (``period`` is always closed)."""

    period: Period = attrs.field(validator=is_a(Period))
    days: int = attrs.field(validator=is_a(int))
    working_days: int = attrs.field(validator=is_a(int))
    provisional: bool = attrs.field(default=False, validator=is_a(bool))

    def __str__(self) -> str:
        flag = " (provisional)" if self.provisional else ""
        return f"{self.period}: {self.days} days, {self.working_days} working days{flag}"


def provisional_start(as_of: date, provisional_quarters: int) -> date | None:
    """First day of the provisional zone: ``provisional_quarters`` quarters ending with ``as_of``'s.

    >>> provisional_start(date(2024, 5, 10), 2)
    datetime.date(2024, 1, 1)
    >>> provisional_start(date(2024, 5, 10), 0) is None
    True
    """
    if provisional_quarters < 0:
        raise InvalidValueError(
            f"provisional_quarters must be 0 or more, got {provisional_quarters}"
        )
    if provisional_quarters == 0:
        return None
    return (Quarter.of(as_of) - (provisional_quarters - 1)).first_day


def gaps(
    periods: Iterable[Period],
    window: Period,
    *,
    as_of: date,
    min_days: int = 1,
    provisional_quarters: int = 0,
) -> tuple[Gap, ...]:
    """Uncovered stretches of ``window`` (cut at ``as_of``) of at least ``min_days`` days.

    ``min_days`` applies to the whole uncovered stretch, before it is split
    into a real and a provisional part.

    >>> from datetime import date
    >>> found = gaps([Period(date(2024, 1, 1), date(2024, 2, 15))],
    ...              Period(date(2024, 1, 1), None), as_of=date(2024, 5, 10),
    ...              provisional_quarters=1)
    >>> [(str(g.period), g.provisional) for g in found]
    [('2024-02-16..2024-03-31', False), ('2024-04-01..2024-05-10', True)]
    """
    if min_days < 1:
        raise InvalidValueError(f"min_days must be at least 1, got {min_days}")
    resolved_window = window.resolve(as_of)
    if resolved_window is None:
        return ()
    window_start, window_stop = to_ordinals(resolved_window)
    window_stop = min(window_stop, as_of.toordinal() + 1)
    if window_stop <= window_start:
        return ()
    as_of_stop = as_of.toordinal() + 1
    pairs = []
    for period in periods:
        start, stop = to_ordinals(period)
        pairs.append((start, min(stop, as_of_stop) if period.is_open else stop))
    pairs = [(s, e) for s, e in pairs if s < e]
    pairs.sort()
    covered = merge_sorted_ordinals(pairs)
    uncovered = subtract_ordinals([(window_start, window_stop)], covered)
    zone = provisional_start(as_of, provisional_quarters)
    zone_start = window_stop if zone is None else zone.toordinal()
    found: list[Gap] = []
    for start, stop in uncovered:
        if stop - start < min_days:
            continue
        pieces: list[tuple[int, int, bool]] = []
        if start < zone_start:
            pieces.append((start, min(stop, zone_start), False))
        if stop > zone_start:
            pieces.append((max(start, zone_start), stop, True))
        for piece_start, piece_stop, provisional in pieces:
            piece = _period(piece_start, piece_stop)
            found.append(
                Gap(
                    period=piece,
                    days=piece_stop - piece_start,
                    working_days=working_days(piece),
                    provisional=provisional,
                )
            )
    return tuple(found)
