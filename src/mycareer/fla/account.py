"""The individual training account: a ledger of credits, trainings, balance and carry-over.

Per worker and employer, each year (docs/account.md):

* a **credit** in days, split into its legal, sector and employer parts (from an
  entitlement, or given directly as exact numbers);
* **trainings** that count toward the individual right debit the balance, in days
  through an hours-per-day factor (B-6, B-11);
* the unused balance is **carried over** to the next year (R-CARRY-1);
* years are grouped in **5-year windows**, the first 2024–2028 (R-CARRY-2/3), and by
  default the balance is **reset** to 0 at the end of each window (B-7; explicit for
  PC 200, T-PC200-4). The reset can be switched off;
* at the **end of the contract** (B-8) the remaining credit is *lost* after a
  resignation or a dismissal for serious cause, and reported as *lost*; after any
  other ending it is reported as the *open balance*, whose valuation (e.g. in an
  indemnity in lieu of notice) is left to the caller (B-8).

Legal status: keeping a company-level account was an obligation when there was no
sector agreement (R-CAO-5). After the FLA's abolition, from 1 January 2026 the ledger is
**recommended, legal status uncertain** (B-9): some sources say the duty ended, others
that record keeping stays.

Everything is exact (``Fraction`` days) and nothing reads the clock: the account is
built ``as_of`` an explicit date.

>>> from datetime import date
>>> niss = Niss("85073003328")
>>> credits = [YearCredit(niss, year, legal_days=5) for year in range(2024, 2029)]
>>> account = build_account(credits, as_of=date(2028, 12, 31))
>>> [str(s.carried) for s in account.statements]
['5', '10', '15', '20', '0']
>>> account.statements[-1].reset, account.windows[0].credited
(Fraction(25, 1), Fraction(25, 1))
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import attrs

from mycareer.employer import Employer
from mycareer.errors import InvalidValueError, MycareerErrorGroup
from mycareer.findings import Finding, Severity
from mycareer.fla.account_values import (
    _ZERO,
    DEFAULT_HOURS_PER_DAY,
    AccountPolicy,
    AccountWindow,
    Termination,
    TerminationReason,
    TrainingAccount,
    TrainingDebit,
    WindowStart,
    WindowSummary,
    YearCredit,
    YearStatement,
    _same_employer,
    exact_days,
)
from mycareer.fla.trainings import Training, format_exact
from mycareer.niss import Niss

__all__ = [
    "DEFAULT_HOURS_PER_DAY",
    "AccountPolicy",
    "AccountWindow",
    "EmployerAccountSummary",
    "Origin",
    "Termination",
    "TerminationReason",
    "TrainingAccount",
    "TrainingDebit",
    "WindowStart",
    "WindowSummary",
    "YearCredit",
    "YearStatement",
    "build_account",
    "build_accounts",
    "employer_summaries",
    "exact_days",
    "merge_summaries",
    "routed_accounts",
    "shown_employers",
    "verify_account",
]


def _hours_per_day(
    credits: Sequence[YearCredit], policy: AccountPolicy, findings: list[Finding], label: str
) -> Fraction:
    if policy.hours_per_day is not None:
        return policy.hours_per_day
    for credit in sorted(credits, key=lambda c: c.year, reverse=True):
        if credit.hours_per_day is not None:
            return credit.hours_per_day
    findings.append(
        Finding(
            "ACCOUNT_DEFAULT_HOURS_PER_DAY",
            Severity.INFO,
            f"{label}: no hours-per-day factor given; trainings converted at "
            f"{format_exact(DEFAULT_HOURS_PER_DAY)} h a day (38 h ÷ 5, B-6)",
        )
    )
    return DEFAULT_HOURS_PER_DAY


@attrs.frozen
class _Members:
    """Who an account is for, and its credits by year (the membership step)."""

    niss: Niss
    employer: Employer | None
    label: str
    credits: dict[int, YearCredit]


def _credit_problems(
    credits: Sequence[YearCredit],
    niss: Niss,
    employer: Employer | None,
    label: str,
    by_year: dict[int, YearCredit],
) -> list[Exception]:
    """File each credit under its year in ``by_year``; the ones that cannot be, refused."""
    problems: list[Exception] = []
    for index, credit in enumerate(credits):
        if credit.niss != niss or not _same_employer(credit.employer, employer):
            problems.append(
                InvalidValueError(
                    f"credit for NISS {credit.niss} at {credit.employer} does not belong to "
                    f"the account of {label}",
                    path=f"$.credits[{index}]",
                )
            )
        elif credit.year in by_year:
            problems.append(
                InvalidValueError(
                    f"two credits for {credit.year} in the account of {label}",
                    path=f"$.credits[{index}].year",
                )
            )
        else:
            by_year[credit.year] = credit
    return problems


def _training_problems(
    trainings: Sequence[Training], niss: Niss, employer: Employer | None, label: str
) -> list[Exception]:
    return [
        InvalidValueError(
            f"training {training.name!r} of NISS {training.niss} does not belong to "
            f"the account of {label}",
            path=f"$.trainings[{index}]",
            source=training.source,
        )
        for index, training in enumerate(trainings)
        if training.niss != niss or not _same_employer(training.employer, employer)
    ]


def _membership(
    credits: Sequence[YearCredit],
    trainings: Sequence[Training],
    niss: Niss | None,
    employer: Employer | None,
) -> _Members:
    """Step 1: the account's worker and employer; every input must belong to them.

    Refuses, all at once, credits or trainings of another worker or employer and a
    second credit for one year.
    """
    niss = niss or (credits[0].niss if credits else trainings[0].niss if trainings else None)
    if niss is None:
        raise InvalidValueError("an account needs a NISS, a credit or a training")
    if employer is None:
        employer = next((c.employer for c in credits if c.employer is not None), None)
    label = f"NISS {niss}" + (f" at {employer}" if employer is not None else "")
    by_year: dict[int, YearCredit] = {}
    problems = _credit_problems(credits, niss, employer, label, by_year)
    problems += _training_problems(trainings, niss, employer, label)
    if problems:
        raise MycareerErrorGroup(f"invalid account of {label}", problems)
    return _Members(niss, employer, label, by_year)


def _ending(
    members: _Members, termination: Termination | None, as_of: date, findings: list[Finding]
) -> tuple[Termination | None, date]:
    """Step 2: the termination that applies by ``as_of``, and the ledger's last day."""
    if termination is None:
        return None, as_of
    if termination.niss != members.niss or not _same_employer(
        termination.employer, members.employer
    ):
        raise InvalidValueError(
            f"termination of NISS {termination.niss} is not for {members.label}"
        )
    if termination.date <= as_of:
        return termination, termination.date
    findings.append(
        Finding(
            "ACCOUNT_TERMINATION_AFTER_AS_OF",
            Severity.INFO,
            f"{members.label}: termination on {termination.date.isoformat()} is after "
            f"{as_of.isoformat()} and is not applied yet",
        )
    )
    return None, as_of


