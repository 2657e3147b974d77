"""Read DmfA modification declarations (``DmfAUpdate``) and ONSS consultation answers.

* :func:`iter_dmfa_updates` streams one :class:`~mycareer.dmfa_update.DmfaLineUpdate`
  per ``WorkerRecordUpdate`` of a ``DmfAUpdate`` document (``DmfAUpdate_20223.xsd``);
* :func:`iter_dmfa_consultations` streams one
  :class:`~mycareer.dmfa_update.DmfaConsultation` per ``Form`` of a
  ``DmfAConsultationAnswer`` (``DmfAConsultationAnswer_20224.xsd``).

Both go through the hardened parser of :mod:`mycareer.xmlio._safe` with the
contract of :func:`mycareer.xmlio.iter_dmfa`: consumed persons are cleared, so
memory stays flat (an update holds one worker line at a time; a consultation
answer holds the lines of one form); a bad worker line is skipped and its error
(value, file, line and path) goes to ``errors``, or all of them are raised in
one group after the good lines; an unreadable document raises at once.

Occupations are read by the very reader of originals, after renaming the
consultation answer's ``ServiceAction``, ``RemunAction`` and
``ReorgMeasureInformationAction`` blocks to the original's names (same
fields). Their ``Action`` codes (zone 00411) are not interpreted: the answer
is taken as the state of the declaration **[verify]**. Which line an update
addresses and what its action does is :mod:`mycareer.dmfa_update`'s reading.

>>> from datetime import date, datetime
>>> from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord
>>> from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.joint_commission import JointCommission
>>> from mycareer.niss import Niss
>>> from mycareer.xmlio.dmfa_update_writer import dmfa_update_bytes
>>> q1, acme = Quarter(2023, 1), Employer(EnterpriseNumber("0123456749"))
>>> occupation = DmfaOccupation(1, date(2023, 1, 1), None, q1.period, JointCommission("200"),
...     500, ContractType.FULL_TIME, 3800, 3800)
>>> record = DmfaWorkerRecord(acme, q1, Niss("90010100123"), 495, "010", q1.period, [occupation])
>>> form = DmfaUpdateForm(acme, q1, datetime(2023, 5, 2, 9, 30), declaration_id="12345")
>>> fix = DmfaLineUpdate(form, UpdateAction.MODIFIED, record, "010", 495, last_version="7")
>>> data = dmfa_update_bytes(form, [fix])
>>> (update,) = iter_dmfa_updates(data, name="fix.xml")
>>> print(update.action.name, update.target[0], update.form.created_at, update.form.declaration_id)
MODIFIED 90010100123 2023-05-02 09:30:00 12345
>>> print(update.record.source)
fix.xml:24 $.Form[1].EmployerDeclarationUpdate.NaturalPersonUpdate[1].WorkerRecordUpdate[1]...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, Final, Generic, TypeVar

import attrs

from mycareer._slots import slot_constructor
from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
from mycareer.dmfa_update import DmfaConsultation, DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio._dmfa_fast import fast_occupation
from mycareer.xmlio._safe import XmlSource, iterparse_document, source_name
from mycareer.xmlio.dmfa_occupation import read_occupation
from mycareer.xmlio.reading import (
    ErrorSink,
    FieldReader,
    add_error,
    check_root,
    close_events,
    form_hour,
    known_niss,
    refuse_doctype,
    root_tag,
)

__all__ = [
    "CONSULTATION_ROOT",
    "UPDATE_ROOT",
    "iter_dmfa_consultations",
    "iter_dmfa_updates",
]

UPDATE_ROOT: Final = "DmfAUpdate"
CONSULTATION_ROOT: Final = "DmfAConsultationAnswer"

_T = TypeVar("_T")
_MAX_PERIODS: Final = 64
_new_record = slot_constructor(DmfaWorkerRecord)
_new_source = slot_constructor(SourceRef)
_V = TypeVar("_V")


@attrs.frozen
class _Kind:
    """The element names of one document kind, and the original's names they map to."""

    root: str
    declaration: str
    person: str
    line: str
    occupation: str
    renames: dict[str, str] = attrs.field(factory=dict)


