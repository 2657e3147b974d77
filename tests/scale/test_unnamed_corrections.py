"""DmfA corrections whose first form names no employer the pre-scan can read.

A modification declaration cut before its employer, or whose first form's enterprise
number is invalid, sent every command through one read of everything in one process
(every record held, one core): its group had no employer. Reading such a file is all or
nothing, and a form whose employer cannot be read gives its error and none of its lines
(:func:`mycareer.xmlio.flows.read_corrected_dmfa`, ``mycareer.xmlio.dmfa_update``): so a
correction none of whose forms names an employer gives its errors only, whichever way it
is read, and is a group of its own (``Plan.unnamed_corrections``); one whose later forms
name one goes with that employer (the pre-scan reads every form's numbers, as it does
for any correction). The oracle is the old route (one read of everything: the plan's
marking made to give up) on the same files.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from mycareer import account_jobs, pipeline, plans
from mycareer.account_jobs import accounts_from_files
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.quarter import Quarter
from mycareer.timeline_jobs import TimelineSpec, one_process, plan_timelines, timelines_from_files
from mycareer.xmlio import headers
from mycareer.xmlio.career_inputs import read_career_inputs
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import dmfa_update_bytes
from mycareer.xmlio.headers import scan_employer

from ._bench import bench_module
from ._shuffle import always_shuffle
from .test_not_documents import (
    _both,
    _files,
    _named_in_errors,
    _old_route,
    _said,
    _said_whatever_the_jobs,
)
from .test_timeline_jobs import same

QUARTERS = (Quarter(2024, 1), Quarter(2024, 2))
REFUSED = "dmfa-0020000014-20241.xml"
# Named to come before, among and after the DmfA files (file order is not the plan's).
CUT, INVALID, TWO = "a-upd-cut.xml", "n-upd-invalid.xml", "z-upd-two.xml"
WRONG_CHECK_DIGITS = "0000000099"  # 0000000097 is a valid enterprise number


def _update(line: DmfaWorkerRecord, employer_text: str | None = None) -> bytes:
    """A modification deleting ``line``; ``employer_text`` replaces its employer's
    enterprise number (the NSSO number is 0: the form names no other)."""
    record = attrs.evolve(line, source=None)
    created = datetime(2024, 8, 1, 9)
    form = DmfaUpdateForm(record.employer, record.quarter, created, declaration_id="1")
    data = dmfa_update_bytes(form, [DmfaLineUpdate(form, UpdateAction.DELETED, record)])
    if employer_text is not None:
        old = f"<CompanyID>{record.employer.key}</CompanyID>".encode()
        assert old in data
        data = data.replace(old, f"<CompanyID>{employer_text}</CompanyID>".encode())
    return data


def _forms(data: bytes) -> bytes:
    """The ``<Form>`` elements of a DmfAUpdate document."""
    return data[data.index(b"<Form>") : data.rindex(b"</Form>") + len(b"</Form>")]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers' 2024 Q1-Q2 (a record of the first file refused) and three
    modifications: one cut before its first employer, one whose only form's enterprise
    number is invalid, and one of two forms, the first invalid and the second deleting a
    line of the third employer (applied: it goes with that employer)."""
    folder = tmp_path_factory.mktemp("unnamed-corrections")
    files = sorted(bench_module("payroll").generate(folder, 40, QUARTERS, employers=3))
    text = files[0].read_text(encoding="utf-8")
    files[0].write_text(text.replace("<INSS>", "<INSS>1", 1), encoding="utf-8")
    first, third = next(iter(iter_dmfa(files[1]))), next(iter(iter_dmfa(files[-1])))
    whole = _update(first)
    (folder / CUT).write_bytes(whole[: whole.index(b"<CompanyID>")])
    invalid = _update(first, WRONG_CHECK_DIGITS)
    (folder / INVALID).write_bytes(invalid)
    valid = _update(third)
    two = invalid.replace(_forms(invalid), _forms(invalid) + b"\n" + _forms(valid))
    (folder / TWO).write_bytes(two)
    return folder


def test_the_scan_reads_every_form_of_a_correction_whose_first_names_none(
    folder: Path,
) -> None:
    """The later form's numbers, though the first form's are unclear."""
    root, key, _quarter, ids = scan_employer(folder / TWO)
    assert root == "DmfAUpdate"
    assert key is None
    third = sorted(folder.glob("dmfa-*.xml"))[-1].name.split("-")[1]
    assert ids == (f"e:{third}",)
    assert scan_employer(folder / INVALID)[3] == ()
    assert scan_employer(folder / CUT)[3] == ()


def test_the_plan_stays_by_employer(folder: Path) -> None:
    plan = plans.plan_employers([folder])
    assert {Path(f).name for f in plan.unnamed_corrections} == {CUT, INVALID}
    alone = sorted(Path(g.files[0]).name for g in plan.groups if not g.keys)
    assert alone == sorted([CUT, INVALID])
    assert len(plan.groups) == 5  # the three employers' and theirs
    two = next(group for group in plan.groups if str(folder / TWO) in group.files)
    assert len(two.files) == 3  # the third employer's two quarters
    assert plan.corrections
    assert plan.by_employer
    assert plan.dmfa_by_employer
    assert plan_timelines([folder]) == plan
    assert not plan.not_documents
    assert not plan.headless


