"""``mycareer convert IN OUT``: our documents between XML, JSON and CSV.

Two kinds of documents, recognised from the input (XML root namespace, JSON shape):

* **career records**: XML (``urn:mycareer:career-records:1``), JSON and CSV;
* **training accounts**: XML (``urn:mycareer:training-account:1``) and JSON
  (the converter's form of :class:`~mycareer.xmlio.training_account.AccountRecord`);
  a ledger has no faithful one-table CSV form (``mycareer account --format csv``
  prints a report instead).

The formats are taken from the file extensions (``.xml``, ``.json``, ``.csv``),
or from ``--from``/``--to``; ``-`` as OUT writes to stdout (then ``--to`` is
required). Every bad record of the input is reported on stderr with its path
or line, and nothing is written when the input cannot be read in full, so a
conversion never silently drops a worker.

CSV has one row per career period (a worker without periods gets one row with
empty period columns); exact values stay text: fractions as ``4/5``, dates ISO.
Free-text cells (``name``, ``employer_name``, ``label``) that a spreadsheet would
run as a formula get a leading apostrophe (OWASP's advice, see
:func:`mycareer.outputs.csv_cell`), removed again when the CSV is read back;
``--raw-csv`` writes and reads them as they are. Line breaks inside cells (LF,
CR, CRLF) are kept exactly.

The output is written atomically (:mod:`mycareer.outputs`): a failing
conversion leaves no file, and an output that is the input is refused (exit 2).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, Final, TextIO

from lxml import etree

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.cli._common import EXIT_INPUT, MISSING, NAME_BYTES_BACK, error_line
from mycareer.converter import dumps, from_json, structure, unstructure
from mycareer.errors import (
    ErrorCollector,
    InputError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.limits import (
    MAX_ERRORS_PER_INPUT,
    MAX_TEXT_CHARS,
    check_text,
    csv_header,
    csv_rows,
    load_json,
    read_input_bytes,
    read_input_text,
    shown,
)
from mycareer.niss import Niss
from mycareer.outputs import (
    OutputRefusedError,
    atomic_output,
    csv_cell,
    csv_text,
    refuse_inputs,
    write_atomic,
)
from mycareer.xmlio._safe import iterparse_document
from mycareer.xmlio.career_records import career_records_bytes, read_career_records
from mycareer.xmlio.training_account import TRAINING_ACCOUNT, AccountRecord, read_training_accounts
from mycareer.xmlio.training_account_writer import training_accounts_bytes

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "KINDS",
    "document_kind",
    "read_accounts",
    "read_records",
    "records_from_csv",
    "records_to_csv",
    "register",
    "run",
    "write_accounts",
    "write_records",
]

FORMATS: Final = ("xml", "json", "csv")

#: The kinds of documents ``convert`` knows.
KINDS: Final = ("career-records", "training-account")

#: Columns of the career-records CSV holding free text (neutralised against formulas).
FREE_TEXT_COLUMNS: Final = ("name", "employer_name", "label", "source_file", "source_record")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")

#: Columns of the career-records CSV, in order.
CSV_COLUMNS: Final = (
    "niss",
    "name",
    "kind",
    "start",
    "end",
    "employer_enterprise",
    "employer_nsso",
    "employer_name",
    "fraction",
    "joint_commission",
    "label",
    "provisional",
    "source_file",
    "source_line",
    "source_record",
)
#: Columns a CSV must have (the provenance columns came later and are optional).
_REQUIRED_COLUMNS: Final = CSV_COLUMNS[:12]


def _format_of(path: str, explicit: str | None, role: str) -> str:
    if explicit:
        return explicit
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InputError(
        f"cannot tell the {role} format from {path!r}: use a .xml, .json or .csv name "
        f"or --{'from' if role == 'input' else 'to'}"
    )


# --- CSV ----------------------------------------------------------------------


def _free_text(value: str | None, path: str, *, neutralise: bool) -> str:
    if value is None:
        return ""
    if _SURROGATE.search(value):
        raise InvalidValueError(
            f"text {shown(value)} holds a lone surrogate, which UTF-8 cannot carry", path=path
        )
    if not neutralise and not value:
        raise InvalidValueError(
            "an empty text reads back as no value from a raw CSV: write it without --raw-csv",
            path=path,
        )
    if len(value) > MAX_TEXT_CHARS:  # refused now rather than when read back
        raise InvalidValueError(
            f"text of {len(value)} characters: longer than a text is read back ({MAX_TEXT_CHARS})",
            path=path,
        )
    return csv_cell(value) if neutralise else value


def _refuse_empty_source(source: SourceRef | None, at: str) -> None:
    if source is not None and source.file is None and source.line is None and source.record is None:
        raise InvalidValueError(
            "an empty source (no file, line or record) reads back from CSV as no source",
            path=f"{at}.source",
        )


def _source_cells(source: SourceRef | None, at: str, *, neutralise: bool) -> list[str]:
    """The source_file, source_line and source_record cells ('' for no source)."""
    if source is None:
        return ["", "", ""]
    return [
        _free_text(source.file, f"{at}.source.file", neutralise=neutralise),
        "" if source.line is None else str(source.line),
        _free_text(source.record, f"{at}.source.record", neutralise=neutralise),
    ]


def _period_row(period: CareerPeriod, name: str, at: str, *, neutralise: bool) -> list[str]:
    data = unstructure(period)
    employer = data["employer"] or {}
    _refuse_empty_source(period.source, at)
    return [
        data["niss"],
        name,
        data["kind"],
        data["period"]["start"],
        data["period"]["end"] or "",
        employer.get("enterprise") or "",
        employer.get("nsso") or "",
        _free_text(employer.get("name"), f"{at}.employer.name", neutralise=neutralise),
        data["fraction"] or "",
        data["joint_commission"] or "",
        _free_text(data["label"], f"{at}.label", neutralise=neutralise),
        "true" if data["provisional"] else "false",
        *_source_cells(period.source, at, neutralise=neutralise),
    ]


def records_to_csv(
    records: Iterable[CareerRecords], out: IO[str], *, neutralise: bool = True
) -> None:
    """Write career records as CSV, one row per period.

    Free text is neutralised against spreadsheet formulas unless ``neutralise``
    is false; a row holding a carriage return is written fully quoted, so
    that CR and CRLF inside a cell read back exactly (write to a stream opened
    with ``newline=""``). What CSV cannot carry exactly (a lone surrogate, a
    NISS listed twice, whose rows would merge) raises
    :class:`~mycareer.errors.InvalidValueError` naming the worker.

    >>> from mycareer.demo import load_demo
    >>> buffer = io.StringIO()
    >>> records_to_csv(load_demo().workers[:1], buffer)
    >>> print(buffer.getvalue().splitlines()[1].replace(",", " "))
    90010100123 An Peeters employment 2019-09-01 2023-02-14 0403019261 100006 Demo ... 1 200  false
    """
    plain = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def write(row: list[str]) -> None:
        # csv quotes a cell for the line terminator's characters only: a bare CR needs all.
        (quoted if any("\r" in cell for cell in row) else plain).writerow(row)

    plain.writerow(CSV_COLUMNS)
    seen: set[str] = set()
    for number, worker in enumerate(records):
        here = f"$.workers[{number}]"
        if worker.niss.value in seen:
            raise InvalidValueError(
                f"worker {worker.niss.value} is listed twice: its CSV rows would merge",
                path=f"{here}.niss",
            )
        seen.add(worker.niss.value)
        name = _free_text(worker.name, f"{here}.name", neutralise=neutralise)
        if not worker.periods:
            write([str(worker.niss), name, *[""] * (len(CSV_COLUMNS) - 2)])
        for index, period in enumerate(worker.periods):
            write(_period_row(period, name, f"{here}.periods[{index}]", neutralise=neutralise))


def _line(text: str | None) -> int | None:
    if text is None:
        return None
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 12):
        raise InvalidValueError(f"invalid source_line {shown(text)}: expected a line number")
    return int(text)


def _row_to_period(row: dict[str, str], texts: dict[str, str | None], line: int) -> CareerPeriod:
    employer: dict[str, str | None] | None = None
    if row["employer_enterprise"] or row["employer_nsso"]:
        employer = {
            "enterprise": row["employer_enterprise"] or None,
            "nsso": row["employer_nsso"] or None,
            "name": texts["employer_name"],
        }
    source = None
    if (
        texts["source_file"] is not None
        or row.get("source_line")
        or texts["source_record"] is not None
    ):
        source = {
            "file": texts["source_file"],
            "line": _line(row.get("source_line") or None),
            "record": texts["source_record"],
        }
    provisional = row["provisional"].strip().lower()
    if provisional not in ("", "true", "false"):
        raise InvalidValueError(
            f"provisional must be true or false, got {shown(row['provisional'])}"
        )
    data = {
        "niss": row["niss"],
        "kind": row["kind"],
        "period": {"start": row["start"], "end": row["end"] or None},
        "employer": employer,
        "fraction": row["fraction"] or None,
        "joint_commission": row["joint_commission"] or None,
        "label": texts["label"],
        "provisional": provisional == "true",
        "source": source,
    }
    return structure(data, CareerPeriod, what=f"CSV row {line}")


def _texts(row: dict[str, str], *, neutralised: bool) -> dict[str, str | None]:
    """The free text of a row: an empty cell is no value, ``'`` an empty text."""
    texts: dict[str, str | None] = {}
    for column in FREE_TEXT_COLUMNS:
        cell = row.get(column)
        texts[column] = None if not cell else csv_text(cell) if neutralised else cell
    return texts