_UPDATE: Final = _Kind(
    UPDATE_ROOT,
    "EmployerDeclarationUpdate",
    "NaturalPersonUpdate",
    "WorkerRecordUpdate",
    "OccupationUpdate",
)
_CONSULTATION: Final = _Kind(
    CONSULTATION_ROOT,
    "EmployerDeclarationConsult",
    "NaturalPersonConsult",
    "WorkerRecordConsult",
    "OccupationConsultation",
    {
        "ServiceAction": "Service",
        "RemunAction": "Remun",
        "ReorgMeasureInformationAction": "ReorgMeasureInformation",
    },
)
_DECLARATION_TAGS: Final = ("Quarter", "NOSSRegistrationNbr", "CompanyID", "EmployerDeclarationPID")
_FORM_TAGS: Final = ("FormCreationDate", "FormCreationHour")


def _shown(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= 80 else text[:77] + "...")


class _Stream(Generic[_T]):
    """One pass over one document: forms, their headers, and their worker lines."""

    def __init__(
        self,
        source: XmlSource,
        label: str,
        kind: _Kind,
        build: Callable[[_Stream[_T], Any, DmfaUpdateForm, Niss, str], _T],
    ) -> None:
        self.source, self.label, self.kind, self.build = source, label, kind, build
        self.errors: list[InvalidValueError] = []
        self.form_index = 0
        self._person: Any = None
        self._periods: dict[tuple[date, date], Period] = {}
        self._niss: Niss | None = None
        self._reset_form()

    def _reset_form(self) -> None:
        self.header: dict[str, tuple[str, int | None]] = {}
        self.form: DmfaUpdateForm | None = None
        self.header_error: InvalidValueError | None = None
        self.form_line: int | None = None
        self.person_index = 0
        self.line_index = 0
        self.skipped = 0

    # -- headers ---------------------------------------------------------------
    def _header_error(self, tag: str, message: str, kind: type[InvalidValueError]) -> None:
        _text, line = self.header.get(tag, ("", self.form_line))
        where = "" if tag.startswith("Form") else f".{self.kind.declaration}"
        self.header_error = kind(
            message,
            path=f"$.Form[{self.form_index}]{where}.{tag}",
            source=SourceRef(self.label, line),
        )

    def _text(self, tag: str) -> str:
        return (self.header.get(tag, ("", None))[0] or "").strip()

    def _identifier(self, tag: str, make: Callable[[str], _V]) -> _V | None:
        text = self._text(tag)
        if not text or not text.strip("0"):
            return None  # 0 means none (zones 00011, 00014)
        return make(text)

    def _finish_header(self) -> DmfaUpdateForm | None:
        if self.form is not None or self.header_error is not None:
            return self.form
        tag = "Quarter"
        try:
            if not self._text("Quarter"):
                raise InvalidValueError("missing Quarter")
            quarter = Quarter.parse(self._text("Quarter"))
            tag = "CompanyID"
            enterprise = self._identifier(tag, EnterpriseNumber)
            tag = "NOSSRegistrationNbr"
            nsso = self._identifier(tag, NssoNumber)
            if enterprise is None and nsso is None:
                tag = "CompanyID"
                raise InvalidValueError(
                    "the declaration names no employer: CompanyID and NOSSRegistrationNbr are 0"
                )
            tag = "FormCreationDate"
            created_at = self._created_at()
        except InvalidValueError as error:
            self._header_error(tag, error.message, type(error))
            return None
        self.form = DmfaUpdateForm(
            Employer(enterprise, nsso),
            quarter,
            created_at,
            declaration_id=self._text("EmployerDeclarationPID") or None,
            reference=self._text("ReferenceNbr") or None,
            source=SourceRef(self.label, self.form_line, f"$.Form[{self.form_index}]"),
        )
        return self.form

    def _created_at(self) -> datetime | None:
        day, hour = self._text("FormCreationDate"), self._text("FormCreationHour")
        if not day:
            return None
        try:
            return datetime.combine(date.fromisoformat(day), form_hour(hour))
        except ValueError:
            raise InvalidValueError(
                f"invalid form creation moment {_shown(f'{day} {hour}')}: expected "
                "YYYY-MM-DD and HH:MM:SS.sss"
            ) from None

    def _keep_header(self, element: Any) -> None:
        tag, parent = element.tag, element.getparent()
        parent_tag = parent.tag if parent is not None else None
        if (
            (tag in _DECLARATION_TAGS and parent_tag == self.kind.declaration)
            or (tag in _FORM_TAGS and parent_tag == "Form")
            or (tag == "ReferenceNbr" and parent_tag == "Reference")
        ):
            self.header[tag] = (element.text or "", element.sourceline)

    # -- worker lines ------------------------------------------------------------
    def _person_niss(self, person: Any, path: str) -> Niss:
        if person is self._person and self._niss is not None:
            return self._niss  # the person's other lines
        fields = FieldReader(person, self.label, path)
        self._niss = fields.convert("INSS", known_niss, required=True, identifier=True)
        self._person = person
        return self._niss

    def _line(self, element: Any) -> tuple[DmfaUpdateForm, _T] | None:
        person = element.getparent()
        previous = element.getprevious()
        if previous is None or previous.tag != self.kind.line:
            self.person_index += 1
            self.line_index = 0
            while person.getprevious() is not None:  # persons already read
                del person.getparent()[0]
        self.line_index += 1
        form = self._finish_header()
        if form is None:
            self.skipped += 1
            return None
        person_path = (
            f"$.Form[{self.form_index}].{self.kind.declaration}"
            f".{self.kind.person}[{self.person_index}]"
        )
        path = f"{person_path}.{self.kind.line}[{self.line_index}]"
        try:
            niss = self._person_niss(person, person_path)
            return form, self.build(self, element, form, niss, path)
        except InvalidValueError as error:
            if error.source is None:  # raised by a value class, not by a field
                error.source = SourceRef(self.label, element.sourceline)
                error.path = error.path or path
            self.errors.append(error)
            return None

    def record(
        self,
        block: Any,
        form: DmfaUpdateForm,
        niss: Niss,
        path: str,
        children: dict[str, Any] | None = None,
    ) -> DmfaWorkerRecord:
        """A worker line block (``WorkerRecordUpdateAction``, ``WorkerRecordConsult``)."""
        if children is None:
            children = {child.tag: child for child in block}
        fields = FieldReader(block, self.label, path, children=children)
        start = fields.iso_date("NOSSQuarterStartingDate")
        end = fields.iso_date("NOSSQuarterEndingDate")
        period = self._period(start or form.quarter.period.start, end or form.quarter.last_day)
        employer_class = fields.text("EmployerClass", required=True)
        worker_code = fields.integer("WorkerCode", required=True)
        occupations = [
            self._occupation(fields, child, f"{self.kind.occupation}[{index}]", period)
            for index, child in enumerate(block.iterchildren(self.kind.occupation), start=1)
        ]
        # Every value above was checked by its field reader: build through the slots,
        # as the reader of originals does (mycareer._slots).
        return _new_record(
            form.employer,
            form.quarter,
            niss,
            worker_code,
            employer_class,
            period,
            occupations,
            _new_source(self.label, block.sourceline, path),
        )

    def _period(self, start: date, end: date) -> Period:
        """The quarter's period, checked once per pair of dates of the document."""
        period = self._periods.get((start, end))
        if period is None:
            period = Period(start, end)
            if len(self._periods) >= _MAX_PERIODS:
                self._periods.clear()  # bounded: a document rarely has more than one pair
            self._periods[(start, end)] = period
        return period

    def _occupation(
        self, fields: FieldReader, element: Any, step: str, quarter: Period
    ) -> DmfaOccupation:
        renames = self.kind.renames
        if renames:
            for child in element:
                renamed = renames.get(child.tag)
                if renamed is not None:
                    child.tag = renamed
        assert quarter.end is not None
        dates = (quarter.start, quarter.end)
        # The original reader's two paths: plain lines by position, anything else checked.
        line = fast_occupation(element, f"{fields.path}.{step}", self.label, dates)
        if line is None:
            line = read_occupation(fields, element, step, dates)
        return line

    # -- the stream ----------------------------------------------------------------
    def _end_declaration(self) -> None:
        self._finish_header()
        if self.header_error is not None:
            error = self.header_error
            if self.skipped:
                error.message += f" (the declaration's {self.skipped} worker line(s) are not read)"
            self.errors.append(error)

    def items(self) -> Iterator[tuple[DmfaUpdateForm | None, _T | None]]:
        """``(form, line)`` for each good line, and ``(form, None)`` at each declaration's end."""
        check_root(root_tag(self.source, self.label), self.kind.root, self.label, kind="DmfA")
        tags = (self.kind.line, self.kind.declaration, "Form", "ReferenceNbr")
        events = iterparse_document(
            self.source,
            events=("start", "end"),
            tag=(*tags, *_DECLARATION_TAGS, *_FORM_TAGS),
            name=self.label,
        )
        try:
            for event, element in events:
                if event == "start":
                    if element.tag == "Form" and element.getparent() is not None:
                        if self.form_index == 0:
                            refuse_doctype(element, self.label)
                        self.form_index += 1
                        self._reset_form()
                        self.form_line = element.sourceline
                    continue
                tag = element.tag
                if tag == self.kind.line:
                    found = self._line(element)
                    element.clear()
                    if found is not None:
                        yield found
                elif tag == self.kind.declaration:
                    self._end_declaration()
                    yield self.form, None
                elif tag == "Form":
                    element.clear()
                    while element.getprevious() is not None:
                        del element.getparent()[0]
                else:
                    self._keep_header(element)
        finally:
            close_events(events)
        if self.form_index == 0:
            raise InputError(
                f"empty DmfA document: <{self.kind.root}> holds no Form",
                source=SourceRef(self.label, 1),
            )


