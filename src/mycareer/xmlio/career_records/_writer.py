"""Writing career records: markup rendered directly (streaming) or as lxml trees."""

from __future__ import annotations

import io
from collections.abc import Iterable

from lxml import etree

from mycareer.career import CareerRecords
from mycareer.employer import Employer
from mycareer.errors import (
    ErrorCollector,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.findings import Finding
from mycareer.limits import MAX_TEXT_CHARS, check_text
from mycareer.period import ONE_DAY
from mycareer.xmlio.career_records._values import (
    _EMPLOYER,
    _NS,
    _PERIOD,
    _SOURCE,
    _WORKER,
    CAREER_RECORDS,
)
from mycareer.xmlio.formats import (
    NEEDS_ESCAPE,
    DocumentWriter,
    XmlFormat,
    XmlSink,
    check_xml_text,
    open_writer,
    xml_attribute,
)


def source_element(tag: str, source: SourceRef) -> etree._Element:
    """``<source file= line= record=>`` (``tag`` is the qualified tag of the format)."""
    attrib: dict[str, str] = {}
    if source.file is not None:
        attrib["file"] = source.file
    if source.line is not None:
        attrib["line"] = str(source.line)
    if source.record is not None:
        attrib["record"] = source.record
    return etree.Element(tag, attrib)


def finding_element(finding: Finding, *, fmt: XmlFormat = CAREER_RECORDS) -> etree._Element:
    """``<finding code= severity= message=>`` with an optional ``<source>``.

    >>> from mycareer.findings import Severity
    >>> print(etree.tostring(finding_element(Finding("X1", Severity.INFO, "note"))).decode())
    <finding xmlns="urn:mycareer:career-records:1" code="X1" severity="info" message="note"/>
    """
    element = etree.Element(
        fmt.tag("finding"),
        {"code": finding.code, "severity": finding.severity.value, "message": finding.message},
        nsmap={None: fmt.namespace},
    )
    if finding.source is not None:
        element.append(source_element(fmt.tag("source"), finding.source))
    return element


def findings_element(
    findings: Iterable[Finding], *, fmt: XmlFormat = CAREER_RECORDS
) -> etree._Element:
    """``<findings>`` holding one ``<finding>`` per finding (append it to a worker)."""
    element = etree.Element(fmt.tag("findings"), nsmap={None: fmt.namespace})
    element.extend(finding_element(finding, fmt=fmt) for finding in findings)
    return element


_Attributes = dict[str, str]


def _text(value: str, path: str, problems: list[InvalidValueError], escapes: list[str]) -> str:
    """Free text for an attribute: refused if XML cannot carry it, noted if it needs escaping.

    A text longer than MAX_TEXT_CHARS is refused too: the readers would refuse it.
    """
    if len(value) > MAX_TEXT_CHARS:
        try:
            check_text(value, "text", path=path)
        except InvalidValueError as error:
            problems.append(error)
    if NEEDS_ESCAPE.search(value) is not None:
        try:
            check_xml_text(value, path)
        except InvalidValueError as error:
            problems.append(error)
        escapes.append(path)
    return value


def _source_attributes(
    source: SourceRef, path: str, problems: list[InvalidValueError], escapes: list[str]
) -> _Attributes:
    attrib: _Attributes = {}
    if source.file is not None:
        attrib["file"] = _text(source.file, f"{path}.file", problems, escapes)
    if source.line is not None:
        attrib["line"] = str(source.line)
    if source.record is not None:
        attrib["record"] = _text(source.record, f"{path}.record", problems, escapes)
    return attrib


def _employer_ref(
    employer: Employer,
    refs: dict[tuple[str | None, str | None, str | None], str],
    employers: list[_Attributes],
    here: str,
    problems: list[InvalidValueError],
    escapes: list[str],
) -> str:
    """The worker-local ``ref`` of ``employer``, declaring it on first use (its key, suffixed)."""
    enterprise = None if employer.enterprise is None else employer.enterprise.value
    nsso = None if employer.nsso is None else employer.nsso.value
    identity = (enterprise, nsso, employer.name)
    ref = refs.get(identity)
    if ref is not None:
        return ref
    ref = key = employer.key
    suffix = 1
    while ref in refs.values():
        suffix += 1
        ref = f"{key}-{suffix}"
    refs[identity] = ref
    attrib = {"ref": ref}
    if enterprise is not None:
        attrib["enterprise"] = enterprise
    if nsso is not None:
        attrib["nsso"] = nsso
    if employer.name is not None:
        attrib["name"] = _text(employer.name, f"{here}.name", problems, escapes)
    employers.append(attrib)
    return ref


def _worker_parts(
    records: CareerRecords, path: str
) -> tuple[_Attributes, list[_Attributes], list[tuple[_Attributes, _Attributes | None]], bool]:
    """The attributes of a worker, its employers and its periods (one mapping, two writers).

    Everything is checked before anything is written, so a bad worker is
    reported whole and never leaves half an element in the document. The last
    item says whether every value can be written as it is (no escaping).
    """
    problems: list[InvalidValueError] = []
    escapes: list[str] = []
    niss = records.niss.value
    worker: _Attributes = {"niss": niss}
    if records.name is not None:
        worker["name"] = _text(records.name, f"{path}.name", problems, escapes)
    refs: dict[tuple[str | None, str | None, str | None], str] = {}
    employers: list[_Attributes] = []
    periods: list[tuple[_Attributes, _Attributes | None]] = []
    for index, period in enumerate(records.periods):
        here = f"{path}.periods[{index}]"
        if period.niss.value != niss:
            problems.append(
                InvalidValueError(
                    f"period of NISS {period.niss.value} listed under worker {niss}",
                    path=f"{here}.niss",
                )
            )
            continue
        span = period.period
        attrib = {"kind": period.kind.value, "start": span.start.isoformat()}
        stop = span.stop
        if stop is not None:
            attrib["end"] = (stop - ONE_DAY).isoformat()
        employer = period.employer
        if employer is not None:
            attrib["employer"] = _employer_ref(
                employer, refs, employers, f"{here}.employer", problems, escapes
            )
        if period.fraction is not None:
            attrib["fraction"] = str(period.fraction.value)
        committee = period.joint_commission
        if committee is not None:
            attrib["jointCommittee"] = committee.code
        if period.label is not None:
            attrib["label"] = _text(period.label, f"{here}.label", problems, escapes)
        if period.provisional:
            attrib["provisional"] = "true"
        source = period.source
        periods.append(
            (
                attrib,
                None
                if source is None
                else _source_attributes(source, f"{here}.source", problems, escapes),
            )
        )
    if problems:
        raise MycareerErrorGroup(f"cannot write worker {niss} ({path})", problems)
    return worker, employers, periods, not escapes


def _plain_attributes(attrib: _Attributes) -> str:
    return "".join([f' {key}="{value}"' for key, value in attrib.items()])


def _escaped_attributes(attrib: _Attributes) -> str:
    return "".join([f' {key}="{xml_attribute(value)}"' for key, value in attrib.items()])


def _worker_markup(records: CareerRecords, path: str, sections: Iterable[etree._Element]) -> str:
    """One ``<worker>`` as text, as lxml's ``xmlfile`` would write it (a line per child).

    Rendering the markup directly is about twice as fast as lxml's incremental
    writer for these small, flat records; every value is checked first
    (:func:`_worker_parts`) and free text is escaped by
    :func:`~mycareer.xmlio.formats.xml_attribute`.
    """
    attrib, employers, periods, plain = _worker_parts(records, path)
    attributes = _plain_attributes if plain else _escaped_attributes
    parts = ["<worker", attributes(attrib), ">\n"]
    append = parts.append
    for employer_attrib in employers:
        append(f"<employer{attributes(employer_attrib)}></employer>\n")
    for period_attrib, source_attrib in periods:
        if source_attrib is None:
            append(f"<period{attributes(period_attrib)}></period>\n")
        else:
            append(
                f"<period{attributes(period_attrib)}>"
                f"<source{attributes(source_attrib)}></source></period>\n"
            )
    for section in sections:
        append(etree.tostring(section, encoding="unicode", with_tail=False))
        append("\n")
    append("</worker>\n")
    return "".join(parts)


def career_records_element(records: CareerRecords, *, path: str = "$") -> etree._Element:
    """One worker's ``<worker>`` element, as a tree (for callers who add sections).

    Sections (``<findings>``, and later ``<timeline>``/``<gaps>``) may be
    appended after the periods. ``path`` names the worker in errors: a period
    of another NISS, or text XML cannot carry, raises a
    :class:`MycareerErrorGroup` listing every problem. Streaming writers should
    prefer :func:`write_worker`, which is faster.
    """
    attrib, employers, periods, _ = _worker_parts(records, path)
    worker = etree.Element(_WORKER, attrib, nsmap={None: _NS})
    worker.text = "\n"
    sub = etree.SubElement
    for employer_attrib in employers:
        sub(worker, _EMPLOYER, employer_attrib).tail = "\n"
    for period_attrib, source_attrib in periods:
        element = sub(worker, _PERIOD, period_attrib)
        element.tail = "\n"
        if source_attrib is not None:
            sub(element, _SOURCE, source_attrib)
    return worker


def write_worker(
    writer: DocumentWriter,
    records: CareerRecords,
    *,
    path: str = "$",
    sections: Iterable[etree._Element] = (),
) -> None:
    """Stream one ``<worker>`` into an open career-records document.

    ``sections`` are complete elements written after the periods, in schema
    order (``findings_element(...)``; the timeline issue adds its own): this
    is how later features extend a worker without rewriting this writer.
    Nothing is written when the worker is refused (:class:`MycareerErrorGroup`).

    >>> import io
    >>> from mycareer import CareerRecords, Finding, Niss, Severity
    >>> out = io.BytesIO()
    >>> with open_writer(out, CAREER_RECORDS) as writer:
    ...     write_worker(writer, CareerRecords(Niss("90010100123")),
    ...                  sections=[findings_element([Finding("X", Severity.INFO, "m")])])
    >>> print(out.getvalue().decode().splitlines()[3])
    <findings xmlns="urn:mycareer:career-records:1"><finding code="X" severity="info" ...
    """
    writer.write_markup(_worker_markup(records, path, sections))


def write_career_records(sink: XmlSink, workers: Iterable[CareerRecords]) -> None:
    """Write a career-records document to a path or a binary stream, streaming.

    Every worker that cannot be written is reported (one
    :class:`MycareerErrorGroup` at the end, listing every problem with its
    path); a path is then left untouched, and a stream holds a well-formed
    document without the refused workers.

    >>> import io
    >>> from mycareer import CareerRecords, Niss
    >>> out = io.BytesIO()
    >>> write_career_records(out, [CareerRecords(Niss("90010100123"), name="An")])
    >>> out.getvalue().splitlines()[2]
    b'<worker niss="90010100123" name="An">'
    """
    collector = ErrorCollector("$.workers", raise_on_exit=False)
    with open_writer(sink, CAREER_RECORDS) as writer:
        batch: list[str] = []
        for index, records in enumerate(workers):
            try:
                batch.append(_worker_markup(records, f"$.workers[{index}]", ()))
            except MycareerErrorGroup as group:
                for error in group.exceptions:
                    if isinstance(error, InvalidValueError):
                        collector.add(error)
            if len(batch) == 256:  # fewer, larger writes
                writer.write_markup("".join(batch))
                batch.clear()
        writer.write_markup("".join(batch))
        collector.raise_if_any("cannot write career records")


def career_records_bytes(workers: Iterable[CareerRecords]) -> bytes:
    """The career-records document for ``workers``, as UTF-8 bytes."""
    out = io.BytesIO()
    write_career_records(out, workers)
    return out.getvalue()
