"""The bulk path: the cases mutation testing found untested (docs/mutation.md).

The oracle is the reference path, one worker at a time: the band from
:func:`quarter_counts` + :func:`size_band`, the result from :func:`entitlement_for` on
the worker's own lines (docs/training-right.md: R-COUNT-2..5, R-PRO-2). Where a value is
simple enough it is also worked by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.findings import Finding, Severity
from mycareer.fla import (
    DECLARATION_MISSING,
    BandBasis,
    Entitlement,
    EntitlementOptions,
    HoursPolicy,
    Overrides,
    Regime,
    Rulebook,
    Segment,
    SizeBand,
    compute_entitlements,
    entitlement_for,
    quarter_counts,
    segments_of,
    size_band,
)
from mycareer.fla.bulk import assemble
from mycareer.niss import Niss
from mycareer.quarter import Quarter

from ._build import ACME, ANN, BETA, BOB, FULL, _niss_pool, occupation, record, staff

Q = Quarter
YEAR = 2024
FROM_20 = Overrides(band={ACME.key: SizeBand.FROM_20, BETA.key: SizeBand.FROM_20})


def reference(
    records: Sequence[DmfaWorkerRecord],
    year: int = YEAR,
    *,
    overrides: Overrides = FROM_20,
    options: EntitlementOptions | None = None,
) -> list[Entitlement]:
    """One result per (employer, worker) with a line in ``year``, one worker at a time."""
    opts = options or EntitlementOptions()
    codes = opts.indemnity_codes
    counts = quarter_counts(records, indemnity_codes=codes)
    lines: dict[tuple[str, str], list[DmfaOccupation]] = defaultdict(list)
    who: dict[tuple[str, str], tuple[Employer, Niss]] = {}
    seen: set[tuple[str, Quarter, str, int, str]] = set()
    for r in records:
        mark = (r.employer.key, r.quarter, r.niss.value, r.worker_code, r.employer_class)
        if mark in seen:
            continue
        seen.add(mark)
        if r.quarter.year == year:
            lines[(r.employer.key, r.niss.value)] += r.occupations
            who.setdefault((r.employer.key, r.niss.value), (r.employer, r.niss))
    found = []
    for key in sorted(lines):
        band = size_band(
            key[0], year, counts.get(key[0], {}), override_band=overrides.band.get(key[0])
        )
        employer, niss = who[key]
        single = entitlement_for(
            employer, niss, year, lines[key], band=band, options=opts,
            full_time_days=overrides.full_time_days.get(key[0]),
        )  # fmt: skip
        if segments_of(lines[key], year, indemnity_codes=codes):  # a line in the year
            found.append(single)
    return found


@attrs.frozen
class Line:
    """A line to declare: its dates and the builder's other fields (``occupation``)."""

    start: date
    end: date | None
    fields: dict[str, Any]


def line(start: date, end: date | None = None, **fields: Any) -> Line:
    return Line(start, end, fields)


def in_quarters(
    niss: Niss, lines: Sequence[Line], *, employer: Employer = ACME
) -> list[DmfaWorkerRecord]:
    """``lines`` declared as DmfA does: one record per quarter of ``YEAR`` they touch."""
    by_quarter: dict[Quarter, list[DmfaOccupation]] = defaultdict(list)
    for sequence, spec in enumerate(lines, start=1):
        for quarter in Quarter.range(Q(YEAR, 1), Q(YEAR, 4)):
            end = spec.end
            if spec.start <= quarter.last_day and (end is None or end >= quarter.first_day):
                fields = {"sequence": sequence, **spec.fields}
                by_quarter[quarter].append(occupation(spec.start, end, quarter=quarter, **fields))
    return [record(employer, q, niss, found) for q, found in sorted(by_quarter.items())]


# --- one result per worker shape: workers whose lines differ must not share one ---------