def _update_line(
    stream: _Stream[DmfaLineUpdate], element: Any, form: DmfaUpdateForm, niss: Niss, path: str
) -> DmfaLineUpdate:
    fields = FieldReader(element, stream.label, path, children={c.tag: c for c in element})
    block = fields.find("WorkerRecordUpdateAction")
    if block is None:
        fields.fail("missing WorkerRecordUpdateAction", "WorkerRecordUpdateAction")
    block_children = {child.tag: child for child in block}
    action_fields = fields.child(block, "WorkerRecordUpdateAction", children=block_children)
    code = action_fields.integer("UpdateAction", required=True)
    try:
        action = UpdateAction(code)
    except ValueError:
        action_fields.fail(
            f"invalid UpdateAction {code}: expected 0, 1, 3 or 9 (zone 00618)", "UpdateAction"
        )
    record = stream.record(block, form, niss, action_fields.path, block_children)
    last = fields.find("LastSituationWR")
    if last is None:
        return DmfaLineUpdate(form, action, record)
    last_fields = fields.child(last, "LastSituationWR", children={c.tag: c for c in last})
    last_class = last_fields.text("EmployerClass", required=True)
    last_code = last_fields.integer("WorkerCode", required=True)
    version = last_fields.text("WorkerRecordVersionNbr")
    return DmfaLineUpdate(form, action, record, last_class, last_code, version)


