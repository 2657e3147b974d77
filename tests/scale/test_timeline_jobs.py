"""Timelines shuffled by NISS: the results of one read of everything, whatever the split.

The oracle is the path the CLI took before ``--jobs``: ``read_career_inputs`` on
every file, then each worker's ``build_timeline`` and gaps (first covered day to
the end of the latest quarter), in order of first appearance.
"""

from __future__ import annotations

import json
import pickle
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer import timeline_jobs
from mycareer.career import CareerPeriod
from mycareer.dmfa_update import DMFA_NSSO_NUMBER_SHARED
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.plans import Plan
from mycareer.quarter import Quarter
from mycareer.timeline import build_timeline, timeline_document, timeline_to_json
from mycareer.timeline_jobs import (
    Render,
    TimelineRun,
    TimelineSpec,
    WorkerTimeline,
    bucket_of,
    dump_rows,
    execute,
    local_shuffle,
    one_process,
    period_from_row,
    period_row,
    plan_timelines,
    timelines_from_files,
)
from mycareer.timeline_rows import worker_periods
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.career_inputs import read_career_inputs
from tests.cli._run import assert_no_traceback, run_cli

from ..strategies import periods
from ._bench import bench_module
from ._duplicates import two_duplicated_quarters
from ._partitions import employers_of, random_plan
from ._shuffle import always_shuffle


@pytest.fixture(scope="module")
def payroll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four employers' files, as payroll software names them (employer, then quarter).

    Workers change employer (their timelines span employers); one employer-quarter
    is sent twice (a duplicate original) and one file is cut short (an error).
    """
    made = tmp_path_factory.mktemp("made")
    quarters = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
    files = bench_module("payroll").generate(made, 80, quarters, employers=4)
    folder = tmp_path_factory.mktemp("payroll")
    for path in files:  # employer first: one read orders records by quarter first
        shutil.copy(path, folder / path.name)
    first = sorted(folder.iterdir())[0]
    shutil.copy(first, folder / f"{first.stem}-again.xml")  # same creation time: later file wins
    cut = sorted(folder.iterdir())[5]
    text = cut.read_bytes()
    cut.write_bytes(text[: len(text) * 2 // 3])
    return folder


def oracle(paths: list[Path], as_of: date | None = None) -> dict[str, Any]:
    inputs = read_career_inputs(paths)
    as_of = as_of or inputs.default_as_of()
    assert as_of is not None
    workers = []
    for niss, records in inputs.periods.items():
        timeline = build_timeline(records, as_of=as_of)
        first = timeline.segments[0].period.start if timeline.segments else None
        window = None if first is None else Period(first, as_of)
        gaps = () if window is None else timeline.gaps(window)
        shown = attrs.evolve(timeline, niss=niss) if timeline.niss is None else timeline
        workers.append(timeline_to_json(shown, gaps, name=inputs.names.get(niss)))
    document = timeline_document(
        workers, as_of=as_of, findings=inputs.findings, errors=inputs.errors
    )
    loaded: dict[str, Any] = json.loads(json.dumps(document))
    return loaded


def same(run: TimelineRun | None, expected: TimelineRun) -> bool:
    """Equal runs; errors (exceptions compare by identity) by message and source."""
    assert run is not None

    def errors(r: TimelineRun) -> list[tuple[str, object]]:
        return [(str(e), e.source) for e in r.errors]

    plain = attrs.evolve(run, errors=()) == attrs.evolve(expected, errors=())
    return plain and errors(run) == errors(expected)


def test_the_data_is_worth_testing(payroll: Path) -> None:
    plan = plan_timelines([payroll])
    assert plan is not None
    assert len(plan.groups) == 4
    inputs = read_career_inputs([payroll])
    assert len(inputs.errors) == 1  # the file cut short
    assert any(f.code == "DMFA_DUPLICATE_ORIGINAL" for f in inputs.findings)
    movers = [n for n, rs in inputs.periods.items() if len({r.employer for r in rs}) > 1]
    assert movers, "some timelines must span employers"


@pytest.fixture(scope="module")
def expected(payroll: Path) -> TimelineRun:
    return one_process(read_career_inputs([payroll]), TimelineSpec())


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_jobs_gives_the_one_process_run(
    payroll: Path, expected: TimelineRun, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = always_shuffle(monkeypatch)  # these files are under the 8 MB it waits for

    def fell_back(*_arguments: object) -> TimelineRun:
        raise AssertionError("the run fell back to one read of everything")

    monkeypatch.setattr(timeline_jobs, "one_process", fell_back)
    run = timelines_from_files([payroll], jobs=jobs)
    assert run.workers
    assert run.errors
    assert same(run, expected)
    texts = timelines_from_files([payroll], jobs=jobs, spec=TimelineSpec(render="json"))
    document = oracle([payroll])
    assert [json.loads(w.json or "") for w in texts.workers] == document["workers"]
    assert len(taken) == 2, "both runs went through the shuffle"


@pytest.mark.parametrize("jobs", [1, 3, 5])
def test_task_packing_and_bucket_count_do_not_change_the_run(payroll: Path, jobs: int) -> None:
    """More jobs: smaller map tasks and more buckets, all run here, one after the other."""
    plan = plan_timelines([payroll])
    assert plan is not None
    expected = one_process(read_career_inputs([payroll]), TimelineSpec(as_of=date(2025, 3, 31)))
    with local_shuffle(1) as shuffle:
        run = execute(plan, TimelineSpec(as_of=date(2025, 3, 31)), jobs, shuffle)
    assert isinstance(run, TimelineRun)
    assert same(run, expected)


def test_buckets_are_stable_and_spread() -> None:
    assert bucket_of("85073003328", 7) == 3957074162 % 7  # zlib.crc32, not the salted hash
    spread = {bucket_of(f"{n:011d}", 4) for n in range(100)}
    assert spread == {0, 1, 2, 3}


def test_input_that_is_not_only_originals_is_read_in_one_process(payroll: Path) -> None:
    from importlib import resources

    dimona = resources.files("mycareer.data.demo") / "dimona"
    mixed = [payroll, Path(str(dimona))]
    assert plan_timelines(mixed) is None
    run = timelines_from_files(mixed, jobs=2)
    assert same(run, one_process(read_career_inputs(mixed), TimelineSpec()))
    assert len(run.workers) > len(timelines_from_files([payroll], jobs=1).workers)
    result = run_cli("timeline", *mixed, "--format", "json", "--jobs", "2")
    assert json.loads(result.stdout) == oracle(mixed)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_any_partition_of_the_files_gives_the_one_process_run(
    payroll: Path, expected: TimelineRun, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random groups in a random order: the run of one read. Groups that share an employer
    (which would split its duplicate originals) are mapped again, joined (mycareer.regroup;
    before, the run gave up for one read of everything)."""
    parts, plan = random_plan(data, payroll)
    mapped = mapped_groups(monkeypatch)
    with local_shuffle(1) as shuffle:
        run = execute(plan, TimelineSpec(), data.draw(st.integers(1, 6)), shuffle)
    assert same(run, expected)
    split = sum(len(employers_of(g)) for g in parts) > len(employers_of(list(plan.files)))
    assert (len(mapped) == 2) is split
    assert mapped == sorted(mapped, reverse=True)
    assert len(set(mapped)) == len(mapped)


