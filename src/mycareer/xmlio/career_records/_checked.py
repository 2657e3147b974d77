"""The checked career-records reader: one ``<worker>`` element, every problem reported."""

from __future__ import annotations

from typing import Final

from lxml import etree

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.employer import Employer
from mycareer.errors import (
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.findings import Finding
from mycareer.limits import MAX_SHOWN_CHARS, check_text, shown
from mycareer.niss import Niss
from mycareer.xmlio.career_records._values import (
    _EMPLOYER,
    _PERIOD,
    _SECTION_TAGS,
    _SEVERITIES,
    _SOURCE,
    _employer,
    _located,
    _niss,
    _nisses,
    check_texts,
    decode_period,
    decode_source,
    unknown_attributes,
)


def source_from_element(element: etree._Element, file: str, path: str) -> SourceRef:
    """Read a ``<source>`` element back into a :class:`SourceRef`."""
    try:
        return decode_source(element.attrib)
    except InvalidValueError as error:
        raise _located(error, f"{path}{error.path}", file, element.sourceline) from None


def finding_from_element(element: etree._Element, file: str, path: str) -> Finding:
    """Read a ``<finding>`` element back into a :class:`Finding`."""
    get = element.get
    where = SourceRef(file, element.sourceline)
    code, severity_text, message = get("code"), get("severity"), get("message")
    if code is None or severity_text is None or message is None:
        raise InvalidValueError(
            "a finding needs code, severity and message", path=path, source=where
        )
    try:
        check_texts((code, "finding code", f"{path}.code"), (message, "message", f"{path}.message"))
    except InvalidValueError as error:
        error.source = where
        raise
    severity = _SEVERITIES.get(severity_text)
    if severity is None:
        raise InvalidValueError(
            f"invalid severity {shown(severity_text)}: expected info, warning or error",
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


def _cut(name: str) -> str:
    """An element name as written, cut to MAX_SHOWN_CHARS (libxml2 takes 50,000)."""
    return name if len(name) <= MAX_SHOWN_CHARS else f"{name[:MAX_SHOWN_CHARS]}…"


def _unexpected(element: etree._Element, file: str, path: str) -> InvalidValueError:
    return InvalidValueError(
        f"unexpected element <{_cut(etree.QName(element).localname)}> in <worker>",
        path=path,
        source=SourceRef(file, element.sourceline),
    )


def _unknown_attributes(
    element: etree._Element, known: tuple[str, ...], file: str, path: str
) -> InvalidValueError:
    error = unknown_attributes(element.attrib, known, etree.QName(element).localname, path)
    error.source = SourceRef(file, element.sourceline)
    return error


_WORKER_ATTRIBUTES: Final = ("niss", "name")
_EMPLOYER_ATTRIBUTES: Final = ("ref", "enterprise", "nsso", "name")


def _worker_niss(
    element: etree._Element, file: str, path: str, problems: list[InvalidValueError]
) -> Niss | None:
    niss_text = element.get("niss")
    line = element.sourceline
    if niss_text is None:
        problems.append(
            InvalidValueError("a worker needs a niss", path=path, source=SourceRef(file, line))
        )
        return None
    try:
        return _nisses.get(niss_text) or _niss(niss_text)
    except InvalidValueError as error:
        problems.append(_located(error, f"{path}.niss", file, line))
        return None


def _period(
    child: etree._Element, niss: Niss | None, employers: dict[str, Employer], file: str
) -> CareerPeriod | None:
    """One ``<period>`` through the shared decoder; errors have paths relative to it."""
    source = None
    late: InvalidValueError | None = None  # reported after the period's own attributes
    for grandchild in child:
        if grandchild.tag != _SOURCE:
            late = _unexpected(grandchild, file, ".source")
            break
        try:
            source = decode_source(grandchild.attrib)
        except InvalidValueError as error:
            late = _located(error, f".source{error.path}", file, grandchild.sourceline)
            break
    period = decode_period(niss, child.attrib, employers, source)
    if late is not None:
        raise late
    return period


def _declare_employer(
    child: etree._Element, employers: dict[str, Employer], file: str, here: str
) -> None:
    get = child.get
    ref, enterprise, nsso, name = get("ref"), get("enterprise"), get("nsso"), get("name")
    if ref is None:
        raise InvalidValueError("an employer needs a ref", path=here)
    if ref in employers:
        raise InvalidValueError(f"employer ref {shown(ref)} is declared twice", path=f"{here}.ref")
    present = 1 + sum(value is not None for value in (enterprise, nsso, name))
    if len(child.attrib) != present:
        raise _unknown_attributes(child, _EMPLOYER_ATTRIBUTES, file, here)
    employers[ref] = _employer(enterprise, nsso, name, here)


def _check_worker_attributes(
    element: etree._Element, file: str, path: str, problems: list[InvalidValueError]
) -> None:
    """Unknown attributes of a ``<worker>``, and a name longer than MAX_TEXT_CHARS."""
    niss_text, name = element.get("niss"), element.get("name")
    if len(element.attrib) > (niss_text is not None) + (name is not None):
        problems.append(_unknown_attributes(element, _WORKER_ATTRIBUTES, file, path))
    if name is not None:
        try:
            check_text(name, "worker name")
        except InvalidValueError as error:
            problems.append(_located(error, f"{path}.name", file, element.sourceline))


def career_records_from_element(element: etree._Element, file: str, path: str) -> CareerRecords:
    """Decode one ``<worker>`` element; every bad value is reported with file, line and path.

    Raises a :class:`MycareerErrorGroup` listing each problem of the worker.
    """
    problems: list[InvalidValueError] = []
    niss = _worker_niss(element, file, path, problems)
    niss_text, name = element.get("niss"), element.get("name")
    _check_worker_attributes(element, file, path, problems)
    employers: dict[str, Employer] = {}
    periods: list[CareerPeriod] = []
    employer_index = period_index = 0
    for child in element:
        tag = child.tag
        if tag == _PERIOD:
            try:
                period = _period(child, niss, employers, file)
                if period is not None:
                    periods.append(period)
            except InvalidValueError as error:
                if error.source is None:
                    error.source = SourceRef(file, child.sourceline)
                error.path = f"{path}.periods[{period_index}]{error.path or ''}"
                problems.append(error)
            period_index += 1
        elif tag == _EMPLOYER:
            here = f"{path}.employers[{employer_index}]"
            employer_index += 1
            line = child.sourceline
            try:
                _declare_employer(child, employers, file, here)
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
            f"invalid worker {shown(niss_text)} at {file}:{element.sourceline}", problems
        )
    assert niss is not None  # a missing or bad NISS is a problem above
    return CareerRecords(niss, periods, name)
