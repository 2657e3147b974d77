"""The bulk pass fed in parts (:class:`EntitlementStream`) against one pass over the same records.

The oracle is :func:`compute_entitlements` on the records of the committed parts, in the
order they were fed: every partition of the records into parts (files), with parts
discarded (files that failed part-way), must give its results exactly.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Protocol

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.fla import EntitlementOptions, Overrides, Regime, SizeBand, bulk, compute_entitlements
from mycareer.fla.band import DeclaredQuarter
from mycareer.fla.bulk import EntitlementStream, _scan
from mycareer.fla.continuation import lines_may_continue
from mycareer.niss import Niss
from mycareer.quarter import Quarter

from ._build import ACME, ANN, BETA, BOB, CAROL, FULL, _niss_pool, occupation, record

YEAR = 2024
Q = Quarter
DAN = _niss_pool()[0]
# Reference quarters of 2024 (2022 Q4 to 2023 Q3), the quarter before the year, the year.
QUARTERS = (Q(2022, 4), Q(2023, 2), Q(2023, 3), Q(2023, 4), Q(2024, 1), Q(2024, 2),
            Q(2024, 3), Q(2024, 4))  # fmt: skip
PEOPLE = (ANN, BOB, CAROL, DAN)


@st.composite
def a_record(draw: st.DrawFn, employer: Employer, quarter: Quarter) -> DmfaWorkerRecord:
    """A worker's record of one employer quarter: lines open at its end or not, part-time
    or full-time, some termination indemnities, some lines starting in the quarter."""
    lines = []
    for sequence in range(1, draw(st.integers(1, 2)) + 1):
        start = draw(
            st.sampled_from(
                [date(2020, 1, 1), quarter.first_day, quarter.first_day + timedelta(40)]
            )
        )
        end = draw(
            st.sampled_from([None, None, quarter.last_day - timedelta(20), quarter.last_day])
        )
        lines.append(
            occupation(
                start,
                end,
                quarter=quarter,
                q=draw(st.sampled_from([FULL, 1900])),
                jc=draw(st.sampled_from(["111", "200"])),
                sequence=sequence,
                remuneration_codes=draw(st.sampled_from([(1,), (1,), (3,)])),
            )
        )
    worker_code = draw(st.sampled_from([495, 495, 15]))
    return record(employer, quarter, draw(st.sampled_from(PEOPLE)), lines, worker_code=worker_code)


@st.composite
def buckets(draw: st.DrawFn) -> list[list[DmfaWorkerRecord]]:
    """Employer quarters (some missing), each with its records (some given twice)."""
    found: list[list[DmfaWorkerRecord]] = []
    for employer in (ACME, BETA):
        for quarter in QUARTERS:
            if not draw(st.booleans()) and quarter != Q(2024, 1):
                continue  # not declared: a gap, or a reference quarter missing
            records = draw(st.lists(a_record(employer, quarter), max_size=4))
            twice = draw(st.booleans())
            if records and twice:
                records.append(records[0])  # given twice: counted once
            found.append(records)
    return found


def _declarations(data: st.DataObject) -> list[DeclaredQuarter]:
    """Declared quarters, some with no record."""
    chosen = data.draw(st.lists(st.sampled_from(QUARTERS), max_size=2, unique=True))
    employer = data.draw(st.sampled_from([ACME, BETA]))
    return [_Declared(employer, quarter) for quarter in chosen]


class _Declared:
    def __init__(self, employer: Employer, quarter: Quarter) -> None:
        self.employer = employer
        self.quarter = quarter


def _cuts(data: st.DataObject, size: int) -> list[tuple[int, int]]:
    """A partition of ``range(size)`` into consecutive parts."""
    marks = data.draw(st.lists(st.integers(0, size), max_size=5))
    edges = sorted({0, size, *marks})
    return list(itertools.pairwise(edges)) or [(0, 0)]


class _Staged(Protocol):
    def stage(self) -> Any: ...


def feed_parts(stream: _Staged, parts: list[list[DmfaWorkerRecord]], kept: list[bool]) -> None:
    """Each part to a new stage of ``stream``, committed or discarded as ``kept`` says."""
    for part, keep in zip(parts, kept, strict=True):
        stage = stream.stage()
        stage.feed(iter(part))
        if keep:
            stage.commit()
        else:
            stage.discard()


def _streamed(
    parts: list[list[DmfaWorkerRecord]],
    kept: list[bool],
    declarations: list[DeclaredQuarter],
    options: EntitlementOptions,
    *,
    sealed: bool,
) -> tuple[object, ...]:
    stream = EntitlementStream(YEAR, options=options, sealed=sealed)
    feed_parts(stream, parts, kept)
    keys, last = stream.employer_keys(), stream.last_quarter()
    results = stream.entitlements(declarations, as_of=date(2024, 6, 30))
    return results, keys, last, stream.committed.tally.result()


def _one_pass(
    records: list[DmfaWorkerRecord],
    declarations: list[DeclaredQuarter],
    options: EntitlementOptions,
) -> tuple[object, ...]:
    results = compute_entitlements(
        records, declarations, YEAR, options=options, as_of=date(2024, 6, 30)
    )
    keys = frozenset(r.employer.key for r in records)
    counts = _scan(records, declarations, YEAR, options.indemnity_codes).tally.result()
    return results, keys, max((r.quarter for r in records), default=None), counts


@settings(max_examples=120, deadline=None)
@given(buckets(), st.data(), st.booleans())
def test_any_parts_committed_or_not_give_one_pass_over_the_committed_records(
    found: list[list[DmfaWorkerRecord]], data: st.DataObject, assume: bool
) -> None:
    """Records in any order, cut anywhere (an employer quarter over several parts, a
    record seen in an earlier part), some parts discarded."""
    records = data.draw(st.permutations([r for bucket in found for r in bucket]))
    cuts = _cuts(data, len(records))
    parts = [list(records[a:b]) for a, b in cuts]
    kept = data.draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    declarations = _declarations(data)
    options = EntitlementOptions(assume_continuation=assume)
    expected = _one_pass([r for p, k in zip(parts, kept, strict=True) if k for r in p],
                         declarations, options)  # fmt: skip
    assert _streamed(parts, kept, declarations, options, sealed=False) == expected


@settings(max_examples=80, deadline=None)
@given(buckets(), st.data(), st.booleans())
def test_sealed_parts_of_whole_employer_quarters_give_one_pass(
    found: list[list[DmfaWorkerRecord]], data: st.DataObject, assume: bool
) -> None:
    """As a reader of whole files gives them: each employer quarter in one part, in any
    order of quarters; committed quarters keep their counts only."""
    order = data.draw(st.permutations(range(len(found))))
    ordered = [found[i] for i in order]
    cuts = _cuts(data, len(ordered))
    parts = [[r for bucket in ordered[a:b] for r in bucket] for a, b in cuts]
    kept = data.draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    declarations = _declarations(data)
    options = EntitlementOptions(assume_continuation=assume)
    expected = _one_pass([r for p, k in zip(parts, kept, strict=True) if k for r in p],
                         declarations, options)  # fmt: skip
    assert _streamed(parts, kept, declarations, options, sealed=True) == expected


def _year_line(employer: Employer, quarter: Quarter, niss: Niss = ANN) -> DmfaWorkerRecord:
    """A full-time line from 2020 on, still open at the quarter's end."""
    return record(employer, quarter, niss, [occupation(date(2020, 1, 1), quarter=quarter)])


