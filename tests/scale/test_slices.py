"""A group of several employers read in slices: the results of the group read in one piece.

A social secretariat's quarterly files hold every client's form, so their groups join
into one (:mod:`mycareer.regroup`), and that group's process held every client's state:
482 MB for ``entitlements`` on the national sample as 9 such files, over the 300 MB of
issue 15 (docs/performance.md, "A secretariat's group in slices"). Read in slices
(:mod:`mycareer.group_slices`), each slice reads every file and keeps its share of the
employers. The oracle is the same run with its groups in one piece (the reference route,
itself held to one read of everything in ``test_regroup.py`` and ``test_pipeline.py``):
the same entitlements, JSON texts, findings and errors, in the same order.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer import pipeline
from mycareer._processes import map_in_processes
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.fla import compute_entitlements
from mycareer.fla.bulk import EntitlementStream
from mycareer.fla.incomplete import REFERENCE_INCOMPLETE
from mycareer.group_results import GroupResult, merge_slices
from mycareer.group_slices import (
    MOST_SLICES,
    PARALLEL_SLICE_BYTES,
    GroupSlice,
    slice_count,
    slice_of,
    with_cut_alone,
)
from mycareer.pipeline import EntitlementRun, entitlements_for_year, plan_employers
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update
from mycareer.xmlio.flows import read_corrected_dmfa
from tests.cli._run import assert_no_traceback, run_cli

from ._bench import bench_module

YEAR = 2024
QUARTERS = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
PAYROLL, BATCHES = bench_module("payroll"), bench_module("batches")
#: Slices of one byte: a group of several employers is cut in the most slices there
#: may be (MOST_SLICES), most of them without an employer here.
TINY_SLICES = 1

# --- the rules, against plain oracles ----------------------------------------------------


def test_an_employer_s_slice_is_the_same_in_every_process() -> None:
    """Not ``hash``, which changes with ``PYTHONHASHSEED``: the parent decides the slices
    and each worker process keeps the records of its own."""
    keys = [f"0{n:09d}" for n in range(200, 260)]
    code = (
        "import sys; from mycareer.group_slices import slice_of; "
        "print([slice_of(k, 7) for k in sys.argv[1:]])"
    )
    seen = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code, *keys], env=env, check=True,
                              capture_output=True, text=True)  # fmt: skip
        seen.add(done.stdout)
    assert seen == {f"{[slice_of(k, 7) for k in keys]}\n"}


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=40), st.integers(2, 9))
def test_each_employer_is_in_one_slice(keys: list[str], count: int) -> None:
    for key in keys:
        owners = [n for n in range(count) if GroupSlice(n, count, watch=0).owns(key)]
        assert owners == [slice_of(key, count)]


def test_the_slices_share_many_employers_out() -> None:
    keys = [f"0{n:09d}" for n in range(4000, 6000)]
    for count in (2, 3, 8):
        sizes = [sum(1 for k in keys if slice_of(k, count) == n) for n in range(count)]
        assert min(sizes) > len(keys) / count / 2  # none far below its share


def test_a_slice_is_one_of_its_count() -> None:
    for bad in ((2, 2), (-1, 2), (0, 1)):
        with pytest.raises(ValueError, match=r"\d"):
            GroupSlice(*bad, watch=0)


@given(
    size=st.integers(0, 10**11),
    keys=st.integers(0, 100),
    jobs=st.integers(1, 64),
    slice_bytes=st.integers(1, 10**10),
)
def test_slice_count_is_the_fewest_that_fit_and_feed_the_cores(
    size: int, keys: int, jobs: int, slice_bytes: int
) -> None:
    """The oracle: the fewest slices of at most ``slice_bytes`` each that are a multiple
    of the cores (one a core when the group is worth a process and has employers
    enough: the slices run in rounds), within the most."""
    count = slice_count(size=size, keys=keys, jobs=jobs, slice_bytes=slice_bytes)
    if keys < 2 or size == 0:
        assert count == 1
        return
    cores = min(jobs, keys) if size >= min(PARALLEL_SLICE_BYTES, slice_bytes) else 1
    fitting = (n for n in range(cores, MOST_SLICES + 1, cores) if n * slice_bytes >= size)
    assert count == next(fitting, MOST_SLICES)


def test_a_cut_group_no_join_holds_is_read_again_alone() -> None:
    class Result:
        def __init__(self, cut: bool) -> None:
            self.cut = cut

    results = [Result(c) for c in (False, True, True, False, True)]
    assert with_cut_alone([(1, 3)], results) == [(1, 3), (2,), (4,)]
    assert with_cut_alone([], [Result(False)]) == []


def test_slices_merge_into_one_group_s_result() -> None:
    q1, q2 = Quarter(2024, 1), Quarter(2024, 2)
    first = GroupResult((("A", "1", "a"),), (), (), frozenset({"A"}), last_quarter=q1,
                        ids=frozenset({(q1, "A")}))  # fmt: skip
    second = GroupResult((("B", "2", "b"),), (), (), frozenset({"B"}), last_quarter=q2)
    empty = GroupResult((), (), (), frozenset())
    merged = merge_slices([first, second, empty])
    assert merged.items == first.items  # the first slice's, and the others' apart
    assert merged.parts() == (merged, second, empty)
    assert (merged.keys, merged.last_quarter, merged.ids) == (frozenset("AB"), q2, first.ids)
    assert merge_slices([first]) is first
    cut = GroupResult((), (), (), frozenset({"X"}), cut=True)
    stopped = merge_slices([cut, second])
    assert stopped.cut
    assert (stopped.keys, len(stopped.items)) == (frozenset({"X"}), 0)
    assert stopped.slices == (second,)  # its spool, if any, leaves with the dropped group


def _pid(_call: int) -> int:
    time.sleep(0.05)  # the other worker takes calls too
    return os.getpid()


def test_a_slice_is_read_by_a_process_of_its_own() -> None:
    """A process reused keeps part of what the slice before it freed, fragmented: on the
    national mix, each of two worker processes reading two slices peaked at 333 MB, the
    second slice on top of the first (docs/performance.md)."""
    fresh = list(map_in_processes(_pid, 2, range(6), one_call_each=True))
    assert len(set(fresh)) == 6
    reused = list(map_in_processes(_pid, 2, range(6)))
    assert len(set(reused)) <= 2


# --- the data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("made")
    return list(PAYROLL.generate(folder, 160, QUARTERS, employers=6))


def _keys(files: Sequence[Path]) -> list[str]:
    return sorted({f.stem.split("-")[1] for f in files})


@pytest.fixture(scope="module")
def shuffled(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A secretariat's quarterly files, its clients' forms shuffled: the groups join."""
    folder = tmp_path_factory.mktemp("shuffled")
    BATCHES.make(made[0].parent, folder, "secretariat", seed=5)
    return folder