def _debits_by_year(
    trainings: Sequence[Training],
    hours_per_day: Fraction,
    last_day: date,
    label: str,
    findings: list[Finding],
) -> dict[int, list[TrainingDebit]]:
    """Step 3: the trainings that debit the right, in days, by year; later ones left out."""
    debits: dict[int, list[TrainingDebit]] = defaultdict(list)
    for training in trainings:
        if not training.debits_individual_right:
            continue
        if training.end > last_day:
            findings.append(
                Finding(
                    "ACCOUNT_TRAINING_AFTER_END",
                    Severity.WARNING,
                    f"{label}: training {training.name!r} ending {training.end.isoformat()} "
                    f"is after {last_day.isoformat()} and is not debited",
                    training.source,
                )
            )
            continue
        debits[training.year].append(TrainingDebit(training, training.days(hours_per_day)))
    return debits


def _close_year(
    year: int,
    opening: Fraction,
    credit: YearCredit,
    debits: tuple[TrainingDebit, ...],
    policy: AccountPolicy,
    ended: Termination | None,
) -> YearStatement:
    """Step 4: one year's statement: credit in, debits out, then clamp, end or reset."""
    used = sum((d.days for d in debits), _ZERO)
    closing = opening + credit.total - used
    overused = _ZERO
    if closing < 0 and not policy.allow_overuse:
        overused, closing = -closing, _ZERO
    window = policy.window_of(year)
    reset = lost = open_balance = _ZERO
    remainder = closing
    if ended is not None:
        if ended.reason.loses_credit:
            lost = remainder
        else:
            open_balance = remainder
        remainder = _ZERO
    elif policy.reset_at_window_end and window is not None and year == window.last_year:
        reset, remainder = remainder, _ZERO
    return YearStatement(
        year=year,
        window=window,
        opening=opening,
        credit=credit,
        debits=debits,
        used=used,
        overused=overused,
        closing=closing,
        reset=reset,
        lost=lost,
        open_balance=open_balance,
        carried=remainder,
        termination=ended,
    )


