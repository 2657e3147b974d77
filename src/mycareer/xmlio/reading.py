"""The toolkit every XML reader of mycareer uses: fields, roots, error sinks, NISS.

* :class:`FieldReader` reads the fields (child elements) of one element with
  checks: each refusal is an :class:`~mycareer.errors.InvalidValueError` (or
  the subclass the value's own type raised) naming the field's record path,
  the file and the line, with the value cut to
  :data:`~mycareer.limits.MAX_SHOWN_CHARS` characters;
* :func:`root_tag`, :func:`check_root`, :func:`refuse_doctype` and
  :func:`close_events` open a streamed document safely;
* :data:`ErrorSink` / :func:`add_error` are where a reader puts the errors of
  the records it skips;
* :func:`checked_niss` / :func:`known_niss` read a NISS quickly.

>>> from mycareer.xmlio._safe import parse_bytes
>>> root = parse_bytes(b"<Occ>\\n<Days>12</Days>\\n<Start>2023-13-01</Start></Occ>").getroot()
>>> fields = FieldReader(root, "q1.xml", "$.Occupation[1]")
>>> fields.integer("Days", required=True)
12
>>> fields.iso_date("Start")
Traceback (most recent call last):
...
mycareer.errors.InvalidValueError: q1.xml:3: invalid Start '2023-13-01': expected a date ...
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, time
from pathlib import Path
from typing import Any, Final, Literal, NoReturn, TypeVar, cast, overload

from mycareer._cache import bounded_cache
from mycareer._slots import trusted_constructor
from mycareer.errors import (
    ErrorCollector,
    InputError,
    InvalidNissError,
    InvalidValueError,
    SourceRef,
)
from mycareer.limits import (
    DATA_ERRORS,
    MAX_IDENTIFIER_CHARS,
    MAX_INTEGER_DIGITS,
    MAX_TEXT_CHARS,
    cannot_read,
    clip,
    shown,
)
from mycareer.niss import Niss
from mycareer.xmlio._safe import XmlSource, iterparse_document, source_name

__all__ = [
    "DATA_ERRORS",
    "MAX_ATTRIBUTE_CHARS",
    "AttributeReader",
    "ErrorSink",
    "FieldReader",
    "PathLike",
    "Paths",
    "add_error",
    "as_paths",
    "check_root",
    "checked_niss",
    "close_events",
    "each_document",
    "form_hour",
    "has_doctype",
    "input_files",
    "known_niss",
    "plain_integer",
    "refuse_doctype",
    "root_tag",
    "unexpected",
]

T = TypeVar("T")

#: Longest attribute value of our own formats read before it is refused without parsing
#: (the longest legitimate one is a funding or certificate text).
MAX_ATTRIBUTE_CHARS: Final = MAX_TEXT_CHARS

#: Longest text a date field may hold before it is refused without parsing.
_MAX_DATE_CHARS = 40

#: Where a reader puts the errors of the records it skips.
ErrorSink = ErrorCollector | list[InvalidValueError]


def unexpected(error: BaseException, label: str) -> InputError:
    """An :class:`InputError` for a data error no reader check caught, naming the file."""
    return InputError(
        f"cannot read: {type(error).__name__}: {shown(str(error))}", source=SourceRef(label)
    )


def add_error(errors: ErrorSink, error: InvalidValueError) -> None:
    """Put ``error`` in a list or an :class:`~mycareer.errors.ErrorCollector`."""
    if isinstance(errors, ErrorCollector):
        errors.add(error)
    else:
        errors.append(error)


def form_hour(text: str | None) -> time:
    """A form's creation hour (zone 00299, ``HH:MM:SS.sss``; none: midnight).

    ValueError for anything else, an offset included: the XSDs allow none, and forms are
    ordered by their creation moments, which an aware time would not compare with.

    >>> form_hour("09:30:00.000"), form_hour(None)
    (datetime.time(9, 30), datetime.time(0, 0))
    >>> form_hour("09:30:00.000+01:00")
    Traceback (most recent call last):
    ValueError: a creation hour has no offset: '09:30:00.000+01:00'
    """
    if not text:
        return time()
    moment = time.fromisoformat(text)
    if moment.tzinfo is not None:
        raise ValueError(f"a creation hour has no offset: {text[:40]!r}")
    return moment


def plain_integer(raw: str | None) -> int | None:
    """``int(raw)`` when ``raw`` is plain ASCII digits (at most 18), else None.

    The hot loops' shortcut: ``None`` means "let :meth:`FieldReader.integer`
    decide" (it accepts surrounding spaces and signs, and explains refusals).

    >>> plain_integer("0042"), plain_integer(" 42"), plain_integer("9" * 19)
    (42, None, None)
    """
    if raw is not None and len(raw) <= MAX_INTEGER_DIGITS and raw.isdigit() and raw.isascii():
        return int(raw)
    return None


class FieldReader:
    """The checked fields of one element: ``FieldReader(element, file, path)``.

    ``path`` is the element's record path (``$.Form[1]....Occupation[2]``); a
    field's path is ``path.Name``. ``children`` optionally maps the element's
    child tags to child elements, already collected by a hot loop (then a plain
    name is looked up there instead of searched). Sub-readers
    (:meth:`child`) build their path only when an error needs it.
    """

    __slots__ = ("_base", "_children", "_step", "element", "file")

    def __init__(
        self,
        element: Any,
        file: str,
        path: str | FieldReader,
        *,
        children: Mapping[str, Any] | None = None,
        step: str = "",
    ) -> None:
        self.element = element
        self.file = file
        self._base = path
        self._step = step
        self._children = children

    @property
    def path(self) -> str:
        """The element's record path."""
        base = self._base
        text = base if isinstance(base, str) else base.path
        return f"{text}.{self._step}" if self._step else text

    def child(
        self, element: Any, step: str, *, children: Mapping[str, Any] | None = None
    ) -> FieldReader:
        """A reader for a child element whose path is ``path.step``."""
        return FieldReader(element, self.file, self, children=children, step=step)

    def find(self, name: str) -> Any:
        """The field element ``name`` (a tag or an ElementPath such as ``A/B``), or None."""
        children = self._children
        if children is not None and "/" not in name:
            return children.get(name)
        return self.element.find(name)

    # -- errors --------------------------------------------------------------
    def error(
        self,
        message: str,
        name: str | None = None,
        *,
        kind: type[InvalidValueError] = InvalidValueError,
        element: Any = None,
    ) -> InvalidValueError:
        """An error on field ``name`` (or on the element itself), with file and line."""
        if element is None and name is not None:
            element = self.find(name)
        if element is None:
            element = self.element
        path = self.path
        if name:
            path = f"{path}.{name.replace('/', '.')}"
        line = getattr(element, "sourceline", None)
        return kind(message, path=path, source=SourceRef(self.file, line))

    def fail(
        self,
        message: str,
        name: str | None = None,
        *,
        kind: type[InvalidValueError] = InvalidValueError,
        element: Any = None,
    ) -> NoReturn:
        """Raise :meth:`error`."""
        raise self.error(message, name, kind=kind, element=element)

    # -- fields --------------------------------------------------------------
    @overload
    def text(self, name: str, *, required: Literal[True], limit: int = ...) -> str: ...
    @overload
    def text(self, name: str, *, required: bool = ..., limit: int = ...) -> str | None: ...
    def text(self, name: str, *, required: bool = False, limit: int = MAX_TEXT_CHARS) -> str | None:
        """The field's text, stripped; ``None`` when absent or empty (refused if ``required``)."""
        children = self._children
        element = (
            children.get(name) if children is not None and "/" not in name else self.find(name)
        )
        raw: str | None = None if element is None else element.text
        text = raw.strip() if raw else ""
        if not text:
            if required:
                self.fail(f"missing {name}", name)
            return None
        if len(text) > limit:
            self.fail(f"invalid {name} {shown(text)}: longer than {limit} characters", name)
        return text

    @overload
    def integer(self, name: str, *, required: Literal[True], minimum: int = ...) -> int: ...
    @overload
    def integer(self, name: str, *, required: bool = ..., minimum: int = ...) -> int | None: ...
    def integer(self, name: str, *, required: bool = False, minimum: int = 0) -> int | None:
        """The field as an integer of at most 18 digits, at least ``minimum``."""
        children = self._children
        element = children.get(name) if children is not None else self.element.find(name)
        if element is not None:
            value = plain_integer(element.text)
            if value is not None and value >= minimum:
                return value  # the common case; anything else is checked below
        text = self.text(name, required=required, limit=MAX_INTEGER_DIGITS + 2)
        if text is None:
            return None
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit()):
            self.fail(f"invalid {name} {shown(text)}: expected an integer", name)
        value = int(text)
        if value < minimum:
            self.fail(f"invalid {name} {value}: must be at least {minimum}", name)
        return value

    @overload
    def iso_date(self, name: str, *, required: Literal[True]) -> date: ...
    @overload
    def iso_date(self, name: str, *, required: bool = ...) -> date | None: ...
    def iso_date(self, name: str, *, required: bool = False) -> date | None:
        """The field as a date ``YYYY-MM-DD``."""
        text = self.text(name, required=required, limit=_MAX_DATE_CHARS)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"invalid {name} {shown(text)}: expected a date YYYY-MM-DD", name)

    @overload
    def convert(
        self,
        name: str,
        build: Callable[[str], T],
        *,
        required: Literal[True],
        identifier: bool = ...,
    ) -> T: ...
    @overload
    def convert(
        self, name: str, build: Callable[[str], T], *, required: bool = ..., identifier: bool = ...
    ) -> T | None: ...
    def convert(
        self,
        name: str,
        build: Callable[[str], T],
        *,
        required: bool = False,
        identifier: bool = False,
    ) -> T | None:
        """``build(text)`` of the field; its :class:`InvalidValueError` gets the field's place.

        ``identifier=True`` bounds the text to
        :data:`~mycareer.limits.MAX_IDENTIFIER_CHARS` before ``build`` sees it.
        """
        limit = MAX_IDENTIFIER_CHARS if identifier else MAX_TEXT_CHARS
        text = self.text(name, required=required, limit=limit)
        if text is None:
            return None
        try:
            return build(text)
        except InvalidValueError as error:
            self.fail(error.message, name, kind=type(error))


