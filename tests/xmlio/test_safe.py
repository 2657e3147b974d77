"""The hardened parser configuration itself (docs/formats.md, Official ONSS documents)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

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
