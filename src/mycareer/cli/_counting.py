"""The counting choices shared by ``mycareer entitlements`` and ``mycareer account``.

Both credit a year's entitlement, so both offer the same choices the law leaves open on
what is counted (docs/training-right.md, B-3 and B-4, and "Choices made on the count"),
with one wording and one default.
"""

from __future__ import annotations

import argparse
from typing import Any

from mycareer.fla import FallbackCount, MonthFraction

__all__ = ["add_counting_choices", "counting_choices"]


def add_counting_choices(parser: argparse.ArgumentParser) -> None:
    """``--month-fraction``, ``--fallback-count`` and ``--assume-continuation``."""
    parser.add_argument(
        "--month-fraction",
        choices=[p.value for p in MonthFraction],
        default=MonthFraction.HIGHEST.value,
        help="the month's work fraction when lines change within it (B-4)",
    )
    parser.add_argument(
        "--fallback-count",
        choices=[c.value for c in FallbackCount],
        default=FallbackCount.FTE.value,
        help="for an employer with no declaration in the reference period, count FTE "
        "(default) or heads at the end of the quarter of its first employment (R-COUNT-4, B-3)",
    )
    parser.add_argument(
        "--assume-continuation",
        action="store_true",
        help="when an employer's quarter of the year is not declared although a worker's "
        "occupation was open at the end of the quarter before, count its months as employment "
        "(default: leave them out, with a DECLARATION_MISSING warning)",
    )


def counting_choices(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`~mycareer.fla.EntitlementOptions` fields the choices above set."""
    return {
        "month_fraction": MonthFraction(args.month_fraction),
        "fallback_count": FallbackCount(args.fallback_count),
        "assume_continuation": args.assume_continuation,
    }
