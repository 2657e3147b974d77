"""docs/architecture.md names real modules, functions and tests.

The page tells the next engineer where each rule lives and which test holds each fast
path to its reference; a rename that the page does not follow would send them to the
wrong place, so every name in its tables is checked here.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "mycareer"


def _table(heading: str) -> list[list[str]]:
    """The body rows of the first table under ``## heading``, as lists of cells."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    body = [row for row in rows[1:] if not re.fullmatch(r"[|\- :]+", row)]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in body]


def _code(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _module_name(path: str) -> str:
    """``fla/band.py`` or ``mycareer/limits.py`` as an importable module name."""
    dotted = path.removesuffix(".py").replace("/", ".")
    return dotted if dotted.startswith("mycareer") else f"mycareer.{dotted}"


def _has(modules: Sequence[object], name: str) -> bool:
    head, _, attribute = name.split("(")[0].partition(".")
    for module in modules:
        value = getattr(module, head, None)
        if value is not None and (not attribute or hasattr(value, attribute)):
            return True
    return False


RULE_ROWS = _table("Where each rule lives")


def test_the_rule_table_is_not_empty() -> None:
    assert len(RULE_ROWS) >= 15


@pytest.mark.parametrize("row", RULE_ROWS, ids=[row[0][:40] for row in RULE_ROWS])
def test_every_rule_row_names_existing_modules_and_functions(row: list[str]) -> None:
    _, modules_cell, names_cell = row
    paths = [p for p in _code(modules_cell) if p.endswith(".py")]
    assert paths, f"no module named in {modules_cell!r}"
    for path in paths:
        assert (SRC / path).is_file() or (SRC.parent / path).is_file(), path
    modules = [importlib.import_module(_module_name(path)) for path in paths]
    for name in _code(names_cell):
        if name.endswith(".json") or "/" in name:
            continue
        assert _has(modules, name), f"{name} is not in {paths}"


FAST_ROWS = _table("Fast paths and their references")


@pytest.mark.parametrize("row", FAST_ROWS, ids=[row[0][:40] for row in FAST_ROWS])
def test_every_fast_path_row_names_an_existing_differential_test(row: list[str]) -> None:
    tests = [name for name in _code(row[2]) if name.startswith("tests/")]
    assert tests, f"no test named for {row[0]!r}"
    for test in tests:
        assert (ROOT / test).is_file(), test
