"""Progress on stderr for the commands that read many DmfA files (issue 6 §1)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mycareer.demo import demo_paths


def run(*args: str, progress: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("MYCAREER_PROGRESS", None)
    if progress is not None:
        env["MYCAREER_PROGRESS"] = progress
    return subprocess.run(
        [sys.executable, "-m", "mycareer", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.mark.parametrize(
    "command",
    [
        ("entitlements", "--year", "2025", "--format", "csv"),
        ("timeline", "--format", "csv"),
        ("account", "--format", "csv"),
    ],
)
def test_plain_progress_counts_files_on_stderr_only(command: tuple[str, ...]) -> None:
    with demo_paths() as paths:
        folder = str(paths.dmfa)
    shown = run(command[0], folder, *command[1:], progress="plain")
    quiet = run(command[0], folder, *command[1:], progress=None)  # stderr is a pipe: quiet
    assert shown.returncode == 0, shown.stderr
    assert "reading DmfA: 13/13" in shown.stderr
    assert "reading DmfA" not in quiet.stderr
    assert shown.stdout == quiet.stdout  # progress never touches the output
