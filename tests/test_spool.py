"""Spooled texts read back in (employer key, NISS) order: against a plain sort."""

from __future__ import annotations

import gc
import os
import pickle
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer._spool import SpooledTexts, write_spool

KEYS = st.tuples(st.sampled_from(["0403019261", "0202239951", "0999999999"]),
                 st.from_regex(r"[0-9]{11}", fullmatch=True))  # fmt: skip


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
    items = [(key, niss, f'{{"n": "{key}/{niss}", "x": "é\\n"}}') for key, niss in keys]
    expected = [text for _k, _n, text in sorted(items)]
    folder = TemporaryDirectory()
    groups: dict[int, list[tuple[str, str, str]]] = {}
    for item, part in zip(items, parts, strict=False):
        groups.setdefault(part, []).append(item)
    spools = [write_spool(folder.name, f"g{p}", sorted(g)) for p, g in groups.items()]
    texts = SpooledTexts([s for s in spools if s is not None], folder)
    assert len(texts) == len(expected)
    assert list(texts) == expected
    assert texts == tuple(expected)
    assert [texts[i] for i in range(len(texts))] == expected
    assert [t for i in range(0, len(texts), chunk) for t in texts[i : i + chunk]] == expected
    assert texts[-1:] == expected[-1:]
    assert pickle.loads(pickle.dumps(texts)) == tuple(expected)


def test_the_folder_goes_with_the_texts() -> None:
    folder = TemporaryDirectory()
    spool = write_spool(folder.name, "g", [("1", "2", "{}")])
    assert spool is not None
    texts = SpooledTexts([spool], folder)
    path = folder.name
    del folder
    gc.collect()
    assert os.path.isdir(path)  # still owned by the texts
    assert "1 texts in 1 files" in repr(texts)
    del texts
    gc.collect()
    assert not os.path.exists(path)
