"""Notebook and console views: escaped HTML tables, and short summaries of collections.

A batch of 20,000 workers must not print 140 MB: :func:`summarised` gives an
attrs class whose fields hold collections a ``repr`` that shows each collection's
size and first item only, and a ``_repr_html_`` table of the same summary.

>>> print(html_table(["a", "b"], [["1", "<x>"]], caption="T"))
<table><caption>T</caption><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>&lt;x&gt;</td></tr></tbody></table>
>>> import attrs
>>> @summarised
... @attrs.frozen
... class Batch:
...     name: str
...     items: tuple[int, ...]
>>> Batch("q1", tuple(range(20_000)))
Batch(name='q1', items=<20000 items: 0, 1, …>)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any, TypeVar

import attrs

__all__ = ["html_table", "summarised", "summary"]

_C = TypeVar("_C", bound=type)

#: How many items of a collection a summary shows, and how long each may be.
SHOWN_ITEMS = 2
HTML_ITEMS = 5
ITEM_CHARS = 80


def html_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, caption: str | None = None
) -> str:
    """An escaped HTML table; cells are rendered with ``str``."""
    head = "".join(f"<th>{escape(str(cell))}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cut(text: str, limit: int = ITEM_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _items(value: object) -> list[Any] | None:
    """The items of a collection field (tuple, list, frozenset, mapping), else ``None``."""
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, tuple | list | frozenset | set):
        return list(value)
    return None


def summary(value: object, shown: int = SHOWN_ITEMS) -> str:
    """``<N items: first, second, …>`` for a collection; a cut ``repr`` for anything else."""
    items = _items(value)
    if items is None:
        return _cut(repr(value), 2 * ITEM_CHARS)
    if not items:
        return "<0 items>"
    first = ", ".join(_cut(repr(item)) for item in items[:shown])
    more = ", …" if len(items) > shown else ""
    return f"<{len(items)} items: {first}{more}>"


def _repr(self: Any) -> str:
    parts = ", ".join(
        f"{field.name}={summary(getattr(self, field.name))}"
        for field in attrs.fields(type(self))
        if field.repr
    )
    return f"{type(self).__name__}({parts})"


def _repr_html(self: Any) -> str:
    rows: list[list[object]] = []
    for field in attrs.fields(type(self)):
        value = getattr(self, field.name)
        items = _items(value)
        if items is None:
            rows.append([field.name, "", _cut(str(value))])
            continue
        shown = "; ".join(_cut(str(item)) for item in items[:HTML_ITEMS])
        more = f"; … ({len(items) - HTML_ITEMS} more)" if len(items) > HTML_ITEMS else ""
        rows.append([field.name, len(items), shown + more])
    return html_table(["field", "count", "first items"], rows, caption=type(self).__name__)


def summarised(cls: _C) -> _C:
    """Give an attrs class a short ``repr`` (collections as counts and first items) and,
    unless it has one, a ``_repr_html_`` summary table. Apply it above ``@attrs.frozen``."""
    cls.__repr__ = _repr  # type: ignore[assignment]
    if "_repr_html_" not in cls.__dict__:
        cls._repr_html_ = _repr_html  # type: ignore[attr-defined]
    return cls
