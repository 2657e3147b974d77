"""mycareer.outputs: atomic writes and the exact, reversible CSV neutralisation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer.outputs import (
    OutputError,
    OutputRefusedError,
    atomic_output,
    csv_cell,
    csv_text,
    refuse_inputs,
    write_atomic,
)

_TRIGGERS = "=+-@\t\r"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rab 1\n")) | st.text())
def test_neutralisation_is_exactly_reversible(value: str) -> None:
    cell = csv_cell(value)
    assert csv_text(cell) == value
    assert not cell.startswith(tuple(_TRIGGERS))  # what a spreadsheet would run


@given(st.sampled_from(_TRIGGERS), st.text())
def test_every_formula_start_gets_an_apostrophe(first: str, rest: str) -> None:
    value = first + rest
    assert csv_cell(value) == "'" + value


def test_a_failure_inside_the_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(target, "w") as stream:
        stream.write("half")
        raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_text_is_written_without_newline_translation(tmp_path: Path) -> None:
    write_atomic(tmp_path / "t.csv", "a\r\nb\rc\n")
    assert (tmp_path / "t.csv").read_bytes() == b"a\r\nb\rc\n"


def test_a_folder_in_the_way_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError, match="dir"):
        write_atomic(tmp_path / "dir", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]


def test_refuse_inputs_sees_through_links_and_dots(tmp_path: Path) -> None:
    source = tmp_path / "in.xml"
    source.write_bytes(b"<a/>")
    (tmp_path / "hard.xml").hardlink_to(source)
    for alias in (source, tmp_path / "." / "in.xml", tmp_path / "hard.xml"):
        with pytest.raises(OutputRefusedError):
            refuse_inputs([alias], [source])
    refuse_inputs([tmp_path / "other.xml", "-"], [source, "-"])  # no error
