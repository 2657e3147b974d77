"""Files of several employers: only the groups that name one employer are read again together.

A DmfA original may hold the forms of several employers (``Form`` is unbounded in
``DmfAOriginal_20231.xsd``: a social secretariat's batch), and the plan knows each file by
its first form's employer (:mod:`mycareer.plans`). Any such file used to send every command
to one read of everything: entitlements and accounts as one group on one core, timelines in
the calling process with every record held, and Dask timelines were refused.
:mod:`mycareer.regroup` keeps every group whose employers no other group names, and joins
the others. The oracle is one read of everything (``read_corrected_dmfa`` or
``read_career_inputs`` on every file), as in the other tests of this folder.
"""

from __future__ import annotations

import gc
import json
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer import _spool, account_groups, pipeline, regroup, timeline_jobs, timeline_map
from mycareer._spool import SpooledItems
from mycareer.account_jobs import AccountSpec, accounts_from_files, run_account_plan
from mycareer.account_jobs import _local_mapper as local_mapper
from mycareer.fla import Entitlement, accounts_from_declarations, compute_entitlements
from mycareer.fla.serialize import entitlement_json_text
from mycareer.jsontext import ARRAY_ITEM_SEPARATOR
from mycareer.pipeline import (
    EntitlementSpec,
    GroupResult,
    entitlements_from_files,
    entitlements_json,
    plan_employers,
    run_group,
    run_plan,
)
from mycareer.plans import EmployerGroup, Plan
from mycareer.quarter import Quarter
from mycareer.regroup import (
    UNKNOWN_EMPLOYER,
    HeaderMap,
    Named,
    groups_to_join,
    header_groups,
    joined_plan,
)
from mycareer.timeline_jobs import TimelineRun, TimelineSpec, one_process, timelines_from_files
from mycareer.xmlio.career_inputs import read_career_inputs
from mycareer.xmlio.flows import read_corrected_dmfa
from tests.cli._run import assert_no_traceback, run_cli

from ._bench import bench_module
from ._shuffle import always_shuffle
from .test_account_jobs import CHOICES
from .test_timeline_jobs import mapped_groups, same

YEAR = 2024
BATCHES = bench_module("batches")  # benchmarks/batches.py: the same batch files, bigger
QUARTERS = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))

# --- the rule, against a plain fixpoint ------------------------------------------------

_KEYS = st.sets(st.sampled_from("ABCDEFG"), max_size=3)
_IDS = st.sets(st.sampled_from([(Quarter(2024, 1), "n:1"), (Quarter(2024, 2), "n:1")]), max_size=1)


def _closure(claims: Sequence[set[Any]]) -> list[tuple[int, ...]]:
    """Sets of groups sharing a claim, merged until none share one (the slow, plain way)."""
    sets = [({index}, set(claimed)) for index, claimed in enumerate(claims)]
    merged = True
    while merged:
        merged = False
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                if sets[i][1] & sets[j][1]:
                    sets[i] = (sets[i][0] | sets[j][0], sets[i][1] | sets[j][1])
                    del sets[j]
                    merged = True
                    break
            if merged:
                break
    return sorted(tuple(sorted(members)) for members, _claims in sets if len(members) > 1)


@given(st.lists(st.tuples(_KEYS, _KEYS, _IDS), min_size=1, max_size=6), st.booleans())
def test_groups_to_join_are_those_sharing_an_employer_or_a_slot(
    drawn: list[tuple[set[str], set[str], set[tuple[Quarter, str]]]], unknown: bool
) -> None:
    groups = [EmployerGroup(tuple(sorted(keys)), (f"{i}.xml",)) for i, (keys, _n, _d) in
              enumerate(drawn)]  # fmt: skip
    results = [Named(frozenset(named), frozenset(ids)) for _keys, named, ids in drawn]
    if unknown:
        results[-1] = Named(results[-1].keys | {UNKNOWN_EMPLOYER})
        assert groups_to_join(groups, results) is None
        return
    claims = [{*keys, *named, *ids} for keys, named, ids in drawn]
    joins = groups_to_join(groups, results)
    assert joins == _closure(claims)
    plan, sources = joined_plan(Plan(tuple(groups), tuple(f"{i}.xml" for i in
                                     range(len(groups)))), joins or [], results)  # fmt: skip
    every = sorted(f"{i}.xml" for i in range(len(groups)))
    assert sorted(f for g in plan.groups for f in g.files) == every
    assert [g.order for g in plan.groups] == sorted(g.order for g in plan.groups)
    for group, source in zip(plan.groups, sources, strict=True):
        if source is not None:
            assert group == groups[source]
        else:  # joined: every member's files in input order, and what they named
            members = next(j for j in joins or [] if f"{j[0]}.xml" in group.files)
            assert group.files == tuple(f"{i}.xml" for i in members)
            assert set(group.keys) == {k for i in members for k in (*drawn[i][0], *drawn[i][1])}
    assert groups_to_join(plan.groups, [_named(plan, group, drawn) for group in plan.groups]) == []


