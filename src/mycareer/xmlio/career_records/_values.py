"""Career records: the format, its element tags and the value decoders both readers share.

Parsed values are cached across documents: all are immutable and validated, and
real files repeat the same dates, fractions, committees, employers and NISS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Final, overload

from lxml import etree

from mycareer._cache import BoundedCache
from mycareer._slots import slot_constructor, trusted_constructor
from mycareer.career import CareerPeriod
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.findings import Severity
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.limits import check_text, clip, parse_integer, shown
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import ONE_DAY, Period
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.formats import (
    XmlFormat,
    register_format,
)

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

# Parsed values shared across documents (one policy: mycareer._cache): all are
# immutable and validated, and real files repeat the same dates, fractions,
# committees and employers. The same population comes back in every quarter's
# documents, and checking a NISS with stdnum costs more than reading ten periods.
_CACHE_LIMIT: Final = 20_000
_dates: BoundedCache[str, date] = BoundedCache("career-records dates", maxsize=_CACHE_LIMIT)
_fractions: BoundedCache[str, WorkFraction] = BoundedCache(
    "career-records fractions", maxsize=_CACHE_LIMIT
)
_committees: BoundedCache[str, JointCommission] = BoundedCache(
    "career-records joint committees", maxsize=_CACHE_LIMIT
)
_employers: BoundedCache[tuple[str | None, str | None, str | None], Employer] = BoundedCache(
    "career-records employers", maxsize=_CACHE_LIMIT
)
_nisses: BoundedCache[str, Niss] = BoundedCache("career-records NISS", maxsize=_CACHE_LIMIT)


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
        raise InvalidValueError(
            f"invalid {what} date {shown(text)}: {clip(str(error))}", path=f".{what}"
        ) from None
    return _dates.put(text, value)


def _niss(text: str) -> Niss:
    return _nisses.put(text, Niss(text))


def _fraction(text: str) -> WorkFraction:
    found = _fractions.get(text)
    if found is not None:
        return found
    if not _FRACTION_TEXT.fullmatch(text):
        raise InvalidValueError(
            f"invalid work fraction {shown(text)}: expected text such as '4/5'", path=".fraction"
        )
    try:
        return _fractions.put(text, WorkFraction.parse(text))
    except InvalidValueError as error:  # e.g. more digits than MAX_FRACTION_CHARS
        error.path = ".fraction"
        raise


def _committee(text: str) -> JointCommission:
    found = _committees.get(text)
    if found is None:
        try:
            found = JointCommission(text)  # refuses non-ASCII digits itself
        except InvalidValueError as error:
            error.path = ".jointCommittee"
            raise
        _committees.put(text, found)
    return found


def check_texts(*texts: tuple[str | None, str, str]) -> None:
    """Refuse the first ``(text, what, path)`` longer than MAX_TEXT_CHARS (names, labels)."""
    for text, what, path in texts:
        if text is not None:
            check_text(text, what, path=path)


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
    if name is not None:
        try:
            check_text(name, "employer name", path=f"{path}.name")
        except InvalidValueError as error:
            problems.append(error)
    if problems:
        raise MycareerErrorGroup("invalid employer", problems)
    # Employer refuses neither number.
    return _employers.put(identity, Employer(enterprise_number, nsso_number, name))


# --- the period decoder both readers share ----------------------------------------

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
#: A ``<period>``'s or ``<source>``'s attributes: a parser target's dict or an element's.
Attributes = Mapping[str, str] | etree._Attrib
_KIND_NAMES: Final = ", ".join(_KINDS)
# Dates are checked (start <= end < date.max) before a period is built from them.
_trusted_period = trusted_constructor(Period)  # (start, stop)
_new_career_period = slot_constructor(CareerPeriod)  # every field, positionally
_new_source_ref = slot_constructor(SourceRef)


def unknown_attributes(
    attrib: Attributes, known: tuple[str, ...], local: str, path: str
) -> InvalidValueError:
    """The error for attributes of ``<local>`` outside ``known`` (no source: the caller's)."""
    unknown = sorted(str(key) for key in attrib if key not in known)
    return InvalidValueError(f"unknown attribute(s) {shown(unknown)} on <{local}>", path=path)


def _span(first: date, end_text: str | None) -> Period:
    if end_text is None:
        return _trusted_period(first, None)
    last = _dates.get(end_text) or _date(end_text, "end")
    if first <= last < date.max:
        return _trusted_period(first, last + ONE_DAY)
    try:  # Period's own rule reports an end before the start, or maps date.max
        return Period(first, last)
    except InvalidValueError as error:
        error.path = ".end"
        raise


def decode_source(attrib: Attributes, ampersand: str = "") -> SourceRef:
    """A ``<source file= line= record=>``; a bad line raises with path ``.line``.

    ``ampersand`` is how the parser handed ``&`` over (parser targets:
    :data:`~mycareer.xmlio._safe.TARGET_AMPERSAND`), ``""`` for trees.
    """
    get = attrib.get
    file, line_text, record = get("file"), get("line"), get("record")
    if ampersand:
        if file is not None and "&" in file:
            file = file.replace(ampersand, "&")
        if record is not None and "&" in record:
            record = record.replace(ampersand, "&")
    check_texts((file, "source file", ".file"), (record, "source record", ".record"))
    line = None
    if line_text is not None:
        try:
            line = parse_integer(line_text, "source line")
        except InvalidValueError as error:
            error.path = ".line"
            raise
    return _new_source_ref(file, line, record)


@overload
def decode_period(
    niss: Niss,
    attrib: Attributes,
    employers: Mapping[str, Employer],
    source: SourceRef | None,
    ampersand: str = "",
) -> CareerPeriod: ...
@overload
def decode_period(
    niss: Niss | None,
    attrib: Attributes,
    employers: Mapping[str, Employer],
    source: SourceRef | None,
    ampersand: str = "",
) -> CareerPeriod | None: ...
def decode_period(
    niss: Niss | None,
    attrib: Attributes,
    employers: Mapping[str, Employer],
    source: SourceRef | None,
    ampersand: str = "",
) -> CareerPeriod | None:
    """One ``<period>``'s attributes, checked; ``None`` when the worker's NISS was refused.

    The one decoder of both readers (hot path). A bad value raises
    :class:`InvalidValueError` with a path relative to the period (``.end``).
    """
    get = attrib.get
    kind_text, start_text = get("kind"), get("start")
    ref, fraction_text = get("employer"), get("fraction")
    committee_text, label = get("jointCommittee"), get("label")
    provisional_text = get("provisional")
    kind = _KINDS.get(kind_text) if kind_text is not None else None
    if kind is None:
        raise InvalidValueError(
            "a period needs a kind"
            if kind_text is None
            else f"invalid period kind {shown(kind_text)}: expected one of {_KIND_NAMES}",
            path=".kind",
        )
    if start_text is None:
        raise InvalidValueError("a period needs a start", path=".start")
    end_text = get("end")
    span = _span(_dates.get(start_text) or _date(start_text, "start"), end_text)
    present = 2 if end_text is None else 3
    employer = None
    if ref is not None:
        present += 1
        employer = employers.get(ref)
        if employer is None:
            raise InvalidValueError(
                f"period refers to employer {shown(ref)}, which this worker does not "
                "declare (before its periods)",
                path=".employer",
            )
    fraction = None
    if fraction_text is not None:
        present += 1
        fraction = _fractions.get(fraction_text) or _fraction(fraction_text)
    committee = None
    if committee_text is not None:
        present += 1
        committee = _committees.get(committee_text) or _committee(committee_text)
    provisional = False
    if provisional_text is not None:
        present += 1
        found = _BOOLEANS.get(provisional_text)
        if found is None:
            raise InvalidValueError(
                f"invalid provisional flag {shown(provisional_text)}: expected true or false",
                path=".provisional",
            )
        provisional = found
    if label is not None:
        present += 1
        if ampersand and "&" in label:
            label = label.replace(ampersand, "&")
        check_text(label, "label", path=".label")
    if len(attrib) != present:
        raise unknown_attributes(attrib, _PERIOD_ATTRIBUTES, "period", "")
    if niss is None:
        return None
    return _new_career_period(
        niss, kind, span, employer, fraction, committee, label, provisional, source
    )
