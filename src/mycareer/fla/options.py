"""What the caller chooses or knows better when entitlements are computed.

:class:`EntitlementOptions` holds the computation choices (every default is the
recommendation of the ambiguity it settles, B-3 … B-6); :class:`Overrides` the
facts the caller knows better than the declarations, per employer.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import attrs

from mycareer.fla.band import TERMINATION_INDEMNITY_REMUNERATION_CODES
from mycareer.fla.values import FallbackCount, RoundingPolicy, SizeBand
from mycareer.quarter import Quarter

__all__ = ["EntitlementOptions", "HoursPolicy", "MonthFraction", "Overrides"]


class MonthFraction(StrEnum):
    """Which B_m a month with several consecutive fractions takes (B-4)."""

    HIGHEST = "highest"
    LAST = "last"


class HoursPolicy(StrEnum):
    """Hours per training day (B-6): S ÷ 5 (default) or the worker's own day Q ÷ days a week."""

    FULL_TIME_DAY = "full-time-day"
    WORKER_DAY = "worker-day"


@attrs.frozen
class EntitlementOptions:
    """Computation choices; every default is docs/training-right.md's choice (B-3…B-6)."""

    rounding: RoundingPolicy = RoundingPolicy.NONE
    hours_policy: HoursPolicy = HoursPolicy.FULL_TIME_DAY
    hours_per_day: Fraction | None = None  # a fixed value wins over hours_policy
    month_fraction: MonthFraction = MonthFraction.HIGHEST
    indemnity_codes: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES
    fallback_count: FallbackCount = FallbackCount.FTE
    #: Quarters of the year the employer did not declare while the worker's occupation
    #: was open (``DECLARATION_MISSING``): ``False`` leaves their months out and marks
    #: the result incomplete; ``True`` assumes the occupation went on through them.
    assume_continuation: bool = False


@attrs.frozen
class Overrides:
    """What the caller knows better, keyed by :attr:`Employer.key`.

    ``band`` fixes the band; ``quarter_fte`` gives quarter-end FTE (replacing the
    declared count of those quarters); ``fallback_fte`` the R-COUNT-4 count;
    ``full_time_days`` replaces A (regime "override"); ``employer_days`` are
    full-time days the employer grants on top (kept apart as ``employer_days``).
    """

    band: Mapping[str, SizeBand] = attrs.field(factory=dict)
    quarter_fte: Mapping[str, Mapping[Quarter, Fraction | Decimal | int]] = attrs.field(
        factory=dict
    )
    fallback_fte: Mapping[str, Fraction | Decimal | int] = attrs.field(factory=dict)
    full_time_days: Mapping[str, Fraction] = attrs.field(factory=dict)
    employer_days: Mapping[str, Fraction] = attrs.field(factory=dict)
