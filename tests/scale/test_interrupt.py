"""A map left part-way (an error, Ctrl-C, a consumer that stops) ends its worker processes.

Before, an interrupted ``--jobs N`` run waited for every task its workers had begun (a
whole group of employers).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mycareer._processes import map_in_processes

from ._nap import nap

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
