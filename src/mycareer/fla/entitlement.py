"""Pro-rata training-right entitlement: days = Σ over the months m of A_m × B_m ÷ 12.

This is the law's A × B × C (R-PRO-2) applied month by
month, so a change of work fraction or of joint committee during the year is
handled (B-4):

* **A_m** — full-time days of the rule in force for that month's joint committee,
  band and year (:class:`~mycareer.fla.rulebook.Rulebook`);
* **B_m** — the highest daily total Q/S of the worker at that employer during the
  month, capped at 1: concurrent lines add up, consecutive ones take the highest
  (``MonthFraction.LAST`` takes the fraction in force at the month's last
  employed day instead); a month without employment gives 0; a started month
  counts in full.

One result per (employer, worker): two employers give two results, each with its
own band and B, with no cap across employers. Termination-indemnity lines are
not employment. Arithmetic is exact (``Fraction``); ``days`` is the value after
the rounding policy (default none) with 4 places, half-even; hours = days ×
hours per day (default: the full-time weekly hours S ÷ 5, B-6).

The month's joint committee is that of its line with the highest fraction (ties:
the line in force latest in the month, then the highest committee code); months
without employment show the full-time days of the worker's last line. Lines that
DmfA repeats quarter by quarter are joined again first. Result types are in
:mod:`mycareer.fla.values`, re-exported here.

This module gathers the entitlement API; each job lives in its own module:
:mod:`~mycareer.fla.options` (choices and overrides), :mod:`~mycareer.fla.formula`
(segments, month factors, regime, hours per day), :mod:`~mycareer.fla.worker`
(one worker, the reference path), :mod:`~mycareer.fla.bulk` (a batch in one pass)
and :mod:`~mycareer.fla.projection` (a year not declared yet).

>>> from datetime import date
>>> from mycareer import Employer, EnterpriseNumber, Niss, JointCommission, Period
>>> from mycareer.dmfa import ContractType, DmfaOccupation
>>> occ = DmfaOccupation(sequence=1, start=date(2024, 4, 29), end=None,
...     period=Period(date(2024, 4, 29), date(2024, 12, 31)),
...     joint_commission=JointCommission("111"), working_days_system=400,
...     contract_type=ContractType.PART_TIME, mean_working_hours=3040,
...     ref_mean_working_hours=3800)
>>> e = entitlement_for(Employer(EnterpriseNumber("0403019261")), Niss("85073003328"), 2024,
...     [occ], band=SizeBand.FROM_20)
>>> e.days_exact, e.days, e.regime.value, e.months_employed, e.hours
(Fraction(3, 1), Decimal('3.0000'), 'statutory', 9, Fraction(114, 5))
>>> e.explain("nl")[-4]
'Recht: 3 dagen (exact 3).'
"""

from __future__ import annotations

from mycareer.fla.bulk import compute_entitlements
from mycareer.fla.formula import Segment, month_factors, segments_of
from mycareer.fla.options import EntitlementOptions, HoursPolicy, MonthFraction, Overrides
from mycareer.fla.projection import project_entitlements
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
from mycareer.fla.worker import entitlement_for

__all__ = [
    "BandBasis",
    "Entitlement",
    "EntitlementOptions",
    "FlaRegime",
    "HoursPolicy",
    "Lang",
    "MonthFactor",
    "MonthFraction",
    "Overrides",
    "Regime",
    "RoundingPolicy",
    "RuleRef",
    "Segment",
    "SizeBand",
    "compute_entitlements",
    "decimal_4",
    "entitlement_for",
    "month_factors",
    "project_entitlements",
    "segments_of",
]
