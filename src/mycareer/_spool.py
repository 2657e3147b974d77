"""Results kept on disk while a run goes on, read back lazily in order.

Bulk JSON output is one text per result. Held in memory, a run holds its whole
output: 817 MB of entitlement JSON for 200,000 workers, about twice that as
Python strings (docs/performance.md). Instead, each part of a run writes its
results, already in order, to one file of the run's temporary folder, each with
its sort key: an employer group its entitlement texts by (employer key, NISS),
a timeline bucket its workers by the place of their first period.
:class:`SpooledItems` reads them back in the global order, so memory follows
the largest part, not the output.

Parts whose key ranges do not interleave (employer groups, as a rule) are read
one after the other; parts whose ranges interleave (the timeline's NISS
buckets, always) are merged (``heapq.merge``), which gives the order a sort
would. A merge reads at most :data:`OPEN_FILES` files at once: wider ones are
first merged into intermediate files, that many at a time.

A file holds pickled lists of ``(key, value)``, a few dozen items each: it is
written and read back by the same run, in the temporary folder the run owns (as
the timeline shuffle's rows are). Texts that hold no newline (compact JSON) may be
spooled as text instead (:func:`write_text_spool`): UTF-8, each text followed by
its ``end`` (``",\n"`` between a JSON array's items), then the keys pickled after the
texts in the same file (in a file beside when they pass :data:`_KEYS_IN_MEMORY`).
:meth:`SpooledItems.write_joined` then copies such a file's bytes to the output as
they are, without decoding a text (national sample: 874 MB of entitlement JSON,
docs/performance.md "National scale"). The small parts of one task (a country's many
small employers) put their text spools one after the other in one file, a
:class:`SharedSpoolFile`: creating a file costs more than writing a small part's texts.

>>> from tempfile import TemporaryDirectory
>>> folder = TemporaryDirectory()
>>> spools = [write_spool(folder.name, "b", [(("2", "1"), "{b1}")]),
...           write_spool(folder.name, "a", [(("1", "1"), "{a1}"), (("3", "1"), "{a3}")])]
>>> texts = SpooledItems([s for s in spools if s is not None], folder)
>>> list(texts), texts[1:], len(texts)
(['{a1}', '{b1}', '{a3}'], ['{b1}', '{a3}'], 3)
"""

from __future__ import annotations

import errno
import heapq
import io
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from pathlib import Path
from tempfile import TemporaryDirectory, mkstemp
from typing import IO, Any, TypeVar, overload

import attrs

__all__ = [
    "OPEN_FILES",
    "SHARED_SPOOL_MOST",
    "LazySequence",
    "OrderedSpoolWriter",
    "SharedSpoolFile",
    "Spool",
    "SpooledItems",
    "own_spool",
    "remove_spool",
    "remove_spools",
    "spool_texts",
    "write_spool",
    "write_text_spool",
]

T = TypeVar("T")
Part = TypeVar("Part")
#: A sort key: a tuple whose items compare with those of the other keys of the run.
SortKey = tuple[Any, ...]


