"""Test helper: a task for worker processes that says where it runs, then waits."""

from __future__ import annotations

import os
import time
from pathlib import Path


def nap(seconds: float, folder: str) -> float:
    """Leave a file named by this process's id in ``folder``, then sleep ``seconds``."""
    (Path(folder) / str(os.getpid())).touch()
    time.sleep(seconds)
    return seconds
