"""Documents of other kinds (a Dimona declaration, a personnel file, a document of no
known kind) among DmfA originals: the DmfA runs stay by employer, and say each aside.

One such file among a country's files sent ``entitlements`` and ``account`` through one
read of everything in one process (every record held), and a Dimona declaration given
to them was left out without a word (``CorrectedDmfaBatch.skipped``, which nobody
reported). Now the plan gives each a group of its own (``Plan.other_kinds``,
``Plan.dmfa_by_employer``), and reading it says what one read says of it: a
``DOCUMENT_NOT_READ`` info finding, or the error of a document of no known kind. The
oracle is the old route (one read of everything) on the same files. The timeline reads
Dimona declarations and personnel files, and so keeps its one read.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from mycareer import account_jobs, pipeline, plans
from mycareer.account_jobs import accounts_from_files
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.findings import Severity
from mycareer.quarter import Quarter
from mycareer.timeline_jobs import plan_timelines
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update
from mycareer.xmlio.documents import DOCUMENT_NOT_READ

from ._bench import bench_module
from .test_not_documents import _both, _files, _said, _said_whatever_the_jobs

QUARTERS = (Quarter(2024, 1), Quarter(2024, 2))
# Named to come before, among and after the DmfA files (dmfa-*.xml): in file order, not
# in the plan's (groups without an employer last).
DIMONA, PERSONNEL, INVOICE = "a-dimona.xml", "n-personnel.xml", "c-invoice.xml"
ASIDE = [DIMONA, PERSONNEL]  # known kinds, not DmfA: said in a finding each
REFUSED = "dmfa-0020000014-20241.xml"
CORRECTED, UPDATE = "dmfa-0020000014-20242.xml", "upd.xml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers' 2024 Q1-Q2 (a record of the first file refused), and among them a
    Dimona declaration, a personnel file and a document of no known kind."""
    folder = tmp_path_factory.mktemp("other-kinds")
    files = sorted(bench_module("payroll").generate(folder, 40, QUARTERS, employers=3))
    text = files[0].read_text(encoding="utf-8")
    files[0].write_text(text.replace("<INSS>", "<INSS>1", 1), encoding="utf-8")
    (folder / DIMONA).write_bytes(b"<Dimona>\n<Form/></Dimona>")
    (folder / PERSONNEL).write_bytes(b"<PersonnelFileConsultationAnswer/>")
    (folder / INVOICE).write_bytes(b"<Invoice/>")
    return folder


def _names(paths: Any) -> set[str]:
    return {Path(path).name for path in paths}


def test_each_document_of_another_kind_is_a_group_of_its_own(folder: Path) -> None:
    plan = plans.plan_employers([folder])
    assert _names(plan.other_kinds) == {DIMONA, PERSONNEL, INVOICE}
    alone = [group for group in plan.groups if not group.keys]
    assert sorted(Path(g.files[0]).name for g in alone) == sorted([DIMONA, PERSONNEL, INVOICE])
    assert all(len(group.files) == 1 for group in alone)
    assert len(plan.groups) == 6  # the three employers' and theirs
    assert plan.dmfa_by_employer
    assert not plan.by_employer  # the timeline reads them: not by this plan
    assert plan_timelines([folder]) is None
    assert not plan.not_documents  # not re-read as files that are no document


