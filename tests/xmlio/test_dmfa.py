"""DmfA reader: reading rules of issue 3 §1 (``DmfAOriginal_20231.xsd``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    DmfaWorkerRecord,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    ErrorCollector,
    InvalidNissError,
    InvalidValueError,
    MycareerErrorGroup,
    UnsupportedDocumentError,
)
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import DMFA_DUPLICATE_ORIGINAL, iter_dmfa, read_dmfa
from mycareer.xmlio.dmfa_writer import dmfa_bytes, write_dmfa
from mycareer.xmlio.reading import checked_niss

ACME = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"))
Q1 = Quarter(2024, 1)


def occupation(
    quarter: Quarter,
    start: date,
    end: date | None = None,
    *,
    q: int = 3800,
    s: int = 3800,
    measures: tuple[ReorganisationMeasure, ...] = (),
    remunerations: tuple[RemunerationLine, ...] = (),
) -> DmfaOccupation:
    clipped = Period(max(start, quarter.first_day), quarter.last_day if end is None else end)
    return DmfaOccupation(
        sequence=1,
        start=start,
        end=end,
        period=clipped,
        joint_commission=JointCommission("200"),
        working_days_system=500,
        contract_type=ContractType.FULL_TIME if q == s else ContractType.PART_TIME,
        mean_working_hours=q,
        ref_mean_working_hours=s,
        reorganisation_measures=measures,
        services=[ServiceLine(1, 6000)] if q else [],
        remunerations=remunerations,
    )


def record(
    niss: str, *lines: DmfaOccupation, employer: Employer = ACME, quarter: Quarter = Q1
) -> DmfaWorkerRecord:
    return DmfaWorkerRecord(employer, quarter, Niss(niss), 495, "010", quarter.period, lines)


def write(path: Path, records: list[DmfaWorkerRecord], created_at: datetime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    first = records[0]
    write_dmfa(path, first.employer, first.quarter, records, created_at=created_at)
    return path


def test_nsso_only_employer_company_id_zero_is_keyed_by_nsso_number() -> None:
    """CompanyID 0 → no enterprise number; the NSSO number identifies the employer (B-14)."""
    employer = Employer(nsso=NssoNumber("100006"))
    data = dmfa_bytes(
        employer,
        Q1,
        [record("90010100123", occupation(Q1, date(2020, 1, 1)), employer=employer)],
        created_at=datetime(2024, 4, 2),
    )
    (read,) = iter_dmfa(data)
    assert read.employer.enterprise is None
    assert read.employer.key == "nsso:100006"


def test_open_line_is_clipped_to_its_quarter_but_keeps_its_start() -> None:
    data = dmfa_bytes(
        ACME,
        Q1,
        [record("90010100123", occupation(Q1, date(2019, 9, 1)))],
        created_at=datetime(2024, 4, 2),
    )
    (line,) = next(iter_dmfa(data)).occupations
    assert (line.start, line.end) == (date(2019, 9, 1), None)
    assert line.period == Period(date(2024, 1, 1), date(2024, 3, 31))


def test_empty_ending_date_element_means_open_ended() -> None:
    data = dmfa_bytes(
        ACME,
        Q1,
        [record("90010100123", occupation(Q1, date(2024, 2, 1)))],
        created_at=datetime(2024, 4, 2),
    ).replace(
        b"<OccupationStartingDate>2024-02-01</OccupationStartingDate>",
        b"<OccupationStartingDate>2024-02-01</OccupationStartingDate><OccupationEndingDate/>",
    )
    (line,) = next(iter_dmfa(data)).occupations
    assert line.end is None
    assert line.period == Period(date(2024, 2, 1), date(2024, 3, 31))


def test_termination_indemnity_line_after_the_quarter_keeps_its_declared_dates() -> None:
    """ONSS DmfA instructions: indemnity lines may lie outside the quarter (rest of the year)."""
    q3 = Quarter(2024, 3)
    worked = occupation(q3, date(2010, 1, 1), date(2024, 9, 15))
    indemnity = DmfaOccupation(
        sequence=2,
        start=date(2024, 10, 1),
        end=date(2024, 12, 31),
        period=Period(date(2024, 10, 1), date(2024, 12, 31)),
        joint_commission=JointCommission("200"),
        working_days_system=500,
        contract_type=ContractType.FULL_TIME,
        mean_working_hours=3800,
        ref_mean_working_hours=3800,
        remunerations=[RemunerationLine(3, 1_200_000)],  # code 3: termination indemnity
    )
    data = dmfa_bytes(
        ACME,
        q3,
        [record("50073003369", worked, indemnity, quarter=q3)],
        created_at=datetime(2024, 10, 3),
    )
    lines = next(iter_dmfa(data)).occupations
    assert lines[0].period == Period(date(2024, 7, 1), date(2024, 9, 15))
    assert lines[1].period == Period(date(2024, 10, 1), date(2024, 12, 31))
    assert lines[1].remuneration_codes == {3}


def test_full_career_break_and_measure_percentages_are_read() -> None:
    """DmfA FAQ: measure 3 with Q = 0 is a full career break."""
    line = occupation(
        Q1,
        date(2024, 1, 1),
        q=0,
        measures=(ReorganisationMeasure(3), ReorganisationMeasure(4, 5000)),
    )
    data = dmfa_bytes(ACME, Q1, [record("85073003328", line)], created_at=datetime(2024, 4, 2))
    (read,) = next(iter_dmfa(data)).occupations
    assert read.is_full_career_break
    assert read.reorganisation_measures == (
        ReorganisationMeasure(3),
        ReorganisationMeasure(4, 5000),
    )
    assert read.fraction is not None
    assert read.fraction.value == 0


def test_unknown_elements_of_other_versions_are_ignored() -> None:
    data = dmfa_bytes(
        ACME,
        Q1,
        [record("90010100123", occupation(Q1, date(2024, 1, 1)))],
        created_at=datetime(2024, 4, 2),
    ).replace(b"<Retired>0</Retired>", b"<Retired>0</Retired><SomeFutureZone>7</SomeFutureZone>")
    assert len(list(iter_dmfa(data))) == 1


def test_dmfa_update_is_refused_as_not_an_original_naming_root_file_and_reader(
    tmp_path: Path,
) -> None:
    path = tmp_path / "update.xml"
    path.write_bytes(b"<DmfAUpdate><Form><Identification>DMFA</Identification></Form></DmfAUpdate>")
    with pytest.raises(UnsupportedDocumentError) as caught:
        list(iter_dmfa(path))
    text = str(caught.value)
    assert "DmfAUpdate (modification declaration) is not an original" in text
    assert "iter_dmfa_updates" in text
    assert "<DmfAUpdate>" in text
    assert str(path) in text


def test_many_files_and_folders_combine_into_one_population(tmp_path: Path) -> None:
    other = Employer(EnterpriseNumber("0200000043"))
    write(
        tmp_path / "a" / "q1.xml",
        [record("90010100123", occupation(Q1, date(2020, 1, 1)))],
        datetime(2024, 4, 2),
    )
    write(
        tmp_path / "a" / "deep" / "q2.xml",
        [record("90010100123", occupation(Q1 + 1, date(2020, 1, 1)), quarter=Q1 + 1)],
        datetime(2024, 7, 2),
    )
    single = write(
        tmp_path / "b.xml",
        [record("93051822361", occupation(Q1, date(2024, 1, 1)), employer=other)],
        datetime(2024, 4, 3),
    )
    (tmp_path / "a" / "notes.txt").write_text("not a declaration")
    batch = read_dmfa([tmp_path / "a", single])
    # sorted paths: a/deep/q2.xml comes before a/q1.xml
    assert [(r.employer.key, str(r.quarter), str(r.niss)) for r in batch.records] == [
        ("0403019261", "20242", "90010100123"),
        ("0403019261", "20241", "90010100123"),
        ("0200000043", "20241", "93051822361"),
    ]
    assert [(d.employer.key, str(d.quarter), d.worker_count) for d in batch.declarations] == [
        ("0200000043", "20241", 1),
        ("0403019261", "20241", 1),
        ("0403019261", "20242", 1),
    ]
    assert batch.findings == ()
    assert batch.errors == ()


def test_declared_quarter_with_zero_fte_still_has_a_declaration_header(tmp_path: Path) -> None:
    """The training-right engine counts quarters actually declared, FTE 0 included."""
    path = write(
        tmp_path / "break.xml",
        [
            record(
                "85073003328",
                occupation(Q1, date(2024, 1, 1), q=0, measures=(ReorganisationMeasure(3),)),
            )
        ],
        datetime(2024, 4, 2),
    )
    (declaration,) = read_dmfa([path]).declarations
    assert (declaration.quarter, declaration.worker_count, declaration.record_count) == (Q1, 1, 1)
    assert declaration.created_at == datetime(2024, 4, 2)


def test_duplicate_original_latest_creation_wins_and_loser_is_named(tmp_path: Path) -> None:
    old = write(
        tmp_path / "z-old.xml",
        [record("90010100123", occupation(Q1, date(2020, 1, 1)))],
        datetime(2024, 4, 2, 9),
    )
    new = write(
        tmp_path / "a-new.xml",
        [record("93051822361", occupation(Q1, date(2020, 1, 1)))],
        datetime(2024, 4, 3, 8),
    )
    batch = read_dmfa([tmp_path])
    assert [str(r.niss) for r in batch.records] == ["93051822361"]
    (finding,) = batch.findings
    assert finding.code == DMFA_DUPLICATE_ORIGINAL
    assert str(new) in finding.message
    assert str(old) in finding.message
    assert "created later" in finding.message
    assert "90010100123" in finding.message  # the excluded record is named
    assert finding.source is not None
    assert finding.source.file == str(old)
    (declaration,) = batch.declarations
    assert declaration.source is not None
    assert declaration.source.file == str(new)


def test_duplicate_original_tie_goes_to_the_later_path(tmp_path: Path) -> None:
    same = datetime(2024, 4, 2, 9)
    write(tmp_path / "1.xml", [record("90010100123", occupation(Q1, date(2020, 1, 1)))], same)
    later = write(
        tmp_path / "2.xml", [record("93051822361", occupation(Q1, date(2020, 1, 1)))], same
    )
    batch = read_dmfa([tmp_path])
    assert [str(r.niss) for r in batch.records] == ["93051822361"]
    assert "later file in sort order" in batch.findings[0].message
    assert batch.declarations[0].source is not None
    assert batch.declarations[0].source.file == str(later)


def _with_bad_niss(data: bytes) -> bytes:
    return data.replace(b"<INSS>93051822361</INSS>", b"<INSS>93051822362</INSS>")


def test_iter_dmfa_with_a_collector_keeps_going_past_bad_records() -> None:
    records = [
        record("90010100123", occupation(Q1, date(2020, 1, 1))),
        record("93051822361", occupation(Q1, date(2020, 1, 1))),
        record("85073003328", occupation(Q1, date(2020, 1, 1))),
    ]
    data = _with_bad_niss(dmfa_bytes(ACME, Q1, records, created_at=datetime(2024, 4, 2)))
    errors: list[InvalidValueError] = []
    good = [str(r.niss) for r in iter_dmfa(data, name="q1.xml", errors=errors)]
    assert good == ["90010100123", "85073003328"]
    (error,) = errors
    assert isinstance(error, InvalidNissError)
    assert error.path == "$.Form[1].EmployerDeclaration.NaturalPerson[2].INSS"
    assert "'93051822362'" in str(error)
    assert "q1.xml:" in str(error)

    collector = ErrorCollector(raise_on_exit=False)
    assert len(list(iter_dmfa(data, errors=collector))) == 2
    assert len(collector.errors) == 1


def test_a_bad_niss_is_refused_every_time_it_comes_back() -> None:
    """The reader remembers good NISS across files; never a refusal."""
    records = [record("93051822361", occupation(Q1, date(2020, 1, 1)))]
    data = _with_bad_niss(dmfa_bytes(ACME, Q1, records, created_at=datetime(2024, 4, 2)))
    for _ in range(2):
        errors: list[InvalidValueError] = []
        assert list(iter_dmfa(data, errors=errors)) == []
        assert [type(error) for error in errors] == [InvalidNissError]
    good = dmfa_bytes(ACME, Q1, records, created_at=datetime(2024, 4, 2))
    first, again = list(iter_dmfa(good)), list(iter_dmfa(good))
    assert first == again
    assert first[0].niss == Niss("93051822361")


def test_each_record_is_read_with_its_own_quarter_dates() -> None:
    """Records repeat the quarter's dates; one that differs is read (or refused) on its own."""
    records = [record(niss, occupation(Q1, date(2020, 1, 1)))
               for niss in ("90010100123", "93051822361", "85073003328")]  # fmt: skip
    data = dmfa_bytes(ACME, Q1, records, created_at=datetime(2024, 4, 2))
    first, rest = data.split(b"<NOSSQuarterEndingDate>2024-03-31<", 1)
    second, third = rest.split(b"<NOSSQuarterEndingDate>2024-03-31<", 1)
    for bad, message in ((b"2023-12-31", "is before"), (b"2024-02-30", "invalid")):
        changed = b"".join(
            (first, b"<NOSSQuarterEndingDate>2024-03-31<", second,
             b"<NOSSQuarterEndingDate>" + bad + b"<", third)
        )  # fmt: skip
        errors: list[InvalidValueError] = []
        good = list(iter_dmfa(changed, errors=errors))
        assert [str(r.niss) for r in good] == ["90010100123", "85073003328"]
        assert [r.quarter_period for r in good] == [Q1.period, Q1.period]
        (error,) = errors
        assert message in str(error)
        assert error.path is not None
        assert error.path.endswith("NOSSQuarterEndingDate")