def _named(plan: Plan, group: EmployerGroup, drawn: list[Any]) -> Named:
    """What a group of the joined plan names: what its members named."""
    members = [int(Path(f).stem) for f in group.files]
    return Named(frozenset(k for i in members for k in drawn[i][1]),
                 frozenset(d for i in members for d in drawn[i][2]))  # fmt: skip


# --- the data --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("made")
    return list(bench_module("payroll").generate(folder, 60, QUARTERS, employers=4))


def _employers(files: list[Path]) -> list[str]:
    return sorted({f.stem.split("-")[1] for f in files})


def _batch(
    made: list[Path], folder: Path, own_file_first: bool, *, guest_first: bool = False
) -> Path:
    """The payroll with the third employer's form in the first employer's file of each
    quarter (the third's key sorts after the second's: out of the first group's range);
    with ``own_file_first``, its first quarter stays a file of its own; with
    ``guest_first``, its form comes before the first employer's."""
    first, _second, third, _fourth = _employers(made)
    for path in made:
        shutil.copy(path, folder / path.name)
    for quarter in QUARTERS[1 if own_file_first else 0 :]:
        name = f"{quarter.year}{quarter.number}"
        host, guest = folder / f"dmfa-{first}-{name}.xml", folder / f"dmfa-{third}-{name}.xml"
        text = BATCHES.with_form_of(host.read_bytes(), guest.read_bytes(), before=guest_first)
        host.write_bytes(text)
        guest.unlink()
    return folder


