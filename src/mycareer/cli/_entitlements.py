"""``mycareer entitlements --year Y PATH...``: training rights from DmfA files.

PATHs are DmfA files or folders (``*.xml``, read recursively). One entitlement per
(employer, worker) with an occupation line in the year, sorted by employer then
NISS, as JSON (the ``entitlements-1`` contract, schema shipped in
``mycareer/schemas/``), a table, CSV, or the training-account XML.

Exit codes: 0 every input processed (findings on stderr); 1 some input could not
be processed (its file and line on stderr, everything else still output); 2
usage error (bad option, bad rules file). ``--strict`` also fails (1) on warning findings.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, Final, TextIO

from mycareer._spool import SpooledItems
from mycareer.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from mycareer.cli._common import (
    OUTPUT_FILE,
    add_indent,
    add_jobs,
    add_output,
    error_line,
    usage_error,
    whole_number,
)
from mycareer.cli._counting import add_counting_choices, counting_choices
from mycareer.cli._progress import RunProgress as _Progress
from mycareer.cli._progress import dmfa_progress, phases
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InvalidValueError, MycareerError, flatten_errors
from mycareer.findings import Finding, Severity
from mycareer.fla.entitlement import (
    Entitlement,
    EntitlementOptions,
    HoursPolicy,
    Overrides,
    RoundingPolicy,
    SizeBand,
)
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.serialize import entitlement_json_text
from mycareer.fla.values import decimal_4
from mycareer.fla.years import DATA_END_BEFORE_YEAR
from mycareer.group_slices import SLICE_BYTES
from mycareer.jsontext import ARRAY_ITEM_SEPARATOR, ARRAY_LINES_END, ARRAY_LINES_START, item_text
from mycareer.nsso import NssoNumber
from mycareer.pipeline import EntitlementRun, entitlements_for_year
from mycareer.quarter import Quarter

__all__ = ["CSV_COLUMNS", "FORMATS", "register", "run"]

FORMATS: Final = ("json", "table", "csv", "xml")

CSV_COLUMNS: Final = (
    "employer",
    "nsso_number",
    "niss",
    "year",
    "band",
    "average_fte",
    "reference_quarters",
    "fallback_used",
    "regime",
    "days",
    "days_exact",
    "hours",
    "legal_days",
    "sector_days",
    "employer_days",
    "months_employed",
    "rule_id",
    "fla_regime",
    "projected",
)


#: Entitlements per write of the JSON output (about 0.7 MB of text).
_JSON_CHUNK: Final = 256


class _UsageError(Exception):
    """A bad option value: reported as ``mycareer entitlements: error: ...``, exit 2."""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "entitlements",
        help="compute each worker's yearly training right from DmfA files",
        description="Compute the individual training right (Law of 3 Oct 2022) of every "
        "worker at every employer for a year, from DmfA declarations: employer size band "
        "from the declared quarters, statutory or sector days, pro rata per month.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  mycareer entitlements --year 2025 dmfa/ --format table --explain --lang fr\n"
            "  mycareer entitlements --year 2026 --project --as-of 2025-12-31 dmfa/\n"
            "  mycareer entitlements --year 2025 dmfa/ --band 20+ --format csv\n"
            "  mycareer entitlements --year 2025 dmfa/ --rules pc-302.toml --format json"
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="DmfA files or folders")
    parser.add_argument("--year", type=int, required=True, help="the year of the right")
    _add_counting_options(parser)
    _add_output_options(parser)
    _add_policy_options(parser)
    parser.set_defaults(handler=run)


def _add_counting_options(parser: argparse.ArgumentParser) -> None:
    """What the data do not say: bands, quarter FTE, rules, projection."""
    parser.add_argument(
        "--band",
        action="append",
        default=[],
        metavar="[EMPLOYER=]BAND",
        help="force the size band (<10, 10-19, 20+), for every employer or one "
        "(enterprise number or nsso:NUMBER); repeatable",
    )
    parser.add_argument(
        "--quarter-fte",
        action="append",
        default=[],
        metavar="EMPLOYER:YYYYQ=FTE",
        help="quarter-end FTE of an employer, replacing the declared one; repeatable",
    )
    parser.add_argument("--rules", metavar="FILE", help="vendor rules file (JSON or TOML)")
    parser.add_argument(
        "--lang", choices=("en", "fr", "nl"), default="en", help="language of explanations"
    )
    parser.add_argument(
        "--project",
        action="store_true",
        help="project the year from the lines in force on --as-of (default: the last "
        "day of the latest quarter declared before the year)",
    )
    parser.add_argument(
        "--as-of", type=_iso_date, metavar="YYYY-MM-DD", help="reference date for --project"
    )


def _slice_mb(text: str) -> int:
    return whole_number(text, "megabytes", 1, 1_000_000)


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="json (the entitlements-1 contract), table, csv or training-account xml",
    )
    add_indent(parser)
    add_output(parser)
    add_jobs(parser)
    parser.add_argument(
        "--slice-mb",
        type=_slice_mb,
        default=SLICE_BYTES // 1_000_000,
        metavar="MB",
        help="read a group of several employers' files (a social secretariat's) of more "
        "than MB megabytes of XML in slices, each computing a share of its employers: "
        "less memory a process, one more read of the files a slice "
        f"(default {SLICE_BYTES // 1_000_000}; docs/performance.md)",
    )
    parser.add_argument("--explain", action="store_true", help="explanations in the table")
    parser.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on warning findings too"
    )


def _add_policy_options(parser: argparse.ArgumentParser) -> None:
    """The choices the law leaves open (docs/training-right.md, B-3 to B-6)."""
    parser.add_argument(
        "--rounding",
        choices=[p.value for p in RoundingPolicy],
        default=RoundingPolicy.NONE.value,
        help="rounding of days (B-5; default none: exact)",
    )
    parser.add_argument(
        "--hours-policy",
        choices=[p.value for p in HoursPolicy],
        default=HoursPolicy.FULL_TIME_DAY.value,
        help="hours per day: full-time weekly hours / 5, or the worker's own (B-6)",
    )
    add_counting_choices(parser)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


def _employer_key(text: str) -> str:
    raw = text.strip()
    try:
        if raw.lower().startswith("nsso:"):
            return f"nsso:{NssoNumber(raw[5:]).value}"
        return EnterpriseNumber(raw).value
    except InvalidValueError as error:
        raise _UsageError(str(error)) from None


def _band(text: str) -> SizeBand:
    try:
        return SizeBand(text.strip())
    except ValueError:
        raise _UsageError(f"invalid band {text!r}: expected <10, 10-19 or 20+") from None


def _overrides(args: argparse.Namespace) -> Overrides:
    """``--band EMPLOYER=BAND`` and ``--quarter-fte``; ``--band BAND`` is :func:`_every_band`."""
    bands: dict[str, SizeBand] = {}
    for raw in args.band:
        if "=" in raw:
            who, _, value = raw.rpartition("=")
            bands[_employer_key(who)] = _band(value)
        else:
            _band(raw)  # a bad band is refused in the order given (_every_band keeps it)
    fte: dict[str, dict[Quarter, Decimal]] = {}
    for raw in args.quarter_fte:
        who, quarter, amount = _quarter_fte(raw)
        fte.setdefault(who, {})[quarter] = amount
    return Overrides(band=bands, quarter_fte=fte)


def _quarter_fte(raw: str) -> tuple[str, Quarter, Decimal]:
    """One ``--quarter-fte EMPLOYER:YYYYQ=FTE``: (employer key, quarter, FTE)."""
    who, colon, rest = raw.rpartition(":")
    quarter_text, equals, value = rest.partition("=")
    if not colon or not equals:
        raise _UsageError(f"invalid --quarter-fte {raw!r}: expected EMPLOYER:YYYYQ=FTE")
    try:
        quarter = Quarter.parse(quarter_text)
        amount = Decimal(value.strip())
    except (InvalidValueError, InvalidOperation):
        raise _UsageError(f"invalid --quarter-fte {raw!r}: expected EMPLOYER:YYYYQ=FTE") from None
    if not amount.is_finite() or amount < 0:
        raise _UsageError(f"invalid --quarter-fte {raw!r}: FTE must be a number ≥ 0")
    return _employer_key(who), quarter, amount


def _every_band(args: argparse.Namespace) -> SizeBand | None:
    """The ``--band BAND`` given for every employer (the last one wins, as in _overrides)."""
    every = [_band(raw) for raw in args.band if "=" not in raw]
    return every[-1] if every else None


def _csv(results: Sequence[Entitlement], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in results:
        writer.writerow(
            [
                "" if e.employer.enterprise is None else e.employer.enterprise.value,
                "" if e.employer.nsso is None else e.employer.nsso.value,
                e.niss.value,
                e.year,
                e.band.value,
                "" if e.average_fte is None else e.average_fte,
                " ".join(str(q) for q in e.reference_quarters),
                "true" if e.fallback_used else "false",
                e.regime.value,
                "" if e.days is None else e.days,
                "" if e.days_exact is None else e.days_exact,
                "" if e.hours is None else decimal_4(e.hours),
                "" if e.legal_days is None else e.legal_days,
                "" if e.sector_days is None else e.sector_days,
                "" if e.employer_days is None else e.employer_days,
                e.months_employed,
                "" if e.rule is None else e.rule.id,
                e.fla_regime.value,
                "true" if e.projected else "false",
            ]
        )


_TABLE_HEADER: Final = (
    "employer", "niss", "year", "band", "regime", "days", "hours", "months", "rule",
)  # fmt: skip


def _table_row(e: Entitlement) -> tuple[str, ...]:
    return (
        e.employer.formatted,
        e.niss.formatted,
        str(e.year) + ("*" if e.projected else ""),
        e.band.value,
        e.regime.value,
        "-" if e.days is None else str(e.days),
        "-" if e.hours is None else str(decimal_4(e.hours)),
        str(e.months_employed),
        "-" if e.rule is None else e.rule.id,
    )


def _aligned(row: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()


def _table(
    results: Sequence[Entitlement],
    out: TextIO,
    *,
    lang: str,
    explain: bool,
    notes: Sequence[Finding] = (),
) -> None:
    """The table for people; ``notes`` (findings about the whole run) under it."""
    rows = [_table_row(e) for e in results]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(_TABLE_HEADER)]  # fmt: skip
    print(_aligned(_TABLE_HEADER, widths), file=out)
    for e, row in zip(results, rows, strict=True):
        print(_aligned(row, widths), file=out)
        if explain:
            for line in e.explain(lang):  # type: ignore[arg-type]
                print(f"    {line}", file=out)
    if any(e.projected for e in results):
        print("* projected", file=out)
    for finding in notes:
        print(f"! {finding}", file=out)


def _xml(results: Sequence[Entitlement], as_of: date) -> bytes | None:
    try:
        from mycareer.fla.account import YearCredit, build_accounts
        from mycareer.xmlio.training_account import account_records
        from mycareer.xmlio.training_account_writer import training_accounts_bytes
    except ImportError:
        return None
    credits = [YearCredit.from_entitlement(e) for e in results if e.days_exact is not None]
    accounts, _findings = build_accounts(credits, as_of=as_of)
    return training_accounts_bytes(account_records(accounts, results))


def _rulebook(args: argparse.Namespace, err: TextIO) -> Rulebook | None:
    """The default rulebook, with ``--rules`` applied (None: the rules file was refused)."""
    book = Rulebook.default()
    if not args.rules:
        return book
    try:
        return book.with_rules_file(args.rules)
    except MycareerError as error:
        for line in flatten_errors(error):
            print(error_line("entitlements", line), file=err)
        return None


def _options(args: argparse.Namespace) -> EntitlementOptions:
    return EntitlementOptions(
        rounding=RoundingPolicy(args.rounding),
        hours_policy=HoursPolicy(args.hours_policy),
        **counting_choices(args),
    )


def _compute(
    args: argparse.Namespace, err: TextIO, out: TextIO
) -> tuple[EntitlementRun, _Progress] | int:
    """Read and compute (mycareer.pipeline chooses how); an exit code for unusable options."""
    book = _rulebook(args, err)
    if book is None:
        return EXIT_USAGE
    try:
        overrides, every_band = _overrides(args), _every_band(args)
    except _UsageError as error:
        return usage_error("entitlements", str(error), err)
    progress = phases(args)  # computing, writing and the summary line (cli/_progress.py)
    progress.step("computing")  # reading is shown file by file inside it
    render: Any = "json" if args.format == "json" else "objects"
    computed = entitlements_for_year(
        args.paths, args.year, project=args.project, as_of=args.as_of, jobs=args.jobs,
        rulebook=book, overrides=overrides, every_band=every_band, options=_options(args),
        render=render, lang=args.lang, progress=dmfa_progress, json_to=_json_to(args, out),
        json_errors=_errors_of(out), slice_bytes=args.slice_mb * 1_000_000,
    )  # fmt: skip
    return computed, progress


def _json_to(args: argparse.Namespace, out: TextIO) -> BinaryIO | None:
    """Where the JSON may be written while it is computed: the ``--output`` file (our
    temporary file, seekable, cut back if the run's texts turn out otherwise), compact
    JSON; standard output gets it at the end (it cannot be taken back)."""
    if args.format != "json" or args.indent is not None:
        return None
    if getattr(args, OUTPUT_FILE, None) in (None, "-"):
        return None
    binary = _utf8_buffer(out)
    if binary is None or not binary.seekable():
        return None
    out.flush()
    return binary


def _report(computed: EntitlementRun, args: argparse.Namespace, err: TextIO) -> bool:
    """Errors and findings (each once) on stderr; True when ``--strict`` fails the run."""
    for problem in computed.errors:
        for line in flatten_errors(problem):
            print(error_line("entitlements", line), file=err)
    seen: set[Finding] = set()
    for finding in computed.findings:
        if finding not in seen:
            seen.add(finding)
            print(f"mycareer entitlements: {finding}", file=err)
    return bool(args.strict and any(f.severity is not Severity.INFO for f in seen))


def _write_json(computed: EntitlementRun, args: argparse.Namespace, out: TextIO) -> None:
    """One compact object per line (still one JSON array), or with ``--indent`` the bytes
    of ``json.dumps(objects, indent=N)``: streamed in chunks of a few hundred objects (one
    write per object cost more than the joins), never the whole array held."""
    results, texts, indent = computed.entitlements, computed.json, args.indent
    count = len(texts) or len(results)
    binary = _utf8_buffer(out)
    if isinstance(texts, SpooledItems) and indent is None and count and binary is not None:
        out.write(ARRAY_LINES_START)
        out.flush()
        texts.write_joined(binary, ARRAY_ITEM_SEPARATOR, _errors_of(out))  # UTF-8 as is
        out.write(ARRAY_LINES_END)
        return
    out.write("[")
    separator = "\n"
    for first in range(0, count, _JSON_CHUNK):
        chunk = texts[first : first + _JSON_CHUNK] or [
            entitlement_json_text(e, args.lang) for e in results[first : first + _JSON_CHUNK]
        ]
        if indent is not None:  # the worker processes' compact texts, indented one by one
            chunk = [item_text(json.loads(text), indent, 1) for text in chunk]
        out.write(separator + ARRAY_ITEM_SEPARATOR.join(chunk))
        separator = ARRAY_ITEM_SEPARATOR
    out.write("\n]\n" if count else "]\n")


def _errors_of(out: TextIO) -> str:
    """The error handler ``out`` encodes with (bytes written past it take the same)."""
    return getattr(out, "errors", None) or "strict"


def _utf8_buffer(out: TextIO) -> BinaryIO | None:
    """The bytes under ``out`` when it writes UTF-8 (so bytes may bypass it), else None.

    None where lines end otherwise (Windows): standard output there writes each ``\n``
    as ``\r\n``, which bytes copied past it would not get.
    """
    if os.linesep != "\n":
        return None
    try:
        utf8 = codecs.lookup(getattr(out, "encoding", None) or "ascii").name == "utf-8"
    except LookupError:
        return None
    return getattr(out, "buffer", None) if utf8 else None


def _write_xml(results: Sequence[Entitlement], args: argparse.Namespace, out: TextIO) -> bool:
    document = _xml(results, args.as_of or date(args.year, 12, 31))
    if document is None:
        return False
    out.flush()
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        buffer.write(document)
    else:
        out.write(document.decode("utf-8"))
    return True


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    outcome = _compute(args, err, out)
    if isinstance(outcome, int):
        return outcome
    computed, progress = outcome
    failing = _report(computed, args, err)
    results = computed.entitlements
    progress.count("entitlements", len(results) or len(computed.json))
    progress.step("writing")
    if args.format == "json":
        if not computed.json_written:  # else written as it was computed (_json_to)
            _write_json(computed, args, out)
    elif args.format == "csv":
        _csv(results, out)
    elif args.format == "table":
        notes = [f for f in computed.findings if f.code == DATA_END_BEFORE_YEAR]
        _table(results, out, lang=args.lang, explain=args.explain, notes=notes)
    elif not _write_xml(results, args, out):
        return usage_error(
            "entitlements",
            "--format xml is not available (the training-account writer is not installed)",
            err,
        )
    return EXIT_INPUT if computed.errors or failing else EXIT_OK
