"""A Gantt-style picture of a timeline (optional extra ``mycareer[plot]``: matplotlib).

:func:`plot_timeline` draws one row per (employer, kind):

* a bar per stretch of that row, whose **height is the FTE** at that employer
  (work fraction Q/S, full height = full time) for employment and civil
  service; other kinds (sickness, career break, unemployment…) are drawn full
  height in their own colour, since FTE does not describe them;
* **gaps** as light red bands across all rows (hatched when provisional, i.e. in
  quarters whose declarations may still arrive);
* **provisional** bars hatched ``///`` with a dashed edge;
* a dotted line at ``as_of``.

Every bar and gap band carries a ``gid`` (``bar-<row>-<n>``, ``gap-<n>``, with a
``-provisional`` suffix where it applies), which becomes the element id in SVG
output, so pictures can be checked by tools and tests. Only the object-oriented
matplotlib API is used (no ``pyplot`` state), so it is safe in servers.

matplotlib is imported only when :func:`plot_timeline` runs; without it a
:class:`~mycareer.frames.MissingExtraError` says which extra to install.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Iterator
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

import attrs

from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.frames import MissingExtraError
from mycareer.kinds import PeriodKind
from mycareer.outputs import atomic_output, named_refusals

if TYPE_CHECKING:
    from mycareer.timeline import Timeline, TimelineSegment

__all__ = [
    "KIND_COLOURS",
    "Bar",
    "PlotFormat",
    "plot_rows",
    "plot_timeline",
    "require_matplotlib",
]

PlotFormat = Literal["png", "svg"]

#: Colour per kind (colour-blind safe Okabe-Ito palette).
KIND_COLOURS: Final[dict[PeriodKind, str]] = {
    PeriodKind.EMPLOYMENT: "#0072B2",
    PeriodKind.CIVIL_SERVICE: "#56B4E9",
    PeriodKind.SELF_EMPLOYMENT: "#009E73",
    PeriodKind.UNEMPLOYMENT: "#E69F00",
    PeriodKind.SICKNESS: "#D55E00",
    PeriodKind.CAREER_BREAK: "#CC79A7",
    PeriodKind.TRAINING: "#F0E442",
    PeriodKind.BENEFIT: "#999999",
    PeriodKind.OTHER: "#666666",
}

_WORK_KINDS: Final = frozenset({PeriodKind.EMPLOYMENT, PeriodKind.CIVIL_SERVICE})
_ROW_HEIGHT: Final = 0.8
_MIN_HEIGHT: Final = Fraction(1, 10)  # a tiny fraction stays visible


@attrs.frozen
class Bar:
    """One bar of the picture: a row, half-open day bounds, FTE height, provisional flag."""

    row: tuple[str, PeriodKind]
    start: date
    stop: date  # first day after the bar
    fte: Fraction | None  # None for kinds drawn full height
    provisional: bool


def _employer_label(employer: Employer | None) -> str:
    if employer is None:
        return "no employer"
    return f"{employer.name} ({employer.formatted})" if employer.name else employer.formatted


def _share(segment: TimelineSegment, employer: Employer) -> Fraction:
    """The FTE of ``segment`` at ``employer``: its own active, non-suspended fractions."""
    if len(segment.employers) == 1:
        return segment.fte
    if employer in segment.suspended:
        return Fraction(0)
    total = Fraction(0)
    for record in segment.sources:
        if record.employer == employer and record.kind in _WORK_KINDS and record.fraction:
            total += record.fraction.value
    return min(total, Fraction(1))


def _raw_bars(timeline: Timeline) -> Iterator[Bar]:
    for segment in timeline.segments:
        stop = segment.period.stop
        assert stop is not None  # timeline segments are resolved at as_of
        employers: tuple[Employer | None, ...] = segment.employers or (None,)
        for employer in employers:
            fte: Fraction | None = None
            if segment.kind in _WORK_KINDS and employer is not None:
                fte = _share(segment, employer)
            provisional = segment.provisional
            if len(employers) > 1:  # only this employer's own records decide
                provisional = any(
                    r.provisional for r in segment.sources if r.employer in (employer, None)
                )
            yield Bar(
                (_employer_label(employer), segment.kind),
                segment.period.start,
                stop,
                fte,
                provisional,
            )


def plot_rows(timeline: Timeline) -> dict[tuple[str, PeriodKind], list[Bar]]:
    """The bars of the picture per row, in row order (first appearance), adjacent
    bars with the same height and flag joined.

    This is what :func:`plot_timeline` draws; it needs no matplotlib.
    """
    rows: dict[tuple[str, PeriodKind], list[Bar]] = {}
    for bar in _raw_bars(timeline):
        bars = rows.setdefault(bar.row, [])
        last = bars[-1] if bars else None
        if (
            last is not None
            and last.stop == bar.start
            and last.fte == bar.fte
            and last.provisional == bar.provisional
        ):
            bars[-1] = attrs.evolve(last, stop=bar.stop)
        else:
            bars.append(bar)
    return rows


_MISSING: Final = (
    "mycareer.plot needs matplotlib: install the extra with `pip install 'mycareer[plot]'`"
)


def require_matplotlib() -> None:
    """Raise :class:`~mycareer.frames.MissingExtraError` unless matplotlib is installed
    (found, not imported: for a caller that draws in other processes)."""
    if importlib.util.find_spec("matplotlib") is None:
        raise MissingExtraError(_MISSING)


def _matplotlib() -> tuple[Any, Any, Any, Any]:
    try:
        figure = importlib.import_module("matplotlib.figure")
        patches = importlib.import_module("matplotlib.patches")
        dates = importlib.import_module("matplotlib.dates")
        lines = importlib.import_module("matplotlib.lines")
    except ImportError:
        raise MissingExtraError(_MISSING) from None
    return figure, patches, dates, lines


def _is_axes(value: Any) -> bool:
    return hasattr(value, "add_patch") and hasattr(value, "figure")


def _format_of(target: Any, format: PlotFormat | None) -> str:
    chosen: str = format or "png"
    if format is None and isinstance(target, str | os.PathLike):
        suffix = Path(target).suffix.lower().lstrip(".")
        chosen = suffix if suffix in ("png", "svg") else "png"
    if chosen not in ("png", "svg"):
        raise InvalidValueError(f"unsupported picture format {chosen!r}: use png or svg")
    return chosen


def plot_timeline(
    timeline: Timeline,
    target: str | os.PathLike[str] | IO[bytes] | Any = None,
    *,
    ax: Any = None,
    format: PlotFormat | None = None,
    title: str | None = None,
    provisional_quarters: int = 0,
    dpi: int = 120,
) -> Any:
    """Draw ``timeline`` and return the matplotlib ``Axes`` it is drawn in.

    With ``ax``, the picture is drawn into that ``Axes`` (a notebook cell, a
    subplot of a report) and kept inside it: the legend sits within the Axes and
    long row labels are shortened. Without it, a new figure of its own is made
    (``ax.figure``; no ``pyplot`` state), sized for the rows, legend at the
    right. ``target`` saves that figure to a path or binary stream as PNG or SVG
    (``format``, else the path's suffix, else PNG); an ``Axes`` given as
    ``target`` is taken as ``ax``. ``provisional_quarters`` marks gaps in the
    last quarters up to ``as_of`` as provisional (see
    :meth:`~mycareer.timeline.Timeline.gaps`).
    """
    figure_module, patches, mdates, mlines = _matplotlib()
    if ax is None and _is_axes(target):
        ax, target = target, None
    chosen = _format_of(target, format) if target is not None else "png"
    rows = plot_rows(timeline)
    inside = ax is not None
    if ax is None:
        height = 1.6 + 0.45 * max(len(rows), 1)
        figure = figure_module.Figure(figsize=(10, height), layout="constrained")
        ax = figure.add_subplot()
    _draw_bars(ax, rows, patches, mdates)
    _draw_gaps(ax, timeline, provisional_quarters, mdates)
    _axes_and_labels(ax, timeline, rows, title, mdates, inside=inside)
    _legend(ax, rows, patches, mlines, inside=inside)
    if isinstance(target, str | os.PathLike):
        # mycareer.outputs: atomic, never via a symlink, a refused write named
        with atomic_output(target) as stream, named_refusals(target):
            ax.figure.savefig(stream, format=chosen, dpi=dpi)
    elif target is not None:
        ax.figure.savefig(target, format=chosen, dpi=dpi)
    return ax


def _draw_bars(
    ax: Any, rows: dict[tuple[str, PeriodKind], list[Bar]], patches: Any, mdates: Any
) -> None:
    for index, bars in enumerate(rows.values()):
        for number, bar in enumerate(bars):
            kind = bar.row[1]
            fraction = (
                _ROW_HEIGHT
                if bar.fte is None
                else _ROW_HEIGHT * float(max(min(bar.fte, Fraction(1)), _MIN_HEIGHT))
            )
            left = mdates.date2num(bar.start)
            width = mdates.date2num(bar.stop) - left
            rectangle = patches.Rectangle(
                (left, index + _ROW_HEIGHT / 2 - fraction),
                width,
                fraction,
                facecolor=KIND_COLOURS[kind],
                edgecolor="black" if bar.provisional else KIND_COLOURS[kind],
                linestyle="--" if bar.provisional else "-",
                linewidth=0.8,
                hatch="///" if bar.provisional else None,
                alpha=0.9 if bar.fte is not None else 0.65,
            )
            suffix = "-provisional" if bar.provisional else ""
            rectangle.set_gid(f"bar-{index}-{number}{suffix}")
            ax.add_patch(rectangle)
            if bar.fte is not None and bar.fte != 1 and width > 60:
                ax.text(
                    left + width / 2,
                    index + _ROW_HEIGHT / 2 - fraction / 2,
                    f"{bar.fte.numerator}/{bar.fte.denominator}" if bar.fte else "0",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white",
                    clip_on=True,
                )


def _draw_gaps(ax: Any, timeline: Timeline, provisional_quarters: int, mdates: Any) -> None:
    gaps = timeline.gaps(provisional_quarters=provisional_quarters) if timeline.segments else ()
    for number, gap in enumerate(gaps):
        stop = gap.period.stop
        assert stop is not None
        span = ax.axvspan(
            mdates.date2num(gap.period.start),
            mdates.date2num(stop),
            facecolor="#F4CCCC",
            edgecolor="#CC0000",
            hatch="..." if gap.provisional else None,
            alpha=0.5,
            linewidth=0.5,
            zorder=0,
        )
        span.set_gid(f"gap-{number}{'-provisional' if gap.provisional else ''}")


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: max(limit - 1, 1)] + "…"


def _label_rows_inside(ax: Any, rows: list[tuple[str, PeriodKind]]) -> None:
    """Row labels written inside the Axes, at its left edge above each row.

    A caller's Axes may sit in a grid with no room on its left for tick labels;
    written inside and shortened to a share of the Axes' width, they always fit.
    """
    from matplotlib.transforms import blended_transform_factory

    ax.set_yticklabels([])
    ax.tick_params(axis="y", length=0)
    width_points = ax.get_window_extent().width * 72 / ax.figure.dpi
    limit = max(8, int(width_points * 0.55 / 3.6))  # 6-point text: about 3.6 points a letter
    where = blended_transform_factory(ax.transAxes, ax.transData)
    for index, (employer, kind) in enumerate(rows):
        label = f"{_short(employer, max(limit - len(kind.label) - 3, 12))} · {kind.label}"
        ax.text(
            0.005,
            index - 0.5,
            _short(label, limit),
            transform=where,
            ha="left",
            va="top",
            fontsize=6,
            clip_on=True,
            bbox={"facecolor": "white", "alpha": 0.7, "pad": 0.5, "linewidth": 0},
        )


def _axes_and_labels(
    ax: Any,
    timeline: Timeline,
    rows: dict[tuple[str, PeriodKind], list[Bar]],
    title: str | None,
    mdates: Any,
    *,
    inside: bool,
) -> None:
    span_period = timeline.span
    first = span_period.start if span_period is not None else timeline.as_of
    last = max(timeline.as_of, span_period.end or timeline.as_of) if span_period else first
    margin = timedelta(days=max(15, (last - first).days // 40))
    ax.set_xlim(mdates.date2num(first - margin), mdates.date2num(last + margin))
    ax.axvline(mdates.date2num(timeline.as_of), color="black", linestyle=":", linewidth=1)
    ax.set_ylim(len(rows) - 0.5 + 0.1, -0.5 - 0.1)
    ax.set_yticks(range(len(rows)))
    labels = [f"{employer} · {kind.label}" for employer, kind in rows]
    size = 7 if inside else 9
    if inside:
        _label_rows_inside(ax, list(rows))
    else:
        ax.set_yticklabels(labels, fontsize=size)
        ax.set_xlabel("bar height = FTE (Q/S) at that employer", fontsize=size)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.tick_params(axis="x", labelsize=size)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)
    ax.set_axisbelow(True)
    who = f"NISS {timeline.niss.formatted}" if timeline.niss is not None else "timeline"
    ax.set_title(title or f"{who} — as of {timeline.as_of.isoformat()}", fontsize=size + 1)


def _legend(
    ax: Any,
    rows: dict[tuple[str, PeriodKind], list[Bar]],
    patches: Any,
    mlines: Any,
    *,
    inside: bool,
) -> None:
    kinds = list(dict.fromkeys(kind for _, kind in rows))
    handles = [patches.Patch(facecolor=KIND_COLOURS[k], label=k.label) for k in kinds]
    handles.append(patches.Patch(facecolor="#F4CCCC", edgecolor="#CC0000", label="gap"))
    if any(bar.provisional for bars in rows.values() for bar in bars):
        handles.append(
            patches.Patch(facecolor="white", edgecolor="black", hatch="///", label="provisional")
        )
    handles.append(mlines.Line2D([], [], color="black", linestyle=":", label="as of"))
    if inside:  # within the caller's Axes: their figure has no room reserved outside it
        ax.legend(
            handles=handles,
            loc="lower right",
            fontsize=5,
            framealpha=0.8,
            title="height = FTE",
            title_fontsize=5,
        )
    else:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
