"""Spooled items read back in the order of their keys: against a plain sort."""

from __future__ import annotations

import errno
import gc
import io
import os
import pickle
import sys
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer import _spool
from mycareer._spool import SharedSpoolFile, SpooledItems, write_spool, write_text_spool

KEYS = st.tuples(st.sampled_from(["0403019261", "0202239951", "0999999999"]),
                 st.from_regex(r"[0-9]{11}", fullmatch=True))  # fmt: skip
#: Keys shaped like the timeline's places: (declared, year, quarter, employer, n) or (1, file, n).
PLACES = st.one_of(
    st.tuples(st.just(0), st.integers(2020, 2025), st.integers(1, 4),
              st.sampled_from(["0403019261", "0202239951"]), st.integers(0, 10**6)),
    st.tuples(st.just(1), st.integers(0, 500), st.integers(0, 10**6)),
)  # fmt: skip


def _spooled(
    items: list[tuple[Any, str]], parts: list[int], folder: TemporaryDirectory[str]
) -> SpooledItems[str]:
    groups: dict[int, list[tuple[Any, str]]] = {}
    for item, part in zip(items, parts, strict=False):
        groups.setdefault(part, []).append(item)
    spools = [write_spool(folder.name, f"g{p}", sorted(g)) for p, g in groups.items()]
    return SpooledItems([s for s in spools if s is not None], folder)


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(KEYS, unique=True, max_size=40),
    parts=st.lists(st.integers(0, 4), min_size=40, max_size=40),
    chunk=st.integers(1, 9),
)
def test_spools_read_back_in_the_order_of_a_sort(
    keys: list[tuple[str, str]], parts: list[int], chunk: int
) -> None:
    """Any split of the items into sorted spools (interleaving ranges included) reads back
    as ``sorted`` orders them, whole, by index, by sequential chunks and after pickling."""
    items = [(key, f'{{"n": "{key[0]}/{key[1]}", "x": "é\\n\\t"}}') for key in keys]
    expected = [text for _key, text in sorted(items)]
    texts = _spooled(items, parts, TemporaryDirectory())
    assert len(texts) == len(expected)
    assert list(texts) == expected
    assert texts == tuple(expected)
    assert [texts[i] for i in range(len(texts))] == expected
    assert [t for i in range(0, len(texts), chunk) for t in texts[i : i + chunk]] == expected
    assert texts[-1:] == expected[-1:]
    assert pickle.loads(pickle.dumps(texts)) == tuple(expected)


@settings(max_examples=40, deadline=None)
@given(
    keys=st.lists(PLACES, unique=True, max_size=60),
    parts=st.lists(st.integers(0, 11), min_size=60, max_size=60),
    width=st.integers(2, 4),
)
def test_wide_merges_go_through_intermediate_files_in_the_same_order(
    keys: list[tuple[Any, ...]], parts: list[int], width: int
) -> None:
    """Up to 12 interleaving spools (as NISS buckets are) read at most ``width`` files at
    once: the same order as a sort, and the merged inputs are removed."""
    items = [(key, repr(key)) for key in keys]
    folder = TemporaryDirectory()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "OPEN_FILES", width)
        texts = _spooled(items, parts, folder)
    assert list(texts) == [text for _key, text in sorted(items)]
    assert len(texts) == len(items)
    files = os.listdir(folder.name)
    assert len(files) == sum(len(c) for c in texts._clusters)  # the inputs are gone
    assert all(len(cluster) <= width for cluster in texts._clusters)


def test_ten_interleaving_spools_merged_three_at_a_time() -> None:
    folder = TemporaryDirectory()
    items = [((n,), str(n)) for n in range(100)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "OPEN_FILES", 3)
        texts = _spooled(items, [n % 10 for n in range(100)], folder)
    assert [len(cluster) for cluster in texts._clusters] == [2]  # 10 -> 4 -> 2 files
    assert sorted(os.listdir(folder.name)) == ["merged-5", "merged-6"]
    assert list(texts) == [str(n) for n in range(100)]


