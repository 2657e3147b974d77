"""One naming convention for identifiers and quarters (issue 12 item 5).

``str()`` of every identifier is python-stdnum's ``compact`` form (storage, keys,
joins); ``.formatted`` is stdnum's ``format`` (for people). stdnum is the oracle.
"""

from __future__ import annotations

import pickle

import pandas
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.be import ssn, vat

import mycareer.fla
import mycareer.timeline
from mycareer import (
    Employer,
    EnterpriseNumber,
    InvalidNissError,
    InvalidQuarterError,
    Niss,
    NssoNumber,
    Quarter,
    SourceRef,
)

ENTERPRISE = "0403019261"


def test_one_segment_class_per_name() -> None:
    assert "Segment" not in mycareer.timeline.__all__
    assert not hasattr(mycareer.timeline, "Segment")
    assert mycareer.timeline.TimelineSegment.__name__ != mycareer.fla.Segment.__name__


@pytest.mark.parametrize(
    ("value", "compact", "formatted"),
    [
        (Niss("85.07.30-033.28"), "85073003328", "85.07.30-033.28"),
        (EnterpriseNumber("BE 403.019.261"), ENTERPRISE, "0403.019.261"),
        (Employer(EnterpriseNumber(ENTERPRISE)), ENTERPRISE, "0403.019.261"),
        (Employer(nsso=NssoNumber("00100006")), "nsso:100006", "NSSO 100006"),
        (NssoNumber("00100006"), "100006", "100006"),
    ],
)
def test_str_is_compact_and_formatted_is_for_people(
    value: object, compact: str, formatted: str
) -> None:
    assert str(value) == compact
    assert getattr(value, "formatted") == formatted  # noqa: B009 (one test for five classes)


def test_employer_str_agrees_with_its_key_and_stdnum() -> None:
    employer = Employer(EnterpriseNumber(ENTERPRISE), NssoNumber("100006"))
    assert str(employer) == employer.key == vat.compact("BE 0403.019.261")
    assert employer.formatted == "0403.019.261"


@given(st.text(alphabet="0123456789. -", max_size=16))
def test_is_valid_agrees_with_stdnum_and_the_constructor(text: str) -> None:
    assert Niss.is_valid(text) == ssn.is_valid(text.strip())
    assert EnterpriseNumber.is_valid(text) == vat.is_valid(text.strip())
    if Niss.is_valid(text):
        assert str(Niss(text)) == ssn.compact(text)


def test_is_valid_refuses_what_is_not_text() -> None:
    assert not Niss.is_valid(None)
    assert not EnterpriseNumber.is_valid(3.5)
    assert Niss.is_valid("85073003328")
    assert not Niss.is_valid("85073003329")


@pytest.mark.parametrize("text", ["2024Q1", "2024q1", "20241", " 2024Q1 "])
def test_quarter_parses_pandas_spelling(text: str) -> None:
    assert Quarter.parse(text) == Quarter(2024, 1)


@given(st.integers(1000, 9998), st.integers(1, 4))
def test_quarter_parses_what_pandas_writes(year: int, number: int) -> None:
    written = str(pandas.Period(year=year, quarter=number, freq="Q"))
    assert Quarter.parse(written) == Quarter(year, number)


@pytest.mark.parametrize("text", ["2024Q5", "2024Q0", "2024QQ", "24Q1", "2024-Q1", "２０２４Q1"])
def test_quarter_refuses_other_spellings(text: str) -> None:
    with pytest.raises(InvalidQuarterError, match="YYYYQn"):
        Quarter.parse(text)


def test_error_repr_keeps_file_line_and_path() -> None:
    error = InvalidNissError(
        "invalid NISS '1'", source=SourceRef("declarations/q1.xml", 12), path="$.workers[3]"
    )
    shown = repr(error)
    assert "declarations/q1.xml" in shown
    assert "12" in shown
    assert "$.workers[3]" in shown
    assert shown.startswith("InvalidNissError(")
    assert repr(InvalidNissError("plain")) == "InvalidNissError('plain')"
    assert str(pickle.loads(pickle.dumps(InvalidNissError("plain")))) == "plain"