@pytest.fixture(scope="module")
def batch(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _batch(made, tmp_path_factory.mktemp("batch"), own_file_first=False)


@pytest.fixture(scope="module")
def joined(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _batch(made, tmp_path_factory.mktemp("joined"), own_file_first=True)


def _oracle(folder: Path) -> tuple[Entitlement, ...]:
    read = read_corrected_dmfa([folder], on_error="collect")
    assert read.errors == ()
    return compute_entitlements(read.records, read.declarations, YEAR)


def test_the_data_is_worth_testing(batch: Path, joined: Path, made: list[Path]) -> None:
    first, _second, third, _fourth = _employers(made)
    for folder, groups in ((batch, 3), (joined, 4)):
        plan = plan_employers([folder])
        assert len(plan.groups) == groups
        assert plan.groups[0].keys == (first,)  # the third's forms are not in its headers
        assert {e.employer.key for e in _oracle(folder)} >= {first, third}


# --- entitlements ----------------------------------------------------------------------


def _counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count each file read by a group (``jobs=1`` reads them in this process)."""
    read: Counter[str] = Counter()
    real = pipeline.run_group

    def counted(
        spec: EntitlementSpec, files: Sequence[str], *rest: Any, **options: Any
    ) -> GroupResult:
        read.update(Path(f).name for f in files)
        return real(spec, files, *rest, **options)

    monkeypatch.setattr(pipeline, "run_group", counted)
    return read


def test_a_batch_file_no_other_group_names_is_read_once(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = _counted(monkeypatch)
    run = entitlements_from_files([batch], YEAR, jobs=1)
    assert run.entitlements == _oracle(batch)
    assert not run.regrouped
    assert set(read.values()) == {1}
    assert len(read) == len(list(batch.iterdir()))


def test_only_the_groups_naming_one_employer_are_read_again(
    joined: Path, made: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    read = _counted(monkeypatch)
    run = entitlements_from_files([joined], YEAR, jobs=1)
    assert run.entitlements == _oracle(joined)
    assert run.regrouped
    first, second, third, fourth = _employers(made)
    again = {name for name, count in read.items() if count == 2}
    assert again == {f.name for f in joined.iterdir() if f"-{first}-" in f.name or
                     f"-{third}-" in f.name}  # fmt: skip
    assert all(read[f.name] == 1 for f in joined.iterdir() if f.name not in again)
    assert any(second in name for name in read)
    assert any(fourth in name for name in read)


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_jobs_gives_the_one_read_results(batch: Path, joined: Path, jobs: int) -> None:
    for folder in (batch, joined):
        expected = _oracle(folder)
        assert entitlements_from_files([folder], YEAR, jobs=jobs).entitlements == expected
        texts = entitlements_json([folder], YEAR, jobs=jobs).json
        assert list(texts) == [entitlement_json_text(e) for e in expected]


def test_the_command_writes_the_one_read_json_whatever_jobs(
    batch: Path, joined: Path, tmp_path: Path
) -> None:
    """Written while computing (``-o``), a group's texts of employers beyond its headers'
    range are not put where its range says: the file is written at the end instead."""
    for folder in (batch, joined):
        expected = [json.loads(entitlement_json_text(e)) for e in _oracle(folder)]
        outputs = []
        for jobs in ("1", "2"):
            out = tmp_path / f"{folder.name}-{jobs}.json"
            result = run_cli("entitlements", "--year", str(YEAR), "--format", "json",
                             "--jobs", jobs, "-o", out, folder)  # fmt: skip
            assert_no_traceback(result)
            assert result.returncode == 0, result.stderr
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1]
        assert [_without_run_findings(item) for item in json.loads(outputs[0])] == [
            _without_run_findings(item) for item in expected
        ]


def _without_run_findings(item: dict[str, Any]) -> dict[str, Any]:
    """An entitlement without the findings the command adds to every result (the data's
    end, known from the whole run)."""
    return {**item, "findings": [f for f in item["findings"] if f["code"] != "DATA_END"]}


# --- timelines and accounts ------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_timelines_stay_shuffled(
    batch: Path, joined: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, the run went back to one read of everything in the calling process."""
    expected = {f: one_process(read_career_inputs([f]), TimelineSpec()) for f in (batch, joined)}
    taken = always_shuffle(monkeypatch)

    def fell_back(*_arguments: object) -> TimelineRun:
        raise AssertionError("the run fell back to one read of everything")

    monkeypatch.setattr(timeline_jobs, "one_process", fell_back)
    mapped = mapped_groups(monkeypatch)
    for folder, maps in ((batch, [3]), (joined, [4, 1])):
        taken.clear()
        mapped.clear()
        run = timelines_from_files([folder], jobs=jobs)
        assert same(run, expected[folder])
        assert len(taken) == 1
        assert mapped == maps  # joined: the two groups mapped again as one, alone


@pytest.mark.parametrize("jobs", [1, 2])
def test_accounts_of_batch_files_are_those_of_one_read(
    batch: Path, joined: Path, jobs: int
) -> None:
    for folder, rounds in ((batch, 1), (joined, 2)):
        read = read_corrected_dmfa([folder], on_error="collect")
        expected = accounts_from_declarations(read.records, read.declarations, ())
        assert accounts_from_files([folder], jobs=jobs).accounts == expected
        mapper = _GroupsMapper()  # how many groups each round read: once, or joined again
        plan = plan_employers([folder])
        assert run_account_plan(plan, CHOICES, jobs, mapper).accounts == expected
        # Joined: the two groups read again as one, the others' results standing.
        assert mapper.rounds == [len(plan.groups), 1][:rounds]


class _GroupsMapper:
    """The local mapper, counting the groups of each round."""

    def __init__(self) -> None:
        self.rounds: list[int] = []
        self.inner = local_mapper(1)

    def __call__(self, spec: AccountSpec, tasks: list[list[Any]]) -> Any:
        self.rounds.append(sum(len(task) for task in tasks))
        return self.inner(spec, tasks)


# --- forms of several employers in a file's own order ----------------------------------


@pytest.fixture(scope="module")
def guest_first(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The batch files with the guest's form first: one read orders the host's records
    first (its key sorts first), so only a stream by employer reads them file by file."""
    folder = tmp_path_factory.mktemp("guest-first")
    return _batch(made, folder, own_file_first=True, guest_first=True)


def _no_whole_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def whole(*_arguments: object) -> Any:
        raise AssertionError("a group was read whole")

    monkeypatch.setattr(pipeline, "_run_group_whole", whole)
    monkeypatch.setattr(timeline_map, "read_corrected_dmfa", whole)
    monkeypatch.setattr(account_groups, "_read_whole", whole)


@pytest.mark.parametrize("jobs", [1, 2])
def test_forms_in_a_file_s_own_order_stream_by_employer(
    guest_first: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command gives one read's results without reading a group whole (``jobs=2``
    runs the groups in other processes, where the guard does not reach: the results)."""
    read = read_corrected_dmfa([guest_first], on_error="collect")
    entitlements = compute_entitlements(read.records, read.declarations, YEAR)
    accounts = accounts_from_declarations(read.records, read.declarations, ())
    timelines = one_process(read_career_inputs([guest_first]), TimelineSpec())
    always_shuffle(monkeypatch)
    _no_whole_read(monkeypatch)
    assert entitlements_from_files([guest_first], YEAR, jobs=jobs).entitlements == entitlements
    assert accounts_from_files([guest_first], jobs=jobs).accounts == accounts
    assert same(timelines_from_files([guest_first], jobs=jobs), timelines)


def _each_text_once_on_disk(texts: Any) -> None:
    """The run's temporary folder (mycareer._spool) holds the texts, each once: no file
    but the spools', and a task's shared file holds its spools and nothing else."""
    assert isinstance(texts, SpooledItems)
    folder = Path(texts._folder.name)
    spools = [spool for cluster in texts._clusters for spool in cluster]
    files = [path for path in folder.iterdir() if not path.name.endswith(".keys")]
    assert {str(path) for path in files} == {s.path for s in spools}  # none read again
    each = len(ARRAY_ITEM_SEPARATOR)  # what follows each text in a spool (mycareer._spool)
    assert sum(_spool._texts_size(spool) for spool in spools) == sum(
        len(text.encode("utf-8")) + each for text in texts
    )
    for path in {s.path for s in spools if s.shared}:
        _holds_only(path, sorted((s for s in spools if s.path == path), key=lambda s: s.offset))


def _holds_only(path: str, spools: list[Any]) -> None:
    """The shared file ``path`` is ``spools``' texts and keys, one after the other."""
    with open(path, "rb") as file:
        for spool in spools:
            assert spool.offset == file.tell()  # no bytes of a spool gone before it
            file.seek(spool.keys_at)
            keys = 0
            while keys < spool.count:
                keys += len(pickle.load(file))
            assert keys == spool.count
        assert file.read() == b""


def test_the_texts_of_groups_read_again_leave_the_disk(joined: Path) -> None:
    """The first texts of the joined groups are deleted when they are read again: the
    run's folder holds each text once (a country's output would otherwise be on disk
    up to twice)."""
    run = entitlements_json([joined], YEAR, jobs=1)
    assert run.regrouped
    _each_text_once_on_disk(run.json)


def test_a_run_read_again_as_one_group_keeps_each_text_once_on_disk(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups that turn out to need one read of everything (a file rejected before its
    employer was read: ``groups_to_join`` gives None) leave their first texts to the one
    group's: the run's folder held the output twice until the end of the run."""
    real = groups_to_join
    calls = []

    def unknown_first(*arguments: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(*arguments)

    monkeypatch.setattr(pipeline, "groups_to_join", unknown_first)
    run = entitlements_json([batch], YEAR, jobs=1)
    assert calls == [1]
    assert run.regrouped
    assert list(run.json) == [entitlement_json_text(e) for e in _oracle(batch)]
    _each_text_once_on_disk(run.json)


class _Shown:
    """A ``progress`` wrapper that keeps the files each call was given, and those taken."""

    def __init__(self) -> None:
        self.given: list[list[str]] = []
        self.taken: list[str] = []

    def __call__(self, files: Sequence[Path]) -> Iterator[Path]:
        self.given.append([f.name for f in files])
        for path in files:
            self.taken.append(path.name)
            yield path


def test_the_files_read_again_are_shown_again(joined: Path, made: list[Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A progress bar that stopped at the end of the first read left the second, on one
    core for a secretariat's files, without a sign: each command shows it."""
    first, _second, third, _fourth = _employers(made)
    every = sorted(f.name for f in joined.iterdir())
    both = sorted(n for n in every if f"-{first}-" in n or f"-{third}-" in n)
    shown = _Shown()
    run_plan(plan_employers([joined]), EntitlementSpec(YEAR), jobs=1, progress=shown)
    assert [sorted(given) for given in shown.given] == [every, both]  # only the joined
    assert sorted(shown.taken) == sorted([*every, *both])  # each advanced to its end
    always_shuffle(monkeypatch)
    planned = timeline_jobs.plan_timelines([joined])
    assert planned is not None
    for run in (
        lambda shown: timeline_jobs.run_timeline_plan(planned, TimelineSpec(), 1, progress=shown),
        lambda shown: run_account_plan(
            plan_employers([joined]), CHOICES, 1, local_mapper(1), progress=shown),
    ):  # fmt: skip
        shown = _Shown()
        run(shown)
        assert [sorted(given) for given in shown.given] == [every, both]  # only the joined
        assert sorted(shown.taken) == sorted([*every, *both])


# --- a secretariat's files: every file names every employer ------------------------------


@pytest.fixture(scope="module")
def secretariat(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file a quarter with every employer's form, shuffled (``benchmarks/batches.py
    --kind secretariat``): each file's group names the employers of the others' headers."""
    folder = tmp_path_factory.mktemp("secretariat")
    BATCHES.make(made[0].parent, folder, "secretariat", seed=3)
    return folder


@pytest.fixture(scope="module")
def secretariat_in_pairs(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A secretariat's files whose first forms pair the employers: the first reads join
    the first two employers' groups and the last two's, whose reads again join all."""
    folder = tmp_path_factory.mktemp("secretariat-in-pairs")
    a, b, c, d = _employers(made)
    orders = [(a, b, c, d), (b, a, c, d), (c, d, a, b), (d, c, a, b)]
    for n, quarter in enumerate(QUARTERS):
        name = f"{quarter.year}{quarter.number}"
        paths = [made[0].parent / f"dmfa-{key}-{name}.xml" for key in orders[n % 4]]
        (folder / f"secretariat-{name}.xml").write_bytes(BATCHES.one_file(paths))
    return folder


def _records_fed(monkeypatch: pytest.MonkeyPatch, module: Any = pipeline) -> list[int]:
    """Count the records fed to the groups' stages by ``module`` (``jobs=1``: in this
    process)."""
    fed = [0]
    real = module.stream_corrected_dmfa

    class Counting:
        def __init__(self, stage: Any) -> None:
            self.stage = stage

        def feed(self, records: Any) -> None:
            def counted() -> Iterator[Any]:
                for record in records:
                    fed[0] += 1
                    yield record

            self.stage.feed(counted())

        def commit(self) -> None:
            self.stage.commit()

        def discard(self) -> None:
            self.stage.discard()

    def counting(files: Any, stage: Any, **options: Any) -> Any:
        return real(files, lambda: Counting(stage()), **options)

    monkeypatch.setattr(module, "stream_corrected_dmfa", counting)
    return fed


def test_a_secretariat_s_files_are_read_whole_once(
    secretariat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The groups of a secretariat's quarterly files all join: their first reads stop at
    the first form of another group's employer (nothing is computed for results thrown
    away), and so do the joined groups' reads until one group is left, read whole once.
    Before, every file was read and computed whole in its own group, then everything
    again (9 files of the 149 MB payroll's records: 15.1 s against 4.5 s for one read)."""
    plan = plan_employers([secretariat])
    assert len(plan.groups) > 2  # each file's first form names another employer
    expected = _oracle(secretariat)
    lines = len(read_corrected_dmfa([secretariat], on_error="collect").records)
    fed = _records_fed(monkeypatch)
    run = entitlements_from_files([secretariat], YEAR, jobs=1)
    assert run.entitlements == expected
    assert run.regrouped
    assert lines <= fed[0] < 1.5 * lines  # one whole read, and the cut ones


def test_groups_read_again_stop_at_another_group_s_employer_too(
    secretariat_in_pairs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two joins after the first reads (each pair's files name the other pair's employers
    after their own): the joined groups' reads stop too, and only the last is whole."""
    folder = secretariat_in_pairs
    plan = plan_employers([folder])
    groups = header_groups(plan.groups)
    spec = EntitlementSpec(YEAR, header_groups=groups)
    cut = [run_group(spec, g.files, group=i) for i, g in enumerate(plan.groups)]
    assert len(groups_to_join(plan.groups, cut) or ()) == 2  # the data is worth testing
    lines = len(read_corrected_dmfa([folder], on_error="collect").records)
    fed = _records_fed(monkeypatch)
    assert entitlements_from_files([folder], YEAR, jobs=1).entitlements == _oracle(folder)
    assert lines <= fed[0] < 1.5 * lines


@pytest.fixture(scope="module")
def secretariat_among_others(made: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A secretariat's quarterly files holding two of the four employers' forms, the other
    two declaring in files of their own (``benchmarks/batches.py --clients 2``)."""
    folder = tmp_path_factory.mktemp("secretariat-among-others")
    BATCHES.make(made[0].parent, folder, "secretariat", seed=3, clients=2)
    return folder


def test_a_secretariat_among_employers_of_their_own_files(
    secretariat_among_others: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups of one employer's files stand as read; the secretariat's groups stop at
    each other's employers and are read whole once; every command gives one read's."""
    folder = secretariat_among_others
    plan = plan_employers([folder])
    alone = [g for g in plan.groups if not Path(g.files[0]).name.startswith("secretariat")]
    assert len(alone) == 2  # the data is worth testing
    watch = header_groups(plan.groups)
    spec = EntitlementSpec(YEAR, header_groups=watch)
    results = [run_group(spec, g.files, group=i) for i, g in enumerate(plan.groups)]
    assert [bool(r.cut) for r in results] == [g not in alone for g in plan.groups]
    read = read_corrected_dmfa([folder], on_error="collect")
    own = sum(1 for r in read.records if r.employer.key in {k for g in alone for k in g.keys})
    fed = _records_fed(monkeypatch)
    assert entitlements_from_files([folder], YEAR, jobs=1).entitlements == _oracle(folder)
    assert len(read.records) <= fed[0] < len(read.records) + (len(read.records) - own) / 2
    monkeypatch.undo()
    assert entitlements_from_files([folder], YEAR, jobs=2).entitlements == _oracle(folder)
    accounts = accounts_from_declarations(read.records, read.declarations, ())
    timelines = one_process(read_career_inputs([folder]), TimelineSpec())
    always_shuffle(monkeypatch)
    # Only the joined groups are read again: the others' rows and results stand.
    fed = _records_fed(monkeypatch, timeline_map)
    assert same(timelines_from_files([folder], jobs=1), timelines)
    assert len(read.records) <= fed[0] < len(read.records) + (len(read.records) - own) / 2
    fed = _records_fed(monkeypatch, account_groups)
    assert accounts_from_files([folder], jobs=1).accounts == accounts
    assert len(read.records) <= fed[0] < len(read.records) + (len(read.records) - own) / 2
    for jobs in (1, 2):
        assert accounts_from_files([folder], jobs=jobs).accounts == accounts
        assert same(timelines_from_files([folder], jobs=jobs), timelines)


def test_without_the_watch_a_secretariat_s_files_are_read_twice(
    secretariat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The measure of the test above holds a mutation: groups that read everything."""
    lines = len(read_corrected_dmfa([secretariat], on_error="collect").records)
    monkeypatch.setattr(pipeline, "header_groups", lambda *_a, **_k: None)
    fed = _records_fed(monkeypatch)
    assert entitlements_from_files([secretariat], YEAR, jobs=1).entitlements == _oracle(secretariat)
    assert fed[0] >= 2 * lines


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_secretariat_s_files_give_the_one_read_output(
    secretariat: Path, jobs: int, tmp_path: Path
) -> None:
    expected = [entitlement_json_text(e) for e in _oracle(secretariat)]
    assert list(entitlements_json([secretariat], YEAR, jobs=jobs).json) == expected
    out = tmp_path / "out.json"
    result = run_cli("entitlements", "--year", str(YEAR), "--format", "json",
                     "--jobs", str(jobs), "-o", out, secretariat)  # fmt: skip
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert [_without_run_findings(item) for item in json.loads(out.read_bytes())] == [
        _without_run_findings(json.loads(text)) for text in expected
    ]


def test_a_cut_read_names_the_other_group_and_gives_nothing_else(secretariat: Path) -> None:
    plan = plan_employers([secretariat])
    groups = header_groups(plan.groups)
    assert groups is not None
    spec = EntitlementSpec(YEAR, header_groups=groups)
    results = [run_group(spec, g.files, group=i) for i, g in enumerate(plan.groups)]
    assert any(r.cut for r in results)
    for index, result in enumerate(results):
        if result.cut:
            (key,) = result.keys
            assert groups[key] != index
            assert (result.items, result.findings, result.errors) == ((), (), ())
    assert all(any(i in join for join in groups_to_join(plan.groups, results) or ())
               for i, r in enumerate(results) if r.cut)  # fmt: skip
    whole = [run_group(EntitlementSpec(YEAR), g.files) for g in plan.groups]
    assert not any(r.cut for r in whole)  # no map, no index: read whole


def test_the_map_goes_to_worker_processes_by_one_file_whatever_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A national run's map (some 250,000 employers) pickled with each of its thousands of
    tasks cost the calling process more than the tasks, and was not sent beyond 2,000,000
    key-task pairs: it now goes by the name of one file, written at the first pickle and
    removed with the map."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    groups = [EmployerGroup((f"{i:010}",), (f"{i}.xml",)) for i in range(250_000)]
    watch = header_groups(groups)
    assert watch is not None
    assert len(watch) == 250_000
    assert list(tmp_path.iterdir()) == []  # nothing written until it is sent
    sent = pickle.dumps(watch)
    assert len(sent) < 1_000
    assert pickle.dumps(watch) == sent  # written once
    assert len(list(tmp_path.iterdir())) == 1
    arrived = pickle.loads(sent)
    assert arrived.get("0000123456", -1) == 123456
    assert arrived.get("0000250000", -1) == -1
    del watch, arrived
    gc.collect()
    assert list(tmp_path.iterdir()) == []
    assert header_groups(groups[:1]) is None  # no other group to meet


@given(
    st.dictionaries(st.text(max_size=12), st.integers(0, 10**6), max_size=40),
    st.text(max_size=12),
)
def test_a_map_sent_by_file_or_whole_gives_what_it_was_given(
    groups: dict[str, int], other: str
) -> None:
    for inline in (False, True):
        sender = HeaderMap(groups, inline=inline)
        arrived = pickle.loads(pickle.dumps(sender))
        assert dict(arrived) == groups
        for key in [*groups, other]:
            assert arrived.get(key, -1) == groups.get(key, -1)
        del sender
        if inline:  # pickled whole: no file to be left without
            assert pickle.loads(pickle.dumps(arrived)).get(other, -1) == groups.get(other, -1)


class _Employer:
    def __init__(self, key: str) -> None:
        self.key = key


class _Record:
    def __init__(self, key: str) -> None:
        self.employer = _Employer(key)  # a new object each: every record looks like a form


class _Kept(list[_Record]):
    def feed(self, records: Iterable[_Record], /) -> None:
        self.extend(records)

    def commit(self) -> None: ...
    def discard(self) -> None: ...


class _Asked(dict[str, int]):
    def __init__(self, groups: dict[str, int]) -> None:
        super().__init__(groups)
        self.asked: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.append(key)
        return super().get(key, default)


def test_a_file_s_opening_employer_is_never_looked_up() -> None:
    """So that the tasks of files of one employer never read a map sent by file."""
    groups = _Asked({"A": 0, "B": 0, "C": 1})
    kept = _Kept()
    regroup.WatchedStage(kept, 0, groups).feed(_Record(k) for k in "AAABAXA")
    assert groups.asked == ["B", "X"]
    assert "".join(r.employer.key for r in kept) == "AAABAXA"
    with pytest.raises(regroup.NamesAnotherGroup, match="C"):
        regroup.WatchedStage(_Kept(), 0, groups).feed(_Record(k) for k in "AC")
    groups.asked.clear()
    regroup.WatchedStage(_Kept(), 1, groups).feed(_Record(k) for k in "AAAA")
    assert groups.asked == []  # A is another group's, but the file opens with it


def test_groups_of_one_employer_s_files_never_read_the_map_a_worker_gets(
    made: list[Path], secretariat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a worker process runs, run here with the map as it arrives there, its file
    gone: one employer's files never read it, a secretariat's do (and stop)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def arrived(plan: Plan) -> tuple[HeaderMap, Path, bytes]:
        watch = header_groups(plan.groups)
        assert watch is not None
        sent = pickle.loads(pickle.dumps(watch))
        (file,) = tmp_path.iterdir()
        kept = file.read_bytes()
        file.unlink()
        return sent, file, kept

    plan = plan_employers([made[0].parent])
    watch, _file, _kept = arrived(plan)
    spec = EntitlementSpec(YEAR, header_groups=watch)
    results = [run_group(spec, g.files, group=i) for i, g in enumerate(plan.groups)]
    assert not any(r.cut for r in results)
    assert Counter(e for r in results for *_key, e in r.items) == Counter(_oracle(made[0].parent))
    gc.collect()
    plan = plan_employers([secretariat])
    watch, file, kept = arrived(plan)
    spec = EntitlementSpec(YEAR, header_groups=watch)
    with pytest.raises(FileNotFoundError):
        run_group(spec, plan.groups[0].files, group=0)
    file.write_bytes(kept)
    assert run_group(spec, plan.groups[0].files, group=0).cut


def test_accounts_and_timelines_of_a_secretariat_s_files_stop_at_another_group_s_employer(
    secretariat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``account`` and ``timeline`` map every group again once two join: the first reads
    stop at the first record of another group's employer instead of reading everything
    (and the joined read is whole once)."""
    read = read_corrected_dmfa([secretariat], on_error="collect")
    lines = len(read.records)
    accounts = accounts_from_declarations(read.records, read.declarations, ())
    timelines = one_process(read_career_inputs([secretariat]), TimelineSpec())
    always_shuffle(monkeypatch)
    fed = _records_fed(monkeypatch, account_groups)
    assert accounts_from_files([secretariat], jobs=1).accounts == accounts
    assert lines <= fed[0] < 1.5 * lines
    fed = _records_fed(monkeypatch, timeline_map)
    assert same(timelines_from_files([secretariat], jobs=1), timelines)
    assert lines <= fed[0] < 1.5 * lines
    assert accounts_from_files([secretariat], jobs=2).accounts == accounts
    assert same(timelines_from_files([secretariat], jobs=2), timelines)


def test_a_timeline_map_stopped_in_a_later_file_keeps_none_of_the_group_s_rows(
    joined: Path, made: list[Path]
) -> None:
    """The host's group reads its own first quarter (no guest yet), then stops in its
    next file at the guest's form: the first file's rows, committed, go too (the stopped
    file's stage had marked the store as well: only its own rows went before)."""
    first, _second, third, _fourth = _employers(made)
    planned = timeline_jobs.plan_timelines([joined])
    assert planned is not None
    groups = planned.groups
    host = next(i for i, group in enumerate(groups) if group.keys == (first,))
    files = groups[host].files
    assert f"-{third}-" not in Path(files[0]).read_text()  # the data is worth testing
    index = {name: place for place, name in enumerate(planned.files)}
    watch = header_groups(groups)
    assert watch is not None
    result, rows = timeline_map.map_groups([(host, groups[host])], index, 4, None, watch)
    assert result.keys == ((host, frozenset({third})),)
    assert rows == [[], [], [], []]
    assert (result.findings, result.errors, result.ids) == ((), (), ())
    whole, rows = timeline_map.map_groups([(host, groups[host])], index, 4)
    assert any(rows)  # without the map: every row
    assert first in whole.keys[0][1]
