"""Timelines as ``mycareer timeline`` writes them, one worker at a time.

Each worker's part of the CSV (its rows), the table (its block) and the XML (its
``<worker>`` record, with the ``<timeline>``, ``<gaps>`` and ``<findings>``
sections) is made by :func:`worker_text` where the timeline is built: in a worker
process of :mod:`mycareer.timeline_jobs` (``TimelineSpec(render="csv")`` and so
on), or in the calling process from the objects. What is around the workers comes
from the writer of the whole document: :func:`csv_head`, :func:`table_head`, and
:func:`xml_document` (the prologue and root of an empty document, split where the
records go). The document is these parts concatenated in the workers' order: the
same bytes as one writer over every worker (tests/scale/test_timeline_text.py), so
the writing process holds one worker's text at a time, not the output.

>>> from datetime import date
>>> from mycareer.niss import Niss
>>> from mycareer.timeline import build_timeline
>>> empty = build_timeline([], as_of=date(2025, 12, 31))
>>> print(worker_text("table", Niss("85073003328"), "Ann", empty, (), None, ()), end="")
<BLANKLINE>
85.07.30-033.28 — Ann (as of 2025-12-31)
  (no periods)
"""

from __future__ import annotations

import csv
import gc
import io
import os
from collections.abc import Sequence
from datetime import date
from typing import Final, Literal

from lxml import etree

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.niss import Niss
from mycareer.outputs import csv_cell
from mycareer.period import Period
from mycareer.plot import PlotFormat
from mycareer.timeline import Gap, Timeline, TimelineSegment

__all__ = [
    "CSV_COLUMNS",
    "TABLE_NO_WORKER",
    "TEXT_FORMATS",
    "TextFormat",
    "csv_head",
    "draw_worker",
    "picture_title",
    "table_head",
    "worker_text",
    "xml_document",
]

#: The formats whose workers are rendered one by one as text.
TextFormat = Literal["csv", "xml", "table"]
TEXT_FORMATS: Final = ("csv", "xml", "table")

CSV_COLUMNS: Final = (
    "niss", "name", "row", "start", "end", "days", "working_days",
    "kind", "employers", "fte", "provisional",
)  # fmt: skip


def csv_head() -> str:
    """The CSV header line."""
    return _csv_text([CSV_COLUMNS])


def table_head(as_of: date | None) -> str:
    """The table's title line (``as_of`` is None when the input gave no day: no worker)."""
    return "mycareer timeline\n" if as_of is None else f"mycareer timeline — as of {as_of}\n"


#: What the table says below its title when the run has no worker (the other formats
#: show an empty list or a header line; a table with nothing looked like a lost output).
TABLE_NO_WORKER: Final = "no worker in the input\n"


def xml_document() -> tuple[bytes, bytes]:
    """The bytes of a ``career-records`` document before its first record and after its
    last, as :func:`mycareer.xmlio.formats.open_writer` writes them."""
    from mycareer.xmlio.career_records import CAREER_RECORDS
    from mycareer.xmlio.formats import open_writer

    sink = io.BytesIO()
    with open_writer(sink, CAREER_RECORDS):
        pass
    empty = sink.getvalue()
    end = f"</{CAREER_RECORDS.root}>".encode()
    cut = empty.rindex(end)
    return empty[:cut], empty[cut:]


def picture_title(niss: Niss, name: str | None) -> str:
    """The title ``mycareer timeline --plot`` gives a worker's picture."""
    return f"{niss.formatted} — {name}" if name else niss.formatted


def draw_worker(
    folder: str, fmt: PlotFormat, niss: Niss, name: str | None, timeline: Timeline
) -> str:
    """Draw a worker's timeline as ``--plot`` does, to ``folder/NISS.png`` (or ``.svg``),
    written atomically (:func:`mycareer.plot.plot_timeline`); the path.

    A matplotlib figure is a web of reference cycles: where the cyclic collector is
    paused (the command's processes, :func:`mycareer.bulk`) each picture would stay in
    memory (1.55 GB for 800 workers, measured). So the youngest generation, where the
    figure just made is, is collected after each picture (a few ms; nothing else of the
    collector is changed)."""
    from mycareer.plot import plot_timeline

    path = os.path.join(folder, f"{niss.value}.{fmt}")
    plot_timeline(timeline, path, format=fmt, title=picture_title(niss, name))
    gc.collect(0)
    return path


