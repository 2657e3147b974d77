"""Benchmark: bulk training-right entitlements.

Part 1 — entitlements for N worker-years (default 1,000,000) from DmfA occupations,
side by side with the timeline engine merging the *same* occupations
(``mycareer.timeline.merge_by`` keyed by employer and worker). Both contenders get
the same list of ``DmfaWorkerRecord`` (one per worker and declared quarter, as the
DmfA reader yields them); the results are cross-checked: the months an
entitlement counts are exactly the months the merged periods touch.
Explanations are never built (they are rendered lazily on demand).

Part 2 — end to end: ``mycareer entitlements`` over a set of DmfA files written
by ``mycareer.xmlio.dmfa_writer``, against the raw-lxml dict baseline (iterparse
every element into plain dicts, nothing else), each in a fresh subprocess, with
peak RSS. Both parts run ``--repeat`` interleaved rounds and keep each contender's
best time (single runs on a shared machine varied by ±20 %).

    .venv/bin/python benchmarks/bench_entitlements.py               # both parts
    .venv/bin/python benchmarks/bench_entitlements.py --workers 100000 --files 8

Figures are recorded in docs/performance.md ("Training right").
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.fla import Overrides, SizeBand, compute_entitlements
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.quarter import Quarter

T = TypeVar("T")
YEAR = 2024
FULL = 3800
JOINT = [JointCommission(code) for code in ("111", "200", "124", "302")]


def _enterprises(count: int) -> list[Employer]:
    out: list[Employer] = []
    base = 4000000
    while len(out) < count:
        base += 1
        check = 97 - base % 97
        out.append(Employer(EnterpriseNumber(f"0{base:07d}{check:02d}")))
    return out


def _people(count: int) -> list[Niss]:
    out: list[Niss] = []
    serial = 1
    day = date(1970, 1, 1)
    while len(out) < count:
        base = int(f"{day:%y%m%d}{serial:03d}")
        out.append(Niss(f"{base:09d}{97 - base % 97:02d}"))
        serial += 2
        if serial > 997:
            serial, day = 1, date.fromordinal(day.toordinal() + 1)
    return out


def _line(
    sequence: int, start: date, end: date | None, quarter: Quarter, q: int, jc: JointCommission
) -> DmfaOccupation | None:
    clipped = Period(start, end).clip(quarter.period)
    if clipped is None:
        return None
    return DmfaOccupation(
        sequence=sequence, start=start, end=end, period=clipped, joint_commission=jc,
        working_days_system=500, contract_type=ContractType.FULL_TIME if q == FULL
        else ContractType.PART_TIME, mean_working_hours=q, ref_mean_working_hours=FULL,
    )  # fmt: skip


def make_records(workers: int, seed: int = 7) -> list[DmfaWorkerRecord]:
    """``workers`` worker-years at ~1000 employers, one record per declared quarter.

    Shapes: 60 % full-time all year, 15 % part-time all year, 10 % hired during the
    year, 10 % leavers, 5 % a fraction change mid-year (two lines).
    """
    rng = random.Random(seed)
    per_employer = 1000
    employers = _enterprises(max(1, workers // per_employer + 1))
    people = _people(min(workers, per_employer))
    quarters = [Quarter(YEAR, n) for n in range(1, 5)]
    records: list[DmfaWorkerRecord] = []
    for index in range(workers):
        employer = employers[index // per_employer]
        niss = people[index % per_employer]
        jc = JOINT[index // per_employer % len(JOINT)]
        shape = rng.random()
        q = FULL
        lines: list[tuple[int, date, date | None, int]]
        if shape < 0.60:
            lines = [(1, date(2015, 1, 1), None, FULL)]
        elif shape < 0.75:
            q = rng.choice([1900, 3040, 2850])
            lines = [(1, date(2018, 3, 1), None, q)]
        elif shape < 0.85:
            lines = [(1, date(YEAR, rng.randint(1, 12), rng.randint(1, 28)), None, FULL)]
        elif shape < 0.95:
            lines = [
                (1, date(2019, 1, 1), date(YEAR, rng.randint(1, 12), rng.randint(1, 28)), FULL)
            ]
        else:
            cut = date(YEAR, rng.randint(2, 12), 1)
            lines = [
                (1, date(2016, 1, 1), date.fromordinal(cut.toordinal() - 1), FULL),
                (2, cut, None, 1900),
            ]
        for quarter in quarters:
            occupations = [
                line
                for sequence, start, end, fraction in lines
                if (line := _line(sequence, start, end, quarter, fraction, jc)) is not None
            ]
            if occupations:
                records.append(
                    DmfaWorkerRecord(
                        employer, quarter, niss, 495, "000", quarter.period, occupations
                    )
                )
    # As the DmfA reader yields them: file by file, i.e. by employer and quarter.
    order = {id(q): n for n, q in enumerate(quarters)}
    records.sort(key=lambda r: (r.employer.key, order[id(r.quarter)]))
    return records


def timed(label: str, work: Callable[[], T], *, memory: bool = False) -> tuple[T, float]:
    """Run ``work`` once; with ``memory``, under tracemalloc (slower: times not comparable)."""
    gc.collect()
    if memory:
        tracemalloc.start()
    gc.disable()  # as timeit does, and as the CLI runs: every contender alike
    began = time.perf_counter()
    try:
        result = work()
    finally:
        elapsed = time.perf_counter() - began
        gc.enable()
    if memory:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {label:<46} peak traced {peak / 2**20:8.1f} MiB", flush=True)
    else:
        print(f"  {label:<46} {elapsed:8.2f} s", flush=True)
    return result, elapsed


def part_one(workers: int, memory_workers: int, repeat: int) -> None:
    from mycareer.timeline import merge_by

    print(f"Part 1: {workers:,} worker-years from DmfA occupations ({YEAR})", flush=True)
    began = time.perf_counter()
    records = make_records(workers)
    lines = sum(len(r.occupations) for r in records)
    print(f"  built {len(records):,} quarterly records, {lines:,} occupation lines "
          f"in {time.perf_counter() - began:.1f} s (not timed)")  # fmt: skip
    employers = {r.employer.key for r in records}
    bands = Overrides(band=dict.fromkeys(employers, SizeBand.FROM_20))

    def merge_all(rows: list[DmfaWorkerRecord]) -> dict[tuple[str, str], tuple[Period, ...]]:
        return merge_by(
            ((r.employer.key, r.niss.value, o) for r in rows for o in r.occupations),
            key=lambda row: (row[0], row[1]),
            period=lambda row: row[2].period,
        )

    t_merge = t_ent = t_band = float("inf")
    for attempt in range(1, repeat + 1):  # interleaved; the best of each is kept
        print(f"  run {attempt}/{repeat}:")
        merged, elapsed = timed("timeline.merge_by (same occupations)", lambda: merge_all(records))
        t_merge = min(t_merge, elapsed)
        del merged
        results, elapsed = timed(
            "fla.compute_entitlements (bands given)",
            lambda: compute_entitlements(records, (), YEAR, overrides=bands),
        )
        t_ent = min(t_ent, elapsed)
        del results
        results_band, elapsed = timed(
            "fla.compute_entitlements (bands from data)",
            lambda: compute_entitlements(records, (), YEAR),
        )
        t_band = min(t_band, elapsed)
        del results_band
    print(f"  best of {repeat}: merge {t_merge:.2f} s, entitlements {t_ent:.2f} s (bands given), "
          f"{t_band:.2f} s (bands from data)")  # fmt: skip
    merged = merge_all(records)
    results = compute_entitlements(records, (), YEAR, overrides=bands)
    results_band = compute_entitlements(records, (), YEAR)
    # Cross-check: months counted == months touched by the merged periods.
    assert len(results) == len(merged) == workers, (len(results), len(merged), workers)
    checked = 0
    for entitlement in results[:: max(1, len(results) // 20000)]:
        periods = merged[(entitlement.employer.key, entitlement.niss.value)]
        touched: set[int] = set()
        for period in periods:
            assert period.end is not None
            touched.update(range(period.start.month, period.end.month + 1))
        employed = {m.month for m in entitlement.months if m.fraction > 0}
        assert employed == touched, (entitlement.niss, employed, touched)
        checked += 1
    assert len(results_band) == workers
    print(f"  cross-checked {checked:,} results against the merged periods")
    print(f"  ratio entitlements / merge: {t_ent / t_merge:.2f}x (bands given), "
          f"{t_band / t_merge:.2f}x (bands from data); target <= 2x", flush=True)  # fmt: skip
    del merged, results, results_band
    chosen = set(sorted(employers)[: max(1, memory_workers // 1000)])
    sample = [r for r in records if r.employer.key in chosen]
    print(f"  memory, on the first {len(sample):,} records (tracemalloc):")
    timed("timeline.merge_by", lambda: merge_all(sample), memory=True)
    timed("fla.compute_entitlements", lambda: compute_entitlements(sample, (), YEAR), memory=True)


BASELINE = """
import sys
from pathlib import Path
sys.path.insert(0, {bench_dir!r})
from bench_dmfa import lxml_iterparse_dicts  # the XML issue's raw-lxml dict baseline
total = 0
for path in sorted(Path(sys.argv[1]).rglob("*.xml")):
    total += lxml_iterparse_dicts(path)[1]
