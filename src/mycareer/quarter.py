"""Calendar quarters as DmfA writes them: ``20241`` is the first quarter of 2024.

>>> q = Quarter.parse("20241")
>>> q == Quarter.parse("2024Q1")  # pandas' spelling
True
>>> q.first_day, q.last_day, str(q + 3), str(q - 1)
(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31), '20244', '20234')
>>> [str(x) for x in Quarter.range(Quarter(2022, 4), Quarter(2023, 3))]
['20224', '20231', '20232', '20233']
>>> Quarter.parse("20245")
Traceback (most recent call last):
...
mycareer.errors.InvalidQuarterError: invalid quarter '20245': expected YYYYQ or YYYYQn ...
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import attrs

from mycareer._checks import register
from mycareer.errors import InvalidQuarterError
from mycareer.period import Period

__all__ = ["Quarter"]


def _check_number(instance: Quarter, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int:
        raise TypeError(
            f"Quarter.number: expected an int, got {type(value).__name__} {value!r:.80}"
        )
    if not 1 <= value <= 4:
        raise InvalidQuarterError(f"invalid quarter {instance.year}{value}: Q must be 1..4")


def _check_year(instance: Quarter, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int:
        raise TypeError(f"Quarter.year: expected an int, got {type(value).__name__} {value!r:.80}")
    if not 1 <= value <= 9998:
        raise InvalidQuarterError(f"invalid quarter year {value}")


@attrs.frozen
class Quarter:
    """A calendar quarter (``year``, ``number`` in 1..4), ordered in time."""

    year: int = attrs.field(validator=_check_year)
    number: int = attrs.field(validator=_check_number)

    @classmethod
    def parse(cls, text: str | int) -> Quarter:
        """Parse DmfA's ``YYYYQ`` (zone ``Quarter``) or pandas' ``YYYYQn`` (``2024Q1``)."""
        raw = str(text).strip()
        digits = raw[:4] + raw[5:] if len(raw) == 6 and raw[4] in "Qq" else raw
        if (
            len(digits) != 5
            or not digits.isascii()
            or not digits.isdigit()
            or digits[4] not in "1234"
        ):
            raise InvalidQuarterError(
                f"invalid quarter {raw[:80]!r}: expected YYYYQ or YYYYQn with Q in 1..4"
            )
        return cls(int(digits[:4]), int(digits[4]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter a day falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def range(cls, first: Quarter, last: Quarter) -> Iterator[Quarter]:
        """Every quarter from ``first`` to ``last``, both included."""
        current = first
        while current <= last:
            yield current
            current = current + 1

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return (self + 1).first_day - timedelta(days=1)

    @property
    def period(self) -> Period:
        """The quarter as a closed :class:`~mycareer.period.Period`."""
        return Period(self.first_day, self.last_day)

    # Ordered by hand: attrs' generated order builds both tuples through a generator,
    # 1.7 us a comparison against 0.15 us here, and bulk code takes the latest quarter
    # of every record (account_jobs: 172,000 comparisons on benchmarks/payroll.py's set).
    def __lt__(self, other: object) -> bool:
        if type(other) is not Quarter:
            return NotImplemented
        return (self.year, self.number) < (other.year, other.number)

    def __le__(self, other: object) -> bool:
        if type(other) is not Quarter:
            return NotImplemented
        return (self.year, self.number) <= (other.year, other.number)

    def __gt__(self, other: object) -> bool:
        if type(other) is not Quarter:
            return NotImplemented
        return (self.year, self.number) > (other.year, other.number)

    def __ge__(self, other: object) -> bool:
        if type(other) is not Quarter:
            return NotImplemented
        return (self.year, self.number) >= (other.year, other.number)

    def _index(self) -> int:
        return self.year * 4 + self.number - 1

    def __add__(self, quarters: int) -> Quarter:
        index = self._index() + quarters
        return Quarter(index // 4, index % 4 + 1)

    def __sub__(self, quarters: int) -> Quarter:
        return self + (-quarters)

    def quarters_until(self, other: Quarter) -> int:
        """How many quarters from ``self`` to ``other`` (negative if earlier)."""
        return other._index() - self._index()

    def __str__(self) -> str:
        return f"{self.year}{self.number}"


def to_quarter(raw: Quarter | str) -> Quarter:
    """An attrs converter: ``"20241"`` (DmfA) or ``"2024Q1"`` (pandas) becomes a Quarter."""
    return Quarter.parse(raw) if isinstance(raw, str) else raw


register(to_quarter)
