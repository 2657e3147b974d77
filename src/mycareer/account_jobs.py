"""Training accounts from DmfA files, one employer at a time, on one core or several.

An account belongs to one worker at one employer, and its credits are that
employer's entitlements (the size band, the duplicate originals: all per
employer). So the heavy part, reading the files and computing every year's
entitlements, maps over employer groups exactly as
:mod:`mycareer.pipeline` does for one year
(:func:`~mycareer.fla.account_pipeline.year_entitlements` on each group, in
``jobs`` processes). Only the entitlements (or, when the caller keeps none, each
year's credit and its findings) and the worker facts come back, never the
records; the ledgers are then kept in the calling process
(:func:`~mycareer.fla.account_pipeline.accounts_from_credits`), because a
training without an employer goes to the worker's only account, which may be
at any employer. Input that is not DmfA originals with readable headers
(updates, consultation answers, a header that cannot be read) is read at once
in the calling process, as :func:`~mycareer.fla.accounts_from_declarations` reads it.

The statement date and the years credited default to what the records say
(the last declared quarter, the first declared year). Every task needs them
before it reads, so they are taken from the headers' quarters
(:func:`~mycareer.pipeline.scan_header`); when the records turn out to say
otherwise (a header quarter whose records were all refused, a file with
several declarations), or to name an employer their headers did not, the
run is one read of everything in this process instead, as for the
entitlements. Either way the accounts are those of
:func:`~mycareer.fla.accounts_from_declarations` on every record read at once,
whatever ``jobs``.

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa"
>>> run = accounts_from_files([str(demo)], jobs=1)
>>> run.accounts.from_year, run.accounts.to_year, run.errors
(2023, 2025, ())
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import attrs

from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.fla import EntitlementOptions, Overrides, Rulebook
from mycareer.fla.account import AccountPolicy, Termination
from mycareer.fla.account_pipeline import (
    AccountsRun,
    CreditLine,
    account_years,
    accounts_from_credits,
    accounts_from_declarations,
    credit_lines,
    occupation_facts,
    statement_date,
    year_entitlements,
)
from mycareer.fla.trainings import Training
from mycareer.fla.values import Entitlement
from mycareer.joint_commission import JointCommission
from mycareer.pipeline import (
    EmployerGroup,
    FileTicks,
    Plan,
    Progress,
    disjoint_groups,
    jobs_count,
    map_in_processes,
    pack_groups,
    plan_employers,
    run_groups,
)
from mycareer.quarter import Quarter
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.flows import read_corrected_dmfa

__all__ = [
    "AccountChoices",
    "AccountFilesRun",
    "AccountGroupResult",
    "AccountSpec",
    "accounts_from_files",
    "combine_accounts",
    "run_account_group",
    "run_account_plan",
]

_Key = tuple[str, str]
Task = list[tuple[int, tuple[str, ...]]]
#: Runs a list of tasks somewhere (processes here, or a cluster) and yields each one's
#: ``[(group index, AccountGroupResult), ...]`` as it finishes.
AccountMapper = Callable[["AccountSpec", list[Task]], Iterable[list[tuple[int, Any]]]]


@attrs.frozen
class AccountSpec:
    """What every group computes: picklable, sent once per task."""

    years: tuple[int, int]
    as_of: date
    rulebook: Rulebook | None = None
    options: EntitlementOptions | None = None
    overrides: Overrides | None = None
    #: False: each group sends back credits (:func:`credit_lines`), not entitlements.
    keep_entitlements: bool = True


@attrs.frozen
class AccountGroupResult:
    """One group's entitlements of every year, its worker facts and what reading said.

    ``entitlements`` in the one-process order (year, employer key, NISS), or, when
    the spec does not keep them, ``credits`` (their credit lines, in that order);
    ``keys`` every employer key its records and declarations named; ``first_year``
    and ``last_quarter`` those of its records (None: no record).
    """

    entitlements: tuple[Entitlement, ...]
    work_regimes: dict[_Key, WorkFraction]
    joint_committees: dict[_Key, JointCommission]
    findings: tuple[Finding, ...]
    errors: tuple[InvalidValueError, ...]
    keys: frozenset[str]
    first_year: int | None
    last_quarter: Quarter | None
    credits: tuple[CreditLine, ...] = ()


@attrs.frozen
class AccountFilesRun:
    """The accounts, and what reading the files said.

    ``errors`` in the order of their files in the input; ``findings`` (each once) group
    by group, in the order of the groups' smallest employer key, the same whatever
    ``jobs`` (one read of everything orders them by declaration instead).
    """

    accounts: AccountsRun
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()


def run_account_group(spec: AccountSpec, files: Sequence[str]) -> AccountGroupResult:
    """Read one group's files and compute every year's entitlements (in this process)."""
    batch = read_corrected_dmfa(files, on_error="collect")
    records = batch.records
    entitlements = year_entitlements(
        records, batch.declarations, spec.years, as_of=spec.as_of,
        rulebook=spec.rulebook or Rulebook.default(), options=spec.options,
        overrides=spec.overrides,
    )  # fmt: skip
    regimes, committees = occupation_facts(records)
    keys = {r.employer.key for r in records} | {d.employer.key for d in batch.declarations}
    kept = spec.keep_entitlements
    return AccountGroupResult(
        entitlements=tuple(entitlements) if kept else (),
        work_regimes=regimes,
        joint_committees=committees,
        findings=tuple(dict.fromkeys(batch.findings)),
        errors=tuple(batch.errors),
        keys=frozenset(keys),
        first_year=min((r.quarter.year for r in records), default=None),
        last_quarter=max((r.quarter for r in records), default=None),
        credits=() if kept else tuple(credit_lines(entitlements)),
    )


def _run_task(spec: AccountSpec, task: Task) -> list[tuple[int, AccountGroupResult]]:
    return run_groups(run_account_group, spec, task)


def _local_mapper(jobs: int) -> AccountMapper:
    def run(spec: AccountSpec, tasks: list[Task]) -> Iterator[list[tuple[int, Any]]]:
        return map_in_processes(_run_task, jobs, [spec] * len(tasks), tasks)

    return run


def combine_accounts(
    results: Sequence[AccountGroupResult],
) -> tuple[
    list[Entitlement], list[CreditLine], dict[_Key, WorkFraction], dict[_Key, JointCommission]
]:
    """The groups' entitlements (or credit lines) in the one-process order, and their facts.

    Exact for groups of disjoint employers: each group's entitlements are sorted by
    (year, employer key, NISS), and so is their merge.
    """
    entitlements = sorted(
        (e for r in results for e in r.entitlements),
        key=lambda e: (e.year, e.employer.key, e.niss.value),
    )
    lines = sorted((line for r in results for line in r.credits), key=_line_order)
    regimes: dict[_Key, WorkFraction] = {}
    committees: dict[_Key, JointCommission] = {}
    for result in results:
        regimes.update(result.work_regimes)
        committees.update(result.joint_committees)
    return entitlements, lines, regimes, committees


def _line_order(line: CreditLine) -> tuple[int, str, str]:
    credit = line[0]
    return credit.year, credit.employer.key if credit.employer else "", credit.niss.value


@attrs.frozen
class AccountChoices:
    """The caller's arguments (those of :func:`accounts_from_files`), picklable."""

    trainings: tuple[Training, ...]
    as_of: date | None
    from_year: int | None
    to_year: int | None
    terminations: tuple[Termination, ...]
    policy: AccountPolicy | None
    rulebook: Rulebook | None
    options: EntitlementOptions | None
    overrides: Overrides | None
    keep_entitlements: bool = True

    def spec(self, first_year: int | None, last_quarter: Quarter | None) -> AccountSpec:
        """The spec when the records declare ``first_year`` .. ``last_quarter``."""
        as_of = self.as_of or statement_date(last_quarter, self.trainings, self.to_year)
        years = account_years(first_year, as_of, self.from_year, self.to_year)
        return AccountSpec(
            years, as_of, self.rulebook, self.options, self.overrides, self.keep_entitlements
        )


