"""The Dimona personnel file: reading it, and reconciling it with the employer's declarations."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import attrs
import pytest

from mycareer.dimona import DimonaAction, DimonaDeclaration, DimonaOutcome, DimonaStatus
from mycareer.errors import InvalidValueError, MycareerErrorGroup
from mycareer.joint_commission import JointCommission
from mycareer.period import Period
from mycareer.personnel_file import PersonnelFileAnswer, PersonnelFilePeriod
from mycareer.timeline import (
    DifferenceKind,
    build_timeline,
    consolidate_dimona,
    reconcile_dimona,
)
from mycareer.xmlio._safe import load_schema, validate_document
from mycareer.xmlio.personnel_file import (
    PERSONNEL_FILE_INCOMPLETE,
    iter_personnel_file,
    read_personnel_files,
)

from ..fla._build import ACME, ANN, BETA, BOB
from ._personnel import personnel_file_bytes

JC200, JC124 = JointCommission("200"), JointCommission("124")
WINDOW = (date(2024, 1, 1), date(2024, 12, 31))


def _filed(
    period_id: str, niss: object, start: date, end: date | None, **extra: object
) -> PersonnelFilePeriod:
    values: dict[str, object] = {"joint_commission": JC200, "worker_type": "OTH"}
    values.update(extra)
    return PersonnelFilePeriod(period_id, ACME, niss, start, end, **values)  # type: ignore[arg-type]


def _declared(reference: str, period_id: str, niss: object, start: date, end: date | None,
              jc: JointCommission = JC200) -> tuple[DimonaDeclaration, DimonaOutcome]:  # fmt: skip
    declaration = DimonaDeclaration(
        DimonaAction.IN, ACME, niss, reference=reference, start=start, end=end,  # type: ignore[arg-type]
        joint_commission=jc,
    )  # fmt: skip
    return declaration, DimonaOutcome(DimonaStatus.ACCEPTED, reference, period_id)


def _read(data: bytes) -> list[PersonnelFilePeriod]:
    return list(iter_personnel_file(data, name="file.xml"))


def test_written_personnel_files_are_valid_and_read_back(onss_xsd_dir: Path) -> None:
    schema = load_schema(onss_xsd_dir / "PersonnelFileConsultationAnswer_20223.xsd")
    periods = [  # the XSD lists the joint committees of the file (124, ..., XXX)
        _filed("600027876089", ANN, date(2024, 1, 5), date(2024, 1, 5), joint_commission=JC124,
               planned_days=1, late=True, locked=True, worker_type="STU"),
        _filed("600027876090", BOB, date(2024, 2, 1), None, cancelled=True, planned_hours=12,
               joint_commission=JointCommission("XXX")),
    ]  # fmt: skip
    data = personnel_file_bytes(ACME, periods, window=WINDOW)
    assert validate_document(io.BytesIO(data), schema) == []
    first, second = _read(data)
    assert (first.period_id, first.niss, first.worker_type, first.joint_commission) == (
        "600027876089", ANN, "STU", JC124,
    )  # fmt: skip
    assert (first.late, first.locked, first.cancelled, first.planned_days) == (True, True, False, 1)
    assert first.is_employment
    assert str(first.period) == "2024-01-05..2024-01-05"
    assert first.source is not None
    assert first.source.record == (
        "$.Form[1].PersonnelFileConsult.DimonaPeriod[1]"
    )
    assert second.cancelled
    assert not second.is_employment
    assert second.to_career_period() is None
    assert second.planned_hours == 12


def test_bad_periods_are_reported_and_the_others_kept() -> None:
    periods = [
        _filed("600027876089", ANN, date(2024, 1, 5), date(2024, 1, 5)),
        _filed("600027876090", BOB, date(2024, 2, 1), None),
    ]
    data = personnel_file_bytes(ACME, periods).replace(b"<IsCancelled>0<", b"<IsCancelled>7<", 1)
    errors: list[InvalidValueError] = []
    kept = list(iter_personnel_file(data, name="file.xml", errors=errors))
    assert [p.niss for p in kept] == [BOB]
    (error,) = errors
    assert "invalid IsCancelled 7" in str(error)
    assert "file.xml:" in str(error)
    assert error.path == "$.Form[1].PersonnelFileConsult.DimonaPeriod[1].IsCancelled"
    with pytest.raises(MycareerErrorGroup):
        _read(data)


def test_the_official_sample_is_an_answer_without_periods(onss_samples_dir: Path) -> None:
    batch = read_personnel_files([onss_samples_dir / "PersonnelFileConsultationAnswer_20223_2.xml"])
    (answer,) = batch.answers
    assert batch.periods == ()
    assert batch.errors == ()
    assert (answer.employer.key, answer.result_code, answer.complete) == ("0407585882", 1, True)
    assert answer.window == Period(date(2021, 12, 1), date(2021, 12, 1))
    assert answer.created_at == datetime(2022, 9, 2, 13, 53, 37, 100000)


def test_an_incomplete_answer_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "pf.xml").write_bytes(personnel_file_bytes(ACME, [], result_code=5))
    batch = read_personnel_files([tmp_path])
    assert [f.code for f in batch.findings] == [PERSONNEL_FILE_INCOMPLETE]


def test_reconciliation_reports_each_difference_and_the_file_wins() -> None:
    steps = [
        _declared("r1", "100000000001", ANN, date(2024, 1, 1), date(2024, 3, 31)),  # same
        _declared("r2", "100000000002", ANN, date(2024, 4, 1), date(2024, 6, 30)),  # dates
        _declared("r3", "100000000003", BOB, date(2024, 1, 1), None, JC124),  # committee
        _declared("r4", "100000000004", BOB, date(2024, 7, 1), None),  # not in the file
        _declared("r5", "100000000005", BOB, date(2024, 9, 1), None),  # cancelled in the file
    ]
    consolidation = consolidate_dimona([d for d, _ in steps], [o for _, o in steps])
    filed = [
        _filed("100000000001", ANN, date(2024, 1, 1), date(2024, 3, 31)),
        _filed("100000000002", ANN, date(2024, 4, 1), date(2024, 5, 31)),
        _filed("100000000003", BOB, date(2024, 1, 1), None),
        _filed("100000000005", BOB, date(2024, 9, 1), None, cancelled=True),
        _filed("100000000006", ANN, date(2024, 10, 1), None),  # not declared
    ]
    answer = PersonnelFileAnswer(ACME, 0, Period(*WINDOW))
    result = reconcile_dimona(consolidation, filed, [answer])
    kinds = {(d.period_id[-1], d.kind) for d in result.differences}
    assert kinds == {
        ("2", DifferenceKind.DATES_DIFFER),
        ("3", DifferenceKind.JOINT_COMMITTEE_DIFFERS),
        ("4", DifferenceKind.MISSING_IN_FILE),
        ("5", DifferenceKind.CANCELLED_IN_FILE),
        ("6", DifferenceKind.MISSING_IN_DECLARATIONS),
    }
    assert set(result.by_worker()) == {ANN, BOB}
    assert len(result.findings) == 5
    assert all("NISS" in f.message for f in result.findings)
    used = sorted((p.niss.value, str(p.period)) for p in result.periods)
    assert used == sorted([
        (ANN.value, "2024-01-01..2024-03-31"),
        (ANN.value, "2024-04-01..2024-05-31"),  # the file's dates
        (BOB.value, "2024-01-01.."),
        (ANN.value, "2024-10-01.."),
    ])  # fmt: skip
    assert all(p.label is not None and "personnel file" in p.label for p in result.periods)
    timeline = build_timeline(
        [p for p in result.periods if p.niss == ANN], as_of=date(2024, 12, 31)
    )
    assert timeline.segments  # the file's periods make a timeline


def test_declared_periods_the_file_cannot_speak_for_are_kept() -> None:
    beta = DimonaDeclaration(DimonaAction.IN, BETA, ANN, reference="b", start=date(2024, 1, 1))
    old = DimonaDeclaration(DimonaAction.IN, ACME, BOB, reference="o", start=date(2020, 1, 1),
                            end=date(2020, 12, 31))  # fmt: skip
    consolidation = consolidate_dimona(
        [beta, old],
        [DimonaOutcome(DimonaStatus.ACCEPTED, "b", "200000000001"),
         DimonaOutcome(DimonaStatus.ACCEPTED, "o", "200000000002")],
    )  # fmt: skip
    answer = PersonnelFileAnswer(ACME, 0, Period(*WINDOW))
    result = reconcile_dimona(consolidation, [], [answer])
    assert result.differences == ()
    assert sorted(p.employer.key for p in result.periods if p.employer) == sorted(
        [ACME.key, BETA.key]
    )
    incomplete = reconcile_dimona(
        consolidation, [], [attrs.evolve(answer, window=None, result_code=5)]
    )
    assert incomplete.differences == ()
    assert len(incomplete.periods) == 2
    # a file of an employer with no declaration read: nothing to compare, the file is used
    alone = reconcile_dimona(consolidate_dimona([]), [_filed("3", ANN, date(2024, 1, 1), None)])
    assert alone.differences == ()
    assert len(alone.periods) == 1
