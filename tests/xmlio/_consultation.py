"""Build ``DmfAConsultationAnswer`` documents for tests (no official sample exists).

The documents follow ``DmfAConsultationAnswer_20224.xsd``'s order; a test
checks them against the XSD, so what the reader is tested on is realistic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa_writer import form_hour, occupation_element

_SUB_LINES = {"Service": "ServiceAction", "Remun": "RemunAction"}


def _leaf(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def _form_head(parent: etree._Element, tag: str, moment: datetime) -> etree._Element:
    form = etree.SubElement(parent, tag)
    _leaf(form, "Identification", "DMFADB" if tag == "Form" else "DMFAREQ")
    _leaf(form, "FormCreationDate", moment.date().isoformat())
    _leaf(form, "FormCreationHour", form_hour(moment))
    _leaf(form, "AttestationStatus", "0")
    _leaf(form, "TypeForm", "RE")
    return form


def _occupation(line: etree._Element, record: DmfaWorkerRecord) -> None:
    for occupation in record.occupations:
        occupation_element(line, occupation, "OccupationConsultation")
    for element in line.iterchildren("OccupationConsultation"):
        retired = element.find("Retired")
        assert retired is not None
        retired.addnext(etree.Element("OccupationVersionNbr"))
        version = retired.getnext()
        assert version is not None
        version.text = "1"
        version.addnext(etree.Element("Action"))
        action = version.getnext()
        assert action is not None
        action.text = "0"
        for child in element:
            if child.tag in _SUB_LINES:
                child.tag = _SUB_LINES[child.tag]
                _leaf(child, "Action", "0")
            elif child.tag == "ReorgMeasureInformation":
                child.tag = "ReorgMeasureInformationAction"
                _leaf(child, "Action", "0")


def consultation_bytes(
    employer: Employer,
    quarter: Quarter,
    records: Sequence[DmfaWorkerRecord],
    *,
    created_at: datetime,
) -> bytes:
    """One answer form holding ``records`` as the ONSS's state of the declaration."""
    root = etree.Element("DmfAConsultationAnswer")
    form = _form_head(root, "Form", created_at)
    _form_head(form, "HandledOriginalForm", created_at)
    handled = etree.SubElement(form, "HandledReference")
    _leaf(handled, "ReferenceType", "1")
    _leaf(handled, "ReferenceOrigin", "1")
    _leaf(handled, "ReferenceNbr", "REQ-1")
    declaration = etree.SubElement(form, "EmployerDeclarationConsult")
    _leaf(declaration, "Quarter", str(quarter))
    _leaf(declaration, "NOSSRegistrationNbr", employer.nsso.value if employer.nsso else "0")
    _leaf(declaration, "Trusteeship", "0")
    _leaf(declaration, "CompanyID", employer.enterprise.value if employer.enterprise else "0")
    _leaf(declaration, "ResultCodeResearch", "0")
    for sequence, record in enumerate(records, start=1):
        person = etree.SubElement(declaration, "NaturalPersonConsult")
        _leaf(person, "NaturalPersonSequenceNbr", str(sequence))
        _leaf(person, "INSS", record.niss.value)
        _leaf(person, "ResultCodeResearch", "0")
        line = etree.SubElement(person, "WorkerRecordConsult")
        _leaf(line, "EmployerClass", record.employer_class)
        _leaf(line, "WorkerCode", f"{record.worker_code:03d}")
        _leaf(line, "NOSSQuarterStartingDate", record.quarter_period.start.isoformat())
        end = record.quarter_period.end or quarter.last_day
        _leaf(line, "NOSSQuarterEndingDate", end.isoformat())
        _leaf(line, "Border", "0")
        _leaf(line, "WorkerRecordPID", "1")
        _leaf(line, "WorkerRecordVersionNbr", "1")
        _leaf(line, "CodeSubjected", "0")
        _leaf(line, "Action", "0")
        _occupation(line, record)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
