"""Kill the mutants of ``timeline/_merge.py`` the other tests left alive (docs/mutation.md).

Oracles are sets of day ordinals: a union of half-open runs ``[start, stop)`` is the set of
its days, and its merged runs are the maximal stretches of consecutive days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.errors import InvalidPeriodError, InvalidValueError
from mycareer.period import Period
from mycareer.timeline import _merge
from mycareer.timeline._merge import (
    OPEN,
    from_ordinals,
    merge,
    merge_by,
    merge_ordinals,
    merge_rows,
    merge_sorted_ordinals,
)

#: The last day before ``date.max``: a closed period ending there has stop ``date.max``.
EVE_OF_MAX = date.max - timedelta(days=1)


def runs_of(days: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive days, as half-open pairs."""
    out: list[tuple[int, int]] = []
    for day in sorted(days):
        if out and out[-1][1] == day:
            out[-1] = (out[-1][0], day + 1)
        else:
            out.append((day, day + 1))
    return out


pairs = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(pairs)
def test_merge_sorted_ordinals_is_the_runs_of_the_union(raw: list[tuple[int, int]]) -> None:
    ordered = sorted(raw, key=lambda p: p[0])
    days = {day for start, stop in ordered for day in range(start, stop)}
    assert merge_sorted_ordinals(ordered) == runs_of(days)


def test_merge_sorted_ordinals_worked_examples() -> None:
    assert merge_sorted_ordinals([]) == []
    assert merge_sorted_ordinals([(1, 5)]) == [(1, 5)]
    assert merge_sorted_ordinals([(1, 5), (5, 7), (9, 10), (9, 12)]) == [(1, 7), (9, 12)]
    assert merge_sorted_ordinals([(1, 9), (2, 3), (10, 11)]) == [(1, 9), (10, 11)]


def test_a_period_ending_the_day_before_date_max_stays_closed() -> None:
    """Stop ordinal == date.max's: still a real end, not the ongoing marker."""
    period = Period(date(9999, 1, 1), EVE_OF_MAX)
    assert merge([period]) == (period,)
    assert merge_by([period], key=lambda p: 0, period=lambda p: p) == {0: (period,)}
    assert merge_rows([("w", period.start, EVE_OF_MAX)]) == [("w", period.start, EVE_OF_MAX)]
    assert from_ordinals(period.start.toordinal(), date.max.toordinal()) == period


def test_from_ordinals_refuses_an_empty_or_reversed_run_naming_both_dates() -> None:
    day = date(2024, 1, 1).toordinal()
    with pytest.raises(
        InvalidPeriodError, match="period stop 2024-01-01 must be after its start 2024-01-01"
    ):
        from_ordinals(day, day)
    with pytest.raises(
        InvalidPeriodError, match="period stop 2023-12-26 must be after its start 2024-01-01"
    ):
        from_ordinals(day, day - 6)


def test_merge_ordinals_accepts_the_extreme_ordinals() -> None:
    assert merge_ordinals(["w", "w"], [1, 5], [3, OPEN]) == (["w", "w"], [1, 5], [3, OPEN])


@pytest.mark.parametrize(
    ("keys", "starts", "stops", "message"),
    [
        (["w"], [0], [5], f"day ordinals must lie in 1..{OPEN} (OPEN for an ongoing period)"),
        (["w"], [3], [OPEN + 1], f"day ordinals must lie in 1..{OPEN}"),
        (["w", "v"], [1, 10], [5, 10], "row 1: stop 10 must be after start 10"),
        (["w", "v", "u"], [1, 2, 10], [5, 9, 4], "row 2: stop 4 must be after start 10"),
        (["w"], [1, 2], [5], "columns differ in length: keys=1, starts=2, stops=1"),
    ],
)
def test_merge_ordinals_errors_name_the_row_and_values(
    keys: list[str], starts: list[int], stops: list[int], message: str
) -> None:
    with pytest.raises(InvalidValueError) as raised:
        merge_ordinals(keys, starts, stops)
    assert message in str(raised.value)


# --- the chunked paths never fall back to the plain loop on good input ----------------------


def _no_fallback(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the chunked path fell back to the plain loop on good input")


def _rows() -> list[tuple[str, date, date | None]]:
    """1,300 rows: keys that recur across chunks and new keys that recur inside one chunk."""
    rows: list[tuple[str, date, date | None]] = []
    for index in range(1300):
        key = f"k{index % 37}" if index < 900 else f"new{index // 3}"
        start = date(2024, 1, 1) + timedelta(days=(index * 7) % 300)
        end = None if index % 101 == 0 else start + timedelta(days=index % 5)
        rows.append((key, start, end))
    return rows


def _oracle(rows: list[tuple[str, date, date | None]]) -> list[tuple[str, date, date | None]]:
    grouped: dict[str, list[Period]] = {}
    for key, start, end in rows:
        grouped.setdefault(key, []).append(Period(start, end))
    return [(k, p.start, p.end) for k, periods in grouped.items() for p in merge(periods)]


def test_chunked_rows_path_merges_without_falling_back(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    expected = _oracle(rows)
    monkeypatch.setattr(_merge, "_group_rows_loop", _no_fallback)
    monkeypatch.setattr(_merge, "_ROWS_PREFETCH_MIN", 0)
    assert merge_rows(rows) == expected


def test_chunked_items_path_merges_without_falling_back(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    expected = _oracle(rows)
    monkeypatch.setattr(_merge, "_group_items_loop", _no_fallback)
    monkeypatch.setattr(_merge, "_ROWS_PREFETCH_MIN", 0)
    merged = merge_by(rows, key=lambda r: r[0], period=lambda r: Period(r[1], r[2]))
    assert [(k, p.start, p.end) for k, periods in merged.items() for p in periods] == expected
