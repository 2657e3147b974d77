"""``mycareer account PATH...``: the individual training account of every worker.

Credits come from the DmfA files and folders given (the training-right entitlement
of each year in ``--from-year..--to-year``, computed as ``mycareer entitlements``
does); trainings come from ``--trainings FILE`` (CSV, JSON or our training-account
XML, repeatable). The ledger runs per worker and employer as of ``--as-of``: credits
by part, trainings debited, balance, carry-over, 5-year windows with a reset at the
end (B-7; ``--no-reset`` keeps the balance), and ``--termination NISS=REASON@DATE``
for contracts that ended (the credit is lost after a resignation or a serious-cause
dismissal, otherwise the open balance is reported, B-8).

``--employer-view`` prints each employer's team totals instead: credits granted,
used and remaining. ``--format table|json|csv|xml``; ``xml`` writes the
training-account document (the FLA archive format, ``urn:mycareer:training-account:1``).
The JSON output follows :data:`ACCOUNT_JSON_SCHEMA` (``--print-schema`` prints it).

Legal status: after 1 January 2026 keeping this account is recommended, its legal
status uncertain (``training-right.md`` B-9).

Exit status: 0 every input processed (findings go to stderr), 1 some input could
not be processed (its file and line on stderr; the rest is still output), 2 usage
error. ``--strict`` also fails (1) on warnings.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, TextIO

from mycareer.cli._flags import add_indent, write_json
from mycareer.cli._progress import dmfa_progress
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.errors import InvalidValueError, MycareerError, flatten_errors
from mycareer.findings import Finding, Severity
from mycareer.fla.account import (
    AccountPolicy,
    EmployerAccountSummary,
    Termination,
    TerminationReason,
    TrainingAccount,
    YearCredit,
    build_accounts,
    employer_summaries,
)
from mycareer.fla.entitlement import compute_entitlements
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.trainings import Training, format_exact
from mycareer.fla.trainings_io import read_trainings
from mycareer.fla.values import Entitlement, decimal_4
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.schemas import json_schema
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.flows import read_corrected_dmfa
from mycareer.xmlio.training_account import (
    account_records,
    read_trainings_xml,
    write_training_accounts,
)

__all__ = ["ACCOUNT_JSON_SCHEMA", "SCHEMA_VERSION", "parse_termination", "register", "run"]

SCHEMA_VERSION: Final = "1"

#: The figures of a yearly statement, in JSON (required keys) and CSV (columns) alike.
_STATEMENT_FIELDS: Final = (
    "year",
    "window",
    "opening",
    "legal_days",
    "sector_days",
    "employer_days",
    "credited",
    "used",
    "overused",
    "closing",
    "reset",
    "lost",
    "open_balance",
    "carried",
)
#: JSON Schema (draft 2020-12) of ``mycareer account --format json``, shipped as
#: ``mycareer/schemas/account-1.schema.json`` (``mycareer schema account``).
ACCOUNT_JSON_SCHEMA: Final[dict[str, Any]] = json_schema("account-1")


def parse_termination(text: str) -> Termination:
    """``NISS=REASON@DATE``, e.g. ``85073003328=resignation@2025-06-30``.

    >>> parse_termination("85073003328=dismissal-notice@2025-06-30").reason.value
    'dismissal-notice'
    """
    niss_text, sep, rest = text.partition("=")
    reason_text, at, day_text = rest.partition("@")
    if not sep or not at:
        raise InvalidValueError(f"expected NISS=REASON@YYYY-MM-DD, got {text!r}")
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise InvalidValueError(f"invalid date {day_text!r} in {text!r}") from None
    return Termination(Niss(niss_text.strip()), day, reason_text)


def _termination_arg(text: str) -> Termination:
    try:
        return parse_termination(text)
    except InvalidValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


def _hours_arg(text: str) -> Fraction:
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"invalid hours per day {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"hours per day must be positive, got {text!r}")
    return value


def register(subparsers: Any) -> None:
    reasons = ", ".join(r.value for r in TerminationReason)
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "account",
        help="individual training accounts: credits, trainings, balance and carry-over",
        description=(__doc__ or "").split("\n\n")[1].replace("\n", " "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  mycareer account dmfa/ --trainings trainings.csv --as-of 2025-12-31\n"
            "  mycareer account dmfa/ --employer-view --format json\n"
            "  mycareer account dmfa/ --termination 85073003328=resignation@2025-06-30\n"
            "  mycareer account dmfa/ --trainings t.json --format xml > archive.xml\n"
            f"\ntermination reasons: {reasons}\n"
            "legal status after 1 Jan 2026: recommended, legal status uncertain (B-9)"
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="DmfA files or folders")
    parser.add_argument(
        "--trainings",
        action="append",
        default=[],
        metavar="FILE",
        help="trainings file: .csv, .json or our training-account .xml (repeatable)",
    )
    parser.add_argument(
        "--from-year",
        type=int,
        metavar="YYYY",
        help="first year of credits (default: first declared, not before 2023)",
    )
    parser.add_argument(
        "--to-year",
        type=int,
        metavar="YYYY",
        help="last year of credits (default: year of --as-of)",
    )
    parser.add_argument(
        "--as-of",
        type=_date_arg,
        metavar="YYYY-MM-DD",
        help="date of the statement (default: 31 Dec of --to-year, "
        "else the end of the last declared quarter)",
    )
    parser.add_argument(
        "--termination",
        action="append",
        default=[],
        type=_termination_arg,
        metavar="NISS=REASON@DATE",
        help="a contract that ended (repeatable)",
    )
    parser.add_argument("--employer-view", action="store_true", help="team totals per employer")
    parser.add_argument("--format", choices=("table", "json", "csv", "xml"), default="table")
    add_indent(parser)
    parser.add_argument("--rules", metavar="FILE", help="vendor sector schedules (JSON or TOML)")
    parser.add_argument(
        "--no-reset", action="store_true", help="keep the balance at window ends (B-7)"
    )
    parser.add_argument("--allow-overuse", action="store_true", help="let the balance go negative")
    parser.add_argument("--hours-per-day", type=_hours_arg, help="training hours per day (B-6)")
    parser.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    parser.add_argument(
        "--print-schema", action="store_true", help="print the JSON Schema and exit"
    )
    parser.set_defaults(handler=run)


def _occupation_facts(
    records: Sequence[DmfaWorkerRecord],
) -> tuple[dict[tuple[str, str], WorkFraction], dict[tuple[str, str], JointCommission]]:
    """Work regime (Q/S) and joint committee of each worker's latest line per employer."""
    latest: dict[tuple[str, str], tuple[date, WorkFraction | None, JointCommission]] = {}
    for record in records:
        key = (record.employer.key, record.niss.value)
        for occupation in record.occupations:
            if key not in latest or occupation.period.start >= latest[key][0]:
                latest[key] = (
                    occupation.period.start,
                    occupation.fraction,
                    occupation.joint_commission,
                )
    regimes: dict[tuple[str, str], WorkFraction] = {}
    committees: dict[tuple[str, str], JointCommission] = {}
    for key, (_, fraction, committee) in latest.items():
        committees[key] = committee
        if fraction is not None:
            regimes[key] = fraction
    return regimes, committees


