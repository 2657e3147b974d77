"""A vendor rules file is held to what a sector agreement may do (R-CAO-2, -3, -4).

docs/training-right.md, Sector agreements: a sector agreement may give the 20+ band
fewer days than the law (4 in 2023, 5 from 2024), never fewer than 2, and then on a
growth path towards 5 days (R-CAO-2); not below what the sector already granted on
1 January 2023 when that was above 2 (R-CAO-3); and lowering 2023–2024 needed an
agreement filed with FPS Employment by 30 September 2023 (R-CAO-4). Each broken
constraint is an error naming the file, the rule, the year and the entry's key.

Also: a number of days that is not finite or is out of bounds is refused as an
``InvalidValueError`` naming the value (cut short), the file and the path.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from mycareer.errors import (
    InputError,
    InvalidValueError,
    MycareerError,
    MycareerErrorGroup,
    flatten_errors,
)
from mycareer.fla import Regime, Rulebook, SizeBand, load_rules_file
from mycareer.joint_commission import JointCommission

#: A fictitious PC 302 agreement that keeps every constraint: below 5 from 2024, rising
#: to 5, filed before 30 September 2023, above the 2.5 days granted on 1 January 2023.
GOOD: dict[str, Any] = {
    "id": "pc302-20plus",
    "joint_commission": "302",
    "band": "20+",
    "kind": "replace",
    "title": {"en": "PC 302 (fictitious)", "fr": "CP 302 (fictive)", "nl": "PC 302 (fictief)"},
    "source": "vendor test",
    "valid_from": "2024-01-01",
    "valid_to": "2027-12-31",
    "filed": "2023-09-29",
    "days_on_2023_01_01": "2.5",
    "days": {"2024": "3", "2025": "3", "2026": "4", "2027": "5"},
}


def _errors(tmp_path: Path, *, named: bool = True, **changes: Any) -> list[str]:
    """The error lines for GOOD with ``changes``; each names the file (and the schedule)."""
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"schedules": [dict(GOOD, **changes)]}), "utf-8")
    with pytest.raises(MycareerErrorGroup) as caught:
        load_rules_file(path)
    lines = flatten_errors(caught.value)
    prefix = f"{path}: schedule 'pc302-20plus': " if named else f"{path}: "
    assert all(line.startswith(prefix) for line in lines), lines
    return lines


def test_a_file_keeping_every_constraint_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "vendor.toml"
    path.write_text(
        "\n".join([
            "[[schedule]]", 'id = "pc302-20plus"', 'joint_commission = "302"', 'band = "20+"',
            'kind = "replace"', 'title = "PC 302 (fictitious)"', 'source = "vendor test"',
            "valid_from = 2024-01-01", "valid_to = 2027-12-31", "filed = 2023-09-29",
            'days_on_2023_01_01 = "2.5"', "[schedule.days]",
            '2024 = "3"', '2025 = "3"', '2026 = "4"', '2027 = "5"',
        ]),
        "utf-8",
    )  # fmt: skip
    [schedule] = load_rules_file(path)
    assert schedule.filed is not None
    assert schedule.filed.isoformat() == "2023-09-29"
    assert schedule.days_on_2023_01_01 == Fraction(5, 2)
    book = Rulebook.default().with_rules_file(path)
    resolved = book.resolve(JointCommission("302"), SizeBand.FROM_20, 2026)
    assert (resolved.regime, resolved.legal_days) == (Regime.SECTOR, Fraction(4))


def test_the_shipped_schedules_keep_the_constraints() -> None:
    """PC 200 (3, 3, 4, 4, 5) and PC 124 (2.5 … 5) rise towards 5; their filing dates
    are not in the sources, which the data state as "unknown"."""
    book = Rulebook.default()
    for ident in ("pc200-20plus-2024", "pc124-20plus-2023"):
        assert book.schedule(ident).filed is None


def test_a_fall_breaks_the_growth_path(tmp_path: Path) -> None:
    """R-CAO-2: 4 days in 2025, then 3 in 2026."""
    [line] = _errors(tmp_path, days={"2024": "3", "2025": "4", "2026": "3", "2027": "5"})
    assert "3 days in 2026, down from 4 in 2025" in line
    assert "growth path towards 5 days (R-CAO-2)" in line
    assert line.endswith("@ $.schedules[0].days.2026")


def test_a_flat_lowered_schedule_is_no_growth_path(tmp_path: Path) -> None:
    """R-CAO-2: 3 days a year from 2024 to 2027 never grows towards 5."""
    [line] = _errors(tmp_path, days={"2024": "3", "2025": "3", "2026": "3", "2027": "3"})
    assert "3 days in 2027, no more than the 3 of 2024" in line
    assert "(R-CAO-2)" in line
    assert line.endswith("@ $.schedules[0].days.2027")


def test_the_floor_of_two_days_is_kept(tmp_path: Path) -> None:
    days = {"2024": "1.5", "2025": "3", "2026": "4", "2027": "5"}
    [line] = _errors(tmp_path, days=days, days_on_2023_01_01=None)
    assert "1.5 day(s) in 2024, below the floor of 2 days a year (R-CAO-2)" in line


def test_no_step_below_what_the_sector_granted_on_1_january_2023(tmp_path: Path) -> None:
    """R-CAO-3: the sector granted 3.5 days; 3 in 2024 and 2025 steps back."""
    lines = _errors(tmp_path, days_on_2023_01_01="3.5")
    assert len(lines) == 2
    for line, year in zip(lines, (2024, 2025), strict=True):
        assert f"3 days in {year}, below the 3.5 days the sector already granted on " in line
        assert "1 January 2023" in line
        assert "no step backwards (R-CAO-3)" in line
        assert line.endswith(f"@ $.schedules[0].days.{year}")


def test_granting_two_days_or_fewer_before_binds_nothing(tmp_path: Path) -> None:
    """R-CAO-3 only holds a sector that granted *more than* 2 days."""
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"schedules": [dict(GOOD, days_on_2023_01_01=2)]}), "utf-8")
    assert load_rules_file(path)[0].days[2024] == 3


def test_lowering_2024_needs_a_filing_date(tmp_path: Path) -> None:
    """R-CAO-4: no ``filed`` at all, while 2024 is lowered to 3 days."""
    changed = {k: v for k, v in GOOD.items() if k != "filed"}
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"schedules": [changed]}), "utf-8")
    with pytest.raises(MycareerErrorGroup) as caught:
        load_rules_file(path)
    [line] = flatten_errors(caught.value)
    assert "3 days in 2024, below the statutory 5" in line
    assert "filed by 30 September 2023 (R-CAO-4)" in line
    assert line.endswith("@ $.schedules[0].filed")


def test_lowering_2023_and_2024_filed_too_late(tmp_path: Path) -> None:
    """R-CAO-4: filed on 2 October 2023, lowering 2023 (4 → 2.5) and 2024 (5 → 2.5)."""
    lines = _errors(
        tmp_path,
        valid_from="2023-01-01",
        filed="2023-10-02",
        days_on_2023_01_01=None,
        days={"2023": "2.5", "2024": "2.5", "2025": "3", "2026": "4", "2027": "5"},
    )
    assert len(lines) == 2
    assert "2.5 days in 2023, below the statutory 4, but the agreement was filed on " in lines[0]
    assert "2.5 days in 2024, below the statutory 5" in lines[1]
    for line in lines:
        assert "2023-10-02, after 30 September 2023" in line
        assert "(R-CAO-4)" in line


def test_lowering_only_later_years_needs_no_filing_date(tmp_path: Path) -> None:
    """R-CAO-4 is about 2023–2024: a path from 2026 needs no filing date."""
    later = {k: v for k, v in GOOD.items() if k != "filed"}
    later.update(valid_from="2026-01-01", days={"2026": "3", "2027": "4"})
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"schedules": [later]}), "utf-8")
    assert load_rules_file(path)[0].days == {2026: 3, 2027: 4}


def test_an_unknown_filing_date_is_stated_not_assumed(tmp_path: Path) -> None:
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"schedules": [dict(GOOD, filed="unknown")]}), "utf-8")
    assert load_rules_file(path)[0].filed is None
    [line] = _errors(tmp_path, named=False, filed="soon")
    assert "invalid date 'soon'" in line


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Infinity", "'Infinity'"),
        ("-Infinity", "'-Infinity'"),
        ("NaN", "'NaN'"),
        ("1e999999999", "'1e999999999'"),
        ("9" * 200, "'" + "9" * 80 + "'… (200 chars)"),
        ("1/0", "'1/0'"),
    ],
)
def test_days_beyond_numbers_are_refused_with_value_file_and_path(
    tmp_path: Path, raw: str, shown: str
) -> None:
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"schedules": [dict(GOOD, days={"2024": raw})]}), "utf-8")
    with pytest.raises(MycareerError) as caught:
        load_rules_file(path)
    assert isinstance(caught.value, MycareerErrorGroup)
    [error] = caught.value.exceptions
    assert isinstance(error, InvalidValueError)
    line = str(error)
    assert line.startswith(f"{path}: invalid number of days {shown}")
    assert line.endswith("@ $.schedules[0].days.2024")


@pytest.mark.parametrize("literal", ["Infinity", "NaN", "-Infinity"])
def test_json_float_constants_are_refused(tmp_path: Path, literal: str) -> None:
    """Python's json reads ``Infinity``/``NaN`` literals as floats; they are no days. The
    bounded JSON reader every input shares (mycareer.limits) refuses them as it reads,
    so the whole rules file is refused, naming the file and the literal."""
    path = tmp_path / "vendor.json"
    text = json.dumps({"schedules": [dict(GOOD, days={"2024": 0})]})
    path.write_text(text.replace('"2024": 0', f'"2024": {literal}'), "utf-8")
    with pytest.raises(InputError) as caught:
        load_rules_file(path)
    assert str(path) in str(caught.value)
    assert f"invalid number {literal}" in str(caught.value)


def test_toml_inf_and_huge_integers_are_refused(tmp_path: Path) -> None:
    """TOML's ``inf``/``nan`` and decimals beyond the bounded exponent refuse the file."""
    for value in ("inf", "nan", "1e400"):
        path = tmp_path / f"vendor-{value}.toml"
        path.write_text(
            '[[schedule]]\nid = "x"\njoint_commission = "302"\nband = "10-19"\n'
            'kind = "complement"\ntitle = "t"\nsource = "s"\nvalid_from = 2024-01-01\n'
            f"[schedule.days]\n2024 = {value}\n",
            "utf-8",
        )
        with pytest.raises(InputError) as caught:
            load_rules_file(path)
        assert str(path) in str(caught.value)
        assert len(str(caught.value)) < 400


def test_a_json_integer_of_thousands_of_digits_is_a_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "vendor.json"
    path.write_text('{"schedules": [{"days": {"2024": ' + "9" * 5000 + "}}]}", "utf-8")
    with pytest.raises(InputError, match="more than 18 digits") as caught:
        load_rules_file(path)
    assert str(path) in str(caught.value)
    assert len(str(caught.value)) < 400
