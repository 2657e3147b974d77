"""An account group fed in parts (:class:`AccountStream`) against one pass over its records.

The oracles: :func:`year_entitlements` on the records of the committed parts, in the
order they were fed (what ``mycareer account`` computed from a group read whole), and,
for the worker facts, a plain reading of their definition (each worker's line with the
latest start per employer, the later line of a tie; the first and last quarter; the
employer keys). Parts are whole employer quarters, as a reader of whole files feeds them
(:func:`~mycareer.xmlio.flows.stream_corrected_dmfa`), and some are discarded (files
that failed part-way).
"""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.fla import EntitlementOptions, Rulebook
from mycareer.fla import account_stream as module
from mycareer.fla.account_pipeline import occupation_facts, year_entitlements
from mycareer.fla.account_stream import AccountStream, GroupFacts
from mycareer.fla.band import DeclaredQuarter

from ._build import ACME, ANN, occupation, record
from .test_bulk_stream import Q, _cuts, _declarations, _Declared, buckets, feed_parts

YEARS = (2023, 2024)
AS_OF = date(2024, 12, 31)


def _facts_by_definition(records: list[DmfaWorkerRecord]) -> tuple[object, ...]:
    """Each (employer key, NISS)'s line with the latest start, the last of a tie."""
    lines = [
        ((r.employer.key, r.niss.value), o.period.start, index, o)
        for index, (r, o) in enumerate((r, o) for r in records for o in r.occupations)
    ]
    latest = {}
    for key, _start, _index, line in sorted(lines, key=lambda x: (x[1], x[2])):
        latest[key] = line
    regimes = {k: o.fraction for k, o in latest.items() if o.fraction is not None}
    committees = {k: o.joint_commission for k, o in latest.items()}
    quarters = [r.quarter for r in records]
    return (
        regimes,
        committees,
        {r.employer.key for r in records},
        min(quarters, default=None),
        max(quarters, default=None),
    )


def _streamed(
    parts: list[list[DmfaWorkerRecord]], kept: list[bool], declarations: list[DeclaredQuarter]
) -> tuple[object, ...]:
    stream = AccountStream(YEARS, options=EntitlementOptions(), as_of=AS_OF)
    feed_parts(stream, parts, kept)
    facts = stream.facts
    results = stream.entitlements(declarations)
    return results, (*facts.regimes_and_committees(), facts.keys, facts.first, facts.last)


@settings(max_examples=80, deadline=None)
@given(buckets(), st.data(), st.sampled_from([1, 2, 3, 512]))
def test_whole_quarters_in_any_parts_give_one_pass_over_the_committed_records(
    found: list[list[DmfaWorkerRecord]], data: st.DataObject, chunk: int
) -> None:
    """Any order of employer quarters, cut into parts anywhere between them, some
    discarded, the records handed to the years' scans a few at a time (``chunk``)."""
    order = data.draw(st.permutations(range(len(found))))
    ordered = [found[i] for i in order]
    parts = [[r for bucket in ordered[a:b] for r in bucket] for a, b in _cuts(data, len(ordered))]
    kept = data.draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    declarations = _declarations(data)
    committed = [r for part, keep in zip(parts, kept, strict=True) if keep for r in part]
    expected = year_entitlements(
        committed, declarations, YEARS, as_of=AS_OF, rulebook=Rulebook.default()
    )
    with mock.patch.object(module, "_CHUNK", chunk):
        results, facts = _streamed(parts, kept, declarations)
    assert results == expected
    assert facts == _facts_by_definition(committed)
    assert facts[:2] == occupation_facts(committed)  # the one rule, both routes


def test_the_data_give_both_years_ties_and_discards() -> None:
    """The property above meets what it is about: two years of results, and a tie of
    two lines starting the same day, the later one kept."""
    first = occupation(date(2020, 1, 1), quarter=Q(2024, 1), jc="111", sequence=1)
    second = occupation(date(2020, 1, 1), quarter=Q(2024, 1), jc="200", sequence=2)
    both = record(ACME, Q(2024, 1), ANN, [first, second])
    earlier = record(ACME, Q(2023, 2), ANN, [occupation(date(2020, 1, 1), quarter=Q(2023, 2))])
    stream = AccountStream(YEARS, as_of=AS_OF)
    for part, keep in (([earlier], True), ([both], False), ([both], True)):
        stage = stream.stage()
        stage.feed(part)
        stage.commit() if keep else stage.discard()
    assert {e.year for e in stream.entitlements()} == {2023, 2024}
    _regimes, committees = stream.facts.regimes_and_committees()
    assert committees[(ACME.key, ANN.value)].code == "200"
    assert (stream.facts.first, stream.facts.last, stream.facts.keys) == (
        Q(2023, 2),
        Q(2024, 1),
        {ACME.key},
    )


@pytest.mark.parametrize("years", [YEARS, (2010, 2011)])
def test_no_committed_record_gives_no_entitlement_even_with_declarations(
    years: tuple[int, int],
) -> None:
    """As year_entitlements: a group whose files all failed credits nothing, and asks
    nothing of the rules (2010 is before them: asked, they would refuse it)."""
    stream = AccountStream(years, as_of=AS_OF)
    stage = stream.stage()
    stage.feed([record(ACME, Q(2024, 1), ANN, [occupation(date(2020, 1, 1), quarter=Q(2024, 1))])])
    stage.discard()
    declared: list[DeclaredQuarter] = [_Declared(ACME, Q(2024, 1))]
    assert stream.entitlements(declared) == []
    with pytest.raises(RuntimeError, match="once"):
        stream.entitlements(declared)  # as an EntitlementStream: spent
    assert year_entitlements([], declared, years, as_of=AS_OF, rulebook=Rulebook.default()) == []
    assert GroupFacts.of([]).first_year is None


def test_a_sealed_quarter_fed_again_is_refused() -> None:
    """The streams' promise holds for the account's too: one part per employer quarter."""
    line = record(ACME, Q(2024, 1), ANN, [occupation(date(2020, 1, 1), quarter=Q(2024, 1))])
    stream = AccountStream(YEARS)
    stage = stream.stage()
    stage.feed([line])
    stage.commit()
    again = stream.stage()
    again.feed([line])
    with pytest.raises(ValueError, match="was sealed"):
        again.commit()
