"""pandas views of mycareer results, for notebooks (optional extra ``mycareer[pandas]``).

:func:`to_frame` turns timelines, entitlements, trainings or career records into a
:class:`pandas.DataFrame` with one row per item; :func:`from_frame` turns such a
frame back into the library's own values, exactly.

**Exact values stay exact.** Days, FTE, fractions and hours are kept as
:class:`fractions.Fraction` or :class:`decimal.Decimal` objects in ``object``
columns, never as floats: ``df["fte"].sum()`` is still an exact ``Fraction``,
and a round trip through a frame gives back equal objects. Dates are
:class:`datetime.date` objects; identifiers (NISS, enterprise numbers) and
nested values (employers, sources, month factors, findings) are the library's
own objects, which print as text. Convert explicitly when you want floats for
a chart: ``df["fte"].astype(float)``.

Row kinds (the ``kind`` argument of :func:`from_frame`):

* ``"timeline"``: one row per :class:`~mycareer.timeline.TimelineSegment`, with ``niss``
  and ``as_of`` of its timeline; the period is split into ``start`` and ``end``
  (inclusive) and ``days`` is added for convenience. Timeline findings and the
  precedence rule travel in ``df.attrs["mycareer_timelines"]``.
* ``"entitlements"``: one row per :class:`~mycareer.fla.Entitlement`, a column per field.
* ``"trainings"``: one row per :class:`~mycareer.fla.trainings.Training`.
* ``"career"``: one row per :class:`~mycareer.career.CareerPeriod`, with the
  worker's ``name``; the period split into ``start`` and ``end``.

pandas is imported only when these functions run; without it they raise
:class:`MissingExtraError` saying which extra to install.

>>> from mycareer.demo import load_demo
>>> df = to_frame(load_demo().workers)
>>> df.loc[:1, ["name", "start", "end", "fraction"]]
         name       start         end fraction
0  An Peeters  2019-09-01  2023-02-14        1
1  An Peeters  2023-02-15        None      4/5
>>> df.loc[:1, "fraction"].map(lambda f: f.value).sum()
Fraction(9, 5)
>>> from_frame(df) == load_demo().workers
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
from mycareer.period import Period

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FRAME_KINDS", "FrameKind", "MissingExtraError", "from_frame", "to_frame"]

FrameKind = Literal["timeline", "entitlements", "trainings", "career"]

#: The row kinds :func:`from_frame` understands.
FRAME_KINDS: Final[tuple[FrameKind, ...]] = ("timeline", "entitlements", "trainings", "career")

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
    if isinstance(items, Iterable):
        return list(items)
    return [items]


def _timeline_types() -> tuple[type[Any], type[Any]]:
    from mycareer.timeline import Timeline, TimelineSegment

    return Timeline, TimelineSegment


def _kind_of(values: Sequence[Any]) -> FrameKind:
    if not values:
        raise InvalidValueError("to_frame needs at least one value to know the kind of rows")
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
    raise InvalidValueError(
        f"to_frame does not know how to show {type_name} values; it takes timelines, "
        "entitlements, trainings or career records"
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


def to_frame(obj: Any) -> pd.DataFrame:
    """One row per segment, entitlement, training or career period; exact values kept.

    ``obj`` is one value or an iterable of values of the same kind (a
    :class:`~mycareer.timeline.Timeline`, an :class:`~mycareer.fla.Entitlement`,
    a :class:`~mycareer.fla.trainings.Training`, :class:`~mycareer.career.CareerRecords`
    or :class:`~mycareer.career.CareerPeriod`). The frame's ``attrs["mycareer_kind"]``
    names the kind, for :func:`from_frame`.
    """
    pandas = _pandas()
    values = _flatten(obj)
    kind = _kind_of(values)
    attributes: dict[str, Any] = {"mycareer_kind": kind}
    if kind == "career":
        rows = _career_rows(values)
        columns = ["name", *_career_columns()]
    elif kind == "timeline":
        rows, extras = _timeline_rows(values)
        attributes[TIMELINE_ATTRS] = extras
        columns = _timeline_columns()
    else:
        rows = [_row(value) for value in values]
        columns = _field_names(type(values[0]))
    frame = pandas.DataFrame(rows, columns=columns, dtype=object)
    frame.attrs.update(attributes)
    return frame


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
    """Rebuild the values :func:`to_frame` showed: a tuple of timelines, entitlements,
    trainings or :class:`~mycareer.career.CareerRecords` (one per worker, in row order).

    ``kind`` defaults to ``frame.attrs["mycareer_kind"]``. Columns added for
    convenience (``days``) or by the analyst are ignored; a missing column is
    an error naming it. Values must still be exact objects (``Fraction``,
    ``Decimal``, ``date``): a float column is refused rather than guessed.
    """
    _pandas()
    chosen = kind or frame.attrs.get("mycareer_kind")
    if chosen not in FRAME_KINDS:
        raise InvalidValueError(
            f"unknown frame kind {chosen!r}: expected one of {', '.join(FRAME_KINDS)}"
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
