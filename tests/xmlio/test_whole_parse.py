"""Whole-document parsing against iterparse: the same events, records and errors.

:func:`mycareer.xmlio._safe.end_events` parses small documents whole and gives
their elements in the order of their end tags; anything else, and any document
that does not parse, goes through ``iterparse``. The DmfA reader reads through it.
These tests hold the two ways equal: the events of random trees (truncated ones
included), and the DmfA reader's records, errors and headers on mutated declarations
(fields, persons, records, forms and headers dropped, moved, repeated or given odd
texts, and documents cut short).
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from mycareer.errors import ErrorCollector, InputError
from mycareer.xmlio import _safe
from mycareer.xmlio.dmfa import iter_dmfa, read_dmfa
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from tests.xmlio.test_dmfa_fast import EMPLOYER, QUARTER, WORKERS, _record

DEMO = Path(str(resources.files("mycareer.data.demo")))
TAGS = ("Form", "EmployerDeclaration", "WorkerRecord", "Quarter")
NAMES = (*TAGS, "NaturalPerson", "INSS", "Other")


# -- the events -----------------------------------------------------------------------
def _trees() -> st.SearchStrategy[etree._Element]:
    def grow(
        children: st.SearchStrategy[list[etree._Element]],
    ) -> st.SearchStrategy[etree._Element]:
        return st.builds(_element, st.sampled_from(NAMES), children)

    leaves = st.builds(_element, st.sampled_from(NAMES), st.just([]))
    return st.builds(_element, st.sampled_from(NAMES), st.lists(st.recursive(
        leaves, lambda inner: grow(st.lists(inner, max_size=4)), max_leaves=30
    ), max_size=4))  # fmt: skip


def _element(tag: str, children: list[etree._Element]) -> etree._Element:
    element = etree.Element(tag)
    element.text = tag.lower()
    for child in children:
        element.append(copy.deepcopy(child))
    return element


def _events(data: bytes, whole_below: int, clear: bool) -> tuple[list[tuple[str, int]], str]:
    """(tag, line) of each event, then the error met, if any; ``clear`` as the reader."""
    seen: list[tuple[str, int]] = []
    try:
        for event, element in _safe.end_events(
            data, tag=TAGS, name="t.xml", whole_below=whole_below
        ):
            assert event == "end"
            seen.append((element.tag, element.sourceline))
            if clear and element.tag in ("WorkerRecord", "Form"):
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except InputError as error:
        return seen, str(error)
    return seen, ""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees(), st.booleans(), st.booleans(), st.integers(min_value=0, max_value=10_000))
def test_random_trees_give_the_same_events_whole_or_streamed(
    root: etree._Element, pretty: bool, clear: bool, cut: int
) -> None:
    data = etree.tostring(root, pretty_print=pretty, xml_declaration=True, encoding="UTF-8")
    for document in (data, data[: cut % (len(data) + 1)]):
        whole = _events(document, 1 << 20, clear)
        streamed = _events(document, 0, clear)
        assert whole == streamed
    # The oracle: iterparse's order is the post-order of the matching elements.
    assert [tag for tag, _line in _events(data, 1 << 20, False)[0]] == [
        element.tag for element in _post_order(root) if element.tag in TAGS
    ]


def _post_order(element: etree._Element) -> Iterator[etree._Element]:
    for child in element:
        yield from _post_order(child)
    yield element


def test_small_documents_are_parsed_whole_and_large_ones_streamed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[int] = []
    original = etree.fromstring

    def counting(data: bytes, parser: etree.XMLParser) -> etree._Element:
        parsed.append(len(data))
        return original(data, parser)

    monkeypatch.setattr(etree, "fromstring", counting)  # the module _safe calls
    whole = list(_safe.end_events(WORKERS, tag=TAGS, whole_below=len(WORKERS)))
    assert parsed == [len(WORKERS)]
    streamed = list(_safe.end_events(WORKERS, tag=TAGS, whole_below=len(WORKERS) - 1))
    assert parsed == [len(WORKERS)]  # not parsed whole again
    assert [(e.tag, e.sourceline) for _, e in whole] == [(e.tag, e.sourceline) for _, e in streamed]
    assert [e.tag for _, e in whole].count("WorkerRecord") == 3


def test_a_file_is_parsed_whole_and_a_doctype_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.xml"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "x">]><r><Form>&a;</Form></r>'
    )
    for whole_below in (0, 1 << 20):
        with pytest.raises(
            InputError, match=r"evil.xml:2: refused: the document declares a DOCTYPE"
        ):
            list(_safe.end_events(path, tag=TAGS, whole_below=whole_below))


def test_an_unreadable_path_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.xml"):
        list(_safe.end_events(tmp_path / "missing.xml", tag=TAGS))


# -- the DmfA reader --------------------------------------------------------------------
def _read(path: Path, whole: bool) -> tuple[object, ...]:
    """read_dmfa's records, headers, errors and rejections of the file ``path``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_safe, "WHOLE_PARSE_BYTES", 1 << 24 if whole else 0)
        try:
            batch = read_dmfa(path, on_error="collect")
        except InputError as error:  # the same failure both ways is what is compared
            return (str(error),)
        return batch.records, batch.declarations, [str(e) for e in batch.errors], batch.rejected


