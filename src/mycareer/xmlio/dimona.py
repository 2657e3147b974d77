"""Read Dimona declarations and ONSS Dimona notifications.

* :func:`iter_dimona` reads a ``Dimona`` document (``Dimona_20231.xsd``):
  one :class:`~mycareer.dimona.DimonaDeclaration` per ``Form`` holding a
  ``DimonaIn``, ``DimonaOut``, ``DimonaUpdate`` or ``DimonaCancel``, with its
  dates, worker type, joint committee (``XXX`` included), planned hours,
  period id (12 digits), employer, INSS, the sender's reference
  (``Form/Reference/ReferenceNbr``) and ``declared_at``
  (``FormCreationDate`` + ``FormCreationHour``).
* :func:`iter_notifications` reads an ONSS ``NOTIFICATION`` document
  (``NOTIFICATION_20223.xsd``): one :class:`~mycareer.dimona.DimonaOutcome`
  per ``Form``, keyed by ``HandledReference/ReferenceNbr``, with the status
  from ``HandlingResult/ResultCode`` (see
  :data:`mycareer.xmlio.dimona_writer.RESULT_CODES`: 0 refused, 1 accepted or,
  with ``AnomalyReport`` blocks, accepted with warnings, 2 pending), the
  ``DimonaPeriodId`` and the period before and after from
  ``ImpactReport/DimonaImpactReport``. An accepted outcome with a period
  before and none after, or any ``IsCancelled`` = 1, is ``cancelled``.
* :func:`read_dimona` reads files and folders, telling declarations,
  notifications and sidecar outcome files (``.json``/``.csv``, see
  :mod:`mycareer.xmlio.sidecar`) apart.

Bad forms never stop the stream (same contract as
:func:`mycareer.xmlio.dmfa.iter_dmfa`): with ``errors`` they are collected and
the stream goes on; without, one error group is raised after the last good one.

>>> from datetime import date
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.xmlio.dimona_writer import dimona_bytes
>>> sent = DimonaDeclaration(
...     DimonaAction.IN, Employer(EnterpriseNumber("0123456749")), Niss("05031500291"),
...     reference="MY-REF-0001", start=date(2023, 2, 8), end=date(2023, 2, 10),
...     worker_type="STU", joint_commission=JointCommission("XXX"), planned_hours=24)
>>> data = dimona_bytes(sent, created_at=datetime(2023, 2, 6, 14, 35))
>>> (d,) = iter_dimona(data, name="in.xml")
>>> print(d.action, d.start, d.end, d.worker_type, d.joint_commission, d.planned_hours)
IN 2023-02-08 2023-02-10 STU XXX 24
>>> print(d.reference, d.declared_at, d.source)
MY-REF-0001 2023-02-06 14:35:00 in.xml:14 $.Form[1].DimonaIn
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import attrs

from mycareer._gc import release_parsers
from mycareer._html import summarised
from mycareer.dimona import DimonaAction, DimonaDeclaration, DimonaOutcome, DimonaStatus
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    InputError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.findings import Finding, Severity
from mycareer.joint_commission import JointCommission
from mycareer.limits import MAX_TEXT_CHARS, shown
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.xmlio._safe import XmlSource, iterparse_document
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
    refuse_doctype,
    root_tag,
    unexpected,
)
from mycareer.xmlio.sidecar import read_outcomes

__all__ = [
    "DIMONA_DAILY_REGISTRATION_SKIPPED",
    "DIMONA_OUTCOME_UNMATCHED",
    "DimonaBatch",
    "iter_dimona",
    "iter_notifications",
    "read_dimona",
]

#: Finding code (info): a ``DailyRegistrationDeclaration`` form, skipped (see below).
DIMONA_DAILY_REGISTRATION_SKIPPED: Final = "DIMONA_DAILY_REGISTRATION_SKIPPED"
#: Why daily registrations are skipped: they record the hours worked on one day
#: inside an existing period (its ``DimonaPeriodId``); they neither create, move
#: nor end a period, so the timeline has nothing to take from them.
DAILY_REGISTRATION_REASON: Final = (
    "a daily registration records the hours of one day within an existing Dimona period; "
    "it does not create, change or end a period, so it is not read"
)


class _Skipped(Exception):
    """A form read on purpose into nothing: the finding says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


#: Finding code: an outcome whose reference matches no declaration read.
DIMONA_OUTCOME_UNMATCHED: Final = "DIMONA_OUTCOME_UNMATCHED"