# -- documents --------------------------------------------------------------------


class AttributeReader:
    """The checked attributes of one record of our own formats, every problem collected.

    Our formats (training account, career records) carry values in attributes, and a
    record reports all its problems together: :meth:`get` gives ``None`` for a missing or
    bad value and records why, with the attribute's path, the file and the line, the value
    cut to :data:`~mycareer.limits.MAX_SHOWN_CHARS` characters. A value longer than
    ``limit`` is refused before any parser sees it.

    >>> from fractions import Fraction
    >>> from mycareer.xmlio._safe import parse_bytes
    >>> element = parse_bytes(b'<credit days="1.5" hours="x" />').getroot()
    >>> reader = AttributeReader("a.xml")
    >>> reader.get(element, "days", Fraction, "$.credit")
    Fraction(3, 2)
    >>> reader.get(element, "hours", int, "$.credit") is None
    True
    >>> print(reader.problems[0])
    a.xml:1: invalid hours 'x': invalid literal for int() with base 10: 'x' @ $.credit.hours
    """

    __slots__ = ("file", "problems")

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[InvalidValueError] = []

    def fail(self, message: str, element: Any, where: str) -> None:
        """Record a problem at record path ``where`` on ``element``'s line."""
        line = getattr(element, "sourceline", None)
        self.problems.append(
            InvalidValueError(clip(message), path=where, source=SourceRef(self.file, line))
        )

    def get(
        self,
        element: Any,
        name: str,
        parse: Callable[[str], T],
        where: str,
        *,
        required: bool = False,
        limit: int = MAX_ATTRIBUTE_CHARS,
    ) -> T | None:
        """Attribute ``name`` of ``element`` through ``parse``, or ``None`` (problem recorded)."""
        raw = element.get(name)
        if raw is None:
            if required:
                self.fail(f"missing attribute {name!r}", element, f"{where}.{name}")
            return None
        if len(raw) > limit:
            self.fail(
                f"invalid {name} {shown(raw)}: longer than {limit} characters",
                element,
                f"{where}.{name}",
            )
            return None
        try:
            return parse(raw)
        except DATA_ERRORS as error:
            reason = error.message if isinstance(error, InvalidValueError) else str(error)
            self.fail(f"invalid {name} {shown(raw)}: {reason}", element, f"{where}.{name}")
            return None


