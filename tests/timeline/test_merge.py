"""Merge properties against a set-of-days oracle, and a differential test against portion.

Adjacency semantics and the portion discrete-interval oracle follow docs/concepts.md, Periods.
"""

from __future__ import annotations

import itertools
import random
from contextlib import ExitStack
from datetime import date, timedelta
from typing import Any
from unittest import mock

import portion
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.errors import InvalidPeriodError
from mycareer.period import Period
from mycareer.timeline import (
    OPEN,
    _merge,
    from_ordinals,
    merge,
    merge_by,
    merge_ordinals,
    merge_rows,
    to_ordinals,
)

from .helpers import HORIZON, closed_period_lists, days_of, period_lists, periods, union_days


class DayInterval(portion.AbstractDiscreteInterval):  # type: ignore[misc]
    """portion's discrete intervals with a one-day step: the differential oracle."""

    _step = timedelta(days=1)


D = portion.create_api(DayInterval)


def portion_union(items: list[Period]) -> list[tuple[date, date | None]]:
    atoms = [D.closed(p.start, p.end if p.end is not None else portion.inf) for p in items]
    union = D.empty()
    for atom in atoms:
        union = union | atom
    return [(a.lower, None if a.upper == portion.inf else a.upper) for a in union if not a.empty]


def assert_normalised(merged: tuple[Period, ...]) -> None:
    for left, right in itertools.pairwise(merged):
        assert left.stop is not None
        assert left.stop < right.start, f"{left} and {right} overlap or touch"


@settings(max_examples=200, deadline=None)
@given(period_lists)
def test_merge_covers_exactly_the_union_of_days(items: list[Period]) -> None:
    merged = merge(items)
    assert union_days(merged) == union_days(items)
    assert_normalised(merged)


@settings(max_examples=150, deadline=None)
@given(period_lists, st.randoms(use_true_random=False))
def test_merge_is_idempotent_and_order_independent(items: list[Period], rnd: object) -> None:
    merged = merge(items)
    assert merge(merged) == merged
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge(shuffled) == merged
    assert merge(reversed(items)) == merged


@settings(max_examples=150, deadline=None)
@given(periods(), st.integers(0, 60))
def test_adjacent_periods_always_merge(first: Period, length: int) -> None:
    if first.stop is None:
        return
    second = Period(first.stop, first.stop + timedelta(days=length))
    assert merge([second, first]) == (Period(first.start, second.end),)


@settings(max_examples=150, deadline=None)
@given(period_lists)
def test_merge_agrees_with_portion_discrete_intervals(items: list[Period]) -> None:
    expected = portion_union(items)
    assert [(p.start, p.end) for p in merge(items)] == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), periods()), max_size=30))
def test_bulk_forms_agree_with_merge_per_group(rows: list[tuple[str, Period]]) -> None:
    expected = {
        key: merge(p for k, p in rows if k == key) for key in dict.fromkeys(k for k, _ in rows)
    }
    assert merge_by(rows, key=lambda r: r[0], period=lambda r: r[1]) == expected
    keys = [k for k, _ in rows]
    starts = [to_ordinals(p)[0] for _, p in rows]
    stops = [to_ordinals(p)[1] for _, p in rows]
    out_keys, out_starts, out_stops = merge_ordinals(keys, starts, stops)
    columnar: dict[str, list[Period]] = {}
    for key, start, stop in zip(out_keys, out_starts, out_stops, strict=True):
        columnar.setdefault(key, []).append(from_ordinals(start, stop))
    assert {k: tuple(v) for k, v in columnar.items()} == expected
    tuples = merge_rows((k, p.start, p.end) for k, p in rows)
    assert [(k, Period(s, e)) for k, s, e in tuples] == [
        (k, p) for k, merged in expected.items() for p in merged
    ]


def test_open_end_swallows_later_periods() -> None:
    merged = merge(
        [
            Period(date(2024, 1, 1), None),
            Period(date(2024, 3, 1), date(2030, 1, 1)),
            Period(date(2023, 12, 1), date(2023, 12, 31)),
        ]
    )
    assert merged == (Period(date(2023, 12, 1), None),)
    assert to_ordinals(merged[0])[1] == OPEN


def test_example_from_anchors_january_and_february_merge() -> None:
    """[1 Jan, 31 Jan] ∪ [1 Feb, 29 Feb] must merge for whole days."""
    assert merge(
        [Period(date(2024, 1, 1), date(2024, 1, 31)), Period(date(2024, 2, 1), date(2024, 2, 29))]
    ) == (Period(date(2024, 1, 1), date(2024, 2, 29)),)


def test_bulk_forms_reject_bad_input_with_the_values() -> None:
    with pytest.raises(InvalidPeriodError, match="2024-01-31 is before its start 2024-02-01"):
        merge_rows([("w", date(2024, 2, 1), date(2024, 1, 31))])
    with pytest.raises(ValueError, match="columns differ in length"):
        merge_ordinals(["a"], [1, 2], [3])


def test_days_oracle_sanity() -> None:
    assert len(days_of(Period(date(2024, 2, 28), date(2024, 3, 1)))) == 3
    assert max(days_of(Period(date(2024, 1, 1), None))) == HORIZON


@settings(max_examples=50, deadline=None)
@given(closed_period_lists)
def test_merge_by_keeps_first_appearance_order(items: list[Period]) -> None:
    rows = [(i % 3, p) for i, p in enumerate(items)]
    assert list(merge_by(rows, key=lambda r: r[0], period=lambda r: r[1])) == list(
        dict.fromkeys(k for k, _ in rows)
    )


