"""The training right from contracts: their DmfA records through the DmfA engine.

:func:`mycareer.contract.contract_records` turns contracts into the quarter
records a DmfA of the same facts holds; these functions feed them to
:func:`~mycareer.fla.entitlement.compute_entitlements`,
:func:`~mycareer.fla.band.quarter_counts` and :func:`~mycareer.fla.band.size_band`
unchanged, so no rule is restated here and the two routes agree by construction.

>>> from datetime import date
>>> from mycareer.contract import Contract
>>> job = Contract("0403019261", "85073003328", date(2024, 4, 29), None,
...                weekly_hours="30.4", joint_commission="111")
>>> [e] = entitlements_from_contracts([job], 2024, overrides=Overrides(band={
...     "0403019261": SizeBand.FROM_20}))
>>> e.days_exact, e.months_employed
(Fraction(3, 1), 9)
>>> fte = quarter_fte_from_contracts([job], first=Quarter(2024, 2), last=Quarter(2024, 2))
>>> fte["0403019261"][Quarter(2024, 2)].fte
Fraction(4, 5)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from mycareer.contract import Contract, contract_records
from mycareer.fla.band import (
    BandResult,
    FallbackCount,
    QuarterCount,
    quarter_counts,
    reference_quarters,
    size_band,
)
from mycareer.fla.entitlement import EntitlementOptions, Overrides, compute_entitlements
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.values import Entitlement, SizeBand
from mycareer.quarter import Quarter

__all__ = [
    "entitlements_from_contracts",
    "quarter_fte_from_contracts",
    "size_band_from_contracts",
]

# ``SizeBand`` is imported for the doctest above.
_ = SizeBand


def _span(year: int) -> tuple[Quarter, Quarter]:
    """From the band's reference period (Q4 of n-2, R-COUNT-2) to the end of ``year``."""
    return reference_quarters(year)[0], Quarter(year, 4)


def entitlements_from_contracts(
    contracts: Iterable[Contract],
    year: int,
    *,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
) -> tuple[Entitlement, ...]:
    """Every (employer, worker) entitlement of ``year``, as from the contracts' DmfA.

    The size band comes from the same contracts' quarter-end FTE in the band's
    reference period (contracts of earlier years count there).
    """
    first, last = _span(year)
    found = contract_records(contracts, first=first, last=last)
    return compute_entitlements(
        found.records,
        found.declarations,
        year=year,
        rulebook=rulebook,
        overrides=overrides,
        options=options,
        as_of=as_of,
    )


def quarter_fte_from_contracts(
    contracts: Iterable[Contract], *, first: Quarter, last: Quarter
) -> dict[str, dict[Quarter, QuarterCount]]:
    """Quarter-end FTE and headcount per employer key, for the quarters with a contract."""
    found = contract_records(contracts, first=first, last=last)
    return quarter_counts(found.records, found.declarations)


def size_band_from_contracts(
    contracts: Iterable[Contract],
    year: int,
    *,
    fallback_count: FallbackCount = FallbackCount.FTE,
) -> dict[str, BandResult]:
    """Each employer's size band for ``year`` (R-COUNT-2..6), keyed by employer key."""
    first, last = _span(year)
    counts = quarter_fte_from_contracts(contracts, first=first, last=last)
    return {
        key: size_band(key, year, quarters, fallback_count=fallback_count)
        for key, quarters in sorted(counts.items())
    }
