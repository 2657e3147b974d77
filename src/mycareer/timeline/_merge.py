"""Union of whole-day periods: one sort, one linear sweep.

Periods are handled internally as half-open day ordinals ``[start, stop)``
(``date.toordinal()``), with :data:`OPEN` standing for "no end yet". Two runs
merge when they overlap *or touch* (``stop == next start``), which is what
"1–31 January and 1–29 February" means in payroll language (docs/concepts.md, Periods).

Three entry points, from typed to raw:

* :func:`merge` — ``Period`` in, ``Period`` out;
* :func:`merge_by` — many groups (worker, employer, kind…) in one bulk call;
* :func:`merge_rows` / :func:`merge_ordinals` — plain tuples or columns for
  millions of rows, without building a ``Period`` per row.

>>> from datetime import date
>>> jan = Period(date(2024, 1, 1), date(2024, 1, 31))
>>> feb = Period(date(2024, 2, 1), date(2024, 2, 29))
>>> [str(p) for p in merge([feb, jan, Period(date(2024, 5, 1), None)])]
['2024-01-01..2024-02-29', '2024-05-01..']
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence, Sized
from datetime import date
from itertools import islice, repeat
from typing import TypeVar

from mycareer._slots import trusted_constructor
from mycareer.errors import InvalidValueError
from mycareer.period import Period

__all__ = [
    "OPEN",
    "from_ordinals",
    "merge",
    "merge_by",
    "merge_ordinals",
    "merge_rows",
    "merge_sorted_ordinals",
    "to_ordinals",
]

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

#: Ordinal stop of an ongoing period: one past ``date.max``, larger than any real stop.
OPEN = date.max.toordinal() + 1

_MAX_ORDINAL = date.max.toordinal()
_fromordinal = date.fromordinal
# Skips Period's validating __init__, which dominates the cost of building merged
# results. Only for ordinals this package already checked (start < stop).
_trusted_period = trusted_constructor(Period)


def _period(start: int, stop: int) -> Period:
    """Build a Period from trusted ordinals ``start < stop`` without re-validating (hot path)."""
    return _trusted_period(_fromordinal(start), None if stop > _MAX_ORDINAL else _fromordinal(stop))


def to_ordinals(period: Period) -> tuple[int, int]:
    """Half-open ordinals ``(start, stop)`` of a period; ``stop`` is :data:`OPEN` if ongoing.

    >>> from datetime import date
    >>> to_ordinals(Period(date(2024, 1, 1), date(2024, 1, 1)))
    (738886, 738887)
    >>> to_ordinals(Period(date(2024, 1, 1), None))[1] == OPEN
    True
    """
    stop = period.stop
    return period.start.toordinal(), OPEN if stop is None else stop.toordinal()


def from_ordinals(start: int, stop: int) -> Period:
    """The period ``[start, stop)`` of day ordinals (``stop == OPEN`` → ongoing).

    >>> from_ordinals(738886, 738917)
    Period(start=datetime.date(2024, 1, 1), end=datetime.date(2024, 1, 31))
    """
    if stop <= start:
        return Period.from_stop(_fromordinal(start), _fromordinal(stop))  # raises, with values
    return _period(start, stop)


# Packed form used by the grouped merges: ``start << 22 | stop``. Every day
# ordinal, OPEN included, is below 2**22, so sorting the packed ints sorts by
# (start, stop) — and sorting plain ints is far cheaper than sorting tuples.
_SHIFT = 22
_MASK = (1 << _SHIFT) - 1


def _sweep_packed(packed: list[int]) -> list[tuple[int, int]]:
    """Sort packed ``start << 22 | stop`` values (in place) and merge them into runs."""
    packed.sort()
    iterator = iter(packed)
    first = next(iterator)
    run_start, run_stop = first >> _SHIFT, first & _MASK
    out: list[tuple[int, int]] = []
    append = out.append
    for value in iterator:
        start = value >> _SHIFT
        if start <= run_stop:
            stop = value & _MASK
            if stop > run_stop:
                run_stop = stop
        else:
            append((run_start, run_stop))
            run_start, run_stop = start, value & _MASK
    append((run_start, run_stop))
    return out


def merge_sorted_ordinals(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sweep ``(start, stop)`` pairs **already sorted by start**; overlapping or touching merge.

    >>> merge_sorted_ordinals([(1, 5), (5, 7), (9, 10), (9, 12)])
    [(1, 7), (9, 12)]
    """
    if not pairs:
        return []
    out: list[tuple[int, int]] = []
    append = out.append
    iterator = iter(pairs)
    run_start, run_stop = next(iterator)
    for start, stop in iterator:
        if start <= run_stop:
            if stop > run_stop:
                run_stop = stop
        else:
            append((run_start, run_stop))
            run_start, run_stop = start, stop
    append((run_start, run_stop))
    return out


