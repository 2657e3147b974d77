"""A projected entitlement for next year from this year's declarations.

Runs with no arguments. As of 30 September 2025 the fictitious employer has
declared up to Q3 2025. ``project_entitlements`` assumes the occupation lines in
force on that day go on to the end of 2026 and applies the 2026 rules: the
biennial period 2026-2027 takes its band from Q4 2024 to Q3 2025 (R-COUNT-2,
T-BAND-7) and PC 200 gives 4 full-time days in 2026 (T-PC200-1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from _fictitious import AN, BART, NAMES, all_records

from mycareer.fla.entitlement import project_entitlements

AS_OF = date(2025, 9, 30)


# --8<-- [start:main]
def main() -> None:
    declared = [record for record in all_records() if record.quarter_period.start <= AS_OF]
    projected = project_entitlements(declared, as_of=AS_OF)
    print(f"projection for {AS_OF.year + 1} as of {AS_OF}: {len(projected)} workers")
    for result in projected:
        if result.niss in (AN, BART):
            print(
                f"  {NAMES[result.niss]}: {result.days} days (exact {result.days_exact}), "
                f"band {result.band.value} from quarters "
                f"{', '.join(str(q) for q in result.reference_quarters)}, "
                f"projected={result.projected}"
            )
    total = sum((r.days_exact for r in projected if r.days_exact is not None), Fraction(0))
    shown = Decimal(total.numerator) / Decimal(total.denominator)
    print(f"  the whole team: {shown} days in total (exact {total})")


# --8<-- [end:main]

if __name__ == "__main__":
    main()
