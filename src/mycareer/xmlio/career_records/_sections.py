"""The ``<timeline>`` and ``<gaps>`` sections of a career-records ``<worker>``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

import attrs
from lxml import etree

from mycareer.career import CareerRecords
from mycareer.employer import Employer
from mycareer.errors import (
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.kinds import PeriodKind
from mycareer.limits import clip, shown
from mycareer.period import Period
from mycareer.timeline import Gap, Timeline, TimelineSegment
from mycareer.xmlio.career_records._values import (
    _BOOLEANS,
    _EMPLOYER,
    CAREER_RECORDS,
    _date,
    _fraction,
    _located,
)

# --- timeline sections (timeline issue) -------------------------------------------
#
# ``<timeline asOf=>`` holds one ``<segment>`` per labelled-timeline segment;
# ``sources`` lists the 0-based positions of the worker's ``<period>`` elements
# that made it, ``employers``/``suspended`` the refs of its ``<employer>``
# elements. ``<gaps windowStart= windowEnd= minDays=>`` holds one ``<gap>``
# per uncovered stretch, with calendar and Belgian working days.

_TIMELINE: Final = CAREER_RECORDS.tag("timeline")
_SEGMENT: Final = CAREER_RECORDS.tag("segment")
_GAPS: Final = CAREER_RECORDS.tag("gaps")
_GAP: Final = CAREER_RECORDS.tag("gap")


def _employer_identity(employer: Employer) -> tuple[str | None, str | None, str | None]:
    return (
        None if employer.enterprise is None else employer.enterprise.value,
        None if employer.nsso is None else employer.nsso.value,
        employer.name,
    )


def _employer_refs(worker: etree._Element) -> dict[tuple[str | None, str | None, str | None], str]:
    refs: dict[tuple[str | None, str | None, str | None], str] = {}
    for child in worker.iterchildren(_EMPLOYER):
        refs[(child.get("enterprise"), child.get("nsso"), child.get("name"))] = str(
            child.get("ref")
        )
    return refs


def timeline_sections(
    worker: etree._Element,
    records: CareerRecords,
    timeline: Timeline,
    gaps: Iterable[Gap] = (),
    *,
    window: Period | None = None,
    min_days: int = 1,
) -> None:
    """Append ``<timeline>`` (and ``<gaps>`` when ``window`` is given) to a ``<worker>``.

    ``worker`` is :func:`career_records_element` of ``records``, and
    ``timeline`` was built from ``records.periods`` (its segments' sources are
    written as positions among them). Call it before appending ``<findings>``.
    A source that is not one of ``records.periods`` raises
    :class:`~mycareer.errors.InvalidValueError`.
    """
    refs = _employer_refs(worker)
    positions: dict[int, int] = {}
    for index, period in enumerate(records.periods):
        positions.setdefault(id(period), index)
    section = etree.SubElement(worker, _TIMELINE, {"asOf": timeline.as_of.isoformat()})
    section.text = "\n"
    section.tail = "\n"
    for number, segment in enumerate(timeline.segments):
        sources = _source_positions(segment, number, records, positions)
        etree.SubElement(section, _SEGMENT, _segment_attributes(segment, refs, sources)).tail = "\n"
    if window is not None:
        _gaps_section(worker, gaps, window, timeline.as_of, min_days)


def _source_positions(
    segment: TimelineSegment, number: int, records: CareerRecords, positions: dict[int, int]
) -> list[str]:
    """Where each source of a segment stands among the worker's periods (by identity first)."""
    sources = []
    for source in segment.sources:
        position = positions.get(id(source))
        if position is None:
            try:
                position = list(records.periods).index(source)
            except ValueError:
                raise InvalidValueError(
                    f"segment {segment.period} has a source that is not a period of "
                    f"worker {records.niss}",
                    path=f"$.timeline.segments[{number}].sources",
                ) from None
        sources.append(str(position))
    return sources


