"""The machinery shared by mycareer's own XML formats: registry, writers, readers, validation.

Every format of mycareer is described by one :class:`XmlFormat`: a name, a version,
a versioned namespace ``urn:mycareer:<name>:<version>``, the root element, the
element that is streamed as one *record* (e.g. a worker), and an XSD shipped as
package data in :mod:`mycareer.xmlio.schemas`. A format module then only writes
two functions: one that turns a value into a small record element, and one that
turns a record element back into a value. The machinery does the rest:

* :func:`open_writer` / :func:`write_records` stream a document with
  :class:`lxml.etree.xmlfile` (one small element per record, so memory stays flat);
* :func:`iter_record_elements` streams record elements through the hardened
  :func:`~mycareer.xmlio._safe.iterparse_document`, checks the root element and
  namespace first, and clears what was consumed;
* :func:`iter_decoded` / :func:`read_decoded` decode records, reporting every bad
  record (with file, line and path) while keeping the good ones;
* :func:`validate` checks any document against a registered format, a loaded
  schema or any XSD file (such as the official ONSS ones).

>>> fmt = get_format("career-records")
>>> fmt.namespace, fmt.root, fmt.tag("worker")
('urn:mycareer:career-records:1', 'careerRecords', '{urn:mycareer:career-records:1}worker')

Adding a format (the career-records and training-account modules are worked examples):

1. write ``schemas/<name>-<version>.xsd`` with ``targetNamespace="urn:mycareer:<name>:<version>"``
   and ``elementFormDefault="qualified"`` (hatchling ships it as package data);
2. register it at import time: ``MY_FORMAT = register_format(XmlFormat("<name>", 1, "<root>",
   "<record>", "<name>-1.xsd", "$.<records>"))``, and name the module in
   :data:`BUILTIN_FORMAT_MODULES` so that ``get_format("<name>")`` and the CLI find it;
3. write one record: either ``to_element(value) -> etree._Element`` (use
   ``MY_FORMAT.tag(local)``) for ``writer.write(...)``, or, faster for big records,
   nested ``writer.xf.element(tag, attrib)`` contexts; check every value *before*
   writing so a refused record never leaves half an element;
4. read one record: ``from_element(element, file, path) -> value`` raising
   :class:`InvalidValueError` (with ``path`` and ``source=SourceRef(file, line)``)
   or a :class:`MycareerErrorGroup` of them;
5. the public API is then ``open_writer(sink, MY_FORMAT)`` (or ``write_records``),
   ``iter_decoded(source, MY_FORMAT, from_element, errors=...)`` and
   ``read_decoded(source, MY_FORMAT, from_element, on_error=...)``;
6. test that written documents pass ``validate(document, MY_FORMAT)`` and read back equal.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO, Any, Final, Generic, Literal, Protocol, TypeVar, cast

import attrs
from lxml import etree

from mycareer._cache import bounded_cache
from mycareer._html import summarised
from mycareer.errors import (
    ErrorCollector,
    InputError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
    UnsupportedDocumentError,
)
from mycareer.limits import DATA_ERRORS, MAX_ERRORS_PER_INPUT, MAX_SHOWN_CHARS, shown
from mycareer.outputs import atomic_output
from mycareer.xmlio._safe import (
    SchemaIssue,
    XmlSource,
    checked_chunks,
    iterparse_document,
    load_schema,
    make_target_parser,
    source_name,
    validate_document,
)

__all__ = [
    "BUILTIN_FORMAT_MODULES",
    "FORMATS",
    "NAMESPACE_PREFIX",
    "NEEDS_ESCAPE",
    "DocumentWriter",
    "ReadResult",
    "RecordDecoder",
    "RecordTarget",
    "SchemaIssue",
    "XmlFormat",
    "XmlSink",
    "check_xml_text",
    "get_format",
    "iter_decoded",
    "iter_record_elements",
    "open_writer",
    "read_decoded",
    "register_format",
    "validate",
    "write_records",
    "xml_attribute",
]

T = TypeVar("T")

#: Every mycareer namespace is ``urn:mycareer:<name>:<version>``.
NAMESPACE_PREFIX: Final = "urn:mycareer:"

#: Where a document is written: a file path or a binary stream.
XmlSink = str | os.PathLike[str] | IO[bytes]

#: Turns one record element into a value: ``decode(element, file, path)``.
RecordDecoder = Callable[[etree._Element, str, str], T]

_SCHEMA_PACKAGE: Final = "mycareer.xmlio.schemas"


@attrs.frozen
class XmlFormat:
    """One of mycareer's own XML formats (a registry entry).

    ``record`` is the local name of the element streamed one at a time under the
    root; ``record_path`` is the path prefix errors use for it (``$.workers``).

    >>> fmt = XmlFormat("example", 2, "things", "thing", "example-2.xsd", "$.things")
    >>> fmt.namespace, fmt.root_tag
    ('urn:mycareer:example:2', '{urn:mycareer:example:2}things')
    """

    name: str
    version: int
    root: str
    record: str
    xsd: str
    record_path: str

    @property
    def namespace(self) -> str:
        """The versioned namespace ``urn:mycareer:<name>:<version>``."""
        return f"{NAMESPACE_PREFIX}{self.name}:{self.version}"

    @property
    def root_tag(self) -> str:
        """The root element's qualified tag (Clark notation)."""
        return self.tag(self.root)

    @property
    def record_tag(self) -> str:
        """The record element's qualified tag (Clark notation)."""
        return self.tag(self.record)

    def tag(self, local: str) -> str:
        """``{namespace}local``: the tag of an element of this format."""
        return f"{{{self.namespace}}}{local}"

    def schema(self) -> etree.XMLSchema:
        """The format's XSD, loaded once from the package data."""
        return _package_schema(self.xsd)


