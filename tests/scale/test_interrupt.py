"""A run stopped part-way (an error, Ctrl-C, SIGTERM) ends its worker processes and leaves
no temporary file, and the command says so in one line with the shells' exit code.

Before, an interrupted ``--jobs N`` run waited for every task its workers had begun (a
whole group of employers), SIGTERM left the workers computing for nobody, the spool
folder in the temporary directory and a ``.NAME.tmp`` next to ``--output``, and Ctrl-C
printed a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mycareer._processes import map_in_processes

from ._nap import nap
from ._runs import forkservers, marked_processes, worker_processes, write_slow_input

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and /proc")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")


def _gone_within(seconds: float, check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Exceptions raised in threads (the executor's own thread included)."""
    seen: list[BaseException] = []

    def keep(hook: threading.ExceptHookArgs) -> None:
        if hook.exc_value is not None:
            seen.append(hook.exc_value)

    monkeypatch.setattr(threading, "excepthook", keep)
    return seen


@pytest.mark.parametrize("stop", [KeyboardInterrupt, GeneratorExit])
def test_leaving_a_map_ends_its_running_workers_now(
    tmp_path: Path, thread_errors: list[BaseException], stop: type[BaseException]
) -> None:
    calls: Iterator[float] = map_in_processes(nap, 2, [0, 60, 60, 60], [str(tmp_path)] * 4)
    assert next(calls) == 0
    assert _gone_within(30, lambda: len(list(tmp_path.iterdir())) == 2)  # both workers began
    began = time.monotonic()
    if stop is GeneratorExit:
        calls.close()  # type: ignore[attr-defined]  # a consumer that stops early
    else:
        with pytest.raises(KeyboardInterrupt):
            calls.throw(KeyboardInterrupt)  # type: ignore[attr-defined]
    # Without ending them the map waited for its running tasks: 60 s.
    assert time.monotonic() - began < 30
    pids = [int(p.name) for p in tmp_path.iterdir()]
    assert _gone_within(10, lambda: not any(map(_alive, pids)))
    assert thread_errors == []  # Python 3.11's executor thread raised on cancelled calls