def _consulted_line(
    stream: _Stream[DmfaWorkerRecord], element: Any, form: DmfaUpdateForm, niss: Niss, path: str
) -> DmfaWorkerRecord:
    return stream.record(element, form, niss, path)


def _finish(label: str, stream: _Stream[Any], errors: ErrorSink | None) -> None:
    if errors is not None:
        for error in stream.errors:
            add_error(errors, error)
        stream.errors.clear()
    elif stream.errors:
        raise MycareerErrorGroup(f"{label}: {len(stream.errors)} bad DmfA line(s)", stream.errors)


def iter_dmfa_updates(
    source: XmlSource, *, name: str | None = None, errors: ErrorSink | None = None
) -> Iterator[DmfaLineUpdate]:
    """Stream the line updates of one ``DmfAUpdate`` document, in document order.

    ``source`` is a path, bytes or a binary stream; ``name`` labels it in
    errors; ``errors`` works as in :func:`mycareer.xmlio.iter_dmfa`.
    """
    label = name or source_name(source)
    stream: _Stream[DmfaLineUpdate] = _Stream(source, label, _UPDATE, _update_line)
    for _form, update in stream.items():
        if update is not None:
            yield update
        if errors is not None:
            _finish(label, stream, errors)
    _finish(label, stream, errors)


def iter_dmfa_consultations(
    source: XmlSource, *, name: str | None = None, errors: ErrorSink | None = None
) -> Iterator[DmfaConsultation]:
    """Stream the forms of one ``DmfAConsultationAnswer``, each with its worker lines."""
    label = name or source_name(source)
    stream: _Stream[DmfaWorkerRecord] = _Stream(source, label, _CONSULTATION, _consulted_line)
    lines: list[DmfaWorkerRecord] = []
    for form, line in stream.items():
        if line is not None:
            lines.append(line)
        elif form is not None:
            yield DmfaConsultation(form, lines)
            lines = []
        else:
            lines = []  # a form whose header was refused: its lines were not read
    _finish(label, stream, errors)
