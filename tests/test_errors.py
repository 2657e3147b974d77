"""Errors: hierarchy, batch collection with paths, flattening."""

from __future__ import annotations

import pytest

from mycareer import (
    ErrorCollector,
    InputError,
    InvalidNissError,
    InvalidValueError,
    MycareerError,
    MycareerErrorGroup,
    Niss,
    SourceRef,
    flatten_errors,
)


def test_collector_reports_every_bad_record_and_keeps_good_ones() -> None:
    raw = ["90010100123", "90010100124", "93051822361", "nope"]
    good: list[Niss] = []
    with pytest.raises(MycareerErrorGroup) as caught, ErrorCollector("$.workers") as errors:
        for index, value in enumerate(raw):
            with errors.at(f"[{index}].niss"):
                good.append(Niss(value))
    assert [n.value for n in good] == ["90010100123", "93051822361"]
    lines = flatten_errors(caught.value)
    assert len(lines) == 2
    assert lines[0].endswith("@ $.workers[1].niss")
    assert "90010100124" in lines[0]
    assert lines[1].endswith("@ $.workers[3].niss")
    assert "nope" in lines[1]
    assert all(isinstance(e, InvalidNissError) for e in caught.value.exceptions)


def test_collector_without_raise_keeps_errors_for_the_caller() -> None:
    collector = ErrorCollector(raise_on_exit=False)
    with collector, collector.at("a"):
        Niss("bad 'x'")
    assert [e.path for e in collector.errors] == ["$.a"]
    assert "bad 'x'" in str(collector.errors[0])


def test_other_exceptions_are_not_swallowed() -> None:
    collector = ErrorCollector()
    with pytest.raises(KeyError), collector, collector.at("[0]"):
        raise KeyError("bug")


def test_error_text_names_source_and_path() -> None:
    error = InputError("malformed XML", source=SourceRef("q1.xml", 7), path="$.Form")
    assert str(error) == "q1.xml:7: malformed XML @ $.Form"
    assert isinstance(error, ValueError)
    assert isinstance(error, MycareerError)


def test_flatten_nested_groups() -> None:
    inner = MycareerErrorGroup("inner", [InvalidValueError("a", path="$.x")])
    outer = MycareerErrorGroup("outer", [inner, InvalidValueError("b")])
    assert flatten_errors(outer) == ["a @ $.x", "b"]
    assert isinstance(outer.derive([InvalidValueError("c")]), MycareerErrorGroup)
