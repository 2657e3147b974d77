"""Field checks of the public value classes: convert what converts losslessly, refuse the rest.

Two halves, both attrs hooks. A *converter* (a named, typed function, so that
``mypy`` shows users the spellings a field accepts) turns a natural, lossless
spelling into the field's type (``"85073003328"`` to a
:class:`~mycareer.niss.Niss`, ``"employment"`` to the enum, an enterprise number
to an :class:`~mycareer.employer.Employer`) and leaves anything else alone; a
*validator* then refuses a value of the wrong type with a :class:`TypeError`
naming ``Class.field``. A float never becomes a quantity.

Bulk readers build instances from values they have already checked through
:func:`mycareer._slots.slot_constructor`, which skips every validator and the
converters listed in :data:`CHECKS`.

>>> import attrs
>>> from mycareer.niss import Niss, to_niss
>>> @attrs.frozen
... class Worker:
...     niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
>>> Worker("85.07.30-033.28")
Worker(niss=Niss(value='85073003328'))
>>> Worker(85073003328.0)
Traceback (most recent call last):
...
TypeError: Worker.niss: expected Niss, got float 85073003328.0
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, TypeVar, cast

from mycareer._validators import is_a, items_of
from mycareer.errors import InvalidValueError

__all__ = [
    "CHECKS",
    "is_a",
    "items_of",
    "register",
    "to_date",
    "to_enum",
    "to_optional_date",
]

_E = TypeVar("_E", bound=Enum)


def to_date(raw: date | str) -> date:
    """ISO text (``"2024-01-31"``) becomes a date."""
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidValueError(f"invalid date {raw[:80]!r}: expected YYYY-MM-DD") from None
    return raw


def to_optional_date(raw: date | str | None) -> date | None:
    return None if raw is None else to_date(raw)


def to_enum(enum: type[_E], raw: object) -> _E:
    """A member's value (``"employment"``, ``1``) becomes the member; other types pass on."""
    if type(raw) is enum or isinstance(raw, bool):
        return cast(_E, raw)
    value_type = type(next(iter(enum)).value)
    if not isinstance(raw, value_type):
        return cast(_E, raw)  # the field's validator names it
    try:
        return enum(raw)
    except ValueError:
        choices = ", ".join(str(member.value) for member in enum)
        raise InvalidValueError(
            f"unknown {enum.__name__} {raw!r:.80}: expected one of {choices}"
        ) from None


#: The converters above and those :func:`register`-ed next to their enums:
#: :func:`mycareer._slots.slot_constructor` skips them.
CHECKS: set[Callable[..., Any]] = {to_date, to_optional_date}


def register(*converters: Callable[..., Any]) -> None:
    """Add converters defined next to their enums (e.g. ``PeriodKind``) to :data:`CHECKS`."""
    CHECKS.update(converters)
