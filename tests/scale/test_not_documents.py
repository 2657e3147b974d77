"""A file that is no document (empty, not XML), or a path that cannot be listed (a dangling
link), among DmfA files: the run stays by employer.

Either used to send the whole run through one read of everything in one process (every
record held: on the 450 payroll files plus an empty file and a text file, 278 MB against
54 MB for ``entitlements --jobs 2``). Reading such a file gives its error alone whichever
way it is read (:func:`mycareer.xmlio.flows.sort_documents`), so the plan now marks it
(``Plan.not_documents``) and each route reads it as a group of its own; what listing
refused is kept by the plan (``Plan.problems``) and put where one read reports it. The
oracle is the old route (one read of everything, the marking made to give up) on the same
files: same entitlements, accounts and timelines, the same errors in the same order (the
timeline's own: ``read_career_inputs`` reports what it sorts out first), the same findings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import attrs
import pytest

from mycareer import account_jobs, pipeline, plans
from mycareer.account_jobs import accounts_from_files
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.quarter import Quarter
from mycareer.regroup import groups_to_join
from mycareer.timeline_jobs import TimelineSpec, one_process, plan_timelines, timelines_from_files
from mycareer.xmlio.career_inputs import read_career_inputs
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update

from ..cli._run import run_cli
from ._bench import bench_module
from ._shuffle import always_shuffle
from .test_timeline_jobs import same

QUARTERS = (Quarter(2024, 1), Quarter(2024, 2))
_Run = TypeVar("_Run")
EMPTY, NOTES, GONE = "dmfa-0020000014-20243-empty.xml", "m-notes.xml", "z-gone.xml"
REFUSED = "dmfa-0020000014-20241.xml"


def _payroll(folder: Path, corrected: bool) -> Path:
    """Three employers' 2024 Q1-Q2 (a record of the first file refused), an empty file
    among them, a text file and a dangling link; with ``corrected``, an update of the
    first employer's Q2 (the plan by identifiers)."""
    files = sorted(bench_module("payroll").generate(folder, 40, QUARTERS, employers=3))
    (folder / EMPTY).write_bytes(b"")
    (folder / NOTES).write_text("these are not declarations\n", encoding="utf-8")
    (folder / GONE).symlink_to(folder / "moved-away.xml")  # a path that cannot be listed
    text = files[0].read_text(encoding="utf-8")  # a refused record, in a file before them
    files[0].write_text(text.replace("<INSS>", "<INSS>1", 1), encoding="utf-8")
    if corrected:
        line = attrs.evolve(next(iter(iter_dmfa(files[1]))), source=None)
        form = DmfaUpdateForm(
            line.employer, line.quarter, datetime(2024, 8, 1, 9), declaration_id="1"
        )
        deleted = DmfaLineUpdate(form, UpdateAction.DELETED, line)
        write_dmfa_update(folder / "upd.xml", form, [deleted])
    return folder


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "corrected"])
def folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _payroll(tmp_path_factory.mktemp("not-documents"), bool(request.param))


def _old_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """The route before: a group of one unread file is never marked (neither a file that
    is no document, nor a DmfA original whose header cannot be read)."""
    monkeypatch.setattr(plans, "mark_alone_files", lambda plan, *_a, **_o: plan)


