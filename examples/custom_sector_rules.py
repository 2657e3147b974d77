"""Add a sector agreement from a rules file, as ``mycareer entitlements --rules FILE`` does.

Runs with no arguments. A vendor rules file (JSON; TOML works too) adds a
*fictitious* complementary sector right of 1 day a year for PC 200, 20+ band,
2025 to 2028, on top of the shipped PC 200 schedule (3 days in 2025, T-PC200-1).
Full-time, full-year workers go from 3 to 4 days; the parts stay apart
(legal/sector-replacing days vs. complementary sector days, R-CAO-6).
A broken rules file is then refused with every problem and its path.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from _fictitious import BART, all_records

from mycareer.errors import MycareerError, flatten_errors
from mycareer.fla.entitlement import compute_entitlements
from mycareer.fla.rulebook import Rulebook

RULES: dict[str, Any] = {
    "format": "mycareer-fla-rules-1",
    "schedules": [
        {
            "id": "example-pc200-top-up",
            "joint_commission": "200",
            "band": "20+",
            "kind": "complement",
            "title": "Fictitious sector top-up, for the example only",
            "source": "examples/custom_sector_rules.py (not a real agreement)",
            "valid_from": "2025-01-01",
            "valid_to": "2028-12-31",
            "days": {"2025": "1", "2026": "1", "2027": "1", "2028": "1"},
        }
    ],
}


# --8<-- [start:main]
def main() -> None:
    records = all_records()
    with tempfile.TemporaryDirectory() as folder:
        rules_file = Path(folder) / "sector-rules.json"
        rules_file.write_text(json.dumps(RULES, indent=2), encoding="utf-8")
        rulebook = Rulebook.default().with_rules_file(rules_file)

        before = {r.niss: r for r in compute_entitlements(records, (), 2025)}
        after = {r.niss: r for r in compute_entitlements(records, (), 2025, rulebook=rulebook)}
        print(f"Bart Janssens, 2025, shipped rules: {before[BART].days_exact} days")
        print(
            f"Bart Janssens, 2025, with {rules_file.name}: {after[BART].days_exact} days "
            f"({after[BART].legal_days} from the PC 200 schedule + "
            f"{after[BART].sector_days} complementary sector days)"
        )
        print("rules applied:", ", ".join(rule.id for rule in after[BART].rules))

        broken = dict(
            RULES, schedules=[dict(RULES["schedules"][0], band="25+", days={"2025": "x"})]
        )
        rules_file.write_text(json.dumps(broken), encoding="utf-8")
        try:
            Rulebook.default().with_rules_file(rules_file)
        except MycareerError as error:
            print("\na broken rules file is refused:")
            for line in flatten_errors(error):
                print("  ", line.replace(folder, "<tmp>"))


# --8<-- [end:main]

if __name__ == "__main__":
    main()
