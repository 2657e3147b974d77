"""``jsontext.decimal_text``: integer half-even rounding, held to Python's exact rounding.

The oracle is the definition (``round(Fraction(value) * 10**4)``, which Python rounds
half-even and exactly), formatted with four places.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from mycareer.jsontext import decimal_text, exact_text


def oracle(value: Fraction | Decimal | int) -> str:
    scaled = round(Fraction(value) * 10_000)
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), 10_000)
    return f"{sign}{whole}.{part:04d}"


@given(st.fractions(max_denominator=10**9) | st.integers(-(10**12), 10**12))
def test_decimal_text_rounds_as_the_exact_definition(value: Fraction | int) -> None:
    assert decimal_text(value) == oracle(value)


@given(st.integers(-(10**9), 10**9), st.sampled_from([20_000, 40_000, 2, 8, 3]))
def test_ties_go_to_the_even_neighbour(numerator: int, denominator: int) -> None:
    value = Fraction(numerator, denominator)
    assert decimal_text(value) == oracle(value)


def test_worked_values() -> None:
    assert decimal_text(Fraction(1, 20_000)) == "0.0000"  # 0.5 ten-thousandth: to even 0
    assert decimal_text(Fraction(3, 20_000)) == "0.0002"  # 1.5: to even 2
    assert decimal_text(Fraction(-3, 20_000)) == "-0.0002"
    assert decimal_text(Fraction(-1, 20_000)) == "0.0000"  # no "-0.0000"
    assert decimal_text(Decimal("-1.35")) == "-1.3500"
    assert decimal_text(True) == "1.0000"
    assert exact_text(Fraction(-6, 4)) == "-3/2"
    assert exact_text(Decimal("0.25")) == "1/4"
