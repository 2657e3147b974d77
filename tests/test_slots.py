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


# --- trusted_constructor: classes whose __init__ checks, on values already checked ---


@given(st.dates(), st.integers(min_value=0, max_value=4000) | st.none())
def test_trusted_period_equals_the_checked_one(start: Any, length: int | None) -> None:
    from datetime import date

    from mycareer._slots import trusted_constructor
    from mycareer.period import Period

    last = date.max.toordinal()
    end = None if length is None else date.fromordinal(min(start.toordinal() + length, last))
    checked = Period(start, end)
    made = trusted_constructor(Period)(checked.start, checked.stop)
    assert type(made) is Period
    assert made == checked
    assert (made.start, made.stop, made.end) == (checked.start, checked.stop, checked.end)
    assert hash(made) == hash(checked)


def test_trusted_niss_equals_the_checked_one() -> None:
    from mycareer._slots import trusted_constructor
    from mycareer.niss import Niss

    checked = Niss("90010100123")
    assert trusted_constructor(Niss)("90010100123") == checked


def test_trusted_refuses_what_it_cannot_build() -> None:
    from mycareer._slots import trusted_constructor

    @attrs.define(slots=False)
    class NoSlots:
        x: int

    @attrs.frozen
    class PostInit:
        x: int

        def __attrs_post_init__(self) -> None:
            return None

    with pytest.raises(TypeError, match="not a slot"):
        trusted_constructor(NoSlots)
    with pytest.raises(TypeError, match="does more than set"):
        trusted_constructor(PostInit)


def test_no_slot_is_written_by_hand_outside_the_guard() -> None:
    """Issue 14 item 5: every slot write goes through mycareer._slots."""
    import re
    from pathlib import Path

    import mycareer

    root = Path(mycareer.__file__).parent
    pattern = re.compile(r"__dict__\[[^\]]+\]\.__set__|object\.__setattr__\(")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "_slots.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
