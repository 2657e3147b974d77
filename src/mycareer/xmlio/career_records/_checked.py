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
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.xmlio.career_records._values import (
    _BOOLEANS,
    _EMPLOYER,
    _KINDS,
    _PERIOD,
    _SECTION_TAGS,
    _SEVERITIES,
    _SOURCE,
    _committee,
    _committees,
    _date,
    _dates,
    _employer,
    _fraction,
    _fractions,
    _located,
    _niss,
    _nisses,
)


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
