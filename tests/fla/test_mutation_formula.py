"""The entitlement formula: the cases mutation testing found untested (docs/mutation.md).

Expected values are worked by hand from R-PRO-2 and B-4 (docs/training-right.md):
days = Σ_m A_m × B_m ÷ 12, B_m the highest daily total of the month (capped at 1), the
month's committee that of its line with the highest fraction, then the one in force
latest, then the highest code. A = 5 days for a 20+ employer in 2024 (joint committee
111, statutory).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from mycareer.dmfa import ContractType, DmfaOccupation, RemunerationLine, ServiceLine
from mycareer.findings import Severity
from mycareer.fla.formula import (
    Segment,
    YearWindow,
    clip,
    fte_above_one_finding,
    month_factors,
    segments_of,
    year_window,
)
from mycareer.fla.options import EntitlementOptions, MonthFraction
from mycareer.fla.values import MonthFactor, Regime, RoundingPolicy, SizeBand
from mycareer.fla.worker import entitlement_for
from mycareer.joint_commission import JointCommission
from mycareer.period import Period

from ._build import ACME, ANN

FULL, HALF = 3800, 1900


def _day(month: int, day: int) -> int:
    return date(2024, month, day).toordinal()


def _line(start: date, end: date | None, *, q: int = FULL, s: int | None = FULL) -> DmfaOccupation:
    return DmfaOccupation(
        sequence=1,
        start=start,
        end=end,
        period=Period(start, end),
        joint_commission=JointCommission("111"),
        working_days_system=500,
        contract_type=ContractType.FULL_TIME,
        mean_working_hours=q,
        ref_mean_working_hours=s,
        services=[ServiceLine(1, 6000)],
        remunerations=[RemunerationLine(1, 100_000)],
    )


def _committees(segments: list[Segment]) -> list[str | None]:
    result = entitlement_for(ACME, ANN, 2024, segments, band=SizeBand.FROM_20)
    return [None if m.joint_commission is None else m.joint_commission.code for m in result.months]


def test_the_year_window_takes_both_bounds_as_included_days() -> None:
    window = year_window(2024, since=date(2024, 2, 10), until=date(2024, 3, 31))
    assert window == YearWindow(_day(2, 10), _day(4, 1))  # half-open: 31 March included
    assert year_window(2024) == YearWindow(_day(1, 1), date(2025, 1, 1).toordinal())


def test_the_clipping_keeps_only_what_lies_in_the_window() -> None:
    window = YearWindow(10, 20)
    assert clip(5, None, window) == (10, 20)
    assert clip(12, 15, window) == (12, 15)
    assert clip(20, 30, window) is None  # starts where the window stops
    assert clip(3, 10, window) is None  # stops where the window starts
    assert clip(3, 8, window) is None  # wholly before
    assert clip(25, None, window) is None  # open, but after


def test_segments_of_clips_to_the_year_and_to_until() -> None:
    before = _line(date(2023, 1, 1), date(2023, 6, 30))  # wholly in 2023: no segment
    open_ended = _line(date(2023, 9, 1), None)
    assert segments_of([before, open_ended], 2024) == [
        Segment(_day(1, 1), date(2025, 1, 1).toordinal(), FULL, FULL, "111", 500)
    ]
    cut = segments_of([open_ended], 2024, until=date(2024, 6, 30))
    assert cut == [Segment(_day(1, 1), _day(7, 1), FULL, FULL, "111", 500)]


def test_a_line_without_s_is_kept_with_fraction_zero() -> None:
    """Third-party payers declare no S: the line is employment with no work fraction."""
    [segment] = segments_of([_line(date(2024, 1, 1), None, s=None)], 2024)
    assert (segment.s, segment.fraction) == (0, Fraction(0))
    result = entitlement_for(ACME, ANN, 2024, [segment], band=SizeBand.FROM_20)
    assert result.days_exact == 0
    both = [segment, Segment(_day(3, 1), _day(4, 1), HALF, FULL, "111")]
    assert entitlement_for(ACME, ANN, 2024, both, band=SizeBand.FROM_20).days_exact == Fraction(
        5, 24
    )  # only March, at 1/2


def test_month_factors_are_twelve_even_with_no_line() -> None:
    assert month_factors([], 2024) == ([Fraction(0)] * 12, [None] * 12)
    factors, reference = month_factors([Segment(_day(1, 1), _day(1, 2), FULL, FULL, "200")], 2024)
    assert (len(factors), len(reference)) == (12, 12)
    assert factors == [1] + [0] * 11


def test_with_no_line_the_twelve_months_are_numbered_and_empty() -> None:
    result = entitlement_for(ACME, ANN, 2024, [], band=SizeBand.FROM_20)
    assert result.months == tuple(MonthFactor(m, Fraction(0), None) for m in range(1, 13))
    assert result.days_exact is None


def test_a_one_day_line_on_the_first_of_a_month_starts_that_month() -> None:
    """January 1–10 and 1 March alone, full time: two started months, 2 × 5 ÷ 12."""
    lines = [Segment(_day(1, 1), _day(1, 11), FULL, FULL, "111"),
             Segment(_day(3, 1), _day(3, 2), FULL, FULL, "111")]  # fmt: skip
    result = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert result.days_exact == Fraction(10, 12)
    assert [m.fraction for m in result.months][:4] == [1, 0, 1, 0]


def test_month_fraction_last_ignores_the_days_without_work_after_the_last_line() -> None:
    """MonthFraction.LAST: the fraction on the month's last *employed* day. Full time
    1–15 January, half time in March: January's is 1, not the 0 of 16–31 January."""
    lines = [Segment(_day(1, 1), _day(1, 16), FULL, FULL, "200"),
             Segment(_day(3, 1), _day(4, 1), HALF, FULL, "200")]  # fmt: skip
    result = entitlement_for(
        ACME, ANN, 2024, lines, band=SizeBand.FROM_20,
        options=EntitlementOptions(month_fraction=MonthFraction.LAST),
    )  # fmt: skip
    assert [m.fraction for m in result.months][:4] == [1, 0, Fraction(1, 2), 0]