def records_from_csv(
    text: str, *, source: str = "<csv>", neutralised: bool = True
) -> list[CareerRecords]:
    """Read career records from CSV; all bad rows are reported together with their line.

    ``text`` as decoded, without newline translation (CR and CRLF in quoted
    cells are kept). Free-text cells neutralised by :func:`records_to_csv` are
    restored unless ``neutralised`` is false.

    >>> rows = "niss,name,kind,start,end,employer_enterprise,employer_nsso,employer_name," \\
    ...        "fraction,joint_commission,label,provisional\\n" \\
    ...        "90010100123,An,employment,2024-01-01,,0403019261,,,4/5,200,,false\\n"
    >>> [str(r.periods[0].fraction) for r in records_from_csv(rows)]
    ['4/5']
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in _REQUIRED_COLUMNS if c not in csv_header(reader, source)]
    if missing:
        raise InputError(
            f"CSV header lacks column(s) {shown(missing)}", source=SourceRef(source, 1)
        )
    workers: dict[str, tuple[Niss, str | None]] = {}  # first row's NISS and name
    periods: dict[str, list[CareerPeriod]] = {}
    errors = ErrorCollector("$", raise_on_exit=False, limit=MAX_ERRORS_PER_INPUT)
    for line, row in csv_rows(reader, source):
        where = SourceRef(source, line)
        count = _row_length_error(row)
        if count is not None:
            errors.add(InvalidValueError(count, source=where))
            continue
        texts = _texts(row, neutralised=neutralised)
        try:
            for column, cell in texts.items():  # the worker's name is not structured
                if cell is not None:
                    check_text(cell, column, path=f"$.{column}")
            if row["kind"]:
                period = _row_to_period(row, texts, line)
                niss = period.niss
            else:
                niss = _niss_of(row["niss"])
        except InvalidValueError as error:
            error.source = where
            errors.add(error)
            continue
        except MycareerErrorGroup as group:
            for leaf in _leaves(group):
                leaf.source = where
                errors.add(leaf)
            continue
        workers.setdefault(niss.value, (niss, texts["name"]))
        listed = periods.setdefault(niss.value, [])
        if row["kind"]:
            listed.append(period)
    errors.summarise(source)
    errors.raise_if_any(f"invalid career-records CSV {source}")
    return [
        CareerRecords(niss=niss, periods=periods[key], name=name)
        for key, (niss, name) in workers.items()
    ]


def _row_length_error(row: dict[str | Any, Any]) -> str | None:
    """Why a row does not have one value per column (``DictReader`` pads and overflows)."""
    if None in row:
        return f"{len(row[None])} more value(s) than columns"
    short = sum(value is None for value in row.values())
    return f"{short} value(s) fewer than columns" if short else None


def _niss_of(text: str) -> Niss:
    try:
        return Niss(text)
    except InvalidValueError as error:
        error.path = "$.niss"
        raise


def _leaves(group: BaseExceptionGroup[Exception]) -> list[InvalidValueError]:
    found: list[InvalidValueError] = []
    for inner in group.exceptions:
        if isinstance(inner, BaseExceptionGroup):
            found.extend(_leaves(inner))
        elif isinstance(inner, InvalidValueError):
            found.append(inner)
        else:
            found.append(InvalidValueError(str(inner)))
    return found


# --- JSON and XML -------------------------------------------------------------


def _surrogates(data: Any, path: str, found: list[InvalidValueError], source: str) -> None:
    """Every string of decoded JSON that holds a lone surrogate (no output could carry it)."""
    if isinstance(data, str):
        if _SURROGATE.search(data):
            found.append(
                InvalidValueError(
                    f"text {shown(data)} holds a lone surrogate (\\ud800-\\udfff escape), "
                    "which no output format can carry",
                    path=path,
                    source=SourceRef(source),
                )
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            _surrogates(key, path, found, source)
            _surrogates(value, f"{path}.{key}", found, source)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _surrogates(value, f"{path}[{index}]", found, source)


def _refuse_surrogates(data: Any, source: str) -> None:
    found: list[InvalidValueError] = []
    _surrogates(data, "$", found, source)
    if found:
        raise MycareerErrorGroup(f"{source}: text that cannot be converted", found)


def _json(text: str, source: str) -> Any:
    # Bounded depth, digits and exponents (mycareer.limits); decimals stay exact.
    data = load_json(text, source)
    _refuse_surrogates(data, source)
    return data


def _read_text(path: str) -> str:
    """UTF-8 text as it is in the file: no newline translation (CR, CRLF kept).

    At most :data:`~mycareer.limits.MAX_INPUT_BYTES` are read (``/dev/zero`` stops there).
    """
    return read_input_text(path)


def _records_from_json(text: str, source: str) -> list[CareerRecords]:
    data = _json(text, source)
    if isinstance(data, dict) and "workers" in data:
        data = data["workers"]  # the demo sample's shape: {"as_of": ..., "workers": [...]}
    where = SourceRef(source)
    if isinstance(data, dict):
        return [structure(data, CareerRecords, source=where)]
    if not isinstance(data, list):
        raise InputError(
            f'expected an array of workers, one worker or {{"workers": [...]}}, '
            f"got {type(data).__name__} {shown(data)}",
            source=SourceRef(source),
        )
    return structure(data, list[CareerRecords], what="career records", source=where)


def read_records(path: str, fmt: str, *, neutralised: bool = True) -> list[CareerRecords]:
    """Read every worker's career records from ``path`` in format ``fmt``."""
    if fmt == "xml":
        return list(read_career_records(path, on_error="raise").records)
    text = _read_text(path)
    if fmt == "json":
        return _records_from_json(text, path)
    return records_from_csv(text, source=path, neutralised=neutralised)


