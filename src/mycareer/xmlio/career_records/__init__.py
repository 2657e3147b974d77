"""The career-records XML format (``urn:mycareer:career-records:1``).

The package is split by job: ``_values`` (the format and the value decoders
both readers share), ``_checked`` (the element reader, which reports every
problem), ``_fast`` (a parser target for plain, valid workers), ``_writer``
and ``_sections`` (the ``<timeline>``/``<gaps>`` sections).

One document holds many workers. Each ``<worker niss=... name=...>`` declares its
employers once (``<employer ref=... enterprise=... nsso=... name=...>``) and
lists its periods, which refer to an employer by ``ref``::

    <careerRecords xmlns="urn:mycareer:career-records:1">
    <worker niss="90010100123" name="An Peeters">
    <employer ref="0403019261" enterprise="0403019261" nsso="100006"/>
    <period kind="employment" start="2023-02-15" employer="0403019261" fraction="4/5"
            jointCommittee="200"><source file="q1.xml" line="12"/></period>
    </worker>
    </careerRecords>

An absent ``end`` means the period is ongoing; ``fraction`` is exact text
(``"4/5"``); ``provisional="true"`` marks provisional periods; ``<source>``
keeps the provenance (file, line, record). The schema is
``schemas/career-records-1.xsd``; written documents always validate against it.

Extension point: ``<worker>`` ends with optional sections (``<findings>`` now;
the timeline issue adds ``<timeline>`` and ``<gaps>`` before it). Those sections
are written with ``write_worker(writer, records, sections=[...])`` (or appended
to :func:`career_records_element`) and read from the worker element given by
:func:`~mycareer.xmlio.formats.iter_record_elements`; this module's reader
skips the sections listed in :data:`WORKER_SECTIONS` and refuses anything else.

>>> from datetime import date
>>> from mycareer import CareerPeriod, CareerRecords, Niss, Period, PeriodKind, WorkFraction
>>> niss = Niss("90010100123")
>>> worker = CareerRecords(niss, [CareerPeriod(niss, PeriodKind.EMPLOYMENT,
...     Period(date(2024, 1, 1)), fraction=WorkFraction.parse("4/5"))])
>>> data = career_records_bytes([worker])
>>> print(data.decode())
<?xml version='1.0' encoding='UTF-8'?>
<careerRecords xmlns="urn:mycareer:career-records:1">
<worker niss="90010100123">
<period kind="employment" start="2024-01-01" fraction="4/5"></period>
</worker>
</careerRecords>
>>> read_career_records(data).records == (worker,)
True
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from mycareer.career import CareerRecords
from mycareer.errors import ErrorCollector
from mycareer.xmlio._safe import XmlSource
from mycareer.xmlio.career_records._checked import (
    career_records_from_element,
    finding_from_element,
    findings_from_element,
    source_from_element,
)
from mycareer.xmlio.career_records._fast import _fast_workers
from mycareer.xmlio.career_records._sections import (
    TimelineSections,
    timeline_sections,
    timeline_sections_from_element,
)
from mycareer.xmlio.career_records._values import (
    CAREER_RECORDS,
    WORKER_SECTIONS,
    _committees,
    _dates,
    _employers,
    _fractions,
    _nisses,
)
from mycareer.xmlio.career_records._writer import (
    career_records_bytes,
    career_records_element,
    finding_element,
    findings_element,
    source_element,
    write_career_records,
    write_worker,
)
from mycareer.xmlio.formats import ReadResult, iter_decoded, read_decoded

__all__ = [
    "CAREER_RECORDS",
    "WORKER_SECTIONS",
    "TimelineSections",
    "career_records_bytes",
    "career_records_element",
    "career_records_from_element",
    "finding_element",
    "finding_from_element",
    "findings_element",
    "findings_from_element",
    "iter_career_records",
    "read_career_records",
    "source_element",
    "source_from_element",
    "timeline_sections",
    "timeline_sections_from_element",
    "write_career_records",
    "write_worker",
]

# The benchmark clears these caches to time a cold start.
_CACHES = (_dates, _fractions, _committees, _employers, _nisses)


def iter_career_records(
    source: XmlSource, *, name: str | None = None, errors: ErrorCollector | None = None
) -> Iterator[CareerRecords]:
    """Stream the workers of a career-records document (memory stays flat).

    A bad worker is skipped and its problems (each with file, line and path)
    go to ``errors``; without a collector the first bad worker raises its
    :class:`MycareerErrorGroup`. Unsafe, malformed or truncated documents and a
    wrong root element or namespace raise :class:`~mycareer.errors.InputError`.

    >>> from mycareer import CareerRecords, Niss
    >>> data = career_records_bytes([CareerRecords(Niss("90010100123"))])
    >>> [str(worker.niss) for worker in iter_career_records(data)]
    ['90010100123']
    """
    return iter_decoded(
        source,
        CAREER_RECORDS,
        career_records_from_element,
        name=name,
        errors=errors,
        fast=_fast_workers,
    )


def read_career_records(
    source: XmlSource,
    *,
    name: str | None = None,
    on_error: Literal["raise", "collect"] = "raise",
) -> ReadResult[CareerRecords]:
    """Read a whole career-records document: the good workers and every problem.

    ``on_error="raise"`` raises one :class:`MycareerErrorGroup` listing every
    problem of every bad worker; ``"collect"`` returns the good workers with
    the problems in ``errors``.

    >>> ns = "urn:mycareer:career-records:1"
    >>> doc = (f'<careerRecords xmlns="{ns}">\\n<worker niss="90010100123"/>\\n'
    ...        f'<worker niss="90010100124"/>\\n</careerRecords>').encode()
    >>> result = read_career_records(doc, name="w.xml", on_error="collect")
    >>> [str(w.niss) for w in result.records]
    ['90010100123']
    >>> for problem in result.errors:
    ...     print(problem)
    w.xml:3: invalid NISS '90010100124': The number's checksum ... @ $.workers[1].niss
    """
    return read_decoded(
        source,
        CAREER_RECORDS,
        career_records_from_element,
        name=name,
        on_error=on_error,
        fast=_fast_workers,
    )