def refuse_doctype(element: Any, label: str) -> None:
    """Refuse a DOCTYPE that ``_safe``'s prolog check missed (non-seekable streams).

    Checked at the root's start event, before any entity could be referenced.
    """
    if has_doctype(element):
        raise InputError(
            "refused: the document declares a DOCTYPE (DTDs and entities are not accepted)",
            source=SourceRef(label, element.sourceline),
        )


def has_doctype(element: Any) -> bool:
    """Whether the document of ``element`` declares a DOCTYPE."""
    docinfo = element.getroottree().docinfo
    declared = docinfo.internalDTD is not None or docinfo.externalDTD is not None
    return bool(docinfo.doctype) or declared


def close_events(events: Iterator[Any]) -> None:
    """Close an event generator early (releases the file it reads)."""
    close = getattr(events, "close", None)
    if close is not None:
        close()


def root_tag(source: XmlSource, label: str) -> str:
    """The root element's tag, read from the first start event (then the stream rewinds).

    A non-seekable stream gives ``""``: its readers check the root as they go.
    """
    if not isinstance(source, str | os.PathLike | bytes):
        if not source.seekable():
            return ""
        position = source.tell()
    events = iterparse_document(source, events=("start",), name=label, peek=True)
    try:
        _event, element = next(events)
        refuse_doctype(element, label)
        tag = str(element.tag)
    except StopIteration:  # pragma: no cover - the parser raises on empty input
        tag = ""
    except InputError as error:
        if error.source is not None and error.source.line is None:
            # _safe reports libxml2's line 0 of an empty document as "no line": it is line 1
            error.source = SourceRef(error.source.file, 1)
        raise
    finally:
        close_events(events)
    if not isinstance(source, str | os.PathLike | bytes):
        source.seek(position)
    return tag


