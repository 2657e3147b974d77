"""mycareer.dask on a real 2-process LocalCluster: the same results as the local pipeline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

pytest.importorskip("distributed", reason="the mycareer[dask] extra is not installed")

from distributed import Client, LocalCluster

from mycareer import pipeline
from mycareer.account_jobs import Render, accounts_from_files
from mycareer.dask import (
    _remote_map,
    _run_remote_task,
    accounts,
    entitlements,
    entitlements_json,
    timelines,
)
from mycareer.fla import SizeBand
from mycareer.fla.incomplete import REFERENCE_INCOMPLETE
from mycareer.fla.trainings import Training
from mycareer.pipeline import EntitlementSpec, entitlements_from_files, plan_employers, run_group
from mycareer.quarter import Quarter
from mycareer.regroup import HeaderMap, header_groups
from mycareer.timeline_jobs import (
    TimelineSpec,
    one_process,
    pack_tasks,
    plan_timelines,
    timelines_from_files,
)
from mycareer.xmlio.career_inputs import read_career_inputs

from ._bench import bench_module
from .test_regroup import _batch
from .test_timeline_jobs import same

YEAR = 2024


@pytest.fixture(scope="module")
def payroll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("payroll")
    quarters = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
    bench_module("payroll").generate(folder, 100, quarters, employers=4)
    return folder


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as connected,  # type: ignore[no-untyped-call]
        ):
            yield connected


def test_entitlements_on_the_cluster_equal_the_local_ones(payroll: Path, client: Client) -> None:
    local = entitlements_from_files([payroll], YEAR, jobs=1)
    remote = entitlements([payroll], client, year=YEAR)
    assert len(local.entitlements) > 40
    assert remote == local


def test_json_and_a_band_for_everyone_on_the_cluster(payroll: Path, client: Client) -> None:
    local = entitlements_from_files([payroll], YEAR, jobs=1)
    remote = entitlements_json([payroll], client, year=YEAR, every_band=SizeBand.BELOW_10)
    assert len(remote.json) == len(local.entitlements)
    assert all('"band": "<10"' in text for text in remote.json)


def test_fsspec_urls_are_read_on_the_workers(payroll: Path, client: Client) -> None:
    local = entitlements_from_files([payroll], YEAR, jobs=1)
    remote = entitlements([f"file://{payroll}"], client, year=YEAR)
    assert remote.entitlements == local.entitlements
    assert remote.errors == ()


def cluster_address(client: Client) -> str:
    scheduler = client.scheduler
    assert scheduler is not None
    return str(scheduler.address)


def test_a_scheduler_address_works_as_the_client(payroll: Path, client: Client) -> None:
    address = str(cluster_address(client))
    local = entitlements_from_files([payroll], YEAR, jobs=1)
    assert entitlements([payroll], address, year=YEAR) == local


def test_timelines_on_the_cluster_equal_the_local_ones(payroll: Path, client: Client) -> None:
    """Periods shuffled by NISS between two worker processes: the local run, in its order."""
    local = timelines_from_files([payroll], jobs=1)
    movers = [w for w in local.workers if len({r.employer for r in w.records}) > 1]
    assert len(local.workers) > 40
    assert movers  # timelines that span employers, so files of several tasks meet
    assert timelines([payroll], client) == local  # no errors in these files
    spec = TimelineSpec(render="json", min_gap=5)
    texts = timelines([payroll], client, spec=spec)
    assert texts == timelines_from_files([payroll], jobs=1, spec=spec)
    assert texts.workers[0].json is not None


def test_files_that_are_no_document_on_the_cluster(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """An empty file, a text file and a dangling link beside the payroll: each file its
    own group, its error alone, the rest by employer (timelines were refused)."""
    for path in payroll.iterdir():
        (tmp_path / path.name).hardlink_to(path)
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "notes.xml").write_text("no declaration\n", encoding="utf-8")
    (tmp_path / "z-gone.xml").symlink_to(tmp_path / "moved-away.xml")
    local = entitlements_from_files([tmp_path], YEAR, jobs=1)
    assert [e.source.file for e in local.errors if e.source] == [
        str(tmp_path / "empty.xml"),
        str(tmp_path / "notes.xml"),
        str(tmp_path / "z-gone.xml"),
    ]
    remote = entitlements([tmp_path], client, year=YEAR)
    assert attrs.evolve(remote, errors=()) == attrs.evolve(local, errors=())
    assert [(str(e), e.source) for e in remote.errors] == [(str(e), e.source) for e in local.errors]
    assert same(timelines([tmp_path], client), timelines_from_files([tmp_path], jobs=1))


def _with_cut_files(payroll: Path, folder: Path) -> None:
    """The payroll in ``folder``, a file cut before its employer, and the last employer's
    last file cut after a worker."""
    names = sorted(path.name for path in payroll.iterdir())
    for name in names:
        (folder / name).hardlink_to(payroll / name)
    text = (payroll / names[0]).read_text(encoding="utf-8")
    (folder / "a-cut.xml").write_text(text[: text.index("<Quarter>")], encoding="utf-8")
    own, own_text = folder / names[-1], (payroll / names[-1]).read_text(encoding="utf-8")
    own.unlink()
    own.write_text(own_text[: own_text.index("</NaturalPerson>") + 100], encoding="utf-8")


def test_dmfa_files_whose_header_cannot_be_read_on_the_cluster(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """A file cut before its employer and one of an employer cut after a worker: the
    headless file is read first on the cluster and its rejection marks every result,
    ordered among the employer's own as one read orders them (tests/scale/test_headless.py)."""
    _with_cut_files(payroll, tmp_path)
    local = entitlements_from_files([tmp_path], YEAR, jobs=1)
    assert all("a-cut.xml" in str(e.findings) for e in local.entitlements)
    remote = entitlements([tmp_path], client, year=YEAR)
    assert attrs.evolve(remote, errors=()) == attrs.evolve(local, errors=())
    assert [(str(e), e.source) for e in remote.errors] == [(str(e), e.source) for e in local.errors]
    assert accounts([tmp_path], client).accounts == accounts_from_files([tmp_path], jobs=1).accounts
    expected = one_process(read_career_inputs([tmp_path]), TimelineSpec())
    assert same(timelines([tmp_path], client), expected)


