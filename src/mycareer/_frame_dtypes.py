"""Analysis dtypes of :func:`mycareer.frames.to_frame`: one table of columns per row kind.

Each kind lists its analysis columns and their dtype; a column of the exact frame
not listed (sources, month factors, findings, rules) is left out. Floats appear
here only, for analysis: computation never sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import Enum
from fractions import Fraction
from typing import Any

__all__ = ["BAND_ORDER", "COLUMNS", "analysis_frame"]

#: The size bands, smallest first: the order of the ordered categorical ``band``.
BAND_ORDER = ("<10", "10-19", "20+")

_TEXT, _DATE, _INT, _BOOL, _FLOAT, _BAND = "string", "date", "Int64", "boolean", "float", "band"

#: Per row kind, its analysis columns and their dtype, in order.
COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "career": (
        ("name", _TEXT), ("niss", _TEXT), ("kind", _TEXT), ("start", _DATE), ("end", _DATE),
        ("employer", _TEXT), ("fraction", _FLOAT), ("joint_commission", _TEXT),
        ("label", _TEXT), ("provisional", _BOOL),
    ),
    "timeline": (
        ("niss", _TEXT), ("as_of", _DATE), ("start", _DATE), ("end", _DATE), ("days", _INT),
        ("kind", _TEXT), ("employers", _TEXT), ("fte", _FLOAT), ("provisional", _BOOL),
        ("suspended", _TEXT), ("fte_complete", _BOOL),
    ),
    "entitlements": (
        ("employer", _TEXT), ("niss", _TEXT), ("year", _INT), ("band", _BAND),
        ("average_fte", _FLOAT), ("fallback_used", _BOOL), ("regime", _TEXT),
        ("days_exact", _FLOAT), ("days", _FLOAT), ("hours", _FLOAT), ("legal_days", _FLOAT),
        ("sector_days", _FLOAT), ("employer_days", _FLOAT), ("rule", _TEXT),
        ("fla_regime", _TEXT), ("band_basis", _TEXT), ("hours_per_day", _FLOAT),
        ("rounding", _TEXT), ("no_rule_reason", _TEXT), ("projected", _BOOL), ("as_of", _DATE),
    ),
    "trainings": (
        ("niss", _TEXT), ("name", _TEXT), ("start", _DATE), ("end", _DATE), ("hours", _FLOAT),
        ("type", _TEXT), ("status", _TEXT), ("counts_toward_individual_right", _BOOL),
        ("provider", _TEXT), ("outcome", _TEXT), ("certificate", _TEXT),
        ("certificate_valid_until", _DATE), ("funding", _TEXT), ("employer", _TEXT),
        ("id", _TEXT),
    ),
    "gaps": (
        ("niss", _TEXT), ("as_of", _DATE), ("start", _DATE), ("end", _DATE), ("days", _INT),
        ("working_days", _INT), ("provisional", _BOOL),
    ),
    "findings": (
        ("niss", _TEXT), ("employer", _TEXT), ("code", _TEXT), ("severity", _TEXT),
        ("message", _TEXT), ("file", _TEXT), ("line", _INT), ("record", _TEXT),
    ),
}  # fmt: skip


def _text(value: Any) -> str | None:
    """Compact text: an enum's value, an identifier's ``str``, a rule's id, items joined."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ",".join(text for item in value if (text := _text(item)) is not None)
    found = getattr(value, "id", None)  # a RuleRef
    if isinstance(found, str):
        return found
    found = getattr(value, "code", None)  # a JointCommission
    if isinstance(found, str):
        return found
    return str(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    inner = getattr(value, "value", value)  # a WorkFraction
    return float(inner if isinstance(inner, Fraction | int) else value)


def _day(value: Any) -> Any:
    # datetime64[ns] ends in 2262: later days (9999-12-31 markers) have no analysis value.
    return None if value is None or not isinstance(value, date) or value.year > 2261 else value


def _convert(pandas: Any, dtype: str, values: list[Any]) -> Any:
    makers: dict[str, Callable[[], Any]] = {
        _TEXT: lambda: pandas.array([_text(v) for v in values], dtype="string"),
        _INT: lambda: pandas.array(values, dtype="Int64"),
        _BOOL: lambda: pandas.array(values, dtype="boolean"),
        _FLOAT: lambda: pandas.array([_number(v) for v in values], dtype="float64"),
        _DATE: lambda: (
            pandas.to_datetime(pandas.Series([_day(v) for v in values], dtype=object))
            .astype("datetime64[ns]")
            .array
        ),
        _BAND: lambda: pandas.Categorical(
            [_text(v) for v in values], categories=BAND_ORDER, ordered=True
        ),
    }
    return makers[dtype]()


def analysis_frame(pandas: Any, exact: Any, kind: str) -> Any:
    """The analysis view of an exact frame of ``kind``: the kind's columns and dtypes."""
    columns: dict[str, Any] = {}
    for name, dtype in COLUMNS[kind]:
        values = (
            [None if _missing(v) else v for v in exact[name]]
            if name in exact
            else [None] * len(exact)
        )
        columns[name] = _convert(pandas, dtype, values)
    return pandas.DataFrame(columns, index=exact.index)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return False
