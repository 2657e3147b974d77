"""Read DmfA original declarations (``DmfAOriginal``) as a stream of typed records.

:func:`iter_dmfa` streams one :class:`~mycareer.dmfa.DmfaWorkerRecord` per
``WorkerRecord`` (career-data.md §3.2–3.5) through the hardened parser of
:mod:`mycareer.xmlio._safe`; consumed elements are cleared so memory stays flat
on files of any size. :func:`read_dmfa` reads many files (one per employer and
quarter) into one :class:`DmfaBatch`.

Reading rules:

* the employer comes from ``EmployerDeclaration``: ``CompanyID`` is the
  enterprise number (``0`` means none: the ``NOSSRegistrationNbr`` then
  identifies the employer, and ``0`` there means none too);
* ``OccupationEndingDate`` empty or missing means the line goes on past the
  quarter (``end=None``); ``period`` is the line clipped to
  ``NOSSQuarterStartingDate``–``NOSSQuarterEndingDate`` while ``start`` keeps
  the declared start. A line lying wholly outside its quarter (a
  termination-indemnity line for a later period) keeps its declared dates;
* the occupation's own ``ReorganisationMeasure`` comes first in
  ``reorganisation_measures`` (without percentage), then each
  ``ReorgMeasureInformation`` block (with its percentage);
* element names are those common to DmfA 2003/1 onward; unknown elements are
  ignored; a ``DmfAUpdate`` (modification) is refused as not supported yet.

Bad values never stop the stream: the bad ``WorkerRecord`` is skipped and its
error (value, file, line and record path) is put in ``errors`` when given;
without ``errors``, the good records are yielded first and one
:class:`~mycareer.errors.MycareerErrorGroup` listing every bad record is raised
at the end. Unreadable documents (malformed, unsafe, wrong root) raise
:class:`~mycareer.errors.InputError` at once.

>>> from datetime import date, datetime
>>> from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.xmlio.dmfa_writer import dmfa_bytes
>>> q1 = Quarter(2023, 1)
>>> line = DmfaOccupation(
...     sequence=2, start=date(2023, 2, 15), end=None, period=q1.period,
...     joint_commission=JointCommission("200"), working_days_system=400,
...     contract_type=ContractType.PART_TIME, mean_working_hours=3040,
...     ref_mean_working_hours=3800)
>>> employer = Employer(EnterpriseNumber("0123456749"))
>>> record = DmfaWorkerRecord(employer, q1, Niss("90010100123"), 495, "010", q1.period, [line])
>>> data = dmfa_bytes(employer, q1, [record], created_at=datetime(2023, 4, 20, 10, 15))
>>> (read,) = iter_dmfa(data, name="q1.xml")
>>> occupation = read.occupations[0]
>>> print(occupation.fraction, occupation.start, occupation.end, occupation.period)
4/5 2023-02-15 None 2023-02-15..2023-03-31
>>> print(occupation.source)
q1.xml:24 $.Form[1].EmployerDeclaration.NaturalPerson[1].WorkerRecord[1].Occupation[1]
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from mycareer._slots import slot_constructor
from mycareer.dmfa import (
    ContractType,
    DmfaDeclaration,
    DmfaOccupation,
    DmfaWorkerRecord,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    ErrorCollector,
    InputError,
    InvalidValueError,
    InvalidWorkFractionError,
    MycareerErrorGroup,
    SourceRef,
    UnsupportedDocumentError,
)
from mycareer.findings import Finding, Severity
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio._safe import XmlSource, iterparse_document, source_name

__all__ = [
    "DMFA_DUPLICATE_ORIGINAL",
    "DmfaBatch",
    "ErrorSink",
    "iter_dmfa",
    "read_dmfa",
    "xml_files",
]

#: Finding code: two originals for the same employer and quarter.
DMFA_DUPLICATE_ORIGINAL: Final = "DMFA_DUPLICATE_ORIGINAL"

ErrorSink = ErrorCollector | list[InvalidValueError]

_ROOT: Final = "DmfAOriginal"
_UPDATE_ROOT: Final = "DmfAUpdate"
_HEADER_TAGS: Final = frozenset(
    {
        "FormCreationDate",
        "FormCreationHour",
        "ReferenceNbr",
        "Quarter",
        "NOSSRegistrationNbr",
        "CompanyID",
    }
)
_TAGS: Final = (
    "Form",
    "EmployerDeclaration",
    "WorkerRecord",
    *sorted(_HEADER_TAGS),
)


class _BadValue(Exception):
    """A refused value inside a WorkerRecord: the element (for its line) and why."""

    def __init__(
        self,
        tag: str,
        message: str,
        element: Any = None,
        error: type[InvalidValueError] = InvalidValueError,
    ):
        super().__init__(message)
        self.tag = tag
        self.message = message
        self.element = element
        self.error = error


def _add(errors: ErrorSink, error: InvalidValueError) -> None:
    if isinstance(errors, ErrorCollector):
        errors.add(error)
    else:
        errors.append(error)


def _int(tag: str, text: str | None, *, minimum: int = 0) -> int:
    if text is None or not text.strip():
        raise _BadValue(tag, f"missing {tag}")
    try:
        value = int(text)
    except ValueError:
        raise _BadValue(tag, f"invalid {tag} {text.strip()!r}: expected an integer") from None
    if value < minimum:
        raise _BadValue(tag, f"invalid {tag} {value}: must be at least {minimum}")
    return value


def _opt_int(tag: str, text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    return _int(tag, text)


def _date(tag: str, text: str | None) -> date:
    if text is None or not text.strip():
        raise _BadValue(tag, f"missing {tag}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _BadValue(
            tag, f"invalid {tag} {text.strip()!r}: expected a date YYYY-MM-DD"
        ) from None


_CONTRACT_TYPES: Final = (ContractType.FULL_TIME, ContractType.PART_TIME)


# The sub-elements of an Occupation the checked path reads: the value each becomes,
# its fields (tag, required) in constructor order, and whether errors number it.
_SUB_LINES: Final[dict[str, tuple[Callable[..., Any], tuple[tuple[str, bool], ...], bool]]] = {
    "Service": (
        ServiceLine,
        (("ServiceCode", True), ("ServiceNbrDays", True), ("ServiceNbrHours", False)),
        True,
    ),
    "Remun": (
        RemunerationLine,
        (
            ("RemunCode", True),
            ("RemunAmount", True),
            ("BonusPaymentFrequency", False),
            ("PercentagePaid", False),
        ),
        True,
    ),
    "ReorgMeasureInformation": (
        ReorganisationMeasure,
        (("ReorganisationMeasure", True), ("ReorganisationMeasurePercentage", False)),
        False,
    ),
}

# The reader's hot path builds these with every field, positionally.
_new_occupation = slot_constructor(DmfaOccupation)
_new_record = slot_constructor(DmfaWorkerRecord)
_new_source = slot_constructor(SourceRef)


def checked_niss(text: str) -> Niss:
    """``Niss(text)``, with a fast path for the common, unambiguous case.

    A number of 11 ASCII digits whose month is a national or BIS month and whose
    check digits match the 19xx rule is valid for python-stdnum whatever the
    date (stdnum tries that rule first), so it skips stdnum's slower checks;
    everything else goes through :class:`~mycareer.niss.Niss` (stdnum).

    >>> checked_niss("90010100123") == Niss("90010100123")
    True
    """
    if len(text) == 11 and text.isascii() and text.isdigit():
        month = int(text[2:4])
        if (
            (month <= 12 or 20 <= month <= 32 or 40 <= month <= 52)
            and int(text) > 0
            and 97 - int(text[:9]) % 97 == int(text[9:])
        ):
            niss = object.__new__(Niss)
            object.__setattr__(niss, "value", text)
            return niss
    return Niss(text)


#: :func:`checked_niss` remembered: a worker comes back in every quarter's file (and
#: a NISS is immutable, so the records can share one). Refusals are not remembered.
_known_niss = lru_cache(maxsize=1 << 16)(checked_niss)


def _join_path(base: str, tag: str | None) -> str:
    return f"{base}.{tag}" if tag else base


def _root_tag(source: XmlSource, label: str) -> str:
    """The root element's tag, read from the first start event (then the stream rewinds)."""
    if not isinstance(source, str | os.PathLike | bytes):
        if not source.seekable():
            return ""
        position = source.tell()
    events = iterparse_document(source, events=("start",), name=label)
    try:
        _event, element = next(events)
        refuse_doctype(element, label)
        tag = str(element.tag)
    except StopIteration:  # pragma: no cover - the parser raises on empty input
        tag = ""
    except InputError as error:
        if error.source is not None and error.source.line is None:
            # _safe reports libxml2's line 0 of an empty document as "no line": it is line 1
            error.source = SourceRef(error.source.file, 1)
        raise
    finally:
        close_events(events)
    if not isinstance(source, str | os.PathLike | bytes):
        source.seek(position)
    return tag