def _both(data: bytes) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """``data`` read from one file parsed whole, then streamed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.xml"
        path.write_bytes(data)
        return _read(path, True), _read(path, False)


def _elements(root: etree._Element) -> list[etree._Element]:
    return [element for element in root.iter() if element is not root]


Mutation = tuple[str, int, str]
MUTATIONS = st.tuples(
    st.sampled_from(["text", "drop", "twice", "swap", "first", "tail", "empty"]),
    st.integers(min_value=0, max_value=500),
    st.sampled_from(["", "x", "7", "2024-01-01", "90010100123", "0403019261", "20241"]),
)


def _mutate(data: bytes, mutations: list[Mutation]) -> bytes:
    root = etree.fromstring(data)
    for kind, index, text in mutations:
        elements = _elements(root)
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
def test_mutated_declarations_read_the_same_whole_or_streamed(
    mutations: list[Mutation], cut: int
) -> None:
    data = _mutate(WORKERS, mutations)
    whole, streamed = _both(data)
    assert whole == streamed
    whole, streamed = _both(data[: cut % (len(data) + 1)])
    assert whole == streamed


@pytest.mark.parametrize("record_first", [False, True])
def test_a_person_whose_inss_follows_the_records_reads_as_when_streamed(
    record_first: bool,
) -> None:
    # A parsed tree holds the INSS written after the records; a stream has not read it
    # yet. ``record_first``: the sequence number dropped, a record is the first child.
    root = etree.fromstring(WORKERS)
    for person in root.iter("NaturalPerson"):
        inss = person.find("INSS")
        assert inss is not None
        person.append(inss)
        if record_first:
            person.remove(person[0])
    data = etree.tostring(root)
    whole, streamed = _both(data)
    assert whole == streamed
    records, _declarations, errors, *_ = whole
    assert records == ()
    assert isinstance(errors, list)
    assert len(errors) == 3
    assert all("INSS" in error for error in errors)


def _demo_files() -> list[Path]:
    return sorted((DEMO / "dmfa").glob("*.xml"))


@pytest.mark.parametrize("path", _demo_files(), ids=lambda p: p.name)
def test_the_demo_declarations_read_the_same_whole_or_streamed(path: Path) -> None:
    data = path.read_bytes()
    whole, streamed = _both(data)
    assert whole == streamed
    assert whole[0]  # records were read


def test_a_document_of_several_forms_reads_the_same_whole_or_streamed() -> None:
    more = dmfa_bytes(
        EMPLOYER, QUARTER, [_record("85073003328", 1)], created_at=datetime(2024, 5, 1, 9, 0)
    )
    forms = [etree.fromstring(document).find("Form") for document in (WORKERS, more)]
    root = etree.Element("DmfAOriginal")
    for form in forms:
        assert form is not None
        root.append(form)
    data = etree.tostring(root, pretty_print=True)
    whole, streamed = _both(data)
    assert whole == streamed
    # Two originals of one employer and quarter: the later-created second Form wins.
    records = whole[0]
    assert isinstance(records, tuple)
    assert len(records) == 1
    assert records[0].source.record.startswith("$.Form[2].")


def test_a_form_with_two_employer_declarations_is_refused_not_crashed(tmp_path: Path) -> None:
    # The XSD allows one EmployerDeclaration per Form; a second one used to reach the
    # record reader without an employer (an AssertionError). Both ways refuse the file.
    root = etree.fromstring(WORKERS)
    declaration = root.find("Form/EmployerDeclaration")
    assert declaration is not None
    declaration.addnext(copy.deepcopy(declaration))
    data = etree.tostring(root, pretty_print=True)
    whole, streamed = _both(data)
    assert whole == streamed
    records, _declarations, errors, rejected = whole
    assert records == ()
    assert isinstance(errors, list)
    assert len(errors) == 1
    assert "more than one EmployerDeclaration" in errors[0]
    assert "3 worker record(s) are not read" in errors[0]
    line = etree.fromstring(data).findall("Form/EmployerDeclaration")[1].sourceline
    assert f"d.xml:{line}:" in errors[0]
    assert isinstance(rejected, tuple)
    assert len(rejected) == 1
    path = tmp_path / "two.xml"
    path.write_bytes(data)
    collected = ErrorCollector(raise_on_exit=False)
    streamed_records = list(iter_dmfa(path, errors=collected))
    assert len(streamed_records) == 3  # the first declaration's, as they streamed by
    assert any("more than one EmployerDeclaration" in str(e) for e in collected.errors)