def test_the_months_committee_is_the_line_in_force_latest_among_equal_fractions() -> None:
    """Full time under 124 from 1 to 10 February, then under 200 to 30 April: February's
    committee is 200 (in force latest), though 124 sorts first and 200 started later."""
    lines = [Segment(_day(2, 1), _day(2, 11), FULL, FULL, "124"),
             Segment(_day(2, 11), _day(5, 1), FULL, FULL, "200")]  # fmt: skip
    assert _committees(lines)[1:4] == ["200", "200", "200"]
    flipped = [Segment(_day(2, 1), _day(2, 11), FULL, FULL, "200"),
               Segment(_day(2, 11), _day(5, 1), FULL, FULL, "124")]  # fmt: skip
    assert _committees(flipped)[1:4] == ["124", "124", "124"]


def test_lines_in_force_to_the_months_end_tie_and_the_highest_code_wins() -> None:
    """Half time under 124 all year and half time under 200 in February and March: both
    run to the end of February, so the tie goes to the higher code, 200; the later end
    of the 124 line in December does not count within February."""
    lines = [Segment(_day(1, 1), date(2025, 1, 1).toordinal(), HALF, FULL, "124"),
             Segment(_day(2, 1), _day(4, 1), HALF, FULL, "200")]  # fmt: skip
    assert _committees(lines)[:4] == ["124", "200", "200", "124"]


def test_the_highest_fraction_wins_the_month_whatever_comes_after() -> None:
    """Full time under 124 from 1 to 20 February, half time under 200 from 21 February:
    February's committee is 124 (highest fraction), March's 200."""
    lines = [Segment(_day(2, 1), _day(2, 21), FULL, FULL, "124"),
             Segment(_day(2, 21), _day(4, 1), HALF, FULL, "200")]  # fmt: skip
    assert _committees(lines)[1:3] == ["124", "200"]


def test_each_month_shows_its_parts_and_months_without_work_show_the_last_lines() -> None:
    """PC 200 below 10 workers in 2024: statutory 0 days plus the sector's 1 day on top
    (a complement), plus ½ day the employer adds; half time from 1 March. Every month
    shows A = 0 + 1 + ½ and its parts; January and February, without work, show those of
    the worker's line with B = 0. Days: 10 months × 3/2 × 1/2 ÷ 12 = 5/8."""
    line = Segment(_day(3, 1), date(2025, 1, 1).toordinal(), HALF, FULL, "200")
    result = entitlement_for(
        ACME, ANN, 2024, [line], band=SizeBand.BELOW_10, employer_days=Fraction(1, 2)
    )
    pc200 = JointCommission("200")

    def month(number: int, fraction: Fraction) -> MonthFactor:
        return MonthFactor(
            number, fraction, Fraction(3, 2), Fraction(0), Fraction(1), Fraction(1, 2),
            pc200, "pc200-below10-2024",
        )  # fmt: skip

    idle = [month(n, Fraction(0)) for n in (1, 2)]
    assert result.months == (*idle, *(month(n, Fraction(1, 2)) for n in range(3, 13)))
    assert result.days_exact == Fraction(5, 8)
    assert (result.legal_days, result.sector_days, result.employer_days) == (
        Fraction(0), Fraction(5, 12), Fraction(5, 24)
    )  # fmt: skip


def test_with_no_rule_the_employers_days_alone_make_a_full_time_year() -> None:
    """Joint committee 999 has no rule (R-SCOPE-1); 1 day from the employer still counts."""
    line = Segment(_day(1, 1), date(2025, 1, 1).toordinal(), FULL, FULL, "999")
    result = entitlement_for(ACME, ANN, 2024, [line], band=SizeBand.FROM_20,
                             employer_days=Fraction(1))  # fmt: skip
    assert [m.full_time_days for m in result.months] == [Fraction(1)] * 12
    assert [m.legal_full_time_days for m in result.months] == [None] * 12
    assert result.days_exact == 1
    assert result.no_rule_reason is not None
    assert "joint committee 999" in result.no_rule_reason  # the regime stays "no rule"