def _map(
    plan: Plan, spec: AccountSpec, jobs: int, mapper: AccountMapper, progress: Progress | None
) -> list[AccountGroupResult]:
    ticks = FileTicks(plan, progress)
    found: dict[int, AccountGroupResult] = {}
    for done in mapper(spec, pack_groups(plan.groups, jobs)):
        found.update(done)
        ticks.done(index for index, _result in done)
    ticks.finish()
    return [found[i] for i in range(len(plan.groups))]


def _facts(results: Sequence[AccountGroupResult]) -> tuple[int | None, Quarter | None]:
    first = min((r.first_year for r in results if r.first_year is not None), default=None)
    last = max((r.last_quarter for r in results if r.last_quarter is not None), default=None)
    return first, last


def run_account_plan(
    plan: Plan,
    choices: AccountChoices,
    jobs: int,
    mapper: AccountMapper,
    progress: Progress | None = None,
) -> AccountFilesRun:
    """Every group through ``mapper`` (which runs tasks somewhere), then the ledgers here.

    Exact whatever the grouping: when a group's records name an employer of another
    group (or none of its headers), everything is read again as one group; when the
    records' first year or last quarter is not what the headers' quarters said (the
    defaults), the groups are computed again with what the records say.
    """
    quarters = plan.quarters
    spec = choices.spec(quarters[0].year if quarters else None, quarters[-1] if quarters else None)
    results = _map(plan, spec, jobs, mapper, progress)
    if len(plan.groups) > 1 and not disjoint_groups(plan.groups, results):
        plan = Plan((EmployerGroup((), plan.files),), plan.files, plan.quarters)
        results = []  # freed before the groups are read again
        results = _map(plan, spec, jobs, mapper, None)
    said = choices.spec(*_facts(results))
    if said != spec:  # the same records again: their facts give this spec again
        spec = said
        results = []
        results = _map(plan, spec, jobs, mapper, None)
    entitlements, lines, regimes, committees = combine_accounts(results)
    accounts = accounts_from_credits(
        credit_lines(entitlements) if spec.keep_entitlements else lines, choices.trainings,
        as_of=spec.as_of, years=spec.years, terminations=choices.terminations,
        policy=choices.policy, rulebook=choices.rulebook, work_regimes=regimes,
        joint_committees=committees, entitlements=tuple(entitlements),
        kept_entitlements=spec.keep_entitlements,
    )  # fmt: skip
    findings = tuple(dict.fromkeys(f for r in results for f in r.findings))
    return AccountFilesRun(accounts, findings, _in_file_order(plan, results))


