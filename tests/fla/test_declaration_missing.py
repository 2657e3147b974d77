"""Quarters an employer did not declare while an occupation was open (DECLARATION_MISSING):
worked DmfA examples, the ``assume_continuation`` choice, bulk path against the reference."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from fractions import Fraction
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
from mycareer.findings import Severity
from mycareer.fla import (
    Entitlement,
    compute_entitlements,
    entitlement_for,
    quarter_counts,
    segments_of,
    size_band,
)
from mycareer.fla.continuation import DECLARATION_MISSING, declaration_gaps
from mycareer.fla.options import EntitlementOptions
from mycareer.quarter import Quarter

from ..cli._run import assert_no_traceback, run_cli
from ._build import ACME, ANN, BETA, employment, staff
from ._xml import round_trip, write_dmfa
from .test_entitlement_properties import populations

Q = Quarter
YEAR = 2024
CONTINUE = EntitlementOptions(assume_continuation=True)


def _only_q1_declared() -> list[DmfaWorkerRecord]:
    """Acme has 25 FTE in the 2024–25 reference quarters (band 20+). Ann works full time
    under PC 200 from 2020 on with no ending date; Acme's files for Q2–Q4 2024 are absent,
    so her last declared line (Q1 2024) is open at its end."""
    records = [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 2500)]
    records += employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2024, 1), jc="200")
    return records


def _ann(results: tuple[Entitlement, ...]) -> Entitlement:
    [ann] = [e for e in results if e.niss == ANN]
    return ann


def test_worked_dmfa_missing_quarters_are_said_not_silently_zero(
    tmp_path: Path, onss_xsd_dir: Path
) -> None:
    """PC 200, 20+, 2024: 3 full-time days (T-PC200-1). Three months declared: 0.75 day,
    with a warning naming 20242–20244; assuming continuation: 3 days, said as a choice."""
    batch = round_trip(tmp_path / "dmfa", _only_q1_declared(), onss_xsd_dir)
    ann = _ann(compute_entitlements(batch.records, batch.declarations, YEAR))
    assert ann.days_exact == Fraction(3, 4)
    assert ann.undeclared_quarters == (Q(2024, 2), Q(2024, 3), Q(2024, 4))
    assert ann.assumed_continuation is False
    [said] = [f for f in ann.findings if f.code == DECLARATION_MISSING]
    assert said.severity is Severity.WARNING
    assert "20242, 20243, 20244" in said.message
    assert ANN.value in said.message
    assert any("incomplete" in line and "20242" in line for line in ann.explain("en"))
    assert any("incomplet" in line and "20244" in line for line in ann.explain("fr"))
    assert any("onvolledig" in line and "20243" in line for line in ann.explain("nl"))

    assumed = _ann(compute_entitlements(batch.records, batch.declarations, YEAR, options=CONTINUE))
    assert assumed.days_exact == 3
    assert assumed.months_employed == 12
    assert (assumed.undeclared_quarters, assumed.assumed_continuation) == (ann.undeclared_quarters,
                                                                           True)  # fmt: skip
    [said] = [f for f in assumed.findings if f.code == DECLARATION_MISSING]
    assert said.severity is Severity.INFO
    assert any("assume_continuation" in line for line in assumed.explain("en"))


def test_a_quarter_missing_between_two_declared_ones() -> None:
    """Acme's Q2 2024 file is absent; Ann is declared in Q1 and Q3 (open), Q4 present:
    Apr–Jun are missing months (20+ band, 5 days: 5 × 9/12), or credited when assumed."""
    records = [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 2500)]
    records += [r for r in employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2024, 4))
                if r.quarter != Q(2024, 2)]  # fmt: skip
    ann = _ann(compute_entitlements(records, (), YEAR))
    assert (ann.undeclared_quarters, ann.days_exact) == ((Q(2024, 2),), Fraction(15, 4))
    assumed = _ann(compute_entitlements(records, (), YEAR, options=CONTINUE))
    assert (assumed.undeclared_quarters, assumed.days_exact) == ((Q(2024, 2),), Fraction(5))


def test_an_employer_with_none_of_the_years_quarters_still_gives_a_result() -> None:
    """Acme's files stop with Q4 2023, Ann's line open at its end; Beta's 2024 is there (so
    the data do reach 2024). Ann at Acme is not dropped: no right (no line) with the warning
    naming the four quarters, or the full year (5 days, 20+) when continuation is assumed."""
    records = [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 2500)]
    records += employment(ACME, ANN, date(2020, 1, 1), None, last_quarter=Q(2023, 4))
    records += employment(BETA, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    ann = [e for e in compute_entitlements(records, (), YEAR) if e.employer == ACME]
    assert [(e.niss, e.days_exact, e.months_employed) for e in ann] == [(ANN, None, 0)]
    assert "No training right applies: no employment declared" in " ".join(ann[0].explain("en"))
    assert ann[0].undeclared_quarters == tuple(Q.range(Q(2024, 1), Q(2024, 4)))
    assert any(f.code == DECLARATION_MISSING for f in ann[0].findings)
    assumed = [e for e in compute_entitlements(records, (), YEAR, options=CONTINUE)
               if e.employer == ACME]  # fmt: skip
    assert [(e.niss, e.days_exact, e.months_employed) for e in assumed] == [(ANN, Fraction(5), 12)]


def test_an_occupation_that_ended_is_not_continued() -> None:
    """Ann's line ends on 15 February 2024 (ending date declared in Q1): nothing is missing."""
    records = [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 2500)]
    records += employment(ACME, ANN, date(2020, 1, 1), date(2024, 2, 15), last_quarter=Q(2024, 4))
    ann = _ann(compute_entitlements(records, (), YEAR, options=CONTINUE))
    assert ann.undeclared_quarters == ()
    assert ann.days_exact == Fraction(5 * 2, 12)
    assert not [f for f in ann.findings if f.code == DECLARATION_MISSING]


