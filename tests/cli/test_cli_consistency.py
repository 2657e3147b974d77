"""Every command speaks the same way (issue 12 item 14): one wording per error, exit codes
and defaults in ``--help``, ``--format`` choices in one order, ``--lang`` with explanations."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from mycareer.cli import COMMANDS, build_parser
from mycareer.cli._common import FORMAT_ORDER, LANGUAGES, MISSING
from mycareer.demo import demo_files

from ._run import assert_no_traceback, run_cli

#: Each command that reads inputs, with the options it needs to run.
READERS: dict[str, tuple[str, ...]] = {
    "validate": (),
    "convert": (),
    "timeline": (),
    "entitlements": ("--year", "2025"),
    "account": ("--as-of", "2025-12-31"),
}


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {name: action.choices[name] for name in COMMANDS}
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_missing_path_reads_the_same_in_every_command(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "absent.xml"
    good = Path(str(demo_files() / "career.json"))
    result = run_cli(command, missing, good, *READERS[command], cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 1
    expected = f"mycareer {command}: error: {missing}: {MISSING}"
    assert [line for line in result.stderr.splitlines() if str(missing) in line] == [expected]


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_missing_path_alone_reads_the_same(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "absent.xml"
    output = () if command != "convert" else (tmp_path / "out.json",)
    result = run_cli(command, missing, *output, *READERS[command], cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"mycareer {command}: error: {missing}: {MISSING}" in result.stderr.splitlines()


@pytest.mark.parametrize("name", ["absent.csv", "absent.json", "absent.xml"])
def test_a_missing_trainings_file_alone_reads_the_same(name: str, tmp_path: Path) -> None:
    missing = tmp_path / name
    result = run_cli("account", "--trainings", missing, "--as-of", "2025-12-31", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.returncode == 1  # as for a missing PATH in every command
    assert [line for line in result.stderr.splitlines() if str(missing) in line] == [
        f"mycareer account: error: {missing}: {MISSING}"
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_the_exit_codes(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    text = result.stdout
    assert "exit codes:" in text
    for code in ("0", "1", "2"):
        assert re.search(rf"^  {code}  \S", text, re.M), f"exit code {code} missing"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_every_default(command: str) -> None:
    parser = _subparsers()[command]
    for action in parser._actions:
        if not action.option_strings or action.default in (None, False, [], argparse.SUPPRESS):
            continue
        shown = parser._get_formatter()._format_action(action)  # the option's --help entry
        assert "default" in shown, f"{command} {action.option_strings}: default not shown"


@pytest.mark.parametrize("command", COMMANDS)
def test_format_choices_are_in_one_order(command: str) -> None:
    for action in _subparsers()[command]._actions:
        choices = list(action.choices or ())
        if choices and set(choices) <= set(FORMAT_ORDER):
            assert choices == [name for name in FORMAT_ORDER if name in choices], action.dest


@pytest.mark.parametrize("command", COMMANDS)
def test_lang_wherever_explanations_are_printed(command: str) -> None:
    options = {o: a for a in _subparsers()[command]._actions for o in a.option_strings}
    explains = "--explain" in options or command in ("demo", "entitlements")
    if explains:
        assert "--lang" in options, f"{command} prints explanations but has no --lang"
        assert tuple(options["--lang"].choices or ()) == LANGUAGES
