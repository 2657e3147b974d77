"""Every script in ``examples/`` runs as a user would run it, with no arguments.

Each script must exit 0 and print what it promises; the expected lines are
worked by hand from the fictitious data in ``examples/_fictitious.py`` and the
rules of docs/training-right.md (T-PRO-1 shape, T-PC200-1 schedule, R-COUNT-2 band).
A new example must add its expectations here (the last test checks that).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))

EXPECTED: dict[str, list[str]] = {
    "dmfa_to_timeline.py": [
        "read 314 worker records from 13 DmfA files",  # 22 + 3 workers over Q4 2022..Q4 2025
        "  2022-10-01..2024-03-15  employment   FTE 1",
        "  gap 2024-03-16..2024-06-30: 107 days, 71 working days",
        "  2025-10-01..2025-12-31  employment   FTE 1/2",
    ],
    "entitlements_explained.py": [
        # 3 days (PC 200, 2025) × 4/5 × 9 months / 12
        "An Peeters: 1.8000 days (exact 9/5), band 20+, rule pc200-20plus-2024",
        "    Droit : 1,8 jour (exact 9/5).",  # decimal comma; singular below 2 in French
        # 3 × (9 × 1 + 3 × 1/2) / 12
        "Chantal Dubois: 2.6250 days (exact 21/8)",
        "    Recht: 2,625 dagen (exact 21/8).",  # and in Dutch
    ],
    "projection_next_year.py": [
        "projection for 2026 as of 2025-09-30",
        # PC 200 gives 4 days in 2026; full year assumed; band from Q4 2024..Q3 2025
        "Bart Janssens: 4.0000 days (exact 4), band 20+ from quarters 20244, 20251, 20252, 20253",
        "An Peeters: 3.2000 days (exact 16/5)",  # 4 × 4/5
    ],
    "custom_sector_rules.py": [
        "Bart Janssens, 2025, shipped rules: 3 days",
        "4 days (3 from the PC 200 schedule + 1 complementary sector days)",
        "@ $.schedules[0].band",
    ],
    "archive_training_account.py": [
        # 2024: Jan-Mar and Jul-Dec employed = 9 months × 3 / 12 = 9/4; 2 days of training used
        "Bart Janssens 2024: opening 0, credit 9/4, used 2, closing 1/4, carried 1/4",
        "Bart Janssens 2025: opening 1/4, credit 3, used 0, closing 13/4",
        "0 XSD problems, read back identical: True",
    ],
    "web_service.py": [
        "GET /health → 200 ok",
        "POST /entitlements (zip of 13 DmfA files) → 200: 25 entitlements, 0 errors",
        "An Peeters: 1.8000 days; Recht: 1,8 dagen (exact 9/5).",
        "GET /openapi.json → 200 OpenAPI 3.1.0",
        "POST /entitlements (truncated XML) → 422 urn:mycareer:problem:no-usable-input: "
        "request.xml:1: malformed XML",
        "-byte zip bomb) → 413: bomb.xml: 20971521 bytes unzipped; at most 20971520",
    ],
    "contracts_to_entitlements.py": [
        # 24 full-timers + Bart, students left out (R-COUNT-5)
        "band 20+ for 2024: average FTE 25.0000 over 20224, 20231, 20232, 20233",
        "An: 3.0000 days (exact 3), 9 months",  # 5 × 4/5 × 9 / 12
        "Bart: 3.7500 days (exact 15/4), 9 months",  # 5 × 9 / 12: no work Mar-May
        "a full-timer: 5.0000 days (exact 5), 12 months",
        "  Bart 2024-03-01..2024-05-31: career break or time credit, FTE 0",
    ],
    "notebook_views.py": [
        "days in total — a Fraction, not a float",
        "back from the frame unchanged: True",
        "SVG picture of one timeline:",
    ],
}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_runs_and_prints_what_it_promises(script: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # examples must not depend on the working directory
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for line in EXPECTED[script.name]:
        assert line in result.stdout, f"{script.name}: missing {line!r} in\n{result.stdout}"
    assert list(tmp_path.iterdir()) == [], "examples write only to their own temporary folders"


def test_every_example_has_expectations() -> None:
    assert SCRIPTS, "no examples found"
    assert {p.name for p in SCRIPTS} == set(EXPECTED)