def test_the_plan_marks_the_files_that_are_no_document(folder: Path) -> None:
    plan = plans.plan_employers([folder])
    assert plan.by_employer
    assert {Path(f).name for f in plan.not_documents} == {EMPTY, NOTES}
    alone = [group for group in plan.groups if not group.keys]
    assert sorted(Path(g.files[0]).name for g in alone) == sorted([EMPTY, NOTES])
    assert all(len(group.files) == 1 for group in alone)
    assert plan.corrections == (folder / "upd.xml").exists()
    assert _files(plan.problems) == [GONE]
    assert str(folder / GONE) not in plan.files
    assert plan_timelines([folder]) == plan


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_document_whose_header_cannot_be_read_is_read_alone_too(
    tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut before its employer: reading rejects it with no employer, which marks every
    employer's results (mycareer.fla.incomplete); read first and given to every group
    (tests/scale/test_headless.py), here among files that are no document."""
    folder = _payroll(tmp_path, corrected=False)
    (folder / "z-cut.xml").write_bytes(b"<DmfAOriginal><Form><Identification>DMFA</Ident")
    plan = plans.plan_employers([folder])
    assert plan.by_employer
    assert {Path(f).name for f in plan.not_documents} == {EMPTY, NOTES}
    assert {Path(f).name for f in plan.headless} == {"z-cut.xml"}
    grouped, expected = _both(
        lambda: pipeline.entitlements_for_year([folder], 2024, jobs=jobs), monkeypatch, pipeline
    )
    assert grouped.entitlements == expected.entitlements
    assert _said(grouped.errors) == _said(expected.errors)
    assert _files(grouped.errors) == [REFUSED, EMPTY, NOTES, "z-cut.xml", GONE]
    assert all("z-cut.xml" in str(e.findings) for e in grouped.entitlements)


def _both(
    run: Callable[[], _Run],
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    old_route: Callable[[pytest.MonkeyPatch], None] = _old_route,
) -> tuple[_Run, _Run]:
    """``run()`` by employer (one read of everything refused, and the read again as one
    group), then by the old route."""
    with monkeypatch.context() as patch:
        patch.setattr(module, "_read_all", _refused)
        if module is pipeline:
            patch.setattr(pipeline, "_one_group", _refused)
        else:  # nor the accounts' own fall-back to one group
            patch.setattr(
                account_jobs, "groups_to_join", lambda *a: _never_none(groups_to_join(*a))
            )
        grouped = run()
    with monkeypatch.context() as patch:
        old_route(patch)
        expected = run()
    return grouped, expected


def _refused(*_args: object, **_options: object) -> object:
    raise AssertionError("the run fell back to one read of everything")


def _never_none(joins: Any) -> Any:
    assert joins is not None, "the run fell back to one group of everything"
    return joins


def _said(errors: Any) -> list[tuple[str, object]]:
    return [(str(e), e.source) for e in errors]


def _files(errors: Any) -> list[str]:
    return [Path(e.source.file).name for e in errors if e.source and e.source.file]


@pytest.mark.parametrize("jobs", [1, 2])
def test_entitlements_are_those_of_one_read(
    folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped, expected = _both(
        lambda: pipeline.entitlements_for_year([folder], 2024, jobs=jobs), monkeypatch, pipeline
    )
    assert grouped.entitlements == expected.entitlements
    assert len(grouped.entitlements) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert _files(grouped.errors) == [REFUSED, EMPTY, NOTES, GONE]  # by file, unlisted last
    assert grouped.findings == expected.findings


@pytest.mark.parametrize("jobs", [1, 2])
def test_accounts_are_those_of_one_read(
    folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped, expected = _both(
        lambda: accounts_from_files([folder], jobs=jobs), monkeypatch, account_jobs
    )
    assert grouped.accounts == expected.accounts
    assert len(grouped.accounts.accounts) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert _files(grouped.errors) == [REFUSED, EMPTY, NOTES, GONE]
    assert grouped.findings == expected.findings


@pytest.mark.parametrize("jobs", [1, 2])
def test_timelines_are_those_of_one_read(
    folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = one_process(read_career_inputs([folder]), TimelineSpec())
    always_shuffle(monkeypatch)
    run = timelines_from_files([folder], jobs=jobs)
    assert same(run, expected)
    assert len(run.workers) > 30
    # read_career_inputs' own order: unlisted, sorted out, then read
    assert _files(run.errors) == [GONE, EMPTY, NOTES, REFUSED]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_path_only_the_timeline_lists_is_reported_as_one_read_does(
    tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dangling ``.json`` link is refused by the timeline's listing (sidecars), not by
    the DmfA plan's: the timeline's plan keeps its own listing's problems (it sent the
    run to one read until 6 December 2026), first, as read_career_inputs reports them."""
    folder = _payroll(tmp_path, corrected=False)
    (folder / "outcomes.json").symlink_to(folder / "moved-away.json")
    assert _files(plans.plan_employers([folder]).problems) == [GONE]
    plan = plan_timelines([folder])
    assert plan is not None
    assert _files(plan.problems) == ["outcomes.json", GONE]
    expected = one_process(read_career_inputs([folder]), TimelineSpec())
    always_shuffle(monkeypatch)
    run = timelines_from_files([folder], jobs=jobs)
    assert same(run, expected)
    assert _files(run.errors) == ["outcomes.json", GONE, EMPTY, NOTES, REFUSED]


@pytest.mark.parametrize("command", [["entitlements", "--year", "2024"], ["account"], ["timeline"]])
def test_the_commands_say_the_same_whatever_the_jobs(
    folder: Path, tmp_path: Path, command: list[str]
) -> None:
    """Each file's error on stderr, exit 1 (errors), the same output with 1 or 2 jobs."""
    code, stderr, output = _said_whatever_the_jobs(command, folder, tmp_path)
    assert code == 1
    named = _named_in_errors(stderr)
    in_order = (
        [GONE, EMPTY, NOTES, REFUSED] if command == ["timeline"] else [REFUSED, EMPTY, NOTES, GONE]
    )
    assert named == in_order
    assert len(output) > 1000


def _named_in_errors(stderr: str) -> list[str]:
    """The file each error line of a command's ``stderr`` names, in order."""
    errors = [line.split(": error: ")[1] for line in stderr.splitlines() if ": error: " in line]
    return [Path(error.split(":")[0]).name for error in errors]


def _said_whatever_the_jobs(
    command: list[str], folder: Path, tmp_path: Path
) -> tuple[int, str, bytes]:
    """``command`` on ``folder`` as a subprocess, ``--format json -o``, with 1 then 2 jobs:
    the same exit code, messages and bytes (returned)."""
    said = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}.json"
        done = run_cli(*command, folder, "--format", "json", "--jobs", jobs, "-o", out)
        said.append((done.returncode, done.stdout, done.stderr, out.read_bytes()))
    assert said[0] == said[1]
    code, _stdout, stderr, output = said[0]
    return code, stderr, output