def test_shared_files_whose_spools_all_merged_go_and_the_others_stay() -> None:
    """Ten interleaving text spools, five in each of two shared files, merged three at a
    time: a shared file goes once every spool in it is merged, not before; removing the
    sequence's files takes the shared files left."""
    folder = TemporaryDirectory()
    items = [((n,), str(n)) for n in range(100)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "OPEN_FILES", 3)
        texts = _text_spooled(items, [1 + n % 10 for n in range(100)], folder, ",\n", 2)
    assert list(texts) == [str(n) for n in range(100)]
    assert not [name for name in os.listdir(folder.name) if name.startswith("task-")]
    kept = TemporaryDirectory()  # one part more, after the others: in the odd parts' file
    later = [((1000 + n,), str(1000 + n)) for n in range(5)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "OPEN_FILES", 3)
        parts = [1 + n % 10 for n in range(100)] + [11] * 5
        some = _text_spooled([*items, *later], parts, kept, ",\n", 2)
    assert list(some) == [str(n) for n in range(100)] + [text for _key, text in later]
    left = [name for name in os.listdir(kept.name) if name.startswith("task-")]
    assert len(left) == 1  # the odd parts' file, which holds the last part, unmerged
    assert [s.path for c in some._clusters for s in c if s.shared] == [
        os.path.join(kept.name, left[0])
    ]
    some.remove_files()
    assert os.listdir(kept.name) == []


def test_any_picklable_value_is_kept() -> None:
    folder = TemporaryDirectory()
    values = [(n, {"text": "x" * n}) for n in range(600)]  # more than one pickled chunk
    spool = write_spool(folder.name, "g", [((n,), value) for n, value in enumerate(values)])
    assert spool is not None
    assert (spool.count, spool.first, spool.last) == (600, (0,), (599,))
    assert list(SpooledItems([spool], folder)) == values
    assert write_spool(folder.name, "empty", []) is None
    assert not os.path.exists(os.path.join(folder.name, "empty"))


def test_the_folder_goes_with_the_items() -> None:
    folder = TemporaryDirectory()
    spool = write_spool(folder.name, "g", [(("1", "2"), "{}")])
    assert spool is not None
    texts: SpooledItems[str] = SpooledItems([spool], folder)
    path = folder.name
    del folder
    gc.collect()
    assert os.path.isdir(path)  # still owned by the items
    assert "1 items in 1 files" in repr(texts)
    del texts
    gc.collect()
    assert not os.path.exists(path)


# Text spools: compact JSON texts copied to the output without decoding (write_joined).
TEXTS = st.text(st.characters(exclude_characters="\n", exclude_categories=["Cs"]), max_size=12)


def _text_spooled(
    items: list[tuple[Any, str]],
    parts: list[int],
    folder: TemporaryDirectory[str],
    end: str,
    shared: int = 0,
) -> SpooledItems[str]:
    """Each part a text spool, except part 0, which stays pickled (a loose spool); with
    ``shared``, the text spools go to that many shared files (part ``p`` to file ``p %
    shared``), one after the other, as a task's groups do."""
    groups: dict[int, list[tuple[Any, str]]] = {}
    for item, part in zip(items, parts, strict=False):
        groups.setdefault(part, []).append(item)
    files = [SharedSpoolFile(folder.name, f"task-{n}-") for n in range(shared)]
    spools = [
        write_spool(folder.name, f"g{p}", sorted(g))
        if not p
        else files[p % shared].add_texts(sorted(g), end)
        if shared
        else write_text_spool(folder.name, f"g{p}", sorted(g), end)
        for p, g in groups.items()
    ]
    for file in files:
        file.close()
    return SpooledItems([s for s in spools if s is not None], folder)


class _Unsendable(io.BytesIO):
    """An output with a descriptor that ``os.sendfile`` refuses (as some file systems do)."""

    def fileno(self) -> int:
        return _NO_SENDFILE


_NO_SENDFILE = -1


