"""Read DmfA original declarations (``DmfAOriginal``) as a stream of typed records.

:func:`iter_dmfa` streams one :class:`~mycareer.dmfa.DmfaWorkerRecord` per
``WorkerRecord`` (``DmfAOriginal_20231.xsd``) through the hardened parser of
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
  ignored; a ``DmfAUpdate`` (modification) is refused here: it is read by
  :mod:`mycareer.xmlio.dmfa_update` (and folders by :mod:`mycareer.xmlio.flows`).

Bad values never stop the stream: the bad ``WorkerRecord`` is skipped and its
error (value, file, line and record path) is put in ``errors`` when given;
without ``errors``, the good records are yielded first and one
:class:`~mycareer.errors.MycareerErrorGroup` listing every bad record is raised
at the end. Unreadable documents (malformed, unsafe, wrong root) raise
:class:`~mycareer.errors.InputError` at once.

>>> from datetime import date, datetime
>>> from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.joint_commission import JointCommission
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

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Literal

import attrs

from mycareer._gc import release_parsers
from mycareer._html import summarised
from mycareer._slots import slot_constructor
from mycareer.dmfa import (
    DmfaDeclaration,
    DmfaWorkerRecord,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    InputError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
    UnsupportedDocumentError,
)
from mycareer.findings import Finding
from mycareer.limits import MAX_ERRORS_PER_INPUT
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio._dmfa_fast import fast_occupation, plain_record
from mycareer.xmlio._dmfa_originals import DMFA_DUPLICATE_ORIGINAL, FormKey, choose_originals
from mycareer.xmlio._dmfa_results import FileRead, FileStage, RejectedFile
from mycareer.xmlio._safe import XmlSource, iterparse_document
from mycareer.xmlio.dmfa_occupation import read_occupation
from mycareer.xmlio.reading import (
    DATA_ERRORS,
    ErrorSink,
    FieldReader,
    PathLike,
    Paths,
    add_error,
    check_root,
    close_events,
    each_document,
    form_hour,
    input_files,
    known_niss,
    refuse_doctype,
    root_tag,
    unexpected,
)

__all__ = [
    "DMFA_DUPLICATE_ORIGINAL",
    "DmfaBatch",
    "ErrorSink",
    "FileRead",
    "FileStage",
    "RejectedFile",
    "iter_dmfa",
    "read_dmfa",
    "read_dmfa_file",
]

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
#: A DmfA's values are codes, numbers and dates: the indentation between its elements is
#: not kept (measured: docs/performance.md, "DmfA reading"). Module-level so that a test
#: can read the same documents with it kept (tests/xmlio/test_dmfa_structure.py).
_ELEMENT_ONLY = True


# The reader's hot path builds these with every field, positionally.
_new_record = slot_constructor(DmfaWorkerRecord)
_new_source = slot_constructor(SourceRef)
# What known_niss remembered, keyed by its arguments: a lookup costs no call.
_known_nisses = known_niss.cache


class _DmfaReader:
    """One pass over one document; keeps the declaration headers it met."""

    def __init__(self, source: XmlSource, label: str, *, sniffed: bool = False) -> None:
        self.source = source
        self.label = label
        #: The caller read the root already (its kind decided this reader): no pre-read.
        self.sniffed = sniffed
        self.declarations: list[tuple[int, DmfaDeclaration]] = []
        self.errors: list[InvalidValueError] = []
        self._quarter_key = (date(1, 1, 1), date(1, 1, 1))
        self._quarter_period = Period(date(1, 1, 1), date(1, 1, 1))
        # The texts the two quarter dates were read from (None: no record read yet).
        self._quarter_texts: tuple[str | None, str | None] | None = None
        #: The first error that makes the whole file unusable (header, quarter dates).
        self.rejection: InvalidValueError | None = None
        #: (employer, quarter) of each declaration header met, None where unreadable.
        self.seen: list[tuple[Employer | None, Quarter | None]] = []
        self.error_count = 0
        self._reset_form(0)

    def _keep(self, error: InvalidValueError) -> None:
        """Keep an error, up to MAX_ERRORS_PER_INPUT per file (the rest are counted)."""
        self.error_count += 1
        if self.error_count <= MAX_ERRORS_PER_INPUT:
            self.errors.append(error)

    def _summarise_errors(self) -> None:
        if self.error_count > MAX_ERRORS_PER_INPUT:
            self.errors.append(
                InvalidValueError(
                    f"{self.error_count - MAX_ERRORS_PER_INPUT} more error(s) in this file are "
                    f"not listed (at most {MAX_ERRORS_PER_INPUT} per file)",
                    source=SourceRef(self.label),
                )
            )

    def _reset_form(self, index: int) -> None:
        self.form_index = index
        self.form_line: int | None = None
        self.header: dict[str, Any] = {}
        self.employer: Employer | None = None
        self.reference: str | None = None
        self.quarter: Quarter | None = None
        self.header_error: InvalidValueError | None = None
        self.header_done = False
        self.declaration_ended = False
        self.person_index = 0
        self.person_count = 0
        self.record_count = 0
        self.person_niss: Niss | None = None
        self.person_error: InvalidValueError | None = None
        self.person_path = ""
        self.record_index = 0

    # -- headers -------------------------------------------------------------
    def _form_path(self) -> str:
        return f"$.Form[{self.form_index}]"

    def _finish_header(self, declaration: Any) -> None:
        """Read the declaration's header (its elements were kept as they went by)."""
        self.header_done = True
        fields = FieldReader(
            declaration,
            self.label,
            f"{self._form_path()}.EmployerDeclaration",
            children=self.header,
        )
        try:
            self.quarter = fields.convert("Quarter", Quarter.parse, required=True)
            company = fields.text("CompanyID")
            enterprise = None
            if company and company.strip("0"):
                enterprise = fields.convert("CompanyID", EnterpriseNumber, identifier=True)
            registration = fields.text("NOSSRegistrationNbr")
            nsso = None
            if registration and registration.strip("0"):
                nsso = fields.convert("NOSSRegistrationNbr", NssoNumber, identifier=True)
            if enterprise is None and nsso is None:
                fields.fail(
                    "the declaration names no employer: CompanyID and NOSSRegistrationNbr are 0",
                    "CompanyID",
                )
            self.employer = Employer(enterprise, nsso)
            self.reference = self._reference()
            self.seen.append((self.employer, self.quarter))
        except InvalidValueError as error:
            self.header_error = error
            self.rejection = self.rejection or error
            self.seen.append((None, self.quarter))

    def _reference(self) -> str | None:
        """The form's ``Reference/ReferenceNbr``: stripped and bounded as every text (blanks
        beside a comment are no part of it), its errors at its own path and line."""
        element = self.header.get("ReferenceNbr")
        parent = None if element is None else element.getparent()
        if parent is None or parent.tag != "Reference":  # elsewhere: not the form's
            return None
        fields = FieldReader(
            parent,
            self.label,
            f"{self._form_path()}.Reference",
            children=self.header,
        )
        return fields.text("ReferenceNbr")

    def _created_at(self) -> datetime | None:
        day = self.header.get("FormCreationDate")
        hour = self.header.get("FormCreationHour")
        day_text = (day.text or "").strip() if day is not None else ""
        hour_text = (hour.text or "").strip() if hour is not None else ""
        if not day_text or len(day_text) > 40 or len(hour_text) > 40:
            return None
        try:
            return datetime.combine(date.fromisoformat(day_text), form_hour(hour_text))
        except ValueError:
            return None

    def _finish_declaration(self) -> None:
        if self.header_error is not None:
            error = self.header_error
            if self.record_count:
                error.message += (
                    f" (the declaration's {self.record_count} worker record(s) are not read)"
                )
            self._keep(error)
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
                        reference=self.reference,
                        source=SourceRef(self.label, self.form_line, self._form_path()),
                    ),
                )
            )
        self.header_error = None
        self.employer = None
        self.reference = None
        self.declaration_ended = True

    def _end_declaration(self, declaration: Any) -> None:
        if self.declaration_ended:
            self._another_declaration(declaration)
        elif not self.header_done:
            self._finish_header(declaration)
        self._finish_declaration()
        declaration.clear()

    def _another_declaration(self, declaration: Any) -> None:
        """A second EmployerDeclaration in one Form (the XSD allows one): the file is refused."""
        if self.header_error is None:
            error = InvalidValueError(
                "a Form holds more than one EmployerDeclaration (the DmfA XSD allows one)",
                source=SourceRef(self.label, declaration.sourceline),
                path=f"{self._form_path()}.EmployerDeclaration",
            )
            self.header_error = error
            self.rejection = self.rejection or error
            self.person_count = self.record_count = 0  # count this declaration's own

    # -- records -------------------------------------------------------------
    def _person_niss(self, record: Any) -> Niss:
        """The NISS of the person of ``record``, from an INSS before it (as the XSD has it).

        Only what precedes the record counts: iterparse has often parsed further
        ahead (a whole chunk), so looking at the whole person would make the result
        depend on where a read happened to stop.
        """
        if self.person_niss is None and self.person_error is None:
            person = record.getparent()
            # INSS comes second in a NaturalPerson (after its sequence number, in the XSD's
            # order): look there first, a tag-filtered search costs ten times more.
            first = record.getprevious() is None
            inss = person[1] if len(person) > 1 and not first else None
            if inss is None or inss.tag != "INSS":
                before = list(record.itersiblings("INSS", preceding=True))
                inss = before[-1] if before else None
            text = None if inss is None else inss.text
            # A NISS already read (plain digits: nothing to strip) is shared; measured.
            if text is not None and text.isdigit():
                self.person_niss = _known_nisses.get((text,))
            if self.person_niss is None:
                fields = FieldReader(person, self.label, self.person_path, children={"INSS": inss})
                try:
                    self.person_niss = fields.convert(
                        "INSS", known_niss, required=True, identifier=True
                    )
                except InvalidValueError as error:
                    self.person_error = error
        if self.person_error is not None:
            raise self.person_error
        assert self.person_niss is not None
        return self.person_niss

    def _quarter_dates(self, fields: FieldReader) -> tuple[date, date]:
        find = fields.find
        first, last = find("NOSSQuarterStartingDate"), find("NOSSQuarterEndingDate")
        texts = (
            None if first is None else first.text,
            None if last is None else last.text,
        )
        if texts == self._quarter_texts:  # every record of a declaration: same dates
            return self._quarter_key
        quarter_start = fields.iso_date("NOSSQuarterStartingDate", required=True)
        quarter_end = fields.iso_date("NOSSQuarterEndingDate", required=True)
        if quarter_end < quarter_start:
            fields.fail(
                f"NOSSQuarterEndingDate {quarter_end} is before NOSSQuarterStartingDate "
                f"{quarter_start}",
                "NOSSQuarterEndingDate",
            )
        key = (quarter_start, quarter_end)
        assert self.quarter is not None
        expected = (self.quarter.period.start, self.quarter.last_day)
        if key != expected:
            error = fields.error(
                f"NOSSQuarterStartingDate..EndingDate {quarter_start}..{quarter_end} do not "
                f"match the declaration's Quarter {self.quarter} ({expected[0]}..{expected[1]})",
                "NOSSQuarterStartingDate"
                if quarter_start != expected[0]
                else "NOSSQuarterEndingDate",
            )
            self.rejection = self.rejection or error
            raise error
        if self._quarter_key != key:
            self._quarter_key, self._quarter_period = key, Period(quarter_start, quarter_end)
        self._quarter_texts = texts
        return key

    def _worker_record(self, record: Any, path: str) -> DmfaWorkerRecord:
        niss = self._person_niss(record)
        # Plain records by position (xmlio/_dmfa_fast.py); anything else, checked.
        plain = plain_record(record, self._quarter_texts)
        fields: FieldReader | None = None
        if plain is None:
            fields, quarter, worker_code, employer_class, occupations = self._checked_fields(
                record, path
            )
        else:
            quarter = self._quarter_key
            worker_code, employer_class, occupations = plain
        lines = []
        for index, occupation in enumerate(occupations, start=1):
            line = fast_occupation(occupation, f"{path}.Occupation[{index}]", self.label, quarter)
            if line is None:
                fields = fields or FieldReader(record, self.label, path)
                step = f"Occupation[{index}]"
                line = read_occupation(fields, occupation, step, quarter)
            lines.append(line)
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

    def _checked_fields(
        self, record: Any, path: str
    ) -> tuple[FieldReader, tuple[date, date], int, str, Sequence[Any]]:
        """The record's fields read with every check, and its occupation elements."""
        children: dict[str, Any] = {}
        occupations: list[Any] = []
        for child in record:
            if child.tag == "Occupation":
                occupations.append(child)
            else:
                children[child.tag] = child
        fields = FieldReader(record, self.label, path, children=children)
        quarter = self._quarter_dates(fields)
        worker_code = fields.integer("WorkerCode", required=True)
        employer_class = fields.text("EmployerClass", required=True)
        return fields, quarter, worker_code, employer_class, occupations

    def _read_record(self, element: Any) -> DmfaWorkerRecord | None:
        """One WorkerRecord, or None (its error kept) when refused."""
        path = f"{self.person_path}.WorkerRecord[{self.record_index}]"
        try:
            return self._worker_record(element, path)
        except InvalidValueError as error:
            if error.source is None:  # raised by a value class, not by a field
                error.source = SourceRef(self.label, element.sourceline)
                error.path = error.path or path
            self._keep(error)
            return None

    # -- the stream ----------------------------------------------------------
    def _check_root(self, root: str) -> None:
        if root == _UPDATE_ROOT:
            raise UnsupportedDocumentError(
                f"{_UPDATE_ROOT} (modification declaration) is not an original: root element "
                f"<{root}>; this reader reads original declarations (<{_ROOT}>) only: read "
                "modifications with iter_dmfa_updates, or a whole folder with read_corrected_dmfa",
                source=SourceRef(self.label, 1),
            )
        check_root(root, _ROOT, self.label, kind="DmfA")

    def records(self) -> Iterator[tuple[int, DmfaWorkerRecord]]:
        """Yield ``(form index, record)`` for every good WorkerRecord."""
        if not self.sniffed:  # a clear error before anything is read (a DmfAUpdate...)
            self._check_root(root_tag(self.source, self.label))
        root: list[Any] = []  # the root, when no element of _TAGS came (another document)
        events = iterparse_document(
            self.source,
            events=("end",),
            tag=_TAGS,
            name=self.label,
            element_only=_ELEMENT_ONLY,
            root=root,
        )
        form_count = 0
        form_open = False
        root_seen = False
        try:
            # One "end" event per WorkerRecord: persons and forms are noticed as they go by.
            for _event, element in events:
                tag = element.tag
                if not root_seen:
                    self._first_element(element)
                    root_seen = True
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
                        record = self._read_record(element)
                        if record is not None:
                            yield self.form_index, record
                    element.clear()
                elif tag in _HEADER_TAGS:
                    self.header[tag] = element
                elif tag == "EmployerDeclaration":
                    self._end_declaration(element)
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
        self._finish(form_count, [] if root_seen else root)

    def _first_element(self, element: Any) -> None:
        """The first element read: a DOCTYPE refused, and a root that is not an original's
        (no read before checked it when sniffed, or for a stream that cannot rewind)."""
        refuse_doctype(element, self.label)
        self._check_root(str(element.getroottree().getroot().tag))

    def _finish(self, form_count: int, root: list[Any]) -> None:
        """After the last element: the errors summarised; a document that gave no element
        refused by its ``root`` (another document), one that gave no Form as empty."""
        self._summarise_errors()
        if root:
            self._check_root(str(root[0].tag))
        if form_count == 0:
            raise InputError(
                f"empty DmfA declaration: <{_ROOT}> holds no Form", source=SourceRef(self.label, 1)
            )

    def _new_person(self, person: Any) -> None:
        """The first WorkerRecord of a NaturalPerson: drop the persons already read."""
        if self.declaration_ended:
            self._another_declaration(person.getparent())
        elif not self.header_done:
            self._finish_header(person.getparent())
        self.person_index += 1
        self.person_count += 1
        self.person_niss = None
        self.person_error = None
        self.person_path = (
            f"$.Form[{self.form_index}].EmployerDeclaration.NaturalPerson[{self.person_index}]"
        )
        self.record_index = 0
        parent = person.getparent()
        while person.getprevious() is not None:
            del parent[0]


