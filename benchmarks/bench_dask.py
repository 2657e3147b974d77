"""Dask timelines against local ``jobs=2``, side by side in one process, on the same files.

One ``LocalCluster`` (2 worker processes, 1 thread each, as ``dask worker --nthreads 1``)
lives for the whole run, as a cluster does; rounds alternate the contenders so that the
load of other jobs on a shared machine hits them alike. Wall time (the only clock that
sees several processes), best of ``--repeat``, with the load average; the first Dask
round also pays for the workers importing mycareer, so it is printed apart. Results
are compared with the local run's (``identical`` or ``DIFFERENT``).

Contenders: ``local`` (:func:`mycareer.timeline_jobs.timelines_from_files`, ``jobs=2``),
``dask`` (:func:`mycareer.dask.timelines`) and ``dask-paused`` (the same with
``pause_collector=True``: each task runs with the workers' cyclic collector paused, as
the local worker processes run).

CPU, which load moves less than wall time: each Dask round also prints the CPU seconds
its two workers spent (``getrusage`` in each worker, before and after) and those of this
process (the client and, in a ``LocalCluster``, the scheduler); ``--cpu`` adds
``local-1``, the same run with ``jobs=1`` in this process under :func:`mycareer.bulk`
(the work of the local run without its processes), in CPU seconds.

Run::

    python benchmarks/payroll.py /tmp/payroll --workers 10000
    nice python benchmarks/bench_dask.py /tmp/payroll --repeat 3
"""

from __future__ import annotations

import argparse
import inspect
import os
import resource
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def in_process(files: list[Path], json: bool) -> Callable[[], Any]:
    import mycareer
    from mycareer.timeline_jobs import TimelineSpec, timelines_from_files

    spec = TimelineSpec(render="json" if json else "objects")

    def run() -> Any:
        with mycareer.bulk():
            return timelines_from_files(files, jobs=1, spec=spec)

    return run


def contenders(files: list[Path], client: Any, json: bool) -> dict[str, Callable[[], Any]]:
    from mycareer.dask import timelines
    from mycareer.timeline_jobs import TimelineSpec, timelines_from_files

    spec = TimelineSpec(render="json" if json else "objects")
    runs: dict[str, Callable[[], Any]] = {
        "local": lambda: timelines_from_files(files, jobs=2, spec=spec),
        "dask": lambda: timelines(files, client, spec=spec),
    }
    if "pause_collector" in inspect.signature(timelines).parameters:  # older code: not there
        runs["dask-paused"] = lambda: timelines(files, client, spec=spec, pause_collector=True)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--objects", action="store_true", help="render objects, not JSON")
    parser.add_argument("--only", nargs="*", help="these contenders only")
    parser.add_argument("--cpu", action="store_true", help="also jobs=1 here, in CPU seconds")
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    files = sorted(args.folder.rglob("*.xml"))
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB; {load()}")
    warnings.simplefilter("ignore")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        runs = contenders(files, client, not args.objects)
        if args.only:
            runs = {name: run for name, run in runs.items() if name in args.only or name == "local"}
        if args.cpu:
            runs["local-1"] = in_process(files, not args.objects)
        best: dict[str, float] = {}
        best_cpu: dict[str, float] = {}
        reference = None
        for round_number in range(args.repeat):
            for name, run in runs.items():
                before, own = client.run(cpu_seconds), cpu_seconds()
                began = time.perf_counter()
                result = run()
                seconds = time.perf_counter() - began
                own = cpu_seconds() - own
                spent = client.run(cpu_seconds)
                workers = sum(spent[w] - before[w] for w in spent)
                if name == "local":
                    reference = result
                same = "identical" if result == reference else "DIFFERENT"
                cold = " (cold workers)" if round_number == 0 and name.startswith("dask") else ""
                cpu = (
                    f", CPU: workers {workers:.2f} s, here {own:.2f} s"
                    if name.startswith("dask")
                    else f", CPU {own:.2f} s"
                    if name == "local-1"
                    else ""
                )
                print(
                    f"round {round_number + 1} {name:<12}{seconds:7.2f} s {same}{cold}{cpu}; "
                    f"{load()}"
                )
                del result
                if not cold:
                    best[name] = min(seconds, best.get(name, seconds))
                    work = workers if name.startswith("dask") else own
                    best_cpu[name] = min(work, best_cpu.get(name, work))
        for name, seconds in best.items():
            ratio = seconds / best["local"]
            line = f"best {name:<12}{seconds:7.2f} s  {ratio:.2f}x local jobs=2 (wall)"
            if name != "local":
                line += f"; CPU {best_cpu[name]:.2f} s"
            print(line)
    print(f"done; {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
