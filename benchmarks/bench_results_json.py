"""Entitlement results to JSON text, employer by employer, as a run writes them.

Contenders, over the same results (``compute_entitlements`` of each employer's files of
a folder written by ``benchmarks/payroll.py``, one list per employer as a run's groups
make them, so that the results of a shape share their objects as in bulk):

* ``plain``: ``json.dumps(entitlement_to_json(e), ensure_ascii=False)``, the reference;
* ``json_text``: :func:`mycareer.fla.serialize.entitlement_json_text`, the bulk path
  (the parts equal results share encoded once; byte-identical, checked here);
* ``explain``: :meth:`~mycareer.fla.values.Entitlement.explain` of each shape alone,
  for what the explanation costs within a new shape's JSON.

Each round starts from cold caches (:func:`mycareer._cache.clear_caches`), the cyclic
GC off; best CPU time of ``--repeat`` interleaved rounds, per result and per shape
(results whose fields are the very same objects: what the bulk path encodes once).
A country's many small employers share few shapes: there a new shape's cost is what
counts (docs/performance.md, "Small employers").

Run::

    python benchmarks/payroll.py /tmp/payroll --workers 10000
    python benchmarks/bench_results_json.py /tmp/payroll --year 2024
    python benchmarks/bench_results_json.py --quick        # small generated data
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payroll import generate

from mycareer._cache import clear_caches
from mycareer.fla import Entitlement, compute_entitlements
from mycareer.fla.serialize import _OTHER_FIELDS, entitlement_json_text, entitlement_to_json
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import iter_dmfa


def results_by_employer(folder: Path, year: int) -> list[tuple[Entitlement, ...]]:
    """Each employer's results, from its files (``dmfa-EMPLOYER-QUARTER.xml``)."""
    files: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(folder.glob("*.xml")):
        files[path.name.split("-")[1]].append(path)
    return [compute_entitlements(iter_dmfa(paths), year=year) for paths in files.values()]


def shapes(groups: Sequence[Sequence[Entitlement]]) -> list[Entitlement]:
    """One result per shape: results whose fields but the employer's and the worker's are
    the very same objects (what the bulk path encodes once)."""
    first: dict[tuple[int, ...], Entitlement] = {}
    for group in groups:
        for e in group:
            first.setdefault(tuple(map(id, _OTHER_FIELDS(e))), e)
    return list(first.values())


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        clear_caches()
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small generated data")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder
        if args.quick or folder is None:
            folder = Path(scratch)
            quarters = tuple(Quarter.range(Quarter(2022, 4), Quarter(2024, 4)))
            generate(folder, 400, quarters, employers=40)
        groups = results_by_employer(folder, args.year)
    results = [e for group in groups for e in group]
    distinct = shapes(groups)
    plain = [json.dumps(entitlement_to_json(e), ensure_ascii=False) for e in results]
    if [entitlement_json_text(e) for e in results] != plain:
        raise SystemExit("entitlement_json_text differs from the plain encoding")
    gc.disable()
    contenders: dict[str, Callable[[], object]] = {
        "plain": lambda: [json.dumps(entitlement_to_json(e), ensure_ascii=False) for e in results],
        "json_text": lambda: [entitlement_json_text(e) for e in results],
        "explain": lambda: [e.explain() for e in distinct],
    }
    times = dict.fromkeys(contenders, float("inf"))
    for _round in range(args.repeat):  # interleaved: load hits every contender alike
        for name, run in contenders.items():
            times[name] = min(times[name], best(run, 1))
    gc.enable()
    print(f"{len(groups)} employers, {len(results):,} results, {len(distinct):,} shapes")
    print(f"{'contender':10s} {'CPU ms':>8s} {'µs/result':>10s} {'µs/shape':>9s} {'x plain':>8s}")
    for name, seconds in times.items():
        print(
            f"{name:10s} {seconds * 1e3:8.1f} {seconds / len(results) * 1e6:10.1f} "
            f"{seconds / len(distinct) * 1e6:9.1f} {seconds / times['plain']:8.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