def test_a_record_committed_before_counts_once_when_a_later_part_repeats_it() -> None:
    first, again = _year_line(ACME, Q(2023, 1)), _year_line(ACME, Q(2023, 1))
    stream = EntitlementStream(YEAR)
    for part in ([first], [again, _year_line(ACME, Q(2024, 1))]):
        stage = stream.stage()
        stage.feed(part)
        stage.commit()
    assert stream.committed.tally.result()[ACME.key][Q(2023, 1)].headcount == 1
    [result] = stream.entitlements()
    assert [f.code for f in result.findings].count("FLA_DUPLICATE_QUARTER") == 1


def test_a_discarded_part_leaves_nothing_behind() -> None:
    stream = EntitlementStream(YEAR)
    kept = stream.stage()
    kept.feed([_year_line(ACME, Q(2024, 1))])
    kept.commit()
    failed = stream.stage()
    failed.feed([_year_line(BETA, Q(2024, 2)), _year_line(ACME, Q(2024, 2), BOB)])
    failed.discard()
    assert stream.employer_keys() == {ACME.key}
    assert stream.last_quarter() == Q(2024, 1)
    assert [(e.employer.key, e.niss) for e in stream.entitlements()] == [(ACME.key, ANN)]


def test_a_line_repeated_in_the_next_part_is_joined_into_one() -> None:
    stream = EntitlementStream(YEAR, sealed=True)
    for quarter in Quarter.range(Q(2024, 1), Q(2024, 4)):
        stage = stream.stage()
        stage.feed([_year_line(ACME, quarter)])
        stage.commit()
    [lines] = stream.committed.groups[ACME.key].values()
    assert lines == [[date(2024, 1, 1).toordinal(), date(2025, 1, 1).toordinal(),
                      FULL, FULL, "111", 500]]  # fmt: skip


