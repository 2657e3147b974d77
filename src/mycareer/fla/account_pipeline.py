"""From declarations and trainings to training accounts: the pipeline of ``mycareer account``.

One call does what the command does between reading its inputs and writing its output:
the entitlement of each year from the DmfA records (as ``mycareer entitlements``), a
credit per entitlement, the ledger of each worker at each employer with the policy of
its sector schedule (PC 200: reset, T-PC200-4), and the worker facts the archive keeps.
The domain defaults live here, not in the CLI:

* ``as_of``: 31 December of ``to_year``, else the end of the last declared quarter,
  else the end of the last training, else 31 December 2024;
* ``to_year``: the year of ``as_of``; ``from_year``: the first declared year, not
  before 2023 (the first year of the 20+ right, R-DAYS), else ``to_year``.

>>> from mycareer.fla.account import AccountPolicy
>>> run = accounts_from_declarations([], as_of=date(2025, 12, 31))
>>> run.accounts, run.from_year, run.to_year
((), 2025, 2025)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import attrs

from mycareer._html import summarised
from mycareer._slots import trusted_constructor
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.fla.account import (
    AccountPolicy,
    EmployerAccountSummary,
    Origin,
    Termination,
    TrainingAccount,
    YearCredit,
    employer_summaries,
    routed_accounts,
)
from mycareer.fla.account_records import AccountRecord, account_records
from mycareer.fla.account_stream import GroupFacts
from mycareer.fla.band import DeclaredQuarter
from mycareer.fla.entitlement import compute_entitlements
from mycareer.fla.options import EntitlementOptions, Overrides
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.trainings import Training
from mycareer.fla.values import Entitlement
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.work_fraction import WorkFraction

__all__ = [
    "EARLIEST_CREDIT_YEAR",
    "AccountsRun",
    "CreditLine",
    "CreditRow",
    "account_years",
    "accounts_from_credits",
    "accounts_from_declarations",
    "credit_from_row",
    "credit_ledgers",
    "credit_lines",
    "credit_row",
    "default_as_of",
    "occupation_facts",
    "sector_policies",
    "statement_date",
    "year_entitlements",
]

#: The first year of credits by default: the 20+ right starts in 2023 (4 days, R-DAYS).
EARLIEST_CREDIT_YEAR = 2023

_Key = tuple[str, str]


@summarised
@attrs.frozen
class AccountsRun:
    """What :func:`accounts_from_declarations` produced, and the years and date it used.

    ``findings`` are those of the entitlements, those that belong to no single account,
    then those of the accounts, in that order (duplicates kept: a caller prints them
    once; a run reduced bucket by bucket of workers keeps each once, and past a few
    thousand reads them lazily from its temporary files: a sequence equal to the tuple).
    ``entitlements`` is empty when the run was asked to keep none
    (:func:`mycareer.account_jobs.accounts_from_files` with ``keep_entitlements=False``):
    :meth:`records` then refuses to build the archive.
    """

    accounts: tuple[TrainingAccount, ...]
    entitlements: tuple[Entitlement, ...]
    findings: Sequence[Finding]
    as_of: date
    from_year: int
    to_year: int
    work_regimes: dict[_Key, WorkFraction] = attrs.field(factory=dict)
    joint_committees: dict[_Key, JointCommission] = attrs.field(factory=dict)
    #: False when the run was asked to keep no entitlements (see above).
    kept_entitlements: bool = True

    @property
    def workers(self) -> int:
        """Distinct workers among the accounts."""
        return len({a.niss for a in self.accounts})

    def employer_summaries(self) -> tuple[EmployerAccountSummary, ...]:
        return employer_summaries(self.accounts)

    def records(self) -> list[AccountRecord]:
        """The accounts with their entitlements and worker facts, as the archive keeps them.

        Raises :class:`~mycareer.errors.InvalidValueError` when the run kept no
        entitlements (the archive would lose them).
        """
        if not self.kept_entitlements:
            raise InvalidValueError(
                "this run kept no entitlements (keep_entitlements=False): the archive needs them"
            )
        return account_records(
            self.accounts,
            self.entitlements,
            work_regimes=self.work_regimes,
            joint_committees=self.joint_committees,
        )


def default_as_of(
    records: Sequence[DmfaWorkerRecord], trainings: Sequence[Training], to_year: int | None
) -> date:
    """The statement date when none is given (see the module docstring)."""
    last_quarter = max((r.quarter for r in records), default=None)
    return statement_date(last_quarter, max((t.end for t in trainings), default=None), to_year)


def statement_date(
    last_quarter: Quarter | None, latest_training_end: date | None, to_year: int | None
) -> date:
    """The default statement date: the end of ``to_year``, else of the last declared
    quarter (None: no record), else the latest training's end (None: no training)."""
    if to_year is not None:
        return date(to_year, 12, 31)
    if last_quarter is not None:
        return last_quarter.last_day
    if latest_training_end is not None:
        return latest_training_end
    return date(2024, 12, 31)