def _in_file_order(
    plan: Plan, results: Sequence[AccountGroupResult]
) -> tuple[InvalidValueError, ...]:
    """The groups' errors by their file's place in the input, as one read reports them
    (stable: a file's own errors keep their order; an error naming no file comes last)."""
    place = {name: number for number, name in enumerate(plan.files)}
    errors = [e for r in results for e in r.errors]
    unknown = len(place)
    return tuple(
        sorted(errors, key=lambda e: place.get((e.source and e.source.file) or "", unknown))
    )


def accounts_from_files(
    paths: Iterable[str | os.PathLike[str]],
    trainings: Iterable[Training] = (),
    *,
    jobs: int | None = None,
    as_of: date | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    terminations: Iterable[Termination] = (),
    policy: AccountPolicy | None = None,
    rulebook: Rulebook | None = None,
    options: EntitlementOptions | None = None,
    overrides: Overrides | None = None,
    progress: Progress | None = None,
    keep_entitlements: bool = True,
) -> AccountFilesRun:
    """Training accounts from DmfA files: the pipeline of ``mycareer account``.

    The accounts are those of :func:`~mycareer.fla.accounts_from_declarations` on
    every record of the files (read with ``on_error="collect"``: refused records
    and files are in ``errors``), computed employer by employer in ``jobs``
    processes (default: the usable cores; 1: this process) when the files are DmfA
    originals whose headers name their employer, else from one read of everything.
    The arguments are those of :func:`~mycareer.fla.accounts_from_declarations`;
    ``progress`` wraps the list of files as they are read. ``keep_entitlements=False``
    leaves ``accounts.entitlements`` empty (the worker processes send back each year's
    credit instead, which keeps the calling process small; only
    :meth:`~mycareer.fla.AccountsRun.records`, the archive, needs them).
    """
    given = [str(os.fspath(p)) for p in paths]
    count = jobs_count(jobs)
    choices = AccountChoices(
        tuple(trainings), as_of, from_year, to_year, tuple(terminations), policy, rulebook,
        options, overrides, keep_entitlements,
    )  # fmt: skip
    if not given:
        accounts = accounts_from_declarations(
            (), (), choices.trainings, as_of=as_of, from_year=from_year, to_year=to_year,
            terminations=choices.terminations, policy=policy, rulebook=rulebook,
        )  # fmt: skip
        return AccountFilesRun(accounts)
    plan = plan_employers(given)
    if not plan.by_employer:  # updates, unreadable headers...: one read, in this process
        return _read_all(given, choices, progress)
    return run_account_plan(plan, choices, count, _local_mapper(count), progress)


def _read_all(
    paths: Sequence[str], choices: AccountChoices, progress: Progress | None
) -> AccountFilesRun:
    """One read of every file, then :func:`~mycareer.fla.accounts_from_declarations`."""
    batch = read_corrected_dmfa(paths, on_error="collect", progress=progress)
    accounts = accounts_from_declarations(
        batch.records, batch.declarations, choices.trainings, as_of=choices.as_of,
        from_year=choices.from_year, to_year=choices.to_year,
        terminations=choices.terminations, policy=choices.policy, rulebook=choices.rulebook,
        options=choices.options, overrides=choices.overrides,
    )  # fmt: skip
    if not choices.keep_entitlements:
        accounts = attrs.evolve(accounts, entitlements=(), kept_entitlements=False)
    return AccountFilesRun(accounts, tuple(dict.fromkeys(batch.findings)), tuple(batch.errors))
