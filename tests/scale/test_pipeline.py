"""Entitlements employer by employer: the results of one read of everything, whatever the split.

The oracle is the one-process path the CLI took before: ``read_corrected_dmfa``
on every file, then ``compute_entitlements``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer import pipeline
from mycareer._entitlement_json import JsonArraySink, with_finding
from mycareer._spool import SpooledItems
from mycareer.errors import InvalidValueError
from mycareer.fla import Entitlement, Overrides, SizeBand, compute_entitlements
from mycareer.fla.serialize import entitlement_json_text
from mycareer.fla.years import data_end_finding_after
from mycareer.group_results import SpoolPlace
from mycareer.pipeline import (
    EmployerGroup,
    EntitlementSpec,
    GroupResult,
    Plan,
    _run_group_whole,
    _run_task,
    combine,
    entitlements_from_files,
    entitlements_json,
    execute,
    plan_employers,
    run_group,
    run_plan,
)
from mycareer.quarter import Quarter
from mycareer.xmlio.flows import read_corrected_dmfa
from tests.cli._run import assert_no_traceback, run_cli

from ._bench import bench_module
from ._duplicates import shared_nsso_number, two_duplicated_quarters
from ._partitions import employers_of, random_plan

YEAR = 2024


@pytest.fixture(scope="module")
def payroll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("payroll")
    quarters = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
    bench_module("payroll").generate(folder, 100, quarters, employers=5)
    return folder


@pytest.fixture(scope="module")
def oracle(payroll: Path) -> tuple[Entitlement, ...]:
    batch = read_corrected_dmfa([payroll], on_error="collect")
    assert batch.errors == ()
    return compute_entitlements(batch.records, batch.declarations, YEAR)


def test_the_plan_groups_files_by_employer_in_key_order(payroll: Path) -> None:
    plan = plan_employers([payroll])
    assert plan.by_employer
    keys = [group.keys[0] for group in plan.groups]
    assert keys == sorted(keys)
    assert len(keys) == 5
    for group in plan.groups:
        assert all(f"-{group.keys[0]}-" in Path(f).name for f in group.files)
    assert sorted(f for g in plan.groups for f in g.files) == sorted(plan.files)


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_jobs_gives_the_one_process_results(
    payroll: Path, oracle: tuple[Entitlement, ...], jobs: int
) -> None:
    run = entitlements_from_files([payroll], YEAR, jobs=jobs)
    assert run.entitlements == oracle
    assert run.errors == ()
    texts = entitlements_json([payroll], YEAR, jobs=jobs).json
    assert list(texts) == [entitlement_json_text(e) for e in oracle]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_any_partition_of_the_files_combines_to_the_one_process_results(
    payroll: Path, oracle: tuple[Entitlement, ...], data: st.DataObject
) -> None:
    """Random partitions, employers split across parts included, in a random part order."""
    parts, plan = random_plan(data, payroll)
    spec = EntitlementSpec(YEAR)
    run = execute(plan, spec, 1, _in_process)
    assert run.entitlements == oracle
    if len({k for part in parts for k in employers_of(part)}) == sum(
        len(employers_of(part)) for part in parts
    ):
        # Employers not split: the parts combine directly, in any order.
        parts_results = [run_group(spec, part) for part in parts]
        assert combine(parts_results).entitlements == oracle


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_spooled_json_of_any_grouping_is_the_one_process_json(
    payroll: Path, oracle: tuple[Entitlement, ...], data: st.DataObject
) -> None:
    """Local JSON runs keep their texts on disk (memory follows one group, not the output);
    groups of several employers, whose key ranges interleave, are merged back in order."""
    plan = _grouped(payroll, data, 3)
    run = run_plan(plan, EntitlementSpec(YEAR, render="json"), jobs=1)
    assert isinstance(run.json, SpooledItems)
    expected = [entitlement_json_text(e) for e in oracle]
    assert list(run.json) == expected
    chunks = [run.json[i : i + 7] for i in range(0, len(run.json), 7)]
    assert [text for chunk in chunks for text in chunk] == expected


def _grouped(payroll: Path, data: st.DataObject, most: int) -> Plan:
    """A plan putting the five employers in up to ``most`` groups at random: a group of
    several employers, whose key range interleaves with another group's, included."""
    files = plan_employers([payroll]).files
    by_employer: dict[str, list[str]] = {}
    for path in files:
        by_employer.setdefault(employers_of([path])[0], []).append(path)
    parts = data.draw(st.lists(st.integers(0, most - 1), min_size=5, max_size=5))
    groups: dict[int, list[str]] = {}
    for key, part in zip(sorted(by_employer), parts, strict=True):
        groups.setdefault(part, []).extend(by_employer[key])
    return Plan(
        tuple(EmployerGroup(tuple(employers_of(g)), tuple(g)) for g in groups.values()), files
    )


