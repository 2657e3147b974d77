"""``mycareer timeline PATH...``: each worker's labelled timeline, gaps and findings.

Inputs are recognised by their root element, whatever their name:

* ``DmfAOriginal`` — DmfA originals (occupation lines become employment or
  career-break periods, docs/recipes/contracts.md), corrected by ``DmfAUpdate``
  modifications and superseded by ONSS ``DmfAConsultationAnswer`` documents
  (:func:`mycareer.xmlio.flows.read_corrected_dmfa`);
* ``Dimona`` declarations with ``NOTIFICATION`` files or sidecar outcome files
  (``.json``/``.csv``, also via ``--outcomes``), consolidated per period id;
  daily registrations are skipped with an info finding;
* ``PersonnelFileConsultationAnswer`` — the ONSS's Dimona personnel file, the
  authoritative Dimona source, reconciled with the declarations
  (:func:`mycareer.timeline.reconcile_dimona`: each difference is a finding);
* ``careerRecords`` in ``urn:mycareer:career-records:1`` (our own format).

Folders are read recursively (``.xml``, plus ``.json``/``.csv`` outcome sidecars).

``--as-of`` fixes the reference date (ongoing periods end there, gaps stop
there). Without it, the last day of the latest quarter in the data is used
(the latest start or end date of any record, rounded up to its quarter end) —
never the machine's clock, so the output is reproducible. ``--window`` bounds
the gap search (default: each worker's first covered day to ``as_of``),
``--min-gap`` drops shorter gaps, ``--provisional-quarters`` flags gaps in
the last quarters as provisional (DmfA arrives late, docs/concepts.md).

Output: ``--format table`` (default), ``json``, ``csv`` (one row per segment
or gap) or ``xml`` (career records with the ``<timeline>``, ``<gaps>`` and
``<findings>`` sections); ``--plot FILE`` also draws each timeline
(:func:`mycareer.plot.plot_timeline`), as it is built: a picture that cannot be drawn
stops the run before any output is written. Findings also go to stderr, one per
line.

``--jobs N`` (default: the usable cores) builds the timelines in ``N``
processes when every input is a DmfA original: each process reads whole
employers into career periods, the periods are shuffled by NISS, and each
process builds the timelines of its share of the workers and renders them in
the ``--format`` asked, and draws their pictures with ``--plot``
(:mod:`mycareer.timeline_render`; this process only writes the texts in order and
moves the pictures to their names) (:mod:`mycareer.timeline_jobs`); the output is the
same byte for byte whatever ``N``. Input with DmfA updates, consultation answers,
Dimona, personnel files, career records or sidecars is read in one process, as before.

Exit codes: 0 all input processed, 1 some input could not be read (what
could be read is still output) or, with ``--strict``, a warning finding; 2
usage error (including ``--plot`` without the ``plot`` extra).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, Literal, TextIO

from mycareer.cli._common import (
    PLOT_SUFFIXES,
    add_indent,
    add_jobs,
    add_output,
    default_jobs,
    error_line,
    write_json,
)
from mycareer.cli._progress import dmfa_progress, phases
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding, Severity
from mycareer.frames import MissingExtraError
from mycareer.outputs import OutputRefusedError, named_refusals, refuse_inputs
from mycareer.period import Period
from mycareer.plot import require_matplotlib
from mycareer.timeline import (
    timeline_document,
)
from mycareer.timeline_jobs import (
    Render,
    TimelineRun,
    TimelineSpec,
    one_process,
    plan_timelines,
    run_timeline_plan,
)
from mycareer.timeline_render import TABLE_NO_WORKER, csv_head, table_head, xml_document
from mycareer.xmlio.career_inputs import read_career_inputs

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "timeline",
        help="print each worker's timeline, gaps and findings",
        description="Build each worker's labelled timeline from DmfA, Dimona (with ONSS "
        "notifications or a sidecar of outcomes) and career-records files, and print it "
        "with its gaps and findings. Files are recognised by their root element.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to read")
    parser.add_argument(
        "--outcomes",
        action="append",
        default=[],
        metavar="SIDECAR",
        help="Dimona outcomes sidecar (.json or .csv: reference, period_id, status); repeatable",
    )
    parser.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="reference date (default: last day of the latest quarter in the data)",
    )
    parser.add_argument(
        "--window",
        type=_window,
        metavar="START..END",
        help="gap search window, END optional (default: first covered day..as-of)",
    )
    parser.add_argument(
        "--min-gap", type=_positive, default=1, metavar="DAYS", help="shortest gap reported"
    )
    parser.add_argument(
        "--provisional-quarters",
        type=_non_negative,
        default=0,
        metavar="N",
        help="flag gaps in the quarter of as-of and the N-1 before it as provisional",
    )
    parser.add_argument("--format", choices=("table", "json", "csv", "xml"), default="table")
    parser.add_argument(
        "--raw-csv",
        action="store_true",
        help="CSV: write names as they are, without an apostrophe before a leading "
        "= + - @ tab or CR (which spreadsheets may run as formulas)",
    )
    add_indent(parser)
    add_output(parser)
    parser.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw each worker's timeline to FILE (.png or .svg; with several workers, "
        "FILE-<niss>.png); needs mycareer[plot]",
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail (exit 1) on warning findings too"
    )
    add_jobs(
        parser,
        "DmfA files (originals, and corrections with their employer) are split by "
        "employer, then by worker; any other input (Dimona, career records...) is read "
        "in one process",
    )
    parser.epilog = (
        "examples:\n"
        "  mycareer timeline q1.xml q2.xml --as-of 2025-12-31\n"
        "  mycareer timeline declarations/ --outcomes outcomes.csv --format json\n"
        "  mycareer timeline dmfa/ --plot career.png"
    )
    parser.set_defaults(handler=run)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: expected YYYY-MM-DD") from None


def _window(text: str) -> Period:
    try:
        return Period.parse(text)
    except InvalidValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days ≥ 1, got {text!r}")
    return int(text)


def _non_negative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, got {text!r}")
    return int(text)


# --- reading ---------------------------------------------------------------------


# --- output -----------------------------------------------------------------------


def _write_texts(args: argparse.Namespace, run: TimelineRun, out: TextIO) -> list[Finding]:
    """JSON serialised where computed, streamed out in one pass over the workers (a local
    run's are read back from its temporary files); returns their findings, in order."""
    findings: list[Finding] = []

    def texts() -> Iterator[str]:
        for worker in run.workers:
            findings.extend(worker.findings)
            assert worker.json is not None  # every worker of a run has the same render
            yield worker.json

    document = timeline_document([], as_of=run.as_of, findings=run.findings, errors=run.errors)
    write_json(out, document, args.indent, {"workers": texts()})
    return findings


def _worker_texts(
    args: argparse.Namespace, run: TimelineRun, findings: list[Finding]
) -> Iterator[str]:
    """Each worker's part of the ``args.format`` document, rendered where it was computed
    (:func:`~mycareer.timeline_render.worker_text`), in one pass over the workers; their
    findings go to ``findings``."""
    for worker in run.workers:
        findings.extend(worker.findings)
        assert worker.text is not None  # every worker of a run has the same render
        yield worker.text


def _chunks(texts: Iterable[str]) -> Iterator[str]:
    """The texts joined a few hundred at a time (one write per worker cost more)."""
    iterator = iter(texts)
    while chunk := "".join(islice(iterator, _TEXTS_PER_WRITE)):
        yield chunk


_TEXTS_PER_WRITE = 256


def _write(args: argparse.Namespace, run: TimelineRun, out: TextIO) -> list[Finding]:
    """Write the run in ``args.format``, streamed worker by worker (what is around the
    workers written here); returns every worker's findings, in order."""
    if args.format == "json":
        return _write_texts(args, run, out)
    findings: list[Finding] = []
    texts = _chunks(_worker_texts(args, run, findings))
    if args.format == "xml":
        _write_xml(texts, out)
        return findings
    out.write(csv_head() if args.format == "csv" else table_head(run.as_of))
    written = False
    for chunk in texts:
        out.write(chunk)
        written = True
    if args.format == "table" and not written:
        out.write(TABLE_NO_WORKER)
    return findings


def _write_xml(texts: Iterable[str], out: TextIO) -> None:
    """The ``career-records`` document around the workers' records, in bytes to standard
    output (as the document writer writes it), else as text."""
    prologue, epilogue = xml_document()
    if out is not sys.stdout:
        out.write(prologue.decode("utf-8"))
        for chunk in texts:
            out.write(chunk)
        out.write(epilogue.decode("utf-8"))
        return
    out.flush()
    binary = sys.stdout.buffer
    binary.write(prologue)
    for chunk in texts:
        binary.write(chunk.encode("utf-8"))
    binary.write(epilogue)
    binary.flush()


def _plot_refused(args: argparse.Namespace, err: TextIO) -> int | None:
    """Exit code 2 when ``--plot`` names no picture or one of the inputs, else None."""
    if not args.plot:
        return None
    if Path(args.plot).suffix.lower() not in PLOT_SUFFIXES:
        print(
            error_line("timeline", f"--plot {args.plot!r}: the file must end in .png or .svg"),
            file=err,
        )
        return 2
    try:  # a picture never replaces an input of the run (mycareer.outputs)
        refuse_inputs([args.plot], [*args.paths, *args.outcomes])
        require_matplotlib()  # before any work: the pictures are drawn as the run goes
    except (OutputRefusedError, MissingExtraError) as refused:
        print(error_line("timeline", f"--plot: {refused}"), file=err)
        return 2
    from mycareer.cli import _worker_picture  # the names of several workers' pictures

    for given in (*args.paths, *args.outcomes):  # read whatever their names
        if any(_worker_picture(Path(args.plot), p) for p in (Path(given), Path(given).resolve())):
            message = f"--plot {args.plot!r}: a worker's picture would replace the input {given}"
            print(error_line("timeline", message), file=err)
            return 2
    return None


def _report(run: TimelineRun, findings: Iterable[Finding], err: TextIO) -> None:
    """Findings (reading's, then each timeline's: ``findings``) and errors on stderr."""
    for finding in (*run.findings, *findings):
        print(f"mycareer timeline: {finding}", file=err)
    for error in run.errors:
        print(error_line("timeline", str(error)), file=err)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    refused = _plot_refused(args, err)
    if refused is not None:
        return refused
    if not args.plot:
        return _run(args, None, out, err)
    try:  # each picture is drawn where its timeline is built, into a folder by the target
        pictures = tempfile.mkdtemp(prefix=".mycareer-plot-", dir=Path(args.plot).parent)
    except OSError as error:
        print(error_line("timeline", f"--plot {args.plot!r}: {error.strerror}"), file=err)
        return 2
    try:
        return _run(args, pictures, out, err)
    finally:
        shutil.rmtree(pictures, ignore_errors=True)


def _run(args: argparse.Namespace, pictures: str | None, out: TextIO, err: TextIO) -> int:
    progress = phases(args)
    # rendered (and drawn) where each timeline is built
    render: Render = args.format
    spec = TimelineSpec(
        args.as_of, args.window, args.min_gap, args.provisional_quarters, render, args.raw_csv,
        pictures, "png" if pictures is None else _picture_format(Path(args.plot)),
        args.indent if render == "json" else None,  # indented where computed
    )  # fmt: skip
    jobs = args.jobs or default_jobs()
    plan = plan_timelines(args.paths, args.outcomes, jobs=jobs)  # None: not DmfA only
    computed: TimelineRun | None = None
    if plan is not None:  # read employer by employer, then built worker by worker
        computed = run_timeline_plan(plan, spec, jobs, dmfa_progress, progress.phase)
    if computed is None:
        with progress.phase("reading"):
            inputs = read_career_inputs(args.paths, args.outcomes, progress=dmfa_progress)
        with progress.phase("computing"):
            computed = one_process(inputs, spec)
    progress.count("files read", computed.files)
    progress.count("workers", len(computed.workers))
    with progress.phase("writing"):
        worker_findings = _write(args, computed, out)
    _report(computed, worker_findings, err)
    if pictures is not None:
        _place_pictures(computed, Path(pictures), Path(args.plot), err)
    findings = [*computed.findings, *worker_findings]
    failing = args.strict and any(f.severity is not Severity.INFO for f in findings)
    return 1 if computed.errors or failing else 0


def _picture_format(path: Path) -> Literal["png", "svg"]:
    return "svg" if path.suffix.lower() == ".svg" else "png"


def _place_pictures(run: TimelineRun, drawn: Path, target: Path, err: TextIO) -> None:
    """Each worker's picture, drawn in ``drawn`` (``NISS.png``), moved to ``target`` (one
    worker) or ``target``'s name with ``-NISS`` (several), in the workers' order. A move
    within one folder: each picture is whole, and a link at the target is replaced, never
    followed."""
    several = len(run.workers) > 1
    for worker in run.workers:
        niss = worker.niss
        path = target.with_name(f"{target.stem}-{niss.value}{target.suffix}") if several else target
        with named_refusals(path):  # a folder in the way, no permission: as atomic_output
            os.replace(drawn / f"{niss.value}.{_picture_format(target)}", path)
        print(f"mycareer timeline: timeline of {niss.formatted} drawn to {path}", file=err)
