"""Builders of core DmfA records for the training-right tests (no XML involved)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    DmfaWorkerRecord,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter

ACME = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"), name="Acme")
BETA = Employer(EnterpriseNumber("0202239951"), name="Beta")
NSSO_ONLY = Employer(nsso=NssoNumber("100105"))
ANN = Niss("85073003328")
BOB = Niss("50073003369")
CAROL = Niss("90051200112")
FULL = 3800  # S = 38 h in hundredths


def occupation(
    start: date,
    end: date | None = None,
    *,
    quarter: Quarter | None = None,
    q: int = FULL,
    s: int = FULL,
    jc: str = "111",
    sequence: int = 1,
    remuneration_codes: Sequence[int] = (1,),
    measures: Sequence[int] = (),
    services: Sequence[tuple[int, int]] | None = None,
    days_per_week: int = 500,
) -> DmfaOccupation:
    """A line; ``period`` is the line clipped to ``quarter`` (default: start's quarter)."""
    quarter = quarter or Quarter.of(start)
    window = quarter.period
    # Indemnity lines may cover days outside their quarter: keep them whole.
    clipped = Period(start, end).clip(window) or Period(start, end)
    return DmfaOccupation(
        sequence=sequence,
        start=start,
        end=end,
        period=clipped,
        joint_commission=JointCommission(jc),
        working_days_system=days_per_week,
        contract_type=ContractType.FULL_TIME if q >= s else ContractType.PART_TIME,
        mean_working_hours=q,
        ref_mean_working_hours=s,
        reorganisation_measures=[ReorganisationMeasure(code) for code in measures],
        services=[
            ServiceLine(code, days)
            for code, days in ([(1, 6000)] if services is None else services)
        ],
        remunerations=[RemunerationLine(code, 100000) for code in remuneration_codes],
    )


def record(
    employer: Employer,
    quarter: Quarter,
    niss: Niss,
    occupations: Sequence[DmfaOccupation],
    *,
    worker_code: int = 495,
) -> DmfaWorkerRecord:
    return DmfaWorkerRecord(
        employer, quarter, niss, worker_code, "000", quarter.period, list(occupations)
    )


def employment(
    employer: Employer,
    niss: Niss,
    start: date,
    end: date | None,
    *,
    last_quarter: Quarter,
    q: int = FULL,
    s: int = FULL,
    jc: str = "111",
    sequence: int = 1,
    worker_code: int = 495,
) -> list[DmfaWorkerRecord]:
    """One line from ``start`` to ``end`` declared in every quarter it touches."""
    records = []
    first = Quarter.of(start)
    final = Quarter.of(end) if end is not None else last_quarter
    for quarter in Quarter.range(first, min(final, last_quarter)):
        line = occupation(start, end, quarter=quarter, q=q, s=s, jc=jc, sequence=sequence)
        records.append(record(employer, quarter, niss, [line], worker_code=worker_code))
    return records


def staff(employer: Employer, quarter: Quarter, fte_hundredths: int) -> list[DmfaWorkerRecord]:
    """Filler workers so that the employer has ``fte_hundredths``/100 FTE at quarter end.

    Full-time workers, plus one part-timer for the remainder (Q/S exact).
    """
    whole, rest = divmod(fte_hundredths, 100)
    records = []
    niss_pool = _niss_pool()
    for index in range(whole):
        line = occupation(date(2015, 1, 1), quarter=quarter, sequence=1)
        records.append(record(employer, quarter, niss_pool[index], [line]))
    if rest:
        line = occupation(date(2015, 1, 1), quarter=quarter, q=rest * 38, s=3800)
        records.append(record(employer, quarter, niss_pool[whole], [line]))
    return records


_POOL: list[Niss] = []


def _niss_pool() -> list[Niss]:
    """Valid NISS numbers born 1970-01-01.., generated with the mod-97 rule."""
    if not _POOL:
        for serial in range(1, 400, 2):
            base = int(f"700101{serial:03d}")
            check = 97 - base % 97
            _POOL.append(Niss(f"{base:09d}{check:02d}"))
    return _POOL