@settings(max_examples=80, deadline=None)
@given(
    keys=st.lists(KEYS, unique=True, max_size=40),
    texts=st.lists(TEXTS, min_size=40, max_size=40),
    parts=st.lists(st.integers(0, 4), min_size=40, max_size=40),
    end=st.sampled_from([",\n", "\n", ";\r\n"]),
    separator=st.sampled_from([",\n", "\n"]),
    keys_in_memory=st.sampled_from([_spool._KEYS_IN_MEMORY, 0]),
    shared=st.sampled_from([0, 1, 2]),
)
def test_text_spools_read_back_and_join_as_a_sort_then_str_join(
    keys: list[tuple[str, str]],
    texts: list[str],
    parts: list[int],
    end: str,
    separator: str,
    keys_in_memory: int,
    shared: int,
) -> None:
    """Text spools (any text without a newline: UTF-8, \\r, U+2028) mixed with pickled ones,
    interleaving or not: read back as ``sorted`` orders them, and written joined, copied or
    not (the spool's end the separator or another), the bytes of ``str.join``; their keys
    after their texts or (beyond the bound in memory: 0 here) in a file beside; each in a
    file of its own, or one after the other in one or two shared files."""
    items = list(zip(keys, texts, strict=False))
    expected = [text for _key, text in sorted(items)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "_KEYS_IN_MEMORY", keys_in_memory)
        spooled = _text_spooled(items, parts, TemporaryDirectory(), end, shared)
    assert list(spooled) == expected
    assert [spooled[i] for i in range(len(spooled))] == expected
    joined = separator.join(expected).encode()
    with TemporaryDirectory() as out_folder:
        path = os.path.join(out_folder, "out")
        with open(path, "wb") as out:  # a file: sendfile copies the matching spools
            out.write(b"[")
            spooled.write_joined(out, separator)
            out.write(b"]")
        with open(path, "rb") as written:
            assert written.read() == b"[" + joined + b"]"
    memory = io.BytesIO()  # no descriptor: copied block by block
    spooled.write_joined(memory, separator)
    assert memory.getvalue() == joined


def test_a_copy_through_python_when_sendfile_refuses_the_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An output whose descriptor sendfile refuses (EINVAL) gets the same bytes by blocks;
    any other error of sendfile is the caller's (a full disk is not hidden)."""
    folder = TemporaryDirectory()
    items = [((n,), f'{{"n": {n}, "x": "é"}}') for n in range(700)]  # several key chunks
    spool = write_text_spool(folder.name, "g", items, ",\n")
    assert spool is not None
    spooled: SpooledItems[str] = SpooledItems([spool], folder)
    monkeypatch.setattr(_spool, "_COPY_BLOCK", 1000)  # several blocks

    def refuse(_out: int, _in: int, _offset: int, _count: int) -> int:
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(os, "sendfile", refuse)
    out = _Unsendable()
    spooled.write_joined(out, ",\n")
    assert out.getvalue() == ",\n".join(text for _key, text in items).encode()

    def full(_out: int, _in: int, _offset: int, _count: int) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "sendfile", full)
    with pytest.raises(OSError, match="No space left"):
        spooled.write_joined(_Unsendable(), ",\n")


def test_a_text_spool_refuses_a_newline_and_an_end_it_could_not_split() -> None:
    folder = TemporaryDirectory()
    with pytest.raises(ValueError, match=r"holds a newline: '\{\"a\": \"1\\n2\"\}'"):
        write_text_spool(folder.name, "g", [((1,), '{"a": "1\n2"}')], ",\n")
    for end in (",", "\n\n", ""):
        with pytest.raises(ValueError, match="must end with its only newline"):
            write_text_spool(folder.name, "h", [((1,), "{}")], end)
    assert write_text_spool(folder.name, "empty", [], ",\n") is None
    assert os.listdir(folder.name) == []  # nothing left of the refused spool


def test_a_text_spool_is_one_file_until_its_keys_pass_the_bound() -> None:
    """A group's texts spool to one file, their keys after them (creating a file costs more
    than writing a small one); keys beyond the bound kept in memory go to a file beside,
    written from the first key, and both read back the same items."""
    items = [((n, f"{n:011d}"), f'{{"n": {n}, "x": "é\u2028"}}') for n in range(700)]
    folder = TemporaryDirectory()
    one = write_text_spool(folder.name, "one", items, ",\n")
    assert one is not None
    assert one.keys_at is not None
    assert os.listdir(folder.name) == ["one"]
    assert one.keys_at == sum(len(text.encode()) + 2 for _key, text in items)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "_KEYS_IN_MEMORY", 1000)  # passed within the first chunks
        two = write_text_spool(folder.name, "two", items, ",\n")
    assert two is not None
    assert two.keys_at is None
    assert sorted(os.listdir(folder.name)) == ["one", "two", "two.keys"]
    with open(os.path.join(folder.name, "two"), "rb") as texts:
        assert texts.read() == b"".join(text.encode() + b",\n" for _key, text in items)
    for spool in (one, two):
        assert list(_spool._items(spool)) == items
        spooled: SpooledItems[str] = SpooledItems([spool], folder)
        out = io.BytesIO()
        spooled.write_joined(out, ",\n")
        assert out.getvalue() == ",\n".join(text for _key, text in items).encode()
        _spool.remove_spool(spool)
    assert os.listdir(folder.name) == []


