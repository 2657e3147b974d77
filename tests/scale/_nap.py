"""Test helper: a task for worker processes that says where it runs, then waits."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import NoReturn


def nap(seconds: float, folder: str) -> float:
    """Leave a file named by this process's id in ``folder``, then sleep ``seconds``."""
    (Path(folder) / str(os.getpid())).touch()
    time.sleep(seconds)
    return seconds


def blocked_signals(_call: int) -> list[int]:
    """The signals this worker process has blocked."""
    return sorted(signal.pthread_sigmask(signal.SIG_BLOCK, []))


def end_abruptly(how: int) -> NoReturn:
    """End this worker process before its task: killed by the signal ``how`` (> 0), or
    exiting at once with the code ``-how``."""
    if how > 0:
        os.kill(os.getpid(), how)
        time.sleep(60)  # the signal ends the process first
    os._exit(-how)
