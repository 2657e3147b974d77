"""mycareer: a typed engine for Belgian career data and the individual training right.

Read DmfA and Dimona declarations, consolidate them into a career timeline, and
compute each worker's training-right entitlement with an explanation.
Independent of the public mycareer.be portal.
"""

from mycareer._gc import bulk
from mycareer.career import CareerPeriod, CareerRecords
from mycareer.contract import (
    Contract,
    ContractRecords,
    Suspension,
    SuspensionKind,
    WorkerCategory,
    contract_records,
)
from mycareer.converter import converter, from_json, structure, to_json, unstructure
from mycareer.dimona import (
    REOPEN_END,
    DimonaAction,
    DimonaDeclaration,
    DimonaOutcome,
    DimonaStatus,
)
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
    InvalidEnterpriseNumberError,
    InvalidJointCommissionError,
    InvalidNissError,
    InvalidNssoNumberError,
    InvalidPeriodError,
    InvalidQuarterError,
    InvalidValueError,
    InvalidWorkFractionError,
    MycareerError,
    MycareerErrorGroup,
    SourceRef,
    UnsupportedDocumentError,
    WorkerProcessLostError,
    flatten_errors,
)
from mycareer.findings import Finding, Severity
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.work_fraction import WorkFraction

__version__ = "0.1.0"

__all__ = [
    "REOPEN_END",
    "CareerPeriod",
    "CareerRecords",
    "Contract",
    "ContractRecords",
    "ContractType",
    "DimonaAction",
    "DimonaDeclaration",
    "DimonaOutcome",
    "DimonaStatus",
    "DmfaDeclaration",
    "DmfaOccupation",
    "DmfaWorkerRecord",
    "Employer",
    "EnterpriseNumber",
    "ErrorCollector",
    "Finding",
    "InputError",
    "InvalidEnterpriseNumberError",
    "InvalidJointCommissionError",
    "InvalidNissError",
    "InvalidNssoNumberError",
    "InvalidPeriodError",
    "InvalidQuarterError",
    "InvalidValueError",
    "InvalidWorkFractionError",
    "JointCommission",
    "MycareerError",
    "MycareerErrorGroup",
    "Niss",
    "NssoNumber",
    "Period",
    "PeriodKind",
    "Quarter",
    "RemunerationLine",
    "ReorganisationMeasure",
    "ServiceLine",
    "Severity",
    "SourceRef",
    "Suspension",
    "SuspensionKind",
    "UnsupportedDocumentError",
    "WorkFraction",
    "WorkerCategory",
    "WorkerProcessLostError",
    "__version__",
    "bulk",
    "contract_records",
    "converter",
    "flatten_errors",
    "from_json",
    "structure",
    "to_json",
    "unstructure",
]