def check_root(tag: str, expected: str, label: str, *, kind: str) -> None:
    """Refuse a document whose root is not ``expected`` (no namespace)."""
    if tag == expected or tag == "":
        return
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        raise InputError(
            f"not a {kind} document: root element {shown(local)} is in namespace "
            f"{shown(namespace)}; expected <{expected}> without namespace",
            source=SourceRef(label, 1),
        )
    raise InputError(
        f"not a {kind} document: root element <{shown(tag)[1:-1]}>, expected <{expected}>",
        source=SourceRef(label, 1),
    )


# -- identifiers ------------------------------------------------------------------


def checked_niss(text: str) -> Niss:
    """``Niss(text)``, with a fast path for the common, unambiguous case.

    A number of 11 ASCII digits whose month is a national or BIS month and whose
    check digits match the 19xx rule is valid for python-stdnum whatever the
    date (stdnum tries that rule first), so it skips stdnum's slower checks;
    everything else goes through :class:`~mycareer.niss.Niss` (stdnum), after
    the length check of :data:`~mycareer.limits.MAX_IDENTIFIER_CHARS`.

    >>> checked_niss("90010100123") == Niss("90010100123")
    True
    """
    if len(text) == 11 and text.isascii() and text.isdigit():
        month = int(text[2:4])
        if (
            (month <= 12 or 20 <= month <= 32 or 40 <= month <= 52)
            and int(text) > 0
            and 97 - int(text[:9]) % 97 == int(text[9:])
        ):
            return _trusted_niss(text)
    if len(text) > MAX_IDENTIFIER_CHARS:
        raise InvalidNissError(
            f"invalid NISS {shown(text)}: longer than {MAX_IDENTIFIER_CHARS} characters"
        )
    return Niss(text)


