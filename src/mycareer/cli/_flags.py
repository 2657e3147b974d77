"""Options shared by several commands: ``--indent`` (JSON for people) and ``--jobs``.

JSON is written compact by default, with the C encoder (``json.dumps``; ``json.dump``
to a file takes the pure-Python encoder, and indentation costs more again): a
document's top-level lists hold one item per line, which stays easy to grep and
to stream. ``--indent N`` writes the whole document indented for people.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = [
    "add_indent",
    "add_jobs",
    "collector_enabled",
    "default_jobs",
    "json_lines",
    "write_json",
]


@contextmanager
def collector_enabled() -> Iterator[None]:
    """The cyclic GC on for a block of a command, whatever ``main`` chose (CLI only).

    ``mycareer.cli.main`` pauses the collector for its process (bulk reads hold
    many acyclic records). A command that streams employer by employer holds
    little at a time, so collecting costs nothing there, while lxml's iterparse
    leaves reference cycles that would keep every file's parsed document alive.
    """
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()


def add_indent(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--indent",
        type=_indent,
        default=None,
        metavar="N",
        help="JSON output indented by N spaces, for people (default: compact, one item a line)",
    )


def _indent(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:80]!r} is not a number of spaces") from None
    if not 0 <= value <= 16:
        raise argparse.ArgumentTypeError(f"{value} spaces: give 0 to 16")
    return value


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return max(1, os.cpu_count() or 1)


def add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes (default: the usable cores; 1: one process); "
        "the output is the same byte for byte whatever N",
    )


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:80]!r} is not a number of processes") from None
    if not 1 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"{value} processes: give 1 to 1024")
    return value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_lines(items: Iterable[str]) -> str:
    """A JSON array of already-encoded items, one a line."""
    body = ",\n".join(items)
    return f"[\n{body}\n]" if body else "[]"


def write_json(out: TextIO, document: Mapping[str, Any], indent: int | None) -> None:
    """Write ``document``: indented when ``indent`` is given, else compact.

    >>> import io
    >>> sink = io.StringIO()
    >>> write_json(sink, {"as_of": "2024-12-31", "workers": [{"a": 1}, {"a": 2}]}, None)
    >>> print(sink.getvalue(), end="")
    {"as_of": "2024-12-31", "workers": [
    {"a": 1},
    {"a": 2}
    ]}
    """
    if indent is not None:
        out.write(json.dumps(document, ensure_ascii=False, indent=indent) + "\n")
        return
    parts = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            parts.append(f"{_dumps(key)}: {json_lines(map(_dumps, value))}")
        else:
            parts.append(f"{_dumps(key)}: {_dumps(value)}")
    out.write("{" + ", ".join(parts) + "}\n")