def test_iter_dmfa_without_collector_yields_good_records_then_raises_all() -> None:
    records = [
        record("90010100123", occupation(Q1, date(2020, 1, 1))),
        record("93051822361", occupation(Q1, date(2020, 1, 1))),
    ]
    data = _with_bad_niss(dmfa_bytes(ACME, Q1, records, created_at=datetime(2024, 4, 2)))
    seen: list[str] = []
    with pytest.raises(MycareerErrorGroup) as caught:
        for item in iter_dmfa(data):
            seen.append(str(item.niss))
    assert seen == ["90010100123"]
    assert len(caught.value.exceptions) == 1


def test_read_dmfa_on_error_must_be_raise_or_collect(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="on_error"):
        read_dmfa([tmp_path], on_error="ignore")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text("0123456789", min_size=11, max_size=11),
        st.builds(
            lambda base: f"{base:09d}{97 - base % 97:02d}",
            st.integers(0, 999_999_999),
        ),
        st.builds(
            lambda base: f"{base:09d}{97 - (2_000_000_000 + base) % 97:02d}",
            st.integers(0, 999_999_999),
        ),
        st.text("0123456789 .-x", min_size=9, max_size=14),
    )
)
def test_fast_niss_path_agrees_with_stdnum(text: str) -> None:
    """``checked_niss`` (the reader's fast path) accepts and refuses exactly like ``Niss``."""
    try:
        expected: Niss | None = Niss(text)
    except InvalidValueError:
        expected = None
    try:
        fast: Niss | None = checked_niss(text)
    except InvalidValueError:
        fast = None
    assert fast == expected