def _array(texts: list[str]) -> bytes:
    """The bytes ``mycareer entitlements --format json`` writes for ``texts``."""
    return ("[\n" + ",\n".join(texts) + "\n]\n").encode() if texts else b"[]\n"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_json_written_as_groups_finish_is_the_array_of_the_run(
    payroll: Path, oracle: tuple[Entitlement, ...], data: st.DataObject, tmp_path: Path
) -> None:
    """A run given ``json_to`` writes each group's texts there once the groups before it
    (in key order) are done, whatever order they finish in (largest first, employers of
    several groups interleaving): the file holds the run's JSON array, after what it held."""
    plan = _grouped(payroll, data, 4)
    target = tmp_path / f"out-{data.draw(st.integers(0, 10**9))}.json"
    with target.open("w+b") as out:
        out.write(b"kept")
        sink = JsonArraySink(out, plan)
        run = pipeline._run_local(plan, EntitlementSpec(YEAR, render="json"), 1, None, sink)
        assert sink.settle(run)
    assert target.read_bytes() == b"kept" + _array([entitlement_json_text(e) for e in oracle])


@pytest.mark.parametrize("jobs", [1, 2])
def test_entitlements_for_year_writes_its_json_where_it_is_told(
    payroll: Path, oracle: tuple[Entitlement, ...], jobs: int, tmp_path: Path
) -> None:
    expected = _array([entitlement_json_text(e) for e in oracle])
    with (tmp_path / "out.json").open("w+b") as out:
        run = pipeline.entitlements_for_year([payroll], YEAR, jobs=jobs, render="json",
                                             json_to=out)  # fmt: skip
    assert run.json_written
    assert (tmp_path / "out.json").read_bytes() == expected
    assert list(run.json) == [entitlement_json_text(e) for e in oracle]


def test_json_that_is_not_the_runs_is_taken_back(payroll: Path, tmp_path: Path) -> None:
    """What was written as the groups finished is cut back when the run's texts are not
    those: a finding added to every result (no quarter of the year declared), a run read
    again as one group (employers sharing an NSSO number); and nothing is written for a
    year the headers do not reach. The run's own texts are untouched."""
    plan = plan_employers([payroll])
    spec = EntitlementSpec(YEAR, render="json")
    finding = data_end_finding_after(Quarter(2023, 4), YEAR)
    assert finding is not None
    with (tmp_path / "a.json").open("w+b") as out:
        out.write(b"kept")
        sink = JsonArraySink(out, plan)
        run = pipeline._run_local(plan, spec, 1, None, sink)
        assert out.tell() > 1000  # written as the groups finished
        marked = with_finding(run, finding)
        assert not sink.settle(marked)
        assert len(list(marked.json)) == len(run.json)
    assert (tmp_path / "a.json").read_bytes() == b"kept"
    folder, _keys = shared_nsso_number(tmp_path)
    with (tmp_path / "b.json").open("w+b") as out:
        shared = pipeline.entitlements_for_year([folder], YEAR, jobs=1, render="json",
                                                json_to=out)  # fmt: skip
    assert not shared.json_written
    assert shared.json == entitlements_json([folder], YEAR, jobs=1).json
    assert (tmp_path / "b.json").read_bytes() == b""
    with (tmp_path / "c.json").open("w+b") as out:
        later = pipeline.entitlements_for_year([payroll], 2026, jobs=1, render="json",
                                               json_to=out)  # fmt: skip
        assert out.tell() == 0
    assert not later.json_written


def test_a_run_stopped_part_way_leaves_nothing_in_json_to(payroll: Path, tmp_path: Path) -> None:
    """Stopped after some groups were written (a Ctrl-C in the progress wrapper here), the
    run cuts what it wrote back, as it does when its texts turn out otherwise."""

    def stopping(files: Sequence[Path]) -> Iterator[Path]:
        for number, path in enumerate(files):
            if number == len(files) // 2:
                assert out.tell() > 1000  # some groups written by now
                raise KeyboardInterrupt
            yield path

    with (tmp_path / "out.json").open("w+b") as out:
        out.write(b"kept")
        with pytest.raises(KeyboardInterrupt):
            pipeline.entitlements_for_year([payroll], YEAR, jobs=1, render="json",
                                           json_to=out, progress=stopping)  # fmt: skip
    assert (tmp_path / "out.json").read_bytes() == b"kept"


