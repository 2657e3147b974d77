r"""The one cattrs converter of mycareer, and JSON helpers built on it.

Dates are ISO text, identifiers are strings, exact fractions are ``"4/5"``,
decimals are strings, periods are ``{"start": ..., "end": ...}`` with an
inclusive (or null) end. Unknown keys are refused, and every problem of a
document is reported at once with its path. Integers keep at most
:data:`~mycareer.limits.MAX_INTEGER_DIGITS` digits, texts at most
:data:`~mycareer.limits.MAX_TEXT_CHARS` characters, booleans must be ``true`` or
``false``, and a refused integer, text, boolean or enum value is quoted cut to
:data:`~mycareer.limits.MAX_SHOWN_CHARS` (cattrs' own messages quote it whole).

>>> from datetime import date
>>> from mycareer.period import Period
>>> to_json(Period(date(2024, 1, 1), None))
'{"start": "2024-01-01", "end": null}'
>>> from_json('{"start": "2024-01-01", "end": "2024-01-31", "x": 1}', Period)
Traceback (most recent call last):
...
mycareer.errors.MycareerErrorGroup: invalid Period document: 1 problem(s) (1 sub-exception)
>>> from mycareer.career import CareerRecords
>>> try:
...     from_json('[{"niss": "123", "periods": []}, {"niss": 5, "periods": [7]}]',
...               list[CareerRecords])
... except MycareerErrorGroup as group:
...     print("\n".join(flatten_errors(group)))
invalid NISS '123': The number has an invalid length. @ $[0].niss
invalid NISS '00000000005': The number's checksum or check digit is invalid. @ $[1].niss
invalid value for CareerPeriod: ... @ $[1].periods[0]
>>> from mycareer.fla.trainings import TrainingStatus
>>> try:
...     structure("x" * 5000, TrainingStatus)
... except MycareerErrorGroup as group:
...     print(*flatten_errors(group))
invalid TrainingStatus 'xxx...xxx'… (5000 chars): expected one of 'completed', ... @ $
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Final, TypeVar

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.preconf.json import make_converter

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    InputError,
    InvalidPeriodError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
    flatten_errors,
)
from mycareer.joint_commission import JointCommission
from mycareer.limits import (
    MAX_INTEGER_DIGITS,
    MAX_JSON_DEPTH,
    check_text,
    clip,
    json_depth,
    parse_decimal,
    parse_fraction,
    parse_integer,
    shown,
)
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.work_fraction import WorkFraction

__all__ = [
    "converter",
    "dumps",
    "flatten_errors",
    "from_json",
    "make_mycareer_converter",
    "structure",
    "to_json",
    "unstructure",
]

T = TypeVar("T")


def _structure_period(data: Any, _: type) -> Period:
    if not isinstance(data, dict):
        raise InvalidPeriodError(
            f"a period must be an object with start and end, got {shown(data)}"
        )
    extra = set(data) - {"start", "end"}
    if extra:
        raise InvalidPeriodError(f"unknown key(s) {shown(sorted(extra))} in period")
    try:
        start = _iso_date(data["start"])
        end = None if data.get("end") is None else _iso_date(data["end"])
    except KeyError:
        raise InvalidPeriodError(f"a period needs a start, got {shown(data)}") from None
    except (TypeError, ValueError) as error:
        raise InvalidPeriodError(f"invalid period {shown(data)}: {clip(str(error))}") from None
    return Period(start, end)


def _iso_date(text: Any) -> date:
    if isinstance(text, str) and len(text) > 10:  # fromisoformat's message quotes it whole
        raise ValueError(f"expected YYYY-MM-DD, got {shown(text)}")
    return date.fromisoformat(text)


def _unstructure_period(period: Period) -> dict[str, str | None]:
    end = period.end
    return {"start": period.start.isoformat(), "end": None if end is None else end.isoformat()}


def _structure_fraction(data: Any, _: type) -> Fraction:
    if isinstance(data, bool) or not isinstance(data, str | int):
        raise InvalidValueError(f"invalid fraction {shown(data)}: expected text such as '4/5'")
    # Bounded: Fraction("1e999999999") would build a billion-digit integer.
    return parse_fraction(str(data), "fraction")


def _structure_decimal(data: Any, _: type) -> Decimal:
    if isinstance(data, bool) or not isinstance(data, str | int):
        raise InvalidValueError(f"invalid decimal {shown(data)}: expected text such as '2.50'")
    return parse_decimal(str(data), "decimal")


def _structure_date(data: Any, _: type) -> date:
    if not isinstance(data, str):
        raise InvalidValueError(f"invalid date {shown(data)}: expected YYYY-MM-DD text")
    try:
        return _iso_date(data)
    except ValueError:
        raise InvalidValueError(f"invalid date {shown(data)}: expected YYYY-MM-DD") from None


def _structure_int(data: Any, _: type) -> int:
    # cattrs' own hook is int(data): no digit bound, and its message quotes the text whole.
    if isinstance(data, str):
        return parse_integer(data, "integer")
    if isinstance(data, int) and not isinstance(data, bool):
        if abs(data) >= 10**MAX_INTEGER_DIGITS:
            raise InvalidValueError(
                f"invalid integer {shown(data)}: more than {MAX_INTEGER_DIGITS} digits"
            )
        return data
    raise InvalidValueError(f"invalid integer {shown(data)}: expected an integer")


def _structure_text(data: Any, _: type, what: str = "text") -> str:
    # cattrs' own hook is str(data): a list became its repr, and no length was checked.
    if not isinstance(data, str):
        raise InvalidValueError(f"invalid {what} {shown(data)}: expected a string")
    return check_text(data, what)


def _structure_bool(data: Any, _: type) -> bool:
    # cattrs' own hook is bool(data): "false" would be True.
    if not isinstance(data, bool):
        raise InvalidValueError(f"invalid boolean {shown(data)}: expected true or false")
    return data


def _structure_enum(data: Any, cls: type[Enum]) -> Enum:
    # cattrs' own hook is cls(data), whose message quotes the value whole.
    try:
        return cls(data)
    except (ValueError, TypeError):
        allowed = ", ".join(shown(member.value) for member in cls)
        raise InvalidValueError(
            f"invalid {cls.__name__} {shown(data)}: expected one of {clip(allowed)}"
        ) from None


def _string_hooks(conv: cattrs.Converter, cls: type[Any], parse: Any) -> None:
    conv.register_unstructure_hook(cls, str)
    conv.register_structure_hook(cls, lambda data, _: parse(data))


def _structure_string(cls: type[Any]) -> Any:
    def parse(data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, str | int):
            raise InvalidValueError(f"invalid {cls.__name__} {shown(data)}: expected text")
        return cls(data)

    return parse


def _structure_employer(data: Any, _: type) -> Employer:
    if not isinstance(data, dict):
        raise InvalidValueError(f"an employer must be an object, got {shown(data)}")
    extra = set(data) - {"enterprise", "nsso", "name"}
    if extra:
        raise InvalidValueError(f"unknown key(s) {shown(sorted(extra))} in employer")
    enterprise = data.get("enterprise")
    nsso = data.get("nsso")
    name = data.get("name")
    return Employer(
        enterprise=None if enterprise is None else _structure_string(EnterpriseNumber)(enterprise),
        nsso=None if nsso is None else _structure_string(NssoNumber)(nsso),
        name=None if name is None else _structure_text(name, str, "employer name"),
    )


def make_mycareer_converter() -> cattrs.Converter:
    """A fresh converter with mycareer's hooks (for callers who add their own)."""
    conv = make_converter(forbid_extra_keys=True, detailed_validation=True)
    for cls in (Niss, EnterpriseNumber, NssoNumber, JointCommission):
        _string_hooks(conv, cls, _structure_string(cls))
    _string_hooks(conv, Quarter, Quarter.parse)
    _string_hooks(conv, WorkFraction, lambda data: WorkFraction.parse(str(data)))
    conv.register_structure_hook(date, _structure_date)  # values quoted cut, never whole
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_text)  # bounded by MAX_TEXT_CHARS
    conv.register_structure_hook(bool, _structure_bool)  # else int's hook takes bools
    for base in (Enum, StrEnum, IntEnum):  # before str's and int's hooks, which they subclass
        conv.register_structure_hook(base, _structure_enum)
    conv.register_unstructure_hook(Fraction, str)
    conv.register_structure_hook(Fraction, _structure_fraction)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Period, _unstructure_period)
    conv.register_structure_hook(Period, _structure_period)
    conv.register_unstructure_hook(
        Employer,
        lambda e: {
            "enterprise": None if e.enterprise is None else str(e.enterprise),
            "nsso": None if e.nsso is None else str(e.nsso),
            "name": e.name,
        },
    )
    conv.register_structure_hook(Employer, _structure_employer)
    return conv


