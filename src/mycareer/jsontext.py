"""The JSON spelling of values every document shares: quantities, findings, errors.

Quantities (``docs/formats.md``, section Numbers):

Every quantity is a JSON **string**, never a JSON number (a float would round it):

* **decimal**: exactly :data:`DECIMAL_PLACES` places, rounded half-even, for display and
  for clients that only add and compare: ``"3.3333"``, ``"5.0000"``, ``"-0.2500"``;
* **exact**: the rational number in lowest terms, ``"p/q"``, or ``"p"`` when whole:
  ``"10/3"``, ``"5"``, ``"-1/4"``. Where exactness matters (days, hours, work fractions),
  the field ``NAME`` holds the decimal and ``NAME_exact`` the exact value.

>>> decimal_text(Fraction(10, 3)), exact_text(Fraction(10, 3))
('3.3333', '10/3')
>>> decimal_text(Fraction(1, 8)), decimal_text(Fraction(3, 80000)), decimal_text(-Fraction(1, 4))
('0.1250', '0.0000', '-0.2500')
>>> quantity("days", Fraction(9, 5))
{'days': '1.8000', 'days_exact': '9/5'}
>>> quantity("days", None)
{'days': None, 'days_exact': None}

Errors keep where they were found, apart (RFC 9457 problem details reuse this shape):

>>> error_to_json(InvalidValueError("invalid NISS '1'", path="$.niss",
...     source=SourceRef("q1.xml", 12, "$.Form[1]")))  # doctest: +NORMALIZE_WHITESPACE
{'message': "invalid NISS '1'", 'file': 'q1.xml', 'line': 12, 'record': '$.Form[1]',
 'path': '$.niss'}
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from mycareer.errors import InvalidValueError, SourceRef
from mycareer.findings import Finding

__all__ = [
    "ARRAY_ITEM_SEPARATOR",
    "ARRAY_LINES_END",
    "ARRAY_LINES_START",
    "DECIMAL_PATTERN",
    "DECIMAL_PLACES",
    "EXACT_PATTERN",
    "decimal_text",
    "error_to_json",
    "errors_to_json",
    "exact_text",
    "finding_to_json",
    "item_text",
    "quantity",
]

#: Between the items of a JSON array the bulk outputs write one compact item a line.
ARRAY_ITEM_SEPARATOR: Final = ",\n"
#: Before the first and after the last item of such an array (``[]`` when it is empty).
ARRAY_LINES_START: Final = "[\n"
ARRAY_LINES_END: Final = "\n]\n"

#: Places of every decimal string.
DECIMAL_PLACES: Final = 4

#: JSON Schema pattern of a decimal string (``$defs/decimal`` in the shipped schemas).
DECIMAL_PATTERN: Final = r"^-?[0-9]+\.[0-9]{4}$"

#: JSON Schema pattern of an exact string (``$defs/exact`` in the shipped schemas).
EXACT_PATTERN: Final = r"^-?[0-9]+(/[0-9]+)?$"

_SCALE: Final = 10**DECIMAL_PLACES


def decimal_text(value: Fraction | Decimal | int) -> str:
    """``value`` with :data:`DECIMAL_PLACES` places, rounded half-even, without a float.

    >>> decimal_text(Fraction(5, 12)), decimal_text(Decimal("1.35")), decimal_text(7)
    ('0.4167', '1.3500', '7.0000')
    >>> decimal_text(Fraction(1, 20000)), decimal_text(Fraction(3, 20000))  # half-even
    ('0.0000', '0.0002')
    """
    exact = value if type(value) is Fraction else Fraction(value)
    # Integer half-even rounding of numerator * 10**4 / denominator: the same as
    # round(exact * 10**4) (tests/test_jsontext.py holds them equal) without building
    # Fractions, which made this a third of the account JSON's time.
    numerator, denominator = exact.numerator, exact.denominator
    scaled, rest = divmod(numerator * _SCALE, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and scaled & 1):
        scaled += 1
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), _SCALE)
    return f"{sign}{whole}.{part:0{DECIMAL_PLACES}d}"


def exact_text(value: Fraction | Decimal | int) -> str:
    """``value`` as ``"p/q"`` in lowest terms, or ``"p"`` when whole.

    >>> exact_text(Fraction(38, 5)), exact_text(Fraction(6, 3)), exact_text(Decimal("1.35"))
    ('38/5', '2', '27/20')
    """
    return str(value if type(value) is Fraction else Fraction(value))


def quantity(name: str, value: Fraction | Decimal | int | None) -> dict[str, str | None]:
    """The pair ``{NAME: decimal, NAME_exact: exact}`` (both null when ``value`` is None)."""
    if value is None:
        return {name: None, f"{name}_exact": None}
    return {name: decimal_text(value), f"{name}_exact": exact_text(value)}


def item_text(value: Any, indent: int | None = None, level: int = 1) -> str:
    """``value`` as an item of a list ``level`` deep sits in the whole document's JSON.

    Compact (``indent`` None): ``json.dumps(value, ensure_ascii=False)``, as the
    documents write one item a line. Indented: the lines ``json.dumps(document,
    indent=indent)`` gives the item there, its first line's padding included, so a
    worker process can encode its items for an indented document as it does for a
    compact one, and the writer only joins them.

    >>> item_text({"a": [1]}), item_text({"a": [1]}, 2, 1)
    ('{"a": [1]}', '  {\\n    "a": [\\n      1\\n    ]\\n  }')
    """
    if indent is None:
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (indent * level)
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return pad + text.replace("\n", "\n" + pad)  # JSON strings hold no raw newline


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """A finding: ``code``, ``severity``, ``message``, ``source`` (``file:line record``)."""
    source = finding.source
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "source": None if source is None else str(source),
    }


def error_to_json(error: BaseException) -> dict[str, Any]:
    """One refused value or file: its message and where, each part apart (null if unknown)."""
    if not isinstance(error, InvalidValueError):
        return {"message": str(error), "file": None, "line": None, "record": None, "path": None}
    source = error.source or SourceRef()
    return {
        "message": error.message,
        "file": source.file,
        "line": source.line,
        "record": source.record,
        "path": error.path,
    }


def errors_to_json(error: BaseException) -> list[dict[str, Any]]:
    """Every leaf of an error (a group's members, recursively) as :func:`error_to_json`."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in errors_to_json(inner)]
    return [error_to_json(error)]