def test_a_stop_after_the_groups_leaves_nothing_in_json_to(
    payroll: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review's finding: a stop after every group was written (here while the run's
    last quarter is looked at) left the whole array without its closing bracket."""

    def stop(*_args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "data_end_finding_after", stop)
    with (tmp_path / "out.json").open("w+b") as out:
        out.write(b"kept")
        with pytest.raises(KeyboardInterrupt):
            pipeline.entitlements_for_year([payroll], YEAR, jobs=1, render="json",
                                           json_to=out)  # fmt: skip
    assert (tmp_path / "out.json").read_bytes() == b"kept"


def test_texts_json_errors_cannot_encode_are_left_to_the_caller(tmp_path: Path) -> None:
    """A review's finding: a file name that is not UTF-8 (a lone surrogate in the texts)
    with ``json_errors="strict"`` made the whole run fail; the writing stops, cut back,
    and the run gives its texts as without ``json_to``."""
    source = Path(str(resources.files("mycareer.data.demo"))) / "dmfa"
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9"))
    shutil.copytree(source, folder)
    cut = folder / "dmfa-0403019261-20233.xml"
    cut.write_bytes(cut.read_bytes()[:3000])
    with (tmp_path / "out.json").open("w+b") as out:
        out.write(b"kept")
        run = pipeline.entitlements_for_year([folder], YEAR, jobs=1, render="json",
                                             json_to=out)  # fmt: skip
    assert not run.json_written
    assert (tmp_path / "out.json").read_bytes() == b"kept"
    assert list(run.json) == list(entitlements_json([folder], YEAR, jobs=1).json)
    assert any("caf\udce9" in text for text in run.json)


def _in_process(spec: EntitlementSpec, tasks: list[list[tuple[int, EmployerGroup]]]) -> Any:
    return ([(index, run_group(spec, group.files)) for index, group in task] for task in tasks)


def test_a_band_for_every_employer_applies_to_each_group(
    payroll: Path,
) -> None:
    batch = read_corrected_dmfa([payroll], on_error="collect")
    keys = sorted({r.employer.key for r in batch.records})
    expected = compute_entitlements(
        batch.records, batch.declarations, YEAR,
        overrides=Overrides(band=dict.fromkeys(keys, SizeBand.BELOW_10)),
    )  # fmt: skip
    spec = EntitlementSpec(YEAR, every_band=SizeBand.BELOW_10)
    plan = plan_employers([payroll])
    assert execute(plan, spec, 1, _in_process).entitlements == expected
    assert {e.band for e in expected} == {SizeBand.BELOW_10}


def test_jobs_must_be_a_positive_whole_number(payroll: Path) -> None:
    for bad in (0, -1):
        with pytest.raises(InvalidValueError, match="jobs"):
            entitlements_from_files([payroll], YEAR, jobs=bad)


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_cli_output_is_byte_identical_for_every_jobs(payroll: Path, fmt: str) -> None:
    counts = (1, 2, 3) if fmt == "json" else (1, 2)
    runs = [run_cli("entitlements", "--year", str(YEAR), "--format", fmt, "--jobs", str(n), payroll)
            for n in counts]  # fmt: skip
    for result in runs:
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert result.stdout == runs[0].stdout
        assert result.stderr == runs[0].stderr
    if fmt == "json":
        assert len(json.loads(runs[0].stdout)) > 40


def test_a_broken_file_costs_that_file_only_whatever_jobs(payroll: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(payroll, folder)
    victim = sorted(folder.iterdir())[-1]
    victim.write_bytes(victim.read_bytes()[:3000])  # cut part-way
    runs = [run_cli("entitlements", "--year", str(YEAR), "--jobs", str(n), folder) for n in (1, 2)]
    assert runs[0].returncode == runs[1].returncode == 1
    assert runs[0].stdout == runs[1].stdout
    assert victim.name in runs[0].stderr
    assert len(json.loads(runs[0].stdout)) > 40  # the other files still give their results
    assert_no_traceback(runs[1])


def test_errors_come_in_file_order_whatever_jobs(payroll: Path, tmp_path: Path) -> None:
    """Two files cut part-way whose names sort against their employers' keys: one read
    of everything reports them in file order (a- before b-), and so must the employer
    groups (else the errors of one input move with an unrelated update file, which
    sends the run through one read)."""
    folder = tmp_path / "in"
    shutil.copytree(payroll, folder)
    quarter = sorted(folder.glob("*-20244.xml"))
    for prefix, path in (("b-", quarter[0]), ("a-", quarter[-1])):  # a-: the larger key
        text = path.read_bytes()
        path.unlink()
        (folder / f"{prefix}{path.name}").write_bytes(text[: len(text) // 2])
    files = [str(p) for p in sorted(folder.iterdir())]
    assert Path(files[0]).name.startswith("a-")
    assert Path(files[1]).name.startswith("b-")
    for jobs in (1, 2):
        run = entitlements_from_files([folder], YEAR, jobs=jobs)
        assert [e.source.file for e in run.errors] == files[:2]  # type: ignore[union-attr]
        texts = entitlements_json([folder], YEAR, jobs=jobs)
        assert [e.source.file for e in texts.errors] == files[:2]  # type: ignore[union-attr]
    result = run_cli("entitlements", "--year", str(YEAR), "--jobs", "2", folder)
    assert_no_traceback(result)
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 2
    assert "/a-" in errors[0]
    assert "/b-" in errors[1]


def test_findings_come_in_the_order_of_one_read_whatever_jobs(tmp_path: Path) -> None:
    """Two employers each sent one quarter twice (tests/scale/_duplicates.py): one read
    reports what reading said first (the duplicates, by the file each excludes: b.xml,
    then d.xml), then the results' findings by employer; so must the employer groups,
    which each read and compute one employer."""
    folder = two_duplicated_quarters(tmp_path)
    batch = read_corrected_dmfa([folder], on_error="collect")
    results = compute_entitlements(batch.records, batch.declarations, YEAR)
    expected = tuple(dict.fromkeys((*batch.findings, *(f for e in results for f in e.findings))))
    codes = [f.code for f in expected]
    assert codes[:2] == ["DMFA_DUPLICATE_ORIGINAL", "DMFA_DUPLICATE_ORIGINAL"]
    assert "DMFA_DUPLICATE_ORIGINAL" not in codes[2:]
    assert [Path(f.source.file).name for f in expected[:2]] == ["b.xml", "d.xml"]  # type: ignore[union-attr, arg-type]
    assert len(plan_employers([folder]).groups) == 2
    for jobs in (1, 2):
        assert entitlements_from_files([folder], YEAR, jobs=jobs).findings == expected
        assert entitlements_json([folder], YEAR, jobs=jobs).findings == expected


def test_employers_sharing_an_nsso_number_give_the_one_process_results(tmp_path: Path) -> None:
    """Two enterprise numbers declared under one NSSO number fall in two employer groups,
    but one read puts their declarations of a quarter in one slot (mycareer.dmfa_update):
    the groups must see the shared number and read everything at once, as one read."""
    folder, _keys = shared_nsso_number(tmp_path)
    batch = read_corrected_dmfa([folder], on_error="collect")
    assert batch.errors  # the refused records
    expected = compute_entitlements(batch.records, batch.declarations, YEAR)
    for jobs in (1, 2):
        assert entitlements_from_files([folder], YEAR, jobs=jobs).entitlements == expected
        texts = entitlements_json([folder], YEAR, jobs=jobs).json
        assert list(texts) == [entitlement_json_text(e) for e in expected]


def _incomplete_keys(entitlements: tuple[Entitlement, ...], file: str) -> set[str]:
    """The employers whose every result carries REFERENCE_INCOMPLETE naming ``file``."""
    keys = {e.employer.key for e in entitlements}
    return {
        key
        for key in keys
        if all(
            any(f.code == "REFERENCE_INCOMPLETE" and file in f.message for f in e.findings)
            for e in entitlements
            if e.employer.key == key
        )
    }


def test_a_rejected_file_of_two_employers_marks_both_whatever_jobs(
    payroll: Path, tmp_path: Path
) -> None:
    """One file holds the 2024 Q1 declarations of the first and the last employer and is
    cut in the second: it is rejected whole, and the results of 2024 of both employers
    are computed without it (REFERENCE_INCOMPLETE), though the file's header, which the
    employer groups go by, names the first only."""
    folder = tmp_path / "in"
    shutil.copytree(payroll, folder)
    keys = sorted(group.keys[0] for group in plan_employers([folder]).groups)
    first, last = (folder / f"dmfa-{key}-20241.xml" for key in (keys[0], keys[-1]))
    head, _, body = first.read_text(encoding="utf-8").partition("<Form>")
    own = "<Form>" + body.rpartition("</DmfAOriginal>")[0]
    other = "<Form>" + last.read_text(encoding="utf-8").partition("<Form>")[2]
    (folder / "both.xml").write_text(head + own + other[: len(other) // 2], encoding="utf-8")
    first.unlink()
    last.unlink()
    for jobs in (1, 2):
        run = entitlements_from_files([folder], YEAR, jobs=jobs)
        assert _incomplete_keys(run.entitlements, "both.xml") == {keys[0], keys[-1]}


def test_a_rejected_file_whose_employer_cannot_be_read_marks_every_result_whatever_jobs(
    payroll: Path, tmp_path: Path
) -> None:
    """A header whose Quarter does not read (20245) rejects the file before its employer is
    known: it could be any employer's, so every result is marked (mycareer.fla.incomplete),
    though the header pre-scan, which groups the files, read its CompanyID."""
    folder = tmp_path / "in"
    shutil.copytree(payroll, folder)
    keys = sorted(group.keys[0] for group in plan_employers([folder]).groups)
    victim = folder / f"dmfa-{keys[1]}-20241.xml"
    victim.write_text(
        victim.read_text(encoding="utf-8").replace("<Quarter>20241<", "<Quarter>20245<"),
        encoding="utf-8",
    )
    for jobs in (1, 2):
        run = entitlements_from_files([folder], YEAR, jobs=jobs)
        assert [e.source.file for e in run.errors] == [str(victim)]  # type: ignore[union-attr]
        assert _incomplete_keys(run.entitlements, victim.name) == set(keys)


def _as_compared(result: GroupResult) -> tuple[object, ...]:
    errors = [(str(e), e.source) for e in result.errors]
    return result.items, result.findings, errors, result.keys, result.last_quarter


@pytest.mark.parametrize("render", ["objects", "json"])
def test_a_group_streamed_file_by_file_is_the_group_read_whole(
    payroll: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, render: str
) -> None:
    """Differential: run_group streams originals into the computation (no whole read at
    all: it is refused here) and gives what one read of the group gives, a file cut
    part-way included (it contributes nothing, and its results say so)."""
    folder = tmp_path / "in"
    shutil.copytree(payroll, folder)
    plan = plan_employers([folder])
    victim = Path(plan.groups[1].files[0])  # 2023 Q3: a reference quarter of the band
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    spec = EntitlementSpec(YEAR, render=render)  # type: ignore[arg-type]
    whole = [
        _run_group_whole(spec, group.files, SpoolPlace(None, "g", None)) for group in plan.groups
    ]

    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the streamed path read a group whole")

    monkeypatch.setattr(pipeline, "read_corrected_dmfa", refused)
    streamed = [run_group(spec, group.files) for group in plan.groups]
    assert [_as_compared(r) for r in streamed] == [_as_compared(r) for r in whole]
    assert [e.source.file for r in streamed for e in r.errors] == [str(victim)]  # type: ignore[union-attr]
    assert "REFERENCE_INCOMPLETE" in {f.code for f in streamed[1].findings}


def test_a_group_spools_its_json_as_it_is_made(payroll: Path, tmp_path: Path) -> None:
    group = plan_employers([payroll]).groups[0]
    spec = EntitlementSpec(YEAR, render="json")
    held = run_group(spec, group.files)
    spooled = run_group(spec, group.files, str(tmp_path), "g-0")
    assert spooled.items == ()
    assert spooled.spool is not None
    on_disk: SpooledItems[str] = SpooledItems([spooled.spool], TemporaryDirectory())
    assert list(on_disk) == [text for _key, _niss, text in held.items]
    assert (spooled.spool.count, spooled.spool.first, spooled.spool.last) == (
        len(held.items), held.items[0][:2], held.items[-1][:2]
    )  # fmt: skip
    assert _as_compared(attrs.evolve(spooled, items=held.items)) == _as_compared(held)


def test_a_task_s_small_groups_spool_into_one_file(
    payroll: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task's groups of at most SHARED_SPOOL_MOST results spool their texts one after
    the other in one file (creating a file a group cost more than a small group's texts);
    a larger group has a file of its own. Read back, each gives the texts its group gives
    alone, and the output joins them as the groups' own files would."""
    from mycareer import group_results

    plan = plan_employers([payroll])
    spec = EntitlementSpec(YEAR, render="json")
    task = list(enumerate(plan.groups))
    alone = [run_group(spec, group.files) for group in plan.groups]
    sizes = sorted(len(result.items) for result in alone)
    # the largest group alone above the bound: it keeps a file of its own
    monkeypatch.setattr(group_results, "SHARED_SPOOL_MOST", sizes[-2])
    done = dict(_run_task(spec, task, str(tmp_path)))
    spools = [done[index].spool for index in range(len(task))]
    assert all(spool is not None for spool in spools)
    largest = max(range(len(task)), key=lambda i: len(alone[i].items))
    assert len({s.path for i, s in enumerate(spools) if s and i != largest}) == 1
    assert [bool(s and s.shared) for s in spools] == [i != largest for i in range(len(task))]
    assert len(os.listdir(tmp_path)) == 2
    for result, spool in zip(alone, spools, strict=True):
        assert spool is not None
        texts: SpooledItems[str] = SpooledItems([spool], TemporaryDirectory())
        assert list(texts) == [text for _key, _niss, text in result.items]
    everything: SpooledItems[str] = SpooledItems([s for s in spools if s], TemporaryDirectory())
    out = io.BytesIO()
    everything.write_joined(out, ",\n")
    expected = [text for result in alone for _key, _niss, text in result.items]
    assert out.getvalue() == ",\n".join(expected).encode()


