"""Writing the training-account XML format (``urn:mycareer:training-account:1``).

The format, its tags and its reader are in :mod:`mycareer.xmlio.training_account`;
this module turns :class:`~mycareer.fla.account_records.AccountRecord` values into
``<account>`` elements and streams them into a document. Exact quantities are
written as text that reads back to the same ``Fraction`` (``"7.5"``, ``"10/3"``).

>>> from datetime import date
>>> from mycareer.fla.account import YearCredit, build_account
>>> from mycareer.niss import Niss
>>> from mycareer.xmlio.training_account import read_training_accounts, validate
>>> niss = Niss("85073003328")
>>> account = build_account([YearCredit(niss, 2024, legal_days=5, hours_per_day="7.6")],
...                         as_of=date(2024, 12, 31))
>>> data = training_accounts_bytes([AccountRecord(account)])
>>> validate(data, TRAINING_ACCOUNT)
[]
>>> read_training_accounts(data).records == (AccountRecord(account),)
True
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from fractions import Fraction

from lxml import etree

from mycareer.employer import Employer
from mycareer.errors import (
    ErrorCollector,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.fla.account import (
    YearStatement,
)
from mycareer.fla.account_records import AccountRecord, EntitlementSummary
from mycareer.fla.trainings import Training, format_exact
from mycareer.limits import shown
from mycareer.xmlio.formats import (
    XmlSink,
    check_xml_text,
    open_writer,
)
from mycareer.xmlio.training_account import (
    _ACCOUNT,
    _CREDIT,
    _DEBIT,
    _EMPLOYER,
    _ENTITLEMENT,
    _FINDING,
    _FINDINGS,
    _NS,
    _POLICY,
    _RULE,
    _SOURCE,
    _STATEMENT,
    _TERMINATION,
    _TRAINING,
    TRAINING_ACCOUNT,
)

__all__ = [
    "account_element",
    "account_element_text",
    "training_accounts_bytes",
    "training_accounts_frame",
    "write_training_accounts",
]

# --- writing ----------------------------------------------------------------------


def _exact(value: Fraction) -> str:
    return format_exact(value)


def _employer_attributes(attrib: dict[str, str], employer: Employer | None) -> None:
    if employer is None:
        return
    if employer.enterprise is not None:
        attrib["enterprise"] = employer.enterprise.value
    if employer.nsso is not None:
        attrib["nsso"] = employer.nsso.value


def _set(attrib: dict[str, str], name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, Fraction):
        attrib[name] = _exact(value)
    elif isinstance(value, bool):
        attrib[name] = "true" if value else "false"
    elif isinstance(value, date):
        attrib[name] = value.isoformat()
    else:
        attrib[name] = str(value)


def _entitlement_element(parent: etree._Element, summary: EntitlementSummary) -> None:
    attrib: dict[str, str] = {}
    _set(attrib, "year", summary.year)
    _set(attrib, "band", summary.band.value)
    _set(attrib, "averageFte", summary.average_fte)
    _set(attrib, "regime", summary.regime.value)
    _set(attrib, "flaRegime", summary.fla_regime.value)
    _set(attrib, "daysExact", summary.days_exact)
    _set(attrib, "days", summary.days)
    _set(attrib, "hours", summary.hours)
    _set(attrib, "legalDays", summary.legal_days)
    _set(attrib, "sectorDays", summary.sector_days)
    _set(attrib, "employerDays", summary.employer_days)
    _set(attrib, "monthsEmployed", summary.months_employed)
    _set(attrib, "noRuleReason", summary.no_rule_reason)
    element = etree.SubElement(parent, _ENTITLEMENT, attrib)
    element.tail = "\n"
    rule = summary.rule
    if rule is not None:
        rule_attrib = {"id": rule.id, "title": rule.title, "source": rule.source}
        _set(rule_attrib, "validFrom", rule.valid_from)
        _set(rule_attrib, "validTo", rule.valid_to)
        etree.SubElement(element, _RULE, rule_attrib)


def _training_element(parent: etree._Element, training: Training, ref: str) -> None:
    attrib: dict[str, str] = {"ref": ref}
    _set(attrib, "id", training.id)
    _set(attrib, "name", training.name)
    _set(attrib, "provider", training.provider)
    _set(attrib, "start", training.start)
    _set(attrib, "end", training.end)
    _set(attrib, "hours", training.hours)
    _set(attrib, "type", training.type.value)
    _set(attrib, "status", training.status.value)
    _set(attrib, "countsTowardIndividualRight", training.counts_toward_individual_right)
    _set(attrib, "outcome", training.outcome)
    _set(attrib, "certificate", training.certificate)
    _set(attrib, "certificateValidUntil", training.certificate_valid_until)
    _set(attrib, "funding", training.funding)
    _employer_attributes(attrib, training.employer)
    etree.SubElement(parent, _TRAINING, attrib).tail = "\n"


def _statement_element(
    parent: etree._Element, statement: YearStatement, refs: Mapping[Training, str], path: str
) -> None:
    attrib: dict[str, str] = {}
    _set(attrib, "year", statement.year)
    if statement.window is not None:
        _set(attrib, "windowFirstYear", statement.window.first_year)
        _set(attrib, "windowLastYear", statement.window.last_year)
    for name, value in (
        ("opening", statement.opening),
        ("used", statement.used),
        ("overused", statement.overused),
        ("closing", statement.closing),
        ("reset", statement.reset),
        ("lost", statement.lost),
        ("openBalance", statement.open_balance),
        ("carried", statement.carried),
    ):
        _set(attrib, name, value)
    if statement.termination is not None:
        attrib["terminated"] = "true"
    element = etree.SubElement(parent, _STATEMENT, attrib)
    element.tail = "\n"
    credit = statement.credit
    credit_attrib: dict[str, str] = {}
    _set(credit_attrib, "legalDays", credit.legal_days)
    _set(credit_attrib, "sectorDays", credit.sector_days)
    _set(credit_attrib, "employerDays", credit.employer_days)
    _set(credit_attrib, "hoursPerDay", credit.hours_per_day)
    _set(credit_attrib, "ruleId", credit.rule_id)
    _employer_attributes(credit_attrib, credit.employer)
    etree.SubElement(element, _CREDIT, credit_attrib)
    for index, debit in enumerate(statement.debits):
        ref = refs.get(debit.training)
        if ref is None:
            raise InvalidValueError(
                f"debit of training {shown(debit.training.name)} in {statement.year} is not among "
                "the account's trainings",
                path=f"{path}.statements[{statement.year}].debits[{index}]",
            )
        etree.SubElement(element, _DEBIT, {"training": ref, "days": _exact(debit.days)})


def _source_element(parent: etree._Element, source: SourceRef) -> None:
    attrib: dict[str, str] = {}
    _set(attrib, "file", source.file)
    _set(attrib, "line", source.line)
    _set(attrib, "record", source.record)
    etree.SubElement(parent, _SOURCE, attrib)


def _texts(record: AccountRecord) -> Iterator[tuple[str, str | None]]:
    account = record.account
    yield "last_name", record.last_name
    yield "first_name", record.first_name
    if account.employer is not None:
        yield "employer.name", account.employer.name
    for index, summary in enumerate(record.entitlements):
        yield f"entitlements[{index}].no_rule_reason", summary.no_rule_reason
        if summary.rule is not None:
            for name in ("id", "title", "source"):
                yield f"entitlements[{index}].rule.{name}", getattr(summary.rule, name)
    for index, training in enumerate(account.trainings):
        for name in ("id", "name", "provider", "outcome", "certificate", "funding"):
            yield f"trainings[{index}].{name}", getattr(training, name)
    for index, statement in enumerate(account.statements):
        yield f"statements[{index}].credit.rule_id", statement.credit.rule_id
    for index, finding in enumerate(account.findings):
        yield f"findings[{index}].code", finding.code
        yield f"findings[{index}].message", finding.message
        if finding.source is not None:
            yield f"findings[{index}].source.file", finding.source.file
            yield f"findings[{index}].source.record", finding.source.record


def account_element(record: AccountRecord, *, path: str = "$") -> etree._Element:
    """One ``<account>`` element; text XML cannot carry is refused with its path."""
    problems: list[InvalidValueError] = []
    for where, text in _texts(record):
        if text is not None:
            try:
                check_xml_text(text, f"{path}.{where}")
            except InvalidValueError as error:
                problems.append(error)
    if problems:
        raise MycareerErrorGroup(f"cannot write account of NISS {record.niss} ({path})", problems)
    account = record.account
    attrib: dict[str, str] = {"niss": account.niss.value}
    _set(attrib, "asOf", account.as_of)
    _set(attrib, "hoursPerDay", account.hours_per_day)
    _set(attrib, "workRegime", None if record.work_regime is None else str(record.work_regime))
    _set(
        attrib,
        "jointCommittee",
        None if record.joint_committee is None else record.joint_committee.code,
    )
    _set(attrib, "lastName", record.last_name)
    _set(attrib, "firstName", record.first_name)
    element = etree.Element(_ACCOUNT, attrib, nsmap={None: _NS})
    element.text = "\n"
    sub = etree.SubElement
    if account.employer is not None:
        employer_attrib: dict[str, str] = {}
        _employer_attributes(employer_attrib, account.employer)
        _set(employer_attrib, "name", account.employer.name)
        sub(element, _EMPLOYER, employer_attrib).tail = "\n"
    policy = account.policy
    policy_attrib: dict[str, str] = {}
    _set(policy_attrib, "firstWindowStart", policy.first_window_start)
    _set(policy_attrib, "windowYears", policy.window_years)
    _set(policy_attrib, "resetAtWindowEnd", policy.reset_at_window_end)
    _set(policy_attrib, "allowOveruse", policy.allow_overuse)
    _set(policy_attrib, "hoursPerDay", policy.hours_per_day)
    sub(element, _POLICY, policy_attrib).tail = "\n"
    if account.termination is not None:
        termination = account.termination
        termination_attrib = {
            "date": termination.date.isoformat(),
            "reason": termination.reason.value,
        }
        _employer_attributes(termination_attrib, termination.employer)
        sub(element, _TERMINATION, termination_attrib).tail = "\n"
    for summary in record.entitlements:
        _entitlement_element(element, summary)
    # Debits find their training by value (equal trainings are one), never by
    # object identity: an account read back from JSON holds equal, new objects.
    refs: dict[Training, str] = {}
    for index, training in enumerate(account.trainings):
        ref = f"t{index + 1}"
        refs.setdefault(training, ref)
        _training_element(element, training, ref)
    for statement in account.statements:
        _statement_element(element, statement, refs, path)
    if account.findings:
        findings = sub(element, _FINDINGS)
        findings.tail = "\n"
        for finding in account.findings:
            finding_element = sub(
                findings,
                _FINDING,
                {
                    "code": finding.code,
                    "severity": finding.severity.value,
                    "message": finding.message,
                },
            )
            if finding.source is not None:
                _source_element(finding_element, finding.source)
    return element


def write_training_accounts(sink: XmlSink, records: Iterable[AccountRecord]) -> int:
    """Stream a training-account document to a path or a binary stream; return the count.

    Every record that cannot be written is reported at the end in one
    :class:`MycareerErrorGroup` (a path is then left untouched).
    """
    collector = ErrorCollector("$.accounts")
    count = 0
    with collector, open_writer(sink, TRAINING_ACCOUNT) as writer:
        for index, record in enumerate(records):
            with collector.at(f"[{index}]"):
                try:
                    element = account_element(record, path=f"$.accounts[{index}]")
                except MycareerErrorGroup as group:
                    for error in group.exceptions:
                        if isinstance(error, InvalidValueError):
                            collector.errors.append(error)
                    continue
                writer.write(element)
                count += 1
        if collector.errors:
            # raise inside the writer so that a path sink is not replaced
            collector.raise_if_any("cannot write training accounts")
    return count


def account_element_text(record: AccountRecord, *, path: str = "$") -> str:
    """One ``<account>`` and the newline after it, as :func:`write_training_accounts` writes
    them inside its root (for a run that renders each account where its ledger is made)."""
    # the serialiser the document writer's xf.write uses; no declaration in UTF-8
    return etree.tostring(account_element(record, path=path), encoding="UTF-8").decode() + "\n"


def training_accounts_frame() -> tuple[str, str]:
    """The text of a training-account document before its first account and after its
    last, as :func:`write_training_accounts` writes them."""
    sink = io.BytesIO()
    with open_writer(sink, TRAINING_ACCOUNT):
        pass
    empty = sink.getvalue().decode("utf-8")
    cut = empty.rindex(f"</{TRAINING_ACCOUNT.root}>")
    return empty[:cut], empty[cut:]


def training_accounts_bytes(records: Iterable[AccountRecord]) -> bytes:
    """The whole document in memory."""
    out = io.BytesIO()
    write_training_accounts(out, records)
    return out.getvalue()
