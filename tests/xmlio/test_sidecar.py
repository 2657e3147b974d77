"""Sidecar outcome files (issue 3 §2): each declaration reference → period id and status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dimona import DimonaStatus
from mycareer.errors import InputError, MycareerErrorGroup
from mycareer.xmlio.sidecar import read_outcomes


def test_json_and_csv_give_the_same_outcomes(tmp_path: Path) -> None:
    rows = [
        {"reference": "DIM-1", "period_id": "123456789012", "status": "A"},
        {"reference": "DIM-2", "period_id": None, "status": "B"},
        {"reference": "DIM-3", "period_id": 97, "status": "s"},
    ]
    (tmp_path / "o.json").write_text(json.dumps(rows, indent=2))
    (tmp_path / "o.csv").write_text(
        "reference,period_id,status\nDIM-1,123456789012,A\nDIM-2,,B\nDIM-3,97,s\n"
    )
    from_json = read_outcomes(tmp_path / "o.json")
    from_csv = read_outcomes(tmp_path / "o.csv")
    expected = [
        ("DIM-1", "123456789012", DimonaStatus.ACCEPTED),
        ("DIM-2", None, DimonaStatus.REFUSED),
        ("DIM-3", "000000000097", DimonaStatus.PENDING),
    ]
    assert [(o.reference, o.period_id, o.status) for o in from_json] == expected
    assert [(o.reference, o.period_id, o.status) for o in from_csv] == expected
    assert [o.source.line for o in from_csv if o.source] == [2, 3, 4]
    assert [o.source.line for o in from_json if o.source] == [2, 7, 12]


def test_every_bad_json_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        "[\n"
        '  {"reference": "OK", "period_id": "123456789012", "status": "W"},\n'
        '  {"reference": "", "period_id": "123456789012", "status": "A"},\n'
        '  {"reference": "R3", "period_id": "12345678901234", "status": "A"},\n'
        '  {"reference": "R4", "period_id": "123456789012", "status": "Z"},\n'
        "  42\n"
        "]\n"
    )
    with pytest.raises(MycareerErrorGroup) as caught:
        read_outcomes(path)
    lines = [str(e) for e in caught.value.exceptions]
    assert len(lines) == 4
    assert lines[0].startswith(f"{path}:3: missing reference")
    assert lines[1].startswith(f"{path}:4: invalid period_id '12345678901234'")
    assert lines[2].startswith(f"{path}:5: invalid status 'Z'")
    assert lines[3].startswith(f"{path}:6: expected an object")
    assert lines[2].endswith("@ $[3]")


def test_every_bad_csv_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("reference,period_id,status\nOK,1,A\n,1,A\nR3,abc,A\nR4,1,\n")
    with pytest.raises(MycareerErrorGroup) as caught:
        read_outcomes(path)
    assert [e.source.line for e in caught.value.exceptions if hasattr(e, "source")] == [3, 4, 5]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("o.csv", "ref,status\nA,A\n", "header must be reference,period_id,status"),
        ("o.json", '{"reference": "R"}', "must be a list"),
        ("o.json", '[{"reference": "R", ', "malformed JSON"),
        ("o.txt", "", "unknown sidecar format"),
    ],
)
def test_unreadable_sidecars_are_input_errors(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=message) as caught:
        read_outcomes(path)
    assert str(path) in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text("ABCDEFGHIJ-0123456789", min_size=1, max_size=20),
            st.none() | st.integers(0, 999_999_999_999).map(lambda n: f"{n:012d}"),
            st.sampled_from("AWBS"),
        ),
        max_size=8,
    )
)
def test_any_valid_rows_read_back_from_json_and_csv(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str | None, str]]
) -> None:
    folder = tmp_path_factory.mktemp("sidecar")
    (folder / "o.json").write_text(
        json.dumps([{"reference": r, "period_id": p, "status": s} for r, p, s in rows])
    )
    (folder / "o.csv").write_text(
        "reference,period_id,status\n" + "".join(f"{r},{p or ''},{s}\n" for r, p, s in rows)
    )
    for name in ("o.json", "o.csv"):
        read = read_outcomes(folder / name)
        assert [(o.reference, o.period_id, o.status.value) for o in read] == rows