def test_groups_read_again_take_their_shared_spool_file_with_them(
    payroll: Path, tmp_path: Path
) -> None:
    """Groups read again (joined) drop their spools; a task's shared file holding them
    goes too, a kept group's spool there first copied to a file of its own: the run's
    folder then holds each kept text once, and nothing of the dropped groups."""
    plan = plan_employers([payroll])
    spec = EntitlementSpec(YEAR, render="json")
    done = dict(_run_task(spec, list(enumerate(plan.groups)), str(tmp_path)))
    results = [done[index] for index in range(len(plan.groups))]
    assert len({r.spool.path for r in results if r.spool}) == 1  # one shared file
    texts: list[list[str]] = [
        list(SpooledItems([r.spool], TemporaryDirectory())) for r in results if r.spool
    ]
    kept = pipeline._drop_spools(results, {0, 2})
    assert [r.spool is None for r in kept] == [False] * len(results)
    assert (kept[0], kept[2]) == (results[0], results[2])  # as they were, spools gone
    owned = [kept[i].spool for i in range(len(kept)) if i not in {0, 2}]
    assert all(spool is not None and not spool.shared for spool in owned)
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(s.path) for s in owned if s)
    again: list[list[str]] = [list(SpooledItems([s], TemporaryDirectory())) for s in owned if s]
    assert again == [t for i, t in enumerate(texts) if i not in {0, 2}]
    everything = pipeline._drop_spools(kept, range(len(kept)))
    assert len(everything) == len(kept)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("value", ["0", "x", "-2"])
