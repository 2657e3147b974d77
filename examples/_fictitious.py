"""Fictitious DmfA declarations for the examples (every name and number is invented).

One employer, Demo Consulting SRL (PC 200), declares 22 full-time workers every
quarter from Q4 2022 to Q4 2025 (so its size band is 20+), plus three workers
with a story:

* An Peeters — hired 29 April 2025 at 4/5 (the T-PRO-1 shape of docs/training-right.md);
* Bart Janssens — full time, leaves on 15 March 2024 and comes back on 1 July 2024 (a gap);
* Chantal Dubois — full time, 1/2 from 1 October 2025.

The identifiers carry valid check digits; the people do not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from mycareer import Employer, EnterpriseNumber, JointCommission, Niss, NssoNumber, Period, Quarter
from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord, ServiceLine
from mycareer.xmlio.dmfa_writer import dmfa_bytes

EMPLOYER = Employer(
    EnterpriseNumber("0403019261"), NssoNumber("100006"), name="Demo Consulting SRL"
)
PC_200 = JointCommission("200")
FIRST, LAST = Quarter(2022, 4), Quarter(2025, 4)


def niss_for(birth: date, serial: int) -> Niss:
    """A valid NISS for someone born in the 1900s (check digits 97 - base mod 97)."""
    base = f"{birth:%y%m%d}{serial:03d}"
    return Niss(f"{base}{97 - int(base) % 97:02d}")


AN = niss_for(date(1990, 1, 1), 1)
BART = niss_for(date(1985, 7, 30), 33)
CHANTAL = niss_for(date(1979, 3, 12), 2)
NAMES = {AN: "An Peeters", BART: "Bart Janssens", CHANTAL: "Chantal Dubois"}

# (worker, first day, last day or None, Q/S numerator over 3800)
STORIES: list[tuple[Niss, date, date | None, int]] = [
    (AN, date(2025, 4, 29), None, 3040),
    (BART, date(2019, 5, 1), date(2024, 3, 15), 3800),
    (BART, date(2024, 7, 1), None, 3800),
    (CHANTAL, date(2015, 1, 1), date(2025, 9, 30), 3800),
    (CHANTAL, date(2025, 10, 1), None, 1900),
]
STORIES += [
    (niss_for(date(1980 + n % 20, 1 + n % 12, 1 + n), 100 + n), date(2018, 1, 1), None, 3800)
    for n in range(22)
]


def quarters() -> Iterator[Quarter]:
    return Quarter.range(FIRST, LAST)


def records_for(quarter: Quarter) -> list[DmfaWorkerRecord]:
    """The worker records Demo Consulting declares for one quarter."""
    qp = quarter.period
    assert qp.end is not None
    by_worker: dict[Niss, list[DmfaOccupation]] = {}
    for niss, start, end, q in STORIES:
        line = Period(start, end).intersection(qp)
        if line is None:
            continue
        days = line.days_as_of(qp.end) * 5 * 100 // 7  # about 5 working days a week
        occupations = by_worker.setdefault(niss, [])
        occupations.append(
            DmfaOccupation(
                sequence=len(occupations) + 1,
                start=start,
                end=end,
                period=line,
                joint_commission=PC_200,
                working_days_system=500,
                contract_type=ContractType.FULL_TIME if q == 3800 else ContractType.PART_TIME,
                mean_working_hours=q,
                ref_mean_working_hours=3800,
                services=[ServiceLine(1, days * q // 3800)],
            )
        )
    return [
        DmfaWorkerRecord(EMPLOYER, quarter, niss, 495, "010", qp, occupations)
        for niss, occupations in by_worker.items()
    ]


def all_records() -> list[DmfaWorkerRecord]:
    return [record for quarter in quarters() for record in records_for(quarter)]


def write_declarations(folder: Path) -> list[Path]:
    """One DmfAOriginal file per quarter in ``folder``; returns the paths."""
    paths = []
    for quarter in quarters():
        path = folder / f"dmfa-{quarter}.xml"
        end = quarter.period.end
        assert end is not None
        created = datetime.combine(end + timedelta(days=20), time(9, 30))  # filed after the quarter
        path.write_bytes(dmfa_bytes(EMPLOYER, quarter, records_for(quarter), created_at=created))
        paths.append(path)
    return paths
