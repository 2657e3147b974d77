"""``mycareer validate PATH...``: XSD and domain checks, one report per file.

What is checked depends on the document's root element:

* our own formats (recognised by their root namespace) against the XSD shipped
  in :mod:`mycareer.xmlio.formats`;
* official ONSS documents (roots ``DmfAOriginal``, ``Dimona``, ``NOTIFICATION``,
  no namespace) against the matching XSD found in ``--schema-dir DIR``
  (``DmfAOriginal_*.xsd``, ``Dimona_*.xsd``, ``NOTIFICATION_*.xsd``; the
  official XSDs are never shipped with mycareer);
* then the *domain* checks: the document is read through mycareer's reader,
  which refuses invalid NISS, enterprise numbers, quarters and dates;
* JSON career records (``*.json``) are structured with the converter, which
  reports every bad value with its JSON path.

Every problem goes to stderr as ``mycareer validate: error: file:line: message``.
``--format table|json|csv`` chooses the report on stdout. Exit status: 0 every file
valid, 1 some file invalid or unreadable, 2 usage error.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

import attrs
from lxml import etree

from mycareer.cli._common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    MISSING,
    HelpFormatter,
    add_indent,
    add_output,
    error_line,
    ordered_formats,
    write_json,
)
from mycareer.errors import InvalidValueError, MycareerError, SourceRef
from mycareer.limits import load_json, read_input_bytes
from mycareer.outputs import csv_cell
from mycareer.xmlio._safe import load_schema, parse_document, validate_document
from mycareer.xmlio.career_records import read_career_records
from mycareer.xmlio.documents import DocumentKind, onss_schema, sniff_version
from mycareer.xmlio.formats import FORMATS, NAMESPACE_PREFIX, XmlFormat, get_format, validate
from mycareer.xmlio.reading import input_files
from mycareer.xmlio.training_account import read_training_accounts

__all__ = [
    "ONSS_ROOTS",
    "REPORT_SCHEMA_ID",
    "FileReport",
    "Problem",
    "register",
    "report_document",
    "run",
    "validate_path",
]

#: Root element of each official ONSS document → file-name prefix of its XSD.
ONSS_ROOTS: Final[dict[str, str]] = {
    "DmfAOriginal": "DmfAOriginal",
    "DmfAUpdate": "DmfAUpdate",
    "DmfAConsultationAnswer": "DmfAConsultationAnswer",
    "DmfAUpdateNotification": "DmfAUpdateNotification",
    "PersonnelFileConsultationAnswer": "PersonnelFileConsultationAnswer",
    "Dimona": "Dimona",
    "NOTIFICATION": "NOTIFICATION",
}

#: What exit code 1 means for ``validate`` (``--help``).
EXIT_ONE: Final = "some file invalid or unreadable (or, with --strict, not fully checked)"

#: Identifier of the JSON report (``mycareer schema validate-report``).
REPORT_SCHEMA_ID: Final = "urn:mycareer:schema:validate-report:1"

#: Domain readers per ONSS root: module and function, imported when first needed.
_ONSS_READERS: Final[dict[str, tuple[str, str]]] = {
    "DmfAOriginal": ("mycareer.xmlio.dmfa", "iter_dmfa"),
    "DmfAUpdate": ("mycareer.xmlio.dmfa_update", "iter_dmfa_updates"),
    "DmfAConsultationAnswer": ("mycareer.xmlio.dmfa_update", "iter_dmfa_consultations"),
    "PersonnelFileConsultationAnswer": ("mycareer.xmlio.personnel_file", "iter_personnel_file"),
    "Dimona": ("mycareer.xmlio.dimona", "iter_dimona"),
    "NOTIFICATION": ("mycareer.xmlio.dimona", "iter_notifications"),
}


#: Domain readers of our formats, by format name (``on_error="collect"`` readers).
_OUR_READERS: Final[dict[str, Callable[..., Any]]] = {
    "career-records": read_career_records,
    "training-account": read_training_accounts,
}


@attrs.frozen
class Problem:
    """One reason a file is not valid: which check found it, where, and what."""

    check: str  # "read", "xsd", "domain" or "schema-dir"
    message: str
    line: int | None = None

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line is not None else file
        return f"{where}: {self.message}"


@attrs.frozen
class FileReport:
    """The outcome of validating one file."""

    file: str
    document: str  # root element, "json", or "unknown"
    checks: tuple[str, ...]
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "document": self.document,
            "valid": self.valid,
            "checks": list(self.checks),
            "problems": [
                {"check": p.check, "line": p.line, "message": p.message} for p in self.problems
            ],
            "notes": list(self.notes),
        }


def _leaf_problems(error: BaseException, check: str) -> list[Problem]:
    """Every leaf of an error tree as a problem, keeping its line when it has one."""
    if isinstance(error, BaseExceptionGroup):
        found: list[Problem] = []
        for inner in error.exceptions:
            found.extend(_leaf_problems(inner, check))
        return found
    if isinstance(error, InvalidValueError):
        source: SourceRef | None = error.source
        message = error.message
        if source is not None and source.record:
            message = f"{message} ({source.record})"
        if error.path:
            message = f"{message} @ {error.path}"
        return [Problem(check, message, source.line if source is not None else None)]
    return [Problem(check, str(error) or type(error).__name__)]


def _our_format(namespace: str) -> XmlFormat | None:
    """Our registered format whose root namespace is ``namespace``, if any."""
    get_format("career-records")  # the built-in formats register themselves on import
    for fmt in FORMATS.values():
        if fmt.namespace == namespace:
            return fmt
    return None


def _read_domain(root_name: str, path: Path) -> list[Problem] | None:
    """Stream the document through its reader; every refused record is a problem."""
    if root_name not in _ONSS_READERS:
        return None  # e.g. DmfAUpdateNotification: XSD check only
    module_name, function_name = _ONSS_READERS[root_name]
    try:
        reader = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError):
        return None  # this build has no reader for the document: XSD check only
    errors: list[InvalidValueError] = []
    try:
        for _record in reader(path, name=str(path), errors=errors):
            pass
    except MycareerError as error:  # an unreadable document, after any bad records
        found = [problem for e in errors for problem in _leaf_problems(e, "domain")]
        return found + _leaf_problems(error, "domain")
    return [problem for error in errors for problem in _leaf_problems(error, "domain")]


def _validate_json(path: Path) -> FileReport:
    from mycareer.career import CareerRecords
    from mycareer.converter import from_json

    try:  # bounded size, depth and numbers (mycareer.limits): /dev/zero stops too
        text = read_input_bytes(path)
        data = load_json(text, str(path))
    except InvalidValueError as error:
        line = error.source.line if error.source is not None else None
        return FileReport(str(path), "json", ("read",), (Problem("read", error.message, line),))
    if isinstance(data, dict) and "workers" in data:
        from mycareer.demo import DemoSample

        target: Any = DemoSample  # the embedded sample's shape: {"as_of": ..., "workers": [...]}
    else:
        target = list[CareerRecords] if isinstance(data, list) else CareerRecords
    try:
        from_json(text, target, source=str(path))
    except MycareerError as error:
        return FileReport(
            str(path),
            "career-records-json",
            ("read", "domain"),
            tuple(_leaf_problems(error, "domain")),
        )
    return FileReport(str(path), "career-records-json", ("read", "domain"), ())


class _SchemaCache:
    def __init__(self, schema_dir: Path | None) -> None:
        self.schema_dir = schema_dir
        self._loaded: dict[Path, etree.XMLSchema] = {}

    def onss(
        self, prefix: str, version: str | None = None, notes: list[str] | None = None
    ) -> tuple[etree.XMLSchema | None, Problem | None]:
        """The XSD of the document's kind and version (mycareer.xmlio.documents.onss_schema)."""
        if self.schema_dir is None:
            return None, None
        xsd, note = onss_schema(self.schema_dir, DocumentKind(prefix, None, version))
        if note is not None and notes is not None:
            notes.append(note)
        if xsd is None:
            return None, Problem(
                "schema-dir", f"no {prefix}_*.xsd in --schema-dir {self.schema_dir}"
            )
        if xsd not in self._loaded:
            self._loaded[xsd] = load_schema(xsd)
        return self._loaded[xsd], None