_BLOCKS: Final = {
    "DimonaIn": DimonaAction.IN,
    "DimonaOut": DimonaAction.OUT,
    "DimonaUpdate": DimonaAction.UPDATE,
    "DimonaCancel": DimonaAction.CANCEL,
}
_RESULTS: Final = {"0": DimonaStatus.REFUSED, "1": DimonaStatus.ACCEPTED, "2": DimonaStatus.PENDING}

_T = TypeVar("_T")


def _period_id(fields: FieldReader, name: str = "DimonaPeriodId") -> str | None:
    text = fields.text(name, limit=40)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        fields.fail(f"invalid DimonaPeriodId {shown(text)}: expected up to 12 digits", name)
    return text.zfill(12)


def _moment(
    fields: FieldReader, day_tag: str = "FormCreationDate", hour_tag: str = "FormCreationHour"
) -> datetime | None:
    day = fields.iso_date(day_tag)
    if day is None:
        return None
    hour = fields.text(hour_tag, limit=40)
    try:
        return datetime.combine(day, form_hour(hour))
    except ValueError:
        fields.fail(f"invalid {hour_tag} {shown(hour)}: expected HH:MM:SS.sss", hour_tag)


def _employer(fields: FieldReader, default: Employer | None) -> Employer:
    employer_id = fields.find("EmployerId")
    if employer_id is None:
        if default is None:
            fields.fail("missing EmployerId (pass default_employer= to read it)", "EmployerId")
        return default
    ids = fields.child(employer_id, "EmployerId")
    enterprise = ids.convert("CompanyID", EnterpriseNumber, identifier=True)
    nsso = ids.convert("NOSSRegistrationNbr", NssoNumber, identifier=True) or ids.convert(
        "ProvisionalNSSONbr", NssoNumber, identifier=True
    )
    if enterprise is None and nsso is None:
        ids.fail("EmployerId names no employer")
    return Employer(enterprise, nsso)


def _block(fields: FieldReader) -> Any:
    """The form's DimonaIn/Out/Update/Cancel element."""
    for child in fields.element:
        if child.tag in _BLOCKS:
            return child
        if child.tag == "DailyRegistrationDeclaration":
            period_id = child.findtext("DimonaPeriodId") or "?"
            raise _Skipped(
                Finding(
                    DIMONA_DAILY_REGISTRATION_SKIPPED,
                    Severity.INFO,
                    f"DailyRegistrationDeclaration for period {period_id.strip()} skipped: "
                    f"{DAILY_REGISTRATION_REASON}",
                    SourceRef(fields.file, child.sourceline, f"{fields.path}.{child.tag}"),
                )
            )
    fields.fail("the Form holds no DimonaIn, DimonaOut, DimonaUpdate or DimonaCancel")


def _declaration(
    form: Any, label: str, path: str, default_employer: Employer | None
) -> DimonaDeclaration:
    form_fields = FieldReader(form, label, path)
    block = _block(form_fields)
    action = _BLOCKS[block.tag]
    fields = form_fields.child(block, block.tag)
    inss = "NaturalPerson/INSS" if action is DimonaAction.IN else "INSS"
    start = fields.iso_date("StartingDate")
    end = fields.iso_date("EndingDate")
    if action is DimonaAction.IN and start is None:
        fields.fail("a DimonaIn needs a StartingDate", "StartingDate", element=block)
    if action is DimonaAction.OUT and end is None:
        fields.fail("a DimonaOut needs an EndingDate", "EndingDate", element=block)
    if start is not None and end is not None and end < start:
        fields.fail(f"EndingDate {end} is before StartingDate {start}", "EndingDate", element=block)
    period_id = _period_id(fields)
    if action is not DimonaAction.IN and period_id is None:
        fields.fail(f"a {block.tag} needs a DimonaPeriodId", "DimonaPeriodId", element=block)
    return DimonaDeclaration(
        action=action,
        employer=_employer(fields, default_employer),
        niss=fields.convert(inss, Niss, identifier=True),
        period_id=period_id,
        reference=form_fields.text("Reference/ReferenceNbr"),
        start=start,
        end=end,
        worker_type=fields.text("DimonaFeatures/WorkerType"),
        joint_commission=fields.convert("DimonaFeatures/JointCommissionNbr", JointCommission),
        planned_hours=fields.integer("PlannedHoursNbr"),
        declared_at=_moment(form_fields),
        source=SourceRef(label, block.sourceline, fields.path),
    )


def _notification_period(impact: FieldReader, tag: str) -> Period | None:
    block = impact.find(tag)
    if block is None:
        return None
    fields = impact.child(block, tag)
    start = fields.iso_date("StartingDate")
    if start is None:
        return None
    end = fields.iso_date("EndingDate")
    if end is not None and end < start:
        fields.fail(f"EndingDate {end} is before StartingDate {start}", "EndingDate", element=block)
    return Period(start, end)


