"""mycareer._slots: the bulk paths' constructors build exactly what ``__init__`` builds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer._slots import slot_constructor


def as_tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


@attrs.frozen
class Sample:
    first: Any
    second: tuple[Any, ...] = attrs.field(converter=as_tuple)
    third: Any = None


@given(st.integers(), st.lists(st.integers()), st.none() | st.text())
def test_equals_the_attrs_init(first: int, second: list[int], third: Any) -> None:
    made = slot_constructor(Sample)(first, second, third)
    assert type(made) is Sample
    assert made == Sample(first, second, third)
    assert isinstance(made.second, tuple)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.first = 0  # type: ignore[misc]


@given(st.integers(), st.lists(st.integers()), st.none() | st.text())
def test_shared_fields_come_from_one_tuple(first: int, second: list[int], third: Any) -> None:
    made = slot_constructor(Sample, shared_from=1)(first, (second, third))
    assert made == Sample(first, second, third)


def test_real_classes_of_the_bulk_paths() -> None:
    from mycareer.career import CareerPeriod
    from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
    from mycareer.errors import SourceRef
    from mycareer.fla.values import Entitlement

    for cls in (CareerPeriod, SourceRef, DmfaOccupation, DmfaWorkerRecord, Entitlement):
        # any object will do where no converter reads it; the converters take lists
        values: list[Any] = [
            object() if field.converter is None else [1, 2] for field in attrs.fields(cls)
        ]
        assert slot_constructor(cls)(*values) == cls(*values), cls


def test_refuses_what_it_would_skip() -> None:
    """A validator, post-init hook or anything else __init__ does would be bypassed."""

    @attrs.frozen
    class Checked:
        value: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen
    class Hooked:
        value: int

        def __attrs_post_init__(self) -> None:
            pass

    @attrs.frozen(slots=False)
    class Unslotted:
        value: int

    @attrs.frozen
    class KeywordOnly:
        value: int = attrs.field(kw_only=True)

    @attrs.frozen
    class NotInit:
        value: int = attrs.field(init=False, default=0)

    @attrs.frozen
    class SelfConverter:
        value: int = attrs.field(
            converter=attrs.Converter(lambda value, self: value, takes_self=True)  # type: ignore[misc]
        )

    for cls in (Checked, Hooked, Unslotted, KeywordOnly, NotInit, SelfConverter):
        with pytest.raises(TypeError, match=cls.__name__):
            slot_constructor(cls)
