"""Reading a vendor rules file: the cases mutation testing showed untested (docs/mutation.md).

Every refusal is one error line naming the file, the value (cut to 80 characters) and the
path of the key; the expected lines are written out here from the documented behaviour
(docs/training-right.md, "Sector agreements" and the rules-file keys), not taken from the
code. The sector-agreement checks (R-CAO-2, -3, -4) use the statutory days of
docs/training-right.md (20+ band: 4 in 2023, 5 from 2024; 10-19 band: 1) unless a test
gives its own statutory rule.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, flatten_errors
from mycareer.fla.rulebook import (
    ResetPolicy,
    Rulebook,
    SectorSchedule,
    StatutoryRule,
    load_rules_file,
    parse_schedules,
)
from mycareer.fla.rules_file import counting_rule
from mycareer.fla.values import SizeBand, Texts


def _schedule(**changes: Any) -> dict[str, Any]:
    """A PC 302 schedule for the 20+ band that keeps R-CAO-2 to R-CAO-4; ``None`` drops a key."""
    raw: dict[str, Any] = {
        "id": "pc302",
        "joint_commission": "302",
        "band": "20+",
        "kind": "replace",
        "title": "PC 302 test schedule",
        "source": "test",
        "valid_from": "2024-01-01",
        "filed": "2023-09-01",  # lowers 2024 (3 < 5): filed by 30 September 2023
        "days": {"2024": "3", "2028": "5"},  # rises to 5
    }
    raw.update(changes)
    return {key: value for key, value in raw.items() if value is not None}


def _one(**changes: Any) -> SectorSchedule:
    (schedule,) = parse_schedules({"schedules": [_schedule(**changes)]}, file="r.json")
    return schedule


def _lines(*schedules: object, statutory: tuple[StatutoryRule, ...] | None = None) -> list[str]:
    with pytest.raises(MycareerErrorGroup) as raised:
        parse_schedules({"schedules": list(schedules)}, file="r.json", statutory=statutory)
    return flatten_errors(raised.value)


def _law(days: int, first: int = 2023) -> StatutoryRule:
    """A statutory rule giving ``days`` to every band from ``first`` on (not the law)."""
    return StatutoryRule(
        id="law",
        title="statutory test",
        source="test",
        valid_from=date(first, 1, 1),
        valid_to=None,
        days=dict.fromkeys(SizeBand, Fraction(days)),
    )


# Days


def test_a_list_as_days_is_no_number_however_long() -> None:
    twenty = "[" + ", ".join(["0"] * 20) + "]"  # 60 characters: refused as no number
    assert _lines(_schedule(days={"2024": [0] * 20})) == [
        f"r.json: invalid number of days {twenty} @ $.schedules[0].days.2024"
    ]


def test_a_number_of_days_is_read_up_to_40_characters() -> None:
    forty = "0" * 37 + "5/2"
    assert _one(days={"2024": forty, "2028": "5"}).days[2024] == Fraction(5, 2)
    longer = "0" + forty
    assert _lines(_schedule(days={"2024": longer, "2028": "5"})) == [
        f"r.json: invalid number of days '{longer}': longer than 40 characters"
        " @ $.schedules[0].days.2024"
    ]


def test_days_must_be_a_non_empty_table() -> None:
    nothing: tuple[object, ...] = (None, {}, [], "3")
    for days in nothing:
        assert _lines(_schedule(days=days)) == [
            "r.json: schedule 'pc302': days must be a non-empty year → days object"
            " @ $.schedules[0].days"
        ], days


def test_a_bad_year_does_not_hide_the_next_entries() -> None:
    assert _lines(_schedule(days={"24": "3", "2025": "x", "2028": "5"})) == [
        "r.json: schedule 'pc302': invalid year '24' @ $.schedules[0].days.24",
        "r.json: invalid number of days 'x' @ $.schedules[0].days.2025",
    ]


# Dates


def test_valid_from_and_a_given_filing_date_are_required() -> None:
    assert _lines(_schedule(valid_from=None)) == [
        "r.json: invalid date None: expected YYYY-MM-DD @ $.schedules[0].valid_from"
    ]
    # JSON null is no filing date: "unknown" says it is not known (R-CAO-4)
    raw = _schedule()
    raw["filed"] = None
    assert _lines(raw) == ["r.json: invalid date None: expected YYYY-MM-DD @ $.schedules[0].filed"]


def test_valid_to_may_not_come_before_valid_from() -> None:
    assert _lines(_schedule(valid_to="2023-12-31")) == [
        "r.json: schedule 'pc302': valid_to 2023-12-31 is before valid_from 2024-01-01"
        " @ $.schedules[0].valid_to"
    ]
    assert _one(valid_to="2024-01-01").valid_to == date(2024, 1, 1)  # one day is a validity
    # an unreadable valid_from is one error, not compared with valid_to
    assert _lines(_schedule(valid_from="2024-02-30", valid_to="2024-12-31")) == [
        "r.json: invalid date '2024-02-30': expected YYYY-MM-DD @ $.schedules[0].valid_from"
    ]


def test_filing_date_and_granted_days_errors_name_their_key() -> None:
    assert _lines(_schedule(filed="soon", days_on_2023_01_01="-1")) == [
        "r.json: invalid date 'soon': expected YYYY-MM-DD @ $.schedules[0].filed",
        "r.json: negative number of days '-1' @ $.schedules[0].days_on_2023_01_01",
    ]


# Windows (B-7)


@pytest.mark.parametrize(
    ("key", "value", "line"),
    [
        ("window_start", "2024", "invalid window_start '2024'"),
        ("window_start", True, "invalid window_start True"),
        ("window_start", 10000, "invalid window_start 10000: beyond 9999"),
        ("window_start", -10000, "invalid window_start -10000: beyond 9999"),
        ("window_years", 0, "invalid window_years 0"),
        ("window_years", -3, "invalid window_years -3"),
        ("window_years", 2.5, "invalid window_years 2.5"),
        ("window_years", 10000, "invalid window_years 10000: beyond 9999"),
    ],
)
def test_window_numbers_are_whole_and_bounded(key: str, value: object, line: str) -> None:
    assert _lines(_schedule(**{key: value})) == [f"r.json: {line} @ $.schedules[0].{key}"]


def test_window_number_boundaries_and_defaults() -> None:
    assert _one(window_start=9999).window_start == 9999
    assert _one(window_years=1).window_years == 1
    assert _one(window_years=9999).window_years == 9999
    default = _one()
    assert (default.window_start, default.window_years, default.reset) == (
        None,
        5,
        ResetPolicy.RESET,
    )
    assert _one(reset="carry-over").reset is ResetPolicy.CARRY_OVER
    assert _lines(_schedule(reset="never")) == [
        "r.json: invalid value 'never': expected one of 'reset', 'carry-over'"
        " @ $.schedules[0].reset"
    ]


def test_window_unsourced_is_said_in_three_languages() -> None:
    assert _one(window_unsourced="no source").window_unsourced == Texts(
        "no source", "no source", "no source"
    )
    three = {"en": "no source", "fr": "sans source", "nl": "zonder bron"}
    assert _one(window_unsourced=three).window_unsourced == Texts(
        "no source", "sans source", "zonder bron"
    )
    assert _one(window_source="sector fund rules").window_source == "sector fund rules"
    assert _lines(_schedule(window_source="fund", window_unsourced="no source")) == [
        "r.json: give window_source or window_unsourced, not both @ $.schedules[0].window_unsourced"
    ]
    assert _lines(_schedule(window_unsourced=" ", window_source=" ")) == [
        "r.json: expected non-empty text, got ' ' @ $.schedules[0].window_source",
        "r.json: give window_source or window_unsourced, not both"
        " @ $.schedules[0].window_unsourced",
        "r.json: expected non-empty text, got ' ' @ $.schedules[0].window_unsourced",
    ]


# Identity and texts


def test_a_missing_committee_is_named_as_empty() -> None:
    assert _lines(_schedule(joint_commission=None)) == [
        "r.json: invalid joint committee '': expected CCC, CCC.CC, CCC.CC.CC, 999 or XXX"
        " @ $.schedules[0].joint_commission"
    ]


def test_the_agreement_number_is_kept() -> None:
    assert _one(cao="181682/CO/200").cao == "181682/CO/200"
    assert _one().cao is None


def test_texts_in_three_languages_and_their_errors() -> None:
    assert _one(title="  PC 302  ").title == "PC 302"  # stripped
    assert _lines(_schedule(title={"en": "x", "de": "y"})) == [
        "r.json: expected text, or an object with exactly the keys 'en', 'fr', 'nl';"
        " got keys ['de', 'en'] @ $.schedules[0].title"
    ]
    assert _lines(_schedule(source={"en": "s", "fr": "", "nl": "b"})) == [
        "r.json: expected non-empty text, got '' @ $.schedules[0].source.fr"
    ]


def test_a_text_is_at_most_4096_characters() -> None:
    assert len(_one(source="s" * 4096).source) == 4096
    shown = "'" + "s" * 80 + "'… (4097 chars)"
    assert _lines(_schedule(source="s" * 4097)) == [
        f"r.json: invalid text {shown}: longer than 4096 characters @ $.schedules[0].source"
    ]


# The document


def test_a_document_without_a_schedule_list() -> None:
    documents: tuple[object, ...] = ([], {"schedules": {"id": "x"}}, {"format": "x"})
    for document in documents:
        with pytest.raises(MycareerErrorGroup) as raised:
            parse_schedules(document, file="r.json")
        assert flatten_errors(raised.value) == [
            "r.json: a rules file needs a list 'schedules' ([[schedule]] in TOML) @ $.schedules"
        ]
    assert parse_schedules({"schedule": [_schedule()]})[0].id == "pc302"  # TOML's form


def test_the_error_group_names_the_file_or_says_it_has_none() -> None:
    with pytest.raises(MycareerErrorGroup) as raised:
        parse_schedules({"schedules": [5]}, file="r.json")
    assert raised.value.message == "invalid rules file r.json"
    with pytest.raises(MycareerErrorGroup) as raised:
        parse_schedules({"schedules": [5]})
    assert raised.value.message == "invalid rules file <document>"
    [error] = raised.value.exceptions
    assert isinstance(error, InvalidValueError)
    assert error.source is None
    assert flatten_errors(raised.value) == ["a schedule must be an object, got 5 @ $.schedules[0]"]


def test_a_duplicate_id_does_not_stop_the_reading() -> None:
    assert _lines(_schedule(), _schedule(), _schedule(id="other", kind="swap")) == [
        "r.json: duplicate schedule id 'pc302' @ $.schedules[1].id",
        "r.json: invalid value 'swap': expected one of 'replace', 'complement'"
        " @ $.schedules[2].kind",
    ]


def test_at_most_1000_errors_then_the_rest_is_counted() -> None:
    lines = _lines(*([5] * 1002))  # one error each
    assert len(lines) == 1001
    assert lines[999] == "r.json: a schedule must be an object, got 5 @ $.schedules[999]"
    assert lines[1000] == (
        "r.json: 2 more schedule(s) not checked (at most 1000 errors per input) @ $.schedules[1000]"
    )


# TOML


def _toml_error(tmp_path: Path, content: bytes) -> InputError:
    path = tmp_path / "rules.toml"
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        load_rules_file(path)
    assert raised.value.source is not None
    assert raised.value.source.file == str(path)
    return raised.value


def test_toml_that_is_no_utf8_or_no_toml(tmp_path: Path) -> None:
    error = _toml_error(tmp_path, b'id = "\xff"\n')
    assert error.message.startswith("malformed rules file: 'utf-8' codec can't decode byte 0xff")
    assert error.source is not None
    assert error.source.line is None  # a decoding error has no line
    error = _toml_error(tmp_path, b'[[schedule]]\nid = "x"\nbad = \n')
    assert error.message.startswith("malformed rules file: Invalid value (at line 3")
    assert error.source is not None
    assert error.source.line == 3


def test_toml_numbers_beyond_the_bounds(tmp_path: Path) -> None:
    error = _toml_error(tmp_path, b"[[schedule]]\n[schedule.days]\n2024 = 1e400\n")
    assert error.message == "invalid TOML number '1e400': exponent beyond ±30"
    digits = b"9" * 5000  # Python's int() refuses more than 4300 digits
    error = _toml_error(tmp_path, b"[[schedule]]\n[schedule.days]\n2024 = " + digits + b"\n")
    assert error.message.startswith(
        "malformed rules file: ValueError: 'Exceeds the limit (4300 digits) for integer"
    )
    assert error.message.endswith("'… (140 chars)")  # Python's message, cut to 80
    assert error.source is not None
    assert error.source.line is None


def test_toml_nesting_is_bounded_at_64_levels(tmp_path: Path) -> None:
    deep = b"a = " + b"[" * 64 + b"]" * 64 + b"\n"  # 65 levels with the document
    error = _toml_error(tmp_path, deep)
    assert error.message == "TOML nested deeper than 64 levels: refused"
    assert error.source is not None
    assert error.source.line is None
    path = tmp_path / "ok.toml"
    path.write_bytes(b"a = " + b"[" * 63 + b"]" * 63 + b"\n")  # 64 levels: read
    with pytest.raises(MycareerErrorGroup) as raised:
        load_rules_file(path)
    assert flatten_errors(raised.value) == [
        f"{path}: unknown key(s) ['a'] in rules file @ $",
        f"{path}: a rules file needs a list 'schedules' ([[schedule]] in TOML) @ $.schedules",
    ]


# The shipped citations


def test_the_counting_rule_and_statutory_texts_are_read_in_three_languages() -> None:
    book = Rulebook.default()
    counting = book.counting
    assert counting is not None
    assert counting.id == "count-art-50"
    assert counting.title_texts is not None
    assert counting.source_texts is not None
    assert counting.title == counting.title_texts.en
    assert counting.title_texts.fr.startswith("Loi du 3 octobre 2022 (deal pour l'emploi)")
    assert counting.source == counting.source_texts.en
    assert "art. 50 §2" in counting.source_texts.nl
    later = next(rule for rule in book.statutory if rule.id == "statutory-2024")
    assert later.title_texts is not None
    assert later.title_texts.nl.endswith("individueel opleidingsrecht vanaf 2024")
    assert later.source_texts is not None
    assert later.source_texts.fr.startswith("Loi du 3 oct. 2022, art. 52 (jours)")


def test_a_bad_counting_citation_names_its_key() -> None:
    for key, path in (("title", "counting.title"), ("source", "counting.source")):
        document = {"counting": {"id": "c", "title": "t", "source": "s", key: ""}}
        with pytest.raises(InvalidValueError) as raised:
            counting_rule(document)
        assert raised.value.path == path


# Sector agreements (R-CAO-2, -3, -4)


def test_r_cao_4_a_missing_filing_date_is_said() -> None:
    assert _lines(_schedule(filed=None)) == [
        "r.json: schedule 'pc302': 3 days in 2024, below the statutory 5: say when the"
        " agreement was filed with FPS Employment (filed: YYYY-MM-DD, or 'unknown'); lowering"
        " 2023-2024 needed an agreement filed by 30 September 2023 (R-CAO-4)"
        " @ $.schedules[0].filed"
    ]


def test_r_cao_4_filed_on_30_september_2023_is_in_time_the_day_after_is_not() -> None:
    assert _one(filed="2023-09-30").filed == date(2023, 9, 30)
    assert _lines(_schedule(filed="2023-10-01")) == [
        "r.json: schedule 'pc302': 3 days in 2024, below the statutory 5, but the agreement"
        " was filed on 2023-10-01, after 30 September 2023, the last day to file one lowering"
        " 2023-2024 (R-CAO-4) @ $.schedules[0].filed"
    ]


def test_r_cao_4_only_2023_and_2024_need_a_filing_date() -> None:
    """With a (made-up) law also covering 2022, lowering 2022 needs no filing date and does
    not hide that lowering 2024 does."""
    raw = _schedule(filed=None, valid_from="2022-01-01", days={"2022": "3", "2024": "4"})
    raw["days"]["2025"] = "5"
    assert _lines(raw, statutory=(_law(5, first=2022),)) == [
        "r.json: schedule 'pc302': 4 days in 2024, below the statutory 5: say when the"
        " agreement was filed with FPS Employment (filed: YYYY-MM-DD, or 'unknown'); lowering"
        " 2023-2024 needed an agreement filed by 30 September 2023 (R-CAO-4)"
        " @ $.schedules[0].filed"
    ]


def test_days_at_or_above_the_law_lower_nothing() -> None:
    """R-CAO-2 and -4 bind only a schedule giving fewer days than the law: 5 or 6 days a
    year from 2024, flat and without a filing date, is accepted."""
    for days in ("5", "6"):
        flat = _one(filed=None, days={"2024": days, "2025": days})
        assert flat.days == {2024: Fraction(days), 2025: Fraction(days)}


def test_the_statutory_rules_given_are_the_ones_compared_with() -> None:
    flat = _schedule(filed=None, days={"2024": "3", "2025": "3"})
    assert parse_schedules({"schedules": [flat]}, statutory=())[0].days[2025] == 3  # no law
    assert len(_lines(flat)) == 2  # under the shipped law: no growth path, no filing date


def test_r_cao_2_reaching_5_days_is_a_growth_path_even_under_a_higher_law() -> None:
    """The path leads *towards 5 days*: ending at 5 is enough, whatever the law gives."""
    kept = _schedule(days={"2024": "5", "2025": "5"})
    (schedule,) = parse_schedules({"schedules": [kept]}, statutory=(_law(6),))
    assert schedule.days[2025] == 5


def test_r_cao_2_a_fall_is_one_error_not_two() -> None:
    assert _lines(_schedule(days={"2024": "4", "2025": "3"})) == [
        "r.json: schedule 'pc302': 3 days in 2025, down from 4 in 2024: a schedule below the"
        " statutory days must follow a growth path towards 5 days (R-CAO-2)"
        " @ $.schedules[0].days.2025"
    ]


def test_r_cao_3_no_step_back_says_day_or_days() -> None:
    """The 10-19 band (1 statutory day) has no growth path, but R-CAO-3 binds every band."""
    raw = _schedule(band="10-19", days_on_2023_01_01="2.5", days={"2024": "1", "2025": "2"})
    raw["days"]["2026"] = "3"
    granted = "the 2.5 days the sector already granted on 1 January 2023 (days_on_2023_01_01)"
    assert _lines(raw) == [
        f"r.json: schedule 'pc302': 1 day in 2024, below {granted}: no step backwards"
        " (R-CAO-3) @ $.schedules[0].days.2024",
        f"r.json: schedule 'pc302': 2 days in 2025, below {granted}: no step backwards"
        " (R-CAO-3) @ $.schedules[0].days.2025",
    ]


def test_r_cao_3_binds_only_above_2_days_and_allows_equal_days() -> None:
    two = _one(band="10-19", days_on_2023_01_01="2", days={"2024": "1", "2025": "1"})
    assert two.days_on_2023_01_01 == 2
    equal = _one(days_on_2023_01_01="3", days={"2024": "3", "2028": "5"})
    assert equal.days[2024] == 3
