"""Sidecar outcome files: Dimona results for callers who only kept their declarations.

A caller who sent Dimona declarations but has no ONSS notification files
attaches each declaration's outcome through a small sidecar file, JSON or CSV
(chosen by the extension ``.json`` / ``.csv``). Each row maps a declaration's
``reference`` (its ``Form/Reference/ReferenceNbr``) to:

* ``period_id``: the 12-digit ``DimonaPeriodId`` (empty or ``null`` when there
  is none, e.g. a refused IN);
* ``status``: ``A`` accepted, ``W`` accepted with warnings, ``B`` refused,
  ``S`` pending (waiting for the worker's identification).

JSON is a list of objects::

    [
      {"reference": "DIM-2024-001", "period_id": "123456789097", "status": "A"},
      {"reference": "DIM-2024-002", "period_id": null, "status": "B"}
    ]

CSV has the header ``reference,period_id,status``::

    reference,period_id,status
    DIM-2024-001,123456789097,A
    DIM-2024-002,,B

Every bad row is reported at once, each with its file and line, in one
:class:`~mycareer.errors.MycareerErrorGroup`.

>>> import tempfile, pathlib
>>> scratch = tempfile.TemporaryDirectory()
>>> folder = pathlib.Path(scratch.name)
>>> _ = (folder / "outcomes.csv").write_text(
...     "reference,period_id,status\\nDIM-2024-001,123456789097,A\\nDIM-2024-002,,B\\n")
>>> [(o.reference, o.period_id, o.status.value) for o in read_outcomes(folder / "outcomes.csv")]
[('DIM-2024-001', '123456789097', 'A'), ('DIM-2024-002', None, 'B')]
>>> _ = (folder / "bad.json").write_text(
...     '[{"reference": "R1", "period_id": "12", "status": "X"},\\n'
...     ' {"period_id": "123456789097", "status": "A"}]')
>>> read_outcomes(folder / "bad.json")
Traceback (most recent call last):
...
mycareer.errors.MycareerErrorGroup: ...bad.json: 2 bad sidecar row(s) (2 sub-exceptions)
>>> scratch.cleanup()
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Final

from mycareer.dimona import DimonaOutcome, DimonaStatus
from mycareer.errors import (
    CappedErrors,
    InputError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
)
from mycareer.limits import (
    MAX_ERRORS_PER_INPUT,
    MAX_JSON_DEPTH,
    MAX_TEXT_CHARS,
    csv_header,
    csv_rows,
    json_depth,
    parse_decimal,
    parse_integer,
    read_input_text,
    shown,
)
from mycareer.xmlio.reading import Paths, input_files

__all__ = ["SIDECAR_FIELDS", "read_outcomes"]

#: The columns (CSV) or keys (JSON) of a sidecar row.
SIDECAR_FIELDS: Final = ("reference", "period_id", "status")


def _row(values: dict[str, Any], label: str, line: int, path: str) -> DimonaOutcome:
    problems: list[str] = []
    reference = values.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        problems.append(f"missing reference (got {shown(reference)})")
    elif len(reference) > MAX_TEXT_CHARS:
        problems.append(f"invalid reference {shown(reference)}: longer than {MAX_TEXT_CHARS}")
    raw_id = values.get("period_id")
    period_id: str | None = None
    if raw_id in (None, ""):
        pass
    elif not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        problems.append(f"invalid period_id {shown(raw_id)}: expected 12 digits")
    else:
        text = str(raw_id).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 12:
            problems.append(f"invalid period_id {shown(text)}: expected 12 digits")
        else:
            period_id = text.zfill(12)
    status_text = values.get("status")
    try:
        status = DimonaStatus(str(status_text).strip().upper()[:2])
    except ValueError:
        problems.append(f"invalid status {shown(status_text)}: expected A, W, B or S")
    if problems:
        raise InvalidValueError("; ".join(problems), path=path, source=SourceRef(label, line))
    assert isinstance(reference, str)
    return DimonaOutcome(
        status=status,
        reference=reference.strip(),
        period_id=period_id,
        source=SourceRef(label, line, path),
    )


def _refuse_constant(name: str) -> Any:
    raise InvalidValueError(f"invalid number {name}: JSON numbers must be finite")


#: Numbers are bounded before they are converted (see mycareer.limits).
_DECODER: Final = json.JSONDecoder(
    parse_int=lambda raw: parse_integer(raw, "JSON integer"),
    parse_float=lambda raw: parse_decimal(raw, "JSON number"),
    parse_constant=_refuse_constant,
)


def _json_rows(text: str, label: str) -> list[tuple[Any, int]]:
    """The top-level list items with the line each starts on."""
    index = len(text) - len(text.lstrip())
    if not text[index:].startswith("["):
        raise InputError("a JSON sidecar must be a list of objects", source=SourceRef(label, 1))
    index += 1
    rows: list[tuple[Any, int]] = []
    line, counted = 1, 0  # lines counted up to `counted` (once: linear in the file)
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text):
            raise InputError(
                "truncated JSON: missing ']'", source=SourceRef(label, text.count("\n") + 1)
            )
        if text[index] == "]":
            return rows
        line += text.count("\n", counted, index)
        counted = index
        try:
            value, index = _DECODER.raw_decode(text, index)
        except json.JSONDecodeError as error:
            raise InputError(
                f"malformed JSON: {error.msg}", source=SourceRef(label, error.lineno)
            ) from None
        except InvalidValueError as error:
            raise InputError(error.message, source=SourceRef(label, line)) from None
        except RecursionError:
            value = None
        if value is None or json_depth(value) > MAX_JSON_DEPTH:
            raise InputError(
                f"JSON nested deeper than {MAX_JSON_DEPTH} levels: refused",
                source=SourceRef(label, line),
            )
        rows.append((value, line))


def read_outcomes(paths: Paths) -> tuple[DimonaOutcome, ...]:
    """Read sidecar outcome files (``.json`` or ``.csv``); see the module docs for the format.

    ``paths`` is one path or an iterable of them (a ``str`` is one path);
    folders are read recursively for ``*.json`` and ``*.csv``.
    """
    files, problems = input_files(paths, (".json", ".csv"))
    outcomes: list[DimonaOutcome] = []
    for file in files:
        try:
            outcomes.extend(_read_file(file))
        except InvalidValueError as error:
            problems.append(error)
        except MycareerErrorGroup as group:
            problems.extend(e for e in group.exceptions if isinstance(e, InvalidValueError))
    if len(problems) == 1 and isinstance(problems[0], InputError) and len(files) <= 1:
        raise problems[0]
    if problems:
        label = str(files[0]) if len(files) == 1 else f"{len(files)} sidecar file(s)"
        raise MycareerErrorGroup(f"{label}: {len(problems)} bad sidecar row(s)", problems)
    return tuple(outcomes)


def _read_file(file: Path) -> list[DimonaOutcome]:
    label = str(file)
    suffix = file.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InputError(
            f"unknown sidecar format {shown(suffix or '(no extension)')}: use .json or .csv",
            source=SourceRef(label),
        )
    text = read_input_text(file)
    if suffix == ".json":
        outcomes, problems = _json_outcomes(text, label)
    else:
        outcomes, problems = _csv_outcomes(text, label)
    if problems:
        raise MycareerErrorGroup(
            f"{label}: {len(problems)} bad sidecar row(s)", problems.listed(label)
        )
    return outcomes


def _json_outcomes(text: str, label: str) -> tuple[list[DimonaOutcome], CappedErrors]:
    outcomes: list[DimonaOutcome] = []
    problems = CappedErrors(MAX_ERRORS_PER_INPUT)
    for index, (value, line) in enumerate(_json_rows(text, label)):
        path_text = f"$[{index}]"
        if not isinstance(value, dict):
            problems.append(
                InvalidValueError(
                    f"expected an object, got {type(value).__name__}",
                    path=path_text,
                    source=SourceRef(label, line),
                )
            )
            continue
        try:
            outcomes.append(_row(value, label, line, path_text))
        except InvalidValueError as error:
            problems.append(error)
    return outcomes, problems


def _csv_outcomes(text: str, label: str) -> tuple[list[DimonaOutcome], CappedErrors]:
    outcomes: list[DimonaOutcome] = []
    problems = CappedErrors(MAX_ERRORS_PER_INPUT)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in csv_header(reader, label)]  # bounded fields
    missing = [name for name in SIDECAR_FIELDS if name not in header]
    if missing:
        raise InputError(
            f"CSV sidecar header must be {','.join(SIDECAR_FIELDS)}; missing {', '.join(missing)}",
            source=SourceRef(label, 1),
        )
    for index, (line, raw) in enumerate(csv_rows(reader, label)):
        values = {(k or "").strip(): v for k, v in raw.items() if isinstance(v, str)}
        try:
            outcomes.append(_row(values, label, line, f"$[{index}]"))
        except InvalidValueError as error:
            problems.append(error)
    return outcomes, problems
