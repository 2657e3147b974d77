"""The one hardened XML configuration used everywhere in mycareer.

* no entity resolution, no network, no DTD loading or validation, no huge trees;
* never ``recover=True``;
* any ``DOCTYPE`` is refused outright, before entities could matter.

Every parse goes through :func:`parse_document` / :func:`iterparse_document` (or
a parser of :func:`make_parser` / :func:`hardened_parser` passed explicitly):
lxml's global default parser is never relied on, since another library may
replace it. lxml parsers are not thread-safe, so none is shared between
threads: the readers make one per call, :func:`hardened_parser` one per thread.

>>> root = parse_bytes(b"<a><b>1</b></a>", source="mem.xml").getroot()
>>> root.findtext("b")
'1'
>>> parse_bytes(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', source="evil.xml")
Traceback (most recent call last):
...
mycareer.errors.InputError: evil.xml:1: refused: the document declares a DOCTYPE ...
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final, Literal

import attrs
from lxml import etree

from mycareer.errors import InputError, SourceRef
from mycareer.limits import cannot_read, clip

__all__ = [
    "ITERPARSE_OPTIONS",
    "TARGET_AMPERSAND",
    "SchemaIssue",
    "XmlSource",
    "checked_chunks",
    "hardened_parser",
    "iterparse_document",
    "load_schema",
    "make_parser",
    "make_target_parser",
    "parse_bytes",
    "parse_document",
    "source_name",
    "validate_document",
]

XmlSource = str | os.PathLike[str] | bytes | IO[bytes]

#: Keyword arguments for ``etree.iterparse``: the same hardening as the parser.
ITERPARSE_OPTIONS: Final[dict[str, Any]] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "recover": False,
    "remove_comments": True,
    "remove_pis": True,
}

#: :data:`ITERPARSE_OPTIONS` without the whitespace between elements (``element_only``).
_ELEMENT_ONLY_OPTIONS: Final[dict[str, Any]] = {**ITERPARSE_OPTIONS, "remove_blank_text": True}


def make_parser() -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers are not thread-safe: one per thread)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=False,
        remove_comments=True,
        remove_pis=True,
    )


_PER_THREAD = threading.local()


def hardened_parser() -> etree.XMLParser:
    """The calling thread's hardened parser, for callers who parse themselves.

    One per thread, made on first use (lxml parsers are not thread-safe).

    >>> hardened_parser() is hardened_parser()
    True
    """
    parser: etree.XMLParser | None = getattr(_PER_THREAD, "parser", None)
    if parser is None:
        parser = _PER_THREAD.parser = make_parser()
    return parser


def __getattr__(name: str) -> etree.XMLParser:
    # HARDENED_PARSER was one module-level parser shared by every thread; the
    # name now gives the calling thread's own parser (issue 11 item 8).
    if name == "HARDENED_PARSER":
        return hardened_parser()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_target_parser(target: Any) -> Any:
    """A fresh hardened feed parser that calls ``target`` instead of building a tree.

    ``target`` is an lxml parser target (``start(tag, attrib)``, ``end(tag)``,
    ``close()``); the hardening is :func:`make_parser`'s. Feed it the chunks of
    :func:`checked_chunks`, which refuses DOCTYPEs first.
    """
    return etree.XMLParser(target=target, **ITERPARSE_OPTIONS)


class _FirstAttribute:
    value = ""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.value = attrib["v"]

    def close(self) -> None:
        return None


def _target_ampersand() -> str:
    probe = _FirstAttribute()
    parser = make_target_parser(probe)
    parser.feed(b'<p v="&amp;"/>')
    parser.close()
    return probe.value


#: How a parser target built by :func:`make_parser` receives ``&`` in attribute
#: values. Without entity resolution, libxml2 hands targets ``&#38;`` for each
#: ``&`` (2.14 does; a tree gets ``&``). Decode with
#: ``value.replace(TARGET_AMPERSAND, "&")``, exact since every ``&`` is encoded.
TARGET_AMPERSAND: Final[str] = _target_ampersand()


def source_name(source: XmlSource) -> str:
    """A printable name for a source: its path, or ``<bytes>``/``<stream>``."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    if isinstance(source, bytes):
        return "<bytes>"
    return str(getattr(source, "name", "<stream>"))


def _refuse_doctype(tree: etree._ElementTree, name: str) -> None:
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise InputError(
            "refused: the document declares a DOCTYPE (DTDs and entities are not accepted)",
            source=SourceRef(name, 1),
        )