FORMATS: dict[str, XmlFormat] = {}
"""Registered formats by name (fill it with :func:`register_format`)."""


def register_format(fmt: XmlFormat) -> XmlFormat:
    """Add a format to :data:`FORMATS` (refusing a second, different one of that name)."""
    existing = FORMATS.get(fmt.name)
    if existing is not None and existing != fmt:
        raise ValueError(f"format {fmt.name!r} is already registered as {existing!r}")
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> XmlFormat:
    """The registered format called ``name``.

    >>> get_format("career-records").xsd
    'career-records-1.xsd'
    >>> get_format("nope")
    Traceback (most recent call last):
    ...
    KeyError: "unknown XML format 'nope'; known: career-records, training-account"
    """
    _register_builtin_formats()
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise KeyError(f"unknown XML format {name!r}; known: {known}") from None


#: The modules that register mycareer's own formats when imported, by name: the
#: registry never imports its plugins statically (they import it), so there is no
#: import cycle, and a format module is loaded only when its format is asked for.
BUILTIN_FORMAT_MODULES: Final = {
    "career-records": "mycareer.xmlio.career_records",
    "training-account": "mycareer.xmlio.training_account",
}


def _register_builtin_formats() -> None:
    for module in BUILTIN_FORMAT_MODULES.values():
        importlib.import_module(module)  # registers its format on import


@bounded_cache(maxsize=16)
def _package_schema(resource: str) -> etree.XMLSchema:
    with resources.as_file(resources.files(_SCHEMA_PACKAGE).joinpath(resource)) as path:
        return load_schema(path)


@bounded_cache(maxsize=16)
def _file_schema(path: str, mtime_ns: int) -> etree.XMLSchema:
    del mtime_ns  # part of the cache key only: an edited XSD is reloaded
    return load_schema(path)


