"""Identifiers: NISS, enterprise numbers, NSSO numbers, joint committees, quarters, work fractions.

Test vectors computed with python-stdnum 2.2 (``stdnum.be.nn``, ``stdnum.be.vat``).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer import (
    EnterpriseNumber,
    InvalidEnterpriseNumberError,
    InvalidJointCommissionError,
    InvalidNissError,
    InvalidNssoNumberError,
    InvalidQuarterError,
    InvalidWorkFractionError,
    JointCommission,
    Niss,
    NssoNumber,
    Quarter,
    WorkFraction,
)


@pytest.mark.parametrize(
    ("raw", "born"),
    [
        ("90010100123", date(1990, 1, 1)),
        ("93051822361", date(1993, 5, 18)),
        ("05031500291", date(2005, 3, 15)),  # "2" prefix rule, born 2005
        ("17073003384", date(2017, 7, 30)),
        ("98472899765", date(1998, 7, 28)),  # BIS number, month + 40
        ("50073003369", date(1950, 7, 30)),  # Odoo's 0-5 => 2000+ heuristic rejects it
        ("03021512318", date(2003, 2, 15)),  # born 2003
    ],
)
def test_valid_niss_and_birth_dates(raw: str, born: date) -> None:
    assert Niss(raw).birth_date == born


def test_niss_is_normalised_and_formatted() -> None:
    n = Niss(" 85.07.30-033.28 ")
    assert n.value == "85073003328"
    assert n.formatted == "85.07.30-033.28"
    assert n == Niss("85073003328")


@given(
    st.dates(date(1900, 1, 1), date(2024, 12, 31)),  # stdnum refuses births to come
    st.integers(1, 997),
    st.sampled_from([0, 20, 40]),  # NISS, and BIS numbers (month + 20 or + 40)
)
def test_niss_display_form_is_stdnums(born: date, serial: int, bis_offset: int) -> None:
    """Niss.formatted slices the value; python-stdnum's format is the oracle."""
    from stdnum.be import ssn

    base = f"{born:%y}{born.month + bis_offset:02d}{born:%d}{serial:03d}"
    # born in 2000 or later: the checksum is computed over 2 + the nine digits
    check = 97 - (int(("2" if born.year >= 2000 else "") + base) % 97)
    niss = Niss(f"{base}{check:02d}")
    assert niss.formatted == ssn.format(niss.value)


def test_niss_with_bad_checksum_names_the_value() -> None:
    with pytest.raises(InvalidNissError) as caught:
        Niss("85073003329")
    assert "85073003329" in str(caught.value)
    assert "checksum" in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("raw", ["", "123", "abcdefghijk", "90010100000"])
def test_malformed_niss_is_refused(raw: str) -> None:
    with pytest.raises(InvalidNissError, match="NISS"):
        Niss(raw)


def test_niss_refuses_non_text() -> None:
    with pytest.raises(InvalidNissError):
        Niss(1.5)


@given(st.integers(0, 99), st.integers(1, 12), st.integers(1, 28), st.integers(1, 998))
def test_generated_niss_with_either_century_rule_validate(
    yy: int, month: int, day: int, counter: int
) -> None:
    base = f"{yy:02d}{month:02d}{day:02d}{counter:03d}"
    nineteen = f"{base}{97 - int(base) % 97:02d}"
    twenty = f"{base}{97 - int('2' + base) % 97:02d}"
    assert Niss(nineteen).birth_date == date(1900 + yy, month, day)
    if 2000 + yy <= 2025:  # stdnum only tries 20xx up to its current year
        assert Niss(twenty).birth_date == date(2000 + yy, month, day)


@pytest.mark.parametrize(
    ("raw", "compact", "shown"),
    [
        ("0123456749", "0123456749", "0123.456.749"),
        ("0200000043", "0200000043", "0200.000.043"),
        ("1000000021", "1000000021", "1000.000.021"),  # 1-series, since 19 Sep 2023
        ("BE 0403.019.261", "0403019261", "0403.019.261"),
        ("403019261", "0403019261", "0403.019.261"),  # old nine-digit form
    ],
)
def test_enterprise_numbers(raw: str, compact: str, shown: str) -> None:
    e = EnterpriseNumber(raw)
    assert str(e) == compact
    assert e.formatted == shown


def test_enterprise_number_bad_checksum() -> None:
    with pytest.raises(InvalidEnterpriseNumberError, match="0566988258"):
        EnterpriseNumber("0566988258")  # 0566.988.259 is the valid one (97 - 05669882 mod 97 = 59)
    assert EnterpriseNumber("0566988259").formatted == "0566.988.259"


