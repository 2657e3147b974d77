"""Every CLI input path under hostile values, as a user meets it: a subprocess on real files.

Issue 11 items 1, 4 and 5: only short error lines naming the file and the line (or
path) reach stderr, never a traceback; exit 1 (2 for a usage error such as a bad
``--rules`` file); the good inputs of the same run are still read and output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from importlib import resources
from pathlib import Path

import pytest

from ._run import assert_no_traceback, run_cli

DEMO = Path(str(resources.files("mycareer.data.demo")))
HUGE = "9" * 20_000
NS = "urn:mycareer:career-records:1"
GOOD_WORKER = '<worker niss="90010100123" name="An"><period kind="employment" start="2024-01-01"/>'
HEADER = (
    "niss,name,kind,start,end,employer_enterprise,employer_nsso,employer_name,"
    "fraction,joint_commission,label,provisional\n"
)
GOOD_ROW = "90010100123,An,employment,2024-01-01,,0403019261,100006,Acme,4/5,200,,false\n"


def _short_lines(stderr: str, limit: int = 300) -> list[str]:
    """The error lines of stderr (findings, which quote no input value, aside), each short."""
    lines = [line for line in stderr.splitlines() if ": error: " in line]
    assert lines
    for line in lines:
        assert len(line) <= limit, line[:400]
        assert HUGE[:100] not in line
    return lines


def _records_xml(path: Path, bad_worker: str) -> Path:
    path.write_text(
        f'<careerRecords xmlns="{NS}">\n{GOOD_WORKER}</worker>\n{bad_worker}\n</careerRecords>\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "bad_worker",
    [
        f'<worker niss="{HUGE}"/>',
        f'<worker niss="93051822361"><employer ref="e" enterprise="{HUGE}"/></worker>',
        '<worker niss="93051822361"><period kind="employment" start="2024-01-01" '
        f'end="{HUGE}"/></worker>',
    ],
)
def test_convert_refuses_a_huge_career_records_value_without_a_traceback(
    tmp_path: Path, bad_worker: str
) -> None:
    source = _records_xml(tmp_path / "records.xml", bad_worker)
    target = tmp_path / "records.json"
    result = run_cli("convert", source, target)
    assert_no_traceback(result)
    assert result.returncode == 1
    lines = _short_lines(result.stderr)
    assert lines[0].startswith(f"mycareer convert: error: {source}:3: ")
    assert f"({len(HUGE)} chars)" in result.stderr  # the value cut, its size said
    assert not target.exists()  # all or nothing: no partial conversion


def test_timeline_keeps_the_other_files_when_a_career_record_is_huge(tmp_path: Path) -> None:
    bad = _records_xml(tmp_path / "records.xml", f'<worker niss="{HUGE}"/>')
    result = run_cli("timeline", "--format", "json", DEMO / "dmfa", bad)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"{bad}:3: invalid NISS" in result.stderr
    _short_lines(result.stderr)
    workers = {w["niss"] for w in json.loads(result.stdout)["workers"]}
    assert "90010100123" in workers  # the good worker of the same file
    assert len(workers) >= 4  # and the DmfA workers


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (GOOD_ROW + "90010100123,An\n", ":3: 10 value(s) fewer than columns"),
        (GOOD_ROW + GOOD_ROW.strip() + ",x,y,z,w\n", ":3: 4 more value(s) than columns"),
        (GOOD_ROW.replace("Acme", "x" * 100_000), ":2: CSV field of 100000 characters"),
        (GOOD_ROW.replace("Acme", "x" * 200_000), ":2: malformed CSV: 'field larger than"),
        (GOOD_ROW.replace("90010100123", HUGE), ":2: invalid NISS '99999"),
        (GOOD_ROW.replace("4/5", "1e999999999"), ":2: invalid work fraction '1e999999999'"),
    ],
)
def test_convert_csv_refuses_bad_rows_naming_the_line(
    tmp_path: Path, rows: str, message: str
) -> None:
    source = tmp_path / "records.csv"
    source.write_text(HEADER + rows, encoding="utf-8")
    result = run_cli("convert", source, tmp_path / "out.json")
    assert_no_traceback(result)
    assert result.returncode == 1
    _short_lines(result.stderr)
    assert f"{source}{message}" in result.stderr
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("42", "expected an array of workers"),
        ("[" * 100_000, "JSON nested deeper than 64 levels"),
        ("[" + "9" * 5000 + "]", "more than 18 digits"),
        ('[{"niss": "90010100123", "periods": [], "name": "' + "n" * 50_000 + '"', "malformed"),
    ],
)
def test_convert_json_refuses_hostile_documents_shortly(
    tmp_path: Path, document: str, message: str
) -> None:
    source = tmp_path / "records.json"
    source.write_text(document, encoding="utf-8")
    result = run_cli("convert", source, tmp_path / "out.xml")
    assert_no_traceback(result)
    assert result.returncode == 1
    (line,) = _short_lines(result.stderr)
    assert str(source) in line
    assert message in line


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_convert_stops_reading_dev_zero_at_the_size_limit(tmp_path: Path, fmt: str) -> None:
    result = run_cli("convert", "--from", fmt, "--to", "xml", "/dev/zero", tmp_path / "o.xml")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "/dev/zero: input larger than 67108864 bytes" in result.stderr


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("r.toml", "x = " + "9" * 5000 + "\n", "malformed rules file: ValueError"),
        ("r.toml", "x = " + "[" * 5000 + "\n", "malformed rules file: RecursionError"),
        ("r.json", "[" * 100_000, "JSON nested deeper than 64 levels"),
        ("r.json", '{"schedules": [{"days": {"2024": "1e999999"}}]}', "exponent beyond ±30"),
    ],
)
def test_entitlements_refuses_a_hostile_rules_file_as_a_usage_error(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    rules = tmp_path / name
    rules.write_text(text, encoding="utf-8")
    result = run_cli("entitlements", "--year", "2025", "--rules", rules, DEMO / "dmfa")
    assert_no_traceback(result)
    assert result.returncode == 2
    _short_lines(result.stderr)
    assert str(rules) in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    "document", ["[" * 100_000, "42", "[" + "9" * 5000 + "]", '[{"niss": "' + HUGE + '"}]']
)
def test_validate_reports_a_hostile_json_file_and_the_good_one(
    tmp_path: Path, document: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(document, encoding="utf-8")
    good = DEMO / "career-records.xml"
    result = run_cli("validate", "--format", "json", bad, good)
    assert_no_traceback(result)
    assert result.returncode == 1
    _short_lines(result.stderr)
    assert result.stderr.startswith(f"mycareer validate: error: {bad}")
    report = {f["file"]: f["valid"] for f in json.loads(result.stdout)["files"]}
    assert report == {str(bad): False, str(good): True}


def test_validate_reports_what_it_cannot_walk_and_keeps_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(DEMO / "career-records.xml", folder / "good.xml")
    os.mkfifo(folder / "pipe.xml")
    (folder / "gone.json").symlink_to(folder / "missing.json")
    result = run_cli("validate", "--format", "json", folder)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"{folder / 'pipe.xml'}: cannot read: not a regular file" in result.stderr
    assert f"{folder / 'gone.json'}: cannot read: dangling symbolic link" in result.stderr
    report = {f["file"]: f["valid"] for f in json.loads(result.stdout)["files"]}
    assert report == {
        str(folder / "pipe.xml"): False,
        str(folder / "gone.json"): False,
        str(folder / "good.xml"): True,
    }


def test_validate_csv_neutralises_file_names_unless_raw(tmp_path: Path) -> None:
    shutil.copy(DEMO / "career-records.xml", tmp_path / "=HYPERLINK(x).xml")
    for flags, expected in (((), "'=HYPERLINK(x).xml"), (("--raw-csv",), "=HYPERLINK(x).xml")):
        result = run_cli("validate", "--format", "csv", *flags, "=HYPERLINK(x).xml", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[1][0] == expected


@pytest.mark.parametrize("hours", ["1e-999999", "9" * 5000, "0"])
def test_account_hours_per_day_is_bounded_as_a_usage_error(hours: str) -> None:
    result = run_cli("account", DEMO / "dmfa", "--hours-per-day", hours)
    assert_no_traceback(result)
    assert result.returncode == 2
    (line,) = _short_lines(result.stderr.strip().splitlines()[-1])
    assert "hours per day" in line


def test_convert_refuses_a_name_longer_than_the_text_limit_and_writes_nothing(
    tmp_path: Path,
) -> None:
    name = "n" * 70_000
    source = tmp_path / "records.xml"
    source.write_text(
        f'<careerRecords xmlns="{NS}">\n<worker niss="90010100123" name="{name}"/>\n'
        "</careerRecords>\n",
        encoding="utf-8",
    )
    for target in ("records.json", "records.csv"):
        result = run_cli("convert", source, tmp_path / target)
        assert_no_traceback(result)
        assert result.returncode == 1
        (line,) = _short_lines(result.stderr)
        assert f"{source}:2: invalid worker name 'nnn" in line
        assert "(70000 chars): longer than 4096 characters" in line
        assert line.endswith("@ $.workers[0].name")
        assert "n" * 81 not in line
        assert not (tmp_path / target).exists()


LONG = "x" * 100_000
DIGITS = "9" * 5000


@pytest.mark.parametrize(
    ("args", "option", "chars"),
    [
        (("account", "--termination", f"85073003328=resignation@{LONG}", "x"), "--termination", 0),
        (("account", f"--termination=2024-01-01:{LONG}", "x"), "--termination", 100_011),
        (("entitlements", "--year", DIGITS, "x"), "--year", 5000),
        (("entitlements", "--format", LONG, "x"), "--format", 100_000),
        (("timeline", "--indent", DIGITS, "x"), "--indent", 5000),
        ((LONG,), "COMMAND", 100_000),
        (("validate", "x", f"--no-such-option={LONG}"), "unrecognized arguments", 100_017),
    ],
    ids=["termination", "termination=", "year", "format", "indent", "command", "unrecognized"],
)
def test_usage_errors_quote_a_huge_argument_cut_to_80(
    args: tuple[str, ...], option: str, chars: int
) -> None:
    result = run_cli(*args)
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: mycareer")  # argparse's usual layout
    line = result.stderr.strip().splitlines()[-1]
    assert ": error: " in line
    assert option in line
    assert len(line) < 300, line[:400]
    assert len(result.stderr) - result.stderr.rindex("\nmycareer") < 300  # after the usage
    assert "x" * 81 not in result.stderr
    assert "9" * 81 not in result.stderr
    if chars:
        assert f"… ({chars} chars)" in line  # cut, its size said


@pytest.mark.skipif(os.name != "posix", reason="a file name that is not UTF-8: POSIX")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_account_says_a_finding_naming_a_file_that_is_not_utf8(tmp_path: Path, jobs: str) -> None:
    """A duplicate original named ``zz-\\xff.xml`` (created later: it wins) puts its name,
    a lone surrogate once decoded, in a finding; ``account`` printed the findings through
    a digest of their UTF-8 and crashed on it (a review found it)."""
    for source in sorted((DEMO / "dmfa").glob("*.xml")):
        shutil.copy(source, tmp_path / source.name)
    text = (tmp_path / "dmfa-0403019261-20233.xml").read_text(encoding="utf-8")
    later = text.replace("<FormCreationHour>10:00:00.000<", "<FormCreationHour>11:00:00.000<", 1)
    assert later != text
    Path(os.fsdecode(os.fsencode(tmp_path) + b"/zz-\xff.xml")).write_text(later, encoding="utf-8")
    result = run_cli("account", tmp_path, "--format", "json", "--jobs", jobs)
    assert_no_traceback(result)
    assert result.returncode == 0  # a warning only
    duplicates = [line for line in result.stderr.splitlines() if "DMFA_DUPLICATE_ORIGINAL" in line]
    assert len(duplicates) == 1
    assert "zz-" in duplicates[0].split(" wins over ")[0]
    assert json.loads(result.stdout)
