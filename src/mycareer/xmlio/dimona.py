"""Read Dimona declarations and ONSS Dimona notifications.

* :func:`iter_dimona` reads a ``Dimona`` document (career-data.md §2.3–2.4):
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

import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from typing import Any, Final, Literal, TypeVar

import attrs

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
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.xmlio._safe import XmlSource, iterparse_document, source_name
from mycareer.xmlio.dmfa import (
    ErrorSink,
    _add,
    _root_tag,
    check_root,
    close_events,
    refuse_doctype,
    xml_files,
)
from mycareer.xmlio.sidecar import read_outcomes

__all__ = [
    "DIMONA_OUTCOME_UNMATCHED",
    "DimonaBatch",
    "iter_dimona",
    "iter_notifications",
    "read_dimona",
]

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


class _Bad(Exception):
    def __init__(
        self,
        message: str,
        element: Any,
        tag: str,
        error: type[InvalidValueError] = InvalidValueError,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.element = element
        self.tag = tag
        self.error = error


def _text(parent: Any, path: str) -> tuple[str | None, Any]:
    element = parent.find(path)
    if element is None:
        return None, None
    text = (element.text or "").strip()
    return (text or None), element


def _date(parent: Any, path: str) -> date | None:
    text, element = _text(parent, path)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"invalid {path} {text!r}: expected a date YYYY-MM-DD", element, path) from None


def _convert(parent: Any, path: str, build: Callable[[str], _T]) -> _T | None:
    text, element = _text(parent, path)
    if text is None:
        return None
    try:
        return build(text)
    except InvalidValueError as error:
        raise _Bad(error.message, element, path, type(error)) from None


def _int(parent: Any, path: str) -> int | None:
    text, element = _text(parent, path)
    if text is None:
        return None
    if not text.isdigit():
        raise _Bad(f"invalid {path} {text!r}: expected digits", element, path)
    return int(text)


def _period_id(parent: Any, path: str = "DimonaPeriodId") -> str | None:
    text, element = _text(parent, path)
    if text is None:
        return None
    if not text.isdigit() or len(text) > 12:
        raise _Bad(f"invalid DimonaPeriodId {text!r}: expected up to 12 digits", element, path)
    return text.zfill(12)


def _moment(
    form: Any, day_tag: str = "FormCreationDate", hour_tag: str = "FormCreationHour"
) -> datetime | None:
    day = _date(form, day_tag)
    if day is None:
        return None
    hour, element = _text(form, hour_tag)
    try:
        return datetime.combine(day, time.fromisoformat(hour) if hour else time())
    except ValueError:
        raise _Bad(
            f"invalid {hour_tag} {hour!r}: expected HH:MM:SS.sss", element, hour_tag
        ) from None


def _employer(block: Any, default: Employer | None) -> Employer:
    employer_id = block.find("EmployerId")
    if employer_id is None:
        if default is None:
            raise _Bad(
                "missing EmployerId (pass default_employer= to read it)", block, "EmployerId"
            )
        return default
    try:
        enterprise = _convert(employer_id, "CompanyID", EnterpriseNumber)
        nsso = _convert(employer_id, "NOSSRegistrationNbr", NssoNumber) or _convert(
            employer_id, "ProvisionalNSSONbr", NssoNumber
        )
    except _Bad as bad:
        bad.tag = f"EmployerId.{bad.tag}"
        raise
    if enterprise is None and nsso is None:
        raise _Bad("EmployerId names no employer", employer_id, "EmployerId")
    return Employer(enterprise, nsso)


def _declaration(
    form: Any, label: str, path: str, default_employer: Employer | None
) -> DimonaDeclaration:
    block = None
    for child in form:
        if child.tag in _BLOCKS:
            block = child
            break
        if child.tag == "DailyRegistrationDeclaration":
            raise _Bad(
                "DailyRegistrationDeclaration is not supported yet",
                child,
                "DailyRegistrationDeclaration",
            )
    if block is None:
        raise _Bad(
            "the Form holds no DimonaIn, DimonaOut, DimonaUpdate or DimonaCancel", form, "Form"
        )
    action = _BLOCKS[block.tag]
    inss = "NaturalPerson/INSS" if action is DimonaAction.IN else "INSS"
    try:
        start = _date(block, "StartingDate")
        end = _date(block, "EndingDate")
        if action is DimonaAction.IN and start is None:
            raise _Bad("a DimonaIn needs a StartingDate", block, "StartingDate")
        if action is DimonaAction.OUT and end is None:
            raise _Bad("a DimonaOut needs an EndingDate", block, "EndingDate")
        if start is not None and end is not None and end < start:
            raise _Bad(f"EndingDate {end} is before StartingDate {start}", block, "EndingDate")
        period_id = _period_id(block)
        if action is not DimonaAction.IN and period_id is None:
            raise _Bad(f"a {block.tag} needs a DimonaPeriodId", block, "DimonaPeriodId")
        declaration = DimonaDeclaration(
            action=action,
            employer=_employer(block, default_employer),
            niss=_convert(block, inss, Niss),
            period_id=period_id,
            reference=_text(form, "Reference/ReferenceNbr")[0],
            start=start,
            end=end,
            worker_type=_text(block, "DimonaFeatures/WorkerType")[0],
            joint_commission=_convert(block, "DimonaFeatures/JointCommissionNbr", JointCommission),
            planned_hours=_int(block, "PlannedHoursNbr"),
            declared_at=_moment(form),
            source=SourceRef(label, block.sourceline, f"{path}.{block.tag}"),
        )
    except _Bad as bad:
        if not bad.tag.startswith(block.tag):
            bad.tag = f"{block.tag}.{bad.tag}"
        raise
    return declaration


def _notification_period(impact: Any, tag: str) -> Period | None:
    block = impact.find(tag)
    if block is None:
        return None
    start = _date(block, "StartingDate")
    if start is None:
        return None
    end = _date(block, "EndingDate")
    if end is not None and end < start:
        raise _Bad(f"EndingDate {end} is before StartingDate {start}", block, f"{tag}.EndingDate")
    return Period(start, end)


def _outcome(form: Any, label: str, path: str) -> DimonaOutcome:
    result = form.find("HandlingResult")
    if result is None:
        raise _Bad("missing HandlingResult", form, "HandlingResult")
    code, element = _text(result, "ResultCode")
    if code not in _RESULTS:
        raise _Bad(
            f"invalid ResultCode {code!r}: expected 0, 1 or 2",
            element if element is not None else result,
            "HandlingResult.ResultCode",
        )
    anomalies = tuple(
        text for text in (r.findtext("ErrorID") for r in result.iterfind("AnomalyReport")) if text
    )
    status = _RESULTS[code]
    if status is DimonaStatus.ACCEPTED and anomalies:
        status = DimonaStatus.ACCEPTED_WITH_WARNINGS
    impact = result.find("ImpactReport/DimonaImpactReport")
    period_id = before = after = None
    cancelled = False
    if impact is not None:
        try:
            period_id = _period_id(impact)
            before = _notification_period(impact, "DimonaPeriodBefore")
            after = _notification_period(impact, "DimonaPeriodAfter")
        except _Bad as bad:
            bad.tag = f"HandlingResult.ImpactReport.DimonaImpactReport.{bad.tag}"
            raise
        cancelled = status.counts and before is not None and after is None
    if any((c.text or "").strip() == "1" for c in form.iter("IsCancelled")):
        cancelled = True
    return DimonaOutcome(
        status=status,
        reference=_text(form, "HandledReference/ReferenceNbr")[0],
        period_id=period_id,
        source=SourceRef(label, form.sourceline, path),
        period_before=before,
        period_after=after,
        cancelled=cancelled,
        notified_at=_moment(form),
        anomalies=anomalies,
    )


def _forms(
    source: XmlSource,
    label: str,
    root: str,
    kind: str,
    build: Callable[[Any, str], _T],
    errors: ErrorSink | None,
) -> Iterator[_T]:
    check_root(_root_tag(source, label), root, label, kind=kind)
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
            except _Bad as bad:
                line = bad.element.sourceline if bad.element is not None else form.sourceline
                error = bad.error(
                    bad.message,
                    path=f"{path}.{bad.tag.replace('/', '.')}",
                    source=SourceRef(label, line),
                )
                if errors is not None:
                    _add(errors, error)
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
    source: XmlSource,
    *,
    name: str | None = None,
    errors: ErrorSink | None = None,
    default_employer: Employer | None = None,
) -> Iterator[DimonaDeclaration]:
    """Stream the declarations of one ``Dimona`` document (one per ``Form``).

    ``default_employer`` stands in when a form has no ``EmployerId`` (it is
    optional in the schema: the sender is then the employer).
    """
    label = name or source_name(source)
    yield from _forms(
        source,
        label,
        "Dimona",
        "Dimona",
        lambda form, path: _declaration(form, label, path, default_employer),
        errors,
    )


def iter_notifications(
    source: XmlSource, *, name: str | None = None, errors: ErrorSink | None = None
) -> Iterator[DimonaOutcome]:
    """Stream the outcomes of one ONSS ``NOTIFICATION`` document (one per ``Form``)."""
    label = name or source_name(source)
    yield from _forms(
        source,
        label,
        "NOTIFICATION",
        "NOTIFICATION",
        lambda form, path: _outcome(form, label, path),
        errors,
    )


@attrs.frozen
class DimonaBatch:
    """Declarations, outcomes (notifications and sidecars), findings and errors of a batch."""

    declarations: tuple[DimonaDeclaration, ...] = ()
    outcomes: tuple[DimonaOutcome, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()


def read_dimona(
    paths: Iterable[str | os.PathLike[str]],
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
    files, errors = xml_files(paths, (".xml", ".json", ".csv"))
    declarations: list[DimonaDeclaration] = []
    outcomes: list[DimonaOutcome] = []
    for path in files:
        label = str(path)
        try:
            if path.suffix.lower() in (".json", ".csv"):
                outcomes.extend(read_outcomes(path))
                continue
            root = _root_tag(path, label)
            if root == "NOTIFICATION":
                outcomes.extend(iter_notifications(path, errors=errors))
            else:
                declarations.extend(
                    iter_dimona(path, errors=errors, default_employer=default_employer)
                )
        except MycareerErrorGroup as group:
            errors.extend(e for e in group.exceptions if isinstance(e, InvalidValueError))
        except InvalidValueError as error:
            errors.append(error)
    references = {d.reference for d in declarations if d.reference}
    findings = [
        Finding(
            DIMONA_OUTCOME_UNMATCHED,
            Severity.WARNING,
            f"outcome for reference {outcome.reference!r} matches no declaration read",
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