def test_urls_whose_header_cannot_be_read_stay_by_employer(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """As above with URLs. A worker reads its copy of each URL, so the headless file's
    rejection used to name the copy, which the run's places (URLs) could not order among
    an employer's own rejected files: the scan's roots did not mark it and the run was read
    again as one group (a country's files in one process). A group's rejected files now go
    by their URLs (``EntitlementSpec.read_as``), and a worker's errors too: the run stays
    by employer and says what the local run says."""
    from mycareer.dask import plan_on_cluster

    _with_cut_files(payroll, tmp_path)
    url = f"file://{tmp_path}"
    assert plan_on_cluster([url], client).headless == {f"{url}/a-cut.xml"}
    local = entitlements_from_files([tmp_path], YEAR, jobs=1)
    remote = entitlements([url], client, year=YEAR)
    assert not remote.regrouped

    def said(run: Any) -> list[tuple[Any, ...]]:
        return [(e.employer, e.niss, e.days, [_file_names(str(f)) for f in e.findings])
                for e in run.entitlements]  # fmt: skip

    assert said(remote) == said(local)
    assert all("a-cut.xml" in str(e.findings) for e in remote.entitlements)
    assert [_file_names(str(e)) for e in remote.errors] == [
        _file_names(str(e)) for e in local.errors
    ]
    cut = [f"{url}/a-cut.xml", f"{url}/{max(p.name for p in payroll.iterdir())}"]
    assert [e.source.file for e in remote.errors if e.source] == cut  # the URLs given
    marks = [f for e in remote.entitlements for f in e.findings if f.code == REFERENCE_INCOMPLETE]
    assert {f.source.file for f in marks if f.source} == set(cut)  # the own cut file's too
    assert all(f"rejected file {url}/" in f.message for f in marks)
    own = accounts_from_files([tmp_path], jobs=1)
    by_url = accounts([url], client)
    assert by_url.accounts.accounts == own.accounts.accounts
    assert [e.source.file for e in by_url.errors if e.source] == cut
    assert [_file_names(str(e)) for e in by_url.errors] == [_file_names(str(e)) for e in own.errors]
    mapped, expected = timelines([url], client), timelines_from_files([tmp_path], jobs=1)
    assert _segments(mapped) == _segments(expected)  # the periods' sources name the copies
    assert [e.source.file for e in mapped.errors if e.source] == cut  # not a worker's copy
    assert [_file_names(str(e)) for e in mapped.errors] == [
        _file_names(str(e)) for e in expected.errors
    ]


def _segments(run: Any) -> list[tuple[Any, ...]]:
    """Each worker's timeline segments and gaps, without the sources that name files."""
    return [
        (w.niss, [(s.period, s.kind, s.employers, s.fte) for s in w.timeline.segments],
         w.timeline.gaps())
        for w in run.workers
    ]  # fmt: skip


def _file_names(text: str) -> str:
    """``text`` with each file's path or URL cut to its name, a worker's copy's number
    dropped."""
    return re.sub(r"(file:/)?/[^ ]*?(\d{6}-)?([^/ ]+\.xml)", r"\3", text)


def test_entitlements_of_urls_read_again_as_one_group_on_the_cluster(
    payroll: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """URLs whose groups turn out not to be apart are read again as one group, on the
    cluster: that read ran in the calling process, which cannot open the URLs, and every
    file was refused ("cannot read"), no result kept. Here a headless file's group is
    taken as having read records (``_headless_rejections`` gives None, as for a file
    whose header the scan could not read but which holds records), which only one read
    of everything gives exactly."""
    names = sorted(path.name for path in payroll.iterdir())
    for name in names:
        (tmp_path / name).hardlink_to(payroll / name)
    text = (payroll / names[0]).read_text(encoding="utf-8")
    (tmp_path / "a-cut.xml").write_text(text[: text.index("<Quarter>")], encoding="utf-8")
    local = entitlements_from_files([tmp_path], YEAR, jobs=1)
    monkeypatch.setattr(pipeline, "_headless_rejections", lambda *_arguments: None)
    url = f"file://{tmp_path}"
    remote = entitlements([url], client, year=YEAR)
    assert remote.regrouped
    assert [str(e).split(": ", 1)[1] for e in remote.errors] == [
        str(e).split(": ", 1)[1] for e in local.errors
    ]
    # Errors name the URL (a worker's copy, 000000-a-cut.xml, goes with its task).
    assert [e.source.file for e in remote.errors if e.source] == [f"{url}/a-cut.xml"]
    assert len(remote.entitlements) == len(local.entitlements) > 100

    def said(run: Any) -> list[tuple[Any, ...]]:
        return [(e.employer, e.niss, e.days, [f.code for f in e.findings])
                for e in run.entitlements]  # fmt: skip

    assert said(remote) == said(local)
    assert all("REFERENCE_INCOMPLETE" in codes for *_rest, codes in said(remote))


def test_urls_that_are_no_document_or_name_no_employer_stay_by_employer(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """An empty file, a text file and a DmfA update cut before its employer among URLs:
    the scan on the workers says what they are (a root it could not read, a correction
    naming none), each is a group of its own and the run stays by employer (it was read
    again as one group, on one worker: a country's files in one process). Their errors
    name the URLs given, not a worker's copy, as for every URL."""
    from mycareer.dask import plan_on_cluster

    names = sorted(path.name for path in payroll.iterdir())
    for name in names:
        (tmp_path / name).hardlink_to(payroll / name)
    (tmp_path / "empty.xml").write_bytes(b"")
    (tmp_path / "notes.xml").write_text("no declaration\n", encoding="utf-8")
    update = b"<?xml version='1.0'?>\n<DmfAUpdate><Form><Identification>DMFAUPD</Ident"
    (tmp_path / "upd-cut.xml").write_bytes(update)
    url = f"file://{tmp_path}"
    plan = plan_on_cluster([url], client)
    assert {Path(p).name for p in plan.not_documents} == {"empty.xml", "notes.xml"}
    assert {Path(p).name for p in plan.unnamed_corrections} == {"upd-cut.xml"}
    assert plan.by_employer
    assert plan.corrections
    local = entitlements_from_files([tmp_path], YEAR, jobs=1)
    assert len(local.errors) == 3
    remote = entitlements([url], client, year=YEAR)
    assert not remote.regrouped  # not read again as one group
    assert remote.entitlements == local.entitlements
    assert remote.findings == local.findings

    def said(errors: Any) -> list[str]:  # the message, after the file's name
        return [str(e).split(": ", 1)[1] for e in errors]

    assert said(remote.errors) == said(local.errors)
    assert [e.source.file for e in remote.errors if e.source] == [
        f"{url}/empty.xml", f"{url}/notes.xml", f"{url}/upd-cut.xml"
    ]  # fmt: skip
    by_url = accounts([url], client)
    assert by_url.accounts.accounts == accounts_from_files([tmp_path], jobs=1).accounts.accounts
    assert said(by_url.errors) == said(local.errors)
    expected = one_process(read_career_inputs([tmp_path]), TimelineSpec())
    timed = timelines([url], client)
    assert [(w.niss, w.gaps) for w in timed.workers] == [(w.niss, w.gaps) for w in expected.workers]
    assert said(timed.errors) == said(expected.errors)  # in file order, as one read


def test_timelines_of_other_input_kinds_are_refused_on_the_cluster(
    payroll: Path, client: Client
) -> None:
    from importlib import resources

    from mycareer.errors import InvalidValueError

    dimona = Path(str(resources.files("mycareer.data.demo") / "dimona"))
    with pytest.raises(InvalidValueError, match="DmfA files only"):
        timelines([payroll, dimona], client)


def test_accounts_on_the_cluster_equal_the_local_ones(payroll: Path, client: Client) -> None:
    local = accounts_from_files([payroll], jobs=1)
    remote = accounts([payroll], client)
    assert len(local.accounts.accounts) > 40
    assert remote == local
    by_url = accounts([f"file://{payroll}"], client, to_year=2024)
    assert by_url.accounts.accounts == local.accounts.accounts


@pytest.mark.parametrize("render", ["json", "xml"])
def test_rendered_accounts_on_the_cluster_equal_the_local_ones(
    payroll: Path, client: Client, render: Render
) -> None:
    """Credits from the cluster, ledgers reduced bucket by bucket in this machine's
    processes: the texts (each account's JSON, each <account>) of the local run, the
    trainings given as an iterable walked once."""
    made = accounts_from_files([payroll], jobs=1).accounts.accounts
    day = date(2024, 3, 4)
    given = [Training(a.niss, "Safety", day, day, 4, employer=a.employer) for a in made[:5]]
    local = accounts_from_files([payroll], given, jobs=1, render=render)
    remote = accounts([payroll], client, iter(given), render=render, reduce_jobs=1)
    assert remote.accounts.accounts == ()
    assert list(remote.texts) == list(local.texts)
    assert sum('"Safety"' in t or 'name="Safety"' in t for t in remote.texts) == 5
    assert remote.accounts.findings == local.accounts.findings
    assert remote.tally == local.tally


def test_pause_collector_runs_each_task_paused_and_restores_the_workers(
    payroll: Path, client: Client
) -> None:
    """The caller's opt-in: tasks run with the workers' collector paused, the results are
    the same, and each worker's collector is as it was afterwards (disabled stays so)."""
    import gc

    from mycareer.dask import _in_task

    paused = client.map(_in_task, [True, False], [gc.isenabled] * 2, pure=False)
    assert client.gather(paused) == [False, True]  # type: ignore[no-untyped-call]
    assert all(client.run(gc.isenabled).values()), "restored after the task"
    spec = TimelineSpec(render="json")
    local = timelines_from_files([payroll], jobs=1, spec=spec)
    assert timelines([payroll], client, spec=spec, pause_collector=True) == local
    local_objects = timelines_from_files([payroll], jobs=1)
    assert timelines([payroll], client, pause_collector=True) == local_objects
    expected = entitlements_from_files([payroll], YEAR, jobs=1)
    assert entitlements([payroll], client, year=YEAR, pause_collector=True) == expected
    texts = entitlements_json([payroll], client, year=YEAR, pause_collector=True)
    assert list(texts.json) == list(entitlements_json([payroll], client, year=YEAR).json)
    assert accounts([payroll], client, pause_collector=True) == accounts_from_files(
        [payroll], jobs=1
    )
    assert all(client.run(gc.isenabled).values())
    client.run(gc.disable)
    try:
        timelines([payroll], client, pause_collector=True)
        assert not any(client.run(gc.isenabled).values()), "a disabled collector stays so"
    finally:
        client.run(gc.enable)


def test_timelines_spooled_on_the_workers_equal_the_gathered_ones(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """``spool_to``: each reduce task writes its bucket to a file, only names come back;
    read in order, the workers are the local run's, and the folder goes with the run."""
    import gc

    from mycareer._spool import SpooledItems

    local = timelines_from_files([payroll], jobs=1)
    run = timelines([payroll], client, spool_to=tmp_path)
    assert isinstance(run.workers, SpooledItems)
    assert run == local
    [folder] = tmp_path.iterdir()
    assert len(list(folder.iterdir())) > 1  # one file per bucket with workers
    del run
    gc.collect()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("render", ["json", "csv", "xml", "table"])
def test_timeline_texts_spooled_on_the_workers_are_the_command_s(
    payroll: Path, client: Client, tmp_path: Path, render: str
) -> None:
    """Rendered on the workers, spooled there: the local texts, and for CSV with its header
    the bytes ``mycareer timeline`` writes."""
    from typing import cast

    from mycareer.timeline_jobs import Render
    from mycareer.timeline_render import csv_head
    from tests.cli._run import run_cli

    spec = TimelineSpec(render=cast(Render, render), min_gap=5)
    local = timelines_from_files([payroll], jobs=1, spec=spec)
    run = timelines([payroll], client, spec=spec, spool_to=str(tmp_path))
    assert run == local
    texts = [w.json if render == "json" else w.text for w in run.workers]
    assert all(texts)
    if render == "csv":
        command = run_cli("timeline", payroll, "--format", "csv", "--min-gap", "5")
        assert csv_head() + "".join(t or "" for t in texts) == command.stdout


def test_timelines_of_a_file_cut_short_spooled_on_the_workers(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """A file that cannot be read contributes nothing and is an error, as locally."""
    import shutil

    folder = tmp_path / "dmfa"
    shutil.copytree(payroll, folder)
    cut = sorted(folder.iterdir())[3]
    cut.write_bytes(cut.read_bytes()[:5000])
    spool = tmp_path / "spool"
    spool.mkdir()
    spec = TimelineSpec(render="csv")
    local = timelines_from_files([folder], jobs=1, spec=spec)
    run = timelines([folder], client, spec=spec, spool_to=spool)
    assert [(str(e), e.source) for e in run.errors] == [(str(e), e.source) for e in local.errors]
    assert len(run.errors) == 1
    assert run.workers == local.workers
    assert run.findings == local.findings


@pytest.mark.parametrize("where", ["missing", "s3://bucket/spool", "a-file"])
def test_timelines_refuse_a_spool_folder_they_cannot_use(
    payroll: Path, client: Client, tmp_path: Path, where: str
) -> None:
    from mycareer.errors import InvalidValueError

    (tmp_path / "a-file").write_text("")
    target = where if "://" in where else str(tmp_path / where)
    with pytest.raises(InvalidValueError, match=r"spool_to .*expected an existing folder"):
        timelines([payroll], client, spool_to=target)


def test_corrections_on_the_cluster_go_with_their_employer(client: Client) -> None:
    """DmfA updates among the files (as URLs too, their headers scanned on the workers):
    the same entitlements and accounts as the local runs, which read each correction with
    its employer (tests/scale/test_corrections_by_employer.py); timelines as one read."""
    from importlib import resources

    from mycareer.dask import plan_on_cluster

    demo = resources.files("mycareer.data.demo")
    paths = [Path(str(demo / "dmfa")), Path(str(demo / "corrections"))]
    urls = [f"file://{path}" for path in paths]
    plan = plan_on_cluster(urls, client)
    assert plan.corrections
    assert plan.by_employer
    here = plan_employers(paths)  # the same groups, and what the scan read of each file
    assert [g.keys for g in plan.groups] == [g.keys for g in here.groups]
    assert [g.scanned for g in plan.groups] == [g.scanned for g in here.groups]
    assert any(g.scanned for g in plan.groups)
    local = entitlements_from_files(paths, 2025, jobs=1)
    assert any(f.code == "DMFA_UPDATE_APPLIED" for f in local.findings)
    assert entitlements(paths, client, year=2025) == local
    assert entitlements(urls, client, year=2025).entitlements == local.entitlements
    assert accounts(paths, client).accounts == accounts_from_files(paths, jobs=1).accounts
    expected = one_process(read_career_inputs(paths), TimelineSpec())
    assert any(f.code == "DMFA_UPDATE_APPLIED" for f in expected.findings)
    assert same(timelines(paths, client), expected)
    by_url = timelines(urls, client)  # sources name the URLs: the workers and gaps
    assert [(w.niss, w.gaps) for w in by_url.workers] == [
        (w.niss, w.gaps) for w in expected.workers
    ]


@pytest.mark.parametrize("own_file_first", [False, True])
def test_files_of_several_employers_on_the_cluster(
    payroll: Path, client: Client, tmp_path: Path, own_file_first: bool
) -> None:
    """A file holding another employer's forms: the timelines were refused ("a file's
    records name an employer its header does not"); the groups that name one employer
    are now read again, joined (mycareer.regroup), and every result is the local one."""
    folder = _batch(sorted(payroll.iterdir()), tmp_path, own_file_first)
    local = timelines_from_files([folder], jobs=1)
    assert len(local.workers) > 40
    assert timelines([folder], client) == local
    assert entitlements([folder], client, year=YEAR) == entitlements_from_files(
        [folder], YEAR, jobs=1
    )
    assert accounts([folder], client) == accounts_from_files([folder], jobs=1)


def test_a_secretariat_s_files_on_the_cluster(
    payroll: Path, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every employer's form in one file a quarter: the groups' first reads stop on the
    workers at another group's employer too (the tasks give each group its index), and
    every result is the local one. The map goes to the workers whole (scattered once):
    a worker of another machine could not read a file of this one."""
    folder = tmp_path / "secretariat"
    bench_module("batches").make(payroll, folder, "secretariat", seed=3)

    def by_file(_map: HeaderMap) -> str:
        raise AssertionError("a map sent to the cluster as a file of this machine")

    monkeypatch.setattr(HeaderMap, "_written", by_file)
    local = entitlements_from_files([folder], YEAR, jobs=1)
    assert local.regrouped
    assert entitlements([folder], client, year=YEAR) == local
    # The joined group in three slices, each a task of its own (mycareer.group_slices).
    size = sum(path.stat().st_size for path in folder.iterdir())
    assert entitlements([folder], client, year=YEAR, slice_bytes=size // 3 + 1) == local
    assert accounts([folder], client) == accounts_from_files([folder], jobs=1)
    assert timelines([folder], client) == timelines_from_files([folder], jobs=1)


def test_a_secretariat_among_employers_of_their_own_files_on_the_cluster(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """Only the secretariat's joined groups are mapped again: the other groups' map
    results stay on the workers and their rows go to the reduce with the new ones."""
    folder = tmp_path / "secretariat"
    bench_module("batches").make(payroll, folder, "secretariat", seed=3, clients=2)
    assert len(list(folder.glob("dmfa-*.xml"))) > 0  # employers of their own files too
    local = timelines_from_files([folder], jobs=1)
    assert entitlements([folder], client, year=YEAR) == entitlements_from_files(
        [folder], YEAR, jobs=1
    )
    assert accounts([folder], client) == accounts_from_files([folder], jobs=1)
    assert timelines([folder], client) == local


def test_timelines_of_urls_read_again_joined_on_the_cluster(
    payroll: Path, client: Client, tmp_path: Path
) -> None:
    """A group read to its end, then joined (a guest's own first quarter, its other forms
    in its host's files): its first rows leave the reduce, though a worker's copy of each
    URL, not the URL, names them. They were counted twice (found in review)."""
    folder = tmp_path / "joined"
    bench_module("batches").make(payroll, folder, "joined")
    local = timelines_from_files([folder], jobs=1)

    def said(run: Any) -> list[tuple[Any, ...]]:  # sources aside: copies name the periods
        return [(w.niss, [(r.kind, r.period, r.employer) for r in w.records], w.gaps)
                for w in run.workers]  # fmt: skip

    remote = timelines([f"file://{folder}"], client)
    assert said(remote) == said(local)
    assert timelines([folder], client) == local


def test_a_cluster_task_gives_each_group_its_index(payroll: Path, tmp_path: Path) -> None:
    """What a worker runs, run here: with the plan's map, a group's read stops at the
    first record of another group's employer only when the task says which group it is."""
    folder = tmp_path / "secretariat"
    bench_module("batches").make(payroll, folder, "secretariat", seed=3)
    plan = plan_employers([folder])
    spec = EntitlementSpec(YEAR, header_groups=header_groups(plan.groups))
    task = list(enumerate(plan.groups))
    done = _run_remote_task(run_group, spec, task, False)
    assert [index for index, _result in done] == list(range(len(plan.groups)))
    assert all(result.cut for _index, result in done)
    alone = [run_group(spec, group.files) for group in plan.groups]  # no index: read on
    assert not any(result.cut for result in alone)


def test_a_cluster_map_task_watches_too(payroll: Path, tmp_path: Path) -> None:
    """What a worker runs for a timeline map task, run here: each secretariat file's group
    stops at another group's employer, as the local map does."""
    folder = tmp_path / "secretariat"
    bench_module("batches").make(payroll, folder, "secretariat", seed=3)
    planned = plan_timelines([folder])
    assert planned is not None
    watch = header_groups(planned.groups)
    assert watch is not None
    named = [keys for task in pack_tasks(planned, 2, 4) for keys in _remote_map(task).keys]
    assert len(named) == len(planned.groups)
    for group, keys in named:
        (key,) = keys
        assert watch[key] != group


_PICKLED_ON_A_WORKER = """
import pickle, sys
from datetime import date
from mycareer.account_groups import AccountSpec, run_account_group
from mycareer.dask import _remote_map, _run_remote_task
from mycareer.pipeline import EntitlementSpec, plan_employers, run_group
from mycareer.timeline_jobs import pack_tasks, plan_timelines
from tblib import pickling_support

pickling_support.install()  # what importing distributed does, after mycareer here
folder = sys.argv[1]
plan = plan_employers([folder])
task = list(enumerate(plan.groups))
done = _run_remote_task(run_group, EntitlementSpec(2024), task, False)
assert any(result.errors for _index, result in done)
pickle.loads(pickle.dumps(done))
spec = AccountSpec((2024, 2024), date(2024, 12, 31))
credits = _run_remote_task(run_account_group, spec, task, False)
assert any(result.errors for _index, result in credits)
pickle.loads(pickle.dumps(credits))
mapped = [_remote_map(t) for t in pack_tasks(plan_timelines([folder]), 2, 4)]
assert any(result.errors for result in mapped)
pickle.loads(pickle.dumps(mapped))
print("pickled")
"""


def test_errors_travel_back_from_a_worker_that_imported_mycareer_first(
    payroll: Path, tmp_path: Path
) -> None:
    """A worker that imports mycareer before distributed (a script starting with ``from
    mycareer.dask import ...``, which a LocalCluster's workers import again) has tblib's
    pickling registered for mycareer's errors, which then carry their context: a
    malformed file's error held lxml's error log, which cannot be pickled, and the run
    failed. What a worker returns now carries no context nor traceback (in a process of
    its own: tblib's registration is process-wide)."""
    _with_cut_files(payroll, tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _PICKLED_ON_A_WORKER, str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["pickled"]
