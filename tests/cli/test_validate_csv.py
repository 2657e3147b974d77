"""``mycareer validate --format csv``: one row per problem, one row per valid file."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from mycareer.demo import demo_paths


def test_csv_report_lists_each_problem_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(
        '<careerRecords xmlns="urn:mycareer:career-records:1">\n'
        '<worker niss="90010100124"/>\n'
        "</careerRecords>\n",
        encoding="utf-8",
    )
    with demo_paths() as paths:
        good = paths.career_records
    result = subprocess.run(
        [sys.executable, "-m", "mycareer", "validate", str(good), str(bad), "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["file"] == str(good), r["valid"]) for r in rows] == [
        (True, "true"),
        (False, "false"),
    ]
    problem = rows[1]
    assert problem["line"] == "2"
    assert "90010100124" in problem["message"]
    assert "$.workers[0].niss" in problem["message"]
    assert "Traceback" not in result.stderr