PEOPLE = _niss_pool()
D = date


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # within one month of each other at the end: 1 February is a second month
        ([line(D(2024, 1, 1), D(2024, 2, 1))], [line(D(2024, 1, 1), D(2024, 1, 31))]),
        # the same months, another Q
        ([line(D(2024, 3, 1), D(2024, 5, 31))], [line(D(2024, 3, 1), D(2024, 5, 31), q=1900)]),
        # in February only, and from February into March (31 days apart from January's)
        ([line(D(2024, 2, 1), D(2024, 2, 29))], [line(D(2024, 2, 20), D(2024, 3, 1))]),
        # two lines each (the shape of several lines): the first ends in another month
        (
            [line(D(2024, 1, 1), D(2024, 2, 1)), line(D(2024, 6, 1), D(2024, 6, 30), q=1900)],
            [line(D(2024, 1, 1), D(2024, 1, 31)), line(D(2024, 6, 1), D(2024, 6, 30), q=1900)],
        ),
        # two lines each in the same months, their Q swapped
        (
            [line(D(2024, 1, 1), D(2024, 1, 31), q=1900), line(D(2024, 6, 1), D(2024, 6, 30))],
            [line(D(2024, 1, 1), D(2024, 1, 31)), line(D(2024, 6, 1), D(2024, 6, 30), q=1900)],
        ),
        # two lines each, in February and from February into March
        (
            [line(D(2024, 2, 1), D(2024, 2, 29)), line(D(2024, 8, 1), D(2024, 8, 31), q=1900)],
            [line(D(2024, 2, 20), D(2024, 3, 1)), line(D(2024, 8, 1), D(2024, 8, 31), q=1900)],
        ),
    ],
)
def test_workers_whose_lines_differ_get_their_own_results(
    first: list[Line], second: list[Line]
) -> None:
    """The bulk path shares a result between workers of one month-level shape (days within
    a month do not matter when lines do not overlap): two workers whose months or Q differ
    must each get their own, in either order."""
    for a, b in ((PEOPLE[0], PEOPLE[1]), (PEOPLE[1], PEOPLE[0])):
        records = in_quarters(a, first) + in_quarters(b, second)
        bulk = compute_entitlements(records, (), YEAR, overrides=FROM_20)
        assert list(bulk) == reference(records)
        assert [m.fraction for m in bulk[0].months] != [m.fraction for m in bulk[1].months]


def test_one_month_worked_by_hand() -> None:
    """February only, full time, band 20+ (5 days, R-PRO-2): 5 × 1 ÷ 12; from 20 February
    to 1 March: two months, 5 × 2 ÷ 12."""
    records = in_quarters(PEOPLE[0], [line(D(2024, 2, 1), D(2024, 2, 29))]) + in_quarters(
        PEOPLE[1], [line(D(2024, 2, 20), D(2024, 3, 1))]
    )
    got = {e.niss: e.days_exact for e in compute_entitlements(records, (), YEAR, overrides=FROM_20)}
    assert got == {PEOPLE[0]: Fraction(5, 12), PEOPLE[1]: Fraction(10, 12)}


MONTH_EDGES = [
    d
    for month in range(1, 13)
    for d in (D(YEAR, month, 1), D(YEAR, month, 2), D(YEAR, month, 1) - timedelta(days=1))
]


@st.composite
def edge_lines(draw: st.DrawFn) -> list[Line]:
    """1–2 lines starting and ending on or next to a month's first day (where a month-level
    shape changes), Q and S from a few values."""
    found = []
    for _ in range(draw(st.integers(1, 2))):
        start = max(draw(st.sampled_from(MONTH_EDGES)), D(YEAR, 1, 1))
        end = draw(st.sampled_from([*(e for e in MONTH_EDGES if e >= start), None]))
        found.append(line(start, end, q=draw(st.sampled_from([1900, FULL]))))
    return found


@settings(max_examples=100, deadline=None)
@given(st.lists(edge_lines(), min_size=2, max_size=5))
def test_workers_with_lines_on_month_edges_equal_one_by_one(
    workers: list[list[Line]],
) -> None:
    """Workers at one employer whose lines start or end on a month's first day, or next to
    it: every result equals the reference path's."""
    records = [r for n, lines in enumerate(workers) for r in in_quarters(PEOPLE[n], lines)]
    assert list(compute_entitlements(records, (), YEAR, overrides=FROM_20)) == reference(records)


# --- a line declared quarter by quarter is joined only when nothing changes ---------------


@pytest.mark.parametrize(
    ("changed", "options"),
    [
        ({"s": 3900}, EntitlementOptions()),  # another S: another fraction from April
        ({"jc": "200"}, EntitlementOptions()),  # another committee from April
        ({"days_per_week": 400}, EntitlementOptions(hours_policy=HoursPolicy.WORKER_DAY)),
    ],
)
def test_a_line_that_changes_at_a_quarter_is_not_joined_with_the_next(
    changed: dict[str, Any], options: EntitlementOptions
) -> None:
    """Q 19 h from January to March, then from April a line with the same Q that differs in
    S, committee or days a week: the months from April take the second line's."""
    lines = [
        line(D(2024, 1, 1), D(2024, 3, 31), q=1900),
        line(D(2024, 4, 1), None, q=1900, **changed),
    ]
    records = in_quarters(ANN, lines)
    bulk = compute_entitlements(records, (), YEAR, overrides=FROM_20, options=options)
    assert list(bulk) == reference(records, options=options)
    # and the change matters: the line kept all year gives another result
    kept = in_quarters(ANN, [line(D(2024, 1, 1), None, q=1900)])
    assert bulk != compute_entitlements(kept, (), YEAR, overrides=FROM_20, options=options)


