"""``mycareer validate`` run as a subprocess on good and bad files.

The ONSS documents come from the fictitious samples of ``/work/shared/samples``
(a DmfA and a Dimona skeleton), copied into
``tmp_path`` and broken on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mycareer.demo import demo_files

from ._run import assert_no_traceback, run_cli

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
REPORT_SCHEMA = (
    Path(__file__).resolve().parents[2] / "src/mycareer/schemas/validate-report-1.schema.json"
)
NO_XSD_DIR = {"MYCAREER_ONSS_XSD_DIR": ""}

VALID_DMFA = SAMPLES / "dmfa_skeleton_example.xml"
VALID_DIMONA = SAMPLES / "dimona_skeleton_example.xml"

#: Every problem on stderr starts like every error of every command.
E = "mycareer validate: error: "


@pytest.fixture
def dmfa_sample(tmp_path: Path) -> Path:
    if not VALID_DMFA.exists():
        pytest.skip(f"shared sample {VALID_DMFA} not present")
    target = tmp_path / "dmfa.xml"
    target.write_bytes(VALID_DMFA.read_bytes())
    return target


@pytest.fixture
def dimona_sample(tmp_path: Path) -> Path:
    if not VALID_DIMONA.exists():
        pytest.skip(f"shared sample {VALID_DIMONA} not present")
    target = tmp_path / "dimona.xml"
    target.write_bytes(VALID_DIMONA.read_bytes())
    return target


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_valid_onss_documents_pass_their_xsd(
    onss_xsd_dir: Path, dmfa_sample: Path, dimona_sample: Path
) -> None:
    result = run_cli("validate", "--schema-dir", onss_xsd_dir, dmfa_sample, dimona_sample)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["FILE", "DOCUMENT", "STATUS", "PROBLEMS", "CHECKS"]
    assert f"{dmfa_sample}  DmfAOriginal  valid  0  read,xsd,domain".split() == lines[1].split()
    assert lines[2].split()[1:3] == ["Dimona", "valid"]
    assert lines[-1] == "2 valid, 0 invalid"


def test_xsd_error_is_reported_with_file_and_line(onss_xsd_dir: Path, dmfa_sample: Path) -> None:
    text = dmfa_sample.read_text(encoding="utf-8")
    dmfa_sample.write_text(text.replace("<Quarter>20231</Quarter>", "<Quarter>2023Q1</Quarter>"))
    line = _line_of(dmfa_sample, "<Quarter>2023Q1")
    result = run_cli("validate", "--schema-dir", onss_xsd_dir, dmfa_sample)
    assert_no_traceback(result)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{E}{dmfa_sample}:{line}: ")
    assert "Quarter" in first
    assert "INVALID" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 valid, 1 invalid"


def test_bad_and_good_files_in_one_run(
    onss_xsd_dir: Path, dimona_sample: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "truncated.xml"
    truncated.write_text("<?xml version='1.0'?>\n<Dimona>\n  <Form>\n")
    evil = tmp_path / "evil.xml"
    evil.write_text('<!DOCTYPE a [<!ENTITY x "y">]>\n<a>&x;</a>\n')
    unknown = tmp_path / "unknown.xml"
    unknown.write_text("<payroll><x/></payroll>\n")
    missing = tmp_path / "missing.xml"
    result = run_cli(
        "validate",
        "--schema-dir",
        onss_xsd_dir,
        "--format",
        "json",
        truncated,
        dimona_sample,
        evil,
        unknown,
        missing,
    )
    assert_no_traceback(result)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, json.loads(REPORT_SCHEMA.read_text()))
    by_file = {entry["file"]: entry for entry in report["files"]}
    assert report["valid"] is False
    assert [entry["file"] for entry in report["files"]] == [
        str(p) for p in (truncated, dimona_sample, evil, unknown, missing)
    ]
    assert by_file[str(dimona_sample)]["valid"] is True
    assert by_file[str(truncated)]["problems"][0]["check"] == "read"
    assert by_file[str(truncated)]["problems"][0]["message"].startswith("malformed XML")
    assert by_file[str(truncated)]["problems"][0]["line"] == 4
    assert "DOCTYPE" in by_file[str(evil)]["problems"][0]["message"]
    assert "unsupported document" in by_file[str(unknown)]["problems"][0]["message"]
    assert "cannot read" in by_file[str(missing)]["problems"][0]["message"]
    stderr = result.stderr.splitlines()
    assert any(line.startswith(f"{E}{evil}:1: refused") for line in stderr)
    assert any(line.startswith(f"{E}{unknown}:1: unsupported document") for line in stderr)
    assert not any(line.startswith(E + str(dimona_sample)) for line in stderr)


def test_onss_document_without_schema_dir_is_noted(dimona_sample: Path) -> None:
    result = run_cli("validate", dimona_sample, env=NO_XSD_DIR)
    assert_no_traceback(result)
    assert result.returncode == 0
    assert (
        f"mycareer validate: note: {dimona_sample}: official ONSS document: XSD check skipped"
        in result.stderr
    )
    row = result.stdout.splitlines()[1].split()
    assert row[1:3] == ["Dimona", "valid"]
    assert "xsd" not in row[4].split(",")


def test_strict_fails_when_the_xsd_check_was_skipped(dimona_sample: Path) -> None:
    result = run_cli("validate", "--strict", dimona_sample, env=NO_XSD_DIR)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "XSD check skipped" in result.stderr


def test_schema_dir_without_the_matching_xsd(dimona_sample: Path, tmp_path: Path) -> None:
    empty = tmp_path / "xsd"
    empty.mkdir()
    result = run_cli("validate", "--schema-dir", empty, dimona_sample)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"{dimona_sample}: no Dimona_*.xsd in --schema-dir {empty}" in result.stderr


def test_career_records_json_domain_errors_name_their_path(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text((demo_files() / "career.json").read_text(encoding="utf-8"))
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "niss": "90010100124",
                    "periods": [
                        {
                            "niss": "90010100123",
                            "kind": "job",
                            "period": {"start": "2024-02-30", "end": None},
                        }
                    ],
                }
            ]
        )
    )
    result = run_cli("validate", good, bad)
    assert_no_traceback(result)
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(E + str(bad))]
    assert any("invalid NISS '90010100124'" in p and "@ $[0].niss" in p for p in problems)
    assert any("@ $[0].periods[0].kind" in p for p in problems)
    assert any("@ $[0].periods[0].period" in p for p in problems)
    assert "1 valid, 1 invalid" in result.stdout


def test_malformed_json_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[\n  {"niss": "90010100123",\n  "periods": [}\n]\n')
    result = run_cli("validate", bad)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{E}{bad}:3: malformed JSON")


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("validate", "--format", "yaml", "x.xml"),
        ("validate", "--schema-dir", "/nonexistent/folder", "x.xml"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "validate" in result.stderr


def test_help_has_examples() -> None:
    result = run_cli("validate", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout
    assert "exit codes:" in result.stdout
    assert "--schema-dir DIR" in result.stdout


def _career_xml(tmp_path: Path) -> Path:
    source = tmp_path / "demo.json"
    source.write_text((demo_files() / "career.json").read_text(encoding="utf-8"))
    target = tmp_path / "records.xml"
    assert run_cli("convert", source, target).returncode == 0
    return target


def test_our_format_is_checked_against_its_xsd_and_read(tmp_path: Path) -> None:
    xml = _career_xml(tmp_path)
    text = xml.read_text(encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text(
        text.replace('niss="90010100123"', 'niss="90010100124"', 1).replace(
            'start="2019-09-01"', 'start="2019-09-31"'
        ),
        encoding="utf-8",
    )
    lines = bad.read_text(encoding="utf-8").splitlines()
    niss_line = next(n for n, t in enumerate(lines, 1) if "90010100124" in t)
    date_line = next(n for n, t in enumerate(lines, 1) if "2019-09-31" in t)
    result = run_cli("validate", "--format", "json", xml, bad)
    assert_no_traceback(result)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    good_entry, bad_entry = report["files"]
    assert (good_entry["document"], good_entry["valid"]) == ("career-records", True)
    assert good_entry["checks"] == ["read", "xsd", "domain"]
    found = {(p["check"], p["line"]) for p in bad_entry["problems"]}
    assert ("xsd", date_line) in found
    assert ("domain", niss_line) in found
    assert ("domain", date_line) in found
    assert f"{bad}:{niss_line}: invalid NISS '90010100124'" in result.stderr


def test_unknown_version_of_our_format(tmp_path: Path) -> None:
    xml = _career_xml(tmp_path)
    xml.write_text(xml.read_text().replace("career-records:1", "career-records:9"))
    result = run_cli("validate", xml)
    assert result.returncode == 1
    assert f"{xml}:2: unsupported document" in result.stderr
    assert "version of our formats" in result.stderr


def test_dmfa_with_a_bad_niss_passes_the_xsd_but_not_the_domain_check(
    onss_xsd_dir: Path, dmfa_sample: Path
) -> None:
    """The XSD only checks INSS as 11 digits; the reader checks its mod-97 digits."""
    text = dmfa_sample.read_text(encoding="utf-8")
    dmfa_sample.write_text(text.replace("<INSS>90010100123</INSS>", "<INSS>90010100124</INSS>"))
    line = _line_of(dmfa_sample, "<INSS>90010100124")
    result = run_cli("validate", "--schema-dir", onss_xsd_dir, "--format", "json", dmfa_sample)
    assert_no_traceback(result)
    assert result.returncode == 1
    (entry,) = json.loads(result.stdout)["files"]
    assert [(p["check"], p["line"]) for p in entry["problems"]] == [("domain", line)]
    assert "invalid NISS '90010100124'" in entry["problems"][0]["message"]
    assert f"{dmfa_sample}:{line}: invalid NISS '90010100124'" in result.stderr


def test_dimona_with_a_bad_niss_fails_the_domain_check(
    onss_xsd_dir: Path, dimona_sample: Path
) -> None:
    text = dimona_sample.read_text(encoding="utf-8")
    dimona_sample.write_text(text.replace("<INSS>05031500291<", "<INSS>05031500292<"))
    line = _line_of(dimona_sample, "<INSS>05031500292")
    result = run_cli("validate", "--schema-dir", onss_xsd_dir, dimona_sample)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{E}{dimona_sample}:{line}: invalid NISS '05031500292'")


def test_onss_notification_is_checked_against_its_xsd(onss_xsd_dir: Path, tmp_path: Path) -> None:
    from datetime import date, datetime

    from mycareer import Period
    from mycareer.dimona import DimonaOutcome, DimonaStatus
    from mycareer.xmlio.dimona_writer import notifications_bytes

    outcome = DimonaOutcome(
        DimonaStatus.ACCEPTED,
        reference="REF-1",
        period_id="123456789012",
        period_after=Period(date(2024, 1, 1), None),
    )
    good = tmp_path / "notification.xml"
    good.write_bytes(notifications_bytes([outcome], created_at=datetime(2024, 1, 2, 9, 0)))
    bad = tmp_path / "bad-notification.xml"
    bad.write_text(good.read_text(encoding="utf-8").replace("<Form>", "<Form><Unknown/>", 1))
    result = run_cli("validate", "--schema-dir", onss_xsd_dir, "--format", "json", good, bad)
    assert_no_traceback(result)
    assert result.returncode == 1
    first, second = json.loads(result.stdout)["files"]
    assert (first["document"], first["valid"]) == ("NOTIFICATION", True)
    assert "xsd" in first["checks"]
    assert second["valid"] is False
    assert any("Unknown" in p["message"] and p["check"] == "xsd" for p in second["problems"])


def test_a_folder_is_validated_file_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.json").write_text("[]")
    (folder / "sub" / "a.json").write_text('[{"niss": "1", "periods": []}]')
    (folder / "notes.txt").write_text("ignored")
    result = run_cli("validate", "--format", "json", folder)
    assert_no_traceback(result)
    assert result.returncode == 1
    files = [entry["file"] for entry in json.loads(result.stdout)["files"]]
    assert files == [str(folder / "b.json"), str(folder / "sub" / "a.json")]