def _balance_finding(statement: YearStatement, label: str) -> Finding | None:
    """Why a year's balance needs a word: a debit beyond it, or a negative balance."""
    year = statement.year
    if statement.overused:
        return Finding(
            "ACCOUNT_OVERUSE",
            Severity.INFO,
            f"{label}: {format_exact(statement.overused)} day(s) of training in {year} beyond "
            "the balance (not carried over)",
        )
    if statement.closing < 0:
        return Finding(
            "ACCOUNT_NEGATIVE_BALANCE",
            Severity.WARNING,
            f"{label}: balance {format_exact(statement.closing)} day(s) at the end of {year} "
            "(over-use allowed)",
        )
    return None


def build_account(
    credits: Iterable[YearCredit],
    trainings: Iterable[Training] = (),
    *,
    as_of: date,
    termination: Termination | None = None,
    policy: AccountPolicy | None = None,
    niss: Niss | None = None,
    employer: Employer | None = None,
) -> TrainingAccount:
    """Run the ledger of one worker at one employer up to ``as_of``.

    Statements run from the first year with a credit or a training to the year of
    ``as_of`` (or of the termination, when earlier). Credits for later years and
    trainings that end after ``as_of`` or after the termination are left out, each
    with a finding. Two credits for one year are refused. The account keeps the policy
    :meth:`AccountPolicy.resolved` for its first year (its own windows).

    >>> from datetime import date
    >>> niss = Niss("85073003328")
    >>> quit = Termination(niss, date(2025, 6, 30), TerminationReason.RESIGNATION)
    >>> credits = [YearCredit(niss, 2024, legal_days=5), YearCredit(niss, 2025, legal_days="2.5")]
    >>> account = build_account(credits, as_of=date(2026, 1, 1), termination=quit)
    >>> last = account.statements[-1]
    >>> last.year, last.closing, last.lost, last.carried
    (2025, Fraction(15, 2), Fraction(15, 2), Fraction(0, 1))
    """
    policy = policy or AccountPolicy()
    credits = list(credits)
    trainings = sorted(trainings, key=lambda t: t.sort_key)
    members = _membership(credits, trainings, niss, employer)
    findings: list[Finding] = []
    hours_per_day = _hours_per_day(credits, policy, findings, members.label)
    termination, last_day = _ending(members, termination, as_of, findings)
    last_year = last_day.year
    for year in sorted(y for y in members.credits if y > last_year):
        findings.append(
            Finding(
                "ACCOUNT_CREDIT_AFTER_END",
                Severity.WARNING,
                f"{members.label}: credit for {year} ignored, the account runs to {last_year}",
            )
        )
    debits = _debits_by_year(trainings, hours_per_day, last_day, members.label, findings)
    years = [y for y in (*members.credits, *debits) if y <= last_year]
    statements: list[YearStatement] = []
    if years:
        policy = policy.resolved(min(years))
        balance = _ZERO
        for year in range(min(years), last_year + 1):
            credit = members.credits.get(year) or YearCredit(
                members.niss, year, employer=members.employer
            )
            ended = termination if year == last_year else None
            statement = _close_year(
                year, balance, credit, tuple(debits.get(year, ())), policy, ended
            )
            finding = _balance_finding(statement, members.label)
            if finding is not None:
                findings.append(finding)
            statements.append(statement)
            balance = statement.carried
    return TrainingAccount(
        niss=members.niss,
        employer=members.employer,
        as_of=as_of,
        policy=policy,
        hours_per_day=hours_per_day,
        statements=tuple(statements),
        trainings=tuple(trainings),
        termination=termination,
        findings=tuple(findings),
    )


