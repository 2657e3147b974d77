"""The compact JSON writer streams: the same bytes as joining every item at once."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.cli._common import json_lines, write_json
from mycareer.jsontext import item_text


@pytest.mark.parametrize("count", [0, 1, 2, 255, 256, 257, 512, 513])
def test_streamed_lists_are_the_joined_text(count: int) -> None:
    items = [{"n": i, "é": "x" * (i % 3)} for i in range(count)]
    texts = [json.dumps(item, ensure_ascii=False) for item in items]
    joined = '{"as_of": "2024-12-31", "workers": ' + json_lines(texts) + ', "empty": []}\n'
    plain = io.StringIO()
    write_json(plain, {"as_of": "2024-12-31", "workers": items, "empty": []}, None)
    encoded = io.StringIO()
    document = {"as_of": "2024-12-31", "workers": [], "empty": []}
    write_json(encoded, document, None, {"workers": iter(texts), "empty": iter(())})
    assert plain.getvalue() == joined == encoded.getvalue()
    assert json.loads(joined)["workers"] == items


def test_an_empty_document() -> None:
    sink = io.StringIO()
    write_json(sink, {}, None)
    assert sink.getvalue() == "{}\n"


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                 max_size=3),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(max_size=4), values, max_size=4),
    st.lists(values, max_size=6),
    st.none() | st.integers(0, 4),
)
def test_items_encoded_where_computed_are_only_joined(
    document: dict[str, Any], items: list[Any], indent: int | None
) -> None:
    """Items a worker process encoded with ``item_text(value, indent, 2)`` give the
    bytes of ``json.dumps`` of the whole document, indented or compact (one item a line)."""
    whole = {**document, "items": items}
    texts = [item_text(item, indent, 2) for item in items]
    sink = io.StringIO()
    write_json(sink, {**document, "items": []}, indent, {"items": iter(texts)})
    if indent is None:
        assert json.loads(sink.getvalue()) == whole
        assert all(f"\n{text}" in sink.getvalue() for text in texts)  # one a line
    else:
        assert sink.getvalue() == json.dumps(whole, ensure_ascii=False, indent=indent) + "\n"


@settings(max_examples=300, deadline=None)
@given(values, st.integers(0, 4), st.integers(0, 3))
def test_an_item_text_is_its_lines_in_the_document(value: Any, indent: int, level: int) -> None:
    # The oracle: the item's lines in json.dumps of a document that holds it ``level`` deep.
    document: Any = value
    for _ in range(level):
        document = [document]
    lines = json.dumps(document, ensure_ascii=False, indent=indent).split("\n")
    inner = lines[level : len(lines) - level] if level else lines
    assert item_text(value, indent, level) == "\n".join(inner)
    assert item_text(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("count", [0, 1, 256, 257, 600])
def test_indented_long_lists_are_written_in_chunks(count: int) -> None:
    items = [{"n": i, "text": 'é\n"x"', "list": [i, [], {}]} for i in range(count)]
    texts = (item_text(item, 2, 2) for item in items)
    sink = io.StringIO()
    write_json(sink, {"as_of": "2024-12-31", "accounts": []}, 2, {"accounts": texts})
    expected = {"as_of": "2024-12-31", "accounts": items}
    assert sink.getvalue() == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