def test_open_lines_are_dropped_once_the_next_quarter_is_declared() -> None:
    """Lines open at a quarter's end matter only if the next quarter is missing: a stream
    keeps those of the employer's latest quarters only, and still finds the gap."""
    stream = EntitlementStream(YEAR, sealed=True)
    for quarter in (Q(2023, 4), Q(2024, 1), Q(2024, 3)):  # 2024 Q2 and Q4 not declared
        stage = stream.stage()
        stage.feed([_year_line(ACME, quarter)])
        stage.commit()
    kept = {(y, n) for _key, y, n in stream.committed.opens}
    assert kept == {(2024, 1), (2024, 3)}  # before a missing quarter; 2023 Q4 is not
    [result] = stream.entitlements()
    assert result.undeclared_quarters == (Q(2024, 2), Q(2024, 4))


def _opens_after_each_commit(parts: list[list[DmfaWorkerRecord]]) -> list[set[Any]]:
    """The open lines' employer quarters a stream keeps after each part is committed."""
    stream = EntitlementStream(YEAR)
    kept = []
    for part in parts:
        stage = stream.stage()
        stage.feed(iter(part))
        stage.commit()
        kept.append(set(stream.committed.opens))
    return kept


def _prune_every_open_line(scan: Any, _later: Any) -> None:
    """The rule applied to every employer quarter of open lines, whatever the part
    absorbed brought (the prune before 7 December 2026)."""
    declared = scan.declared()
    for index in list(scan.opens):
        key, y, number = index
        if not lines_may_continue(Quarter(y, number), declared[key]):
            del scan.opens[index]


@settings(max_examples=150, deadline=None)
@given(found=buckets(), data=st.data())
def test_a_stream_keeps_the_open_lines_the_rule_keeps(
    found: list[list[DmfaWorkerRecord]], data: st.DataObject
) -> None:
    """Employer quarters in any order and any parts (a quarter before or after the ones
    it follows): after each part, the open lines a stream keeps are those the rule keeps
    when it looks at every one of them (the oracle); the stream looks only at those the
    part can have stopped."""
    order = data.draw(st.permutations(range(len(found))))
    records = [r for i in order for r in found[i]]
    parts = [records[a:b] for a, b in _cuts(data, len(records))]
    kept = _opens_after_each_commit(parts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bulk._Scan, "_prune", _prune_every_open_line)
        assert kept == _opens_after_each_commit(parts)


