"""Training-right entitlements for 2025 from DmfA declarations, explained in French and Dutch.

Runs with no arguments on fictitious declarations written to a temporary folder.
The biennial period 2024-2025 takes its size band from Q4 2022 to Q3 2023
(R-COUNT-2): about 24 FTE, so the band is 20+, and PC 200's sector schedule gives
3 full-time days in 2025 (T-PC200-1). An Peeters, hired on 29 April 2025 at 4/5,
gets 3 × 4/5 × 9/12 = 1.8 days; Chantal Dubois, full time then 1/2 from October,
gets 3 × (9 × 1 + 3 × 1/2) / 12 = 2.625 days.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _fictitious import AN, CHANTAL, NAMES, write_declarations

from mycareer import Niss
from mycareer.fla import Lang
from mycareer.fla.entitlement import compute_entitlements
from mycareer.xmlio.dmfa import read_dmfa

YEAR = 2025


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_declarations(Path(folder))
        batch = read_dmfa([folder])
    results = compute_entitlements(batch.records, batch.declarations, YEAR)
    print(f"{len(results)} entitlements for {YEAR}")
    by_worker = {result.niss: result for result in results}
    languages: tuple[tuple[Niss, Lang], ...] = ((AN, "fr"), (CHANTAL, "nl"))
    for niss, lang in languages:
        result = by_worker[niss]
        rule = result.rule.id if result.rule else "-"
        print(
            f"\n{NAMES[niss]}: {result.days} days (exact {result.days_exact}), "
            f"band {result.band.value}, rule {rule}; explanation in {lang}:"
        )
        for line in result.explain(lang):
            print(f"    {line}")


if __name__ == "__main__":
    main()
