"""Write DmfA modification declarations (``DmfAUpdate``), valid against ``DmfAUpdate_20223.xsd``.

For vendors who produce corrections, and for tests and benchmarks. One form per
document: the ``EmployerDeclarationUpdate`` of ``form`` (its employer, quarter
and ``EmployerDeclarationPID``, which the ONSS gives and the writer requires),
then one ``NaturalPersonUpdate`` per run of line updates of the same worker.
Each line update becomes a ``WorkerRecordUpdate``: ``LastSituationWR`` when
the update names a last situation (its ``WorkerRecordVersionNbr`` is then
required too), and ``WorkerRecordUpdateAction`` with the new situation, whose
occupations are written like the original's (see
:mod:`mycareer.xmlio.dmfa_writer`) as ``OccupationUpdate``. A deletion
(action 0) carries no occupation. Streaming: one person in memory at a time.
Paths are written to a temporary file that replaces the target only once the
whole document is written.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Final

from lxml import etree

from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.errors import InvalidValueError
from mycareer.outputs import atomic_output
from mycareer.xmlio.dmfa_writer import XSI_NAMESPACE, XmlSink, form_hour, occupation_element

if TYPE_CHECKING:
    from lxml.etree._serializer import _IncrementalFileWriter

__all__ = ["DMFA_UPDATE_SCHEMA_FILE", "dmfa_update_bytes", "write_dmfa_update"]

#: The official schema file name the written documents point at.
DMFA_UPDATE_SCHEMA_FILE: Final = "DmfAUpdate_20223.xsd"
_SCHEMA_LOCATION: Final = f"{{{XSI_NAMESPACE}}}noNamespaceSchemaLocation"


def _leaf(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _check(form: DmfaUpdateForm, update: DmfaLineUpdate) -> None:
    record = update.record
    if update.form.employer != form.employer or record.quarter != form.quarter:
        raise InvalidValueError(
            f"worker {record.niss}: an update of employer {update.form.employer} quarter "
            f"{record.quarter} cannot go in the form of {form.employer} quarter {form.quarter}",
            source=record.source,
        )
    if update.last_employer_class is not None and update.last_version is None:
        raise InvalidValueError(
            f"worker {record.niss}: LastSituationWR needs the line's WorkerRecordVersionNbr "
            "(last_version), which the ONSS gives",
            source=record.source,
        )


def _line_update(person: etree._Element, update: DmfaLineUpdate) -> None:
    element = etree.SubElement(person, "WorkerRecordUpdate")
    if update.last_employer_class is not None and update.last_worker_code is not None:
        last = etree.SubElement(element, "LastSituationWR")
        _leaf(last, "EmployerClass", update.last_employer_class)
        _leaf(last, "WorkerCode", f"{update.last_worker_code:03d}")
        _leaf(last, "WorkerRecordVersionNbr", str(update.last_version))
    record = update.record
    action = etree.SubElement(element, "WorkerRecordUpdateAction")
    _leaf(action, "EmployerClass", record.employer_class)
    _leaf(action, "WorkerCode", f"{record.worker_code:03d}")
    _leaf(action, "NOSSQuarterStartingDate", record.quarter_period.start.isoformat())
    end = record.quarter_period.end or record.quarter.last_day
    _leaf(action, "NOSSQuarterEndingDate", end.isoformat())
    _leaf(action, "Border", "0")
    _leaf(action, "UpdateAction", str(int(update.action)))
    if update.action is not UpdateAction.DELETED:
        for occupation in record.occupations:
            occupation_element(action, occupation, "OccupationUpdate")


def _form_head(form: DmfaUpdateForm) -> etree._Element:
    if form.created_at is None:
        raise InvalidValueError("a DmfAUpdate form needs its creation moment (created_at)")
    head = etree.Element("Head")
    _leaf(head, "Identification", "DMFAUPD")
    _leaf(head, "FormCreationDate", form.created_at.date().isoformat())
    _leaf(head, "FormCreationHour", form_hour(form.created_at))
    _leaf(head, "AttestationStatus", "1")  # the XSD allows only 1 in an update
    _leaf(head, "TypeForm", "SU")
    if form.reference is not None:
        block = etree.SubElement(head, "Reference")
        _leaf(block, "ReferenceType", "1")
        _leaf(block, "ReferenceOrigin", "1")
        _leaf(block, "ReferenceNbr", form.reference)
    return head


def _declaration_head(form: DmfaUpdateForm) -> etree._Element:
    pid = form.declaration_id or ""
    if not (pid.isdigit() and 1 <= int(pid) <= 99_999_999_999):
        raise InvalidValueError(
            f"a DmfAUpdate needs the ONSS's EmployerDeclarationPID (1 to 11 digits), got {pid!r}"
        )
    employer = form.employer
    head = etree.Element("Head")
    _leaf(head, "Quarter", str(form.quarter))
    _leaf(head, "NOSSRegistrationNbr", employer.nsso.value if employer.nsso else "0")
    _leaf(head, "Trusteeship", "0")
    _leaf(head, "CompanyID", employer.enterprise.value if employer.enterprise else "0")
    _leaf(head, "EmployerDeclarationPID", pid)
    return head


def _write(stream: IO[bytes], form: DmfaUpdateForm, updates: Iterable[DmfaLineUpdate]) -> None:
    form_head, declaration_head = _form_head(form), _declaration_head(form)
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        root_attributes = {_SCHEMA_LOCATION: DMFA_UPDATE_SCHEMA_FILE}
        with xf.element("DmfAUpdate", root_attributes, nsmap={"xsi": XSI_NAMESPACE}):
            xf.write("\n")
            with xf.element("Form"):
                xf.write("\n")
                for child in form_head:
                    xf.write(child, pretty_print=True)
                with xf.element("EmployerDeclarationUpdate"):
                    xf.write("\n")
                    for child in declaration_head:
                        xf.write(child, pretty_print=True)
                    _write_people(xf, form, updates)
                xf.write("\n")
            xf.write("\n")


def _write_people(
    xf: _IncrementalFileWriter, form: DmfaUpdateForm, updates: Iterable[DmfaLineUpdate]
) -> None:
    person: etree._Element | None = None
    sequence = 0
    for update in updates:
        _check(form, update)
        niss = update.record.niss.value
        if person is None or person.findtext("INSS") != niss:
            if person is not None:
                xf.write(person, pretty_print=True)
            sequence += 1
            person = etree.Element("NaturalPersonUpdate")
            _leaf(person, "NaturalPersonSequenceNbr", str(sequence))
            _leaf(person, "INSS", niss)
        _line_update(person, update)
    if person is None:
        raise InvalidValueError(
            f"a DmfAUpdate needs at least one line update ({form.employer}, quarter {form.quarter})"
        )
    xf.write(person, pretty_print=True)


def write_dmfa_update(
    sink: XmlSink, form: DmfaUpdateForm, updates: Iterable[DmfaLineUpdate]
) -> None:
    """Write one ``DmfAUpdate`` document: ``form``'s declaration and its line updates.

    ``sink`` is a path (written atomically) or a binary stream. Every update
    must belong to ``form``'s employer and quarter; consecutive updates of one
    worker share a ``NaturalPersonUpdate``.
    """
    if not isinstance(sink, str | os.PathLike):
        _write(sink, form, updates)
        return
    with atomic_output(sink) as stream:
        _write(stream, form, updates)


def dmfa_update_bytes(form: DmfaUpdateForm, updates: Iterable[DmfaLineUpdate]) -> bytes:
    """The same document as :func:`write_dmfa_update`, in memory."""
    buffer = io.BytesIO()
    _write(buffer, form, updates)
    return buffer.getvalue()
