"""DmfA originals whose header names no employer the pre-scan can read, among other files.

A file cut before its employer (a failed transfer), or whose ``CompanyID`` is no
enterprise number, used to send ``entitlements``, ``account`` and ``timeline`` through one
read of everything in one process (every record held: on the 450 payroll files plus one
such file, ``entitlements --jobs 2`` peaked at 309 MB against 45 MB). Reading such a
file rejects it with no employer, and that rejection concerns every employer's results
(``REFERENCE_INCOMPLETE``, :mod:`mycareer.fla.incomplete`). The plan now marks these files
(``Plan.headless``); the entitlement runs read them first and give their rejections to
every other group, ordered among a group's own rejected files as one read orders them
(:func:`mycareer.pipeline.execute`). The oracle is the old route (one read of
everything, the marking made to give up) on the same files: the same entitlements,
accounts and timelines, errors and findings, in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from mycareer import account_jobs, pipeline, plans
from mycareer.account_jobs import accounts_from_files
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.fla.incomplete import REFERENCE_INCOMPLETE
from mycareer.quarter import Quarter
from mycareer.timeline_jobs import TimelineSpec, one_process, plan_timelines, timelines_from_files
from mycareer.xmlio.career_inputs import read_career_inputs
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update

from ..cli._run import run_cli
from ._bench import bench_module
from ._shuffle import always_shuffle
from .test_not_documents import _both, _old_route, _said
from .test_timeline_jobs import same

QUARTERS = (Quarter(2024, 1), Quarter(2024, 2))
#: A file of the last employer, cut after its first worker: rejected, its employer known.
OWN_CUT = "dmfa-0020000212-20241.xml"


def _cut_before_quarter(text: str) -> str:
    return text[: text.index("<Quarter>")]


def _cut_before_employer(quarter: str) -> Callable[[str], str]:
    def cut(text: str) -> str:
        head = text[: text.index("<NOSSRegistrationNbr>")]
        return head.replace(head[head.index("<Quarter>") :], f"<Quarter>{quarter}</Quarter>\n")

    return cut


def _invalid_employer(text: str) -> str:
    """The whole file, its enterprise number's check digit wrong."""
    start = text.index("<CompanyID>") + len("<CompanyID>")
    return text[: start + 9] + str((int(text[start + 9]) + 1) % 10) + text[start + 10 :]


#: Per case: the headless files (name, how each is made from a real file's text), and
#: whether a file of an employer is also rejected (its own rejection, to order).
CASES: dict[str, tuple[list[tuple[str, Callable[[str], str]]], bool]] = {
    "cut-first": ([("a-cut.xml", _cut_before_quarter)], True),
    "cut-last": ([("z-cut.xml", _cut_before_quarter)], True),
    "quarter-known": ([("m-quarter.xml", _cut_before_employer("20242"))], False),
    "before-the-years": ([("m-2019.xml", _cut_before_employer("20193"))], True),
    "invalid-employer": ([("dmfa-0020000113-20241-bad.xml", _invalid_employer)], True),
    "two": (
        [("b-q1.xml", _cut_before_employer("20241")), ("y-cut.xml", _cut_before_quarter)],
        True,
    ),
    "corrected": ([("m-cut.xml", _cut_before_quarter)], True),
    "two-own": ([("a-cut.xml", _cut_before_quarter)], True),
}
#: Per case, files of other employers also cut after their first worker: with the last
#: employer's, two groups rejected files of their own, run again with their places in
#: one call (pipeline._run_tasks).
MORE_OWN_CUTS = {"two-own": ("dmfa-0020000113-20242.xml",)}


def _folder(folder: Path, case: str) -> Path:
    headless, own = CASES[case]
    files = sorted(bench_module("payroll").generate(folder, 40, QUARTERS, employers=3))
    text = files[0].read_text(encoding="utf-8")
    for name, make in headless:
        (folder / name).write_text(make(text), encoding="utf-8")
    for cut in (OWN_CUT, *MORE_OWN_CUTS.get(case, ())) if own else ():
        own_text = (folder / cut).read_text(encoding="utf-8")
        end = own_text.index("</NaturalPerson>") + 200
        (folder / cut).write_text(own_text[:end], encoding="utf-8")
    if case == "corrected":  # the plan by identifiers
        line = attrs.evolve(next(iter(iter_dmfa(files[1]))), source=None)
        form = DmfaUpdateForm(
            line.employer, line.quarter, datetime(2024, 8, 1, 9), declaration_id="1"
        )
        write_dmfa_update(
            folder / "upd.xml", form, [DmfaLineUpdate(form, UpdateAction.DELETED, line)]
        )
    return folder


@pytest.fixture(scope="module", params=list(CASES))
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    name = str(request.param)
    return name, _folder(tmp_path_factory.mktemp(name), name)


def _marks(entitlements: Any) -> list[str]:
    return [
        f.source.file for e in entitlements for f in e.findings if f.code == REFERENCE_INCOMPLETE
    ]


def test_the_plan_marks_the_headless_files(case: tuple[str, Path]) -> None:
    name, folder = case
    plan = plans.plan_employers([folder])
    assert plan.by_employer
    assert {Path(f).name for f in plan.headless} == {n for n, _make in CASES[name][0]}
    assert not plan.not_documents
    assert plan_timelines([folder]) == plan