def occupation_facts(
    records: Iterable[DmfaWorkerRecord],
) -> tuple[dict[_Key, WorkFraction], dict[_Key, JointCommission]]:
    """Work regime (Q/S) and joint committee of each worker's latest line per employer.

    Keyed by ``(employer key, NISS digits)``; a later start wins, and so does the
    later line of two starting the same day.
    """
    return GroupFacts.of(records).regimes_and_committees()


def sector_policies(
    credits: Iterable[YearCredit], rulebook: Rulebook, base: AccountPolicy
) -> dict[str | tuple[str, str], AccountPolicy]:
    """Per (employer key, NISS digits): the windows and reset its sector schedule ships.

    The caller's choices in ``base`` still apply: over-use, hours per day, window
    start, and switching the reset off. A credit of a later year wins.
    """
    changes: dict[str, Any] = {
        "allow_overuse": base.allow_overuse,
        "hours_per_day": base.hours_per_day,
        "window_start": base.window_start,
    }
    if not base.reset_at_window_end:
        changes["reset_at_window_end"] = False
    policies: dict[str | tuple[str, str], AccountPolicy] = {}
    for credit in sorted(credits, key=lambda c: c.year):
        if credit.rule_id is None or credit.employer is None:
            continue
        try:
            schedule = rulebook.schedule(credit.rule_id)
        except KeyError:
            continue
        key = (credit.employer.key, credit.niss.value)
        policies[key] = AccountPolicy.for_schedule(schedule, **changes)
    return policies


def account_years(
    first_declared: int | None, as_of: date, from_year: int | None, to_year: int | None
) -> tuple[int, int]:
    """The years credited: ``from_year..to_year`` with the module docstring's defaults.

    ``first_declared`` is the year of the earliest declared quarter (None: no record).
    """
    if from_year is not None and to_year is not None and from_year > to_year:
        raise InvalidValueError(f"from_year {from_year} is after to_year {to_year}")
    last = to_year if to_year is not None else as_of.year
    if from_year is None:
        from_year = last if first_declared is None else max(EARLIEST_CREDIT_YEAR, first_declared)
    return from_year, last


def year_entitlements(
    records: Sequence[DmfaWorkerRecord],
    declarations: Sequence[DeclaredQuarter],
    years: tuple[int, int],
    *,
    as_of: date,
    rulebook: Rulebook,
    options: EntitlementOptions | None = None,
    overrides: Overrides | None = None,
) -> list[Entitlement]:
    """The entitlements of every year ``years[0]..years[1]``: year by year, each sorted
    as :func:`~mycareer.fla.compute_entitlements` sorts (employer key, then NISS)."""
    entitlements: list[Entitlement] = []
    if records:
        for year in range(years[0], years[1] + 1):
            entitlements.extend(
                compute_entitlements(
                    records,
                    declarations,
                    year,
                    rulebook=rulebook,
                    as_of=as_of,
                    options=options,
                    overrides=overrides,
                )
            )
    return entitlements


def accounts_from_declarations(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter] = (),
    trainings: Iterable[Training] = (),
    *,
    as_of: date | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
    terminations: Iterable[Termination] = (),
    policy: AccountPolicy | None = None,
    rulebook: Rulebook | None = None,
    options: EntitlementOptions | None = None,
    overrides: Overrides | None = None,
) -> AccountsRun:
    """Training accounts of every worker of the DmfA ``records``, debited by ``trainings``.

    Credits are the entitlements of each year ``from_year..to_year`` (defaults in the
    module docstring); ``policy`` is the ledger policy of workers without a sector
    schedule, and its over-use, hours-per-day, window-start and no-reset choices apply
    to the sector ones too. ``options`` and ``overrides`` are those of
    :func:`~mycareer.fla.compute_entitlements`, for every year credited (the same
    choices as ``mycareer entitlements``: B-3 fallback count, assumed continuation,
    rounding…). Raises :class:`~mycareer.errors.InvalidValueError` when
    both years are given and ``from_year`` is after ``to_year``.
    """
    records = tuple(records)
    trainings = tuple(trainings)
    rulebook = rulebook or Rulebook.default()
    as_of = as_of or default_as_of(records, trainings, to_year)
    first_declared = min((r.quarter.year for r in records), default=None)
    years = account_years(first_declared, as_of, from_year, to_year)
    entitlements = year_entitlements(
        records, tuple(declarations), years, as_of=as_of, rulebook=rulebook,
        options=options, overrides=overrides,
    )  # fmt: skip
    regimes, committees = occupation_facts(records)
    return accounts_from_credits(
        credit_lines(entitlements), trainings, as_of=as_of, years=years,
        terminations=terminations, policy=policy, rulebook=rulebook, work_regimes=regimes,
        joint_committees=committees, entitlements=tuple(entitlements),
    )  # fmt: skip


#: A year's credit and the findings of the entitlement it was made from.
CreditLine = tuple[YearCredit, tuple[Finding, ...]]


