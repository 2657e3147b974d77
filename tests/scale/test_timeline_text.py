"""``mycareer timeline`` in CSV, XML and table, rendered worker by worker where each
timeline is built and concatenated by the writer: the bytes of one writer over every
worker's objects.

The oracle is the writers the command had before (kept here as they were): one
``csv.writer`` over every worker, one ``open_writer`` document built whole, and the
table printed line by line, all from the timelines of one read of everything.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from argparse import Namespace
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from mycareer._spool import SpooledItems
from mycareer.career import CareerRecords
from mycareer.cli import main
from mycareer.cli._timeline import _write
from mycareer.errors import SourceRef
from mycareer.findings import Finding, Severity
from mycareer.outputs import csv_cell
from mycareer.quarter import Quarter
from mycareer.timeline_jobs import (
    TimelineRun,
    TimelineSpec,
    WorkerTimeline,
    execute,
    local_shuffle,
    one_process,
    plan_timelines,
)
from mycareer.timeline_render import CSV_COLUMNS, worker_text
from mycareer.xmlio._safe import parse_document
from mycareer.xmlio.career_inputs import read_career_inputs
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    career_records_element,
    findings_element,
    read_career_records,
    timeline_sections,
)
from mycareer.xmlio.formats import open_writer
from tests.cli._run import run_cli

from ._bench import bench_module
from ._shuffle import always_shuffle

FORMATS = ("csv", "xml", "table")


@pytest.fixture(scope="module")
def payroll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four employers, workers moving between them; a duplicate original and a file cut
    short (an error: what could be read is still written)."""
    made = tmp_path_factory.mktemp("made")
    quarters = tuple(Quarter.range(Quarter(2023, 3), Quarter(2024, 4)))
    files = bench_module("payroll").generate(made, 60, quarters, employers=4)
    folder = tmp_path_factory.mktemp("payroll")
    for path in files:
        shutil.copy(path, folder / path.name)
    first = sorted(folder.iterdir())[0]
    shutil.copy(first, folder / f"{first.stem}-again.xml")
    cut = sorted(folder.iterdir())[5]
    text = cut.read_bytes()
    cut.write_bytes(text[: len(text) * 2 // 3])
    return folder


@pytest.fixture(scope="module")
def objects(payroll: Path) -> TimelineRun:
    return one_process(read_career_inputs([payroll]), TimelineSpec())


# --- the writers before: one pass over every worker's objects -------------------------


def whole_csv(workers: Sequence[WorkerTimeline], *, neutralise: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for w in workers:
        assert w.timeline is not None
        cell = csv_cell(w.name) if neutralise and w.name else w.name or ""
        for s in w.timeline.segments:
            end = s.period.end.isoformat() if s.period.end else ""
            employers = " ".join(e.key for e in s.employers)
            writer.writerow(
                [w.niss.value, cell, "segment", s.period.start.isoformat(), end, s.days, "",
                 s.kind.value, employers, str(s.fte), str(s.provisional).lower()]
            )  # fmt: skip
        for g in w.gaps:
            end = g.period.end.isoformat() if g.period.end else ""
            writer.writerow(
                [w.niss.value, cell, "gap", g.period.start.isoformat(), end, g.days,
                 g.working_days, "", "", "", str(g.provisional).lower()]
            )  # fmt: skip
    return out.getvalue()


def whole_xml(workers: Sequence[WorkerTimeline], min_days: int) -> bytes:
    sink = io.BytesIO()
    with open_writer(sink, CAREER_RECORDS) as writer:
        for w in workers:
            assert w.timeline is not None
            records = CareerRecords(w.niss, list(w.records), w.name)
            element = career_records_element(records)
            timeline_sections(
                element, records, w.timeline, w.gaps, window=w.window, min_days=min_days
            )
            if w.timeline.findings:
                element.append(findings_element(w.timeline.findings))
            writer.write(element)
    return sink.getvalue()


def whole_table(run: TimelineRun) -> str:
    out = io.StringIO()
    dated = "" if run.as_of is None else f" — as of {run.as_of.isoformat()}"
    print(f"mycareer timeline{dated}", file=out)
    if not run.workers:
        print("no worker in the input", file=out)
    for w in run.workers:
        assert w.timeline is not None
        title = f"{w.niss.formatted}" + (f" — {w.name}" if w.name else "")
        print(f"\n{title} (as of {w.timeline.as_of.isoformat()})", file=out)
        if not w.timeline.segments:
            print("  (no periods)", file=out)
        for s in w.timeline.segments:
            end = s.period.end.isoformat() if s.period.end else ""
            employers = ", ".join(e.key for e in s.employers) or "-"
            flags = []
            if s.provisional:
                flags.append("provisional")
            if not s.fte_complete:
                flags.append("FTE incomplete")
            if s.suspended:
                flags.append("suspended at " + ", ".join(e.key for e in s.suspended))
            shown = f"  [{'; '.join(flags)}]" if flags else ""
            print(
                f"  {s.period.start.isoformat()}..{end}  {s.days:6d} d  {s.kind.value:15}"
                f"  FTE {s.fte!s:6}  {employers}  ({len(s.sources)} record(s)){shown}",
                file=out,
            )
        if w.gaps:
            print("  gaps:", file=out)
            for g in w.gaps:
                end = g.period.end.isoformat() if g.period.end else ""
                flag = "  [provisional]" if g.provisional else ""
                print(
                    f"  {g.period.start.isoformat()}..{end}  {g.days:6d} d  "
                    f"{g.working_days} working days{flag}",
                    file=out,
                )
        for finding in w.timeline.findings:
            print(f"  ! {finding}", file=out)
    return out.getvalue()


def whole(fmt: str, run: TimelineRun, *, min_days: int = 1, neutralise: bool = True) -> str:
    if fmt == "csv":
        return whole_csv(run.workers, neutralise=neutralise)
    if fmt == "xml":
        return whole_xml(run.workers, min_days).decode("utf-8")
    return whole_table(run)


def written(fmt: str, run: TimelineRun, *, min_gap: int = 1, raw_csv: bool = False) -> str:
    out = io.StringIO()
    args = Namespace(format=fmt, indent=None, min_gap=min_gap, raw_csv=raw_csv)
    findings = _write(args, run, out)
    assert findings == [f for w in run.workers for f in w.findings]
    return out.getvalue()


# --- tests -----------------------------------------------------------------------------


def test_the_data_is_worth_testing(objects: TimelineRun) -> None:
    assert len(objects.workers) >= 60
    assert objects.errors  # the file cut short
    assert any(w.gaps for w in objects.workers)
    assert any(
        w.timeline is not None and len({e for s in w.timeline.segments for e in s.employers}) > 1
        for w in objects.workers
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("jobs", "processes"), [(1, 1), (3, 1), (2, 2)])
def test_rendered_in_the_reduce_is_the_whole_writer(
    payroll: Path, objects: TimelineRun, fmt: Any, jobs: int, processes: int
) -> None:
    """Each bucket's workers rendered where built, spooled, concatenated in order: the
    bytes the writer of every worker's objects wrote, and the same findings."""
    plan = plan_timelines([payroll])
    assert plan is not None
    with local_shuffle(processes) as shuffle:
        run = execute(plan, TimelineSpec(render=fmt), jobs, shuffle)
    assert run is not None
    assert isinstance(run.workers, SpooledItems)
    assert all(w.text is not None and w.timeline is None for w in run.workers)
    expected = whole(fmt, objects)
    assert written(fmt, run) == expected
    assert [w.findings for w in run.workers] == [w.findings for w in objects.workers]


def test_the_streamed_xml_validates_and_reads_back(payroll: Path, objects: TimelineRun) -> None:
    plan = plan_timelines([payroll])
    assert plan is not None
    with local_shuffle(2) as shuffle:
        run = execute(plan, TimelineSpec(render="xml"), 2, shuffle)
    assert run is not None
    data = written("xml", run).encode("utf-8")
    CAREER_RECORDS.schema().assertValid(parse_document(data))
    back = read_career_records(data).records
    assert [r.niss for r in back] == [w.niss for w in objects.workers]


def odd_names(run: TimelineRun) -> TimelineRun:
    """Names a spreadsheet could run, markup, characters outside ASCII, no name; every
    third timeline with findings (one with markup and a source)."""
    names = ["=HYPERLINK(1)", "<b>&amp;</b>", "Zoë Ŝmith", None, "+32 tab\there", "-1"]
    said = (
        Finding("TL-X", Severity.WARNING, 'overlap <a> & "b" — é', SourceRef("f.xml", 3)),
        Finding("TL-Y", Severity.INFO, "plain"),
    )
    workers = []
    for n, w in enumerate(run.workers):
        assert w.timeline is not None
        timeline = attrs.evolve(w.timeline, findings=said) if n % 3 == 0 else w.timeline
        workers.append(attrs.evolve(w, name=names[n % len(names)], timeline=timeline))
    return attrs.evolve(run, workers=tuple(workers))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("raw_csv", [False, True])
def test_awkward_names_and_options_are_rendered_alike(
    objects: TimelineRun, fmt: Any, raw_csv: bool
) -> None:
    run = odd_names(objects)
    texts = []
    for w in run.workers:
        assert w.timeline is not None
        text = worker_text(
            fmt, w.niss, w.name, w.timeline, w.gaps, w.window, w.records,
            min_days=5, neutralise=not raw_csv,
        )  # fmt: skip
        texts.append(attrs.evolve(w, timeline=None, gaps=(), records=(), text=text))
    rendered = attrs.evolve(run, workers=tuple(texts))
    expected = whole(fmt, run, min_days=5, neutralise=not raw_csv)
    assert written(fmt, rendered, min_gap=5, raw_csv=raw_csv) == expected
    if fmt == "csv":
        assert ("'=HYPERLINK(1)" in expected) is not raw_csv
    if fmt == "xml":
        CAREER_RECORDS.schema().assertValid(parse_document(expected.encode("utf-8")))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_run_without_workers(fmt: Any) -> None:
    """No record and no date: no timeline; the header, empty document, or title saying so."""
    empty = TimelineRun(None, (), (), (), 0)
    assert written(fmt, empty) == whole(fmt, empty)
    dated = TimelineRun(date(2025, 12, 31), (), (), (), 0)
    assert written(fmt, dated) == whole(fmt, dated)


def test_a_worker_process_renders_with_the_run_options(payroll: Path) -> None:
    """The spec carries ``min_gap`` and ``raw_csv`` to the reduce processes."""
    plan = plan_timelines([payroll])
    assert plan is not None
    spec = TimelineSpec(as_of=date(2025, 3, 31), min_gap=20, render="xml")
    with local_shuffle(2) as shuffle:
        run = execute(plan, spec, 2, shuffle)
    assert run is not None
    objects = one_process(read_career_inputs([payroll]), attrs.evolve(spec, render="objects"))
    assert written("xml", run, min_gap=20) == whole("xml", objects, min_days=20)


@pytest.mark.parametrize("fmt", [*FORMATS, "json --indent 2"])
def test_the_command_writes_the_bytes_of_one_read_through_the_shuffle(
    payroll: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """The 8 MB threshold lowered so that ``--jobs`` 1, 2 and 3 all shuffle and render in
    the reduce; one read (the test files are under 8 MB) is the reference, and XML goes
    to standard output in bytes."""
    options = ["--format", *fmt.split(), "--as-of", "2025-03-31", "--min-gap", "3"]
    one_read = run_cli("timeline", payroll, *options)
    assert one_read.returncode == 1, one_read.stderr  # the file cut short
    taken = always_shuffle(monkeypatch)
    for jobs in ("1", "2", "3"):
        capsys.readouterr()
        assert main(["timeline", str(payroll), *options, "--jobs", jobs]) == 1
        sys.stdout.flush()
        result = capsys.readouterr()
        assert result.out == one_read.stdout, jobs
        assert result.err == one_read.stderr
    assert len(taken) == 3