def _outcome(form: Any, label: str, path: str) -> DimonaOutcome:
    fields = FieldReader(form, label, path)
    result = fields.find("HandlingResult")
    if result is None:
        fields.fail("missing HandlingResult", "HandlingResult", element=form)
    handling = fields.child(result, "HandlingResult")
    code = handling.text("ResultCode", limit=40)
    if code not in _RESULTS:
        handling.fail(f"invalid ResultCode {shown(code)}: expected 0, 1 or 2", "ResultCode")
    anomalies = tuple(
        text[:MAX_TEXT_CHARS]
        for text in (r.findtext("ErrorID") for r in result.iterfind("AnomalyReport"))
        if text
    )
    status = _RESULTS[code]
    if status is DimonaStatus.ACCEPTED and anomalies:
        status = DimonaStatus.ACCEPTED_WITH_WARNINGS
    impact_element = result.find("ImpactReport/DimonaImpactReport")
    period_id = before = after = None
    cancelled = False
    if impact_element is not None:
        impact = handling.child(impact_element, "ImpactReport.DimonaImpactReport")
        period_id = _period_id(impact)
        before = _notification_period(impact, "DimonaPeriodBefore")
        after = _notification_period(impact, "DimonaPeriodAfter")
        cancelled = status.counts and before is not None and after is None
    if any((c.text or "").strip() == "1" for c in form.iter("IsCancelled")):
        cancelled = True
    return DimonaOutcome(
        status=status,
        reference=fields.text("HandledReference/ReferenceNbr"),
        period_id=period_id,
        source=SourceRef(label, form.sourceline, path),
        period_before=before,
        period_after=after,
        cancelled=cancelled,
        notified_at=_moment(fields),
        anomalies=anomalies,
    )


def _forms(
    source: XmlSource,
    label: str,
    root: str,
    kind: str,
    build: Callable[[Any, str], _T],
    errors: ErrorSink | None,
    findings: list[Finding] | None = None,
) -> Iterator[_T]:
    check_root(root_tag(source, label), root, label, kind=kind)
    problems: list[InvalidValueError] = []
    events = iterparse_document(source, events=("end",), tag="Form", name=label)
    index = 0
    try:
        for _event, form in events:
            if index == 0:
                refuse_doctype(form, label)  # non-seekable streams skip the root sniff
            if form.getparent() is None or form.getparent().tag != root:
                continue  # a nested Form (none in these schemas): not ours
            index += 1
            path = f"$.Form[{index}]"
            try:
                item = build(form, path)
            except _Skipped as skipped:
                if findings is not None:
                    findings.append(skipped.finding)
            except InvalidValueError as error:
                if error.source is None:  # raised by a value class, not by a field
                    error.source = SourceRef(label, form.sourceline)
                    error.path = error.path or path
                if errors is not None:
                    add_error(errors, error)
                else:
                    problems.append(error)
            else:
                yield item
            form.clear()
            while form.getprevious() is not None:
                del form.getparent()[0]
    finally:
        close_events(events)
    if index == 0:
        raise InputError(
            f"empty {kind} document: <{root}> holds no Form", source=SourceRef(label, 1)
        )
    if problems:
        raise MycareerErrorGroup(f"{label}: {len(problems)} bad {kind} form(s)", problems)


def iter_dimona(
    source: XmlSource | Iterable[PathLike],
    *,
    name: str | None = None,
    errors: ErrorSink | None = None,
    default_employer: Employer | None = None,
    findings: list[Finding] | None = None,
) -> Iterator[DimonaDeclaration]:
    """Stream the declarations of ``Dimona`` documents (one per ``Form``).

    ``source`` is one document (bytes, a stream) or one path or an iterable of
    paths (files, or folders of ``*.xml``); ``errors`` works as in
    :func:`mycareer.xmlio.dmfa.iter_dmfa`. ``default_employer`` stands in when
    a form has no ``EmployerId`` (it is optional in the schema: the sender is
    then the employer). A ``DailyRegistrationDeclaration`` form is skipped: a
    :data:`DIMONA_DAILY_REGISTRATION_SKIPPED` info finding goes to ``findings``
    when given (:data:`DAILY_REGISTRATION_REASON` says why).
    """
    for document, label in each_document(source, name=name, errors=errors):
        yield from _guarded(
            document,
            label,
            errors,
            "Dimona",
            functools.partial(_declaration_at, label=label, default_employer=default_employer),
            findings,
        )


