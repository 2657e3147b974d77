"""Property tests of the pro-rata engine against a day-by-day oracle (R-PRO-2, B-4).

Oracle: for every day of the year, the sum of the fractions of the lines in force;
B_m = min(1, the highest daily sum of the month); days = Σ A × B_m ÷ 12.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction
from functools import partial

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
from mycareer.fla import (
    Overrides,
    Segment,
    SizeBand,
    compute_entitlements,
    entitlement_for,
    quarter_counts,
    segments_of,
    size_band,
)
from mycareer.quarter import Quarter

from ._build import ACME, ANN, BETA, BOB, CAROL, occupation, record

YEAR = 2024
JAN1 = date(YEAR, 1, 1).toordinal()
DAYS = 366


@st.composite
def segment(draw: st.DrawFn, joint_commissions: tuple[str, ...] = ("111",)) -> Segment:
    start = draw(st.integers(0, DAYS - 1))
    length = draw(st.integers(1, 200))
    q = draw(st.sampled_from([0, 950, 1900, 2850, 3040, 3800]))
    jc = draw(st.sampled_from(joint_commissions))
    return Segment(JAN1 + start, JAN1 + min(DAYS, start + length), q, 3800, jc)


lines = st.lists(segment(), min_size=1, max_size=4)
mixed_lines = st.lists(segment(("111", "124", "200")), min_size=1, max_size=4)


def oracle(segments: list[Segment], full_time_days: Fraction = Fraction(5)) -> Fraction:
    best = [Fraction(0)] * 12
    for offset in range(DAYS):
        ordinal = JAN1 + offset
        total = sum((s.fraction for s in segments if s.start <= ordinal < s.stop), Fraction(0))
        month = (date(YEAR, 1, 1) + timedelta(days=offset)).month - 1
        best[month] = max(best[month], min(total, Fraction(1)))
    return sum((full_time_days * b / 12 for b in best), Fraction(0))


def days(segments: list[Segment]) -> Fraction:
    result = entitlement_for(ACME, ANN, YEAR, segments, band=SizeBand.FROM_20)
    assert result.days_exact is not None
    return result.days_exact


@settings(max_examples=150, deadline=None)
@given(lines)
def test_matches_the_day_by_day_oracle(segments: list[Segment]) -> None:
    assert days(segments) == oracle(segments)


@settings(max_examples=100, deadline=None)
@given(lines, st.data())
def test_monotone_in_the_fraction(segments: list[Segment], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(segments) - 1))
    chosen = segments[index]
    higher = data.draw(st.integers(chosen.q, 3800))
    raised = list(segments)
    raised[index] = Segment(chosen.start, chosen.stop, higher, chosen.s, chosen.joint_commission)
    assert days(raised) >= days(segments)


@settings(max_examples=100, deadline=None)
@given(lines, segment())
def test_monotone_in_the_months(segments: list[Segment], extra: Segment) -> None:
    assert days([*segments, extra]) >= days(segments)


@settings(max_examples=100, deadline=None)
@given(mixed_lines)
def test_never_above_the_full_time_days_and_additive_by_month(segments: list[Segment]) -> None:
    result = entitlement_for(ACME, ANN, YEAR, segments, band=SizeBand.FROM_20)
    assert result.days_exact is not None
    ceiling = sum((m.full_time_days or Fraction(0) for m in result.months), Fraction(0)) / 12
    assert 0 <= result.days_exact <= ceiling
    assert result.days_exact == sum((m.days for m in result.months), Fraction(0))
    assert result.days_exact == sum(
        (p for p in (result.legal_days, result.sector_days, result.employer_days) if p), Fraction(0)
    )


@settings(max_examples=100, deadline=None)
@given(lines, st.integers(1, 11))
def test_additive_across_months(segments: list[Segment], cut_month: int) -> None:
    """Lines split at a month boundary: the two halves add up to the whole."""
    cut = date(YEAR, cut_month + 1, 1).toordinal()
    before = [Segment(s.start, min(s.stop, cut), s.q, s.s, s.joint_commission)
              for s in segments if s.start < cut]  # fmt: skip
    after = [Segment(max(s.start, cut), s.stop, s.q, s.s, s.joint_commission)
             for s in segments if s.stop > cut]  # fmt: skip
    total = sum((days(part) for part in (before, after) if part), Fraction(0))
    assert total == days(segments)


@st.composite
def declared_workers(draw: st.DrawFn) -> list[DmfaWorkerRecord]:
    """Workers with 1–3 lines each, declared as DmfA does: one record per worker and
    quarter holding that quarter's part of every line."""
    lines: dict[tuple[int, Quarter], list[DmfaOccupation]] = defaultdict(list)
    for person in range(draw(st.integers(1, 2))):
        for sequence in range(1, draw(st.integers(1, 3)) + 1):
            start = date(YEAR, 1, 1) + timedelta(days=draw(st.integers(-40, DAYS - 1)))
            length = draw(st.one_of(st.none(), st.integers(0, 300)))
            end = None if length is None else start + timedelta(days=length)
            if end is not None and end.year < YEAR:
                continue
            q = draw(st.sampled_from([1900, 3040, 3800]))
            jc = draw(st.sampled_from(["111", "200"]))
            for number in range(1, 5):
                quarter = Quarter(YEAR, number)
                if start <= quarter.last_day and (end is None or end >= quarter.first_day):
                    lines[(person, quarter)].append(
                        occupation(start, end, quarter=quarter, q=q, jc=jc, sequence=sequence)
                    )
    people = [ANN, BOB]
    return [
        record(ACME, quarter, people[person], found)
        for (person, quarter), found in sorted(lines.items())
    ]


