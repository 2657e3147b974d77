"""The DmfA reader on declarations whose structure is wrong: refused, never crashed.

Random structural mutations of a valid declaration (elements dropped, moved to the
front, repeated, emptied, given odd texts, and documents cut short) must read as
records or as errors naming the file: no other exception, and a file refused as a
whole contributes no record. This property found a crash (a second
``EmployerDeclaration`` in one ``Form`` reached the record reader without an employer).
"""

from __future__ import annotations

import copy
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from mycareer.errors import ErrorCollector, InputError
from mycareer.xmlio import _safe, dmfa
from mycareer.xmlio.dmfa import DmfaBatch, iter_dmfa, read_dmfa
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from tests.xmlio.test_dmfa_fast import EMPLOYER, QUARTER, WORKERS, _record


def _read(data: bytes, folder: str) -> DmfaBatch | str:
    path = Path(folder) / "d.xml"
    path.write_bytes(data)
    try:
        return read_dmfa(path, on_error="collect")
    except InputError as error:
        return str(error)


Mutation = tuple[str, int, str]
MUTATIONS = st.tuples(
    st.sampled_from(["text", "drop", "twice", "swap", "first", "tail", "empty"]),
    st.integers(min_value=0, max_value=500),
    st.sampled_from(["", "x", "7", "2024-01-01", "90010100123", "0403019261", "20241"]),
)


def _mutate(data: bytes, mutations: list[Mutation]) -> bytes:
    root = etree.fromstring(data)
    for kind, index, text in mutations:
        elements = [element for element in root.iter() if element is not root]
        if not elements:
            break
        element = elements[index % len(elements)]
        parent = element.getparent()
        assert parent is not None
        if kind == "text" and len(element) == 0:
            element.text = text
        elif kind == "drop":
            parent.remove(element)
        elif kind == "twice":
            element.addnext(copy.deepcopy(element))
        elif kind == "swap" and element.getnext() is not None:
            following = element.getnext()
            assert following is not None
            following.addnext(element)
        elif kind == "first":
            parent.insert(0, element)
        elif kind == "tail":
            parent.append(etree.Element("Unknown"))
        elif kind == "empty":
            element.clear()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATIONS, min_size=1, max_size=3), st.integers(min_value=0, max_value=100_000))
def test_mutated_declarations_are_read_or_refused_never_crashed(
    mutations: list[Mutation], cut: int
) -> None:
    data = _mutate(WORKERS, mutations)
    with tempfile.TemporaryDirectory() as folder:
        for document in (data, data[: cut % (len(data) + 1)]):
            batch = _read(document, folder)
            if isinstance(batch, str):  # the document as a whole: named
                assert "d.xml" in batch
                continue
            if batch.rejected:  # all or nothing
                assert batch.records == ()
            assert all("d.xml" in str(error) for error in batch.errors)


@pytest.mark.parametrize("record_first", [False, True])
def test_a_person_whose_inss_follows_the_records_is_refused_for_each_record(
    tmp_path: Path, record_first: bool
) -> None:
    # The XSD puts INSS before the worker records. A later one used to be found or not
    # depending on whether iterparse had already parsed that far (it parses a chunk
    # ahead): only an INSS before the record counts now, whatever the chunks.
    # ``record_first``: the sequence number dropped, a record is the person's first child.
    root = etree.fromstring(WORKERS)
    for person in root.iter("NaturalPerson"):
        inss = person.find("INSS")
        assert inss is not None
        person.append(inss)
        if record_first:
            person.remove(person[0])
    batch = _read(etree.tostring(root), str(tmp_path))
    assert isinstance(batch, DmfaBatch)
    assert batch.records == ()
    assert len(batch.errors) == 3
    assert all("INSS" in str(error) for error in batch.errors)


def test_a_form_with_two_employer_declarations_is_refused_not_crashed(tmp_path: Path) -> None:
    # The XSD allows one EmployerDeclaration per Form; a second one used to reach the
    # record reader without an employer (an AssertionError).
    root = etree.fromstring(WORKERS)
    declaration = root.find("Form/EmployerDeclaration")
    assert declaration is not None
    declaration.addnext(copy.deepcopy(declaration))
    data = etree.tostring(root, pretty_print=True)
    batch = _read(data, str(tmp_path))
    assert isinstance(batch, DmfaBatch)
    assert batch.records == ()
    assert len(batch.errors) == 1
    message = str(batch.errors[0])
    assert "more than one EmployerDeclaration" in message
    assert "3 worker record(s) are not read" in message
    line = etree.fromstring(data).findall("Form/EmployerDeclaration")[1].sourceline
    assert f"d.xml:{line}:" in message
    assert len(batch.rejected) == 1
    collected = ErrorCollector(raise_on_exit=False)
    streamed = list(iter_dmfa(tmp_path / "d.xml", errors=collected))
    assert len(streamed) == 3  # the first declaration's, as they streamed by
    assert any("more than one EmployerDeclaration" in str(e) for e in collected.errors)


#: Texts and layouts where whitespace could matter: blank or padded values, and comments
#: (the parser drops them) beside blanks, inside values and between elements.
_BLANKS = st.sampled_from(["", " ", "\n\t ", " 7 ", "\n2024-01-01\n", " x", "7 \n"])
LAYOUT = st.tuples(
    st.sampled_from(["text", "comment-in", "comment-after", "indent"]),
    st.integers(min_value=0, max_value=500),
    _BLANKS,
)


