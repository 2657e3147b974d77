"""``mycareer convert`` run as a subprocess: round trips and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema

from mycareer.career import CareerRecords
from mycareer.converter import from_json
from mycareer.demo import demo_files, load_demo

from ._run import assert_no_traceback, run_cli

RECORDS_SCHEMA = (
    Path(__file__).resolve().parents[2] / "src/mycareer/schemas/career-records-1.schema.json"
)


def _demo_json(tmp_path: Path) -> Path:
    target = tmp_path / "demo.json"
    target.write_text((demo_files() / "career.json").read_text(encoding="utf-8"))
    return target


def test_json_to_csv_has_one_row_per_period(tmp_path: Path) -> None:
    result = run_cli("convert", _demo_json(tmp_path), tmp_path / "out.csv")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    sample = load_demo()
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == sum(len(w.periods) for w in sample.workers)
    first = sample.workers[0]
    an = [row for row in rows if row["niss"] == str(first.niss)]
    # demo: An Peeters, full time until 2023-02-14, then 4/5 and ongoing
    assert [(r["start"], r["end"], r["fraction"]) for r in an] == [
        ("2019-09-01", "2023-02-14", "1"),
        ("2023-02-15", "", "4/5"),
    ]
    assert f"{len(sample.workers)} worker(s)" in result.stderr


def test_json_csv_json_round_trip_keeps_every_value(tmp_path: Path) -> None:
    assert run_cli("convert", _demo_json(tmp_path), tmp_path / "a.csv").returncode == 0
    back = run_cli("convert", tmp_path / "a.csv", tmp_path / "b.json")
    assert back.returncode == 0, back.stderr
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(RECORDS_SCHEMA.read_text(encoding="utf-8")))
    restored = from_json(json.dumps(data), list[CareerRecords])
    assert restored == list(load_demo().workers)


def test_stdout_needs_to(tmp_path: Path) -> None:
    source = _demo_json(tmp_path)
    result = run_cli("convert", source, "-")
    assert result.returncode == 2
    assert "needs --to" in result.stderr
    result = run_cli("convert", source, "-", "--to", "csv")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].startswith("niss,name,kind,start,end")


def test_unknown_extension_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("convert", _demo_json(tmp_path), tmp_path / "out.yaml")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "cannot tell the output format" in result.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_bad_csv_rows_are_all_reported_and_nothing_is_written(tmp_path: Path) -> None:
    header = ",".join(
        [
            "niss",
            "name",
            "kind",
            "start",
            "end",
            "employer_enterprise",
            "employer_nsso",
            "employer_name",
            "fraction",
            "joint_commission",
            "label",
            "provisional",
        ]
    )
    source = tmp_path / "in.csv"
    source.write_text(
        header + "\n"
        "90010100123,An,employment,2024-01-01,,0403019261,,,4/5,200,,false\n"
        "90010100124,Bad Niss,employment,2024-01-01,,0403019261,,,1,200,,false\n"
        "90010100123,An,employment,2024-05-01,2024-04-01,0403019261,,,1,200,,false\n"
        "90010100123,An,employment,2024-06-01,,0403019260,,,1,200,,maybe\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.json"
    result = run_cli("convert", source, target)
    assert_no_traceback(result)
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert any(f"{source}:3: invalid NISS '90010100124'" in e for e in errors)
    assert any(f"{source}:4: " in e and "before its start" in e for e in errors)
    assert any(f"{source}:5: " in e and "provisional" in e for e in errors)
    assert not any(f"{source}:2:" in e for e in errors)
    assert not target.exists()


def test_missing_input_exits_1(tmp_path: Path) -> None:
    result = run_cli("convert", tmp_path / "nope.json", tmp_path / "out.csv")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "cannot read" in result.stderr


def test_json_xml_json_round_trip_and_the_xml_validates(tmp_path: Path) -> None:
    xml = tmp_path / "records.xml"
    result = run_cli("convert", _demo_json(tmp_path), xml)
    assert result.returncode == 0, result.stderr
    assert xml.read_bytes().startswith(b"<?xml")
    checked = run_cli("validate", xml)
    assert checked.returncode == 0, checked.stderr
    assert "career-records  valid" in checked.stdout
    back = run_cli("convert", xml, tmp_path / "back.json")
    assert back.returncode == 0, back.stderr
    restored = from_json((tmp_path / "back.json").read_text(encoding="utf-8"), list[CareerRecords])
    assert restored == list(load_demo().workers)


def test_bad_xml_worker_fails_the_conversion_with_its_line(tmp_path: Path) -> None:
    xml = tmp_path / "records.xml"
    assert run_cli("convert", _demo_json(tmp_path), xml).returncode == 0
    text = xml.read_text(encoding="utf-8").replace('niss="93051822361"', 'niss="93051822362"', 1)
    xml.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "93051822362" in t)
    result = run_cli("convert", xml, tmp_path / "out.csv")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"{xml}:{line}: invalid NISS '93051822362'" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def _accounts_xml(tmp_path: Path) -> Path:
    """A training-account archive written by ``mycareer account`` on fictitious DmfA."""
    import sys

    examples = str(Path(__file__).resolve().parents[2] / "examples")
    sys.path.insert(0, examples)
    try:
        from _fictitious import write_declarations  # type: ignore[import-not-found]
    finally:
        sys.path.remove(examples)
    folder = tmp_path / "dmfa"
    folder.mkdir()
    write_declarations(folder)
    target = tmp_path / "accounts.xml"
    result = run_cli("account", folder, "--as-of", "2025-12-31", "--format", "xml")
    assert result.returncode == 0, result.stderr
    target.write_text(result.stdout, encoding="utf-8")
    return target


def test_training_accounts_xml_json_xml_round_trip(tmp_path: Path) -> None:
    from mycareer.xmlio.training_account import read_training_accounts

    source = _accounts_xml(tmp_path)
    as_json = tmp_path / "accounts.json"
    result = run_cli("convert", source, as_json)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "25 training account(s) xml → json" in result.stderr  # 22 + An, Bart, Chantal
    data = json.loads(as_json.read_text(encoding="utf-8"))
    assert {entry["account"]["niss"] for entry in data} >= {"85073003328"}
    back = tmp_path / "back.xml"
    assert run_cli("convert", as_json, back).returncode == 0
    assert read_training_accounts(back).records == read_training_accounts(source).records
    assert run_cli("validate", back).returncode == 0


def test_training_accounts_have_no_csv_form(tmp_path: Path) -> None:
    result = run_cli("convert", _accounts_xml(tmp_path), tmp_path / "accounts.csv")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "training accounts convert to xml or json only" in result.stderr
    assert not (tmp_path / "accounts.csv").exists()


def test_bad_training_account_json_names_its_path(tmp_path: Path) -> None:
    source = _accounts_xml(tmp_path)
    as_json = tmp_path / "accounts.json"
    assert run_cli("convert", source, as_json).returncode == 0
    data = json.loads(as_json.read_text(encoding="utf-8"))
    data[1]["account"]["niss"] = "85073003329"
    as_json.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("convert", as_json, tmp_path / "out.xml")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "invalid NISS '85073003329'" in result.stderr
    assert "@ $[1].account.niss" in result.stderr
    assert not (tmp_path / "out.xml").exists()