def iter_dmfa(
    source: XmlSource | Iterable[PathLike],
    *,
    name: str | None = None,
    errors: ErrorSink | None = None,
) -> Iterator[DmfaWorkerRecord]:
    """Stream the worker records of ``DmfAOriginal`` documents.

    ``source`` is one document (bytes or a binary stream, labelled ``name`` in
    errors), or one path or an iterable of paths (files, or folders read
    recursively for ``*.xml``; a ``str`` is one path). With ``errors`` (a list
    or an :class:`~mycareer.errors.ErrorCollector`) each bad WorkerRecord's
    error, and each file that cannot be read, is added there and the stream
    goes on; without it, an unreadable document raises at once and one
    :class:`~mycareer.errors.MycareerErrorGroup` listing a document's bad
    records is raised after its last good record. A streaming caller gets the
    records of a document as they are read: use :func:`read_dmfa` to keep only
    whole files.
    """
    for document, label in each_document(source, name=name, errors=errors):
        reader = _DmfaReader(document, label)
        try:
            for _form, record in reader.records():
                if errors is not None and reader.errors:
                    for error in reader.errors:
                        add_error(errors, error)
                    reader.errors.clear()
                yield record
        except InputError as failure:
            if errors is None:
                raise
            add_error(errors, failure)
            continue
        if errors is not None:
            for error in reader.errors:
                add_error(errors, error)
        elif reader.errors:
            raise MycareerErrorGroup(
                f"{label}: {len(reader.errors)} bad DmfA record(s)", list(reader.errors)
            )


