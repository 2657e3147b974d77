"""The training-right engine: size band, dated rulebook, pro-rata entitlement.

Computation only: this package never imports :mod:`mycareer.xmlio` or the CLI.
"""

from mycareer.fla.entitlement import (
    BandBasis,
    Entitlement,
    FlaRegime,
    MonthFactor,
    Regime,
    RoundingPolicy,
    RuleRef,
    SizeBand,
)

__all__ = [
    "BandBasis",
    "Entitlement",
    "FlaRegime",
    "MonthFactor",
    "Regime",
    "RoundingPolicy",
    "RuleRef",
    "SizeBand",
]
