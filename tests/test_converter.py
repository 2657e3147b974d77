"""The dedicated cattrs converter: JSON round trips and errors with paths."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer import (
    CareerPeriod,
    CareerRecords,
    Employer,
    EnterpriseNumber,
    Finding,
    InputError,
    JointCommission,
    MycareerErrorGroup,
    Niss,
    NssoNumber,
    Period,
    PeriodKind,
    Quarter,
    Severity,
    SourceRef,
    WorkFraction,
    converter,
    flatten_errors,
    from_json,
    structure,
    to_json,
    unstructure,
)
from tests.strategies import periods

NISS = Niss("90010100123")
EMPLOYER = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"), name="Demo")


def test_core_values_unstructure_to_strings() -> None:
    data = unstructure(
        CareerPeriod(
            NISS,
            PeriodKind.EMPLOYMENT,
            Period(date(2024, 1, 1), None),
            EMPLOYER,
            WorkFraction.from_hundredths(3040, 3800),
            JointCommission("200.01"),
            source=SourceRef("q1.xml", 12, "$.x"),
        )
    )
    assert data["niss"] == "90010100123"
    assert data["period"] == {"start": "2024-01-01", "end": None}
    assert data["fraction"] == "4/5"
    assert data["joint_commission"] == "200.01"
    assert data["employer"] == {"enterprise": "0403019261", "nsso": "100006", "name": "Demo"}
    assert data["kind"] == "employment"
    assert data["source"] == {"file": "q1.xml", "line": 12, "record": "$.x"}


@pytest.mark.parametrize(
    "value",
    [
        Quarter(2024, 1),
        Fraction(10, 3),
        Decimal("2.50"),
        Finding("X", Severity.WARNING, "m", SourceRef("f", 1)),
        Employer(nsso=NssoNumber("100006")),
        NISS,
    ],
)
def test_values_round_trip(value: object) -> None:
    assert from_json(to_json(value), type(value)) == value


def test_fractions_are_text() -> None:
    assert to_json(Fraction(4, 5)) == '"4/5"'
    assert to_json(WorkFraction("4/5")) == '"4/5"'


career_periods = st.builds(
    CareerPeriod,
    niss=st.just(NISS),
    kind=st.sampled_from(PeriodKind),
    period=periods(),
    employer=st.none() | st.just(EMPLOYER),
    fraction=st.none()
    | st.builds(WorkFraction.from_hundredths, st.integers(0, 4800), st.integers(1, 4800)),
    joint_commission=st.none() | st.sampled_from([JointCommission(c) for c in ("200", "XXX")]),
    label=st.none() | st.text(max_size=10),
    provisional=st.booleans(),
)


@given(st.lists(career_periods, max_size=5))
def test_career_records_round_trip_through_json(items: list[CareerPeriod]) -> None:
    records = CareerRecords(NISS, items, name="An")
    text = to_json(records)
    assert from_json(text, CareerRecords) == records
    json.loads(text)  # valid JSON


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        from_json(
            '{\n  "niss": "90010100123",\n  "periods": [,]\n}', CareerRecords, source="w.json"
        )
    message = str(caught.value)
    assert "w.json" in message
    assert "line 3" in message
    assert "column" in message


def test_unknown_key_is_refused_with_its_path() -> None:
    data = unstructure(
        CareerRecords(NISS, [CareerPeriod(NISS, PeriodKind.OTHER, Period(date(2024, 1, 1)))])
    )
    data["periods"][0]["colour"] = "red"
    with pytest.raises(MycareerErrorGroup) as caught:
        structure(data, CareerRecords)
    (line,) = flatten_errors(caught.value)
    assert "colour" in line
    assert "$.periods[0]" in line


def test_every_problem_is_reported_at_once() -> None:
    data = [
        {"niss": "90010100124", "periods": []},
        {
            "niss": "90010100123",
            "periods": [
                {
                    "niss": "90010100123",
                    "kind": "holiday",
                    "period": {"start": "2024-02-01", "end": "2024-01-01"},
                }
            ],
        },
    ]
    with pytest.raises(MycareerErrorGroup) as caught:
        structure(data, list[CareerRecords])
    lines = flatten_errors(caught.value)
    assert any("90010100124" in line and "$[0].niss" in line for line in lines)
    assert any("holiday" in line and "$[1].periods[0].kind" in line for line in lines)
    assert any("2024-01-01" in line and "$[1].periods[0].period" in line for line in lines)
    assert len(lines) == 3


def test_floats_are_refused_for_exact_quantities() -> None:
    with pytest.raises(MycareerErrorGroup) as caught:
        structure({"value": 0.8}, WorkFraction)
    assert "0.8" in flatten_errors(caught.value)[0]


def test_converter_is_dedicated() -> None:
    import cattrs

    assert converter is not cattrs.global_converter