def test_an_s_that_changes_at_a_quarter_worked_by_hand() -> None:
    """19/38 from January to March, 19/39 from April (band 20+, A = 5)."""
    lines = [
        line(D(2024, 1, 1), D(2024, 3, 31), q=1900),
        line(D(2024, 4, 1), None, q=1900, s=3900),
    ]
    [got] = compute_entitlements(in_quarters(ANN, lines), (), YEAR, overrides=FROM_20)
    assert [m.fraction for m in got.months] == [Fraction(1, 2)] * 3 + [Fraction(19, 39)] * 9
    assert got.days_exact == 5 * (3 * Fraction(1, 2) + 9 * Fraction(19, 39)) / 12


# --- what the scan reads of each line ----------------------------------------------------


def test_records_of_two_employers_sharing_one_quarter_value() -> None:
    """A reader may hand every record of a quarter the same ``Quarter`` value: the records
    still belong to their own employer."""
    quarter = Q(YEAR, 1)
    records = [
        record(ACME, quarter, ANN, [occupation(D(2024, 1, 1), D(2024, 3, 15), quarter=quarter)]),
        record(BETA, quarter, BOB, [occupation(D(2024, 2, 1), D(2024, 3, 20), quarter=quarter)]),
    ]
    bulk = compute_entitlements(records, (), YEAR, overrides=FROM_20)
    assert [(e.employer, e.niss) for e in bulk] == [(BETA, BOB), (ACME, ANN)]
    assert list(bulk) == reference(records)


def test_the_callers_indemnity_codes_decide_which_lines_are_not_employment() -> None:
    """With code 1 listed as a termination indemnity, a line paid only under code 1 is no
    employment (no result) and does not count at the quarter's end."""
    options = EntitlementOptions(indemnity_codes=frozenset({1}))
    reference_quarter = Q(2023, 1)
    records = [
        *staff(ACME, reference_quarter, 1000),  # ten full-timers, paid under code 1
        record(
            ACME,
            reference_quarter,
            BOB,
            [occupation(D(2020, 1, 1), quarter=reference_quarter, remuneration_codes=(2,))],
        ),
        *in_quarters(ANN, [line(D(2024, 1, 1), D(2024, 6, 30))]),  # paid under code 1
        *in_quarters(BOB, [line(D(2024, 1, 1), D(2024, 6, 30), remuneration_codes=(2,))]),
    ]
    bulk = compute_entitlements(records, (), YEAR, options=options)
    assert [e.niss for e in bulk] == [BOB]
    # only BOB counted in the one declared reference quarter: 1 FTE, below 10
    assert (bulk[0].band, bulk[0].average_fte) == (SizeBand.BELOW_10, Decimal("1.0000"))
    assert list(bulk) == reference(records, overrides=Overrides(), options=options)


def test_a_line_with_no_s_counts_with_fraction_0() -> None:
    """A third-party payer's line declares Q but no S: kept with fraction 0."""
    declared = in_quarters(ANN, [line(D(2024, 1, 1), D(2024, 12, 31), q=1900)])
    records = [
        attrs.evolve(r, occupations=[
            attrs.evolve(o, ref_mean_working_hours=None) for o in r.occupations
        ])
        for r in declared
    ]  # fmt: skip
    [got] = compute_entitlements(records, (), YEAR, overrides=FROM_20)
    assert got.days_exact == 0
    assert {m.fraction for m in got.months} == {Fraction(0)}
    assert [got] == reference(records)


def test_lines_declared_outside_their_quarter_are_read_by_their_own_dates() -> None:
    """A line wholly outside its quarter keeps its declared dates (the reader does so for
    indemnity periods): one that ended in 2023 adds nothing to 2024 and does not hide the
    record's next line; one that starts in May with no end runs to December."""
    quarter = Q(YEAR, 1)
    records = [
        record(ACME, quarter, ANN, [
            occupation(D(2023, 6, 1), D(2023, 12, 15), quarter=quarter),
            occupation(D(2024, 2, 1), D(2024, 3, 31), quarter=quarter, sequence=2),
        ]),
        record(ACME, quarter, BOB, [occupation(D(2024, 5, 1), quarter=quarter)]),
    ]  # fmt: skip
    assert records[0].occupations[0].period.stop == D(2023, 12, 16)
    assert records[1].occupations[0].period.stop is None
    bulk = compute_entitlements(records, (), YEAR, overrides=FROM_20)
    assert {e.niss: e.months_employed for e in bulk} == {ANN: 2, BOB: 8}
    assert list(bulk) == reference(records)


# --- the band, the year and what the results record ---------------------------------------


