"""``mycareer account`` run as a subprocess on generated DmfA files (issue 6 §1).

The employer (PC 100, no sector schedule) declares 21 full-time workers from
Q4 2022, so its band for 2024–2025 is 20+ (R-COUNT-2/3) and the statutory right is
5 days a year (docs/training-right.md). Expected values are worked by hand:

* Anna, full-time all year: 5 days in 2024 and 2025; a 15.2 h training in 2024 at
  38 h ÷ 5 = 7.6 h a day is 2 days (B-6) → 3 carried, 8 at the end of 2025;
* Bert, half-time from 1 Jul 2024 to 30 Jun 2025: 5 × ½ × 6/12 = 1.25 days each year
  (R-PRO-2); he resigned, so 2.5 days are lost (B-8).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mycareer.cli._account import ACCOUNT_JSON_SCHEMA
from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord, ServiceLine
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from mycareer.xmlio.training_account import TRAINING_ACCOUNT, read_training_accounts, validate

from ..cli._run import assert_no_traceback, run_cli

EMPLOYER = Employer(EnterpriseNumber("0403019261"))
ANNA = "85073003328"
BERT = "50073003369"


def _niss(index: int) -> str:
    """A valid NISS for a person born in 1970 (the check digits are 97 − n mod 97)."""
    first = f"700101{index + 1:03d}"
    return first + f"{97 - int(first) % 97:02d}"


def _occupation(
    quarter: Quarter, start: date, end: date | None, q: int, contract: ContractType
) -> DmfaOccupation:
    period = quarter.period
    clipped = Period(
        max(start, period.start), min(end, period.end) if end and period.end else period.end
    )
    return DmfaOccupation(
        sequence=1,
        start=start,
        end=end,
        period=clipped,
        joint_commission=JointCommission("100"),
        working_days_system=500,
        contract_type=contract,
        mean_working_hours=q,
        ref_mean_working_hours=3800,
        services=[ServiceLine(1, 3000)],
    )


def _worker(
    quarter: Quarter,
    niss: str,
    start: date,
    end: date | None = None,
    q: int = 3800,
) -> DmfaWorkerRecord | None:
    if start > quarter.last_day or (end is not None and end < quarter.first_day):
        return None
    contract = ContractType.FULL_TIME if q == 3800 else ContractType.PART_TIME
    return DmfaWorkerRecord(
        EMPLOYER,
        quarter,
        Niss(niss),
        495,
        "010",
        quarter.period,
        [_occupation(quarter, start, end, q, contract)],
    )


@pytest.fixture(scope="module")
def dmfa_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dmfa")
    for quarter in Quarter.range(Quarter(2022, 4), Quarter(2025, 4)):
        candidates = [_worker(quarter, ANNA, date(2019, 1, 1))]
        candidates += [_worker(quarter, _niss(i), date(2019, 1, 1)) for i in range(20)]
        candidates.append(_worker(quarter, BERT, date(2024, 7, 1), date(2025, 6, 30), q=1900))
        records = [r for r in candidates if r is not None]
        created = datetime(quarter.year + (quarter.number == 4), quarter.number % 4 * 3 + 1, 20)
        (folder / f"dmfa-{quarter}.xml").write_bytes(
            dmfa_bytes(EMPLOYER, quarter, records, created_at=created)
        )
    return folder


@pytest.fixture
def trainings_csv(tmp_path: Path) -> Path:
    path = tmp_path / "trainings.csv"
    path.write_text(
        "niss,name,start,end,hours,type,counts_toward_individual_right\n"
        f"{ANNA},Excel advanced,2024-03-04,2024-03-05,15.2,formal,true\n"
        f"{ANNA},Educational leave course,2024-04-02,2024-04-02,7.6,formal,false\n",
        encoding="utf-8",
    )
    return path


COMMON = ("--from-year", "2024", "--to-year", "2025", "--as-of", "2025-12-31")
RESIGNATION = ("--termination", f"{BERT}=resignation@2025-06-30")


def _statements(document: dict[str, Any], niss: str) -> list[dict[str, Any]]:
    accounts = document["accounts"]
    assert isinstance(accounts, list)
    (account,) = [a for a in accounts if a["niss"] == niss]
    statements = account["statements"]
    assert isinstance(statements, list)
    return statements


def test_json_per_worker(dmfa_dir: Path, trainings_csv: Path) -> None:
    result = run_cli(
        "account", dmfa_dir, *COMMON, "--trainings", trainings_csv, *RESIGNATION, "--format", "json"
    )
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, ACCOUNT_JSON_SCHEMA)
    assert document["as_of"] == "2025-12-31"
    assert len(document["accounts"]) == 22
    anna = _statements(document, ANNA)
    assert [
        (s["year"], s["credited_exact"], s["used_exact"], s["carried_exact"]) for s in anna
    ] == [
        (2024, "5", "2", "3"),
        (2025, "5", "0", "8"),
    ]
    assert (anna[0]["credited"], anna[0]["used"], anna[0]["carried"]) == (
        "5.0000",
        "2.0000",
        "3.0000",
    )
    assert anna[0]["window"] == "2024-2028"
    bert = _statements(document, BERT)
    # one spelling in every JSON (issue 12 item 8): a 4-place decimal and the exact value
    assert [(s["year"], s["credited"], s["credited_exact"]) for s in bert] == [
        (2024, "1.2500", "5/4"),
        (2025, "1.2500", "5/4"),
    ]
    assert (bert[-1]["lost"], bert[-1]["lost_exact"]) == ("2.5000", "5/2")
    assert "22 account(s)" in result.stderr


def test_employer_view(dmfa_dir: Path, trainings_csv: Path) -> None:
    result = run_cli(
        "account", dmfa_dir, *COMMON, "--trainings", trainings_csv, *RESIGNATION,
        "--employer-view", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, ACCOUNT_JSON_SCHEMA)
    (team,) = document["employers"]
    assert team["employer"] == "0403019261"
    assert team["workers"] == 22
    # 21 full-timers × 10 days + Bert's 2.5; Anna used 2; Bert's 2.5 were lost
    assert Fraction(team["credited"]) == 212 + Fraction(1, 2)
    assert (team["used"], team["used_exact"]) == ("2.0000", "2")
    assert (team["remaining"], team["remaining_exact"]) == ("208.0000", "208")
    assert (team["lost"], team["lost_exact"]) == ("2.5000", "5/2")
    table = run_cli(
        "account", dmfa_dir, *COMMON, "--trainings", trainings_csv, *RESIGNATION, "--employer-view"
    )
    assert table.returncode == 0
    assert "0403.019.261" in table.stdout
    assert "208" in table.stdout


def test_table_csv_and_xml(dmfa_dir: Path, trainings_csv: Path, tmp_path: Path) -> None:
    args = ("account", dmfa_dir, *COMMON, "--trainings", trainings_csv, *RESIGNATION)
    table = run_cli(*args)
    assert table.returncode == 0, table.stderr
    assert "NISS 85.07.30-033.28" in table.stdout
    assert "balance 8 day(s) = 60.8 h" in table.stdout
    assert "Educational leave course: 7.6 h = 1 day(s) (not debited)" in table.stdout
    assert "contract ended 2025-06-30 (resignation): lost" in table.stdout

    rows = run_cli(*args, "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("employer,nsso_number,niss,year,window,opening,legal_days")
    assert len(rows) == 1 + 22 * 2
    assert f"0403019261,,{ANNA},2025,2024-2028,3,5,0,0,5,0,0,8,0,0,0,8" in rows

    xml = run_cli(*args, "--format", "xml")
    assert xml.returncode == 0, xml.stderr
    archive = tmp_path / "archive.xml"
    archive.write_text(xml.stdout, encoding="utf-8")
    assert validate(archive, TRAINING_ACCOUNT) == []
    records = {r.niss.value: r for r in read_training_accounts(archive).records}
    anna = records[ANNA]
    assert [e.year for e in anna.entitlements] == [2024, 2025]
    assert all(e.days_exact == 5 and e.band.value == "20+" for e in anna.entitlements)
    assert str(anna.work_regime) == "1"
    assert str(anna.joint_committee) == "100"
    assert anna.account.balance == 8

    # the archive is also a trainings source: the same ledger comes back
    again = run_cli(
        "account", dmfa_dir, *COMMON, "--trainings", archive, *RESIGNATION, "--format", "json"
    )
    assert again.returncode == 0, again.stderr
    assert _statements(json.loads(again.stdout), ANNA)[-1]["carried_exact"] == "8"


def test_dismissal_with_notice_reports_the_open_balance(dmfa_dir: Path) -> None:
    """B-8: after a dismissal with notice the open balance is reported, not lost."""
    result = run_cli(
        "account", dmfa_dir, *COMMON, "--termination", f"{BERT}=dismissal-notice@2025-06-30",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (bert,) = [a for a in document["accounts"] if a["niss"] == BERT]
    assert (bert["open_balance"], bert["open_balance_exact"]) == ("2.5000", "5/2")
    assert bert["statements"][-1]["lost_exact"] == "0"


def test_bad_training_rows_exit_1_and_keep_the_rest(dmfa_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "niss,name,start,end,hours\n"
        f"{ANNA},Good,2024-03-04,2024-03-05,15.2\n"
        f"{ANNA},Bad hours,2024-03-04,2024-03-05,lots\n",
        encoding="utf-8",
    )
    result = run_cli("account", dmfa_dir, *COMMON, "--trainings", bad, "--format", "json")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"{bad}:3 column hours: invalid hours 'lots'" in result.stderr
    anna = _statements(json.loads(result.stdout), ANNA)
    assert anna[0]["used_exact"] == "2"


def test_missing_and_malformed_inputs_exit_1(dmfa_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<DmfAOriginal><Form>", encoding="utf-8")
    result = run_cli(
        "account", dmfa_dir, broken, tmp_path / "nope.xml", *COMMON, "--format", "json"
    )
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "broken.xml" in result.stderr
    assert "nope.xml" in result.stderr
    assert len(json.loads(result.stdout)["accounts"]) == 22
    missing = run_cli("account", "--trainings", tmp_path / "absent.csv")
    assert_no_traceback(missing)
    assert missing.returncode == 1
    assert "absent.csv" in missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give DmfA PATHs"),
        (("x.xml", "--termination", f"{ANNA}=fired@2025-01-01"), "invalid termination reason"),
        (("x.xml", "--termination", "nonsense"), "NISS=REASON@YYYY-MM-DD"),
        (("x.xml", "--as-of", "2025-13-01"), "invalid date"),
        (("x.xml", "--employer-view", "--format", "xml"), "no xml format"),
        (("x.xml", "--from-year", "2026", "--to-year", "2025"), "after --to-year"),
        (("x.xml", "--rules", "absent-rules.json"), "cannot read rules file"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run_cli("account", *args)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_print_schema_and_help() -> None:
    schema = run_cli("account", "--print-schema")
    assert schema.returncode == 0
    assert json.loads(schema.stdout)["$id"] == "urn:mycareer:schema:account:1"
    helped = run_cli("account", "--help")
    assert helped.returncode == 0
    assert "--employer-view" in helped.stdout
    assert "legal status uncertain" in helped.stdout
