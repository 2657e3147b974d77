"""The command line starts its worker processes' forkserver early, and only when it may use it.

``mycareer`` run as a command with ``--jobs`` other than 1 (or the default on a machine
with several cores) starts the forkserver with the command's worker module preloaded
while it plans (docs/performance.md, "Using every core"); an embedding caller of
``main(argv)`` and a one-process run keep the process as it was.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

import pytest

import mycareer.cli as cli
from mycareer.cli import _common

from ._run import run_cli


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The preload lists the forkserver would have been started with (nothing starts)."""
    calls: list[list[str]] = []
    monkeypatch.setattr(multiprocessing, "set_forkserver_preload", calls.append)
    monkeypatch.setattr(forkserver, "ensure_running", lambda: None)
    monkeypatch.setattr(_common, "usable_cores", lambda: 2)
    return calls


@pytest.mark.parametrize(
    ("arguments", "module"),
    [
        (["entitlements", "--jobs", "2", "x"], "mycareer.pipeline"),
        (["timeline", "--jobs=3", "x"], "mycareer.timeline_jobs"),
        (["account", "x"], "mycareer.account_jobs"),  # the default: the usable cores
    ],
)
def test_a_command_that_may_run_workers_starts_them_with_its_module(
    started: list[list[str]], arguments: list[str], module: str
) -> None:
    assert cli.start_workers_early(arguments) is True
    assert started == [[module]]


@pytest.mark.parametrize(
    "arguments",
    [
        ["entitlements", "--jobs", "1", "x"],
        ["timeline", "--jobs=1", "x"],
        ["demo"],
        ["validate", "--jobs", "2", "x"],
        ["--version"],
        [],
    ],
)
def test_one_process_runs_and_other_commands_start_nothing(
    started: list[list[str]], arguments: list[str]
) -> None:
    assert cli.start_workers_early(arguments) is False
    assert started == []


def test_one_core_starts_nothing_by_default(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_common, "usable_cores", lambda: 1)
    assert cli.start_workers_early(["entitlements", "x"]) is False
    assert cli.start_workers_early(["entitlements", "--jobs", "2", "x"]) is True
    assert started == [["mycareer.pipeline"]]


@pytest.mark.parametrize("value", ["x", "-2", "99999999999", ""])
def test_a_jobs_value_that_is_not_a_number_is_left_to_the_parser(value: str) -> None:
    assert cli._jobs_asked(["entitlements", "--jobs", value]) is None


def test_an_embedding_caller_keeps_its_process(started: list[list[str]]) -> None:
    # main(argv) is the embedding entry: it never starts a forkserver of its own.
    assert cli.main(["entitlements", "--jobs", "2", "--year", "2024", "missing.xml"]) != 0
    assert started == []


def test_a_usage_error_with_jobs_still_exits_2_naming_the_value() -> None:
    result = run_cli("entitlements", "--jobs", "0", "--year", "2024", "x.xml")
    assert result.returncode == 2
    assert "0 processes" in result.stderr