def test_an_enterprise_number_text_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of an employer names its number again: a text already found valid is
    not validated again (a bounded cache), an invalid one is refused every time."""
    from stdnum.be import vat

    from mycareer._cache import clear_caches

    clear_caches()
    calls: list[str] = []
    real = vat.validate

    def validate(text: str) -> str:
        calls.append(text)
        return str(real(text))

    monkeypatch.setattr(vat, "validate", validate)
    numbers = [EnterpriseNumber("BE 0403.019.261") for _ in range(3)]
    assert numbers == [EnterpriseNumber("0403019261")] * 3
    assert [str(n) for n in numbers] == ["0403019261"] * 3
    assert calls == ["BE 0403.019.261", "0403019261"]
    for _ in range(2):
        with pytest.raises(InvalidEnterpriseNumberError, match="0566988258"):
            EnterpriseNumber("0566988258")
    assert calls[2:] == ["0566988258", "0566988258"]


def test_nsso_number_ranges() -> None:
    assert not NssoNumber("199999934").is_provisional
    assert NssoNumber("5999999989").is_provisional
    for bad in ("0", "100005", "200000000", "12a"):
        with pytest.raises(InvalidNssoNumberError, match=bad):
            NssoNumber(bad)


def test_joint_commissions() -> None:
    assert JointCommission("305.02.09").main == "305"
    assert JointCommission("200.01").within(JointCommission("200"))
    assert not JointCommission("200").within(JointCommission("200.01"))
    assert JointCommission("xxx").is_unknown
    assert not JointCommission("999").is_unknown
    assert JointCommission("999").is_none
    assert JointCommission("999") != JointCommission("XXX")
    for bad in ("20", "200.1", "200.01.01.01", "ABC"):
        with pytest.raises(InvalidJointCommissionError, match="joint committee"):
            JointCommission(bad)


def test_quarters() -> None:
    q = Quarter.parse("20241")
    assert (q.first_day, q.last_day) == (date(2024, 1, 1), date(2024, 3, 31))
    assert Quarter.parse(20244).last_day == date(2024, 12, 31)
    assert str(q - 2) == "20233"
    assert Quarter.of(date(2024, 8, 15)) == Quarter(2024, 3)
    assert q.quarters_until(Quarter(2025, 1)) == 4
    for bad in ("2024", "20240", "2024Q5", "202411"):
        with pytest.raises(InvalidQuarterError):
            Quarter.parse(bad)


@given(st.integers(2000, 2100), st.integers(1, 4), st.integers(-50, 50))
def test_quarter_arithmetic_matches_day_count(year: int, number: int, shift: int) -> None:
    q = Quarter(year, number)
    moved = q + shift
    assert q.quarters_until(moved) == shift
    assert moved - shift == q
    assert Quarter.of(moved.first_day) == moved
    assert Quarter.of(moved.last_day) == moved


@given(st.integers(1, 9998), st.integers(1, 4), st.integers(1, 9998), st.integers(1, 4))
def test_quarters_order_as_their_first_days(y1: int, n1: int, y2: int, n2: int) -> None:
    a, b = Quarter(y1, n1), Quarter(y2, n2)
    first, second = a.first_day, b.first_day
    assert (a < b, a <= b, a > b, a >= b) == (
        first < second, first <= second, first > second, first >= second,
    )  # fmt: skip
    assert max(a, b).first_day == max(first, second)
    with pytest.raises(TypeError):
        assert a < (y1, n1)  # type: ignore[operator]


def test_work_fraction_from_hundredths_is_exact() -> None:
    assert WorkFraction.from_hundredths(3040, 3800).value == Fraction(4, 5)
    assert WorkFraction.from_hundredths(1900, 3800) == WorkFraction("1/2")
    assert WorkFraction.from_hundredths(3833, 3833) == WorkFraction.FULL_TIME
    assert WorkFraction.parse("0.8") == WorkFraction(Fraction(4, 5))
    assert (WorkFraction("1/2") + WorkFraction("3/4")).capped() == WorkFraction.FULL_TIME


@pytest.mark.parametrize("bad", [0.8, -1, "x", "1/0"])
def test_work_fraction_refuses_floats_and_nonsense(bad: object) -> None:
    with pytest.raises(InvalidWorkFractionError):
        WorkFraction(bad)


def test_work_fraction_needs_positive_s() -> None:
    with pytest.raises(InvalidWorkFractionError, match="1900/0"):
        WorkFraction.from_hundredths(1900, 0)


@given(st.integers(0, 4800), st.integers(1, 4800))
def test_work_fraction_equals_exact_ratio(q: int, s: int) -> None:
    assert WorkFraction.from_hundredths(q, s).value == Fraction(q, s)


@pytest.mark.parametrize("raw", ["2००", "２００", "1000０6"])
def test_non_ascii_digits_are_refused(raw: str) -> None:
    with pytest.raises((InvalidJointCommissionError, InvalidNssoNumberError)):
        if len(raw) == 3:
            JointCommission(raw)
        else:
            NssoNumber(raw)
