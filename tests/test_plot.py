"""The timeline picture: its content is checked, not just that a file exists.

The career below has two employers (one part-time at 1/5, later 1/2), a
two-month gap (January-February 2023), a sickness spell and a provisional
quarter (Q4 2024, as DmfA for the last quarter is not final: docs/concepts.md).
Expectations come from the career as written here, not from the code.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer import (
    CareerPeriod,
    Employer,
    EnterpriseNumber,
    Niss,
    NssoNumber,
    Period,
    PeriodKind,
    WorkFraction,
)
from mycareer.timeline import Timeline, build_timeline
from mycareer.xmlio._safe import parse_bytes
from tests.timeline.helpers import HORIZON, career_periods, union_days

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.dates import num2date  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from mycareer.plot import plot_rows, plot_timeline  # noqa: E402

NISS = Niss("85073003328")
DEMO = Employer(EnterpriseNumber("0403019261"), name="Demo Consulting")
BAKERY = Employer(nsso=NssoNumber("100006"), name="Bakery B")
AS_OF = date(2024, 12, 31)


def _career() -> list[CareerPeriod]:
    def job(
        employer: Employer,
        start: date,
        end: date | None,
        fte: Fraction,
        *,
        provisional: bool = False,
    ) -> CareerPeriod:
        return CareerPeriod(
            NISS,
            PeriodKind.EMPLOYMENT,
            Period(start, end),
            employer=employer,
            fraction=WorkFraction(fte),
            provisional=provisional,
        )

    return [
        job(DEMO, date(2022, 1, 1), date(2022, 12, 31), Fraction(1)),
        job(DEMO, date(2023, 3, 1), None, Fraction(4, 5)),
        job(BAKERY, date(2023, 9, 1), date(2024, 2, 29), Fraction(1, 5)),
        CareerPeriod(NISS, PeriodKind.SICKNESS, Period(date(2024, 5, 1), date(2024, 6, 15))),
        job(BAKERY, date(2024, 10, 1), date(2024, 12, 31), Fraction(1, 2), provisional=True),
    ]


@pytest.fixture
def timeline() -> Timeline:
    return build_timeline(_career(), as_of=AS_OF)


def _uncovered_days(records: list[CareerPeriod]) -> set[date]:
    """Oracle: days from the first start to AS_OF that no record covers."""
    covered = {day for r in records for day in r.period.iter_days(AS_OF)}
    first = min(r.period.start for r in records)
    return {first + timedelta(n) for n in range((AS_OF - first).days + 1)} - covered


def _day(value: float) -> date:
    day: date = num2date(round(value)).date()  # type: ignore[no-untyped-call]
    return day


def _gid(artist: Any) -> str:
    return str(artist.get_gid() or "")


def test_rows_bars_heights_gaps_and_provisional_marks(timeline: Timeline) -> None:
    ax = plot_timeline(timeline)  # no Axes given: a figure of its own (issue 12 item 13)
    assert isinstance(ax.figure, Figure)
    assert ax.figure.axes == [ax]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == [
        "Demo Consulting (0403.019.261) · employment",
        "Bakery B (NSSO 100006) · employment",
        "Demo Consulting (0403.019.261) · sickness or incapacity",
    ]
    bars: list[Any] = [p for p in ax.patches if _gid(p).startswith("bar-")]
    by_row: dict[int, list[Any]] = {}
    for bar in bars:
        by_row.setdefault(int(_gid(bar).split("-")[1]), []).append(bar)
    # Demo: 2022 full time | gap | 4/5 until sickness | 4/5 after it. Bakery: 1/5, then 1/2.
    assert {row: len(items) for row, items in by_row.items()} == {0: 3, 1: 2, 2: 1}
    demo = sorted(by_row[0], key=lambda p: p.get_x())
    spans = [(_day(p.get_x()), _day(p.get_x() + p.get_width())) for p in demo]
    assert spans == [
        (date(2022, 1, 1), date(2023, 1, 1)),
        (date(2023, 3, 1), date(2024, 5, 1)),
        (date(2024, 6, 16), date(2025, 1, 1)),
    ]
    heights = [p.get_height() for p in demo]
    assert heights[1] == pytest.approx(heights[0] * 4 / 5)
    bakery = sorted(by_row[1], key=lambda p: p.get_x())
    assert bakery[0].get_height() == pytest.approx(heights[0] / 5)
    assert bakery[1].get_height() == pytest.approx(heights[0] / 2)
    provisional = [_gid(p) for p in bars if _gid(p).endswith("-provisional")]
    assert provisional == [bakery[1].get_gid()]
    assert bakery[1].get_hatch() == "///"

    gap_spans: list[Any] = [p for p in ax.patches if _gid(p).startswith("gap-")]
    drawn: set[date] = set()
    for span in gap_spans:
        start, stop = _day(span.get_x()), _day(span.get_x() + span.get_width())
        drawn |= {start + timedelta(n) for n in range((stop - start).days)}
    assert drawn == _uncovered_days(_career())
    assert min(drawn) == date(2023, 1, 1)


def test_png_file_is_a_real_png(timeline: Timeline, tmp_path: Path) -> None:
    target = tmp_path / "career.png"
    plot_timeline(timeline, target)
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(data[16:20], "big")
    assert width >= 800


def test_svg_carries_the_ids_of_bars_and_gaps(timeline: Timeline) -> None:
    buffer = io.BytesIO()
    plot_timeline(timeline, buffer, format="svg")
    # matplotlib writes an SVG 1.1 DOCTYPE; our hardened parser refuses any, so drop it
    svg = re.sub(rb"<!DOCTYPE[^>]*>", b"", buffer.getvalue(), count=1)
    root = parse_bytes(svg, source="career.svg").getroot()
    ids = {str(element.get("id")) for element in root.iter() if element.get("id")}
    bar_ids = {i for i in ids if i.startswith("bar-")}
    assert len(bar_ids) == 6
    assert "gap-0" in ids
    assert "bar-1-1-provisional" in ids


def test_rows_without_matplotlib_objects(timeline: Timeline) -> None:
    rows = plot_rows(timeline)
    assert [len(bars) for bars in rows.values()] == [3, 2, 1]
    sickness = rows[("Demo Consulting (0403.019.261)", PeriodKind.SICKNESS)]
    assert sickness[0].fte is None


def test_unknown_format_is_refused(timeline: Timeline, tmp_path: Path) -> None:
    from mycareer.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match="unsupported picture format 'pdf'"):
        plot_timeline(timeline, tmp_path / "x.pdf", format="pdf")  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(career_periods(), min_size=1, max_size=10))
def test_bars_cover_the_records_and_gap_bands_cover_the_rest(records: list[CareerPeriod]) -> None:
    """Set-of-days oracle: bars cover exactly the recorded days, gap bands the others."""
    timeline = build_timeline(records, as_of=HORIZON)
    resolved = [r.period.resolve(HORIZON) for r in records]
    recorded = union_days([p for p in resolved if p is not None], HORIZON)
    rows = plot_rows(timeline)
    barred: set[date] = set()
    for bars in rows.values():
        for bar in bars:
            barred |= set(Period.from_stop(bar.start, bar.stop).iter_days())
    assert barred == recorded

    figure = Figure()
    ax = figure.add_subplot()
    plot_timeline(timeline, ax)
    drawn_gaps: set[date] = set()
    spans: list[Any] = [p for p in ax.patches if _gid(p).startswith("gap-")]
    for span in spans:
        start, stop = _day(span.get_x()), _day(span.get_x() + span.get_width())
        drawn_gaps |= set(Period.from_stop(start, stop).iter_days())
    first = min(recorded)
    window = {first + timedelta(n) for n in range((HORIZON - first).days + 1)}
    assert drawn_gaps == window - recorded
    assert len([p for p in ax.patches if _gid(p).startswith("bar-")]) == sum(
        len(bars) for bars in rows.values()
    )


def test_fits_inside_a_users_axes(timeline: Timeline) -> None:
    """Drawn into one subplot of a user's grid, labels and legend stay within that Axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = Figure(figsize=(6, 4))
    grid = figure.subplots(2, 2)
    ax = grid[1][0]
    assert plot_timeline(timeline, ax=ax) is ax
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    box = ax.get_window_extent(renderer)
    legend = ax.get_legend()
    assert legend is not None
    inner = [legend.get_window_extent(renderer), *(t.get_window_extent(renderer) for t in ax.texts)]
    for extent in inner:
        assert box.x0 - 1 <= extent.x0
        assert extent.x1 <= box.x1 + 1
        assert box.y0 - 1 <= extent.y0
        assert extent.y1 <= box.y1 + 1
    rows = [t.get_text() for t in ax.texts if "·" in t.get_text() or t.get_text().endswith("…")]
    assert len(rows) == 3
    assert all(r.startswith(("Demo Cons", "Bakery B")) for r in rows)
    assert all(t.get_text() == "" for t in ax.get_yticklabels())  # nothing left of the Axes
    assert ax.get_xlabel() == ""


def test_drawing_workers_with_the_collector_paused_keeps_no_figure(
    timeline: Timeline, tmp_path: Path
) -> None:
    """The command's processes pause the cyclic collector; a figure is all cycles. Each
    worker's picture (timeline_render.draw_worker) leaves no figure behind, and the picture
    is the one plot_timeline draws (same title rule as the command)."""
    import gc

    from mycareer.niss import Niss
    from mycareer.timeline_render import draw_worker

    def figures() -> int:
        return sum(isinstance(item, Figure) for item in gc.get_objects())

    niss = Niss("85073003328")
    gc.collect()
    before = figures()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for number in range(4):
            path = draw_worker(str(tmp_path), "svg", niss, "Ann", timeline)
            assert figures() == before, f"figure {number} still alive"
    finally:
        if enabled:
            gc.enable()
    assert Path(path).name == "85073003328.svg"
    assert "85.07.30-033.28 — Ann" in Path(path).read_text(encoding="utf-8")
