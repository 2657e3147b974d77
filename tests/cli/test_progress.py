"""The progress helper: quiet off a terminal, plain lines on demand, never on stdout."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mycareer.cli._progress import progress_mode, track


def test_quiet_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYCAREER_PROGRESS", raising=False)
    stream = io.StringIO()
    assert progress_mode(stream) == "off"
    assert list(track(range(3), "x", stream=stream)) == [0, 1, 2]
    assert stream.getvalue() == ""


def test_plain_lines_count_every_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYCAREER_PROGRESS", "plain")
    stream = io.StringIO()
    items = list(track(iter(["a", "b", "c"]), "read", stream=stream, label=str))
    assert items == ["a", "b", "c"]
    assert stream.getvalue().splitlines() == [
        "read: 1 a",
        "read: 2 b",
        "read: 3 c",
        "read: done (3 items)",
    ]


def test_rich_bar_goes_to_the_given_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    monkeypatch.setenv("MYCAREER_PROGRESS", "rich")
    stream = io.StringIO()
    assert list(track([1, 2], "bar", stream=stream)) == [1, 2]


def test_validate_progress_goes_to_stderr_only(tmp_path: Path) -> None:
    good = tmp_path / "a.json"
    good.write_text("[]")
    result = subprocess.run(
        [sys.executable, "-m", "mycareer", "validate", str(good), str(good)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MYCAREER_PROGRESS": "plain"},
    )
    assert result.returncode == 0
    assert f"validate: 2/2 {good}" in result.stderr.splitlines()
    assert "validate:" not in result.stdout
