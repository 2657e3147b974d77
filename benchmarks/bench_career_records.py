"""Career-records XML: mycareer against raw lxml and xsdata, side by side.

Same data for everyone: ``--workers`` workers with ``--periods`` periods each
(default 10,000 x 10 = 100,000 periods, each with an employer reference,
fraction, joint committee and a ``<source>`` provenance element).

Parsing contenders (all from the same in-memory document):

* ``lxml iterparse -> dicts``: streaming, one plain dict per period/employer with
  the same fields (all text), elements cleared: the floor for streaming.
* ``lxml tree -> dicts``: the whole tree with the hardened parser, then dicts.
* ``xsdata (hardened tree)``: models generated from ``career-records-1.xsd`` with
  ``xsdata generate`` into a temporary folder at run time (never committed), fed
  a tree pre-parsed by mycareer's hardened parser (xsdata then walks it with
  ``etree.iterwalk``). This is the only safe way to use xsdata (its own lxml
  handler parses with ``recover=True``).
* ``xsdata (default handler)``: ``XmlParser().from_bytes``, for reference only:
  its lxml handler parses with ``recover=True``.
* ``mycareer``: :func:`read_career_records`: typed, validated ``CareerRecords``.

Writing contenders (all from the same ``CareerRecords`` objects, except xsdata
which serialises its own model objects, as parsed above):

* ``lxml tree``: build the whole tree by hand, ``etree.tostring``.
* ``xsdata XmlSerializer``.
* ``mycareer``: :func:`write_career_records` (``xmlfile`` + one element per worker).
* ``xmlfile nested contexts``: nested ``xf.element`` per worker and per period,
  without mycareer's checks (what mycareer does, minus the checks);
* ``xmlfile + xf.write(tree)``: the other design, one small tree per worker
  (:func:`career_records_element`) written with ``xf.write``.

Every output is cross-checked: parsed results agree with the input objects,
and every written document validates and reads back equal.

Run: ``.venv/bin/python benchmarks/bench_career_records.py`` (add ``--quick`` for a
smoke run, ``--rss`` for peak RSS of each parser in a fresh subprocess). Times are
the best of ``--repeat`` interleaved rounds with the cyclic GC off while timing.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from lxml import etree

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio import career_records as cr
from mycareer.xmlio._safe import ITERPARSE_OPTIONS, make_target_parser, parse_document
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    career_records_bytes,
    career_records_element,
    iter_career_records,
    read_career_records,
)
from mycareer.xmlio.formats import open_writer, validate

NS = CAREER_RECORDS.namespace
T_WORKER = CAREER_RECORDS.tag("worker")
T_EMPLOYER = CAREER_RECORDS.tag("employer")
T_PERIOD = CAREER_RECORDS.tag("period")
T_SOURCE = CAREER_RECORDS.tag("source")
T_ROOT = CAREER_RECORDS.root_tag
XSD = Path(__file__).resolve().parents[1] / "src/mycareer/xmlio/schemas/career-records-1.xsd"


# --- data -------------------------------------------------------------------------


def make_niss(rng: random.Random) -> Niss:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 49))
    base = f"{born:%y%m%d}{rng.randrange(1, 998):03d}"
    return Niss(f"{base}{97 - int(base) % 97:02d}")


def make_workers(count: int, per_worker: int, seed: int = 42) -> list[CareerRecords]:
    rng = random.Random(seed)
    employers = []
    for index in range(200):
        base = 3_000_000 + index * 7919
        employers.append(
            Employer(
                EnterpriseNumber(f"{base:08d}{97 - base % 97:02d}"),
                NssoNumber(100006 + index * 101),
                f"Employer {index} SRL",
            )
        )
    fractions = [WorkFraction(Fraction(n, 5)) for n in (5, 4, 3)] + [WorkFraction(Fraction(19, 38))]
    committees = [JointCommission(c) for c in ("200", "124", "302", "330.01", "999")]
    kinds = [PeriodKind.EMPLOYMENT] * 6 + [PeriodKind.SICKNESS, PeriodKind.CAREER_BREAK]
    workers = []
    for _ in range(count):
        niss = make_niss(rng)
        own = rng.sample(employers, 2)
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(1000))
        periods = []
        for k in range(per_worker):
            length = rng.randrange(20, 400)
            end = None if k == per_worker - 1 else day + timedelta(days=length)
            periods.append(
                CareerPeriod(
                    niss,
                    rng.choice(kinds),
                    Period(day, end),
                    own[k % 2],
                    rng.choice(fractions),
                    rng.choice(committees),
                    None,
                    k == per_worker - 1,
                    SourceRef(f"dmfa-{day.year}{(day.month - 1) // 3 + 1}.xml", 20 + k * 17, None),
                )
            )
            if end is not None:
                day = end + timedelta(days=1)
        workers.append(CareerRecords(niss, periods, f"Worker {niss.value[-4:]}"))
    return workers


# --- raw lxml contenders ---------------------------------------------------------


def _period_dict(element: Any) -> dict[str, Any]:
    record: dict[str, Any] = dict(element.attrib)
    if len(element):
        record["source"] = dict(element[0].attrib)
    return record


def lxml_iterparse_dicts(data: bytes) -> list[dict[str, Any]]:
    workers = []
    for _, worker in etree.iterparse(
        io.BytesIO(data), events=("end",), tag=T_WORKER, **ITERPARSE_OPTIONS
    ):
        employers = []
        periods = []
        for child in worker:
            if child.tag == T_PERIOD:
                periods.append(_period_dict(child))
            elif child.tag == T_EMPLOYER:
                employers.append(dict(child.attrib))
        workers.append({**worker.attrib, "employers": employers, "periods": periods})
        worker.clear(keep_tail=True)
        while worker.getprevious() is not None:
            del worker.getparent()[0]
    return workers


class _DictTarget:
    """A raw lxml parser target: plain dicts per worker, no checks (the fastest floor)."""

    def __init__(self) -> None:
        self.workers: list[dict[str, Any]] = []
        self.worker: dict[str, Any] = {}
        self.period: dict[str, Any] = {}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == T_PERIOD:
            self.period = dict(attrib)
            self.worker["periods"].append(self.period)
        elif tag == T_SOURCE:
            self.period["source"] = dict(attrib)
        elif tag == T_EMPLOYER:
            self.worker["employers"].append(dict(attrib))
        elif tag == T_WORKER:
            self.worker = {**attrib, "employers": [], "periods": []}
            self.workers.append(self.worker)

    def close(self) -> list[dict[str, Any]]:
        return self.workers


def lxml_target_dicts(data: bytes) -> list[dict[str, Any]]:
    """lxml calling a parser target (no elements built), fed 64 KiB at a time."""
    parser = make_target_parser(_DictTarget())  # the hardened options, as mycareer uses
    for offset in range(0, len(data), 65536):
        parser.feed(data[offset : offset + 65536])
    return parser.close()  # type: ignore[no-any-return]


def lxml_tree_dicts(data: bytes) -> list[dict[str, Any]]:
    root = parse_document(data).getroot()
    workers = []
    for worker in root:
        employers = []
        periods = []
        for child in worker:
            if child.tag == T_PERIOD:
                periods.append(_period_dict(child))
            elif child.tag == T_EMPLOYER:
                employers.append(dict(child.attrib))
        workers.append({**worker.attrib, "employers": employers, "periods": periods})
    return workers


Attributes = dict[str, str]


def plain_parts(
    records: CareerRecords,
) -> tuple[Attributes, list[Attributes], list[tuple[Attributes, Attributes | None]]]:
    """A worker's attributes, its employers' and its periods', with no checks at all.

    Shared by the raw-lxml writers below, which then differ only in how they
    serialise (the thing they are here to compare).
    """
    worker = {"niss": records.niss.value}
    if records.name is not None:
        worker["name"] = records.name
    refs: dict[Employer, str] = {}
    employers: list[Attributes] = []
    periods: list[tuple[Attributes, Attributes | None]] = []
    for period in records.periods:
        employer = period.employer
        if employer is not None and employer not in refs:
            refs[employer] = employer.key
            e_attrib = {"ref": employer.key}
            if employer.enterprise is not None:
                e_attrib["enterprise"] = employer.enterprise.value
            if employer.nsso is not None:
                e_attrib["nsso"] = employer.nsso.value
            if employer.name is not None:
                e_attrib["name"] = employer.name
            employers.append(e_attrib)
    for period in records.periods:
        p_attrib = {"kind": period.kind.value, "start": period.period.start.isoformat()}
        end = period.period.end
        if end is not None:
            p_attrib["end"] = end.isoformat()
        if period.employer is not None:
            p_attrib["employer"] = refs[period.employer]
        if period.fraction is not None:
            p_attrib["fraction"] = str(period.fraction.value)
        if period.joint_commission is not None:
            p_attrib["jointCommittee"] = period.joint_commission.code
        if period.label is not None:
            p_attrib["label"] = period.label
        if period.provisional:
            p_attrib["provisional"] = "true"
        s_attrib: Attributes | None = None
        if period.source is not None:
            s_attrib = {}
            if period.source.file is not None:
                s_attrib["file"] = period.source.file
            if period.source.line is not None:
                s_attrib["line"] = str(period.source.line)
        periods.append((p_attrib, s_attrib))
    return worker, employers, periods


def lxml_tree_write(workers: list[CareerRecords]) -> bytes:
    root = etree.Element(T_ROOT, nsmap={None: NS})
    sub = etree.SubElement
    for records in workers:
        w_attrib, employers, periods = plain_parts(records)
        worker = sub(root, T_WORKER, w_attrib)
        for e_attrib in employers:
            sub(worker, T_EMPLOYER, e_attrib)
        for p_attrib, s_attrib in periods:
            element = sub(worker, T_PERIOD, p_attrib)
            if s_attrib is not None:
                sub(element, T_SOURCE, s_attrib)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def xmlfile_nested_write(workers: list[CareerRecords]) -> bytes:
    """The other writer design: nested ``xf.element`` contexts for every element."""
    out = io.BytesIO()
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(T_ROOT, nsmap={None: NS}):
            for records in workers:
                w_attrib, employers, periods = plain_parts(records)
                with xf.element(T_WORKER, w_attrib):
                    for e_attrib in employers:
                        with xf.element(T_EMPLOYER, e_attrib):
                            pass
                    for p_attrib, s_attrib in periods:
                        with xf.element(T_PERIOD, p_attrib):
                            if s_attrib is not None:
                                with xf.element(T_SOURCE, s_attrib):
                                    pass
    return out.getvalue()


def xmlfile_tree_write(workers: list[CareerRecords]) -> bytes:
    """The first writer design: one small tree per worker, ``xf.write(element)``."""
    out = io.BytesIO()
    with open_writer(out, CAREER_RECORDS) as writer:
        for index, records in enumerate(workers):
            writer.write(career_records_element(records, path=f"$.workers[{index}]"))
    return out.getvalue()


# --- xsdata -----------------------------------------------------------------------


def load_xsdata_models(folder: Path) -> Any:
    """Generate dataclasses from our XSD into ``folder`` (a temporary directory)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run(
        [str(Path(sys.executable).parent / "xsdata"), "generate", str(XSD), "--package", "crbench"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(folder))
    return importlib.import_module("crbench")


# --- measurement ------------------------------------------------------------------


def best_times(
    contenders: list[tuple[str, Callable[[], Any]]], repeat: int
) -> tuple[dict[str, float], dict[str, float], dict[str, Any]]:
    """Best CPU and wall times of each contender, and its last result.

    Rounds interleave the contenders so that load from other processes hits all
    alike. CPU time (``process_time``) is the figure compared: on a shared
    machine wall time mostly measures the wait for a core. The cyclic GC is off
    while timing (as ``timeit`` does); otherwise each contender pays for
    traversing the objects the others left alive.
    """
    cpu = {label: float("inf") for label, _ in contenders}
    wall = dict(cpu)
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for label, function in contenders:
            results[label] = None
            gc.collect()
            gc.disable()
            try:
                start_cpu, start_wall = time.process_time(), time.perf_counter()
                results[label] = function()
                cpu[label] = min(cpu[label], time.process_time() - start_cpu)
                wall[label] = min(wall[label], time.perf_counter() - start_wall)
            finally:
                gc.enable()
    return cpu, wall, results


def peak_traced(function: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        result = function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def peak_rss_kib() -> int:
    """Peak RSS of this process (``VmHWM``; ``ru_maxrss`` keeps the parent's peak across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_child(contender: str, path: str) -> None:
    """Run one parser on a file in this fresh process; print the peak RSS growth (MiB)."""
    data = Path(path).read_bytes()
    before = peak_rss_kib()
    if contender == "mycareer":
        count = sum(len(w.periods) for w in read_career_records(data).records)
    elif contender == "mycareer-stream":  # iter_career_records, records not kept
        count = sum(len(w.periods) for w in iter_career_records(data))
    elif contender == "lxml-iterparse":
        count = sum(len(w["periods"]) for w in lxml_iterparse_dicts(data))
    elif contender == "lxml-tree":
        count = sum(len(w["periods"]) for w in lxml_tree_dicts(data))
    elif contender == "lxml-target":
        count = sum(len(w["periods"]) for w in lxml_target_dicts(data))
    else:
        raise SystemExit(f"unknown contender {contender}")
    print(f"{count} {(peak_rss_kib() - before) / 1024:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1,000 workers, 1 repeat")
    parser.add_argument("--rss", action="store_true", help="peak RSS per parser (subprocesses)")
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(*args.rss_child)
        return
    if args.quick:
        args.workers, args.repeat = 1_000, 1

    workers = make_workers(args.workers, args.periods)
    n_periods = sum(len(w.periods) for w in workers)
    data = career_records_bytes(workers)
    print(
        f"career-records: {len(workers):,} workers, {n_periods:,} periods, "
        f"{len(data) / 2**20:.1f} MiB; best of {args.repeat}; Python {sys.version.split()[0]}, "
        f"lxml {etree.__version__}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    assert validate(data, CAREER_RECORDS) == []
    if args.rss:
        with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as handle:
            handle.write(data)
        try:
            print(
                "\npeak RSS growth while parsing, fresh process each (MiB; the "
                f"{len(data) / 2**20:.1f} MiB document is read before the baseline):"
            )
            contenders = (
                "lxml-iterparse",
                "lxml-tree",
                "lxml-target",
                "mycareer",
                "mycareer-stream",
            )
            for contender in contenders:
                output = subprocess.run(
                    [sys.executable, __file__, "--rss-child", contender, handle.name],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.split()
                assert int(output[0]) == n_periods
                print(f"  {contender:16} {output[1]:>8}")
        finally:
            os.unlink(handle.name)

    with tempfile.TemporaryDirectory(prefix="bench-xsdata-") as folder:
        models = load_xsdata_models(Path(folder))
        from xsdata.formats.dataclass.parsers import XmlParser
        from xsdata.formats.dataclass.parsers.config import ParserConfig
        from xsdata.formats.dataclass.serializers import XmlSerializer

        xs_parser = XmlParser(config=ParserConfig(fail_on_unknown_properties=True))
        xs_serializer = XmlSerializer()
        root_class = models.CareerRecords

        def xsdata_hardened() -> Any:
            return xs_parser.parse(parse_document(data), root_class)

        def xsdata_default() -> Any:
            return XmlParser().from_bytes(data, root_class)

        parse_contenders: list[tuple[str, Callable[[], Any]]] = [
            ("lxml iterparse -> dicts", lambda: lxml_iterparse_dicts(data)),
            ("lxml tree -> dicts", lambda: lxml_tree_dicts(data)),
            ("lxml target -> dicts", lambda: lxml_target_dicts(data)),
            ("xsdata (hardened tree)", xsdata_hardened),
            ("xsdata (default handler)", xsdata_default),
            ("mycareer read_career_records", lambda: read_career_records(data)),
        ]
        # mycareer caches parsed dates, fractions, committees and employers across
        # documents; the first run of a process pays for filling them: time it apart.
        for cache in (cr._dates, cr._fractions, cr._committees, cr._employers, cr._nisses):
            cache.clear()
        cold_start = time.process_time()
        read_career_records(data)
        cold_parse = time.process_time() - cold_start
        parse_times, parse_walls, parsed = best_times(parse_contenders, args.repeat)

        # Cross-checks: every contender saw the same periods.
        mine = parsed["mycareer read_career_records"].records
        assert list(mine) == workers
        for label in ("lxml iterparse -> dicts", "lxml tree -> dicts", "lxml target -> dicts"):
            dicts = parsed[label]
            assert [len(w["periods"]) for w in dicts] == [len(w.periods) for w in workers]
            assert [w["niss"] for w in dicts] == [w.niss.value for w in workers]
            for record, period in zip(dicts[-1]["periods"], workers[-1].periods, strict=True):
                assert record["start"] == period.period.start.isoformat()
                assert record["fraction"] == str(period.fraction)
        for label in ("xsdata (hardened tree)", "xsdata (default handler)"):
            document = parsed[label]
            assert [len(w.period) for w in document.worker] == [len(w.periods) for w in workers]
            last = document.worker[-1].period[-1]
            assert last.start == workers[-1].periods[-1].period.start.isoformat()
            expected_source = workers[-1].periods[-1].source
            assert expected_source is not None
            assert last.source.line == expected_source.line

        xs_document = parsed["xsdata (hardened tree)"]
        write_contenders: list[tuple[str, Callable[[], bytes]]] = [
            ("lxml tree + tostring", lambda: lxml_tree_write(workers)),
            ("xsdata XmlSerializer", lambda: xs_serializer.render(xs_document).encode()),
            ("xmlfile nested contexts", lambda: xmlfile_nested_write(workers)),
            ("xmlfile + xf.write(tree)", lambda: xmlfile_tree_write(workers)),
            ("mycareer write_career_records", lambda: career_records_bytes(workers)),
        ]
        write_times, write_walls, written = best_times(write_contenders, args.repeat)
        for label, output in written.items():
            assert validate(output, CAREER_RECORDS) == [], label
            back = read_career_records(output).records
            assert list(back) == workers, label

        parse_peaks = {label: peak_traced(f) for label, f in parse_contenders}
        write_peaks = {label: peak_traced(f) for label, f in write_contenders}

    def xsdata_time(times: dict[str, float]) -> float:
        return min(t for label, t in times.items() if label.startswith("xsdata"))

    def table(
        title: str,
        times: dict[str, float],
        walls: dict[str, float],
        peaks: dict[str, int],
        baseline: str,
        mine: str,
    ) -> None:
        print(f"\n{title} (CPU time; wall time in brackets)")
        print(
            f"{'contender':30} {'CPU':>8} {'(wall)':>9} {'periods/s':>10} {'vs mycareer':>11}"
            f" {'peak MiB':>8}"
        )
        for label, seconds in times.items():
            print(
                f"{label:30} {seconds * 1000:6.0f}ms {f'({walls[label] * 1000:.0f}ms)':>9} "
                f"{n_periods / seconds:10,.0f} {seconds / times[mine]:10.2f}x "
                f"{peaks[label] / 2**20:8.1f}"
            )
        print(
            f"mycareer / {baseline}: {times[mine] / times[baseline]:.2f}x (target <= 2x); "
            f"xsdata / mycareer: {xsdata_time(times) / times[mine]:.1f}x (target >= 5x); "
            f"mycareer: {n_periods / times[mine]:,.0f} periods/s (target >= 150,000)"
        )

    print(
        "\nmycareer first parse in a fresh process (empty value caches, GC on, CPU time): "
        f"{cold_parse * 1000:.0f}ms, {n_periods / cold_parse:,.0f} periods/s"
    )
    table(
        "parse",
        parse_times,
        parse_walls,
        parse_peaks,
        "lxml iterparse -> dicts",
        "mycareer read_career_records",
    )
    for floor in ("lxml tree -> dicts", "lxml target -> dicts"):
        ratio = parse_times["mycareer read_career_records"] / parse_times[floor]
        print(f"mycareer / {floor}: {ratio:.2f}x")
    table(
        "write",
        write_times,
        write_walls,
        write_peaks,
        "lxml tree + tostring",
        "mycareer write_career_records",
    )
    print(
        "\npeak MiB is tracemalloc (Python allocations only; libxml2's own memory is not traced)."
    )


if __name__ == "__main__":
    main()
