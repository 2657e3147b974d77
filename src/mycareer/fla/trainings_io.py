r"""Trainings in and out of CSV and JSON.

Both formats use the same field names (:mod:`mycareer.fla.trainings`):

=============================== ======== ==============================================
field                           required value
=============================== ======== ==============================================
``niss``                        yes      11 digits (separators allowed)
``name``                        yes      the training's name or description
``start``, ``end``              yes      ISO dates ``YYYY-MM-DD``
``hours`` or ``minutes``        one      exact hours (``7.5``, ``7,5``, ``22/3``) or whole
                                         minutes
``type``                        no       ``formal`` (default), ``informal``, ``well-being``
``status``                      no       ``completed`` (default), ``not-followed``,
                                         ``reserved``, ``unsuitable``
``counts_toward_individual_right`` no    ``true``/``false`` (also yes/no, 1/0); default true
``employer``                    no       enterprise number of the employer
``employer_nsso``               no       its NSSO number (when it has no enterprise number)
``provider``, ``outcome``,      no       text
``certificate``, ``funding``,
``id``
``certificate_valid_until``     no       ISO date
=============================== ======== ==============================================

CSV: one header row, comma, semicolon or tab separated, UTF-8 (a BOM is allowed).
JSON: an array of objects, or ``{"trainings": [...]}``; numbers are read exactly
(``7.5`` is never a float).

Every bad row is reported at once, with its line and column (CSV) or its path
(JSON), and the good rows are kept: ``keep_valid=True`` returns them together
with the errors, while the default refuses the whole file with one
:class:`~mycareer.errors.MycareerErrorGroup`.

>>> text = "niss;name;start;end;hours\n85073003328;Excel;2024-03-04;2024-03-04;7,5\n"
>>> parse_trainings_csv(text).trainings[0].hours
Fraction(15, 2)
>>> bad = text + "85073003329;Word;2024-03-05;2024-03-04;x\n"
>>> result = parse_trainings_csv(bad, name="t.csv", keep_valid=True)
>>> len(result.trainings)
1
>>> for error in result.errors:
...     print(error)
t.csv:3 column niss: invalid NISS '85073003329': The number's checksum or check digit is invalid.
t.csv:3 column hours: invalid hours 'x': expected e.g. '7.5' or '22/3'
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

import attrs

from mycareer._html import summarised
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    CappedErrors,
    InputError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.fla.trainings import Training, exact_hours, format_exact
from mycareer.limits import (
    MAX_DECIMAL_DIGITS,
    MAX_ERRORS_PER_INPUT,
    MAX_IDENTIFIER_CHARS,
    MAX_TEXT_CHARS,
    csv_header,
    csv_rows,
    load_json,
    parse_decimal,
    parse_integer,
    read_input_text,
    shown,
)
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber

__all__ = [
    "TRAINING_FIELDS",
    "TrainingImport",
    "TrainingStream",
    "parse_trainings_csv",
    "parse_trainings_json",
    "read_trainings",
    "stream_trainings",
    "trainings_to_csv",
    "trainings_to_json",
    "trainings_to_records",
]

#: Field names, in the order the writers use.
TRAINING_FIELDS: Final[tuple[str, ...]] = (
    "niss",
    "employer",
    "employer_nsso",
    "id",
    "name",
    "provider",
    "start",
    "end",
    "hours",
    "minutes",
    "type",
    "status",
    "counts_toward_individual_right",
    "outcome",
    "certificate",
    "certificate_valid_until",
    "funding",
)
_REQUIRED: Final = ("niss", "name", "start", "end")
_TRUE: Final = frozenset({"true", "yes", "y", "1", "oui", "ja", "vrai", "waar"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "non", "nee", "faux", "onwaar"})


@summarised
@attrs.frozen
class TrainingImport:
    """The trainings read from one file, and every error found in it."""

    trainings: tuple[Training, ...]
    errors: tuple[InvalidValueError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(raw: object) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise InvalidValueError(f"expected text, got {shown(raw)}")
    text = str(raw).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidValueError(f"text {shown(text)} is longer than {MAX_TEXT_CHARS} characters")
    return text or None


def _date(raw: object) -> date | None:
    text = _text(raw)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValueError(f"invalid date {shown(text)}: expected YYYY-MM-DD") from None


def _hours(raw: object) -> Fraction | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if len(text) > MAX_DECIMAL_DIGITS + 10:
            raise InvalidValueError(f"invalid hours {shown(text)}: too many digits")
        if "e" in text.lower():  # an exponent: bounded before Fraction sees it
            return exact_hours(parse_decimal(text, "hours"))
        return exact_hours(text)
    return exact_hours(raw)


def _minutes(raw: object) -> Fraction | None:
    text = _text(raw)
    if text is None:
        return None
    if not (text.isascii() and text.isdigit()):
        raise InvalidValueError(f"invalid minutes {shown(text)}: expected a whole number")
    return Fraction(parse_integer(text, "minutes"), 60)


def _flag(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _text(raw)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidValueError(f"invalid flag {shown(text)}: expected true or false")


def _identifier(raw: object, what: str) -> str | None:
    text = _text(raw)
    if text is not None and len(text) > MAX_IDENTIFIER_CHARS:
        raise InvalidValueError(
            f"invalid {what} {shown(text)}: longer than {MAX_IDENTIFIER_CHARS} characters"
        )
    return text


def _niss(raw: object) -> Niss | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Niss(raw)  # JSON numbers lose leading zeros; Niss pads them back (18 digits)
    text = _identifier(raw, "NISS")
    return None if text is None else Niss(text)


def _required(parse: Callable[[object], Any], what: str) -> Callable[[object], Any]:
    def parse_required(raw: object) -> Any:
        value = parse(raw)
        if value is None:
            raise InvalidValueError(f"missing {what}")
        return value

    return parse_required


_PARSERS: Final[dict[str, Callable[[object], Any]]] = {
    "niss": _required(_niss, "NISS"),
    "employer": lambda raw: EnterpriseNumber(t) if (t := _identifier(raw, "employer")) else None,
    "employer_nsso": lambda raw: NssoNumber(t) if (t := _identifier(raw, "NSSO number")) else None,
    "id": _text,
    "name": _required(_text, "training name"),
    "provider": _text,
    "start": _required(_date, "start date"),
    "end": _required(_date, "end date"),
    "hours": _hours,
    "minutes": _minutes,
    "type": _text,
    "status": _text,
    "counts_toward_individual_right": _flag,
    "outcome": _text,
    "certificate": _text,
    "certificate_valid_until": _date,
    "funding": _text,
}


def _training(
    row: Mapping[str, object], fail: Callable[[str, InvalidValueError], None], source: SourceRef
) -> Training | None:
    """Build one training, reporting every bad field through ``fail(field, error)``."""
    values: dict[str, Any] = {}
    bad = False
    for field, parse in _PARSERS.items():
        try:
            values[field] = parse(row.get(field))
        except InvalidValueError as error:
            fail(field, error)
            bad = True
    hours, minutes = values.pop("hours", None), values.pop("minutes", None)
    if not bad:
        if hours is None and minutes is None:
            fail("hours", InvalidValueError("missing duration: give hours or minutes"))
            bad = True
        elif hours is not None and minutes is not None and hours != minutes:
            fail(
                "minutes",
                InvalidValueError(
                    f"minutes {format_exact(minutes * 60)} disagree with hours "
                    f"{format_exact(hours)}"
                ),
            )
            bad = True
    if bad:
        return None
    enterprise, nsso = values.pop("employer"), values.pop("employer_nsso")
    employer = Employer(enterprise, nsso) if enterprise or nsso else None
    flag = values.pop("counts_toward_individual_right")
    optional = {k: v for k, v in values.items() if v is not None and k in ("type", "status")}
    try:
        return Training(
            niss=values["niss"],
            name=values["name"],
            start=values["start"],
            end=values["end"],
            hours=hours if hours is not None else minutes,
            counts_toward_individual_right=True if flag is None else flag,
            provider=values["provider"],
            outcome=values["outcome"],
            certificate=values["certificate"],
            certificate_valid_until=values["certificate_valid_until"],
            funding=values["funding"],
            employer=employer,
            id=values["id"],
            source=source,
            **optional,
        )
    except InvalidValueError as error:
        message = str(error.message)
        if "training type" in message:
            field = "type"
        elif "training status" in message:
            field = "status"
        elif "certificate" in message:
            field = "certificate_valid_until"
        else:
            field = "end"
        fail(field, error)
        return None


def _finish(
    trainings: list[Training], capped: CappedErrors, name: str, *, keep_valid: bool
) -> TrainingImport:
    errors = capped.listed(name)
    if errors and not keep_valid:
        raise MycareerErrorGroup(f"{name}: {len(errors)} invalid training field(s)", errors)
    return TrainingImport(tuple(trainings), tuple(errors))


def _delimiter(text: str) -> str:
    """The header's separator: comma, semicolon or tab, whichever it uses most."""
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def parse_trainings_csv(
    text: str, *, name: str = "<csv>", keep_valid: bool = False
) -> TrainingImport:
    """Trainings from CSV text; see the module docs for the columns."""
    # Fields bounded (MAX_CSV_FIELD_CHARS) by mycareer.limits.csv_header/csv_rows.
    return _parse_csv(text.removeprefix("\ufeff"), name, keep_valid=keep_valid)