def write_records(
    records: Sequence[CareerRecords],
    fmt: str,
    out: IO[str] | io.BytesIO,
    *,
    neutralise: bool = True,
) -> None:
    """Write career records to a text stream (JSON, CSV) or a byte stream (XML)."""
    if fmt == "xml":
        data = career_records_bytes(records)
        if isinstance(out, io.BytesIO):
            out.write(data)
        else:
            out.write(data.decode("utf-8"))
        return
    assert not isinstance(out, io.BytesIO)
    if fmt == "json":
        out.write(dumps([unstructure(r) for r in records], indent=2) + "\n")
    else:
        records_to_csv(records, out, neutralise=neutralise)


def document_kind(path: str, fmt: str) -> str:
    """``"career-records"`` or ``"training-account"``, from the root namespace or JSON shape."""
    if fmt == "csv":
        return "career-records"
    if fmt == "xml":
        events = iterparse_document(path, events=("start",))
        try:
            for _, element in events:
                namespace = etree.QName(element).namespace
                return (
                    "training-account"
                    if namespace == TRAINING_ACCOUNT.namespace
                    else "career-records"
                )
        finally:
            events.close()  # type: ignore[attr-defined]
        return "career-records"  # empty document: the reader says what is wrong
    try:
        data = load_json(read_input_bytes(path), path)
    except InvalidValueError:
        return "career-records"  # unreadable: the reader reports it with its line
    if isinstance(data, list) and data and isinstance(data[0], dict) and "account" in data[0]:
        return "training-account"
    return "career-records"


