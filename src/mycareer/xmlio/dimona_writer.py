"""Write Dimona declarations and ONSS Dimona notifications (test fixtures and demo).

* :func:`write_dimona` writes a ``Dimona`` document (one ``Form`` per
  declaration) valid against the official ``Dimona_20231.xsd``.
  Note that Dimona only accepts the joint
  committees 124, 140, 144, 145, 149, 302, 320, 322 and ``XXX``.
* :func:`write_notifications` writes a ``NOTIFICATION`` document (one ``Form``
  per outcome) valid against ``NOTIFICATION_20223.xsd``: the handled
  declaration's reference (``HandledReference``), the result
  (``HandlingResult/ResultCode``, see :data:`RESULT_CODES`), anomalies, and for
  a period id a ``DimonaImpactReport`` with the period before and after.

A cancelled period is written as a period *before* without a period *after*;
:mod:`mycareer.xmlio.dimona` reads it back as ``cancelled=True``.

>>> from datetime import date, datetime
>>> from mycareer.dimona import DimonaAction, DimonaDeclaration
>>> from mycareer.employer import Employer
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.joint_commission import JointCommission
>>> from mycareer.niss import Niss
>>> declaration = DimonaDeclaration(
...     DimonaAction.IN, Employer(EnterpriseNumber("0123456749")), Niss("05031500291"),
...     reference="MY-REF-0001", start=date(2023, 2, 8), end=date(2023, 2, 10),
...     worker_type="STU", joint_commission=JointCommission("XXX"), planned_hours=24)
>>> data = dimona_bytes(declaration, created_at=datetime(2023, 2, 6, 14, 35))
>>> compact = data.replace(b"\\n", b"").replace(b" ", b"")
>>> b"<DimonaIn><StartingDate>2023-02-08</StartingDate>" in compact
True
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from lxml import etree

from mycareer.dimona import DimonaAction, DimonaDeclaration, DimonaOutcome, DimonaStatus
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.period import Period
from mycareer.xmlio.dmfa_writer import XSI_NAMESPACE, XmlSink, form_hour

__all__ = [
    "DIMONA_SCHEMA_FILE",
    "NOTIFICATION_SCHEMA_FILE",
    "RESULT_CODES",
    "dimona_bytes",
    "notifications_bytes",
    "write_dimona",
    "write_notifications",
]

DIMONA_SCHEMA_FILE: Final = "Dimona_20231.xsd"
NOTIFICATION_SCHEMA_FILE: Final = "NOTIFICATION_20223.xsd"
_SCHEMA_LOCATION: Final = f"{{{XSI_NAMESPACE}}}noNamespaceSchemaLocation"

#: ``HandlingResult/ResultCode`` (zone 00107, values 0–2) for each status.
#: Assumption (the public sources give no code table): 0 refused, 1 accepted
#: (with ``AnomalyReport`` blocks: accepted with warnings), 2 pending.
RESULT_CODES: Final[dict[DimonaStatus, str]] = {
    DimonaStatus.REFUSED: "0",
    DimonaStatus.ACCEPTED: "1",
    DimonaStatus.ACCEPTED_WITH_WARNINGS: "1",
    DimonaStatus.PENDING: "2",
}

_BLOCKS: Final = {
    DimonaAction.IN: "DimonaIn",
    DimonaAction.OUT: "DimonaOut",
    DimonaAction.UPDATE: "DimonaUpdate",
    DimonaAction.CANCEL: "DimonaCancel",
}


def _leaf(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _form_head(form: etree._Element, identification: str, moment: datetime) -> None:
    _leaf(form, "Identification", identification)
    _leaf(form, "FormCreationDate", moment.date().isoformat())
    _leaf(form, "FormCreationHour", form_hour(moment))
    _leaf(form, "AttestationStatus", "0")
    _leaf(form, "TypeForm", "SU")


def _employer_id(parent: etree._Element, employer: Employer) -> None:
    block = etree.SubElement(parent, "EmployerId")
    if employer.nsso is not None:
        tag = "ProvisionalNSSONbr" if employer.nsso.is_provisional else "NOSSRegistrationNbr"
        _leaf(block, tag, employer.nsso.value)
    if employer.enterprise is not None:
        _leaf(block, "CompanyID", employer.enterprise.value)


def _require(declaration: DimonaDeclaration, value: object, what: str) -> None:
    if value is None:
        raise InvalidValueError(
            f"a Dimona {declaration.action.value} needs {what}", source=declaration.source
        )


def _declaration_form(declaration: DimonaDeclaration, moment: datetime) -> etree._Element:
    form = etree.Element("Form")
    _form_head(form, "DIMONA", moment)
    if declaration.reference is not None:
        block = etree.SubElement(form, "Reference")
        _leaf(block, "ReferenceType", "1")
        _leaf(block, "ReferenceOrigin", "1")
        _leaf(block, "ReferenceNbr", declaration.reference)
    action = declaration.action
    body = etree.SubElement(form, _BLOCKS[action])
    if action is DimonaAction.IN:
        _require(declaration, declaration.start, "a start date")
        _require(declaration, declaration.worker_type, "a worker type")
        assert declaration.start is not None
        _leaf(body, "StartingDate", declaration.start.isoformat())
        if declaration.end is not None:
            _leaf(body, "EndingDate", declaration.end.isoformat())
        if declaration.planned_hours is not None:
            _leaf(body, "PlannedHoursNbr", str(declaration.planned_hours))
        _employer_id(body, declaration.employer)
        person = etree.SubElement(body, "NaturalPerson")
        if declaration.niss is not None:
            _leaf(person, "INSS", declaration.niss.value)
        features = etree.SubElement(body, "DimonaFeatures")
        if declaration.joint_commission is not None:
            _leaf(features, "JointCommissionNbr", declaration.joint_commission.code)
        _leaf(features, "WorkerType", str(declaration.worker_type))
        return form
    _require(declaration, declaration.period_id, "a DimonaPeriodId")
    _leaf(body, "DimonaPeriodId", str(declaration.period_id))
    if action is DimonaAction.OUT:
        _require(declaration, declaration.end, "an end date")
        assert declaration.end is not None
        _leaf(body, "EndingDate", declaration.end.isoformat())
    elif action is DimonaAction.UPDATE:
        if declaration.start is not None:
            _leaf(body, "StartingDate", declaration.start.isoformat())
        if declaration.end is not None:
            _leaf(body, "EndingDate", declaration.end.isoformat())
    if declaration.niss is not None:
        _leaf(body, "INSS", declaration.niss.value)
    if action is DimonaAction.UPDATE and declaration.planned_hours is not None:
        _leaf(body, "PlannedHoursNbr", str(declaration.planned_hours))
    _employer_id(body, declaration.employer)
    return form


def write_dimona(
    sink: XmlSink,
    declaration: DimonaDeclaration | Iterable[DimonaDeclaration],
    *,
    created_at: datetime | None = None,
) -> None:
    """Write one ``Dimona`` document holding one ``Form`` per declaration.

    ``FormCreationDate``/``Hour`` come from ``created_at`` or, when it is
    ``None``, from each declaration's ``declared_at`` (one of them is required).
    """
    declarations = [declaration] if isinstance(declaration, DimonaDeclaration) else declaration
    with etree.xmlfile(sink, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(
            "Dimona", {_SCHEMA_LOCATION: DIMONA_SCHEMA_FILE}, nsmap={"xsi": XSI_NAMESPACE}
        ):
            xf.write("\n")
            count = 0
            for item in declarations:
                moment = created_at or item.declared_at
                if moment is None:
                    raise InvalidValueError(
                        "a Dimona declaration needs created_at or declared_at", source=item.source
                    )
                xf.write(_declaration_form(item, moment), pretty_print=True)
                count += 1
            if count == 0:
                raise InvalidValueError("a Dimona document needs at least one declaration")


def dimona_bytes(
    declaration: DimonaDeclaration | Iterable[DimonaDeclaration],
    *,
    created_at: datetime | None = None,
) -> bytes:
    """The same document as :func:`write_dimona`, in memory."""
    buffer = io.BytesIO()
    write_dimona(buffer, declaration, created_at=created_at)
    return buffer.getvalue()


def _period_block(parent: etree._Element, tag: str, period: Period) -> None:
    block = etree.SubElement(parent, tag)
    _leaf(block, "StartingDate", period.start.isoformat())
    if period.end is not None:
        _leaf(block, "EndingDate", period.end.isoformat())


def _notification_form(outcome: DimonaOutcome, moment: datetime) -> etree._Element:
    form = etree.Element("Form")
    _form_head(form, "DIMONA", moment)
    handled = etree.SubElement(form, "HandledReference")
    _leaf(handled, "ReferenceType", "1")
    _leaf(handled, "ReferenceOrigin", "1")
    if outcome.reference is not None:
        _leaf(handled, "ReferenceNbr", outcome.reference)
    result = etree.SubElement(form, "HandlingResult")
    _leaf(result, "ResultCode", RESULT_CODES[outcome.status])
    anomalies = list(outcome.anomalies)
    if outcome.status is DimonaStatus.ACCEPTED_WITH_WARNINGS and not anomalies:
        anomalies = ["00000-000"]  # a warning status needs at least one anomaly to be read back
    for code in anomalies:
        report = etree.SubElement(result, "AnomalyReport")
        _leaf(report, "ErrorID", code)
        _leaf(report, "AnomalyClass", "B" if outcome.status is DimonaStatus.REFUSED else "W")
    if outcome.period_id is not None:
        impact = etree.SubElement(etree.SubElement(result, "ImpactReport"), "DimonaImpactReport")
        _leaf(impact, "DimonaPeriodId", outcome.period_id)
        _leaf(impact, "IsLocked", "0")
        if outcome.period_before is not None:
            _period_block(impact, "DimonaPeriodBefore", outcome.period_before)
        if outcome.period_after is not None and not outcome.cancelled:
            _period_block(impact, "DimonaPeriodAfter", outcome.period_after)
    return form


def write_notifications(
    sink: XmlSink, outcomes: Iterable[DimonaOutcome], *, created_at: datetime | None = None
) -> None:
    """Write one ``NOTIFICATION`` document holding one ``Form`` per outcome.

    ``FormCreationDate``/``Hour`` come from ``created_at`` or each outcome's
    ``notified_at``. A cancelled outcome needs its ``period_before``.
    """
    with etree.xmlfile(sink, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(
            "NOTIFICATION",
            {_SCHEMA_LOCATION: NOTIFICATION_SCHEMA_FILE},
            nsmap={"xsi": XSI_NAMESPACE},
        ):
            xf.write("\n")
            count = 0
            for outcome in outcomes:
                moment = created_at or outcome.notified_at
                if moment is None:
                    raise InvalidValueError(
                        "a notification needs created_at or notified_at", source=outcome.source
                    )
                if outcome.cancelled and outcome.period_before is None:
                    raise InvalidValueError(
                        "a cancelled outcome needs period_before", source=outcome.source
                    )
                xf.write(_notification_form(outcome, moment), pretty_print=True)
                count += 1
            if count == 0:
                raise InvalidValueError("a NOTIFICATION document needs at least one outcome")


def notifications_bytes(
    outcomes: Iterable[DimonaOutcome], *, created_at: datetime | None = None
) -> bytes:
    """The same document as :func:`write_notifications`, in memory."""
    buffer = io.BytesIO()
    write_notifications(buffer, outcomes, created_at=created_at)
    return buffer.getvalue()
