"""Worked DmfA examples as files: records written by the project's writer, each file
checked against the official ONSS XSD, then read back by the reader (as a user would)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from lxml import etree

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.quarter import Quarter
from mycareer.xmlio._safe import load_schema
from mycareer.xmlio.dmfa import DmfaBatch, read_dmfa
from mycareer.xmlio.dmfa_writer import dmfa_bytes


def write_dmfa(folder: Path, records: list[DmfaWorkerRecord], xsd_dir: Path) -> list[Path]:
    """One DmfA file per employer and quarter, each valid against the official XSD."""
    schema = load_schema(xsd_dir / "DmfAOriginal_20231.xsd")
    grouped: dict[tuple[str, Quarter], list[DmfaWorkerRecord]] = defaultdict(list)
    employers = {}
    for record in records:
        grouped[(record.employer.key, record.quarter)].append(record)
        employers[record.employer.key] = record.employer
    paths = []
    for (key, quarter), group in sorted(grouped.items()):
        data = dmfa_bytes(employers[key], quarter, group, created_at=datetime(2025, 1, 20, 9, 0))
        schema.assertValid(etree.fromstring(data))
        path = folder / key.replace(":", "_") / f"dmfa-{quarter}.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def round_trip(folder: Path, records: list[DmfaWorkerRecord], xsd_dir: Path) -> DmfaBatch:
    """``records`` written as DmfA files under ``folder`` and read back."""
    write_dmfa(folder, records, xsd_dir)
    return read_dmfa(folder)