@settings(max_examples=100, deadline=None)
@given(declared_workers())
def test_bulk_path_matches_one_by_one(records: list[DmfaWorkerRecord]) -> None:
    """compute_entitlements (one scan, joined quarter lines, shared month-level results) gives
    what entitlement_for gives on each worker's raw lines."""
    bulk = compute_entitlements(
        records, (), YEAR, overrides=Overrides(band={ACME.key: SizeBand.FROM_20})
    )
    for result in bulk:
        lines = [o for r in records if r.niss == result.niss and r.quarter.year == YEAR
                 for o in r.occupations]  # fmt: skip
        single = entitlement_for(ACME, result.niss, YEAR, lines, band=SizeBand.FROM_20)
        assert result.days_exact == single.days_exact
        assert result.months == single.months
        assert result.hours == single.hours


@st.composite
def populations(draw: st.DrawFn) -> list[DmfaWorkerRecord]:
    """Two employers, three workers, lines from 2022 on (the band's reference period), in
    any order, some records given twice and some workers under two worker codes: what the
    bulk scan's caches (per employer, quarter and shape) must never confuse. The workers
    take their lines from a small common pool, so that results share shapes."""
    pool = []
    for _ in range(draw(st.integers(1, 4))):
        start = date(YEAR, 1, 1) + timedelta(days=draw(st.integers(-600, DAYS - 1)))
        length = draw(st.one_of(st.none(), st.integers(0, 500)))
        end = None if length is None else start + timedelta(days=length)
        line = partial(
            occupation,
            start,
            end,
            q=draw(st.sampled_from([0, 1900, 3040, 3800])),
            s=draw(st.sampled_from([3800, 3800, 3900])),
            jc=draw(st.sampled_from(["111", "200"])),
            days_per_week=draw(st.sampled_from([500, 400])),
            remuneration_codes=draw(st.sampled_from([(1,), (1,), (1,), (3,)])),
        )
        pool.append((start, end, line))
    employers = [ACME, BETA]
    people = [ANN, BOB, CAROL]
    lines: dict[tuple[int, int, int, Quarter], list[DmfaOccupation]] = defaultdict(list)
    for boss in range(draw(st.integers(1, 2))):
        for person in draw(st.sets(st.integers(0, 2), min_size=1)):
            chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
            for sequence, (start, end, line) in enumerate(chosen, start=1):
                code = draw(st.sampled_from([495, 495, 15]))  # worker code of the record
                for quarter in Quarter.range(Quarter(YEAR - 2, 4), Quarter(YEAR, 4)):
                    if start <= quarter.last_day and (end is None or end >= quarter.first_day):
                        lines[(boss, person, code, quarter)].append(
                            line(quarter=quarter, sequence=sequence)
                        )
    records = [
        record(employers[boss], quarter, people[person], found, worker_code=code)
        for (boss, person, code, quarter), found in lines.items()
    ]
    records += draw(st.lists(st.sampled_from(records), max_size=2)) if records else []
    return draw(st.permutations(records))


@settings(max_examples=150, deadline=None)
@given(populations(), st.booleans())
def test_bulk_results_equal_one_by_one_results(
    records: list[DmfaWorkerRecord], bands_given: bool
) -> None:
    """Every field of every bulk result equals entitlement_for's on that worker's lines
    with the same band; the results come sorted by employer, then NISS."""
    given = {ACME.key: SizeBand.FROM_20, BETA.key: SizeBand.BELOW_10}
    overrides = Overrides(band=given if bands_given else {})
    bulk = compute_entitlements(records, (), YEAR, overrides=overrides)
    keys = [(e.employer.key, e.niss.value) for e in bulk]
    assert keys == sorted(keys)
    lines: dict[tuple[str, str], list[DmfaOccupation]] = defaultdict(list)
    seen: set[tuple[str, str, int, Quarter]] = set()
    duplicated: set[str] = set()
    for r in records:
        mark = (r.employer.key, r.niss.value, r.worker_code, r.quarter)
        if mark in seen:  # a record given twice counts once
            duplicated.add(r.employer.key)
            continue
        seen.add(mark)
        if r.quarter.year == YEAR:
            lines[mark[:2]] += r.occupations
    assert keys == sorted(k for k, found in lines.items() if segments_of(found, YEAR))
    counts = quarter_counts(records)
    for result, key in zip(bulk, keys, strict=True):
        # The band from the reference path, not the one the bulk path computed.
        band = size_band(
            key[0], YEAR, counts.get(key[0], {}), override_band=overrides.band.get(key[0])
        )
        single = entitlement_for(result.employer, result.niss, YEAR, lines[key], band=band)
        # Bulk findings: the band's, those of duplicates at that employer, then the
        # worker's, as one by one.
        own = len(band.findings)
        assert result.findings[:own] == single.findings[:own] == band.findings
        cut = len(result.findings) - len(single.findings)
        assert result.findings[own + cut :] == single.findings[own:]
        codes = {f.code for f in result.findings[own : own + cut]}
        assert codes == ({"FLA_DUPLICATE_QUARTER"} if key[0] in duplicated else set())
        assert attrs.evolve(result, findings=()) == attrs.evolve(single, findings=())
