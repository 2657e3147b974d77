"""Trainings: the record (docs/fla.md, B-6, B-11) and its CSV/JSON import."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, flatten_errors
from mycareer.fla.trainings import Training, TrainingStatus, TrainingType
from mycareer.fla.trainings_io import (
    parse_trainings_csv,
    parse_trainings_json,
    read_trainings,
    stream_trainings,
    trainings_to_csv,
    trainings_to_json,
)
from mycareer.niss import Niss

from .test_trainings_strategies import trainings

ANNA = Niss("85073003328")

HEADER = "niss,name,start,end,hours,type,status,counts_toward_individual_right\n"


def test_training_days_through_hours_per_day_b6() -> None:
    """B-6: 38 h ÷ 5 = 7.6 h a day; 3 h 48 min is exactly half a day."""
    t = Training(ANNA, "First aid", date(2024, 5, 2), date(2024, 5, 2), Fraction(19, 5))
    assert t.days(Fraction(38, 5)) == Fraction(1, 2)
    assert t.minutes == 228
    with pytest.raises(InvalidValueError, match="hours per day must be positive"):
        t.days(Fraction(0))


def test_training_refuses_float_hours_and_bad_enums() -> None:
    with pytest.raises(InvalidValueError, match="never a float"):
        Training(ANNA, "x", date(2024, 1, 1), date(2024, 1, 1), 7.5)
    with pytest.raises(InvalidValueError, match="invalid training type 'seminar'"):
        Training(ANNA, "x", date(2024, 1, 1), date(2024, 1, 1), 1, type="seminar")
    with pytest.raises(InvalidValueError, match="invalid training status"):
        Training(ANNA, "x", date(2024, 1, 1), date(2024, 1, 1), 1, status="done")
    with pytest.raises(InvalidValueError, match="non-empty name"):
        Training(ANNA, "  ", date(2024, 1, 1), date(2024, 1, 1), 1)


def test_csv_import_reads_every_field() -> None:
    text = (
        "niss;employer;employer_nsso;id;name;provider;start;end;minutes;type;status;"
        "counts_toward_individual_right;outcome;certificate;certificate_valid_until;funding\n"
        "85.07.30-033.28;0403.019.261;100006;T-1;Safety;Acme Academy;2024-02-01;2024-02-02;"
        "90;well-being;completed;no;passed;VCA;2034-02-01;sector fund\n"
    )
    (t,) = parse_trainings_csv(text).trainings
    assert t.niss == ANNA
    assert t.employer is not None
    assert t.employer.key == "0403019261"
    assert str(t.employer.nsso) == "100006"
    assert t.hours == Fraction(3, 2)
    assert t.type is TrainingType.WELL_BEING
    assert t.status is TrainingStatus.COMPLETED
    assert t.counts_toward_individual_right is False
    assert (t.provider, t.outcome, t.certificate, t.funding, t.id) == (
        "Acme Academy",
        "passed",
        "VCA",
        "sector fund",
        "T-1",
    )
    assert t.certificate_valid_until == date(2034, 2, 1)
    assert t.source is not None
    assert t.source.line == 2


def test_csv_reports_every_bad_row_with_line_and_column_and_keeps_the_good() -> None:
    text = (
        HEADER
        + "85073003328,Good one,2024-01-01,2024-01-02,7.5,formal,completed,true\n"
        + "85073003329,Bad NISS,2024-01-01,2024-01-02,7.5,formal,completed,true\n"
        + "85073003328,Bad dates,2024-01-03,2024-01-02,7.5,formal,completed,true\n"
        + "85073003328,,2024-13-01,2024-01-02,-1,lecture,done,maybe\n"
        + "85073003328,Good two,2024-01-01,2024-01-01,22/3,informal,reserved,0\n"
    )
    result = parse_trainings_csv(text, name="t.csv", keep_valid=True)
    assert [t.name for t in result.trainings] == ["Good one", "Good two"]
    assert result.trainings[1].hours == Fraction(22, 3)
    where = [(e.source.line, e.source.record) for e in result.errors if e.source]
    assert where == [
        (3, "column niss"),
        (4, "column end"),
        (5, "column name"),
        (5, "column start"),
        (5, "column hours"),
        (5, "column counts_toward_individual_right"),
    ]
    # reject-all (the default) raises once with the same problems and keeps nothing
    with pytest.raises(MycareerErrorGroup) as caught:
        parse_trainings_csv(text, name="t.csv")
    lines = flatten_errors(caught.value)
    assert len(lines) == 6
    assert lines[0].startswith("t.csv:3 column niss: invalid NISS '85073003329'")


def test_csv_type_and_status_errors_are_reported_after_the_fields_parse() -> None:
    text = HEADER + "85073003328,x,2024-01-01,2024-01-02,1,lecture,completed,true\n"
    result = parse_trainings_csv(text, keep_valid=True)
    assert [(e.source.line, e.source.record) for e in result.errors if e.source] == [
        (2, "column type")
    ]


def test_csv_header_problems() -> None:
    result = parse_trainings_csv("niss,name,start,colour\n", name="h.csv", keep_valid=True)
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("h.csv:1 column colour: unknown column 'colour'")
    assert messages[1] == "h.csv:1 header: missing column(s): end, hours or minutes"
    with pytest.raises(InputError, match="empty CSV"):
        parse_trainings_csv("")


def test_csv_semicolons_comma_decimals_and_blank_lines() -> None:
    text = "\ufeffniss;name;start;end;hours\n\n85073003328;A;2024-01-01;2024-01-01;3,8\n"
    (t,) = parse_trainings_csv(text).trainings
    assert t.hours == Fraction(19, 5)


def test_hours_and_minutes_must_agree() -> None:
    text = "niss,name,start,end,hours,minutes\n85073003328,A,2024-01-01,2024-01-01,1.5,60\n"
    result = parse_trainings_csv(text, keep_valid=True)
    assert [e.source.record for e in result.errors if e.source] == ["column minutes"]


def test_json_import_paths_and_exact_numbers() -> None:
    document = {
        "trainings": [
            {"niss": "85073003328", "name": "A", "start": "2024-01-01", "end": "2024-01-01",
             "hours": 7.6},
            {"niss": "85073003328", "name": "B", "start": "2024-01-01", "end": "x", "hours": "1",
             "colour": "red"},
            "not an object",
            {"niss": "85073003328", "name": "C", "start": "2024-01-01", "end": "2024-01-01",
             "minutes": 45, "counts_toward_individual_right": False},
        ]
    }  # fmt: skip
    result = parse_trainings_json(json.dumps(document), name="t.json", keep_valid=True)
    assert [t.name for t in result.trainings] == ["A", "C"]
    assert result.trainings[0].hours == Fraction(38, 5)  # 7.6 read exactly, never a float
    assert result.trainings[1].hours == Fraction(3, 4)
    assert result.trainings[1].counts_toward_individual_right is False
    assert [e.path for e in result.errors] == [
        "$.trainings[1].colour",
        "$.trainings[1].end",
        "$.trainings[2]",
    ]
    assert all(e.source is not None and e.source.file == "t.json" for e in result.errors)


def test_json_niss_as_a_number_keeps_its_leading_zero() -> None:
    text = (
        '[{"niss": 3021512318, "name": "A", "start": "2024-01-01", "end": "2024-01-01",'
        ' "hours": 1}]'
    )
    assert parse_trainings_json(text).trainings[0].niss == Niss("03021512318")


def test_json_malformed_is_an_input_error_with_its_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_trainings_json('[\n{"niss": }\n]', name="bad.json")
    assert caught.value.source is not None
    assert caught.value.source.line == 2
    with pytest.raises(InputError, match="expected an array"):
        parse_trainings_json('{"niss": "1"}')


def test_read_trainings_by_suffix(tmp_path: Path) -> None:
    csv_file = tmp_path / "t.csv"
    csv_file.write_text("niss,name,start,end,hours\n85073003328,A,2024-01-01,2024-01-01,2\n")
    assert read_trainings(csv_file).trainings[0].source is not None
    (tmp_path / "t.txt").write_text("x")
    with pytest.raises(InputError, match=r"expected \.csv or \.json"):
        read_trainings(tmp_path / "t.txt")
    with pytest.raises(InputError, match="cannot read"):
        read_trainings(tmp_path / "missing.csv")


@settings(max_examples=100, deadline=None)
@given(st.lists(trainings(), max_size=6))
def test_csv_round_trip(items: list[Training]) -> None:
    assert parse_trainings_csv(trainings_to_csv(items)).trainings == tuple(items)


@settings(max_examples=100, deadline=None)
@given(st.lists(trainings(), max_size=6))
def test_json_round_trip(items: list[Training]) -> None:
    assert parse_trainings_json(trainings_to_json(items)).trainings == tuple(items)


def test_json_hours_are_exact_text() -> None:
    t = Training(ANNA, "A", date(2024, 1, 1), date(2024, 1, 1), Decimal("7.60"))
    (record,) = json.loads(trainings_to_json([t]))
    assert record["hours"] == "7.6"
    thirds = Training(ANNA, "A", date(2024, 1, 1), date(2024, 1, 1), "22/3")
    assert json.loads(trainings_to_json([thirds]))[0]["hours"] == "22/3"


BAD_ROWS = [
    "85073003329,Bad NISS,2024-01-01,2024-01-02,7.5,formal,completed,true\n",
    "85073003328,Bad dates,2024-01-03,2024-01-02,7.5,formal,completed,true\n",
    "85073003328,,2024-13-01,2024-01-02,-1,lecture,done,maybe\n",
    "85073003328,Extra,2024-01-01,2024-01-01,1,formal,completed,true,surplus\n",
    "\n",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(trainings(), max_size=5), st.lists(st.sampled_from(BAD_ROWS), max_size=4),
       st.randoms(use_true_random=False), st.sampled_from([".csv", ".json"]))  # fmt: skip
def test_a_stream_gives_what_the_whole_read_gives(
    tmp_path_factory: pytest.TempPathFactory,
    items: list[Training],
    bad: list[str],
    shuffle: object,
    suffix: str,
) -> None:
    """stream_trainings (one training at a time) against read_trainings(keep_valid=True):
    the same trainings in the same order, then the same errors."""
    path = tmp_path_factory.mktemp("stream") / f"t{suffix}"
    if suffix == ".csv":
        lines = trainings_to_csv(items, columns=HEADER.strip().split(",")).splitlines(True)
        body = lines[1:] + bad
        shuffle.shuffle(body)  # type: ignore[attr-defined]
        path.write_text(lines[0] + "".join(body), encoding="utf-8")
    else:
        records = json.loads(trainings_to_json(items))
        records += [{"niss": "85073003329", "name": "x", "start": "2024-01-01"}] * len(bad)
        path.write_text(json.dumps(records), encoding="utf-8")
    whole = read_trainings(path, keep_valid=True)
    stream = stream_trainings(path)
    assert tuple(stream) == whole.trainings
    assert [(str(e), e.source) for e in stream.errors] == [(str(e), e.source) for e in whole.errors]
    assert len(whole.trainings) == len(items)


@pytest.mark.parametrize(
    "tail",
    [
        b"85073003328,Late," + b"x" * 70_000 + b",2024-01-01,1,formal,completed,true\n",
        b"85073003328,Undecodable \xff,2024-01-01,2024-01-01,1,formal,completed,true\n",
    ],
    ids=["field-too-long", "not-utf8"],
)
def test_a_file_refused_late_is_refused_before_any_training_is_given(
    tmp_path: Path, tail: bytes
) -> None:
    """A malformed last row refuses the whole file: the stream raises when opened, so a
    caller routing the trainings as they come has taken none (the file contributes nothing)."""
    good = "85073003328,Good,2024-01-01,2024-01-01,2,formal,completed,true\n" * 3
    path = tmp_path / "t.csv"
    path.write_bytes((HEADER + good).encode() + tail)
    with pytest.raises(InputError) as caught:
        stream_trainings(path)
    assert caught.value.source is not None
    assert caught.value.source.file == str(path)
    assert caught.value.source.line == 5
    with pytest.raises(InputError):
        read_trainings(path, keep_valid=True)