def refuse_doctype(element: Any, label: str) -> None:
    """Refuse a DOCTYPE that ``_safe``'s 4 KiB peek missed (e.g. after a long comment).

    Checked at the root's start event, before any entity could be referenced.
    """
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise InputError(
            "refused: the document declares a DOCTYPE (DTDs and entities are not accepted)",
            source=SourceRef(label, element.sourceline),
        )


def close_events(events: Iterator[Any]) -> None:
    """Close an event generator early (releases the file it reads)."""
    close = getattr(events, "close", None)
    if close is not None:
        close()


def check_root(tag: str, expected: str, label: str, *, kind: str) -> None:
    """Refuse a document whose root is not ``expected`` (no namespace)."""
    if tag == expected or tag == "":
        return
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        raise InputError(
            f"not a {kind} document: root element {local!r} is in namespace {namespace!r}; "
            f"expected <{expected}> without namespace",
            source=SourceRef(label, 1),
        )
    raise InputError(
        f"not a {kind} document: root element <{tag}>, expected <{expected}>",
        source=SourceRef(label, 1),
    )


class _DmfaReader:
    """One pass over one document; keeps the declaration headers it met."""

    def __init__(self, source: XmlSource, label: str) -> None:
        self.source = source
        self.label = label
        self.declarations: list[tuple[int, DmfaDeclaration]] = []
        self.errors: list[InvalidValueError] = []
        self._jc_cache: dict[str, JointCommission] = {}
        self._quarter_key = (date(1, 1, 1), date(1, 1, 1))
        self._quarter_period = Period(date(1, 1, 1), date(1, 1, 1))
        # The texts the two quarter dates were read from (None: no record read yet).
        self._quarter_texts: tuple[str | None, str | None] | None = None
        self._reset_form(0)

    def _reset_form(self, index: int) -> None:
        self.form_index = index
        self.form_line: int | None = None
        self.header: dict[str, tuple[str, int | None]] = {}
        self.employer: Employer | None = None
        self.quarter: Quarter | None = None
        self.header_error: InvalidValueError | None = None
        self.header_done = False
        self.person_index = 0
        self.person_count = 0
        self.record_count = 0
        self.skipped_records = 0
        self.person_niss: Niss | None = None
        self.person_error: _BadValue | None = None
        self.record_index = 0

    # -- headers -------------------------------------------------------------
    def _form_path(self) -> str:
        return f"$.Form[{self.form_index}]"

    def _header_value_error(
        self, tag: str, message: str, kind: type[InvalidValueError] = InvalidValueError
    ) -> InvalidValueError:
        _text, line = self.header.get(tag, ("", self.form_line))
        where = "" if tag.startswith("Form") or tag == "ReferenceNbr" else ".EmployerDeclaration"
        path = f"{self._form_path()}{where}.{tag}"
        return kind(message, path=path, source=SourceRef(self.label, line))

    def _finish_header(self) -> None:
        self.header_done = True
        get = self.header.get
        try:
            quarter_text = get("Quarter", (None, None))[0]
            if not quarter_text:
                raise self._header_value_error("Quarter", "missing Quarter")
            try:
                self.quarter = Quarter.parse(quarter_text)
            except InvalidValueError as error:
                raise self._header_value_error("Quarter", error.message, type(error)) from None
            enterprise = None
            company = (get("CompanyID", ("", None))[0] or "").strip()
            if company and company.strip("0"):
                try:
                    enterprise = EnterpriseNumber(company)
                except InvalidValueError as error:
                    raise self._header_value_error(
                        "CompanyID", error.message, type(error)
                    ) from None
            nsso = None
            registration = (get("NOSSRegistrationNbr", ("", None))[0] or "").strip()
            if registration and registration.strip("0"):
                try:
                    nsso = NssoNumber(registration)
                except InvalidValueError as error:
                    raise self._header_value_error(
                        "NOSSRegistrationNbr", error.message, type(error)
                    ) from None
            if enterprise is None and nsso is None:
                raise self._header_value_error(
                    "CompanyID",
                    "the declaration names no employer: CompanyID and NOSSRegistrationNbr are 0",
                )
            self.employer = Employer(enterprise, nsso)
        except InvalidValueError as error:
            self.header_error = error

    def _created_at(self) -> datetime | None:
        day = self.header.get("FormCreationDate", (None, None))[0]
        hour = self.header.get("FormCreationHour", (None, None))[0]
        if not day:
            return None
        try:
            moment = time.fromisoformat(hour.strip()) if hour else time()
            return datetime.combine(date.fromisoformat(day.strip()), moment)
        except ValueError:
            return None

    def _finish_declaration(self) -> None:
        if self.header_error is not None:
            error = self.header_error
            if self.record_count:
                error.message += (
                    f" (the declaration's {self.record_count} worker record(s) are not read)"
                )
            self.errors.append(error)
        elif self.employer is not None and self.quarter is not None:
            self.declarations.append(
                (
                    self.form_index,
                    DmfaDeclaration(
                        self.employer,
                        self.quarter,
                        created_at=self._created_at(),
                        worker_count=self.person_count,
                        record_count=self.record_count,
                        reference=(self.header.get("ReferenceNbr", (None, None))[0] or None),
                        source=SourceRef(self.label, self.form_line, self._form_path()),
                    ),
                )
            )
        self.header_error = None
        self.employer = None

    # -- records -------------------------------------------------------------
    def _person_niss(self, person: Any) -> Niss:
        if self.person_niss is None and self.person_error is None:
            # INSS comes second in a NaturalPerson (after its sequence number, in the XSD's
            # order): look there first, a tag-filtered search costs ten times more.
            inss = person[1] if len(person) > 1 else None
            if inss is None or inss.tag != "INSS":
                inss = next(person.iterchildren("INSS"), None)
            try:
                text = None if inss is None else inss.text
                if text is None or not text.strip():
                    raise _BadValue("INSS", "missing INSS")
                try:
                    self.person_niss = _known_niss(text.strip())
                except InvalidValueError as error:
                    raise _BadValue("INSS", error.message, inss, type(error)) from None
            except _BadValue as bad:
                self.person_error = bad
        if self.person_error is not None:
            raise self.person_error
        assert self.person_niss is not None
        return self.person_niss

    def _occupation(
        self, occupation: Any, quarter_start: date, quarter_end: date, path: str
    ) -> DmfaOccupation:
        """The common, valid case without per-field checks; any doubt goes to the checked path."""
        fields: dict[str, str | None] = {}
        services: list[ServiceLine] = []
        remunerations: list[RemunerationLine] = []
        measures: list[ReorganisationMeasure] = []
        lines: dict[str, list[Any]] = {
            "Service": services,
            "Remun": remunerations,
            "ReorgMeasureInformation": measures,
        }
        for child in occupation:
            tag = child.tag
            bucket = lines.get(tag)
            if bucket is not None:
                make, spec, numbered = _SUB_LINES[tag]
                values = {c.tag: c.text for c in child}
                try:
                    bucket.append(
                        make(
                            *(
                                (_int if required else _opt_int)(name, values.get(name))
                                for name, required in spec
                            )
                        )
                    )
                except _BadValue as bad:
                    where = f"{tag}[{len(bucket) + 1}]" if numbered else tag
                    bad.tag = f"{where}.{bad.tag}"
                    bad.element = child
                    raise
            else:
                fields[tag] = child.text
        get = fields.get
        start = _date("OccupationStartingDate", get("OccupationStartingDate"))
        end_text = get("OccupationEndingDate")
        end = _date("OccupationEndingDate", end_text) if end_text and end_text.strip() else None
        if end is not None and end < start:
            raise _BadValue(
                "OccupationEndingDate",
                f"OccupationEndingDate {end} is before OccupationStartingDate {start}",
            )
        jc_text = (get("JointCommissionNbr") or "").strip()
        joint_commission = self._jc_cache.get(jc_text)
        if joint_commission is None:
            if not jc_text:
                raise _BadValue("JointCommissionNbr", "missing JointCommissionNbr")
            try:
                joint_commission = JointCommission(jc_text)
            except InvalidValueError as error:
                raise _BadValue("JointCommissionNbr", error.message, error=type(error)) from None
            self._jc_cache[jc_text] = joint_commission
        contract = _int("ContractType", get("ContractType"))
        if contract not in (0, 1):
            raise _BadValue("ContractType", f"invalid ContractType {contract}: expected 0 or 1")
        q = _opt_int("MeanWorkingHours", get("MeanWorkingHours"))
        s = _opt_int("RefMeanWorkingHours", get("RefMeanWorkingHours"))
        if s == 0 and q:
            raise _BadValue(
                "RefMeanWorkingHours",
                f"invalid work fraction Q/S = {q}/0: S (RefMeanWorkingHours) must be positive",
                error=InvalidWorkFractionError,
            )
        measure = _opt_int("ReorganisationMeasure", get("ReorganisationMeasure"))
        if measure is not None:
            measures.insert(0, ReorganisationMeasure(measure))
        clip_start = start if start > quarter_start else quarter_start
        clip_end = quarter_end if end is None or end > quarter_end else end
        # A line wholly outside its quarter (termination indemnity for a later period)
        # keeps its declared dates.
        period = Period(clip_start, clip_end) if clip_start <= clip_end else Period(start, end)
        return DmfaOccupation(
            sequence=_int("OccupationSequenceNbr", get("OccupationSequenceNbr"), minimum=1),
            start=start,
            end=end,
            period=period,
            joint_commission=joint_commission,
            working_days_system=_int("WorkingDaysSystem", get("WorkingDaysSystem")),
            contract_type=ContractType.PART_TIME if contract else ContractType.FULL_TIME,
            mean_working_hours=q,
            ref_mean_working_hours=s,
            reorganisation_measures=measures,
            services=services,
            remunerations=remunerations,
            source=SourceRef(self.label, occupation.sourceline, path),
        )

    def _worker_record(self, record: Any, path: str) -> DmfaWorkerRecord:
        niss = self._person_niss(record.getparent())
        values: dict[str, str | None] = {}
        occupations: list[Any] = []
        for child in record:
            tag = child.tag
            if tag == "Occupation":
                occupations.append(child)
            else:
                values[tag] = child.text
        get = values.get
        quarter_texts = (get("NOSSQuarterStartingDate"), get("NOSSQuarterEndingDate"))
        if quarter_texts == self._quarter_texts:  # every record of a declaration: same dates
            quarter_start, quarter_end = self._quarter_key
        else:
            quarter_start = _date("NOSSQuarterStartingDate", quarter_texts[0])
            quarter_end = _date("NOSSQuarterEndingDate", quarter_texts[1])
            if quarter_end < quarter_start:
                raise _BadValue(
                    "NOSSQuarterEndingDate",
                    f"NOSSQuarterEndingDate {quarter_end} is before NOSSQuarterStartingDate "
                    f"{quarter_start}",
                )
            key = (quarter_start, quarter_end)
            if self._quarter_key != key:
                self._quarter_key, self._quarter_period = key, Period(quarter_start, quarter_end)
            self._quarter_texts = quarter_texts
        worker_code = _int("WorkerCode", get("WorkerCode"))
        employer_class = (get("EmployerClass") or "").strip()
        if not employer_class:
            raise _BadValue("EmployerClass", "missing EmployerClass")
        lines = []
        for index, occupation in enumerate(occupations, start=1):
            line_path = f"{path}.Occupation[{index}]"
            try:
                lines.append(self._occupation(occupation, quarter_start, quarter_end, line_path))
            except _BadValue as bad:
                bad.tag = f"Occupation[{index}].{bad.tag}"
                if bad.element is None:
                    found = occupation.find(bad.tag.rsplit(".", 1)[-1])
                    bad.element = occupation if found is None else found
                raise
        assert self.employer is not None
        assert self.quarter is not None
        # Positional, in field order: this runs for every record.
        return _new_record(
            self.employer,
            self.quarter,
            niss,
            worker_code,
            employer_class,
            self._quarter_period,
            lines,
            _new_source(self.label, record.sourceline, path),
        )

    def _record_error(self, bad: _BadValue, record: Any, path: str) -> InvalidValueError:
        element = bad.element
        if element is None:
            leaf = bad.tag.rsplit(".", 1)[-1]
            element = record.getparent().find(leaf) if leaf == "INSS" else record.find(leaf)
            if element is None:
                element = record
        field_path = (
            f"{path.rsplit('.WorkerRecord', 1)[0]}.INSS"
            if bad.tag == "INSS"
            else f"{path}.{bad.tag}"
        )
        return bad.error(
            bad.message, path=field_path, source=SourceRef(self.label, element.sourceline)
        )

    # -- the stream ----------------------------------------------------------
    def records(self) -> Iterator[tuple[int, DmfaWorkerRecord]]:
        """Yield ``(form index, record)`` for every good WorkerRecord."""
        root = _root_tag(self.source, self.label)
        if root == _UPDATE_ROOT:
            raise UnsupportedDocumentError(
                f"{_UPDATE_ROOT} (modification declaration) is not supported yet: root element "
                f"<{root}>; only original declarations (<{_ROOT}>) are read",
                source=SourceRef(self.label, 1),
            )
        check_root(root, _ROOT, self.label, kind="DmfA")
        events = iterparse_document(self.source, events=("end",), tag=_TAGS, name=self.label)
        form_count = 0
        form_open = False
        try:
            # One "end" event per WorkerRecord: persons and forms are noticed as they go by.
            for _event, element in events:
                tag = element.tag
                if form_count == 0 and not form_open:
                    refuse_doctype(element, self.label)  # non-seekable streams skip the sniff
                if not form_open and tag != "Form":
                    form_count += 1
                    self._reset_form(form_count)
                    form = next(element.iterancestors("Form"), None)
                    self.form_line = element.sourceline if form is None else form.sourceline
                    form_open = True
                if tag == "WorkerRecord":
                    previous = element.getprevious()
                    if previous is None or previous.tag != "WorkerRecord":
                        self._new_person(element.getparent())
                    self.record_index += 1
                    self.record_count += 1
                    if self.header_error is None:
                        path = (
                            f"$.Form[{self.form_index}].EmployerDeclaration"
                            f".NaturalPerson[{self.person_index}].WorkerRecord[{self.record_index}]"
                        )
                        try:
                            record = self._worker_record(element, path)
                        except _BadValue as bad:
                            self.errors.append(self._record_error(bad, element, path))
                        else:
                            yield self.form_index, record
                    element.clear()
                elif tag in _HEADER_TAGS:
                    self.header[tag] = (element.text or "", element.sourceline)
                elif tag == "EmployerDeclaration":
                    if not self.header_done:
                        self._finish_header()
                    self._finish_declaration()
                    element.clear()
                elif tag == "Form":
                    if not form_open:  # a Form with nothing we read
                        form_count += 1
                        self._reset_form(form_count)
                        self.form_line = element.sourceline
                    form_open = False
                    element.clear()
                    parent = element.getparent()
                    while element.getprevious() is not None:
                        del parent[0]
        finally:
            close_events(events)
        if form_count == 0:
            raise InputError(
                f"empty DmfA declaration: <{_ROOT}> holds no Form", source=SourceRef(self.label, 1)
            )

    def _new_person(self, person: Any) -> None:
        """The first WorkerRecord of a NaturalPerson: drop the persons already read."""
        if not self.header_done:
            self._finish_header()
        self.person_index += 1
        self.person_count += 1
        self.person_niss = None
        self.person_error = None
        self.record_index = 0
        parent = person.getparent()
        while person.getprevious() is not None:
            del parent[0]

    def finish_open_declaration(self) -> None:
        """After a fatal error mid-file: keep the header of the declaration being read."""
        if self.header_done and self.employer is not None:
            self._finish_declaration()