def _resolve_schema(
    schema: str | os.PathLike[str] | XmlFormat | etree.XMLSchema,
) -> etree.XMLSchema:
    if isinstance(schema, etree.XMLSchema):
        return schema
    if isinstance(schema, XmlFormat):
        return schema.schema()
    if isinstance(schema, str) and not schema.lower().endswith(".xsd"):
        try:
            return get_format(schema).schema()
        except KeyError as error:
            raise InputError(str(error.args[0]), source=SourceRef(schema)) from None
    path = Path(schema).resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as error:
        raise InputError(
            f"cannot read XSD: {error.strerror}", source=SourceRef(str(path))
        ) from None
    return _file_schema(str(path), mtime)


def validate(
    document: XmlSource | etree._ElementTree,
    schema: str | os.PathLike[str] | XmlFormat | etree.XMLSchema,
    *,
    name: str | None = None,
) -> list[SchemaIssue]:
    """Validate a document against an XSD; each problem with its file, line and message.

    ``schema`` is a registered format (or its name), a loaded
    :class:`~lxml.etree.XMLSchema`, or the path of any ``.xsd`` file (loaded
    through the hardened parser and cached). ``document`` is a path, bytes, a
    binary stream or an already parsed tree. An empty list means valid.

    >>> ns = "urn:mycareer:career-records:1"
    >>> validate(f'<careerRecords xmlns="{ns}"/>'.encode(), "career-records")
    []
    >>> bad = f'<careerRecords xmlns="{ns}">\\n<worker niss="123"/></careerRecords>'
    >>> [str(issue) for issue in validate(bad.encode(), "career-records", name="a.xml")]
    ["a.xml:2: Element '{urn:mycareer:career-records:1}worker', attribute 'niss': ..."]
    """
    return validate_document(document, _resolve_schema(schema), name=name)


def check_xml_text(value: str, path: str) -> None:
    """Refuse text XML cannot carry (NUL, most control characters, lone surrogates).

    >>> check_xml_text("caf\\u00e9", "$.name")
    >>> check_xml_text("a\\x00b", "$.workers[0].name")
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: cannot write 'a\\x00b' as XML: ... @ $.workers[0].name
    """
    for char in value:
        code = ord(char)
        if (
            code in (0x9, 0xA, 0xD)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF
        ):
            continue
        raise InvalidValueError(
            f"cannot write {value!r} as XML: character U+{code:04X} is not allowed in XML 1.0",
            path=path,
        )


# --- writing ----------------------------------------------------------------------