def test_the_readers_constructors_equal_the_attrs_init() -> None:
    """The reader's slot constructors build what the classes' __init__ builds (converters
    included); tests/test_slots.py covers what they refuse."""
    import attrs

    from mycareer.errors import SourceRef
    from mycareer.xmlio import dmfa as reader

    line = occupation(Q1, date(2024, 2, 1), q=1900)
    worker = record("90010100123", line)
    parts = [*attrs.astuple(worker, recurse=False)[:6], [line], None]
    assert reader._new_record(*parts) == DmfaWorkerRecord(*parts)
    assert reader._new_source("q1.xml", 3, "$.x") == SourceRef("q1.xml", 3, "$.x")


def test_inss_is_found_wherever_it_stands_in_the_natural_person() -> None:
    """The reader looks for INSS second (the XSD's order) first, then anywhere."""
    records = [record(niss, occupation(Q1, date(2020, 1, 1)))
               for niss in ("90010100123", "85073003328")]  # fmt: skip
    data = dmfa_bytes(ACME, Q1, records, created_at=datetime(2024, 4, 2))
    first = b"<NaturalPersonSequenceNbr>1</NaturalPersonSequenceNbr>"
    inss = b"<INSS>90010100123</INSS>"
    assert first in data
    assert inss in data
    moved = data.replace(inss, b"").replace(first, inss + first)  # INSS first
    assert [str(r.niss) for r in iter_dmfa(moved)] == ["90010100123", "85073003328"]
    alone = data.replace(first, b"")  # INSS the only element before the records
    assert [str(r.niss) for r in iter_dmfa(alone)] == ["90010100123", "85073003328"]
    errors: list[InvalidValueError] = []
    empty = data.replace(inss, b"<INSS> </INSS>")
    assert [str(r.niss) for r in iter_dmfa(empty, errors=errors)] == ["85073003328"]
    assert ["missing INSS" in str(error) for error in errors] == [True]
    errors = []
    missing = data.replace(inss, b"")
    assert [str(r.niss) for r in iter_dmfa(missing, errors=errors)] == ["85073003328"]
    assert ["missing INSS" in str(error) for error in errors] == [True]


