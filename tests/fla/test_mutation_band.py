"""The size band: the cases mutation testing found untested (docs/mutation.md).

Expected values come from the counting rules (docs/training-right.md, R-COUNT-2..5,
T-PLAN-1/2, B-1..3), worked by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import partial

import attrs

from mycareer.dmfa import DmfaOccupation
from mycareer.employer import Employer
from mycareer.findings import Finding, Severity
from mycareer.fla.band import (
    BandResult,
    QuarterCount,
    QuarterTally,
    counts_at_quarter_end,
    quarter_counts,
    size_band,
    training_plan_threshold,
    worker_counts_at_quarter_end,
)
from mycareer.fla.values import BandBasis, FallbackCount, SizeBand
from mycareer.quarter import Quarter

from ._build import ACME, ANN, BETA, BOB, occupation, record, staff

Q = Quarter
#: The 2024–25 band's reference period (R-COUNT-2, T-BAND-5).
REFERENCE = (Q(2022, 4), Q(2023, 1), Q(2023, 2), Q(2023, 3))


@attrs.frozen
class Declared:
    """A declared quarter with no record in it (a DmfA of nobody who counts)."""

    employer: Employer
    quarter: Quarter


# --- who counts (R-COUNT-5) -----------------------------------------------------------


def test_worker_counts_at_quarter_end_reads_the_record_and_the_callers_indemnity_codes() -> None:
    """The record gives the quarter's last day and the worker code; the caller's codes say
    which lines are termination indemnities."""
    quarter = Q(2023, 1)
    line = occupation(date(2020, 1, 1), quarter=quarter)  # paid under code 1, in force
    worker = record(ACME, quarter, ANN, [line])
    assert worker_counts_at_quarter_end(worker, line)
    assert not worker_counts_at_quarter_end(worker, line, indemnity_codes=frozenset({1}))
    student = record(ACME, quarter, ANN, [line], worker_code=840)
    assert not worker_counts_at_quarter_end(student, line)
    # ended the day before the quarter's last day (31 March): not in force then
    ended = occupation(date(2020, 1, 1), date(2023, 3, 30), quarter=quarter)
    assert not worker_counts_at_quarter_end(record(ACME, quarter, ANN, [ended]), ended)
    on_the_day = occupation(date(2020, 1, 1), date(2023, 3, 31), quarter=quarter)
    assert worker_counts_at_quarter_end(record(ACME, quarter, ANN, [on_the_day]), on_the_day)


def test_the_edges_of_who_counts() -> None:
    """R-COUNT-5 line by line, on 31 March 2023: in force that day, with Q and S, with a
    day declared under a code other than 30, and not a full career break."""
    quarter = Q(2023, 1)
    last = quarter.last_day

    def counts(line: DmfaOccupation) -> bool:
        return counts_at_quarter_end(495, line, last, indemnity=False)

    since_2020 = partial(occupation, date(2020, 1, 1), quarter=quarter)
    assert counts(since_2020())
    assert counts(occupation(date(2023, 3, 31), quarter=quarter))  # hired on the last day
    assert not counts(since_2020(q=0))  # no Q: adds nothing and is no head either
    assert counts(since_2020(services=[(1, 1)]))  # a hundredth of a day is a day declared
    assert not counts(since_2020(services=[(1, 0)]))  # zero days under code 1: none declared
    assert counts(since_2020(measures=[1]))  # another reorganisation measure, work still due
    assert not counts(since_2020(q=0, measures=[3]))  # the full career break


def test_quarter_counts_follow_the_callers_indemnity_codes() -> None:
    quarter = Q(2023, 1)
    records = staff(ACME, quarter, 300)  # three full-timers paid under code 1
    assert quarter_counts(records)[ACME.key][quarter] == QuarterCount(Fraction(3), 3)
    as_indemnity = quarter_counts(records, indemnity_codes=frozenset({1}))
    assert as_indemnity[ACME.key][quarter] == QuarterCount(Fraction(0), 0)


def test_a_declared_quarter_without_records_counts_zero_in_the_divisor() -> None:
    """R-COUNT-3: 12 FTE in Q4 2022 and a declared Q1 2023 with nobody: 12 ÷ 2 = 6."""
    records = staff(ACME, Q(2022, 4), 1200)
    counts = quarter_counts(records, [Declared(ACME, Q(2023, 1))])
    assert counts == {
        ACME.key: {
            Q(2022, 4): QuarterCount(Fraction(12), 12),
            Q(2023, 1): QuarterCount(Fraction(0), 0),
        }
    }
    band = size_band(ACME.key, 2024, counts[ACME.key])
    assert (band.average_exact, band.band) == (Fraction(6), SizeBand.BELOW_10)


def test_quarter_counts_are_keyed_by_employer_only() -> None:
    """One entry per employer key, nothing else: Acme's three, Beta's one."""
    records = staff(ACME, Q(2023, 1), 300)
    records.append(record(BETA, Q(2023, 2), BOB, [occupation(date(2020, 1, 1),
                                                             quarter=Q(2023, 2))]))  # fmt: skip
    assert quarter_counts(records) == {
        ACME.key: {Q(2023, 1): QuarterCount(Fraction(3), 3)},
        BETA.key: {Q(2023, 2): QuarterCount(Fraction(1), 1)},
    }


def test_the_tally_says_what_it_counted_and_notes_a_record_seen_twice() -> None:
    quarter = Q(2023, 1)
    tally = QuarterTally()
    line = occupation(date(2020, 1, 1), quarter=quarter)
    worker = record(ACME, quarter, ANN, [line])
    assert tally.first_time(worker, ACME.key)
    assert tally.duplicates == set()
    assert not tally.first_time(worker, ACME.key)
    assert tally.duplicates == {(ACME.key, quarter)}
    assert tally.add(worker, ACME.key, line, quarter.last_day, indemnity=False) is True
    assert tally.add(worker, ACME.key, line, quarter.last_day, indemnity=True) is False
    later = occupation(date(2023, 4, 1), quarter=Q(2023, 2))  # starts after 31 March
    assert tally.add(worker, ACME.key, later, quarter.last_day, indemnity=False) is False
    assert tally.result() == {ACME.key: {quarter: QuarterCount(Fraction(1), 1)}}
    tally.declare(ACME.key, Q(2023, 2))  # declared, nobody counts: an exact 0
    nobody = tally.result()[ACME.key][Q(2023, 2)]
    assert (nobody, type(nobody.fte)) == (QuarterCount(Fraction(0), 0), Fraction)


# --- the average (R-COUNT-3) and its display ------------------------------------------


def test_the_displayed_average_is_floored_so_it_never_shows_a_higher_band() -> None:
    """9.99995 FTE is band <10 (B-1): shown 9.9999, never a rounded 10.0000."""
    just_below = Fraction(999995, 100000)
    band = size_band(ACME.key, 2024, dict.fromkeys(REFERENCE, just_below))
    assert band.band is SizeBand.BELOW_10
    assert band.average_fte == Decimal("9.9999")
    # 20/3 = 6.66666…: floored to 6.6666, where rounding to nearest would give 6.6667
    thirds = size_band(ACME.key, 2024, {REFERENCE[0]: 6, REFERENCE[1]: 7, REFERENCE[2]: 7})
    assert thirds.average_fte == Decimal("6.6666")
    plan = training_plan_threshold(2024, dict.fromkeys(REFERENCE, Fraction(1999995, 100000)))
    assert (plan.average_fte, plan.required) == (Decimal("19.9999"), False)


def test_a_declared_result_names_its_employer_year_and_quarters() -> None:
    got = size_band(ACME.key, 2025, {REFERENCE[0]: 8, REFERENCE[2]: 12})
    assert got == BandResult(
        ACME.key, 2025, SizeBand.FROM_10_TO_19, Decimal("10.0000"), Fraction(10),
        (REFERENCE[0], REFERENCE[2]), (REFERENCE[1], REFERENCE[3]),
        fallback_used=False, basis=BandBasis.DECLARED, findings=got.findings,
    )  # fmt: skip
    [missing] = got.findings
    assert missing == Finding(
        "FLA_REFERENCE_QUARTERS_MISSING",
        Severity.INFO,  # two quarters declared: the band stands on them
        f"employer {ACME.key}: no declaration found for reference quarter(s) 20231, 20233 "
        "of band period 2024–2025 (not declared, or its file was not given)",
    )


def test_a_band_given_by_the_caller_still_lists_the_quarters_it_did_not_need() -> None:
    got = size_band(ACME.key, 2024, {REFERENCE[1]: 25}, override_band=SizeBand.BELOW_10)
    assert got == BandResult(
        ACME.key, 2024, SizeBand.BELOW_10, None, None, (REFERENCE[1],),
        (REFERENCE[0], REFERENCE[2], REFERENCE[3]),
        fallback_used=False, basis=BandBasis.OVERRIDE_BAND,
    )  # fmt: skip


# --- the new employer (R-COUNT-4, B-3) ------------------------------------------------


def test_no_reference_quarter_warns_and_names_the_whole_period() -> None:
    got = size_band(ACME.key, 2024, {Q(2024, 2): 12})
    missing = got.findings[0]
    assert missing.code == "FLA_REFERENCE_QUARTERS_MISSING"
    assert missing.severity is Severity.WARNING  # nothing declared in the period
    assert "20224, 20231, 20232, 20233 of band period 2024–2025" in missing.message
    assert (got.band, got.fallback_quarter, got.basis) == (
        SizeBand.FROM_10_TO_19, Q(2024, 2), BandBasis.FALLBACK
    )  # fmt: skip


def test_the_first_employment_is_the_first_quarter_with_a_count_above_zero() -> None:
    """Plain FTE numbers: 0 in Q1 2024 employs nobody; 1 FTE in Q2 is an employment."""
    got = size_band(ACME.key, 2024, {Q(2024, 1): 0, Q(2024, 2): 1, Q(2024, 3): 12})
    assert (got.fallback_quarter, got.average_exact, got.band) == (
        Q(2024, 2), Fraction(1), SizeBand.BELOW_10
    )  # fmt: skip
    skip_zero = size_band(ACME.key, 2024, {Q(2024, 1): 0, Q(2024, 2): 12})
    assert (skip_zero.fallback_quarter, skip_zero.band) == (Q(2024, 2), SizeBand.FROM_10_TO_19)


def test_with_no_employment_after_the_period_the_first_declared_quarter_gives_zero() -> None:
    got = size_band(ACME.key, 2024, {Q(2024, 3): 0, Q(2024, 1): 0, Q(2024, 2): 0})
    assert (got.fallback_used, got.fallback_quarter, got.average_exact) == (
        True, Q(2024, 1), Fraction(0)
    )  # fmt: skip
    assert (got.band, got.basis) == (SizeBand.BELOW_10, BandBasis.FALLBACK)


def test_a_count_given_by_the_caller_replaces_the_one_read_from_the_data() -> None:
    got = size_band(ACME.key, 2024, {Q(2024, 2): 3}, fallback_value=Decimal("20.5"))
    assert (got.average_exact, got.band, got.fallback_quarter) == (
        Fraction(41, 2), SizeBand.FROM_20, None
    )  # fmt: skip
    fallback = got.findings[-1]
    assert fallback.code == "FLA_BAND_FALLBACK"
    assert "given by the caller" in fallback.message
    nothing_declared = size_band(ACME.key, 2024, {}, fallback_value=12)
    assert (nothing_declared.band, nothing_declared.basis) == (
        SizeBand.FROM_10_TO_19, BandBasis.FALLBACK
    )  # fmt: skip


def test_nothing_to_size_the_band_on_is_said_and_treated_as_below_10() -> None:
    """Only quarters before the reference period: no R-COUNT-4 quarter either."""
    for counts in ({}, {Q(2021, 1): QuarterCount(Fraction(30), 30)}):
        got = size_band(ACME.key, 2024, counts)
        assert got == BandResult(
            ACME.key, 2024, SizeBand.BELOW_10, None, None, (), REFERENCE,
            fallback_used=False, basis=BandBasis.UNKNOWN, findings=got.findings,
        )  # fmt: skip
        assert [f.code for f in got.findings] == [
            "FLA_REFERENCE_QUARTERS_MISSING", "FLA_BAND_UNKNOWN"
        ]  # fmt: skip
        assert got.findings[1] == Finding(
            "FLA_BAND_UNKNOWN",
            Severity.WARNING,
            f"employer {ACME.key}: no declared quarter to size the band for 2024; treated "
            "as <10 (pass the band or quarterly FTE to override)",
        )


# --- the training plan (T-PLAN-1/2) ---------------------------------------------------


def test_the_plan_threshold_names_its_year_and_the_quarters_it_used() -> None:
    none = training_plan_threshold(2024, {Q(2021, 4): 30})
    assert (none.year, none.used_quarters, none.average_fte, none.required) == (
        2024, (), None, None
    )  # fmt: skip
    some = training_plan_threshold(2024, {REFERENCE[1]: 20, REFERENCE[3]: 21, Q(2024, 1): 1})
    assert (some.year, some.used_quarters, some.required) == (
        2024, (REFERENCE[1], REFERENCE[3]), True
    )  # fmt: skip


def test_the_fallback_finding_says_which_count_and_which_quarter() -> None:
    """The explanation names the unit (B-3) and the quarter of the first employment."""
    heads = {Q(2024, 2): QuarterCount(Fraction(19, 2), 12)}  # 12 workers, 5 half-time
    got = size_band(ACME.key, 2024, heads, fallback_count=FallbackCount.HEADCOUNT)
    assert (got.average_exact, got.band, got.fallback_count) == (
        Fraction(12), SizeBand.FROM_10_TO_19, FallbackCount.HEADCOUNT
    )  # fmt: skip
    assert got.findings[-1] == Finding(
        "FLA_BAND_FALLBACK",
        Severity.INFO,
        f"employer {ACME.key}: no declaration in the reference period of 2024–2025; band "
        "from the headcount at the end of 20242, the quarter of the first employment after "
        "it (R-COUNT-4, B-3)",
    )
    fte = size_band(ACME.key, 2025, heads)
    assert (fte.average_exact, fte.band, fte.fallback_count) == (
        Fraction(19, 2), SizeBand.BELOW_10, FallbackCount.FTE
    )  # fmt: skip
    given = size_band(ACME.key, 2024, heads, fallback_value=3)
    assert given.findings[-1] == Finding(
        "FLA_BAND_FALLBACK",
        Severity.INFO,
        f"employer {ACME.key}: no declaration in the reference period of 2024–2025; band "
        "from the fte given by the caller (R-COUNT-4, B-3)",
    )
    assert given == BandResult(
        ACME.key, 2024, SizeBand.BELOW_10, Decimal("3.0000"), Fraction(3), (), REFERENCE,
        fallback_used=True, basis=BandBasis.FALLBACK, findings=given.findings,
    )  # fmt: skip


def test_every_reference_quarter_declared_says_nothing_more() -> None:
    """R-COUNT-3 with the four quarters: 8, 12, 10, 10 → 10.0, band 10–19, no finding."""
    got = size_band(ACME.key, 2024, dict(zip(REFERENCE, (8, 12, 10, 10), strict=True)))
    assert (got.band, got.average_exact, got.missing_quarters) == (
        SizeBand.FROM_10_TO_19, Fraction(10), ()
    )  # fmt: skip
    assert got.findings == ()