#: WORKERS with the declaration's reference (Form/Reference/ReferenceNbr), read as text.
REFERENCED = dmfa_bytes(
    EMPLOYER, QUARTER, [_record("90010100123", 1), _record("85073003328", 1)],
    created_at=datetime(2024, 4, 20, 10, 15), reference="DECL-2024-1",
)  # fmt: skip


def _lay_out(data: bytes, changes: list[Mutation]) -> bytes:
    root = etree.fromstring(data)
    for kind, index, text in changes:
        # Elements only: a comment an earlier change inserted holds no child.
        elements = [e for e in root.iter(etree.Element) if e is not root]
        element = elements[index % len(elements)]
        if kind == "text" and len(element) == 0:
            element.text = text
        elif kind == "comment-in":  # blanks, a comment, then the value (or its children)
            comment = etree.Comment(" note ")
            comment.tail, element.text = element.text, text
            element.insert(0, comment)
        elif kind == "comment-after":
            comment = etree.Comment(" note ")
            comment.tail = element.tail
            element.tail = text
            element.addnext(comment)
        elif kind == "indent":
            element.tail = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _as_compared(batch: DmfaBatch | str) -> object:
    if isinstance(batch, str):
        return batch
    return (
        batch.records, batch.declarations, batch.findings, [str(e) for e in batch.errors],
        batch.rejected,
    )  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(LAYOUT, min_size=1, max_size=4), st.booleans(), st.sampled_from([WORKERS, REFERENCED])
)
def test_dropping_the_blanks_between_elements_changes_no_value_nor_error(
    changes: list[Mutation], pretty: bool, document: bytes
) -> None:
    # The DmfA reader parses without the indentation between elements (faster); this
    # reads the same documents with it kept: the same records (values, lines, paths),
    # findings and errors, word for word.
    data = _lay_out(document, changes)
    if pretty:
        data = etree.tostring(etree.fromstring(data), pretty_print=True)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        dropped = _as_compared(_read(data, folder))
        patch.setattr(dmfa, "_ELEMENT_ONLY", False)
        kept = _as_compared(_read(data, folder))
    assert dropped == kept


def test_the_reader_drops_the_blanks_between_elements(tmp_path: Path) -> None:
    # What the property above holds equal is the reader's own parse: a mutation of the
    # flag (or of the parser option) must leave the indentation in the elements.
    seen: list[object] = []
    real = _safe.iterparse_document

    def spy(*arguments: object, **options: object) -> object:
        for _event, element in real(*arguments, **options):  # type: ignore[arg-type]
            if element.tag == "WorkerRecord":
                seen.append(element.text)
            yield _event, element

    path = tmp_path / "d.xml"
    path.write_bytes(etree.tostring(etree.fromstring(WORKERS), pretty_print=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dmfa, "iterparse_document", spy)
        assert len(list(iter_dmfa(path))) == 3
    assert seen == [None, None, None]


@pytest.mark.parametrize(
    ("written", "reference"),
    [
        (b"<ReferenceNbr>  <!-- c -->DECL</ReferenceNbr>", "DECL"),
        (b"<ReferenceNbr>DECL<!-- c -->  </ReferenceNbr>", "DECL"),
        (b"<ReferenceNbr>  <![CDATA[DECL]]></ReferenceNbr>", "DECL"),
        (b"<ReferenceNbr>\n  <!-- c -->\n</ReferenceNbr>", None),
    ],
)
def test_the_reference_is_its_text_however_laid_out(
    tmp_path: Path, written: bytes, reference: str | None
) -> None:
    # The parse without blank text dropped the blanks beside a comment or CDATA, and the
    # reference was kept unstripped: the same document gave "  DECL" or "DECL".
    data = REFERENCED.replace(b"<ReferenceNbr>DECL-2024-1</ReferenceNbr>", written)
    assert data != REFERENCED
    path = tmp_path / "d.xml"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        dropped = read_dmfa(path).declarations
        patch.setattr(dmfa, "_ELEMENT_ONLY", False)
        kept = read_dmfa(path).declarations
    assert [d.reference for d in dropped] == [d.reference for d in kept] == [reference]


def test_an_over_long_reference_is_named_at_its_own_path_and_line(tmp_path: Path) -> None:
    # Form/Reference/ReferenceNbr is bounded as every text (the XSD allows 20 characters,
    # the reader 4096). Its error named EmployerDeclaration.ReferenceNbr and that
    # element's line, a place that does not exist in the document.
    written = b"<ReferenceNbr>" + b"R" * 5000 + b"</ReferenceNbr>"
    data = REFERENCED.replace(b"<ReferenceNbr>DECL-2024-1</ReferenceNbr>", written)
    assert data != REFERENCED
    path = tmp_path / "d.xml"
    path.write_bytes(data)
    line = data[: data.index(b"<ReferenceNbr>")].count(b"\n") + 1
    batch = read_dmfa(path, on_error="collect")
    (error,) = batch.errors
    assert error.path == "$.Form[1].Reference.ReferenceNbr"
    assert error.source is not None
    assert (error.source.file, error.source.line) == (str(path), line)
    assert "longer than 4096 characters" in error.message
    assert "(5000 chars)" in error.message  # the value is named, cut short
    assert len(error.message) < 300
    assert "2 worker record(s) are not read" in error.message
    assert (batch.records, batch.declarations) == ((), ())
