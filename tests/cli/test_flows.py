"""Folders mixing every kind of document, through the CLI as a user runs it.

Originals, modifications, a Dimona declaration with a daily registration, and
a personnel file: ``timeline``, ``entitlements`` and ``validate`` recognise
each by its root element.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from mycareer.dimona import DimonaAction, DimonaDeclaration
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.personnel_file import PersonnelFilePeriod
from mycareer.quarter import Quarter
from mycareer.xmlio.dimona import DIMONA_DAILY_REGISTRATION_SKIPPED, read_dimona
from mycareer.xmlio.dimona_writer import dimona_bytes
from mycareer.xmlio.dmfa_update_writer import dmfa_update_bytes
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from tests.cli._run import assert_no_traceback, run_cli
from tests.fla._build import ACME, ANN, occupation, record
from tests.timeline._personnel import personnel_file_bytes

QUARTERS = [Quarter(2023, n) for n in (1, 2, 3, 4)]
CREATED = datetime(2024, 1, 20, 9, 0)


def _daily_registration(tmp_path: Path) -> Path:
    """A Dimona document holding an IN and a daily registration."""
    sent = DimonaDeclaration(
        DimonaAction.IN, ACME, ANN, reference="IN-1", start=date(2023, 1, 1),
        worker_type="OTH", joint_commission=JointCommission("124"),
    )  # fmt: skip
    data = dimona_bytes(sent, created_at=datetime(2022, 12, 20, 9, 0))
    daily = (
        b"<Form><Identification>DIMONA</Identification><FormCreationDate>2023-01-03"
        b"</FormCreationDate><FormCreationHour>14:35:00.000</FormCreationHour>"
        b"<AttestationStatus>0</AttestationStatus><TypeForm>SU</TypeForm>"
        b"<DailyRegistrationDeclaration><AttestationStatus>0</AttestationStatus>"
        b"<DimonaPeriodId>600027876089</DimonaPeriodId><StartingDate>2023-01-05</StartingDate>"
        b"<StartingHour>1000</StartingHour><EndingDate>2023-01-05</EndingDate>"
        b"<EndingHour>2000</EndingHour></DailyRegistrationDeclaration></Form></Dimona>"
    )
    path = tmp_path / "dimona.xml"
    path.write_bytes(data.replace(b"</Dimona>", daily))
    return path


def _colleague(serial: int) -> Niss:
    head = f"700101{serial:03d}"
    return Niss(f"{head}{97 - int(head) % 97:02d}")


def _folder(tmp_path: Path) -> Path:
    """A year of originals (Ann full time), and one update halving her fourth quarter."""
    folder = tmp_path / "in"
    folder.mkdir()
    colleagues = [_colleague(serial) for serial in range(1, 25)]  # 20+ workers: days are due
    for quarter in QUARTERS:
        lines = [
            record(ACME, quarter, niss, [occupation(quarter.period.start, q=3800)])
            for niss in (ANN, *colleagues)
        ]
        (folder / f"{quarter}.xml").write_bytes(
            dmfa_bytes(ACME, quarter, lines, created_at=CREATED)
        )
    q4 = QUARTERS[-1]
    form = DmfaUpdateForm(ACME, q4, datetime(2024, 3, 1, 8, 0), declaration_id="901")
    half = record(ACME, q4, ANN, [occupation(q4.period.start, q=1900)])
    fix = DmfaLineUpdate(form, UpdateAction.MODIFIED, half, "000", 495, "2")
    (folder / "fix.xml").write_bytes(dmfa_update_bytes(form, [fix]))
    _daily_registration(folder)
    filed = PersonnelFilePeriod(
        "600027876089", ACME, ANN, date(2023, 1, 1), None, JointCommission("124"), "OTH"
    )
    (folder / "personnel.xml").write_bytes(personnel_file_bytes(ACME, [filed]))
    return folder


def test_a_daily_registration_is_an_info_finding_and_the_rest_of_the_file_is_read(
    tmp_path: Path,
) -> None:
    batch = read_dimona([_daily_registration(tmp_path)])
    assert [d.action for d in batch.declarations] == [DimonaAction.IN]
    (finding,) = batch.findings
    assert finding.code == DIMONA_DAILY_REGISTRATION_SKIPPED
    assert "600027876089" in finding.message
    assert "does not create" in finding.message
    assert finding.source is not None
    assert finding.source.record == ("$.Form[2].DailyRegistrationDeclaration")


def test_the_official_daily_registration_sample_reads_without_error(
    onss_samples_dir: Path,
) -> None:
    batch = read_dimona([onss_samples_dir / "Dimona_20231_3.xml"])
    assert batch.errors == ()
    assert batch.declarations == ()
    assert [f.code for f in batch.findings] == [DIMONA_DAILY_REGISTRATION_SKIPPED]


def test_timeline_reads_a_mixed_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = run_cli("timeline", folder, "--as-of", "2023-12-31", "--format", "json")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (worker,) = [w for w in document["workers"] if w["niss"] == ANN.value]
    q4 = [s for s in worker["segments"] if s["start"] >= "2023-10-01"]
    assert q4
    assert all((s["fte"], s["fte_exact"]) == ("0.5000", "1/2") for s in q4)
    labels = {src["source"] for s in worker["segments"] for src in s["sources"] if src["source"]}
    assert any("fix.xml" in label for label in labels)
    assert any("personnel.xml" in label for label in labels)
    codes = {f["code"] for f in document["findings"]}
    assert {"DMFA_UPDATE_APPLIED", DIMONA_DAILY_REGISTRATION_SKIPPED} <= codes


def test_entitlements_use_the_correction_and_name_the_correcting_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    corrected = run_cli("entitlements", "--year", "2023", folder, "--format", "json")
    assert_no_traceback(corrected)
    assert corrected.returncode == 0, corrected.stderr
    assert "DMFA_UPDATE_APPLIED" in corrected.stderr
    assert "fix.xml" in corrected.stderr
    (folder / "fix.xml").unlink()
    original = run_cli("entitlements", "--year", "2023", folder, "--format", "json")
    assert original.returncode == 0, original.stderr

    def days(output: str) -> str:
        data = json.loads(output)
        rows = data["entitlements"] if isinstance(data, dict) else data
        (row,) = [r for r in rows if r["niss"] == ANN.value]
        return str(row["days_exact"] if "days_exact" in row else row["days"])

    assert days(corrected.stdout) != days(original.stdout)


def test_validate_picks_the_xsd_of_each_kind(tmp_path: Path, onss_xsd_dir: Path) -> None:
    folder = _folder(tmp_path)
    result = run_cli("validate", folder, "--schema-dir", onss_xsd_dir, "--format", "json")
    assert_no_traceback(result)
    report = json.loads(result.stdout)
    documents = {Path(f["file"]).name: f for f in report["files"]}
    assert documents["fix.xml"]["document"] == "DmfAUpdate"
    assert documents["personnel.xml"]["document"] == "PersonnelFileConsultationAnswer"
    for name in ("fix.xml", "personnel.xml", "20231.xml", "dimona.xml"):
        assert "xsd" in documents[name]["checks"], documents[name]
        assert documents[name]["valid"], documents[name]
    assert report["valid"], result.stderr


def test_validate_reads_the_official_samples(
    tmp_path: Path, onss_xsd_dir: Path, onss_samples_dir: Path
) -> None:
    for sample in onss_samples_dir.glob("*.xml"):
        shutil.copy(sample, tmp_path / sample.name)
    result = run_cli("validate", tmp_path, "--schema-dir", onss_xsd_dir, "--format", "json")
    assert_no_traceback(result)
    report = json.loads(result.stdout)
    by_name = {Path(f["file"]).name: f for f in report["files"]}
    update = by_name["DmfAUpdate_20223_1.xml"]
    assert update["document"] == "DmfAUpdate"
    assert "xsd" in update["checks"]
    # valid against its XSD; the domain check finds the INSS with bad check digits
    assert [p["check"] for p in update["problems"]] == ["domain"]
    assert "78101500183" in update["problems"][0]["message"]
    assert by_name["PersonnelFileConsultationAnswer_20223_2.xml"]["valid"]
    assert by_name["Dimona_20231_3.xml"]["valid"]
    assert by_name["DmfAOriginal_20223_1.xml"]["valid"], by_name["DmfAOriginal_20223_1.xml"]


@pytest.mark.parametrize("command", ["entitlements", "account"])
def test_unknown_documents_in_a_folder_are_errors_not_crashes(tmp_path: Path, command: str) -> None:
    folder = _folder(tmp_path)
    (folder / "other.xml").write_bytes(b"<Invoice/>")
    args: list[str | Path] = (
        ["entitlements", "--year", "2023", folder]
        if command == "entitlements"
        else ["account", folder, "--as-of", "2023-12-31"]
    )
    result = run_cli(*args)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "other.xml" in result.stderr
    assert "<Invoice>" in result.stderr


def test_the_demo_correction_changes_an_entitlement_and_names_its_file() -> None:
    from mycareer.cli._demo import _steps
    from mycareer.demo import DEMO_YEAR, demo_paths

    with demo_paths() as paths:
        titles = [title for title, _ in _steps(paths, "en", None)]
        assert any("after a correction" in title for title in titles)
        (update,) = paths.corrections.glob("*.xml")
        base: list[str | Path] = ["entitlements", "--year", str(DEMO_YEAR), paths.dmfa]
        before = run_cli(*base, "--format", "json")
        after = run_cli(*base, paths.corrections, "--format", "json")
    assert before.returncode == after.returncode == 0, after.stderr
    assert f"DMFA_UPDATE_APPLIED: {update}" in after.stderr
    assert "modified NISS 90010100123" in after.stderr

    def days(output: str) -> dict[str, str]:
        data = json.loads(output)
        rows = data["entitlements"] if isinstance(data, dict) else data
        return {row["niss"]: str(row["days_exact"] if "days_exact" in row else row["days"])
                for row in rows}  # fmt: skip

    changed = {
        niss for niss, value in days(after.stdout).items() if days(before.stdout)[niss] != value
    }
    assert changed == {"90010100123"}