def test_the_callers_fallback_fte_sizes_an_employer_without_reference_quarters() -> None:
    """No declaration in 2022 Q4 – 2023 Q3 (R-COUNT-4): the caller's count for ACME (25 FTE)
    wins over the first quarter employing someone (1 FTE); BETA, with no count given, takes
    its own."""
    records = in_quarters(ANN, [line(D(2024, 1, 1))]) + in_quarters(
        BOB, [line(D(2024, 1, 1))], employer=BETA
    )
    over = Overrides(fallback_fte={ACME.key: 25})
    bulk = compute_entitlements(records, (), YEAR, overrides=over)
    got = {e.employer: (e.band, e.band_basis, e.fallback_used) for e in bulk}
    assert got == {
        ACME: (SizeBand.FROM_20, BandBasis.FALLBACK, True),
        BETA: (SizeBand.BELOW_10, BandBasis.FALLBACK, True),
    }
    counts = quarter_counts(records)
    band = size_band(ACME.key, YEAR, counts[ACME.key], fallback_value=25)
    lines = [o for r in records if r.employer == ACME for o in r.occupations]
    assert bulk[1] == entitlement_for(ACME, ANN, YEAR, lines, band=band)


def test_a_record_given_twice_counts_once_and_is_said() -> None:
    """Ten full-timers in 2023 Q1, one of their records given twice: 10 FTE (not 11), and a
    warning naming the employer and the quarter."""
    ten = staff(ACME, Q(2023, 1), 1000)
    records = [*ten, ten[3], *in_quarters(ANN, [line(D(2024, 1, 1))])]
    [got] = compute_entitlements(records, (), YEAR)
    assert (got.band, got.average_fte) == (SizeBand.FROM_10_TO_19, Decimal("10.0000"))
    said = [f for f in got.findings if f.code == "FLA_DUPLICATE_QUARTER"]
    assert said == [
        Finding(
            "FLA_DUPLICATE_QUARTER",
            Severity.WARNING,
            f"employer {ACME.key}: quarter 20231 given more than once; each line counted once",
        )
    ]


def test_the_year_is_required() -> None:
    with pytest.raises(TypeError) as caught:
        compute_entitlements([])  # type: ignore[call-overload]
    assert str(caught.value) == "compute_entitlements() needs the year"


def test_a_year_before_the_rules_is_answered_with_the_callers_full_time_days() -> None:
    """2010 is before the rules (2017 on): answered when the caller gives A (regime
    "override"), here 4 days, full time all year: 4 days."""
    records = [
        record(ACME, q, ANN, [occupation(D(2010, 1, 1), quarter=q)])
        for q in Quarter.range(Q(2010, 1), Q(2010, 4))
    ]
    over = Overrides(band={ACME.key: SizeBand.FROM_20}, full_time_days={ACME.key: Fraction(4)})
    [got] = compute_entitlements(records, (), 2010, overrides=over)
    assert (got.regime, got.days_exact) == (Regime.OVERRIDE, Fraction(4))
    assert [got] == reference(records, 2010, overrides=over)


def test_as_of_is_recorded_on_every_result() -> None:
    """ANN's line is open at the end of Q1, the last quarter ACME declared (a result with
    DECLARATION_MISSING); BOB's ended in February (a plain result): both record as_of."""
    records = [
        *in_quarters(ANN, [line(D(2023, 10, 1))])[:1],
        *in_quarters(BOB, [line(D(2024, 1, 1), D(2024, 2, 15))]),
    ]
    as_of = D(2024, 5, 15)
    bulk = compute_entitlements(records, (), YEAR, overrides=FROM_20, as_of=as_of)
    assert [(e.niss, e.as_of) for e in bulk] == [(BOB, as_of), (ANN, as_of)]
    assert bulk[1].undeclared_quarters == (Q(2024, 2), Q(2024, 3), Q(2024, 4))
    assert DECLARATION_MISSING in {f.code for f in bulk[1].findings}


def test_assemble_skips_a_worker_with_no_line_and_goes_on() -> None:
    """``assemble`` gives no result to a worker with no line and no gap, and still one to
    the workers after it."""
    start, stop = D(2024, 1, 1).toordinal(), D(2024, 7, 1).toordinal()
    band = size_band(ACME.key, YEAR, {}, override_band=SizeBand.FROM_20)
    opts = EntitlementOptions()
    got = assemble(
        {ACME.key: {BOB.value: [], ANN.value: [[start, stop, FULL, FULL, "111", 500]]}},
        {ACME.key: ACME}, {ANN.value: ANN}, {ACME.key: band}, YEAR, Rulebook.default(),
        Overrides(), opts, {}, projected=False, as_of=None,
    )  # fmt: skip
    first_half = [Segment(start, stop, FULL, FULL, "111", 500)]
    assert got == (entitlement_for(ACME, ANN, YEAR, first_half, band=band),)
    assert got[0].days_exact == Fraction(5, 2)  # 5 days × 6 months ÷ 12
