"""mycareer._cache: one bounded cache, one policy, behind every module-level cache."""

from __future__ import annotations

import ast
import contextlib
import threading
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import mycareer
from mycareer._cache import BoundedCache, bounded_cache, clear_caches, registered_caches


@given(st.integers(min_value=1, max_value=8), st.lists(st.integers(0, 20), max_size=60))
def test_never_more_than_maxsize_and_every_hit_is_right(maxsize: int, keys: list[int]) -> None:
    cache: BoundedCache[int, int] = BoundedCache("test", maxsize=maxsize)
    for key in keys:
        found = cache.get(key)
        assert found is None or found == key * key
        if found is None:
            cache.put(key, key * key)
        assert len(cache) <= maxsize
        assert cache[key] == key * key


def test_functions_cache_none_results_and_not_exceptions() -> None:
    calls: list[int] = []

    @bounded_cache(maxsize=4)
    def maybe(x: int) -> int | None:
        calls.append(x)
        if x < 0:
            raise ValueError(x)
        return None if x == 0 else x

    assert [maybe(0), maybe(0), maybe(3), maybe(3)] == [None, None, 3, 3]
    assert calls == [0, 3]
    for _ in range(2):
        with contextlib.suppress(ValueError):
            maybe(-1)
    assert calls == [0, 3, -1, -1]
    assert len(maybe.cache) <= 4


def test_clear_caches_empties_every_registered_cache() -> None:
    cache: BoundedCache[str, int] = BoundedCache("cleared", maxsize=3)
    cache.put("a", 1)
    assert any(c is cache for c in registered_caches())
    clear_caches()
    assert len(cache) == 0


def test_threads_sharing_a_cache_see_only_right_values() -> None:
    @bounded_cache(maxsize=16)
    def square(x: int) -> int:
        return x * x

    wrong: list[int] = []

    def work(offset: int) -> None:
        for i in range(5000):
            x = (i * 7 + offset) % 50
            if square(x) != x * x:
                wrong.append(x)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(square.cache) <= 16


def _functools_caches(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        named = {"lru_cache", "cache"}
        if (
            isinstance(node, ast.Attribute)
            and node.attr in named
            and isinstance(node.value, ast.Name)
            and node.value.id == "functools"
        ) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "functools"
            and any(alias.name in named for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_every_module_level_cache_goes_through_the_helper() -> None:
    """Issue 14 item 5: no functools cache and no hand-bounded dict anywhere in the library."""
    root = Path(mycareer.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "_cache.py":
            continue
        text = path.read_text("utf-8")
        offenders += [f"{path.relative_to(root)}:{n}" for n in _functools_caches(ast.parse(text))]
        offenders += [
            f"{path.relative_to(root)}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip().startswith("if len(_") and ">=" in line and "MAX" in line.upper()
        ]
    assert offenders == []