@pytest.fixture(scope="module")
def corrected(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same files and a DmfA update deleting a line of the first employer's Q2."""
    corrected = tmp_path_factory.mktemp("other-kinds-corrected")
    for path in folder.iterdir():
        (corrected / path.name).write_bytes(path.read_bytes())
    line = attrs.evolve(next(iter(iter_dmfa(corrected / CORRECTED))), source=None)
    form = DmfaUpdateForm(line.employer, line.quarter, datetime(2024, 8, 1, 9), declaration_id="1")
    write_dmfa_update(
        corrected / UPDATE, form, [DmfaLineUpdate(form, UpdateAction.DELETED, line)]
    )
    return corrected


def test_corrections_among_other_kinds_go_by_employer(corrected: Path) -> None:
    """Each correction with its employer's originals, each document of another kind a
    group of its own: until 7 December 2026 the run was one read of everything."""
    plan = plans.plan_employers([corrected])
    assert plan.corrections
    assert _names(plan.other_kinds) == {DIMONA, PERSONNEL, INVOICE}
    assert len(plan.groups) == 6
    first = next(group for group in plan.groups if UPDATE in _names(group.files))
    assert _names(first.files) == {REFUSED, CORRECTED, UPDATE}
    assert plan.dmfa_by_employer
    assert not plan.by_employer
    assert plan_timelines([corrected]) is None


def _as_before(patch: pytest.MonkeyPatch) -> None:
    """The old route: the plan by employer only without other kinds (one read of
    everything)."""
    patch.setattr(plans.Plan, "dmfa_by_employer", property(lambda plan: plan.by_employer))


def _aside(findings: Any) -> list[str]:
    """The files said to be left aside, in the order said."""
    return [Path(f.source.file).name for f in findings if f.code == DOCUMENT_NOT_READ]


FOLDERS = pytest.mark.parametrize("name", ["folder", "corrected"])


@FOLDERS
@pytest.mark.parametrize("jobs", [1, 2])
def test_entitlements_are_those_of_one_read(
    name: str, jobs: int, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    folder = request.getfixturevalue(name)
    grouped, expected = _both(
        lambda: pipeline.entitlements_for_year([folder], 2024, jobs=jobs),
        monkeypatch,
        pipeline,
        _as_before,
    )
    assert grouped.entitlements == expected.entitlements
    assert len(grouped.entitlements) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert _files(grouped.errors) == [INVOICE, REFUSED]
    assert grouped.findings == expected.findings
    assert _aside(grouped.findings) == ASIDE
    assert all(f.severity is Severity.INFO for f in grouped.findings if f.code == DOCUMENT_NOT_READ)


@FOLDERS
@pytest.mark.parametrize("jobs", [1, 2])
def test_accounts_are_those_of_one_read(
    name: str, jobs: int, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    folder = request.getfixturevalue(name)
    grouped, expected = _both(
        lambda: accounts_from_files([folder], jobs=jobs), monkeypatch, account_jobs, _as_before
    )
    assert grouped.accounts == expected.accounts
    assert len(grouped.accounts.accounts) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert _files(grouped.errors) == [INVOICE, REFUSED]
    assert grouped.findings == expected.findings
    assert _aside(grouped.findings) == ASIDE


@FOLDERS
@pytest.mark.parametrize("module", [pipeline, account_jobs])
def test_a_document_of_another_kind_named_twice_is_read_once(
    name: str, module: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Its folder and itself: one read sorts it once (a document of no known kind gave
    its error twice by employer, found in review)."""
    folder = request.getfixturevalue(name)
    paths = [folder, folder / INVOICE, folder / DIMONA]
    assert len(plans.plan_employers(paths).groups) == 6
    grouped: Any
    expected: Any
    if module is pipeline:
        grouped, expected = _both(
            lambda: pipeline.entitlements_for_year(paths, 2024, jobs=1),
            monkeypatch, pipeline, _as_before,
        )  # fmt: skip
    else:
        grouped, expected = _both(
            lambda: accounts_from_files(paths, jobs=1), monkeypatch, module, _as_before
        )
    assert _said(grouped.errors) == _said(expected.errors)
    assert sorted(_files(grouped.errors)) == sorted([INVOICE, REFUSED])  # each once
    assert grouped.findings == expected.findings
    assert sorted(_aside(grouped.findings)) == sorted(ASIDE)


@pytest.mark.parametrize("command", [["entitlements", "--year", "2024"], ["account"]])
def test_the_commands_say_what_they_leave_aside(
    folder: Path, tmp_path: Path, command: list[str]
) -> None:
    """One info line for each file left aside, the unknown document's error (exit 1), the
    same bytes with 1 or 2 jobs."""
    code, stderr, output = _said_whatever_the_jobs(command, folder, tmp_path)
    assert code == 1
    aside = [line for line in stderr.splitlines() if "info DOCUMENT_NOT_READ" in line]
    assert [next(n for n in ASIDE if n in line) for line in aside] == ASIDE
    assert "<Dimona> is not a DmfA original" in aside[0]
    assert any(INVOICE in line and ": error: " in line for line in stderr.splitlines())
    assert len(output) > 1000