def _open_files() -> int:
    """A quarter of the files this process may open, from 16 to 256 (64 if unknown)."""
    try:
        import resource  # not on Windows
    except ImportError:
        return 64
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 256 if soft == resource.RLIM_INFINITY else max(16, min(256, soft // 4))


#: The most spools one merge reads at once (a text spool opens two files, its texts and
#: its keys: at most half the process's limit then). A merge wider than that writes
#: intermediate files: a whole extra pass, 3.3 s of the calling process for the
#: national sample's 187 timeline buckets at 64 (docs/performance.md).
OPEN_FILES = _open_files()
#: Items per pickled list: one pickle per item cost more than a few hundred, and a merge
#: holds a list of each file it reads (256 files of 64 timelines: some 50 MB).
_CHUNK = 64
#: A text spool holds its keys in memory up to this many pickled bytes, then writes them
#: after its texts: one file a spool, not two (a run by employer writes one spool a
#: group, and creating a file costs more than writing a small one: docs/performance.md,
#: "Small employers"). Beyond it (a group of more than about 50,000 results) they go to a
#: file beside, so that a spool's memory stays bounded whatever the group's size.
_KEYS_IN_MEMORY = 1 << 20
_key = itemgetter(0)


@attrs.frozen
class Spool:
    """One part's items on disk: ``count`` of them, keys from ``first`` to ``last``;
    ``end`` the text that follows each text of a text spool (None: pickled values)."""

    path: str
    count: int
    first: SortKey
    last: SortKey
    end: str | None = None
    #: Where a text spool's keys begin in its file (they follow the texts); None: in the
    #: file ``path + ".keys"`` (a spool whose keys passed :data:`_KEYS_IN_MEMORY`).
    keys_at: int | None = None
    #: Where its texts begin in its file: a :class:`SharedSpoolFile` holds several spools,
    #: one after the other (``shared``), removed with the run's folder, not one by one.
    offset: int = 0
    shared: bool = False


def write_spool(folder: str, name: str, items: Iterable[tuple[SortKey, Any]]) -> Spool | None:
    """Write ``(sort key, value)`` items, in key order, as one file; ``None`` if none."""
    iterator = iter(items)
    chunk = list(islice(iterator, _CHUNK))
    if not chunk:
        return None
    path = os.path.join(folder, name)
    first, count = chunk[0][0], 0
    with open(path, "wb") as out:
        while chunk:
            pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
            count += len(chunk)
            last = chunk[-1][0]
            chunk = list(islice(iterator, _CHUNK))
    return Spool(path, count, first, last)


def write_text_spool(
    folder: str, name: str, items: Iterable[tuple[SortKey, str]], end: str
) -> Spool | None:
    """Write ``(sort key, text)`` items, in key order, as UTF-8 text, each text followed
    by ``end``; the keys follow the texts in the same file (:attr:`Spool.keys_at`), or go
    to the file ``name + ".keys"`` beyond :data:`_KEYS_IN_MEMORY`. ``None`` if no item.

    ``end`` ends with a newline, which no text may hold (a compact JSON text holds
    none): reading back splits the file at newlines. A text that is not valid Unicode
    (a lone surrogate: a file name that is not UTF-8, decoded by ``os.fsdecode``) raises
    :class:`UnicodeEncodeError`, and nothing is left of the spool: such texts go to a
    pickled spool (:func:`write_spool`), which leaves their encoding to the output.
    """
    _check_end(end)
    iterator = iter(items)
    chunk = list(islice(iterator, _CHUNK))
    if not chunk:
        return None
    spool = Spool(os.path.join(folder, name), 0, chunk[0][0], chunk[0][0], end)
    try:
        return _write_texts(spool, chunk, iterator)
    except BaseException:
        remove_spool(spool)
        raise


def spool_texts(
    folder: str,
    name: str,
    items: Callable[[], Iterable[tuple[SortKey, str]]],
    end: str,
    shared: SharedSpoolFile | None = None,
) -> Spool | None:
    """:func:`write_text_spool` of ``items()`` (at the end of ``shared``, when given);
    when a text is not valid Unicode (a lone surrogate: a file name that is not UTF-8,
    in a finding), :func:`write_spool` of ``items()`` made again, whose encoding the
    output's own error handler then decides (:meth:`SpooledItems.write_joined`), as for
    texts never spooled."""
    try:
        if shared is not None:
            return shared.add_texts(items(), end)
        return write_text_spool(folder, name, items(), end)
    except UnicodeEncodeError:
        return write_spool(folder, name, items())


class SharedSpoolFile:
    """One file for the text spools of many small parts (a task's employer groups).

    Creating a file cost 0.2–1 ms of this machine's CPU, more than writing a small
    group's texts (docs/performance.md, "Small employers"): each part's texts and keys
    are appended to this one file instead, as a spool that begins at its ``offset``.
    Its keys are held in memory while written: for parts of at most
    :data:`SHARED_SPOOL_MOST` items. A part whose writing fails is cut back off the file.
    Readers may read the spools once the file is closed (``with``).
    """

    def __init__(self, folder: str, prefix: str) -> None:
        self._folder, self._prefix = folder, prefix
        self._out: IO[bytes] | None = None  # made with the first spool
        self.path: str | None = None

    def __enter__(self) -> SharedSpoolFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and close the file (its spools stay readable)."""
        if self._out is not None:
            self._out.close()

    def add_texts(self, items: Iterable[tuple[SortKey, str]], end: str) -> Spool | None:
        """:func:`write_text_spool` of ``items`` at the end of this file; None if none."""
        _check_end(end)
        iterator = iter(items)
        chunk = list(islice(iterator, _CHUNK))
        if not chunk:
            return None
        if self._out is None:
            descriptor, self.path = mkstemp(dir=self._folder, prefix=self._prefix)
            self._out = os.fdopen(descriptor, "wb")
        out, path = self._out, self.path
        assert path is not None
        offset = out.tell()
        spool = Spool(path, 0, chunk[0][0], chunk[0][0], end, offset=offset, shared=True)
        try:
            return _write_texts_to(out, spool, chunk, iterator, overflow=False)
        except BaseException:
            out.seek(offset)
            out.truncate()
            raise


#: The most items of a part that goes to a :class:`SharedSpoolFile` (its keys, some 40
#: bytes each, are held in memory while it is written).
SHARED_SPOOL_MOST = 4096


def _check_end(end: str) -> None:
    if not end.endswith("\n") or "\n" in end[:-1]:
        raise ValueError(f"a text spool's end must end with its only newline: {end!r}")


def _write_texts_to(
    texts: IO[bytes],
    spool: Spool,
    chunk: list[tuple[SortKey, str]],
    iterator: Iterator[tuple[SortKey, str]],
    *,
    overflow: bool,
) -> Spool:
    """A text spool's texts written to ``texts`` where it stands, then its keys after
    them; with ``overflow``, keys beyond :data:`_KEYS_IN_MEMORY` go to the file
    ``spool.path + ".keys"`` instead (a spool in a file of its own)."""
    end, count = spool.end or "", 0
    keys: IO[bytes] = io.BytesIO()  # pickled keys, appended to the texts at the end
    try:
        while chunk:
            values = [text for _key, text in chunk]
            if any("\n" in text for text in values):
                raise ValueError(f"a spooled text holds a newline: {_newline_text(values)}")
            texts.write((end.join(values) + end).encode("utf-8"))
            pickle.dump([key for key, _text in chunk], keys, protocol=pickle.HIGHEST_PROTOCOL)
            if overflow and isinstance(keys, io.BytesIO) and keys.tell() > _KEYS_IN_MEMORY:
                keys = _keys_to_file(spool.path, keys)
            count += len(chunk)
            last = chunk[-1][0]
            chunk = list(islice(iterator, _CHUNK))
        keys_at = None
        if isinstance(keys, io.BytesIO):
            keys_at = texts.tell()
            with keys.getbuffer() as pickled:  # released even if the write fails
                texts.write(pickled)
    finally:
        keys.close()
    return attrs.evolve(spool, count=count, last=last, keys_at=keys_at)


def _write_texts(
    spool: Spool, chunk: list[tuple[SortKey, str]], iterator: Iterator[tuple[SortKey, str]]
) -> Spool:
    with open(spool.path, "wb") as texts:
        return _write_texts_to(texts, spool, chunk, iterator, overflow=True)


def _keys_to_file(path: str, pickled: io.BytesIO) -> IO[bytes]:
    """The keys file of the spool ``path``, opened, holding the keys ``pickled`` so far."""
    keys = open(_keys(path), "wb")  # noqa: SIM115 - closed by the writer
    try:
        with pickled.getbuffer() as view:  # released even if the write fails
            keys.write(view)
    except BaseException:
        keys.close()  # the writer's cleanup (remove_spool) then removes the file
        raise
    return keys


def _keys(path: str) -> str:
    return path + ".keys"


def _newline_text(values: Sequence[str]) -> str:
    text = next(text for text in values if "\n" in text)
    return repr(text[:60] + "...") if len(text) > 60 else repr(text)


def _items(spool: Spool) -> Iterator[tuple[SortKey, Any]]:
    if spool.end is not None:
        yield from _text_items(spool, len(spool.end))
        return
    with open(spool.path, "rb") as source:
        while True:
            try:
                chunk = pickle.load(source)  # written by this run, in its own folder
            except EOFError:
                return
            yield from chunk


def _text_items(spool: Spool, cut: int) -> Iterator[tuple[SortKey, str]]:
    # The texts are valid UTF-8 (written so); the keys' bytes after them are decoded by the
    # text layer's read-ahead only, never read as a line: ``surrogateescape`` keeps that
    # read-ahead from failing (a binary readline and a decode per text: 1.3 times slower).
    with (
        open(spool.path, "rb") as raw,
        open(spool.path if spool.keys_at is not None else _keys(spool.path), "rb") as keys,
    ):
        raw.seek(spool.offset)
        texts = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="\n")
        keys.seek(spool.keys_at or 0)
        left = spool.count  # a shared file holds other spools after this one's keys
        while left > 0:
            chunk = pickle.load(keys)  # written by this run, in its own folder
            left -= len(chunk)
            for key in chunk:
                yield key, next(texts)[:-cut]


def _texts_size(spool: Spool) -> int:
    """The bytes of a text spool's texts (each with its end), without its keys."""
    stop = os.path.getsize(spool.path) if spool.keys_at is None else spool.keys_at
    return stop - spool.offset


def _merge(spools: Sequence[Spool]) -> Iterator[tuple[SortKey, Any]]:
    if len(spools) == 1:
        return _items(spools[0])
    return heapq.merge(*map(_items, spools), key=_key)


def _clusters(spools: Sequence[Spool]) -> list[list[Spool]]:
    """Spools in order of their first key, those whose ranges overlap kept together."""
    return _overlapping(spools, lambda spool: (spool.first, spool.last))


def _overlapping(
    items: Iterable[Part], bounds: Callable[[Part], tuple[Any, Any]]
) -> list[list[Part]]:
    """``items`` in order of their lower bound, those whose ``bounds`` overlap together."""
    clusters: list[list[Part]] = []
    reach: Any = None
    for item in sorted(items, key=lambda i: bounds(i)[0]):
        low, high = bounds(item)
        if clusters and low <= reach:
            clusters[-1].append(item)
            reach = max(reach, high)
        else:
            clusters.append([item])
            reach = high
    return clusters


class LazySequence(Sequence[T]):
    """A sequence of values made as it is read: equal to any sequence of the same values
    (a tuple included), unhashable, pickled as a plain tuple."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to tuples, which it cannot hash like

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))


class SpooledItems(LazySequence[T]):
    """The values of several spools in the order of their keys, read lazily.

    Owns the run's temporary folder: it is removed when this object is collected.
    Sequential slices (as a writer takes chunks) continue where the previous slice
    ended; other indexing reads from the start. Pickles as a plain tuple.
    """

    def __init__(self, spools: Sequence[Spool], folder: TemporaryDirectory[str]) -> None:
        self._folder = folder
        self._merges = 0
        self._length = sum(s.count for s in spools)
        self._merged_shared: list[Spool] = []  # spools of shared files, merged
        self._clusters = [self._narrow(cluster) for cluster in _clusters(spools)]
        remove_spools(self._merged_shared, keeping=(s for c in self._clusters for s in c))
        self._cursor: tuple[int, Iterator[T]] | None = None

    def _narrow(self, cluster: list[Spool]) -> list[Spool]:
        """At most :data:`OPEN_FILES` spools, merged into new files that many at a time."""
        while len(cluster) > OPEN_FILES:
            narrowed = []
            for start in range(0, len(cluster), OPEN_FILES):
                part = cluster[start : start + OPEN_FILES]
                self._merges += 1
                merged = write_spool(self._folder.name, f"merged-{self._merges}", _merge(part))
                assert merged is not None  # spools are never empty
                narrowed.append(merged)
                for spool in part:
                    remove_spool(spool)  # its own files at once; a shared file at the end
                    if spool.shared:
                        self._merged_shared.append(spool)
            cluster = narrowed
        return cluster

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[T]:
        for cluster in self._clusters:
            for _key, value in _merge(cluster):
                yield value

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                return list(self)[index]
            return self._take(start, max(start, stop))
        position = index + self._length if index < 0 else index
        if not 0 <= position < self._length:
            raise IndexError(index)
        return self._take(position, position + 1)[0]

    def _take(self, start: int, stop: int) -> list[T]:
        if self._cursor is not None and self._cursor[0] == start:
            values = self._cursor[1]
        else:
            values = islice(iter(self), start, None)
        taken = list(islice(values, stop - start))
        self._cursor = (stop, values)
        return taken

    def write_joined(self, out: IO[bytes], separator: str, errors: str = "strict") -> None:
        """Write the values (texts), joined by ``separator``, to ``out`` as UTF-8.

        The file of a text spool whose ``end`` is the separator, alone in its key
        range, is copied as it is (by the kernel where it can), not decoded (its texts
        are valid UTF-8); other values are joined and encoded with the error handler
        ``errors`` (the output's own, as a text stream would encode them).
        """
        _write_clusters(self._clusters, out, separator, errors, owed=False)

    def __repr__(self) -> str:
        files = sum(len(c) for c in self._clusters)
        return f"<SpooledItems: {self._length} items in {files} files>"

    def remove_files(self) -> None:
        """Remove this sequence's files (those it was given, the shared files they are in,
        and those it merged): for a caller that has read it once and needs it no more. It
        is empty afterwards."""
        remove_spools(spool for cluster in self._clusters for spool in cluster)
        self._clusters = []
        self._length = 0
        self._cursor = None


def _write_clusters(
    clusters: Iterable[Sequence[Spool]], out: IO[bytes], separator: str, errors: str, *, owed: bool
) -> bool:
    """:meth:`SpooledItems.write_joined` of ``clusters``; ``owed``: a value was written
    before them (a separator comes first). Whether one is owed after them."""
    sep = separator.encode()
    for cluster in clusters:
        if len(cluster) == 1 and cluster[0].end == separator:
            if owed:
                out.write(sep)
            only = cluster[0]
            _copy_bytes(only.path, out, _texts_size(only) - len(sep), only.offset)
            owed = True
            continue
        values = (value for _key, value in _merge(cluster))
        while chunk := list(islice(values, _CHUNK)):
            if owed:
                out.write(sep)
            out.write(separator.join(chunk).encode("utf-8", errors))
            owed = True
    return owed


class OrderedSpoolWriter:
    """Writes the spools of numbered parts as they come, in key order, as
    :meth:`SpooledItems.write_joined` writes them all at the end: a part's spool as soon
    as every part whose keys may come before its own has come.

    ``ranges[i]`` bounds the first item of part ``i``'s keys (``low <= key[0] <= high``);
    parts whose ranges overlap are written together. ``before`` goes before the first
    value and ``after`` after the last (nothing when no value is written). A run that
    writes its parts' spools while other parts are still computed writes its output
    while it computes, not after (docs/performance.md, "National scale").
    """

    def __init__(
        self,
        out: IO[bytes],
        ranges: Sequence[tuple[Any, Any]],
        separator: str,
        *,
        errors: str = "strict",
        before: bytes = b"",
        after: bytes = b"",
    ) -> None:
        self._out, self._separator, self._errors = out, separator, errors
        self._before, self._after = before, after
        self._start = out.tell()
        self._clusters = _overlapping(range(len(ranges)), ranges.__getitem__)
        self._spools: dict[int, Spool | None] = {}
        self._next = 0  # the first cluster of parts not written yet
        self._owed = False
        #: Values written so far.
        self.count = 0

    @property
    def usable(self) -> bool:
        """Whether every cluster of overlapping parts can be merged at once (else the
        whole output is better written at the end, through intermediate merges)."""
        return all(len(cluster) <= OPEN_FILES for cluster in self._clusters)

    def add(self, part: int, spool: Spool | None) -> None:
        """Part ``part`` is done (``spool``: its values, None if it has none)."""
        self._spools[part] = spool
        clusters, spools = self._clusters, self._spools
        while self._next < len(clusters) and all(p in spools for p in clusters[self._next]):
            ready = [s for p in clusters[self._next] if (s := spools[p]) is not None]
            self._next += 1
            if ready:
                if not self._owed:
                    self._out.write(self._before)
                self._owed = _write_clusters(
                    _clusters(ready), self._out, self._separator, self._errors, owed=self._owed
                )
                self.count += sum(s.count for s in ready)

    def finish(self) -> bool:
        """End the output; True when every part came and some value was written."""
        if self._next < len(self._clusters) or not self._owed:
            return False
        self._out.write(self._after)
        return True

    def rewind(self) -> None:
        """Take back everything written (the output is cut where this writer started)."""
        self._out.seek(self._start)
        self._out.truncate()


def own_spool(spool: Spool, name: str) -> Spool:
    """A spool of a :class:`SharedSpoolFile` written again to a file of its own, ``name``
    beside the shared one: for a spool that outlives the others there (the disk then
    holds each text once when they go)."""
    assert spool.shared, "a spool of its own already"
    assert spool.end is not None, "a shared spool is a text spool"
    items = _text_items(spool, len(spool.end))
    copied = write_text_spool(os.path.dirname(spool.path), name, items, spool.end)
    assert copied is not None  # spools are never empty
    return copied


def remove_spools(spools: Iterable[Spool], keeping: Iterable[Spool] = ()) -> None:
    """Delete the files of ``spools``: a spool's own files, and a shared file once no
    spool of ``keeping`` is in it (the disk then holds each text once)."""
    live = {spool.path for spool in keeping if spool.shared}
    for spool in spools:
        remove_spool(spool)
        if spool.shared and spool.path not in live:
            Path(spool.path).unlink(missing_ok=True)


def remove_spool(spool: Spool) -> None:
    """Delete a spool's files (a part computed again: nothing reads it any more); a
    spool of a :class:`SharedSpoolFile` stays, with the others there, until the run's
    folder goes."""
    if spool.shared:
        return
    Path(spool.path).unlink(missing_ok=True)
    if spool.end is not None:
        Path(_keys(spool.path)).unlink(missing_ok=True)


_COPY_BLOCK = 1 << 20
#: What sendfile says of an output it cannot write to (an O_APPEND file on older kernels...).
_NO_SENDFILE = frozenset({errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.ENOTSOCK, errno.EXDEV})


def _copy_bytes(path: str, out: IO[bytes], count: int, offset: int = 0) -> None:
    """``count`` bytes of the file ``path`` from ``offset`` written to ``out``: by
    ``os.sendfile`` when ``out`` is a file it takes (0.38 s for 874 MB here, page-cached,
    against 0.53 s block by block through Python), else block by block."""
    with open(path, "rb") as source:
        source.seek(offset)
        done = _sendfile(source, out, count)
        while done < count:
            block = source.read(min(_COPY_BLOCK, count - done))
            if not block:
                raise OSError(errno.EIO, f"a spool file is shorter than written: {path}")
            out.write(block)
            done += len(block)


def _sendfile(source: IO[bytes], out: IO[bytes], count: int) -> int:
    """Bytes of ``source``, from where it stands, sent to ``out``'s descriptor by
    ``os.sendfile`` (``source`` left after them); 0 when the platform or the output does
    not allow it (nothing sent then). Linux only, as ``shutil`` uses it: elsewhere
    sendfile writes to sockets alone."""
    sendfile = getattr(os, "sendfile", None)
    if sendfile is None or not sys.platform.startswith("linux"):
        return 0
    try:
        target = out.fileno()
    except (AttributeError, io.UnsupportedOperation, OSError):
        return 0  # an in-memory stream
    out.flush()
    start, done = source.tell(), 0
    while done < count:
        try:
            block = min(_COPY_BLOCK * 64, count - done)
            sent = sendfile(target, source.fileno(), start + done, block)
        except OSError as error:
            if done == 0 and error.errno in _NO_SENDFILE:
                return 0  # this kind of output cannot take it: copied by Python instead
            raise
        if sent == 0:
            break  # the file is shorter than said: the copy loop reports it
        done += sent
    source.seek(start + done)
    return done
