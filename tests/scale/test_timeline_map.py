"""The timeline's map step streams each group file by file: the rows of one whole read.

The oracle is the map of a group read whole (``read_corrected_dmfa``, the path the map
took before): the same period rows in the same order, the same findings, errors, keys
and latest day, whatever the rows written out part-way and the files that fail.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer import _rows, timeline_map
from mycareer._rows import RowStore
from mycareer.plans import EmployerGroup
from mycareer.quarter import Quarter
from mycareer.timeline_jobs import period_from_row, plan_timelines
from mycareer.timeline_map import _Mapper, map_groups
from mycareer.xmlio.flows import read_corrected_dmfa

from ._bench import bench_module

BUCKETS = 3


@pytest.fixture(scope="module")
def payroll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers; one file cut short; the third's last quarter sent again with its
    previous quarter's form after its own (a duplicate only one read places)."""
    folder = tmp_path_factory.mktemp("payroll")
    quarters = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
    files = sorted(bench_module("payroll").generate(folder, 60, quarters, employers=3))
    text = files[8].read_bytes()  # the second employer's third quarter
    files[8].write_bytes(text[: len(text) * 2 // 3])
    last, previous = files[-1].read_bytes(), files[-2].read_bytes()
    form = previous[previous.index(b"<Form>") : previous.rindex(b"</Form>") + len(b"</Form>")]
    end = last.rindex(b"</DmfAOriginal>")
    (folder / f"{files[-1].stem}-again.xml").write_bytes(last[:end] + form + last[end:])
    return folder


def _ordered(rows: list[list[tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
    """Each bucket's (NISS, period) in the order of their places (what the reduce sorts by)."""
    return [[(niss, period) for _tag, niss, period in sorted(b, key=lambda r: r[0])] for b in rows]


def _pickles(path: Path) -> list[Any]:
    """Every row of the pickled lists a file holds, one after the other."""
    rows: list[Any] = []
    with path.open("rb") as source:
        while True:
            try:
                rows += pickle.load(source)
            except EOFError:
                return rows


def _read_back(folder: Path) -> list[list[tuple[Any, ...]]]:
    rows: list[list[tuple[Any, ...]]] = [[] for _ in range(BUCKETS)]
    for path in sorted(folder.glob("*.rows")):
        bucket = int(path.name[:5])
        rows[bucket] += [(t, n, period_from_row(r)) for t, n, r in _pickles(path)]
    return rows


def _whole(groups: list[tuple[int, EmployerGroup]], index: dict[str, int]) -> _Mapper:
    mapper = _Mapper(index, BUCKETS)
    for number, group in groups:
        mapper.position = 0
        mapper._whole(number, group.files)
    return mapper


def _said(mapper: Any) -> tuple[object, ...]:
    findings = [f for _tag, f in sorted(mapper.findings, key=lambda item: item[0])]
    errors = [(tag, str(e), e.source) for tag, e in mapper.errors]
    return findings, errors, tuple(mapper.keys), mapper.latest, mapper.strange


@pytest.mark.parametrize("held", [5, 64, 1_000_000])
def test_a_streamed_map_gives_the_rows_of_a_whole_read(
    payroll: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: int
) -> None:
    """Rows written out every ``held`` rows (5: in the middle of the file that fails, whose
    written rows must go), or never; the group whose duplicate original holds another form
    is streamed up to it, then read whole (what it streamed dropped)."""
    plan = plan_timelines([payroll])
    assert plan is not None
    index = {name: number for number, name in enumerate(plan.files)}
    groups = list(enumerate(plan.groups))
    expected = _whole(groups, index)
    whole_reads: list[object] = []
    read = read_corrected_dmfa

    def counted(*args: Any, **kwargs: Any) -> Any:
        whole_reads.append(args[0])
        return read(*args, **kwargs)

    monkeypatch.setattr(timeline_map, "read_corrected_dmfa", counted)
    monkeypatch.setattr(_rows, "ROWS_HELD", held)
    result, rows = map_groups(groups, index, BUCKETS, str(tmp_path))
    assert rows == [[]] * BUCKETS
    assert _ordered(_read_back(tmp_path)) == _ordered(expected.rows)
    assert _said(result) == _said(expected)
    assert whole_reads == [plan.groups[2].files]  # the duplicate holding another form
    assert len(result.errors) == 1  # the file cut short
    in_memory, kept = map_groups(groups, index, BUCKETS)
    assert _ordered(kept) == _ordered(expected.rows)
    assert _said(in_memory) == _said(expected)


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, int]]:
    """Adds, marks (up to two deep, as a group then a file), keeps, backs and writes."""
    done: list[tuple[str, int]] = []
    depth = 0
    for _step in range(draw(st.integers(0, 40))):
        choices = ["add", "add", "add", "write"] + (["mark"] if depth < 2 else [])
        choices += ["keep", "back"] if depth else []
        operation = draw(st.sampled_from(choices))
        depth += {"mark": 1, "keep": -1, "back": -1}.get(operation, 0)
        done.append((operation, draw(st.integers(0, BUCKETS - 1))))
    return done


@settings(max_examples=150, deadline=None)
@given(operations(), operations(), st.integers(1, 6))
def test_a_row_store_drops_exactly_the_rows_added_since_a_mark(
    first: list[tuple[str, int]], then: list[tuple[str, int]], limit: int
) -> None:
    """Against plain lists: rows in memory or on disk, written every ``limit`` rows; a
    second store of the same writer (a process's next task) appends to the same files,
    and its drops never reach the first store's rows."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model: list[list[int]] = [[] for _ in range(BUCKETS)]
        files: set[str] = set()
        for start, steps in ((0, first), (len(first), then)):
            store = RowStore(BUCKETS, folder, 41, pickle.dumps, limit)
            _apply(store, model, [(number + start, *step) for number, step in enumerate(steps)])
            store.write()
            files |= set(store.files())
        on_disk: list[list[int]] = [[] for _ in range(BUCKETS)]
        for path in sorted(Path(folder).iterdir()):
            assert path.name.endswith("-41.rows")
            on_disk[int(path.name[:5])] += _pickles(path)
        assert [sorted(rows) for rows in on_disk] == model
        assert files == {str(p) for p in Path(folder).iterdir()}


def _apply(store: RowStore, model: list[list[int]], steps: list[tuple[int, str, int]]) -> None:
    marks: list[list[int]] = []
    for number, operation, bucket in steps:
        if operation == "add":
            store.add(bucket, number)
            model[bucket].append(number)
        elif operation == "write":
            store.write()
        elif operation == "mark":
            store.mark()
            marks.append([len(rows) for rows in model])
        elif operation == "keep":
            store.keep()
            marks.pop()
        else:
            store.back()
            for rows, count in zip(model, marks.pop(), strict=True):
                del rows[count:]
