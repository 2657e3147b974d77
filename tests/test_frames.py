"""pandas views: exact values in object columns, and exact round trips.

The T-PRO-1 example (training-right.md §4.1, Securex: 20+ FTE, 80 %, hired
29 April 2024 → 5 × 0.8 × 9/12 = 3 days) provides an entitlement; the demo
sample provides career records and timelines.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer import CareerPeriod, Employer, EnterpriseNumber, JointCommission, Niss, Period
from mycareer.demo import load_demo
from mycareer.dmfa import ContractType, DmfaOccupation
from mycareer.errors import InvalidValueError
from mycareer.fla import SizeBand
from mycareer.fla.entitlement import entitlement_for
from mycareer.fla.trainings import Training
from mycareer.frames import from_frame, to_frame
from mycareer.timeline import build_timeline
from tests.fla.test_trainings_strategies import trainings
from tests.timeline.helpers import HORIZON, career_periods, union_days

pd = pytest.importorskip("pandas")

ACME = Employer(EnterpriseNumber("0403019261"))


def _t_pro_1() -> object:
    occupation = DmfaOccupation(
        sequence=1,
        start=date(2024, 4, 29),
        end=None,
        period=Period(date(2024, 4, 29), date(2024, 12, 31)),
        joint_commission=JointCommission("111"),
        working_days_system=400,
        contract_type=ContractType.PART_TIME,
        mean_working_hours=3040,
        ref_mean_working_hours=3800,
    )
    return entitlement_for(ACME, Niss("85073003328"), 2024, [occupation], band=SizeBand.FROM_20)


def test_career_records_round_trip_and_columns() -> None:
    sample = load_demo()
    frame = to_frame(sample.workers)
    assert len(frame) == sum(len(w.periods) for w in sample.workers)
    assert frame.attrs["mycareer_kind"] == "career"
    first = frame.iloc[0]
    # An Peeters, demo: full time from 2019-09-01 to 2023-02-14
    assert (first["start"], first["end"]) == (date(2019, 9, 1), date(2023, 2, 14))
    assert first["name"] == "An Peeters"
    ongoing = frame.iloc[1]
    assert ongoing["end"] is None
    assert ongoing["fraction"].value == Fraction(4, 5)
    assert {str(dtype) for dtype in frame.dtypes} == {"object"}
    assert from_frame(frame) == sample.workers


def test_timeline_frame_keeps_fte_exact_and_round_trips() -> None:
    sample = load_demo()
    timelines = [build_timeline(w.periods, as_of=sample.as_of) for w in sample.workers]
    frame = to_frame(timelines)
    assert len(frame) == sum(len(t.segments) for t in timelines)
    assert not any(isinstance(v, float) for v in frame["fte"])
    # exact sum of FTE-days equals the sum over segments computed without pandas
    expected = sum((s.fte * s.period.days for t in timelines for s in t.segments), Fraction(0))
    assert (
        sum((f * d for f, d in zip(frame["fte"], frame["days"], strict=True)), Fraction(0))
        == expected
    )
    assert isinstance(frame["fte"].sum(), Fraction)
    assert from_frame(frame, "timeline") == tuple(timelines)


def test_entitlement_t_pro_1_values_are_exact_objects() -> None:
    entitlement = _t_pro_1()
    frame = to_frame(entitlement)
    row = frame.iloc[0]
    assert row["days_exact"] == Fraction(3)
    assert row["days"] == Decimal("3.0000")
    assert isinstance(row["days"], Decimal)
    assert row["band"] == SizeBand.FROM_20
    assert from_frame(frame) == (entitlement,)


def test_trainings_round_trip_after_filtering() -> None:
    niss = Niss("85073003328")
    trainings = [
        Training(
            niss=niss,
            name="Excel",
            start=date(2024, 3, 4),
            end=date(2024, 3, 5),
            hours="15.2",
            employer=ACME,
        ),
        Training(
            niss=niss,
            name="Safety",
            start=date(2024, 6, 1),
            end=date(2024, 6, 1),
            hours=Fraction(15, 4),
            counts_toward_individual_right=False,
        ),
    ]
    frame = to_frame(trainings)
    assert list(frame["hours"]) == [Fraction(76, 5), Fraction(15, 4)]
    counted = frame[frame["counts_toward_individual_right"]]
    assert from_frame(counted, "trainings") == (trainings[0],)


def test_float_columns_are_refused_not_guessed() -> None:
    frame = to_frame(load_demo().workers)
    frame["fraction"] = [0.8] * len(frame)
    with pytest.raises(InvalidValueError, match=r"float value 0\.8 in column 'fraction'"):
        from_frame(frame)


def test_missing_column_and_unknown_kind() -> None:
    frame = to_frame(load_demo().workers).drop(columns=["kind"])
    with pytest.raises(InvalidValueError, match=r"lacks column\(s\) \['kind'\]"):
        from_frame(frame)
    with pytest.raises(InvalidValueError, match="unknown frame kind 'nope'"):
        from_frame(frame, "nope")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="does not know how to show int"):
        to_frame([1, 2])


def test_clear_error_without_pandas() -> None:
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "from mycareer.frames import to_frame\n"
        "from mycareer.demo import load_demo\n"
        "try:\n    to_frame(load_demo().workers)\n"
        "except ImportError as e:\n    print(type(e).__name__, e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "MissingExtraError" in result.stdout
    assert "pip install 'mycareer[pandas]'" in result.stdout


# --- properties ---------------------------------------------------------------

FRAME_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@FRAME_SETTINGS
@given(st.lists(career_periods(), min_size=1, max_size=12))
def test_timeline_frame_covers_the_union_of_days_and_round_trips(
    records: list[CareerPeriod],
) -> None:
    """Set-of-days oracle: the frame's rows cover exactly the days some record covers."""
    timeline = build_timeline(records, as_of=HORIZON)
    frame = to_frame(timeline)
    covered: set[date] = set()
    for start, end in zip(frame["start"], frame["end"], strict=True):
        covered |= set(Period(start, end).iter_days())
    resolved = [r.period.resolve(HORIZON) for r in records]
    assert covered == union_days([p for p in resolved if p is not None], HORIZON)
    assert sum(frame["days"]) == len(covered)
    assert not any(isinstance(value, float) for value in frame["fte"])
    assert from_frame(frame) == (timeline,)


@FRAME_SETTINGS
@given(st.lists(trainings(), min_size=1, max_size=8))
def test_trainings_round_trip_exactly(items: list[Training]) -> None:
    frame = to_frame(items)
    assert list(frame["hours"]) == [t.hours for t in items]
    assert from_frame(frame) == tuple(items)