def test_text_spools_go_with_their_keys() -> None:
    """A text spool's two files are removed with it: by remove_files and by a wide merge."""
    folder = TemporaryDirectory()
    spools = [write_text_spool(folder.name, f"g{n}", [((n,), "{}"), ((n + 5,), "[]")], "\n")
              for n in range(4)]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "OPEN_FILES", 2)
        spooled: SpooledItems[str] = SpooledItems([s for s in spools if s is not None], folder)
    assert not any(name.startswith("g") for name in os.listdir(folder.name))
    assert list(spooled) == ["{}"] * 4 + ["[]"] * 4
    spooled.remove_files()
    assert os.listdir(folder.name) == []


@pytest.mark.parametrize(
    ("soft", "expected"), [(64, 16), (256, 64), (400, 100), (1024, 256), (20000, 256)]
)
def test_a_merge_opens_a_quarter_of_the_files_a_process_may(
    monkeypatch: pytest.MonkeyPatch, soft: int, expected: int
) -> None:
    """macOS allows 256 files by default, Linux 1,024: a merge of the national sample's
    187 timeline buckets needs no intermediate pass under the latter."""
    resource = pytest.importorskip("resource")
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (soft, soft * 4))
    assert _spool._open_files() == expected
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (resource.RLIM_INFINITY,) * 2)
    assert _spool._open_files() == 256


