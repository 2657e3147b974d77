"""The fla hook that marks results whose population includes a rejected file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.fla import compute_entitlements
from mycareer.fla.incomplete import REFERENCE_INCOMPLETE, mark_incomplete_references
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import RejectedFile, read_dmfa

DEMO = Path(str(resources.files("mycareer.data.demo"))) / "dmfa"


def test_only_results_of_that_employer_and_population_are_marked() -> None:
    batch = read_dmfa(DEMO)
    results = compute_entitlements(batch.records, batch.declarations, 2024)
    assert results
    employer = results[0].employer
    other = Employer(EnterpriseNumber("0123456749"))
    cases = {
        RejectedFile("a.xml", employer, Quarter(2023, 1), "cut"): True,  # reference quarter
        RejectedFile("b.xml", employer, Quarter(2024, 3), "cut"): True,  # the year itself
        RejectedFile("c.xml", None, None, "unknown"): True,  # could be anyone's
        RejectedFile("d.xml", other, Quarter(2023, 1), "cut"): False,  # another employer
        RejectedFile("e.xml", employer, Quarter(2019, 1), "cut"): False,  # long before
    }
    for rejected, expected in cases.items():
        marked = mark_incomplete_references(results, [rejected])
        for before, after in zip(results, marked, strict=True):
            added = [f for f in after.findings if f.code == REFERENCE_INCOMPLETE]
            assert bool(added) is expected, rejected
            assert after.findings[: len(before.findings)] == before.findings
            if added:
                assert rejected.source in added[0].message
    assert mark_incomplete_references(results, []) == results


def test_equal_results_share_their_marked_findings() -> None:
    """Results of one employer with equal findings that the same files concern get one
    findings tuple: bulk JSON encodes what equal results share once, keyed by identity
    (mycareer.fla.serialize.entitlement_json_text), and a tuple per result made every
    result miss (docs/performance.md, "DmfA files whose header cannot be read")."""
    batch = read_dmfa(DEMO)
    results = compute_entitlements(batch.records, batch.declarations, 2024)
    files = [RejectedFile("a.xml", None, None, "cut"), RejectedFile("b.xml", None, None, "x")]
    marked = mark_incomplete_references(results, files)
    by_findings: dict[object, list[object]] = {}
    for before, after in zip(results, marked, strict=True):
        by_findings.setdefault((before.employer, before.findings), []).append(after.findings)
    shared = [tuples for tuples in by_findings.values() if len(tuples) > 1]
    assert shared  # the demo has workers of one employer with equal findings
    for tuples in shared:
        assert all(t is tuples[0] for t in tuples)
    sources = [[f.source.file for f in e.findings if f.code == REFERENCE_INCOMPLETE and f.source]
               for e in marked]  # fmt: skip
    assert all(names == ["a.xml", "b.xml"] for names in sources)
