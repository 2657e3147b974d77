"""Our fixture writers and the shared samples against the official ONSS XSDs.

Round-tripping our own writer proves nothing about real files (issue 3 §6):
every document written here must validate against ``DmfAOriginal_20231.xsd``,
``Dimona_20231.xsd`` or ``NOTIFICATION_20223.xsd`` read from
``MYCAREER_ONSS_XSD_DIR``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from mycareer.dimona import DimonaAction, DimonaDeclaration, DimonaOutcome, DimonaStatus
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
from mycareer.xmlio._safe import load_schema, validate_document
from mycareer.xmlio.dimona_writer import dimona_bytes, notifications_bytes
from mycareer.xmlio.dmfa_writer import dmfa_bytes

SAMPLES = Path("/work/shared/samples")


@pytest.fixture(scope="module")
def dmfa_schema(onss_xsd_dir: Path) -> etree.XMLSchema:
    return load_schema(onss_xsd_dir / "DmfAOriginal_20231.xsd")


@pytest.fixture(scope="module")
def dimona_schema(onss_xsd_dir: Path) -> etree.XMLSchema:
    return load_schema(onss_xsd_dir / "Dimona_20231.xsd")


@pytest.fixture(scope="module")
def notification_schema(onss_xsd_dir: Path) -> etree.XMLSchema:
    return load_schema(onss_xsd_dir / "NOTIFICATION_20223.xsd")


def test_written_dmfa_with_breaks_services_and_nsso_only_employer_validates(
    dmfa_schema: etree.XMLSchema,
) -> None:
    quarter = Quarter(2025, 2)
    employer = Employer(nsso=NssoNumber("100006"))
    occupation = DmfaOccupation(
        sequence=1,
        start=date(2025, 1, 1),
        end=None,
        period=quarter.period,
        joint_commission=JointCommission("200.01"),
        working_days_system=0,
        contract_type=ContractType.FULL_TIME,
        mean_working_hours=0,
        ref_mean_working_hours=3800,
        reorganisation_measures=[ReorganisationMeasure(3), ReorganisationMeasure(4, 5000)],
        services=[ServiceLine(30, 150, 1140)],
        remunerations=[RemunerationLine(10, 123456, 1, 10000)],
    )
    record = DmfaWorkerRecord(
        employer, quarter, Niss("85073003328"), 495, "010", quarter.period, [occupation]
    )
    data = dmfa_bytes(employer, quarter, [record], created_at=datetime(2025, 7, 2, 8, 30))
    assert b"<CompanyID>0</CompanyID>" in data
    assert validate_document(data, dmfa_schema, name="written.xml") == []


def test_written_dimona_and_notifications_validate(
    dimona_schema: etree.XMLSchema, notification_schema: etree.XMLSchema
) -> None:
    employer = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"))
    declarations = [
        DimonaDeclaration(
            DimonaAction.IN,
            employer,
            Niss("93051822361"),
            reference="IN-1",
            start=date(2024, 4, 29),
            worker_type="OTH",
            joint_commission=JointCommission("XXX"),
            declared_at=datetime(2024, 4, 26, 9, 0),
        ),
        DimonaDeclaration(
            DimonaAction.UPDATE,
            employer,
            period_id="000000000097",
            start=date(2024, 4, 29),
            end=date(9999, 12, 31),
            declared_at=datetime(2024, 5, 2, 9, 0),
        ),
        DimonaDeclaration(
            DimonaAction.OUT,
            employer,
            period_id="000000000097",
            end=date(2024, 9, 15),
            declared_at=datetime(2024, 9, 16, 9, 0),
        ),
        DimonaDeclaration(
            DimonaAction.CANCEL,
            employer,
            period_id="000000000097",
            declared_at=datetime(2024, 9, 17, 9, 0),
        ),
    ]
    assert validate_document(dimona_bytes(declarations), dimona_schema) == []
    outcomes = [
        DimonaOutcome(
            DimonaStatus.ACCEPTED, "IN-1", "000000000097", period_after=Period(date(2024, 4, 29))
        ),
        DimonaOutcome(DimonaStatus.REFUSED, "IN-2", anomalies=["00913-001"]),
        DimonaOutcome(
            DimonaStatus.ACCEPTED,
            "C-1",
            "000000000097",
            period_before=Period(date(2024, 4, 29), date(2024, 9, 15)),
            cancelled=True,
        ),
    ]
    data = notifications_bytes(outcomes, created_at=datetime(2024, 4, 26, 9, 1))
    assert validate_document(data, notification_schema) == []


@pytest.mark.parametrize(
    ("sample", "schema_file"),
    [
        ("dmfa_skeleton_example.xml", "DmfAOriginal_20231.xsd"),
        ("dimona_skeleton_example.xml", "Dimona_20231.xsd"),
    ],
)
def test_shared_samples_validate(onss_xsd_dir: Path, sample: str, schema_file: str) -> None:
    schema = load_schema(onss_xsd_dir / schema_file)
    assert validate_document(SAMPLES / sample, schema) == []
