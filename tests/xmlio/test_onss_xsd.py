"""Our fixture writers and the shared samples against the official ONSS XSDs.

Round-tripping our own writer proves nothing about real files (issue 3 §6):
every document written here must validate against ``DmfAOriginal_20231.xsd``,
``Dimona_20231.xsd`` or ``NOTIFICATION_20223.xsd`` read from
``MYCAREER_ONSS_XSD_DIR``.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio._safe import load_schema, validate_document
from mycareer.xmlio.dimona import iter_dimona, iter_notifications
from mycareer.xmlio.dimona_writer import dimona_bytes, notifications_bytes
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_writer import dmfa_bytes


@pytest.fixture(scope="module")
def samples(onss_xsd_dir: Path) -> Path:
    """The shared fictitious samples: ``MYCAREER_SAMPLES_DIR``, else ``<shared>/samples``."""
    folder = Path(os.environ.get("MYCAREER_SAMPLES_DIR") or onss_xsd_dir.parents[1] / "samples")
    if not folder.is_dir():
        pytest.skip(f"no shared samples folder at {folder}")
    return folder


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
        DimonaOutcome(DimonaStatus.REFUSED, "IN-2", anomalies=("00913-001",)),
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
def test_shared_samples_validate(
    onss_xsd_dir: Path, samples: Path, sample: str, schema_file: str
) -> None:
    schema = load_schema(onss_xsd_dir / schema_file)
    assert validate_document(samples / sample, schema) == []


# -- hypothesis: any valid records -> written -> valid -> read back equal -----------------


def _niss(birth: date, counter: int) -> str:
    base = f"{birth:%y%m%d}{counter:03d}"
    return f"{base}{97 - int(base) % 97:02d}"  # births 1940-1999: no "2" prefix


def _enterprise(sequence: int) -> str:
    return f"{sequence:08d}{97 - sequence % 97:02d}"


nisses = st.builds(_niss, st.dates(date(1940, 1, 1), date(1999, 12, 31)), st.integers(1, 998)).map(
    Niss
)
employers = st.one_of(
    st.builds(
        lambda e: Employer(EnterpriseNumber(e)), st.integers(1_000_000, 9_999_999).map(_enterprise)
    ),
    st.builds(lambda n: Employer(nsso=NssoNumber(n)), st.integers(100006, 199999934)),
    st.builds(
        lambda e, n: Employer(EnterpriseNumber(e), NssoNumber(n)),
        st.integers(1_000_000, 9_999_999).map(_enterprise),
        st.integers(100006, 199999934),
    ),
)
quarters = st.builds(Quarter, st.integers(2003, 2030), st.integers(1, 4))
services = st.builds(
    ServiceLine,
    st.integers(0, 999),
    st.integers(1, 36600),
    st.none() | st.integers(1, 9_999_999),
)
remunerations = st.builds(
    RemunerationLine,
    st.integers(0, 999),
    st.integers(0, 99_999_999_999),
    st.none() | st.integers(0, 99),
    st.none() | st.integers(10000, 15000),
)
MEASURE_CODES = [1, 2, 3, 4, 5, 6, 7, 8, 501, 516]


@st.composite
def occupations(draw: st.DrawFn, quarter: Quarter) -> DmfaOccupation:
    first, last = quarter.first_day, quarter.last_day
    start = draw(st.dates(first - timedelta(days=3000), last))
    end = draw(st.none() | st.dates(max(start, first), last))
    plain = draw(st.lists(st.sampled_from(MEASURE_CODES), max_size=1))
    detailed = draw(
        st.lists(
            st.builds(ReorganisationMeasure, st.sampled_from(MEASURE_CODES), st.integers(1, 9999)),
            max_size=2,
        )
    )
    s = draw(st.none() | st.integers(1, 6000))  # the XSD's domain of S (zone 00049)
    return DmfaOccupation(
        sequence=draw(st.integers(1, 99)),
        start=start,
        end=end,
        period=Period(max(start, first), last if end is None else end),
        joint_commission=JointCommission(
            draw(st.sampled_from(["200", "100", "302", "200.01", "305.02.09", "999"]))
        ),
        working_days_system=draw(st.integers(0, 700)),
        contract_type=draw(st.sampled_from(ContractType)),
        mean_working_hours=draw(st.none() | st.integers(0, s or 6000)),  # Q <= S
        ref_mean_working_hours=s,
        reorganisation_measures=[ReorganisationMeasure(code) for code in plain] + detailed,
        services=draw(st.lists(services, max_size=3)),
        remunerations=draw(st.lists(remunerations, max_size=2)),
    )


@st.composite
def declarations(draw: st.DrawFn) -> tuple[Employer, Quarter, list[DmfaWorkerRecord]]:
    employer, quarter = draw(employers), draw(quarters)
    records = [
        DmfaWorkerRecord(
            employer,
            quarter,
            draw(nisses),
            draw(st.integers(0, 999)),
            draw(st.sampled_from(["000", "010", "484"])),
            quarter.period,
            draw(st.lists(occupations(quarter), min_size=1, max_size=3)),
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    return employer, quarter, records


def _without_sources(record: DmfaWorkerRecord) -> DmfaWorkerRecord:
    return attrs.evolve(
        record,
        source=None,
        occupations=[attrs.evolve(o, source=None) for o in record.occupations],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    declaration=declarations(), created_at=st.datetimes(datetime(2003, 1, 1), datetime(2035, 1, 1))
)
def test_any_written_dmfa_validates_and_reads_back_equal(
    dmfa_schema: etree.XMLSchema,
    declaration: tuple[Employer, Quarter, list[DmfaWorkerRecord]],
    created_at: datetime,
) -> None:
    employer, quarter, records = declaration
    data = dmfa_bytes(employer, quarter, records, created_at=created_at, reference="HYP")
    assert validate_document(data, dmfa_schema) == []
    assert [_without_sources(r) for r in iter_dmfa(data)] == records


# -- the shared samples read as their comments say -----------------------------------------


def test_dmfa_sample_reads_as_documented_in_career_data_3_8(samples: Path) -> None:
    """The DmfA sample: full-time until 14 Feb, then 3040/3800 = 4/5 from 2023-02-15, open-ended."""
    (record,) = iter_dmfa(samples / "dmfa_skeleton_example.xml")
    assert record.employer == Employer(EnterpriseNumber("0123456749"))  # CompanyID 123456749
    assert record.quarter == Quarter(2023, 1)
    assert record.niss == Niss("90010100123")
    assert (record.worker_code, record.employer_class) == (495, "010")
    full, four_fifths = record.occupations
    assert (full.start, full.end) == (date(2019, 9, 1), date(2023, 2, 14))
    assert full.period == Period(date(2023, 1, 1), date(2023, 2, 14))  # clipped, start kept
    assert full.fraction == WorkFraction(1)
    assert [(s.code, s.days) for s in full.services] == [(1, Decimal(26)), (50, Decimal(4))]
    assert full.remunerations[0].amount_cents == 500000
    assert (four_fifths.start, four_fifths.end) == (date(2023, 2, 15), None)
    assert four_fifths.period == Period(date(2023, 2, 15), date(2023, 3, 31))
    assert four_fifths.fraction == WorkFraction(Fraction(4, 5))
    assert four_fifths.working_days_per_week == Decimal(4)
    assert four_fifths.contract_type is ContractType.PART_TIME
    assert four_fifths.services[0].hours == Decimal("91.20")


def test_dimona_sample_reads_as_documented_in_career_data_2_7(samples: Path) -> None:
    (declaration,) = iter_dimona(samples / "dimona_skeleton_example.xml")
    assert declaration.action is DimonaAction.IN
    assert declaration.employer == Employer(EnterpriseNumber("0123456749"))
    assert declaration.niss == Niss("05031500291")
    assert (declaration.start, declaration.end) == (date(2023, 2, 8), date(2023, 2, 10))
    assert declaration.planned_hours == 24
    assert declaration.worker_type == "STU"
    assert declaration.joint_commission == JointCommission("XXX")
    assert declaration.reference == "MY-REF-0001"
    assert declaration.declared_at == datetime(2023, 2, 6, 14, 35)


# -- hypothesis: any Dimona declaration / notification -> valid -> read back equal ----------

DIMONA_COMMITTEES = ["124", "140", "144", "145", "149", "302", "320", "322", "XXX"]
period_ids = st.integers(1, 999_999_999_999).map(lambda n: f"{n:012d}")
moments = st.datetimes(datetime(2003, 1, 1), datetime(2035, 1, 1)).map(
    lambda m: m.replace(microsecond=m.microsecond // 1000 * 1000)
)


@st.composite
def dimona_declarations(draw: st.DrawFn) -> DimonaDeclaration:
    action = draw(st.sampled_from(DimonaAction))
    start = draw(st.dates(date(1990, 1, 1), date(2035, 1, 1)))
    end = draw(st.none() | st.dates(start, date(2036, 1, 1)))
    common = {
        "employer": draw(employers),
        "niss": draw(st.none() | nisses),
        "reference": draw(st.none() | st.text("ABCXYZ-0123456789", min_size=1, max_size=20)),
        "declared_at": draw(moments),
    }
    if action is DimonaAction.IN:
        return DimonaDeclaration(
            action,
            start=start,
            end=end,
            worker_type=draw(st.sampled_from(["OTH", "STU", "FLX", "EXT", "DWD", "BCW"])),
            joint_commission=draw(
                st.none() | st.sampled_from(DIMONA_COMMITTEES).map(JointCommission)
            ),
            planned_hours=draw(st.none() | st.integers(1, 999)),
            **common,  # type: ignore[arg-type]
        )
    if action is DimonaAction.OUT:
        return DimonaDeclaration(action, period_id=draw(period_ids), end=start, **common)  # type: ignore[arg-type]
    if action is DimonaAction.UPDATE:
        return DimonaDeclaration(
            action,
            period_id=draw(period_ids),
            start=draw(st.none() | st.just(start)),
            end=end,
            planned_hours=draw(st.none() | st.integers(1, 999)),
            **common,  # type: ignore[arg-type]
        )
    return DimonaDeclaration(action, period_id=draw(period_ids), **common)  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(dimona_declarations(), min_size=1, max_size=5))
def test_any_written_dimona_validates_and_reads_back_equal(
    dimona_schema: etree.XMLSchema, declarations: list[DimonaDeclaration]
) -> None:
    data = dimona_bytes(declarations)
    assert validate_document(data, dimona_schema) == []
    assert [attrs.evolve(d, source=None) for d in iter_dimona(data)] == declarations


@st.composite
def outcomes(draw: st.DrawFn) -> DimonaOutcome:
    status = draw(st.sampled_from(DimonaStatus))
    anomalies = tuple(draw(st.lists(st.text("0123456789-", min_size=1, max_size=9), max_size=2)))
    if status is DimonaStatus.ACCEPTED_WITH_WARNINGS and not anomalies:
        anomalies = ("00000-000",)
    if status is DimonaStatus.ACCEPTED:
        anomalies = ()
    periods = st.builds(
        lambda start, days: Period(start, None if days is None else start + timedelta(days=days)),
        st.dates(date(1990, 1, 1), date(2035, 1, 1)),
        st.none() | st.integers(0, 3000),
    )
    period_id = draw(st.none() | period_ids)
    before = after = None
    cancelled = False
    if period_id is not None:
        before, after = draw(st.none() | periods), draw(st.none() | periods)
        if status.counts and before is not None and after is None:
            cancelled = True  # how a notification says so (see dimona_writer)
        if not status.counts and after is None:
            before = None
    return DimonaOutcome(
        status,
        reference=draw(st.none() | st.text("ABCXYZ-0123456789", min_size=1, max_size=20)),
        period_id=period_id,
        period_before=before,
        period_after=after,
        cancelled=cancelled,
        notified_at=draw(moments),
        anomalies=anomalies,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(outcomes(), min_size=1, max_size=5))
def test_any_written_notification_validates_and_reads_back_equal(
    notification_schema: etree.XMLSchema, sent: list[DimonaOutcome]
) -> None:
    data = notifications_bytes(sent)
    assert validate_document(data, notification_schema) == []
    assert [attrs.evolve(o, source=None) for o in iter_notifications(data)] == sent