def _segment_attributes(
    segment: TimelineSegment,
    refs: dict[tuple[str | None, str | None, str | None], str],
    sources: list[str],
) -> dict[str, str]:
    end = segment.period.end
    assert end is not None  # timeline segments are resolved at as_of
    attrib = {
        "start": segment.period.start.isoformat(),
        "end": end.isoformat(),
        "kind": segment.kind.value,
        "kinds": " ".join(kind.value for kind in segment.kinds),
    }
    if segment.employers:
        attrib["employers"] = " ".join(refs[_employer_identity(e)] for e in segment.employers)
    attrib["fte"] = str(segment.fte)
    if not segment.fte_complete:
        attrib["fteComplete"] = "false"
    if segment.provisional:
        attrib["provisional"] = "true"
    if segment.suspended:
        attrib["suspended"] = " ".join(refs[_employer_identity(e)] for e in segment.suspended)
    attrib["sources"] = " ".join(sources)
    return attrib


def _gaps_section(
    worker: etree._Element, gaps: Iterable[Gap], window: Period, as_of: date, min_days: int
) -> None:
    window_end = window.end if window.end is not None else as_of
    holder = etree.SubElement(
        worker,
        _GAPS,
        {
            "windowStart": window.start.isoformat(),
            "windowEnd": window_end.isoformat(),
            "minDays": str(min_days),
        },
    )
    holder.text = "\n"
    holder.tail = "\n"
    for gap in gaps:
        gap_end = gap.period.end
        assert gap_end is not None  # gaps are always closed
        gap_attrib = {
            "start": gap.period.start.isoformat(),
            "end": gap_end.isoformat(),
            "days": str(gap.days),
            "workingDays": str(gap.working_days),
        }
        if gap.provisional:
            gap_attrib["provisional"] = "true"
        etree.SubElement(holder, _GAP, gap_attrib).tail = "\n"


@attrs.frozen
class TimelineSections:
    """The ``<timeline>`` and ``<gaps>`` sections of one worker, decoded."""

    as_of: date | None
    segments: tuple[TimelineSegment, ...]
    window: Period | None
    min_days: int
    gaps: tuple[Gap, ...]