def merge(periods: Iterable[Period]) -> tuple[Period, ...]:
    """The union of ``periods`` as sorted, disjoint, non-touching periods.

    Overlapping and adjacent periods merge; an ongoing period swallows
    everything after its start. Input order does not matter.

    >>> from datetime import date
    >>> merge([Period(date(2024, 3, 1), date(2024, 3, 9)),
    ...        Period(date(2024, 3, 5), date(2024, 3, 20))])
    (Period(start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 20)),)
    >>> merge([])
    ()
    """
    packed = [
        (p.start.toordinal() << _SHIFT) | (OPEN if p.stop is None else p.stop.toordinal())
        for p in periods
    ]
    if not packed:
        return ()
    return tuple([_period(start, stop) for start, stop in _sweep_packed(packed)])


# Large inputs of merge_by and merge_rows are taken in chunks, and each chunk is
# first walked by C loops (``zip(*chunk)`` or ``map(period, chunk)`` touch every
# row and its dates, ``map(get)`` every group's dict entry and bucket) before the
# Python loop does the work on data that is then in cache: the C loops keep many
# memory loads in flight at once, where the interpreter loop waits for each. This
# pays once rows and buckets outgrow the CPU caches (shuffled rows from ~50k on)
# and costs a little below that, hence the threshold (an input of unknown length
# sends its first 50k rows through the plain loop). If the C loops raise (bad
# row, unhashable key), the chunk goes through the plain loop, which raises the
# usual error for the first bad row.
_ROWS_CHUNK = 512
_ROWS_PREFETCH_MIN = 50_000


def _group_items_loop(
    items: Iterable[T],
    key: Callable[[T], K],
    period: Callable[[T], Period],
    groups: dict[K, list[int]],
) -> None:
    """Append the packed ``start << 22 | stop`` of each item's period to its group's bucket."""
    get = groups.get
    for item in items:
        value = period(item)
        stop = value.stop
        packed = (value.start.toordinal() << _SHIFT) | (OPEN if stop is None else stop.toordinal())
        group_key = key(item)
        bucket = get(group_key)
        if bucket is None:
            groups[group_key] = [packed]
        else:
            bucket.append(packed)


def _group_items_chunked(
    items: Iterable[T],
    key: Callable[[T], K],
    period: Callable[[T], Period],
    groups: dict[K, list[int]],
) -> None:
    """:func:`_group_items_loop` chunk by chunk, prefetched by C loops as in :func:`merge_rows`."""
    get = groups.get
    iterator = iter(items)
    new: list[int] = []  # marker: "group unseen when the chunk was prefetched"
    while chunk := list(islice(iterator, _ROWS_CHUNK)):
        try:
            periods = list(map(period, chunk))
            keys = list(map(key, chunk))
            buckets = list(map(get, keys, repeat(new)))
        except Exception:  # key or period raised, or an unhashable key
            _group_items_loop(chunk, key, period, groups)
            continue
        for bucket, group_key, value in zip(buckets, keys, periods, strict=True):
            stop = value.stop
            packed = (value.start.toordinal() << _SHIFT) | (
                OPEN if stop is None else stop.toordinal()
            )
            if bucket is new:  # unseen at prefetch time; maybe added earlier in this chunk
                found = get(group_key)
                if found is None:
                    groups[group_key] = [packed]
                    continue
                bucket = found
            bucket.append(packed)