#: The dedicated converter; never cattrs' global one.
converter: Final[cattrs.Converter] = make_mycareer_converter()


def _format(error: BaseException, type_: Any) -> str:
    if isinstance(error, InvalidValueError):
        return error.message
    if isinstance(error, ForbiddenExtraKeysError):
        return f"unknown key(s) {shown(sorted(error.extra_fields))}"
    if isinstance(error, KeyError):
        return f"required key {shown(error.args[0])} is missing"
    name = getattr(type_, "__name__", str(type_))
    return f"invalid value for {name}: {clip(str(error))}"


def structure(
    data: Any, cls: type[T], *, what: str | None = None, source: SourceRef | None = None
) -> T:
    """Structure plain data into ``cls``; every problem is reported with its path.

    ``source`` (where the data was read: its file) is set on every error without one.
    """
    label = what or getattr(cls, "__name__", "document")
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError) as group:
        lines = cattrs.transform_error(group, path="$", format_exception=_format)
        errors: list[Exception] = []
        for line in lines:
            message, _, path = line.rpartition(" @ ")
            errors.append(InvalidValueError(message or line, path=path or None, source=source))
        message = f"invalid {label} document: {len(errors)} problem(s)"
        raise MycareerErrorGroup(message, errors) from None
    except InvalidValueError as error:
        if error.path is None:
            error.path = "$"
        if error.source is None:
            error.source = source
        raise MycareerErrorGroup(f"invalid {label} document: 1 problem(s)", [error]) from None
    except (TypeError, AttributeError, ValueError, RecursionError) as error:
        # cattrs on a shape it does not expect (``42`` for an object): still bad input
        refused = InvalidValueError(
            f"cannot read {label}: {type(error).__name__}: {shown(str(error))}",
            path="$",
            source=source,
        )
        raise MycareerErrorGroup(f"invalid {label} document: 1 problem(s)", [refused]) from None


