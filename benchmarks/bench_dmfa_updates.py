"""DmfA corrections: reading originals plus updates against reading the originals alone.

A folder of DmfA originals (``--files`` quarters of one employer, ``--workers``
workers each, one line per worker) is written with
:func:`mycareer.xmlio.dmfa_writer.write_dmfa`; then one ``DmfAUpdate`` per
quarter modifies ``--share`` (default 10 %) of its worker lines (a new work
fraction), written with :func:`mycareer.xmlio.dmfa_update_writer.write_dmfa_update`.

Contenders, on the same folder:

* ``originals alone``: :func:`mycareer.xmlio.read_corrected_dmfa` on the originals
  only (the reference: reading, kind sniffing, the effective lines);
* ``read_dmfa``: :func:`mycareer.xmlio.read_dmfa` on the originals (the reader of
  originals, without the correction machinery), for context;
* ``originals + updates``: :func:`mycareer.xmlio.read_corrected_dmfa` on the whole
  folder: updates read, applied, provenance kept.

The target (issue 13) is ``originals + updates`` <= 1.3 x ``originals alone``.
The results are cross-checked: same number of lines, and exactly the corrected
lines carry the update's work fraction. Times are the best of ``--repeat``
interleaved rounds, in CPU seconds of this process (steadier than wall-clock on a
shared machine; both are printed, and the ratio is given for both).

Run: ``.venv/bin/python benchmarks/bench_dmfa_updates.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord, ServiceLine
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.xmlio import read_corrected_dmfa, read_dmfa
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update
from mycareer.xmlio.dmfa_writer import write_dmfa

EMPLOYER = Employer(EnterpriseNumber("0403019261"))
CREATED = datetime(2025, 1, 20, 9, 0)
CORRECTED_Q = 1900  # the updates' new Q (a half-time line)


def _niss(index: int) -> Niss:
    birth = date(1950, 1, 1) + timedelta(days=index % 18000)
    base = f"{birth:%y%m%d}{index % 997 + 1:03d}"
    return Niss(f"{base}{97 - int(base) % 97:02d}")


def _line(quarter: Quarter, index: int, q: int) -> DmfaWorkerRecord:
    occupation = DmfaOccupation(
        1, quarter.period.start, None, quarter.period, JointCommission("200"), 500,
        ContractType.FULL_TIME if q == 3800 else ContractType.PART_TIME, q, 3800,
        services=[ServiceLine(1, 6400)],
    )  # fmt: skip
    return DmfaWorkerRecord(
        EMPLOYER, quarter, _niss(index), 495, "000", quarter.period, [occupation]
    )


def generate(folder: Path, quarters: int, workers: int, share: float) -> int:
    """Originals and updates; returns the number of corrected lines."""
    corrected = 0
    step = max(1, round(1 / share)) if share > 0 else 0
    for number in range(quarters):
        quarter = Quarter(2023 + number // 4, number % 4 + 1)
        records = (_line(quarter, i, 3800) for i in range(workers))
        write_dmfa(folder / f"original-{quarter}.xml", EMPLOYER, quarter, records,
                   created_at=CREATED)  # fmt: skip
        if not step:
            continue
        form = DmfaUpdateForm(EMPLOYER, quarter, CREATED + timedelta(days=40), "1000001")
        updates = [
            DmfaLineUpdate(
                form, UpdateAction.MODIFIED, _line(quarter, i, CORRECTED_Q), "000", 495, "1"
            )
            for i in range(0, workers, step)
        ]
        corrected += len(updates)
        write_dmfa_update(folder / f"update-{quarter}.xml", form, updates)
    return corrected


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of one run, and its result.

    On a shared, loaded machine the CPU time of this single-threaded read is the
    steadier figure: the ratio is computed on it (the wall-clock is printed too).
    """
    gc.collect()  # every contender starts from the same heap
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def summary(result: object) -> tuple[int, int]:
    """(lines, lines with the corrected Q) of a batch; the batch itself is then dropped."""
    records = result.records  # type: ignore[attr-defined]
    return len(records), sum(r.occupations[0].mean_working_hours == CORRECTED_Q for r in records)