def mapped_groups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of groups of each map of the timeline runs to come."""
    mapped: list[int] = []
    real = timeline_jobs.pack_tasks

    def counted(plan: Plan, jobs: int, buckets: int, only: Any = None) -> Any:
        mapped.append(len(plan.groups) if only is None else len(only))
        return real(plan, jobs, buckets, only)

    monkeypatch.setattr(timeline_jobs, "pack_tasks", counted)
    return mapped


@pytest.mark.parametrize("fmt", ["json", "csv", "table", "xml"])
def test_the_command_writes_the_same_bytes_whatever_jobs(payroll: Path, fmt: str) -> None:
    outputs = []
    for jobs in ("1", "2", "3"):
        result = run_cli("timeline", payroll, "--format", fmt, "--jobs", jobs)
        assert_no_traceback(result)
        assert result.returncode == 1, result.stderr  # the file cut short
        outputs.append((result.stdout, result.stderr))
    assert outputs[0] == outputs[1] == outputs[2]
    if fmt == "json":
        assert json.loads(outputs[0][0]) == oracle([payroll])


@pytest.fixture(scope="module")
def shuffled_payroll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers' files over the 8 MB from which the command shuffles by NISS, one
    employer-quarter sent twice and one file cut short, as ``payroll`` has them."""
    folder = tmp_path_factory.mktemp("shuffled")
    quarters = tuple(Quarter.range(Quarter(2022, 4), Quarter(2024, 4)))
    bench_module("payroll").generate(folder, 800, quarters, employers=3)
    first = sorted(folder.iterdir())[0]
    shutil.copy(first, folder / f"{first.stem}-again.xml")
    cut = sorted(folder.iterdir())[7]
    text = cut.read_bytes()
    cut.write_bytes(text[: len(text) // 2])
    return folder


def test_the_command_shuffles_large_input_to_the_same_bytes(shuffled_payroll: Path) -> None:
    """The command itself (a subprocess, no test switch) over the shuffle's threshold."""
    size = sum(p.stat().st_size for p in shuffled_payroll.iterdir())
    assert size > timeline_jobs._TASK_BYTES
    assert plan_timelines([shuffled_payroll], min_bytes=timeline_jobs._TASK_BYTES) is not None
    outputs = []
    for jobs in ("1", "2"):
        result = run_cli("timeline", shuffled_payroll, "--format", "json", "--jobs", jobs)
        assert_no_traceback(result)
        assert result.returncode == 1, result.stderr  # the file cut short
        outputs.append((result.stdout, result.stderr))
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0][0])
    assert document == oracle([shuffled_payroll])
    assert len(document["errors"]) == 1
    codes = {f["code"] for f in document["findings"]}
    assert "DMFA_DUPLICATE_ORIGINAL" in codes


