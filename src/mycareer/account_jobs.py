"""Training accounts from DmfA files, one employer at a time, on one core or several.

An account belongs to one worker at one employer, and its credits are that employer's
entitlements (the size band, the duplicate originals: all per employer). So the heavy
part, reading the files and computing every year's entitlements, maps over employer
groups exactly as :mod:`mycareer.pipeline` does for one year
(:func:`~mycareer.account_groups.run_account_group` on each group, in ``jobs``
processes: the group's originals stream file by file into every year's entitlements).
Only the entitlements (or, when the caller keeps none, each year's credit and its
findings) and the worker facts come back, never the records. A DmfA update or
consultation answer goes with the originals of the employer it names
(:func:`~mycareer.plans.plan_with_corrections`). A document of another kind (a Dimona
declaration) is a group of its own, which says it is not read. Corrections among
documents of other kinds, a header that cannot be read, or a correction naming another
group's employer is read at once in the calling process, as
:func:`~mycareer.fla.accounts_from_declarations` reads it.

The ledgers need everything of one worker: a training without an employer goes to
the worker's only account, which may be at any employer. Two routes:

* ``render="objects"`` (the default, for callers that want the accounts):
  the ledgers are built in the calling process
  (:func:`~mycareer.fla.account_pipeline.accounts_from_credits`), which holds
  every credit and account (about 2.7 kB an account);
* otherwise (JSON, CSV, the table, the XML archive, the employer view) the credits
  are *shuffled by worker*: each group writes its credits as rows (and for the archive
  what it keeps of the entitlements and workers)
  (:func:`~mycareer.fla.account_pipeline.credit_row`) into buckets by a stable hash
  of the NISS (:func:`~mycareer.pipeline.bucket_of`), which the calling process
  appends to one temporary file per bucket; then each bucket, its rows with its
  workers' trainings (routed as they are read: :mod:`mycareer.fla.training_buckets`)
  and terminations, is reduced in the worker processes
  (:func:`reduce_bucket`, with :func:`~mycareer.fla.account_pipeline.credit_ledgers`,
  the in-parent rule) and rendered there; the texts are spooled
  (:mod:`mycareer._spool`) and read back in the accounts' order as they are
  written, and so are the findings (:mod:`mycareer.account_reduce`). The calling
  process holds one group's rows at a time, never the accounts or the trainings.
  The employer each key shows comes from the whole run
  (:func:`~mycareer.fla.account.shown_employers`), and findings are tagged with
  their place in the in-parent run's list, so the output is that of the in-parent
  route, byte for byte.

The statement date and the years credited default to what the records say (the last
declared quarter, the first declared year). Every task needs them before it reads, so
they are taken from the headers' quarters (:func:`~mycareer.pipeline.scan_header`); when
the records turn out to say otherwise (a header quarter whose records were all refused,
a file with several declarations), or to name an employer their headers did not, the run
is one read of everything in this process instead, as for the entitlements. Either way
the accounts are those of :func:`~mycareer.fla.accounts_from_declarations` on every
record read at once, whatever ``jobs``.

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa"
>>> run = accounts_from_files([str(demo)], jobs=1)
>>> run.accounts.from_year, run.accounts.to_year, run.errors
(2023, 2025, ())
"""

from __future__ import annotations

import bisect
import itertools
import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import attrs

from mycareer._spool import SpooledItems, write_spool
from mycareer.account_groups import AccountGroupResult, AccountSpec, run_account_group
from mycareer.account_reduce import (
    BucketResult,
    BucketTask,
    ReduceSpec,
    Render,
    account_texts,
    archive_texts,
    by_worker,
    distinct_findings,
    plain_finding,
    reduce_bucket,
)
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.fla import EntitlementOptions, Overrides, Rulebook
from mycareer.fla.account import (
    AccountPolicy,
    EmployerAccountSummary,
    Termination,
    merge_summaries,
    shown_employers,
)
from mycareer.fla.account_pipeline import (
    AccountsRun,
    CreditLine,
    account_years,
    accounts_from_credits,
    accounts_from_declarations,
    credit_lines,
    statement_date,
)
from mycareer.fla.training_buckets import (
    RoutedTrainings,
    TrainingFacts,
    route_trainings,
)
from mycareer.fla.trainings import Training
from mycareer.fla.values import Entitlement
from mycareer.group_tasks import FileTicks, Progress, pack_groups, run_groups
from mycareer.joint_commission import JointCommission
from mycareer.pipeline import (
    EmployerGroup,
    Plan,
    jobs_count,
    map_in_processes,
    plan_employers,
)
from mycareer.quarter import Quarter
from mycareer.read_order import errors_in_file_order, reading_in_file_order
from mycareer.regroup import groups_to_join, header_groups, joined_plan
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.flows import read_corrected_dmfa