def _sorted_files(made: list[Path], folder: Path) -> Path:
    for quarter in QUARTERS:
        name = f"{quarter.year}{quarter.number}"
        paths = [made[0].parent / f"dmfa-{key}-{name}.xml" for key in _keys(made)]
        (folder / f"secretariat-{name}.xml").write_bytes(BATCHES.one_file(paths))
    return folder


@pytest.fixture(scope="module")
def among_others(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A secretariat's files of four clients, two employers declaring on their own: the
    secretariat's group is read again among groups it must not take for its own."""
    folder = tmp_path_factory.mktemp("among-others")
    BATCHES.make(made[0].parent, folder, "secretariat", seed=5, clients=4)
    return folder


@pytest.fixture(scope="module")
def in_key_order(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A secretariat's files, its clients' forms in key order: every file opens with the
    same client, so the plan has one group, whose headers name one employer."""
    return _sorted_files(made, tmp_path_factory.mktemp("in-key-order"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _update(folder: Path, name: str, line: DmfaWorkerRecord) -> None:
    first = line.occupations[0]
    halved = attrs.evolve(first, mean_working_hours=(first.ref_mean_working_hours or 3800) // 2)
    form = DmfaUpdateForm(line.employer, line.quarter, datetime(2024, 8, 1, 9), declaration_id="1")
    record = attrs.evolve(line, occupations=[halved, *line.occupations[1:]], source=None)
    write_dmfa_update(folder / name, form, [DmfaLineUpdate(form, UpdateAction.MODIFIED, record)])


@pytest.fixture(scope="module")
def troubled(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files in key order, with trouble: the first client declared under an NSSO
    number too, and in 2024 Q1 without its enterprise number (CompanyID 0: another
    employer key, which that file's header names), a refused line (a twelve-digit INSS)
    in 2024 Q1, a correction of a later client's line in 2024 Q2 (the file's header names
    another), and the 2023 Q3 file cut short (a file that fails part-way: refused whole,
    the results whose reference quarters it holds marked incomplete)."""
    folder = _sorted_files(made, tmp_path_factory.mktemp("troubled"))
    for path in folder.iterdir():  # the first form of each file is the first client's
        _edit(path, "<NOSSRegistrationNbr>0<", "<NOSSRegistrationNbr>100105<")
    _edit(folder / "secretariat-20241.xml", f"<CompanyID>{_keys(made)[0]}<", "<CompanyID>0<")
    _edit(folder / "secretariat-20241.xml", "<INSS>", "<INSS>1")
    later = _keys(made)[3]
    lines = [r for r in iter_dmfa(folder / "secretariat-20242.xml") if r.employer.key == later]
    _update(folder, "update-20242.xml", lines[2])
    cut = folder / "secretariat-20233.xml"
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    return folder


# --- entitlements ----------------------------------------------------------------------


def _run(folder: Path, jobs: int, slice_bytes: int, render: Any = "objects") -> EntitlementRun:
    out = io.BytesIO()
    run = entitlements_for_year([folder], YEAR, jobs=jobs, render=render, json_to=out,
                                slice_bytes=slice_bytes)  # fmt: skip
    if run.json_written:
        return attrs.evolve(run, json=tuple(out.getvalue().decode().splitlines()))
    return attrs.evolve(run, json=tuple(run.json))


def _said(run: EntitlementRun) -> tuple[Any, ...]:
    """A run's results, findings and errors (compared by message and source)."""
    errors = [(str(e), e.source) for e in run.errors]
    return run.entitlements, tuple(run.json), run.findings, errors, run.last_quarter


def _streams(
    monkeypatch: pytest.MonkeyPatch, declared: list[frozenset[str]] | None = None
) -> list[frozenset[str]]:
    """The employer keys of each stream that computed results (``jobs=1``: here), and
    those of the declarations it was given in ``declared``."""
    computed: list[frozenset[str]] = []

    class Watched(EntitlementStream):
        def entitlements(self, declarations: Any = (), **kwargs: Any) -> Any:
            computed.append(self.employer_keys())
            if declared is not None:
                declarations = tuple(declarations)
                declared.append(frozenset(d.employer.key for d in declarations))
            return super().entitlements(declarations, **kwargs)

    monkeypatch.setattr(pipeline, "EntitlementStream", Watched)
    return computed


def _in_slices(streams: list[frozenset[str]], keys: set[str]) -> None:
    """The streams computed ``keys`` apart, each one slice's employers only."""
    count = len(streams)
    assert count >= 2
    assert set().union(*streams) == keys
    assert sum(len(s) for s in streams) == len(keys)  # no employer in two slices
    for stream in streams:
        assert len({slice_of(key, count) for key in stream}) <= 1


@pytest.mark.parametrize("folder_name", ["shuffled", "among_others", "in_key_order", "troubled"])
@pytest.mark.parametrize("render", ["objects", "json"])
def test_slices_give_the_group_s_results_whatever_jobs(
    folder_name: str, render: str, request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(folder_name)
    whole = _said(_run(folder, 1, 10**12, render))  # in one piece: the reference route
    size = sum(f.stat().st_size for f in folder.iterdir())
    # Two processes: a new one a slice (each costs a fork), so a few slices only there.
    for jobs, slice_bytes in ((1, TINY_SLICES), (2, size // 5), (2, size // 2),
                              (1, size // 3)):  # fmt: skip
        assert _said(_run(folder, jobs, slice_bytes, render)) == whole, (jobs, slice_bytes)


def test_the_data_is_worth_testing(shuffled: Path, in_key_order: Path, troubled: Path) -> None:
    assert len(plan_employers([shuffled]).groups) > 2  # the groups join
    assert len(plan_employers([in_key_order]).groups) == 1  # one group: headers name one
    assert len(plan_employers([troubled]).groups) == 2  # 2024 Q1's header: another key
    run = _run(troubled, 1, 10**12)
    assert run.errors  # the refused line and the file cut short
    assert any(f.code == REFERENCE_INCOMPLETE for e in run.entitlements for f in e.findings)
    read = read_corrected_dmfa([troubled], on_error="collect")
    assert read.correction.changes  # the update applies


@pytest.mark.parametrize("folder_name", ["shuffled", "in_key_order"])
def test_each_slice_computes_its_share_of_the_employers(
    folder_name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What bounds a slice's memory: its stream holds its employers' state only."""
    folder: Path = request.getfixturevalue(folder_name)
    read = read_corrected_dmfa([folder], on_error="collect")
    keys = {r.employer.key for r in read.records}
    size = sum(f.stat().st_size for f in folder.iterdir())
    streams = _streams(monkeypatch)
    run = _run(folder, 1, -(-size // len(keys)))
    assert run.entitlements == compute_entitlements(read.records, read.declarations, YEAR)
    assert len(streams) == len(keys)  # as many slices as the bytes take
    _in_slices(streams, keys)


def test_each_slice_holds_its_employers_declarations_only(
    in_key_order: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slice is given its own employers' declarations, not the group's (a secretariat's
    9 quarterly files of 8,000 clients: 72,000 headers of about 700 bytes each)."""
    read = read_corrected_dmfa([in_key_order], on_error="collect")
    keys = {d.employer.key for d in read.declarations}
    size = sum(f.stat().st_size for f in in_key_order.iterdir())
    declared: list[frozenset[str]] = []
    _streams(monkeypatch, declared)
    _run(in_key_order, 1, -(-size // 3))
    assert len(declared) == 3
    _in_slices(declared, keys)


def test_a_group_of_one_employer_s_headers_is_read_once_unless_it_is_large(
    in_key_order: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``slice_bytes``, a plan's group is read as before: once, in one piece."""
    streams = _streams(monkeypatch)
    _run(in_key_order, 1, 10**12)
    assert len(streams) == 1
    streams.clear()
    size = sum(f.stat().st_size for f in in_key_order.iterdir())
    _run(in_key_order, 1, size // 2)  # stops at its second client, read again in slices
    assert len(streams) == 2


def test_the_slices_of_a_run_go_to_processes_of_their_own(
    shuffled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.map_in_processes
    calls: list[tuple[int, bool]] = []

    def recorded(function: Any, jobs: int, *arguments: Any, one_call_each: bool = False) -> Any:
        specs = arguments[0]
        calls.append((len(specs[0].slices), one_call_each))
        return real(function, jobs, *arguments, one_call_each=one_call_each)

    monkeypatch.setattr(pipeline, "map_in_processes", recorded)
    size = sum(f.stat().st_size for f in shuffled.iterdir())
    entitlements_for_year([shuffled], YEAR, jobs=2, slice_bytes=size // 2)
    assert calls[0] == (0, False)  # the first reads: processes reused
    assert calls[-1] == (2, True)  # the slices: a process each


def test_the_command_gives_the_same_bytes_in_slices(in_key_order: Path, tmp_path: Path) -> None:
    outputs: list[tuple[bytes, str, str]] = []
    for options in (("--jobs", "1"), ("--jobs", "2", "--slice-mb", "1")):
        out = tmp_path / f"out{len(outputs)}.json"
        done = run_cli("entitlements", "--year", str(YEAR), *options, in_key_order, "-o", out)
        assert done.returncode == 0, done.stderr
        outputs.append((out.read_bytes(), done.stdout, done.stderr))
    assert outputs[0] == outputs[1]
    assert sum(f.stat().st_size for f in in_key_order.iterdir()) > 1_000_000  # 2 slices


@pytest.mark.parametrize("bad", ["0", "x", "1000001", "9" * 5000])
def test_the_command_refuses_a_slice_size_that_is_none(in_key_order: Path, bad: str) -> None:
    done = run_cli("entitlements", "--year", str(YEAR), "--slice-mb", bad, in_key_order)
    assert done.returncode == 2
    assert "--slice-mb" in done.stderr
    assert bad[:20] in done.stderr
    assert len(bad) < 20 or bad[:500] not in done.stderr  # a long value cut short
    assert_no_traceback(done)