# --- chunked (prefetching) paths of merge_rows and merge_by ---------------------------------
# Large inputs go through _group_rows_chunked / _group_items_chunked; small chunks and a
# zero threshold force those paths on small examples, checked against merge() per group.

hashable_keys = st.one_of(
    st.integers(0, 12), st.sampled_from(["a", "b", ("a", 1), None, 1.0, True, frozenset({2})])
)
keyed_periods = st.lists(st.tuples(hashable_keys, periods()), max_size=60)


def per_group_oracle(rows: list[tuple[object, Period]]) -> dict[object, tuple[Period, ...]]:
    """Group with a dict (first appearance, dict key equality), then merge() each group."""
    groups: dict[object, list[Period]] = {}
    for key, period in rows:
        groups.setdefault(key, []).append(period)
    return {key: merge(items) for key, items in groups.items()}


def chunked(chunk: int, threshold: int = 0) -> ExitStack:
    """Force the chunked paths, with ``chunk`` rows per chunk from ``threshold`` rows on
    (iterators of unknown length: their first ``threshold`` rows go through the plain loop).
    """
    stack = ExitStack()
    stack.enter_context(mock.patch.object(_merge, "_ROWS_CHUNK", chunk))
    stack.enter_context(mock.patch.object(_merge, "_ROWS_PREFETCH_MIN", threshold))
    return stack


@settings(max_examples=200, deadline=None)
@given(keyed_periods, st.integers(1, 8), st.integers(0, 20))
def test_chunked_merge_rows_and_merge_by_agree_with_merge_per_group(
    rows: list[tuple[object, Period]], chunk: int, threshold: int
) -> None:
    expected = per_group_oracle(rows)
    flat = [(k, p) for k, merged in expected.items() for p in merged]
    tuples = [(k, p.start, p.end) for k, p in rows]
    with chunked(chunk, threshold):
        assert merge_by(rows, key=lambda r: r[0], period=lambda r: r[1]) == expected
        assert merge_by(iter(rows), key=lambda r: r[0], period=lambda r: r[1]) == expected
        assert [(k, Period(s, e)) for k, s, e in merge_rows(tuples)] == flat
        assert [(k, Period(s, e)) for k, s, e in merge_rows(iter(tuples))] == flat
    # without the patch: small inputs take the plain loop
    assert [(k, Period(s, e)) for k, s, e in merge_rows(tuples)] == flat
    assert [(k, Period(s, e)) for k, s, e in merge_rows(iter(tuples))] == flat
    assert merge_by(iter(rows), key=lambda r: r[0], period=lambda r: r[1]) == expected


def test_chunked_merge_rows_on_many_workers_matches_the_plain_loop() -> None:
    """Benchmark-like data (many keys, shuffled, touching and ongoing periods), both paths."""
    rnd = random.Random(4)
    rows: list[tuple[int, date, date | None]] = []
    for worker in range(300):
        cursor = date(2000, 1, 1) + timedelta(days=rnd.randrange(400))
        for index in range(rnd.randrange(1, 12)):
            start = cursor + timedelta(days=rnd.randint(-20, 3))
            end = start + timedelta(days=rnd.randint(0, 40))
            rows.append((worker, start, None if index == 5 and worker % 7 == 0 else end))
            cursor = end + timedelta(days=1)
    rnd.shuffle(rows)
    plain = merge_rows(rows)
    typed = merge_by(rows, key=lambda r: r[0], period=lambda r: Period(r[1], r[2]))
    for chunk in (1, 7, 512):
        with chunked(chunk):
            assert merge_rows(rows) == plain
            assert merge_by(rows, key=lambda r: r[0], period=lambda r: Period(r[1], r[2])) == typed
    assert [(k, Period(s, e)) for k, s, e in plain] == [
        (k, p) for k, merged in typed.items() for p in merged
    ]


def test_chunked_paths_raise_the_plain_loops_error_for_the_first_bad_row() -> None:
    good = ("w", date(2024, 1, 1), date(2024, 1, 31))
    bad_period = ("w", date(2024, 2, 1), date(2024, 1, 31))
    unhashable = (["w"], date(2024, 1, 1), None)
    cases: list[tuple[list[Any], type[Exception], str]] = [
        ([good, bad_period, unhashable], InvalidPeriodError, "before its start"),
        ([good, unhashable, bad_period], TypeError, "unhashable"),
        ([good, ("w", date(2024, 1, 1)), good], ValueError, r"expected 3, got 2"),
        ([good, (*good, 1), good], ValueError, "too many values to unpack"),
    ]
    for rows, error, message in cases:
        with pytest.raises(error, match=message):
            merge_rows(rows)
        for chunk in (1, 2, 8):
            with chunked(chunk), pytest.raises(error, match=message):
                merge_rows(rows)

    def key(item: int) -> int:
        if item == 3:
            raise KeyError("key of item 3")
        return item % 2

    def period(item: int) -> Period:
        if item == 5:
            raise LookupError("period of item 5")
        return Period(date(2024, 1, item + 1), None)

    with pytest.raises(KeyError, match="key of item 3"):
        merge_by(range(8), key=key, period=period)
    with chunked(8), pytest.raises(KeyError, match="key of item 3"):
        merge_by(range(8), key=key, period=period)