#: :func:`checked_niss` remembered: a worker comes back in every quarter's file (and
#: a NISS is immutable, so the records can share one). Refusals are not remembered.
known_niss = bounded_cache(maxsize=1 << 16)(checked_niss)
# Only for text checked above (11 ASCII digits, valid date part and checksum).
_trusted_niss = trusted_constructor(Niss)


# -- files ----------------------------------------------------------------------


#: One path, as every reader takes it.
PathLike = str | os.PathLike[str]
#: What every reader takes: one path, or an iterable of them (a ``str`` is one path).
Paths = PathLike | Iterable[PathLike]


def as_paths(paths: Paths) -> list[PathLike]:
    """``paths`` as a list: a ``str`` or path-like is one path, never iterated.

    >>> as_paths("declarations/"), as_paths(["a.xml", Path("b.xml")])
    (['declarations/'], ['a.xml', PosixPath('b.xml')])
    >>> as_paths(b"a.xml")
    Traceback (most recent call last):
    ...
    TypeError: expected a path (str or os.PathLike) or an iterable of paths, got bytes
    """
    if isinstance(paths, str | os.PathLike):
        return [paths]
    candidate: object = paths  # callers without types may pass anything
    if isinstance(candidate, bytes | bytearray) or not isinstance(candidate, Iterable):
        raise TypeError(
            "expected a path (str or os.PathLike) or an iterable of paths, "
            f"got {type(candidate).__name__}"
        )
    listed = list(paths)
    for item in listed:
        if not isinstance(item, str | os.PathLike):
            raise TypeError(f"expected a path (str or os.PathLike), got {type(item).__name__}")
    return listed


def input_files(
    paths: Paths, suffixes: tuple[str, ...] = (".xml",)
) -> tuple[list[Path], list[InvalidValueError]]:
    """Expand files and folders (recursively, sorted) into the files to read.

    A path named directly is read whatever its name. In folders, entries whose
    suffix is one of ``suffixes`` are read; nothing is skipped silently: an
    unreadable folder, a dangling symbolic link, a link loop, a link leading out
    of the folder (never followed) and a FIFO, socket or device named like an
    input each give an :class:`~mycareer.errors.InputError`.
    """
    files: list[Path] = []
    problems: list[InvalidValueError] = []
    for raw in as_paths(paths):
        path = Path(raw)
        try:
            mode = _mode(path)
            if mode is not None and stat.S_ISDIR(mode):
                _walk(path, path.resolve(), suffixes, files, problems)
                continue
        except OSError as error:
            problems.append(_cannot(path, error))
            continue
        if mode is not None:
            files.append(path)
            continue
        why = "dangling symbolic link" if path.is_symlink() else "no such file or folder"
        problems.append(InputError(f"cannot read: {why}", source=SourceRef(str(path))))
    return files, problems


#: What a path's status fails with when the path names nothing there (as Python 3.11's
#: ``Path.is_dir`` and ``Path.exists`` read them: "no"); any other failure is reported.
_NOTHING_THERE: Final = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_NOTHING_THERE_ON_WINDOWS: Final = frozenset({21, 123, 1921})  # not ready, bad name, loop


