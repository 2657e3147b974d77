"""The shipped demo declarations: reproducible, valid against the official XSDs, read cleanly."""

from __future__ import annotations

from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

from mycareer.dimona import DimonaStatus
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.quarter import Quarter
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio._safe import load_schema, validate_document
from mycareer.xmlio.dimona import read_dimona
from mycareer.xmlio.dmfa import read_dmfa

from .demo_generator import FIRST, LAST, generate

DEMO = Path(str(resources.files("mycareer.data.demo")))


def test_regenerating_the_demo_gives_byte_identical_files(tmp_path: Path) -> None:
    for fresh in generate(tmp_path):
        shipped = DEMO / fresh.relative_to(tmp_path)
        assert shipped.read_bytes() == fresh.read_bytes(), (
            f"{shipped} is stale: rerun the generator"
        )
    assert sorted(p.name for p in (DEMO / "dmfa").iterdir()) == sorted(
        p.name for p in (tmp_path / "dmfa").iterdir()
    )


def test_demo_declarations_validate_against_the_official_xsds(onss_xsd_dir: Path) -> None:
    dmfa = load_schema(onss_xsd_dir / "DmfAOriginal_20231.xsd")
    for path in sorted((DEMO / "dmfa").glob("*.xml")):
        assert validate_document(path, dmfa) == [], path
    dimona = load_schema(onss_xsd_dir / "Dimona_20231.xsd")
    notification = load_schema(onss_xsd_dir / "NOTIFICATION_20223.xsd")
    assert validate_document(DEMO / "dimona" / "dimona-0403019261.xml", dimona) == []
    assert validate_document(DEMO / "dimona" / "notifications-0403019261.xml", notification) == []


def test_demo_dmfa_reads_cleanly_one_declaration_per_quarter() -> None:
    batch = read_dmfa([DEMO / "dmfa"])
    assert batch.errors == ()
    assert batch.findings == ()
    assert [d.quarter for d in batch.declarations] == list(Quarter.range(FIRST, LAST))
    assert {d.employer.key for d in batch.declarations} == {"0403019261"}
    by_worker: dict[tuple[str, str], list[DmfaWorkerRecord]] = {}
    for record in batch.records:
        by_worker.setdefault((str(record.niss), str(record.quarter)), []).append(record)
    # Full career break in 2025/2 (measure 3, Q = 0).
    (eva,) = by_worker[("85073003328", "20252")]
    assert [o.is_full_career_break for o in eva.occupations] == [True]
    # Termination-indemnity lines after leaving on 2024-09-15.
    (chantal,) = by_worker[("50073003369", "20243")]
    assert [o.remuneration_codes for o in chantal.occupations] == [{1}, {3}, {3}]
    # Student in summer 2024 (worker code 840), employee from 2024-12-31.
    (student,) = by_worker[("03021512318", "20243")]
    assert student.worker_code == 840
    # BIS number with two concurrent part-time lines.
    (frank,) = by_worker[("98472899765", "20241")]
    assert [o.fraction for o in frank.occupations] == [
        WorkFraction(Fraction(1, 2)),
        WorkFraction(Fraction(1, 4)),
    ]


def test_demo_dimona_reads_cleanly_with_notifications_and_sidecar() -> None:
    batch = read_dimona([DEMO / "dimona"])
    assert batch.errors == ()
    assert batch.findings == ()
    assert len(batch.declarations) == 8
    statuses = {o.reference: o.status for o in batch.outcomes}
    assert statuses["DEMO-DIM-002"] is DimonaStatus.REFUSED
    assert statuses["DEMO-DIM-008"] is DimonaStatus.ACCEPTED
    assert {d.reference for d in batch.declarations} == set(statuses)


@pytest.mark.parametrize("quarter", ["20224", "20254"])
def test_demo_file_names_follow_the_convention(quarter: str) -> None:
    assert (DEMO / "dmfa" / f"dmfa-0403019261-{quarter}.xml").is_file()