def unstructure(obj: Any) -> Any:
    """Plain JSON-ready data for any mycareer value."""
    return converter.unstructure(obj)


def dumps(data: Any, *, indent: int | None = None) -> str:
    """``json.dumps`` with stable key order as produced by the converter."""
    return json.dumps(data, indent=indent, ensure_ascii=False)


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialise a mycareer value to JSON text."""
    return dumps(unstructure(obj), indent=indent)


def from_json(text: str | bytes, cls: type[T], *, source: str | None = None) -> T:
    """Parse JSON text into ``cls``; malformed JSON names its line and column."""
    where = f"{source}: " if source else ""
    try:
        # Integers bounded before int() sees them (mycareer.limits).
        data = json.loads(text, parse_int=lambda raw: parse_integer(raw, "JSON integer"))
    except json.JSONDecodeError as error:
        raise InputError(
            f"{where}malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        data = None
        deep = True
    except InvalidValueError as error:
        raise InputError(f"{where}{error.message}") from None
    except UnicodeDecodeError as error:  # bytes: json guesses UTF-8, -16 or -32
        raise InputError(f"{where}not UTF-8 text: {error.reason} at byte {error.start}") from None
    else:
        deep = json_depth(data) > MAX_JSON_DEPTH
    if deep:
        raise InputError(f"{where}JSON nested deeper than {MAX_JSON_DEPTH} levels: refused")
    return structure(data, cls, source=None if source is None else SourceRef(source))
