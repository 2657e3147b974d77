"""Benchmark: merge and labelled timeline, mycareer against the usual alternatives.

Run from the repository root::

    .venv/bin/python benchmarks/bench_timeline.py            # 1k, 10k, 100k, 1M periods
    .venv/bin/python benchmarks/bench_timeline.py --quick    # 1k, 10k only

Data: the career-like generator of the interval libraries' benchmarks — per worker, sequential
periods starting −30..+60 days after the previous end, 0–365 days long, all
shuffled; 10 periods per worker (1,000,000 periods over 100,000 workers).
Overlap and adjacency are frequent; ~1 in 50 workers has an ongoing last period.

Merge contenders (all produce merged (worker, start, inclusive end) rows):

* ``plain``: a tuple sort-and-sweep over Python dates, no tuple rebuilt and no
  timedelta added per row (the reference and the floor);
* ``mycareer rows``: :func:`mycareer.timeline.merge_rows` on the same tuples;
* ``mycareer columns``: :func:`mycareer.timeline.merge_ordinals` on int columns
  (conversion from dates and back included);
* ``mycareer typed``: :func:`mycareer.timeline.merge_by` on ``Period`` objects
  (returns ``Period`` objects);
* ``portion``: ``Interval(*atoms)`` per worker with half-open ``closedopen`` dates
  (only up to ``--portion-max`` periods: it is far slower);
* ``pandas``: sort + ``cummax`` per worker + ``cumsum`` + ``groupby.agg``,
  including the conversion back to Python dates.

Labelled-timeline contenders (4 kinds with a precedence, FTE sum, provenance,
identical adjacent stretches coalesced): a plain heap-based boundary sweep on
tuples, :func:`mycareer.timeline.build_timelines`, and
:class:`mycareer.timeline.TimelineBuilder` fed one record at a time.

Every contender's output is cross-checked against the reference. Times are the
best of ``--repeat`` rounds, run round-robin with the garbage collector off; peak
memory is measured in a separate tracemalloc run. When both 100k and 1M are run,
the growth between them is printed, and measured again on the same rows laid out
in worker order and in reading order (every object re-created in list order, as
parsed from a file): shuffled input makes every contender pay cache misses that
grow faster than n (the plain sweep included), which is not an algorithmic cost.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from functools import partial
from typing import Any

from mycareer.career import CareerPeriod
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.timeline import (
    DEFAULT_PRECEDENCE,
    OPEN,
    Timeline,
    TimelineBuilder,
    build_timelines,
    merge_by,
    merge_ordinals,
    merge_rows,
)
from mycareer.work_fraction import WorkFraction

ONE_DAY = timedelta(days=1)
BASE = date(1990, 1, 1)
Row = tuple[int, date, date | None]


# --- data -----------------------------------------------------------------------------
def career_rows(n_periods: int, per_worker: int = 10, seed: int = 20241) -> list[Row]:
    """The career-like generator: sequential, −30..+60-day offsets, 0–365 days, shuffled."""
    rnd = random.Random(seed)
    rows: list[Row] = []
    workers = max(1, n_periods // per_worker)
    for worker in range(workers):
        cursor = BASE + timedelta(days=rnd.randrange(0, 3650))
        for index in range(per_worker):
            start = cursor + timedelta(days=rnd.randint(-30, 60))
            end = start + timedelta(days=rnd.randint(0, 365))
            ongoing = index == per_worker - 1 and worker % 50 == 0
            rows.append((worker, start, None if ongoing else end))
            cursor = end
    rnd.shuffle(rows)
    return rows


def worker_ordered_rows(n_periods: int) -> list[Row]:
    """The rows of :func:`career_rows`, re-created in worker order (iteration follows memory)."""
    return [(w, s, e) for w, s, e in sorted(career_rows(n_periods), key=lambda r: r[:2])]


def reading_ordered_rows(n_periods: int) -> list[Row]:
    """The shuffled rows of :func:`career_rows`, every object re-created in list order.

    This is the layout of rows parsed from a file: each row's tuple, worker id and
    dates are allocated one after the other as the file is read, so iterating the
    list follows memory, while the workers are still interleaved.
    """
    fromordinal = date.fromordinal
    return [
        (int(str(w)), fromordinal(s.toordinal()), None if e is None else fromordinal(e.toordinal()))
        for w, s, e in career_rows(n_periods)
    ]


# --- merge contenders -------------------------------------------------------------------
def plain_sweep(rows: list[Row]) -> list[Row]:
    """Reference and floor: sort the tuples as they are, one pass, no per-row allocation.

    The rows are sorted without a key (tuples compare by worker, then start); only
    a worker with two rows of the same start, one of them open, needs the keyed
    sort. ``reach`` (the day after the current end) is computed when a run starts
    or grows, never per row, and no row is rebuilt.
    """
    try:
        ordered = sorted(rows)
    except TypeError:  # same (worker, start) with an open and a closed end
        ordered = sorted(rows, key=lambda r: (r[0], r[1]))
    out: list[Row] = []
    if not ordered:
        return out
    worker, start, end = ordered[0]
    reach = None if end is None else end + ONE_DAY
    for w, s, e in ordered:
        if w == worker and (reach is None or s <= reach):
            if reach is not None and (e is None or e > end):  # type: ignore[operator]
                end = e
                reach = None if e is None else e + ONE_DAY
        else:
            out.append((worker, start, end))
            worker, start, end = w, s, e
            reach = None if e is None else e + ONE_DAY
    out.append((worker, start, end))
    return out


def mycareer_rows(rows: list[Row]) -> list[Row]:
    return merge_rows(rows)


def mycareer_columns(rows: list[Row]) -> list[Row]:
    keys = [r[0] for r in rows]
    starts = [r[1].toordinal() for r in rows]
    stops = [OPEN if r[2] is None else r[2].toordinal() + 1 for r in rows]
    out_keys, out_starts, out_stops = merge_ordinals(keys, starts, stops)
    fromordinal = date.fromordinal
    return [
        (k, fromordinal(s), None if e == OPEN else fromordinal(e - 1))
        for k, s, e in zip(out_keys, out_starts, out_stops, strict=True)
    ]


def _first(item: tuple[int, Period]) -> int:
    return item[0]


def _second(item: tuple[int, Period]) -> Period:
    return item[1]


def mycareer_typed(items: list[tuple[int, Period]]) -> dict[int, tuple[Period, ...]]:
    return merge_by(items, key=_first, period=_second)


def portion_merge(rows: list[Row]) -> list[Row]:
    import portion

    groups: dict[int, list[Any]] = {}
    for w, s, e in rows:
        atom = portion.closedopen(s, portion.inf if e is None else e + ONE_DAY)
        groups.setdefault(w, []).append(atom)
    out: list[Row] = []
    for w, atoms in groups.items():
        for atomic in portion.Interval(*atoms):
            upper = atomic.upper
            out.append((w, atomic.lower, None if upper == portion.inf else upper - ONE_DAY))
    return out


def pandas_merge(rows: list[Row]) -> list[Row]:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["worker", "start", "end"])
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"].fillna(date(2262, 4, 1)))  # open → far future
    frame = frame.sort_values(["worker", "start"], kind="stable")
    running = frame.groupby("worker", sort=False)["end"].cummax()
    previous = running.groupby(frame["worker"], sort=False).shift()
    new_run = previous.isna() | (frame["start"] > previous + pd.Timedelta(days=1))
    frame["run"] = new_run.cumsum()
    merged = frame.groupby("run", sort=False).agg(
        worker=("worker", "first"), start=("start", "min"), end=("end", "max")
    )
    far = date(2262, 4, 1)
    ends = [None if e == far else e for e in merged["end"].dt.date.tolist()]
    return list(zip(merged["worker"].tolist(), merged["start"].dt.date.tolist(), ends, strict=True))


# --- labelled timeline -----------------------------------------------------------------
KINDS = [PeriodKind.EMPLOYMENT, PeriodKind.SICKNESS, PeriodKind.UNEMPLOYMENT, PeriodKind.TRAINING]
FRACTIONS = [WorkFraction(1), WorkFraction("4/5"), WorkFraction("1/2")]
EMPLOYERS = [Employer(EnterpriseNumber("0403019261")), Employer(EnterpriseNumber("0202239951"))]
NISSES: list[Niss] = []


def _niss(worker: int) -> Niss:
    """A distinct valid NISS per worker: birth date from 1 Jan 1950, serial 1..998."""
    while len(NISSES) <= worker:
        index = len(NISSES)
        born = date(1950, 1, 1) + timedelta(days=index // 998)
        base = f"{born:%y%m%d}{index % 998 + 1:03d}"
        NISSES.append(Niss(base + f"{97 - int(base) % 97:02d}"))
    return NISSES[worker]


def career_records(rows: list[Row]) -> list[CareerPeriod]:
    rnd = random.Random(7)
    records = []
    for w, s, e in rows:
        kind = KINDS[0] if rnd.random() < 0.7 else rnd.choice(KINDS[1:])
        employment = kind is PeriodKind.EMPLOYMENT
        records.append(
            CareerPeriod(
                niss=_niss(w),
                kind=kind,
                period=Period(s, e),
                employer=rnd.choice(EMPLOYERS) if employment else None,
                fraction=rnd.choice(FRACTIONS) if employment else None,
            )
        )
    return records


def heap_sweep(records: list[CareerPeriod], as_of: date) -> list[tuple[Any, ...]]:
    """Baseline: per worker, boundary sweep with a heap of stops; winner by rank,
    exact FTE sum, sources kept, identical adjacent stretches coalesced."""
    rank = DEFAULT_PRECEDENCE.ranks
    as_of_stop = as_of.toordinal() + 1
    groups: dict[Niss, list[tuple[int, int, int, int, Fraction, str | None]]] = {}
    for index, r in enumerate(records):
        stop = as_of_stop if r.period.stop is None else r.period.stop.toordinal()
        fte = r.fraction.value if r.fraction is not None else Fraction(0)
        employer = None if r.employer is None else r.employer.key
        groups.setdefault(r.niss, []).append(
            (r.period.start.toordinal(), stop, index, rank[r.kind], fte, employer)
        )
    out: list[tuple[Any, ...]] = []
    for niss, items in groups.items():
        items.sort()
        heap: list[tuple[int, int]] = []
        active: dict[int, tuple[int, int, int, int, Fraction, str | None]] = {}
        i, n, cursor = 0, len(items), 0
        last: list[Any] | None = None
        while i < n or heap:
            if not heap:
                cursor = items[i][0]
            while i < n and items[i][0] == cursor:
                heapq.heappush(heap, (items[i][1], items[i][2]))
                active[items[i][2]] = items[i]
                i += 1
            boundary = heap[0][0]
            if i < n and items[i][0] < boundary:
                boundary = items[i][0]
            winner = max(a[3] for a in active.values())
            fte = sum((a[4] for a in active.values()), Fraction(0))
            label = (
                frozenset(a[3] for a in active.values()),
                frozenset(a[5] for a in active.values() if a[5] is not None),
            )
            if (
                last is not None
                and last[2] == cursor
                and last[3] == winner
                and last[4] == fte
                and last[6] == label
            ):
                last[2] = boundary
                last[5].update(dict.fromkeys(active))
            else:
                if last is not None:
                    out.append((niss, last[1], last[2], last[3], last[4], tuple(last[5])))
                last = [niss, cursor, boundary, winner, fte, dict.fromkeys(active), label]
            cursor = boundary
            while heap and heap[0][0] == cursor:
                del active[heapq.heappop(heap)[1]]
        if last is not None:
            out.append((niss, last[1], last[2], last[3], last[4], tuple(last[5])))
    return out


def mycareer_timelines(records: list[CareerPeriod], as_of: date) -> dict[Niss, Timeline]:
    return build_timelines(records, as_of=as_of)


def mycareer_incremental(records: list[CareerPeriod], as_of: date) -> dict[Niss, Timeline]:
    builder = TimelineBuilder()
    for record in records:
        builder.add(record)
    return builder.build_all(as_of=as_of)


def segment_rows(timelines: dict[Niss, Timeline]) -> list[tuple[Any, ...]]:
    rank = DEFAULT_PRECEDENCE.ranks
    return [
        (
            niss,
            s.period.start.toordinal(),
            s.period.stop.toordinal() if s.period.stop else 0,
            rank[s.kind],
            s.fte,
            len(s.sources),
        )
        for niss, timeline in timelines.items()
        for s in timeline.segments
    ]


# --- harness -----------------------------------------------------------------------------
def race(
    contenders: dict[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """Best time of each contender over ``repeat`` rounds, run round-robin so that
    load from other processes hits every contender alike; the garbage collector is
    off while a contender runs (as in ``timeit``)."""
    best = dict.fromkeys(contenders, float("inf"))
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, function in contenders.items():
            results.pop(name, None)
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter()
                result = function()
                elapsed = time.perf_counter() - started
            finally:
                gc.enable()
            best[name] = min(best[name], elapsed)
            results[name] = result
    return best, results


def peak_mib(function: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def canonical(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (r[0], r[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="sizes 1k and 10k only")
    parser.add_argument("--sizes", type=int, nargs="*", help="number of periods per run")
    parser.add_argument("--portion-max", type=int, default=100_000, help="largest size for portion")
    parser.add_argument("--repeat", type=int, default=5, help="best of N rounds")
    parser.add_argument("--large-repeat", type=int, default=3, help="rounds at ≥1M periods")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000])
    as_of = date(2030, 12, 31)
    print(
        f"python {sys.version.split()[0]}; best of {args.repeat} rounds "
        f"({args.large_repeat} at ≥1M), "
        "round-robin, gc off while timed; times in ms"
    )
    merge_times: dict[int, dict[str, float]] = {}
    label_times: dict[int, dict[str, float]] = {}
    for n in sizes:
        repeat = args.large_repeat if n >= 1_000_000 else args.repeat
        rows = career_rows(n)
        typed = [(w, Period(s, e)) for w, s, e in rows]
        contenders: dict[str, Callable[[], Any]] = {
            "plain": partial(plain_sweep, rows),
            "mycareer rows": partial(mycareer_rows, rows),
            "mycareer columns": partial(mycareer_columns, rows),
            "mycareer typed": partial(mycareer_typed, typed),
            "pandas": partial(pandas_merge, rows),
        }
        if n <= args.portion_max:
            contenders["portion"] = partial(portion_merge, rows)
        times, results = race(contenders, repeat)
        expected = canonical(results["plain"])
        results["mycareer typed"] = [
            (k, p.start, p.end) for k, periods in results["mycareer typed"].items() for p in periods
        ]
        for name, result in results.items():
            if canonical(result) != expected:
                raise SystemExit(f"{name} disagrees with the plain sweep at n={n}")
        del results
        reference_time = times["plain"]
        print(f"\n== merge: {n:,} periods, {n // 10:,} workers → {len(expected):,} merged")
        memory = {} if args.no_memory else {k: peak_mib(f) for k, f in contenders.items()}
        if n > args.portion_max:
            print(f"   portion skipped above {args.portion_max:,} periods (far too slow)")
        for name, seconds in times.items():
            mem = f"  peak {memory[name]:7.1f} MiB" if name in memory else ""
            print(
                f"   {name:18} {seconds * 1000:10.1f} ms   {seconds / reference_time:5.2f}× plain"
                f"   {seconds / times['mycareer rows']:6.2f}× mycareer rows{mem}"
            )
        merge_times[n] = times

        records = career_records(rows)
        label_contenders: dict[str, Callable[[], Any]] = {
            "heap sweep": partial(heap_sweep, records, as_of),
            "mycareer timeline": partial(mycareer_timelines, records, as_of),
            "mycareer builder": partial(mycareer_incremental, records, as_of),
        }
        ltimes, lresults = race(label_contenders, repeat)
        base = lresults.pop("heap sweep")
        expected_segments = sorted(
            [(niss, a, b, w, f, len(src)) for niss, a, b, w, f, src in base], key=str
        )
        for name, timelines in lresults.items():
            if sorted(segment_rows(timelines), key=str) != expected_segments:
                raise SystemExit(f"{name} disagrees with the heap sweep at n={n}")
        del lresults
        base_time = ltimes["heap sweep"]
        lmemory = {} if args.no_memory else {k: peak_mib(f) for k, f in label_contenders.items()}
        print(f"== labelled timeline: {n:,} records → {len(base):,} segments")
        for name, seconds in ltimes.items():
            mem = f"  peak {lmemory[name]:7.1f} MiB" if name in lmemory else ""
            print(f"   {name:18} {seconds * 1000:10.1f} ms   {seconds / base_time:5.2f}× heap{mem}")
        label_times[n] = ltimes
    if 100_000 in merge_times and 1_000_000 in merge_times:
        print("\n== growth from 100k to 1M periods")
        for name in ("plain", "mycareer rows", "mycareer columns", "mycareer typed", "pandas"):
            growth = merge_times[1_000_000][name] / merge_times[100_000][name]
            print(f"   merge {name:18} {growth:5.1f}×")
        for name in ("heap sweep", "mycareer timeline", "mycareer builder"):
            growth = label_times[1_000_000][name] / label_times[100_000][name]
            print(f"   label {name:18} {growth:5.1f}×")
        layouts: dict[str, Callable[[int], list[Row]]] = {
            # the same rows re-created in worker order, so iteration follows memory
            "worker order (memory locality)": worker_ordered_rows,
            # the shuffled rows re-created in list order, as a parser reading a file would
            "reading order (as parsed)": reading_ordered_rows,
        }
        for layout, make_rows in layouts.items():
            print(f"== growth with the same rows laid out in {layout}")
            layout_times: dict[int, dict[str, float]] = {}
            for n in (100_000, 1_000_000):
                laid_out = make_rows(n)
                layout_times[n], _ = race(
                    {
                        "plain": partial(plain_sweep, laid_out),
                        "mycareer rows": partial(mycareer_rows, laid_out),
                    },
                    args.large_repeat,
                )
                del laid_out
            for name in ("plain", "mycareer rows"):
                small, large = layout_times[100_000][name], layout_times[1_000_000][name]
                print(
                    f"   merge {name:18} {large / small:5.1f}×  "
                    f"({small * 1000:.0f} → {large * 1000:.0f} ms)"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