def _policy_for(
    policies: Mapping[str | tuple[str, str], AccountPolicy],
    key: str,
    niss: Niss,
    default: AccountPolicy | None,
) -> AccountPolicy | None:
    return policies.get((key, niss.value)) or policies.get(key) or default


def verify_account(account: TrainingAccount) -> tuple[Finding, ...]:
    """Check a stored ledger (e.g. read from an archive) against a fresh run of its inputs.

    The credits of its statements, its trainings, policy, hours-per-day factor and
    termination are run again as of the same date; every year whose statement
    differs gives an ``ACCOUNT_STATEMENT_MISMATCH`` finding.

    >>> from datetime import date
    >>> niss = Niss("85073003328")
    >>> account = build_account([YearCredit(niss, 2024, legal_days=5)], as_of=date(2024, 12, 31))
    >>> verify_account(account)
    ()
    >>> tampered = attrs.evolve(account, statements=(
    ...     attrs.evolve(account.statements[0], closing=Fraction(4), carried=Fraction(4)),))
    >>> [f.code for f in verify_account(tampered)]
    ['ACCOUNT_STATEMENT_MISMATCH']
    """
    policy = attrs.evolve(account.policy, hours_per_day=account.hours_per_day)
    try:
        again = build_account(
            [s.credit for s in account.statements],
            account.trainings,
            as_of=account.as_of,
            termination=account.termination,
            policy=policy,
            niss=account.niss,
            employer=account.employer,
        )
    except (InvalidValueError, MycareerErrorGroup) as error:
        return (
            Finding(
                "ACCOUNT_STATEMENT_MISMATCH",
                Severity.ERROR,
                f"the ledger of NISS {account.niss} cannot be run again: {error}",
            ),
        )
    stored = {s.year: s for s in account.statements}
    fresh = {s.year: s for s in again.statements}
    findings = []
    for year in sorted(set(stored) | set(fresh)):
        if stored.get(year) != fresh.get(year):
            findings.append(
                Finding(
                    "ACCOUNT_STATEMENT_MISMATCH",
                    Severity.ERROR,
                    f"NISS {account.niss}: the stored statement for {year} differs from the "
                    "ledger run again from its credits, trainings and policy",
                )
            )
    return tuple(findings)


def _employer_key(employer: Employer | None) -> str | None:
    return None if employer is None else employer.key


_AccountKey = tuple[str | None, Niss]


def _lists() -> defaultdict[Any, list[Any]]:
    return defaultdict(list)


def shown_employers(
    credits: Iterable[Employer | None], trainings: Iterable[Training] = ()
) -> dict[str | None, Employer | None]:
    """The employer the accounts of each key show: its first credit's, else its first training's.

    ``credits`` are the credits' employers in the credits' order. Two employers of one key
    can differ (an enterprise number with or without its NSSO number): the first wins.
    """
    shown: dict[str | None, Employer | None] = {}
    for employer in credits:
        shown.setdefault(_employer_key(employer), employer)
    for training in trainings:
        if training.employer is not None:
            shown.setdefault(training.employer.key, training.employer)
    return shown


#: Where a finding that belongs to no single account came from: ``(0, n)`` the n-th
#: training, ``(1, n)`` the n-th termination (their order in the finding list).
Origin = tuple[int, int]