def test_sealed_counts_stay_and_a_part_naming_a_sealed_quarter_is_refused() -> None:
    stream = EntitlementStream(YEAR, sealed=True)
    stage = stream.stage()
    stage.feed([_year_line(ACME, Q(2024, 1)), _year_line(ACME, Q(2024, 1), BOB)])
    stage.commit()
    index = (ACME.key, 2024, 1)
    assert stream.committed.tally.buckets[index][1:] == (set(), set())
    assert stream.committed.tally.result()[ACME.key][Q(2024, 1)].headcount == 2
    again = stream.stage()
    again.feed([_year_line(ACME, Q(2024, 1), CAROL)])
    with pytest.raises(ValueError, match=r"employer quarter \('0403019261', 2024, 1\) was sealed"):
        again.commit()


FED_ONCE = r"^a stage is fed before it is committed or discarded$"


def test_a_stream_gives_its_entitlements_once_and_a_stage_is_committed_once() -> None:
    stream = EntitlementStream(YEAR)
    stage = stream.stage()
    stage.feed([_year_line(ACME, Q(2024, 1))])
    stage.commit()
    with pytest.raises(AssertionError, match=r"^a stage is committed once$"):
        stage.commit()
    with pytest.raises(AssertionError, match=FED_ONCE):
        stage.feed([_year_line(ACME, Q(2024, 2))])
    dropped = stream.stage()
    dropped.discard()
    with pytest.raises(AssertionError, match=FED_ONCE):
        dropped.feed([_year_line(ACME, Q(2024, 2))])
    assert len(stream.entitlements()) == 1
    with pytest.raises(RuntimeError, match=r"^an EntitlementStream gives its entitlements once$"):
        stream.entitlements()


def test_the_year_is_checked_against_the_rules_and_the_callers_full_time_days() -> None:
    """2010 is before the rules (2017 on): refused, unless the caller gives the full-time
    days (regime "override"), as compute_entitlements answers it."""
    with pytest.raises(ValueError, match="year 2010 is outside the years the rules cover"):
        EntitlementStream(2010).entitlements()
    stream = EntitlementStream(2010)
    for quarter in Quarter.range(Q(2010, 1), Q(2010, 4)):
        stage = stream.stage()
        stage.feed([record(ACME, quarter, ANN, [occupation(date(2010, 1, 1), quarter=quarter)])])
        stage.commit()
    over = Overrides(band={ACME.key: SizeBand.FROM_20}, full_time_days={ACME.key: Fraction(4)})
    [result] = stream.entitlements(overrides=over)
    assert (result.regime, result.days_exact) == (Regime.OVERRIDE, Fraction(4))


def test_workers_counted_in_one_employer_quarter_over_two_parts_add_up() -> None:
    """Without sealing an employer quarter may come in several parts: its heads and FTE
    are those of one pass over both."""
    stream = EntitlementStream(YEAR)
    for niss in (ANN, BOB):
        stage = stream.stage()
        stage.feed([_year_line(ACME, Q(2023, 1), niss)])
        stage.commit()
    count = stream.committed.tally.result()[ACME.key][Q(2023, 1)]
    assert (count.fte, count.headcount) == (Fraction(2), 2)


def test_a_later_part_keeps_its_other_lines_when_its_first_continues_the_last() -> None:
    stream = EntitlementStream(YEAR)
    second = occupation(date(2024, 5, 1), quarter=Q(2024, 2), q=1900, jc="200", sequence=2)
    parts = [
        [_year_line(ACME, Q(2024, 1))],
        [record(ACME, Q(2024, 2), ANN, [occupation(date(2020, 1, 1), quarter=Q(2024, 2)), second])],
    ]
    for part in parts:
        stage = stream.stage()
        stage.feed(part)
        stage.commit()
    [lines] = stream.committed.groups[ACME.key].values()
    may, july = date(2024, 5, 1).toordinal(), date(2024, 7, 1).toordinal()
    assert lines == [
        [date(2024, 1, 1).toordinal(), july, FULL, FULL, "111", 500],
        [may, july, 1900, FULL, "200", 500],
    ]
