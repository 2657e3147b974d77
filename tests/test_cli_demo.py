"""The CLI as a user runs it: a subprocess."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mycareer", *args], capture_output=True, text=True, check=False
    )


def test_demo_runs_end_to_end_and_prints_a_summary() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "fictitious" in result.stdout
    assert "90.01.01-001.23" in result.stdout  # a worker of the sample, shown formatted
    assert "mycareer.be" in result.stdout  # the independence disclaimer


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("mycareer ")
    result = run("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout


def test_usage_errors_exit_2_without_traceback() -> None:
    for args in ((), ("no-such-command",)):
        result = run(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
