"""Training rights from a payroll's contracts, without any DmfA file.

Runs with no arguments. A fictitious employer (PC 111) has 24 full-time workers
since 2020, two students, An on a 4/5 contract from 29 April 2024 and Bart with
a full career break from March to May 2024. ``contract_records`` turns the
contracts into the quarter records their DmfA would hold; the DmfA engine does
the rest: size band 20+ for 2024 from Q4 2022..Q3 2023 (24 full-timers and
Bart: 25 FTE, the students left out, R-COUNT-5), then 5 days × B × months ÷ 12
(R-PRO-2).
"""

from __future__ import annotations

from datetime import date

from mycareer import Contract, Period, Suspension, WorkerCategory
from mycareer.fla import entitlements_from_contracts, size_band_from_contracts
from mycareer.timeline import timelines_from_contracts

ACME = "0403019261"


def niss(serial: int) -> str:
    """A valid fictitious NISS of someone born on 1 January 1980."""
    base = f"800101{serial:03d}"
    return base + f"{97 - int(base) % 97:02d}"


AN, BART = niss(101), niss(102)


# --8<-- [start:main]
def payroll() -> list[Contract]:
    staff = [
        Contract(ACME, niss(serial), date(2020, 1, 1), None,
                 weekly_hours="38", joint_commission="111")
        for serial in range(1, 25)
    ]  # fmt: skip
    students = [
        Contract(ACME, niss(serial), date(2023, 7, 1), date(2023, 9, 30),
                 weekly_hours="19", joint_commission="111", category=WorkerCategory.STUDENT)
        for serial in (201, 202)
    ]  # fmt: skip
    an = Contract(ACME, AN, date(2024, 4, 29), None, weekly_hours="30.4", joint_commission="111")
    bart = Contract(
        ACME, BART, date(2021, 3, 1), None, weekly_hours="38", joint_commission="111",
        suspensions=[Suspension(Period(date(2024, 3, 1), date(2024, 5, 31)), "career_break")],
    )  # fmt: skip
    return [*staff, *students, an, bart]


def main() -> None:
    contracts = payroll()
    band = size_band_from_contracts(contracts, 2024)[ACME]
    print(f"band {band.band.value} for 2024: average FTE {band.average_fte} "
          f"over {', '.join(str(q) for q in band.reference_quarters)}")  # fmt: skip
    results = {str(e.niss): e for e in entitlements_from_contracts(contracts, 2024)}
    for name, who in (("An", AN), ("Bart", BART), ("a full-timer", niss(1))):
        e = results[who]
        print(f"{name}: {e.days} days (exact {e.days_exact}), {e.months_employed} months")
    timeline = timelines_from_contracts([c for c in contracts if str(c.niss) == BART],
                                        as_of=date(2024, 6, 30))  # fmt: skip
    for segment in next(iter(timeline.values())).segments:
        print(f"  Bart {segment.period}: {segment.kind.label}, FTE {segment.fte}")


# --8<-- [end:main]

if __name__ == "__main__":
    main()
