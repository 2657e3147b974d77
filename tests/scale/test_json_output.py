"""JSON output: compact by default (one item a line), ``--indent N`` for people, same data."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from tests.cli._run import assert_no_traceback, run_cli

DEMO = Path(str(resources.files("mycareer.data.demo")))
COMMANDS = {
    "timeline": ("timeline", "--format", "json", str(DEMO / "dmfa")),
    "entitlements": ("entitlements", "--year", "2024", "--format", "json", str(DEMO / "dmfa")),
    "validate": ("validate", "--format", "json", str(DEMO / "dmfa")),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_default_json_is_compact_and_indent_is_the_same_data(command: str) -> None:
    compact = run_cli(*COMMANDS[command])
    indented = run_cli(*COMMANDS[command], "--indent", "2")
    assert_no_traceback(compact)
    assert compact.returncode == indented.returncode == 0, compact.stderr
    lines = compact.stdout.splitlines()
    assert not any(line.startswith(" ") for line in lines)  # no indentation at all
    data = json.loads(compact.stdout)
    assert json.loads(indented.stdout) == data
    assert indented.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_compact_timeline_puts_one_worker_on_each_line() -> None:
    result = run_cli(*COMMANDS["timeline"])
    workers = json.loads(result.stdout)["workers"]
    assert len(workers) > 1
    lines = [line.removesuffix(",") for line in result.stdout.splitlines()[1:]]
    for worker in workers:
        assert json.dumps(worker, ensure_ascii=False) in lines


@pytest.mark.parametrize("value", ["x", "-1", "99"])
def test_a_bad_indent_is_a_usage_error_naming_the_value(value: str) -> None:
    result = run_cli(*COMMANDS["timeline"], "--indent", value)
    assert result.returncode == 2
    assert "--indent" in result.stderr
    assert value in result.stderr
    assert_no_traceback(result)
