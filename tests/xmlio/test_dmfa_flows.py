"""Mixed folders of DmfA documents: originals, updates, ONSS consultation answers, versions."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pytest

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.dmfa_update import (
    DMFA_CONSULTATION_DUPLICATE,
    DMFA_CONSULTATION_EMPTY,
    DMFA_CONSULTATION_PRECEDENCE,
    DMFA_UPDATE_APPLIED,
    DmfaConsultation,
    DmfaLineUpdate,
    DmfaUpdateForm,
    LineOrigin,
    UpdateAction,
    apply_dmfa_updates,
)
from mycareer.errors import MycareerErrorGroup, SourceRef
from mycareer.findings import Severity
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.xmlio import iter_dmfa_consultations
from mycareer.xmlio._safe import load_schema, validate_document
from mycareer.xmlio.dmfa_update_writer import dmfa_update_bytes
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from mycareer.xmlio.documents import (
    DOCUMENT_NOT_READ,
    DOCUMENT_VERSION_UNKNOWN,
    DocumentKind,
    onss_schema,
    sniff_document,
)
from mycareer.xmlio.flows import read_corrected_dmfa

from ..fla._build import ACME, ANN, BOB, occupation, record
from ._consultation import consultation_bytes

Q1 = Quarter(2024, 1)
CREATED = datetime(2024, 4, 20, 9, 0)


def _line(niss: Niss, q: int) -> DmfaWorkerRecord:
    return record(ACME, Q1, niss, [occupation(date(2024, 1, 1), q=q)])


def _folder(tmp_path: Path) -> Path:
    """An original (Ann full time, Bob half time) and an update (Ann to half time)."""
    ann, bob = _line(ANN, 3800), _line(BOB, 1900)
    (tmp_path / "q1.xml").write_bytes(dmfa_bytes(ACME, Q1, [ann, bob], created_at=CREATED))
    form = DmfaUpdateForm(ACME, Q1, datetime(2024, 6, 1, 8, 0), declaration_id="77")
    fix = DmfaLineUpdate(form, UpdateAction.MODIFIED, _line(ANN, 1900), "000", 495, "3")
    (tmp_path / "a-fix.xml").write_bytes(dmfa_update_bytes(form, [fix]))
    return tmp_path


def _hours(records: Iterable[DmfaWorkerRecord]) -> dict[str, int | None]:
    return {r.niss.value: r.occupations[0].mean_working_hours for r in records}


def test_a_folder_of_originals_and_updates_reads_into_the_corrected_lines(tmp_path: Path) -> None:
    batch = read_corrected_dmfa([_folder(tmp_path)])
    assert _hours(batch.records) == {ANN.value: 1900, BOB.value: 1900}
    (applied,) = [f for f in batch.findings if f.code == DMFA_UPDATE_APPLIED]
    assert "a-fix.xml" in applied.message
    origins = {line.record.niss.value: line.origin for line in batch.lines}
    assert origins == {ANN.value: LineOrigin.UPDATE, BOB.value: LineOrigin.ORIGINAL}
    (declaration,) = batch.declarations
    assert (declaration.quarter, declaration.record_count) == (Q1, 2)


def test_consultation_answers_take_precedence_over_originals_and_updates(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    state = [_line(ANN, 950)]
    (folder / "onss.xml").write_bytes(
        consultation_bytes(ACME, Q1, state, created_at=datetime(2024, 5, 1, 12))
    )
    batch = read_corrected_dmfa([folder])
    # the answer is older than the update, and still wins: it is the ONSS's state
    assert _hours(batch.records) == {ANN.value: 950}
    assert {line.origin for line in batch.lines} == {LineOrigin.CONSULTATION}
    (precedence,) = [f for f in batch.findings if f.code == DMFA_CONSULTATION_PRECEDENCE]
    assert "onss.xml" in precedence.message
    assert "replace the 2 line(s)" in precedence.message
    assert "1 of them corrected" in precedence.message
    assert [d.record_count for d in batch.declarations] == [1]


def test_written_consultation_answers_are_valid_and_read_back(onss_xsd_dir: Path) -> None:
    schema = load_schema(onss_xsd_dir / "DmfAConsultationAnswer_20224.xsd")
    state = [_line(ANN, 950), _line(BOB, 3800)]
    data = consultation_bytes(ACME, Q1, state, created_at=CREATED)
    assert validate_document(io.BytesIO(data), schema) == []
    (answer,) = iter_dmfa_consultations(data, name="onss.xml")
    assert _hours(answer.records) == {ANN.value: 950, BOB.value: 3800}
    assert answer.form.created_at == CREATED
    assert answer.form.employer == ACME


def test_duplicate_and_empty_consultations_are_findings() -> None:
    form = DmfaUpdateForm(ACME, Q1, CREATED)
    later = DmfaUpdateForm(ACME, Q1, datetime(2024, 7, 1))
    result = apply_dmfa_updates(
        [_line(ANN, 3800)],
        consultations=[
            DmfaConsultation(later, [_line(ANN, 1000)]),
            DmfaConsultation(form, [_line(ANN, 2000)]),
        ],
    )
    assert _hours(result.records) == {ANN.value: 1000}
    assert DMFA_CONSULTATION_DUPLICATE in [f.code for f in result.findings]
    empty = apply_dmfa_updates([_line(ANN, 3800)], consultations=[DmfaConsultation(form)])
    assert _hours(empty.records) == {ANN.value: 3800}
    assert [f.code for f in empty.findings] == [DMFA_CONSULTATION_EMPTY]


def test_mixed_folders_skip_other_kinds_and_report_unknown_ones(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "dimona.xml").write_bytes(b"<Dimona><Form/></Dimona>")
    (folder / "other.xml").write_bytes(b"<Invoice/>")
    (folder / "broken.xml").write_bytes(b"<DmfAUpdate><Form>")
    batch = read_corrected_dmfa([folder], on_error="collect")
    assert [(p.name, k.root) for p, k in batch.skipped] == [("dimona.xml", "Dimona")]
    # left aside with a word: nothing in the input is dropped silently
    (aside,) = [f for f in batch.findings if f.code == DOCUMENT_NOT_READ]
    assert (aside.severity, aside.source) == (
        Severity.INFO,
        SourceRef(str(folder / "dimona.xml"), 1),
    )
    assert aside.message.startswith("<Dimona> is not a DmfA original")
    messages = sorted(str(e) for e in batch.errors)
    assert any("other.xml" in m and "<Invoice>" in m for m in messages)
    assert any("broken.xml" in m for m in messages)
    assert _hours(batch.records) == {ANN.value: 1900, BOB.value: 1900}
    with pytest.raises(MycareerErrorGroup):
        read_corrected_dmfa([folder])


def test_versions_are_recognised_and_later_ones_get_a_finding(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    original = (folder / "q1.xml").read_bytes()
    assert b"DmfAOriginal_20231.xsd" in original
    (folder / "q1.xml").write_bytes(original.replace(b"_20231.xsd", b"_20252.xsd"))
    batch = read_corrected_dmfa([folder])
    (finding,) = [f for f in batch.findings if f.code == DOCUMENT_VERSION_UNKNOWN]
    assert "2025/2" in finding.message
    assert finding.source is not None
    assert finding.source.file == str(folder / "q1.xml")
    assert _hours(batch.records) == {ANN.value: 1900, BOB.value: 1900}  # still read


def test_the_schema_of_each_kind_and_version_is_picked(onss_xsd_dir: Path) -> None:
    def pick(root: str, version: str | None) -> tuple[str | None, str | None]:
        path, note = onss_schema(onss_xsd_dir, DocumentKind(root, None, version))
        return (path.name if path else None, note)

    assert pick("DmfAOriginal", "20223") == ("DmfAOriginal_20223.xsd", None)
    assert pick("DmfAOriginal", "20231") == ("DmfAOriginal_20231.xsd", None)
    later, note = pick("DmfAOriginal", "20242")
    assert later == "DmfAOriginal_20231.xsd"
    assert note is not None
    assert "20242" in note
    assert pick("DmfAUpdate", "20223") == ("DmfAUpdate_20223.xsd", None)
    assert pick("PersonnelFileConsultationAnswer", None)[0] == (
        "PersonnelFileConsultationAnswer_20223.xsd"
    )
    assert pick("Unknown", "20223") == (None, None)


def test_the_official_samples_of_2022_3_and_2023_1_read_alike(
    onss_samples_dir: Path, tmp_path: Path
) -> None:
    for name in ("DmfAOriginal_20223_1.xml", "DmfAUpdate_20223_1.xml"):
        shutil.copy(onss_samples_dir / name, tmp_path / name)
    kinds = {p.name: sniff_document(p) for p in tmp_path.iterdir()}
    assert {n: (k.root, k.version) for n, k in kinds.items()} == {
        "DmfAOriginal_20223_1.xml": ("DmfAOriginal", "20223"),
        "DmfAUpdate_20223_1.xml": ("DmfAUpdate", "20223"),
    }
    batch = read_corrected_dmfa([tmp_path], on_error="collect")
    assert [str(e) for e in batch.errors] == [
        next(str(e) for e in batch.errors if "78101500183" in str(e))
    ]
    assert not [f for f in batch.findings if f.code == DOCUMENT_VERSION_UNKNOWN]
    assert sum(line.origin is LineOrigin.UPDATE for line in batch.lines) == 5
    # the same original, declared as 2023/1, reads into the same records
    (tmp_path / "DmfAUpdate_20223_1.xml").unlink()
    before = read_corrected_dmfa([tmp_path]).records
    path = tmp_path / "DmfAOriginal_20223_1.xml"
    path.write_bytes(path.read_bytes().replace(b"_20223.xsd", b"_20231.xsd"))
    assert sniff_document(path).version == "20231"
    after = read_corrected_dmfa([tmp_path]).records
    assert len(after) == 7
    assert after == before