@attrs.define
class _Routing:
    """Which credits, trainings and termination go to which (employer key, NISS) account."""

    employers: dict[str | None, Employer | None]
    credits: defaultdict[_AccountKey, list[YearCredit]] = attrs.field(factory=_lists)
    trainings: defaultdict[_AccountKey, list[Training]] = attrs.field(factory=_lists)
    endings: dict[_AccountKey, Termination] = attrs.field(factory=dict)
    keys_by_niss: defaultdict[Niss, list[str | None]] = attrs.field(factory=_lists)
    loose: list[tuple[Origin, Finding]] = attrs.field(factory=list)

    def add_credits(self, credits: Iterable[YearCredit]) -> None:
        for credit in credits:
            self.credits[(_employer_key(credit.employer), credit.niss)].append(credit)
        for key, niss in self.credits:
            self.keys_by_niss[niss].append(key)

    def add_training(self, training: Training, number: int) -> None:
        """To its employer's account, else the worker's only one; ambiguous: left out."""
        if training.employer is not None:
            key = _employer_key(training.employer)
        else:
            known = self.keys_by_niss.get(training.niss, [])
            if len(known) > 1:
                self.loose.append((
                    (0, number),
                    Finding(
                        "ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS",
                        Severity.ERROR,
                        f"training {training.name!r} of NISS {training.niss} names no employer "
                        f"and the worker has {len(known)}; it is not debited",
                        training.source,
                    ),
                ))  # fmt: skip
                return
            key = known[0] if known else None
        self.trainings[(key, training.niss)].append(training)
        if (key, training.niss) not in self.credits:
            self.credits[(key, training.niss)] = []

    def add_termination(self, termination: Termination, number: int) -> None:
        """To its employer's account, else to every account of the worker."""
        niss = termination.niss
        if termination.employer is not None:
            targets = [(_employer_key(termination.employer), niss)]
        else:
            targets = [(key, niss) for key in self.keys_by_niss.get(niss, [])]
            targets += [k for k in self.trainings if k[1] == niss and k not in targets]
        if not any(target in self.credits for target in targets):
            self.loose.append((
                (1, number),
                Finding(
                    "ACCOUNT_TERMINATION_UNKNOWN_WORKER",
                    Severity.WARNING,
                    f"termination given for NISS {niss}, who has no account",
                ),
            ))  # fmt: skip
        for target in targets:
            self.endings[target] = termination

    def ending(self, key: str | None, niss: Niss) -> Termination | None:
        """The account's termination, bound to its employer when it named none."""
        ending = self.endings.get((key, niss))
        employer = self.employers.get(key)
        if ending is not None and ending.employer is None and employer is not None:
            ending = attrs.evolve(ending, employer=employer)
        return ending


def build_accounts(
    credits: Iterable[YearCredit],
    trainings: Iterable[Training] = (),
    *,
    as_of: date,
    terminations: Iterable[Termination] = (),
    policy: AccountPolicy | None = None,
    policies: Mapping[str | tuple[str, str], AccountPolicy] | None = None,
) -> tuple[tuple[TrainingAccount, ...], tuple[Finding, ...]]:
    """Accounts for many workers and employers, sorted by employer key then NISS.

    Credits are grouped by (employer, NISS). A training without an employer goes to
    the worker's only account; when the worker has accounts at several employers it
    is left out with a finding. A worker with trainings but no credit gets an account
    with zero credits. ``policies`` maps an employer key, or an (employer key, NISS
    digits) pair, to its own policy (e.g. :meth:`AccountPolicy.for_schedule`); the key
    ``""`` stands for the accounts without an employer. Each account shows the
    employer of :func:`shown_employers`.

    Returns the accounts and the findings that belong to no single account.
    """
    accounts, loose = routed_accounts(
        credits, trainings, as_of=as_of, terminations=terminations, policy=policy,
        policies=policies,
    )  # fmt: skip
    return accounts, tuple(finding for _origin, finding in loose)


