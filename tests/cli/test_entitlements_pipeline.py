"""``mycareer entitlements`` through the one pipeline function (issue 14 item 3, issue 12 item 4).

The command parses its options and calls :func:`mycareer.pipeline.entitlements_for_year`,
which chooses the route (employer by employer, one read, projection) and holds the
projection's default date. When the declarations end before the year asked for, the run
says so and points to ``--project``: on stderr and under the table, and in each
entitlement's findings in JSON. Run as a user would, on the demo's DmfA files.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from mycareer.demo import demo_paths
from mycareer.fla import compute_entitlements, project_entitlements
from mycareer.fla.serialize import entitlement_to_json, entitlements_schema
from mycareer.fla.years import DATA_END_BEFORE_YEAR
from mycareer.pipeline import entitlements_for_year
from mycareer.xmlio.flows import read_corrected_dmfa

from ._run import assert_no_traceback, run_cli

#: The demo's only employer declares 2022 Q4 to 2025 Q4, one file per quarter.
LAST_FILE = "dmfa-0403019261-20254.xml"
WARNING = (
    "warning DATA_END_BEFORE_YEAR: the declarations end with 2025 Q4, before 2026: no "
    "entitlement of 2026 can be read from them; project it from the last declared lines "
    "with project_entitlements (mycareer entitlements --project)"
)


@pytest.fixture
def last_quarter(tmp_path: Path) -> Path:
    """A folder holding one real DmfA file: the demo's declaration of 2025 Q4."""
    folder = tmp_path / "dmfa"
    folder.mkdir()
    with demo_paths() as paths:
        shutil.copy(paths.dmfa / LAST_FILE, folder / LAST_FILE)
    return folder


def test_table_and_stderr_say_the_data_end_before_the_year(last_quarter: Path) -> None:
    result = run_cli("entitlements", "--year", "2026", "--format", "table", last_quarter)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert f"mycareer entitlements: {WARNING}" in result.stderr.splitlines()
    assert result.stdout.splitlines()[-1] == f"! {WARNING}"
    strict = run_cli("entitlements", "--year", "2026", "--strict", last_quarter)
    assert strict.returncode == 1  # a warning fails --strict


def test_json_entitlements_carry_the_finding_and_validate(last_quarter: Path) -> None:
    result = run_cli("entitlements", "--year", "2026", "--format", "json", last_quarter)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, entitlements_schema())
    # Lines open at the end of 2025 Q4 run into 2026 Q1, which is not declared: those
    # workers get a (DECLARATION_MISSING) entitlement, each with the data-end warning.
    assert data, "the demo's open lines give 2026 results"
    for item in data:
        codes = [f["code"] for f in item["findings"]]
        assert codes[-1] == DATA_END_BEFORE_YEAR
        assert item["findings"][-1]["severity"] == "warning"
    indented = run_cli("entitlements", "--year", "2026", "--indent", "1", last_quarter)
    # indented from the same texts (the data-end warning appended to each): the same data
    assert indented.stdout == json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def test_no_warning_when_the_data_reach_the_year_or_when_projecting(last_quarter: Path) -> None:
    reached = run_cli("entitlements", "--year", "2025", "--format", "json", last_quarter)
    projected = run_cli("entitlements", "--year", "2026", "--project", last_quarter)
    for result in (reached, projected):
        assert result.returncode == 0, result.stderr
        assert DATA_END_BEFORE_YEAR not in result.stderr
        assert DATA_END_BEFORE_YEAR not in result.stdout
    items = json.loads(projected.stdout)
    assert items
    assert all(item["projected"] for item in items)
    # The default reference date: the last day of the latest quarter declared before 2026.
    assert {item["as_of"] for item in items} == {"2025-12-31"}


def test_the_pipeline_equals_the_library_calls_it_chooses_between() -> None:
    with demo_paths() as paths:
        folder = str(paths.dmfa)
        batch = read_corrected_dmfa([folder])
        run = entitlements_for_year([folder], 2024, jobs=1)
        texts = entitlements_for_year([folder], 2026, jobs=1, render="json", lang="fr")
        objects = entitlements_for_year([folder], 2026, jobs=1)
        projected = entitlements_for_year([folder], 2026, project=True)
    assert run.entitlements == compute_entitlements(batch.records, batch.declarations, 2024)
    assert DATA_END_BEFORE_YEAR not in {f.code for f in run.findings}
    expected = project_entitlements(
        batch.records, batch.declarations, as_of=date(2025, 12, 31), year=2026
    )
    assert projected.entitlements == expected
    # JSON texts written by the pipeline equal the documented JSON of its objects.
    assert [json.loads(t) for t in texts.json] == [
        entitlement_to_json(e, "fr") for e in objects.entitlements
    ]
    assert [f.code for f in objects.findings].count(DATA_END_BEFORE_YEAR) == 1
    assert str(objects.last_quarter) == "20254"
