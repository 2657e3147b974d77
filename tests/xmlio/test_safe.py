"""The hardened parser configuration itself (docs/formats.md, Official ONSS documents)."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pytest
from lxml import etree

from mycareer import InputError
from mycareer.xmlio._safe import (
    HARDENED_PARSER,
    ITERPARSE_OPTIONS,
    iterparse_document,
    parse_document,
)

HIDDEN_DOCTYPE = (
    b"<?xml version='1.0'?>\n<!--" + b"x" * 200_000 + b"-->\n"
    b"<!DOCTYPE r [<!ENTITY a 'secret'>]><r>&a;</r>"
)


class _NonSeekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_options_never_enable_entities_network_dtd_or_recover() -> None:
    assert ITERPARSE_OPTIONS["resolve_entities"] is False
    assert ITERPARSE_OPTIONS["no_network"] is True
    assert ITERPARSE_OPTIONS["load_dtd"] is False
    assert ITERPARSE_OPTIONS["recover"] is False
    assert ITERPARSE_OPTIONS["huge_tree"] is False
    assert HARDENED_PARSER is not None


@pytest.mark.parametrize("reader", ["tree", "stream"])
def test_doctype_after_a_long_comment_is_refused_with_its_line(reader: str) -> None:
    with pytest.raises(InputError) as caught:
        if reader == "tree":
            parse_document(HIDDEN_DOCTYPE, name="late.xml")
        else:
            list(iterparse_document(HIDDEN_DOCTYPE, name="late.xml"))
    assert "late.xml:3" in str(caught.value)
    assert "DOCTYPE" in str(caught.value)


def test_non_seekable_stream_is_checked_and_fully_read() -> None:
    with pytest.raises(InputError, match="DOCTYPE"):
        list(iterparse_document(io.BufferedReader(_NonSeekable(HIDDEN_DOCTYPE)), name="s"))
    body = b"<?xml version='1.0'?><!--" + b"c" * 100_000 + b"--><a><b>1</b><b>2</b></a>"
    stream = io.BufferedReader(_NonSeekable(body))
    tags = [el.tag for _, el in iterparse_document(stream, name="s")]
    assert tags == ["b", "b", "a"]


def test_utf16_document_with_doctype_is_refused() -> None:
    data = "<?xml version='1.0' encoding='utf-16'?><!DOCTYPE a><a/>".encode("utf-16")
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_document(data, name="u16.xml")


def test_empty_and_truncated_documents_name_file_and_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.xml"
    truncated.write_bytes(b"<a>\n<b>1</b>\n<b>")
    for path, line in ((empty, 1), (truncated, 3)):
        with pytest.raises(InputError) as caught:
            list(iterparse_document(path))
        assert f"{path}:{line}" in str(caught.value)
    with pytest.raises(InputError, match="cannot read"):
        parse_document(tmp_path / "missing.xml")


def test_comments_and_processing_instructions_before_the_root_are_fine() -> None:
    tree = parse_document(b"<?xml version='1.0'?>\n<!-- a -->\n<?pi x?>\n<a><b>1</b></a>")
    assert tree.getroot().findtext("b") == "1"


def _elements_left_in_cycles(peek: bool) -> int:
    """Elements a parser stopped at its first event leaves for the cyclic collector."""
    document = b"<r>" + b"<item><a>1</a><b>2</b></item>" * 5000 + b"</r>"
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        events = iterparse_document(document, events=("start",), peek=peek)
        next(events)
        events.close()  # type: ignore[attr-defined]
        del events
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return sum(1 for item in gc.garbage if isinstance(item, etree._Element))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def test_a_peeking_parser_parses_little_ahead_of_its_first_event() -> None:
    # lxml keeps a stopped parser, and everything it parsed, in a reference cycle until
    # a collection; sniffing roots and headers of thousands of files with the collector
    # paused (mycareer.bulk(), the command line) must not keep 64 KiB trees of each.
    whole_chunk = _elements_left_in_cycles(peek=False)
    peeking = _elements_left_in_cycles(peek=True)
    assert whole_chunk > 1000  # a 64 KiB read parses thousands of elements ahead
    assert peeking < 200
    # ...and peeking gives the same events as a full read.
    document = b"<r a='1'><x/><y>t</y></r>"
    full = [(e, el.tag) for e, el in iterparse_document(document, events=("start", "end"))]
    peeked = [
        (e, el.tag) for e, el in iterparse_document(document, events=("start", "end"), peek=True)
    ]
    assert peeked == full == [
        ("start", "r"), ("start", "x"), ("end", "x"), ("start", "y"), ("end", "y"), ("end", "r")
    ]
