"""What a training-account archive holds per worker: the account and its entitlements.

The domain side of the ``training-account`` XML format (:mod:`mycareer.xmlio.training_account`)
and of its JSON form: an :class:`AccountRecord` pairs a
:class:`~mycareer.fla.account.TrainingAccount` with the
:class:`EntitlementSummary` of each year it rests on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

import attrs

from mycareer.employer import Employer
from mycareer.fla.account import TrainingAccount
from mycareer.fla.values import Entitlement, FlaRegime, Regime, RuleRef, SizeBand
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.work_fraction import WorkFraction

__all__ = [
    "AccountRecord",
    "EntitlementSummary",
    "account_key",
    "account_records",
    "records_of_summaries",
]


@attrs.frozen
class EntitlementSummary:
    """What the document keeps of an :class:`~mycareer.fla.values.Entitlement`.

    The year's right with its band, regime, rule (id, title, source, validity),
    exact days and their legal/sector/employer parts — the FLA's "entitled days
    of the current year, broken down" (docs/fla.md). Month factors and explanations are
    derived data and are not archived.
    """

    year: int
    band: SizeBand
    regime: Regime
    fla_regime: FlaRegime
    days_exact: Fraction | None
    days: Decimal | None = None
    hours: Fraction | None = None
    legal_days: Fraction | None = None
    sector_days: Fraction | None = None
    employer_days: Fraction | None = None
    average_fte: Decimal | None = None
    months_employed: int | None = None
    rule: RuleRef | None = None
    no_rule_reason: str | None = None

    @classmethod
    def from_entitlement(cls, entitlement: Entitlement) -> EntitlementSummary:
        return cls(
            year=entitlement.year,
            band=entitlement.band,
            regime=entitlement.regime,
            fla_regime=entitlement.fla_regime,
            days_exact=entitlement.days_exact,
            days=entitlement.days,
            hours=entitlement.hours,
            legal_days=entitlement.legal_days,
            sector_days=entitlement.sector_days,
            employer_days=entitlement.employer_days,
            average_fte=entitlement.average_fte,
            months_employed=entitlement.months_employed,
            rule=entitlement.rule,
            no_rule_reason=entitlement.no_rule_reason,
        )


def _summaries(raw: Iterable[EntitlementSummary]) -> tuple[EntitlementSummary, ...]:
    return tuple(raw)


@attrs.frozen
class AccountRecord:
    """One ``<account>``: a worker's training account at one employer, with its entitlements.

    ``work_regime`` (Q/S), ``joint_committee`` and the names are the FLA's worker
    data (docs/fla.md), all optional.
    """

    account: TrainingAccount
    entitlements: tuple[EntitlementSummary, ...] = attrs.field(converter=_summaries, default=())
    work_regime: WorkFraction | None = None
    joint_committee: JointCommission | None = None
    last_name: str | None = None
    first_name: str | None = None

    @property
    def niss(self) -> Niss:
        return self.account.niss

    @property
    def employer(self) -> Employer | None:
        return self.account.employer


def account_key(employer: Employer | None, niss: Niss) -> tuple[str, str]:
    """An account's (employer key, NISS digits); the key is empty without an employer."""
    return ("" if employer is None else employer.key, niss.value)


def account_records(
    accounts: Iterable[TrainingAccount],
    entitlements: Iterable[Entitlement] = (),
    *,
    work_regimes: Mapping[tuple[str, str], WorkFraction] | None = None,
    joint_committees: Mapping[tuple[str, str], JointCommission] | None = None,
) -> list[AccountRecord]:
    """Pair accounts with their entitlements (by employer key and NISS), sorted by year.

    ``work_regimes``/``joint_committees`` are keyed by ``(employer key, NISS digits)``.
    """
    summarise = EntitlementSummary.from_entitlement
    summaries = ((account_key(e.employer, e.niss), summarise(e)) for e in entitlements)
    return records_of_summaries(
        accounts, summaries, work_regimes=work_regimes, joint_committees=joint_committees
    )


def records_of_summaries(
    accounts: Iterable[TrainingAccount],
    summaries: Iterable[tuple[tuple[str, str], EntitlementSummary]],
    *,
    work_regimes: Mapping[tuple[str, str], WorkFraction] | None = None,
    joint_committees: Mapping[tuple[str, str], JointCommission] | None = None,
) -> list[AccountRecord]:
    """:func:`account_records` from each entitlement's summary with its (employer key, NISS
    digits): for a run whose entitlements were summarised where they were computed."""
    by_account: dict[tuple[str, str], list[EntitlementSummary]] = defaultdict(list)
    for key, summary in summaries:
        by_account[key].append(summary)
    records = []
    for account in accounts:
        key = account_key(account.employer, account.niss)
        records.append(
            AccountRecord(
                account,
                sorted(by_account.get(key, []), key=lambda e: e.year),
                work_regime=(work_regimes or {}).get(key),
                joint_committee=(joint_committees or {}).get(key),
            )
        )
    return records
