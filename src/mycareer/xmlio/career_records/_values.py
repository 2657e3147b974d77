"""Career records: the format, its element tags and the value decoders both readers share.

Parsed values are cached across documents: all are immutable and validated, and
real files repeat the same dates, fractions, committees, employers and NISS.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

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
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
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
