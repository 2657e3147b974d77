"""The projection rule on worked examples (docs/recipes/projection.md, docs/training-right.md):
the lines in force on ``as_of`` go on to the end of the year, a worker absent from the
employer's latest declared quarter has left, lines of the year already declared count up to
``as_of``, and the band and the formula are those of the bulk path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from fractions import Fraction

import attrs
import pytest

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.fla import SizeBand, project_entitlements
from mycareer.fla.options import EntitlementOptions, Overrides
from mycareer.fla.projection import projection_as_of
from mycareer.fla.values import Entitlement
from mycareer.niss import Niss
from mycareer.quarter import Quarter

from ._build import ACME, ANN, BETA, BOB, CAROL, employment, occupation, record, staff

Q = Quarter
#: Two more workers (valid NISS numbers, born 1 January 1960).
DAN, EVE = (Niss(f"{base:09d}{97 - base % 97:02d}") for base in (600101001, 600101003))


@attrs.frozen
class Declared:
    """A declared quarter as the DmfA reader reports it (employer + quarter)."""

    employer: Employer
    quarter: Quarter


def _days(results: tuple[Entitlement, ...], niss: Niss, employer: Employer = ACME) -> Fraction:
    [found] = [e for e in results if e.niss == niss and e.employer.key == employer.key]
    assert found.projected
    assert found.days_exact is not None
    return found.days_exact


def _who(results: tuple[Entitlement, ...], employer: Employer = ACME) -> set[Niss]:
    return {e.niss for e in results if e.employer.key == employer.key}


# --- projection_as_of: the last day of the latest quarter declared before the year ---------


def test_projection_as_of_is_the_end_of_the_latest_quarter_before_the_year() -> None:
    """Q4 2024, Q2 2025 and Q1 2026 declared: projecting 2026 starts on 30 June 2025 (Q1 2026
    is in the year itself); projecting 2025 on 31 December 2024."""
    records = [
        record(ACME, quarter, ANN, [occupation(date(2024, 10, 1), quarter=quarter)])
        for quarter in (Q(2024, 4), Q(2026, 1), Q(2025, 2))
    ]
    assert projection_as_of(records, 2026) == date(2025, 6, 30)
    assert projection_as_of(iter(records), 2025) == date(2024, 12, 31)


def test_projection_as_of_without_a_quarter_before_the_year_is_31_december_before() -> None:
    only_2026 = [record(ACME, Q(2026, 1), ANN, [occupation(date(2026, 1, 1))])]
    assert projection_as_of(only_2026, 2026) == date(2025, 12, 31)
    assert projection_as_of([], 2030) == date(2029, 12, 31)


# --- next year from the latest declared quarter ----------------------------------------------


def _acme_2026(fte_hundredths: int = 2500) -> list[DmfaWorkerRecord]:
    """Acme with ``fte_hundredths``/100 FTE in Q4 2024 – Q3 2025 (the 2026–27 reference
    quarters, R-COUNT-2)."""
    return [r for q in Q.range(Q(2024, 4), Q(2025, 3)) for r in staff(ACME, q, fte_hundredths)]


def test_a_generator_of_records_gives_what_a_list_gives() -> None:
    """26 FTE → 20+ → 5 days in 2026; Ann full time, in force on 30 September 2025:
    5 × 1 × 12/12."""
    records = _acme_2026()
    records += employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2025, 3))

    def once() -> Iterator[DmfaWorkerRecord]:
        yield from records

    as_list = project_entitlements(records, as_of=date(2025, 9, 30))
    as_generator = project_entitlements(once(), as_of=date(2025, 9, 30))
    assert _days(as_list, ANN) == _days(as_generator, ANN) == 5
    assert as_generator == as_list
    [ann] = [e for e in as_list if e.niss == ANN]
    assert (ann.year, ann.band) == (2026, SizeBand.FROM_20)


def test_a_declared_quarter_without_workers_lowers_the_band() -> None:
    """R-COUNT-3: Q4 2024 declared with nobody; 25 fillers and Ann (hired 1 January 2025),
    26 FTE, in Q1–Q3 2025: 78 ÷ 4 = 19.5 FTE → band 10–19 → 1 day in 2026 (without the
    declaration, 78 ÷ 3 = 26 FTE, 20+ and 5 days)."""
    records = [r for q in Q.range(Q(2025, 1), Q(2025, 3)) for r in staff(ACME, q, 2500)]
    records += employment(ACME, ANN, date(2025, 1, 1), None, last_quarter=Q(2025, 3))
    declared = [Declared(ACME, q) for q in Q.range(Q(2024, 4), Q(2025, 3))]
    with_empty = project_entitlements(records, declared, as_of=date(2025, 9, 30))
    [ann] = [e for e in with_empty if e.niss == ANN]
    assert (ann.band, ann.days_exact) == (SizeBand.FROM_10_TO_19, Fraction(1))
    assert _days(project_entitlements(records, as_of=date(2025, 9, 30)), ANN) == 5


def test_the_callers_indemnity_codes_leave_lines_out_of_the_band_and_the_days() -> None:
    """18.5 FTE of fillers and Ann paid under code 1, and Bob full time paid only under code 99,
    which the caller says is a termination indemnity: 19.5 FTE → 10–19 → Ann 1 day (Bob would
    make it 20.5, 20+); Bob has no training right."""
    records = _acme_2026(1850)
    for quarter in Q.range(Q(2024, 4), Q(2025, 3)):
        line = occupation(date(2020, 1, 1), quarter=quarter, remuneration_codes=(99,))
        records.append(record(ACME, quarter, BOB, [line]))
    records += employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2025, 3))
    options = EntitlementOptions(indemnity_codes=frozenset({99}))
    results = project_entitlements(records, as_of=date(2025, 9, 30), options=options)
    [ann] = [e for e in results if e.niss == ANN]
    assert (ann.band, ann.days_exact) == (SizeBand.FROM_10_TO_19, Fraction(1))
    assert BOB not in _who(results)


def test_an_employer_whose_only_line_is_an_indemnity_has_no_result() -> None:
    """Beta's one record in the latest quarter is a termination indemnity: nothing to project
    there, and Ann's right at Acme is unchanged (5 days)."""
    indemnity = occupation(date(2025, 7, 1), quarter=Q(2025, 3), remuneration_codes=(99,))
    records = [record(BETA, Q(2025, 3), ANN, [indemnity])]
    records += _acme_2026()
    records += employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2025, 3))
    options = EntitlementOptions(indemnity_codes=frozenset({99}))
    results = project_entitlements(records, as_of=date(2025, 9, 30), options=options)
    assert not _who(results, BETA)
    assert _days(results, ANN) == 5


