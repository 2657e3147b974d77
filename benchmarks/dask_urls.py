"""Dask entitlements on ``file://`` URLs: wall time, how the run went, and peak memory.

The Dask runs of URLs plan on the cluster and copy each group's files on its worker
(:mod:`mycareer.dask`); this measures that route as a cluster of remote storage runs it,
on local files. One ``LocalCluster`` (2 worker processes, 1 thread each) for the whole
run; each round runs :func:`mycareer.dask.entitlements_json` on the folder's URL and
prints its wall time, whether it was read again as one group (``regrouped``), the
results and errors; then the best round, the workers' and this process's peak RSS.

Compare two trees of the source by running it with each one's ``src`` in turn::

    python benchmarks/payroll.py /tmp/payroll --workers 10000
    PYTHONPATH=/tmp/tree_old/src python benchmarks/dask_urls.py /tmp/payroll --repeat 3
    PYTHONPATH=src python benchmarks/dask_urls.py /tmp/payroll --repeat 3
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings
from pathlib import Path


def peak_rss_mb() -> int:
    """This process's peak resident set, in MB (Linux gives KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    from mycareer.dask import entitlements_json

    warnings.simplefilter("ignore")
    url = f"file://{args.folder.resolve()}"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        walls = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run = entitlements_json([url], client, year=args.year)
            walls.append(time.perf_counter() - start)
            print(
                f"{walls[-1]:.2f} s regrouped={run.regrouped} results={len(run.json)} "
                f"errors={len(run.errors)}",
                flush=True,
            )
        workers = sorted(client.run(peak_rss_mb).values())
    here = peak_rss_mb()
    print(f"best {min(walls):.2f} s; workers' peak RSS {workers} MB; this process {here} MB")


if __name__ == "__main__":
    main()