print(total)
"""


READER_ONLY = """
import gc, sys
gc.disable()  # as the CLI runs it (mycareer.cli.main): the records are acyclic
from mycareer.xmlio.dmfa import read_dmfa
print(len(read_dmfa([sys.argv[1]], on_error="collect").records))
"""


def _run_measured(command: list[str]) -> tuple[float, float, str]:
    script = (
        "import resource, subprocess, sys, tempfile, time\n"
        # stdout goes to a file, as a user's '> out.json' would: capturing 50 MB
        # through a pipe into this process would time the harness, not the command.
        "sink = tempfile.TemporaryFile()\n"
        "began = time.perf_counter()\n"
        f"done = subprocess.run({command!r}, stdout=sink, stderr=subprocess.PIPE, text=True)\n"
        "elapsed = time.perf_counter() - began\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(elapsed, rss, done.returncode, sink.seek(0, 2), sep='\\t')\n"
        "sys.stderr.write(done.stderr[-2000:])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    elapsed, rss, code, size = done.stdout.split("\t")
    return float(elapsed), int(rss) / 1024, f"exit {code}, {int(size):,} bytes of output"


def part_two(workers: int, files: int, repeat: int) -> None:
    from mycareer.xmlio.dmfa_writer import dmfa_bytes

    folder = Path(tempfile.mkdtemp(prefix="bench-entitlements-"))
    try:
        records = make_records(workers, seed=11)
        grouped: dict[tuple[str, Quarter], list[DmfaWorkerRecord]] = defaultdict(list)
        employers = {}
        for record in records:
            grouped[(record.employer.key, record.quarter)].append(record)
            employers[record.employer.key] = record.employer
        keys = sorted(grouped)[: files * 4] if files else sorted(grouped)
        size = 0
        for key, quarter in keys:
            data = dmfa_bytes(employers[key], quarter, grouped[(key, quarter)],
                              created_at=datetime(2025, 1, 20, 9, 0))  # fmt: skip
            path = folder / key / f"{quarter}.xml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            size += len(data)
        print(f"Part 2: end to end over {len(keys)} DmfA files ({size / 2**20:.1f} MiB, "
              f"{sum(len(grouped[k]) for k in keys):,} worker records)")  # fmt: skip
        script = BASELINE.format(bench_dir=str(Path(__file__).parent))
        contenders = {
            "raw lxml iterparse to dicts (bench_dmfa)": [sys.executable, "-c", script, str(folder)],
            "mycareer read_dmfa only (H1's reader)": [
                sys.executable, "-c", READER_ONLY, str(folder)
            ],
            "mycareer entitlements --format json": [
                sys.executable, "-m", "mycareer", "entitlements", "--year", str(YEAR),
                "--band", "20+", str(folder),
            ],
        }  # fmt: skip
        best = dict.fromkeys(contenders, float("inf"))
        peak = dict.fromkeys(contenders, 0.0)
        for attempt in range(1, repeat + 1):  # interleaved; the best time of each is kept
            print(f"  run {attempt}/{repeat}:")
            for label, command in contenders.items():
                elapsed, rss, note = _run_measured(command)
                best[label] = min(best[label], elapsed)
                peak[label] = max(peak[label], rss)
                print(f"  {label:<44} {elapsed:8.2f} s   peak RSS {rss:8.1f} MiB   ({note})")
        t_base, t_read, t_cli = best.values()
        print(
            f"  best of {repeat}: baseline {t_base:.2f} s, reader {t_read:.2f} s, "
            f"CLI {t_cli:.2f} s; peak RSS {' / '.join(f'{m:.1f}' for m in peak.values())} MiB"
        )
        print(f"  ratio CLI / raw-lxml baseline: {t_cli / t_base:.2f}x; target <= 2x "
              f"(the reader alone: {t_read / t_base:.2f}x)")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--e2e-workers", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=0, help="employers in part 2 (0 = all)")
    parser.add_argument("--memory-workers", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="interleaved rounds; the best of each is kept"
    )
    parser.add_argument("--part", choices=("1", "2", "both"), default="both")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {date.today()}")
    if args.part in ("1", "both"):
        part_one(args.workers, args.memory_workers, args.repeat)
    if args.part in ("2", "both"):
        part_two(args.e2e_workers, args.files, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