def test_the_same_worker_at_two_employers_is_projected_at_each() -> None:
    """Ann full time at Acme and half time at Beta on 30 September 2025, same line number:
    not a duplicate. Acme 20+ → 5 days; Beta (no reference data, 0.5 FTE on 30 September 2025
    by R-COUNT-4) <10 → 0 days, but a result."""
    records = _acme_2026()
    records += employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2025, 3))
    records += employment(BETA, ANN, date(2025, 7, 1), None, last_quarter=Q(2025, 3), q=1900)
    results = project_entitlements(records, as_of=date(2025, 9, 30))
    assert _days(results, ANN) == 5
    assert _days(results, ANN, BETA) == 0
    [beta] = [e for e in results if e.employer.key == BETA.key]
    assert beta.band is SizeBand.BELOW_10


def test_a_quarter_given_twice_counts_once() -> None:
    """The same Q3 2025 record read from two files: Ann still has 5 days, not more."""
    records = _acme_2026()
    records += employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2025, 3))
    twice = [*records, records[-1]]
    assert _days(project_entitlements(twice, as_of=date(2025, 9, 30)), ANN) == 5


# --- the year of as_of itself: declared up to as_of, then the lines in force -----------------


def _acme_2025() -> list[DmfaWorkerRecord]:
    """Acme with 25 FTE in Q4 2022 – Q3 2023 (the 2024–25 reference quarters): 20+, 5 days
    in 2025."""
    return [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 2500)]


def _mid_may_2025() -> list[DmfaWorkerRecord]:
    """Q1 and Q2 2025 declared; the projection is as of 15 May 2025. Ann's Q1 record comes
    last on purpose: the employer's latest quarter is the greatest, not the last read."""
    q1, q2 = Q(2025, 1), Q(2025, 2)
    records = _acme_2025()
    # Dan: full time since 2024, in Q1 and Q2: in force on 15 May.
    records += [record(ACME, q, DAN, [occupation(date(2024, 1, 1), quarter=q)]) for q in (q1, q2)]
    # Bob: one line in April only, ended before as_of.
    records.append(record(ACME, q2, BOB, [occupation(date(2025, 4, 1), date(2025, 4, 30))]))
    # Carol: declared in Q2 from 1 June, after as_of: not in force on as_of.
    records.append(record(ACME, q2, CAROL, [occupation(date(2025, 6, 1), quarter=q2)]))
    # Eve: a line since 1 January 2025 declared in Q2 only.
    records.append(record(ACME, q2, EVE, [occupation(date(2025, 1, 1), quarter=q2)]))
    # Ann: an open line in Q1, absent from Q2: she has left.
    records.append(record(ACME, q1, ANN, [occupation(date(2025, 1, 1), quarter=q1)]))
    return records


