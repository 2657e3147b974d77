"""The fast career-records reader: an lxml parser target for plain, valid workers (hot path)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import attrs

from mycareer._slots import slot_constructor
from mycareer.career import CareerPeriod, CareerRecords
from mycareer.employer import Employer
from mycareer.errors import (
    SourceRef,
)
from mycareer.niss import Niss
from mycareer.period import ONE_DAY, Period
from mycareer.xmlio._safe import TARGET_AMPERSAND
from mycareer.xmlio.career_records._values import (
    _BOOLEANS,
    _EMPLOYER,
    _KINDS,
    _PERIOD,
    _SOURCE,
    _WORKER,
    CAREER_RECORDS,
    _committee,
    _committees,
    _date,
    _dates,
    _employer,
    _fraction,
    _fractions,
    _niss,
    _nisses,
)

_new = object.__new__
_set_start = Period.__dict__["start"].__set__
_set_stop = Period.__dict__["stop"].__set__
_new_career_period = slot_constructor(CareerPeriod)  # every field, positionally
_new_source_ref = slot_constructor(SourceRef)
_set_source = CareerPeriod.__dict__["source"].__set__


@attrs.define(slots=True)
class _Target:
    """An lxml parser target made of closures (see :func:`_fast_workers`)."""

    start: Callable[[str, dict[str, str]], None]
    end: Callable[[str], None]
    records: list[CareerRecords]

    def close(self) -> None:
        return None


def _fast_workers() -> _Target:
    """A parser target decoding plain, valid workers without building elements (hot path).

    It accepts exactly what :func:`career_records_from_element` accepts without
    a problem, for workers holding only employers and periods (each period with
    at most one ``<source>``); on anything else (a section, an unexpected
    element, a bad value) it raises, and the element reader re-reads the
    document from there and reports (:func:`~mycareer.xmlio.formats.iter_decoded`).
    The same helpers and caches check every value, so both give equal records.
    Closures rather than methods: cell loads are cheaper than attribute loads
    on ``self``, and this runs twice per element.
    """
    records: list[CareerRecords] = []
    depth = 0
    niss: Niss | None = None
    name: str | None = None
    employers: dict[str, Employer] = {}
    periods: list[CareerPeriod] = []
    # The period being read, already in ``periods``; its source comes with <source>.
    period: CareerPeriod | None = None
    kinds, dates, fractions, committees = _KINDS, _dates, _fractions, _committees
    booleans = _BOOLEANS
    new, set_start, set_stop, one_day, last_day = _new, _set_start, _set_stop, ONE_DAY, date.max
    period_tag, source_tag, employer_tag, worker_tag = _PERIOD, _SOURCE, _EMPLOYER, _WORKER
    root_tag = CAREER_RECORDS.root_tag
    career_period, source_ref = _new_career_period, _new_source_ref
    set_source = _set_source
    ampersand = TARGET_AMPERSAND

    def start(tag: str, attrib: dict[str, str]) -> None:
        nonlocal depth, niss, name, employers, periods, period
        depth += 1
        if depth == 3 and tag == period_tag:
            get = attrib.get
            kind_text, start_text, end_text = attrib["kind"], attrib["start"], get("end")
            ref, fraction_text = get("employer"), get("fraction")
            committee_text, label = get("jointCommittee"), get("label")
            provisional_text = get("provisional")
            present = 2
            kind = kinds[kind_text]
            first = dates.get(start_text) or _date(start_text, "start")
            span = new(Period)
            set_start(span, first)
            if end_text is None:
                set_stop(span, None)
            else:
                present += 1
                last = dates.get(end_text) or _date(end_text, "end")
                if last < first or last == last_day:
                    raise _Unhandled("end")  # the element reader reports it (or maps date.max)
                set_stop(span, last + one_day)
            employer = None
            if ref is not None:
                present += 1
                employer = employers[ref]
            fraction = None
            if fraction_text is not None:
                present += 1
                fraction = fractions.get(fraction_text) or _fraction(fraction_text)
            committee = None
            if committee_text is not None:
                present += 1
                committee = committees.get(committee_text) or _committee(committee_text)
            provisional = False
            if provisional_text is not None:
                present += 1
                provisional = booleans[provisional_text]
            if label is not None:
                present += 1
                if "&" in label:
                    label = label.replace(ampersand, "&")
            if len(attrib) != present:
                raise _Unhandled("period attributes")
            period = career_period(
                niss, kind, span, employer, fraction, committee, label, provisional, None
            )
            periods.append(period)
        elif depth == 4:
            if tag != source_tag or period is None or period.source is not None:
                raise _Unhandled(tag)
            get = attrib.get
            file, line_text, record = get("file"), get("line"), get("record")
            if file is not None and "&" in file:
                file = file.replace(ampersand, "&")
            if record is not None and "&" in record:
                record = record.replace(ampersand, "&")
            # The period is not published before the worker ends: fill its source slot.
            set_source(
                period, source_ref(file, None if line_text is None else int(line_text), record)
            )
        elif depth == 3 and tag == employer_tag:
            period = None
            get = attrib.get
            ref, enterprise, nsso = attrib["ref"], get("enterprise"), get("nsso")
            employer_name = get("name")
            present = 1 + (enterprise is not None) + (nsso is not None)
            present += employer_name is not None
            if ref in employers or len(attrib) != present:
                raise _Unhandled("employer")
            if employer_name is not None and "&" in employer_name:
                employer_name = employer_name.replace(ampersand, "&")
            employers[ref] = _employer(enterprise, nsso, employer_name, "")
        elif depth == 2 and tag == worker_tag:
            niss_text = attrib["niss"]
            name = attrib.get("name")
            if len(attrib) != 1 + (name is not None):
                raise _Unhandled("worker attributes")
            if name is not None and "&" in name:
                name = name.replace(ampersand, "&")
            niss = _nisses.get(niss_text) or _niss(niss_text)
            employers = {}
            periods = []
        elif depth != 1 or tag != root_tag:
            raise _Unhandled(tag)

    def end(tag: str) -> None:
        nonlocal depth
        if depth == 2:
            assert niss is not None
            records.append(CareerRecords(niss, periods, name))
        depth -= 1

    return _Target(start, end, records)


class _Unhandled(Exception):
    """Something only the element reader handles (or reports)."""
