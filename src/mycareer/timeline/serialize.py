"""Timelines as JSON-ready data: the ``timeline-1`` contract (``mycareer schema timeline``).

:func:`timeline_to_json` gives one worker's object (segments, gaps, findings);
:func:`timeline_document` the whole document ``mycareer timeline --format json``
writes. ``mycareer.to_json(timeline)`` is the same object as :func:`timeline_to_json`.
Quantities follow :mod:`mycareer.jsontext` (``fte`` a 4-place decimal, ``fte_exact``
the exact sum of the work fractions).

>>> from datetime import date
>>> from mycareer import CareerPeriod, Employer, EnterpriseNumber, Niss, Period, PeriodKind
>>> from mycareer.timeline import build_timeline
>>> job = CareerPeriod(Niss("85073003328"), PeriodKind.EMPLOYMENT,
...     Period(date(2024, 1, 1), None), Employer(EnterpriseNumber("0403019261")), "4/5")
>>> data = timeline_to_json(build_timeline([job], as_of=date(2024, 3, 31)))
>>> data["niss"], data["segments"][0]["fte"], data["segments"][0]["fte_exact"]
('85073003328', '0.8000', '4/5')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from typing import Any, Final

from mycareer.career import CareerPeriod
from mycareer.converter import converter
from mycareer.findings import Finding
from mycareer.jsontext import errors_to_json, finding_to_json, quantity
from mycareer.kinds import PeriodKind
from mycareer.timeline._gaps import Gap
from mycareer.timeline._labelled import Timeline, TimelineSegment

__all__ = ["TIMELINE_SCHEMA_VERSION", "timeline_document", "timeline_to_json"]

#: Version of the JSON contract; bumped on any incompatible change.
TIMELINE_SCHEMA_VERSION: Final = "1"


#: Work fractions already spelt for one worker: value → (decimal, exact) (:func:`quantity`).
_Spelt = dict[Fraction, tuple[str | None, str | None]]
#: Each kind's value, looked up (an enum member's ``.value`` is a descriptor call).
_KIND_VALUES: Final = {kind: kind.value for kind in PeriodKind}


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _segment(s: TimelineSegment, fractions: _Spelt) -> dict[str, Any]:
    return {
        "start": s.period.start.isoformat(),
        "end": _iso(s.period.end),
        "days": s.days,
        "kind": _KIND_VALUES[s.kind],
        "kinds": [_KIND_VALUES[k] for k in s.kinds],
        "employers": [e.key for e in s.employers],
        **quantity("fte", s.fte),
        "fte_complete": s.fte_complete,
        "provisional": s.provisional,
        "suspended": [e.key for e in s.suspended],
        "sources": _sources(s.sources, fractions),
    }


def _sources(records: Iterable[CareerPeriod], fractions: _Spelt) -> list[dict[str, Any]]:
    """A segment's sources. Their work fractions repeat (a job declared quarter by quarter):
    each distinct one is spelt once per worker (``fractions``), by :func:`quantity`."""
    sources: list[dict[str, Any]] = []
    append = sources.append
    previous: Fraction | None = None  # the object last spelt: hashing a Fraction is slow
    texts: tuple[str | None, str | None] = (None, None)
    for r in records:
        fraction = r.fraction
        if fraction is None:
            decimal = exact = None
        else:
            value = fraction.value
            if value is not previous:
                found = fractions.get(value)
                if found is None:
                    spelt = quantity("fraction", value)
                    found = fractions[value] = (spelt["fraction"], spelt["fraction_exact"])
                texts, previous = found, value
            decimal, exact = texts
        period, employer, source = r.period, r.employer, r.source
        append({
            "kind": _KIND_VALUES[r.kind],
            "start": period.start.isoformat(),
            "end": _iso(period.end),
            "employer": employer.key if employer else None,
            "fraction": decimal,
            "fraction_exact": exact,
            "source": str(source) if source else None,
        })  # fmt: skip
    return sources


def _gap(g: Gap) -> dict[str, Any]:
    return {
        "start": g.period.start.isoformat(),
        "end": _iso(g.period.end),
        "days": g.days,
        "working_days": g.working_days,
        "provisional": g.provisional,
    }


def timeline_to_json(
    timeline: Timeline, gaps: Sequence[Gap] = (), *, name: str | None = None
) -> dict[str, Any]:
    """One worker's timeline (``$defs/worker`` of ``timeline-1``), with ``gaps`` if given."""
    fractions: _Spelt = {}  # what _sources spelt
    return {
        "niss": None if timeline.niss is None else timeline.niss.value,
        "name": name,
        "as_of": timeline.as_of.isoformat(),
        "segments": [_segment(s, fractions) for s in timeline.segments],
        "gaps": [_gap(g) for g in gaps],
        "findings": [finding_to_json(f) for f in timeline.findings],
    }


def timeline_document(
    workers: Iterable[dict[str, Any]],
    *,
    as_of: date | None,
    findings: Iterable[Finding] = (),
    errors: Iterable[BaseException] = (),
) -> dict[str, Any]:
    """The ``timeline-1`` document: workers from :func:`timeline_to_json`, run-wide
    findings, and every refused input with its file, line, record and path apart."""
    return {
        "schema_version": TIMELINE_SCHEMA_VERSION,
        "as_of": _iso(as_of),
        "workers": list(workers),
        "findings": [finding_to_json(f) for f in findings],
        "errors": [leaf for error in errors for leaf in errors_to_json(error)],
    }


# One shape per result: the generic converter writes a Timeline as documented.
converter.register_unstructure_hook(Timeline, timeline_to_json)
