"""The field-reader toolkit shared by every XML reader, and the format registry's layering."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer.errors import InvalidNissError, InvalidValueError
from mycareer.limits import MAX_SHOWN_CHARS
from mycareer.niss import Niss
from mycareer.xmlio._safe import parse_bytes
from mycareer.xmlio.reading import FieldReader

SRC = Path(__file__).resolve().parents[2] / "src" / "mycareer" / "xmlio"


def _reader(xml: str) -> FieldReader:
    return FieldReader(parse_bytes(xml.encode()).getroot(), "f.xml", "$.R[1]")


def test_each_refusal_names_the_field_path_file_and_line() -> None:
    fields = _reader("<R>\n<A>x</A>\n<Sub>\n<B>2023-02-30</B></Sub></R>")
    with pytest.raises(InvalidValueError) as caught:
        fields.integer("A")
    assert str(caught.value) == "f.xml:2: invalid A 'x': expected an integer @ $.R[1].A"
    sub = fields.child(fields.find("Sub"), "Sub[1]")
    with pytest.raises(InvalidValueError) as caught:
        sub.iso_date("B")
    assert caught.value.path == "$.R[1].Sub[1].B"
    assert caught.value.source is not None
    assert caught.value.source.line == 4


def test_missing_required_field_points_at_the_element() -> None:
    with pytest.raises(InvalidValueError, match="missing A") as caught:
        _reader("<R>\n<B/></R>").text("A", required=True)
    assert caught.value.source is not None
    assert caught.value.source.line == 1
    assert _reader("<R><A>  </A></R>").text("A") is None


def test_the_value_class_error_keeps_its_type_and_gets_the_place() -> None:
    with pytest.raises(InvalidNissError) as caught:
        _reader("<R><N>85073003329</N></R>").convert("N", Niss, identifier=True)
    assert caught.value.path == "$.R[1].N"
    assert _reader("<R><N>85073003328</N></R>").convert("N", Niss) == Niss("85073003328")


@given(st.integers(min_value=40, max_value=20000))
def test_long_values_are_refused_before_conversion_and_cut_in_the_message(size: int) -> None:
    fields = _reader(f"<R><A>{'9' * size}</A></R>")
    for read in (
        lambda: fields.integer("A"),
        lambda: fields.convert("A", Niss, identifier=True),
        lambda: fields.iso_date("A"),
    ):
        with pytest.raises(InvalidValueError) as caught:
            read()
        assert len(caught.value.message) < MAX_SHOWN_CHARS + 100


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_integers_read_back_exactly(value: int) -> None:
    fields = _reader(f"<R><A> {value} </A></R>")
    if value < 0:
        with pytest.raises(InvalidValueError, match="at least 0"):
            fields.integer("A")
    assert fields.integer("A", minimum=-(10**18)) == value


def test_dates() -> None:
    assert _reader("<R><A>2024-02-29</A></R>").iso_date("A") == date(2024, 2, 29)


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_registry_does_not_import_its_plugins() -> None:
    imported = _imported_modules(SRC / "formats.py")
    assert not {m for m in imported if m.startswith("mycareer.xmlio.")} - {"mycareer.xmlio._safe"}


def test_shared_helpers_are_not_imported_from_another_format() -> None:
    """dimona (and every new reader) uses the toolkit, never dmfa's privates."""
    assert "mycareer.xmlio.dmfa" not in _imported_modules(SRC / "dimona.py")
    assert "mycareer.xmlio.reading" in _imported_modules(SRC / "dimona.py")


def test_the_registry_finds_builtin_formats_when_imported_alone() -> None:
    code = (
        "from mycareer.xmlio.formats import get_format;"
        "print(get_format('training-account').root, get_format('career-records').root)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["trainingAccounts", "careerRecords"]
