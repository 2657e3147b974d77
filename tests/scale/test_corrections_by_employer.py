"""DmfA corrections among the files: the runs by employer read each with its employer.

Any ``DmfAUpdate`` or consultation answer in the input used to send the whole input
through one read in one process (every record held, one core). Each correction now goes
with the originals of the employer it names, by enterprise or NSSO number
(:mod:`mycareer.correction_groups`); the oracle is that old route, one read of everything
(``mycareer.plans.plan_with_corrections`` made to give up), on the same files: same entitlements and
accounts, the same errors, and the same reading findings (by file: the runs by employer
report what reading said file by file, :mod:`mycareer.read_order`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import attrs
import pytest

from mycareer import account_groups, pipeline, plans
from mycareer.account_jobs import AccountFilesRun, accounts_from_files
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.pipeline import EntitlementRun
from mycareer.quarter import Quarter
from mycareer.timeline_jobs import (
    TimelineRun,
    TimelineSpec,
    one_process,
    plan_timelines,
    timelines_from_files,
)
from mycareer.xmlio.career_inputs import read_career_inputs
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update
from mycareer.xmlio.headers import EmployerHeader
from mycareer.xmlio.reading import input_files

from ..cli._run import run_cli
from ..xmlio._consultation import consultation_bytes
from ._bench import bench_module
from ._shuffle import always_shuffle
from .test_timeline_jobs import same

QUARTERS = (Quarter(2024, 1), Quarter(2024, 2))
_Run = TypeVar("_Run")
NSSO = NssoNumber("100006")
STRANGER = Employer(EnterpriseNumber("0202239951"))  # declares nothing in the input


def _records(path: Path) -> list[DmfaWorkerRecord]:
    return list(iter_dmfa(path))


def _update(
    folder: Path,
    name: str,
    employer: Employer,
    action: UpdateAction,
    line: DmfaWorkerRecord,
    hour: int = 9,
) -> None:
    form = DmfaUpdateForm(employer, line.quarter, datetime(2024, 8, 1, hour), declaration_id="1")
    record = attrs.evolve(line, employer=employer, source=None)
    write_dmfa_update(folder / name, form, [DmfaLineUpdate(form, action, record)])


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fewer_hours(line: DmfaWorkerRecord) -> DmfaWorkerRecord:
    first = line.occupations[0]
    halved = attrs.evolve(first, mean_working_hours=(first.ref_mean_working_hours or 3800) // 2)
    return attrs.evolve(line, occupations=[halved, *line.occupations[1:]])


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers' originals of 2024 Q1-Q2, the second declared under an NSSO number
    too, the first under another one, and without its enterprise number in Q1 (CompanyID
    0: its Q1 lines are another employer key's, in its group); corrections: the first's
    by enterprise number (twice, the later created sorting first), the second's by its
    NSSO number alone (as the ONSS's own sample names its employer), one for an employer
    with no original here, one for a line the original does not have. A line of an
    original and one of an update are refused (a bad INSS)."""
    folder = tmp_path_factory.mktemp("corrected")
    files = bench_module("payroll").generate(folder, 60, QUARTERS, employers=3)
    keys = sorted({p.name.split("-")[1] for p in files})
    for path in files:
        if keys[1] in path.name:
            _edit(path, "<NOSSRegistrationNbr>0<", "<NOSSRegistrationNbr>100006<")
        if keys[0] in path.name:
            _edit(path, "<NOSSRegistrationNbr>0<", "<NOSSRegistrationNbr>100105<")
    first_q1 = folder / f"dmfa-{keys[0]}-20241.xml"
    _edit(first_q1, f"<CompanyID>{keys[0]}<", "<CompanyID>0<")
    _edit(first_q1, "<INSS>", "<INSS>1")  # eleven digits become twelve: refused
    first = _records(folder / f"dmfa-{keys[0]}-20242.xml")
    second = _records(folder / f"dmfa-{keys[1]}-20241.xml")
    third = _records(folder / f"dmfa-{keys[2]}-20242.xml")
    by_number = Employer(EnterpriseNumber(keys[0]))
    _update(folder, "upd-a.xml", by_number, UpdateAction.MODIFIED, _fewer_hours(first[0]), 10)
    _update(folder, "upd-a2.xml", by_number, UpdateAction.MODIFIED, _fewer_hours(first[1]), 8)
    _update(folder, "upd-b.xml", Employer(nsso=NSSO), UpdateAction.DELETED, second[1])
    _update(folder, "upd-c.xml", STRANGER, UpdateAction.CREATED, third[2])
    unknown = attrs.evolve(third[0], worker_code=15)  # no such line: a finding
    third_employer = Employer(EnterpriseNumber(keys[2]))
    _update(folder, "upd-d.xml", third_employer, UpdateAction.MODIFIED, unknown)
    _update(folder, "upd-e.xml", third_employer, UpdateAction.MODIFIED, _fewer_hours(third[1]))
    _edit(folder / "upd-e.xml", f"<INSS>{third[1].niss.value}<", "<INSS>12345678901<")
    return folder


