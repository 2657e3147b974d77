"""Career-records `<timeline>` and `<gaps>` sections: valid documents, exact round trips."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.errors import InvalidValueError, MycareerErrorGroup
from mycareer.kinds import PeriodKind
from mycareer.period import Period
from mycareer.timeline import build_timeline
from mycareer.xmlio._safe import parse_document
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    career_records_element,
    career_records_from_element,
    timeline_sections,
    timeline_sections_from_element,
)

from .helpers import NISS, career_periods

AS_OF = date(2024, 6, 30)


@settings(max_examples=60, deadline=None)
@given(st.lists(career_periods(), max_size=8), st.integers(1, 20))
def test_sections_validate_and_round_trip(periods: list[CareerPeriod], min_days: int) -> None:
    records = CareerRecords(NISS, periods)
    timeline = build_timeline(records.periods, as_of=AS_OF)
    window = Period(date(2023, 12, 1), AS_OF)
    gaps = timeline.gaps(window, min_days=min_days, provisional_quarters=1)
    worker = career_records_element(records)
    timeline_sections(worker, records, timeline, gaps, window=window, min_days=min_days)
    document = etree.Element(
        CAREER_RECORDS.tag("careerRecords"), nsmap={None: CAREER_RECORDS.namespace}
    )
    document.append(worker)
    data = etree.tostring(document)
    tree = parse_document(data)
    CAREER_RECORDS.schema().assertValid(tree)
    element = tree.getroot()[0]
    decoded = career_records_from_element(element, "t.xml", "$.workers[0]")
    assert decoded == records
    sections = timeline_sections_from_element(element, decoded, file="t.xml")
    assert sections.as_of == AS_OF
    assert sections.segments == timeline.segments
    assert sections.gaps == gaps
    assert (sections.window, sections.min_days) == (window, min_days)


def test_a_source_foreign_to_the_worker_is_refused() -> None:
    own = CareerPeriod(NISS, PeriodKind.TRAINING, Period(date(2024, 1, 1), date(2024, 1, 2)))
    stranger = CareerPeriod(NISS, PeriodKind.SICKNESS, Period(date(2024, 1, 1), date(2024, 1, 5)))
    records = CareerRecords(NISS, [own])
    timeline = build_timeline([own, stranger], as_of=AS_OF)
    with pytest.raises(InvalidValueError, match="not a period of worker"):
        timeline_sections(career_records_element(records), records, timeline)


def test_bad_section_values_are_all_reported_with_their_line() -> None:
    ns = CAREER_RECORDS.namespace
    data = (
        f'<careerRecords xmlns="{ns}">\n<worker niss="{NISS.value}">\n'
        '<period kind="training" start="2024-01-01" end="2024-01-02"/>\n'
        '<timeline asOf="2024-06-30">\n'
        '<segment start="2024-01-01" end="2024-01-02" kind="training" kinds="training" '
        'fte="0" sources="3"/>\n'
        '<segment start="2024-01-01" end="2024-01-02" kind="training" kinds="training" '
        'fte="0" employers="nope" sources="0"/>\n'
        "</timeline>\n</worker>\n</careerRecords>"
    ).encode()
    element = parse_document(data).getroot()[0]
    records = career_records_from_element(element, "bad.xml", "$.workers[0]")
    with pytest.raises(MycareerErrorGroup) as caught:
        timeline_sections_from_element(element, records, file="bad.xml")
    problems = [str(e) for e in caught.value.exceptions]
    assert len(problems) == 2
    assert problems[0].startswith("bad.xml:5:")
    assert "point past the 1 period" in problems[0]
    assert problems[1].startswith("bad.xml:6:")
    assert "unknown employer ref 'nope'" in problems[1]
