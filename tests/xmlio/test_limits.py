"""Bounded work on hostile trainings and sidecars (issue 11 item 4), library and CLI."""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import pytest

from mycareer.errors import InputError, InvalidValueError, MycareerError
from mycareer.fla.trainings_io import read_trainings
from mycareer.limits import MAX_ERRORS_PER_INPUT, load_json
from mycareer.xmlio.sidecar import read_outcomes

from ..cli._run import assert_no_traceback, run_cli

DEMO = Path(str(resources.files("mycareer.data.demo")))
HEADER = "niss,employer,name,start,end,hours\n"
ROW = "90010100123,0403019261,Excel,2024-03-04,2024-03-04,{hours}\n"


def _trainings(tmp_path: Path, *hours: str, suffix: str = ".csv") -> Path:
    path = tmp_path / f"t{suffix}"
    path.write_text(HEADER + "".join(ROW.format(hours=h) for h in hours), encoding="utf-8")
    return path


@pytest.mark.parametrize("hours", ["1e-999999", "1E+999999", "9" * 5000, "1/" + "7" * 5000])
def test_huge_hours_are_refused_at_once(tmp_path: Path, hours: str) -> None:
    started = time.perf_counter()
    result = read_trainings(_trainings(tmp_path, "7.6", hours), keep_valid=True)
    assert time.perf_counter() - started < 2
    assert len(result.trainings) == 1  # the good row is kept
    (error,) = result.errors
    assert len(str(error)) < 300


def test_errors_are_capped_per_input_with_one_summary(tmp_path: Path) -> None:
    result = read_trainings(_trainings(tmp_path, *["x"] * 1500), keep_valid=True)
    assert len(result.errors) == MAX_ERRORS_PER_INPUT + 1
    assert str(result.errors[-1]).endswith("500 more error(s) not listed (at most 1000 per input)")


@pytest.mark.parametrize(
    "document",
    ["[" * 100_000, "1" * 5000, '[{"hours": 1e-999999}]', '[{"hours": NaN}]', "42"],
)
def test_hostile_json_trainings_are_input_errors(tmp_path: Path, document: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(MycareerError) as caught:
        read_trainings(path)
    assert len(str(caught.value)) < 300


def test_oversized_csv_field_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.csv"
    path.write_text("reference,period_id,status\n" + "R" * 200_000 + ",,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed CSV"):
        read_outcomes(path)
    trainings = _trainings(tmp_path, "7.6")
    trainings.write_text(trainings.read_text() + "9" * 200_000 + ",x,y,2024-01-01,2024-01-01,1\n")
    with pytest.raises(InputError, match="malformed CSV"):
        read_trainings(trainings)


def test_load_json_bounds_numbers_and_depth() -> None:
    with pytest.raises(InputError, match="more than 18 digits"):
        load_json("9" * 5000, "x.json")
    with pytest.raises(InputError, match="nested deeper than 64"):
        load_json("[" * 65 + "]" * 65, "x.json")
    assert load_json("[" * 64 + "]" * 64, "x.json") is not None
    with pytest.raises(InvalidValueError):
        load_json('{"a": Infinity}', "x.json")


def test_cli_account_hostile_trainings_exit_1_without_traceback(tmp_path: Path) -> None:
    trainings = _trainings(tmp_path, "7.6", "1e-999999")
    result = run_cli(
        "account", "--trainings", trainings, "--from-year", "2024", "--to-year", "2024",
        "--as-of", "2024-12-31", DEMO / "dmfa",
    )  # fmt: skip
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "exponent beyond ±30" in result.stderr


def test_read_decoded_keeps_at_most_the_error_limit(tmp_path: Path) -> None:
    """Our own XML formats cap their errors per input too (career records here)."""
    from mycareer.xmlio.career_records import read_career_records

    worker = '<worker niss="123"/>\n'
    document = (
        '<careerRecords xmlns="urn:mycareer:career-records:1">\n'
        + worker * (MAX_ERRORS_PER_INPUT + 50)
        + "</careerRecords>\n"
    )
    path = tmp_path / "many.xml"
    path.write_text(document, encoding="utf-8")
    result = read_career_records(path, on_error="collect")
    assert len(result.errors) == MAX_ERRORS_PER_INPUT + 1
    assert "50 more error(s) not listed" in str(result.errors[-1])


@pytest.mark.parametrize("document", ["[" * 100_000, "9" * 5000, '[{"niss": ' + "9" * 5000 + "}]"])
def test_from_json_bounds_depth_and_integers(document: str) -> None:
    from mycareer.career import CareerRecords
    from mycareer.converter import from_json

    with pytest.raises(InputError) as caught:
        from_json(document, list[CareerRecords], source="w.json")
    assert str(caught.value).startswith("w.json: ")
    assert len(str(caught.value)) < 300
