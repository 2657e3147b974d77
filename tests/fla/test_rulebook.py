"""The rulebook: resolution order, vendor rules files, validation, snapshot.

Snapshot (holidays-style): ``data/rulebook_snapshot.json`` holds the resolved
table (joint committee × band × year 2022–2031) of the shipped rules. A change of
the rules data shows up as a diff here. After a *deliberate* change, regenerate:

    .venv/bin/python -m tests.fla.test_rulebook

and review the diff of ``tests/fla/data/rulebook_snapshot.json`` before committing.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from mycareer.errors import InvalidValueError, MycareerErrorGroup, flatten_errors
from mycareer.fla import (
    FlaRegime,
    Regime,
    Rulebook,
    ScheduleKind,
    SizeBand,
    load_rules_file,
)
from mycareer.joint_commission import JointCommission

SNAPSHOT = Path(__file__).parent / "data" / "rulebook_snapshot.json"
SNAPSHOT_COMMITTEES = ("111", "124", "200", "200.01", "302", "999")
SNAPSHOT_YEARS = range(2022, 2032)

PC302 = {
    "id": "pc302-20plus",
    "joint_commission": "302",
    "band": "20+",
    "kind": "replace",
    "title": "PC 302 (fictitious vendor schedule)",
    "source": "vendor test",
    "valid_from": "2024-01-01",
    "valid_to": "2026-12-31",
    "filed": "2023-09-01",  # lowering 2024 needs an agreement filed by 30 Sep 2023 (R-CAO-4)
    "days": {"2024": "2", "2025": "2.5", "2026": 3},
}


def _table() -> list[dict[str, str | None]]:
    return Rulebook.default().table(SNAPSHOT_COMMITTEES, SNAPSHOT_YEARS)


def test_resolved_table_matches_the_committed_snapshot() -> None:
    assert json.loads(SNAPSHOT.read_text("utf-8")) == _table()


def test_resolution_order() -> None:
    """Override → sector REPLACE → statutory from 2023 → no rule (docs/training-right.md)."""
    book = Rulebook.default()
    pc200 = JointCommission("200")
    assert book.resolve(pc200, SizeBand.FROM_20, 2025, override_days=Fraction(6)).regime is (
        Regime.OVERRIDE
    )
    sector = book.resolve(pc200, SizeBand.FROM_20, 2025)
    assert sector.regime is Regime.SECTOR
    assert sector.legal_days == 3
    after = book.resolve(pc200, SizeBand.FROM_20, 2029)  # the CAO path ends in 2028
    assert after.regime is Regime.STATUTORY
    assert after.legal_days == 5
    none = book.resolve(pc200, SizeBand.FROM_20, 2022)
    assert (none.regime, none.total_days) == (Regime.NONE, None)
    assert none.reason
    sub = book.resolve(JointCommission("200.01"), SizeBand.FROM_20, 2026)
    assert sub.legal_days == 4  # a sub-committee falls under its committee's schedule


def test_every_shipped_rule_has_a_source_and_dates() -> None:
    book = Rulebook.default()
    for schedule in book.schedules:
        assert schedule.source.startswith("https://")
        assert schedule.valid_from.year >= 2023
    for rule in book.statutory:
        assert "https://" in rule.source
    events = {fact.event: fact.day.isoformat() for fact in book.fla_facts}
    assert events["fla-abolished-effect"] == "2025-01-01"
    assert events["fla-data-deleted"] == "2027-01-01"
    assert [book.fla_regime(y) for y in (2023, 2024, 2025, 2026)] == [
        FlaRegime.BEFORE_FLA,
        FlaRegime.REGISTRATION_OWED,
        FlaRegime.ABOLISHED,
        FlaRegime.ABOLISHED,
    ]


def test_vendor_schedule_from_json_and_toml(tmp_path: Path) -> None:
    json_file = tmp_path / "rules.json"
    json_file.write_text(json.dumps({"schedules": [PC302]}), "utf-8")
    toml_file = tmp_path / "rules.toml"
    toml_file.write_text(
        "\n".join(
            [
                "[[schedule]]",
                'id = "pc302-20plus"',
                'joint_commission = "302"',
                'band = "20+"',
                'kind = "replace"',
                'title = "PC 302 (fictitious vendor schedule)"',
                'source = "vendor test"',
                "valid_from = 2024-01-01",
                'valid_to = "2026-12-31"',
                "filed = 2023-09-01",
                "[schedule.days]",
                '2024 = "2"',
                "2025 = 2.5",
                "2026 = 3",
            ]
        ),
        "utf-8",
    )
    from_json = load_rules_file(json_file)
    from_toml = load_rules_file(toml_file)
    assert from_json == from_toml
    book = Rulebook.default().with_rules_file(toml_file)
    resolved = book.resolve(JointCommission("302"), SizeBand.FROM_20, 2025)
    assert (resolved.regime, resolved.legal_days) == (Regime.SECTOR, Fraction(5, 2))
    assert resolved.rule is not None
    assert resolved.rule.id == "pc302-20plus"


def test_vendor_schedule_replaces_a_shipped_one_by_id(tmp_path: Path) -> None:
    changed = dict(PC302, id="pc200-20plus-2024", joint_commission="200",
                   days={"2024": "4", "2025": "5"}, valid_to="2028-12-31")  # fmt: skip
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"schedules": [changed]}), "utf-8")
    book = Rulebook.default().with_rules_file(path)
    assert book.resolve(JointCommission("200"), SizeBand.FROM_20, 2024).legal_days == 4
    assert book.resolve(JointCommission("200"), SizeBand.FROM_20, 2026).regime is Regime.STATUTORY
    assert (
        Rulebook.default().resolve(JointCommission("200"), SizeBand.FROM_20, 2024).legal_days == 3
    )


def test_replace_below_two_days_for_twenty_plus_is_refused(tmp_path: Path) -> None:
    """R-CAO-2: a REPLACE schedule under 2 days for 20+ is refused, naming file and entry."""
    low = dict(PC302, days={"2024": "1.5", "2025": "2"})
    bad_kind = dict(PC302, id="other", kind="sometimes")
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps({"schedules": [low, bad_kind]}), "utf-8")
    with pytest.raises(MycareerErrorGroup) as caught:
        load_rules_file(path)
    lines = flatten_errors(caught.value)
    assert len(lines) == 2
    assert str(path) in lines[0]
    assert "'pc302-20plus'" in lines[0]
    assert "1.5 day(s) in 2024" in lines[0]
    assert "R-CAO-2" in lines[0]
    assert "$.schedules[0].days.2024" in lines[0]
    assert "$.schedules[1].kind" in lines[1]
    # Below 2 days is allowed for a COMPLEMENT or another band.
    ok = dict(PC302, kind=ScheduleKind.COMPLEMENT.value, days={"2024": "1"})
    path.write_text(json.dumps({"schedules": [ok]}), "utf-8")
    assert load_rules_file(path)[0].days == {2024: 1}


def test_malformed_rules_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[schedule]]\nid = "x"\nband = \n', "utf-8")
    with pytest.raises(InvalidValueError, match="malformed rules file") as caught:
        load_rules_file(path)
    assert "broken.toml:3" in str(caught.value)


def regenerate() -> None:
    """Rewrite the snapshot from the shipped rules (run after a deliberate change)."""
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_text(json.dumps(_table(), indent=1) + "\n", "utf-8")
    print(f"wrote {SNAPSHOT}")


if __name__ == "__main__":
    regenerate()
