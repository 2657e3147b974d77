"""pandas views of mycareer results, for notebooks (optional extra ``mycareer[pandas]``).

:func:`to_frame` turns timelines, entitlements, trainings, career records, gaps or
findings into a :class:`pandas.DataFrame` with one row per item.

**Analysis frames (the default)** have pandas dtypes: integers ``Int64``, flags
``boolean``, dates ``datetime64[ns]`` (an ongoing period's ``end`` is ``NaT``),
identifiers ``string`` in their compact form (``"85073003328"``, employer
``"0403019261"``), enums ``string``, the size band an *ordered* categorical
(``<10`` < ``10-19`` < ``20+``), and quantities (days, FTE, hours, fractions)
``float64`` for charts and ``nlargest``. Nested values (sources, month
factors, findings, rules) are left out; ask for them with ``exact=True``.

**Exact frames** (``exact=True``) keep the library's objects in ``object``
columns: ``Fraction``/``Decimal`` quantities, ``date``s, identifiers and nested
values, so ``df["fte"].sum()`` is an exact ``Fraction``, and :func:`from_frame`
turns such a frame back into equal values.

Row kinds (``kind``; guessed from the values when not given):

* ``"timeline"``: one row per :class:`~mycareer.timeline.TimelineSegment`, with
  ``niss`` and ``as_of`` of its timeline; the period split into ``start`` and
  ``end`` (inclusive) and ``days`` added. Exact frames carry each timeline's
  findings and precedence in ``df.attrs["mycareer_timelines"]``.
* ``"entitlements"``: one row per :class:`~mycareer.fla.Entitlement`.
* ``"trainings"``: one row per :class:`~mycareer.fla.trainings.Training`.
* ``"career"``: one row per :class:`~mycareer.career.CareerPeriod`, with the
  worker's ``name``.
* ``"gaps"``: one row per uncovered stretch of each timeline (its default window).
* ``"findings"``: one row per :class:`~mycareer.findings.Finding` of timelines or
  entitlements (or of the findings given), with where it was found.

``to_frame`` takes one value, an iterable of values, or the dict that
:func:`~mycareer.timeline.build_timelines` returns; ``to_frame([], kind=...)``
is an empty frame with the kind's columns and dtypes. pandas is imported only
when these functions run; without it they raise :class:`MissingExtraError`.

>>> from mycareer.demo import load_demo
>>> df = to_frame(load_demo().workers)
>>> df.loc[:1, ["name", "start", "end", "fraction"]]
         name      start        end  fraction
0  An Peeters 2019-09-01 2023-02-14       1.0
1  An Peeters 2023-02-15        NaT       0.8
>>> str(df["start"].dtype), str(df["niss"].dtype), str(df["provisional"].dtype)
('datetime64[ns]', 'string', 'boolean')
>>> exact = to_frame(load_demo().workers, exact=True)
>>> exact.loc[:1, "fraction"].map(lambda f: f.value).sum()
Fraction(9, 5)
>>> from_frame(exact) == load_demo().workers
True
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.errors import InvalidValueError, MycareerError
from mycareer.findings import Finding
from mycareer.period import Period

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FRAME_KINDS", "FrameKind", "MissingExtraError", "from_frame", "to_frame"]

FrameKind = Literal["timeline", "entitlements", "trainings", "career", "gaps", "findings"]

#: The row kinds of :func:`to_frame`; :func:`from_frame` rebuilds the first four.
FRAME_KINDS: Final[tuple[FrameKind, ...]] = (
    "timeline", "entitlements", "trainings", "career", "gaps", "findings",
)  # fmt: skip
_REBUILT: Final[tuple[FrameKind, ...]] = ("timeline", "entitlements", "trainings", "career")

#: Key of ``DataFrame.attrs`` holding per-timeline data that has no row of its own.
TIMELINE_ATTRS: Final = "mycareer_timelines"


class MissingExtraError(MycareerError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError:
        raise MissingExtraError(
            "mycareer.frames needs pandas: install the extra with `pip install 'mycareer[pandas]'`"
        ) from None


def _field_names(cls: type[Any]) -> list[str]:
    return [field.alias for field in attrs.fields(cls)]


def _row(obj: Any) -> dict[str, Any]:
    """An attrs value as ``{init argument: value}``, values untouched (exact)."""
    return {field.alias: getattr(obj, field.name) for field in attrs.fields(type(obj))}


def _flatten(items: Any) -> list[Any]:
    if isinstance(items, str | bytes) or attrs.has(type(items)):
        return [items]
    if isinstance(items, Mapping):  # build_timelines' {niss: timeline}
        return list(items.values())
    if isinstance(items, Iterable):
        return list(items)
    return [items]


def _timeline_types() -> tuple[type[Any], type[Any]]:
    from mycareer.timeline import Timeline, TimelineSegment

    return Timeline, TimelineSegment


def _kind_of(values: Sequence[Any]) -> FrameKind | None:
    if not values:
        return None
    first = values[0]
    type_name = type(first).__name__
    module = type(first).__module__
    if isinstance(first, CareerRecords | CareerPeriod):
        return "career"
    if type_name == "Timeline" and module.startswith("mycareer.timeline"):
        return "timeline"
    if type_name == "Entitlement" and module.startswith("mycareer.fla"):
        return "entitlements"
    if type_name == "Training" and module.startswith("mycareer.fla"):
        return "trainings"
    if type_name == "Gap" and module.startswith("mycareer.timeline"):
        return "gaps"
    if isinstance(first, Finding):
        return "findings"
    raise InvalidValueError(
        f"to_frame does not know how to show {type_name} values; it takes timelines, "
        "entitlements, trainings, career records, gaps or findings"
    )


def _split_period(row: dict[str, Any], period: Period) -> None:
    row["start"] = period.start
    row["end"] = period.end


def _career_rows(values: Sequence[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for value in values:
        if isinstance(value, CareerRecords):
            periods: Iterable[CareerPeriod] = value.periods
            name = value.name
        else:
            periods, name = [value], None
        for record in periods:
            row = {"name": name}
            for key, item in _row(record).items():
                if key == "period":
                    _split_period(row, item)
                else:
                    row[key] = item
            rows.append(row)
    return rows


def _timeline_rows(values: Sequence[Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    extras: dict[str, Any] = {}
    for timeline in values:
        key = str(timeline.niss)
        extras[key] = {
            "as_of": timeline.as_of,
            "findings": timeline.findings,
            "precedence": timeline.precedence,
        }
        for segment in timeline.segments:
            row: dict[str, Any] = {"niss": timeline.niss, "as_of": timeline.as_of}
            for field_name, item in _row(segment).items():
                if field_name == "period":
                    _split_period(row, item)
                    row["days"] = item.days
                else:
                    row[field_name] = item
            rows.append(row)
    return rows, extras


def to_frame(obj: Any, kind: FrameKind | None = None, *, exact: bool = False) -> pd.DataFrame:
    """One row per segment, entitlement, training, career period, gap or finding.

    ``obj`` is one value, an iterable of values of the same kind, or a mapping
    whose values are (``build_timelines``' result). ``kind`` is guessed from the
    values; give it for an empty input (without it, an empty input gives an
    empty frame without columns) or to ask ``"gaps"``/``"findings"`` of
    timelines and entitlements. ``exact=True`` keeps exact objects (see the
    module). ``df.attrs["mycareer_kind"]`` names the kind, for :func:`from_frame`.
    """
    pandas = _pandas()
    values = _flatten(obj)
    found = _kind_of(values)
    chosen = kind or found
    if chosen is None:
        return pandas.DataFrame()
    if chosen not in FRAME_KINDS:
        raise InvalidValueError(
            f"unknown frame kind {chosen!r}: expected one of {', '.join(FRAME_KINDS)}"
        )
    rows, columns, attributes = _exact_rows(chosen, values)
    frame = pandas.DataFrame(rows, columns=columns, dtype=object)
    if not exact:
        from mycareer._frame_dtypes import analysis_frame

        frame = analysis_frame(pandas, frame, chosen)
        attributes.pop(TIMELINE_ATTRS, None)
    frame.attrs.update(attributes, mycareer_kind=chosen, mycareer_exact=exact)
    return frame


def _exact_rows(
    kind: FrameKind, values: Sequence[Any]
) -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    """Rows of exact objects, the kind's columns, and the frame's extra ``attrs``."""
    attributes: dict[str, Any] = {}
    if kind == "career":
        return _career_rows(values), ["name", *_career_columns()], attributes
    if kind == "timeline":
        rows, extras = _timeline_rows(values)
        attributes[TIMELINE_ATTRS] = extras
        return rows, _timeline_columns(), attributes
    if kind == "gaps":
        return _gap_rows(values), list(_GAP_COLUMNS), attributes
    if kind == "findings":
        return _finding_rows(values), list(_FINDING_COLUMNS), attributes
    cls = _fla_type("Entitlement" if kind == "entitlements" else "Training")
    return [_row(value) for value in values], _field_names(cls), attributes


_GAP_COLUMNS = ("niss", "as_of", "start", "end", "days", "working_days", "provisional")
_FINDING_COLUMNS = ("niss", "employer", "code", "severity", "message", "file", "line", "record")


def _gap_rows(values: Sequence[Any]) -> list[dict[str, Any]]:
    """Gaps of each timeline in its default window (first covered day to ``as_of``)."""
    timeline_cls, _ = _timeline_types()
    rows: list[dict[str, Any]] = []
    for value in values:
        pairs = [(value, gap) for gap in value.gaps()] if isinstance(value, timeline_cls) else [
            (None, value)
        ]  # fmt: skip
        for owner, gap in pairs:
            rows.append(
                {
                    "niss": None if owner is None else owner.niss,
                    "as_of": None if owner is None else owner.as_of,
                    "start": gap.period.start,
                    "end": gap.period.end,
                    "days": gap.days,
                    "working_days": gap.working_days,
                    "provisional": gap.provisional,
                }
            )
    return rows


def _finding_rows(values: Sequence[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for value in values:
        if isinstance(value, Finding):
            found: Iterable[Finding] = [value]
            niss, employer = None, None
        else:
            found = getattr(value, "findings", ())
            niss, employer = getattr(value, "niss", None), getattr(value, "employer", None)
        for finding in found:
            source = finding.source
            rows.append(
                {
                    "niss": niss,
                    "employer": employer,
                    "code": finding.code,
                    "severity": finding.severity,
                    "message": finding.message,
                    "file": None if source is None else source.file,
                    "line": None if source is None else source.line,
                    "record": None if source is None else source.record,
                }
            )
    return rows


def _career_columns() -> list[str]:
    names: list[str] = []
    for name in _field_names(CareerPeriod):
        names.extend(["start", "end"] if name == "period" else [name])
    return names


def _timeline_columns() -> list[str]:
    _, segment = _timeline_types()
    names = ["niss", "as_of"]
    for name in _field_names(segment):
        names.extend(["start", "end", "days"] if name == "period" else [name])
    return names


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # itertuples/to_dict keep the objects as they are (no float conversion in object columns)
    return [dict(row) for row in frame.to_dict(orient="records")]


def _missing(value: Any) -> bool:
    # pandas turns None into NaN/NaT in some operations; treat both as "no value"
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return False


def _clean(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: (None if _missing(value) else value) for key, value in row.items()}


def _build(cls: type[Any], row: Mapping[str, Any], where: str) -> Any:
    wanted = _field_names(cls)
    arguments = {name: row[name] for name in wanted if name in row}
    try:
        return cls(**arguments)
    except (TypeError, ValueError) as error:
        raise InvalidValueError(f"cannot rebuild {cls.__name__}: {error}", path=where) from None


def _period_of(row: Mapping[str, Any], where: str) -> Period:
    start, end = row.get("start"), row.get("end")
    if not isinstance(start, date):
        raise InvalidValueError(f"start must be a date, got {start!r}", path=f"{where}.start")
    return Period(start, end)


def from_frame(frame: pd.DataFrame, kind: FrameKind | None = None) -> tuple[Any, ...]:
    """Rebuild the values an exact frame (``to_frame(..., exact=True)``) showed: a tuple of
    timelines, entitlements, trainings or :class:`~mycareer.career.CareerRecords` (one per
    worker, in row order).

    ``kind`` defaults to ``frame.attrs["mycareer_kind"]``. Columns added for
    convenience (``days``) or by the analyst are ignored; a missing column is
    an error naming it. Values must still be exact objects (``Fraction``,
    ``Decimal``, ``date``): a float column is refused rather than guessed.
    """
    _pandas()
    chosen = kind or frame.attrs.get("mycareer_kind")
    if chosen not in _REBUILT:
        raise InvalidValueError(
            f"unknown frame kind {chosen!r}: expected one of {', '.join(_REBUILT)}"
        )
    if frame.attrs.get("mycareer_exact") is False:
        raise InvalidValueError(
            "this is an analysis frame (floats, compact text): build it with "
            "to_frame(..., exact=True) to turn it back into values"
        )
    expected = _expected_columns(chosen)
    missing = [name for name in expected if name not in frame.columns and name != "days"]
    if missing:
        raise InvalidValueError(f"the frame lacks column(s) {missing} for kind {chosen!r}")
    rows = [_clean(row) for row in _records(frame)]
    for index, row in enumerate(rows):
        for column, value in row.items():
            if isinstance(value, float):
                raise InvalidValueError(
                    f"float value {value!r} in column {column!r}: mycareer keeps exact values "
                    "(Fraction, Decimal); convert them back before from_frame",
                    path=f"$[{index}].{column}",
                )
    if chosen == "career":
        return _career_from_rows(rows)
    if chosen == "timeline":
        return _timelines_from_rows(rows, frame.attrs.get(TIMELINE_ATTRS, {}))
    cls = _fla_type("Entitlement" if chosen == "entitlements" else "Training")
    return tuple(_build(cls, row, f"$[{index}]") for index, row in enumerate(rows))


def _expected_columns(kind: str) -> list[str]:
    if kind == "timeline":
        return _timeline_columns()
    if kind == "career":
        return ["name", *_career_columns()]
    return _field_names(_fla_type("Entitlement" if kind == "entitlements" else "Training"))


def _fla_type(name: str) -> type[Any]:
    if name == "Training":
        from mycareer.fla.trainings import Training

        return Training
    from mycareer.fla import Entitlement

    return Entitlement


def _career_from_rows(rows: Sequence[dict[str, Any]]) -> tuple[CareerRecords, ...]:
    workers: dict[Any, tuple[str | None, list[CareerPeriod]]] = {}
    for index, row in enumerate(rows):
        where = f"$[{index}]"
        arguments = dict(row, period=_period_of(row, where))
        period = _build(CareerPeriod, arguments, where)
        entry = workers.setdefault(period.niss, (row.get("name"), []))
        entry[1].append(period)
    return tuple(
        CareerRecords(niss=niss, periods=periods, name=name)
        for niss, (name, periods) in workers.items()
    )


def _timelines_from_rows(
    rows: Sequence[dict[str, Any]], extras: Mapping[str, Any]
) -> tuple[Any, ...]:
    timeline_cls, segment_cls = _timeline_types()
    grouped: dict[Any, list[Any]] = {}
    as_of: dict[Any, date] = {}
    for index, row in enumerate(rows):
        where = f"$[{index}]"
        arguments = dict(row, period=_period_of(row, where))
        for name in ("kinds", "employers", "sources", "suspended"):
            if arguments.get(name) is None:
                arguments.pop(name, None)
        grouped.setdefault(row["niss"], []).append(_build(segment_cls, arguments, where))
        as_of.setdefault(row["niss"], row["as_of"])
    timelines = []
    for niss, segments in grouped.items():
        extra = extras.get(str(niss), {})
        options = {k: extra[k] for k in ("findings", "precedence") if k in extra}
        timelines.append(
            timeline_cls(niss=niss, as_of=as_of[niss], segments=tuple(segments), **options)
        )
    return tuple(timelines)