def validate_path(path: Path, *, schema_dir: Path | None = None) -> FileReport:
    """Validate one file: XSD first (ours, or ONSS with ``schema_dir``), then domain checks.

    Never raises for bad input: every problem ends up in the report.
    """
    return _validate(path, _SchemaCache(schema_dir))


def _validate(path: Path, cache: _SchemaCache) -> FileReport:
    name = str(path)
    if not path.exists():
        return FileReport(name, "unknown", ("read",), (Problem("read", MISSING),))
    if path.suffix.lower() == ".json":
        return _validate_json(path)
    try:
        tree = parse_document(path, name=name)
    except MycareerError as error:
        return FileReport(name, "unknown", ("read",), tuple(_leaf_problems(error, "read")))
    root = etree.QName(tree.getroot())
    if root.namespace is None and root.localname in ONSS_ROOTS:
        return _validate_onss(tree, root.localname, path, cache)
    fmt = _our_format(root.namespace) if root.namespace else None
    if fmt is None:
        return _unsupported(tree, root, name)
    return _validate_ours(tree, fmt, path)


def _onss_schema(
    tree: Any, root_name: str, cache: _SchemaCache, notes: list[str]
) -> tuple[etree.XMLSchema | None, list[Problem]]:
    """The XSD of an ONSS document (None: none to check with) and why, if it is a problem."""
    try:
        version = sniff_version(tree.getroot())
        schema, missing = cache.onss(ONSS_ROOTS[root_name], version, notes)
    except MycareerError as error:
        return None, _leaf_problems(error, "schema-dir")
    if missing is not None:
        return schema, [missing]
    if schema is None:
        notes.append("official ONSS document: XSD check skipped (no --schema-dir)")
    return schema, []