_RSS_SCRIPT = """
import resource, sys
from mycareer.xmlio import iter_dmfa, iter_dmfa_updates
read = iter_dmfa_updates if sys.argv[1] == "update" else iter_dmfa
count = sum(1 for _ in read(sys.argv[2]))
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_rss(folder: Path, lines: int) -> None:
    """Peak RSS of streaming one big original and one big update, each in a fresh process."""
    quarter = Quarter(2025, 1)
    original, update = folder / "big-original.xml", folder / "big-update.xml"
    write_dmfa(original, EMPLOYER, quarter, (_line(quarter, i, 3800) for i in range(lines)),
               created_at=CREATED)  # fmt: skip
    form = DmfaUpdateForm(EMPLOYER, quarter, CREATED + timedelta(days=40), "1000001")
    write_dmfa_update(
        update,
        form,
        (
            DmfaLineUpdate(
                form, UpdateAction.MODIFIED, _line(quarter, i, CORRECTED_Q), "000", 495, "1"
            )
            for i in range(lines)
        ),
    )
    for kind, path in (("original", original), ("update", update)):
        done = subprocess.run(
            [sys.executable, "-c", _RSS_SCRIPT, kind, str(path)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        count, rss = done.stdout.split()
        size = path.stat().st_size / 1e6
        print(f"peak RSS streaming one {kind} of {int(count):,} lines ({size:.0f} MB): "
              f"{float(rss):.0f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8, help="quarters (one original each)")
    parser.add_argument("--workers", type=int, default=5_000, help="worker lines per original")
    parser.add_argument("--share", type=float, default=0.10, help="share of lines corrected")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2 quarters of 500 lines, one run")
    parser.add_argument(
        "--rss", type=int, metavar="LINES", help="also the peak RSS of streaming LINES lines"
    )
    args = parser.parse_args()
    if args.quick:
        args.files, args.workers, args.repeat = 2, 500, 1
    folder = Path(tempfile.mkdtemp(prefix="mycareer-bench-updates-"))
    try:
        corrected = generate(folder, args.files, args.workers, args.share)
        originals = sorted(folder.glob("original-*.xml"))
        lines = args.files * args.workers
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"{args.files} originals x {args.workers} lines = {lines:,} lines; "
              f"{corrected:,} corrected ({args.share:.0%}); {size:.1f} MB")  # fmt: skip
        print(f"load average before: {os.getloadavg()}")
        contenders: dict[str, Callable[[], object]] = {
            "originals alone": lambda: read_corrected_dmfa(originals),
            "read_dmfa": lambda: read_dmfa(originals),
            "originals + updates": lambda: read_corrected_dmfa([folder]),
        }
        walls: dict[str, float] = dict.fromkeys(contenders, float("inf"))
        cpus: dict[str, float] = dict.fromkeys(contenders, float("inf"))
        summaries: dict[str, tuple[int, int]] = {}
        for _ in range(args.repeat):  # interleaved rounds: load changes hit every contender
            for name, run in contenders.items():
                wall, cpu, result = timed(run)
                summaries[name] = summary(result)
                del result
                walls[name], cpus[name] = min(walls[name], wall), min(cpus[name], cpu)
        assert summaries["originals + updates"] == (lines, corrected), summaries
        assert summaries["originals alone"] == (lines, 0), summaries
        for name in contenders:
            print(f"{name:22} cpu {cpus[name]:7.3f} s  wall {walls[name]:7.3f} s  "
                  f"{lines / cpus[name]:9,.0f} lines/cpu-s")  # fmt: skip
        ratio = cpus["originals + updates"] / cpus["originals alone"]
        wall_ratio = walls["originals + updates"] / walls["originals alone"]
        print(f"ratio originals + updates / originals alone: {ratio:.2f} cpu, "
              f"{wall_ratio:.2f} wall (target <= 1.30)")  # fmt: skip
        print(f"load average after: {os.getloadavg()}")
        if args.rss:
            peak_rss(folder, args.rss)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
