"""pandas views: exact frames (objects, round trips) and analysis frames (dtypes).

The T-PRO-1 example (docs/training-right.md, Securex: 20+ FTE, 80 %, hired
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
from mycareer.demo import demo_paths, load_demo
from mycareer.dmfa import ContractType, DmfaOccupation
from mycareer.errors import InvalidValueError
from mycareer.fla import Entitlement, SizeBand
from mycareer.fla.entitlement import entitlement_for
from mycareer.fla.trainings import Training
from mycareer.frames import from_frame, to_frame
from mycareer.timeline import Timeline, build_timeline, build_timelines
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
    frame = to_frame(sample.workers, exact=True)
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
    frame = to_frame(timelines, exact=True)
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
    frame = to_frame(entitlement, exact=True)
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
    frame = to_frame(trainings, exact=True)
    assert list(frame["hours"]) == [Fraction(76, 5), Fraction(15, 4)]
    counted = frame[frame["counts_toward_individual_right"]]
    assert from_frame(counted, "trainings") == (trainings[0],)


def test_float_columns_are_refused_not_guessed() -> None:
    frame = to_frame(load_demo().workers, exact=True)
    frame["fraction"] = [0.8] * len(frame)
    with pytest.raises(InvalidValueError, match=r"float value 0\.8 in column 'fraction'"):
        from_frame(frame)


def test_missing_column_and_unknown_kind() -> None:
    frame = to_frame(load_demo().workers, exact=True).drop(columns=["kind"])
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
        "try:\n    to_frame(load_demo().workers, exact=True)\n"
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
    frame = to_frame(timeline, exact=True)
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
    frame = to_frame(items, exact=True)
    assert list(frame["hours"]) == [t.hours for t in items]
    assert from_frame(frame) == tuple(items)


# --- analysis frames (issue 12 items 11, 12) ------------------------------------

FRAME_KINDS_SHOWN = ("timeline", "entitlements", "trainings", "career", "gaps", "findings")


def _demo_timelines() -> dict[Niss, Timeline]:
    sample = load_demo()
    return build_timelines([p for w in sample.workers for p in w.periods], as_of=sample.as_of)


def _demo_entitlements() -> tuple[Entitlement, ...]:
    from mycareer.fla import compute_entitlements
    from mycareer.xmlio import read_dmfa

    with demo_paths() as paths:
        batch = read_dmfa([paths.dmfa])
    return compute_entitlements(batch.records, batch.declarations, year=2025)


def _demo_trainings() -> tuple[Training, ...]:
    from mycareer.fla import read_trainings

    with demo_paths() as paths:
        return read_trainings(paths.trainings).trainings


def test_analysis_dtypes_of_entitlements() -> None:
    entitlements = _demo_entitlements()
    frame = to_frame(entitlements)
    dtypes = {name: str(dtype) for name, dtype in frame.dtypes.items()}
    assert dtypes["niss"] == dtypes["employer"] == "string"
    assert dtypes["year"] == "Int64"
    assert dtypes["projected"] == dtypes["fallback_used"] == "boolean"
    assert dtypes["days"] == dtypes["days_exact"] == "float64"
    assert frame["band"].cat.ordered
    assert list(frame["band"].cat.categories) == ["<10", "10-19", "20+"]
    assert frame["band"].min() <= frame["band"].max()
    first = entitlements[0]
    assert frame.loc[frame["niss"] == str(first.niss), "year"].iloc[0] == first.year
    assert (frame["niss"] == "85073003328").sum() >= 0  # compact text compares with text
    top = frame.nlargest(3, "days")  # failed with object columns
    assert (
        list(top["days"])
        == sorted(
            (float(e.days) for e in entitlements if e.days is not None),
            reverse=True,
        )[:3]
    )
    assert "findings" not in frame.columns
    assert "months" not in frame.columns


def test_analysis_dtypes_of_timeline_segments_and_dict_input() -> None:
    timelines = _demo_timelines()
    frame = to_frame(timelines)  # the dict build_timelines returns
    assert len(frame) == sum(len(t.segments) for t in timelines.values())
    assert str(frame["start"].dtype) == str(frame["end"].dtype) == "datetime64[ns]"
    assert (frame["start"].dt.year >= 2000).all()
    assert str(frame["days"].dtype) == "Int64"
    assert str(frame["fte"].dtype) == "float64"
    assert "sources" not in frame.columns
    assert "kinds" not in frame.columns
    ongoing = frame[frame["end"].isna()]
    assert len(ongoing) == sum(
        1 for t in timelines.values() for s in t.segments if s.period.end is None
    )
    exact = to_frame(timelines, exact=True)
    assert [Fraction(str(f)) for f in exact["fte"]] == list(exact["fte"])
    assert list(frame["fte"]) == [float(f) for f in exact["fte"]]


@pytest.mark.parametrize("kind", FRAME_KINDS_SHOWN)
@pytest.mark.parametrize("exact", [False, True])
def test_empty_input_gives_the_kinds_columns_and_dtypes(kind: str, exact: bool) -> None:
    full = {
        "timeline": lambda: to_frame(_demo_timelines(), exact=exact),
        "entitlements": lambda: to_frame(_demo_entitlements(), exact=exact),
        "trainings": lambda: to_frame(_demo_trainings(), exact=exact),
        "career": lambda: to_frame(load_demo().workers, exact=exact),
        "gaps": lambda: to_frame(_demo_timelines(), "gaps", exact=exact),
        "findings": lambda: to_frame(_demo_entitlements(), "findings", exact=exact),
    }[kind]()
    empty = to_frame([], kind, exact=exact)  # type: ignore[arg-type]
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)
    assert list(empty.dtypes) == list(full.dtypes)
    assert empty.attrs["mycareer_kind"] == kind


def test_empty_input_without_a_kind_is_an_empty_frame() -> None:
    frame = to_frame([])
    assert frame.empty
    assert len(frame.columns) == 0


def test_gaps_frame_lists_each_timelines_gaps() -> None:
    timelines = _demo_timelines()
    frame = to_frame(timelines, "gaps")
    expected = [(str(t.niss), g.period.start, g.days) for t in timelines.values() for g in t.gaps()]
    shown = [
        (niss, start.date(), days)
        for niss, start, days in zip(frame["niss"], frame["start"], frame["days"], strict=True)
    ]
    assert shown == expected
    assert str(frame["working_days"].dtype) == "Int64"


def test_findings_frame_keeps_where_each_was_found() -> None:
    from mycareer import Finding, Severity, SourceRef

    finding = Finding("X_CODE", Severity.WARNING, "look", SourceRef("q1.xml", 7, "$.a"))
    frame = to_frame([finding])
    row = frame.iloc[0]
    assert (row["code"], row["severity"], row["file"], row["line"], row["record"]) == (
        "X_CODE", "warning", "q1.xml", 7, "$.a",
    )  # fmt: skip
    assert str(frame["line"].dtype) == "Int64"
    assert pd.isna(row["niss"])


def test_analysis_frames_do_not_come_back() -> None:
    with pytest.raises(InvalidValueError, match="exact=True"):
        from_frame(to_frame(load_demo().workers))