def _validate_onss(tree: Any, root_name: str, path: Path, cache: _SchemaCache) -> FileReport:
    """An official ONSS document: its XSD from ``--schema-dir``, then its domain reader."""
    name = str(path)
    checks: list[str] = ["read"]
    notes: list[str] = []
    schema, problems = _onss_schema(tree, root_name, cache, notes)
    if schema is not None:
        checks.append("xsd")
        problems.extend(
            Problem("xsd", issue.message, issue.line)
            for issue in validate_document(tree, schema, name=name)
        )
    domain = _read_domain(root_name, path)
    if domain is not None:
        checks.append("domain")
        problems.extend(domain)
    return FileReport(name, root_name, tuple(checks), tuple(problems), tuple(notes))


def _unsupported(tree: Any, root: etree.QName, name: str) -> FileReport:
    """A document that is neither one of our formats nor an ONSS one."""
    namespace = f"{{{root.namespace}}}" if root.namespace else ""
    hint = ""
    if root.namespace and root.namespace.startswith(NAMESPACE_PREFIX):
        hint = " (a version of our formats this mycareer does not know)"
    problem = Problem(
        "read",
        f"unsupported document: root element {namespace}{root.localname} is neither "
        f"one of our formats nor an ONSS document ({', '.join(ONSS_ROOTS)}){hint}",
        tree.getroot().sourceline,
    )
    return FileReport(name, "unknown", ("read",), (problem,))


def _validate_ours(tree: Any, fmt: XmlFormat, path: Path) -> FileReport:
    """One of our formats: its shipped XSD, then its domain reader."""
    name = str(path)
    checks = ["read", "xsd"]
    problems = [
        Problem("xsd", issue.message, issue.line) for issue in validate(tree, fmt, name=name)
    ]
    if fmt.name in _OUR_READERS:
        checks.append("domain")
        problems.extend(_read_our_format(fmt, path))
    return FileReport(name, fmt.name, tuple(checks), tuple(problems))


def _read_our_format(fmt: XmlFormat, path: Path) -> list[Problem]:
    reader = _OUR_READERS.get(fmt.name)
    if reader is None:
        return []
    try:
        result = reader(path, name=str(path), on_error="collect")
    except MycareerError as error:
        return _leaf_problems(error, "domain")
    return [problem for error in result.errors for problem in _leaf_problems(error, "domain")]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate",
        help="check XML/JSON files against their XSD and the domain rules",
        description="Check each file against its XSD (our formats, recognised by the root "
        "namespace; official ONSS DmfA, Dimona and NOTIFICATION documents with "
        "--schema-dir), then read it to check identifiers and dates. Every problem is "
        "printed on stderr as mycareer validate: error: file:line: message.",
        epilog="examples:\n"
        "  mycareer validate records.xml\n"
        "  mycareer validate --schema-dir onss-xsd/ dmfa-2024Q1.xml dimona.xml\n"
        "  mycareer validate --format json *.xml > report.json",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="XML or JSON files, or folders (their *.xml and *.json files, recursively)",
    )
    parser.add_argument(
        "--schema-dir",
        metavar="DIR",
        type=Path,
        help="folder holding the official ONSS XSDs (DmfAOriginal_*.xsd, Dimona_*.xsd, "
        "NOTIFICATION_*.xsd); env MYCAREER_ONSS_XSD_DIR is used when not given",
    )
    parser.add_argument(
        "--format",
        choices=ordered_formats(("table", "json", "csv")),
        default="table",
        help="report on stdout: a table, JSON (schema validate-report-1) or CSV "
        "(one row per problem, or per valid file)",
    )
    parser.add_argument(
        "--raw-csv",
        action="store_true",
        help="CSV: write file names and messages as they are, without an apostrophe before "
        "a leading = + - @ tab or CR (which spreadsheets may run as formulas)",
    )
    add_indent(parser)
    add_output(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also fail (exit 1) on notes, e.g. an ONSS document whose XSD check was skipped",
    )
    # a missing file is a report entry like any unreadable one, not dropped by the dispatcher
    parser.set_defaults(handler=run, reports_missing=True)


