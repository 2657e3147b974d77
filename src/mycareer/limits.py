"""Every bound mycareer puts on its input, in one place, with the checks that enforce them.

A reader never does unbounded work on a value it has not checked: identifiers
are measured before python-stdnum or ``int()`` sees them, numbers are parsed
with bounded digits and exponent, whole-file inputs (JSON, CSV, TOML) are read
up to a size limit (so ``/dev/zero`` stops with a clear error), JSON nesting is
bounded, and one input reports at most :data:`MAX_ERRORS_PER_INPUT` errors
(then one summary line). Values are quoted in messages cut to
:data:`MAX_SHOWN_CHARS` characters. ``docs/concepts.md`` lists these limits
for users.

>>> shown("x" * 200)[-16:]
"xx'… (200 chars)"
>>> parse_integer("0042", "hours")
42
>>> parse_integer("9" * 40, "hours")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mycareer.errors.InvalidValueError: invalid hours '99999...': more than 18 digits
>>> parse_decimal("1e-999999", "hours")
Traceback (most recent call last):
...
mycareer.errors.InvalidValueError: invalid hours '1e-999999': exponent beyond ±30
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final

from mycareer.errors import InputError, InvalidValueError, SourceRef

__all__ = [
    "DATA_ERRORS",
    "MAX_CSV_FIELD_CHARS",
    "MAX_DECIMAL_DIGITS",
    "MAX_DECIMAL_EXPONENT",
    "MAX_ERRORS_PER_INPUT",
    "MAX_FRACTION_CHARS",
    "MAX_IDENTIFIER_CHARS",
    "MAX_INPUT_BYTES",
    "MAX_INTEGER_DIGITS",
    "MAX_JSON_DEPTH",
    "MAX_MESSAGE_CHARS",
    "MAX_SHOWN_CHARS",
    "MAX_TEXT_CHARS",
    "MISSING_INPUT",
    "cannot_read",
    "check_decimal",
    "check_identifier",
    "check_text",
    "clip",
    "csv_header",
    "csv_rows",
    "exact_quantity",
    "identifier_text",
    "json_depth",
    "load_json",
    "parse_decimal",
    "parse_fraction",
    "parse_integer",
    "read_input_bytes",
    "read_input_text",
    "shown",
]

#: The builtin exceptions bad input can still raise from deep inside a parser or a value
#: class: the readers' boundaries (per file, or per record in our XML formats) turn them
#: into a MycareerError. (TypeError and AttributeError are bugs, and are left to surface.)
DATA_ERRORS: Final = (ValueError, ArithmeticError, RecursionError, UnicodeError, LookupError)
#: A value quoted in an error message is cut to this many characters.
MAX_SHOWN_CHARS: Final = 80
#: A message quoted from a parser (libxml2, json, csv) is cut to this many characters.
MAX_MESSAGE_CHARS: Final = 240
#: Longest identifier text (NISS, enterprise or ONSS number, with separators) looked at.
MAX_IDENTIFIER_CHARS: Final = 32
#: Most digits in an integer field (hours in hundredths, codes, counts, years).
MAX_INTEGER_DIGITS: Final = 18
#: Most significant digits in a decimal field (hours, days, amounts).
MAX_DECIMAL_DIGITS: Final = 30
#: Largest decimal exponent accepted, either sign: ``1e-999999`` is refused.
MAX_DECIMAL_EXPONENT: Final = 30
#: Longest exact-number text (``p/q`` of two such integers, or a decimal).
MAX_FRACTION_CHARS: Final = 2 * MAX_INTEGER_DIGITS + 3
#: Largest text field of an XML, JSON or CSV record (names, references, labels).
MAX_TEXT_CHARS: Final = 4096
#: Largest CSV field (csv_rows); the csv module's own limit (131,072) is never changed.
MAX_CSV_FIELD_CHARS: Final = 65536
#: Largest whole-file input (JSON, CSV, TOML, sidecars); XML is streamed instead.
MAX_INPUT_BYTES: Final = 64 * 1024 * 1024
#: Deepest JSON nesting accepted (our documents need fewer than 10 levels).
MAX_JSON_DEPTH: Final = 64
#: Errors kept per input file; the rest are counted in one summary error.
MAX_ERRORS_PER_INPUT: Final = 1000


def shown(value: object) -> str:
    """``repr(value)`` cut to :data:`MAX_SHOWN_CHARS` characters, for messages.

    >>> shown("ab"), shown(None), shown(12), shown(2**20000)
    ("'ab'", 'None', '12', '<an integer of 20001 bits>')
    """
    is_text = isinstance(value, str)
    if isinstance(value, int) and value.bit_length() > 10_000:  # repr() fails past 4,300 digits
        return f"<an integer of {value.bit_length()} bits>"
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= MAX_SHOWN_CHARS:
        return repr(text) if is_text else text
    cut = text[:MAX_SHOWN_CHARS]
    return f"{cut!r}… ({len(text)} chars)" if is_text else f"{cut}… ({len(text)} chars)"


def clip(message: str) -> str:
    """A parser's message cut to :data:`MAX_MESSAGE_CHARS` (they may quote the input).

    >>> clip("x" * 300)[-8:]
    'x… (cut)'
    """
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[:MAX_MESSAGE_CHARS] + "… (cut)"


def check_identifier(
    text: str, what: str, *, error: type[InvalidValueError] = InvalidValueError
) -> str:
    """Refuse an identifier text too long to be one, before any conversion sees it.

    >>> check_identifier("85.07.30-033.28", "NISS")
    '85.07.30-033.28'
    >>> check_identifier("1" * 5000, "NISS")
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: invalid NISS '1111...'… (5000 chars): longer than 32 ...
    """
    if len(text) > MAX_IDENTIFIER_CHARS:
        raise error(f"invalid {what} {shown(text)}: longer than {MAX_IDENTIFIER_CHARS} characters")
    return text


def check_text(text: str, what: str, *, path: str | None = None) -> str:
    """Refuse a text field (a name, a label) longer than :data:`MAX_TEXT_CHARS`.

    ``path`` (where the text was found) is set on the error.

    >>> check_text("Acme", "employer name")
    'Acme'
    >>> check_text("x" * 5000, "label")
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: invalid label 'xxx...'… (5000 chars): longer than 4096 ...
    """
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidValueError(
            f"invalid {what} {shown(text)}: longer than {MAX_TEXT_CHARS} characters", path=path
        )
    return text


def identifier_text(
    raw: object, what: str, *, error: type[InvalidValueError], width: int = 0
) -> str:
    """The stripped text of an identifier given as ``str`` or ``int``, its length bounded.

    The one gate of :class:`~mycareer.niss.Niss`, :class:`~mycareer.enterprise.EnterpriseNumber`
    and :class:`~mycareer.nsso.NssoNumber`: python-stdnum and ``int()`` only ever see at most
    :data:`MAX_IDENTIFIER_CHARS` characters (``str()`` of a huge ``int`` is not even tried, as
    it fails past Python's 4,300-digit limit). An ``int`` is zero-padded to ``width`` digits.

    >>> identifier_text(" 123 ", "ONSS number", error=InvalidValueError)
    '123'
    >>> identifier_text(123, "NISS", error=InvalidValueError, width=11)
    '00000000123'
    >>> identifier_text(10**100, "NISS", error=InvalidValueError)
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: invalid NISS: an integer of 101 digits, longer than 32 ...
    """
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise error(f"invalid {what} {shown(raw)}: expected a string of digits")
    if isinstance(raw, int):
        if abs(raw) >= 10**MAX_IDENTIFIER_CHARS:
            size = len(str(abs(raw))) if raw.bit_length() < 10_000 else None
            count = f"{size} digits" if size else f"{raw.bit_length()} bits"
            raise error(
                f"invalid {what}: an integer of {count}, longer than {MAX_IDENTIFIER_CHARS} "
                "characters"
            )
        return str(raw).zfill(width)
    return check_identifier(raw.strip(), what, error=error)


def parse_integer(text: str, what: str, *, digits: int = MAX_INTEGER_DIGITS) -> int:
    """An optionally signed decimal integer of at most ``digits`` digits (ASCII only)."""
    body = text.strip()
    unsigned = body[1:] if body[:1] in "+-" else body
    if not (unsigned.isascii() and unsigned.isdigit()):
        raise InvalidValueError(f"invalid {what} {shown(text)}: expected an integer")
    if len(unsigned.lstrip("0")) > digits:
        raise InvalidValueError(f"invalid {what} {shown(text)}: more than {digits} digits")
    return int(body)


def parse_decimal(text: str, what: str) -> Decimal:
    """A finite decimal with bounded digits and exponent (``1e-999999`` is refused)."""
    body = text.strip()
    if len(body) > MAX_DECIMAL_DIGITS + 40:
        raise InvalidValueError(
            f"invalid {what} {shown(text)}: more than {MAX_DECIMAL_DIGITS} digits"
        )
    try:
        value = Decimal(body)
    except InvalidOperation:
        raise InvalidValueError(f"invalid {what} {shown(text)}: expected a decimal") from None
    return check_decimal(value, what, text)


def parse_fraction(text: str, what: str) -> Fraction:
    """An exact ``p/q`` or decimal text as a :class:`~fractions.Fraction`, bounded first.

    ``Fraction("1e999999999")`` would build a billion-digit integer and
    ``Fraction("9" * 5000)`` fails with Python's bare digit-limit ``ValueError``;
    here the text is at most :data:`MAX_FRACTION_CHARS` characters and a decimal
    exponent at most ±:data:`MAX_DECIMAL_EXPONENT`.

    >>> parse_fraction("22/3", "hours"), parse_fraction(" 7.5", "hours")
    (Fraction(22, 3), Fraction(15, 2))
    >>> parse_fraction("1e-999999", "hours")
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: invalid hours '1e-999999': exponent beyond ±30
    """
    body = text.strip()
    if len(body) > MAX_FRACTION_CHARS:
        raise InvalidValueError(
            f"invalid {what} {shown(text)}: longer than {MAX_FRACTION_CHARS} characters"
        )
    try:
        if "/" in body:
            return Fraction(body)
        return Fraction(check_decimal(Decimal(body), what, text))
    except (ValueError, ZeroDivisionError, InvalidOperation) as error:
        if isinstance(error, InvalidValueError):
            raise
        raise InvalidValueError(
            f"invalid {what} {shown(text)}: expected e.g. '7.5' or '22/3'"
        ) from None


def check_decimal(value: Decimal, what: str, text: object = None) -> Decimal:
    """Refuse a non-finite decimal, or one beyond the digit or exponent bounds."""
    quoted = shown(text if text is not None else str(value))
    if not value.is_finite():
        raise InvalidValueError(f"invalid {what} {quoted}: expected a finite decimal")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    adjusted = exponent + len(digits) - 1
    if abs(exponent) > MAX_DECIMAL_EXPONENT or abs(adjusted) > MAX_DECIMAL_EXPONENT:
        raise InvalidValueError(f"invalid {what} {quoted}: exponent beyond ±{MAX_DECIMAL_EXPONENT}")
    if len(digits) > MAX_DECIMAL_DIGITS:
        raise InvalidValueError(f"invalid {what} {quoted}: more than {MAX_DECIMAL_DIGITS} digits")
    del sign
    return value


def exact_quantity(raw: object, what: str, example: str) -> Fraction:
    """A non-negative exact quantity (int, Fraction, Decimal or text; never a float).

    The one reading of training days and hours: bounded digits and exponent, so that
    ``Decimal("1e-999999")`` is refused instead of running for minutes.

    >>> exact_quantity("10/3", "days", "'2.5'"), exact_quantity(Decimal("0.25"), "hours", "'7.5'")
    (Fraction(10, 3), Fraction(1, 4))
    """
    if isinstance(raw, bool | float):
        raise InvalidValueError(
            f"invalid {what} {raw!r}: use an int, Decimal, Fraction or text, never a float"
        )
    if isinstance(raw, Decimal):
        value = Fraction(check_decimal(raw, what))
    elif isinstance(raw, int | Fraction):
        value = Fraction(raw)
    elif isinstance(raw, str):
        value = parse_fraction(raw, what)
    else:
        raise InvalidValueError(f"invalid {what} {shown(raw)}: expected e.g. {example}")
    if value < 0:
        raise InvalidValueError(f"invalid {what} {shown(raw)}: negative")
    return value


#: The one message for an input path that does not exist (after ``PATH: ``).
MISSING_INPUT: Final = "cannot read: no such file or folder"


def cannot_read(label: str, error: OSError) -> InputError:
    """The one wording for an input that cannot be opened, naming the file.

    A missing path reads the same for every reader and command (files and
    folders alike); other failures keep the system's reason.

    >>> cannot_read("q1.xml", FileNotFoundError(2, "No such file or directory")).message
    'cannot read: no such file or folder'
    >>> cannot_read("q1.xml", PermissionError(13, "Permission denied")).message
    'cannot read: Permission denied'
    """
    if isinstance(error, FileNotFoundError):
        return InputError(MISSING_INPUT, source=SourceRef(label))
    return InputError(f"cannot read: {error.strerror or error}", source=SourceRef(label))


def _csv_error(error: csv.Error, reader: csv.DictReader[str], label: str) -> InputError:
    return InputError(
        f"malformed CSV: {shown(str(error))} (a field holds at most "
        f"{MAX_CSV_FIELD_CHARS} characters; the whole file is refused)",
        source=SourceRef(label, reader.line_num + 1),  # the line being read
    )


def _csv_too_long(length: int, label: str, line: int) -> InputError:
    return InputError(
        f"CSV field of {length} characters: more than {MAX_CSV_FIELD_CHARS} "
        "(the whole file is refused)",
        source=SourceRef(label, line),
    )


def csv_header(reader: csv.DictReader[str], label: str) -> list[str]:
    """The header row of a CSV ``DictReader`` (read now), bounded as :func:`csv_rows`."""
    try:
        names = list(reader.fieldnames or ())
    except csv.Error as error:
        raise _csv_error(error, reader, label) from None
    for name in names:
        if len(name) > MAX_CSV_FIELD_CHARS:
            raise _csv_too_long(len(name), label, reader.line_num)
    return names


def csv_rows(
    reader: csv.DictReader[str], label: str
) -> Iterator[tuple[int, dict[str | Any, str | Any]]]:
    """The rows of a CSV ``DictReader`` with their line, fields bounded, as one policy.

    A field longer than :data:`MAX_CSV_FIELD_CHARS` (or one the csv module itself
    refuses, past 131,072) and a malformed file (a NUL byte, an open quote) are
    an :class:`~mycareer.errors.InputError` naming the file and line: the whole file
    is refused, as its rows can no longer be told apart.

    >>> import io
    >>> rows = csv_rows(csv.DictReader(io.StringIO("a,b\\n1," + "x" * 70000 + "\\n")), "t.csv")
    >>> next(rows)
    Traceback (most recent call last):
    ...
    mycareer.errors.InputError: t.csv:2: CSV field of 70000 characters: more than 65536 ...
    """
    csv_header(reader, label)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_error(error, reader, label) from None
        for value in row.values():
            cells = value if isinstance(value, list) else [value]
            for cell in cells:
                if isinstance(cell, str) and len(cell) > MAX_CSV_FIELD_CHARS:
                    raise _csv_too_long(len(cell), label, reader.line_num)
        yield reader.line_num, row


def read_input_bytes(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A whole file's bytes, refusing more than ``limit`` (also for devices and pipes)."""
    label = os.fspath(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise cannot_read(label, error) from None
    if len(data) > limit:
        raise InputError(
            f"input larger than {limit} bytes: refused (limit MAX_INPUT_BYTES)",
            source=SourceRef(label),
        )
    return data


def read_input_text(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> str:
    """A whole UTF-8 file (a BOM is dropped), bounded as :func:`read_input_bytes`."""
    data = read_input_bytes(path, limit=limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text: {error.reason} at byte {error.start}",
            source=SourceRef(os.fspath(path), line),
        ) from None


def json_depth(value: Any) -> int:
    """The nesting depth of a decoded JSON value (a scalar is 0), iteratively.

    >>> json_depth([1, {"a": [2]}])
    3
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((inner, depth + 1) for inner in item.values())
            deepest = max(deepest, depth + 1)
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
            deepest = max(deepest, depth + 1)
    return deepest


def _refuse_constant(name: str) -> Any:
    raise InvalidValueError(f"invalid number {name}: JSON numbers must be finite")


def _line_of(text: str | bytes, raw: str) -> int | None:
    """The line of the first ``raw`` in ``text`` (json's number hooks are not told where)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    where = data.find(raw.encode("ascii"))
    return None if where < 0 else data.count(b"\n", 0, where) + 1  # not found: UTF-16 or -32


def load_json(
    text: str | bytes,
    label: str,
    *,
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """``json.loads`` with bounded integers, decimals, depth, and errors naming the line.

    Integers keep at most :data:`MAX_INTEGER_DIGITS` digits, numbers with a
    fraction or exponent become bounded :class:`~decimal.Decimal` (or go to
    ``parse_float``), ``NaN``/``Infinity`` are refused and nesting deeper than
    :data:`MAX_JSON_DEPTH` is an :class:`~mycareer.errors.InputError`.

    >>> load_json('{"a": [1, 2.50]}', "x.json")
    {'a': [1, Decimal('2.50')]}
    >>> load_json("[" * 100000, "deep.json")
    Traceback (most recent call last):
    ...
    mycareer.errors.InputError: deep.json: JSON nested deeper than 64 levels: refused
    """
    numbers: list[str] = []  # the number being parsed, to name its line if refused

    def integer(raw: str) -> int:
        numbers[:] = [raw]
        return parse_integer(raw, "JSON integer")

    def number(raw: str) -> Any:
        numbers[:] = [raw]
        return (parse_float or (lambda raw: parse_decimal(raw, "JSON number")))(raw)

    try:
        value = json.loads(
            text, parse_int=integer, parse_float=number, parse_constant=_refuse_constant
        )
    except RecursionError:
        value = None
        deep = True
    except json.JSONDecodeError as error:
        raise InputError(
            f"malformed JSON: {error.msg} (column {error.colno})",
            source=SourceRef(label, error.lineno),
        ) from None
    except InvalidValueError as error:
        line = _line_of(text, numbers[-1]) if numbers else None
        raise InputError(error.message, source=SourceRef(label, line)) from None
    except UnicodeDecodeError as error:  # bytes: json guesses UTF-8, -16 or -32
        raise InputError(
            f"not UTF-8 text: {error.reason} at byte {error.start}", source=SourceRef(label)
        ) from None
    else:
        deep = json_depth(value) > MAX_JSON_DEPTH
    if deep:
        raise InputError(
            f"JSON nested deeper than {MAX_JSON_DEPTH} levels: refused", source=SourceRef(label)
        )
    return value
