"""The work fraction Q/S of a DmfA occupation line, kept exact.

``Q`` (``MeanWorkingHours``) and ``S`` (``RefMeanWorkingHours``) are declared in
hundredths of hours: 3040/3800 is 30.4 h against 38 h, i.e. exactly 4/5.

>>> f = WorkFraction.from_hundredths(3040, 3800)
>>> f, str(f), f.value
(WorkFraction(value=Fraction(4, 5)), '4/5', Fraction(4, 5))
>>> WorkFraction.parse("4/5") == f, str(WorkFraction.FULL_TIME)
(True, '1')
>>> WorkFraction.from_hundredths(1900, 0)
Traceback (most recent call last):
...
mycareer.errors.InvalidWorkFractionError: invalid work fraction Q/S = 1900/0: S must be positive
"""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar, cast

import attrs

from mycareer._checks import register
from mycareer.errors import InvalidValueError, InvalidWorkFractionError
from mycareer.limits import parse_fraction, shown

__all__ = ["WorkFraction"]


def _to_fraction(raw: object) -> Fraction:
    if isinstance(raw, WorkFraction):
        return raw.value
    if isinstance(raw, (bool, float)):
        raise InvalidWorkFractionError(
            f"invalid work fraction {raw!r}: use an int, Fraction or 'p/q' text, never a float"
        )
    if not isinstance(raw, int | str | Fraction):
        raise InvalidWorkFractionError(f"invalid work fraction {shown(raw)}")
    if isinstance(raw, str):
        try:  # bounded: "1e999999999" would be expanded to a billion-digit integer
            value = parse_fraction(raw, "work fraction")
        except InvalidValueError as error:
            raise InvalidWorkFractionError(error.message) from None
    else:
        value = Fraction(raw)
    if value < 0:
        raise InvalidWorkFractionError(f"invalid work fraction {shown(raw)}: negative")
    return value


@attrs.frozen(order=True)
class WorkFraction:
    """An exact, non-negative fraction of full time (may exceed 1 in rare declarations)."""

    value: Fraction = attrs.field(converter=_to_fraction)

    FULL_TIME: ClassVar[WorkFraction]
    NONE: ClassVar[WorkFraction]

    @classmethod
    def from_hundredths(cls, q: int, s: int) -> WorkFraction:
        """Build from DmfA ``MeanWorkingHours`` (Q) and ``RefMeanWorkingHours`` (S)."""
        if s <= 0:
            raise InvalidWorkFractionError(
                f"invalid work fraction Q/S = {q}/{s}: S must be positive"
            )
        if q < 0:
            raise InvalidWorkFractionError(f"invalid work fraction Q/S = {q}/{s}: Q is negative")
        return cls(Fraction(q, s))

    @classmethod
    def parse(cls, text: str) -> WorkFraction:
        """Parse ``"4/5"``, ``"1"`` or ``"0.8"`` (decimal text is exact)."""
        return cls(text.strip())

    def capped(self) -> WorkFraction:
        """At most full time: ``min(self, 1)``."""
        return self if self.value <= 1 else WorkFraction.FULL_TIME

    def __add__(self, other: WorkFraction) -> WorkFraction:
        return WorkFraction(self.value + other.value)

    def __str__(self) -> str:
        return str(self.value)


WorkFraction.FULL_TIME = WorkFraction(1)
WorkFraction.NONE = WorkFraction(0)


def to_optional_work_fraction(
    raw: WorkFraction | Fraction | int | str | None,
) -> WorkFraction | None:
    """An attrs converter: an exact ``Fraction``, ``int`` or ``"p/q"`` text becomes a
    WorkFraction; a float is left for the field's validator to refuse (never exact)."""
    if isinstance(raw, Fraction | str) or (isinstance(raw, int) and not isinstance(raw, bool)):
        return WorkFraction(raw)
    return cast("WorkFraction | None", raw)


register(to_optional_work_fraction)