def iter_notifications(
    source: XmlSource | Iterable[PathLike],
    *,
    name: str | None = None,
    errors: ErrorSink | None = None,
) -> Iterator[DimonaOutcome]:
    """Stream the outcomes of ONSS ``NOTIFICATION`` documents (one per ``Form``)."""
    for document, label in each_document(source, name=name, errors=errors):
        yield from _guarded(
            document,
            label,
            errors,
            "NOTIFICATION",
            functools.partial(_outcome_at, label=label),
        )


def _declaration_at(
    form: Any, path: str, *, label: str, default_employer: Employer | None
) -> DimonaDeclaration:
    return _declaration(form, label, path, default_employer)


def _outcome_at(form: Any, path: str, *, label: str) -> DimonaOutcome:
    return _outcome(form, label, path)


def _guarded(
    document: XmlSource,
    label: str,
    errors: ErrorSink | None,
    root: str,
    build: Callable[[Any, str], _T],
    findings: list[Finding] | None = None,
) -> Iterator[_T]:
    """One document's items; with a sink, a document that cannot be read goes there."""
    try:
        yield from _forms(document, label, root, root, build, errors, findings)
    except InputError as failure:
        if errors is None:
            raise
        add_error(errors, failure)


@summarised
@attrs.frozen
class DimonaBatch:
    """Declarations, outcomes (notifications and sidecars), findings and errors of a batch."""

    declarations: tuple[DimonaDeclaration, ...] = ()
    outcomes: tuple[DimonaOutcome, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()


def _read_file(
    path: Path, default_employer: Employer | None, skipped: list[Finding]
) -> tuple[list[DimonaDeclaration] | list[DimonaOutcome], bool, list[InvalidValueError]]:
    """One file's items, whether they are outcomes, and its errors (never raises on input)."""
    label = str(path)
    errors: list[InvalidValueError] = []
    items: list[Any] = []
    outcome_file = True
    try:
        if path.suffix.lower() in (".json", ".csv"):
            items.extend(read_outcomes(path))
        elif root_tag(path, label) == "NOTIFICATION":
            items.extend(iter_notifications(path, errors=errors))
        else:
            outcome_file = False
            found: list[Finding] = []
            items.extend(
                iter_dimona(path, errors=errors, default_employer=default_employer, findings=found)
            )
            skipped.extend(found)
    except MycareerErrorGroup as group:
        errors.extend(e for e in group.exceptions if isinstance(e, InvalidValueError))
    except InvalidValueError as error:
        errors.append(error)
    except DATA_ERRORS as error:
        errors.append(unexpected(error, label))
    return items, outcome_file, errors


def read_dimona(
    paths: Paths,
    *,
    on_error: Literal["raise", "collect"] = "raise",
    default_employer: Employer | None = None,
) -> DimonaBatch:
    """Read Dimona files and folders (recursively, sorted) into one batch.

    Each ``.xml`` file is a declaration (root ``Dimona``) or a notification
    (root ``NOTIFICATION``), told apart by its root; ``.json`` and ``.csv``
    files are sidecar outcomes (:func:`mycareer.xmlio.sidecar.read_outcomes`).
    An outcome whose reference matches no declaration read gives a
    :data:`DIMONA_OUTCOME_UNMATCHED` finding. ``on_error`` works as in
    :func:`mycareer.xmlio.dmfa.read_dmfa`.
    """
    if on_error not in ("raise", "collect"):
        raise InvalidValueError(f"on_error must be 'raise' or 'collect', not {on_error!r}")
    files, errors = input_files(paths, (".xml", ".json", ".csv"))
    declarations: list[DimonaDeclaration] = []
    outcomes: list[DimonaOutcome] = []
    skipped: list[Finding] = []
    for path in files:
        read, outcome_file, file_errors = _read_file(path, default_employer, skipped)
        errors.extend(file_errors)
        if not any(isinstance(error, InputError) for error in file_errors):  # all or nothing
            (outcomes if outcome_file else declarations).extend(read)  # type: ignore[arg-type]
        release_parsers()  # this file's parse (mycareer._gc: a declaration a file, often)
    references = {d.reference for d in declarations if d.reference}
    findings = skipped + [
        Finding(
            DIMONA_OUTCOME_UNMATCHED,
            Severity.WARNING,
            f"outcome for reference {shown(outcome.reference)} matches no declaration read",
            outcome.source,
        )
        for outcome in outcomes
        if declarations and outcome.reference and outcome.reference not in references
    ]
    if errors and on_error == "raise":
        raise MycareerErrorGroup(
            f"Dimona batch: {len(errors)} problem(s) in {len(files)} file(s)", errors
        )
    return DimonaBatch(tuple(declarations), tuple(outcomes), tuple(findings), tuple(errors))
