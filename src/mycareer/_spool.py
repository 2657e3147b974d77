"""Rendered results kept on disk while a run goes on, read back lazily in order.

Bulk JSON output is one text per result, sorted by (employer key, NISS). Held in
memory, a run holds its whole output: 817 MB of JSON for 200,000 workers, about
twice that as Python strings (docs/performance.md). Instead, each group of a run
writes its texts, already in order, to one file of the run's temporary folder;
:class:`SpooledTexts` reads them back in the global order, so memory follows the
largest group, not the output.

Groups hold disjoint employers, so their ranges of (employer key, NISS) rarely
interleave: the files are then read one after the other; files whose ranges do
interleave are merged (``heapq.merge``), which gives the order a sort would.

>>> from tempfile import TemporaryDirectory
>>> folder = TemporaryDirectory()
>>> spools = [write_spool(folder.name, "b", [("2", "1", "{b1}")]),
...           write_spool(folder.name, "a", [("1", "1", "{a1}"), ("3", "1", "{a3}")])]
>>> texts = SpooledTexts([s for s in spools if s is not None], folder)
>>> list(texts), texts[1:], len(texts)
(['{a1}', '{b1}', '{a3}'], ['{b1}', '{a3}'], 3)
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from tempfile import TemporaryDirectory
from typing import Any, overload

import attrs

__all__ = ["LazyTexts", "Spool", "SpooledTexts", "write_spool"]

SortKey = tuple[str, str]


@attrs.frozen
class Spool:
    """One group's texts on disk: ``count`` lines from ``first`` to ``last`` (sort keys)."""

    path: str
    count: int
    first: SortKey
    last: SortKey


def write_spool(folder: str, name: str, items: Iterable[tuple[str, str, str]]) -> Spool | None:
    """Write ``(employer key, NISS, text)`` items, sorted, as one file; ``None`` if empty.

    Keys and NISS are digits and the texts compact JSON (newlines escaped), so one
    line per item, tab-separated, reads back unambiguously. ``items`` may be made as
    they are written (a generator): they are never held together here.
    """
    path = os.path.join(folder, name)
    count = 0
    first = last = ("", "")
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for key, niss, text in items:
            if not count:
                first = (key, niss)
            last = (key, niss)
            count += 1
            out.write(f"{key}\t{niss}\t{text}\n")
    if not count:
        os.remove(path)
        return None
    return Spool(path, count, first, last)


def _rows(spool: Spool) -> Iterator[tuple[str, str, str]]:
    with open(spool.path, encoding="utf-8", newline="\n") as lines:
        for line in lines:
            key, niss, text = line[:-1].split("\t", 2)
            yield key, niss, text


def _clusters(spools: Sequence[Spool]) -> list[list[Spool]]:
    """Spools in order of their first key, those whose ranges overlap kept together."""
    clusters: list[list[Spool]] = []
    reach: SortKey | None = None
    for spool in sorted(spools, key=lambda s: s.first):
        if reach is not None and spool.first <= reach:
            clusters[-1].append(spool)
            reach = max(reach, spool.last)
        else:
            clusters.append([spool])
            reach = spool.last
    return clusters


class LazyTexts(Sequence[str]):
    """A sequence of texts made as it is read: equal to any sequence of the same texts
    (a tuple included), unhashable, pickled as a plain tuple."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to tuples, which it cannot hash like

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))


class SpooledTexts(LazyTexts):
    """The texts of several spools in (employer key, NISS) order, read lazily.

    Owns the run's temporary folder: it is removed when this object is collected.
    Sequential slices (as a writer takes chunks) continue where the previous slice
    ended; other indexing reads from the start. Pickles as a plain tuple.
    """

    def __init__(self, spools: Sequence[Spool], folder: TemporaryDirectory[str]) -> None:
        self._clusters = _clusters(spools)
        self._length = sum(s.count for s in spools)
        self._folder = folder
        self._cursor: tuple[int, Iterator[str]] | None = None

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[str]:
        for cluster in self._clusters:
            rows = _rows(cluster[0]) if len(cluster) == 1 else heapq.merge(*map(_rows, cluster))
            for _key, _niss, text in rows:
                yield text

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                return list(self)[index]
            return self._take(start, max(start, stop))
        position = index + self._length if index < 0 else index
        if not 0 <= position < self._length:
            raise IndexError(index)
        return self._take(position, position + 1)[0]

    def _take(self, start: int, stop: int) -> list[str]:
        if self._cursor is not None and self._cursor[0] == start:
            texts = self._cursor[1]
        else:
            texts = islice(iter(self), start, None)
        taken = list(islice(texts, stop - start))
        self._cursor = (stop, texts)
        return taken

    def __repr__(self) -> str:
        files = sum(len(c) for c in self._clusters)
        return f"<SpooledTexts: {self._length} texts in {files} files>"
