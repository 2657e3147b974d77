"""Write DmfA original declarations (``DmfAOriginal``, 2023/1 element order).

Used for test fixtures, the demo declarations and the benchmark: the output
validates against the official ``DmfAOriginal_20231.xsd``.
Streaming: each ``NaturalPerson`` is built, written and dropped, so
a file of any size is written in flat memory.

Encoding rules (from the XSD):

* ``CompanyID`` is the 10-digit enterprise number, or ``0`` when only the NSSO
  number identifies the employer; ``NOSSRegistrationNbr`` is ``0`` when absent;
* records of the same worker that follow each other share one ``NaturalPerson``
  (numbered by ``NaturalPersonSequenceNbr``);
* ``Border`` and ``Retired`` are ``0``; service and remuneration codes are
  zero-padded to 3 digits, amounts are euro cents padded to 11 digits;
* a reorganisation measure without a percentage goes to the occupation's own
  ``ReorganisationMeasure`` zone (at most one); those with a percentage go to
  ``ReorgMeasureInformation`` blocks (at most two).

>>> from datetime import date, datetime
>>> from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord, ServiceLine
>>> from mycareer.employer import Employer
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.joint_commission import JointCommission
>>> from mycareer.niss import Niss
>>> from mycareer.period import Period
>>> from mycareer.quarter import Quarter
>>> employer, quarter = Employer(EnterpriseNumber("0403019261")), Quarter(2024, 1)
>>> occupation = DmfaOccupation(
...     sequence=1, start=date(2020, 1, 1), end=None, period=quarter.period,
...     joint_commission=JointCommission("200"), working_days_system=500,
...     contract_type=ContractType.FULL_TIME, mean_working_hours=3800,
...     ref_mean_working_hours=3800, services=[ServiceLine(1, 6400)])
>>> record = DmfaWorkerRecord(employer, quarter, Niss("90010100123"), 495, "010",
...                           quarter.period, [occupation])
>>> data = dmfa_bytes(employer, quarter, [record], created_at=datetime(2024, 4, 20, 10, 15))
>>> b"<CompanyID>0403019261</CompanyID>" in data, b"<ServiceCode>001</ServiceCode>" in data
(True, True)
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Final

from lxml import etree

from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.quarter import Quarter

if TYPE_CHECKING:
    from lxml.etree._serializer import _IncrementalFileWriter

__all__ = [
    "DMFA_SCHEMA_FILE",
    "XSI_NAMESPACE",
    "XmlSink",
    "dmfa_bytes",
    "form_hour",
    "occupation_element",
    "write_dmfa",
]

XmlSink = str | os.PathLike[str] | IO[bytes]

#: The official schema file name the written documents point at.
DMFA_SCHEMA_FILE: Final = "DmfAOriginal_20231.xsd"
XSI_NAMESPACE: Final = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION: Final = f"{{{XSI_NAMESPACE}}}noNamespaceSchemaLocation"


def form_hour(moment: datetime) -> str:
    """``FormCreationHour`` text: ``HH:MM:SS.sss``.

    >>> form_hour(datetime(2024, 4, 20, 9, 5, 7, 250000))
    '09:05:07.250'
    """
    return f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}"


def _leaf(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _iso(day: date) -> str:
    return day.isoformat()


def occupation_element(
    parent: etree._Element, occupation: DmfaOccupation, tag: str = "Occupation"
) -> None:
    """Append ``occupation`` to ``parent`` as ``<tag>`` (``OccupationUpdate``: same fields)."""
    element = etree.SubElement(parent, tag)
    _leaf(element, "OccupationSequenceNbr", str(occupation.sequence))
    _leaf(element, "OccupationStartingDate", _iso(occupation.start))
    if occupation.end is not None:
        _leaf(element, "OccupationEndingDate", _iso(occupation.end))
    _leaf(element, "JointCommissionNbr", occupation.joint_commission.code)
    _leaf(element, "WorkingDaysSystem", str(occupation.working_days_system))
    _leaf(element, "ContractType", str(int(occupation.contract_type)))
    if occupation.ref_mean_working_hours is not None:
        _leaf(element, "RefMeanWorkingHours", str(occupation.ref_mean_working_hours))
    if occupation.mean_working_hours is not None:
        _leaf(element, "MeanWorkingHours", str(occupation.mean_working_hours))
    plain = [m for m in occupation.reorganisation_measures if m.percentage_hundredths is None]
    detailed = [
        m for m in occupation.reorganisation_measures if m.percentage_hundredths is not None
    ]
    if len(plain) > 1 or len(detailed) > 2:
        raise InvalidValueError(
            f"occupation {occupation.sequence}: at most one reorganisation measure without "
            f"percentage and two with one can be written, got {len(plain)} and {len(detailed)}",
            source=occupation.source,
        )
    if plain:
        _leaf(element, "ReorganisationMeasure", str(plain[0].code))
    _leaf(element, "Retired", "0")
    for index, service in enumerate(occupation.services, start=1):
        block = etree.SubElement(element, "Service")
        _leaf(block, "ServiceSequenceNbr", str(index))
        _leaf(block, "ServiceCode", f"{service.code:03d}")
        _leaf(block, "ServiceNbrDays", str(service.days_hundredths))
        if service.hours_hundredths is not None:
            _leaf(block, "ServiceNbrHours", str(service.hours_hundredths))
    for index, remuneration in enumerate(occupation.remunerations, start=1):
        block = etree.SubElement(element, "Remun")
        _leaf(block, "RemunSequenceNbr", str(index))
        _leaf(block, "RemunCode", f"{remuneration.code:03d}")
        if remuneration.frequency is not None:
            _leaf(block, "BonusPaymentFrequency", str(remuneration.frequency))
        if remuneration.percentage_paid is not None:
            _leaf(block, "PercentagePaid", str(remuneration.percentage_paid))
        _leaf(block, "RemunAmount", f"{remuneration.amount_cents:011d}")
    for measure in detailed:
        block = etree.SubElement(element, "ReorgMeasureInformation")
        _leaf(block, "ReorganisationMeasure", str(measure.code))
        _leaf(block, "ReorganisationMeasurePercentage", str(measure.percentage_hundredths))


def _worker_record(parent: etree._Element, record: DmfaWorkerRecord) -> None:
    if not record.occupations:
        raise InvalidValueError(
            f"worker {record.niss}: a WorkerRecord needs at least one occupation line",
            source=record.source,
        )
    element = etree.SubElement(parent, "WorkerRecord")
    _leaf(element, "EmployerClass", record.employer_class)
    _leaf(element, "WorkerCode", f"{record.worker_code:03d}")
    _leaf(element, "NOSSQuarterStartingDate", _iso(record.quarter_period.start))
    end = record.quarter_period.end
    _leaf(
        element, "NOSSQuarterEndingDate", _iso(end if end is not None else record.quarter.last_day)
    )
    _leaf(element, "Border", "0")
    for occupation in record.occupations:
        occupation_element(element, occupation)


def _check_record(record: DmfaWorkerRecord, employer: Employer, quarter: Quarter) -> None:
    if record.employer != employer or record.quarter != quarter:
        raise InvalidValueError(
            f"worker {record.niss}: record of employer {record.employer} quarter "
            f"{record.quarter} cannot go in the declaration of {employer} quarter {quarter}",
            source=record.source,
        )


def write_dmfa(
    sink: XmlSink,
    employer: Employer,
    quarter: Quarter,
    records: Iterable[DmfaWorkerRecord],
    *,
    created_at: datetime,
    reference: str | None = None,
) -> None:
    """Stream one ``DmfAOriginal`` declaration of ``employer`` for ``quarter`` to ``sink``.

    ``sink`` is a path or a binary stream. Records must belong to ``employer``
    and ``quarter``; consecutive records of one NISS share a ``NaturalPerson``.
    ``created_at`` fills ``FormCreationDate``/``FormCreationHour`` (never the
    clock); ``reference`` (≤ 20 characters) adds a ``Reference`` block.
    """
    if reference is not None and not 1 <= len(reference) <= 20:
        raise InvalidValueError(f"DmfA reference {reference!r} must have 1 to 20 characters")
    company_id = employer.enterprise.value if employer.enterprise is not None else "0"
    nsso = employer.nsso.value if employer.nsso is not None else "0"
    with etree.xmlfile(sink, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(
            "DmfAOriginal", {_SCHEMA_LOCATION: DMFA_SCHEMA_FILE}, nsmap={"xsi": XSI_NAMESPACE}
        ):
            xf.write("\n")
            with xf.element("Form"):
                xf.write("\n")
                head = etree.Element("Head")
                _leaf(head, "Identification", "DMFA")
                _leaf(head, "FormCreationDate", created_at.date().isoformat())
                _leaf(head, "FormCreationHour", form_hour(created_at))
                _leaf(head, "AttestationStatus", "0")
                _leaf(head, "TypeForm", "SU")
                if reference is not None:
                    block = etree.SubElement(head, "Reference")
                    _leaf(block, "ReferenceType", "1")
                    _leaf(block, "ReferenceOrigin", "1")
                    _leaf(block, "ReferenceNbr", reference)
                for child in head:
                    xf.write(child, pretty_print=True)
                with xf.element("EmployerDeclaration"):
                    xf.write("\n")
                    header = etree.Element("Head")
                    _leaf(header, "Quarter", str(quarter))
                    _leaf(header, "NOSSRegistrationNbr", nsso)
                    _leaf(header, "Trusteeship", "0")
                    _leaf(header, "CompanyID", company_id)
                    _leaf(header, "NetOwedAmount", "0")
                    for child in header:
                        xf.write(child, pretty_print=True)
                    _write_people(xf, employer, quarter, records)
                xf.write("\n")
            xf.write("\n")


def _write_people(
    xf: _IncrementalFileWriter,
    employer: Employer,
    quarter: Quarter,
    records: Iterable[DmfaWorkerRecord],
) -> None:
    person: etree._Element | None = None
    person_niss: str | None = None
    sequence = 0
    for record in records:
        _check_record(record, employer, quarter)
        if person is None or record.niss.value != person_niss:
            if person is not None:
                xf.write(person, pretty_print=True)
            sequence += 1
            person = etree.Element("NaturalPerson")
            person_niss = record.niss.value
            _leaf(person, "NaturalPersonSequenceNbr", str(sequence))
            _leaf(person, "INSS", record.niss.value)
        _worker_record(person, record)
    if person is None:
        raise InvalidValueError(
            f"a DmfA declaration needs at least one worker record ({employer}, quarter {quarter})"
        )
    xf.write(person, pretty_print=True)


def dmfa_bytes(
    employer: Employer,
    quarter: Quarter,
    records: Iterable[DmfaWorkerRecord],
    *,
    created_at: datetime,
    reference: str | None = None,
) -> bytes:
    """The same document as :func:`write_dmfa`, in memory."""
    buffer = io.BytesIO()
    write_dmfa(buffer, employer, quarter, records, created_at=created_at, reference=reference)
    return buffer.getvalue()
