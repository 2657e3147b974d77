"""DmfA modification declarations: reading, writing, and applying them to originals.

The reading under test is documented in :mod:`mycareer.dmfa_update` (ONSS
glossary "DmfAUpdate" 2023/3: blocks 90219-90225, zone 00618). The
differential test compares, through the training right, an original plus its
corrections with the equivalent corrected original written by ``write_dmfa``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.dmfa_update import (
    DMFA_UPDATE_APPLIED,
    DMFA_UPDATE_UNKNOWN_LINE,
    DMFA_UPDATE_WITHOUT_ORIGINAL,
    DmfaLineUpdate,
    DmfaUpdateForm,
    LineOrigin,
    UpdateAction,
    apply_dmfa_updates,
)
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup
from mycareer.fla import compute_entitlements
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.xmlio._safe import load_schema, validate_document
from mycareer.xmlio.dmfa import iter_dmfa, read_dmfa
from mycareer.xmlio.dmfa_update import iter_dmfa_updates
from mycareer.xmlio.dmfa_update_writer import dmfa_update_bytes, write_dmfa_update
from mycareer.xmlio.dmfa_writer import dmfa_bytes

from ..fla._build import ACME, occupation, record

YEAR = 2024
QUARTERS = (Quarter(YEAR, 1), Quarter(YEAR, 2))
CREATED = datetime(YEAR, 7, 20, 9, 0)


def _niss(serial: int) -> Niss:
    """A valid NISS of someone born on 1980-01-01 (serial 1..997)."""
    head = f"800101{serial:03d}"
    return Niss(f"{head}{97 - int(head) % 97:02d}")


def _form(quarter: Quarter, created: datetime, file: str = "fix.xml") -> DmfaUpdateForm:
    return DmfaUpdateForm(ACME, quarter, created, declaration_id="4242")


def _strip(records: Sequence[DmfaWorkerRecord]) -> list[DmfaWorkerRecord]:
    """Records without their sources, occupation sequence order kept."""
    return [
        attrs.evolve(
            r, source=None, occupations=[attrs.evolve(o, source=None) for o in r.occupations]
        )
        for r in records
    ]


def _key(r: DmfaWorkerRecord) -> tuple[object, ...]:
    return (r.quarter, r.niss.value, r.employer_class, r.worker_code)


@st.composite
def _line(draw: st.DrawFn, quarter: Quarter, niss: Niss, code: int = 495) -> DmfaWorkerRecord:
    offset = draw(st.integers(0, 80))
    start = quarter.period.start + timedelta(days=offset)
    q = draw(st.sampled_from([0, 950, 1900, 3040, 3800]))
    return record(ACME, quarter, niss, [occupation(start, quarter=quarter, q=q)], worker_code=code)


@st.composite
def _scenario(
    draw: st.DrawFn,
) -> tuple[list[DmfaWorkerRecord], list[tuple[UpdateAction, DmfaWorkerRecord]]]:
    """Originals of two quarters and corrections: modify, delete, create."""
    originals: list[DmfaWorkerRecord] = []
    for quarter in QUARTERS:
        serials = draw(st.lists(st.integers(1, 20), min_size=1, max_size=5, unique=True))
        originals.extend(draw(_line(quarter, _niss(s))) for s in serials)
    corrections: list[tuple[UpdateAction, DmfaWorkerRecord]] = []
    for line in originals:
        action = draw(st.sampled_from([None, None, UpdateAction.MODIFIED, UpdateAction.DELETED]))
        if action is UpdateAction.MODIFIED:
            corrections.append((action, draw(_line(line.quarter, line.niss))))
        elif action is UpdateAction.DELETED:
            corrections.append((action, line))
    for serial in draw(st.lists(st.integers(21, 30), max_size=2, unique=True)):
        quarter = draw(st.sampled_from(QUARTERS))
        corrections.append((UpdateAction.CREATED, draw(_line(quarter, _niss(serial)))))
    return originals, corrections


def _oracle(
    originals: list[DmfaWorkerRecord], corrections: list[tuple[UpdateAction, DmfaWorkerRecord]]
) -> list[DmfaWorkerRecord]:
    """The corrected originals, by hand: replace, drop, append."""
    lines = {_key(r): r for r in originals}
    for action, line in corrections:
        if action is UpdateAction.DELETED:
            del lines[_key(line)]
        else:
            lines[_key(line)] = line
    return list(lines.values())


def _read_originals(
    records: Sequence[DmfaWorkerRecord],
) -> tuple[list[DmfaWorkerRecord], list[DmfaDeclaration]]:
    read: list[DmfaWorkerRecord] = []
    declarations = []
    for quarter in QUARTERS:
        group = [r for r in records if r.quarter == quarter]
        if group:
            read.extend(iter_dmfa(dmfa_bytes(ACME, quarter, group, created_at=CREATED)))
        declarations.append(DmfaDeclaration(ACME, quarter, CREATED))
    return read, declarations


def _updates(
    corrections: list[tuple[UpdateAction, DmfaWorkerRecord]], created: datetime
) -> list[DmfaLineUpdate]:
    """Write one DmfAUpdate per quarter and read it back."""
    updates: list[DmfaLineUpdate] = []
    for quarter in QUARTERS:
        form = _form(quarter, created)
        lines = [
            DmfaLineUpdate(
                form,
                action,
                line,
                *(
                    (line.employer_class, line.worker_code, "1")
                    if action is not UpdateAction.CREATED
                    else ()
                ),
            )
            for action, line in corrections
            if line.quarter == quarter
        ]
        lines.sort(key=lambda u: u.record.niss.value)
        if lines:
            updates.extend(
                iter_dmfa_updates(dmfa_update_bytes(form, lines), name=f"fix-{quarter}.xml")
            )
    return updates


def _entitlements(
    records: Sequence[DmfaWorkerRecord], declarations: Sequence[DmfaDeclaration]
) -> list[tuple[object, ...]]:
    return [
        (e.employer.key, e.niss.value, e.band, e.days_exact, e.hours, e.average_fte)
        for e in compute_entitlements(records, declarations, YEAR)
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_scenario())
def test_original_plus_update_equals_the_corrected_original(
    scenario: tuple[list[DmfaWorkerRecord], list[tuple[UpdateAction, DmfaWorkerRecord]]],
) -> None:
    originals, corrections = scenario
    read, declarations = _read_originals(originals)
    result = apply_dmfa_updates(
        read, _updates(corrections, CREATED + timedelta(days=30)), declarations=declarations
    )
    corrected, corrected_declarations = _read_originals(_oracle(originals, corrections))
    assert sorted(_strip(result.records), key=_key) == sorted(_strip(corrected), key=_key)
    assert _entitlements(result.records, result.declarations) == _entitlements(
        corrected, corrected_declarations
    )
    assert not [f for f in result.findings if f.code != DMFA_UPDATE_APPLIED]


@settings(max_examples=30, deadline=None)
@given(_scenario())
def test_an_update_repeating_the_original_changes_nothing(
    scenario: tuple[list[DmfaWorkerRecord], list[tuple[UpdateAction, DmfaWorkerRecord]]],
) -> None:
    originals, _ = scenario
    read, declarations = _read_originals(originals)
    same = _updates([(UpdateAction.MODIFIED, r) for r in originals], CREATED + timedelta(days=1))
    unchanged = _updates(
        [(UpdateAction.UNCHANGED, r) for r in originals], CREATED + timedelta(days=2)
    )
    result = apply_dmfa_updates(read, [*same, *unchanged], declarations=declarations)
    assert _strip(result.records) == _strip(read)
    assert result.declarations == tuple(
        attrs.evolve(
            d,
            worker_count=len({r.niss for r in read if r.quarter == d.quarter}),
            record_count=sum(r.quarter == d.quarter for r in read),
        )
        for d in declarations
    )


@settings(max_examples=30, deadline=None)
@given(_scenario())
def test_delete_then_create_with_the_old_content_restores_the_original(
    scenario: tuple[list[DmfaWorkerRecord], list[tuple[UpdateAction, DmfaWorkerRecord]]],
) -> None:
    originals, _ = scenario
    read, declarations = _read_originals(originals)
    deleted = _updates([(UpdateAction.DELETED, r) for r in originals], CREATED + timedelta(days=1))
    created = _updates([(UpdateAction.CREATED, r) for r in originals], CREATED + timedelta(days=2))
    # given in the wrong order: creation time decides
    result = apply_dmfa_updates(read, [*created, *deleted], declarations=declarations)
    assert sorted(_strip(result.records), key=_key) == sorted(_strip(read), key=_key)
    assert {line.origin for line in result.lines} == {LineOrigin.UPDATE}


@settings(max_examples=30, deadline=None)
@given(_scenario(), st.data())
def test_updates_apply_by_creation_time_whatever_the_file_order(
    scenario: tuple[list[DmfaWorkerRecord], list[tuple[UpdateAction, DmfaWorkerRecord]]],
    data: st.DataObject,
) -> None:
    originals, _ = scenario
    read, declarations = _read_originals(originals)
    versions = [
        [(UpdateAction.MODIFIED, data.draw(_line(r.quarter, r.niss))) for r in originals]
        for _ in range(3)
    ]
    moments = data.draw(st.lists(st.integers(0, 1000), min_size=3, max_size=3, unique=True))
    batches = [
        _updates(v, CREATED + timedelta(hours=m)) for v, m in zip(versions, moments, strict=True)
    ]
    order = data.draw(st.permutations(range(3)))
    result = apply_dmfa_updates(
        read, [u for i in order for u in batches[i]], declarations=declarations
    )
    latest = versions[moments.index(max(moments))]
    assert sorted(_strip(result.records), key=_key) == sorted(
        _strip([r for _, r in latest]), key=_key
    )


def test_same_creation_time_falls_back_to_the_file_name() -> None:
    quarter = QUARTERS[0]
    base = record(ACME, quarter, _niss(1), [occupation(quarter.period.start, q=3800)])
    half = record(ACME, quarter, _niss(1), [occupation(quarter.period.start, q=1900)])
    third = record(ACME, quarter, _niss(1), [occupation(quarter.period.start, q=1000)])
    updates: list[DmfaLineUpdate] = []
    for name, line in (("b.xml", half), ("a.xml", third)):
        form = attrs.evolve(_form(quarter, CREATED), source=None)
        data = dmfa_update_bytes(
            form, [DmfaLineUpdate(form, UpdateAction.MODIFIED, line, "000", 495, "1")]
        )
        updates.extend(iter_dmfa_updates(data, name=name))
    result = apply_dmfa_updates([base], updates)
    assert result.records[0].occupations[0].mean_working_hours == 1900  # b.xml after a.xml
    assert [s.file for s in result.lines[0].history] == ["a.xml", "b.xml"]


def test_orphan_updates_are_reported_and_used_by_default_or_ignored() -> None:
    quarter = QUARTERS[0]
    line = record(ACME, quarter, _niss(3), [occupation(quarter.period.start, q=1900)])
    form = _form(quarter, CREATED)
    updates = list(
        iter_dmfa_updates(
            dmfa_update_bytes(
                form, [DmfaLineUpdate(form, UpdateAction.MODIFIED, line, "000", 495, "1")]
            ),
            name="orphan.xml",
        )
    )
    used = apply_dmfa_updates([], updates)
    assert [f.code for f in used.findings][:1] == [DMFA_UPDATE_WITHOUT_ORIGINAL]
    assert "orphan.xml" in used.findings[0].message
    assert [r.niss for r in used.records] == [line.niss]
    assert [d.quarter for d in used.declarations] == [quarter]
    ignored = apply_dmfa_updates([], updates, orphans="ignore")
    assert ignored.records == ()
    assert ignored.declarations == ()
    assert [f.code for f in ignored.findings] == [DMFA_UPDATE_WITHOUT_ORIGINAL]
    # the declaration is there, the line is not: reported, then used (default)
    other = record(ACME, quarter, _niss(4), [occupation(quarter.period.start)])
    partial = apply_dmfa_updates([other], updates)
    assert DMFA_UPDATE_UNKNOWN_LINE in [f.code for f in partial.findings]
    assert {r.niss for r in partial.records} == {other.niss, line.niss}
    with pytest.raises(InvalidValueError, match="orphans"):
        apply_dmfa_updates([], updates, orphans="maybe")  # type: ignore[arg-type]


def test_bad_lines_are_reported_with_file_line_and_path_and_the_good_ones_kept() -> None:
    quarter = QUARTERS[0]
    lines = [record(ACME, quarter, _niss(s), [occupation(quarter.period.start)]) for s in (1, 2)]
    form = _form(quarter, CREATED)
    lines.append(record(ACME, quarter, _niss(3), [occupation(quarter.period.start, q=1900)]))
    data = dmfa_update_bytes(
        form, [DmfaLineUpdate(form, UpdateAction.MODIFIED, r, "000", 495, "1") for r in lines]
    )
    head, first, second, third = data.split(b"<NaturalPersonUpdate>")
    second = second.replace(b"<UpdateAction>1<", b"<UpdateAction>7<")
    third = third.replace(b"<JointCommissionNbr>111<", b"<JointCommissionNbr>1x1<")
    data = b"<NaturalPersonUpdate>".join([head, first, second, third])
    errors: list[InvalidValueError] = []
    good = list(iter_dmfa_updates(data, name="bad.xml", errors=errors))
    assert [u.record.niss for u in good] == [lines[0].niss]
    first_error, second_error = errors
    assert "invalid UpdateAction 7" in str(first_error)
    assert first_error.source is not None
    assert first_error.source.file == "bad.xml"
    assert first_error.path == (
        "$.Form[1].EmployerDeclarationUpdate.NaturalPersonUpdate[2].WorkerRecordUpdate[1]"
        ".WorkerRecordUpdateAction.UpdateAction"
    )
    assert "'1X1'" in str(second_error)
    assert second_error.source is not None
    assert second_error.source.line == data[: data.index(b">1x1<")].count(b"\n") + 1
    assert second_error.path is not None
    assert second_error.path.endswith(
        "NaturalPersonUpdate[3].WorkerRecordUpdate[1].WorkerRecordUpdateAction"
        ".OccupationUpdate[1].JointCommissionNbr"
    )
    with pytest.raises(MycareerErrorGroup):
        list(iter_dmfa_updates(data, name="bad.xml"))
    with pytest.raises(InputError, match="DmfAOriginal"):
        list(iter_dmfa_updates(dmfa_bytes(ACME, quarter, lines, created_at=CREATED)))


def test_the_writer_is_atomic_and_refuses_what_the_schema_needs(tmp_path: Path) -> None:
    quarter = QUARTERS[0]
    line = record(ACME, quarter, _niss(1), [occupation(quarter.period.start)])
    form = _form(quarter, CREATED)
    target = tmp_path / "fix.xml"
    write_dmfa_update(
        target, form, [DmfaLineUpdate(form, UpdateAction.DELETED, line, "000", 495, "1")]
    )
    assert [u.action for u in iter_dmfa_updates(target)] == [UpdateAction.DELETED]
    with pytest.raises(InvalidValueError, match="EmployerDeclarationPID"):
        write_dmfa_update(target, attrs.evolve(form, declaration_id=None), [])
    with pytest.raises(InvalidValueError, match="WorkerRecordVersionNbr"):
        dmfa_update_bytes(form, [DmfaLineUpdate(form, UpdateAction.MODIFIED, line, "000", 495)])
    assert [p.name for p in tmp_path.iterdir()] == ["fix.xml"]  # no temporary left over
    assert next(iter(iter_dmfa_updates(target))).action is UpdateAction.DELETED


# --- the official XSD and samples ------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(_scenario())
def test_written_updates_validate_against_the_official_xsd(
    onss_xsd_dir: Path,
    scenario: tuple[list[DmfaWorkerRecord], list[tuple[UpdateAction, DmfaWorkerRecord]]],
) -> None:
    schema = load_schema(onss_xsd_dir / "DmfAUpdate_20223.xsd")
    _, corrections = scenario
    for quarter in QUARTERS:
        form = _form(quarter, CREATED)
        lines = [
            DmfaLineUpdate(form, a, r, "000", 495, "1")
            if a is not UpdateAction.CREATED
            else DmfaLineUpdate(form, a, r)
            for a, r in corrections
            if r.quarter == quarter
        ]
        if lines:
            issues = validate_document(io.BytesIO(dmfa_update_bytes(form, lines)), schema)
            assert issues == [], issues


def test_the_official_sample_update_applies_to_the_official_original(
    onss_samples_dir: Path,
) -> None:
    original = onss_samples_dir / "DmfAOriginal_20223_1.xml"
    update = onss_samples_dir / "DmfAUpdate_20223_1.xml"
    errors: list[InvalidValueError] = []
    updates = list(iter_dmfa_updates(update, errors=errors))
    # six NaturalPersonUpdate blocks; the second's INSS 78101500183 fails its check digits
    assert len(updates) == 5
    (error,) = errors
    assert "78101500183" in str(error)
    assert error.source is not None
    assert (error.source.file, error.source.line) == (str(update), 107)
    assert error.path == "$.Form[1].EmployerDeclarationUpdate.NaturalPersonUpdate[2].INSS"
    assert {u.action for u in updates} == {UpdateAction.MODIFIED}
    assert updates[0].form.declaration_id == "99999990001"
    assert updates[0].form.created_at == datetime(2022, 8, 11, 9, 0)
    originals = list(iter_dmfa(original))
    result = apply_dmfa_updates(originals, updates)
    assert len(result.records) == len(originals)
    moved = [r for r in result.records if r.niss.value == "98010112171"]
    # LastSituationWR says worker code 841; the new situation is 840
    assert [r.worker_code for r in moved] == [840]
    corrected = [line for line in result.lines if line.origin is LineOrigin.UPDATE]
    assert len(corrected) == 5
    assert all(line.history[-1].file == str(update) for line in corrected)
    assert all(line.history[0].file == str(original) for line in corrected)
    (applied,) = [f for f in result.findings if f.code == DMFA_UPDATE_APPLIED]
    assert str(update) in applied.message
    assert "quarter 20223" in applied.message
    first = next(r for r in result.records if r.niss.value == "77101500172")
    assert [o.sequence for o in first.occupations] == [99]  # the update's occupation replaced 01
    assert first.occupations[0].end == date(2022, 9, 30)


def test_the_official_sample_update_is_valid(onss_samples_dir: Path, onss_xsd_dir: Path) -> None:
    schema = load_schema(onss_xsd_dir / "DmfAUpdate_20223.xsd")
    assert validate_document(onss_samples_dir / "DmfAUpdate_20223_1.xml", schema) == []


def test_a_creation_hour_with_an_offset_is_refused_as_the_xsd_refuses_it(tmp_path: Path) -> None:
    """Zone 00299 is HH:MM:SS.sss, no offset (the XSDs' pattern). An offset made an aware
    moment that one read could not order against the others (a TypeError, found by a
    review): an update names it as an error; an original's is unknown (None), as any
    unreadable creation moment of an original is."""
    quarter = QUARTERS[0]
    line = record(ACME, quarter, _niss(1), [occupation(quarter.period.start)])
    form = _form(quarter, CREATED)
    data = dmfa_update_bytes(form, [DmfaLineUpdate(form, UpdateAction.MODIFIED, line)])
    shifted = data.replace(b"09:00:00.000<", b"09:00:00.000+01:00<", 1)
    assert shifted != data
    with pytest.raises(MycareerErrorGroup) as caught:
        list(iter_dmfa_updates(shifted, name="tz.xml"))
    said = str(caught.value.exceptions[0])
    assert "'2024-07-20 09:00:00.000+01:00'" in said
    assert "tz.xml" in said
    original = dmfa_bytes(ACME, quarter, [line], created_at=CREATED)
    (tmp_path / "plain.xml").write_bytes(original)
    (tmp_path / "tz.xml").write_bytes(original.replace(b"09:00:00.000<", b"09:00:00.000+01:00<"))
    created = [
        d.created_at for p in ("plain.xml", "tz.xml") for d in read_dmfa(tmp_path / p).declarations
    ]
    assert created == [CREATED, None]