@attrs.define
class _SectionReader:
    """Decodes one worker's sections, collecting every problem (with file, line and path)."""

    records: CareerRecords
    file: str
    employers: dict[str | None, etree._Element]
    by_identity: dict[tuple[str | None, str | None, str | None], Employer]
    problems: list[InvalidValueError] = attrs.field(factory=list)

    def employer_list(self, text: str | None, here: str, line: int | None) -> tuple[Employer, ...]:
        found: list[Employer] = []
        for ref in (text or "").split():
            child = self.employers.get(ref)
            identity = None if child is None else (
                child.get("enterprise"), child.get("nsso"), child.get("name")
            )  # fmt: skip
            employer = None if identity is None else self.by_identity.get(identity)
            if employer is None:
                self.problems.append(
                    InvalidValueError(
                        f"unknown employer ref {shown(ref)}",
                        path=here,
                        source=SourceRef(self.file, line),
                    )
                )
            else:
                found.append(employer)
        return tuple(found)

    def segment(self, element: etree._Element, here: str) -> TimelineSegment:
        get, line, periods = element.get, element.sourceline, self.records.periods
        positions = [int(p) for p in (get("sources") or "").split()]
        if any(p >= len(periods) for p in positions):
            raise InvalidValueError(
                f"segment sources {shown(get('sources'))} point past the "
                f"{len(periods)} period(s) of the worker",
                path=f"{here}.sources",
            )
        return TimelineSegment(
            period=Period(_date(str(get("start")), "start"), _date(str(get("end")), "end")),
            kind=PeriodKind(str(get("kind"))),
            kinds=tuple(PeriodKind(k) for k in (get("kinds") or "").split()),
            employers=self.employer_list(get("employers"), f"{here}.employers", line),
            fte=_fraction(str(get("fte"))).value,
            provisional=_BOOLEANS.get(get("provisional") or "false", False),
            sources=tuple(periods[p] for p in positions),
            suspended=self.employer_list(get("suspended"), f"{here}.suspended", line),
            fte_complete=_BOOLEANS.get(get("fteComplete") or "true", True),
        )

    def timeline(
        self, section: etree._Element, path: str
    ) -> tuple[date | None, list[TimelineSegment]]:
        as_of: date | None = None
        try:
            as_of = _date(str(section.get("asOf")), "asOf")
        except InvalidValueError as error:
            self.problems.append(
                _located(error, f"{path}.timeline.asOf", self.file, section.sourceline)
            )
        segments: list[TimelineSegment] = []
        for index, element in enumerate(section.iterchildren(_SEGMENT)):
            here = f"{path}.timeline.segments[{index}]"
            line = element.sourceline
            try:
                segments.append(self.segment(element, here))
            except InvalidValueError as error:
                self.problems.append(_located(error, error.path or here, self.file, line))
            except ValueError as error:
                self.problems.append(
                    InvalidValueError(
                        clip(str(error)), path=here, source=SourceRef(self.file, line)
                    )
                )
        return as_of, segments

    def gaps(self, section: etree._Element, path: str) -> tuple[Period | None, int, list[Gap]]:
        window: Period | None = None
        min_days = 1
        try:
            window = Period(
                _date(str(section.get("windowStart")), "windowStart"),
                _date(str(section.get("windowEnd")), "windowEnd"),
            )
            min_days = int(section.get("minDays") or "1")
        except (InvalidValueError, ValueError) as error:
            self.problems.append(
                InvalidValueError(
                    clip(str(error)),
                    path=f"{path}.gaps",
                    source=SourceRef(self.file, section.sourceline),
                )
            )
        found: list[Gap] = []
        for index, element in enumerate(section.iterchildren(_GAP)):
            get = element.get
            try:
                found.append(
                    Gap(
                        period=Period(
                            _date(str(get("start")), "start"), _date(str(get("end")), "end")
                        ),
                        days=int(str(get("days"))),
                        working_days=int(str(get("workingDays"))),
                        provisional=_BOOLEANS.get(get("provisional") or "false", False),
                    )
                )
            except (InvalidValueError, ValueError) as error:
                self.problems.append(
                    InvalidValueError(
                        clip(str(error)),
                        path=f"{path}.gaps[{index}]",
                        source=SourceRef(self.file, element.sourceline),
                    )
                )
        return window, min_days, found


def timeline_sections_from_element(
    worker: etree._Element, records: CareerRecords, *, file: str = "<xml>", path: str = "$"
) -> TimelineSections:
    """Decode the ``<timeline>`` and ``<gaps>`` sections of a ``<worker>`` element.

    ``records`` is the same worker decoded by :func:`career_records_from_element`;
    segment sources and employers are resolved against it. Every bad value is
    reported, with file, line and path, in one :class:`MycareerErrorGroup`.
    """
    reader = _SectionReader(
        records,
        file,
        {child.get("ref"): child for child in worker.iterchildren(_EMPLOYER)},
        {
            _employer_identity(p.employer): p.employer
            for p in records.periods
            if p.employer is not None
        },
    )
    as_of: date | None = None
    segments: list[TimelineSegment] = []
    window: Period | None = None
    min_days = 1
    gaps: list[Gap] = []
    for section in worker:
        if section.tag == _TIMELINE:
            as_of, segments = reader.timeline(section, path)
        elif section.tag == _GAPS:
            window, min_days, gaps = reader.gaps(section, path)
    if reader.problems:
        raise MycareerErrorGroup(
            f"invalid timeline sections of worker {records.niss}", reader.problems
        )
    return TimelineSections(as_of, tuple(segments), window, min_days, tuple(gaps))
