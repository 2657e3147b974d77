"""The header pre-scan (``mycareer.xmlio.headers``): the first 8 kB settle it, or the file does.

The oracle is the scan of the whole file (``_header_of(path, whole=True)``, what
``scan_header`` did before it looked at the first 8 kB alone) for damage inside the
header, and the header itself for damage after it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer.errors import InputError
from mycareer.quarter import Quarter
from mycareer.xmlio import headers
from mycareer.xmlio._safe import iterparse_document
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from mycareer.xmlio.headers import (
    _HEADER_BYTES,
    _as_header,
    _header_of,
    file_header,
    scan_employer,
    scan_employers,
    scan_header,
    scan_headers,
)

from ..fla.test_account_cli import EMPLOYER, _niss, _worker

Q = Quarter(2024, 2)


def _declaration(workers: int) -> bytes:
    records = [_worker(Q, _niss(i), date(2020, 1, 1)) for i in range(workers)]
    return dmfa_bytes(EMPLOYER, Q, [r for r in records if r], created_at=datetime(2024, 7, 20))


@pytest.fixture(scope="module")
def big() -> bytes:
    made = _declaration(60)
    assert len(made) > 4 * _HEADER_BYTES
    return made


def _part(source: Path | bytes, name: str, *, whole: bool) -> object:
    """The scan of ``source`` alone (None: not settled by it), as ``scan_header`` says it."""
    found = _header_of(source, name, ("DmfAOriginal",), whole=whole)
    return None if found is None else _as_header(*found)


def _whole(path: Path) -> object:
    return _part(path, str(path), whole=True)


def test_a_payroll_file_is_read_from_its_first_8_kb(big: bytes, tmp_path: Path) -> None:
    path = tmp_path / "dmfa.xml"
    path.write_bytes(big)
    assert scan_header(path) == ("DmfAOriginal", "0403019261", Q) == _whole(path)
    assert _part(big[:_HEADER_BYTES], "part", whole=False) == scan_header(path)
    assert file_header(path) == ("DmfAOriginal", "0403019261")


def test_a_header_longer_than_8_kb_is_read_from_the_file(big: bytes, tmp_path: Path) -> None:
    """A 10 kB comment before the employer's zones: the first 8 kB do not settle it."""
    padded = big.replace(b"<Form>", b"<Form><!--" + b"x" * 10_000 + b"-->", 1)
    path = tmp_path / "padded.xml"
    path.write_bytes(padded)
    assert _part(padded[:_HEADER_BYTES], "part", whole=False) is None
    assert scan_header(path) == ("DmfAOriginal", "0403019261", Q) == _whole(path)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 3 * _HEADER_BYTES), garbage=st.sampled_from([b"", b"<", b"&x;", b"\xff"]))