def _load_trainings(paths: Sequence[str], err: TextIO) -> tuple[list[Training], bool]:
    trainings: list[Training] = []
    ok = True
    for path in paths:
        try:
            if Path(path).suffix.lower() == ".xml":
                result = read_trainings_xml(path, keep_valid=True)
            else:
                result = read_trainings(path, keep_valid=True)
        except MycareerError as error:
            for line in flatten_errors(error):
                print(f"mycareer account: error: {line}", file=err)
            ok = False
            continue
        for problem in result.errors:
            print(f"mycareer account: error: {problem}", file=err)
        ok = ok and not result.errors
        trainings.extend(result.trainings)
    return trainings, ok


def _text(value: Fraction) -> str:
    return format_exact(value)


def _shown(value: Fraction) -> str:
    """Table display: exact when it has a short decimal, else 4 places with a tilde."""
    exact = format_exact(value)
    if "/" not in exact and len(exact.partition(".")[2]) <= 4:
        return exact
    return f"~{decimal_4(value)}"


def _account_json(account: TrainingAccount) -> dict[str, Any]:
    employer = account.employer
    return {
        "enterprise": None
        if employer is None or employer.enterprise is None
        else employer.enterprise.value,
        "nsso_number": None if employer is None or employer.nsso is None else employer.nsso.value,
        "niss": account.niss.value,
        "hours_per_day": _text(account.hours_per_day),
        "balance": _text(account.balance),
        "open_balance": None if account.open_balance is None else _text(account.open_balance),
        "termination": None
        if account.termination is None
        else {
            "date": account.termination.date.isoformat(),
            "reason": account.termination.reason.value,
        },
        "statements": [
            {
                "year": s.year,
                "window": None if s.window is None else str(s.window),
                "opening": _text(s.opening),
                "legal_days": _text(s.credit.legal_days),
                "sector_days": _text(s.credit.sector_days),
                "employer_days": _text(s.credit.employer_days),
                "credited": _text(s.credited),
                "used": _text(s.used),
                "overused": _text(s.overused),
                "closing": _text(s.closing),
                "reset": _text(s.reset),
                "lost": _text(s.lost),
                "open_balance": _text(s.open_balance),
                "carried": _text(s.carried),
            }
            for s in account.statements
        ],
        "trainings": [
            {
                "name": t.name,
                "start": t.start.isoformat(),
                "end": t.end.isoformat(),
                "hours": _text(t.hours),
                "days": _text(t.days(account.hours_per_day)),
                "type": t.type.value,
                "status": t.status.value,
                "counts_toward_individual_right": t.counts_toward_individual_right,
            }
            for t in account.trainings
        ],
        "findings": [str(f) for f in account.findings],
    }


