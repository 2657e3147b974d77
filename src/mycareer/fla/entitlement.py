"""Pro-rata training-right entitlement: Σ over months of A_m × B_m ÷ 12.

Result types live in :mod:`mycareer.fla.values` and are re-exported here.
"""

from __future__ import annotations

from mycareer.fla.values import (
    BandBasis,
    Entitlement,
    FlaRegime,
    Lang,
    MonthFactor,
    Regime,
    RoundingPolicy,
    RuleRef,
    SizeBand,
    decimal_4,
)

__all__ = [
    "BandBasis",
    "Entitlement",
    "FlaRegime",
    "Lang",
    "MonthFactor",
    "Regime",
    "RoundingPolicy",
    "RuleRef",
    "SizeBand",
    "decimal_4",
]
