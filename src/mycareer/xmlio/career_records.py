"""The career-records XML format (``urn:mycareer:career-records:1``).

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

import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Final, Literal

import attrs
from lxml import etree

from mycareer._slots import slot_constructor
from mycareer.career import CareerPeriod, CareerRecords
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    ErrorCollector,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.findings import Finding, Severity
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import ONE_DAY, Period
from mycareer.timeline import Gap, Timeline, TimelineSegment
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio._safe import TARGET_AMPERSAND, XmlSource
from mycareer.xmlio.formats import (
    NEEDS_ESCAPE,
    DocumentWriter,
    ReadResult,
    XmlFormat,
    XmlSink,
    check_xml_text,
    iter_decoded,
    open_writer,
    read_decoded,
    register_format,
    xml_attribute,
)

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

#: The career-records format, version 1.
CAREER_RECORDS: Final = register_format(
    XmlFormat(
        name="career-records",
        version=1,
        root="careerRecords",
        record="worker",
        xsd="career-records-1.xsd",
        record_path="$.workers",
    )
)

_NS: Final = CAREER_RECORDS.namespace
_WORKER: Final = CAREER_RECORDS.tag("worker")
_EMPLOYER: Final = CAREER_RECORDS.tag("employer")
_PERIOD: Final = CAREER_RECORDS.tag("period")
_SOURCE: Final = CAREER_RECORDS.tag("source")
_FINDINGS: Final = CAREER_RECORDS.tag("findings")
_FINDING: Final = CAREER_RECORDS.tag("finding")

#: Optional ``<worker>`` sections after the periods, in schema order. This
#: reader skips them (they are derived results); add a section's local name
#: here when the XSD gains it, and read it from the worker element.
WORKER_SECTIONS: Final[tuple[str, ...]] = ("timeline", "gaps", "findings")
_SECTION_TAGS: Final = frozenset(CAREER_RECORDS.tag(local) for local in WORKER_SECTIONS)

_KINDS: Final = {kind.value: kind for kind in PeriodKind}
_SEVERITIES: Final = {severity.value: severity for severity in Severity}
_BOOLEANS: Final = {"true": True, "1": True, "false": False, "0": False}
_FRACTION_TEXT: Final = re.compile(r"(0|[1-9][0-9]*)(/[1-9][0-9]*)?")

# Parsed values shared across documents: all are immutable and validated, and
# real files repeat the same dates, fractions, committees and employers.
_CACHE_LIMIT: Final = 20_000
_dates: dict[str, date] = {}
_fractions: dict[str, WorkFraction] = {}
_committees: dict[str, JointCommission] = {}
_employers: dict[tuple[str | None, str | None, str | None], Employer] = {}
# The same population comes back in every quarter's documents, and checking a
# NISS with stdnum costs more than reading ten periods.
_nisses: dict[str, Niss] = {}


# --- writing ----------------------------------------------------------------------


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
    """Free text for an attribute: refused if XML cannot carry it, noted if it needs escaping."""
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
            enterprise = None if employer.enterprise is None else employer.enterprise.value
            nsso = None if employer.nsso is None else employer.nsso.value
            identity = (enterprise, nsso, employer.name)
            ref = refs.get(identity)
            if ref is None:
                ref = key = employer.key
                suffix = 1
                while ref in refs.values():
                    suffix += 1
                    ref = f"{key}-{suffix}"
                refs[identity] = ref
                employer_attrib = {"ref": ref}
                if enterprise is not None:
                    employer_attrib["enterprise"] = enterprise
                if nsso is not None:
                    employer_attrib["nsso"] = nsso
                if employer.name is not None:
                    employer_attrib["name"] = _text(
                        employer.name, f"{here}.employer.name", problems, escapes
                    )
                employers.append(employer_attrib)
            attrib["employer"] = ref
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


# --- reading ----------------------------------------------------------------------


def _located(error: InvalidValueError, path: str, file: str, line: int | None) -> InvalidValueError:
    error.path = path
    error.source = SourceRef(file, line)
    return error


def _date(text: str, what: str) -> date:
    found = _dates.get(text)
    if found is not None:
        return found
    try:
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError("expected YYYY-MM-DD")
        value = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidValueError(f"invalid {what} date {text!r}: {error}", path=f".{what}") from None
    if len(_dates) >= _CACHE_LIMIT:
        _dates.clear()
    _dates[text] = value
    return value


def _niss(text: str) -> Niss:
    value = Niss(text)
    if len(_nisses) >= _CACHE_LIMIT:
        _nisses.clear()
    _nisses[text] = value
    return value


def _fraction(text: str) -> WorkFraction:
    found = _fractions.get(text)
    if found is not None:
        return found
    if not _FRACTION_TEXT.fullmatch(text):
        raise InvalidValueError(
            f"invalid work fraction {text!r}: expected text such as '4/5'", path=".fraction"
        )
    value = WorkFraction.parse(text)
    if len(_fractions) >= _CACHE_LIMIT:
        _fractions.clear()
    _fractions[text] = value
    return value


def _committee(text: str) -> JointCommission:
    found = _committees.get(text)
    if found is None:
        try:
            found = JointCommission(text)  # refuses non-ASCII digits itself
        except InvalidValueError as error:
            error.path = ".jointCommittee"
            raise
        if len(_committees) >= _CACHE_LIMIT:
            _committees.clear()
        _committees[text] = found
    return found


def _employer(enterprise: str | None, nsso: str | None, name: str | None, path: str) -> Employer:
    identity = (enterprise, nsso, name)
    found = _employers.get(identity)
    if found is not None:
        return found
    problems: list[InvalidValueError] = []
    enterprise_number = nsso_number = None
    if enterprise is not None:
        try:
            enterprise_number = EnterpriseNumber(enterprise)
        except InvalidValueError as error:
            error.path = f"{path}.enterprise"
            problems.append(error)
    if nsso is not None:
        try:
            nsso_number = NssoNumber(nsso)
        except InvalidValueError as error:
            error.path = f"{path}.nsso"
            problems.append(error)
    if problems:
        raise MycareerErrorGroup("invalid employer", problems)
    found = Employer(enterprise_number, nsso_number, name)  # refuses neither number
    if len(_employers) >= _CACHE_LIMIT:
        _employers.clear()
    _employers[identity] = found
    return found


def source_from_element(element: etree._Element, file: str, path: str) -> SourceRef:
    """Read a ``<source>`` element back into a :class:`SourceRef`."""
    get = element.get
    line_text = get("line")
    line: int | None = None
    if line_text is not None:
        try:
            line = int(line_text)
        except ValueError:
            raise InvalidValueError(
                f"invalid source line {line_text!r}: expected an integer",
                path=f"{path}.line",
                source=SourceRef(file, element.sourceline),
            ) from None
    return SourceRef(get("file"), line, get("record"))


def finding_from_element(element: etree._Element, file: str, path: str) -> Finding:
    """Read a ``<finding>`` element back into a :class:`Finding`."""
    get = element.get
    where = SourceRef(file, element.sourceline)
    code, severity_text, message = get("code"), get("severity"), get("message")
    if code is None or severity_text is None or message is None:
        raise InvalidValueError(
            "a finding needs code, severity and message", path=path, source=where
        )
    severity = _SEVERITIES.get(severity_text)
    if severity is None:
        raise InvalidValueError(
            f"invalid severity {severity_text!r}: expected info, warning or error",
            path=f"{path}.severity",
            source=where,
        )
    source = None
    source_tag = f"{{{etree.QName(element).namespace}}}source"
    for child in element:
        if child.tag == source_tag:
            source = source_from_element(child, file, f"{path}.source")
    return Finding(code, severity, message, source)


def findings_from_element(element: etree._Element, file: str, path: str) -> tuple[Finding, ...]:
    """Read a ``<findings>`` section back into findings."""
    return tuple(
        finding_from_element(child, file, f"{path}[{index}]") for index, child in enumerate(element)
    )


def _unexpected(element: etree._Element, file: str, path: str) -> InvalidValueError:
    return InvalidValueError(
        f"unexpected element <{etree.QName(element).localname}> in <worker>",
        path=path,
        source=SourceRef(file, element.sourceline),
    )


def _unknown_attributes(
    element: etree._Element, known: tuple[str, ...], file: str, path: str
) -> InvalidValueError:
    unknown = sorted(str(key) for key in element.attrib if key not in known)
    return InvalidValueError(
        f"unknown attribute(s) {unknown} on <{etree.QName(element).localname}>",
        path=path,
        source=SourceRef(file, element.sourceline),
    )


_WORKER_ATTRIBUTES: Final = ("niss", "name")
_EMPLOYER_ATTRIBUTES: Final = ("ref", "enterprise", "nsso", "name")
_PERIOD_ATTRIBUTES: Final = (
    "kind",
    "start",
    "end",
    "employer",
    "fraction",
    "jointCommittee",
    "label",
    "provisional",
)


def career_records_from_element(element: etree._Element, file: str, path: str) -> CareerRecords:
    """Decode one ``<worker>`` element; every bad value is reported with file, line and path.

    Raises a :class:`MycareerErrorGroup` listing each problem of the worker.
    """
    problems: list[InvalidValueError] = []
    get = element.get
    niss_text = get("niss")
    name = get("name")
    line = element.sourceline
    niss: Niss | None = None
    if niss_text is None:
        problems.append(
            InvalidValueError("a worker needs a niss", path=path, source=SourceRef(file, line))
        )
    else:
        try:
            niss = _nisses.get(niss_text) or _niss(niss_text)
        except InvalidValueError as error:
            problems.append(_located(error, f"{path}.niss", file, line))
    if len(element.attrib) > (niss_text is not None) + (name is not None):
        problems.append(_unknown_attributes(element, _WORKER_ATTRIBUTES, file, path))

    employers: dict[str, Employer] = {}
    periods: list[CareerPeriod] = []
    employer_index = period_index = 0
    kinds, dates, committees, fractions = _KINDS, _dates, _committees, _fractions
    for child in element:
        tag = child.tag
        if tag == _PERIOD:
            # Hot path: errors carry paths relative to the period, completed below.
            index = period_index
            period_index += 1
            attributes = child.attrib
            get = attributes.get
            kind_text, start_text, end_text = get("kind"), get("start"), get("end")
            ref, fraction_text = get("employer"), get("fraction")
            committee_text, label = get("jointCommittee"), get("label")
            provisional_text = get("provisional")
            try:
                present = 2
                kind = kinds.get(kind_text) if kind_text is not None else None
                if kind is None:
                    raise InvalidValueError(
                        "a period needs a kind"
                        if kind_text is None
                        else f"invalid period kind {kind_text!r}: expected one of "
                        + ", ".join(_KINDS),
                        path=".kind",
                    )
                if start_text is None:
                    raise InvalidValueError("a period needs a start", path=".start")
                start = dates.get(start_text) or _date(start_text, "start")
                if end_text is None:
                    end = None
                else:
                    end = dates.get(end_text) or _date(end_text, "end")
                    present += 1
                try:
                    span = Period(start, end)
                except InvalidValueError as error:
                    error.path = ".end"
                    raise
                employer = None
                if ref is not None:
                    present += 1
                    employer = employers.get(ref)
                    if employer is None:
                        raise InvalidValueError(
                            f"period refers to employer {ref!r}, which this worker does not "
                            "declare (before its periods)",
                            path=".employer",
                        )
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
                    found = _BOOLEANS.get(provisional_text)
                    if found is None:
                        raise InvalidValueError(
                            f"invalid provisional flag {provisional_text!r}: "
                            "expected true or false",
                            path=".provisional",
                        )
                    provisional = found
                if label is not None:
                    present += 1
                if len(attributes) != present:
                    raise _unknown_attributes(child, _PERIOD_ATTRIBUTES, file, "")
                source = None
                if len(child):
                    for grandchild in child:
                        if grandchild.tag != _SOURCE:
                            raise _unexpected(grandchild, file, ".source")
                        source_get = grandchild.get
                        line_text = source_get("line")
                        try:
                            source_line = None if line_text is None else int(line_text)
                        except ValueError:
                            raise InvalidValueError(
                                f"invalid source line {line_text!r}: expected an integer",
                                path=".source.line",
                                source=SourceRef(file, grandchild.sourceline),
                            ) from None
                        source = SourceRef(source_get("file"), source_line, source_get("record"))
                if niss is not None:
                    periods.append(
                        CareerPeriod(
                            niss,
                            kind,
                            span,
                            employer,
                            fraction,
                            committee,
                            label,
                            provisional,
                            source,
                        )
                    )
            except InvalidValueError as error:
                if error.source is None:
                    error.source = SourceRef(file, child.sourceline)
                error.path = f"{path}.periods[{index}]{error.path or ''}"
                problems.append(error)
        elif tag == _EMPLOYER:
            here = f"{path}.employers[{employer_index}]"
            employer_index += 1
            get = child.get
            ref, enterprise, nsso = get("ref"), get("enterprise"), get("nsso")
            employer_name = get("name")
            line = child.sourceline
            try:
                if ref is None:
                    raise InvalidValueError("an employer needs a ref", path=here)
                if ref in employers:
                    raise InvalidValueError(
                        f"employer ref {ref!r} is declared twice", path=f"{here}.ref"
                    )
                present = 1 + sum(value is not None for value in (enterprise, nsso, employer_name))
                if len(child.attrib) != present:
                    raise _unknown_attributes(child, _EMPLOYER_ATTRIBUTES, file, here)
                employers[ref] = _employer(enterprise, nsso, employer_name, here)
            except InvalidValueError as error:
                problems.append(_located(error, error.path or here, file, line))
            except MycareerErrorGroup as group:
                for inner in group.exceptions:
                    if isinstance(inner, InvalidValueError):
                        problems.append(_located(inner, inner.path or here, file, line))
        elif tag in _SECTION_TAGS:
            continue
        elif isinstance(tag, str):
            problems.append(_unexpected(child, file, f"{path}.{etree.QName(child).localname}"))
    if problems:
        raise MycareerErrorGroup(
            f"invalid worker {niss_text!r} at {file}:{element.sourceline}", problems
        )
    assert niss is not None  # a missing or bad NISS is a problem above
    return CareerRecords(niss, periods, name)


# Period is a slotted attrs class; the fast reader writes its two slots directly
# once it has checked the dates itself (as timeline._merge does for its results).
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