__all__ = [
    "AccountChoices",
    "AccountFilesRun",
    "AccountGroupResult",
    "AccountSpec",
    "BucketResult",
    "BucketTask",
    "ReduceSpec",
    "Render",
    "accounts_from_files",
    "bucket_count",
    "combine_accounts",
    "reduce_bucket",
    "reduce_buckets",
    "render_accounts",
    "run_account_group",
    "run_account_plan",
]

_Key = tuple[str, str]
#: About this many bytes of XML per bucket of workers (each reduce holds one bucket's
#: ledgers: at 70 accounts a MB of XML and 2.7 kB an account, about 6 MB).
_BUCKET_BYTES = 32_000_000
#: At most this many buckets: the output merges one spooled file per bucket.
_MAX_BUCKETS = 256
#: Groups ``(group index, group)``, as :func:`~mycareer.group_tasks.pack_groups` packs them.
Task = list[tuple[int, EmployerGroup]]
#: Runs a list of tasks somewhere (processes here, or a cluster) and yields each one's
#: ``[(group index, AccountGroupResult), ...]`` as it finishes.
AccountMapper = Callable[["AccountSpec", list[Task]], Iterable[list[tuple[int, Any]]]]


@attrs.frozen
class AccountFilesRun:
    """The accounts, and what reading the files said.

    ``errors`` in the order of their files in the input; ``findings`` (each once) what
    reading said, in the order one read of everything gives (document versions by file,
    then duplicate originals by the file each excludes), whatever ``jobs``.

    A rendered run (``render`` other than ``"objects"``, see :func:`render_accounts`)
    keeps no account: ``accounts.accounts`` is empty and ``accounts.findings`` holds
    each finding once (its first place; past a few thousand read back lazily from the
    run's temporary files); ``texts`` has each account's text in the accounts' order
    (``"json"``, ``"csv"``, ``"table"``, ``"xml"``: its ``<account>`` element, without
    the document's prologue and root), or ``summaries`` the employer view
    (``"employers"``); ``tally`` is (accounts, distinct workers); ``archive_errors``
    the archive's accounts that cannot be written, each named by employer key and NISS
    (``$.accounts[KEY/NISS]``).
    """

    accounts: AccountsRun
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()
    texts: Sequence[str] = ()
    summaries: tuple[EmployerAccountSummary, ...] | None = None
    tally: tuple[int, int] | None = None
    #: A rendered archive's accounts that cannot be written (text XML cannot carry).
    archive_errors: tuple[InvalidValueError, ...] = ()

    @property
    def account_count(self) -> int:
        """How many accounts (kept or rendered)."""
        return len(self.accounts.accounts) if self.tally is None else self.tally[0]

    @property
    def worker_count(self) -> int:
        """How many distinct workers have an account (kept or rendered)."""
        return self.accounts.workers if self.tally is None else self.tally[1]

    def employer_summaries(self) -> tuple[EmployerAccountSummary, ...]:
        """Each employer's team totals: the rendered ones, else from the accounts."""
        return self.accounts.employer_summaries() if self.summaries is None else self.summaries


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
    """The caller's arguments (those of :func:`accounts_from_files`); picklable unless
    ``more_trainings`` is a generator (it is walked once, in this process)."""

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
    render: Render = "objects"
    #: More trainings, after ``trainings``, read only as a run shuffled by worker routes
    #: them (:func:`~mycareer.fla.training_buckets.route_trainings`): never all held.
    more_trainings: Iterable[Training] = ()
    #: The trainings once routed (by :func:`_run_buckets`): ``trainings`` is then empty.
    routed: RoutedTrainings | None = None
    indent: int | None = None  #: ``render="json"``: see :func:`accounts_from_files`

    def training_facts(self) -> TrainingFacts:
        """What the run needs of all its trainings (see ``routed``)."""
        return self.routed.facts if self.routed else TrainingFacts.of(self.trainings)

    def spec(
        self, first_year: int | None, last_quarter: Quarter | None, buckets: int = 0
    ) -> AccountSpec:
        """The spec when the records declare ``first_year`` .. ``last_quarter``."""
        facts = self.training_facts()
        as_of = self.as_of or statement_date(last_quarter, facts.latest_end, self.to_year)
        years = account_years(first_year, as_of, self.from_year, self.to_year)
        if not buckets:
            return AccountSpec(
                years, as_of, self.rulebook, self.options, self.overrides, self.keep_entitlements
            )
        return AccountSpec(
            years, as_of, self.rulebook, self.options, self.overrides,
            keep_entitlements=False, buckets=buckets, training_keys=frozenset(facts.employers),
            archive=self.render == "xml",
        )  # fmt: skip