def test_projecting_the_current_year_from_mid_may() -> None:
    """A = 5 (20+, 2025), B = 1 (full time); C in months of 2025:

    * Ann: Jan–Mar declared, gone from Q2 → 3/12 → 5/4 days;
    * Bob: April declared, ended before as_of → 1/12 → 5/12 day;
    * Carol: starts after as_of → nothing (no result);
    * Dan: declared Jan – 15 May, in force → to 31 December → 12/12 → 5 days;
    * Eve: declared from April (Q2), in force → April–December → 9/12 → 15/4 days.
    """
    results = project_entitlements(_mid_may_2025(), as_of=date(2025, 5, 15), year=2025)
    assert _days(results, ANN) == Fraction(5, 4)
    assert _days(results, BOB) == Fraction(5, 12)
    assert CAROL not in _who(results)
    assert _days(results, DAN) == 5
    assert _days(results, EVE) == Fraction(15, 4)


def _half_timer_dan() -> list[DmfaWorkerRecord]:
    """Dan half time (19 h of 38) since 2024, declared in Q1 and Q2 2025."""
    return _acme_2025() + [
        record(ACME, q, DAN, [occupation(date(2024, 1, 1), quarter=q, q=1900)])
        for q in (Q(2025, 1), Q(2025, 2))
    ]


def test_a_half_timer_is_half_time_on_both_sides_of_as_of() -> None:
    """B is the highest daily total Q/S, so the declared part (to 15 May) and the assumed
    continuation (from 16 May) must not overlap: 5 × 1/2 × 12/12 = 5/2 days, not May at 1."""
    results = project_entitlements(_half_timer_dan(), as_of=date(2025, 5, 15), year=2025)
    assert _days(results, DAN) == Fraction(5, 2)


def test_a_duplicate_of_the_current_year_counts_once() -> None:
    """Dan's Q2 record given twice: two copies of a half-time line would add up to full time
    in April and May; it counts once, 5/2 days."""
    records = _half_timer_dan()
    results = project_entitlements([*records, records[-1]], as_of=date(2025, 5, 15), year=2025)
    assert _days(results, DAN) == Fraction(5, 2)


def test_a_line_ending_the_day_after_as_of_counts_that_month() -> None:
    """As of 31 May 2025, Dan's line ends on 1 June: the continuation starts on 1 June, and a
    started month counts in full: January–June, 5 × 6/12 = 5/2 days."""
    line = (date(2025, 1, 1), date(2025, 6, 1))
    records = _acme_2025() + [
        record(ACME, q, DAN, [occupation(*line, quarter=q)]) for q in (Q(2025, 1), Q(2025, 2))
    ]
    results = project_entitlements(records, as_of=date(2025, 5, 31), year=2025)
    assert _days(results, DAN) == Fraction(5, 2)


# --- which years ------------------------------------------------------------------------------


def test_a_past_year_cannot_be_projected_but_the_current_one_can() -> None:
    records = _acme_2025() + employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2025, 3))
    with pytest.raises(ValueError, match="cannot project 2024 from as_of 2025-09-30"):
        project_entitlements(records, as_of=date(2025, 9, 30), year=2024)
    current = project_entitlements(records, as_of=date(2025, 9, 30), year=2025)
    assert _days(current, ANN) == 5


def test_overrides_open_a_year_before_the_rules() -> None:
    """2016 is before the rules (2017); the caller's 2 full-time days open it: Ann full time
    all of 2016 → 2 × 1 × 12/12 = 2 days. Without the override, an error naming the range."""
    records = employment(ACME, ANN, date(2015, 1, 1), None, last_quarter=Q(2015, 4))
    overrides = Overrides(band={ACME.key: SizeBand.FROM_20}, full_time_days={ACME.key: Fraction(2)})
    results = project_entitlements(records, as_of=date(2015, 12, 31), overrides=overrides)
    assert _days(results, ANN) == 2
    with pytest.raises(ValueError, match="outside the years the rules cover"):
        project_entitlements(records, as_of=date(2015, 12, 31))
