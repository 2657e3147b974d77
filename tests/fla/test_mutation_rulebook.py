"""Rulebook: the cases mutation testing showed untested (docs/mutation.md).

Expected days come from the documents written here (a vendor schedule is data, not
law); the resolution order is that of ``Rulebook.resolve`` (override, sector REPLACE,
statutory, sector COMPLEMENT on top, no rule) and R-CAO-2's 2-day floor.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

from mycareer.errors import InvalidValueError, MycareerErrorGroup, flatten_errors
from mycareer.fla import FlaRegime, Regime, RuleRef, SizeBand
from mycareer.fla.rulebook import (
    FlaFact,
    Rulebook,
    SectorSchedule,
    StatutoryRule,
    load_rules_file,
    parse_schedules,
)
from mycareer.joint_commission import JointCommission

PC302 = JointCommission("302")


def values(*items: object) -> tuple[object, ...]:
    """A tuple typed loosely, so exact Fractions compare with int literals under mypy."""
    return items


def _schedule(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": "pc302",
        "joint_commission": "302",
        "band": "20+",
        "kind": "replace",
        "title": "PC 302 test schedule",
        "source": "test",
        "valid_from": "2024-01-01",
        "valid_to": None,
        "filed": "2023-09-01",  # lowers 2024: filed in time (R-CAO-4)
        "days": {"2024": "3", "2028": "5"},  # rising to 5 (R-CAO-2)
    }
    raw.update(changes)
    return raw


def _one(**changes: Any) -> SectorSchedule:
    (schedule,) = parse_schedules({"schedules": [_schedule(**changes)]}, file="r.json")
    return schedule


def _errors(document: object) -> list[str]:
    with pytest.raises(MycareerErrorGroup) as raised:
        parse_schedules(document, file="r.json")
    return list(flatten_errors(raised.value))


def test_days_are_read_exactly_from_numbers_decimals_and_fractions() -> None:
    schedule = _one(days={"2024": 2.5, "2025": " 3.25 ", "2026": "7/2", "2027": 4})
    assert dict(schedule.days) == {
        2024: Fraction(5, 2),
        2025: Fraction(13, 4),
        2026: Fraction(7, 2),
        2027: Fraction(4),
    }


def test_bad_days_are_named_with_their_path() -> None:
    assert _errors({"schedules": [_schedule(days={"2024": True, "2025": [3]})]}) == [
        "r.json: invalid number of days True @ $.schedules[0].days.2024",
        "r.json: invalid number of days [3] @ $.schedules[0].days.2025",
    ]


def test_the_floor_message_gives_the_days_as_a_decimal() -> None:
    assert _errors({"schedules": [_schedule(days={"2024": "1", "2025": "3/2"})]}) == [
        "r.json: schedule 'pc302': a REPLACE schedule for the 20+ band gives 1 day(s) in "
        "2024, below the floor of 2 days a year (R-CAO-2) @ $.schedules[0].days.2024",
        "r.json: schedule 'pc302': a REPLACE schedule for the 20+ band gives 1.5 day(s) in "
        "2025, below the floor of 2 days a year (R-CAO-2) @ $.schedules[0].days.2025",
    ]


def test_an_open_ended_schedule_covers_every_listed_year() -> None:
    schedule = _one(days={"2024": "3", "2035": "5"})
    assert schedule.covers(PC302, SizeBand.FROM_20, 2035)
    assert not schedule.covers(PC302, SizeBand.FROM_20, 2030)  # no days for 2030
    ended = _one(valid_to="2034-12-31", days={"2024": "3", "2035": "5"})
    assert not ended.covers(PC302, SizeBand.FROM_20, 2035)


def test_schedule_windows() -> None:
    assert _one().window_of(2030) is None  # no window start: no windows
    windowed = _one(window_start=2024)
    assert windowed.window_of(2023) is None
    assert windowed.window_of(2024) == (2024, 2028)
    assert windowed.window_of(2028) == (2024, 2028)
    assert windowed.window_of(2029) == (2029, 2033)
    assert _one(window_start=2025, window_years=3).window_of(2031) == (2031, 2033)


def test_missing_and_malformed_rules_files(tmp_path: Path) -> None:
    missing = tmp_path / "absent.json"
    with pytest.raises(InvalidValueError) as raised:
        load_rules_file(missing)
    assert raised.value.message == "cannot read rules file: no such file or folder"  # one wording
    assert raised.value.source is not None
    assert raised.value.source.file == str(missing)
    toml = tmp_path / "rules.toml"
    toml.write_text('[[schedule]]\nid = "x"\nbad = \n', encoding="utf-8")
    with pytest.raises(InvalidValueError) as raised:
        load_rules_file(toml)
    assert raised.value.source is not None
    assert values(raised.value.source.file, raised.value.source.line) == (str(toml), 3)
    broken = tmp_path / "rules.json"
    broken.write_text('{\n  "schedules": [\n    oops\n', encoding="utf-8")
    with pytest.raises(InvalidValueError) as raised:
        load_rules_file(broken)
    assert raised.value.source is not None
    assert raised.value.source.line == 3


def test_schedule_lookup_by_id() -> None:
    book = Rulebook.default().with_schedules([_one()])
    assert book.schedule("pc302").joint_commission == PC302
    with pytest.raises(KeyError, match="'nope'"):
        book.schedule("nope")


def test_fla_regime_reads_the_dated_facts() -> None:
    facts = (
        FlaFact(date(2030, 1, 1), "fla-in-force", "in force", "test"),
        FlaFact(date(2032, 1, 1), "fla-abolished-effect", "abolished", "test"),
    )
    book = attrs.evolve(Rulebook.default(), fla_facts=facts)
    assert [book.fla_regime(y) for y in (2029, 2030, 2031, 2032)] == [
        FlaRegime.BEFORE_FLA,
        FlaRegime.REGISTRATION_OWED,
        FlaRegime.REGISTRATION_OWED,
        FlaRegime.ABOLISHED,
    ]
    half = attrs.evolve(Rulebook.default(), fla_facts=facts[:1])  # no abolition: the default
    assert half.fla_regime(2031) is FlaRegime.for_year(2031)
    other_half = attrs.evolve(Rulebook.default(), fla_facts=facts[1:])
    assert other_half.fla_regime(2031) is FlaRegime.for_year(2031)


def test_a_caller_override_names_itself() -> None:
    got = Rulebook.default().resolve(PC302, SizeBand.FROM_20, 2025, override_days=Fraction(6))
    ref = RuleRef("override", "full-time days given by the caller", "caller override")
    assert got.rule == ref
    assert got.rules == (ref,)
    assert values(got.legal_days, got.sector_days) == (6, 0)


def _statutory(first: int) -> StatutoryRule:
    return StatutoryRule(
        id="law",
        title="statutory test",
        source="test",
        valid_from=date(first, 1, 1),
        valid_to=None,
        days=dict.fromkeys(SizeBand, Fraction(5)),
    )


def test_a_complement_alone_before_the_statutory_right() -> None:
    extra = _one(id="pc302-extra", kind="complement", valid_from="2022-01-01", days={"2022": "1"})
    book = Rulebook(statutory=(_statutory(2023),), schedules=(extra,))
    got = book.resolve(PC302, SizeBand.FROM_20, 2022)
    assert got == type(got)(
        Regime.SECTOR, None, Fraction(1), extra.ref, (extra.ref,), schedule=extra
    )
    assert got.total_days == 1


def test_a_complement_on_top_of_a_replace_and_of_the_statutory_days() -> None:
    replace = _one(id="pc302-replace", days={"2024": "3", "2026": "5"})
    extra = _one(id="pc302-extra", kind="complement", days={"2024": "1", "2025": "2"})
    book = Rulebook(statutory=(_statutory(2023),), schedules=(replace, extra))
    on_replace = book.resolve(PC302, SizeBand.FROM_20, 2024)
    assert values(on_replace.regime, on_replace.legal_days, on_replace.sector_days) == (
        Regime.SECTOR,
        3,
        1,
    )
    assert on_replace.rules == (replace.ref, extra.ref)
    assert on_replace.schedule == replace
    on_law = book.resolve(PC302, SizeBand.FROM_20, 2025)
    assert values(on_law.regime, on_law.legal_days, on_law.sector_days) == (Regime.SECTOR, 5, 2)
    assert on_law.rule == extra.ref
    assert on_law.schedule == extra


def test_between_equally_specific_schedules_the_last_added_wins() -> None:
    first = _one(id="a", days={"2024": "3", "2025": "5"})
    second = _one(id="b", days={"2024": "4", "2025": "5"})
    book = Rulebook(statutory=(), schedules=(first, second))
    assert book.resolve(PC302, SizeBand.FROM_20, 2024).legal_days == 4


def test_shipped_statutory_rules_carry_titles() -> None:
    assert all(rule.title.strip() for rule in Rulebook.default().statutory)


def test_zero_and_fractional_complement_days_are_valid() -> None:
    schedule = _one(kind="complement", days={"2024": "0", "2025": "0.5"})
    assert dict(schedule.days) == {2024: Fraction(0), 2025: Fraction(1, 2)}


def test_negative_and_unreadable_days_and_dates_name_the_value() -> None:
    bad = _schedule(valid_from=20240101, valid_to="2024-13-01", days={"2024": "-1", "2025": "abc"})
    assert _errors({"schedules": [bad]}) == [
        "r.json: invalid date 20240101: expected YYYY-MM-DD @ $.schedules[0].valid_from",
        "r.json: invalid date '2024-13-01': expected YYYY-MM-DD @ $.schedules[0].valid_to",
        "r.json: negative number of days '-1' @ $.schedules[0].days.2024",
        "r.json: invalid number of days 'abc' @ $.schedules[0].days.2025",
    ]


def test_a_tiny_day_count_is_written_out_in_the_floor_message() -> None:
    (line,) = _errors({"schedules": [_schedule(days={"2024": "0.0000001", "2025": "5"})]})
    assert "gives 0.0000001 day(s) in 2024" in line


def test_every_problem_of_a_rules_document_is_reported_with_its_path() -> None:
    good = _schedule(id="x")
    bad = dict(
        good,
        id="  ",
        colour="red",
        title=7,
        band="30+",
        kind="swap",
        joint_commission="abc",
        days={"24": "3"},
    )
    document = {"schedules": [5, bad, dict(good), dict(good)], "extra": 1}
    assert _errors(document) == [
        "r.json: unknown key(s) ['extra'] in rules file @ $",
        "r.json: a schedule must be an object, got 5 @ $.schedules[0]",
        "r.json: unknown key(s) ['colour'] in schedule @ $.schedules[1]",
        "r.json: expected non-empty text, got '  ' @ $.schedules[1].id",
        "r.json: invalid joint committee 'ABC': expected CCC, CCC.CC, CCC.CC.CC, 999 or XXX"
        " @ $.schedules[1].joint_commission",
        "r.json: invalid value '30+': expected one of '<10', '10-19', '20+' @ $.schedules[1].band",
        "r.json: invalid value 'swap': expected one of 'replace', 'complement'"
        " @ $.schedules[1].kind",
        "r.json: expected non-empty text, got 7 @ $.schedules[1].title",
        "r.json: schedule: invalid year '24' @ $.schedules[1].days.24",
        "r.json: duplicate schedule id 'x' @ $.schedules[3].id",
    ]