class _BucketFiles:
    """The shuffle's bucket files: each group's rows appended as they come (pickles),
    where each group's went remembered, so that a group read again leaves its first rows
    behind (:meth:`carry`)."""

    def __init__(self, folder: str, count: int) -> None:
        self.folder = folder
        self.count = count
        self.attempt = 0
        self.files: dict[int, IO[bytes]] = {}
        #: Per group index: its rows' (bucket, offset, length) in the bucket files.
        self.written: dict[int, list[tuple[int, int, int]]] = {}

    def path(self, bucket: int) -> str:
        return os.path.join(self.folder, f"rows-{self.attempt}-{bucket:05d}")

    def keep(self, index: int, result: AccountGroupResult) -> AccountGroupResult:
        """Write group ``index``'s rows to their buckets; the result without them."""
        for bucket, blob in enumerate(result.rows):
            if blob is not None:
                if bucket not in self.files:
                    self.files[bucket] = open(self.path(bucket), "ab")  # noqa: SIM115 - closed by close()
                out = self.files[bucket]
                self.written.setdefault(index, []).append((bucket, out.tell(), len(blob)))
                out.write(blob)
        return attrs.evolve(result, rows=())

    def carry(self, sources: Sequence[int | None], dropped: Collection[int]) -> None:
        """Into a new plan whose group ``n`` was group ``sources[n]`` (None: joined): the
        rows of the groups ``dropped`` (read again, joined) leave their bucket files."""
        gone: dict[int, list[tuple[int, int]]] = {}
        for index in dropped:
            for bucket, at, length in self.written.pop(index, ()):
                gone.setdefault(bucket, []).append((at, length))
        moved = {bucket: self._cut(bucket, spans) for bucket, spans in gone.items()}
        self.written = {
            new: [(b, moved[b](at) if b in moved else at, n) for b, at, n in self.written[old]]
            for new, old in enumerate(sources)
            if old is not None and old in self.written
        }

    def _cut(self, bucket: int, spans: list[tuple[int, int]]) -> Callable[[int], int]:
        """Bucket ``bucket``'s file without ``spans`` (rewritten, then appended to); what
        a kept pickle's offset becomes."""
        self.files.pop(bucket).close()
        path = self.path(bucket)
        data = Path(path).read_bytes()
        spans.sort()
        kept, start = [], 0
        for at, length in spans:
            kept.append(data[start:at])
            start = at + length
        kept.append(data[start:])
        with open(path + ".cut", "wb") as out:
            out.writelines(kept)
        os.replace(path + ".cut", path)
        self.files[bucket] = open(path, "ab")  # noqa: SIM115 - closed by close()
        starts = [at for at, _length in spans]
        before = list(itertools.accumulate([length for _at, length in spans], initial=0))
        return lambda at: at - before[bisect.bisect_right(starts, at)]

    def close(self) -> list[str | None]:
        """Close the files; each bucket's path (None: no row)."""
        for file in self.files.values():
            file.close()
        paths = [self.path(b) if b in self.files else None for b in range(self.count)]
        self.files = {}
        return paths

    def restart(self) -> None:
        """Forget what was written (the groups are computed again)."""
        for path in filter(None, self.close()):
            os.remove(path)
        self.written = {}
        self.attempt += 1