def test_sendfile_is_used_on_linux_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Elsewhere (macOS) sendfile writes to sockets alone: files are copied by Python."""
    folder = TemporaryDirectory()
    spool = write_text_spool(folder.name, "g", [((1,), "{}"), ((2,), "[]")], ",\n")
    assert spool is not None
    spooled: SpooledItems[str] = SpooledItems([spool], folder)
    calls: list[int] = []

    def counted(out: int, source: int, offset: int, count: int) -> int:
        calls.append(count)
        return os.write(out, os.pread(source, count, offset))

    monkeypatch.setattr(os, "sendfile", counted, raising=False)
    for platform, sent in (("darwin", []), ("linux", [6])):  # the file less its last ",\n"
        monkeypatch.setattr(sys, "platform", platform)
        calls.clear()
        with TemporaryDirectory() as out_folder:
            path = os.path.join(out_folder, "o")
            with open(path, "wb") as out:
                spooled.write_joined(out, ",\n")
            with open(path, "rb") as written:
                assert written.read() == b"{},\n[]"
        assert calls == sent


def test_a_text_that_is_not_unicode_goes_to_a_pickled_spool() -> None:
    """A lone surrogate (a file name that is not UTF-8, decoded by os.fsdecode, in a
    finding) cannot be written as UTF-8: the texts are pickled instead, nothing is left
    of the text spool, and writing them joined leaves the choice to the output's handler,
    as a text stream would (``surrogateescape`` gives the file name's byte back)."""
    folder = TemporaryDirectory()
    texts = [((n,), f'{{"n": {n}}}') for n in range(100)]
    texts[80] = ((80,), '{"file": "caf\udce9.xml"}')  # past the first chunk: some written
    spool = _spool.spool_texts(folder.name, "g", lambda: iter(texts), ",\n")
    assert spool is not None
    assert spool.end is None  # pickled
    assert os.listdir(folder.name) == ["g"]  # no text spool, no keys file left
    spooled: SpooledItems[str] = SpooledItems([spool], folder)
    assert list(spooled) == [text for _key, text in texts]
    out = io.BytesIO()
    spooled.write_joined(out, ",\n", "surrogateescape")
    assert out.getvalue() == ",\n".join(t for _k, t in texts).encode("utf-8", "surrogateescape")
    assert b'"caf\xe9.xml"' in out.getvalue()
    with pytest.raises(UnicodeEncodeError):
        spooled.write_joined(io.BytesIO(), ",\n")
    with pytest.raises(UnicodeEncodeError):
        write_text_spool(folder.name, "h", texts, ",\n")
    assert os.listdir(folder.name) == ["g"]
    valid = _spool.spool_texts(folder.name, "v", lambda: iter(texts[:80]), ",\n")
    assert valid is not None
    assert valid.end == ",\n"


# Spools written as their parts finish (OrderedSpoolWriter: the entitlements' --output).
EMPLOYERS = [f"0{n:09d}" for n in (202239951, 403019261, 417497106, 999999999)]


@settings(max_examples=80, deadline=None)
@given(
    owners=st.lists(st.integers(0, 4), min_size=len(EMPLOYERS), max_size=len(EMPLOYERS)),
    workers=st.lists(st.tuples(st.integers(0, 3), st.from_regex(r"[0-9]{11}", fullmatch=True)),
                     unique=True, max_size=30),
    pickled=st.sets(st.integers(0, 4)),
    order=st.permutations(range(5)),
)  # fmt: skip
def test_parts_written_as_they_finish_give_the_bytes_written_at_the_end(
    owners: list[int],
    workers: list[tuple[int, str]],
    pickled: set[int],
    order: list[int],
) -> None:
    """Five parts, each owning some employers (so their key ranges may interleave), some
    empty, some pickled, finishing in any order: at every step the output is a start of
    what SpooledItems.write_joined writes at the end, and at the end it is all of it, between
    ``before`` and ``after`` (nothing at all without a value)."""
    folder = TemporaryDirectory()
    items: dict[int, list[tuple[Any, str]]] = {part: [] for part in range(5)}
    for employer, niss in workers:
        items[owners[employer]].append(((EMPLOYERS[employer], niss), f'{{"n": "{niss}é"}}'))
    spools = {
        part: (write_spool if part in pickled else _text_spool)(folder.name, f"p{part}", sorted(g))
        for part, g in items.items()
    }
    owned = {part: [EMPLOYERS[e] for e, p in enumerate(owners) if p == part] for part in range(5)}
    ranges = [(min(owned[p]), max(owned[p])) if owned[p] else ("", "") for p in range(5)]
    everything: SpooledItems[str] = SpooledItems(
        [s for s in spools.values() if s is not None], folder
    )
    expected = ",\n".join(everything).encode()
    expected = b"[\n" + expected + b"\n]\n" if len(everything) else b""
    with TemporaryDirectory() as out_folder, open(os.path.join(out_folder, "out"), "w+b") as out:
        out.write(b"kept")
        writer = _spool.OrderedSpoolWriter(out, ranges, ",\n", before=b"[\n", after=b"\n]\n")
        assert writer.usable
        for part in order:
            writer.add(part, spools[part])
            out.flush()
            assert expected.startswith(_written(out)[4:])
        assert writer.finish() is bool(len(everything))
        assert _written(out) == b"kept" + expected
        assert writer.count == len(everything)
        writer.rewind()
        assert _written(out) == b"kept"


def _text_spool(folder: str, name: str, items: list[tuple[Any, str]]) -> Any:
    return write_text_spool(folder, name, items, ",\n")


def _written(out: Any) -> bytes:
    out.flush()
    with open(out.name, "rb") as written:
        return written.read()


def test_a_part_waits_for_every_part_whose_range_it_overlaps() -> None:
    """Part 1's keys fall inside part 0's range: neither is written before both are done,
    and part 2, after both, waits for them; a cluster wider than a merge may open at once
    makes the writer unusable (the output is then written at the end)."""
    folder = TemporaryDirectory()
    spools = [
        write_text_spool(folder.name, "a", [(("1", "x"), "a1"), (("5", "x"), "a5")], ",\n"),
        write_text_spool(folder.name, "b", [(("3", "x"), "b3")], ",\n"),
        write_text_spool(folder.name, "c", [(("7", "x"), "c7")], ",\n"),
    ]
    out = io.BytesIO()
    writer = _spool.OrderedSpoolWriter(out, [("1", "5"), ("3", "3"), ("7", "7")], ",\n")
    writer.add(2, spools[2])
    writer.add(0, spools[0])
    assert out.getvalue() == b""
    writer.add(1, spools[1])
    assert out.getvalue() == b"a1,\nb3,\na5,\nc7"
    assert writer.finish()
    wide = [(str(n), str(n + 1)) for n in range(_spool.OPEN_FILES + 1)]
    assert not _spool.OrderedSpoolWriter(io.BytesIO(), wide, ",\n").usable
    assert _spool.OrderedSpoolWriter(io.BytesIO(), wide[::2], ",\n").usable


def test_a_keys_file_that_cannot_be_written_is_closed_and_removed() -> None:
    """A full disk while the keys go to their own file: the error is the caller's, the
    file is closed (no descriptor left open in a long-lived process) and nothing is left."""
    folder = TemporaryDirectory()
    opened: list[Any] = []

    class _Full(io.FileIO):
        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_open(path: str, mode: str = "r", **kwargs: Any) -> Any:
        if path.endswith(".keys"):
            opened.append(_Full(path, "wb"))
            return opened[-1]
        return open(path, mode, **kwargs)

    items = [((n,), f'{{"n": {n}}}') for n in range(100)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "_KEYS_IN_MEMORY", 0)
        patch.setattr(_spool, "open", fake_open, raising=False)
        with pytest.raises(OSError, match="No space left"):
            write_text_spool(folder.name, "g", items, ",\n")
    assert len(opened) == 1
    assert opened[0].closed
    assert os.listdir(folder.name) == []


def test_keys_that_cannot_be_written_after_the_texts_leave_nothing() -> None:
    """The same at the last write, the keys after the texts in the spool's one file: the
    disk's error, not another, and no file left."""
    folder = TemporaryDirectory()

    class _FullAtTheKeys(io.FileIO):
        def write(self, data: Any) -> int:
            if isinstance(data, memoryview):  # the pickled keys (the texts are bytes)
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(data)

    def fake_open(path: str, mode: str = "r", **kwargs: Any) -> Any:
        return _FullAtTheKeys(path, "wb") if mode == "wb" else open(path, mode, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_spool, "open", fake_open, raising=False)
        with pytest.raises(OSError, match="No space left"):
            write_text_spool(folder.name, "g", [((n,), "{}") for n in range(100)], ",\n")
    assert os.listdir(folder.name) == []


# -- a task's groups in one shared file ------------------------------------------------


def test_a_shared_file_cuts_back_a_part_that_fails_and_keeps_the_others() -> None:
    """A part whose texts cannot be written (a newline; a lone surrogate, which the caller
    then spools pickled) leaves nothing in the shared file; the parts before and after it
    read back whole, and so does the joined output, copied from each part's offset."""
    folder = TemporaryDirectory()
    first = [(("a", str(n)), f'{{"n": {n}}}') for n in range(100)]
    later = [(("c", str(n)), f'{{"m": "é{n}"}}') for n in range(3)]
    with SharedSpoolFile(folder.name, "task-") as shared:
        one = shared.add_texts(first, ",\n")
        with pytest.raises(ValueError, match="newline"):
            shared.add_texts([(("b", "1"), "ok"), (("b", "2"), "two\nlines")], ",\n")
        with pytest.raises(UnicodeEncodeError):
            shared.add_texts([(("b", "3"), "\udcff")], ",\n")
        two = shared.add_texts(later, ",\n")
        assert shared.add_texts([], ",\n") is None
    assert one is not None
    assert two is not None
    assert one.path == two.path
    assert (one.offset, two.offset > one.offset) == (0, True)
    with open(one.path, "rb") as written:
        data = written.read()
    assert data[two.offset :].startswith('{"m": "é0"},\n'.encode())  # right after part one
    assert b"ok" not in data
    assert b"two" not in data
    assert b"\\udcff" not in data
    spooled: SpooledItems[str] = SpooledItems([two, one], folder)
    expected = [text for _key, text in [*first, *later]]
    assert list(spooled) == expected
    joined = ",\n".join(expected).encode()
    memory = io.BytesIO()  # copied block by block, from each part's offset
    spooled.write_joined(memory, ",\n")
    assert memory.getvalue() == joined
    with TemporaryDirectory() as out_folder:  # a file: sendfile from each part's offset
        path = os.path.join(out_folder, "out")
        with open(path, "wb") as out:
            spooled.write_joined(out, ",\n")
        with open(path, "rb") as written:
            assert written.read() == joined


def test_a_shared_spool_is_not_removed_alone() -> None:
    """Removing one part's spool (a group read again) must not take the file that holds
    the other parts: it goes with the run's folder."""
    folder = TemporaryDirectory()
    with SharedSpoolFile(folder.name, "task-") as shared:
        dropped = shared.add_texts([(("a", "1"), "{}")], ",\n")
        kept = shared.add_texts([(("b", "1"), '{"k": 1}')], ",\n")
    assert dropped is not None
    assert kept is not None
    _spool.remove_spool(dropped)
    assert list(SpooledItems([kept], folder)) == ['{"k": 1}']
    path = kept.path
    del folder
    gc.collect()
    assert not os.path.exists(path)


def test_a_shared_file_is_made_with_its_first_part_only() -> None:
    folder = TemporaryDirectory()
    with SharedSpoolFile(folder.name, "task-") as shared:
        assert shared.add_texts([], ",\n") is None
    assert os.listdir(folder.name) == []
