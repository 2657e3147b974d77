"""Who counts at a quarter end (R-COUNT-5, B-12), on the per-worker and the bulk paths.

The oracle restates the ONSS instruction quoted in docs/training-right.md, one
condition per line, with nothing shared with the library: a line counts when the
worker is not a student under the solidarity contribution (worker codes 840/841),
the line is not paid only as a termination indemnity (remuneration code 3), it is
in force on the quarter's last day, has Q and S, and declares at least one day
under a service code other than 30 (unpaid leave). Average = Σ quarter-end FTE ÷
quarters declared (R-COUNT-3).

Both paths are checked against it: the reference (``quarter_counts`` +
``size_band``) and the bulk scan (``compute_entitlements``, its tally). Breaking
the rule where both call it (counting students, dropping the code-30 check,
counting lines with no day) fails both tests below.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
from mycareer.fla import (
    BandResult,
    Entitlement,
    FallbackCount,
    SizeBand,
    compute_entitlements,
    quarter_counts,
    size_band,
)
from mycareer.fla.band import counts_at_quarter_end
from mycareer.fla.bulk import _scan
from mycareer.fla.options import EntitlementOptions
from mycareer.niss import Niss
from mycareer.quarter import Quarter

from ._build import ACME, ANN, BOB, FULL, employment, occupation, record, staff
from ._xml import round_trip

Q = Quarter
YEAR = 2024
REFERENCE = tuple(Q.range(Q(2022, 4), Q(2023, 3)))  # the 2024–25 band's (T-BAND-5)
QUARTERS = (*REFERENCE, Q(2023, 4), Q(2024, 1))  # and two after it (R-COUNT-4)


# --- worked example: a line declaring no day moves an employer across 20 -------------


def _no_day_example() -> list[DmfaWorkerRecord]:
    """Acme, in each reference quarter: 19.5 FTE with worked days (19 full-timers and one
    half-timer), and one more half-timer on a work cycle with no work due that quarter
    (his line declares no day). Ann works full time at Acme all through 2024."""
    records = []
    for quarter in REFERENCE:
        records += staff(ACME, quarter, 1950)
        cycle = occupation(date(2020, 1, 1), quarter=quarter, q=FULL // 2, services=[])
        records.append(record(ACME, quarter, BOB, [cycle]))
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    return records


def test_worked_dmfa_a_line_with_no_declared_day_does_not_count(
    tmp_path: Path, onss_xsd_dir: Path
) -> None:
    """19.5 FTE count, not 20: band 10–19, so Ann (full time, 2024) has 1 day, not 5
    (R-COUNT-5: at least one day under a code other than 30; B-1 bands)."""
    batch = round_trip(tmp_path / "dmfa", _no_day_example(), onss_xsd_dir)
    bob_lines = [o for r in batch.records if r.niss == BOB for o in r.occupations]
    assert len(bob_lines) == 4
    assert all(not o.services for o in bob_lines)  # read back as built
    reference = size_band(
        ACME.key, YEAR, quarter_counts(batch.records, batch.declarations)[ACME.key]
    )
    assert reference.average_exact == Fraction(39, 2)
    assert reference.band is SizeBand.FROM_10_TO_19
    [ann] = [e for e in compute_entitlements(batch.records, batch.declarations, YEAR)
             if e.niss == ANN]  # fmt: skip
    assert (ann.band, ann.average_fte) == (SizeBand.FROM_10_TO_19, Decimal("19.5000"))
    assert ann.days_exact == 1
    assert any("R-COUNT-5" in line and "30" in line for line in ann.explain("en"))
    assert any("R-COUNT-5" in line for line in ann.explain("fr"))
    assert any("R-COUNT-5" in line for line in ann.explain("nl"))


def test_a_line_with_only_unpaid_leave_or_no_day_does_not_count_one_with_sickness_does() -> None:
    last = Q(2023, 1).last_day

    def counts(services: list[tuple[int, int]]) -> bool:
        line = occupation(date(2020, 1, 1), quarter=Q(2023, 1), services=services)
        return counts_at_quarter_end(495, line, last, indemnity=False)

    assert not counts([])
    assert not counts([(30, 6400)])
    assert counts([(30, 6000), (50, 400)])  # an indicative code other than 30
    assert counts([(1, 50)])


# --- oracle ---------------------------------------------------------------------------

STUDENTS = (840, 841)
INDEMNITY = 3
UNPAID_LEAVE = 30


def oracle_counts(records: list[DmfaWorkerRecord]) -> dict[Quarter, tuple[Fraction, int]]:
    """Acme's quarter-end FTE and headcount per declared quarter, from the rule's words."""
    fte: dict[Quarter, Fraction] = {}
    heads: dict[Quarter, set[Niss]] = defaultdict(set)
    seen: set[tuple[Quarter, Niss, int, str]] = set()
    for r in records:
        fte.setdefault(r.quarter, Fraction(0))
        mark = (r.quarter, r.niss, r.worker_code, r.employer_class)
        if mark in seen:  # the same record given twice
            continue
        seen.add(mark)
        last_day = r.quarter.last_day
        for o in r.occupations:
            if r.worker_code in STUDENTS:
                continue
            if o.remunerations and all(p.code == INDEMNITY for p in o.remunerations):
                continue
            if o.start > last_day or (o.end is not None and o.end < last_day):
                continue
            if not o.mean_working_hours or not o.ref_mean_working_hours:
                continue
            if not any(s.code != UNPAID_LEAVE and s.days_hundredths > 0 for s in o.services):
                continue
            fte[r.quarter] += Fraction(o.mean_working_hours, o.ref_mean_working_hours)
            heads[r.quarter].add(r.niss)
    return {q: (value, len(heads[q])) for q, value in fte.items()}


def oracle_band_count(
    counts: dict[Quarter, tuple[Fraction, int]], unit: FallbackCount
) -> tuple[Fraction, Quarter | None]:
    """R-COUNT-3, else R-COUNT-4: the average over the declared reference quarters; with
    none, the count at the end of the first quarter after them in which someone counts
    (the first employment; B-3 ``unit``), else of the first declared one."""
    declared = [counts[q][0] for q in REFERENCE if q in counts]
    if declared:
        return sum(declared, Fraction(0)) / len(declared), None
    later = sorted(q for q in counts if q > REFERENCE[-1])
    employing = [q for q in later if counts[q][1] > 0]
    quarter = (employing or later)[0]
    fte, heads = counts[quarter]
    return (fte if unit is FallbackCount.FTE else Fraction(heads)), quarter


@st.composite
def noise(
    draw: st.DrawFn, quarter: Quarter, niss: Niss, *, left_out: bool = False
) -> DmfaWorkerRecord:
    """A record whose line the rule leaves out, for one of its reasons, or (unless
    ``left_out``) any mix of them, which may count: the oracle decides."""
    kinds = ["no-day", "unpaid", "student", "indemnity", "ended", "later", "break"]
    kind = draw(st.sampled_from(kinds if left_out else [*kinds, "any"]))
    q = draw(st.sampled_from([950, 1900, 3040, 3800]))
    s = draw(st.sampled_from([3800, 3900]))
    last = quarter.last_day
    start, end = date(2020, 1, 1), None
    services: list[tuple[int, int]] = [(1, 3000)]
    codes: tuple[int, ...] = (1,)
    measures: tuple[int, ...] = ()
    worker_code = 495
    if kind == "no-day":
        services = []
    elif kind == "unpaid":
        services = [(UNPAID_LEAVE, draw(st.integers(1, 6500)))]
    elif kind == "student":
        worker_code = draw(st.sampled_from(STUDENTS))
    elif kind == "indemnity":
        codes = (INDEMNITY,)
    elif kind == "ended":
        end = last - timedelta(days=draw(st.integers(1, 80)))
    elif kind == "later":
        start = last + timedelta(days=1)
    elif kind == "break":
        q, measures = 0, (3,)
    else:
        services = draw(st.lists(st.tuples(st.sampled_from([1, 2, 30, 50, 70]),
                                           st.integers(0, 6500)), max_size=3))  # fmt: skip
        codes = draw(st.sampled_from([(1,), (INDEMNITY,), (1, INDEMNITY)]))
        worker_code = draw(st.sampled_from([495, 15, 840, 841]))
        end = draw(st.sampled_from([None, last, last - timedelta(days=1)]))
    line = occupation(start, end, quarter=quarter, q=q, s=s, services=services,
                      remuneration_codes=codes, measures=measures)  # fmt: skip
    return record(ACME, quarter, niss, [line], worker_code=worker_code)


_PEOPLE = [Niss(f"{base:09d}{97 - base % 97:02d}") for base in range(600101001, 600101041, 2)]


@st.composite
def populations(
    draw: st.DrawFn, counted: dict[Quarter, int] | None = None
) -> list[DmfaWorkerRecord]:
    """Acme's reference quarters, some declared: counted staff (``counted`` FTE in
    hundredths per quarter, else drawn), noise lines, some records given twice, in any
    order; plus Ann in 2024 so that the bulk path has a result to show the band on."""
    quarters = (
        list(counted)
        if counted is not None
        else draw(st.lists(st.sampled_from(QUARTERS), min_size=1, max_size=6, unique=True))
    )
    records: list[DmfaWorkerRecord] = []
    for quarter in quarters:
        fte = counted[quarter] if counted is not None else draw(st.integers(0, 2500))
        records += staff(ACME, quarter, fte)
        # A declared quarter holds at least one record (the file of nobody is not a DmfA).
        for index in range(draw(st.integers(0 if fte else 1, 4))):
            records.append(draw(noise(quarter, _PEOPLE[index], left_out=counted is not None)))
    records += draw(st.lists(st.sampled_from(records), max_size=2)) if records else []
    records += employment(ACME, ANN, date(2024, 4, 1), None, last_quarter=Q(2024, 2))
    return draw(st.permutations(records))


def _both_paths(records: list[DmfaWorkerRecord]) -> tuple[BandResult, Entitlement]:
    reference = size_band(ACME.key, YEAR, quarter_counts(records)[ACME.key])
    [ann] = compute_entitlements(records, (), YEAR)
    return reference, ann


@settings(max_examples=250, deadline=None)
@given(populations(), st.sampled_from(FallbackCount))
def test_both_paths_count_as_the_oracle(
    records: list[DmfaWorkerRecord], unit: FallbackCount
) -> None:
    """Quarter counts, average and band (R-COUNT-3..5), or the fallback with no reference
    quarter declared (R-COUNT-4, B-3): reference path, bulk tally and bulk results."""
    wanted = oracle_counts(records)
    value, quarter = oracle_band_count(wanted, unit)
    reference = size_band(ACME.key, YEAR, quarter_counts(records)[ACME.key], fallback_count=unit)
    assert reference.average_exact == value
    assert reference.band is SizeBand.for_fte(value)
    assert reference.fallback_quarter == quarter
    assert reference.fallback_used is (quarter is not None)
    tally = _scan(records, (), YEAR, frozenset({INDEMNITY})).tally.result()[ACME.key]
    assert {q: (c.fte, c.headcount) for q, c in tally.items() if q in wanted} == wanted
    assert tally == quarter_counts(records)[ACME.key]  # FTE and headcount, every quarter
    options = EntitlementOptions(fallback_count=unit)
    results = compute_entitlements(records, (), YEAR, options=options)
    [ann] = [e for e in results if e.niss == ANN]
    assert ann.band is reference.band
    assert ann.average_fte == reference.average_fte
    assert ann.reference_quarters == reference.reference_quarters
    assert ann.missing_quarters == reference.missing_quarters
    assert (ann.fallback_used, ann.fallback_quarter) == (reference.fallback_used, quarter)
    assert ann.fallback_count is (unit if quarter is not None else FallbackCount.FTE)


#: Averages on the band boundaries (T-BAND-1..4) and the band the brief gives each.
BOUNDARIES = {999: SizeBand.BELOW_10, 1000: SizeBand.FROM_10_TO_19,
              1999: SizeBand.FROM_10_TO_19, 2000: SizeBand.FROM_20}  # fmt: skip


@st.composite
def at_a_boundary(draw: st.DrawFn) -> tuple[int, list[DmfaWorkerRecord]]:
    """A population whose counted FTE averages exactly 9.99, 10.00, 19.99 or 20.00 over
    its declared quarters (quarters above and below it), with noise around."""
    target = draw(st.sampled_from(sorted(BOUNDARIES)))
    quarters = draw(st.lists(st.sampled_from(REFERENCE), min_size=1, max_size=4, unique=True))
    shifts = [draw(st.integers(-300, 300)) for _ in quarters[1:]]
    counted = dict(zip(quarters, [target - sum(shifts), *(target + s for s in shifts)],
                       strict=True))  # fmt: skip
    return target, draw(populations(counted))


@settings(max_examples=150, deadline=None)
@given(at_a_boundary())
def test_boundary_averages_give_the_briefs_bands_on_both_paths(
    case: tuple[int, list[DmfaWorkerRecord]],
) -> None:
    target, records = case
    reference, ann = _both_paths(records)
    expected = Decimal(target) / 100
    assert (reference.average_fte, reference.band) == (expected, BOUNDARIES[target])
    assert (ann.average_fte, ann.band) == (expected, BOUNDARIES[target])


def test_the_bulk_path_checks_every_reason_on_its_own() -> None:
    """One line left out per reason, all in one quarter: 2 FTE counted, on both paths."""
    quarter = Q(2023, 1)
    last = quarter.last_day
    left_out: list[DmfaOccupation] = [
        occupation(date(2020, 1, 1), quarter=quarter, services=[]),
        occupation(date(2020, 1, 1), quarter=quarter, services=[(UNPAID_LEAVE, 6400)]),
        occupation(date(2020, 1, 1), quarter=quarter, remuneration_codes=(INDEMNITY,)),
        occupation(date(2020, 1, 1), last - timedelta(days=1), quarter=quarter),
        occupation(date(2020, 1, 1), quarter=quarter, q=0, measures=(3,)),
    ]
    records = staff(ACME, quarter, 200)
    records += [record(ACME, quarter, _PEOPLE[i], [line]) for i, line in enumerate(left_out)]
    records.append(record(ACME, quarter, _PEOPLE[9], [occupation(date(2020, 1, 1),
                                                                 quarter=quarter)],
                          worker_code=841))  # fmt: skip
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 1))
    counts = quarter_counts(records)[ACME.key][quarter]
    assert (counts.fte, counts.headcount) == (Fraction(2), 2)
    scanned = _scan(records, (), YEAR, frozenset({INDEMNITY})).tally.result()[ACME.key][quarter]
    assert (scanned.fte, scanned.headcount) == (Fraction(2), 2)
    [ann] = compute_entitlements(records, (), YEAR)
    assert ann.average_fte == Decimal(2)