def _map(
    plan: Plan,
    spec: AccountSpec,
    jobs: int,
    mapper: AccountMapper,
    progress: Progress | None,
    sink: _BucketFiles | None = None,
    kept: Mapping[int, AccountGroupResult] | None = None,
) -> list[AccountGroupResult]:
    """Each group's result, read by ``mapper`` unless ``kept`` has it (its rows already in
    ``sink``: the others' are added to them; without ``kept`` the sink starts anew)."""
    found = dict(kept or {})
    ticks = FileTicks(
        plan, progress, None if kept is None else set(range(len(plan.groups))) - set(found)
    )
    if sink is not None and kept is None:
        sink.restart()
    tasks = pack_groups(plan.groups, jobs, skip=found.keys())
    # A group naming another's employer stops there: see _mapped.
    spec = attrs.evolve(spec, header_groups=header_groups(plan.groups))
    for done in mapper(spec, tasks):
        for index, result in done:
            found[index] = result if sink is None else sink.keep(index, result)
        ticks.done(index for index, _result in done)
    ticks.finish()
    return [found[i] for i in range(len(plan.groups))]


def _facts(results: Sequence[AccountGroupResult]) -> tuple[int | None, Quarter | None]:
    first = min((r.first_year for r in results if r.first_year is not None), default=None)
    last = max((r.last_quarter for r in results if r.last_quarter is not None), default=None)
    return first, last


def _mapped(
    plan: Plan,
    choices: AccountChoices,
    jobs: int,
    mapper: AccountMapper,
    progress: Progress | None,
    sink: _BucketFiles | None = None,
) -> tuple[Plan, AccountSpec, list[AccountGroupResult]]:
    """Every group through ``mapper``, again as one group or with the records' facts if
    need be (see :func:`run_account_plan`): the plan, spec and results that hold."""
    buckets = 0 if sink is None else sink.count
    quarters = plan.quarters
    first, last = (quarters[0].year, quarters[-1]) if quarters else (None, None)
    spec = choices.spec(first, last, buckets)
    results = _map(plan, spec, jobs, mapper, progress, sink)
    while len(plan.groups) > 1 and (joins := groups_to_join(plan.groups, results)) != []:
        # Groups that name one employer are read again together (mycareer.regroup), the
        # others' results and credits standing; the joined groups' credits leave the
        # buckets (none for a group whose read stopped at another's employer).
        kept: dict[int, AccountGroupResult] | None = None
        if joins is None:  # a file whose employer could not be read: one group (problems kept)
            plan = attrs.evolve(plan, groups=(EmployerGroup((), plan.files),))
        else:
            plan, sources = joined_plan(plan, joins, results)
            kept = {i: results[s] for i, s in enumerate(sources) if s is not None}
            if sink is not None:
                sink.carry(sources, {i for join in joins for i in join})
        results = []  # freed before the groups are read again
        results = _map(plan, spec, jobs, mapper, progress, sink, kept)  # the files shown again
        del kept
    said = choices.spec(*_facts(results), buckets)
    if said != spec:  # the same records again: their facts give this spec again
        spec = said
        results = []
        results = _map(plan, spec, jobs, mapper, None, sink)
    return plan, spec, results


