"""Progress covers every phase of a long run and ends with a one-line summary (issue 12, 15).

Reading was shown file by file; the computing and writing after it showed nothing (7 s of
silence on a large batch). Run as a user would, with plain progress forced on.
"""

from __future__ import annotations

import re

import pytest

from mycareer.demo import demo_paths

from ._run import assert_no_traceback, run_cli

COMMANDS = {
    "timeline": (("--format", "csv"), ("reading", "computing", "writing"),
                 "13 files read, 6 workers"),
    "entitlements": (("--year", "2025", "--format", "csv"), ("computing", "writing"),
                     "5 entitlements"),
    "account": (("--format", "csv"), ("computing", "writing"), "6 accounts"),
    "validate": (("--format", "csv"), ("writing",), "13 files checked, 0 invalid"),
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_phase_is_shown_then_one_summary_line(command: str) -> None:
    options, steps, counts = COMMANDS[command]
    with demo_paths() as paths:
        folder = paths.dmfa
        shown = run_cli(command, folder, *options, env={"MYCAREER_PROGRESS": "plain"})
        quiet = run_cli(command, folder, *options)  # stderr is a pipe: no progress
    assert_no_traceback(shown)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stderr.splitlines()
    for step in steps:
        start = lines.index(f"{command}: {step}...")
        assert any(re.fullmatch(rf"{command}: {step} done \(\d+\.\d s\)", x) for x in lines[start:])
    assert re.fullmatch(rf"{command}: done in \d+\.\d s: {counts}, exit 0", lines[-1])
    assert f"{command}: done in" not in quiet.stderr
    assert shown.stdout == quiet.stdout  # progress never touches the output


def test_the_summary_carries_the_exit_code_of_a_failing_run(tmp_path: object) -> None:
    with demo_paths() as paths:
        result = run_cli("timeline", paths.dmfa, "/nonexistent/q.xml", "--format", "csv",
                         env={"MYCAREER_PROGRESS": "plain"})  # fmt: skip
    assert result.returncode == 1
    assert re.fullmatch(r"timeline: done in \d+\.\d s: .*exit 1", result.stderr.splitlines()[-1])
