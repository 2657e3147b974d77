"""The labelled timeline against a per-day oracle (precedence, FTE, provenance) and worked examples.

FTE = Q/S summed over concurrent occupations (DmfA zones 00048/00049); a full career
break (measure 3, Q = 0) suspends employment at its employer (DmfA FAQ).
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.career import CareerPeriod
from mycareer.errors import InvalidValueError
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.timeline import (
    DEFAULT_PRECEDENCE,
    Precedence,
    TimelineBuilder,
    build_timeline,
    build_timelines,
)
from mycareer.work_fraction import WorkFraction

from .helpers import ACME, BASE, BETA, NISS, career_periods, days_of

AS_OF = BASE + timedelta(days=120)
WORK = {PeriodKind.EMPLOYMENT, PeriodKind.CIVIL_SERVICE}


def covering(records: list[CareerPeriod], day: date) -> list[CareerPeriod]:
    out = []
    for record in records:
        resolved = record.period.resolve(AS_OF)
        if resolved is not None and resolved.contains(day):
            out.append(record)
    return out


def oracle_fte(active: list[CareerPeriod]) -> Fraction:
    breaks = {r.employer for r in active if r.kind is PeriodKind.CAREER_BREAK and r.employer}
    return sum(
        (
            r.fraction.value
            for r in active
            if r.kind in WORK and r.fraction is not None and r.employer not in breaks
        ),
        Fraction(0),
    )


precedences = st.sampled_from(
    [
        DEFAULT_PRECEDENCE,
        Precedence.from_order(*PeriodKind),
        Precedence.from_order(*reversed(PeriodKind), suspending=()),
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(career_periods(), max_size=12), precedences)
def test_timeline_covers_every_input_day_exactly_once(
    records: list[CareerPeriod], precedence: Precedence
) -> None:
    timeline = build_timeline(records, as_of=AS_OF, precedence=precedence)
    seen: dict[date, int] = {}
    for segment in timeline.segments:
        for day in days_of(segment.period):
            seen[day] = seen.get(day, 0) + 1
    assert set(seen.values()) <= {1}
    expected: set[date] = set()
    for record in records:
        resolved = record.period.resolve(AS_OF)
        if resolved is not None:
            expected |= days_of(resolved)
    assert set(seen) == expected
    dropped = [r for r in records if r.period.is_open and r.period.start > AS_OF]
    assert [f.code for f in timeline.findings].count("OPEN_AFTER_AS_OF") == len(dropped)


@settings(max_examples=100, deadline=None)
@given(st.lists(career_periods(), max_size=10), precedences)
def test_each_day_gets_the_winning_kind_the_fte_and_its_sources(
    records: list[CareerPeriod], precedence: Precedence
) -> None:
    timeline = build_timeline(records, as_of=AS_OF, precedence=precedence)
    for segment in timeline.segments:
        for day in days_of(segment.period):
            active = covering(records, day)
            winner = max(active, key=lambda r: precedence.sort_key(r.kind)).kind
            assert segment.kind is winner
            assert set(segment.kinds) == {r.kind for r in active}
            assert segment.provisional == any(r.provisional for r in active)
            suspending = precedence.suspending
            breaks = {r.employer for r in active if r.kind in suspending and r.employer}
            fte = sum(
                (
                    r.fraction.value
                    for r in active
                    if r.kind in WORK and r.fraction is not None and r.employer not in breaks
                ),
                Fraction(0),
            )
            assert segment.fte == fte
            for record in active:
                assert any(record is source for source in segment.sources)
        for source in segment.sources:
            resolved = source.period.resolve(AS_OF)
            assert resolved is not None
            assert resolved.overlaps(segment.period)


def job(start: date, end: date | None, fraction: str, employer=ACME) -> CareerPeriod:  # type: ignore[no-untyped-def]
    return CareerPeriod(
        NISS,
        PeriodKind.EMPLOYMENT,
        Period(start, end),
        employer=employer,
        fraction=WorkFraction(fraction),
    )


def test_sickness_outranks_employment_and_fte_stays() -> None:
    records = [
        job(date(2024, 1, 1), None, "4/5"),
        CareerPeriod(NISS, PeriodKind.SICKNESS, Period(date(2024, 2, 1), date(2024, 2, 10))),
    ]
    timeline = build_timeline(records, as_of=date(2024, 3, 31))
    assert [(str(s.period), s.kind.value, s.fte) for s in timeline] == [
        ("2024-01-01..2024-01-31", "employment", Fraction(4, 5)),
        ("2024-02-01..2024-02-10", "sickness", Fraction(4, 5)),
        ("2024-02-11..2024-03-31", "employment", Fraction(4, 5)),
    ]
    assert timeline.findings == ()


def test_full_career_break_suspends_employment_at_that_employer_only() -> None:
    records = [
        job(date(2024, 1, 1), date(2024, 12, 31), "1/2", ACME),
        job(date(2024, 1, 1), date(2024, 12, 31), "1/2", BETA),
        CareerPeriod(
            NISS,
            PeriodKind.CAREER_BREAK,
            Period(date(2024, 4, 1), date(2024, 6, 30)),
            employer=ACME,
            fraction=WorkFraction(0),
        ),
    ]
    segments = build_timeline(records, as_of=date(2024, 12, 31)).segments
    middle = segments[1]
    assert str(middle.period) == "2024-04-01..2024-06-30"
    assert middle.kind is PeriodKind.CAREER_BREAK
    assert middle.fte == Fraction(1, 2)
    assert middle.suspended == (ACME,)
    assert [s.fte for s in segments] == [Fraction(1), Fraction(1, 2), Fraction(1)]


def test_quarterly_lines_of_one_job_coalesce_into_one_segment() -> None:
    quarters = [
        job(date(2024, 1, 1), date(2024, 3, 31), "1"),
        job(date(2024, 4, 1), date(2024, 6, 30), "1"),
        job(date(2024, 7, 1), date(2024, 9, 30), "1"),
    ]
    timeline = build_timeline(quarters, as_of=date(2024, 12, 31))
    assert len(timeline.segments) == 1
    assert str(timeline.segments[0].period) == "2024-01-01..2024-09-30"
    assert timeline.segments[0].sources == tuple(quarters)


def test_inconsistencies_are_findings_and_nothing_is_dropped() -> None:
    records = [
        job(date(2024, 1, 1), date(2024, 6, 30), "1", ACME),
        job(date(2024, 3, 1), date(2024, 3, 31), "1/2", BETA),
        CareerPeriod(NISS, PeriodKind.UNEMPLOYMENT, Period(date(2024, 6, 1), date(2024, 8, 31))),
        job(date(2025, 1, 1), None, "1"),
    ]
    timeline = build_timeline(records, as_of=date(2024, 12, 31))
    codes = [f.code for f in timeline.findings]
    assert codes.count("FTE_ABOVE_ONE") == 1
    assert "3/2" in next(f.message for f in timeline.findings if f.code == "FTE_ABOVE_ONE")
    assert codes.count("EMPLOYMENT_DURING_UNEMPLOYMENT") == 1
    assert codes.count("OPEN_AFTER_AS_OF") == 1
    assert str(timeline.span) == "2024-01-01..2024-08-31"


def test_unknown_fraction_is_flagged_not_guessed() -> None:
    dimona_only = CareerPeriod(NISS, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1), None), ACME)
    [segment] = build_timeline([dimona_only], as_of=date(2024, 1, 31)).segments
    assert (segment.fte, segment.fte_complete) == (Fraction(0), False)
    both = [dimona_only, job(date(2024, 1, 1), date(2024, 1, 31), "4/5")]
    [segment] = build_timeline(both, as_of=date(2024, 1, 31)).segments
    assert (segment.fte, segment.fte_complete) == (Fraction(4, 5), True)


def test_summaries_per_year_and_quarter() -> None:
    records = [
        job(date(2023, 12, 1), date(2024, 2, 29), "1/2"),
        CareerPeriod(NISS, PeriodKind.SICKNESS, Period(date(2024, 2, 1), date(2024, 2, 29))),
    ]
    timeline = build_timeline(records, as_of=date(2024, 12, 31))
    years = {s.label: s for s in timeline.by_year()}
    assert years["2023"].days_by_kind == {PeriodKind.EMPLOYMENT: 31}
    assert years["2023"].fte_days == Fraction(31, 2)
    assert years["2024"].days_by_kind == {PeriodKind.EMPLOYMENT: 31, PeriodKind.SICKNESS: 29}
    assert years["2024"].fte_days == Fraction(60, 2)
    assert years["2024"].months_touched == (1, 2)
    quarters = {s.label: s for s in timeline.by_quarter()}
    assert set(quarters) == {"20234", "20241"}
    assert quarters["20241"].covered_days == 60


def test_gaps_of_a_timeline_use_its_as_of() -> None:
    records = [job(date(2024, 1, 1), date(2024, 1, 31), "1"), job(date(2024, 3, 1), None, "1")]
    timeline = build_timeline(records, as_of=date(2024, 6, 30))
    assert [str(g.period) for g in timeline.gaps()] == ["2024-02-01..2024-02-29"]
    assert timeline.segment_on(date(2024, 2, 15)) is None
    on = timeline.segment_on(date(2024, 3, 15))
    assert on is not None
    assert str(on.period) == "2024-03-01..2024-06-30"


def test_one_worker_whether_its_niss_is_one_object_or_equal_ones() -> None:
    """build_timeline checks the records' NISS by equality; records that share one Niss
    object (the timeline reduce's) are let through without the set, to the same timeline."""
    first, second = Niss(NISS.value), Niss(NISS.value)
    january = CareerPeriod(first, PeriodKind.TRAINING, Period.day(date(2024, 1, 2)))
    march = CareerPeriod(second, PeriodKind.TRAINING, Period.day(date(2024, 3, 4)))
    apart = build_timeline([january, march], as_of=date(2024, 3, 31))
    assert apart.niss is first
    shared = CareerPeriod(first, PeriodKind.TRAINING, Period.day(date(2024, 3, 4)))
    together = build_timeline([january, shared], as_of=date(2024, 3, 31))
    assert together == apart
    assert together.niss is first
    assert build_timeline([], as_of=date(2024, 3, 31)).niss is None


def test_one_worker_per_timeline_and_bulk_per_worker() -> None:
    other = Niss("50073003369")
    training = CareerPeriod(other, PeriodKind.TRAINING, Period.day(date(2024, 1, 2)))
    records = [job(date(2024, 1, 1), None, "1"), training]
    with pytest.raises(InvalidValueError, match="one worker's records, got 2 NISS"):
        build_timeline(records, as_of=date(2024, 1, 31))
    timelines = build_timelines(records, as_of=date(2024, 1, 31))
    assert list(timelines) == [NISS, other]
    builder = TimelineBuilder()
    for record in reversed(records):
        builder.add(record)
    assert builder.build_all(as_of=date(2024, 1, 31)) == timelines
