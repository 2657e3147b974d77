"""Run the ``mycareer`` CLI as a user would: a subprocess, stdout and stderr apart."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    file_size_limit: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """``file_size_limit``: the largest file, in bytes, the command may write (POSIX
    RLIMIT_FSIZE; a longer write is refused with EFBIG, as a full disk refuses one)."""
    environment = dict(os.environ)
    environment.pop("MYCAREER_PROGRESS", None)
    if env is not None:
        environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "mycareer", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
        preexec_fn=None if file_size_limit is None else _limit_file_size(file_size_limit),
    )


def _limit_file_size(size: int) -> Callable[[], None]:
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout
