"""Training accounts employer by employer (issue 15 item 2): the accounts of one read of everything.

The oracle is the one-process path the command took before ``--jobs``:
``read_corrected_dmfa`` on every file, then ``accounts_from_declarations``. Workers
change employer in the generated payroll, so some have accounts at two employers
and a training without an employer cannot be routed to one of them (a finding).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer import account_jobs, account_reduce
from mycareer._spool import write_spool
from mycareer.account_groups import _shuffled as shuffled
from mycareer.account_jobs import (
    AccountChoices,
    AccountFilesRun,
    AccountGroupResult,
    AccountSpec,
    Render,
    accounts_from_files,
    reduce_buckets,
    render_accounts,
    run_account_plan,
)
from mycareer.account_jobs import _BucketFiles as BucketFiles
from mycareer.account_jobs import _local_mapper as local_mapper
from mycareer.account_reduce import PlainFinding, Tag, finding_of, plain_finding
from mycareer.cli import main
from mycareer.errors import SourceRef
from mycareer.findings import Finding, Severity
from mycareer.fla import AccountsRun, accounts_document, accounts_from_declarations
from mycareer.fla.account import Termination, TerminationReason, YearCredit
from mycareer.fla.account_json import STATEMENT_COLUMNS, statement_rows
from mycareer.fla.account_pipeline import accounts_from_credits
from mycareer.fla.account_table import account_table_text
from mycareer.fla.trainings import Training
from mycareer.fla.trainings_io import trainings_to_csv
from mycareer.jsontext import item_text
from mycareer.pipeline import bucket_of, plan_employers
from mycareer.quarter import Quarter
from mycareer.xmlio.flows import read_corrected_dmfa
from mycareer.xmlio.training_account import TRAINING_ACCOUNT, validate
from mycareer.xmlio.training_account_writer import (
    training_accounts_bytes,
    training_accounts_frame,
)
from tests.cli._run import assert_no_traceback, run_cli

from ..fla.test_account_split import ACME, ACME_BARE, AS_OF, WORKERS, credits, terminations
from ..fla.test_account_split import trainings as some_trainings
from ._bench import bench_module
from ._duplicates import shared_nsso_number, two_duplicated_quarters
from ._partitions import random_plan
from .test_corrections_by_employer import _one_read


@pytest.fixture(scope="module")
def payroll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("payroll")
    quarters = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
    bench_module("payroll").generate(folder, 90, quarters, employers=4)
    return folder


def one_read(folder: Path, trainings: Iterable[Training] = ()) -> tuple[AccountsRun, Any]:
    batch = read_corrected_dmfa([folder], on_error="collect")
    run = accounts_from_declarations(batch.records, batch.declarations, trainings)
    return run, batch


@pytest.fixture(scope="module")
def oracle(payroll: Path) -> AccountsRun:
    run, batch = one_read(payroll)
    assert batch.errors == ()
    return run


@pytest.fixture(scope="module")
def trainings(oracle: AccountsRun) -> tuple[Training, ...]:
    """For a worker with two employers: one training with its employer, one without."""
    by_worker: dict[str, list[Any]] = {}
    for account in oracle.accounts:
        by_worker.setdefault(account.niss.value, []).append(account.employer)
    mover, employers = next((n, e) for n, e in by_worker.items() if len(e) > 1)
    single = next(n for n, e in by_worker.items() if len(e) == 1)
    day = date(2024, 3, 4)
    return (
        Training(mover, "Safety", day, day, Fraction(38, 5), employer=employers[1]),
        Training(mover, "Excel", day, day, Fraction(4)),  # two accounts: not routed
        Training(single, "Welding", day, day, Fraction(8)),  # one account: routed
    )


def test_the_data_is_worth_testing(oracle: AccountsRun) -> None:
    assert len({a.employer for a in oracle.accounts}) == 4
    assert (oracle.from_year, oracle.to_year, oracle.as_of) == (2023, 2024, date(2024, 12, 31))
    assert len(oracle.entitlements) > 100
    assert oracle.workers < len(oracle.accounts), "some workers must have two employers"


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_jobs_gives_the_accounts_of_one_read(
    payroll: Path, trainings: tuple[Training, ...], jobs: int
) -> None:
    expected, batch = one_read(payroll, trainings)
    run = accounts_from_files([payroll], trainings, jobs=jobs)
    assert run.accounts == expected
    assert run.errors == ()
    assert set(run.findings) == set(batch.findings)
    codes = [f.code for f in run.accounts.findings]
    assert codes.count("ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS") == 1  # the mover's "Excel"
    debited = [a for a in run.accounts.accounts if a.trainings]
    assert len(debited) == 2  # the mover's training with its employer, the single one's


class CountingMapper:
    """The local mapper, counting how often the groups were computed."""

    def __init__(self) -> None:
        self.specs: list[AccountSpec] = []
        self.inner = local_mapper(1)

    def __call__(self, spec: AccountSpec, tasks: list[Any]) -> Any:
        self.specs.append(spec)
        return self.inner(spec, tasks)


CHOICES = AccountChoices((), None, None, None, (), None, None, None, None)


def test_the_headers_quarters_give_the_defaults_in_one_pass(
    payroll: Path, oracle: AccountsRun
) -> None:
    plan = plan_employers([payroll])
    assert (plan.quarters[0], plan.quarters[-1]) == (Quarter(2023, 3), Quarter(2024, 4))
    mapper = CountingMapper()
    run = run_account_plan(plan, CHOICES, 1, mapper)
    assert run.accounts == oracle
    assert [(s.years, s.as_of) for s in mapper.specs] == [((2023, 2024), date(2024, 12, 31))]


def test_without_header_quarters_the_groups_are_computed_again(
    payroll: Path, oracle: AccountsRun
) -> None:
    """No quarter known: 31 December 2024 and 2024 only, then what the records say."""
    plan = attrs.evolve(plan_employers([payroll]), quarters=())
    mapper = CountingMapper()
    assert run_account_plan(plan, CHOICES, 1, mapper).accounts == oracle
    assert [s.years for s in mapper.specs] == [(2024, 2024), (2023, 2024)]


def test_a_header_quarter_whose_file_fails_does_not_move_the_statement_date(
    payroll: Path, tmp_path: Path
) -> None:
    """A 2025 Q1 file cut short contributes nothing: the accounts stay as of 2024-12-31."""
    folder = tmp_path / "dmfa"
    shutil.copytree(payroll, folder)
    last = sorted(folder.glob("*-20244.xml"))[0]
    text = last.read_text(encoding="utf-8").replace(
        "<Quarter>20244</Quarter>", "<Quarter>20251</Quarter>"
    )
    (folder / last.name.replace("20244", "20251")).write_text(text[: len(text) // 2])
    expected, batch = one_read(folder)
    assert any("malformed XML" in str(e) for e in batch.errors)
    mapper = CountingMapper()
    plan = plan_employers([folder])
    assert plan.quarters[-1] == Quarter(2025, 1)
    run = run_account_plan(plan, CHOICES, 1, mapper)
    assert run.accounts == expected
    assert run.accounts.as_of == date(2024, 12, 31)
    assert [str(e) for e in run.errors] == [str(e) for e in batch.errors]
    assert [s.as_of for s in mapper.specs] == [date(2025, 3, 31), date(2024, 12, 31)]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_partition_of_the_files_gives_the_accounts_of_one_read(
    payroll: Path, oracle: AccountsRun, data: st.DataObject
) -> None:
    """Employers split between groups: the groups sharing one are read again, joined."""
    _parts, plan = random_plan(data, payroll)
    plan = attrs.evolve(plan, quarters=plan_employers([payroll]).quarters)
    assert run_account_plan(plan, CHOICES, 1, local_mapper(1)).accounts == oracle


def test_years_in_the_wrong_order_are_refused(payroll: Path) -> None:
    with pytest.raises(ValueError, match="from_year 2025 is after to_year 2024"):
        accounts_from_files([payroll], from_year=2025, to_year=2024, jobs=1)


def test_trainings_alone_need_no_file() -> None:
    day = date(2025, 5, 6)
    alone = Training("85073003328", "First aid", day, day, Fraction(8))
    run = accounts_from_files([], [alone], jobs=2)
    assert isinstance(run, AccountFilesRun)
    assert run.accounts.as_of == day
    assert [a.niss.value for a in run.accounts.accounts] == ["85073003328"]


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_the_command_writes_the_same_bytes_whatever_jobs(
    payroll: Path, oracle: AccountsRun, fmt: str
) -> None:
    outputs = []
    for jobs in ("1", "2"):
        result = run_cli("account", payroll, "--format", fmt, "--jobs", jobs)
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    if fmt == "json":
        document = json.loads(json.dumps(accounts_document(oracle.accounts, oracle.as_of)))
        assert json.loads(outputs[0]) == document
    if fmt == "csv":  # the rows the accounts themselves give, as the command wrote them before
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(STATEMENT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(statement_rows(oracle.accounts))
        assert outputs[0] == text.getvalue()


def test_indented_json_is_the_document_of_the_accounts_whatever_jobs(
    payroll: Path, oracle: AccountsRun
) -> None:
    """--indent: the accounts' texts made in the workers, indented one by one as written."""
    expected = json.dumps(accounts_document(oracle.accounts, oracle.as_of), indent=2,
                          ensure_ascii=False) + "\n"  # fmt: skip
    for jobs in ("1", "2"):
        result = run_cli("account", payroll, "--indent", "2", "--format", "json", "--jobs", jobs)
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected


@pytest.mark.parametrize("indent", [0, 2])
def test_indented_texts_are_those_of_the_in_parent_run_and_of_the_compact_ones(
    payroll: Path, in_parent: AccountFilesRun, indent: int
) -> None:
    """``indent``: each bucket indents its texts as the in-parent run does, and each is
    the compact text indented as it sits in the accounts document."""
    bucketed = accounts_from_files([payroll], jobs=2, render="json", indent=indent)
    compact = [json.loads(text) for text in render_accounts(in_parent, "json").texts]
    expected = [item_text(value, indent, 2) for value in compact]
    assert list(render_accounts(in_parent, "json", indent).texts) == expected
    oracle = accounts_from_files([payroll], jobs=1, render="json")
    assert list(bucketed.texts) == [item_text(json.loads(t), indent, 2) for t in oracle.texts]


def test_the_command_refuses_zero_jobs(payroll: Path) -> None:
    result = run_cli("account", payroll, "--jobs", "0")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "'0'" in result.stderr or " 0" in result.stderr


@pytest.mark.parametrize("jobs", [1, 2])
def test_without_entitlements_the_accounts_and_findings_are_the_same(
    payroll: Path, trainings: tuple[Training, ...], jobs: int
) -> None:
    """The workers send credits instead: everything but ``entitlements`` is unchanged."""
    full = accounts_from_files([payroll], trainings, jobs=jobs)
    lean = accounts_from_files([payroll], trainings, jobs=jobs, keep_entitlements=False)
    assert lean.accounts.entitlements == ()
    assert full.accounts.entitlements
    thin = attrs.evolve(full.accounts, entitlements=(), kept_entitlements=False)
    assert lean == attrs.evolve(full, accounts=thin)
    assert len(full.accounts.records()) == len(full.accounts.accounts)
    with pytest.raises(ValueError, match="kept no entitlements"):
        lean.accounts.records()  # an archive without the entitlements would lose them


@pytest.mark.parametrize(
    "view",
    [
        ("json",),
        ("csv",),
        ("table",),
        ("xml",),
        ("json", "--employer-view"),
        ("csv", "--employer-view"),
    ],
)
def test_trainings_and_a_termination_give_the_same_bytes_whatever_jobs(
    payroll: Path, trainings: tuple[Training, ...], tmp_path: Path, view: tuple[str, ...]
) -> None:
    """The command with a trainings file, a termination and sector choices, as a subprocess:
    stdout and stderr (findings, summary line) the same with 1 and 2 processes."""
    path = tmp_path / "trainings.csv"
    path.write_text(trainings_to_csv(trainings), encoding="utf-8")
    leaver = trainings[2].niss.value
    options = ("--trainings", path, "--termination", f"{leaver}=dismissal-notice@2024-09-30")
    outputs = []
    for jobs in ("1", "2"):
        result = run_cli("account", payroll, *options, "--format", *view, "--jobs", jobs)
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        outputs.append((result.stdout, result.stderr))
    assert outputs[0] == outputs[1]
    assert "ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS" in outputs[0][1]
    if view != ("json",):
        return
    accounts = json.loads(outputs[0][0])["accounts"]
    assert sum(len(a["trainings"]) for a in accounts) == 2  # the third is not routed
    (ended,) = [a for a in accounts if a["niss"] == leaver]
    assert ended["termination"] is not None


