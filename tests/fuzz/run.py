"""The long fuzzing run: ≥ 10,000 damaged inputs per reader, outside the default test run.

Prints, per reader, the count of each outcome (``ok``: read whole; ``refused``: a
MycareerError or collected errors; ``traceback``: anything else, the target is 0),
the slowest input and the process's peak memory. Run from the repository root::

    PYTHONPATH=src python -m tests.fuzz.run --inputs 10000 --seed 1
    PYTHONPATH=src python -m tests.fuzz.run --inputs 10000 --reader rules-toml

``--reader NAME`` (repeatable; ``dmfa``, ``sidecar-csv-json``, …) runs only those,
so that each reader's peak memory is measured in a process of its own.
Figures are recorded in docs/concepts.md (bad input). On a shared machine the
times are noisy: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from .inputs import READERS, json_seed, mutate, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs per reader")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reader", action="append", default=[], help="only this reader")
    args = parser.parse_args(argv)
    failures = 0
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    variants = [(r, r.seed.read_bytes(), r.suffix, r.name) for r in READERS]
    variants += [
        (r, seed, ".json", f"{r.name}-json") for r in READERS if (seed := json_seed(r)) is not None
    ]
    unknown = set(args.reader) - {name for *_, name in variants}
    if unknown:
        parser.error(f"unknown reader(s) {sorted(unknown)}: {[n for *_, n in variants]}")
    for reader, seed, suffix, name in variants:
        if args.reader and name not in args.reader:
            continue
        rng = random.Random(f"{args.seed}-{reader.name}-{suffix}")
        counts: Counter[str] = Counter()
        slowest = 0.0
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(args.inputs):
                damaged = mutate(seed, rng)
                started = time.perf_counter()
                try:
                    counts[outcome(reader, Path(folder), damaged, suffix)] += 1
                except Exception:  # the fuzzing target: report, count, go on
                    counts["traceback"] += 1
                    failures += 1
                    if counts["traceback"] <= 3:
                        traceback.print_exc(limit=3)
                slowest = max(slowest, time.perf_counter() - started)
                if sum(counts.values()) % 2000 == 0:
                    print(f"  {name}: {dict(counts)}", flush=True)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"{name}: {shown}; slowest input {slowest:.3f} s; peak RSS {peak:.0f} MB")
        sys.stdout.flush()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