def merge_by(
    items: Iterable[T],
    key: Callable[[T], K],
    period: Callable[[T], Period] = lambda item: item.period,  # type: ignore[attr-defined]
) -> dict[K, tuple[Period, ...]]:
    """Merge per group in one bulk call: ``{key(item): merged periods of that group}``.

    ``period`` extracts the period (default: the item's ``.period`` attribute,
    as on :class:`~mycareer.career.CareerPeriod`). Keys only need to be
    hashable; groups appear in order of first appearance. ``key`` and
    ``period`` should be pure: on large inputs, if one raises, they are called
    again on the items before it in the same 512-item chunk, so that the error
    of the first bad item is the one raised.

    >>> from datetime import date
    >>> rows = [("A", Period(date(2024, 1, 1), date(2024, 1, 31))),
    ...         ("B", Period(date(2024, 1, 1), None)),
    ...         ("A", Period(date(2024, 2, 1), date(2024, 2, 9)))]
    >>> merged = merge_by(rows, key=lambda r: r[0], period=lambda r: r[1])
    >>> {k: [str(p) for p in v] for k, v in merged.items()}
    {'A': ['2024-01-01..2024-02-09'], 'B': ['2024-01-01..']}
    """
    groups: dict[K, list[int]] = {}
    if isinstance(items, Sized):
        if len(items) < _ROWS_PREFETCH_MIN:
            _group_items_loop(items, key, period, groups)
        else:
            _group_items_chunked(items, key, period, groups)
    else:  # unknown length: the first rows through the plain loop, any further ones chunked
        iterator = iter(items)
        _group_items_loop(islice(iterator, _ROWS_PREFETCH_MIN), key, period, groups)
        _group_items_chunked(iterator, key, period, groups)
    dates: dict[int, date] = {}  # one date object per ordinal, as in merge_rows
    known = dates.get
    result: dict[K, tuple[Period, ...]] = {}
    for group_key, bucket in groups.items():
        merged: list[Period] = []
        for start_ord, stop_ord in _sweep_packed(bucket):
            first = known(start_ord)
            if first is None:
                first = dates[start_ord] = _fromordinal(start_ord)
            if stop_ord > _MAX_ORDINAL:
                after = None
            else:
                after = known(stop_ord)
                if after is None:
                    after = dates[stop_ord] = _fromordinal(stop_ord)
            merged.append(_trusted_period(first, after))
        result[group_key] = tuple(merged)
    return result


def merge_ordinals(
    keys: Sequence[K], starts: Sequence[int], stops: Sequence[int]
) -> tuple[list[K], list[int], list[int]]:
    """Columnar bulk merge over half-open day ordinals (``stop`` exclusive, :data:`OPEN` = ongoing).

    Returns three columns ``(keys, starts, stops)`` of the merged runs, grouped
    by key in order of first appearance and sorted by start within a key.
    No ``Period`` is built: this is the form for millions of rows. Ordinals
    must satisfy ``1 <= start < stop <= OPEN``.

    >>> merge_ordinals(["w1", "w2", "w1"], [10, 3, 20], [20, 4, 25])
    (['w1', 'w2'], [10, 3], [25, 4])
    >>> merge_ordinals(["w1"], [10], [10])
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: row 0: stop 10 must be after start 10
    """
    if not len(keys) == len(starts) == len(stops):
        raise InvalidValueError(
            f"columns differ in length: keys={len(keys)}, starts={len(starts)}, stops={len(stops)}"
        )
    if starts and (min(starts) < 1 or max(stops) > OPEN):
        raise InvalidValueError(f"day ordinals must lie in 1..{OPEN} (OPEN for an ongoing period)")
    groups: dict[K, list[int]] = {}
    get = groups.get
    for group_key, start, stop in zip(keys, starts, stops, strict=True):
        if stop <= start:
            row = next(i for i, (a, b) in enumerate(zip(starts, stops, strict=True)) if b <= a)
            raise InvalidValueError(
                f"row {row}: stop {stops[row]} must be after start {starts[row]}"
            )
        bucket = get(group_key)
        if bucket is None:
            groups[group_key] = [(start << _SHIFT) | stop]
        else:
            bucket.append((start << _SHIFT) | stop)
    out_keys: list[K] = []
    out_starts: list[int] = []
    out_stops: list[int] = []
    for group_key, bucket in groups.items():
        for start, stop in _sweep_packed(bucket):
            out_keys.append(group_key)
            out_starts.append(start)
            out_stops.append(stop)
    return out_keys, out_starts, out_stops


