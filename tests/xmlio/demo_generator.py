"""Generate the fictitious demo declarations shipped in ``mycareer/data/demo``.

One employer (enterprise 0403019261, NSSO 100006), joint committee 200, one
DmfA original per quarter from 2022/4 to 2025/4, and a few Dimona declarations
with their ONSS notifications and a sidecar. Every number is fictitious; the
NISS are those of tests/test_identifiers.py and the workers match
``career.json``:

* 90010100123: full-time since 2019-09-01, 4/5 from 2023-02-15 (the DmfA sample);
* 93051822361: hired 2024-04-29 at 4/5;
* 50073003369 (born 1950): leaves 2024-09-15; termination-indemnity lines follow
  (remuneration code 3, as ``mycareer.fla`` expects) for the rest of the
  quarter and of the year;
* 03021512318 (born 2003): student (worker code 840) in July–August 2024, hired
  full-time on 2024-12-31;
* 85073003328: full-time, full career break (measure 3, Q = 0) in 2025/2;
* 98472899765 (BIS number): two concurrent part-time lines, 1/2 and 1/4.

``corrections/`` holds one modification declaration (``DmfAUpdate``): in
2025/3, 90010100123 in fact worked full time (the original says 4/5).

Run ``python tests/xmlio/demo_generator.py`` to rewrite the package data; the
test ``test_demo_declarations`` checks that doing so gives byte-identical files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import attrs

from mycareer.dimona import DimonaAction, DimonaDeclaration, DimonaOutcome, DimonaStatus
from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    DmfaWorkerRecord,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio.dimona_writer import write_dimona, write_notifications
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update
from mycareer.xmlio.dmfa_writer import write_dmfa

EMPLOYER = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"))
FIRST, LAST = Quarter(2022, 4), Quarter(2025, 4)
PC_200 = JointCommission("200")
S = 3800  # reference person: 38 h/week
MONTHLY_FULL_TIME_CENTS = 400_000
TERMINATION_INDEMNITY = 3
STUDENT, EMPLOYEE = 840, 495

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "src" / "mycareer" / "data" / "demo"


def _weekdays(period: Period) -> int:
    assert period.end is not None
    day, count = period.start, 0
    while day <= period.end:
        count += day.weekday() < 5
        day += timedelta(days=1)
    return count


def _line(
    quarter: Quarter,
    sequence: int,
    start: date,
    end: date | None,
    q: int,
    *,
    days_system: int,
    measures: tuple[ReorganisationMeasure, ...] = (),
    remuneration_code: int = 1,
) -> DmfaOccupation:
    first, last = quarter.first_day, quarter.last_day
    clipped = max(start, first), last if end is None or end > last else end
    period = Period(*clipped) if clipped[0] <= clipped[1] else Period(start, end)
    covered = _weekdays(period)
    services: list[ServiceLine] = []
    remunerations: list[RemunerationLine] = []
    if q and days_system:
        days = int(Fraction(covered * days_system, 5))
        hours = int(Fraction(days * q, days_system))
        services.append(ServiceLine(1, days, hours if q != S else None))
        share = Fraction(q, S) * Fraction(covered, _weekdays(quarter.period)) * 3
        remunerations.append(
            RemunerationLine(remuneration_code, int(MONTHLY_FULL_TIME_CENTS * share))
        )
    return DmfaOccupation(
        sequence=sequence,
        start=start,
        end=end,
        period=period,
        joint_commission=PC_200,
        working_days_system=days_system,
        contract_type=ContractType.FULL_TIME if q == S else ContractType.PART_TIME,
        mean_working_hours=q,
        ref_mean_working_hours=S,
        reorganisation_measures=measures,
        services=services,
        remunerations=remunerations,
    )


def _overlaps(quarter: Quarter, start: date, end: date | None) -> bool:
    return start <= quarter.last_day and (end is None or end >= quarter.first_day)


def _lines(
    quarter: Quarter, spans: list[tuple[date, date | None, int, int]]
) -> list[DmfaOccupation]:
    """Lines of the spans ``(start, end, Q, days system)`` that touch the quarter."""
    return [
        _line(quarter, index, start, end, q, days_system=days)
        for index, (start, end, q, days) in enumerate(
            (span for span in spans if _overlaps(quarter, span[0], span[1])), start=1
        )
    ]


def _record(
    quarter: Quarter, niss: str, worker_code: int, lines: list[DmfaOccupation]
) -> DmfaWorkerRecord:
    return DmfaWorkerRecord(
        EMPLOYER, quarter, Niss(niss), worker_code, "010", quarter.period, lines
    )


def records(quarter: Quarter) -> Iterator[DmfaWorkerRecord]:
    """The demo worker records of one quarter, in NaturalPerson order."""
    an = _lines(
        quarter,
        [(date(2019, 9, 1), date(2023, 2, 14), S, 500), (date(2023, 2, 15), None, 3040, 400)],
    )
    if an:
        yield _record(quarter, "90010100123", EMPLOYEE, an)

    bart = _lines(quarter, [(date(2024, 4, 29), None, 3040, 400)])
    if bart:
        yield _record(quarter, "93051822361", EMPLOYEE, bart)

    leaving = date(2024, 9, 15)
    chantal = _lines(quarter, [(date(2010, 1, 1), leaving, S, 500)])
    if quarter == Quarter.of(leaving):
        chantal += [
            _line(
                quarter,
                2,
                date(2024, 9, 16),
                date(2024, 9, 30),
                S,
                days_system=500,
                remuneration_code=TERMINATION_INDEMNITY,
            ),
            _line(
                quarter,
                3,
                date(2024, 10, 1),
                date(2024, 12, 31),
                S,
                days_system=500,
                remuneration_code=TERMINATION_INDEMNITY,
            ),
        ]
    if chantal:
        yield _record(quarter, "50073003369", EMPLOYEE, chantal)

    student = _lines(quarter, [(date(2024, 7, 1), date(2024, 8, 31), 1900, 250)])
    if student:
        yield _record(quarter, "03021512318", STUDENT, student)
    dirk = _lines(quarter, [(date(2024, 12, 31), None, S, 500)])
    if dirk:
        yield _record(quarter, "03021512318", EMPLOYEE, dirk)

    career_break = Quarter(2025, 2)
    if quarter < career_break:
        end = career_break.first_day - timedelta(days=1) if quarter == career_break - 1 else None
        eva = [_line(quarter, 1, date(2015, 3, 1), end, S, days_system=500)]
    elif quarter == career_break:
        eva = [
            _line(
                quarter,
                1,
                quarter.first_day,
                quarter.last_day,
                0,
                days_system=0,
                measures=(ReorganisationMeasure(3),),
            )
        ]
    else:
        eva = [_line(quarter, 1, (career_break + 1).first_day, None, S, days_system=500)]
    yield _record(quarter, "85073003328", EMPLOYEE, eva)

    frank = _lines(
        quarter, [(date(2023, 9, 1), None, 1900, 250), (date(2023, 9, 1), None, 950, 125)]
    )
    if frank:
        yield _record(quarter, "98472899765", EMPLOYEE, frank)


def dmfa_name(quarter: Quarter) -> str:
    return f"dmfa-{EMPLOYER.enterprise}-{quarter}.xml"


def _declared(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


P_BART, P_STUDENT, P_CHANTAL, P_DIRK, P_MISTAKE = (
    "240429000101",
    "240701000202",
    "100101000303",
    "241231000404",
    "250106000505",
)


def dimona_declarations() -> list[DimonaDeclaration]:
    xxx = JointCommission("XXX")  # Dimona lists no PC 200: "other"
    return [
        DimonaDeclaration(
            DimonaAction.IN,
            EMPLOYER,
            Niss("93051822361"),
            reference="DEMO-DIM-001",
            start=date(2024, 4, 29),
            worker_type="OTH",
            joint_commission=xxx,
            declared_at=_declared(date(2024, 4, 26)),
        ),
        DimonaDeclaration(
            DimonaAction.IN,
            EMPLOYER,
            Niss("93051822361"),
            reference="DEMO-DIM-002",
            start=date(2024, 4, 29),
            worker_type="OTH",
            joint_commission=xxx,
            declared_at=_declared(date(2024, 4, 26), 10),
        ),
        DimonaDeclaration(
            DimonaAction.IN,
            EMPLOYER,
            Niss("03021512318"),
            reference="DEMO-DIM-003",
            start=date(2024, 7, 1),
            end=date(2024, 8, 16),
            worker_type="STU",
            joint_commission=xxx,
            planned_hours=240,
            declared_at=_declared(date(2024, 6, 28)),
        ),
        DimonaDeclaration(
            DimonaAction.UPDATE,
            EMPLOYER,
            Niss("03021512318"),
            reference="DEMO-DIM-004",
            period_id=P_STUDENT,
            end=date(2024, 8, 31),
            planned_hours=320,
            declared_at=_declared(date(2024, 8, 14)),
        ),
        DimonaDeclaration(
            DimonaAction.OUT,
            EMPLOYER,
            Niss("50073003369"),
            reference="DEMO-DIM-005",
            period_id=P_CHANTAL,
            end=date(2024, 9, 15),
            declared_at=_declared(date(2024, 9, 16)),
        ),
        DimonaDeclaration(
            DimonaAction.IN,
            EMPLOYER,
            Niss("03021512318"),
            reference="DEMO-DIM-006",
            start=date(2024, 12, 31),
            worker_type="OTH",
            joint_commission=xxx,
            declared_at=_declared(date(2024, 12, 20)),
        ),
        DimonaDeclaration(
            DimonaAction.IN,
            EMPLOYER,
            Niss("98472899765"),
            reference="DEMO-DIM-007",
            start=date(2025, 1, 6),
            worker_type="OTH",
            joint_commission=xxx,
            declared_at=_declared(date(2025, 1, 3)),
        ),
        DimonaDeclaration(
            DimonaAction.CANCEL,
            EMPLOYER,
            Niss("98472899765"),
            reference="DEMO-DIM-008",
            period_id=P_MISTAKE,
            declared_at=_declared(date(2025, 1, 4)),
        ),
    ]


def dimona_outcomes() -> list[DimonaOutcome]:
    """ONSS notifications for DEMO-DIM-001 to 006 (007 and 008 come from the sidecar)."""
    return [
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "DEMO-DIM-001",
            P_BART,
            period_after=Period(date(2024, 4, 29)),
            notified_at=datetime(2024, 4, 26, 9, 1),
        ),
        DimonaOutcome(
            DimonaStatus.REFUSED,
            "DEMO-DIM-002",
            anomalies=("00910-093",),
            notified_at=datetime(2024, 4, 26, 10, 1),
        ),
        DimonaOutcome(
            DimonaStatus.ACCEPTED_WITH_WARNINGS,
            "DEMO-DIM-003",
            P_STUDENT,
            period_after=Period(date(2024, 7, 1), date(2024, 8, 16)),
            anomalies=("01135-001",),
            notified_at=datetime(2024, 6, 28, 9, 2),
        ),
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "DEMO-DIM-004",
            P_STUDENT,
            period_before=Period(date(2024, 7, 1), date(2024, 8, 16)),
            period_after=Period(date(2024, 7, 1), date(2024, 8, 31)),
            notified_at=datetime(2024, 8, 14, 9, 1),
        ),
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "DEMO-DIM-005",
            P_CHANTAL,
            period_before=Period(date(2010, 1, 1)),
            period_after=Period(date(2010, 1, 1), date(2024, 9, 15)),
            notified_at=datetime(2024, 9, 16, 9, 1),
        ),
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "DEMO-DIM-006",
            P_DIRK,
            period_after=Period(date(2024, 12, 31)),
            notified_at=datetime(2024, 12, 20, 9, 1),
        ),
    ]


SIDECAR = f"reference,period_id,status\nDEMO-DIM-007,{P_MISTAKE},A\nDEMO-DIM-008,{P_MISTAKE},A\n"


#: The quarter the demo's correction (a ``DmfAUpdate``) fixes, and the worker it fixes.
CORRECTED_QUARTER, CORRECTED_NISS = Quarter(2025, 3), "90010100123"


def correction(folder: Path) -> Path:
    """A ``DmfAUpdate`` of 2025/3: 90010100123 worked full time, not 4/5 (demo of issue 13)."""
    (folder / "corrections").mkdir(parents=True, exist_ok=True)
    form = DmfaUpdateForm(
        EMPLOYER,
        CORRECTED_QUARTER,
        _declared(date(2025, 11, 14), 11),
        declaration_id="1000000001",
        reference="DEMO-FIX-20253",
    )
    (original,) = (r for r in records(CORRECTED_QUARTER) if r.niss.value == CORRECTED_NISS)
    full_time = [
        attrs.evolve(o, contract_type=ContractType.FULL_TIME, mean_working_hours=S)
        for o in original.occupations
    ]
    update = DmfaLineUpdate(
        form,
        UpdateAction.MODIFIED,
        attrs.evolve(original, occupations=full_time),
        original.employer_class,
        original.worker_code,
        "1",
    )
    path = folder / "corrections" / f"dmfa-update-{EMPLOYER.enterprise}-{CORRECTED_QUARTER}.xml"
    write_dmfa_update(path, form, [update])
    return path


def generate(folder: Path) -> list[Path]:
    """Write every demo declaration under ``folder`` (``dmfa/``, ``dimona/``, ``corrections/``)."""
    written: list[Path] = []
    (folder / "dmfa").mkdir(parents=True, exist_ok=True)
    (folder / "dimona").mkdir(parents=True, exist_ok=True)
    for quarter in Quarter.range(FIRST, LAST):
        path = folder / "dmfa" / dmfa_name(quarter)
        created = _declared((quarter + 1).first_day + timedelta(days=19), 10)
        write_dmfa(
            path,
            EMPLOYER,
            quarter,
            records(quarter),
            created_at=created,
            reference=f"DEMO-{quarter}",
        )
        written.append(path)
    declarations = folder / "dimona" / f"dimona-{EMPLOYER.enterprise}.xml"
    write_dimona(declarations, dimona_declarations())
    notifications = folder / "dimona" / f"notifications-{EMPLOYER.enterprise}.xml"
    write_notifications(notifications, dimona_outcomes())
    sidecar = folder / "dimona" / "outcomes.csv"
    sidecar.write_text(SIDECAR, encoding="utf-8", newline="\n")
    return [*written, declarations, notifications, sidecar, correction(folder)]


if __name__ == "__main__":
    for path in generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO_FOLDER):
        print(path)
