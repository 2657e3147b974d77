"""Worked examples T-* of docs/training-right.md (individual right, 2023 onward).

Each test names its example ID and source. Expected values are the ones printed
by the sources named in each test, computed by hand, never by the code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from mycareer.fla import (
    Regime,
    RoundingPolicy,
    Rulebook,
    SizeBand,
    compute_entitlements,
    entitlement_for,
    reference_quarters,
    size_band,
    training_plan_threshold,
)
from mycareer.fla.entitlement import EntitlementOptions
from mycareer.quarter import Quarter

from ._build import ACME, ANN, employment, occupation, staff


def _full_year(year: int, *, jc: str = "111", q: int = 3800) -> list:  # type: ignore[type-arg]
    return [occupation(date(2015, 1, 1), quarter=Quarter(year, n), jc=jc, q=q) for n in range(1, 5)]


# --- 4.1 pro-rata ------------------------------------------------------------------


def test_t_pro_1_securex_hired_29_april_80_percent() -> None:
    """T-PRO-1 (Securex NL 7 Nov 2022): 20+, 2024, 80 %, hired 29 Apr → 5 × 0.8 × 9/12 = 3."""
    lines = [occupation(date(2024, 4, 29), q=3040, quarter=Quarter(2024, n)) for n in (2, 3, 4)]
    result = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert result.days_exact == 3
    assert result.days == Decimal("3.0000")
    assert result.months_employed == 9
    assert result.regime is Regime.STATUTORY
    assert result.hours == Fraction(228, 10)  # 3 days × 38 h ÷ 5 (B-6 default)


def test_t_pro_2_regiotalent_hired_29_march_exact_and_rounded_down() -> None:
    """T-PRO-2 (regiotalent): 40 FTE, 2024, 80 %, hired 29 Mar → 10/3; the source prints 3 (B-5)."""
    lines = [occupation(date(2024, 3, 29), q=3040, quarter=Quarter(2024, n)) for n in (1, 2, 3, 4)]
    exact = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert exact.days_exact == Fraction(10, 3)
    assert exact.days == Decimal("3.3333")
    down = entitlement_for(
        ACME, ANN, 2024, lines, band=SizeBand.FROM_20,
        options=EntitlementOptions(rounding=RoundingPolicy.DOWN),
    )  # fmt: skip
    assert down.days == Decimal("3.0000")
    assert down.days_exact == Fraction(10, 3)  # the exact value is kept


def test_t_pro_3_old_2017_regime_same_formula_via_override() -> None:
    """T-PRO-3 (Securex FR, 2017 fallback regime): A = 2, half-time, 6 months → 0.5 day.

    The 2017 regime itself is out of scope (no rulebook entry); the same formula is
    tested by giving A = 2 as a caller override.
    """
    lines = [occupation(date(2024, 1, 1), date(2024, 6, 30), q=1900, quarter=Quarter(2024, n))
             for n in (1, 2)]  # fmt: skip
    result = entitlement_for(
        ACME, ANN, 2024, lines, band=SizeBand.FROM_20, full_time_days=Fraction(2)
    )
    assert result.days_exact == Fraction(1, 2)
    assert result.regime is Regime.OVERRIDE


def test_t_pro_4_two_year_right_2022_is_out_of_scope() -> None:
    """T-PRO-4 (Securex NL 7 Mar 2022, PC 200 2022–23: 2 days per 2 years): out of scope.

    The two-year right of 2022 is not a yearly individual right; 2022 resolves to an
    explicit "no rule" with its reason.
    """
    result = entitlement_for(
        ACME, ANN, 2022, _full_year(2022, jc="200", q=1900), band=SizeBand.FROM_20
    )
    assert result.days is None
    assert result.days_exact is None
    assert result.regime is Regime.NONE
    assert result.no_rule_reason is not None
    assert "2023" in result.no_rule_reason


def test_t_pro_5_full_time_until_15_september() -> None:
    """T-PRO-5 (formula R-PRO-2): 20+, 2024, full-time 1 Jan – 15 Sep → 5 × 9/12 = 3.75."""
    lines = [occupation(date(2024, 1, 1), date(2024, 9, 15), quarter=Quarter(2024, n))
             for n in (1, 2, 3)]  # fmt: skip
    result = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert result.days == Decimal("3.7500")


def test_t_pro_6_hired_31_december_counts_one_month() -> None:
    """T-PRO-6 (formula R-PRO-2): hired 31 Dec 2024 → 5 × 1/12 = 0.4167 (a started month counts)."""
    lines = [occupation(date(2024, 12, 31))]
    result = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert result.days_exact == Fraction(5, 12)
    assert result.days == Decimal("0.4167")


def test_t_pro_7_band_10_19_half_time_full_year() -> None:
    """T-PRO-7 (bands + formula): 10–19, 2024, 50 %, full year → 0.5 day."""
    result = entitlement_for(ACME, ANN, 2024, _full_year(2024, q=1900), band=SizeBand.FROM_10_TO_19)
    assert result.days == Decimal("0.5000")


def test_t_pro_8_2023_twenty_plus_full_time() -> None:
    """T-PRO-8 (FPS professionals page; Securex; elron): 2023, 20+, full-time, full year → 4."""
    result = entitlement_for(ACME, ANN, 2023, _full_year(2023), band=SizeBand.FROM_20)
    assert result.days_exact == 4
    assert result.rule is not None
    assert result.rule.id == "statutory-2023"


# --- 4.2 size band -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("example", "fte", "band", "days"),
    [
        ("T-BAND-1", "9.99", SizeBand.BELOW_10, Fraction(0)),
        ("T-BAND-2", "10.00", SizeBand.FROM_10_TO_19, Fraction(1)),
        ("T-BAND-3", "19.99", SizeBand.FROM_10_TO_19, Fraction(1)),
        ("T-BAND-4", "20.00", SizeBand.FROM_20, Fraction(5)),
    ],
)
def test_t_band_1_to_4_boundaries_from_declared_quarters(
    example: str, fte: str, band: SizeBand, days: Fraction
) -> None:
    """T-BAND-1…4 (FPS wording "at least 10 and fewer than 20", B-1): half-open bands.

    The FTE is declared in the DmfA of every reference quarter of 2024–25
    (Q4 2022 – Q3 2023); the worker is full-time all of 2024.
    """
    hundredths = int(Decimal(fte) * 100)
    records = [r for q in reference_quarters(2024) for r in staff(ACME, q, hundredths)]
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Quarter(2024, 4))
    (result,) = [r for r in compute_entitlements(records, (), 2024) if r.niss == ANN]
    assert result.band is band, example
    assert result.average_fte == Decimal(fte)
    assert result.days_exact == days


@pytest.mark.parametrize(
    ("example", "year", "expected"),
    [
        ("T-BAND-5", 2024, ["20224", "20231", "20232", "20233"]),
        ("T-BAND-5", 2025, ["20224", "20231", "20232", "20233"]),
        ("T-BAND-6", 2022, ["20204", "20211", "20212", "20213"]),
        ("T-BAND-6", 2023, ["20204", "20211", "20212", "20213"]),
        ("T-BAND-7", 2026, ["20244", "20251", "20252", "20253"]),
        ("T-BAND-7", 2027, ["20244", "20251", "20252", "20253"]),
    ],
)
def test_t_band_5_6_7_reference_quarters(example: str, year: int, expected: list[str]) -> None:
    """T-BAND-5 (groups.be; Partena), T-BAND-6 (Partena EN; BECI), T-BAND-7 (R-COUNT-2, derived)."""
    assert [str(q) for q in reference_quarters(year)] == expected, example


def test_t_band_8_divisor_is_declared_quarters_only() -> None:
    """T-BAND-8 (R-COUNT-3): 8.0 and 12.0 FTE in 2 of 4 quarters → 10.0 → 10–19, not 5."""
    records = staff(ACME, Quarter(2022, 4), 800) + staff(ACME, Quarter(2023, 2), 1200)
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Quarter(2024, 4))
    (result,) = [r for r in compute_entitlements(records, (), 2024) if r.niss == ANN]
    assert result.band is SizeBand.FROM_10_TO_19
    assert result.average_fte == Decimal("10.0000")
    assert [str(q) for q in result.reference_quarters] == ["20224", "20232"]
    assert [str(q) for q in result.missing_quarters] == ["20231", "20233"]
    codes = [f.code for f in result.findings]
    assert "FLA_REFERENCE_QUARTERS_MISSING" in codes
    missing = next(f for f in result.findings if f.code == "FLA_REFERENCE_QUARTERS_MISSING")
    assert "20231" in missing.message
    assert "20233" in missing.message


def test_t_band_9_new_employer_fallback_on_first_quarter() -> None:
    """T-BAND-9 (R-COUNT-4, B-3): no reference declaration; 12 on 30 Jun 2024 → 10–19."""
    records = staff(ACME, Quarter(2024, 2), 1200)
    records += employment(ACME, ANN, date(2024, 5, 1), None, last_quarter=Quarter(2024, 4))
    (result,) = [r for r in compute_entitlements(records, (), 2024) if r.niss == ANN]
    assert result.fallback_used
    assert result.band is SizeBand.FROM_10_TO_19
    assert result.reference_quarters == ()
    assert result.days_exact == Fraction(8, 12)  # 1 day × 8 months (May–Dec)


def test_t_plan_1_and_2_training_plan_uses_an_annual_period() -> None:
    """T-PLAN-1 (Securex 5 Feb 2024) and T-PLAN-2 (sociaalkantoor): annual reference period."""
    assert [str(q) for q in training_plan_threshold(2024, {}).quarters] == [
        "20224", "20231", "20232", "20233",
    ]  # fmt: skip
    plan_2023 = training_plan_threshold(
        2023, {Quarter(2021, 4): 19, Quarter(2022, 1): 21, Quarter(2022, 3): 20}
    )
    assert [str(q) for q in plan_2023.quarters] == ["20214", "20221", "20222", "20223"]
    assert plan_2023.average_fte == Decimal("20.0000")
    assert plan_2023.required is True
    # The band for 2023 still uses the biennial period Q4 2020 – Q3 2021 (B-2).
    band_2023 = size_band("x", 2023, {Quarter(2020, 4): 8, Quarter(2021, 4): 25})
    assert band_2023.band is SizeBand.BELOW_10
    assert [str(q) for q in band_2023.reference_quarters] == ["20204"]


# --- 4.3 sector schedules ----------------------------------------------------------


def _yearly(jc: str, years: range, band: SizeBand = SizeBand.FROM_20) -> list[Fraction]:
    out = []
    for year in years:
        result = entitlement_for(ACME, ANN, year, _full_year(year, jc=jc), band=band)
        assert result.days_exact is not None
        out.append(result.days_exact)
    return out


def test_t_pc200_1_growth_path_2024_2028() -> None:
    """T-PC200-1 (sfonds200; besox; Securex FR; Acerta FR): 3, 3, 4, 4, 5; Σ = 19."""
    days = _yearly("200", range(2024, 2029))
    assert days == [3, 3, 4, 4, 5]
    assert sum(days) == 19


def test_t_pc200_2_collective_company_total_is_out_of_scope() -> None:
    """T-PC200-2 (sfonds200): 45 collective days for a 10-FTE company over 2024–25 — out of scope.

    Collective sector rights are company averages, not individual rights (R-CAO-6);
    what *is* individual, 1 day a year per full-time worker, is tested.
    """
    assert _yearly("200", range(2024, 2026), SizeBand.FROM_10_TO_19) == [1, 1]


def test_t_pc200_3_below_ten_complementary_day() -> None:
    """T-PC200-3 (Securex FR "quels droits…"; sfonds200): PC 200, <10 workers, 2024 → 1 day."""
    result = entitlement_for(ACME, ANN, 2024, _full_year(2024, jc="200"), band=SizeBand.BELOW_10)
    assert result.days_exact == 1
    assert result.legal_days == 0
    assert result.sector_days == 1
    assert result.regime is Regime.SECTOR


def test_t_pc200_4_window_and_reset_policy() -> None:
    """T-PC200-4 (sfonds200): balance reset at 31 Dec 2028 — the schedule carries the policy."""
    schedule = Rulebook.default().schedule("pc200-20plus-2024")
    assert schedule.window_of(2028) == (2024, 2028)
    assert schedule.reset.value == "reset"


def test_t_pc124_1_growth_path_2023_2030() -> None:
    """T-PC124-1 (orbiss; Embuild Antwerpen): 2.5, 2.5, 2.5, 3, 3.5, 4, 4.5, 5."""
    expected = [Fraction(x) for x in ("2.5", "2.5", "2.5", "3", "3.5", "4", "4.5", "5")]
    assert _yearly("124", range(2023, 2031)) == expected


def test_t_def_1_default_regime_25_days_over_2024_2028() -> None:
    """T-DEF-1 (horecaestmapassion; Strelia): no CAO, 20+, 2024–2028 → cumulative 25 days."""
    assert sum(_yearly("111", range(2024, 2029))) == 25
