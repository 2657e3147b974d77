"""Archive the training accounts of the FLA era as XML, before the FLA data go on 1 January 2027.

Runs with no arguments. The 2024 and 2025 entitlements are computed from the
fictitious DmfA declarations, turned into yearly credits, two trainings are
booked, and every account is written to a ``training-account`` XML document that
validates against the shipped XSD. It is then read back and compared: the
archive keeps every exact value. (The FLA was abolished by the Law of 14 January
2026 with effect from 1 January 2025; Sigedis deletes its data on 1 January 2027.)
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from _fictitious import BART, EMPLOYER, NAMES, all_records

from mycareer.fla.account import YearCredit, build_accounts
from mycareer.fla.entitlement import compute_entitlements
from mycareer.fla.trainings import Training
from mycareer.xmlio.formats import validate
from mycareer.xmlio.training_account import (
    TRAINING_ACCOUNT,
    account_records,
    read_training_accounts,
)
from mycareer.xmlio.training_account_writer import write_training_accounts

AS_OF = date(2025, 12, 31)


# --8<-- [start:main]
def main() -> None:
    records = all_records()
    entitlements = [e for year in (2024, 2025) for e in compute_entitlements(records, (), year)]
    credits = [YearCredit.from_entitlement(e) for e in entitlements]
    trainings = [
        Training(
            niss=BART,
            name="Spreadsheet modelling",
            start=date(2024, 10, 7),
            end=date(2024, 10, 8),
            hours="15.2",
            employer=EMPLOYER,
            provider="Fictive Academy",
        ),
        Training(
            niss=BART,
            name="First aid",
            start=date(2025, 3, 3),
            end=date(2025, 3, 3),
            hours="7.6",
            employer=EMPLOYER,
            counts_toward_individual_right=False,
        ),
    ]
    accounts, findings = build_accounts(credits, trainings, as_of=AS_OF)
    archive = account_records(accounts, entitlements)
    bart = next(record for record in archive if record.niss == BART)
    for statement in bart.account.statements:
        print(
            f"{NAMES[BART]} {statement.year}: opening {statement.opening}, "
            f"credit {statement.credit.total}, used {statement.used}, "
            f"closing {statement.closing}, carried {statement.carried} (days, exact)"
        )
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "training-accounts-2024-2025.xml"
        count = write_training_accounts(target, archive)
        problems = validate(target, TRAINING_ACCOUNT)
        back = read_training_accounts(target)
        print(
            f"\narchived {count} accounts in {target.name}: {target.stat().st_size} bytes, "
            f"{len(problems)} XSD problems, read back identical: {back.records == tuple(archive)}"
        )
    print(f"{len(findings)} findings outside any single account")


# --8<-- [end:main]

if __name__ == "__main__":
    main()