def read_accounts(path: str, fmt: str) -> list[AccountRecord]:
    """Read every training account from a training-account XML or JSON document."""
    if fmt == "xml":
        return list(read_training_accounts(path, on_error="raise").records)
    text = _read_text(path)
    data = _json(text, path)  # malformed JSON and lone surrogates, reported first
    if not isinstance(data, list):
        raise InputError(
            f"expected an array of training accounts, got {type(data).__name__} {shown(data)}",
            source=SourceRef(path),
        )
    return from_json(text, list[AccountRecord], source=path)


def write_accounts(records: Sequence[AccountRecord], fmt: str) -> bytes:
    """Training accounts as XML or JSON bytes."""
    if fmt == "xml":
        return training_accounts_bytes(records)
    return (dumps([unstructure(r) for r in records], indent=2) + "\n").encode("utf-8")


#: What exit code 1 means for ``convert`` (``--help``, via :mod:`mycareer.cli._common`).
EXIT_ONE: Final = "the input has bad records or cannot be read (nothing written)"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "convert",
        help="convert career records (XML, JSON, CSV) and training accounts (XML, JSON)",
        description="Convert our documents: career records between XML, JSON and CSV, "
        "training accounts between XML and JSON. The kind of document is recognised from "
        "the input; formats come from the file extensions unless --from/--to are given.",
        epilog="examples:\n"
        "  mycareer convert records.xml records.json\n"
        "  mycareer convert records.json records.csv\n"
        "  mycareer convert --to csv records.xml -\n"
        "  mycareer convert training-accounts.xml training-accounts.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="IN", help="input file")
    parser.add_argument("output", metavar="OUT", help="output file, or - for stdout")
    parser.add_argument("--from", dest="from_format", choices=FORMATS, help="input format")
    parser.add_argument("--to", dest="to_format", choices=FORMATS, help="output format")
    parser.add_argument(
        "--raw-csv",
        action="store_true",
        help="write and read CSV free text as it is: no apostrophe before cells "
        "starting with = + - @ tab or CR (which spreadsheets may run as formulas)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        source_format = _format_of(args.input, args.from_format, "input")
        if args.output == "-" and not args.to_format:
            raise InputError("writing to stdout (-) needs --to xml|json|csv")
        target_format = _format_of(args.output, args.to_format, "output")
        refuse_inputs([args.output], [args.input])
    except (InputError, OutputRefusedError) as error:
        print(f"mycareer convert: error: {error}", file=err)
        return 2
    if args.input != "-" and not Path(args.input).exists():  # one wording: cli/_common.py
        print(error_line("convert", f"{args.input}: {MISSING}"), file=err)
        return EXIT_INPUT
    kind = document_kind(args.input, source_format)
    if kind == "training-account":
        if target_format == "csv":
            print(
                "mycareer convert: error: training accounts convert to xml or json only "
                "(use mycareer account --format csv for a report)",
                file=err,
            )
            return 2
        accounts = read_accounts(args.input, source_format)  # errors: exit 1 via the dispatcher
        data = write_accounts(accounts, target_format)
        if args.output == "-":
            out.write(data.decode("utf-8"))
        else:
            write_atomic(args.output, data)
        print(
            f"mycareer convert: {len(accounts)} training account(s) "
            f"{source_format} → {target_format}",
            file=err,
        )
        return 0
    neutral = not args.raw_csv
    # errors: exit 1 via the dispatcher, and nothing is written
    records = read_records(args.input, source_format, neutralised=neutral)
    if args.output == "-":
        write_records(records, target_format, out, neutralise=neutral)
    elif target_format == "xml":
        buffer = io.BytesIO()
        write_records(records, target_format, buffer)
        write_atomic(args.output, buffer.getvalue())
    else:
        with atomic_output(args.output, "w", errors=NAME_BYTES_BACK) as text:
            write_records(records, target_format, text, neutralise=neutral)
    periods = sum(len(r.periods) for r in records)
    print(
        f"mycareer convert: {len(records)} worker(s), {periods} period(s) "
        f"{source_format} → {target_format}",
        file=err,
    )
    return 0
