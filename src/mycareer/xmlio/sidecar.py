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
>>> folder = pathlib.Path(tempfile.mkdtemp())
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
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Final

from mycareer.dimona import DimonaOutcome, DimonaStatus
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef

__all__ = ["SIDECAR_FIELDS", "read_outcomes"]

#: The columns (CSV) or keys (JSON) of a sidecar row.
SIDECAR_FIELDS: Final = ("reference", "period_id", "status")


def _row(values: dict[str, Any], label: str, line: int, path: str) -> DimonaOutcome:
    problems: list[str] = []
    reference = values.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        problems.append(f"missing reference (got {reference!r})")
    raw_id = values.get("period_id")
    period_id: str | None = None
    if raw_id in (None, ""):
        pass
    elif not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        problems.append(f"invalid period_id {raw_id!r}: expected 12 digits")
    else:
        text = str(raw_id).strip()
        if not text.isdigit() or len(text) > 12:
            problems.append(f"invalid period_id {text!r}: expected 12 digits")
        else:
            period_id = text.zfill(12)
    status_text = values.get("status")
    try:
        status = DimonaStatus(str(status_text).strip().upper())
    except ValueError:
        problems.append(f"invalid status {status_text!r}: expected A, W, B or S")
    if problems:
        raise InvalidValueError("; ".join(problems), path=path, source=SourceRef(label, line))
    assert isinstance(reference, str)
    return DimonaOutcome(
        status=status,
        reference=reference.strip(),
        period_id=period_id,
        source=SourceRef(label, line, path),
    )


def _json_rows(text: str, label: str) -> list[tuple[Any, int]]:
    """The top-level list items with the line each starts on."""
    decoder = json.JSONDecoder()
    index = len(text) - len(text.lstrip())
    if not text[index:].startswith("["):
        raise InputError("a JSON sidecar must be a list of objects", source=SourceRef(label, 1))
    index += 1
    rows: list[tuple[Any, int]] = []
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text):
            raise InputError(
                "truncated JSON: missing ']'", source=SourceRef(label, text.count("\n") + 1)
            )
        if text[index] == "]":
            return rows
        line = text.count("\n", 0, index) + 1
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            raise InputError(
                f"malformed JSON: {error.msg}", source=SourceRef(label, error.lineno)
            ) from None
        rows.append((value, line))


def read_outcomes(path: str | os.PathLike[str]) -> tuple[DimonaOutcome, ...]:
    """Read a sidecar outcome file (``.json`` or ``.csv``); see the module docs for the format."""
    file = Path(path)
    label = str(file)
    suffix = file.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InputError(
            f"unknown sidecar format {suffix or '(no extension)'!r}: use .json or .csv",
            source=SourceRef(label),
        )
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InputError(
            f"cannot read: {error.strerror or error}", source=SourceRef(label)
        ) from None
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text: {error.reason}", source=SourceRef(label)) from None
    outcomes: list[DimonaOutcome] = []
    problems: list[InvalidValueError] = []
    if suffix == ".json":
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
    else:
        reader = csv.DictReader(text.splitlines())
        header = [name.strip() for name in (reader.fieldnames or [])]
        missing = [name for name in SIDECAR_FIELDS if name not in header]
        if missing:
            raise InputError(
                f"CSV sidecar header must be {','.join(SIDECAR_FIELDS)}; "
                f"missing {', '.join(missing)}",
                source=SourceRef(label, 1),
            )
        for index, raw in enumerate(reader):
            line = reader.line_num
            values = {(k or "").strip(): v for k, v in raw.items()}
            try:
                outcomes.append(_row(values, label, line, f"$[{index}]"))
            except InvalidValueError as error:
                problems.append(error)
    if problems:
        raise MycareerErrorGroup(f"{label}: {len(problems)} bad sidecar row(s)", problems)
    return tuple(outcomes)