def _one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The route before: any correction sends everything through one read (the plan of
    corrections that cannot be placed, one group of every file)."""
    monkeypatch.setattr(plans, "plan_with_corrections", _unplaced)


def _unplaced(
    files: Sequence[str], sizes: Sequence[int], headers: Sequence[EmployerHeader], **_: object
) -> plans.Plan:
    short = [(root, key, size) for (root, key, *_rest), size in zip(headers, sizes, strict=True)]
    return plans.plan_from_headers(files, short)


def _largest_read(module: object, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of files of each whole read ``module`` makes (in this process)."""
    sizes: list[int] = []
    read = module.read_corrected_dmfa  # type: ignore[attr-defined]

    def counted(paths: list[str], **options: object) -> object:
        sizes.append(len(input_files(paths)[0]))
        return read(paths, **options)

    monkeypatch.setattr(module, "read_corrected_dmfa", counted)
    return sizes


def _both_routes(
    module: object, run: Callable[[], _Run], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[_Run, _Run]:
    """``run()`` grouped (group by group, never the 10 files at once, as ``module`` reads
    them in this process: all of them with one job), then by the old route. Entitlements
    and accounts stream the groups whose corrections name their files (each held while
    corrected): only the stranger's update, without its original, is read whole."""
    with monkeypatch.context() as patch:
        reads = _largest_read(module, patch)
        grouped = run()
    assert not reads or reads == [1]  # none here: read in worker processes
    with monkeypatch.context() as patch:
        _one_read(patch)
        assert not plans.plan_employers([folder]).by_employer
        expected = run()
    return grouped, expected


def test_each_correction_goes_with_its_employer(corrected: Path) -> None:
    plan = pipeline.plan_employers([corrected])
    assert plan.corrections
    assert plan.by_employer
    names = {group.keys: sorted(Path(f).name for f in group.files) for group in plan.groups}
    assert len(names) == 4  # three employers, and the stranger's correction alone
    by_nsso = next(n for n in names.values() if "upd-b.xml" in n)  # named by NSSO number alone
    assert len(by_nsso) == 3
    assert len({name.split("-")[1] for name in by_nsso if name.startswith("dmfa-")}) == 1
    assert names[("0202239951",)] == ["upd-c.xml"]
    assert plan_timelines([corrected]) == plan  # timelines too, by the same plan


@pytest.mark.parametrize("jobs", [1, 2])
def test_entitlements_are_those_of_one_read(
    corrected: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run() -> EntitlementRun:
        return pipeline.entitlements_for_year([corrected], 2024, jobs=jobs)

    grouped, expected = _both_routes(pipeline, run, corrected, monkeypatch)
    assert grouped.entitlements == expected.entitlements
    assert len(grouped.entitlements) > 50
    assert [str(e) for e in grouped.errors] == [str(e) for e in expected.errors]
    refused = [Path(e.source.file).name for e in grouped.errors if e.source and e.source.file]
    assert sorted(set(refused)) == ["dmfa-0020000014-20241.xml", "upd-e.xml"]
    assert refused == sorted(refused)  # file by file (one read once said the update's first)
    assert {"nsso:100105", "0020000014"} <= {e.employer.key for e in grouped.entitlements}
    codes = {f.code for f in grouped.findings}
    assert {"DMFA_UPDATE_APPLIED", "DMFA_UPDATE_WITHOUT_ORIGINAL"} <= codes
    assert "DMFA_UPDATE_UNKNOWN_LINE" in codes
    assert grouped.findings == expected.findings  # one read says it file by file too


@pytest.mark.parametrize("jobs", [1, 2])
def test_accounts_are_those_of_one_read(
    corrected: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run() -> AccountFilesRun:
        return accounts_from_files([corrected], jobs=jobs)

    grouped, expected = _both_routes(account_groups, run, corrected, monkeypatch)
    assert grouped.accounts == expected.accounts
    assert len(grouped.accounts.accounts) > 50
    assert [str(e) for e in grouped.errors] == [str(e) for e in expected.errors]
    assert grouped.findings == expected.findings  # one read says it file by file too


@pytest.mark.parametrize("jobs", [1, 2])
def test_timelines_are_those_of_one_read(
    corrected: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timelines too: each correction read with its employer, the periods shuffled by NISS
    into one read's order (a correction without its original: after every declared quarter,
    by its creation time, mycareer.dmfa_update.SlotOpener)."""
    run = _shuffled_as_one_read(corrected, jobs, monkeypatch)
    assert len(run.workers) > 50


def _shuffled_as_one_read(folder: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> TimelineRun:
    """The timelines of ``folder`` by employer (the shuffle lowered to 1 byte), checked equal
    to one read's (the oracle)."""
    expected = one_process(read_career_inputs([folder]), TimelineSpec())
    taken = always_shuffle(monkeypatch)
    run = timelines_from_files([folder], jobs=jobs)
    assert len(taken) == 1  # the shuffle ran, and did not give up
    assert same(run, expected)
    return run


@pytest.fixture(scope="module")
def orphans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two employers' originals, and corrections of employers with no original here, each
    bringing a worker seen nowhere else: one read puts their quarters after every declared
    one (updates by creation time, then consultation answers: mycareer.dmfa_update's
    SlotOpener), not by quarter and employer, so those workers' order tells the orders
    apart. The strangers' numbers sort before the originals' employers, and the update
    created first is of the later quarter; a consultation answer (created before both
    updates) also replaces a declared quarter; and three corrections bring no line."""
    folder = tmp_path_factory.mktemp("orphans")
    files = bench_module("payroll").generate(folder, 40, QUARTERS, employers=2)
    keys = sorted({p.name.split("-")[1] for p in files})
    line = _records(folder / f"dmfa-{keys[0]}-20241.xml")[0]
    late, early, answered = (Employer(EnterpriseNumber(n)) for n in ("0000001285", "0000001384",
                                                                      "0000001483"))  # fmt: skip
    newcomer = attrs.evolve(line, niss=Niss("85010110112"))
    _update(folder, "upd-late.xml", late, UpdateAction.CREATED, newcomer, hour=11)
    second = attrs.evolve(line, niss=Niss("85010110310"), quarter=QUARTERS[1])
    _update(folder, "upd-early.xml", early, UpdateAction.CREATED, second, hour=10)
    moment = datetime(2024, 7, 1, 9)
    third = attrs.evolve(line, niss=Niss("85010110508"), employer=answered)
    answer = consultation_bytes(answered, QUARTERS[0], [third], created_at=moment)
    (folder / "answer-stranger.xml").write_bytes(answer)
    declared = Employer(EnterpriseNumber(keys[1]))
    kept = _records(folder / f"dmfa-{keys[1]}-20241.xml")[:3]
    answer = consultation_bytes(declared, QUARTERS[0], kept, created_at=moment)
    (folder / "answer-declared.xml").write_bytes(answer)
    _lineless(folder, line)
    return folder


def _lineless(folder: Path, line: DmfaWorkerRecord) -> None:
    """Corrections of employers with no original that bring no line, each its own group
    whose read opens no quarter (a review found they crashed the map): an empty
    consultation answer, an update whose only line is refused (a bad INSS), and an
    update cut short."""
    empty, refused, cut = (Employer(EnterpriseNumber(n)) for n in ("0000001582", "0000001681",
                                                                    "0000001780"))  # fmt: skip
    answer = consultation_bytes(empty, QUARTERS[0], [], created_at=datetime(2024, 7, 1, 9))
    (folder / "answer-empty.xml").write_bytes(answer)
    _update(folder, "upd-refused.xml", refused, UpdateAction.CREATED, line)
    _edit(folder / "upd-refused.xml", f"<INSS>{line.niss.value}<", "<INSS>1234567890<")
    _update(folder, "upd-cut.xml", cut, UpdateAction.CREATED, line)
    text = (folder / "upd-cut.xml").read_bytes()
    (folder / "upd-cut.xml").write_bytes(text[: len(text) * 7 // 10])


@pytest.mark.parametrize("jobs", [1, 2])
def test_corrections_without_originals_keep_one_reads_order(
    orphans: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _shuffled_as_one_read(orphans, jobs, monkeypatch)
    last = [w.niss.value for w in run.workers][-3:]
    assert last == ["85010110310", "85010110112", "85010110508"]  # see the fixture
    codes = {f.code for f in run.findings}
    assert {"DMFA_UPDATE_WITHOUT_ORIGINAL", "DMFA_CONSULTATION_PRECEDENCE"} <= codes
    assert "DMFA_CONSULTATION_EMPTY" in codes
    refused = {Path(e.source.file).name for e in run.errors if e.source and e.source.file}
    assert refused == {"upd-refused.xml", "upd-cut.xml"}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_timeline_command_writes_one_reads_bytes(
    orphans: Path, fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mycareer timeline`` on originals and corrections: the standard output and error of
    one read (a subprocess: these files are under the 8 MB the shuffle waits for), through
    the shuffle (lowered to 1 byte) with two processes."""
    from mycareer.cli import main

    one_read = run_cli("timeline", orphans, "--format", fmt)
    taken = always_shuffle(monkeypatch)
    code = main(["timeline", str(orphans), "--format", fmt, "--jobs", "2"])
    assert code == one_read.returncode == 1  # the refused and cut updates
    shuffled = capsys.readouterr()
    assert len(taken) == 1
    assert "85010110508" in shuffled.out  # the consultation answer's newcomer
    assert (shuffled.out, shuffled.err) == (one_read.stdout, one_read.stderr)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three employers' originals of 2024 Q1-Q2 and one ``DmfAUpdate`` whose two forms
    correct the first two employers (a social secretariat's corrections in one file, as
    the XSD allows: ``Form`` unbounded), the second form's created first."""
    folder = tmp_path_factory.mktemp("batch")
    files = bench_module("payroll").generate(folder, 40, QUARTERS, employers=3)
    keys = sorted({p.name.split("-")[1] for p in files})
    first = _records(folder / f"dmfa-{keys[0]}-20242.xml")[0]
    second = _records(folder / f"dmfa-{keys[1]}-20241.xml")[1]
    modified = UpdateAction.MODIFIED
    _update(folder, "a.xml", Employer(EnterpriseNumber(keys[0])), modified, _fewer_hours(first))
    _update(folder, "b.xml", Employer(EnterpriseNumber(keys[1])), modified, second, hour=8)
    one, two = (folder / "a.xml").read_bytes(), (folder / "b.xml").read_bytes()
    form = two[two.index(b"<Form>") : two.rindex(b"</Form>") + len(b"</Form>")]
    end = one.rindex(b"</DmfAUpdate>")
    (folder / "upd-batch.xml").write_bytes(one[:end] + form + one[end:])
    (folder / "a.xml").unlink()
    (folder / "b.xml").unlink()
    return folder


def test_a_correction_file_of_two_employers_puts_them_in_one_group(batch: Path) -> None:
    """Its first form's employer alone was its group: reading the second form then sent
    the whole input through one read in one process (every record held)."""
    plan = pipeline.plan_employers([batch])
    assert plan.by_employer
    keys = sorted({Path(f).name.split("-")[1] for f in plan.files if "dmfa-" in f})
    found = {g.keys: sorted(Path(f).name for f in g.files) for g in plan.groups}
    assert sorted(found) == [(keys[0], keys[1]), (keys[2],)]
    assert "upd-batch.xml" in found[(keys[0], keys[1])]
    assert plan_timelines([batch]) == plan


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_correction_file_of_two_employers_streams_their_group(
    batch: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entitlements, accounts and timelines are one read's, and no group is read whole:
    the two employers' group streams, each original the update names held while it is
    corrected (it was one read of all 7 files, then a whole read of the group's 5)."""
    for module, run in (
        (pipeline, lambda: pipeline.entitlements_for_year([batch], 2024, jobs=jobs)),
        (account_groups, lambda: accounts_from_files([batch], jobs=jobs)),
    ):
        with monkeypatch.context() as patch:
            reads = _largest_read(module, patch)
            grouped = run()
        assert reads == []
        with monkeypatch.context() as patch:
            _one_read(patch)
            expected = run()
        assert grouped == expected
    applied = [f for f in grouped.findings if f.code == "DMFA_UPDATE_APPLIED"]
    assert len(applied) == 2
    _shuffled_as_one_read(batch, jobs, monkeypatch)