# What lxml escapes in an attribute value (tab, newline and return too, so that
# they survive attribute-value normalisation on reading).
_ATTRIBUTE_ESCAPES: Final = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    | {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
)
#: Characters an attribute value must escape, or XML 1.0 cannot carry at all.
NEEDS_ESCAPE: Final = re.compile('[&<>"\t\n\r]|[^\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def xml_attribute(value: str) -> str:
    """``value`` escaped for a double-quoted attribute, exactly as lxml writes it.

    The caller has refused what XML cannot carry (:func:`check_xml_text`).

    >>> print(xml_attribute('Ben & Jerry "best"\\n<deal>'))
    Ben &amp; Jerry &quot;best&quot;&#10;&lt;deal&gt;
    """
    return value.translate(_ATTRIBUTE_ESCAPES)


class DocumentWriter:
    """An open document of one format: write record elements, or nest elements.

    Obtained from :func:`open_writer`. ``write`` serialises one complete element
    (build it with ``fmt.tag(...)``); ``element`` opens a nested element whose
    content is written incrementally.
    """

    def __init__(self, xf: Any, fmt: XmlFormat, stream: IO[bytes] | None = None) -> None:
        self._xf = xf
        self._stream = stream
        self.format = fmt

    @property
    def xf(self) -> Any:
        """The underlying ``lxml`` incremental writer, for hot loops.

        ``xf.element(tag, attrib)`` (a context manager) and ``xf.write(element or
        text)`` skip the per-call overhead of this class; nested ``xf.element``
        contexts were measured faster than building and writing small trees.
        """
        return self._xf

    def write(self, element: etree._Element) -> None:
        """Write one complete element (and a newline, so that lines mean records)."""
        self._xf.write(element)
        self._xf.write("\n")

    def write_markup(self, markup: str) -> None:
        """Write serialised elements of this format as they are (the fastest way).

        For renderers that build a record's markup themselves: every attribute
        value must have gone through :func:`xml_attribute` (or be text that
        needs no escaping, such as a date or a number). Goes to the stream
        directly, after what lxml has buffered.
        """
        if self._stream is None:
            raise TypeError("this writer was not opened on a stream")
        self._xf.flush()
        self._stream.write(markup.encode("utf-8"))

    @contextmanager
    def element(self, local: str, attrib: Mapping[str, str] | None = None) -> Iterator[None]:
        """Open ``<local>`` of this format; what is written inside goes into it."""
        with self._xf.element(self.format.tag(local), attrib or {}):
            yield


@contextmanager
def open_writer(
    sink: XmlSink, fmt: XmlFormat, *, root_attributes: Mapping[str, str] | None = None
) -> Iterator[DocumentWriter]:
    """Stream a document of ``fmt`` to a path or a binary stream.

    A path is written through :func:`mycareer.outputs.atomic_output`: a
    temporary file replaces it only when the whole document was written, so a
    failed write never leaves half a document.

    >>> import io
    >>> fmt = get_format("career-records")
    >>> out = io.BytesIO()
    >>> with open_writer(out, fmt) as writer:
    ...     pass
    >>> print(out.getvalue().decode())
    <?xml version='1.0' encoding='UTF-8'?>
    <careerRecords xmlns="urn:mycareer:career-records:1">
    </careerRecords>
    """
    if isinstance(sink, str | os.PathLike):
        with atomic_output(sink) as stream, _xmlfile(stream, fmt, root_attributes) as writer:
            yield writer
    else:
        with _xmlfile(sink, fmt, root_attributes) as writer:
            yield writer


@contextmanager
def _xmlfile(
    stream: IO[bytes], fmt: XmlFormat, root_attributes: Mapping[str, str] | None
) -> Iterator[DocumentWriter]:
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()  # followed by a newline
        with xf.element(fmt.root_tag, root_attributes or {}, nsmap={None: fmt.namespace}):
            xf.write("\n")
            yield DocumentWriter(xf, fmt, stream)


def write_records(sink: XmlSink, fmt: XmlFormat, elements: Iterable[etree._Element]) -> int:
    """Write a whole document of ``fmt`` whose records are ``elements``; return their count."""
    count = 0
    with open_writer(sink, fmt) as writer:
        for element in elements:
            writer.write(element)
            count += 1
    return count


# --- reading ----------------------------------------------------------------------


def _describe(tag: str) -> str:
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    where = f"in namespace {shown(namespace)}" if namespace else "in no namespace"
    return f"<{local}> {where}" if len(local) <= MAX_SHOWN_CHARS else f"{shown(local)} {where}"


def _check_root(root: etree._Element, fmt: XmlFormat, label: str) -> None:
    # _safe only looks for a DOCTYPE in the first 4 KiB; one hidden after a long
    # comment still shows in the document info once the root element starts.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InputError(
            "refused: the document declares a DOCTYPE (DTDs and entities are not accepted)",
            source=SourceRef(label, root.sourceline),
        )
    tag = root.tag
    if tag == fmt.root_tag:
        return
    where = SourceRef(label, root.sourceline)
    expected = _describe(fmt.root_tag)
    found = _describe(str(tag))
    namespace = str(tag)[1:].partition("}")[0] if str(tag).startswith("{") else ""
    prefix = f"{NAMESPACE_PREFIX}{fmt.name}:"
    if namespace.startswith(prefix) and namespace != fmt.namespace:
        raise UnsupportedDocumentError(
            f"unsupported version of the {fmt.name} format: found {found}, "
            f"this version of mycareer reads {expected}",
            source=where,
        )
    raise InputError(f"not a {fmt.name} document: found {found}, expected {expected}", source=where)