def test_indented_json_and_options_are_the_same_whatever_jobs(payroll: Path) -> None:
    options = ("--as-of", "2025-03-31", "--min-gap", "3", "--provisional-quarters", "2")
    one = run_cli("timeline", payroll, "--format", "json", "--indent", "2", *options, "--jobs", "1")
    two = run_cli("timeline", payroll, "--format", "json", "--indent", "2", *options, "--jobs", "2")
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr
    compact = run_cli("timeline", payroll, "--format", "json", *options, "--jobs", "2")
    assert json.loads(compact.stdout) == json.loads(one.stdout)
    assert json.loads(one.stdout)["as_of"] == "2025-03-31"


def test_small_input_is_read_at_once_without_a_header_pre_scan(
    payroll: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``min_bytes`` in all, the plan is None before any file is opened."""
    total = sum(p.stat().st_size for p in payroll.iterdir())
    assert plan_timelines([payroll], min_bytes=total) is not None
    scanned: list[object] = []
    monkeypatch.setattr(timeline_jobs, "plan_employers", lambda paths: scanned.append(paths))
    assert plan_timelines([payroll], min_bytes=total + 1) is None
    run = timelines_from_files([payroll], jobs=2)  # the payroll is far under 8 MB
    assert scanned == []
    assert len(run.workers) > 0


@st.composite
def career_periods(draw: st.DrawFn) -> CareerPeriod:
    """Career periods built by the checked constructors, every optional field varied."""
    employer = draw(st.sampled_from([None, Employer(EnterpriseNumber("0403019261"))]))
    fraction = draw(st.none() | st.fractions(0, 1).map(WorkFraction))
    committee = draw(st.sampled_from([None, "200", "124", "999", "XXX"]))
    source = draw(
        st.none()
        | st.builds(
            SourceRef,
            st.none() | st.sampled_from(["a.xml", "dmfa/b.xml"]),
            st.none() | st.integers(1, 10**6),
            st.none() | st.text(max_size=30),
        )
    )
    return CareerPeriod(
        niss=draw(st.sampled_from(["90010100123", "85073003328"])),
        kind=draw(st.sampled_from(list(PeriodKind))),
        period=draw(periods()),
        employer=employer,
        fraction=fraction,
        joint_commission=None if committee is None else JointCommission(committee),
        label=draw(st.none() | st.text(max_size=20)),
        provisional=draw(st.booleans()),
        source=source,
    )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # CI's first draw
@given(st.lists(career_periods(), max_size=5))
def test_shuffle_rows_give_back_equal_periods(made: list[CareerPeriod]) -> None:
    """The compact row of a period (trusted constructors) rebuilds an equal period."""
    rows = [((0, i), p.niss.value, p) for i, p in enumerate(made)]
    back = pickle.loads(dump_rows(rows))
    rebuilt = [period_from_row(row) for _tag, _niss, row in back]
    assert rebuilt == made
    assert [repr(p) for p in rebuilt] == [repr(p) for p in made]


def test_shuffle_rows_of_real_periods_round_trip(payroll: Path) -> None:
    inputs = read_career_inputs([payroll])
    made = [p for records in inputs.periods.values() for p in records]
    assert len(made) > 300
    assert [period_from_row(period_row(p)) for p in made] == made
    for records in inputs.periods.values():  # the reduce's way: a worker's rows at once
        assert worker_periods([period_row(p) for p in records]) == records


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(career_periods(), max_size=6))
def test_worker_periods_are_period_from_row_of_each_row(made: list[CareerPeriod]) -> None:
    """The reduce's fast path (one Niss object per worker) against the row rule, per row."""
    for niss in dict.fromkeys(p.niss for p in made):
        rows = [period_row(p) for p in made if p.niss == niss]
        back = pickle.loads(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
        built = worker_periods(back)
        one_by_one = [period_from_row(row) for row in back]
        assert built == one_by_one == [p for p in made if p.niss == niss]
        assert [repr(p) for p in built] == [repr(p) for p in one_by_one]
        assert all(p.niss is built[0].niss for p in built)
    assert worker_periods([]) == []


def test_worker_periods_refuses_rows_of_several_workers() -> None:
    one, other = (
        CareerPeriod(niss, PeriodKind.TRAINING, Period(date(2024, 1, 8), date(2024, 1, 9)))
        for niss in ("90010100123", "85073003328")
    )
    with pytest.raises(ValueError, match="rows of several workers"):
        worker_periods([period_row(one), period_row(other)])


@attrs.frozen
class _NamedWorker(WorkerTimeline):
    """A subclass: pickled by its fields, as attrs would."""

    label: str = ""


@attrs.frozen(eq=False)
class _OtherNiss(Niss):
    """A subclass of Niss: kept as it is by WorkerTimeline's pickle."""


@pytest.mark.parametrize("render", ["objects", "json", "xml"])
def test_worker_timelines_pickle_to_equal_workers(payroll: Path, render: Render) -> None:
    """WorkerTimeline.__reduce__ (plain values, rebuilt by trusted constructors) gives back
    equal workers of every kind: with and without a window, timeline, records or text."""
    run = timelines_from_files([payroll], jobs=1, spec=TimelineSpec(render=render))
    workers = list(run.workers)
    assert len(workers) > 10
    bare = WorkerTimeline(workers[0].niss, None, None, (), None)
    odd = attrs.evolve(workers[0], niss=_OtherNiss(workers[0].niss.value))
    named = _NamedWorker(workers[0].niss, "Ann", None, (), workers[0].window, label="x")
    for worker in [*workers, bare, odd, named]:
        back = pickle.loads(pickle.dumps(worker, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == worker
        assert repr(back) == repr(worker)
        assert type(back) is type(worker)
        assert type(back.niss) is type(worker.niss)
        assert type(back.window) is type(worker.window)


@pytest.mark.parametrize(("jobs", "processes"), [(1, 1), (3, 1), (2, 2)])
def test_spooled_json_is_the_unspooled_json(payroll: Path, jobs: int, processes: int) -> None:
    """A local JSON run keeps its workers in temporary files, one per bucket (several
    buckets: their ranges interleave); read back, they are the one-process run's, and the
    command writes the same bytes and findings from either."""
    import io
    from argparse import Namespace

    from mycareer._spool import SpooledItems
    from mycareer.cli._timeline import _write

    plan = plan_timelines([payroll])
    assert plan is not None
    spec = TimelineSpec(render="json")
    expected = one_process(read_career_inputs([payroll]), spec)
    with local_shuffle(processes) as shuffle:
        run = execute(plan, spec, jobs, shuffle)
    assert run is not None
    assert isinstance(run.workers, SpooledItems)
    assert same(run, expected)
    assert [w.json for w in run.workers] == [w.json for w in expected.workers]
    args = Namespace(format="json", indent=None)
    spooled, held = io.StringIO(), io.StringIO()
    found = _write(args, run, spooled)
    assert found == _write(args, attrs.evolve(run, workers=tuple(run.workers)), held)
    assert spooled.getvalue() == held.getvalue()
    assert json.loads(spooled.getvalue()) == oracle([payroll])


def test_the_command_writes_the_same_bytes_through_the_spooled_shuffle(
    payroll: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The test files are under the 8 MB the shuffle waits for: lowered here, so that
    ``--jobs`` 1, 2 and 3 all go through it (JSON spooled), the bytes of one read."""
    from mycareer.cli import main

    one_read = run_cli("timeline", payroll, "--format", "json")  # under 8 MB: one read
    taken = always_shuffle(monkeypatch)
    outputs = []
    for jobs in ("1", "2", "3"):
        assert main(["timeline", str(payroll), "--format", "json", "--jobs", jobs]) == 1
        outputs.append(capsys.readouterr())
    assert len(taken) == 3  # the shuffle ran each time
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].out == one_read.stdout
    assert outputs[0].err == one_read.stderr


def test_pictures_are_drawn_where_each_timeline_is_built(payroll: Path, tmp_path: Path) -> None:
    """``TimelineSpec(pictures=FOLDER)``: every worker's picture drawn by the process that
    built the timeline (two here), named by NISS; the results are those without pictures."""
    pytest.importorskip("matplotlib")
    spec = TimelineSpec(render="json", pictures=str(tmp_path), picture_format="svg")
    run = timelines_from_files([payroll], jobs=2, spec=spec)
    plain = timelines_from_files([payroll], jobs=2, spec=TimelineSpec(render="json"))
    assert list(run.workers) == list(plain.workers)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{w.niss.value}.svg" for w in plain.workers)
    assert len(names) > 50


def test_duplicate_originals_of_two_employers_are_reported_in_one_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two employers each sent one quarter twice (tests/scale/_duplicates.py). A duplicate
    is reported at the file it excludes (b.xml before d.xml), whatever the route: one
    read of everything, or the shuffle (one whole read per employer)."""
    folder = two_duplicated_quarters(tmp_path)
    expected = one_process(read_career_inputs([folder]), TimelineSpec())
    excluded = [
        Path(f.source.file).name  # type: ignore[union-attr, arg-type]
        for f in expected.findings
        if f.code == "DMFA_DUPLICATE_ORIGINAL"
    ]
    assert excluded == ["b.xml", "d.xml"]
    taken = always_shuffle(monkeypatch)
    for jobs in (1, 2):
        assert same(timelines_from_files([folder], jobs=jobs), expected)
    assert len(taken) == 2  # the shuffle ran each time


def test_employers_sharing_an_nsso_number_give_the_one_process_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two enterprise numbers declared under one NSSO number (a take-over, a payroll
    mistake, which the ONSS refuses) are told apart by their keys, so they fall in two
    employer groups; but only a read of both sees the shared number and says so
    (DMFA_NSSO_NUMBER_SHARED, tests/xmlio/test_dmfa_shared_nsso.py). The shuffle must see
    it and map those two groups again, joined (mycareer.regroup; it read everything at
    once before). (One read once put both employers' records of a quarter in one slot, the
    third employer's after both: a different order too.)"""
    quarters = (Quarter(2024, 1), Quarter(2024, 2))
    files = bench_module("payroll").generate(tmp_path / "in", 60, quarters, employers=3)
    keys = sorted({p.name.split("-")[1] for p in files})
    assert len(keys) == 3
    for path in files:
        if keys[1] not in path.name:  # the first and the last employer share the number
            text = path.read_text(encoding="utf-8")
            marked = text.replace("<NOSSRegistrationNbr>0<", "<NOSSRegistrationNbr>100006<", 1)
            assert marked != text
            path.write_text(marked, encoding="utf-8")
    folder = tmp_path / "in"
    expected = one_process(read_career_inputs([folder]), TimelineSpec())
    # One read: the last employer's workers come before the middle one's.
    first_at: dict[str, int] = {}
    for place, worker in enumerate(expected.workers):
        key = worker.records[0].employer.key  # type: ignore[union-attr]
        first_at.setdefault(key, place)
    assert first_at[keys[0]] < first_at[keys[1]] < first_at[keys[2]]
    shared = [f for f in expected.findings if f.code == DMFA_NSSO_NUMBER_SHARED]
    assert len(shared) == 2  # one per quarter
    taken = always_shuffle(monkeypatch)
    mapped = mapped_groups(monkeypatch)
    for jobs in (1, 2):
        assert same(timelines_from_files([folder], jobs=jobs), expected)
    assert len(taken) == 2  # the shuffle ran
    assert mapped == [3, 1, 3, 1]  # saw two groups share a number, mapped them joined alone