def worker_text(
    fmt: TextFormat,
    niss: Niss,
    name: str | None,
    timeline: Timeline,
    gaps: Sequence[Gap],
    window: Period | None,
    records: Sequence[CareerPeriod],
    *,
    min_days: int = 1,
    neutralise: bool = True,
) -> str:
    """One worker's part of the document in ``fmt``.

    ``records`` (the worker's career periods, in reading order, the very objects the
    timeline's sources are) and ``min_days`` (the shortest gap) are used by XML;
    ``neutralise`` by CSV (an apostrophe before a name a spreadsheet could run).
    """
    if fmt == "csv":
        return _csv_rows(niss, name, timeline, gaps, neutralise=neutralise)
    if fmt == "xml":
        return _xml_record(niss, name, timeline, gaps, window, records, min_days=min_days)
    return _table_block(niss, name, timeline, gaps)


def _csv_text(rows: Sequence[Sequence[object]]) -> str:
    sink = io.StringIO()
    csv.writer(sink, lineterminator="\n").writerows(rows)
    return sink.getvalue()


def _csv_rows(
    niss: Niss, name: str | None, timeline: Timeline, gaps: Sequence[Gap], *, neutralise: bool
) -> str:
    # No name is an empty cell (csv_cell would write "'" for "": an output-only column).
    cell = csv_cell(name) if neutralise and name else name or ""  # mycareer.outputs
    rows: list[list[object]] = []
    for s in timeline.segments:
        end = s.period.end.isoformat() if s.period.end else ""
        employers = " ".join(e.key for e in s.employers)
        rows.append(
            [niss.value, cell, "segment", s.period.start.isoformat(), end, s.days, "",
             s.kind.value, employers, str(s.fte), str(s.provisional).lower()]
        )  # fmt: skip
    for g in gaps:
        end = g.period.end.isoformat() if g.period.end else ""
        rows.append(
            [niss.value, cell, "gap", g.period.start.isoformat(), end, g.days,
             g.working_days, "", "", "", str(g.provisional).lower()]
        )  # fmt: skip
    return _csv_text(rows)


def _segment_flags(s: TimelineSegment) -> str:
    """What a table line adds after a segment: provisional, FTE incomplete, suspended."""
    flags = []
    if s.provisional:
        flags.append("provisional")
    if not s.fte_complete:
        flags.append("FTE incomplete")
    if s.suspended:
        flags.append("suspended at " + ", ".join(e.key for e in s.suspended))
    return f"  [{'; '.join(flags)}]" if flags else ""


def _segment_line(s: TimelineSegment) -> str:
    end = s.period.end.isoformat() if s.period.end else ""
    employers = ", ".join(e.key for e in s.employers) or "-"
    return (
        f"  {s.period.start.isoformat()}..{end}  {s.days:6d} d  {s.kind.value:15}"
        f"  FTE {s.fte!s:6}  {employers}  ({len(s.sources)} record(s)){_segment_flags(s)}"
    )


def _gap_line(g: Gap) -> str:
    end = g.period.end.isoformat() if g.period.end else ""
    flag = "  [provisional]" if g.provisional else ""
    return (
        f"  {g.period.start.isoformat()}..{end}  {g.days:6d} d  {g.working_days} working days{flag}"
    )


def _table_block(niss: Niss, name: str | None, timeline: Timeline, gaps: Sequence[Gap]) -> str:
    """The worker's lines: every column has a fixed width, so no line depends on another
    worker's and the table is written worker by worker."""
    title = f"{niss.formatted}" + (f" — {name}" if name else "")
    lines = ["", f"{title} (as of {timeline.as_of.isoformat()})"]
    if not timeline.segments:
        lines.append("  (no periods)")
    lines.extend(_segment_line(s) for s in timeline.segments)
    if gaps:
        lines.append("  gaps:")
        lines.extend(_gap_line(g) for g in gaps)
    lines.extend(f"  ! {finding}" for finding in timeline.findings)
    return "\n".join(lines) + "\n"


def _xml_record(
    niss: Niss,
    name: str | None,
    timeline: Timeline,
    gaps: Sequence[Gap],
    window: Period | None,
    records: Sequence[CareerPeriod],
    *,
    min_days: int,
) -> str:
    """The ``<worker>`` record and the newline after it, as the document writer writes them
    (:meth:`~mycareer.xmlio.formats.DocumentWriter.write`)."""
    from mycareer.xmlio.career_records import (
        career_records_element,
        findings_element,
        timeline_sections,
    )

    worker_records = CareerRecords(niss, list(records), name)
    # the timeline's sources are the very objects of worker_records.periods
    worker = career_records_element(worker_records)
    timeline_sections(
        worker, worker_records, timeline, tuple(gaps), window=window, min_days=min_days
    )
    if timeline.findings:
        worker.append(findings_element(timeline.findings))
    # the serialiser the document writer's xf.write uses; no declaration in UTF-8
    return etree.tostring(worker, encoding="UTF-8").decode("utf-8") + "\n"