def run_account_plan(
    plan: Plan,
    choices: AccountChoices,
    jobs: int,
    mapper: AccountMapper,
    progress: Progress | None = None,
    *,
    buckets: int | None = None,
    reduce_jobs: int | None = None,
) -> AccountFilesRun:
    """Every group through ``mapper`` (which runs tasks somewhere), then the ledgers.

    Exact whatever the grouping: groups whose records name one employer (a file of
    several forms) are read again together, the others with them
    (:mod:`mycareer.regroup`), and everything as one group when a file's employer could
    not be read; when the
    records' first year or last quarter is not what the headers' quarters said (the
    defaults), the groups are computed again with what the records say.

    ``choices.render`` ``"objects"``: the ledgers are kept in this process. Otherwise
    the credits are shuffled by NISS into ``buckets`` (default :func:`bucket_count`)
    files and each bucket is reduced (:func:`reduce_bucket`) on ``reduce_jobs`` (default
    ``jobs``) local processes: this process then holds the texts' spooled files, not the
    accounts.
    """
    if choices.render != "objects":
        reduce = (jobs, reduce_jobs or jobs)
        return _run_buckets(plan, choices, reduce, mapper, progress, buckets)
    given = (*choices.trainings, *choices.more_trainings)  # the ledgers are built here
    choices = attrs.evolve(choices, trainings=given, more_trainings=())
    plan, spec, results = _mapped(plan, choices, jobs, mapper, progress)
    entitlements, lines, regimes, committees = combine_accounts(results)
    accounts = accounts_from_credits(
        credit_lines(entitlements) if spec.keep_entitlements else lines, choices.trainings,
        as_of=spec.as_of, years=spec.years, terminations=choices.terminations,
        policy=choices.policy, rulebook=choices.rulebook, work_regimes=regimes,
        joint_committees=committees, entitlements=tuple(entitlements),
        kept_entitlements=spec.keep_entitlements,
    )  # fmt: skip
    findings, errors = _read_in_file_order(plan, results)
    return AccountFilesRun(accounts, findings, errors)


def _read_in_file_order(
    plan: Plan, results: Sequence[AccountGroupResult]
) -> tuple[tuple[Finding, ...], tuple[InvalidValueError, ...]]:
    """The groups' findings (each once) and errors as one read of every file orders them."""
    findings = reading_in_file_order(plan.files, [r.findings for r in results])
    read = (e for r in results for e in r.errors)
    errors = errors_in_file_order(plan.files, (*plan.problems, *read))  # problems: no file's
    return tuple(dict.fromkeys(findings)), errors


# --- the shuffle by worker ---------------------------------------------------------------