def _syntax_error(error: etree.XMLSyntaxError, name: str) -> InputError:
    line = error.lineno or 1  # libxml2 says line 0 for an empty document
    message = clip(error.msg or str(error) or "empty document")
    if "Document is empty" in message or "no element found" in message:
        message = f"empty or truncated document: {message}"
    return InputError(f"malformed XML: {message}", source=SourceRef(name, line))


def parse_document(source: XmlSource, *, name: str | None = None) -> etree._ElementTree:
    """Parse a whole document with the hardened parser; DOCTYPEs are refused."""
    label = name or source_name(source)
    parser = make_parser()
    try:
        if isinstance(source, bytes):
            _check_prolog(io.BytesIO(source), label)
            root = etree.fromstring(source, parser)
            tree = root.getroottree()
        elif isinstance(source, str | os.PathLike):
            with open(source, "rb") as stream:
                tree = etree.parse(_Prefixed(_check_prolog(stream, label), stream), parser)
        else:
            tree = etree.parse(_Prefixed(_check_prolog(source, label), source), parser)
    except etree.XMLSyntaxError as error:
        if "doctype" in (error.msg or "").lower() or "entity" in (error.msg or "").lower():
            raise InputError(
                f"refused: {clip(error.msg or '')} (DTDs and entities are not accepted)",
                source=SourceRef(label, error.lineno or None),
            ) from None
        raise _syntax_error(error, label) from None
    except OSError as error:
        raise cannot_read(label, error) from None
    _refuse_doctype(tree, label)
    return tree


def parse_bytes(data: bytes, *, source: str = "<bytes>") -> etree._ElementTree:
    """Parse in-memory XML with the hardened parser."""
    return parse_document(data, name=source)


_CHUNK = 65536

#: The most a peeking parser (one that stops at its first events) is given at a time.
#: lxml's iterparse parses whatever it reads before it yields, and a parser stopped
#: early stays in a reference cycle with everything it parsed until the cyclic
#: collector runs: with 64 KiB reads, each root sniff kept about 0.4 MB alive (450
#: files, collector paused: 225 MB against 42 MB), with 1 KiB 60 MB.
_PEEK_CHUNK = 1024


class _Prefixed:
    """A read-only stream that first replays bytes already consumed from ``rest``.

    ``most``, when given, caps every read (see :data:`_PEEK_CHUNK`).
    """

    def __init__(self, prefix: bytes, rest: IO[bytes], most: int | None = None) -> None:
        self._prefix = prefix
        self._rest = rest
        self._most = most

    def read(self, size: int = -1) -> bytes:
        if self._most is not None:
            size = self._most if size < 0 else min(size, self._most)
        if self._prefix:
            if size < 0 or size >= len(self._prefix):
                head, self._prefix = self._prefix, b""
                return head + (
                    self._rest.read(size - len(head)) if size >= 0 else self._rest.read()
                )
            head, self._prefix = self._prefix[:size], self._prefix[size:]
            return head
        return self._rest.read(size)


