"""Two enterprise numbers declared under one NSSO number in a quarter.

The ONSS refuses a declaration whose enterprise number (``CompanyID``, zone 00014) does
not match its register for the NSSO number (anomaly 00014-022, "Onverenigbaar met het
repertorium", ONSS glossary DmfA 2023/3), so an accepted declaration never shows this;
input that does is wrong somewhere. The corrections' slots (:mod:`mycareer.dmfa_update`)
find an employer's quarter by either number: two such employers once shared one slot,
which kept the second declaration alone and counted both employers' lines under it
(employer 0212 "declared 48 lines", 0014 nothing). They are kept apart, with a warning.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.dmfa_update import (
    DMFA_NSSO_NUMBER_SHARED,
    DmfaLineUpdate,
    DmfaUpdateForm,
    UpdateAction,
    apply_dmfa_updates,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import SourceRef
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.quarter import Quarter
from mycareer.xmlio.flows import read_corrected_dmfa

from ..fla._build import ANN, BOB, CAROL, occupation, record
from ..scale._duplicates import shared_nsso_number

Q1 = Quarter(2024, 1)
SHARED = NssoNumber("100006")
FIRST = Employer(EnterpriseNumber("0403019261"), SHARED)
SECOND = Employer(EnterpriseNumber("0202239951"), SHARED)
START = date(2024, 1, 1)


def _line(employer: Employer, niss: Niss, q: int = 3800) -> DmfaWorkerRecord:
    return record(employer, Q1, niss, [occupation(START, quarter=Q1, q=q)])


def test_each_employer_keeps_its_declaration_and_lines() -> None:
    lines = [_line(FIRST, ANN), _line(FIRST, BOB), _line(SECOND, CAROL)]
    result = apply_dmfa_updates(
        lines,
        declarations=[DmfaDeclaration(FIRST, Q1), DmfaDeclaration(SECOND, Q1)],
    )
    counts = {d.employer.key: d.record_count for d in result.declarations}
    assert counts == {"0403019261": 2, "0202239951": 1}
    assert [r.employer for r in result.records] == [FIRST, FIRST, SECOND]
    shared = [f for f in result.findings if f.code == DMFA_NSSO_NUMBER_SHARED]
    assert len(shared) == 1
    assert "0202239951" in shared[0].message
    assert "0403019261" in shared[0].message
    assert "100006" in shared[0].message
    assert "00014-022" in shared[0].message


def test_lines_without_declarations_are_kept_apart_too() -> None:
    result = apply_dmfa_updates([_line(FIRST, ANN), _line(SECOND, BOB)])
    assert [r.employer.key for r in result.records] == ["0403019261", "0202239951"]
    assert [f.code for f in result.findings] == [DMFA_NSSO_NUMBER_SHARED]


def test_a_correction_goes_to_the_employer_it_names() -> None:
    lines = [_line(FIRST, ANN), _line(SECOND, ANN)]
    form = DmfaUpdateForm(SECOND, Q1, None, declaration_id="1")
    fix = DmfaLineUpdate(form, UpdateAction.MODIFIED, _line(SECOND, ANN, q=1900))
    result = apply_dmfa_updates(lines, [fix])
    by_employer = {r.employer.key: r.occupations[0].mean_working_hours for r in result.records}
    assert by_employer == {"0403019261": 3800, "0202239951": 1900}


def test_one_employer_without_its_enterprise_number_still_shares_its_slot() -> None:
    """CompanyID 0 (zone 00014: "the value zero when the number is not known") with the
    same NSSO number is the same employer, not a conflict."""
    unnamed = Employer(nsso=SHARED)
    result = apply_dmfa_updates(
        [_line(FIRST, ANN)],
        declarations=[DmfaDeclaration(FIRST, Q1), DmfaDeclaration(unnamed, Q1)],
    )
    assert len(result.declarations) == 1
    assert not result.findings


def test_the_files_read_as_each_employer_declared_them(tmp_path: Path) -> None:
    folder, keys = shared_nsso_number(tmp_path)
    batch = read_corrected_dmfa([folder], on_error="collect")
    declared = Counter((str(d.quarter), d.employer.key) for d in batch.declarations)
    expected = {(str(q), key) for q in ("20241", "20242") for key in keys}
    assert set(declared) == expected
    assert set(declared.values()) == {1}
    lines = Counter((str(r.quarter), r.employer.key) for r in batch.records)
    for d in batch.declarations:  # each header's count is its own file's lines
        assert d.record_count == lines[(str(d.quarter), d.employer.key)]
    assert sum(f.code == DMFA_NSSO_NUMBER_SHARED for f in batch.findings) == 2


def test_a_declaration_without_its_enterprise_number_goes_with_the_first_named() -> None:
    """CompanyID 0 first, then two enterprise numbers under the NSSO number: the first
    named one takes the unnamed declaration's slot, the second keeps its own (they once
    all shared the slot, whose last declaration stood for them all)."""
    unnamed, third = Employer(nsso=SHARED), Employer(EnterpriseNumber("0123456749"), SHARED)
    result = apply_dmfa_updates(
        [_line(FIRST, ANN), _line(third, BOB)],
        declarations=[DmfaDeclaration(e, Q1) for e in (unnamed, FIRST, third)],
    )
    counts = {d.employer.key: d.record_count for d in result.declarations}
    assert counts == {"0403019261": 1, "0123456749": 1}
    (shared,) = result.findings
    assert "employer 0123456749 is declared" in shared.message
    assert "as employer 0403019261 is" in shared.message


def test_a_correction_under_a_shared_number_says_which_file() -> None:
    source = SourceRef("fix.xml", 7)
    form = DmfaUpdateForm(SECOND, Q1, None, declaration_id="1", source=source)
    orphan = DmfaLineUpdate(form, UpdateAction.CREATED, _line(SECOND, BOB))
    result = apply_dmfa_updates(
        [_line(FIRST, ANN)], [orphan], declarations=[DmfaDeclaration(FIRST, Q1)]
    )
    shared = [f for f in result.findings if f.code == DMFA_NSSO_NUMBER_SHARED]
    assert [f.source for f in shared] == [source]