def _peek_root(source: XmlSource, label: str) -> etree._Element:
    """The root element, read from the first few kilobytes only."""
    events = iterparse_document(source, events=("start",), name=label, peek=True)
    try:
        for _, element in events:
            return element  # type: ignore[no-any-return]
    finally:
        events.close()  # type: ignore[attr-defined]
    raise InputError("empty or truncated document", source=SourceRef(label))


def iter_record_elements(
    source: XmlSource, fmt: XmlFormat, *, name: str | None = None
) -> Iterator[etree._Element]:
    """Stream the record elements of a document of ``fmt``, clearing each after use.

    The root element and its namespace are checked first (a wrong one is an
    :class:`InputError` naming what was found and what was expected, with the
    file and line). Each record element is complete when yielded, and cleared
    (with its already consumed siblings) when the caller asks for the next one,
    so memory stays flat however large the document is.

    >>> ns = "urn:mycareer:career-records:1"
    >>> doc = f'<careerRecords xmlns="{ns}"><worker niss="1"/><worker niss="2"/></careerRecords>'
    >>> [w.get("niss") for w in iter_record_elements(doc.encode(), get_format("career-records"))]
    ['1', '2']
    >>> list(iter_record_elements(b"<other/>", get_format("career-records"), name="x.xml"))
    Traceback (most recent call last):
    ...
    mycareer.errors.InputError: x.xml:1: not a career-records document: found <other> in no
    namespace, expected <careerRecords> in namespace 'urn:mycareer:career-records:1'
    """
    label = name or source_name(source)
    start = None
    if not isinstance(source, str | bytes | os.PathLike):
        stream: Any = source
        if stream.seekable():
            start = stream.tell()
            _check_root(_peek_root(stream, label), fmt, label)
            stream.seek(start)
            filtered = True
        else:
            filtered = False  # cannot peek: check the root from the event stream
    else:
        _check_root(_peek_root(source, label), fmt, label)
        filtered = True
    record_tag = fmt.record_tag
    if filtered:
        events = iterparse_document(source, events=("end",), tag=record_tag, name=label)
        for _, element in events:
            yield element
            element.clear(keep_tail=True)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
        return
    depth = 0
    for event, element in iterparse_document(source, events=("start", "end"), name=label):
        if event == "start":
            if depth == 0:
                _check_root(element, fmt, label)
            depth += 1
            continue
        depth -= 1
        if depth == 1 and element.tag == record_tag:
            yield element
            element.clear(keep_tail=True)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]