def test_a_bad_jobs_is_a_usage_error_naming_the_value(payroll: Path, value: str) -> None:
    result = run_cli("entitlements", "--year", str(YEAR), "--jobs", value, payroll)
    assert result.returncode == 2
    assert "--jobs" in result.stderr
    assert value in result.stderr


def test_the_header_pre_scan_frees_its_stopped_parsers_with_the_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each stopped iterparse leaves a reference cycle (its parser and buffers). With the
    collector paused, as the CLI runs, 9,000 files kept 4.4 GB alive in the parent until
    the pre-scan collected them as it goes; cycles left behind are counted by gc.collect."""
    import gc
    from importlib import resources

    demo = Path(str(resources.files("mycareer.data.demo") / "dmfa"))
    original = sorted(demo.glob("*.xml"))[0]
    for index in range(70):
        shutil.copy(original, tmp_path / f"dmfa-{index:03d}.xml")

    def left_behind() -> int:
        gc.collect()
        gc.disable()
        try:
            plan_employers([tmp_path])
            return gc.collect()
        finally:
            gc.enable()

    collected_as_it_goes = left_behind()
    monkeypatch.setattr("mycareer._gc.PARSES_PER_RELEASE", 10**9)
    never_collected = left_behind()
    assert collected_as_it_goes * 4 < never_collected
