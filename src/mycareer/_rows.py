"""A map task's rows per bucket, in memory or written out as they grow, with marks to go back to.

The timeline's map step (:mod:`mycareer.timeline_jobs`) streams a group's DmfA files
one at a time, and a file that fails part-way must contribute nothing: the rows it
added are dropped. With a folder, rows are written out once a task holds ``limit`` of
them, so a task of any size holds about ``limit`` rows. Each write appends one pickle
per bucket (and mark, below) to the bucket's file of its ``writer``,
``BBBBB-WRITER.rows``: stores that never write at once (a process's tasks, one after
the other) share files. A file per bucket and write instead made 42,658 files for the
national sample (docs/performance.md), and listing and removing them cost the calling
process 9 s. A :meth:`RowStore.mark` remembers each bucket's row count;
:meth:`RowStore.back` drops every row added after it, in memory or on disk (a write
splits a bucket's rows at the marks in force, so no pickle straddles one, and the file
is cut back where the first dropped pickle began); :meth:`RowStore.keep` forgets it.
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

import io
import itertools
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["RowStore", "bucket_files", "loaded_rows"]

#: A task writes its rows out when it holds this many (about 20 MB of career periods).
ROWS_HELD = 32_768


class RowStore:
    """Rows per bucket; with ``folder``, written there (by ``dump``) once ``limit`` are held
    (default :data:`ROWS_HELD`).

    ``writer`` names the files this store appends to: no other store may write to them
    while it lives. ``rows`` are those still in memory (all of them without a folder).
    """

    def __init__(
        self,
        buckets: int,
        folder: str | None = None,
        writer: int = 0,
        dump: Callable[[Sequence[Any]], bytes] | None = None,
        limit: int | None = None,
    ) -> None:
        self.rows: list[list[Any]] = [[] for _ in range(buckets)]
        self._folder = folder
        self._writer = writer
        self._dump = dump
        self._limit = ROWS_HELD if limit is None else limit
        self._held = 0
        #: Per bucket, how many of its rows were written out before ``rows[bucket]``.
        self._base = [0] * buckets
        #: Every pickle written: (bucket, index of its first row in the bucket, file, offset).
        self._pickles: list[tuple[int, int, Path, int]] = []
        self._marks: list[list[int]] = []

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

    @property
    def depth(self) -> int:
        """How many marks stand (:meth:`back_to` returns to a depth)."""
        return len(self._marks)

    def back_to(self, depth: int) -> None:
        """Drop every row added since the mark that made the depth ``depth + 1`` (and every
        mark since): a read stopped inside a file stage that had marked too."""
        while len(self._marks) > depth:
            self.back()

    def back(self) -> None:
        """Drop every row added since the last mark (and the mark)."""
        counts = self._marks.pop()
        kept = []
        cut: dict[Path, int] = {}  # each file's first dropped pickle: all after it are too
        for bucket, first, path, offset in self._pickles:
            if first >= counts[bucket]:
                cut[path] = min(offset, cut.get(path, offset))
            else:
                kept.append((bucket, first, path, offset))
        for path, offset in cut.items():
            if offset:
                os.truncate(path, offset)
            else:  # no earlier store wrote to it either
                path.unlink()
        self._pickles = kept
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
            path = Path(folder) / f"{bucket:05d}-{self._writer}.rows"
            with path.open("ab") as out:  # opened at its end
                for first, stop in itertools.pairwise(sorted(cuts)):
                    self._pickles.append((bucket, first, path, out.tell()))
                    out.write(dump(rows[first - start : stop - start]))
            rows.clear()
            self._base[bucket] = end
        self._held = 0

    def files(self) -> list[str]:
        """The files written to so far, in the order of their first write."""
        return list(dict.fromkeys(os.fspath(path) for _bucket, _first, path, _at in self._pickles))


def bucket_files(folder: str, buckets: int) -> list[tuple[str, ...]]:
    """Each bucket's files in ``folder`` (``BBBBB-WRITER.rows``), sorted: one listing."""
    files: list[list[str]] = [[] for _ in range(buckets)]
    for name in sorted(os.listdir(folder)):
        if name.endswith(".rows"):
            files[int(name[:5])].append(os.path.join(folder, name))
    return [tuple(names) for names in files]


def loaded_rows(blob: bytes) -> Iterator[Any]:
    """The rows of a file's pickled lists (or of one pickle), in order."""
    stream = io.BytesIO(blob)
    while stream.tell() < len(blob):
        yield from pickle.load(stream)  # written by this run, in its own folder