@summarised
@attrs.frozen
class ReadResult(Generic[T]):
    """What a batch read gives back: every good record, and every problem found.

    ``errors`` holds one :class:`InvalidValueError` per problem, each with its
    path and source (file and line); nothing is dropped silently.
    """

    records: tuple[T, ...]
    errors: tuple[InvalidValueError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return not self.errors


def _leaf_errors(error: BaseException) -> list[InvalidValueError]:
    if isinstance(error, BaseExceptionGroup):
        leaves: list[InvalidValueError] = []
        for inner in error.exceptions:
            leaves.extend(_leaf_errors(inner))
        return leaves
    if isinstance(error, InvalidValueError):
        return [error]
    raise error


class RecordTarget(Protocol[T]):
    """An lxml parser target that decodes the records of *plain, valid* documents.

    The fast path of :func:`iter_decoded`: lxml calls ``start(tag, attrib)`` and
    ``end(tag)`` for each element without building any, and the target appends
    each finished record to ``records``. On anything it does not handle itself
    (an unexpected element, a bad value, a section) it raises any exception:
    the element reader then takes over and reports, so both paths always give
    the same records and the same errors.
    """

    records: list[T]

    def start(self, tag: str, attrib: dict[str, str]) -> None: ...

    def end(self, tag: str) -> None: ...

    def close(self) -> None: ...


def iter_decoded(
    source: XmlSource,
    fmt: XmlFormat,
    decode: RecordDecoder[T],
    *,
    name: str | None = None,
    errors: ErrorCollector | None = None,
    fast: Callable[[], RecordTarget[T]] | None = None,
) -> Iterator[T]:
    """Decode each record of a document, streaming.

    A record that ``decode`` refuses (:class:`InvalidValueError` or a
    :class:`MycareerErrorGroup` of them) is skipped; its problems go to
    ``errors`` when given (the good records keep coming), otherwise they are
    raised at once. Document-level problems (unsafe, malformed, truncated,
    wrong root) are always raised as :class:`InputError`.

    ``fast`` builds a :class:`RecordTarget`: re-readable sources (bytes, paths,
    seekable streams) are then first decoded by it, with no element built. At
    its first refusal the document is read again by ``decode`` from the first
    record not yet yielded, which reports every problem with its file, line and
    path, and decodes the rest.
    """
    label = name or source_name(source)
    skip = 0
    if fast is not None:
        start = None
        if not isinstance(source, str | bytes | os.PathLike):
            start = source.tell() if source.seekable() else -1
        if start != -1:
            target = fast()
            finished = target.records
            try:
                parser = make_target_parser(target)
                for chunk in checked_chunks(source, name=label):
                    parser.feed(chunk)
                    if finished:
                        yield from finished
                        skip += len(finished)
                        finished.clear()
                parser.close()
                yield from finished
                return
            except Exception:  # any refusal: the element reader decides, and reports
                if start is not None:
                    cast(IO[bytes], source).seek(start)
    yield from _decode_elements(source, fmt, decode, label, errors, skip)


def _decode_elements(
    source: XmlSource,
    fmt: XmlFormat,
    decode: RecordDecoder[T],
    label: str,
    errors: ErrorCollector | None,
    skip: int,
) -> Iterator[T]:
    """The element reader of :func:`iter_decoded`, from record ``skip`` on."""
    prefix = fmt.record_path
    for index, element in enumerate(iter_record_elements(source, fmt, name=label)):
        if index < skip:
            continue  # already decoded by the fast path
        try:
            yield decode(element, label, f"{prefix}[{index}]")
        except (InvalidValueError, MycareerErrorGroup) as error:
            if errors is None:
                raise
            for leaf in _leaf_errors(error):
                errors.add(leaf)
        except DATA_ERRORS as error:  # no check caught it: still this record's refusal alone
            refused = InvalidValueError(
                f"cannot read: {type(error).__name__}: {shown(str(error))}",
                path=f"{prefix}[{index}]",
                source=SourceRef(label, element.sourceline),
            )
            if errors is None:
                raise refused from None
            errors.add(refused)


def read_decoded(
    source: XmlSource,
    fmt: XmlFormat,
    decode: RecordDecoder[T],
    *,
    name: str | None = None,
    on_error: Literal["raise", "collect"] = "raise",
    fast: Callable[[], RecordTarget[T]] | None = None,
) -> ReadResult[T]:
    """Read every record of a document; the caller chooses what bad records do.

    ``on_error="raise"``: if anything was refused, raise one
    :class:`MycareerErrorGroup` listing every problem. ``"collect"``: return
    the good records and the problems; a document that breaks off (malformed,
    truncated) keeps the records read before the break, plus that error.
    """
    label = name or source_name(source)
    collector = ErrorCollector(raise_on_exit=False, limit=MAX_ERRORS_PER_INPUT)
    records: list[T] = []
    try:
        records.extend(iter_decoded(source, fmt, decode, name=label, errors=collector, fast=fast))
    except InputError as error:
        if on_error == "raise":
            raise
        if error.source is not None and error.source.line is None and error.path is None:
            collector.errors.append(error)  # the file itself (unreadable): no place in it
        else:
            collector.add(error)
    collector.summarise(label)
    if on_error == "raise":
        collector.raise_if_any(f"invalid {fmt.name} document {label}")
    return ReadResult(tuple(records), tuple(collector.errors))
