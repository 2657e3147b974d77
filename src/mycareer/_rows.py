"""A map task's rows per bucket, in memory or written out as they grow, with marks to go back to.

The timeline's map step (:mod:`mycareer.timeline_jobs`) streams a group's DmfA files
one at a time, and a file that fails part-way must contribute nothing: the rows it
added are dropped. With a folder, rows are written to files once a task holds
``limit`` of them (one file per bucket and write, ``BBBBB-TTTTTT-NNNNNN.rows``, one
pickle each, what the reduce reads), so a task of any size holds about ``limit``
rows. A :meth:`RowStore.mark` remembers each bucket's row count; :meth:`RowStore.back`
drops every row added after it, in memory or on disk (a write splits a bucket's rows
at the marks in force, so no file straddles one); :meth:`RowStore.keep` forgets it.
Marks nest (a group, then each of its files).

>>> store = RowStore(2)
>>> store.add(0, "a")
>>> store.mark()
>>> store.add(0, "b"); store.add(1, "c")
>>> store.back()
>>> store.rows
[['a'], []]
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["RowStore"]

#: A task writes its rows out when it holds this many (about 20 MB of career periods).
ROWS_HELD = 32_768


class RowStore:
    """Rows per bucket; with ``folder``, written there (by ``dump``) once ``limit`` are held
    (default :data:`ROWS_HELD`).

    ``task`` names the files of this store; ``rows`` are those still in memory (all of
    them without a folder).
    """

    def __init__(
        self,
        buckets: int,
        folder: str | None = None,
        task: int = 0,
        dump: Callable[[Sequence[Any]], bytes] | None = None,
        limit: int | None = None,
    ) -> None:
        self.rows: list[list[Any]] = [[] for _ in range(buckets)]
        self._folder = folder
        self._task = task
        self._dump = dump
        self._limit = ROWS_HELD if limit is None else limit
        self._held = 0
        #: Per bucket, how many of its rows were written out before ``rows[bucket]``.
        self._base = [0] * buckets
        #: Every file written: (bucket, index of its first row in the bucket, path).
        self._files: list[tuple[int, int, Path]] = []
        self._marks: list[list[int]] = []
        self._written = 0

    def add(self, bucket: int, row: Any) -> None:
        """Add a row to ``bucket`` (written out with the others once ``limit`` are held)."""
        self.rows[bucket].append(row)
        self._held += 1
        if self._held >= self._limit and self._folder is not None:
            self.write()

    def mark(self) -> None:
        """Remember where every bucket stands."""
        self._marks.append(
            [base + len(rows) for base, rows in zip(self._base, self.rows, strict=True)]
        )

    def keep(self) -> None:
        """Forget the last mark: the rows added since stay."""
        self._marks.pop()

    def back(self) -> None:
        """Drop every row added since the last mark (and the mark)."""
        counts = self._marks.pop()
        kept = []
        for bucket, first, path in self._files:
            if first >= counts[bucket]:
                path.unlink()
            else:
                kept.append((bucket, first, path))
        self._files = kept
        for bucket, count in enumerate(counts):
            keep = count - self._base[bucket]
            if keep < 0:  # written out since the mark: those files are gone
                self.rows[bucket].clear()
                self._base[bucket] = count
            else:
                del self.rows[bucket][keep:]
        self._held = sum(map(len, self.rows))

    def write(self) -> None:
        """Write every row held to the folder, split at the marks in force."""
        folder, dump = self._folder, self._dump
        assert folder is not None, "a store with a folder"
        assert dump is not None, "and a dump"
        for bucket, rows in enumerate(self.rows):
            if not rows:
                continue
            start = self._base[bucket]
            end = start + len(rows)
            cuts = {start, end} | {m[bucket] for m in self._marks if start < m[bucket] < end}
            for first, stop in itertools.pairwise(sorted(cuts)):
                name = f"{bucket:05d}-{self._task:06d}-{self._written:06d}.rows"
                self._written += 1
                path = Path(folder) / name
                path.write_bytes(dump(rows[first - start : stop - start]))
                self._files.append((bucket, first, path))
            rows.clear()
            self._base[bucket] = end
        self._held = 0

    def files(self) -> list[str]:
        """The files written so far, in the order they were written."""
        return [os.fspath(path) for _bucket, _first, path in self._files]