def _check_prolog(stream: IO[bytes], name: str) -> bytes:
    """Refuse a DOCTYPE anywhere in the prolog; return the bytes read.

    The prolog (XML declaration, comments, processing instructions) is scanned
    up to the root element's ``<``, however long its comments are, so a DOCTYPE
    hidden after a large comment is still refused before any parsing.
    """
    buffer = stream.read(_CHUNK)
    encoding = "utf-16" if buffer[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    while True:
        decoded = buffer.decode(encoding, errors="ignore").lstrip("\ufeff")
        cursor = _skip_prolog(decoded, 0)
        if cursor is None:  # an unfinished comment or PI: read on
            more = stream.read(_CHUNK)
            if not more:
                return buffer
            buffer += more
            continue
        if decoded.startswith("<!", cursor) and not decoded.startswith("<!--", cursor):
            raise InputError(
                "refused: the document declares a DOCTYPE (DTDs and entities are not accepted)",
                source=SourceRef(name, decoded[:cursor].count("\n") + 1),
            )
        return buffer


def _skip_prolog(text: str, cursor: int) -> int | None:
    """Index of the first markup that is not a comment or PI; ``None`` if cut short."""
    length = len(text)
    while True:
        while cursor < length and text[cursor] in " \t\r\n":
            cursor += 1
        if text.startswith("<?", cursor):
            end = text.find("?>", cursor + 2)
        elif text.startswith("<!--", cursor):
            end = text.find("-->", cursor + 4)
        else:
            if cursor >= length - 1 and length:  # might be the start of "<!" cut in two
                return None if text.endswith("<") else cursor
            return cursor
        if end < 0:
            return None
        cursor = end + (2 if text[end] == "?" else 3)


def checked_chunks(source: XmlSource, *, name: str | None = None) -> Iterator[bytes]:
    """The bytes of a document in 64 KiB chunks, for a feed parser; DOCTYPEs refused first.

    The prolog is checked as :func:`parse_document` does, before the first chunk
    is handed out. Unreadable sources raise :class:`InputError`.

    >>> b"".join(checked_chunks(b"<a/>"))
    b'<a/>'
    >>> list(checked_chunks(b'<!DOCTYPE a SYSTEM "x"><a/>', name="evil.xml"))
    Traceback (most recent call last):
    ...
    mycareer.errors.InputError: evil.xml:1: refused: the document declares a DOCTYPE ...
    """
    label = name or source_name(source)
    opened: IO[bytes] | None = None
    try:
        if isinstance(source, bytes):
            stream: IO[bytes] = io.BytesIO(source)
        elif isinstance(source, str | os.PathLike):
            opened = stream = open(source, "rb")  # noqa: SIM115 - closed in finally
        else:
            stream = source
        chunk = _check_prolog(stream, label)
        while chunk:
            yield chunk
            chunk = stream.read(_CHUNK)
    except OSError as error:
        raise cannot_read(label, error) from None
    finally:
        if opened is not None:
            opened.close()


def iterparse_document(
    source: XmlSource,
    *,
    events: tuple[Literal["start", "end"], ...] = ("end",),
    tag: str | tuple[str, ...] | None = None,
    name: str | None = None,
    peek: bool = False,
    element_only: bool = False,
    root: list[Any] | None = None,
) -> Iterator[tuple[str, Any]]:
    """Stream ``(event, element)`` pairs with the hardened options.

    Syntax errors become :class:`InputError` with the file and line. The
    caller clears elements it has consumed (``el.clear(keep_tail=True)``).
    ``peek`` is for callers that stop after the first few events: the parser
    reads a few kilobytes at a time, so that what it parsed ahead, kept alive
    by lxml's reference cycles until a collection, stays small.
    ``element_only`` is for documents whose values hold no meaningful
    whitespace (codes, numbers, dates, as a DmfA's): the indentation between
    elements is not kept (libxml2's "blank" text nodes), which the parser
    and every element access then skip.
    ``root``: a list the root element is added to once the document is read to its end
    (for a caller that filtered by ``tag`` and met no element: which document it was).
    """
    label = name or source_name(source)
    opened: IO[bytes] | None = None
    try:
        if isinstance(source, bytes):
            stream: IO[bytes] = io.BytesIO(source)
        elif isinstance(source, str | os.PathLike):
            opened = stream = open(source, "rb")  # noqa: SIM115 - closed in finally
        else:
            stream = source
        consumed = _check_prolog(stream, label)
        replay: Any = _Prefixed(consumed, stream, _PEEK_CHUNK if peek else None)
        try:
            options = ITERPARSE_OPTIONS if not element_only else _ELEMENT_ONLY_OPTIONS
            context = etree.iterparse(replay, events=events, tag=tag, **options)
            yield from context
            if root is not None and context.root is not None:
                root.append(context.root)
        except etree.XMLSyntaxError as error:
            raise _syntax_error(error, label) from None
    except OSError as error:
        raise cannot_read(label, error) from None
    finally:
        if opened is not None:
            opened.close()


@attrs.frozen
class SchemaIssue:
    """One XSD validation error: where, and what."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def load_schema(path: str | os.PathLike[str]) -> etree.XMLSchema:
    """Load an XSD through the hardened parser (imports resolve next to the file)."""
    tree = parse_document(Path(path))
    try:
        return etree.XMLSchema(tree)
    except etree.XMLSchemaParseError as error:
        raise InputError(f"invalid XSD: {error}", source=SourceRef(os.fspath(path))) from None


def validate_document(
    document: XmlSource | etree._ElementTree, schema: etree.XMLSchema, *, name: str | None = None
) -> list[SchemaIssue]:
    """Validate a document against an XSD; every error with its line and message.

    An empty list means the document is valid.
    """
    if isinstance(document, etree._ElementTree):
        tree = document
        label = name or "<tree>"
    else:
        label = name or source_name(document)
        tree = parse_document(document, name=label)
    if schema.validate(tree):
        return []
    return [SchemaIssue(label, entry.line, entry.message) for entry in schema.error_log]