def report_document(reports: Sequence[FileReport]) -> dict[str, Any]:
    """The ``validate-report-1`` document of ``mycareer validate --format json``."""
    return {
        "$schema": REPORT_SCHEMA_ID,
        "schema_version": "1",
        "valid": all(r.valid for r in reports),
        "files": [r.to_json() for r in reports],
    }


def _print_table(reports: Sequence[FileReport], out: TextIO) -> None:
    rows = [
        (
            r.file,
            r.document,
            "valid" if r.valid else "INVALID",
            str(len(r.problems)),
            ",".join(r.checks),
        )
        for r in reports
    ]
    header = ("FILE", "DOCUMENT", "STATUS", "PROBLEMS", "CHECKS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=out,
        )
    invalid = sum(not r.valid for r in reports)
    print(f"\n{len(reports) - invalid} valid, {invalid} invalid", file=out)


def _write_csv(reports: Sequence[FileReport], out: TextIO, *, neutralise: bool = True) -> None:
    """One row per problem; a valid file gets one row with ``valid`` true.

    File names and messages are free text (a message quotes the input's values): a cell
    a spreadsheet would run as a formula gets a leading apostrophe unless ``neutralise``
    is false (:func:`mycareer.outputs.csv_cell`).
    """

    def text(value: str) -> str:
        return csv_cell(value) if neutralise and value else value

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("file", "document", "valid", "check", "line", "message"))
    for r in reports:
        if r.valid:
            writer.writerow((text(r.file), r.document, "true", "", "", ""))
        for p in r.problems:
            line = "" if p.line is None else p.line
            writer.writerow((text(r.file), r.document, "false", p.check, line, text(p.message)))


def _expand(paths: Sequence[str]) -> list[Path | FileReport]:
    """Files as given; folders become their ``*.xml`` and ``*.json`` files, recursively, sorted.

    Walked by the readers' own :func:`~mycareer.xmlio.reading.input_files`: an entry that
    cannot be read or followed (permission denied, dangling link, loop, link out of the
    folder, FIFO or device named like an input) is a report of its own, never skipped.
    Paths keep the order they were given in.
    """
    found: list[Path | FileReport] = []
    for raw in paths:
        files, problems = input_files(raw, (".xml", ".json"))
        found.extend(
            FileReport(
                problem.source.file if problem.source and problem.source.file else raw,
                "unknown",
                ("read",),
                (Problem("read", problem.message),),
            )
            for problem in problems
        )
        found.extend(files)
    return found


def _report(item: Path | FileReport, cache: _SchemaCache) -> FileReport:
    """A walking problem's report as it is, or a file's, validated now."""
    return item if isinstance(item, FileReport) else _validate(item, cache)


def _label(item: Path | FileReport) -> str:
    return item.file if isinstance(item, FileReport) else str(item)


def _schema_dir(args: argparse.Namespace) -> Path | None:
    """``--schema-dir``, else the folder named by ``MYCAREER_ONSS_XSD_DIR``, else None."""
    schema_dir: Path | None = args.schema_dir
    if schema_dir is None and os.environ.get("MYCAREER_ONSS_XSD_DIR"):
        schema_dir = Path(os.environ["MYCAREER_ONSS_XSD_DIR"])
    return schema_dir


def _check_files(paths: Sequence[str], cache: _SchemaCache, err: TextIO) -> list[FileReport]:
    """Validate every file, each problem and note on ``err`` as it is found."""
    from mycareer.cli._progress import track

    reports: list[FileReport] = []
    for item in track(_expand(paths), "validate", label=_label):
        report = _report(item, cache)
        for problem in report.problems:
            print(error_line("validate", problem.render(report.file)), file=err)
        for note in report.notes:
            print(f"mycareer validate: note: {report.file}: {note}", file=err)
        reports.append(report)
    return reports


def _write_report(reports: Sequence[FileReport], args: argparse.Namespace, out: TextIO) -> None:
    if args.format == "json":
        write_json(out, report_document(reports), args.indent)
    elif args.format == "csv":
        _write_csv(reports, out, neutralise=not args.raw_csv)
    else:
        _print_table(reports, out)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from mycareer.cli._progress import phases

    out = out or sys.stdout
    err = err or sys.stderr
    schema_dir = _schema_dir(args)
    if schema_dir is not None and not schema_dir.is_dir():
        print(error_line("validate", f"--schema-dir {schema_dir}: not a folder"), file=err)
        return EXIT_USAGE
    reports = _check_files(args.paths, _SchemaCache(schema_dir), err)
    progress = phases(args)  # writing and the summary line (cli/_progress.py)
    progress.count("files checked", len(reports))
    progress.count("invalid", sum(not r.valid for r in reports))
    progress.step("writing")
    _write_report(reports, args, out)
    failed = any(not r.valid or (args.strict and r.notes) for r in reports)
    return EXIT_INPUT if failed else EXIT_OK
