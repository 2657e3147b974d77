"""Hostile values at every value gate: refused as MycareerError, short, before any big work.

Issue 11 items 1 and 4. Python's ``int()`` refuses more than 4,300 digits with a bare
``ValueError``, python-stdnum ``int()``s identifier text, and ``Fraction("1e999999999")``
expands a billion-digit integer: every gate below must refuse such values itself, with
a message naming the value cut to 80 characters (``mycareer.limits.shown``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from mycareer import (
    EnterpriseNumber,
    InvalidEnterpriseNumberError,
    InvalidNissError,
    InvalidNssoNumberError,
    InvalidWorkFractionError,
    JointCommission,
    Niss,
    NssoNumber,
    WorkFraction,
)
from mycareer.career import CareerRecords
from mycareer.converter import from_json
from mycareer.errors import InvalidValueError, MycareerError, MycareerErrorGroup, flatten_errors
from mycareer.fla.rulebook import load_rules_file
from mycareer.fla.trainings import exact_hours
from mycareer.limits import MAX_SHOWN_CHARS, parse_fraction
from mycareer.xmlio.career_records import read_career_records

HUGE = "9" * 20_000
#: A message may quote the value (80 characters) and say why (the kinds of a period
#: take 120); never the value whole.
SHORT = 260


def _short(error: BaseException) -> list[str]:
    lines = flatten_errors(error) if isinstance(error, MycareerError) else [str(error)]
    assert lines
    for line in lines:
        assert len(line) <= SHORT + 120, line[:300]  # + file and path
        assert HUGE[:200] not in line
    return lines


@pytest.mark.parametrize(
    ("cls", "error"),
    [
        (Niss, InvalidNissError),
        (EnterpriseNumber, InvalidEnterpriseNumberError),
        (NssoNumber, InvalidNssoNumberError),
    ],
)
@pytest.mark.parametrize(
    "raw",
    [HUGE, " " + "1" * 4301 + " ", "12.34." * 3000, 10**5000],
    ids=["digits", "padded", "separators", "int"],
)
def test_identifiers_refuse_oversized_values_before_any_conversion(
    cls: type, error: type[InvalidValueError], raw: object
) -> None:
    with pytest.raises(error) as caught:
        cls(raw)
    message = caught.value.message
    assert len(message) <= SHORT
    assert "longer than 32 characters" in message
    if isinstance(raw, str):
        assert f"({len(raw.strip())} chars)" in message  # the value is cut, its size said


@pytest.mark.parametrize("cls", [Niss, EnterpriseNumber])
def test_is_valid_is_false_for_oversized_text(cls: type) -> None:
    assert cls.is_valid(HUGE) is False  # type: ignore[attr-defined]


def test_identifiers_still_take_their_usual_forms() -> None:
    assert Niss(85073003328).value == "85073003328"
    assert Niss(" 85.07.30-033.28 ").value == "85073003328"
    assert EnterpriseNumber("BE 0403.019.261").value == "0403019261"
    assert NssoNumber(5000000120).value == "5000000120"


@pytest.mark.parametrize(
    "text", ["1e999999999", "1e-999999", "9" * 5000 + "/1", "1/" + "7" * 5000, "Infinity"]
)
def test_work_fractions_refuse_huge_text_at_once(text: str) -> None:
    with pytest.raises(InvalidWorkFractionError) as caught:
        WorkFraction(text)
    assert len(caught.value.message) <= SHORT


def test_work_fractions_keep_exact_decimal_and_ratio_text() -> None:
    assert WorkFraction("4/5") == WorkFraction("0.8") == WorkFraction("8e-1")
    assert WorkFraction("8e-1").value == Fraction(4, 5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1e-999999", "exponent beyond ±30"),
        ("1E+31", "exponent beyond ±30"),
        ("9" * 40, "longer than 39 characters"),
        ("1/0", "expected e.g. '7.5' or '22/3'"),
        ("x", "expected e.g. '7.5' or '22/3'"),
    ],
)
def test_parse_fraction_bounds_digits_and_exponent(text: str, reason: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        parse_fraction(text, "hours")
    assert caught.value.message.endswith(reason)
    assert parse_fraction("1e30", "hours") == 10**30


@pytest.mark.parametrize("raw", ["1e-999999", Decimal("1e-999999"), Decimal("1E+999999")])
def test_training_hours_refuse_huge_exponents(raw: object) -> None:
    with pytest.raises(InvalidValueError, match="exponent beyond"):
        exact_hours(raw)


def test_joint_committee_refuses_huge_values_shortly() -> None:
    for raw in (HUGE, 10**5000):
        with pytest.raises(InvalidValueError) as caught:
            JointCommission(raw)
        assert len(caught.value.message) <= SHORT


@pytest.mark.parametrize(
    "change",
    [
        {"start": HUGE},
        {"fraction": "1e999999999"},
        {"fraction": "9" * 5000},
        {"niss": HUGE},
        {"employer": {"enterprise": HUGE, "nsso": None, "name": None}},
        {"employer": {"enterprise": None, "nsso": HUGE, "name": None}},
        {"joint_commission": HUGE},
        {HUGE: 1},
    ],
)
def test_career_records_json_refuses_huge_values_with_short_messages(
    change: dict[str, object],
) -> None:
    period: dict[str, object] = {
        "niss": "90010100123",
        "kind": "employment",
        "period": {"start": "2024-01-01", "end": None},
        "employer": None,
        "fraction": "4/5",
        "joint_commission": None,
        "label": None,
        "provisional": False,
        "source": None,
    }
    if "start" in change:
        period["period"] = {"start": change["start"], "end": None}
    else:
        period.update(change)
    document = json.dumps([{"niss": "90010100123", "periods": [period]}])
    with pytest.raises(MycareerErrorGroup) as caught:
        from_json(document, list[CareerRecords], source="w.json")
    lines = _short(caught.value)
    assert all(" @ $" in line for line in lines)  # each names where in the document


# -- career records XML: one bad worker costs that worker, with a short message ---------

NS = "urn:mycareer:career-records:1"
GOOD = (
    '<worker niss="90010100123" name="An"><period kind="employment" start="2024-01-01"/></worker>'
)


@pytest.mark.parametrize(
    ("worker", "path_end"),
    [
        (f'<worker niss="{HUGE}"/>', ".niss"),
        (
            f'<worker niss="93051822361"><employer ref="e" enterprise="{HUGE}"/></worker>',
            ".enterprise",
        ),
        (f'<worker niss="93051822361"><employer ref="e" nsso="{HUGE}"/></worker>', ".nsso"),
        (
            f'<worker niss="93051822361"><period kind="employment" start="{HUGE}"/></worker>',
            ".start",
        ),
        (
            '<worker niss="93051822361"><period kind="employment" start="2024-01-01" '
            f'fraction="{HUGE}/1"/></worker>',
            ".fraction",
        ),
        (
            '<worker niss="93051822361"><period kind="employment" start="2024-01-01">'
            f'<source file="f" line="{HUGE}"/></period></worker>',
            ".line",
        ),
        (
            f'<worker niss="93051822361"><period kind="{HUGE}" start="2024-01-01"/></worker>',
            ".kind",
        ),
        (
            '<worker niss="93051822361"><period kind="employment" start="2024-01-01" '
            f'jointCommittee="{HUGE}"/></worker>',
            ".jointCommittee",
        ),
    ],
)
def test_career_records_xml_refuses_a_huge_value_on_its_worker(
    tmp_path: Path, worker: str, path_end: str
) -> None:
    path = tmp_path / "records.xml"
    path.write_text(f'<careerRecords xmlns="{NS}">\n{GOOD}\n{worker}\n{GOOD}\n</careerRecords>\n')
    result = read_career_records(path, on_error="collect")
    assert [str(r.niss) for r in result.records] == ["90010100123", "90010100123"]
    (error,) = result.errors
    assert isinstance(error, InvalidValueError)
    assert str(error).startswith(f"{path}:3: ")
    assert error.path is not None
    assert error.path.endswith(path_end)
    assert len(error.message) <= SHORT
    assert "chars)" in error.message or "digits" in error.message  # cut, its size said
    with pytest.raises(MycareerErrorGroup) as caught:
        read_career_records(path)
    _short(caught.value)


# -- rules files: every failure an InvalidValueError naming the file --------------------

SCHEDULE = (
    '[[schedule]]\nid = "x"\njoint_commission = "111"\nband = "20+"\nkind = "replace"\n'
    'title = "t"\nsource = "s"\nvalid_from = "2024-01-01"\n'
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("int.toml", "x = " + "9" * 5000 + "\n"),
        ("deep.toml", "x = " + "[" * 5000 + "\n"),
        ("inf.toml", SCHEDULE + "[schedule.days]\n2024 = inf\n"),
        ("exp.toml", SCHEDULE + '[schedule.days]\n2024 = "1e999999"\n'),
        ("float.toml", SCHEDULE + "[schedule.days]\n2024 = 1e300\n"),
        ("year.toml", SCHEDULE + '[schedule.days]\n"²⁰²⁴" = 2\n'),
        ("window.toml", SCHEDULE + "window_years = 99999999999\n[schedule.days]\n2024 = 2\n"),
        ("title.toml", SCHEDULE.replace('"t"', '"' + "t" * 20_000 + '"') + "[schedule.days]\n"),
        ("deep.json", "[" * 100_000),
        ("int.json", '{"schedules": [' + "9" * 5000 + "]}"),
        ("bare.json", "5"),
        ("days.json", '{"schedules": [{"days": {"2024": "' + "9" * 5000 + '/7"}}]}'),
    ],
)
def test_rules_files_refuse_hostile_values_naming_the_file(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MycareerError) as caught:
        load_rules_file(path)
    lines = _short(caught.value)
    assert all(str(path) in line for line in lines)
    assert all(len(line) <= 2 * SHORT + MAX_SHOWN_CHARS for line in lines)


def test_rules_file_errors_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"schedules": [7] * 5000}), encoding="utf-8")
    with pytest.raises(MycareerErrorGroup) as caught:
        load_rules_file(path)
    lines = flatten_errors(caught.value)
    assert len(lines) == 1001
    assert "4000 more schedule(s) not checked" in lines[-1]


@pytest.mark.parametrize("raw", [HUGE, "2024-13-01", 20240101])
def test_json_dates_are_refused_with_the_value_cut(raw: object) -> None:
    from datetime import date

    from mycareer.converter import structure

    with pytest.raises(MycareerErrorGroup) as caught:
        structure(raw, date)
    (line,) = _short(caught.value)
    assert line.startswith("invalid date ")
    assert line.endswith("@ $")


@pytest.mark.parametrize("attribute", ["legalDays", "sectorDays", "employerDays"])
def test_a_training_account_credit_without_its_days_is_refused_not_a_type_error(
    tmp_path: Path, attribute: str
) -> None:
    """Found by the fuzzing run: YearCredit got None and raised a TypeError."""
    import re

    from mycareer.xmlio.training_account import read_training_accounts

    seed = Path(__file__).parent / "fuzz" / "seeds" / "training-accounts.xml"
    text, count = re.subn(
        rf'(<credit\b[^>]*?) {attribute}="[^"]*"', r"\1", seed.read_text(encoding="utf-8"), count=1
    )
    assert count == 1
    path = tmp_path / "accounts.xml"
    path.write_text(text, encoding="utf-8")
    whole = read_training_accounts(seed, on_error="collect")
    result = read_training_accounts(path, on_error="collect")
    assert len(result.records) == len(whole.records) - 1  # that account alone is refused
    assert any(f"missing attribute '{attribute}'" in str(e) for e in result.errors)


# -- training-account JSON: an enum or integer field quotes the value cut to 80 -------

ACCOUNTS_SEED = Path(__file__).parent / "fuzz" / "seeds" / "training-accounts.json"


def _first_training(document: list[dict[str, object]]) -> dict[str, object]:
    for item in document:
        account = item["account"]
        assert isinstance(account, dict)
        if account["trainings"]:
            training = account["trainings"][0]
            assert isinstance(training, dict)
            return training
    raise AssertionError("the seed has a training")


def _statement(document: list[dict[str, object]]) -> dict[str, object]:
    account = document[0]["account"]
    assert isinstance(account, dict)
    statement = account["statements"][0]
    assert isinstance(statement, dict)
    return statement


@pytest.mark.parametrize(
    ("field", "value", "path_end"),
    [
        ("status", "s" * 10_000, ".trainings[0].status"),
        ("type", "t" * 10_000, ".trainings[0].type"),
        ("year", "9" * 5000, ".statements[0].year"),
        ("year", "x" * 5000, ".statements[0].year"),
    ],
    ids=["status", "type", "digits-text", "text"],
)
def test_training_account_json_quotes_a_huge_value_cut_to_80(
    tmp_path: Path, field: str, value: str, path_end: str
) -> None:
    from mycareer.cli._convert import read_accounts

    document = json.loads(ACCOUNTS_SEED.read_text(encoding="utf-8"))
    target = _statement(document) if field == "year" else _first_training(document)
    target[field] = value
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    with pytest.raises(MycareerError) as caught:
        read_accounts(str(path), "json")
    (line,) = flatten_errors(caught.value)
    assert line.startswith(f"{path}: invalid ")
    assert line.endswith(path_end)
    assert len(line) - len(str(path)) < 300, line
    assert f"'{value[:MAX_SHOWN_CHARS]}'… ({len(value)} chars)" in line  # cut, its size said
    assert value[: MAX_SHOWN_CHARS + 1] not in line


def test_training_account_json_names_the_line_of_a_5000_digit_number(tmp_path: Path) -> None:
    from mycareer.cli._convert import read_accounts

    document = json.loads(ACCOUNTS_SEED.read_text(encoding="utf-8"))
    _statement(document)["year"] = "@HUGE@"
    text = json.dumps(document, indent=2)
    line_number = text[: text.index("@HUGE@")].count("\n") + 1
    path = tmp_path / "accounts.json"
    path.write_text(text.replace('"@HUGE@"', "9" * 5000), encoding="utf-8")
    with pytest.raises(MycareerError) as caught:
        read_accounts(str(path), "json")
    (line,) = flatten_errors(caught.value)
    assert line.startswith(f"{path}:{line_number}: invalid JSON integer '{'9' * 80}'… (5000 chars)")
    assert len(line) - len(str(path)) < 300, line
    assert "9" * (MAX_SHOWN_CHARS + 1) not in line
