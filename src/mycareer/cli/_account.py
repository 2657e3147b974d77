"""``mycareer account PATH...``: the individual training account of every worker.

Credits come from the DmfA files and folders given (the training-right entitlement
of each year in ``--from-year..--to-year``, computed as ``mycareer entitlements``
does); trainings come from ``--trainings FILE`` (CSV, JSON or our training-account
XML, repeatable). The ledger runs per worker and employer as of ``--as-of``: credits
by part, trainings debited, balance, carry-over, 5-year windows with a reset at the
end (B-7; ``--no-reset`` keeps the balance; ``--window-start hire`` starts a worker's
first window at his first year instead of the calendar blocks 2024–2028…), and
``--termination NISS=REASON@DATE`` for contracts that ended (the credit is lost after
a resignation or a serious-cause dismissal, otherwise the open balance is reported, B-8).

``--employer-view`` prints each employer's team totals instead: credits granted,
used and remaining. ``--format table|json|csv|xml``; ``xml`` writes the
training-account document (the FLA archive format, ``urn:mycareer:training-account:1``).
The JSON output follows :data:`ACCOUNT_JSON_SCHEMA` (``--print-schema`` prints it).
The work is :func:`mycareer.account_jobs.accounts_from_files` (every year's entitlements
employer by employer on ``--jobs`` processes; the ledgers bucket by bucket of workers there
too, each format rendered there, the trainings routed to their buckets as they are read);
this module reads the inputs, calls it and writes what comes back.

Legal status: after 1 January 2026 keeping this account is recommended, its legal
status uncertain (B-9).

Exit status: 0 every input processed (findings go to stderr), 1 some input could
not be processed (its file and line on stderr; the rest is still output), 2 usage
error. ``--strict`` also fails (1) on warnings.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, TextIO

from mycareer.account_jobs import AccountFilesRun, Render, accounts_from_files
from mycareer.cli._common import add_indent, add_jobs, add_output, write_json
from mycareer.cli._counting import add_counting_choices, counting_choices
from mycareer.cli._progress import dmfa_progress, phases
from mycareer.errors import InvalidValueError, MycareerError, MycareerErrorGroup, flatten_errors
from mycareer.findings import Severity
from mycareer.fla import EntitlementOptions
from mycareer.fla.account import (
    AccountPolicy,
    Termination,
    TerminationReason,
    WindowStart,
)
from mycareer.fla.account_json import (
    ACCOUNT_SCHEMA_VERSION,
    EMPLOYER_COLUMNS,
    STATEMENT_COLUMNS,
    accounts_document,
    employer_rows,
    employers_document,
)
from mycareer.fla.account_table import account_table_text, print_aligned, table_number
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.trainings import Training
from mycareer.fla.trainings_io import TrainingImport, TrainingStream, stream_trainings
from mycareer.limits import parse_fraction, shown
from mycareer.niss import Niss
from mycareer.schemas import json_schema
from mycareer.xmlio.training_account import read_trainings_xml
from mycareer.xmlio.training_account_writer import (
    training_accounts_frame,
    write_training_accounts,
)

__all__ = ["ACCOUNT_JSON_SCHEMA", "SCHEMA_VERSION", "parse_termination", "register", "run"]

SCHEMA_VERSION: Final = ACCOUNT_SCHEMA_VERSION

#: JSON Schema (draft 2020-12) of ``mycareer account --format json``, shipped as
#: ``mycareer/schemas/account-1.schema.json`` (``mycareer schema account``).
ACCOUNT_JSON_SCHEMA: Final[dict[str, Any]] = json_schema("account-1")

_PROG: Final = "mycareer account"


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
    try:  # bounded: 1e-999999 would make the account run for more than 20 minutes
        value = parse_fraction(text, "hours per day")
    except InvalidValueError as error:
        raise argparse.ArgumentTypeError(error.message) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"hours per day must be positive, got {shown(text)}")
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
    add_output(parser)
    parser.add_argument("--rules", metavar="FILE", help="vendor sector schedules (JSON or TOML)")
    parser.add_argument(
        "--no-reset", action="store_true", help="keep the balance at window ends (B-7)"
    )
    parser.add_argument(
        "--window-start",
        choices=[s.value for s in WindowStart],
        default=WindowStart.CALENDAR.value,
        help="first 5-year window: the calendar blocks 2024-2028... (default) or from the "
        "worker's first year (hire)",
    )
    parser.add_argument("--allow-overuse", action="store_true", help="let the balance go negative")
    parser.add_argument("--hours-per-day", type=_hours_arg, help="training hours per day (B-6)")
    add_counting_choices(parser)  # the credits count as mycareer entitlements counts
    add_jobs(parser, "DmfA updates and consultation answers are read with their employer")
    parser.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    parser.add_argument(
        "--print-schema", action="store_true", help="print the JSON Schema and exit"
    )
    parser.set_defaults(handler=run)


def _error(message: str, err: TextIO) -> None:
    print(f"{_PROG}: error: {message}", file=err)


def _usage_error(args: argparse.Namespace) -> str | None:
    if not args.paths and not args.trainings:
        return "give DmfA PATHs and/or --trainings FILE"
    if args.employer_view and args.format == "xml":
        return "--employer-view has no xml format"
    if args.from_year is not None and args.to_year is not None and args.from_year > args.to_year:
        return "--from-year is after --to-year"
    return None


def _rulebook(path: str | None, err: TextIO) -> Rulebook | None:
    rulebook = Rulebook.default()
    if not path:
        return rulebook
    try:
        return rulebook.with_rules_file(path)
    except MycareerError as error:
        for line in flatten_errors(error):
            _error(line, err)
        return None


class _TrainingFiles:
    """The trainings of the ``--trainings`` files, read one file at a time as the run takes
    them (a run shuffled by worker routes each to its bucket's file as it comes: this
    process then holds one file's trainings, not all); each file's errors printed as it is
    read. A file that cannot be read contributes nothing; its valid trainings are kept
    when only some are invalid. Iterated once."""

    def __init__(self, paths: Sequence[str], err: TextIO) -> None:
        self._items = self._read(paths, err)
        self.count = 0
        self.ok = True

    def __iter__(self) -> Iterator[Training]:
        return self._items

    def _read(self, paths: Sequence[str], err: TextIO) -> Iterator[Training]:
        for path in paths:
            try:
                result = _open_trainings(path)
            except MycareerError as error:
                for line in flatten_errors(error):
                    _error(line, err)
                self.ok = False
                continue
            trainings = result.trainings if isinstance(result, TrainingImport) else result
            for training in trainings:
                self.count += 1
                yield training
            for problem in result.errors:
                _error(str(problem), err)
            self.ok = self.ok and not result.errors


def _open_trainings(path: str) -> TrainingImport | TrainingStream:
    """A trainings file: XML read whole, CSV and JSON given one training at a time (a file
    refused whole raises before any training is given)."""
    if Path(path).suffix.lower() == ".xml":
        return read_trainings_xml(path, keep_valid=True)
    return stream_trainings(path)


def _policy(args: argparse.Namespace) -> AccountPolicy:
    return AccountPolicy(
        reset_at_window_end=not args.no_reset,
        allow_overuse=args.allow_overuse,
        hours_per_day=args.hours_per_day,
        window_start=args.window_start,
    )


def _report_findings(computed: AccountFilesRun, err: TextIO, *, strict: bool) -> bool:
    """Print each finding once (by its text), those of reading first; ``False`` when
    ``strict`` and one is more than information. A large run's own are read back from
    disk as they are printed; only a digest of each text is remembered."""
    seen: set[bytes] = set()  # digests of the printed texts: 16 bytes a finding
    failed = False
    for finding in itertools.chain(computed.findings, computed.accounts.findings):
        text = str(finding)
        # surrogatepass: a file name that is not UTF-8 reaches the text as a lone surrogate
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if digest not in seen:
            seen.add(digest)
            print(f"{_PROG}: {text}", file=err)
        failed = failed or (strict and finding.severity is not Severity.INFO)
    return not failed


# --- renderers: one per (view, format) -------------------------------------------------------


def _write_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    writer = csv.DictWriter(
        out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def _worker_table(computed: AccountFilesRun, args: argparse.Namespace, out: TextIO) -> None:
    run = computed.accounts
    print(
        f"training accounts as of {run.as_of.isoformat()} in days "
        "(recommended; legal status uncertain from 2026, B-9)",
        file=out,
    )
    print(file=out)
    # Each account's block was made where its ledger was (render "table"), or is made here.
    texts = computed.texts if computed.tally is not None else map(account_table_text, run.accounts)
    for text in texts:
        out.write(text)


def _employer_table(computed: AccountFilesRun, args: argparse.Namespace, out: TextIO) -> None:
    print(f"training accounts as of {computed.accounts.as_of.isoformat()} — per employer", file=out)
    header = ("employer", "workers", "credited", "used", "remaining", "lost", "reset", "open")
    rows: list[tuple[str, ...]] = [header]
    for s in computed.employer_summaries():
        figures = (s.credited, s.used, s.remaining, s.lost, s.reset, s.open_balance)
        employer = "-" if s.employer is None else s.employer.formatted
        rows.append((employer, str(s.workers), *(table_number(v) for v in figures)))
    print_aligned(rows, out)


def _worker_json(computed: AccountFilesRun, args: argparse.Namespace, out: TextIO) -> None:
    # The accounts' texts were made where their ledgers were (_render), indented there
    # for --indent, and are read back from the run's temporary files as they are written:
    # the document is never whole in this process (its dicts took 6.4 kB an account:
    # 1.4 GB for 200,000 workers).
    head = accounts_document((), computed.accounts.as_of)
    write_json(out, head, args.indent, {"accounts": computed.texts})


def _employer_json(computed: AccountFilesRun, args: argparse.Namespace, out: TextIO) -> None:
    document = employers_document(computed.employer_summaries(), computed.accounts.as_of)
    write_json(out, document, args.indent)


def _worker_csv(computed: AccountFilesRun, args: argparse.Namespace, out: TextIO) -> None:
    rows = (row for text in computed.texts for row in json.loads(text))  # streamed
    _write_csv(rows, STATEMENT_COLUMNS, out)


def _employer_csv(computed: AccountFilesRun, args: argparse.Namespace, out: TextIO) -> None:
    _write_csv(employer_rows(computed.employer_summaries()), EMPLOYER_COLUMNS, out)


def _worker_xml(computed: AccountFilesRun, args: argparse.Namespace, out: TextIO) -> None:
    if computed.tally is None:  # the accounts are here (input read at once)
        buffer = io.BytesIO()
        write_training_accounts(buffer, computed.accounts.records())
        out.write(buffer.getvalue().decode("utf-8"))
        return
    # Each <account> was written where its ledger was made; nothing is written when one
    # cannot be, as write_training_accounts refuses the document.
    if computed.archive_errors:
        raise MycareerErrorGroup("cannot write training accounts", list(computed.archive_errors))
    head, tail = training_accounts_frame()
    out.write(head)
    for text in computed.texts:
        out.write(text)
    out.write(tail)


_Renderer = Callable[[AccountFilesRun, argparse.Namespace, TextIO], None]
_RENDERERS: Final[dict[tuple[bool, str], _Renderer]] = {
    (False, "table"): _worker_table,
    (False, "json"): _worker_json,
    (False, "csv"): _worker_csv,
    (False, "xml"): _worker_xml,
    (True, "table"): _employer_table,
    (True, "json"): _employer_json,
    (True, "csv"): _employer_csv,
}


def _render(args: argparse.Namespace) -> Render:
    """What the run gives: made where the ledgers are (worker processes) when it can be.

    The employer view needs the totals only; JSON, CSV, the table and the archive each
    account's text, rows, block or element (the archive's with its entitlements).
    """
    if args.employer_view:
        return "employers"
    return args.format  # type: ignore[no-any-return]


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if args.print_schema:
        print(json.dumps(ACCOUNT_JSON_SCHEMA, indent=2, ensure_ascii=False), file=out)
        return 0
    usage = _usage_error(args)
    rulebook = None if usage else _rulebook(args.rules, err)
    if usage or rulebook is None:
        if usage:
            _error(usage, err)
        return 2
    trainings = _TrainingFiles(args.trainings, err)
    progress = phases(args)  # computing, writing and the summary line (cli/_progress.py)
    progress.step("computing")  # reading is shown file by file inside it
    computed = accounts_from_files(
        args.paths, trainings, jobs=args.jobs, as_of=args.as_of, from_year=args.from_year,
        to_year=args.to_year, terminations=args.termination, policy=_policy(args),
        rulebook=rulebook, options=EntitlementOptions(**counting_choices(args)),
        progress=dmfa_progress, keep_entitlements=args.format == "xml",  # the archive's
        render=_render(args), indent=args.indent,  # JSON indented where it is made
    )  # fmt: skip
    for problem in computed.errors:
        for line in flatten_errors(problem):
            _error(line, err)
    read_ok = not computed.errors
    result = computed.accounts
    findings_ok = _report_findings(computed, err, strict=args.strict)
    progress.count("accounts", computed.account_count)
    progress.step("writing")
    _RENDERERS[(args.employer_view, args.format)](computed, args, out)
    print(
        f"{_PROG}: {computed.account_count} account(s) of {computed.worker_count} worker(s), "
        f"{trainings.count} training(s), years {result.from_year}-{result.to_year}",
        file=err,
    )
    return 0 if read_ok and trainings.ok and findings_ok else 1