def _parse_csv(text: str, name: str, *, keep_valid: bool) -> TrainingImport:
    errors = CappedErrors(MAX_ERRORS_PER_INPUT)
    trainings = list(_csv_trainings(_csv_reader(text, name, errors), name, errors))
    return _finish(trainings, errors, name, keep_valid=keep_valid)


def _csv_reader(text: str, name: str, errors: CappedErrors) -> csv.DictReader[str] | None:
    """The reader of ``text``'s rows, its header read and checked (None: a column missing)."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [h.strip() for h in csv_header(reader, name)]
    if not header:
        raise InputError("empty CSV: expected a header row", source=SourceRef(name, 1))
    reader.fieldnames = header
    unknown = [h for h in header if h not in _PARSERS]
    for column in unknown:
        errors.append(
            InvalidValueError(
                f"unknown column {shown(column)}; expected some of {', '.join(TRAINING_FIELDS)}",
                source=SourceRef(name, 1, f"column {shown(column)[1:-1]}"),
            )
        )
    missing = [c for c in _REQUIRED if c not in header]
    if "hours" not in header and "minutes" not in header:
        missing.append("hours or minutes")
    if missing:
        errors.append(
            InvalidValueError(
                f"missing column(s): {', '.join(missing)}", source=SourceRef(name, 1, "header")
            )
        )
        return None
    return reader


def _csv_trainings(
    reader: csv.DictReader[str] | None, name: str, errors: CappedErrors
) -> Iterator[Training]:
    """The trainings of the rows of ``reader``, each bad row's errors put in ``errors``."""
    if reader is None:
        return
    for line, row in csv_rows(reader, name):  # fields bounded: MAX_CSV_FIELD_CHARS
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if None in row:
            errors.append(
                InvalidValueError(
                    f"{len(row[None])} more value(s) than columns",
                    source=SourceRef(name, line),
                )
            )
            continue

        def fail(field: str, error: InvalidValueError, line: int = line) -> None:
            errors.append(
                InvalidValueError(error.message, source=SourceRef(name, line, f"column {field}"))
            )

        training = _training(row, fail, SourceRef(name, line))
        if training is not None:
            yield training