@pytest.mark.parametrize("jobs", [1, 2])
def test_entitlements_are_those_of_one_read(
    case: tuple[str, Path], jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, folder = case
    grouped, expected = _both(
        lambda: pipeline.entitlements_for_year([folder], 2024, jobs=jobs), monkeypatch, pipeline
    )
    assert grouped.entitlements == expected.entitlements
    assert len(grouped.entitlements) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert grouped.findings == expected.findings
    marks = _marks(grouped.entitlements)
    headless = [n for n, _make in CASES[name][0] if n != "m-2019.xml"]  # 2019: no result's
    assert {Path(file).name for file in marks} - {OWN_CUT, *MORE_OWN_CUTS.get(name, ())} == set(
        headless
    )
    each = [[Path(file).name for file in _marks([e])] for e in grouped.entitlements]
    assert all(names == sorted(names) for names in each)  # by file, as the folder lists them
    assert any(OWN_CUT in names and len(names) > 1 for names in each) == (
        CASES[name][1] and bool(headless)
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_entitlement_json_is_that_of_one_read(
    case: tuple[str, Path], jobs: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The texts, and the array written while computing (``json_to``)."""
    _name, folder = case
    outputs = iter([tmp_path / "grouped.json", tmp_path / "expected.json"])

    def run() -> Any:
        with next(outputs).open("w+b") as out:
            return pipeline.entitlements_for_year(
                [folder], 2024, jobs=jobs, render="json", json_to=out
            )

    grouped, expected = _both(run, monkeypatch, pipeline)
    assert list(grouped.json) == list(expected.json)
    assert any(REFERENCE_INCOMPLETE in text for text in grouped.json)
    assert grouped.json_written
    written = json.loads((tmp_path / "grouped.json").read_text(encoding="utf-8"))
    assert written == [json.loads(text) for text in expected.json]


@pytest.mark.parametrize("jobs", [1, 2])
def test_accounts_are_those_of_one_read(
    case: tuple[str, Path], jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _name, folder = case
    grouped, expected = _both(
        lambda: accounts_from_files([folder], jobs=jobs), monkeypatch, account_jobs
    )
    assert grouped.accounts == expected.accounts
    assert len(grouped.accounts.accounts) > 30
    assert _said(grouped.errors) == _said(expected.errors)
    assert grouped.findings == expected.findings


@pytest.mark.parametrize("jobs", [1, 2])
def test_timelines_are_those_of_one_read(
    case: tuple[str, Path], jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _name, folder = case
    expected = one_process(read_career_inputs([folder]), TimelineSpec())
    always_shuffle(monkeypatch)
    run = timelines_from_files([folder], jobs=jobs)
    assert same(run, expected)
    assert len(run.workers) > 30


def test_a_headless_file_that_holds_records_sends_the_run_to_one_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Should a file the pre-scan could not name hold records after all, its group names
    an employer: the run is then one read of everything, which alone gives the results."""
    folder = _folder(tmp_path, "cut-first")
    plan = plans.plan_employers([folder])
    moved = next(f for f in plan.files if Path(f).name == "dmfa-0020000113-20242.xml")
    groups = [attrs.evolve(g, files=tuple(f for f in g.files if f != moved)) for g in plan.groups]
    posing = attrs.evolve(
        plan,
        groups=(*groups, plans.EmployerGroup((), (moved,), 1)),
        headless=plan.headless | {moved},
    )
    calls: list[int] = []
    one_group = pipeline._one_group

    def counted(*args: Any) -> Any:
        calls.append(1)
        return one_group(*args)

    monkeypatch.setattr(pipeline, "_one_group", counted)
    spec = pipeline.EntitlementSpec(2024)
    run = pipeline.run_plan(posing, spec, jobs=1)
    assert calls == [1]
    with monkeypatch.context() as patch:
        _old_route(patch)
        expected = pipeline.entitlements_for_year([folder], 2024, jobs=1)
    assert run.entitlements == expected.entitlements
    assert _said(run.errors) == _said(expected.errors)


def test_the_command_says_the_same_whatever_the_jobs(tmp_path: Path) -> None:
    """Each result marked, the headless file's error on stderr, exit 1, one output."""
    folder = _folder(tmp_path / "in", "cut-last")
    said = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}.json"
        done = run_cli(
            "entitlements", folder, "--year", "2024", "--format", "json", "--jobs", jobs, "-o", out
        )
        said.append((done.returncode, done.stdout, done.stderr, out.read_bytes()))
    assert said[0] == said[1]
    code, _stdout, stderr, output = said[0]
    assert code == 1
    errors = [line.split(": error: ")[1] for line in stderr.splitlines() if ": error: " in line]
    assert [Path(error.split(":")[0]).name for error in errors] == [OWN_CUT, "z-cut.xml"]
    text = output.decode("utf-8")
    assert text.count("z-cut.xml (quarter unknown)") == text.count('"niss"') > 30


def test_groups_with_rejected_files_of_their_own_run_again_in_one_call(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two employers' groups with rejected files of their own and a headless file: both
    run again with their places in one call of the mapper (on a cluster each call sends
    the run's spec again), with the results of one process (one read's: the cases above)."""
    folder = _folder(tmp_path, "two-own")
    expected = pipeline.entitlements_for_year([folder], 2024, jobs=1)
    placed: list[list[str]] = []
    place = pipeline._placed

    def spied(spec: Any, plan: Any, groups: Any) -> Any:
        groups = list(groups)
        placed.append(sorted(Path(f).name for g in groups for f in g.files if "cut" not in f))
        return place(spec, plan, groups)

    monkeypatch.setattr(pipeline, "_placed", spied)
    grouped = pipeline.entitlements_for_year([folder], 2024, jobs=2)
    assert len(placed) == 1
    assert {OWN_CUT, *MORE_OWN_CUTS["two-own"]} <= set(placed[0])
    assert grouped.entitlements == expected.entitlements
    assert _said(grouped.errors) == _said(expected.errors)