def test_errors_come_in_file_order_and_findings_the_same_whatever_jobs(
    payroll: Path, tmp_path: Path
) -> None:
    """Two cut files whose names sort against their employers' keys: errors by file, as
    one read gives them; findings in the same order with 1 and 2 processes."""
    folder = tmp_path / "dmfa"
    shutil.copytree(payroll, folder)
    first, last = sorted(folder.glob("*-20244.xml"))[0], sorted(folder.glob("*-20244.xml"))[-1]
    for prefix, path in (("b-", first), ("a-", last)):  # a- names the larger employer key
        text = path.read_bytes()
        (folder / f"{prefix}{path.name}").write_bytes(text[: len(text) // 2])
    expected = [str(e) for e in read_corrected_dmfa([folder], on_error="collect").errors]
    assert len(expected) >= 2
    assert "a-" in expected[0]
    assert "b-" in expected[-1]
    runs = [accounts_from_files([folder], jobs=jobs) for jobs in (1, 2)]
    assert [str(e) for e in runs[0].errors] == expected
    assert [str(e) for e in runs[1].errors] == expected
    assert runs[0].findings == runs[1].findings
    assert runs[0].accounts == runs[1].accounts


def test_a_document_of_no_known_kind_is_read_alone(
    payroll: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document of no known kind among the originals: a group of its own, its error
    given, the rest by employer (until 7 December 2026 it sent the run to one read of
    everything: tests/scale/test_other_kinds.py). (A missing file no longer does either:
    tests/scale/test_not_documents.py.)"""

    def refused(*_args: object) -> object:
        raise AssertionError("one read of everything")

    monkeypatch.setattr(account_jobs, "_read_all", refused)
    page = tmp_path / "page.xml"
    page.write_text("<html><body>not found</body></html>", encoding="utf-8")
    run = accounts_from_files([payroll, page], jobs=1)
    assert [Path(str(e.source.file)).name for e in run.errors if e.source] == ["page.xml"]
    expected, _batch = one_read(payroll)
    assert run.accounts == expected


# --- rendered runs: the ledgers reduced bucket by bucket of workers -------------------------

RENDERS: tuple[Render, ...] = ("json", "csv", "table", "xml", "employers")


@pytest.fixture(scope="module")
def endings(oracle: AccountsRun) -> tuple[Termination, ...]:
    """A worker's contract ended (no employer named), one after the statement date, and
    a termination for a NISS without account."""
    first, second = oracle.accounts[0].niss, oracle.accounts[-1].niss
    return (
        Termination(first, date(2024, 9, 30), TerminationReason.DISMISSAL_NOTICE),
        Termination(second, date(2025, 3, 31), TerminationReason.RESIGNATION),
        Termination("85010100115", date(2024, 6, 30), TerminationReason.RESIGNATION),
    )


@pytest.fixture(scope="module")
def in_parent(
    payroll: Path, trainings: tuple[Training, ...], endings: tuple[Termination, ...]
) -> AccountFilesRun:
    """The reference: the ledgers kept in this process (one read of everything)."""
    batch = read_corrected_dmfa([payroll], on_error="collect")
    kept = accounts_from_declarations(
        batch.records, batch.declarations, trainings, terminations=endings
    )
    return AccountFilesRun(kept)


def rendered(run: AccountFilesRun) -> tuple[Any, ...]:
    """What a rendered run gives, whatever read the files (reading findings left out)."""
    return run.accounts, list(run.texts), run.summaries, run.tally


@pytest.mark.parametrize("render", RENDERS)
@pytest.mark.parametrize("jobs", [1, 2])
def test_the_shuffle_by_worker_gives_the_in_parent_run_rendered(
    payroll: Path,
    trainings: tuple[Training, ...],
    endings: tuple[Termination, ...],
    in_parent: AccountFilesRun,
    render: Render,
    jobs: int,
) -> None:
    run = accounts_from_files([payroll], trainings, terminations=endings, jobs=jobs,
                              render=render)  # fmt: skip
    lean = accounts_from_files([payroll], trainings, terminations=endings, jobs=jobs,
                               keep_entitlements=render == "xml")  # the archive's  # fmt: skip
    assert run == render_accounts(lean, render)  # reading findings and errors included
    assert rendered(run) == rendered(render_accounts(in_parent, render))
    assert run.accounts.accounts == ()
    assert run.account_count == len(in_parent.accounts.accounts) > 90
    assert run.worker_count == in_parent.accounts.workers < run.account_count
    codes = [f.code for f in run.accounts.findings]
    for code in ("ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS", "ACCOUNT_TERMINATION_UNKNOWN_WORKER",
                 "ACCOUNT_TERMINATION_AFTER_AS_OF", "FLA_BAND_FALLBACK"):  # fmt: skip
        assert code in codes
    if render == "json":
        texts = [json.loads(text) for text in run.texts]
        expected = accounts_document(in_parent.accounts.accounts, in_parent.accounts.as_of)
        assert texts == json.loads(json.dumps(expected["accounts"]))
    elif render == "csv":
        rows = [row for text in run.texts for row in json.loads(text)]
        assert rows == statement_rows(in_parent.accounts.accounts)
        assert list(rows[0]) == list(STATEMENT_COLUMNS)
    elif render == "xml":  # each <account>, with its entitlements and worker facts
        head, tail = training_accounts_frame()
        document = (head + "".join(run.texts) + tail).encode()
        assert document == training_accounts_bytes(in_parent.accounts.records())
        assert validate(document, TRAINING_ACCOUNT) == []
        assert run.archive_errors == ()
    elif render == "table":  # each account's block, aligned on its own
        assert list(run.texts) == [account_table_text(a) for a in in_parent.accounts.accounts]
        assert all(text.endswith(" h\n\n") or "contract ended" in text for text in run.texts)
    else:
        assert run.summaries == in_parent.accounts.employer_summaries()
        assert len(run.summaries or ()) == 4


@pytest.fixture(scope="module")
def references(in_parent: AccountFilesRun) -> dict[str, tuple[Any, ...]]:
    return {render: rendered(render_accounts(in_parent, render)) for render in RENDERS}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_partition_and_any_bucket_count_give_the_in_parent_run(
    payroll: Path,
    trainings: tuple[Training, ...],
    endings: tuple[Termination, ...],
    references: dict[str, tuple[Any, ...]],
    data: st.DataObject,
) -> None:
    """Employers split between groups (those sharing one read again, joined), 1 to 9 buckets."""
    _parts, plan = random_plan(data, payroll)
    plan = attrs.evolve(plan, quarters=plan_employers([payroll]).quarters)
    render = data.draw(st.sampled_from(RENDERS))
    buckets = data.draw(st.integers(1, 9))
    choices = attrs.evolve(CHOICES, trainings=trainings, terminations=endings, render=render)
    run = run_account_plan(plan, choices, 1, local_mapper(1), buckets=buckets)
    assert rendered(run) == references[render]


def test_the_shuffle_leaves_only_the_spooled_texts_and_removes_them_with_the_run(
    payroll: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The bucket files are removed once reduced; the texts' files when the run is dropped."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    run = accounts_from_files([payroll], jobs=2, render="json")
    (folder,) = ours(tmp_path)  # (multiprocessing may add its own pymp- folder)
    names = sorted(p.name for p in folder.iterdir())
    assert names
    assert all(name.startswith("accounts-") for name in names)
    assert len(list(run.texts)) == run.account_count
    del run
    gc.collect()
    assert ours(tmp_path) == []


def ours(folder: Path) -> list[Path]:
    """The run's temporary folders in ``folder``."""
    return [p for p in folder.iterdir() if p.name.startswith("mycareer-accounts-")]


@pytest.mark.parametrize("step", ["run_account_group", "reduce_bucket"])
def test_a_failed_group_or_bucket_leaves_no_file(
    payroll: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, step: str
) -> None:
    def fail(*_args: object) -> None:
        raise RuntimeError(f"{step} failed")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(account_jobs, step, fail)
    with pytest.raises(RuntimeError, match=f"{step} failed"):
        accounts_from_files([payroll], jobs=1, render="json")
    assert ours(tmp_path) == []


def test_the_employer_view_keeps_no_file(
    payroll: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    run = accounts_from_files([payroll], jobs=1, render="employers")
    assert run.summaries
    assert run.texts == ()
    assert ours(tmp_path) == []


FINDINGS = [Finding(f"CODE_{n}", Severity.WARNING, f"finding {n}") for n in range(3)]
Line = tuple[YearCredit, tuple[Finding, ...]]


def assert_reduced_as_in_parent(
    lines: list[Line],
    given_trainings: Sequence[Training],
    given_terminations: Sequence[Termination],
    render: Render,
    count: int,
) -> None:
    """Each employer's credits shuffled as its group would (groups in any order), then
    reduced: what the ledgers kept in this process give, rendered."""
    choices = attrs.evolve(CHOICES, trainings=tuple(given_trainings),
                           terminations=tuple(given_terminations), render=render)  # fmt: skip
    spec = choices.spec(2023, Quarter(2025, 4), count)
    assert spec.as_of == AS_OF
    base = AccountGroupResult((), {}, {}, (), (), frozenset(), None, None)
    keys = sorted({c.employer.key for c, _found in lines if c.employer is not None})
    with tempfile.TemporaryDirectory() as scratch:
        folder = tempfile.TemporaryDirectory(dir=scratch)
        sink = BucketFiles(folder.name, count)
        results: list[AccountGroupResult] = []
        for key in reversed(keys):
            mine = [line for line in lines if line[0].employer and line[0].employer.key == key]
            results.append(sink.keep(len(results), shuffled(base, mine, spec)))
        run = reduce_buckets(choices, spec, results, sink.close(), folder, 1)
        kept = accounts_from_credits(
            lines, given_trainings, as_of=AS_OF, years=spec.years,
            terminations=given_terminations,
        )  # fmt: skip
        assert rendered(run) == rendered(render_accounts(AccountFilesRun(kept), render))
        del run


@settings(max_examples=150, deadline=None)
@given(credits(), some_trainings, terminations, st.data())
def test_the_reduce_gives_the_in_parent_run_of_any_credits(
    made: list[YearCredit],
    given_trainings: list[Training],
    given_terminations: list[Termination],
    data: st.DataObject,
) -> None:
    """Credits of employers whose key shows two employers (with and without the NSSO
    number), findings shared between credits, trainings naming an employer the worker has
    no credit at."""
    lines = [(c, tuple(data.draw(st.lists(st.sampled_from(FINDINGS), max_size=2))))
             for c in made]  # fmt: skip
    render = data.draw(st.sampled_from(RENDERS))
    count = data.draw(st.integers(1, 6))
    assert_reduced_as_in_parent(lines, given_trainings, given_terminations, render, count)


def test_a_key_with_two_employers_shows_its_first_in_buckets_without_its_trainings() -> None:
    """ACME's first credit (BERT's) has the NSSO number, CARL's not; a training names ACME.
    CARL's bucket has no training: it must still show the first credit's employer."""
    anna, bert, carl = WORKERS[0], WORKERS[1], WORKERS[2]
    made = [YearCredit(n, 2023, legal_days=1, employer=e)
            for n, e in ((bert, ACME), (carl, ACME_BARE), (anna, ACME))]  # fmt: skip
    day = date(2023, 1, 1)
    course = Training(anna, "course", day, day, 1, employer=ACME)
    assert len({bucket_of(n.value, 3) for n in (anna, bert, carl)}) == 3
    for render in RENDERS:
        assert_reduced_as_in_parent([(c, ()) for c in made], [course], [], render, 3)


class OnePass:
    """Trainings given as an iterable that can be walked once (a file being read)."""

    def __init__(self, items: Sequence[Training]) -> None:
        self.items = items
        self.walks = 0

    def __iter__(self) -> Iterator[Training]:
        self.walks += 1
        if self.walks > 1:
            return iter(())  # a second walk would see nothing: the output would differ
        return iter(self.items)


@pytest.mark.parametrize("render", ["json", "csv", "employers"])
def test_trainings_walked_once_as_they_come_give_the_in_parent_run(
    payroll: Path, trainings: tuple[Training, ...], render: Render
) -> None:
    """A shuffled run routes the trainings to their buckets' files in one walk
    (mycareer.fla.training_buckets): the same as the in-parent run given a tuple."""
    expected = render_accounts(accounts_from_files([payroll], trainings, jobs=1), render)
    given = OnePass(trainings)
    run = accounts_from_files([payroll], given, jobs=2, render=render)
    assert given.walks == 1
    assert rendered(run) == rendered(expected)
    assert run.accounts.findings == expected.accounts.findings


@pytest.mark.parametrize(
    "tail", [b"\xff\xfe broken\n", b"x" * 70_000 + b",\n"], ids=["not-utf8", "field-too-long"]
)
def test_the_command_reads_each_trainings_file_and_reports_a_bad_one(
    payroll: Path, trainings: tuple[Training, ...], tmp_path: Path, tail: bytes
) -> None:
    """A trainings file refused on its last line contributes nothing (none of its good rows
    either) and is named on stderr; the good file's trainings are routed and counted; exit
    1; the same with 1 and 2 jobs."""
    good = tmp_path / "good.csv"
    good.write_text(trainings_to_csv(trainings), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(trainings_to_csv(trainings).encode("utf-8") + tail)
    outputs = []
    for jobs in ("1", "2"):
        result = run_cli("account", payroll, "--trainings", bad, "--trainings", good,
                         "--format", "json", "--jobs", jobs)  # fmt: skip
        assert_no_traceback(result)
        assert result.returncode == 1
        assert str(bad) in result.stderr
        assert f"{len(trainings)} training(s)" in result.stderr  # the good file's only
        outputs.append((result.stdout, result.stderr))
    assert outputs[0] == outputs[1]
    accounts = json.loads(outputs[0][0])["accounts"]
    assert sum(len(a["trainings"]) for a in accounts) == 2  # as with the good file alone


tags = st.one_of(
    st.tuples(st.just(0), st.integers(2023, 2025), st.sampled_from("AB"), st.sampled_from("xy")),
    st.tuples(st.just(1), st.integers(0, 1), st.integers(0, 30)),
    st.tuples(st.just(2), st.sampled_from("AB"), st.sampled_from("xyz"), st.integers(0, 3)),
)


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(tags, st.sampled_from(FINDINGS), max_size=30),
    st.integers(1, 5),
    st.integers(0, 6),
    st.data(),
)
def test_distinct_findings_are_those_of_one_list_in_tag_order(
    tagged: dict[Tag, Finding], parts: int, held: int, data: st.DataObject
) -> None:
    """Tagged findings spread over spools (each in tag order, as the buckets write them),
    merged: dict.fromkeys of them all by tag, the oracle; held or spooled past ``held``."""
    spread: list[list[tuple[Tag, PlainFinding]]] = [[] for _ in range(parts)]
    for tag, finding in sorted(tagged.items()):
        spread[data.draw(st.integers(0, parts - 1))].append((tag, plain_finding(finding)))
    expected = tuple(dict.fromkeys(f for _tag, f in sorted(tagged.items())))
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_reduce, "_HELD", held)
        folder = tempfile.TemporaryDirectory(dir=scratch)
        spools = [write_spool(folder.name, f"part-{n}", items) for n, items in enumerate(spread)]
        found = account_reduce.distinct_findings([s for s in spools if s], folder)
        assert found == expected
        assert list(found) == list(expected)
        assert isinstance(found, tuple) == (len(expected) <= held)
        left = sorted(p.name for p in Path(folder.name).iterdir())
        assert left == ([] if isinstance(found, tuple) else ["findings"])
        del found
        folder.cleanup()


@pytest.mark.parametrize("render", ["json", "employers"])
def test_findings_past_the_held_ones_are_read_back_and_printed_the_same(
    payroll: Path,
    trainings: tuple[Training, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    render: str,
) -> None:
    """With two findings held, the rest spooled: the run's findings equal the in-parent
    ones, and the command (in this process) prints the bytes the subprocess prints."""
    path = tmp_path / "trainings.csv"
    path.write_text(trainings_to_csv(trainings), encoding="utf-8")
    view = ("--employer-view",) if render == "employers" else ()
    expected = run_cli("account", payroll, "--trainings", path, "--format", "json", *view,
                       "--jobs", "2")  # fmt: skip
    monkeypatch.setattr(account_reduce, "_HELD", 2)
    reference = render_accounts(accounts_from_files([payroll], trainings, jobs=1), render)  # type: ignore[arg-type]
    run = accounts_from_files([payroll], trainings, jobs=2, render=render)  # type: ignore[arg-type]
    assert len(run.accounts.findings) > 2
    assert not isinstance(run.accounts.findings, tuple)
    assert run.accounts.findings == reference.accounts.findings
    del run
    code = main(["account", str(payroll), "--trainings", str(path), "--format", "json", *view,
                 "--jobs", "2"])  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, out, err) == (expected.returncode, expected.stdout, expected.stderr)


def test_an_archive_account_xml_cannot_carry_is_named_and_nothing_is_written(
    payroll: Path, trainings: tuple[Training, ...], tmp_path: Path
) -> None:
    """A training name with a control character (CSV accepts it, XML cannot carry it): the
    archive is refused whole, the account named by employer key and NISS, as with one job."""
    single = trainings[2]  # the worker with one account: the training is routed to it
    path = tmp_path / "trainings.csv"
    path.write_text(trainings_to_csv([attrs.evolve(single, name="Weld\x0bing")]), "utf-8")
    outputs = []
    for jobs in ("1", "2"):
        result = run_cli("account", payroll, "--trainings", path, "--format", "xml",
                         "--jobs", jobs)  # fmt: skip
        assert_no_traceback(result)
        assert result.returncode != 0
        assert result.stdout == ""
        assert f"/{single.niss.value}].trainings[0].name" in result.stderr
        outputs.append(result.stderr)
    assert outputs[0] == outputs[1]


@settings(max_examples=100, deadline=None)
@given(
    st.builds(
        Finding,
        st.text(min_size=1, max_size=12),
        st.sampled_from(Severity),
        st.text(max_size=40),
        st.one_of(st.none(), st.builds(SourceRef, st.one_of(st.none(), st.text(max_size=12)),
                                       st.one_of(st.none(), st.integers(1, 10**6)),
                                       st.one_of(st.none(), st.text(max_size=12)))),
    )
)  # fmt: skip
def test_a_plain_finding_rebuilds_the_finding(finding: Finding) -> None:
    """The spools' plain values and the trusted rebuild, against the checked constructor."""
    plain = plain_finding(finding)
    rebuilt = finding_of(plain)
    assert rebuilt == finding
    assert str(rebuilt) == str(finding)
    assert type(rebuilt.severity) is Severity
    assert finding_of(pickle.loads(pickle.dumps(plain))) == finding
    assert all(isinstance(v, str | int | tuple | None) for v in plain)


def test_the_archive_of_input_read_at_once_keeps_its_entitlements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Input read at once in this process (here originals with an update, made to go that
    way as they did before corrections went with their employer): render="xml" keeps the
    entitlements the archive needs even when the caller asked to keep none (as the
    shuffled route does), and gives the document written from the accounts."""
    from importlib import resources

    _one_read(monkeypatch)
    demo = resources.files("mycareer.data.demo")
    paths = [str(demo / "dmfa"), str(demo / "corrections")]
    assert not plan_employers(paths).by_employer
    run = accounts_from_files(paths, jobs=1, render="xml", keep_entitlements=False)
    kept = accounts_from_files(paths, jobs=1)
    head, tail = training_accounts_frame()
    document = (head + "".join(run.texts) + tail).encode()
    assert document == training_accounts_bytes(kept.accounts.records())
    assert b"<entitlement " in document


def test_more_spools_than_one_merge_reads_leave_no_file() -> None:
    """Past OPEN_FILES spools the merge writes intermediate files: all are removed."""
    tagged = [((2, "A", f"{n:03d}", 0), plain_finding(FINDINGS[n % 3])) for n in range(70)]
    with tempfile.TemporaryDirectory() as scratch:
        folder = tempfile.TemporaryDirectory(dir=scratch)
        spools = [write_spool(folder.name, f"part-{n}", [item]) for n, item in enumerate(tagged)]
        found = account_reduce.distinct_findings([s for s in spools if s], folder)
        assert found == tuple(FINDINGS)
        assert list(Path(folder.name).iterdir()) == []
        folder.cleanup()


def test_the_archive_errors_come_in_the_order_one_writer_gives(
    payroll: Path, trainings: tuple[Training, ...]
) -> None:
    """Two fields XML cannot carry in one training (provider before outcome in the record,
    after it by name): the shuffled route reports them as the read-at-once route does."""
    bad = attrs.evolve(trainings[2], provider="Prov\x0bider", outcome="Out\x0bcome")
    shuffled = accounts_from_files([payroll], [bad], jobs=2, render="xml")
    kept = accounts_from_files([payroll], [bad], jobs=1)
    expected = render_accounts(kept, "xml").archive_errors
    assert [e.path for e in shuffled.archive_errors] == [e.path for e in expected]
    assert [e.path.rsplit(".", 1)[1] for e in expected if e.path] == ["provider", "outcome"]


def test_trainings_given_to_be_walked_are_kept_when_the_ledgers_are_built_here(
    payroll: Path, trainings: tuple[Training, ...]
) -> None:
    """``more_trainings`` on the in-parent route: the same accounts as ``trainings``."""
    plan = plan_employers([payroll])
    walked = attrs.evolve(CHOICES, more_trainings=iter(trainings))
    given = attrs.evolve(CHOICES, trainings=trainings)
    run = run_account_plan(plan, walked, 1, local_mapper(1))
    assert run.accounts == run_account_plan(plan, given, 1, local_mapper(1)).accounts
    assert sum(len(a.trainings) for a in run.accounts.accounts) == 2


@pytest.mark.parametrize("render", ["objects", "json"])
def test_reading_findings_come_in_the_order_of_one_read_whatever_jobs(
    tmp_path: Path, render: str
) -> None:
    """Two employers each sent one quarter twice (tests/scale/_duplicates.py): one read
    reports the duplicates by the file each excludes (b.xml, then d.xml), and so must the
    employer groups, whatever ``jobs``."""
    folder = two_duplicated_quarters(tmp_path)
    expected = tuple(dict.fromkeys(read_corrected_dmfa([folder], on_error="collect").findings))
    assert [Path(f.source.file).name for f in expected] == ["b.xml", "d.xml"]  # type: ignore[union-attr, arg-type]
    for jobs in (1, 2):
        run = accounts_from_files([folder], jobs=jobs, render=render)  # type: ignore[arg-type]
        assert run.findings == expected


def test_employers_sharing_an_nsso_number_give_the_accounts_of_one_read(tmp_path: Path) -> None:
    """Two enterprise numbers declared under one NSSO number fall in two employer groups,
    but one read puts their declarations of a quarter in one slot (mycareer.dmfa_update):
    the groups must see the shared number and read everything at once, as one read."""
    folder, _keys = shared_nsso_number(tmp_path)
    batch = read_corrected_dmfa([folder], on_error="collect")
    expected = accounts_from_declarations(batch.records, batch.declarations)
    for jobs in (1, 2):
        assert accounts_from_files([folder], jobs=jobs).accounts == expected


_Rows = dict[int, bytes]


@given(
    st.lists(st.dictionaries(st.integers(0, 3), st.binary(min_size=1, max_size=5)),
             min_size=1, max_size=6),
    st.data(),
)  # fmt: skip
def test_the_rows_of_groups_read_again_leave_the_bucket_files(
    groups: list[_Rows], data: st.DataObject
) -> None:
    """Groups' rows written, then twice: some groups joined (their rows dropped), the
    others renumbered in any order, the joined group's rows written. Each bucket's file
    holds what a plain list of the standing groups' rows says, in the order written, and
    each group's remembered place reads back its own rows."""
    base = AccountGroupResult((), {}, {}, (), (), frozenset(), None, None)

    def write(sink: BucketFiles, index: int, rows: _Rows) -> None:
        blobs = tuple(rows.get(bucket) for bucket in range(4))
        assert sink.keep(index, attrs.evolve(base, rows=blobs)).rows == ()

    with tempfile.TemporaryDirectory() as folder:
        sink = BucketFiles(folder, 4)
        standing: list[tuple[int, _Rows]] = []  # (write order, rows), by group index
        for index, rows in enumerate(groups):
            write(sink, index, rows)
            standing.append((index, rows))
        written = len(groups)
        for _round in range(2):
            joined = data.draw(st.sets(st.sampled_from(range(len(standing))), min_size=1))
            kept = data.draw(st.permutations([i for i in range(len(standing)) if i not in joined]))
            sink.carry([*kept, None], joined)
            rows = data.draw(st.dictionaries(st.integers(0, 3), st.binary(min_size=1, max_size=5)))
            standing = [*(standing[i] for i in kept), (written, rows)]
            write(sink, len(kept), rows)
            written += 1
        in_order = sorted(standing, key=lambda item: item[0])
        for bucket, path in enumerate(sink.close()):
            expected = b"".join(rows[bucket] for _n, rows in in_order if bucket in rows)
            content = Path(path).read_bytes() if path else b""
            assert content == expected
            for index, (_n, rows) in enumerate(standing):
                for at_bucket, at, length in sink.written.get(index, ()):
                    if at_bucket == bucket:
                        assert content[at : at + length] == rows[bucket]
