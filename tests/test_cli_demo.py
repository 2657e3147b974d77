"""The CLI as a user runs it: a subprocess, on the embedded demo sample."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mycareer", *args], capture_output=True, text=True, check=False
    )


def test_demo_runs_every_command_end_to_end() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "fictitious" in out
    assert "mycareer.be" in out  # the independence disclaimer
    for section in ("Career timelines", "Training right 2025", "Projected", "training accounts"):
        assert section in out
    # Bart Janssens: caller-supplied unemployment, then hired on 2024-04-29 at 4/5 (DmfA).
    assert "2023-10-01..2024-04-26" in out
    assert "2024-04-29..2025-12-31" in out
    # An Peeters in 2025: 6 workers, so band <10; PC 200 grants 1 individual day below
    # 10 workers (T-PC200-3); 4/5 all year: 1 × 4/5 × 12/12 = 0.8 day.
    an_2025 = [line for line in out.splitlines() if "90.01.01-001.23  2025 " in line]
    assert an_2025, out
    assert "0.8000" in an_2025[0]
    assert "<10" in an_2025[0]


def test_demo_explains_in_dutch() -> None:
    result = run("demo", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    assert "Opleidingsrecht" in result.stdout or "opleidingsrecht" in result.stdout


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("mycareer ")
    result = run("--help")
    assert result.returncode == 0
    for command in ("demo", "timeline", "entitlements", "account", "validate", "convert"):
        assert command in result.stdout


def test_usage_errors_exit_2_without_traceback() -> None:
    for args in ((), ("no-such-command",), ("demo", "--lang", "de")):
        result = run(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr


def test_demo_output_folder_gets_pictures_archive_and_json(tmp_path: Path) -> None:
    from mycareer.xmlio import read_training_accounts, validate

    result = run("demo", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Validation of the shipped documents" in result.stdout
    pictures = sorted(p.name for p in tmp_path.glob("timeline-*.png"))
    assert len(pictures) == 6  # one per demo worker
    archive = tmp_path / "training-accounts.xml"
    assert validate(archive, "training-account") == []
    accounts = read_training_accounts(archive)
    assert len(accounts.records) == 6
    records = json.loads((tmp_path / "career-records.json").read_text(encoding="utf-8"))
    assert {w["niss"] for w in records} >= {"93051822361", "03021512318"}