def parse_trainings_json(
    text: str | bytes, *, name: str = "<json>", keep_valid: bool = False
) -> TrainingImport:
    """Trainings from JSON text: an array of objects, or ``{"trainings": [...]}``."""
    errors = CappedErrors(MAX_ERRORS_PER_INPUT)
    trainings = list(_json_trainings(*_json_items(text, name), name, errors))
    return _finish(trainings, errors, name, keep_valid=keep_valid)


def _json_items(text: str | bytes, name: str) -> tuple[list[Any], str]:
    """The array of trainings of a JSON document, and its path."""
    document = load_json(text, name)
    root = "$"
    if isinstance(document, dict) and set(document) == {"trainings"}:
        document, root = document["trainings"], "$.trainings"
    if not isinstance(document, list):
        raise InputError(
            'expected an array of trainings or {"trainings": [...]}', source=SourceRef(name)
        )
    return document, root


def _json_trainings(
    document: list[Any], root: str, name: str, errors: CappedErrors
) -> Iterator[Training]:
    """The trainings of the items of ``document``, each bad item's errors put in ``errors``."""
    for index, item in enumerate(document):
        path = f"{root}[{index}]"
        if not isinstance(item, dict):
            errors.append(
                InvalidValueError(
                    f"a training must be an object, got {shown(item)}",
                    path=path,
                    source=SourceRef(name),
                )
            )
            continue
        for key in sorted(set(item) - set(_PARSERS)):
            errors.append(
                InvalidValueError(
                    f"unknown field {shown(key)}",
                    path=f"{path}.{shown(key)[1:-1]}",
                    source=SourceRef(name),
                )
            )

        def fail(field: str, error: InvalidValueError, path: str = path) -> None:
            errors.append(
                InvalidValueError(error.message, path=f"{path}.{field}", source=SourceRef(name))
            )

        training = _training(item, fail, SourceRef(name, None, path))
        if training is not None:
            yield training