def routed_accounts(
    credits: Iterable[YearCredit],
    trainings: Iterable[Training] = (),
    *,
    as_of: date,
    terminations: Iterable[Termination] = (),
    policy: AccountPolicy | None = None,
    policies: Mapping[str | tuple[str, str], AccountPolicy] | None = None,
    employers: Mapping[str, Employer] | None = None,
) -> tuple[tuple[TrainingAccount, ...], tuple[tuple[Origin, Finding], ...]]:
    """:func:`build_accounts`, each loose finding with its :data:`Origin`.

    For a run split by worker (each part some workers' credits, trainings and
    terminations, in the whole run's order): ``employers`` gives the employer the whole
    run shows for some keys (:func:`shown_employers` on all of it), which the part's own
    credits and trainings might not (a key's first credit may be in another part). Each
    part's accounts and loose findings are then those of the whole run for its workers.
    """
    credits = list(credits)
    trainings = list(trainings)
    seeded = list((employers or {}).values())
    first = (credit.employer for credit in credits)
    routing = _Routing(shown_employers(itertools.chain(seeded, first), trainings))
    routing.add_credits(credits)
    for number, training in enumerate(trainings):
        routing.add_training(training, number)
    for number, termination in enumerate(terminations):
        routing.add_termination(termination, number)
    accounts = [
        build_account(
            routing.credits[(key, niss)],
            routing.trainings.get((key, niss), ()),
            as_of=as_of,
            termination=routing.ending(key, niss),
            policy=_policy_for(policies or {}, key or "", niss, policy),
            niss=niss,
            employer=routing.employers.get(key),
        )
        for key, niss in sorted(routing.credits, key=lambda k: (k[0] or "", k[1].value))
    ]
    return tuple(accounts), tuple(routing.loose)


@attrs.frozen
class EmployerAccountSummary:
    """An employer's view of its team: credits granted, used, and what remains."""

    employer: Employer | None
    workers: int
    credited: Fraction
    used: Fraction
    remaining: Fraction
    lost: Fraction
    reset: Fraction
    open_balance: Fraction


def employer_summaries(accounts: Iterable[TrainingAccount]) -> tuple[EmployerAccountSummary, ...]:
    """One summary per employer, sorted by employer key.

    ``remaining`` sums the balances of accounts still running (not terminated);
    ``open_balance`` sums the balances left open at an end of contract (B-8).

    >>> from datetime import date
    >>> niss = [Niss("85073003328"), Niss("50073003369")]
    >>> accounts, _ = build_accounts(
    ...     [YearCredit(n, 2024, legal_days=5) for n in niss], as_of=date(2024, 12, 31))
    >>> summary = employer_summaries(accounts)[0]
    >>> summary.workers, summary.credited, summary.remaining
    (2, Fraction(10, 1), Fraction(10, 1))
    """
    groups: dict[str | None, list[TrainingAccount]] = defaultdict(list)
    for account in accounts:
        groups[_employer_key(account.employer)].append(account)
    summaries = []
    for key in sorted(groups, key=lambda k: k or ""):
        group = groups[key]
        summaries.append(
            EmployerAccountSummary(
                employer=group[0].employer,
                workers=len({a.niss for a in group}),
                credited=sum((a.credited for a in group), _ZERO),
                used=sum((a.used for a in group), _ZERO),
                remaining=sum((a.balance for a in group if a.termination is None), _ZERO),
                lost=sum((a.lost for a in group), _ZERO),
                reset=sum((s.reset for a in group for s in a.statements), _ZERO),
                open_balance=sum((a.open_balance or _ZERO for a in group), _ZERO),
            )
        )
    return tuple(summaries)


def merge_summaries(
    parts: Iterable[Iterable[EmployerAccountSummary]],
) -> tuple[EmployerAccountSummary, ...]:
    """The summaries of accounts split between parts by worker, from each part's summaries.

    Exact when no worker is in two parts (``workers`` then adds up): equal to
    :func:`employer_summaries` of all the accounts, sorted by employer key.
    """
    merged: dict[str | None, EmployerAccountSummary] = {}
    for part in parts:
        for s in part:
            key = _employer_key(s.employer)
            known = merged.get(key)
            if known is None:
                merged[key] = s
                continue
            merged[key] = attrs.evolve(
                known,
                workers=known.workers + s.workers,
                credited=known.credited + s.credited,
                used=known.used + s.used,
                remaining=known.remaining + s.remaining,
                lost=known.lost + s.lost,
                reset=known.reset + s.reset,
                open_balance=known.open_balance + s.open_balance,
            )
    return tuple(merged[key] for key in sorted(merged, key=lambda k: k or ""))
