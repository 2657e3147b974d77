"""The one bounded cache behind every module-level cache of the library (one policy).

Policy: a cache holds at most ``maxsize`` entries; storing into a full cache
empties it first. Why this policy rather than LRU: a lookup stays a plain
C-level ``dict.get`` (the readers' hot loops inline it), a hit costs no
bookkeeping, each operation is atomic under the GIL (threads may share a
cache; at worst a value is computed twice), and memory is bounded exactly.
Real inputs repeat a small set of values, so a clear is rare and cheap to
recover from. Values must be immutable: callers share them.

>>> squares = BoundedCache("doctest squares", maxsize=2)
>>> squares.put(2, 4), squares.put(3, 9), len(squares)
(4, 9, 2)
>>> squares.put(4, 16), len(squares), squares.get(2)
(16, 1, None)
>>> @bounded_cache(maxsize=8)
... def double(x: int) -> int:
...     return 2 * x
>>> double(21), double.cache.get((21,))
(42, 42)
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, Protocol, TypeVar, cast

__all__ = ["BoundedCache", "CachedFunction", "bounded_cache", "clear_caches", "registered_caches"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)
P = ParamSpec("P")

# By identity: equal (say, empty) caches are still distinct caches.
_REGISTRY: weakref.WeakValueDictionary[int, BoundedCache[Any, Any]] = weakref.WeakValueDictionary()
_MISSING: Any = object()


class BoundedCache(dict[K, V]):
    """A dict of at most ``maxsize`` entries, emptied when full; store through :meth:`put`.

    Read it as a dict (``cache.get(key)``); every cache registers itself, so
    :func:`clear_caches` empties all of them (benchmarks time cold starts).
    """

    __slots__ = ("__weakref__", "maxsize", "name")

    def __init__(self, name: str, *, maxsize: int) -> None:
        super().__init__()
        if maxsize < 1:
            raise ValueError(f"cache {name!r}: maxsize must be at least 1, got {maxsize}")
        self.name = name
        self.maxsize = maxsize
        _REGISTRY[id(self)] = self

    def put(self, key: K, value: V) -> V:
        """Store ``value`` under ``key`` (emptying the cache first if it is full); return it."""
        if len(self) >= self.maxsize:
            self.clear()
        self[key] = value
        return value

    def __repr__(self) -> str:
        return f"<BoundedCache {self.name!r}: {len(self)} of {self.maxsize}>"


class CachedFunction(Protocol[P, V_co]):
    """A function whose results are kept in a :class:`BoundedCache`, keyed by its arguments."""

    cache: BoundedCache[Hashable, Any]

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> V_co: ...

    def cache_clear(self) -> None:
        """Forget every result (as ``functools.lru_cache`` offers)."""


def bounded_cache(*, maxsize: int) -> Callable[[Callable[P, V]], CachedFunction[P, V]]:
    """Decorate a pure function so that its results are cached, at most ``maxsize`` of them.

    Exceptions are not cached; arguments must be hashable. A closure rather
    than a class with ``__call__``: these run in bulk loops, and a closure is
    the cheapest Python call.
    """

    def decorate(function: Callable[P, V]) -> CachedFunction[P, V]:
        name = f"{function.__module__}.{function.__qualname__}"
        cache: BoundedCache[Hashable, V] = BoundedCache(name, maxsize=maxsize)
        get, put, missing = cache.get, cache.put, _MISSING

        @functools.wraps(function)
        def cached(*args: P.args, **kwargs: P.kwargs) -> V:
            key: Hashable = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            found: V = get(key, missing)
            if found is missing:
                found = put(key, function(*args, **kwargs))
            return found

        made = cast(CachedFunction[P, V], cached)
        made.cache = cache
        made.cache_clear = cache.clear  # type: ignore[method-assign]
        return made

    return decorate


def registered_caches() -> tuple[BoundedCache[Any, Any], ...]:
    """Every live bounded cache (module-level ones register at import)."""
    return tuple(_REGISTRY.values())


def clear_caches() -> None:
    """Empty every bounded cache (a cold start for benchmarks and tests)."""
    for cache in registered_caches():
        cache.clear()
