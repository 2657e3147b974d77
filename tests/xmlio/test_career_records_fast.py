"""The career-records fast paths give exactly what the element reader and lxml give.

Reading: plain, valid documents are decoded by an lxml parser target, without
building elements; at its first refusal the element reader re-reads the
document from there and reports. The oracle is the element reader alone
(``read_decoded`` without ``fast``): same records, same errors, same lines.

Writing: workers are rendered as markup directly; the oracle is lxml's own
serialisation of the same workers built as trees.
"""

from __future__ import annotations

import io
import random
import re
from typing import IO, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from mycareer.career import CareerRecords
from mycareer.errors import MycareerErrorGroup
from mycareer.niss import Niss
from mycareer.xmlio import career_records as module
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    career_records_bytes,
    career_records_element,
    career_records_from_element,
    iter_career_records,
    read_career_records,
)
from mycareer.xmlio.formats import ReadResult, read_decoded, write_records, xml_attribute

from .test_career_records_properties import career_records, xml_text

NS = CAREER_RECORDS.namespace


def element_reader(data: bytes) -> ReadResult[CareerRecords]:
    """The reference: the element-by-element reader, no fast path."""
    return read_decoded(
        data, CAREER_RECORDS, career_records_from_element, name="doc.xml", on_error="collect"
    )


def outcome(result: ReadResult[CareerRecords]) -> tuple[object, ...]:
    names = [
        (w.name, [None if p.employer is None else p.employer.name for p in w.periods])
        for w in result.records
    ]
    return result.records, names, [str(error) for error in result.errors]


# Damage a document the way hand edits and other producers do: each rule is
# applied at one random place. Every one of them is refused or handled by the
# element reader, so the fast path must give way to it.
DAMAGE: list[tuple[str, str]] = [
    (r'start="[0-9-]+"', 'start="2024-13-01"'),
    (r'end="[0-9-]+"', 'end="0001-01-01"'),
    (r"<period ", '<period bogus="1" '),
    (r"<period ", '<period provisional="maybe" '),
    (r'kind="[a-z_]+"', 'kind="holiday"'),
    (r'employer="[^"]+"', 'employer="nowhere"'),
    (r'niss="[0-9]+"', 'niss="12345678901"'),
    (r"</worker>", "<findings></findings>\n</worker>"),
    (r"</worker>", "<unexpected/>\n</worker>"),
    (r"</period>", '<source line="x"/></period>'),
    (r"</period>", "<source/><source/></period>"),
    (r"<employer ", '<employer extra="1" '),
    (r'fraction="[^"]+"', 'fraction="1.5"'),
    (r'jointCommittee="[^"]+"', 'jointCommittee="2O0"'),
    (r"<worker ", "<!-- a comment --><worker "),
    (r"</careerRecords>", ""),
    (r"<worker ", '<other><worker niss="90010100123"/></other><worker '),
    (r'end="[0-9-]+"', 'end="9999-12-31"'),
    (r'name="', 'name="&amp;#38;'),
    (r"(<employer [^\n]*\n)", r"\1\1"),
    (r"></employer>", "><source/></employer>"),
    (r"</period>", '<period kind="employment" start="2024-01-01"/></period>'),
    (r'label="', 'label="&lt;&amp;&quot;'),
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(career_records(), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, len(DAMAGE) - 1), st.integers(0, 50)), max_size=3),
)
def test_fast_reader_equals_the_element_reader_on_valid_and_damaged_documents(
    workers: list[CareerRecords], damages: list[tuple[int, int]]
) -> None:
    text = career_records_bytes(workers).decode()
    for rule, where in damages:
        pattern, replacement = DAMAGE[rule]
        matches = list(re.finditer(pattern, text))
        if matches:
            found = matches[where % len(matches)]
            text = text[: found.start()] + found.expand(replacement) + text[found.end() :]
    data = text.encode()
    try:
        expected = outcome(element_reader(data))
    except Exception as error:  # the same exception must come out of both
        with pytest.raises(type(error)):
            read_career_records(data, name="doc.xml", on_error="collect")
        return
    assert outcome(read_career_records(data, name="doc.xml", on_error="collect")) == expected


