"""Set algebra on unions of periods: intersect and subtract, both linear after one merge.

Both sides are merged first (one sort each), then walked with two pointers,
so the cost is O(n log n + m log m) whatever the overlap — never the
quadratic fold of operator-based interval libraries (such as portion's ``|``).

>>> from datetime import date
>>> year = [Period(date(2024, 1, 1), date(2024, 12, 31))]
>>> jobs = [Period(date(2024, 3, 1), date(2024, 6, 30)), Period(date(2024, 9, 1), None)]
>>> [str(p) for p in subtract(year, jobs)]
['2024-01-01..2024-02-29', '2024-07-01..2024-08-31']
>>> [str(p) for p in intersect(year, jobs)]
['2024-03-01..2024-06-30', '2024-09-01..2024-12-31']
"""

from __future__ import annotations

from collections.abc import Iterable

from mycareer.period import Period
from mycareer.timeline._merge import _period, merge_sorted_ordinals, to_ordinals

__all__ = ["intersect", "intersect_ordinals", "subtract", "subtract_ordinals"]


def _merged_ordinals(periods: Iterable[Period]) -> list[tuple[int, int]]:
    return merge_sorted_ordinals(sorted([to_ordinals(p) for p in periods]))


def intersect_ordinals(
    left: list[tuple[int, int]], right: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Days in both merged, sorted ordinal runs.

    >>> intersect_ordinals([(1, 10), (20, 30)], [(5, 25)])
    [(5, 10), (20, 25)]
    """
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        stop = min(left[i][1], right[j][1])
        if start < stop:
            out.append((start, stop))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract_ordinals(
    left: list[tuple[int, int]], right: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Days of ``left`` not in ``right`` (both merged and sorted).

    >>> subtract_ordinals([(1, 10)], [(3, 4), (6, 8)])
    [(1, 3), (4, 6), (8, 10)]
    """
    out: list[tuple[int, int]] = []
    j = 0
    for start, stop in left:
        cursor = start
        while j < len(right) and right[j][1] <= cursor:
            j += 1
        k = j
        while k < len(right) and right[k][0] < stop:
            cut_start, cut_stop = right[k]
            if cut_start > cursor:
                out.append((cursor, cut_start))
            cursor = max(cursor, cut_stop)
            if cursor >= stop:
                break
            k += 1
        if cursor < stop:
            out.append((cursor, stop))
    return out


def intersect(left: Iterable[Period], right: Iterable[Period]) -> tuple[Period, ...]:
    """The days covered by both ``left`` and ``right``, merged.

    >>> from datetime import date
    >>> intersect([Period(date(2024, 1, 1), None)], [Period(date(2023, 1, 1), date(2024, 1, 1))])
    (Period(start=datetime.date(2024, 1, 1), end=datetime.date(2024, 1, 1)),)
    """
    runs = intersect_ordinals(_merged_ordinals(left), _merged_ordinals(right))
    return tuple([_period(start, stop) for start, stop in runs])


def subtract(left: Iterable[Period], right: Iterable[Period]) -> tuple[Period, ...]:
    """The days of ``left`` not covered by ``right``, merged.

    >>> from datetime import date
    >>> subtract([Period(date(2024, 1, 1), None)], [Period(date(2024, 1, 1), date(2024, 1, 9))])
    (Period(start=datetime.date(2024, 1, 10), end=None),)
    """
    runs = subtract_ordinals(_merged_ordinals(left), _merged_ordinals(right))
    return tuple([_period(start, stop) for start, stop in runs])