def test_workers_started_by_a_library_call_can_be_terminated() -> None:
    # The calls are submitted with SIGINT and SIGTERM held (_processes._signals_held);
    # a forkserver started inside that block would keep them blocked in every worker,
    # and ending the workers (SIGTERM) would wait for their tasks. A fresh interpreter,
    # so that this call starts the forkserver.
    root = Path(__file__).resolve().parents[2]
    code = (
        "import json\n"
        "from mycareer._processes import map_in_processes\n"
        "from tests.scale._nap import blocked_signals\n"
        "print(json.dumps(list(map_in_processes(blocked_signals, 2, [0, 1]))))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    blocked = json.loads(run.stdout)
    assert len(blocked) == 2
    assert all(signal.SIGTERM not in worker for worker in blocked), blocked


# --- the command ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_slow_input(tmp_path_factory.mktemp("slow"))


def _launch(arguments: list[str], cwd: Path, environment: dict[str, str]) -> subprocess.Popen[str]:
    """``mycareer ARGUMENTS`` in a process group of its own, as a terminal gives, with
    Ctrl-C as in a terminal (a shell's background job ignores it, and so would we)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mycareer", *arguments],
        cwd=cwd, env=environment, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip


def _stop_mid_run(folder: Path, tmp_path: Path, how: int) -> tuple[int, str, str]:
    """Run ``timeline --jobs 2 --plot -o`` on ``folder``, send ``how`` once the worker
    processes compute, and return the exit code, stderr and the run's environment mark."""
    pytest.importorskip("matplotlib")
    mark = f"mycareer-test-{uuid.uuid4().hex}"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {
        **os.environ, "MYCAREER_PROGRESS": "plain", "TMPDIR": str(temporary), "TEST_MARK": mark,
        "PYTHONFAULTHANDLER": "1",  # a run that hangs dumps its stacks (_abort_later)
    }  # fmt: skip
    process = _launch(
        ["timeline", str(folder), "--jobs", "2", "--plot", "p.png", "-o", "out.json"],
        tmp_path, environment,
    )  # fmt: skip
    assert process.stderr is not None
    lines = []
    try:
        for line in process.stderr:
            lines.append(line)
            if "computing..." in line:
                time.sleep(1.5)  # the workers are drawing
                break
        if how == signal.SIGINT:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole group
        else:
            process.send_signal(how)  # a scheduler's timeout: the command alone
        watchdog = _abort_later(process.pid)
        if how != signal.SIGKILL:  # after it, a worker left behind would hold the pipe open
            lines.extend(process.stderr)
        code = process.wait(timeout=60)
        watchdog.cancel()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.stderr.close()
    return code, "".join(lines), mark


@pytest.mark.parametrize(
    ("how", "code", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_stopped_command_leaves_nothing_behind(
    slow_input: Path, tmp_path: Path, how: int, code: int, word: str
) -> None:
    (tmp_path / "out.json").write_text("the last good run\n")
    returned, stderr, mark = _stop_mid_run(slow_input, tmp_path, how)
    assert returned == code, stderr
    assert stderr.splitlines()[-1] == f"mycareer timeline: error: {word}"
    assert "Traceback" not in stderr
    assert (tmp_path / "out.json").read_text() == "the last good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "tmp"]
    assert list((tmp_path / "tmp").iterdir()) == []  # spools and pictures removed
    assert _gone_within(10, lambda: marked_processes(mark) == [])  # no worker left


def _forkserver_started(mark: str) -> bool:
    return bool(forkservers(mark))


def _first_worker_forked(mark: str) -> bool:
    """Whether the forkserver has forked a worker (a marked process whose parent it is)."""
    return bool(worker_processes(mark))


def _stop_at(
    folder: Path, where: Path, moment: Callable[[str], bool], delay: float, how: int
) -> tuple[int, str, str]:
    """Run ``entitlements --jobs 2 -o out.json`` in ``where``, send ``how`` ``delay``
    seconds after ``moment`` is seen, and return the exit code, stderr and the run's mark."""
    mark = f"mycareer-test-{uuid.uuid4().hex}"
    # PYTHONFAULTHANDLER: a run that hangs is made to dump its threads' stacks (SIGABRT)
    environment = {**os.environ, "TEST_MARK": mark, "PYTHONFAULTHANDLER": "1"}
    process = _launch(
        ["entitlements", str(folder), "--year", "2024", "--jobs", "2", "-o", "out.json"],
        where, environment,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not moment(mark) and time.monotonic() < deadline:
            time.sleep(0.002)
        assert moment(mark), f"never seen: {moment.__name__}"
        time.sleep(delay)
        assert process.poll() is None, "the command ended before it was stopped"
        if how == signal.SIGINT:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(how)
        stderr = _stderr_or_stacks(process, how)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, stderr, mark


def _abort_later(group: int, seconds: float = 90) -> threading.Timer:
    """SIGABRT to the process group ``group`` in ``seconds`` unless cancelled: a stopped
    run that hangs ends, its stacks (PYTHONFAULTHANDLER) in its stderr, and the test
    fails on its exit code instead of waiting for ever on the pipe."""

    def abort() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGABRT)

    timer = threading.Timer(seconds, abort)
    timer.daemon = True
    timer.start()
    return timer


def _stderr_or_stacks(process: subprocess.Popen[str], how: int) -> str:
    """The stopped command's stderr; if it has not ended a minute later, fail with
    every one of its processes' stacks (a hang seen once in CI, never reproduced)."""
    try:
        return process.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):  # ended just now: its stderr, then
            os.killpg(process.pid, signal.SIGABRT)  # faulthandler: every thread's stack
        try:
            stacks = process.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            stacks = "(no stack dump within 30 s)"
        pytest.fail(f"still running 60 s after {signal.Signals(how).name}:\n{stacks}")


_STOPS = pytest.mark.parametrize(
    ("how", "code", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)


def _assert_stopped_cleanly(run: tuple[int, str, str], where: Path, code: int, word: str) -> None:
    returned, stderr, mark = run
    assert returned == code, stderr
    assert stderr.splitlines()[-1] == f"mycareer entitlements: error: {word}"
    assert "Traceback" not in stderr
    assert list(where.iterdir()) == []
    assert _gone_within(10, lambda: marked_processes(mark) == [])  # no worker left


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.2])
@_STOPS
def test_a_command_stopped_while_its_workers_start_says_one_line(
    slow_input: Path, tmp_path: Path, how: int, code: int, word: str, delay: float
) -> None:
    # Stopped once the workers' forkserver exists, at several moments of its start: it
    # is still importing (delay 0), or forking the first workers while the command plans.
    # Each guard fails here without it (tried as mutations): a forkserver started with
    # SIGINT unblocked printed its traceback on Ctrl-C at 0.1 s, and one not ended with
    # the command forked a worker at 0.1-0.2 s that printed FileNotFoundError.
    run = _stop_at(slow_input, tmp_path, _forkserver_started, delay, how)
    _assert_stopped_cleanly(run, tmp_path, code, word)


@_STOPS
def test_a_command_stopped_as_its_first_worker_forks_says_one_line(
    slow_input: Path, tmp_path: Path, how: int, code: int, word: str
) -> None:
    # Stopped the moment /proc shows the forkserver's first child: the command is then
    # submitting its calls. Before _processes._signals_held, about one such run in four
    # printed a traceback ("cannot join thread before it is started", or a worker's
    # FileNotFoundError); ten runs make a miss of that unlikely (0.75**10, about 6 %
    # for each of the two signals; mutated, the pair failed every time tried).
    for attempt in range(10):
        where = tmp_path / str(attempt)
        where.mkdir()
        run = _stop_at(slow_input, where, _first_worker_forked, 0.0, how)
        _assert_stopped_cleanly(run, where, code, word)


_SWALLOWING_RUN = """
import os, signal, sys, time
import mycareer.cli._entitlements as command
from mycareer.cli import main

real = command.entitlements_for_year

def swallowing(*args, **kwargs):
    try:  # a Ctrl-C lost inside a library, as lxml's module init loses one, or made an error
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except KeyboardInterrupt as stop:
        if os.environ["LOST_AS"] == "error":  # as Python 3.11's class creation does
            raise RuntimeError("Error calling __set_name__") from stop
    return real(*args, **kwargs)

command.entitlements_for_year = swallowing
sys.argv = ["mycareer", *sys.argv[1:]]
sys.exit(main())
"""


@pytest.mark.parametrize("lost_as", ["nothing", "error"])
def test_a_stop_swallowed_by_a_library_still_stops_the_command(
    slow_input: Path, tmp_path: Path, lost_as: str
) -> None:
    # Before, the run went on and replaced the output with exit 0 (about one run in fifty
    # stopped 0.1 s after its start, when lxml was being imported), or printed the error's
    # traceback with exit 1 (once in 200).
    (tmp_path / "out.json").write_text("the last good run\n")
    arguments = ["entitlements", str(slow_input), "--year", "2024", "--jobs", "1"]
    run = subprocess.run(
        [sys.executable, "-c", _SWALLOWING_RUN, *arguments, "-o", "out.json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "LOST_AS": lost_as},
        # Ctrl-C as in a terminal: a run started in the background inherits it ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert run.returncode == 130, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines()[-1] == "mycareer entitlements: error: interrupted"
    assert (tmp_path / "out.json").read_text() == "the last good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_killed_command_leaves_no_worker(slow_input: Path, tmp_path: Path) -> None:
    # SIGKILL (or the out-of-memory killer) runs no cleanup at all. Before, the worker
    # processes waited for calls forever and kept the forkserver alive with them; now each
    # worker ends when the process that started it is gone (_processes._end_with_parent).
    returned, _stderr, mark = _stop_mid_run(slow_input, tmp_path, signal.SIGKILL)
    assert returned == -signal.SIGKILL
    try:
        assert _gone_within(10, lambda: marked_processes(mark) == [])
    finally:  # nothing of a failed run left for the next tests
        for pid in marked_processes(mark):
            os.kill(pid, signal.SIGKILL)


#: The command (``schema``) whose work drops an object whose finaliser stops it: the
#: SIGTERM arrives where Python cannot raise, as one landing in an import lock's weakref
#: callback does now and then when the command is stopped 0.2 s in.
_STOP_IN_A_FINALISER = """
import os, signal, sys
import mycareer.cli._schema as schema
from mycareer.cli import main

class Stops:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)

def run(*_arguments):
    Stops()
    return 0

schema.run = run
sys.argv = ["mycareer", "schema"]
sys.exit(main())
"""


def test_a_stop_python_cannot_raise_still_says_one_line() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _STOP_IN_A_FINALISER],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 143, run.stderr
    assert run.stderr.splitlines() == ["mycareer schema: error: terminated"]
