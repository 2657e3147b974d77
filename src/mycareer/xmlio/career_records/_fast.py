"""The fast career-records reader: an lxml parser target for plain, valid workers (hot path)."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.employer import Employer
from mycareer.errors import (
    SourceRef,
)
from mycareer.limits import check_text
from mycareer.niss import Niss
from mycareer.xmlio._safe import TARGET_AMPERSAND
from mycareer.xmlio.career_records._values import (
    _EMPLOYER,
    _PERIOD,
    _SOURCE,
    _WORKER,
    CAREER_RECORDS,
    _employer,
    _niss,
    _nisses,
    decode_period,
    decode_source,
)


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
    Both readers decode periods with the one decoder
    (:func:`~mycareer.xmlio.career_records._values.decode_period`), so both
    give equal records.
    Closures rather than methods: cell loads are cheaper than attribute loads
    on ``self``, and this runs twice per element.
    """
    records: list[CareerRecords] = []
    depth = 0
    niss: Niss | None = None
    name: str | None = None
    employers: dict[str, Employer] = {}
    periods: list[CareerPeriod] = []
    # The period being read: decoded at its end, once its <source> (if any) is known.
    pending: dict[str, str] | None = None
    source: SourceRef | None = None
    period_tag, source_tag, employer_tag, worker_tag = _PERIOD, _SOURCE, _EMPLOYER, _WORKER
    root_tag = CAREER_RECORDS.root_tag
    period_of, source_of = decode_period, decode_source
    ampersand = TARGET_AMPERSAND

    def start(tag: str, attrib: dict[str, str]) -> None:
        nonlocal depth, niss, name, employers, periods, pending, source
        depth += 1
        if depth == 3 and tag == period_tag:
            pending = attrib
            source = None
        elif depth == 4:
            if tag != source_tag or pending is None or source is not None:
                raise _Unhandled(tag)
            source = source_of(attrib, ampersand)
        elif depth == 3 and tag == employer_tag:
            pending = None
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
            if name is not None:
                name = _worker_name(name, ampersand)
            niss = _nisses.get(niss_text) or _niss(niss_text)
            employers = {}
            periods = []
        elif depth != 1 or tag != root_tag:
            raise _Unhandled(tag)

    def end(tag: str) -> None:
        nonlocal depth, pending
        if depth == 3 and pending is not None:
            assert niss is not None
            periods.append(period_of(niss, pending, employers, source, ampersand))
            pending = None
        elif depth == 2:
            assert niss is not None
            records.append(CareerRecords(niss, periods, name))
        depth -= 1

    return _Target(start, end, records)


def _worker_name(name: str, ampersand: str) -> str:
    """The name as written (``&`` restored); too long, it raises and the element reader reports."""
    if "&" in name:
        name = name.replace(ampersand, "&")
    return check_text(name, "worker name")


class _Unhandled(Exception):
    """Something only the element reader handles (or reports)."""