def read_trainings(path: str | os.PathLike[str], *, keep_valid: bool = False) -> TrainingImport:
    """Trainings from a ``.csv`` or ``.json`` file (XML is read by :mod:`mycareer.xmlio`)."""
    stream = _stream(path, check_first=False)
    return _finish(list(stream), stream.capped, stream.name, keep_valid=keep_valid)


class TrainingStream:
    """The trainings of one file, each built as it is taken (:func:`stream_trainings`)."""

    def __init__(self, trainings: Iterator[Training], capped: CappedErrors, name: str) -> None:
        self._trainings = trainings
        self.capped = capped
        self.name = name

    def __iter__(self) -> Iterator[Training]:
        return self._trainings

    @property
    def errors(self) -> tuple[InvalidValueError, ...]:
        """The errors of the bad rows taken so far: all of them once every training is."""
        return tuple(self.capped.listed(self.name))


def stream_trainings(path: str | os.PathLike[str]) -> TrainingStream:
    """The trainings of a ``.csv`` or ``.json`` file, each built only as it is taken.

    For a caller that passes them on (``mycareer account`` routes each to its bucket of
    workers' file): no list of every training is made. The file is read and checked
    whole first, so a file refused whole (not UTF-8, over a limit, a malformed CSV row,
    bad JSON) raises here, before any training is given; a bad row's errors are in
    ``errors`` and the good rows are given (``keep_valid=True`` of :func:`read_trainings`).

    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "t.csv"
    ...     _ = path.write_text("niss,name,start,end,hours\\n"
    ...                         "85073003328,Excel,2024-03-04,2024-03-04,7.5\\n"
    ...                         "85073003328,Word,2024-03-05,2024-03-05,x\\n")
    ...     stream = stream_trainings(path)
    ...     [t.name for t in stream], [e.message for e in stream.errors]
    (['Excel'], ["invalid hours 'x': expected e.g. '7.5' or '22/3'"])
    """
    return _stream(path, check_first=True)


def _stream(path: str | os.PathLike[str], *, check_first: bool) -> TrainingStream:
    file = Path(path)
    name = str(file)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise InputError(
            f"unknown trainings file type {shown(suffix)}: expected .csv or .json",
            source=SourceRef(name),
        )
    text = read_input_text(file)
    errors = CappedErrors(MAX_ERRORS_PER_INPUT)
    if suffix == ".json":
        return TrainingStream(_json_trainings(*_json_items(text, name), name, errors), errors, name)
    text = text.removeprefix("\ufeff")
    reader = _csv_reader(text, name, errors)
    if reader is not None and check_first:  # every row's structure, before any is given
        rows = csv.DictReader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        for _row in csv_rows(rows, name):
            pass
    return TrainingStream(_csv_trainings(reader, name, errors), errors, name)


def trainings_to_records(trainings: Iterable[Training]) -> list[dict[str, str | bool | None]]:
    """Plain records with the module's field names (exact values as text)."""
    records: list[dict[str, str | bool | None]] = []
    for t in trainings:
        employer = t.employer
        records.append(
            {
                "niss": t.niss.value,
                "employer": None
                if employer is None or employer.enterprise is None
                else employer.enterprise.value,
                "employer_nsso": None
                if employer is None or employer.nsso is None
                else employer.nsso.value,
                "id": t.id,
                "name": t.name,
                "provider": t.provider,
                "start": t.start.isoformat(),
                "end": t.end.isoformat(),
                "hours": format_exact(t.hours),
                "minutes": None,
                "type": t.type.value,
                "status": t.status.value,
                "counts_toward_individual_right": t.counts_toward_individual_right,
                "outcome": t.outcome,
                "certificate": t.certificate,
                "certificate_valid_until": None
                if t.certificate_valid_until is None
                else t.certificate_valid_until.isoformat(),
                "funding": t.funding,
            }
        )
    return records


def trainings_to_json(trainings: Iterable[Training]) -> str:
    """A JSON array that :func:`parse_trainings_json` reads back to equal trainings."""
    records = [
        {k: v for k, v in record.items() if v is not None}
        for record in trainings_to_records(trainings)
    ]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def trainings_to_csv(trainings: Iterable[Training], *, columns: Sequence[str] | None = None) -> str:
    """CSV text that :func:`parse_trainings_csv` reads back to equal trainings."""
    fields = [f for f in (columns or TRAINING_FIELDS) if f != "minutes"]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in trainings_to_records(trainings):
        writer.writerow(
            {
                k: ("true" if v else "false") if isinstance(v, bool) else (v or "")
                for k, v in record.items()
            }
        )
    return out.getvalue()
