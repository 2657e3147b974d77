"""Straight-line constructors for frozen, slotted attrs classes (bulk hot paths only).

A frozen attrs ``__init__`` sets each field with ``object.__setattr__``; writing
each slot through its member descriptor instead is measurably cheaper, which
matters where millions of records are built from values already checked (the
bulk entitlements, the career-records fast reader).

>>> import attrs
>>> @attrs.frozen
... class Point:
...     x: int
...     y: int
>>> make_point = slot_constructor(Point)
>>> make_point(1, 2) == Point(1, 2)
True
>>> @attrs.frozen
... class Checked:
...     x: int = attrs.field(validator=attrs.validators.instance_of(int))
>>> slot_constructor(Checked)
Traceback (most recent call last):
...
TypeError: Checked.x has a validator or converter
"""

from __future__ import annotations

from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, TypeVar

import attrs

__all__ = ["slot_constructor"]

_T = TypeVar("_T", bound=attrs.AttrsInstance)


def slot_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A constructor taking ``cls``'s attrs fields positionally that fills the slots directly.

    Equivalent to ``cls(*fields)`` for a slotted attrs class without validators,
    converters or ``__attrs_post_init__`` (refused here, since they would be
    skipped); every field must be passed. Generated from the fields, so a field
    added later is never left unset. For values the caller has checked itself.
    """
    fields = attrs.fields(cls)
    for field in fields:
        if field.validator is not None or field.converter is not None:
            raise TypeError(f"{cls.__name__}.{field.name} has a validator or converter")
        if not isinstance(cls.__dict__.get(field.name), MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{field.name} is not a slot")
    if hasattr(cls, "__attrs_post_init__"):
        raise TypeError(f"{cls.__name__} has __attrs_post_init__")
    names = [field.name for field in fields]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{name}": cls.__dict__[name].__set__ for name in names})
    body = "".join(f"    _set_{name}(self, {name})\n" for name in names)
    source = f"def make({', '.join(names)}):\n    self = _new(_cls)\n{body}    return self\n"
    exec(compile(source, f"<slot constructor of {cls.__qualname__}>", "exec"), namespace)
    made: Callable[..., _T] = namespace["make"]
    return made
