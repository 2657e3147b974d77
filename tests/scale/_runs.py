"""Test helpers for commands run as subprocesses with worker processes: the input that
keeps them busy, and the run's processes, found by a mark in their environment."""

from __future__ import annotations

from pathlib import Path

from mycareer.quarter import Quarter

from ._bench import bench_module


def write_slow_input(folder: Path) -> Path:
    """Two employers' DmfA in ``folder`` (over the 8 MB the timeline shuffles from, a few
    seconds of pictures to draw in the worker processes)."""
    quarters = tuple(Quarter.range(Quarter(2022, 4), Quarter(2024, 4)))
    bench_module("payroll").generate(folder, 800, quarters, employers=2)
    return folder


def marked_processes(mark: str) -> list[int]:
    """The processes whose environment holds ``mark`` (a run's, and those it started)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if mark.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def forkservers(mark: str) -> list[int]:
    """The run's multiprocessing forkserver (the process that forks its workers)."""
    found = []
    for pid in marked_processes(mark):
        try:
            if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def parent_of(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:")), None
    )


def worker_processes(mark: str) -> list[int]:
    """The run's worker processes: those its forkserver forked."""
    servers = set(forkservers(mark))
    return [pid for pid in marked_processes(mark) if parent_of(pid) in servers]