def test_work_above_full_time_is_said_from_the_first_day_it_peaks() -> None:
    """FTE_ABOVE_ONE: concurrent lines above 1 on some day (B is capped there)."""
    year = date(2025, 1, 1).toordinal()

    def said(*lines: Segment) -> str | None:
        found = fte_above_one_finding(lines)
        return None if found is None else found.message

    whole = Segment(_day(1, 1), year, FULL, FULL, "111")
    assert said(whole) is None  # exactly full time is not above
    assert said(whole, Segment(_day(2, 1), _day(3, 1), FULL, 0, "111")) is None  # no S
    above = "total work fraction 3/2 above 1 from {} (concurrent lines): B is capped at 1"
    # a half-time line from 1 February on top of full time: 3/2 from then
    assert said(whole, Segment(_day(2, 1), _day(3, 1), HALF, FULL, "111")) == above.format(
        "2024-02-01"
    )
    # both from 1 January
    assert said(whole, Segment(_day(1, 1), _day(3, 1), HALF, FULL, "111")) == above.format(
        "2024-01-01"
    )
    # the same peak again in June: still said from its first day, in February
    twice = (whole, Segment(_day(2, 1), _day(3, 1), HALF, FULL, "111"),
             Segment(_day(6, 1), _day(7, 1), HALF, FULL, "111"))  # fmt: skip
    assert said(*twice) == above.format("2024-02-01")
    # half time to 31 January, then full and half time from 1 February: 1/2 ends as 3/2 starts
    handover = (Segment(_day(1, 1), _day(2, 1), HALF, FULL, "111"),
                Segment(_day(2, 1), _day(3, 1), FULL, FULL, "111"),
                Segment(_day(2, 1), _day(3, 1), HALF, FULL, "111"))  # fmt: skip
    assert said(*handover) == above.format("2024-02-01")
    # consecutive full-time lines never add up
    follow = (
        Segment(_day(1, 1), _day(2, 1), FULL, FULL, "111"),
        Segment(_day(2, 1), year, FULL, FULL, "111"),
    )
    assert said(*follow) is None


def test_the_result_says_when_lines_fall_under_several_committees_or_add_up_above_one() -> None:
    year = date(2025, 1, 1).toordinal()
    one = entitlement_for(ACME, ANN, 2024, [Segment(_day(1, 1), year, FULL, FULL, "200")],
                          band=SizeBand.FROM_20)  # fmt: skip
    assert one.findings == ()
    lines = [Segment(_day(1, 1), year, FULL, FULL, "200"),
             Segment(_day(2, 1), _day(3, 1), HALF, FULL, "124")]  # fmt: skip
    two = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert [(f.code, f.severity, f.message) for f in two.findings] == [
        (
            "FLA_SEVERAL_JOINT_COMMITTEES",
            Severity.INFO,
            "lines under joint committees 124, 200 in 2024: each month uses the committee of "
            "its line with the highest fraction",
        ),
        (
            "FTE_ABOVE_ONE",
            Severity.WARNING,
            "total work fraction 3/2 above 1 from 2024-02-01 (concurrent lines): B is capped at 1",
        ),
    ]


def test_rounding_to_the_nearest_hour_uses_the_hours_per_day() -> None:
    """Hired 29 April at 80 %: 9 months × 4/5 × 5 ÷ 12 = 3 days, 3 × 7.6 h = 22.8 h;
    NEAREST_HOUR (B-5) gives 23 h, that is 23 ÷ 7.6 = 115/38 days."""
    line = Segment(date(2024, 4, 29).toordinal(), date(2025, 1, 1).toordinal(), 3040, FULL, "111")
    options = EntitlementOptions(rounding=RoundingPolicy.NEAREST_HOUR)
    result = entitlement_for(ACME, ANN, 2024, [line], band=SizeBand.FROM_20, options=options)
    assert (result.days_exact, result.hours) == (Fraction(3), Fraction(23))
    assert result.days == Decimal("3.0263")


def test_no_s_means_no_hours_and_says_so() -> None:
    line = Segment(_day(1, 1), date(2025, 1, 1).toordinal(), FULL, 0, "111")
    result = entitlement_for(ACME, ANN, 2024, [line], band=SizeBand.FROM_20)
    assert (result.days_exact, result.hours, result.hours_per_day) == (Fraction(0), None, None)
    assert [(f.code, f.severity, f.message) for f in result.findings] == [
        (
            "FLA_NO_HOURS_PER_DAY",
            Severity.INFO,
            "no full-time weekly hours (S) declared: hours not computed",
        )
    ]


def test_a_year_partly_under_a_rule_gives_no_no_rule_reason() -> None:
    """January–June under committee 999 (no rule), July–December under 111 (5 days):
    the year is statutory, 6 × 5 ÷ 12 = 5/2 days, and no reason for "no rule" is left."""
    lines = [Segment(_day(1, 1), _day(7, 1), FULL, FULL, "999"),
             Segment(_day(7, 1), date(2025, 1, 1).toordinal(), FULL, FULL, "111")]  # fmt: skip
    result = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert (result.regime, result.days_exact, result.no_rule_reason) == (
        Regime.STATUTORY, Fraction(5, 2), None
    )  # fmt: skip
