"""Read Dimona personnel files (``PersonnelFileConsultationAnswer``) into Dimona periods.

:func:`iter_personnel_file` streams one
:class:`~mycareer.personnel_file.PersonnelFilePeriod` per ``DimonaPeriod``
(``PersonnelFileConsultationAnswer_20223.xsd``; zones in
:mod:`mycareer.personnel_file`) through the hardened parser, clearing each
period once read (flat memory). The employer is the ``PersonnelFileConsult``'s
``CompanyID`` (``0``: none), else its ``NOSSRegistrationNbr`` or
``ProvisionalNSSONbr``; the worker is the period's ``NaturalPerson/INSS``; the
joint committee and worker type come from ``DimonaFeatures``. ``IsCancelled``,
``IsLocked`` and ``IsLate`` are ``1``/``0``.

:func:`read_personnel_files` reads files and folders into a
:class:`PersonnelFileBatch` with each answer's header; an answer whose
``ResultCodeResearch`` (zone 00609) is 5 ("too many results") is incomplete:
a :data:`PERSONNEL_FILE_INCOMPLETE` finding says so. Bad periods never stop the
stream (same contract as :func:`mycareer.xmlio.iter_dmfa`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Final, Literal

import attrs

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.findings import Finding, Severity
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.personnel_file import PersonnelFileAnswer, PersonnelFilePeriod
from mycareer.xmlio._safe import XmlSource, iterparse_document, source_name
from mycareer.xmlio.reading import (
    ErrorSink,
    FieldReader,
    add_error,
    check_root,
    close_events,
    form_hour,
    input_files,
    known_niss,
    refuse_doctype,
    root_tag,
)

__all__ = [
    "PERSONNEL_FILE_INCOMPLETE",
    "PERSONNEL_FILE_ROOT",
    "PersonnelFileBatch",
    "iter_personnel_file",
    "read_personnel_files",
]

PERSONNEL_FILE_ROOT: Final = "PersonnelFileConsultationAnswer"
#: Finding: the ONSS found too many results (zone 00609 = 5): the file lists only part.
PERSONNEL_FILE_INCOMPLETE: Final = "PERSONNEL_FILE_INCOMPLETE"

_CONSULT: Final = "PersonnelFileConsult"


def _flag(fields: FieldReader, name: str) -> bool | None:
    value = fields.integer(name)
    if value not in (None, 0, 1):
        fields.fail(f"invalid {name} {value}: expected 0 or 1", name)
    return None if value is None else value == 1


def _moment(fields: FieldReader, day_tag: str, hour_tag: str) -> datetime | None:
    day = fields.iso_date(day_tag)
    if day is None:
        return None
    hour = fields.text(hour_tag)
    try:
        return datetime.combine(day, form_hour(hour))
    except ValueError:
        fields.fail(f"invalid {hour_tag} {hour!r}: expected HH:MM:SS.sss", hour_tag)


class _Stream:
    """One pass over one answer: headers (one per form) and periods."""

    def __init__(self, source: XmlSource, label: str) -> None:
        self.source, self.label = source, label
        self.answers: list[PersonnelFileAnswer] = []
        self.errors: list[InvalidValueError] = []
        self.header_error: InvalidValueError | None = None
        self.answer: PersonnelFileAnswer | None = None
        self.form_index = 0
        self.period_index = 0
        self._consult: Any = None

    def _header(self, consult: Any) -> PersonnelFileAnswer | None:
        if self.answer is not None or self.header_error is not None:
            return self.answer
        path = f"$.Form[{self.form_index}].{_CONSULT}"
        fields = FieldReader(consult, self.label, path)
        try:
            enterprise = fields.convert("CompanyID", _enterprise, identifier=True)
            nsso = fields.convert("NOSSRegistrationNbr", _nsso, identifier=True) or fields.convert(
                "ProvisionalNSSONbr", _nsso, identifier=True
            )
            if enterprise is None and nsso is None:
                fields.fail("the answer names no employer", "CompanyID")
            start = fields.iso_date("RefStartingDate")
            end = fields.iso_date("RefEndingDate")
            form = FieldReader(consult.getparent(), self.label, f"$.Form[{self.form_index}]")
            self.answer = PersonnelFileAnswer(
                Employer(enterprise, nsso),
                fields.integer("ResultCodeResearch", required=True),
                Period(start, end) if start is not None and (end is None or start <= end) else None,
                _moment(form, "FormCreationDate", "FormCreationHour"),
                SourceRef(self.label, consult.sourceline, path),
            )
        except InvalidValueError as error:
            self.header_error = error
            return None
        self.answers.append(self.answer)
        return self.answer

    def _period(self, element: Any, answer: PersonnelFileAnswer) -> PersonnelFilePeriod:
        path = f"$.Form[{self.form_index}].{_CONSULT}.DimonaPeriod[{self.period_index}]"
        fields = FieldReader(element, self.label, path)
        period_id = fields.text("DimonaPeriodId", required=True, limit=12)
        if not period_id.isdigit():
            fields.fail(f"invalid DimonaPeriodId {period_id!r}: expected digits", "DimonaPeriodId")
        start, end = fields.iso_date("StartingDate"), fields.iso_date("EndingDate")
        if start is not None and end is not None and end < start:
            fields.fail(f"EndingDate {end} is before StartingDate {start}", "EndingDate")
        return PersonnelFilePeriod(
            period_id=period_id.zfill(12),
            employer=answer.employer,
            niss=fields.convert("NaturalPerson/INSS", _niss, identifier=True),
            start=start,
            end=end,
            joint_commission=fields.convert("DimonaFeatures/JointCommissionNbr", JointCommission),
            worker_type=fields.text("DimonaFeatures/WorkerType"),
            cancelled=bool(_flag(fields, "IsCancelled")),
            locked=bool(_flag(fields, "IsLocked")),
            late=_flag(fields, "IsLate"),
            planned_days=fields.integer("PlannedDaysNbr"),
            planned_hours=fields.integer("PlannedHoursNbr"),
            last_update=_moment(fields, "LastUpdateDate", "LastUpdateHour"),
            source=SourceRef(self.label, element.sourceline, path),
        )

    def _end_form(self, consult: Any) -> None:
        self._header(consult)
        if self.header_error is not None:
            error = self.header_error
            if self.period_index:
                error.message += f" (the answer's {self.period_index} period(s) are not read)"
            self.errors.append(error)

    def periods(self) -> Iterator[PersonnelFilePeriod]:
        check_root(
            root_tag(self.source, self.label), PERSONNEL_FILE_ROOT, self.label, kind="Dimona"
        )
        events = iterparse_document(
            self.source, events=("end",), tag=("DimonaPeriod", _CONSULT), name=self.label
        )
        try:
            for _event, element in events:
                consult = element.getparent() if element.tag == "DimonaPeriod" else element
                if consult is not self._consult:
                    if self.form_index == 0:
                        refuse_doctype(element, self.label)
                    self._start_form(consult)
                if element.tag == _CONSULT:
                    self._end_form(element)
                    continue
                self.period_index += 1
                answer = self._header(consult)
                if answer is not None:
                    try:
                        yield self._period(element, answer)
                    except InvalidValueError as error:
                        self.errors.append(error)
                element.clear()
                previous = element.getprevious()
                if previous is not None and previous.tag == "DimonaPeriod":
                    consult.remove(previous)  # periods already read: memory stays flat
        finally:
            close_events(events)
        if self.form_index == 0:
            raise InputError(
                f"empty personnel file: <{PERSONNEL_FILE_ROOT}> holds no {_CONSULT}",
                source=SourceRef(self.label, 1),
            )

    def _start_form(self, consult: Any) -> None:
        self._consult = consult
        self.form_index += 1
        self.period_index = 0
        self.answer = None
        self.header_error = None


def _enterprise(text: str) -> EnterpriseNumber | None:
    return EnterpriseNumber(text) if text.strip("0") else None


def _nsso(text: str) -> NssoNumber | None:
    return NssoNumber(text) if text.strip("0") else None


def _niss(text: str) -> Niss:
    return known_niss(text)


def iter_personnel_file(
    source: XmlSource, *, name: str | None = None, errors: ErrorSink | None = None
) -> Iterator[PersonnelFilePeriod]:
    """Stream the Dimona periods of one personnel file (cancelled ones included)."""
    label = name or source_name(source)
    stream = _Stream(source, label)
    yield from _drain(stream, label, errors)


def _drain(stream: _Stream, label: str, errors: ErrorSink | None) -> Iterator[PersonnelFilePeriod]:
    for period in stream.periods():
        if errors is not None:
            for error in stream.errors:
                add_error(errors, error)
            stream.errors.clear()
        yield period
    if errors is not None:
        for error in stream.errors:
            add_error(errors, error)
    elif stream.errors:
        raise MycareerErrorGroup(
            f"{label}: {len(stream.errors)} bad personnel-file period(s)", list(stream.errors)
        )


@attrs.frozen
class PersonnelFileBatch:
    """Every answer header, period, finding and error of a set of personnel files."""

    answers: tuple[PersonnelFileAnswer, ...] = ()
    periods: tuple[PersonnelFilePeriod, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()


def read_personnel_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_error: Literal["raise", "collect"] = "raise",
) -> PersonnelFileBatch:
    """Read personnel files and folders (``*.xml``, recursively, sorted).

    A file that breaks off part-way contributes nothing (its error is kept).
    """
    if on_error not in ("raise", "collect"):
        raise InvalidValueError(f"on_error must be 'raise' or 'collect', not {on_error!r}")
    files, errors = input_files(paths)
    answers: list[PersonnelFileAnswer] = []
    periods: list[PersonnelFilePeriod] = []
    for path in files:
        stream = _Stream(path, str(path))
        file_errors: list[InvalidValueError] = []
        try:
            found = list(_drain(stream, str(path), file_errors))
        except InputError as error:
            errors.extend([*file_errors, error])
            continue
        errors.extend(file_errors)
        periods.extend(found)
        answers.extend(stream.answers)
    findings = [
        Finding(
            PERSONNEL_FILE_INCOMPLETE,
            Severity.WARNING,
            f"the personnel file of employer {answer.employer} is incomplete: the ONSS found "
            "too many results (ResultCodeResearch 5); periods it does not list are not known",
            answer.source,
        )
        for answer in answers
        if not answer.complete
    ]
    if errors and on_error == "raise":
        raise MycareerErrorGroup(
            f"personnel files: {len(errors)} problem(s) in {len(files)} file(s)", errors
        )
    return PersonnelFileBatch(tuple(answers), tuple(periods), tuple(findings), tuple(errors))