def iter_dmfa(
    source: XmlSource,
    *,
    name: str | None = None,
    errors: ErrorSink | None = None,
) -> Iterator[DmfaWorkerRecord]:
    """Stream the worker records of one ``DmfAOriginal`` document.

    ``source`` is a path, bytes or a binary stream; ``name`` labels it in
    errors. With ``errors`` (a list or an :class:`~mycareer.errors.ErrorCollector`)
    each bad WorkerRecord's error is added there and the stream goes on;
    without it, one :class:`~mycareer.errors.MycareerErrorGroup` listing every
    bad record is raised after the last good record.
    """
    label = name or source_name(source)
    reader = _DmfaReader(source, label)
    for _form, record in reader.records():
        if errors is not None and reader.errors:
            for error in reader.errors:
                _add(errors, error)
            reader.errors.clear()
        yield record
    if errors is not None:
        for error in reader.errors:
            _add(errors, error)
    elif reader.errors:
        raise MycareerErrorGroup(
            f"{label}: {len(reader.errors)} bad DmfA record(s)", list(reader.errors)
        )


@attrs.frozen
class DmfaBatch:
    """Everything read from a set of DmfA files.

    ``records`` is the combined population (duplicate originals excluded),
    ``declarations`` one header per employer and quarter actually declared (the
    winners), ``findings`` the non-fatal observations (e.g.
    :data:`DMFA_DUPLICATE_ORIGINAL`), ``errors`` the refused records and files
    (only filled with ``on_error="collect"``).
    """

    records: tuple[DmfaWorkerRecord, ...] = ()
    declarations: tuple[DmfaDeclaration, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()


def xml_files(
    paths: Iterable[str | os.PathLike[str]], suffixes: tuple[str, ...] = (".xml",)
) -> tuple[list[Path], list[InvalidValueError]]:
    """Expand files and folders (recursively, sorted) into the files to read."""
    files: list[Path] = []
    problems: list[InvalidValueError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                InputError("cannot read: no such file or folder", source=SourceRef(str(path)))
            )
    return files, problems


def _when(declaration: DmfaDeclaration) -> str:
    return declaration.created_at.isoformat(sep=" ") if declaration.created_at else "no date"


def read_dmfa(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_error: Literal["raise", "collect"] = "raise",
    progress: Callable[[Sequence[Path]], Iterable[Path]] | None = None,
) -> DmfaBatch:
    """Read DmfA files and folders (``*.xml``, recursively, sorted) into one population.

    Two originals for the same employer and quarter: the one created last
    (``FormCreationDate`` + ``FormCreationHour``) wins, a tie goes to the later
    file in sort order; a :data:`DMFA_DUPLICATE_ORIGINAL` finding names the
    winner, the loser and the loser's excluded records. ``on_error="raise"``
    raises one :class:`~mycareer.errors.MycareerErrorGroup` listing every bad
    record of every file, after reading them all; ``"collect"`` returns the
    good records with the errors. ``progress`` wraps the list of files being read
    (e.g. the CLI's progress bar); it must yield them unchanged.
    """
    if on_error not in ("raise", "collect"):
        raise InvalidValueError(f"on_error must be 'raise' or 'collect', not {on_error!r}")
    files, errors = xml_files(paths)
    # (file order, form index) -> declaration / records
    headers: list[tuple[tuple[int, int], DmfaDeclaration]] = []
    by_form: dict[tuple[int, int], list[DmfaWorkerRecord]] = defaultdict(list)
    for file_index, path in enumerate(files if progress is None else progress(files)):
        reader = _DmfaReader(path, str(path))
        try:
            for form_index, record in reader.records():
                by_form[(file_index, form_index)].append(record)
        except InputError as error:
            reader.finish_open_declaration()
            errors.append(error)
        errors.extend(reader.errors)
        headers.extend(((file_index, form), header) for form, header in reader.declarations)

    groups: dict[tuple[str, Quarter], list[tuple[tuple[int, int], DmfaDeclaration]]] = {}
    for key, header in headers:
        groups.setdefault(header.key, []).append((key, header))
    findings: list[Finding] = []
    winners: set[tuple[int, int]] = set()
    declarations: list[DmfaDeclaration] = []
    for candidates in groups.values():
        ranked = sorted(candidates, key=lambda item: (item[1].created_at or datetime.min, item[0]))
        winner_key, winner = ranked[-1]
        winners.add(winner_key)
        declarations.append(winner)
        for loser_key, loser in ranked[:-1]:
            same_time = loser.created_at == winner.created_at
            why = (
                "both were created at the same time, so the later file in sort order wins"
                if same_time
                else f"it was created later ({_when(winner)} against {_when(loser)})"
            )
            excluded = by_form.get(loser_key, [])
            names = ", ".join(str(r.niss) for r in excluded) or "none"
            findings.append(
                Finding(
                    DMFA_DUPLICATE_ORIGINAL,
                    Severity.WARNING,
                    f"two original declarations for employer {winner.employer} quarter "
                    f"{winner.quarter}: {winner.source} wins over {loser.source} because {why}; "
                    f"the {len(excluded)} worker record(s) of the latter are excluded "
                    f"(NISS {names})",
                    loser.source,
                )
            )
    declared = {key for key, _ in headers}
    records = tuple(
        record
        for key in sorted(by_form)
        if key in winners or key not in declared
        for record in by_form[key]
    )
    declarations.sort(key=lambda d: (d.quarter, d.employer.key))
    if errors and on_error == "raise":
        raise MycareerErrorGroup(
            f"DmfA batch: {len(errors)} problem(s) in {len(files)} file(s)", errors
        )
    return DmfaBatch(records, tuple(declarations), tuple(findings), tuple(errors))