def bucket_count(plan: Plan, jobs: int) -> int:
    """About 32 MB of XML's workers per bucket, one per job at least, 256 at most."""
    total = sum(g.size for g in plan.groups)
    return max(jobs, min(_MAX_BUCKETS, -(-total // _BUCKET_BYTES)))


def _routed(choices: AccountChoices, folder: str, buckets: int) -> AccountChoices:
    """``choices`` with its trainings routed into ``folder`` (once: kept if they were)."""
    if choices.routed is not None:
        return choices
    given = itertools.chain(choices.trainings, choices.more_trainings)
    routed = route_trainings(given, folder, buckets)
    return attrs.evolve(choices, trainings=(), more_trainings=(), routed=routed)


def _seeded_employers(
    facts: TrainingFacts, results: Sequence[AccountGroupResult]
) -> dict[str, Employer]:
    """The employers every bucket is given (:func:`~mycareer.fla.account.routed_accounts`):
    those of the keys a bucket could not show as the whole run does from its own credits
    and trainings. A bucket shows a key its first credit's employer, else its first
    training's; that is the run's (:func:`~mycareer.fla.account.shown_employers`) unless
    the key's credits show two employers (``mixed``), or its trainings do (``varied``), or
    its trainings name it with another employer than its credits."""
    firsts = [employer for r in results for _key, employer in r.employers]
    shown = shown_employers([*firsts, *facts.employers.values()])
    keys = frozenset().union(*(r.mixed for r in results)) | facts.varied
    keys |= {key for key, employer in facts.employers.items() if shown[key] != employer}
    return {key: employer for key in keys if (employer := shown.get(key)) is not None}


def _bucket_tasks(
    choices: AccountChoices,
    results: Sequence[AccountGroupResult],
    paths: Sequence[str | None],
    folder: str,
) -> list[BucketTask]:
    """A task per bucket with rows, trainings or terminations."""
    routed = _routed(choices, folder, len(paths)).routed
    assert routed is not None
    trainings = routed.paths
    endings = by_worker(choices.terminations, len(paths))
    employers = _seeded_employers(routed.facts, results)
    tasks = []
    for bucket, rows in enumerate(paths):
        if rows is None and trainings[bucket] is None and not endings[bucket]:
            continue
        spool = os.path.join(folder, f"accounts-{bucket:05d}")
        tasks.append(BucketTask(rows, trainings[bucket], tuple(endings[bucket]),
                                employers, spool))  # fmt: skip
    return tasks


def _run_buckets(
    plan: Plan,
    choices: AccountChoices,
    jobs: tuple[int, int],
    mapper: AccountMapper,
    progress: Progress | None,
    buckets: int | None,
) -> AccountFilesRun:
    """Map with the credits shuffled by NISS into files, then :func:`reduce_buckets`
    (``jobs``: the map's and the reduce's)."""
    folder = tempfile.TemporaryDirectory(prefix="mycareer-accounts-")
    mapping, reducing = jobs
    sink = _BucketFiles(folder.name, buckets or bucket_count(plan, max(mapping, reducing)))
    try:
        choices = _routed(choices, folder.name, sink.count)
        plan, spec, results = _mapped(plan, choices, mapping, mapper, progress, sink)
        run = reduce_buckets(choices, spec, results, sink.close(), folder, reducing)
    except BaseException:  # a failed group or bucket: nothing of the run is left behind
        sink.close()
        folder.cleanup()
        raise
    findings, errors = _read_in_file_order(plan, results)
    return attrs.evolve(run, findings=findings, errors=errors)


def reduce_buckets(
    choices: AccountChoices,
    spec: AccountSpec,
    results: Sequence[AccountGroupResult],
    paths: Sequence[str | None],
    folder: tempfile.TemporaryDirectory[str],
    jobs: int,
) -> AccountFilesRun:
    """Every bucket of workers reduced (:func:`reduce_bucket`, on ``jobs`` processes) and
    the parts put together in the in-parent run's order.

    ``results`` are the shuffling groups' (rows taken out), ``paths`` each bucket's file
    of rows (None: none), removed once read; ``folder`` holds the texts' spools and
    belongs to the run's :class:`~mycareer._spool.SpooledItems` (removed with it).
    The accounts' findings are merged from the buckets' spools
    (:func:`~mycareer.account_reduce.distinct_findings`: past a few thousand they are
    read back lazily from ``folder`` too). Reading findings and errors are left to the
    caller.
    """
    tasks = _bucket_tasks(choices, results, paths, folder.name)
    reduce = ReduceSpec(
        spec.as_of, choices.render, choices.policy, choices.rulebook, choices.indent
    )
    parts = list(map_in_processes(reduce_bucket, jobs, [reduce] * len(tasks), tasks))
    for path in filter(None, (*paths, *(t.trainings for t in tasks))):
        Path(path).unlink()
    credited = [(tag, plain_finding(f)) for r in results for tag, f in r.credit_findings]
    credited.sort(key=itemgetter(0))
    spools = [write_spool(folder.name, "findings-credits", credited), *(p.findings for p in parts)]
    findings = distinct_findings([s for s in spools if s is not None], folder)
    accounts = AccountsRun((), (), findings, spec.as_of, *spec.years, kept_entitlements=False)
    tally = (sum(p.accounts for p in parts), sum(p.workers for p in parts))
    if choices.render == "employers":
        if isinstance(findings, tuple):  # else the findings' spool keeps the folder
            folder.cleanup()
        summaries = merge_summaries(p.summaries for p in parts)
        return AccountFilesRun(accounts, summaries=summaries, tally=tally)
    texts: SpooledItems[str] = SpooledItems([p.spool for p in parts if p.spool is not None], folder)
    keyed = sorted((item for p in parts for item in p.errors), key=itemgetter(0))  # stable
    errors = tuple(error for _key, error in keyed)  # the accounts' order, as one writer's
    return AccountFilesRun(accounts, texts=texts, tally=tally, archive_errors=errors)


def render_accounts(
    run: AccountFilesRun, render: Render, indent: int | None = None
) -> AccountFilesRun:
    """A run that kept its accounts, rendered here as ``render`` would have made it.

    What the buckets' reduce gives (:func:`reduce_bucket`), in this process: for input
    read at once, and the reference the shuffle is tested against.
    """
    if render == "objects":
        return run
    kept = run.accounts
    findings = tuple(dict.fromkeys(kept.findings))
    thin = AccountsRun((), (), findings, kept.as_of, kept.from_year, kept.to_year,
                       kept_entitlements=False)  # fmt: skip
    tally = (len(kept.accounts), kept.workers)
    if render == "employers":
        return attrs.evolve(run, accounts=thin, summaries=kept.employer_summaries(), tally=tally)
    if render == "xml":
        items, keyed = archive_texts(kept.records())
        texts = tuple(text for _key, text in items)
        errors = tuple(error for _key, error in keyed)
        return attrs.evolve(run, accounts=thin, texts=texts, tally=tally, archive_errors=errors)
    texts = tuple(account_texts(kept.accounts, render, indent))
    return attrs.evolve(run, accounts=thin, texts=texts, tally=tally)


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
    render: Render = "objects",
    indent: int | None = None,
) -> AccountFilesRun:
    """Training accounts from DmfA files: the pipeline of ``mycareer account``.

    The accounts are those of :func:`~mycareer.fla.accounts_from_declarations` on
    every record of the files (read with ``on_error="collect"``: refused records
    and files are in ``errors``), computed employer by employer in ``jobs``
    processes (default: the usable cores; 1: this process) when the files are DmfA
    originals and corrections whose headers name their employer (an original whose
    header cannot be read, or a file that is no document, is read on its own), else
    from one read of everything.
    The arguments are those of :func:`~mycareer.fla.accounts_from_declarations`;
    ``progress`` wraps the list of files as they are read. ``keep_entitlements=False``
    leaves ``accounts.entitlements`` empty (the worker processes send back each year's
    credit instead, which keeps the calling process small; only
    :meth:`~mycareer.fla.AccountsRun.records`, the archive, needs them).

    ``render`` other than ``"objects"`` keeps no account in this process (nor any
    entitlement): the credits are shuffled by worker and each bucket of workers is
    reduced in the worker processes, which give each account's compact JSON text
    (``"json"``: :func:`~mycareer.fla.account_json.account_json_text`), its CSV rows
    (``"csv"``: :func:`~mycareer.fla.account_json.statement_rows_text`), its table block
    (``"table"``: :func:`~mycareer.fla.account_table.account_table_text`), its archive
    element (``"xml"``, which needs no ``keep_entitlements``:
    :func:`~mycareer.xmlio.training_account_writer.account_element_text`) or their
    employers' totals (``"employers"``); see :class:`AccountFilesRun`. The texts
    are read lazily, in the accounts' order, from the run's temporary files; and
    ``trainings`` are read once, each written to its bucket's temporary file as it
    comes (:mod:`mycareer.fla.training_buckets`), so none is held here either.
    Otherwise they are read at once. With ``indent``, each ``"json"`` text is indented as
    it sits in the indented accounts document (:func:`mycareer.jsontext.item_text`).
    """
    given = [str(os.fspath(p)) for p in paths]
    count = jobs_count(jobs)
    choices = AccountChoices(
        (), as_of, from_year, to_year, tuple(terminations), policy, rulebook,
        options, overrides, keep_entitlements or render == "xml", render,
        more_trainings=trainings, indent=indent,
    )  # fmt: skip
    plan = plan_employers(given, count) if given else None
    if plan is None or not plan.dmfa_by_employer:  # else run_account_plan takes them as it needs
        choices = attrs.evolve(choices, trainings=tuple(trainings), more_trainings=())
    if plan is None:
        accounts = accounts_from_declarations(
            (), (), choices.trainings, as_of=as_of, from_year=from_year, to_year=to_year,
            terminations=choices.terminations, policy=policy, rulebook=rulebook,
        )  # fmt: skip
        return render_accounts(AccountFilesRun(accounts), render, indent)
    if not plan.dmfa_by_employer:  # no employer a group can go by: one read
        return render_accounts(_read_all(given, choices, progress), render, indent)
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
