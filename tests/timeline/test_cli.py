"""``mycareer timeline`` run as a subprocess on real files (DmfA, Dimona, sidecars, career records).

Expected figures are worked out by hand from the fixtures: Q2 2024 has 65
weekdays, of which Easter Monday (1 April), 1 May, Ascension (9 May) and Whit
Monday (20 May) are Belgian public holidays → 61 working days.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.dimona import DimonaAction, DimonaDeclaration, DimonaOutcome, DimonaStatus
from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio._safe import parse_document
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    read_career_records,
    write_career_records,
)
from mycareer.xmlio.dimona_writer import dimona_bytes, notifications_bytes
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from tests.cli._run import assert_no_traceback, run_cli

from .helpers import ACME, BETA, NISS

Q1 = Quarter(2024, 1)
PID = "111122223333"


def write_fixtures(folder: Path) -> dict[str, Path]:
    occupation = DmfaOccupation(
        sequence=1,
        start=date(2020, 1, 1),
        end=date(2024, 3, 31),
        period=Q1.period,
        joint_commission=JointCommission("200"),
        working_days_system=500,
        contract_type=ContractType.FULL_TIME,
        mean_working_hours=3800,
        ref_mean_working_hours=3800,
    )
    record = DmfaWorkerRecord(ACME, Q1, NISS, 495, "010", Q1.period, [occupation])
    dmfa = folder / "dmfa-20241.xml"
    dmfa.write_bytes(dmfa_bytes(ACME, Q1, [record], created_at=datetime(2024, 4, 20, 9)))
    dimona = folder / "dimona.xml"
    dimona.write_bytes(
        dimona_bytes(
            [
                DimonaDeclaration(
                    DimonaAction.IN,
                    BETA,
                    niss=NISS,
                    reference="REF-1",
                    start=date(2024, 7, 1),
                    worker_type="OTH",
                    joint_commission=JointCommission("200"),
                )
            ],
            created_at=datetime(2024, 6, 28, 8),
        )
    )
    notification = folder / "notification.xml"
    notification.write_bytes(
        notifications_bytes(
            [
                DimonaOutcome(
                    DimonaStatus.ACCEPTED,
                    reference="REF-1",
                    period_id=PID,
                    period_after=Period(date(2024, 7, 1), None),
                )
            ],
            created_at=datetime(2024, 6, 28, 8, 1),
        )
    )
    return {"dmfa": dmfa, "dimona": dimona, "notification": notification}


def test_table_from_dmfa_dimona_and_notification(tmp_path: Path) -> None:
    files = write_fixtures(tmp_path)
    result = run_cli("timeline", tmp_path, "--as-of", "2024-09-30")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "mycareer timeline — as of 2024-09-30" in lines[0]
    assert any(
        line.strip().startswith("2024-01-01..2024-03-31")
        and "employment" in line
        and "FTE 1 " in line
        and ACME.key in line
        for line in lines
    )
    assert any(
        line.strip().startswith("2024-07-01..2024-09-30")
        and BETA.key in line
        and "FTE incomplete" in line
        for line in lines
    )
    assert any(
        "2024-04-01..2024-06-30" in line and "91 d" in line and "61 working days" in line
        for line in lines
    )
    assert result.stderr == ""
    assert files["dmfa"].exists()


def test_json_output_and_default_as_of_is_the_latest_quarter_end(tmp_path: Path) -> None:
    write_fixtures(tmp_path)
    result = run_cli("timeline", tmp_path, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    # latest date in the data is the Dimona start 2024-07-01 → end of Q3 2024
    assert document["as_of"] == "2024-09-30"
    [worker] = document["workers"]
    assert worker["niss"] == NISS.value
    assert [
        (s["start"], s["end"], s["kind"], s["fte_exact"], s["fte_complete"])
        for s in worker["segments"]
    ] == [
        ("2024-01-01", "2024-03-31", "employment", "1", True),
        ("2024-07-01", "2024-09-30", "employment", "0", False),
    ]
    assert worker["segments"][0]["sources"][0]["source"].endswith("Occupation[1]")
    assert worker["gaps"] == [
        {
            "start": "2024-04-01",
            "end": "2024-06-30",
            "days": 91,
            "working_days": 61,
            "provisional": False,
        }
    ]


def test_min_gap_and_provisional_quarters(tmp_path: Path) -> None:
    write_fixtures(tmp_path)
    longer = run_cli(
        "timeline", tmp_path, "--as-of", "2024-09-30", "--min-gap", "92", "--format", "json"
    )
    assert json.loads(longer.stdout)["workers"][0]["gaps"] == []
    window = run_cli(
        "timeline",
        tmp_path,
        "--as-of",
        "2024-09-30",
        "--window",
        "2023-10-01..2024-12-31",
        "--provisional-quarters",
        "2",
        "--format",
        "json",
    )
    gaps = json.loads(window.stdout)["workers"][0]["gaps"]
    assert [(g["start"], g["end"], g["provisional"]) for g in gaps] == [
        ("2023-10-01", "2023-12-31", False),
        ("2024-04-01", "2024-06-30", True),
    ]


def test_sidecar_outcomes_and_pending_status(tmp_path: Path) -> None:
    files = write_fixtures(tmp_path)
    files["notification"].unlink()
    sidecar = tmp_path.parent / f"{tmp_path.name}-outcomes.csv"  # outside the folder read
    sidecar.write_text(f"reference,period_id,status\nREF-1,{PID},S\n")
    result = run_cli(
        "timeline", tmp_path, "--outcomes", sidecar, "--as-of", "2024-09-30", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    segments = json.loads(result.stdout)["workers"][0]["segments"]
    assert segments[-1]["provisional"] is True


def test_xml_output_validates_and_reads_back(tmp_path: Path) -> None:
    write_fixtures(tmp_path)
    result = run_cli("timeline", tmp_path, "--as-of", "2024-09-30", "--format", "xml")
    assert result.returncode == 0, result.stderr
    data = result.stdout.encode()
    CAREER_RECORDS.schema().assertValid(parse_document(data))
    [worker] = read_career_records(data).records
    assert [p.kind for p in worker.periods] == [PeriodKind.EMPLOYMENT, PeriodKind.EMPLOYMENT]
    tree = parse_document(data)
    segments = tree.findall(f".//{CAREER_RECORDS.tag('segment')}")
    assert [s.get("sources") for s in segments] == ["0", "1"]
    gaps = tree.findall(f".//{CAREER_RECORDS.tag('gap')}")
    assert [(g.get("start"), g.get("workingDays")) for g in gaps] == [("2024-04-01", "61")]


def test_career_records_input_with_findings(tmp_path: Path) -> None:
    records = CareerRecords(
        NISS,
        [
            CareerPeriod(
                NISS, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1), None), ACME, fraction=None
            ),
            CareerPeriod(
                NISS, PeriodKind.UNEMPLOYMENT, Period(date(2024, 2, 1), date(2024, 2, 29))
            ),
        ],
        name="An Peeters",
    )
    path = tmp_path / "career.xml"
    write_career_records(path, [records])
    result = run_cli("timeline", path, "--as-of", "2024-03-31")
    assert result.returncode == 0
    assert "An Peeters" in result.stdout
    assert "2024-02-01..2024-02-29" in result.stdout
    assert "unemployment" in result.stdout
    assert "EMPLOYMENT_DURING_UNEMPLOYMENT" in result.stderr


def test_bad_files_are_reported_and_the_rest_is_output(tmp_path: Path) -> None:
    write_fixtures(tmp_path)
    (tmp_path / "broken.xml").write_text("<DmfAOriginal><unclosed>")
    (tmp_path / "other.xml").write_text("<Something/>")
    result = run_cli("timeline", tmp_path, tmp_path / "missing.xml", "--as-of", "2024-09-30")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "2024-01-01..2024-03-31" in result.stdout
    assert "broken.xml" in result.stderr
    assert "other.xml" in result.stderr
    assert "root element Something" in result.stderr
    assert "missing.xml" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--as-of", "2024-13-01"),
        ("--window", "2024-05-01..2024-04-01"),
        ("--min-gap", "0"),
        ("--format", "yaml"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_cli("timeline", tmp_path, *args)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_empty_input_says_so_and_succeeds(tmp_path: Path) -> None:
    result = run_cli("timeline", tmp_path)
    assert result.returncode == 0
    assert result.stdout == "mycareer timeline\nno worker in the input\n"
