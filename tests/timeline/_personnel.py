"""Build ``PersonnelFileConsultationAnswer`` documents for tests.

The official sample holds no period, so tests build their own, in the order of
``PersonnelFileConsultationAnswer_20223.xsd`` (a test checks them against it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from lxml import etree

from mycareer.employer import Employer
from mycareer.personnel_file import PersonnelFilePeriod


def _leaf(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _form_fields(form: etree._Element, identification: str, moment: datetime) -> None:
    _leaf(form, "Identification", identification)
    _leaf(form, "FormCreationDate", moment.date().isoformat())
    _leaf(form, "FormCreationHour", moment.strftime("%H:%M:%S.000"))
    _leaf(form, "AttestationStatus", "0")
    _leaf(form, "TypeForm", "RE")


def _period(parent: etree._Element, period: PersonnelFilePeriod) -> None:
    element = etree.SubElement(parent, "DimonaPeriod")
    _leaf(element, "DimonaPeriodId", period.period_id)
    _leaf(element, "IsLocked", "1" if period.locked else "0")
    _leaf(element, "IsCancelled", "1" if period.cancelled else "0")
    if period.late is not None:
        _leaf(element, "IsLate", "1" if period.late else "0")
    if period.start is not None:
        _leaf(element, "StartingDate", period.start.isoformat())
    if period.end is not None:
        _leaf(element, "EndingDate", period.end.isoformat())
    if period.planned_hours is not None:  # the XSD allows one of the two
        _leaf(element, "PlannedHoursNbr", str(period.planned_hours))
    elif period.planned_days is not None:
        _leaf(element, "PlannedDaysNbr", str(period.planned_days))
    _leaf(element, "LastUpdateDate", "2024-05-02")
    _leaf(element, "LastUpdateHour", "10:00:00.000")
    if period.niss is not None:
        person = etree.SubElement(element, "NaturalPerson")
        _leaf(person, "INSS", period.niss.value)
    if period.joint_commission is not None or period.worker_type is not None:
        features = etree.SubElement(element, "DimonaFeatures")
        if period.joint_commission is not None:
            _leaf(features, "JointCommissionNbr", period.joint_commission.code)
        if period.worker_type is not None:
            _leaf(features, "WorkerType", period.worker_type)


def personnel_file_bytes(
    employer: Employer,
    periods: Sequence[PersonnelFilePeriod],
    *,
    window: tuple[date, date] | None = None,
    result_code: int = 0,
    created_at: datetime = datetime(2024, 5, 2, 10, 0),
) -> bytes:
    """One answer listing ``periods`` for ``employer``."""
    root = etree.Element("PersonnelFileConsultationAnswer")
    form = etree.SubElement(root, "Form")
    _form_fields(form, "PFANS", created_at)
    handled = etree.SubElement(form, "HandledOriginalForm")
    _form_fields(handled, "PFREQ", created_at)
    reference = etree.SubElement(form, "HandledReference")
    _leaf(reference, "ReferenceType", "1")
    _leaf(reference, "ReferenceOrigin", "2")
    _leaf(reference, "ReferenceNbr", "REQ-1")
    consult = etree.SubElement(form, "PersonnelFileConsult")
    _leaf(consult, "NOSSRegistrationNbr", employer.nsso.value if employer.nsso else "0")
    _leaf(consult, "CompanyID", employer.enterprise.value if employer.enterprise else "0")
    if window is not None:
        _leaf(consult, "RefStartingDate", window[0].isoformat())
        _leaf(consult, "RefEndingDate", window[1].isoformat())
    _leaf(consult, "ResultCodeResearch", str(result_code))
    for period in periods:
        _period(consult, period)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
