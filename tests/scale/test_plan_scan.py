"""What a plan's pre-scan read of each file goes with its group, which does not read it again.

Each DmfA file's beginning was read by the plan's header scan, then again by its
group's stream for its kind and header (docs/performance.md, "Small employers": about
8 % of the CPU of 9,000 small employers' files); with a DmfA correction among the
files, the plan read every header a second time for the employers' identifiers. The
plan now reads each beginning once and keeps each original's kind and quarter
(``EmployerGroup.scanned``). The oracles: ``scan_document`` of each file, and every
run's results with the plan's scan left out (the route before).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from mycareer import pipeline
from mycareer.account_jobs import accounts_from_files
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.plans import EmployerGroup, plan_employers, plan_from_employers
from mycareer.quarter import Quarter
from mycareer.timeline_jobs import timelines_from_files
from mycareer.xmlio import flows, headers
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update
from mycareer.xmlio.documents import DocumentKind
from mycareer.xmlio.headers import Header, scan_document, scan_employer

from ._bench import bench_module
from ._shuffle import always_shuffle
from .test_timeline_jobs import same

QUARTERS = (Quarter(2024, 1), Quarter(2024, 2), Quarter(2024, 3))
NEWER = "dmfa-0020000014-20242.xml"  # its schema location names a version not checked
CUT = "dmfa-0020000212-20242.xml"
AGAIN = "dmfa-0020000212-20243.xml"  # and its duplicate
UPDATED = "dmfa-0020000113-20242.xml"  # the original the correction names
UPDATE = "upd.xml"


@pytest.fixture(scope="module", params=[False, True], ids=["plain", "corrected"])
def folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers' 2024 Q1-Q3; one file of a newer glossary version (a finding only
    its kind gives), a duplicate original (its header orders it), a file cut part-way;
    corrected: a DmfA update deleting a line of the second employer's Q2 (the plan by
    identifiers, :mod:`mycareer.correction_groups`)."""
    made = tmp_path_factory.mktemp("plan-scan")
    bench_module("payroll").generate(made, 30, QUARTERS, employers=3)
    newer = made / NEWER
    newer.write_bytes(newer.read_bytes().replace(b"Original_20231.xsd", b"Original_20301.xsd"))
    shutil.copy(made / AGAIN, made / AGAIN.replace(".xml", "-again.xml"))
    cut = (made / CUT).read_bytes()
    (made / CUT).write_bytes(cut[: len(cut) * 2 // 3])
    if request.param:
        line = attrs.evolve(next(iter(iter_dmfa(made / UPDATED))), source=None)
        form = DmfaUpdateForm(line.employer, line.quarter, datetime(2024, 8, 1, 9), "1")
        write_dmfa_update(made / UPDATE, form, [DmfaLineUpdate(form, UpdateAction.DELETED, line)])
    return made


def _unread(folder: Path) -> list[str]:
    """The files a group reads the beginning of itself: the correction, when there is one."""
    return [str(folder / UPDATE)] if (folder / UPDATE).exists() else []


def test_each_group_keeps_the_kind_and_header_scan_document_reads(folder: Path) -> None:
    plan = plan_employers([folder])
    known: dict[str, tuple[DocumentKind, Header]] = {}
    for group in plan.groups:
        found = group.known_headers()
        assert found == {
            name: scan_document(name) for name in group.files if name not in _unread(folder)
        }
        known.update(found)
    assert set(known) == set(plan.files) - set(_unread(folder))
    assert len(plan.files) == 3 * len(QUARTERS) + 1 + len(_unread(folder))
    assert plan.corrections == bool(_unread(folder))
    assert {kind.version for kind, _header in known.values()} == {"20231", "20301"}
    scans = [scan for group in plan.groups for scan in group.scanned]
    assert len({id(scan) for scan in scans if scan}) == len(set(scans) - {None}) < len(scans)


def test_the_plan_reads_each_beginning_once(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With corrections among the files too: the plan read every file's header a second
    time for its employer identifiers (``scan_employers``), now from the one read."""
    read: list[str] = []
    real = headers._header_texts

    def counted(path: Any, *args: Any, **options: Any) -> Any:
        read.append(str(path))
        return real(path, *args, **options)

    monkeypatch.setattr(headers, "_header_texts", counted)
    plan = plan_employers([folder])
    assert sorted(read) == sorted(plan.files)


def test_a_plan_of_scans_without_kinds_keeps_none_and_equals_the_scanned_one(folder: Path) -> None:
    """A plan of employer headers scanned without their kinds (``plan_from_employers`` as a
    caller may call it) groups the same files: its groups read every beginning, as before."""
    plan = plan_employers([folder])
    names = list(plan.files)
    sizes = [Path(name).stat().st_size for name in names]
    alone = plan_from_employers(names, sizes, [scan_employer(name) for name in names])
    assert alone == plan
    assert all(group.known_headers() == {} for group in alone.groups)
    group = next(group for group in plan.groups if group.scanned)
    joined = attrs.evolve(group, keys=("A", "B"))
    assert joined.known_headers() == {}  # two employers: whose header is whose is not kept


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = scan_document

    def counted(path: Any) -> Any:
        read.append(str(path))
        return real(path)

    monkeypatch.setattr(flows, "scan_document", counted)
    return read


def _entitlements(folder: Path, jobs: int) -> Any:
    run = pipeline.entitlements_for_year([folder], 2024, jobs=jobs)
    return run.entitlements, [(str(e), e.source) for e in run.errors], run.findings


def _accounts(folder: Path, jobs: int) -> Any:
    run = accounts_from_files([folder], jobs=jobs)
    return run.accounts, [(str(e), e.source) for e in run.errors], run.findings


RUNS: dict[str, Callable[[Path, int], Any]] = {
    "entitlements": _entitlements,
    "accounts": _accounts,
}


@pytest.fixture
def before(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], Any]], Any]:
    """Runs ``call`` the route before: no group keeps what the plan's scan read."""

    def run(call: Callable[[], Any]) -> Any:
        with monkeypatch.context() as patch:
            patch.setattr(EmployerGroup, "known_headers", lambda _group: {})
            return call()

    return run


@pytest.mark.parametrize("name", sorted(RUNS))
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_reads_no_beginning_twice_and_says_what_it_said_before(
    folder: Path, name: str, jobs: int, monkeypatch: pytest.MonkeyPatch, before: Any
) -> None:
    run = RUNS[name]
    expected = before(lambda: run(folder, jobs))
    read = _counting(monkeypatch)
    found = run(folder, jobs)
    assert found == expected
    assert any(NEWER in str(finding) for finding in found[2])  # the kind's version, kept
    assert [(Path(source.file).name, "malformed XML" in said) for said, source in found[1]] == [
        (CUT, True)
    ]
    if jobs == 1:  # in this process: the stream read no beginning the plan read
        assert read == _unread(folder)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_timeline_reads_no_beginning_twice_and_gives_what_it_gave_before(
    folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch, before: Any
) -> None:
    always_shuffle(monkeypatch)  # the map by employer, on these small files
    expected = before(lambda: timelines_from_files([folder], jobs=jobs))
    read = _counting(monkeypatch)
    found = timelines_from_files([folder], jobs=jobs)
    assert same(found, expected)
    assert found.findings == expected.findings
    assert len(found.workers) > 20
    if jobs == 1:
        assert read == _unread(folder)