def test_empty_quarter_dates_of_the_first_record_are_refused() -> None:
    """No record read yet means no quarter dates to reuse, whatever the first one holds."""
    records = [record(niss, occupation(Q1, date(2020, 1, 1)))
               for niss in ("90010100123", "85073003328")]  # fmt: skip
    data = dmfa_bytes(ACME, Q1, records, created_at=datetime(2024, 4, 2))
    for tag in (b"NOSSQuarterStartingDate", b"NOSSQuarterEndingDate"):
        head, rest = data.split(b"<" + tag + b">", 1)
        _, tail = rest.split(b"</" + tag + b">", 1)
        data = head + b"<" + tag + b"><![CDATA[]]></" + tag + b">" + tail  # empty text ''
    errors: list[InvalidValueError] = []
    assert [str(r.niss) for r in iter_dmfa(data, errors=errors)] == ["85073003328"]
    assert ["missing NOSSQuarterStartingDate" in str(error) for error in errors] == [True]


@pytest.mark.parametrize(
    ("damage", "path_end", "message"),
    [
        (
            (b"<RemunAmount>00000012000</RemunAmount>", b"<RemunAmount>lots</RemunAmount>"),
            "Occupation[1].Remun[2].RemunAmount",
            "invalid RemunAmount 'lots': expected an integer",
        ),
        (
            (b"<ServiceNbrDays>6000</ServiceNbrDays>", b"<ServiceNbrDays> </ServiceNbrDays>"),
            "Occupation[1].Service[1].ServiceNbrDays",
            "missing ServiceNbrDays",
        ),
        (
            (b"<ReorganisationMeasure>4<", b"<ReorganisationMeasure>-4<"),
            "Occupation[1].ReorgMeasureInformation.ReorganisationMeasure",
            "invalid ReorganisationMeasure -4: must be at least 0",
        ),
    ],
)
def test_a_bad_service_remuneration_or_measure_names_its_element(
    damage: tuple[bytes, bytes], path_end: str, message: str
) -> None:
    """The checked path numbers services and remunerations, as the XSD repeats them."""
    line = occupation(
        Q1,
        date(2024, 1, 1),
        measures=(ReorganisationMeasure(4, 5000),),
        remunerations=(RemunerationLine(1, 900000), RemunerationLine(3, 12000)),
    )
    data = dmfa_bytes(ACME, Q1, [record("85073003328", line)], created_at=datetime(2024, 4, 2))
    assert damage[0] in data
    errors: list[InvalidValueError] = []
    assert list(iter_dmfa(data.replace(*damage), name="q1.xml", errors=errors)) == []
    (error,) = errors
    assert error.path is not None
    assert error.path.endswith(path_end), error.path
    assert message in str(error)
    assert "q1.xml:" in str(error)
