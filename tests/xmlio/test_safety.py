"""Hostile and broken input for the DmfA and Dimona readers (issue 3 §4, docs/concepts.md).

Every failure is an :class:`InputError` or :class:`InvalidValueError` whose
text names the file, the line and, for a bad value, its record path. A batch
with bad records reports all of them and keeps every good record.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import attrs
import pytest

from mycareer.dimona import DimonaAction, DimonaDeclaration
from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord, ServiceLine
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    InputError,
    InvalidEnterpriseNumberError,
    InvalidJointCommissionError,
    InvalidNissError,
    InvalidQuarterError,
    InvalidValueError,
    InvalidWorkFractionError,
    MycareerErrorGroup,
    flatten_errors,
)
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.xmlio.dimona import iter_dimona, iter_notifications, read_dimona
from mycareer.xmlio.dimona_writer import dimona_bytes
from mycareer.xmlio.dmfa import iter_dmfa, read_dmfa
from mycareer.xmlio.dmfa_writer import dmfa_bytes

ACME = Employer(EnterpriseNumber("0403019261"))
Q1 = Quarter(2024, 1)
GOOD_NISS = ["90010100123", "93051822361", "85073003328", "50073003369"]


def _record(niss: str) -> DmfaWorkerRecord:
    line = DmfaOccupation(
        sequence=1,
        start=date(2020, 1, 1),
        end=None,
        period=Q1.period,
        joint_commission=JointCommission("200"),
        working_days_system=500,
        contract_type=ContractType.FULL_TIME,
        mean_working_hours=3800,
        ref_mean_working_hours=3800,
        services=[ServiceLine(1, 6400)],
    )
    return DmfaWorkerRecord(ACME, Q1, Niss(niss), 495, "010", Q1.period, [line])


def good_dmfa(nisses: list[str] = GOOD_NISS) -> bytes:
    return dmfa_bytes(ACME, Q1, [_record(n) for n in nisses], created_at=datetime(2024, 4, 2, 9))


def good_dimona() -> bytes:
    return dimona_bytes(
        [
            DimonaDeclaration(
                DimonaAction.IN,
                ACME,
                Niss(niss),
                reference=f"REF-{index}",
                start=date(2024, 1, 2),
                worker_type="OTH",
                joint_commission=JointCommission("XXX"),
            )
            for index, niss in enumerate(GOOD_NISS)
        ],
        created_at=datetime(2024, 1, 1, 8),
    )


def read_all_dmfa(path: Path) -> list[Any]:
    return list(iter_dmfa(path))


def read_all_dimona(path: Path) -> list[Any]:
    return list(iter_dimona(path))


READERS: dict[str, tuple[str, Callable[[Path], list[Any]]]] = {
    "dmfa": ("DmfAOriginal", read_all_dmfa),
    "dimona": ("Dimona", read_all_dimona),
}


@pytest.fixture(params=sorted(READERS))
def reader(request: pytest.FixtureRequest) -> tuple[str, Callable[[Path], list[Any]]]:
    return READERS[request.param]


def _input_error(read: Callable[[Path], list[Any]], path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(path) in str(caught.value)
    assert caught.value.source is not None
    assert caught.value.source.line is not None
    return caught.value


def test_xxe_against_a_local_file_never_leaks_it(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    root, read = reader
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PAYROLL-42")
    evil = tmp_path / "xxe.xml"
    evil.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f"<{root}><Form><Identification>&xxe;</Identification></Form></{root}>"
    )
    error = _input_error(read, evil)
    assert "DOCTYPE" in str(error)
    assert "TOP-SECRET" not in str(error)
    batch_errors = (read_dmfa if root == "DmfAOriginal" else read_dimona)(
        [evil], on_error="collect"
    ).errors
    assert all("TOP-SECRET" not in str(e) for e in batch_errors)
    assert len(batch_errors) == 1


def test_external_dtd_is_refused(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    root, read = reader
    (tmp_path / "evil.dtd").write_text('<!ENTITY leak "x">')
    path = tmp_path / "dtd.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "file://{tmp_path}/evil.dtd">\n<{root}/>'
    )
    assert "DOCTYPE" in str(_input_error(read, path))


def test_billion_laughs_is_refused(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    root, read = reader
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    path = tmp_path / "laughs.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{entities}]>\n<{root}>&lol9;</{root}>'
    )
    assert "DOCTYPE" in str(_input_error(read, path))


def test_quadratic_blowup_is_refused(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    root, read = reader
    path = tmp_path / "quadratic.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY a "{"x" * 50_000}">]>\n'
        f"<{root}>{'&a;' * 5_000}</{root}>"
    )
    assert "DOCTYPE" in str(_input_error(read, path))


def test_malformed_document_names_file_and_line(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    root, read = reader
    path = tmp_path / "malformed.xml"
    path.write_text(f"<{root}>\n<Form>\n<Identification>x</Oops>\n</Form>\n</{root}>\n")
    error = _input_error(read, path)
    assert "malformed" in str(error)
    assert error.source is not None
    assert error.source.line == 3


def test_truncated_document_names_file_and_line(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    root, read = reader
    data = good_dmfa() if root == "DmfAOriginal" else good_dimona()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert "malformed" in str(_input_error(read, path))


def test_empty_file(tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]) -> None:
    _root, read = reader
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    assert "empty" in str(_input_error(read, path))


def test_wrong_root_is_named(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    _root, read = reader
    path = tmp_path / "root.xml"
    path.write_text("<Payroll><Form/></Payroll>")
    assert "<Payroll>" in str(_input_error(read, path))


def test_wrong_namespace_is_named(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    root, read = reader
    path = tmp_path / "namespace.xml"
    path.write_text(f'<{root} xmlns="urn:elsewhere"><Form/></{root}>')
    assert "urn:elsewhere" in str(_input_error(read, path))


# -- bad values: InvalidValueError with value, file, line and path ------------------------

DMFA_BAD_VALUES = [
    pytest.param(
        b"<OccupationStartingDate>2020-01-01<",
        b"<OccupationStartingDate>2024-02-30<",
        InvalidValueError,
        "'2024-02-30'",
        "$.Form[1].EmployerDeclaration.NaturalPerson[1].WorkerRecord[1].Occupation[1].OccupationStartingDate",
        id="invalid-date",
    ),
    pytest.param(
        b"<INSS>90010100123<",
        b"<INSS>90010100124<",
        InvalidNissError,
        "'90010100124'",
        "$.Form[1].EmployerDeclaration.NaturalPerson[1].INSS",
        id="invalid-niss",
    ),
    pytest.param(
        b"<JointCommissionNbr>200<",
        b"<JointCommissionNbr>20<",
        InvalidJointCommissionError,
        "'20'",
        "$.Form[1].EmployerDeclaration.NaturalPerson[1].WorkerRecord[1].Occupation[1].JointCommissionNbr",
        id="invalid-joint-committee",
    ),
    pytest.param(
        b"<RefMeanWorkingHours>3800<",
        b"<RefMeanWorkingHours>0<",
        InvalidWorkFractionError,
        "3800/0",
        "$.Form[1].EmployerDeclaration.NaturalPerson[1].WorkerRecord[1].Occupation[1].RefMeanWorkingHours",
        id="s-zero-with-q",
    ),
]


@pytest.mark.parametrize(("good", "bad", "kind", "value", "path"), DMFA_BAD_VALUES)
def test_dmfa_bad_value_names_value_file_line_and_path(
    tmp_path: Path, good: bytes, bad: bytes, kind: type[InvalidValueError], value: str, path: str
) -> None:
    data = good_dmfa()
    assert good in data
    file = tmp_path / "q1.xml"
    file.write_bytes(data.replace(good, bad, 1))
    errors: list[InvalidValueError] = []
    kept = list(iter_dmfa(file, errors=errors))
    assert len(kept) == len(GOOD_NISS) - 1  # only the bad record is left out
    (error,) = errors
    assert isinstance(error, kind)
    assert error.path == path
    assert value in str(error)
    assert error.source is not None
    assert error.source.file == str(file)
    line = data.replace(good, bad, 1)[: data.replace(good, bad, 1).index(bad)].count(b"\n") + 1
    assert error.source.line == line
    assert f"{file}:{line}" in str(error)


@pytest.mark.parametrize(
    ("good", "bad", "kind", "value", "path"),
    [
        (
            b"<CompanyID>0403019261<",
            b"<CompanyID>0403019262<",
            InvalidEnterpriseNumberError,
            "'0403019262'",
            "$.Form[1].EmployerDeclaration.CompanyID",
        ),
        (
            b"<Quarter>20241<",
            b"<Quarter>20245<",
            InvalidValueError,
            "'20245'",
            "$.Form[1].EmployerDeclaration.Quarter",
        ),
    ],
)
def test_dmfa_bad_employer_header_is_one_error_naming_the_unread_records(
    tmp_path: Path, good: bytes, bad: bytes, kind: type[InvalidValueError], value: str, path: str
) -> None:
    file = tmp_path / "header.xml"
    file.write_bytes(good_dmfa().replace(good, bad))
    batch = read_dmfa([file], on_error="collect")
    assert batch.records == ()
    (error,) = batch.errors
    assert isinstance(error, kind)
    assert error.path == path
    assert value in str(error)
    assert f"{len(GOOD_NISS)} worker record(s) are not read" in str(error)
    assert f"{file}:" in str(error)
    if good.startswith(b"<Quarter>"):
        assert isinstance(error, InvalidQuarterError)


def test_dimona_bad_values_name_value_file_line_and_path(tmp_path: Path) -> None:
    data = (
        good_dimona()
        .replace(b"<INSS>93051822361</INSS>", b"<INSS>93051822362</INSS>")
        .replace(
            b"<StartingDate>2024-01-02</StartingDate>",
            b"<StartingDate>2024-13-02</StartingDate>",
            1,
        )
        .replace(b"<CompanyID>0403019261</CompanyID>", b"<CompanyID>0403019262</CompanyID>", 3)
    )
    # 1st form: bad date; 2nd: bad INSS and enterprise number; 3rd: bad enterprise number
    file = tmp_path / "dimona.xml"
    file.write_bytes(data)
    errors: list[InvalidValueError] = []
    kept = list(iter_dimona(file, errors=errors))
    assert [d.reference for d in kept] == ["REF-3"]
    assert [e.path for e in errors] == [
        "$.Form[1].DimonaIn.StartingDate",
        "$.Form[2].DimonaIn.EmployerId.CompanyID",
        "$.Form[3].DimonaIn.EmployerId.CompanyID",
    ]
    assert "'2024-13-02'" in str(errors[0])
    assert isinstance(errors[1], InvalidEnterpriseNumberError)
    assert all(f"{file}:" in str(e) for e in errors)
    with pytest.raises(MycareerErrorGroup) as caught:
        list(iter_dimona(file))
    assert len(caught.value.exceptions) == 3


def test_dimona_bad_niss_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "dimona.xml"
    file.write_bytes(
        good_dimona().replace(b"<INSS>93051822361</INSS>", b"<INSS>93051822362</INSS>")
    )
    errors: list[InvalidValueError] = []
    assert len(list(iter_dimona(file, errors=errors))) == len(GOOD_NISS) - 1
    (error,) = errors
    assert isinstance(error, InvalidNissError)
    assert error.path == "$.Form[2].DimonaIn.NaturalPerson.INSS"
    assert "'93051822362'" in str(error)


def test_notification_wrong_root_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dimona.xml"
    path.write_bytes(good_dimona())
    assert "<Dimona>" in str(_input_error(lambda p: list(iter_notifications(p)), path))


# -- batches: every bad record reported, every good one kept, both modes -------------------


def _dmfa_batch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "1-good.xml").write_bytes(good_dmfa(GOOD_NISS[:2]))
    (folder / "2-bad-records.xml").write_bytes(
        dmfa_bytes(
            Employer(EnterpriseNumber("0200000043")),
            Q1,
            [
                attrs_evolve_employer(_record(n), Employer(EnterpriseNumber("0200000043")))
                for n in GOOD_NISS
            ],
            created_at=datetime(2024, 4, 2, 9),
        )
        .replace(b"<INSS>93051822361<", b"<INSS>93051822362<")
        .replace(b"<JointCommissionNbr>200<", b"<JointCommissionNbr>2000<", 1)
    )
    (folder / "3-malformed.xml").write_text("<DmfAOriginal><Form>")
    return folder


def attrs_evolve_employer(record: DmfaWorkerRecord, employer: Employer) -> DmfaWorkerRecord:
    return attrs.evolve(record, employer=employer)


def test_dmfa_batch_collect_keeps_every_good_record_and_reports_every_bad_one(
    tmp_path: Path,
) -> None:
    folder = _dmfa_batch_folder(tmp_path)
    batch = read_dmfa([folder], on_error="collect")
    kept = [(r.employer.key, str(r.niss)) for r in batch.records]
    assert kept == [
        ("0403019261", "90010100123"),
        ("0403019261", "93051822361"),
        ("0200000043", "85073003328"),
        ("0200000043", "50073003369"),
    ]
    lines = [str(e) for e in batch.errors]
    assert len(lines) == 3
    assert "2-bad-records.xml" in lines[0]
    assert "NaturalPerson[1].WorkerRecord[1].Occupation[1].JointCommissionNbr" in lines[0]
    assert "2-bad-records.xml" in lines[1]
    assert "NaturalPerson[2].INSS" in lines[1]
    assert "3-malformed.xml" in lines[2]


def test_dmfa_batch_raise_lists_every_problem_after_reading_all(tmp_path: Path) -> None:
    folder = _dmfa_batch_folder(tmp_path)
    with pytest.raises(MycareerErrorGroup) as caught:
        read_dmfa([folder])
    lines = flatten_errors(caught.value)
    assert len(lines) == 3
    assert any("3-malformed.xml" in line for line in lines)


def test_dimona_batch_both_modes(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(good_dimona())
    (tmp_path / "b.xml").write_bytes(
        good_dimona().replace(b"<INSS>93051822361<", b"<INSS>93051822362<")
    )
    (tmp_path / "c.xml").write_text("")
    batch = read_dimona([tmp_path], on_error="collect")
    assert len(batch.declarations) == 2 * len(GOOD_NISS) - 1
    assert len(batch.errors) == 2
    with pytest.raises(MycareerErrorGroup) as caught:
        read_dimona([tmp_path])
    assert len(caught.value.exceptions) == 2


def test_missing_path_is_reported_with_its_name(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    batch = read_dmfa([missing], on_error="collect")
    (error,) = batch.errors
    assert str(missing) in str(error)
    assert isinstance(error, InputError)


class _OneWayStream(io.RawIOBase):
    """A non-seekable stream (a pipe or socket): the readers cannot sniff and rewind."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_doctype_hidden_after_4_kib_is_still_refused(
    tmp_path: Path, reader: tuple[str, Callable[[Path], list[Any]]]
) -> None:
    """``_safe`` peeks at the first 4 KiB only; the readers check the document info too."""
    root, read = reader
    padding = "<!--" + "x" * 5000 + "-->\n"
    data = (
        f'<?xml version="1.0"?>\n{padding}<!DOCTYPE {root} [<!ENTITY x "EXPANDED-ENTITY">]>\n'
        f"<{root}><Form><Identification>&x;</Identification></Form></{root}>"
    ).encode()
    path = tmp_path / "hidden.xml"
    path.write_bytes(data)
    assert "DOCTYPE" in str(_input_error(read, path))
    iterate = iter_dmfa if root == "DmfAOriginal" else iter_dimona
    sources: list[bytes | IO[bytes]] = [data, io.BufferedReader(_OneWayStream(data))]
    for source in sources:
        assert isinstance(source, bytes) or not source.seekable()
        with pytest.raises(InputError, match="DOCTYPE") as caught:
            list(iterate(source, name="hidden.xml"))
        assert "EXPANDED-ENTITY" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"<DmfAUpdate><Form><EmployerDeclaration/></Form></DmfAUpdate>",
         "DmfAUpdate (modification declaration) is not an original"),
        (b"<Dimona><Form><EmployerDeclaration/></Form></Dimona>",
         "not a DmfA document: root element <Dimona>, expected <DmfAOriginal>"),
        (b"<Dimona><DimonaIn/></Dimona>",  # not one element the reader looks for
         "not a DmfA document: root element <Dimona>, expected <DmfAOriginal>"),
        (b'<DmfAOriginal xmlns="urn:x"><Form><EmployerDeclaration/></Form></DmfAOriginal>',
         "root element 'DmfAOriginal' is in namespace 'urn:x'"),
    ],
)  # fmt: skip
def test_a_stream_that_cannot_rewind_is_refused_for_its_root_as_a_file_is(
    tmp_path: Path, data: bytes, said: str
) -> None:
    """A pipe of another document than a DmfA original is refused as the same bytes in a
    file are, not read as an original that holds nothing (until 7 December 2026 such a
    stream gave no record and no error: a correction piped in was lost unsaid)."""
    path = tmp_path / "other.xml"
    path.write_bytes(data)
    refusals = []
    for source in (path, io.BufferedReader(_OneWayStream(data))):
        with pytest.raises(InputError) as refused:
            list(iter_dmfa(source, name=str(path)))
        refusals.append((type(refused.value), str(refused.value)))
    assert refusals[0] == refusals[1]
    assert said in refusals[0][1]