@summarised
@attrs.frozen
class DmfaBatch:
    """Everything read from a set of DmfA files.

    ``records`` is the combined population (duplicate originals excluded),
    ``declarations`` one header per employer and quarter actually declared (the
    winners), ``findings`` the non-fatal observations (e.g.
    :data:`DMFA_DUPLICATE_ORIGINAL`), ``errors`` the refused records and files
    (only filled with ``on_error="collect"``), ``rejected`` the files that
    contribute nothing because they failed as a whole (truncated, malformed,
    header or quarter dates inconsistent).
    """

    records: tuple[DmfaWorkerRecord, ...] = ()
    declarations: tuple[DmfaDeclaration, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()
    rejected: tuple[RejectedFile, ...] = ()


def read_dmfa(
    paths: Paths,
    *,
    on_error: Literal["raise", "collect"] = "raise",
    progress: Callable[[Sequence[Path]], Iterable[Path]] | None = None,
) -> DmfaBatch:
    """Read DmfA files and folders (``*.xml``, recursively, sorted) into one population.

    ``paths`` is one path or an iterable of paths (a ``str`` is one path).

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
    files, errors = input_files(paths)
    headers, by_form, rejected = _read_files(files, errors, progress)
    winners, declarations, findings = choose_originals(headers, by_form)
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
    return DmfaBatch(records, tuple(declarations), tuple(findings), tuple(errors), tuple(rejected))


#: A declaration's place in a batch: (file order, form index in the file).


def _read_files(
    files: Sequence[Path],
    errors: list[InvalidValueError],
    progress: Callable[[Sequence[Path]], Iterable[Path]] | None,
) -> tuple[
    list[tuple[FormKey, DmfaDeclaration]],
    dict[FormKey, list[DmfaWorkerRecord]],
    list[RejectedFile],
]:
    """Every file read whole: the headers, the records by form, the files rejected."""
    headers: list[tuple[FormKey, DmfaDeclaration]] = []
    by_form: dict[FormKey, list[DmfaWorkerRecord]] = defaultdict(list)
    rejected: list[RejectedFile] = []
    for file_index, path in enumerate(files if progress is None else progress(files)):
        reader = _DmfaReader(path, str(path))
        read, failures = _read_whole(reader)
        if _settle(reader, failures, len(read), errors, rejected):  # else no record: all or nothing
            for form_index, record in read:
                by_form[(file_index, form_index)].append(record)
            headers.extend(((file_index, form), h) for form, h in reader.declarations)
        del reader  # it holds the file's parse, which is released only once nothing does
        release_parsers()  # each file's buffers, in C (mycareer._gc)
    return headers, by_form, rejected


def _until_failure(
    reader: _DmfaReader, failures: list[InvalidValueError]
) -> Iterator[tuple[int, DmfaWorkerRecord]]:
    """``reader``'s good records; an error that stops the file ends them, put in ``failures``."""
    try:
        yield from reader.records()
    except InputError as error:
        failures.append(error)
    except DATA_ERRORS as error:  # no check caught it: still this file's failure alone
        failures.append(unexpected(error, reader.label))


def _read_whole(
    reader: _DmfaReader,
) -> tuple[list[tuple[int, DmfaWorkerRecord]], list[InvalidValueError]]:
    """Every good record of one file, and the error that stopped it (if one did)."""
    failures: list[InvalidValueError] = []
    return list(_until_failure(reader, failures)), failures


def _settle(
    reader: _DmfaReader,
    failures: list[InvalidValueError],
    read: int,
    errors: list[InvalidValueError],
    rejected: list[RejectedFile],
) -> bool:
    """Report a read file's errors; ``False`` when the whole file is unusable (rejected)."""
    errors.extend(reader.errors)
    failure = failures[0] if failures else reader.rejection
    if failure is None:
        return True
    if failure not in reader.errors:
        errors.append(failure)
    rejected.extend(_rejections(reader, failure, read))
    return False


def read_dmfa_file(path: Path, stage: FileStage, *, sniffed: bool = False) -> FileRead:
    """Read one DmfA original file into ``stage``, whole or not at all.

    The records are fed to ``stage`` as they are read, so the file is never held;
    when the file fails part-way (truncated, malformed, a header or quarter dates
    that make it unusable, as :func:`read_dmfa` rejects a file) the stage is
    discarded and the result says why. Committing is the caller's: it may still
    refuse a file read whole (for instance a second original of a quarter).
    ``sniffed``: the caller read the file's root already (its kind chose this reader,
    :func:`~mycareer.xmlio.documents.sniff_document`), so it is not read a second time
    before the records; the root is still checked at the first element read.
    """
    reader = _DmfaReader(path, str(path), sniffed=sniffed)
    failures: list[InvalidValueError] = []
    kept: dict[int, tuple[list[int], set[str]]] = {}  # form: [records], workers' NISS
    count = 0

    def records() -> Iterator[DmfaWorkerRecord]:
        nonlocal count
        last = -1
        for form, record in _until_failure(reader, failures):
            if form != last:
                lines, workers = kept.setdefault(form, ([0], set()))
                last = form
            lines[0] += 1
            workers.add(record.niss.value)
            count += 1
            yield record

    stream = records()
    stage.feed(stream)
    for _rest in stream:  # a stage that stopped early: the file is still read to its end
        pass
    errors: list[InvalidValueError] = []
    rejected: list[RejectedFile] = []
    if not _settle(reader, failures, count, errors, rejected):
        stage.discard()
        return FileRead((), tuple(errors), tuple(rejected))
    declared = {form for form, _header in reader.declarations}
    return FileRead(
        tuple(_recounted(header, kept.get(form)) for form, header in reader.declarations),
        tuple(errors),
        undeclared=not kept.keys() <= declared,
    )


def _recounted(header: DmfaDeclaration, kept: tuple[list[int], set[str]] | None) -> DmfaDeclaration:
    """The header with the counts of the lines read (as one read recounts each quarter:
    :func:`~mycareer.dmfa_update.apply_dmfa_updates`), not its file's blocks."""
    lines, workers = kept or ([0], set())
    return attrs.evolve(header, worker_count=len(workers), record_count=lines[0])


def _rejections(reader: _DmfaReader, failure: InvalidValueError, read: int) -> list[RejectedFile]:
    """One :class:`RejectedFile` per declaration header met (or one knowing nothing)."""
    failure.message += (
        f" (the whole file is rejected: none of its records are used, {read} read before)"
        if read
        else " (the whole file is rejected)"
    )
    if not reader.seen and reader.header and not reader.header_done:
        reader._finish_header(None)  # cut before the first record: the header may be whole
    seen = reader.seen or [(None, None)]
    return [
        RejectedFile(reader.label, employer, quarter, failure.message) for employer, quarter in seen
    ]