def _group_rows_loop(
    rows: Iterable[tuple[K, date, date | None]], groups: dict[K, list[int]]
) -> None:
    """Append the packed ``start << 22 | stop`` of each row to its group's bucket."""
    get = groups.get
    for group_key, start, end in rows:
        start_ord = start.toordinal()
        stop_ord = OPEN if end is None else end.toordinal() + 1
        if stop_ord <= start_ord:
            Period(start, end)  # raises InvalidPeriodError naming both dates
        bucket = get(group_key)
        if bucket is None:
            groups[group_key] = [(start_ord << _SHIFT) | stop_ord]
        else:
            bucket.append((start_ord << _SHIFT) | stop_ord)


def _group_rows_chunked(
    rows: Iterable[tuple[K, date, date | None]], groups: dict[K, list[int]]
) -> None:
    """:func:`_group_rows_loop`, chunk by chunk, each chunk prefetched by C loops first."""
    get = groups.get
    iterator = iter(rows)
    new: list[int] = []  # marker: "group unseen when the chunk was prefetched"
    while chunk := list(islice(iterator, _ROWS_CHUNK)):
        try:
            keys, starts, ends = zip(*chunk, strict=True)
        except Exception:  # malformed rows
            _group_rows_loop(chunk, groups)
            continue
        try:
            buckets = list(map(get, keys, repeat(new)))
        except Exception:  # an unhashable key
            _group_rows_loop(zip(keys, starts, ends, strict=True), groups)
            continue
        for bucket, group_key, start, end in zip(buckets, keys, starts, ends, strict=True):
            start_ord = start.toordinal()
            stop_ord = OPEN if end is None else end.toordinal() + 1
            if stop_ord <= start_ord:
                Period(start, end)  # raises InvalidPeriodError naming both dates
            if bucket is new:  # unseen at prefetch time; maybe added earlier in this chunk
                found = get(group_key)
                if found is None:
                    groups[group_key] = [(start_ord << _SHIFT) | stop_ord]
                    continue
                bucket = found
            bucket.append((start_ord << _SHIFT) | stop_ord)


def merge_rows(
    rows: Iterable[tuple[K, date, date | None]],
) -> list[tuple[K, date, date | None]]:
    """Bulk merge of plain ``(key, start, end)`` rows: inclusive ``end``, ``None`` = ongoing.

    The tuple twin of :func:`merge_by` for data that never were ``Period``
    objects (CSV, database rows, data frames' ``itertuples``). Returns merged
    rows grouped by key (first appearance), sorted by start within a key.

    >>> from datetime import date
    >>> merge_rows([(1, date(2024, 1, 1), date(2024, 1, 31)),
    ...             (1, date(2024, 2, 1), None)])
    [(1, datetime.date(2024, 1, 1), None)]
    """
    groups: dict[K, list[int]] = {}
    if isinstance(rows, Sized):
        if len(rows) < _ROWS_PREFETCH_MIN:
            _group_rows_loop(rows, groups)
        else:
            _group_rows_chunked(rows, groups)
    else:  # unknown length: the first rows through the plain loop, any further ones chunked
        iterator = iter(rows)
        _group_rows_loop(islice(iterator, _ROWS_PREFETCH_MIN), groups)
        _group_rows_chunked(iterator, groups)
    out: list[tuple[K, date, date | None]] = []
    append = out.append
    # Careers share few distinct dates: one date object per ordinal, reused
    # (a dict hit is cheaper than date.fromordinal, and saves memory).
    dates: dict[int, date] = {}
    known = dates.get
    fromordinal = _fromordinal
    for group_key, bucket in groups.items():
        for start_ord, stop_ord in _sweep_packed(bucket):
            first = known(start_ord)
            if first is None:
                first = dates[start_ord] = fromordinal(start_ord)
            if stop_ord > _MAX_ORDINAL:
                append((group_key, first, None))
                continue
            last = known(stop_ord - 1)
            if last is None:
                last = dates[stop_ord - 1] = fromordinal(stop_ord - 1)
            append((group_key, first, last))
    return out
