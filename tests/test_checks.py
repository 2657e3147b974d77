"""Value classes check their fields at construction (issue 12 item 2).

Natural, lossless spellings convert (a NISS or enterprise number as text, a
kind's name, a committee code, an exact ``Fraction``); any other type raises
``TypeError`` naming ``Class.field``; a float never becomes a quantity.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer import (
    CareerPeriod,
    CareerRecords,
    ContractType,
    DimonaAction,
    DimonaDeclaration,
    DimonaOutcome,
    DimonaStatus,
    DmfaDeclaration,
    DmfaOccupation,
    DmfaWorkerRecord,
    Employer,
    EnterpriseNumber,
    Finding,
    InvalidEnterpriseNumberError,
    InvalidNissError,
    InvalidValueError,
    JointCommission,
    Niss,
    NssoNumber,
    Period,
    PeriodKind,
    Quarter,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
    Severity,
    SourceRef,
    WorkFraction,
)
from mycareer.timeline import build_timeline

NISS = "85073003328"
ACME = "0403019261"
JAN = Period(date(2024, 1, 1), date(2024, 1, 31))
Q1 = Quarter(2024, 1)


def occupation() -> DmfaOccupation:
    return DmfaOccupation(
        1,
        date(2024, 1, 1),
        None,
        Q1.period,
        JointCommission("200"),
        500,
        ContractType.FULL_TIME,
        3800,
        3800,
        [ReorganisationMeasure(3)],
        [ServiceLine(1, 6400)],
        [RemunerationLine(1, 100000)],
        SourceRef("a.xml", 1),
    )


def samples() -> list[Any]:
    """One valid instance of every public value class whose fields are checked."""
    employer = Employer(EnterpriseNumber(ACME), NssoNumber("100006"), "Acme")
    period = CareerPeriod(
        Niss(NISS),
        PeriodKind.EMPLOYMENT,
        JAN,
        employer,
        WorkFraction(1),
        JointCommission("200"),
        "label",
        False,
        SourceRef("a.xml"),
    )
    return [
        employer,
        period,
        CareerRecords(Niss(NISS), [period], "name"),
        ServiceLine(1, 6400, 30400),
        RemunerationLine(1, 100, 1, 100),
        ReorganisationMeasure(3, 5000),
        occupation(),
        DmfaWorkerRecord(employer, Q1, Niss(NISS), 495, "010", Q1.period, [occupation()]),
        DmfaDeclaration(employer, Q1, datetime(2024, 4, 1), 1, 1, "ref", SourceRef()),
        DimonaDeclaration(
            DimonaAction.IN,
            employer,
            Niss(NISS),
            "123456789012",
            "ref",
            date(2024, 1, 1),
            None,
            "OTH",
            JointCommission("200"),
            10,
            datetime(2024, 1, 1),
            SourceRef(),
        ),
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "ref",
            "123456789012",
            SourceRef(),
            JAN,
            JAN,
            False,
            datetime(2024, 1, 2),
            ["00911-001"],
        ),
        Finding("CODE", Severity.INFO, "message", SourceRef()),
        SourceRef("a.xml", 3, "$.workers[1]"),
        *account_samples(employer),
    ]


def account_samples(employer: Employer) -> list[Any]:
    """The values of the training account (they check their fields too)."""
    from mycareer.fla.account import (
        AccountPolicy,
        AccountWindow,
        Termination,
        TrainingAccount,
        TrainingDebit,
        WindowSummary,
        YearCredit,
        YearStatement,
    )
    from mycareer.fla.trainings import Training, TrainingType

    training = Training(
        Niss(NISS), "course", date(2024, 3, 1), date(2024, 3, 1), Fraction(38, 5),
        TrainingType.FORMAL, employer=employer, certificate_valid_until=date(2026, 3, 1),
        source=SourceRef("t.csv", 2),
    )  # fmt: skip
    termination = Termination(Niss(NISS), date(2024, 12, 31), "dismissal-notice", employer)
    credit = YearCredit(Niss(NISS), 2024, legal_days=Fraction(5), employer=employer,
                        rule_id="statutory-2024")  # fmt: skip
    window = AccountWindow(2024, 2028)
    one, zero = Fraction(1), Fraction(0)
    debit = TrainingDebit(training, one)
    statement = YearStatement(2024, window, zero, credit, (debit,), one, zero, Fraction(4),
                              zero, zero, Fraction(4), zero, termination)  # fmt: skip
    return [
        training,
        termination,
        AccountPolicy(),
        window,
        credit,
        debit,
        statement,
        WindowSummary(window, Fraction(5), one, zero, zero, zero, Fraction(4), 1),
        TrainingAccount(
            Niss(NISS), employer, date(2024, 12, 31), AccountPolicy(), Fraction(38, 5),
            (statement,), (training,), termination, (Finding("CODE", Severity.INFO, "message"),),
        ),
    ]


class Alien:
    """A value of no type any field accepts."""

    def __repr__(self) -> str:
        return "Alien()"


CASES = [
    (type(sample).__name__, sample, field.name)
    for sample in samples()
    for field in attrs.fields(type(sample))
]


@pytest.mark.parametrize(("owner", "sample", "field"), CASES, ids=[f"{o}.{f}" for o, _, f in CASES])
def test_a_wrong_type_is_a_type_error_naming_the_field(owner: str, sample: Any, field: str) -> None:
    with pytest.raises(TypeError, match=rf"^{owner}\.{field}(\[0\])?: expected .*Alien\(\)"):
        attrs.evolve(sample, **{field: [Alien()] if field in _TUPLES else Alien()})


_TUPLES = {
    "periods",
    "debits",
    "statements",
    "trainings",
    "findings",
    "reorganisation_measures",
    "services",
    "remunerations",
    "occupations",
    "anomalies",
}


@pytest.mark.parametrize("sample", samples(), ids=lambda s: type(s).__name__)
def test_valid_values_rebuild_equal(sample: Any) -> None:
    values = {field.name: getattr(sample, field.name) for field in attrs.fields(type(sample))}
    assert type(sample)(**values) == sample


def test_float_fraction_is_refused_with_the_exact_ways() -> None:
    with pytest.raises(TypeError, match=r"CareerPeriod\.fraction.*float 0\.8") as caught:
        CareerPeriod(NISS, "employment", JAN, fraction=0.8)  # type: ignore[arg-type]
    assert "Fraction('0.8')" in str(caught.value)
    assert "WorkFraction" in str(caught.value)


def test_fraction_converts_from_exact_values() -> None:
    for exact in (Fraction(4, 5), "4/5", "0.8", WorkFraction.parse("0.8")):
        assert CareerPeriod(NISS, "employment", JAN, fraction=exact).fraction == WorkFraction(
            Fraction(4, 5)
        )
    assert CareerPeriod(NISS, "employment", JAN, fraction=1).fraction == WorkFraction.FULL_TIME


def test_natural_spellings_convert() -> None:
    period = CareerPeriod(NISS, "sickness", JAN, employer=ACME, joint_commission="200")
    assert period.niss == Niss(NISS)
    assert period.kind is PeriodKind.SICKNESS
    assert period.employer == Employer(EnterpriseNumber(ACME))
    assert period.joint_commission == JointCommission("200")
    assert DmfaWorkerRecord(ACME, "2024Q1", NISS, 495, "010", Q1.period).quarter == Q1
    assert DimonaDeclaration("IN", ACME).action is DimonaAction.IN
    assert DimonaOutcome("A").status is DimonaStatus.ACCEPTED
    assert Finding("X", "warning", "m").severity is Severity.WARNING
    line = attrs.evolve(occupation(), start="2024-01-01", contract_type=1)
    assert (line.start, line.contract_type) == (date(2024, 1, 1), ContractType.PART_TIME)


def test_employer_from_text_builds_and_prints() -> None:
    employer = Employer("0403.019.261")  # the enterprise number's text, typed as accepted
    assert employer.enterprise == EnterpriseNumber(ACME)
    assert (str(employer), employer.formatted) == (ACME, "0403.019.261")
    with pytest.raises(InvalidEnterpriseNumberError):
        Employer("0403019262")


def test_bad_text_names_the_value() -> None:
    with pytest.raises(InvalidNissError, match="85073003329"):
        CareerPeriod("85073003329", "employment", JAN)
    with pytest.raises(InvalidValueError, match=r"unknown PeriodKind 'holiday'.*employment"):
        CareerPeriod(NISS, "holiday", JAN)
    with pytest.raises(TypeError, match=r"CareerPeriod\.provisional: expected bool, got int 1"):
        CareerPeriod(NISS, "employment", JAN, provisional=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"DmfaOccupation\.start: expected date, got datetime"):
        attrs.evolve(occupation(), start=datetime(2024, 1, 1))


def test_the_old_late_failure_is_now_early() -> None:
    """A float fraction used to pass and fail in build_timeline with AttributeError."""
    with pytest.raises(TypeError, match=r"CareerPeriod\.fraction"):
        bad = CareerPeriod(NISS, "employment", JAN, fraction=0.8)  # type: ignore[arg-type]
        build_timeline([bad], as_of=date(2024, 2, 1))


@given(st.floats(allow_nan=True) | st.booleans() | st.complex_numbers())
def test_no_number_but_exact_ones_becomes_a_fraction(raw: object) -> None:
    with pytest.raises(TypeError, match=r"CareerPeriod\.fraction"):
        CareerPeriod(NISS, "employment", JAN, fraction=raw)  # type: ignore[arg-type]


def test_timeline_results_check_their_fields() -> None:
    from mycareer.timeline import Gap, Timeline

    [segment] = build_timeline(
        [CareerPeriod(NISS, "employment", JAN, fraction=Fraction(1, 2))], as_of=date(2024, 2, 1)
    ).segments
    with pytest.raises(TypeError, match=r"TimelineSegment\.fte: expected Fraction, got float"):
        attrs.evolve(segment, fte=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"TimelineSegment\.employers\[0\]: expected Employer"):
        attrs.evolve(segment, employers=(ACME,))  # type: ignore[arg-type]
    timeline = Timeline(NISS, "2024-02-01", (segment,))  # text converts
    assert (timeline.niss, timeline.as_of) == (Niss(NISS), date(2024, 2, 1))
    with pytest.raises(TypeError, match=r"Timeline\.segments: expected tuple, got list"):
        Timeline(NISS, date(2024, 2, 1), [segment])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Gap\.days: expected int, got str"):
        Gap(JAN, "31", 23)  # type: ignore[arg-type]
