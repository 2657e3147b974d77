"""``mycareer entitlements`` as a subprocess, on DmfA files written by the project's
writer and checked against the official ONSS XSD (``onss_xsd_dir``)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.fla.serialize import entitlements_schema
from mycareer.quarter import Quarter
from mycareer.xmlio._safe import load_schema
from mycareer.xmlio.dmfa_writer import dmfa_bytes

from ..cli._run import assert_no_traceback, run_cli
from ._build import ACME, ANN, BETA, BOB, employment, staff

Q = Quarter


def _write(folder: Path, records: list[DmfaWorkerRecord], xsd_dir: Path) -> list[Path]:
    """One DmfA file per employer and quarter, each validated against the official XSD."""
    schema = load_schema(xsd_dir / "DmfAOriginal_20231.xsd")
    grouped: dict[tuple[str, Quarter], list[DmfaWorkerRecord]] = defaultdict(list)
    employers = {}
    for record in records:
        grouped[(record.employer.key, record.quarter)].append(record)
        employers[record.employer.key] = record.employer
    paths = []
    for (key, quarter), group in sorted(grouped.items()):
        data = dmfa_bytes(employers[key], quarter, group, created_at=datetime(2025, 1, 20, 9, 0))
        schema.assertValid(etree.fromstring(data))
        path = folder / key.replace(":", "_") / f"dmfa-{quarter}.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


@pytest.fixture
def dmfa_folder(tmp_path: Path, onss_xsd_dir: Path) -> Path:
    """Acme: 25 FTE in the 2024–25 reference quarters; Ann 80 % from 29 Apr 2024 (T-PRO-1);
    Bob full-time at Acme all 2024 and half-time at Beta (3 FTE, PC 200)."""
    records = [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 2500)]
    records += [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(BETA, q, 300)]
    records += employment(ACME, ANN, date(2024, 4, 29), None, last_quarter=Q(2024, 4), q=3040)
    records += employment(ACME, BOB, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    records += employment(BETA, BOB, date(2024, 1, 1), None, last_quarter=Q(2024, 4), q=1900,
                          jc="200")  # fmt: skip
    folder = tmp_path / "dmfa"
    _write(folder, records, onss_xsd_dir)
    return folder


def test_json_output_validates_against_the_shipped_schema(dmfa_folder: Path) -> None:
    result = run_cli("entitlements", "--year", "2024", dmfa_folder)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, entitlements_schema())
    keys = [(d["employer"], d["niss"]) for d in data]
    assert keys == sorted(keys)
    assert [(d["employer"], d["niss"]) for d in data] == [
        ("0202239951", BOB.value),
        ("0403019261", BOB.value),
        ("0403019261", ANN.value),
    ]
    beta_bob, acme_bob, ann = data
    assert (ann["days"], ann["days_exact"], ann["hours"]) == ("3.0000", "3", "22.8000")
    assert ann["reference_quarters"] == ["20224", "20231", "20232", "20233"]
    assert (ann["band"], ann["average_fte"], ann["regime"]) == ("20+", "25.0000", "statutory")
    assert ann["rule"]["id"] == "statutory-2024"
    assert ann["months"][3] == {
        "month": 4,
        "fraction": "0.8000",
        "fraction_exact": "4/5",
        "full_time_days": "5.0000",
        "full_time_days_exact": "5",
    }
    assert acme_bob["days"] == "5.0000"
    assert (beta_bob["band"], beta_bob["days"], beta_bob["regime"]) == ("<10", "0.5000", "sector")
    assert ann["fla_regime"] == "registration-owed"


def test_languages_table_and_csv(dmfa_folder: Path) -> None:
    french = run_cli("entitlements", "--year", "2024", "--lang", "fr", dmfa_folder)
    assert "Droit individuel à la formation 2024" in json.loads(french.stdout)[2]["explanation"][0]
    table = run_cli("entitlements", "--year", "2024", "--format", "table", "--explain",
                    "--lang", "nl", dmfa_folder)  # fmt: skip
    assert table.returncode == 0
    assert "85.07.30-033.28" in table.stdout
    assert "Individueel opleidingsrecht 2024" in table.stdout
    as_csv = run_cli("entitlements", "--year", "2024", "--format", "csv", dmfa_folder)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["niss"], r["days"]) for r in rows] == [
        (BOB.value, "0.5000"), (BOB.value, "5.0000"), (ANN.value, "3.0000"),
    ]  # fmt: skip


def test_xml_format_writes_the_training_account_document(dmfa_folder: Path) -> None:
    result = run_cli("entitlements", "--year", "2024", "--format", "xml", dmfa_folder)
    assert result.returncode == 0, result.stderr
    from mycareer.xmlio.formats import validate
    from mycareer.xmlio.training_account import TRAINING_ACCOUNT

    assert validate(result.stdout.encode("utf-8"), TRAINING_ACCOUNT) == []
    root = etree.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "{urn:mycareer:training-account:1}trainingAccounts"
    exact = sorted(e.get("daysExact", "") for e in root.iter("{*}entitlement"))
    assert exact == ["0.5", "3", "5"]  # exact text, decimal when it terminates


def test_band_quarter_fte_and_rules_overrides(dmfa_folder: Path, tmp_path: Path) -> None:
    banded = run_cli("entitlements", "--year", "2024", "--band", "0403019261=10-19", dmfa_folder)
    ann = json.loads(banded.stdout)[2]
    assert (ann["band"], ann["days_exact"]) == ("10-19", "3/5")  # 1 × 0.8 × 9/12
    fte = run_cli("entitlements", "--year", "2024", "--quarter-fte", "0202239951:20231=40",
                  dmfa_folder)  # fmt: skip
    beta_bob = json.loads(fte.stdout)[0]
    assert beta_bob["band_basis"] == "override-fte"
    assert (beta_bob["band"], beta_bob["days"]) == ("10-19", "0.5000")  # (3+3+40+3)/4 = 12.25
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[schedule]]\nid = "pc111"\njoint_commission = "111"\nband = "20+"\nkind = "replace"\n'
        'title = "t"\nsource = "s"\nvalid_from = "2024-01-01"\nfiled = 2023-09-01\n'
        '[schedule.days]\n2024 = "2"\n2025 = "3"\n',
        "utf-8",
    )
    with_rules = run_cli("entitlements", "--year", "2024", "--rules", rules, dmfa_folder)
    assert json.loads(with_rules.stdout)[1]["days"] == "2.0000"


def test_projection(dmfa_folder: Path) -> None:
    result = run_cli("entitlements", "--year", "2025", "--project", "--as-of", "2024-12-31",
                     dmfa_folder)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(d["niss"], d["days"], d["projected"]) for d in data] == [
        (BOB.value, "0.5000", True), (BOB.value, "5.0000", True), (ANN.value, "4.0000", True),
    ]  # fmt: skip


def test_bad_input_exit_1_keeps_the_rest(dmfa_folder: Path) -> None:
    broken = dmfa_folder / "broken.xml"
    broken.write_text("<DmfAOriginal><Form>", "utf-8")
    result = run_cli("entitlements", "--year", "2024", dmfa_folder)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "broken.xml:" in result.stderr
    assert len(json.loads(result.stdout)) == 3
    missing = run_cli("entitlements", "--year", "2024", dmfa_folder / "nope.xml")
    assert missing.returncode == 1
    assert "nope.xml" in missing.stderr
    assert json.loads(missing.stdout) == []


def test_usage_errors_exit_2(dmfa_folder: Path, tmp_path: Path) -> None:
    for bad in (
        ["--band", "huge"],
        ["--quarter-fte", "0403019261:20245=3"],
        ["--quarter-fte", "0403019262:20241=3"],
        ["--lang", "de"],
    ):
        result = run_cli("entitlements", "--year", "2024", *bad, dmfa_folder)
        assert_no_traceback(result)
        assert result.returncode == 2, (bad, result.stderr)
        assert "error" in result.stderr
    assert run_cli("entitlements", dmfa_folder).returncode == 2  # --year is required
    low = tmp_path / "low.json"
    low.write_text(json.dumps({"schedules": [{
        "id": "low", "joint_commission": "111", "band": "20+", "kind": "replace", "title": "t",
        "source": "s", "valid_from": "2024-01-01", "days": {"2024": "1"}}]}), "utf-8")  # fmt: skip
    refused = run_cli("entitlements", "--year", "2024", "--rules", low, dmfa_folder)
    assert refused.returncode == 2
    assert "low.json" in refused.stderr
    assert "R-CAO-2" in refused.stderr


def test_findings_go_to_stderr_with_exit_0(tmp_path: Path, onss_xsd_dir: Path) -> None:
    """Only one reference quarter declared: a finding names the missing ones; exit 0."""
    records = staff(ACME, Q(2023, 1), 1500)
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 1))
    _write(tmp_path, records, onss_xsd_dir)
    result = run_cli("entitlements", "--year", "2024", tmp_path)
    assert result.returncode == 0
    assert "FLA_REFERENCE_QUARTERS_MISSING" in result.stderr
    assert "20224" in result.stderr
    (ann,) = [d for d in json.loads(result.stdout) if d["niss"] == ANN.value]
    assert ann["band"] == "10-19"
    assert ann["missing_quarters"] == ["20224", "20232", "20233"]


def test_json_output_does_not_depend_on_the_write_chunks(
    dmfa_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The JSON is written a few hundred objects at a time: any chunk size, the same text."""
    from mycareer.cli import _entitlements, main

    outputs = []
    for size in (1, 2, 256):
        monkeypatch.setattr(_entitlements, "_JSON_CHUNK", size)
        assert main(["entitlements", "--year", "2024", str(dmfa_folder)]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    lines = outputs[0].splitlines()
    assert (lines[0], lines[-1], len(lines)) == ("[", "]", 5)  # one object per line
    assert len(json.loads(outputs[0])) == 3
