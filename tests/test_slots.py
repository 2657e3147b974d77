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
    """Given checked field values, the slot constructor builds what ``__init__`` builds."""
    from mycareer import demo
    from mycareer.career import CareerPeriod
    from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
    from mycareer.errors import SourceRef
    from mycareer.fla import compute_entitlements
    from mycareer.fla.values import Entitlement
    from mycareer.timeline import career_periods_from_dmfa
    from mycareer.xmlio import read_dmfa

    with demo.demo_paths() as paths:
        batch = read_dmfa([paths.dmfa])
    record = batch.records[0]
    samples: list[Any] = [
        record,
        record.occupations[0],
        record.source,
        career_periods_from_dmfa(batch.records).periods[0],
        compute_entitlements(batch.records, batch.declarations, year=2024)[0],
    ]
    for sample in samples:
        cls = type(sample)
        assert cls in (CareerPeriod, SourceRef, DmfaOccupation, DmfaWorkerRecord, Entitlement)
        values = [getattr(sample, field.name) for field in attrs.fields(cls)]
        assert slot_constructor(cls)(*values) == cls(*values) == sample, cls


def test_skips_validators_and_type_checks() -> None:
    """Bulk paths build from checked values: checks are skipped, conversions are not."""
    from mycareer._checks import is_a
    from mycareer.niss import Niss, to_niss

    @attrs.frozen
    class Checked:
        value: int = attrs.field(validator=is_a(int))
        niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
        items: tuple[Any, ...] = attrs.field(converter=as_tuple, factory=tuple)

    made: Any = slot_constructor(Checked)("not checked", "85073003328", [1])
    assert (made.value, made.niss, made.items) == ("not checked", "85073003328", (1,))
    assert Checked(1, "85073003328").niss == Niss("85073003328")
    with pytest.raises(TypeError, match=r"Checked\.value: expected int, got str 'x'"):
        Checked("x", "85073003328")  # type: ignore[arg-type]


def test_refuses_what_it_would_skip() -> None:
    """A post-init hook or anything else __init__ does beyond checks would be bypassed."""

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

    for cls in (Hooked, Unslotted, KeywordOnly, NotInit, SelfConverter):
        with pytest.raises(TypeError, match=cls.__name__):
            slot_constructor(cls)
