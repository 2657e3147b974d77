"""A worker process that ends mid-task (the out-of-memory killer's SIGKILL, a crash) stops
the run with one error naming the process and how it ended, never a traceback.

Before, ``concurrent.futures`` raised its ``BrokenProcessPool`` ("a process in the
process pool was terminated abruptly"), and the command printed its traceback with exit
1, the code of bad input. At national scale on a small machine this is how a run that
asked too much memory ends: the kernel kills one worker process outright.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from mycareer import WorkerProcessLostError
from mycareer._processes import map_in_processes
from mycareer.cli import EXIT_SYSTEM, main

from ._nap import end_abruptly, nap
from ._runs import marked_processes, worker_processes, write_slow_input

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and /proc")


@pytest.mark.parametrize(
    ("how", "said"),
    [
        (signal.SIGKILL, "was killed by SIGKILL (as the system's out-of-memory killer does)"),
        (signal.SIGSEGV, "was killed by SIGSEGV"),
        (-3, "ended with exit code 3"),
    ],
)
def test_a_lost_worker_is_named_with_how_it_ended(tmp_path: Path, how: int, said: str) -> None:
    calls = map_in_processes(_task, 2, [0, how, 60], [str(tmp_path)] * 3)
    with pytest.raises(WorkerProcessLostError) as raised:
        list(calls)
    message = str(raised.value)
    assert message.startswith("worker process ")
    pid = int(message.split()[2])
    assert message == (
        f"worker process {pid} {said}: the run was stopped; run it again, with fewer "
        "jobs if memory is short"
    )
    assert isinstance(raised.value.__cause__, BrokenProcessPool)
    assert isinstance(raised.value, RuntimeError)  # as BrokenProcessPool is


def _task(how: float, folder: str) -> float:
    """Module level, so that worker processes find it: nap, or end abruptly."""
    if how in (0, 60):
        return nap(how, folder)
    end_abruptly(int(how))


def test_an_out_of_memory_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``MemoryError`` (a ``ulimit -v``, as batch schedulers set), wherever it is raised:
    one line and exit 71, the same as a worker process the kernel killed."""
    import mycareer.cli._schema as schema

    def exhausted(*_arguments: object) -> int:
        raise MemoryError

    monkeypatch.setattr(schema, "run", exhausted)
    assert main(["schema"]) == EXIT_SYSTEM
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "mycareer schema: error: out of memory: the run was stopped; run it again with fewer "
        "--jobs (each worker process holds its own employers), or where there is more memory"
    ]


# --- the command ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_slow_input(tmp_path_factory.mktemp("slow"))


def test_a_worker_killed_mid_run_stops_the_command_cleanly(
    slow_input: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "out.json").write_text("the last good run\n")
    (tmp_path / "tmp").mkdir()
    mark = f"mycareer-test-{uuid.uuid4().hex}"
    environment = {
        **os.environ, "MYCAREER_PROGRESS": "plain", "TMPDIR": str(tmp_path / "tmp"),
        "TEST_MARK": mark,
    }  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "mycareer", "timeline", str(slow_input), "--jobs", "2",
         "--plot", "p.png", "-o", "out.json"],
        cwd=tmp_path, env=environment, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "computing..." in line:
                break
        deadline = time.monotonic() + 30
        while not (workers := worker_processes(mark)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers, "the run's worker processes"
        time.sleep(0.5)  # drawing
        os.kill(workers[0], signal.SIGKILL)  # as the out-of-memory killer does
        lines.extend(process.stderr)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    stderr = "".join(lines)
    assert code == EXIT_SYSTEM, stderr
    assert "Traceback" not in stderr
    *_, said, summary = stderr.splitlines()
    assert summary.endswith(": exit 71")  # MYCAREER_PROGRESS=plain: the phases, then this
    assert said == (
        f"mycareer timeline: error: worker process {workers[0]} was killed by SIGKILL (as the "
        "system's out-of-memory killer does): the run was stopped; run it again, with fewer "
        "jobs if memory is short"
    )
    assert (tmp_path / "out.json").read_text() == "the last good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "tmp"]
    assert list((tmp_path / "tmp").iterdir()) == []
    deadline = time.monotonic() + 10
    while marked_processes(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marked_processes(mark) == []  # no worker left


def test_a_lost_worker_is_named_where_there_is_no_sigkill(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no ``signal.SIGKILL`` (and its exit codes are never negative): naming a
    worker that ended with exit code 1 raised AttributeError in place of the error."""
    from types import SimpleNamespace

    from mycareer import _processes

    monkeypatch.delattr(signal, "SIGKILL")
    pool = SimpleNamespace(_processes={4242: SimpleNamespace(exitcode=1)})
    said = _processes._how_workers_ended(pool)  # type: ignore[arg-type]
    assert said.startswith("worker process 4242 ended with exit code 1: the run was stopped")


def test_a_pool_whose_own_thread_died_does_not_wait_for_ever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Short of memory (``ulimit -v``), the executor's own thread could not start one of
    its own and died with its traceback, every result left pending: the run waited for
    ever at 0 % CPU. Its death is noticed within ``CHECK_EVERY``."""
    import threading
    from concurrent.futures import process

    from mycareer import _processes

    def refused(_self: object) -> None:
        raise RuntimeError("can't start new thread")

    died: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: died.append(hook.exc_value))
    monkeypatch.setattr(process._ExecutorManagerThread, "run", refused)
    monkeypatch.setattr(_processes, "CHECK_EVERY", 0.05)
    began = time.monotonic()
    with pytest.raises(WorkerProcessLostError, match="the worker pool's own thread ended"):
        list(map_in_processes(nap, 2, [0, 0], [str(tmp_path)] * 2))
    assert time.monotonic() - began < 30
    assert [str(error) for error in died] == ["can't start new thread"]


def test_workers_that_cannot_be_started_stop_the_command_in_one_line(tmp_path: Path) -> None:
    """The process that forks the workers ends at once (here a ``sitecustomize`` ends it,
    as an interpreter that cannot run there would): the pool's submit raised the
    forkserver's ``EOFError`` and the command printed its traceback with exit 1."""
    from mycareer.quarter import Quarter

    from ._bench import bench_module

    folder = tmp_path / "payroll"
    folder.mkdir()
    quarters = (Quarter(2024, 1), Quarter(2024, 2))
    bench_module("payroll").generate(folder, 40, quarters, employers=4)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os, sys\n"
        "if 'forkserver import main' in ' '.join(getattr(sys, 'orig_argv', [])):\n"
        "    os._exit(3)\n",
        encoding="utf-8",
    )
    path = os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))
    out = tmp_path / "out.json"
    result = _entitlements_with(path, folder, "2", out)
    assert result.returncode == EXIT_SYSTEM, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        "mycareer entitlements: error: the worker processes could not be started (the process "
        "that forks them ended): the run was stopped; run it with one job, or check that this "
        "Python can start processes"
    ]
    assert not out.exists()
    one_job = _entitlements_with(path, folder, "1", out)
    assert one_job.returncode == 0, one_job.stderr[-2000:]  # what the message advises
    assert out.stat().st_size > 1000


def _entitlements_with(
    path: str, folder: Path, jobs: str, out: Path
) -> subprocess.CompletedProcess[str]:
    """``mycareer entitlements`` on ``folder`` with ``PYTHONPATH`` set to ``path``."""
    return subprocess.run(
        [sys.executable, "-m", "mycareer", "entitlements", str(folder), "--year", "2024",
         "--jobs", jobs, "--format", "json", "-o", str(out)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path}, check=False,
        timeout=120,
    )  # fmt: skip
