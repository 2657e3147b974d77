"""The type validators of the public value classes: ``is_a`` and ``items_of``.

Kept apart from :mod:`mycareer._checks` (which re-exports them with the converters)
because they import nothing of mycareer: :mod:`mycareer.errors` uses them too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

__all__ = ["is_a", "items_of"]

_Validator = Callable[[Any, Any, Any], None]


def _shown(raw: object) -> str:
    text = repr(raw)
    return f"{type(raw).__name__} {text if len(text) <= 80 else text[:77] + '...'}"


def _float_hint(raw: object) -> str:
    if not isinstance(raw, float):
        return ""
    return (
        f"; a float is never exact: write Fraction({str(raw)!r}), "
        f"WorkFraction.parse({str(raw)!r}) or WorkFraction.from_hundredths(Q, S)"
    )


def is_a(*types: type, optional: bool = False) -> _Validator:
    """A validator: the value is an instance of ``types`` (``None`` too when optional).

    ``bool`` is not accepted as an ``int``, nor a ``datetime`` as a ``date``.
    """
    names = " or ".join(t.__name__ for t in types) + (" or None" if optional else "")
    strict_int = int in types and bool not in types
    strict_date = date in types and datetime not in types
    quantity = any(t.__name__ == "WorkFraction" for t in types)

    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value is None and optional:
            return
        if (
            not isinstance(value, types)
            or (strict_int and isinstance(value, bool))
            or (strict_date and isinstance(value, datetime))
        ):
            owner = type(instance).__name__
            raise TypeError(
                f"{owner}.{attribute.name}: expected {names}, got {_shown(value)}"
                f"{_float_hint(value) if quantity else ''}"
            )

    return check


def items_of(item: type) -> _Validator:
    """A validator: every item of the (already converted) tuple is an ``item``."""

    def check(instance: Any, attribute: Any, value: Any) -> None:
        for index, found in enumerate(value):
            if not isinstance(found, item):
                owner = type(instance).__name__
                raise TypeError(
                    f"{owner}.{attribute.name}[{index}]: expected {item.__name__}, "
                    f"got {_shown(found)}"
                )

    return check