def test_cli_warns_and_assume_continuation_credits(tmp_path: Path, onss_xsd_dir: Path) -> None:
    """As a subprocess on real files: the warning on stderr, --strict fails on it, and
    --assume-continuation credits the months (exit 0 under --strict: a choice, not a gap)."""
    folder = tmp_path / "dmfa"
    write_dmfa(folder, _only_q1_declared(), onss_xsd_dir)
    plain = run_cli("entitlements", "--year", "2024", folder)
    strict = run_cli("entitlements", "--year", "2024", "--strict", folder)
    assumed = run_cli("entitlements", "--year", "2024", "--strict", "--assume-continuation", folder)
    for result in (plain, strict, assumed):
        assert_no_traceback(result)
    assert plain.returncode == 0, plain.stderr
    assert "DECLARATION_MISSING" in plain.stderr
    assert "20242, 20243, 20244" in plain.stderr
    assert strict.returncode == 1
    assert assumed.returncode == 0, assumed.stderr

    def ann_days(result: object) -> str:
        data = json.loads(getattr(result, "stdout"))  # noqa: B009
        return str(next(d for d in data if d["niss"] == ANN.value)["days"])

    assert (ann_days(plain), ann_days(assumed)) == ("0.7500", "3.0000")
    # The JSON contract carries the gap and the choice, not only the explanation.
    fields = ("undeclared_quarters", "assumed_continuation")
    plain_ann, assumed_ann = (
        next(d for d in json.loads(r.stdout) if d["niss"] == ANN.value) for r in (plain, assumed)
    )
    assert [plain_ann[f] for f in fields] == [["20242", "20243", "20244"], False]
    assert [assumed_ann[f] for f in fields] == [["20242", "20243", "20244"], True]


# --- bulk path against the per-worker reference ----------------------------------------


