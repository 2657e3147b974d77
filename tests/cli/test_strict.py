"""``--strict``: findings are reported either way, and make the run fail only when asked.

Issue 6 §1: exit 0 when every input was processed (findings reported, not fatal);
``--strict`` makes warning findings fail with exit 1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mycareer.demo import demo_paths


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mycareer", *args], capture_output=True, text=True, check=False
    )


def dmfa_folder() -> Path:
    with demo_paths() as paths:
        return paths.dmfa


def test_entitlements_strict_fails_on_missing_reference_quarters() -> None:
    # The demo declarations start in 2022 Q4, so the 2022-2023 band period's reference
    # quarters (Q4 2020 - Q3 2021, R-COUNT-2, T-BAND-6) are missing.
    folder = str(dmfa_folder())
    lenient = run("entitlements", "--year", "2023", folder, "--format", "csv")
    strict = run("entitlements", "--year", "2023", folder, "--format", "csv", "--strict")
    assert lenient.returncode == 0, lenient.stderr
    assert strict.returncode == 1
    for result in (lenient, strict):
        assert "FLA_REFERENCE_QUARTERS_MISSING" in result.stderr
        assert "20204" in result.stderr
        assert result.stdout.count("\n") == lenient.stdout.count("\n")  # output still complete
    assert "Traceback" not in strict.stderr


def test_entitlements_strict_passes_without_warnings() -> None:
    result = run("entitlements", "--year", "2025", str(dmfa_folder()), "--strict")
    assert result.returncode == 0, result.stderr
