"""XML in and out: hardened streaming readers for DmfA and Dimona, and our own formats.

Every document is parsed through one hardened configuration
(:mod:`mycareer.xmlio._safe`): no entities, no network, no DTD, never recover,
and any DOCTYPE refused. Our own formats (career records, training account)
live in versioned namespaces ``urn:mycareer:<name>:1`` with XSDs shipped as
package data; :func:`validate` checks any document against any of them or
against an official ONSS XSD.
"""

from __future__ import annotations

from typing import Any

from mycareer.xmlio._safe import (
    hardened_parser,
    iterparse_document,
    load_schema,
    make_parser,
    parse_document,
    validate_document,
)
from mycareer.xmlio.career_inputs import CareerInputs, read_career_inputs
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    career_records_bytes,
    iter_career_records,
    read_career_records,
    write_career_records,
)
from mycareer.xmlio.dimona import DimonaBatch, iter_dimona, iter_notifications, read_dimona
from mycareer.xmlio.dimona_writer import (
    dimona_bytes,
    notifications_bytes,
    write_dimona,
    write_notifications,
)
from mycareer.xmlio.dmfa import DmfaBatch, iter_dmfa, read_dmfa
from mycareer.xmlio.dmfa_update import iter_dmfa_consultations, iter_dmfa_updates
from mycareer.xmlio.dmfa_update_writer import dmfa_update_bytes, write_dmfa_update
from mycareer.xmlio.dmfa_writer import dmfa_bytes, write_dmfa
from mycareer.xmlio.documents import DocumentKind, sniff_document
from mycareer.xmlio.flows import CorrectedDmfaBatch, read_corrected_dmfa
from mycareer.xmlio.formats import (
    FORMATS,
    SchemaIssue,
    XmlFormat,
    get_format,
    register_format,
    validate,
)
from mycareer.xmlio.personnel_file import (
    PersonnelFileBatch,
    iter_personnel_file,
    read_personnel_files,
)
from mycareer.xmlio.sidecar import read_outcomes
from mycareer.xmlio.training_account import (
    TRAINING_ACCOUNT,
    iter_training_accounts,
    read_training_accounts,
    read_trainings_xml,
)
from mycareer.xmlio.training_account_writer import training_accounts_bytes, write_training_accounts

__all__ = [
    "CAREER_RECORDS",
    "FORMATS",
    "HARDENED_PARSER",
    "TRAINING_ACCOUNT",
    "CareerInputs",
    "CorrectedDmfaBatch",
    "DimonaBatch",
    "DmfaBatch",
    "DocumentKind",
    "PersonnelFileBatch",
    "SchemaIssue",
    "XmlFormat",
    "career_records_bytes",
    "dimona_bytes",
    "dmfa_bytes",
    "dmfa_update_bytes",
    "get_format",
    "hardened_parser",
    "iter_career_records",
    "iter_dimona",
    "iter_dmfa",
    "iter_dmfa_consultations",
    "iter_dmfa_updates",
    "iter_notifications",
    "iter_personnel_file",
    "iter_training_accounts",
    "iterparse_document",
    "load_schema",
    "make_parser",
    "notifications_bytes",
    "parse_document",
    "read_career_inputs",
    "read_career_records",
    "read_corrected_dmfa",
    "read_dimona",
    "read_dmfa",
    "read_outcomes",
    "read_personnel_files",
    "read_training_accounts",
    "read_trainings_xml",
    "register_format",
    "sniff_document",
    "training_accounts_bytes",
    "validate",
    "validate_document",
    "write_career_records",
    "write_dimona",
    "write_dmfa",
    "write_dmfa_update",
    "write_notifications",
    "write_training_accounts",
]


def __getattr__(name: str) -> Any:
    # The calling thread's parser, never one shared by threads (see _safe.hardened_parser).
    if name == "HARDENED_PARSER":
        return hardened_parser()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