@st.composite
def with_undeclared_quarters(draw: st.DrawFn) -> list[DmfaWorkerRecord]:
    """The property tests' populations, with some of the year's quarters of one employer
    (or both) taken out, as when their files are not given."""
    records = draw(populations())
    quarters = list(Q.range(Q(YEAR, 1), Q(YEAR, 4)))
    which = st.tuples(st.sampled_from([ACME.key, BETA.key]), st.sampled_from(quarters))
    dropped = draw(st.sets(which))
    return [r for r in records if (r.employer.key, r.quarter) not in dropped]


def _one_by_one(records: list[DmfaWorkerRecord], options: EntitlementOptions) -> list[Entitlement]:
    """The reference: ``declaration_gaps`` and ``entitlement_for`` per worker, on the band of
    ``size_band(quarter_counts(...))``."""
    gaps = declaration_gaps(records, (), YEAR)
    counts = quarter_counts(records)
    lines: dict[tuple[str, str], list[DmfaOccupation]] = defaultdict(list)
    employers, people = {}, {}
    seen: set[tuple[str, str, int, Quarter]] = set()
    for r in records:
        mark = (r.employer.key, r.niss.value, r.worker_code, r.quarter)
        employers[mark[0]], people[mark[1]] = r.employer, r.niss
        if mark[:2] in gaps:  # a worker with a gap has a result, lines in the year or not
            lines.setdefault(mark[:2], [])
        if mark in seen or r.quarter.year != YEAR:
            continue
        seen.add(mark)
        lines[mark[:2]] += r.occupations
    found = []
    for key in sorted(lines):
        segments = segments_of(lines[key], YEAR)
        if not segments and key not in gaps:
            continue
        missing, continued = gaps.get(key, ((), ()))
        if options.assume_continuation:
            segments += continued
        band = size_band(key[0], YEAR, counts[key[0]])
        found.append(entitlement_for(employers[key[0]], people[key[1]], YEAR, segments,
                                     band=band, options=options, undeclared=missing))  # fmt: skip
    return found


@settings(max_examples=150, deadline=None)
@given(with_undeclared_quarters(), st.booleans())
def test_bulk_gaps_equal_the_reference(records: list[DmfaWorkerRecord], assume: bool) -> None:
    options = EntitlementOptions(assume_continuation=assume)
    bulk = compute_entitlements(records, (), YEAR, options=options)
    single = _one_by_one(records, options)
    assert [(e.employer.key, e.niss) for e in bulk] == [(e.employer.key, e.niss) for e in single]
    for mine, theirs in zip(bulk, single, strict=True):
        assert attrs.evolve(mine, findings=()) == attrs.evolve(theirs, findings=())
        ours = [f for f in mine.findings if f.code != "FLA_DUPLICATE_QUARTER"]
        assert ours == list(theirs.findings)
        assert (DECLARATION_MISSING in {f.code for f in mine.findings}) == bool(
            mine.undeclared_quarters
        )


def test_cli_account_credits_count_as_entitlements_counts(
    tmp_path: Path, onss_xsd_dir: Path
) -> None:
    """``mycareer account`` takes the same counting choices: Ann's 2024 credit is 0.75 day
    with her Q2-Q4 undeclared, 3 days with ``--assume-continuation`` (as a subprocess)."""
    folder = tmp_path / "dmfa"
    write_dmfa(folder, _only_q1_declared(), onss_xsd_dir)
    years = ("--from-year", "2024", "--to-year", "2024", "--format", "json")
    plain = run_cli("account", *years, folder)
    assumed = run_cli("account", *years, "--assume-continuation", folder)
    bad = run_cli("account", *years, "--fallback-count", "heads", folder)
    for result in (plain, assumed, bad):
        assert_no_traceback(result)
    assert (plain.returncode, assumed.returncode, bad.returncode) == (0, 0, 2)
    assert "DECLARATION_MISSING" in plain.stderr
    assert "'heads'" in bad.stderr

    def credit(result: object) -> str:
        document = json.loads(getattr(result, "stdout"))  # noqa: B009
        [ann] = [a for a in document["accounts"] if a["niss"] == ANN.value]
        return str(ann["statements"][0]["credited"])

    assert (credit(plain), credit(assumed)) == ("0.7500", "3.0000")