def test_damage_after_the_header_leaves_it_readable(
    big: bytes, tmp_path: Path, cut: int, garbage: bytes
) -> None:
    """Damage in the first 8 kB gives what the whole file gives; damage after, the header.

    lxml parses a whole chunk before it yields its events, so damage anywhere in the
    first chunk hides even a sound header (the file is then read on its own, and
    reading reports the damage). The whole-file scan's chunk was 64 kB.
    """
    path = tmp_path / "cut.xml"
    path.write_bytes(big[:cut] + garbage + big[cut : cut + 2 * _HEADER_BYTES])
    if cut >= _HEADER_BYTES:
        assert scan_header(path) == ("DmfAOriginal", "0403019261", Q)
    else:
        assert scan_header(path) == _whole(path)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(0, _HEADER_BYTES - 1), garbage=st.sampled_from([b"", b"<", b"&x;", b"\xff"])
)
def test_a_file_shorter_than_the_first_part_is_parsed_as_read(
    big: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, garbage: bytes
) -> None:
    """A file that ends within the first 8 kB (a third of a country's small employers'
    files) is parsed from what was read, not opened again; the oracle is the scan of the
    file itself (``_header_of(path, whole=True)``), damaged or cut anywhere."""
    path = tmp_path / "small.xml"
    path.write_bytes((big[: size // 2] + garbage + big[size // 2 :])[:size])
    expected = _whole(path)
    parsed: list[type] = []
    real = iterparse_document

    def counted(source: Any, *arguments: Any, **options: Any) -> Any:
        parsed.append(type(source))
        return real(source, *arguments, **options)

    monkeypatch.setattr(headers, "iterparse_document", counted)
    assert scan_header(path) == expected
    assert headers.scan_kind_and_employer(path)[1][:3] == expected
    if size:
        assert parsed
        assert set(parsed) == {bytes}
    else:  # nothing was read: the file says why
        assert parsed == [type(path)] * 2


def test_other_roots_and_missing_files(tmp_path: Path) -> None:
    other = tmp_path / "update.xml"
    other.write_bytes(b"<DmfAUpdate>" + b" " * (2 * _HEADER_BYTES) + b"</DmfAUpdate>")
    assert scan_header(other) == ("DmfAUpdate", None, None)
    assert scan_header(tmp_path / "missing.xml") == (None, None, None)


def test_many_headers_scanned_in_processes_as_in_this_one(
    big: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the threshold the scan runs in worker processes: each file's header, in the
    files' order, as one process scans them (other roots, missing and cut files too)."""
    monkeypatch.setattr(headers, "HEADERS_IN_PROCESSES", 5)
    paths = []
    for number in range(23):
        path = tmp_path / f"f{number:02d}.xml"
        kind = number % 4
        if kind == 0:
            path.write_bytes(big)
        elif kind == 1:
            path.write_bytes(big.replace(b"0403019261", b"0202239951"))
        elif kind == 2:
            path.write_bytes(b"<DmfAUpdate></DmfAUpdate>")
        else:
            path.write_bytes(big[: 100 + number])  # cut within the header
        paths.append(str(path))
    paths.append(str(tmp_path / "missing.xml"))
    alone = [scan_header(path) for path in paths]
    assert len(set(alone)) == 4  # both employers, the update, nothing
    assert scan_headers(paths, jobs=2) == alone
    assert scan_headers(paths[:4], jobs=2) == alone[:4]  # under the threshold: this process
    assert scan_headers([], jobs=2) == []
    employers = [scan_employer(path) for path in paths]
    assert [found[:3] for found in employers[:2]] == alone[:2]
    assert scan_employers(paths, jobs=2) == employers
    kinds = [headers.scan_kind_and_employer(path) for path in paths]
    assert [employer for _kind, employer in kinds] == employers
    assert headers.scan_kinds_and_employers(paths, jobs=2) == kinds


def test_a_correction_names_its_employer_by_either_number(tmp_path: Path) -> None:
    """A DmfAUpdate's header (EmployerDeclarationUpdate) and a consultation answer's
    (EmployerDeclarationConsult) name the employer a correction goes with: the ONSS's own
    sample update by its NSSO number alone (CompanyID 0)."""
    update = tmp_path / "update.xml"
    update.write_text(
        "<DmfAUpdate><Form><EmployerDeclarationUpdate><Quarter>20223</Quarter>"
        "<NOSSRegistrationNbr>100006</NOSSRegistrationNbr><CompanyID>0</CompanyID>"
        "<NaturalPersonUpdate><INSS>1</INSS></NaturalPersonUpdate>"
        "</EmployerDeclarationUpdate></Form></DmfAUpdate>"
    )
    assert scan_employer(update) == ("DmfAUpdate", "nsso:100006", Quarter(2022, 3), ("n:100006",))
    assert scan_header(update) == ("DmfAUpdate", None, None)  # the originals' scan: root only
    answer = tmp_path / "answer.xml"
    answer.write_text(
        "<DmfAConsultationAnswer><Form><EmployerDeclarationConsult><Quarter>20241</Quarter>"
        "<NOSSRegistrationNbr>100006</NOSSRegistrationNbr><CompanyID>0403019261</CompanyID>"
        "</EmployerDeclarationConsult></Form></DmfAConsultationAnswer>"
    )
    ids = ("e:0403019261", "n:100006")
    assert scan_employer(answer) == ("DmfAConsultationAnswer", "0403019261", Quarter(2024, 1), ids)
    nameless = tmp_path / "nameless.xml"
    nameless.write_text(update.read_text().replace(">100006<", ">0<"))
    assert scan_employer(nameless) == ("DmfAUpdate", None, Quarter(2022, 3), ())


def _update_form(quarter: str, nsso: str, company: str, worker: str = "") -> str:
    return (
        f"<Form><EmployerDeclarationUpdate><Quarter>{quarter}</Quarter>"
        f"<NOSSRegistrationNbr>{nsso}</NOSSRegistrationNbr><CompanyID>{company}</CompanyID>"
        f"<NaturalPersonUpdate><INSS>1</INSS>{worker}</NaturalPersonUpdate>"
        "</EmployerDeclarationUpdate></Form>"
    )


def test_a_correction_of_several_forms_names_every_forms_employer(tmp_path: Path) -> None:
    """Its identifiers are every form's, the first form's first and each once; numbers
    named inside a worker (as a consultation answer's anomaly paths name them) are not a
    form's; the key and quarter stay the first form's. A file cut short keeps the first
    form's (reading it reports the cut)."""
    stray = (
        "<Path><NOSSRegistrationNbr>100105</NOSSRegistrationNbr>"
        "<CompanyID>0202239951</CompanyID></Path>"
    )
    forms = (
        _update_form("20241", "100006", "0"),
        _update_form("20242", "0", "0403019261", worker=stray),
        _update_form("20241", "100006", "0"),
        _update_form("20241", "100204", "0"),
    )
    batch = tmp_path / "batch.xml"
    batch.write_text(f"<DmfAUpdate>{''.join(forms)}</DmfAUpdate>")
    ids = ("n:100006", "e:0403019261", "n:100204")
    assert scan_employer(batch) == ("DmfAUpdate", "nsso:100006", Quarter(2024, 1), ids)
    twice = tmp_path / "twice.xml"  # not the XSD's: the readers keep the last, so does this
    again = forms[3].replace("</CompanyID>", "</CompanyID><CompanyID>0403019261</CompanyID>")
    twice.write_text(f"<DmfAUpdate>{forms[0]}{again}</DmfAUpdate>")
    assert scan_employer(twice)[3] == ("n:100006", "e:0403019261", "n:100204")
    text = batch.read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("100204")])
    assert scan_employer(cut) == ("DmfAUpdate", "nsso:100006", Quarter(2024, 1), ("n:100006",))


# -- scan_document: sniff_document and scan_header from one read ---------------------------

_PROLOGS = [b"", b'<?xml version="1.0" encoding="UTF-8"?>\n', b"\xef\xbb\xbf",
            b"<!-- " + b"c" * (2 * _HEADER_BYTES) + b" -->\n", b"<?pi x?>",
            b'<!DOCTYPE DmfAOriginal [<!ENTITY e "x">]>']  # fmt: skip
_ROOTS = [b"<DmfAOriginal>", b'<DmfAOriginal xsi:noNamespaceSchemaLocation="DmfAOriginal_20231'
          b'.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
          b'<x:DmfAOriginal xmlns:x="urn:other">', b"<DmfAUpdate>", b"<Dimona>",
          b"<", b""]  # fmt: skip


def _either(call: object, path: Path) -> object:
    """What ``call(path)`` gives, or the error it raises (its type, message and source)."""
    try:
        return call(path)  # type: ignore[operator]
    except Exception as error:  # compared with the other read's, not hidden
        return (type(error), str(error), getattr(error, "source", None))


def _document(big: bytes, prolog: bytes, root: bytes, body: str, cut: int) -> bytes:
    content = big[big.index(b"<DmfAOriginal") + len(b"<DmfAOriginal>") :]  # after its root tag
    if body == "long":  # a header that does not end within the first 8 kB
        content = b"<Form>" + b"<Pad/>" * _HEADER_BYTES + content.split(b"<Form>", 1)[1]
    data = prolog + root + (b"" if body == "none" else content)
    return data[: len(prolog) + len(root) + cut] if body == "cut" else data


_BEGINNINGS = {
    "prolog": st.sampled_from(_PROLOGS),
    "root": st.sampled_from(_ROOTS),
    "body": st.sampled_from(["payroll", "long", "cut", "none"]),
    "cut": st.integers(0, 3 * _HEADER_BYTES),
}


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**_BEGINNINGS)
def test_one_read_of_the_beginning_gives_what_sniff_and_scan_give(
    big: bytes, tmp_path: Path, prolog: bytes, root: bytes, body: str, cut: int
) -> None:
    """The oracle: sniff_document and scan_header, each from its own read (any prolog,
    root, header inside or beyond the first 8 kB, a file cut anywhere, no XML at all)."""
    from mycareer.xmlio.documents import sniff_document

    path = tmp_path / "f.xml"
    path.write_bytes(_document(big, prolog, root, body, cut))
    found = _either(headers.scan_document, path)
    kind = _either(lambda p: sniff_document(p, name=str(p)), path)
    if isinstance(kind, tuple):  # sniff_document raised: so does the one read, alike
        assert found == kind
    else:
        assert found == (kind, scan_header(path))


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(**_BEGINNINGS)
def test_the_plans_scan_gives_scan_employer_and_the_kind_scan_document_gives(
    big: bytes, tmp_path: Path, prolog: bytes, root: bytes, body: str, cut: int
) -> None:
    """The plan's one pre-scan (``scan_kind_and_employer``): scan_employer's whatever the
    file (scan_header's for any root but a correction's), and the kind scan_document
    gives, or None exactly where scan_document raises (a DOCTYPE, no root), so that the
    group reads those again and reports them as before."""
    path = tmp_path / "f.xml"
    path.write_bytes(_document(big, prolog, root, body, cut))
    kind, employer = headers.scan_kind_and_employer(path)
    assert employer == scan_employer(path)
    header = scan_header(path)
    if header[0] != "DmfAUpdate":
        assert employer[:3] == header
    found = _either(headers.scan_document, path)
    if kind is None:
        assert isinstance(found, tuple)
        assert isinstance(found[0], type)  # it raised: the error's type
    else:
        assert found == (kind, header)


def test_a_file_that_is_no_document_raises_as_sniff_document_does(tmp_path: Path) -> None:
    empty, text = tmp_path / "empty.xml", tmp_path / "text.xml"
    empty.write_bytes(b"")
    text.write_bytes(b"not xml at all")
    for path in (empty, text):
        with pytest.raises(InputError, match=re.escape(str(path))):
            headers.scan_document(path)
