"""The year asked for: refused outside the rules' coverage, and a warning when the data end first.

Issue 12 item 4: ``compute_entitlements`` for 1990, 2099 or ``25`` silently returned no
result. The rules answer from 2017 (the Law of 5 March 2017 regime, answered "no individual
yearly right before 2023": T-PRO-3, T-PRO-4) to the end of the open-ended statutory rule.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, get_overloads

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer.errors import InvalidValueError
from mycareer.fla import (
    Overrides,
    Rulebook,
    SizeBand,
    compute_entitlements,
    entitlement_for,
    project_entitlements,
)
from mycareer.fla.rulebook import ScheduleKind, SectorSchedule
from mycareer.fla.years import (
    DATA_END_BEFORE_YEAR,
    check_year,
    covered_years,
    data_end_finding,
)
from mycareer.joint_commission import JointCommission
from mycareer.quarter import Quarter

from ._build import ACME, ANN, employment, occupation

BOOK = Rulebook.default()


@pytest.mark.parametrize("year", [25, 1990, 2016, 10_000, -2024])
def test_a_year_outside_the_rules_is_refused_naming_the_covered_range(year: int) -> None:
    with pytest.raises(InvalidValueError, match=r"year -?\d+ is outside .* \(2017 to 9999\)"):
        check_year(year, BOOK)


@pytest.mark.parametrize("year", [2017, 2022, 2023, 2024, 2099, 9999])
def test_a_covered_year_is_accepted(year: int) -> None:
    assert check_year(year, BOOK) == year


@pytest.mark.parametrize("year", [True, "2024", 2024.0, None])
def test_a_year_that_is_not_a_whole_number_is_refused(year: object) -> None:
    with pytest.raises(InvalidValueError, match="whole number"):
        check_year(year, BOOK)


def test_an_override_of_the_days_answers_an_earlier_year() -> None:
    # T-PRO-3: the 2017-regime fallback is computed with the caller's A.
    overrides = Overrides(full_time_days={ACME.key: Fraction(2)})
    assert check_year(2010, BOOK, overrides) == 2010


def test_a_sector_schedule_from_an_earlier_year_widens_the_coverage() -> None:
    schedule = SectorSchedule(
        id="pc999-old",
        joint_commission=JointCommission("330"),
        band=SizeBand.FROM_20,
        kind=ScheduleKind.REPLACE,
        days={2012: Fraction(2)},
        title="old agreement",
        source="https://example.org/cao",
        valid_from=date(2012, 1, 1),
        valid_to=date(2012, 12, 31),
    )
    assert covered_years(BOOK.with_schedules([schedule])) == (2012, 9999)


def test_every_entry_point_checks_the_year() -> None:
    records = employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Quarter(2024, 4))
    with pytest.raises(InvalidValueError, match="2017 to 9999"):
        compute_entitlements(records, year=1990)
    with pytest.raises(InvalidValueError, match="2017 to 9999"):
        entitlement_for(ACME, ANN, 1990, [occupation(date(1990, 1, 1))], band=SizeBand.FROM_20)
    with pytest.raises(InvalidValueError, match="2017 to 9999"):
        project_entitlements(records, as_of=date(2024, 12, 31), year=10_000)


def test_data_ending_before_the_year_is_said_and_points_to_the_projection() -> None:
    records = employment(ACME, ANN, date(2023, 1, 1), None, last_quarter=Quarter(2024, 4))
    assert compute_entitlements(records, year=2026) == ()
    finding = data_end_finding(records, 2026)
    assert finding is not None
    assert finding.code == DATA_END_BEFORE_YEAR
    assert "2024 Q4" in finding.message
    assert "--project" in finding.message
    assert data_end_finding(records, 2024) is None
    assert data_end_finding([], 2026) is None


@given(
    years=st.lists(st.integers(2017, 2030), min_size=1, max_size=6),
    asked=st.integers(2017, 2032),
)
def test_data_end_finding_exactly_when_no_quarter_reaches_the_year(
    years: list[int], asked: int
) -> None:
    records = [
        rec
        for year in years
        for rec in employment(
            ACME, ANN, date(year, 1, 1), date(year, 3, 31), last_quarter=Quarter(year, 1)
        )
    ]
    assert (data_end_finding(records, asked) is None) == (max(years) >= asked)


def test_cli_refuses_a_year_outside_the_rules(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mycareer", "entitlements", "--year", "1990", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "year 1990 is outside the years the rules cover (2017 to 9999)" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_year_is_required_by_the_types_and_at_run_time() -> None:
    """Issue 12 item 4: a call without the year is a mypy error, not a late TypeError.

    Every typed signature of ``compute_entitlements`` requires ``year`` (no default),
    so ``mypy --strict`` refuses ``compute_entitlements(records, declarations)``; an
    untyped caller still gets a TypeError naming the year.
    """
    signatures = [inspect.signature(f) for f in get_overloads(compute_entitlements)]
    assert len(signatures) == 2
    for signature in signatures:
        year = signature.parameters["year"]
        assert year.default is inspect.Parameter.empty
        assert year.annotation in ("int", int)
    untyped: Any = compute_entitlements
    with pytest.raises(TypeError, match="needs the year"):
        untyped([], [])