def _mode(path: Path) -> int | None:
    """The mode of what ``path`` names (links followed), None when it names nothing.

    One ``stat`` where ``is_dir`` then ``exists`` made two for each file named: a run
    names each group's files (3 % of a run over small employers' files,
    docs/performance.md "Small employers").
    """
    try:
        return os.stat(path).st_mode
    except ValueError:  # a NUL byte in the name: nothing can be there
        return None
    except OSError as error:
        if error.errno in _NOTHING_THERE or (
            getattr(error, "winerror", None) in _NOTHING_THERE_ON_WINDOWS
        ):
            return None
        raise


def _cannot(path: Path, error: OSError) -> InputError:
    return cannot_read(str(path), error)


def _walk(
    folder: Path,
    root: Path,
    suffixes: tuple[str, ...],
    files: list[Path],
    problems: list[InvalidValueError],
) -> None:
    """Walk ``folder`` (inside the tree ``root``), sorted, following no link out of it."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as error:
        problems.append(_cannot(folder, error))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            _visit(entry, path, root, suffixes, files, problems)
        except OSError as error:
            problems.append(_cannot(path, error))


def _visit(
    entry: os.DirEntry[str],
    path: Path,
    root: Path,
    suffixes: tuple[str, ...],
    files: list[Path],
    problems: list[InvalidValueError],
) -> None:
    named_like_input = path.suffix.lower() in suffixes
    if entry.is_symlink():
        try:
            target = path.resolve(strict=True)
        except RuntimeError:  # Python 3.11 reports a link loop this way
            problems.append(
                InputError("cannot read: symbolic link loop", source=SourceRef(str(path)))
            )
            return
        except OSError as error:
            if error.errno == errno.ELOOP:
                why = "symbolic link loop"
            elif error.errno == errno.ENOENT:
                why = "dangling symbolic link"
            else:
                why = error.strerror or str(error)
            if named_like_input or not isinstance(error, FileNotFoundError):
                problems.append(InputError(f"cannot read: {why}", source=SourceRef(str(path))))
            return
        if not target.is_relative_to(root):
            if named_like_input or target.is_dir():
                problems.append(
                    InputError(
                        f"not followed: symbolic link leads out of the folder ({root})",
                        source=SourceRef(str(path)),
                    )
                )
            return
        if target.is_dir():
            if path.parent.resolve().is_relative_to(target):
                problems.append(
                    InputError("cannot read: symbolic link loop", source=SourceRef(str(path)))
                )
            return  # a folder of this tree: walked under its own name
    elif entry.is_dir(follow_symlinks=False):
        _walk(path, root, suffixes, files, problems)
        return
    if not named_like_input:
        return
    if entry.is_file():
        files.append(path)
    else:
        problems.append(
            InputError(
                "cannot read: not a regular file (FIFO, socket or device)",
                source=SourceRef(str(path)),
            )
        )


def each_document(
    source: XmlSource | Iterable[PathLike],
    *,
    name: str | None,
    errors: ErrorSink | None,
    suffixes: tuple[str, ...] = (".xml",),
) -> Iterator[tuple[XmlSource, str]]:
    """The documents an ``iter_*`` reader reads, each with its label.

    Bytes and binary streams are one document (labelled ``name``); a path or an
    iterable of paths is expanded by :func:`input_files` (folders recursively).
    A file that cannot be listed goes to ``errors``, or is raised when there is
    no sink.
    """
    if isinstance(source, bytes) or hasattr(source, "read"):
        yield cast(XmlSource, source), name or source_name(cast(XmlSource, source))
        return
    paths = as_paths(source)
    files, problems = input_files(paths, suffixes)
    for problem in problems:
        if errors is None:
            raise problem
        add_error(errors, problem)
    single = len(paths) == 1 and len(files) == 1 and Path(paths[0]) == files[0]
    for file in files:
        yield file, (name if single and name else str(file))