def _applied(findings: object) -> list[str]:
    return [
        Path(f.source.file).name
        for f in findings  # type: ignore[attr-defined]
        if f.code == "DMFA_UPDATE_APPLIED"
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_entitlements_are_those_of_one_read(
    folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped, expected = _both(
        lambda: pipeline.entitlements_for_year([folder], 2024, jobs=jobs),
        monkeypatch,
        pipeline,
        _old_route,
    )
    assert grouped.entitlements == expected.entitlements
    assert len(grouped.entitlements) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert _files(grouped.errors) == [CUT, REFUSED, INVALID, TWO]
    assert grouped.findings == expected.findings
    assert _applied(grouped.findings) == [TWO]


@pytest.mark.parametrize("jobs", [1, 2])
def test_accounts_are_those_of_one_read(
    folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped, expected = _both(
        lambda: accounts_from_files([folder], jobs=jobs), monkeypatch, account_jobs, _old_route
    )
    assert grouped.accounts == expected.accounts
    assert len(grouped.accounts.accounts) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert _files(grouped.errors) == [CUT, REFUSED, INVALID, TWO]
    assert grouped.findings == expected.findings
    assert _applied(grouped.findings) == [TWO]


@pytest.mark.parametrize("route", ["entitlements", "account", "timeline"])
def test_a_form_the_scan_missed_is_read_again_with_its_employer(
    folder: Path, route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the scan to miss the later form (the file then marked as naming no employer),
    the group that reads it names the employer its form corrects, and is read again with
    that employer's (mycareer.regroup): still one read's results."""
    monkeypatch.setattr(headers, "_every_form_ids", lambda _path, _root, first: first)
    plan = plans.plan_employers([folder])
    assert {Path(f).name for f in plan.unnamed_corrections} == {CUT, INVALID, TWO}
    compared = _against_one_read(folder, route, 1, monkeypatch)
    if compared is not None:
        assert _applied(compared.findings) == [TWO]
    if route == "entitlements":
        assert compared.regrouped


def _against_one_read(
    folder: Path, route: str, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """The route's run by employer, checked against one read of everything (results,
    errors and findings); None for the timelines (compared whole here)."""
    if route == "timeline":
        one_read = one_process(read_career_inputs([folder]), TimelineSpec())
        taken = always_shuffle(monkeypatch)
        assert same(timelines_from_files([folder], jobs=jobs), one_read)
        assert taken  # by employer, not one read
        return None
    grouped: Any
    expected: Any
    if route == "entitlements":
        run: Any = lambda: pipeline.entitlements_for_year([folder], 2024, jobs=jobs)  # noqa: E731
        grouped, expected = _both(run, monkeypatch, pipeline, _old_route)
        assert grouped.entitlements == expected.entitlements
    else:
        run = lambda: accounts_from_files([folder], jobs=jobs)  # noqa: E731
        grouped, expected = _both(run, monkeypatch, account_jobs, _old_route)
        assert grouped.accounts == expected.accounts
    assert _said(grouped.errors) == _said(expected.errors)
    assert grouped.findings == expected.findings
    return grouped


@pytest.mark.parametrize("jobs", [1, 2])
def test_timelines_are_those_of_one_read(
    folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = one_process(read_career_inputs([folder]), TimelineSpec())
    taken = always_shuffle(monkeypatch)
    run = timelines_from_files([folder], jobs=jobs)
    assert len(taken) == 1  # by employer, shuffled: not one read
    assert same(run, expected)
    assert len(run.workers) > 30
    assert sorted(_files(run.errors)) == sorted([CUT, REFUSED, INVALID, TWO])


@pytest.mark.parametrize("command", [["entitlements", "--year", "2024"], ["account"], ["timeline"]])
def test_the_commands_say_the_same_whatever_the_jobs(
    folder: Path, tmp_path: Path, command: list[str]
) -> None:
    """Each correction's error on stderr, exit 1, the same output with 1 or 2 jobs."""
    code, stderr, output = _said_whatever_the_jobs(command, folder, tmp_path)
    assert code == 1
    assert set(_named_in_errors(stderr)) == {CUT, REFUSED, INVALID, TWO}
    assert WRONG_CHECK_DIGITS in stderr
    assert len(output) > 1000


ORPHAN = "z-upd-orphan.xml"
STRANGER = Employer(EnterpriseNumber("0202239951"))  # declares nothing in the input


@pytest.fixture(scope="module")
def orphan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers' 2024 Q1-Q2 and a correction without its original: its first
    form's enterprise number is invalid, its second creates a line of an employer that
    no original declares (one read opens that employer's quarter for it)."""
    folder = tmp_path_factory.mktemp("orphan-correction")
    files = sorted(bench_module("payroll").generate(folder, 40, QUARTERS, employers=3))
    line = next(iter(iter_dmfa(files[1])))
    stranger = attrs.evolve(line, employer=STRANGER, source=None)
    form = DmfaUpdateForm(STRANGER, stranger.quarter, datetime(2024, 8, 1, 9), "1")
    created = dmfa_update_bytes(form, [DmfaLineUpdate(form, UpdateAction.CREATED, stranger)])
    invalid = _update(line, WRONG_CHECK_DIGITS)
    two = invalid.replace(_forms(invalid), _forms(invalid) + b"\n" + _forms(created))
    (folder / ORPHAN).write_bytes(two)
    return folder


@pytest.mark.parametrize("route", ["entitlements", "account", "timeline"])
def test_a_correction_without_its_original_whose_first_form_names_none(
    orphan: Path, route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its group has no key (its only employer declares no original), and reading it
    alone gives what one read of everything gives: its first form's error, and the line
    its second creates in a quarter of its own."""
    plan = plans.plan_employers([orphan])
    assert plan.by_employer
    assert {Path(f).name for f in plan.unnamed_corrections} == {ORPHAN}
    assert plan_timelines([orphan]) == plan
    grouped = _against_one_read(orphan, route, 2, monkeypatch)
    if grouped is not None:
        assert _files(grouped.errors) == [ORPHAN]
        assert _applied(grouped.findings) == [ORPHAN]
    if route == "entitlements":
        assert STRANGER.key in {e.employer.key for e in grouped.entitlements}