def credit_lines(entitlements: Iterable[Entitlement]) -> list[CreditLine]:
    """Each entitlement's credit with its findings: all the accounts need of it."""
    return [(YearCredit.from_entitlement(e), e.findings) for e in entitlements]


def accounts_from_credits(
    lines: Sequence[CreditLine],
    trainings: Iterable[Training] = (),
    *,
    as_of: date,
    years: tuple[int, int],
    terminations: Iterable[Termination] = (),
    policy: AccountPolicy | None = None,
    rulebook: Rulebook | None = None,
    work_regimes: dict[_Key, WorkFraction] | None = None,
    joint_committees: dict[_Key, JointCommission] | None = None,
    entitlements: tuple[Entitlement, ...] = (),
    kept_entitlements: bool = True,
) -> AccountsRun:
    """The accounts credited by ``lines`` (of the years ``years``), debited by ``trainings``.

    The second half of :func:`accounts_from_declarations`, for callers that computed
    the entitlements elsewhere (employer by employer: :mod:`mycareer.account_jobs`);
    ``lines`` from :func:`credit_lines`, in the entitlements' order (year, then employer
    key, then NISS). The ledgers are those of :func:`credit_ledgers`.

    ``entitlements`` are only kept on the run (for :meth:`AccountsRun.records`): a caller
    that writes no archive can leave them out (``kept_entitlements=False``), and hold a
    credit instead of an entitlement for each worker and year.
    """
    accounts, loose = credit_ledgers(
        [credit for credit, _findings in lines], trainings, as_of=as_of,
        terminations=terminations, policy=policy, rulebook=rulebook,
    )  # fmt: skip
    findings = [f for _credit, found in lines for f in found]
    findings += [finding for _origin, finding in loose]
    findings += [f for a in accounts for f in a.findings]
    return AccountsRun(
        accounts=accounts,
        entitlements=entitlements,
        findings=tuple(findings),
        as_of=as_of,
        from_year=years[0],
        to_year=years[1],
        work_regimes=dict(work_regimes or {}),
        joint_committees=dict(joint_committees or {}),
        kept_entitlements=kept_entitlements,
    )


def credit_ledgers(
    credits: Sequence[YearCredit],
    trainings: Iterable[Training] = (),
    *,
    as_of: date,
    terminations: Iterable[Termination] = (),
    policy: AccountPolicy | None = None,
    rulebook: Rulebook | None = None,
    employers: Mapping[str, Employer] | None = None,
) -> tuple[tuple[TrainingAccount, ...], tuple[tuple[Origin, Finding], ...]]:
    """The accounts of ``credits`` (in the credits' order) and the findings of no single one.

    The ledger rule of :func:`accounts_from_credits`: ``policy`` (default
    :class:`~mycareer.fla.account.AccountPolicy`) for workers without a sector schedule,
    the schedule's policy (:func:`sector_policies`) for the others. Each loose finding
    comes with its :data:`~mycareer.fla.account.Origin`; ``employers`` as in
    :func:`~mycareer.fla.account.routed_accounts`, for a run split by worker
    (:mod:`mycareer.account_jobs` reduces each bucket of workers with this).
    """
    rulebook = rulebook or Rulebook.default()
    policy = policy or AccountPolicy()
    return routed_accounts(
        credits,
        trainings,
        as_of=as_of,
        terminations=terminations,
        policy=policy,
        policies=sector_policies(credits, rulebook, policy),
        employers=employers,
    )


#: A year's credit as plain values (see :func:`credit_row`).
CreditRow = tuple[Any, ...]
_credit = trusted_constructor(YearCredit)
_niss = trusted_constructor(Niss)


def credit_row(credit: YearCredit) -> CreditRow:
    """A credit as plain values, which :func:`credit_from_row` rebuilds (equal to it).

    The first three are its place in the credits' order: year, employer key ("" for
    none), NISS digits. Pickling the attrs objects themselves cost nearly three times the
    CPU, rebuilding included, and twice the bytes (30,000 credits: 1.1 s against 0.4 s,
    2.9 MB against 1.3 MB).
    """
    employer, hours = credit.employer, credit.hours_per_day
    legal, sector, own = credit.legal_days, credit.sector_days, credit.employer_days
    return (
        credit.year, "" if employer is None else employer.key, credit.niss.value,
        legal.numerator, legal.denominator, sector.numerator, sector.denominator,
        own.numerator, own.denominator, employer,
        None if hours is None else (hours.numerator, hours.denominator), credit.rule_id,
    )  # fmt: skip


def credit_from_row(row: CreditRow) -> YearCredit:
    """The credit :func:`credit_row` made ``row`` from."""
    year, _key, niss, ln, ld, sn, sd, en, ed, employer, hours, rule_id = row
    return _credit(
        _niss(niss), year, Fraction(ln, ld), Fraction(sn, sd), Fraction(en, ed), employer,
        None if hours is None else Fraction(*hours), rule_id,
    )  # fmt: skip
