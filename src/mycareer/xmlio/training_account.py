"""The training-account XML format (``urn:mycareer:training-account:1``).

The individual training account plus the entitlements it rests on: what the Federal
Learning Account held (docs/fla.md), so that a payroll vendor can
archive or exchange it before the FLA's data are deleted on 1 January 2027. The
ledger's legal status after 1 January 2026 is "recommended, legal status
uncertain" (B-9).

One document holds many ``<account>`` records (one worker at one employer, as of
a date): the employer, the ledger policy, the termination, the yearly
entitlements (band, regime, rule, exact days and their legal/sector/employer
parts), the trainings (the FLA's fields) and the yearly statements (opening,
credit by part, debits, closing, carried, reset, lost, open balance), then the
ledger's findings. Exact quantities are written as text that reads back to the
same ``Fraction`` (``"7.5"``, ``"10/3"``). The schema is
``schemas/training-account-1.xsd``; written documents validate against it.

A round trip (write, validate, read back) is shown in
:mod:`mycareer.xmlio.training_account_writer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal, TypeVar

import attrs
from lxml import etree

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    ErrorCollector,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.findings import Finding, Severity
from mycareer.fla.account import (
    AccountPolicy,
    AccountWindow,
    Termination,
    TerminationReason,
    TrainingAccount,
    TrainingDebit,
    YearCredit,
    YearStatement,
)
from mycareer.fla.account_records import AccountRecord, EntitlementSummary, account_records
from mycareer.fla.trainings import Training, TrainingStatus, TrainingType
from mycareer.fla.trainings_io import TrainingImport
from mycareer.fla.values import FlaRegime, Regime, RuleRef, SizeBand
from mycareer.joint_commission import JointCommission
from mycareer.limits import (
    MAX_DECIMAL_DIGITS,
    MAX_DECIMAL_EXPONENT,
    MAX_FRACTION_CHARS,
    parse_integer,
    shown,
)
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio._safe import XmlSource
from mycareer.xmlio.formats import (
    ReadResult,
    XmlFormat,
    iter_decoded,
    read_decoded,
    register_format,
    validate,
)
from mycareer.xmlio.reading import AttributeReader

__all__ = [
    "TRAINING_ACCOUNT",
    "AccountRecord",
    "EntitlementSummary",
    "account_from_element",
    "account_records",
    "iter_training_accounts",
    "read_training_accounts",
    "read_trainings_xml",
    "validate",
]

#: The training-account format, version 1.
TRAINING_ACCOUNT: Final = register_format(
    XmlFormat(
        name="training-account",
        version=1,
        root="trainingAccounts",
        record="account",
        xsd="training-account-1.xsd",
        record_path="$.accounts",
    )
)

_NS: Final = TRAINING_ACCOUNT.namespace
_tag = TRAINING_ACCOUNT.tag
_ACCOUNT: Final = _tag("account")
_EMPLOYER: Final = _tag("employer")
_POLICY: Final = _tag("policy")
_TERMINATION: Final = _tag("termination")
_ENTITLEMENT: Final = _tag("entitlement")
_RULE: Final = _tag("rule")
_TRAINING: Final = _tag("training")
_STATEMENT: Final = _tag("statement")
_CREDIT: Final = _tag("credit")
_DEBIT: Final = _tag("debit")
_FINDINGS: Final = _tag("findings")
_FINDING: Final = _tag("finding")
_SOURCE: Final = _tag("source")

T = TypeVar("T")


# --- reading ----------------------------------------------------------------------


def _fraction(text: str) -> Fraction:
    if "e" in text.lower() or text.strip() != text:
        raise ValueError("expected a decimal or p/q")
    if len(text) > MAX_FRACTION_CHARS:  # Fraction() of 5,000 digits is a bare ValueError
        raise ValueError(f"longer than {MAX_FRACTION_CHARS} characters")
    return Fraction(text)


def _decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError("expected a finite decimal")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if len(value.as_tuple().digits) > MAX_DECIMAL_DIGITS or abs(exponent) > MAX_DECIMAL_EXPONENT:
        # 1e-999999 would make every sum with it run for minutes
        raise ValueError(
            f"more than {MAX_DECIMAL_DIGITS} digits or an exponent beyond ±{MAX_DECIMAL_EXPONENT}"
        )
    return value


def _line(text: str) -> int:
    return parse_integer(text, "line")


def _boolean(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError("expected true or false")


def _employer(reader: AttributeReader, element: etree._Element, where: str) -> Employer | None:
    enterprise = reader.get(element, "enterprise", EnterpriseNumber, where)
    nsso = reader.get(element, "nsso", NssoNumber, where)
    if enterprise is None and nsso is None:
        return None
    return Employer(enterprise, nsso, element.get("name") if element.tag == _EMPLOYER else None)


def _entitlement(
    reader: AttributeReader, element: etree._Element, where: str
) -> EntitlementSummary | None:
    get = reader.get
    year = get(element, "year", int, where, required=True)
    band = get(element, "band", SizeBand, where, required=True)
    regime = get(element, "regime", Regime, where, required=True)
    fla_regime = get(element, "flaRegime", FlaRegime, where, required=True)
    rule = None
    for child in element:
        if child.tag == _RULE:
            rule_where = f"{where}.rule"
            valid_from = get(child, "validFrom", date.fromisoformat, rule_where)
            valid_to = get(child, "validTo", date.fromisoformat, rule_where)
            ident = get(child, "id", str, rule_where, required=True)
            title = get(child, "title", str, rule_where, required=True)
            source = get(child, "source", str, rule_where, required=True)
            if ident is not None and title is not None and source is not None:
                rule = RuleRef(ident, title, source, valid_from, valid_to)
    summary_values = {
        "days_exact": get(element, "daysExact", _fraction, where),
        "days": get(element, "days", _decimal, where),
        "hours": get(element, "hours", _fraction, where),
        "legal_days": get(element, "legalDays", _fraction, where),
        "sector_days": get(element, "sectorDays", _fraction, where),
        "employer_days": get(element, "employerDays", _fraction, where),
        "average_fte": get(element, "averageFte", _decimal, where),
        "months_employed": get(element, "monthsEmployed", int, where),
    }
    if year is None or band is None or regime is None or fla_regime is None:
        return None
    return EntitlementSummary(
        year=year,
        band=band,
        regime=regime,
        fla_regime=fla_regime,
        rule=rule,
        no_rule_reason=element.get("noRuleReason"),
        **summary_values,  # type: ignore[arg-type]
    )


def _training(
    reader: AttributeReader, element: etree._Element, where: str, niss: Niss
) -> Training | None:
    get = reader.get
    start = get(element, "start", date.fromisoformat, where, required=True)
    end = get(element, "end", date.fromisoformat, where, required=True)
    hours = get(element, "hours", _fraction, where, required=True)
    name = get(element, "name", str, where, required=True)
    kind = get(element, "type", TrainingType, where, required=True)
    status = get(element, "status", TrainingStatus, where, required=True)
    counts = get(element, "countsTowardIndividualRight", _boolean, where, required=True)
    valid_until = get(element, "certificateValidUntil", date.fromisoformat, where)
    employer = _employer(reader, element, where)
    if start is None or end is None or hours is None or name is None:
        return None
    if kind is None or status is None or counts is None:
        return None
    try:
        return Training(
            niss=niss,
            name=name,
            start=start,
            end=end,
            hours=hours,
            type=kind,
            status=status,
            counts_toward_individual_right=counts,
            provider=get(element, "provider", str, where),  # bounded: MAX_ATTRIBUTE_CHARS
            outcome=get(element, "outcome", str, where),
            certificate=get(element, "certificate", str, where),
            certificate_valid_until=valid_until,
            funding=get(element, "funding", str, where),
            employer=employer,
            id=get(element, "id", str, where),
            source=SourceRef(reader.file, element.sourceline, where),
        )
    except InvalidValueError as error:
        reader.fail(error.message, element, where)
        return None


_EXACT_FIELDS: Final = (
    ("opening", "opening"),
    ("used", "used"),
    ("overused", "overused"),
    ("closing", "closing"),
    ("reset", "reset"),
    ("lost", "lost"),
    ("openBalance", "open_balance"),
    ("carried", "carried"),
)


def _credit(
    reader: AttributeReader, element: etree._Element, where: str, niss: Niss, year: int
) -> YearCredit | None:
    get = reader.get
    legal = get(element, "legalDays", _fraction, where, required=True)
    sector = get(element, "sectorDays", _fraction, where, required=True)
    employer_days = get(element, "employerDays", _fraction, where, required=True)
    employer = _employer(reader, element, where)
    hours_per_day = get(element, "hoursPerDay", _fraction, where)
    if legal is None or sector is None or employer_days is None:
        return None  # the problem is recorded; YearCredit would raise a TypeError
    try:
        return YearCredit(
            niss,
            year,
            legal_days=legal,
            sector_days=sector,
            employer_days=employer_days,
            employer=employer,
            hours_per_day=hours_per_day,
            rule_id=element.get("ruleId"),
        )
    except InvalidValueError as error:
        reader.fail(error.message, element, where)
        return None


def _debit(
    reader: AttributeReader, element: etree._Element, where: str, trainings: Mapping[str, Training]
) -> TrainingDebit | None:
    ref = element.get("training")
    days = reader.get(element, "days", _fraction, where, required=True)
    training = None if ref is None else trainings.get(ref)
    if training is None:
        reader.fail(f"debit refers to unknown training {shown(ref)}", element, where)
        return None
    return None if days is None else TrainingDebit(training, days)


def _statement(
    reader: AttributeReader,
    element: etree._Element,
    where: str,
    niss: Niss,
    trainings: Mapping[str, Training],
    termination: Termination | None,
) -> YearStatement | None:
    get = reader.get
    year = get(element, "year", int, where, required=True)
    first = get(element, "windowFirstYear", int, where)
    last = get(element, "windowLastYear", int, where)
    values = {
        field: get(element, name, _fraction, where, required=True) for name, field in _EXACT_FIELDS
    }
    terminated = get(element, "terminated", _boolean, where) or False
    credit: YearCredit | None = None
    credits_seen = 0
    debits: list[TrainingDebit] = []
    problems_before = len(reader.problems)
    for child in element:
        if child.tag == _CREDIT:
            credits_seen += 1
            credit = _credit(reader, child, f"{where}.credit", niss, year or 0)
        elif child.tag == _DEBIT:
            debit = _debit(reader, child, f"{where}.debits[{len(debits)}]", trainings)
            if debit is not None:
                debits.append(debit)
        else:
            reader.fail(f"unexpected element <{etree.QName(child).localname}>", child, where)
    if not credits_seen:
        reader.fail("missing <credit>", element, f"{where}.credit")
    bad = len(reader.problems) > problems_before
    if (first is None) != (last is None):
        reader.fail("give both windowFirstYear and windowLastYear, or neither", element, where)
        return None
    if bad or credit is None or year is None or any(v is None for v in values.values()):
        return None
    if terminated and termination is None:
        reader.fail("terminated statement but the account has no termination", element, where)
        return None
    return YearStatement(
        year=year,
        window=None if first is None or last is None else AccountWindow(first, last),
        credit=credit,
        debits=tuple(debits),
        termination=termination if terminated else None,
        **values,  # type: ignore[arg-type]
    )


def _finding(reader: AttributeReader, element: etree._Element, where: str) -> Finding | None:
    get = reader.get
    code = get(element, "code", str, where, required=True)
    severity = get(element, "severity", Severity, where, required=True)
    message = get(element, "message", str, where, required=True)
    source = None
    for child in element:
        if child.tag == _SOURCE:
            line = reader.get(child, "line", _line, f"{where}.source")
            source = SourceRef(child.get("file"), line, child.get("record"))
    if code is None or severity is None or message is None:
        return None
    return Finding(code, severity, message, source)


@attrs.define
class _AccountParts:
    """What the children of one ``<account>`` have given so far (the decoder's state)."""

    reader: AttributeReader
    path: str
    niss: Niss
    employer: Employer | None = None
    policy: AccountPolicy | None = None
    termination: Termination | None = None
    entitlements: list[EntitlementSummary] = attrs.Factory(list)
    trainings: dict[str, Training] = attrs.Factory(dict)
    statements: list[YearStatement] = attrs.Factory(list)
    findings: list[Finding] = attrs.Factory(list)


def _account_employer(parts: _AccountParts, child: etree._Element) -> None:
    where = f"{parts.path}.employer"
    parts.employer = _employer(parts.reader, child, where)
    if parts.employer is None:
        parts.reader.fail("an employer needs an enterprise number or an NSSO number", child, where)


def _account_policy(parts: _AccountParts, child: etree._Element) -> None:
    get, where = parts.reader.get, f"{parts.path}.policy"
    values = {
        "first_window_start": get(child, "firstWindowStart", int, where, required=True),
        "window_years": get(child, "windowYears", int, where, required=True),
        "reset_at_window_end": get(child, "resetAtWindowEnd", _boolean, where, required=True),
        "allow_overuse": get(child, "allowOveruse", _boolean, where, required=True),
        "hours_per_day": get(child, "hoursPerDay", _fraction, where),
    }
    if all(v is not None for k, v in values.items() if k != "hours_per_day"):
        try:
            parts.policy = AccountPolicy(**values)  # type: ignore[arg-type]
        except InvalidValueError as error:
            parts.reader.fail(error.message, child, where)


def _account_termination(parts: _AccountParts, child: etree._Element) -> None:
    reader, where = parts.reader, f"{parts.path}.termination"
    day = reader.get(child, "date", date.fromisoformat, where, required=True)
    reason = reader.get(child, "reason", TerminationReason, where, required=True)
    if day is not None and reason is not None:
        employer = _employer(reader, child, where)
        parts.termination = Termination(parts.niss, day, reason, employer)


def _account_entitlement(parts: _AccountParts, child: etree._Element) -> None:
    where = f"{parts.path}.entitlements[{len(parts.entitlements)}]"
    summary = _entitlement(parts.reader, child, where)
    if summary is not None:
        parts.entitlements.append(summary)


def _account_training(parts: _AccountParts, child: etree._Element) -> None:
    where = f"{parts.path}.trainings[{len(parts.trainings)}]"
    ref = child.get("ref")
    training = _training(parts.reader, child, where, parts.niss)
    if ref is None or ref in parts.trainings:
        parts.reader.fail(f"missing or repeated training ref {shown(ref)}", child, f"{where}.ref")
    elif training is not None:
        parts.trainings[ref] = training


def _account_statement(parts: _AccountParts, child: etree._Element) -> None:
    where = f"{parts.path}.statements[{len(parts.statements)}]"
    statement = _statement(
        parts.reader, child, where, parts.niss, parts.trainings, parts.termination
    )
    if statement is not None:
        parts.statements.append(statement)


def _account_findings(parts: _AccountParts, child: etree._Element) -> None:
    for item in child:
        finding = _finding(parts.reader, item, f"{parts.path}.findings[{len(parts.findings)}]")
        if finding is not None:
            parts.findings.append(finding)


# One handler per child element of <account>; the schema fixes their order, not this table.
_ACCOUNT_CHILDREN: Final[dict[str, Callable[[_AccountParts, etree._Element], None]]] = {
    _EMPLOYER: _account_employer,
    _POLICY: _account_policy,
    _TERMINATION: _account_termination,
    _ENTITLEMENT: _account_entitlement,
    _TRAINING: _account_training,
    _STATEMENT: _account_statement,
    _FINDINGS: _account_findings,
}


def account_from_element(element: etree._Element, file: str, path: str) -> AccountRecord:
    """Decode one ``<account>``; every problem is raised together, each with its path and line."""
    reader = AttributeReader(file)
    get = reader.get
    niss = get(element, "niss", Niss, path, required=True)
    as_of = get(element, "asOf", date.fromisoformat, path, required=True)
    hours_per_day = get(element, "hoursPerDay", _fraction, path, required=True)
    work_regime = get(element, "workRegime", WorkFraction.parse, path)
    joint_committee = get(element, "jointCommittee", JointCommission, path)
    if niss is None:
        raise MycareerErrorGroup(f"invalid account at {path}", reader.problems)
    parts = _AccountParts(reader, path, niss)
    for child in element:
        handler = _ACCOUNT_CHILDREN.get(child.tag)  # type: ignore[arg-type]
        if handler is None:
            reader.fail(f"unexpected element <{etree.QName(child).localname}>", child, path)
        else:
            handler(parts, child)
    policy = parts.policy
    if policy is None and not any(p.path and ".policy" in p.path for p in reader.problems):
        reader.fail("missing <policy>", element, f"{path}.policy")
    if reader.problems or as_of is None or hours_per_day is None or policy is None:
        raise MycareerErrorGroup(f"invalid account at {path}", reader.problems)
    account = TrainingAccount(
        niss=niss,
        employer=parts.employer,
        as_of=as_of,
        policy=policy,
        hours_per_day=hours_per_day,
        statements=tuple(parts.statements),
        trainings=tuple(parts.trainings.values()),
        termination=parts.termination,
        findings=tuple(parts.findings),
    )
    return AccountRecord(
        account,
        parts.entitlements,
        work_regime=work_regime,
        joint_committee=joint_committee,
        last_name=element.get("lastName"),
        first_name=element.get("firstName"),
    )


def iter_training_accounts(
    source: XmlSource, *, name: str | None = None, errors: ErrorCollector | None = None
) -> Iterator[AccountRecord]:
    """Stream the accounts of a document (bad records go to ``errors`` when given)."""
    return iter_decoded(source, TRAINING_ACCOUNT, account_from_element, name=name, errors=errors)


def read_training_accounts(
    source: XmlSource,
    *,
    name: str | None = None,
    on_error: Literal["raise", "collect"] = "raise",
) -> ReadResult[AccountRecord]:
    """Read every account; ``on_error="collect"`` keeps the good ones with the problems."""
    return read_decoded(
        source, TRAINING_ACCOUNT, account_from_element, name=name, on_error=on_error
    )


def read_trainings_xml(
    source: XmlSource, *, name: str | None = None, keep_valid: bool = False
) -> TrainingImport:
    """The trainings of a training-account document, as the CSV/JSON importers give them.

    Each training gets its account's employer when it names none itself.
    """
    result = read_training_accounts(
        source, name=name, on_error="collect" if keep_valid else "raise"
    )
    trainings = []
    for record in result.records:
        for training in record.account.trainings:
            if training.employer is None and record.employer is not None:
                training = attrs.evolve(training, employer=record.employer)
            trainings.append(training)
    return TrainingImport(tuple(trainings), result.errors)
