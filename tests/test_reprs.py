"""Collections print short (issue 12 item 10): counts and first items, never every record.

A 20,000-worker batch used to print about 140 MB (a hung notebook).
"""

from __future__ import annotations

from datetime import date

import pytest

from mycareer import (
    CareerPeriod,
    CareerRecords,
    DmfaWorkerRecord,
    Employer,
    Niss,
    Period,
    PeriodKind,
    Quarter,
)
from mycareer.demo import demo_paths, load_demo
from mycareer.timeline import build_timeline, career_periods_from_dmfa
from mycareer.xmlio import DmfaBatch, read_dmfa

Q1 = Quarter(2024, 1)
ACME = Employer("0403019261")


def _people(count: int) -> list[Niss]:
    made: list[Niss] = []
    serial = 0
    while len(made) < count:
        serial += 1
        base = f"{800101 + serial // 998 * 100:06d}{serial % 998 + 1:03d}"
        text = base + f"{97 - int(base) % 97:02d}"
        if Niss.is_valid(text):
            made.append(Niss(text))
    return made


@pytest.fixture(scope="module")
def big_batch() -> DmfaBatch:
    with demo_paths() as paths:
        line = read_dmfa([paths.dmfa]).records[0].occupations[0]
    records = tuple(
        DmfaWorkerRecord(ACME, Q1, niss, 495, "010", Q1.period, (line,)) for niss in _people(20_000)
    )
    return DmfaBatch(records=records)


def test_repr_of_a_20000_worker_batch_is_short(big_batch: DmfaBatch) -> None:
    text = repr(big_batch)
    assert len(text) < 1_000
    assert "records=<20000 items: DmfaWorkerRecord(" in text
    assert "declarations=<0 items>" in text
    html = big_batch._repr_html_()  # type: ignore[attr-defined]
    assert len(html) < 5_000
    assert "<td>records</td><td>20000</td>" in html
    assert "19995 more" in html


def test_reprs_of_results_name_their_counts() -> None:
    with demo_paths() as paths:
        batch = read_dmfa([paths.dmfa])
    assert repr(batch).count("items") == 5  # records, declarations, findings, errors, rejected
    assert f"<{len(batch.records)} items:" in repr(batch)
    career = career_periods_from_dmfa(batch.records)
    assert f"periods=<{len(career.periods)} items:" in repr(career)
    sample = load_demo()
    assert f"workers=<{len(sample.workers)} items:" in repr(sample)


def test_long_timeline_and_career_records_print_short() -> None:
    niss = Niss("85073003328")
    periods = [
        CareerPeriod(niss, PeriodKind.SICKNESS if day % 2 else PeriodKind.EMPLOYMENT,
                     Period(date.fromordinal(738000 + day), date.fromordinal(738000 + day)))
        for day in range(5_000)
    ]
    records = CareerRecords(niss, periods, "Worker")
    assert len(repr(records)) < 1_000
    assert "name='Worker'" in repr(records)
    timeline = build_timeline(periods, as_of=date(2030, 1, 1))
    assert len(timeline.segments) == 5_000
    assert len(repr(timeline)) < 1_000
    assert "segments=<5000 items:" in repr(timeline)
    html = timeline._repr_html_()
    assert len(html) < 20_000
    assert "4900 more rows" in html  # 5,000 segments, 100 shown, and no gap