def _summary_json(summary: EmployerAccountSummary) -> dict[str, Any]:
    employer = summary.employer
    return {
        "enterprise": None
        if employer is None or employer.enterprise is None
        else employer.enterprise.value,
        "nsso_number": None if employer is None or employer.nsso is None else employer.nsso.value,
        "workers": summary.workers,
        "credited": _text(summary.credited),
        "used": _text(summary.used),
        "remaining": _text(summary.remaining),
        "lost": _text(summary.lost),
        "reset": _text(summary.reset),
        "open_balance": _text(summary.open_balance),
    }


_STATEMENT_COLUMNS: Final = ("enterprise", "nsso_number", "niss", *_STATEMENT_FIELDS)
_EMPLOYER_COLUMNS: Final = (
    "enterprise",
    "nsso_number",
    "workers",
    "credited",
    "used",
    "remaining",
    "lost",
    "reset",
    "open_balance",
)


def _write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    writer = csv.DictWriter(
        out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _employer_label(account: TrainingAccount | EmployerAccountSummary) -> str:
    return "no employer" if account.employer is None else f"employer {account.employer.formatted}"


def _table_accounts(accounts: Sequence[TrainingAccount], out: TextIO) -> None:
    header = (
        "year",
        "window",
        "opening",
        "legal",
        "sector",
        "employer",
        "used",
        "closing",
        "carried",
        "reset",
        "lost",
        "open",
    )
    for account in accounts:
        print(f"{_employer_label(account)} — NISS {account.niss.formatted}", file=out)
        rows: list[tuple[str, ...]] = [header]
        for s in account.statements:
            rows.append(
                (
                    str(s.year),
                    "-" if s.window is None else str(s.window),
                    *(
                        _shown(v)
                        for v in (
                            s.opening,
                            s.credit.legal_days,
                            s.credit.sector_days,
                            s.credit.employer_days,
                            s.used,
                            s.closing,
                            s.carried,
                            s.reset,
                            s.lost,
                            s.open_balance,
                        )
                    ),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            print(
                "  "
                + "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)),
                file=out,
            )
        for training in account.trainings:
            mark = "" if training.debits_individual_right else " (not debited)"
            print(
                f"  training {training.end.isoformat()} {training.name}: {_shown(training.hours)} h"
                f" = {_shown(training.days(account.hours_per_day))} day(s){mark}",
                file=out,
            )
        hours = _shown(account.hours(account.balance))
        balance = f"  balance {_shown(account.balance)} day(s) = {hours} h"
        if account.termination is not None:
            ending = account.termination
            what = "lost" if ending.reason.loses_credit else "open balance"
            balance += f"; contract ended {ending.date.isoformat()} ({ending.reason.value}): {what}"
        print(balance, file=out)
        print(file=out)


def _table_employers(summaries: Sequence[EmployerAccountSummary], out: TextIO) -> None:
    header = ("employer", "workers", "credited", "used", "remaining", "lost", "reset", "open")
    rows: list[tuple[str, ...]] = [header]
    for s in summaries:
        rows.append(
            (
                "-" if s.employer is None else s.employer.formatted,
                str(s.workers),
                *(
                    _shown(v)
                    for v in (s.credited, s.used, s.remaining, s.lost, s.reset, s.open_balance)
                ),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)), file=out
        )


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if args.print_schema:
        print(json.dumps(ACCOUNT_JSON_SCHEMA, indent=2, ensure_ascii=False), file=out)
        return 0
    if not args.paths and not args.trainings:
        print("mycareer account: error: give DmfA PATHs and/or --trainings FILE", file=err)
        return 2
    if args.employer_view and args.format == "xml":
        print("mycareer account: error: --employer-view has no xml format", file=err)
        return 2
    if args.from_year is not None and args.to_year is not None and args.from_year > args.to_year:
        print("mycareer account: error: --from-year is after --to-year", file=err)
        return 2
    rulebook = Rulebook.default()
    if args.rules:
        try:
            rulebook = rulebook.with_rules_file(args.rules)
        except MycareerError as rules_error:
            for line in flatten_errors(rules_error):
                print(f"mycareer account: error: {line}", file=err)
            return 2
    ok = True
    findings: list[Finding] = []
    records: tuple[DmfaWorkerRecord, ...] = ()
    declarations: tuple[Any, ...] = ()
    if args.paths:
        batch = read_corrected_dmfa(args.paths, on_error="collect", progress=dmfa_progress)
        for problem in batch.errors:
            for line in flatten_errors(problem):
                print(f"mycareer account: error: {line}", file=err)
        ok = ok and not batch.errors
        records, declarations = batch.records, batch.declarations
        findings.extend(batch.findings)
    trainings, trainings_ok = _load_trainings(args.trainings, err)
    ok = ok and trainings_ok

    years_declared = sorted({q.year for q in (r.quarter for r in records)})
    as_of: date | None = args.as_of
    if as_of is None:
        if args.to_year is not None:
            as_of = date(args.to_year, 12, 31)
        elif records:
            as_of = max(r.quarter for r in records).last_day
        elif trainings:
            as_of = max(t.end for t in trainings)
        else:
            as_of = date(2024, 12, 31)
    to_year = args.to_year if args.to_year is not None else as_of.year
    from_year = args.from_year
    if from_year is None:
        from_year = max(2023, years_declared[0]) if years_declared else to_year
    entitlements: list[Entitlement] = []
    if records:
        for year in range(from_year, to_year + 1):
            entitlements.extend(
                compute_entitlements(records, declarations, year, rulebook=rulebook, as_of=as_of)
            )
    for entitlement in entitlements:
        findings.extend(entitlement.findings)
    credits = [YearCredit.from_entitlement(e) for e in entitlements]
    policy = AccountPolicy(
        reset_at_window_end=not args.no_reset,
        allow_overuse=args.allow_overuse,
        hours_per_day=args.hours_per_day,
    )
    # a sector schedule ships its own windows and reset policy (PC 200: reset, T-PC200-4)
    policies: dict[str | tuple[str, str], AccountPolicy] = {}
    for credit in sorted(credits, key=lambda c: c.year):
        if credit.rule_id is None or credit.employer is None:
            continue
        try:
            schedule = rulebook.schedule(credit.rule_id)
        except KeyError:
            continue
        changes: dict[str, Any] = {
            "allow_overuse": args.allow_overuse,
            "hours_per_day": args.hours_per_day,
        }
        if args.no_reset:
            changes["reset_at_window_end"] = False
        key = (credit.employer.key, credit.niss.value)
        policies[key] = AccountPolicy.for_schedule(schedule, **changes)
    accounts, loose = build_accounts(
        credits,
        trainings,
        as_of=as_of,
        terminations=args.termination,
        policy=policy,
        policies=policies,
    )
    findings.extend(loose)
    for account in accounts:
        findings.extend(account.findings)

    seen: set[str] = set()
    for finding in findings:
        text = str(finding)
        if text not in seen:
            seen.add(text)
            print(f"mycareer account: {text}", file=err)
    if args.strict and any(f.severity is not Severity.INFO for f in findings):
        ok = False

    if args.format == "xml":
        regimes, committees = _occupation_facts(records)
        buffer = io.BytesIO()
        write_training_accounts(
            buffer,
            account_records(
                accounts, entitlements, work_regimes=regimes, joint_committees=committees
            ),
        )
        out.write(buffer.getvalue().decode("utf-8"))
    elif args.employer_view:
        summaries = employer_summaries(accounts)
        if args.format == "json":
            document = {
                "schema_version": SCHEMA_VERSION,
                "as_of": as_of.isoformat(),
                "view": "employer",
                "employers": [_summary_json(s) for s in summaries],
            }
            write_json(out, document, args.indent)
        elif args.format == "csv":
            _write_csv((_summary_json(s) for s in summaries), _EMPLOYER_COLUMNS, out)
        else:
            print(f"training accounts as of {as_of.isoformat()} — per employer", file=out)
            _table_employers(summaries, out)
    elif args.format == "json":
        document = {
            "schema_version": SCHEMA_VERSION,
            "as_of": as_of.isoformat(),
            "view": "worker",
            "accounts": [_account_json(a) for a in accounts],
        }
        write_json(out, document, args.indent)
    elif args.format == "csv":
        rows = []
        for account in accounts:
            base = _account_json(account)
            for statement in base["statements"]:
                rows.append(
                    {
                        "enterprise": base["enterprise"],
                        "nsso_number": base["nsso_number"],
                        "niss": base["niss"],
                        **statement,
                    }
                )
        _write_csv(rows, _STATEMENT_COLUMNS, out)
    else:
        print(
            f"training accounts as of {as_of.isoformat()} in days "
            "(recommended; legal status uncertain from 2026, B-9)",
            file=out,
        )
        print(file=out)
        _table_accounts(accounts, out)
    grouped: dict[str, int] = defaultdict(int)
    for account in accounts:
        grouped[account.niss.value] += 1
    print(
        f"mycareer account: {len(accounts)} account(s) of {len(grouped)} worker(s), "
        f"{len(trainings)} training(s), years {from_year}-{to_year}",
        file=err,
    )
    return 0 if ok else 1
