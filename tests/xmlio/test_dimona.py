"""Dimona declarations and ONSS notifications (issue 3 §2)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dimona import (
    REOPEN_END,
    DimonaAction,
    DimonaDeclaration,
    DimonaOutcome,
    DimonaStatus,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InvalidValueError
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.xmlio.dimona import (
    DIMONA_OUTCOME_UNMATCHED,
    iter_dimona,
    iter_notifications,
    read_dimona,
)
from mycareer.xmlio.dimona_writer import dimona_bytes, notifications_bytes, write_dimona

ACME = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"))
PERIOD_ID = "123456789012"


def lifecycle() -> list[DimonaDeclaration]:
    """IN, UPDATE re-opening the end (9999-12-31, zone 00911), OUT, CANCEL."""
    return [
        DimonaDeclaration(
            DimonaAction.IN,
            ACME,
            Niss("93051822361"),
            reference="DIM-IN",
            start=date(2024, 4, 29),
            end=date(2024, 6, 30),
            worker_type="STU",
            joint_commission=JointCommission("XXX"),
            planned_hours=120,
            declared_at=datetime(2024, 4, 26, 9, 30, 15, 250000),
        ),
        DimonaDeclaration(
            DimonaAction.UPDATE,
            ACME,
            Niss("93051822361"),
            period_id=PERIOD_ID,
            reference="DIM-UPD",
            end=REOPEN_END,
            declared_at=datetime(2024, 6, 1, 10),
        ),
        DimonaDeclaration(
            DimonaAction.OUT,
            ACME,
            period_id=PERIOD_ID,
            reference="DIM-OUT",
            end=date(2024, 9, 15),
            declared_at=datetime(2024, 9, 16, 8),
        ),
        DimonaDeclaration(
            DimonaAction.CANCEL,
            Employer(nsso=NssoNumber("5000000120")),
            period_id=PERIOD_ID,
            reference="DIM-CAN",
            declared_at=datetime(2024, 9, 17, 8),
        ),
    ]


def test_all_four_declaration_types_read_back_equal() -> None:
    sent = lifecycle()
    read = list(iter_dimona(dimona_bytes(sent)))
    assert [d.action for d in read] == [
        DimonaAction.IN,
        DimonaAction.UPDATE,
        DimonaAction.OUT,
        DimonaAction.CANCEL,
    ]
    for original, back in zip(sent, read, strict=True):
        assert back.source is not None
        assert back == DimonaDeclaration(**{**_fields(original), "source": back.source})
    assert read[1].end == REOPEN_END  # kept raw: the timeline reads it as "clear the end"
    assert read[3].employer.nsso is not None
    assert read[3].employer.nsso.is_provisional


def _fields(declaration: DimonaDeclaration) -> dict[str, Any]:
    return attrs.asdict(declaration, recurse=False)


def test_missing_employer_id_uses_the_default_employer_or_is_an_error() -> None:
    data = dimona_bytes(lifecycle()[:1]).replace(
        b"<EmployerId>\n      <NOSSRegistrationNbr>100006</NOSSRegistrationNbr>\n"
        b"      <CompanyID>0403019261</CompanyID>\n    </EmployerId>\n",
        b"",
    )
    assert b"EmployerId" not in data
    (read,) = iter_dimona(data, default_employer=ACME)
    assert read.employer == ACME
    errors: list[InvalidValueError] = []
    assert list(iter_dimona(data, errors=errors)) == []
    assert "EmployerId" in str(errors[0])


def test_notifications_give_status_period_before_after_and_cancellation() -> None:
    outcomes = [
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "DIM-IN",
            PERIOD_ID,
            period_after=Period(date(2024, 4, 29), date(2024, 6, 30)),
        ),
        DimonaOutcome(
            DimonaStatus.ACCEPTED_WITH_WARNINGS,
            "DIM-UPD",
            PERIOD_ID,
            period_before=Period(date(2024, 4, 29), date(2024, 6, 30)),
            period_after=Period(date(2024, 4, 29)),
            anomalies=("00911-123",),
        ),
        DimonaOutcome(DimonaStatus.REFUSED, "DIM-OUT", anomalies=("00913-002",)),
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "DIM-CAN",
            PERIOD_ID,
            period_before=Period(date(2024, 4, 29)),
            cancelled=True,
        ),
        DimonaOutcome(DimonaStatus.PENDING, "DIM-PEND"),
    ]
    when = datetime(2024, 9, 17, 8, 5)
    read = list(iter_notifications(notifications_bytes(outcomes, created_at=when), name="n.xml"))
    assert [(o.reference, o.status, o.period_id, o.cancelled) for o in read] == [
        ("DIM-IN", DimonaStatus.ACCEPTED, PERIOD_ID, False),
        ("DIM-UPD", DimonaStatus.ACCEPTED_WITH_WARNINGS, PERIOD_ID, False),
        ("DIM-OUT", DimonaStatus.REFUSED, None, False),
        ("DIM-CAN", DimonaStatus.ACCEPTED, PERIOD_ID, True),
        ("DIM-PEND", DimonaStatus.PENDING, None, False),
    ]
    assert read[1].period_before == Period(date(2024, 4, 29), date(2024, 6, 30))
    assert read[1].period_after == Period(date(2024, 4, 29))
    assert read[1].anomalies == ("00911-123",)
    assert read[3].period_before == Period(date(2024, 4, 29))
    assert read[3].period_after is None
    assert all(o.notified_at == when for o in read)
    assert read[0].source is not None
    assert read[0].source.record == "$.Form[1]"


def test_is_cancelled_flag_marks_the_outcome_cancelled() -> None:
    data = notifications_bytes(
        [DimonaOutcome(DimonaStatus.REFUSED, "X", anomalies=("00913-001",))],
        created_at=datetime(2024, 1, 1),
    ).replace(
        b"</AnomalyReport>",
        b"<AnomalyComplInformation><DimonaPeriod><DimonaPeriodId>1</DimonaPeriodId><IsLocked>0</IsLocked>"
        b"<IsCancelled>1</IsCancelled><LastUpdateDate>2024-01-01</LastUpdateDate>"
        b"<LastUpdateHour>08:00:00.000</LastUpdateHour></DimonaPeriod></AnomalyComplInformation>"
        b"</AnomalyReport>",
    )
    (outcome,) = iter_notifications(data)
    assert outcome.cancelled


def test_read_dimona_tells_declarations_notifications_and_sidecars_apart(tmp_path: Path) -> None:
    write_dimona(tmp_path / "declarations.xml", lifecycle())
    (tmp_path / "onss").mkdir()
    (tmp_path / "onss" / "answers.xml").write_bytes(
        notifications_bytes(
            [
                DimonaOutcome(DimonaStatus.ACCEPTED, "DIM-IN", PERIOD_ID),
                DimonaOutcome(DimonaStatus.ACCEPTED, "SOMEONE-ELSE", PERIOD_ID),
            ],
            created_at=datetime(2024, 4, 26, 10),
        )
    )
    (tmp_path / "sidecar.csv").write_text(
        "reference,period_id,status\nDIM-UPD,123456789012,W\nDIM-OUT,123456789012,A\n"
    )
    batch = read_dimona([tmp_path])
    assert len(batch.declarations) == 4
    assert [o.reference for o in batch.outcomes] == ["DIM-IN", "SOMEONE-ELSE", "DIM-UPD", "DIM-OUT"]
    (finding,) = batch.findings
    assert finding.code == DIMONA_OUTCOME_UNMATCHED
    assert "SOMEONE-ELSE" in finding.message
    assert batch.errors == ()


@settings(max_examples=80, deadline=None)
@given(
    start=st.dates(date(1990, 1, 1), date(2030, 12, 31)),
    days=st.none() | st.integers(0, 400),
    hours=st.none() | st.integers(1, 999),
    worker_type=st.sampled_from(["OTH", "STU", "FLX", "EXT", "DWD"]),
    committee=st.sampled_from(["XXX", "124", "302", "322"]),
    moment=st.datetimes(datetime(2000, 1, 1), datetime(2035, 1, 1)),
)
def test_any_dimona_in_reads_back_equal(
    start: date,
    days: int | None,
    hours: int | None,
    worker_type: str,
    committee: str,
    moment: datetime,
) -> None:
    sent = DimonaDeclaration(
        DimonaAction.IN,
        ACME,
        Niss("90010100123"),
        reference="R",
        start=start,
        end=None if days is None else start + timedelta(days=days),
        worker_type=worker_type,
        joint_commission=JointCommission(committee),
        planned_hours=hours,
        declared_at=moment.replace(microsecond=moment.microsecond // 1000 * 1000),
    )
    (read,) = iter_dimona(dimona_bytes(sent))
    assert read == DimonaDeclaration(**{**_fields(sent), "source": read.source})


def test_read_dimona_on_error_must_be_raise_or_collect(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="on_error"):
        read_dimona([tmp_path], on_error="skip")  # type: ignore[arg-type]
