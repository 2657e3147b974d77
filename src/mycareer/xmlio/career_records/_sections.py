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
        etree.SubElement(section, _SEGMENT, attrib).tail = "\n"
    if window is None:
        return
    window_end = window.end if window.end is not None else timeline.as_of
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


def timeline_sections_from_element(
    worker: etree._Element, records: CareerRecords, *, file: str = "<xml>", path: str = "$"
) -> TimelineSections:
    """Decode the ``<timeline>`` and ``<gaps>`` sections of a ``<worker>`` element.

    ``records`` is the same worker decoded by :func:`career_records_from_element`;
    segment sources and employers are resolved against it. Every bad value is
    reported, with file, line and path, in one :class:`MycareerErrorGroup`.
    """
    problems: list[InvalidValueError] = []
    employers = {child.get("ref"): child for child in worker.iterchildren(_EMPLOYER)}
    by_identity = {
        _employer_identity(p.employer): p.employer
        for p in records.periods
        if p.employer is not None
    }

    def employer_list(text: str | None, here: str, line: int | None) -> tuple[Employer, ...]:
        found: list[Employer] = []
        for ref in (text or "").split():
            child = employers.get(ref)
            employer = (
                None
                if child is None
                else by_identity.get(
                    (child.get("enterprise"), child.get("nsso"), child.get("name"))
                )
            )
            if employer is None:
                problems.append(
                    InvalidValueError(
                        f"unknown employer ref {ref!r}", path=here, source=SourceRef(file, line)
                    )
                )
            else:
                found.append(employer)
        return tuple(found)

    as_of: date | None = None
    segments: list[TimelineSegment] = []
    window: Period | None = None
    min_days = 1
    found_gaps: list[Gap] = []
    for section in worker:
        if section.tag == _TIMELINE:
            try:
                as_of = _date(str(section.get("asOf")), "asOf")
            except InvalidValueError as error:
                problems.append(_located(error, f"{path}.timeline.asOf", file, section.sourceline))
            for index, element in enumerate(section.iterchildren(_SEGMENT)):
                here = f"{path}.timeline.segments[{index}]"
                line = element.sourceline
                get = element.get
                try:
                    positions = [int(p) for p in (get("sources") or "").split()]
                    if any(p >= len(records.periods) for p in positions):
                        raise InvalidValueError(
                            f"segment sources {get('sources')!r} point past the "
                            f"{len(records.periods)} period(s) of the worker",
                            path=f"{here}.sources",
                        )
                    segments.append(
                        TimelineSegment(
                            period=Period(
                                _date(str(get("start")), "start"), _date(str(get("end")), "end")
                            ),
                            kind=PeriodKind(str(get("kind"))),
                            kinds=tuple(PeriodKind(k) for k in (get("kinds") or "").split()),
                            employers=employer_list(get("employers"), f"{here}.employers", line),
                            fte=_fraction(str(get("fte"))).value,
                            provisional=_BOOLEANS.get(get("provisional") or "false", False),
                            sources=tuple(records.periods[p] for p in positions),
                            suspended=employer_list(get("suspended"), f"{here}.suspended", line),
                            fte_complete=_BOOLEANS.get(get("fteComplete") or "true", True),
                        )
                    )
                except InvalidValueError as error:
                    problems.append(_located(error, error.path or here, file, line))
                except ValueError as error:
                    problems.append(
                        InvalidValueError(str(error), path=here, source=SourceRef(file, line))
                    )
        elif section.tag == _GAPS:
            line = section.sourceline
            try:
                window = Period(
                    _date(str(section.get("windowStart")), "windowStart"),
                    _date(str(section.get("windowEnd")), "windowEnd"),
                )
                min_days = int(section.get("minDays") or "1")
            except (InvalidValueError, ValueError) as error:
                problems.append(
                    InvalidValueError(str(error), path=f"{path}.gaps", source=SourceRef(file, line))
                )
            for index, element in enumerate(section.iterchildren(_GAP)):
                get = element.get
                try:
                    found_gaps.append(
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
                    problems.append(
                        InvalidValueError(
                            str(error),
                            path=f"{path}.gaps[{index}]",
                            source=SourceRef(file, element.sourceline),
                        )
                    )
    if problems:
        raise MycareerErrorGroup(f"invalid timeline sections of worker {records.niss}", problems)
    return TimelineSections(as_of, tuple(segments), window, min_days, tuple(found_gaps))
