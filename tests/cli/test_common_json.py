"""The compact JSON writer streams: the same bytes as joining every item at once."""

from __future__ import annotations

import io
import json

import pytest

from mycareer.cli._common import json_lines, write_json


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
