"""The scale targets, side by side: mycareer against the raw lxml floor on payroll-shaped DmfA.

Contenders, on the same folder of DmfA originals (written by ``benchmarks/payroll.py``):

* ``floor``: plain ``lxml.etree.iterparse(tag="WorkerRecord")`` building one plain dict
  per worker line (``{tag: text}`` of the ``Occupation``'s children plus the INSS; no
  sub-line dicts, no hardened-parser options, no typing or checks), elements cleared;
* ``floor_whole``: the same dicts from each document parsed whole, for comparison (the
  ratios stay against ``floor``, the issue's floor; docs/performance.md says why mycareer
  still iterparses);
* ``iter_dmfa``: :func:`mycareer.xmlio.dmfa.iter_dmfa` over every file (typed, checked);
* ``entitlements``: ``mycareer entitlements --year Y --format json --jobs 1``;
* ``timeline``: ``mycareer timeline --format json --jobs 1``.

In-process contenders run in one interpreter, interleaved round by round (so load
from other jobs on a shared machine hits them alike), best of ``--repeat``, with
the cyclic GC off for every contender as the CLI runs, and the library's bounded caches
emptied before each (a command's process starts cold; until 7 December 2026 a round
found them warmed by the rounds before it). Times are CPU seconds of
this process (``process_time``): on a shared machine wall time mostly measures the
neighbours. ``--rss`` adds each contender's peak RSS measured in a fresh process;
``--jobs`` adds wall-clock runs of ``entitlements``, ``timeline`` and ``account`` with ``--jobs 1``
and ``--jobs N`` as subprocesses (the parallel speed-up, and the peak RSS of the
largest process of each run, sampled from ``/proc``); ``--dask`` a 2-worker
``LocalCluster`` run, its tasks run with the workers' collector paused
(``pause_collector=True``) as the local worker processes run theirs.
Every figure is printed with the machine's load average (``os.getloadavg``).

``--quick --check`` is the regression check CI runs after the tests (the README's test
command): small data, best CPU time of a few rounds, exit 1 when a ratio exceeds its
(generous) bound. The test suite runs ``--quick`` without ``--check``: a timed assertion
inside the suite would fail with the machine's load, not with the code.

Run::

    python benchmarks/payroll.py /tmp/payroll --workers 10000
    python benchmarks/targets.py /tmp/payroll --year 2024 --rss --jobs 2
    python benchmarks/targets.py --quick --check
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payroll import generate

from mycareer._cache import clear_caches
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import iter_dmfa

#: Generous bounds of the quick check (CPU time against the floor, small data, best of
#: a few rounds). The targets on full-size data are lower (docs/performance.md). On a
#: loaded 2-core machine these ratios move by up to 20 % from run to run, so the bounds
#: sit about 25 % above the current figures: they catch a lost fast path or an extra
#: pass over the data, not a few per cent.
QUICK_BOUNDS = {"iter_dmfa": 3.4, "entitlements": 5.0, "timeline": 5.0}


def files_of(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xml"))


def floor(files: list[Path]) -> int:
    """The raw lxml floor: one plain dict per worker line. Returns the number of lines."""
    lines = 0
    for path in files:
        for _event, record in etree.iterparse(str(path), events=("end",), tag="WorkerRecord"):
            person = record.getparent()
            inss = person.findtext("INSS")
            for occupation in record.iterchildren("Occupation"):
                row = {child.tag: child.text for child in occupation}
                row["INSS"] = inss
                lines += 1
            record.clear()
            while person.getprevious() is not None:
                del person.getparent()[0]
    return lines


def floor_whole(files: list[Path]) -> int:
    """The same plain dicts from documents parsed whole (not the targets' floor).

    Printed beside the iterparse floor: whole parsing is cheaper for the floor, which
    touches few elements, but not for a reader that touches every element of a line
    (docs/performance.md, "DmfA reading").
    """
    lines = 0
    for path in files:
        for record in etree.parse(str(path)).getroot().iter("WorkerRecord"):
            inss = record.getparent().findtext("INSS")
            for occupation in record.iterchildren("Occupation"):
                row = {child.tag: child.text for child in occupation}
                row["INSS"] = inss
                lines += 1
    return lines


def read_all(files: list[Path]) -> int:
    lines = 0
    for path in files:
        for record in iter_dmfa(path):
            lines += len(record.occupations)
    return lines


def cli(*arguments: str) -> Callable[[list[Path]], int]:
    """The CLI in this process, output to /dev/null; returns 0 (its exit code is checked)."""
    from mycareer.cli import main

    def run(_files: list[Path]) -> int:
        with (
            open(os.devnull, "w") as sink,
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
        ):
            code = main(list(arguments))
        if code != 0:
            raise SystemExit(f"mycareer {' '.join(arguments)} exited {code}")
        return 0

    return run


def contenders(folder: Path, year: int) -> dict[str, Callable[[list[Path]], int]]:
    def jobs(command: str) -> tuple[str, ...]:
        return ("--jobs", "1") if _has_jobs(command) else ()

    return {
        "floor": floor,
        "floor_whole": floor_whole,
        "iter_dmfa": read_all,
        "entitlements": cli("entitlements", "--year", str(year), "--format", "json",
                            *jobs("entitlements"), str(folder)),
        "timeline": cli("timeline", "--format", "json", *jobs("timeline"), str(folder)),
    }  # fmt: skip


def _has_jobs(command: str) -> bool:
    """Whether ``mycareer COMMAND`` takes ``--jobs`` (older versions ran on one core only)."""
    from mycareer.cli import build_parser

    parser = build_parser(only=command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return any("--jobs" in action.option_strings for action in sub.choices[command]._actions)


def best_cpu(
    runs: dict[str, Callable[[list[Path]], int]], files: list[Path], repeat: int
) -> dict[str, float]:
    best: dict[str, float] = {}
    for _round in range(repeat):
        for name, run in runs.items():
            clear_caches()  # cold, as a command's own process starts: no round warms the next
            gc.collect()
            gc.disable()
            try:
                began = time.process_time()
                run(files)
                spent = time.process_time() - began
            finally:
                gc.enable()
            best[name] = min(spent, best.get(name, spent))
    return best


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def peak_rss_mb(name: str, folder: Path, year: int) -> float:
    output = subprocess.run(
        [sys.executable, __file__, str(folder), "--year", str(year), "--measure", name],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return float(output.strip().splitlines()[-1])


def own_peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _descendants(root: int) -> set[int]:
    """``root`` and every process below it (Linux ``/proc``; empty elsewhere)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
    found = {root}
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        grew = bool(more)
        found |= more
    return found


def _peak_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def wall_cli(arguments: list[str]) -> tuple[float, bytes, float]:
    """One CLI run as a subprocess: wall seconds, its output, peak RSS of its largest process.

    The peak is each process's ``VmHWM`` sampled every 50 ms while the run lasts
    (a process that lives less than that may be missed).
    """
    began = time.perf_counter()
    with tempfile.TemporaryFile() as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "mycareer", *arguments], stdout=sink, stderr=subprocess.DEVNULL
        )
        peak = 0
        while child.poll() is None:
            for pid in _descendants(child.pid):
                peak = max(peak, _peak_kb(pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - began
        if child.returncode not in (0, 1):
            raise subprocess.CalledProcessError(child.returncode, arguments)
        sink.seek(0)
        return seconds, sink.read(), peak / 1024


def parallel(folder: Path, year: int, jobs: int, repeat: int) -> None:
    commands = {
        "entitlements": ["entitlements", "--year", str(year), "--format", "json", str(folder)],
        "timeline": ["timeline", "--format", "json", str(folder)],
        "account": ["account", "--format", "json", str(folder)],
    }
    for name, base in commands.items():
        times: dict[int, float] = {}
        peaks: dict[int, float] = {}
        outputs: dict[int, bytes] = {}
        for _round in range(repeat):
            for n in (1, jobs):
                seconds, out, rss = wall_cli([*base, "--jobs", str(n)])
                times[n] = min(seconds, times.get(n, seconds))
                peaks[n] = max(rss, peaks.get(n, rss))
                outputs[n] = out
        same = "byte-identical" if outputs[1] == outputs[jobs] else "DIFFERENT"
        print(
            f"{name} wall: --jobs 1 {times[1]:.2f} s (peak {peaks[1]:.0f} MB), --jobs {jobs} "
            f"{times[jobs]:.2f} s (largest process {peaks[jobs]:.0f} MB), speed-up "
            f"{times[1] / times[jobs]:.2f}x, outputs {same}; {load()}"
        )


def same_footing(function: Callable[..., object]) -> dict[str, bool]:
    """``pause_collector=True`` where the mycareer.dask function takes it (older code: not)."""
    import inspect

    return (
        {"pause_collector": True}
        if "pause_collector" in inspect.signature(function).parameters
        else {}
    )


def dask_run(folder: Path, year: int) -> None:
    from distributed import Client, LocalCluster

    from mycareer.dask import entitlements_json
    from mycareer.pipeline import entitlements_json as local_json

    files = files_of(folder)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        began = time.perf_counter()
        text = entitlements_json(files, client, year=year, **same_footing(entitlements_json))
        seconds = time.perf_counter() - began
    began = time.perf_counter()
    local = local_json(files, year=year, jobs=2)
    local_seconds = time.perf_counter() - began
    same = "identical" if text == local else "DIFFERENT"
    print(
        f"dask LocalCluster(2 workers) {seconds:.2f} s against jobs=2 {local_seconds:.2f} s: "
        f"{seconds / local_seconds:.2f}x (target <= 1.3x), results {same}; {load()}"
    )
    dask_timelines(files)


def dask_timelines(files: list[Path]) -> None:
    from distributed import Client, LocalCluster

    from mycareer.dask import timelines
    from mycareer.timeline_jobs import TimelineSpec, timelines_from_files

    spec = TimelineSpec(render="json")
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        began = time.perf_counter()
        remote = timelines(files, client, spec=spec, **same_footing(timelines))
        seconds = time.perf_counter() - began
    began = time.perf_counter()
    local = timelines_from_files(files, jobs=2, spec=spec)
    local_seconds = time.perf_counter() - began
    same = "identical" if remote == local else "DIFFERENT"
    print(
        f"dask timelines {seconds:.2f} s against jobs=2 {local_seconds:.2f} s: "
        f"{seconds / local_seconds:.2f}x, results {same}; {load()}"
    )


def measure(args: argparse.Namespace) -> int:
    files = files_of(args.folder)
    run = contenders(args.folder, args.year)[args.measure]
    gc.disable()
    run(files)
    print(own_peak_rss_mb())
    return 0


def report(args: argparse.Namespace) -> int:
    files = files_of(args.folder)
    size = sum(p.stat().st_size for p in files)
    runs = contenders(args.folder, args.year)
    lines = floor(files)
    print(f"{len(files)} files, {size / 1e6:.1f} MB, {lines:,} worker lines; {load()}")
    best = best_cpu(runs, files, args.repeat)
    print(f"after the timed rounds: {load()}")
    failed = False
    print(f"{'contender':<14}{'CPU s':>9}{'x floor':>9}{'lines/s':>12}", end="")
    print(f"{'peak RSS':>11}" if args.rss else "")
    for name, seconds in best.items():
        ratio = seconds / best["floor"]
        print(f"{name:<14}{seconds:>9.2f}{ratio:>8.2f}x{lines / seconds:>12,.0f}", end="")
        print(f"{peak_rss_mb(name, args.folder, args.year):>8.0f} MB" if args.rss else "")
        if args.check and name in QUICK_BOUNDS and ratio > QUICK_BOUNDS[name]:
            print(f"  {name}: {ratio:.2f}x the floor is over its bound {QUICK_BOUNDS[name]}x")
            failed = True
    if args.jobs:
        parallel(args.folder, args.year, args.jobs, args.repeat)
    if args.dask:
        dask_run(args.folder, args.year)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rss", action="store_true", help="peak RSS of each contender")
    parser.add_argument("--jobs", type=int, default=0, help="also --jobs 1 against --jobs N")
    parser.add_argument("--dask", action="store_true", help="also a 2-worker LocalCluster")
    parser.add_argument("--quick", action="store_true", help="generate small data, best of 5")
    parser.add_argument("--check", action="store_true", help="exit 1 over the quick bounds")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        return measure(args)
    if not args.quick:
        if args.folder is None:
            parser.error("give a folder of DmfA files (benchmarks/payroll.py writes one)")
        return report(args)
    with tempfile.TemporaryDirectory(prefix="mycareer-quick-") as folder:
        args.folder = Path(folder)
        quarters = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
        generate(args.folder, 300, quarters, employers=3)
        args.repeat = max(args.repeat, 3)
        return report(args)


if __name__ == "__main__":
    raise SystemExit(main())