def test_valid_documents_never_touch_the_element_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path really runs: here the element decoder would fail the test."""
    workers = [CareerRecords(Niss("90010100123"), name='Ben & Jerry "<best>"\tco\n')]

    def refuse(*args: object) -> CareerRecords:
        raise AssertionError("the element reader ran on a valid document")

    monkeypatch.setattr(module, "career_records_from_element", refuse)
    assert read_career_records(career_records_bytes(workers)).records == tuple(workers)


def test_an_escaped_ampersand_entity_reads_back_as_text() -> None:
    # libxml2 hands parser targets "&#38;" for "&": the fast path decodes it exactly.
    data = (
        f'<careerRecords xmlns="{NS}">\n'
        '<worker niss="90010100123" name="a&amp;#38;b &amp; c"/>\n</careerRecords>'
    ).encode()
    assert [w.name for w in read_career_records(data).records] == ["a&#38;b & c"]


def three_workers_the_middle_one_bad() -> bytes:
    return (
        f'<careerRecords xmlns="{NS}">\n'
        '<worker niss="90010100123"/>\n'
        '<worker niss="90010100124"/>\n'
        '<worker niss="93051822361"/>\n'
        "</careerRecords>\n"
    ).encode()


def test_a_bad_worker_midway_keeps_the_good_ones_and_names_its_line() -> None:
    result = read_career_records(
        three_workers_the_middle_one_bad(), name="w.xml", on_error="collect"
    )
    assert [str(w.niss) for w in result.records] == ["90010100123", "93051822361"]
    [error] = result.errors
    assert str(error).startswith("w.xml:3: invalid NISS '90010100124'")
    assert error.path == "$.workers[1].niss"


def test_streaming_yields_the_good_workers_before_raising() -> None:
    seen: list[str] = []
    with pytest.raises(MycareerErrorGroup):
        for worker in iter_career_records(three_workers_the_middle_one_bad()):
            seen.append(str(worker.niss))
    assert seen == ["90010100123"]


class OneWay:
    """A stream that cannot seek, as a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def seekable(self) -> bool:
        return False


def test_unseekable_and_offset_streams_read_the_same() -> None:
    data = three_workers_the_middle_one_bad()
    expected = outcome(element_reader(data))
    pipe = cast(IO[bytes], OneWay(data))
    assert outcome(read_career_records(pipe, name="doc.xml", on_error="collect")) == expected
    shifted = io.BytesIO(b"JUNK" + data)
    shifted.seek(4)  # the fast path must come back here, not to 0, to re-read
    assert outcome(read_career_records(shifted, name="doc.xml", on_error="collect")) == expected


@settings(max_examples=300, deadline=None)
@given(xml_text)
def test_attribute_escaping_is_lxmls(value: str) -> None:
    written = etree.tostring(etree.Element("a", v=value), encoding="unicode")
    assert written == f'<a v="{xml_attribute(value)}"/>'


def canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n2")


@settings(max_examples=150, deadline=None)
@given(st.lists(career_records(), max_size=4))
def test_markup_writer_equals_lxmls_tree_writer(workers: list[CareerRecords]) -> None:
    out = io.BytesIO()
    write_records(out, CAREER_RECORDS, [career_records_element(w) for w in workers])
    assert canonical(career_records_bytes(workers)) == canonical(out.getvalue())


def test_a_large_document_streams_through_many_chunks() -> None:
    rng = random.Random(7)
    niss = ["90010100123", "93051822361", "50073003369", "85073003328"]
    workers = [
        CareerRecords(Niss(rng.choice(niss)), name="x" * rng.randrange(1, 3000)) for _ in range(400)
    ]
    data = career_records_bytes(workers)
    assert len(data) > 4 * 65536
    assert read_career_records(data).records == tuple(workers)
