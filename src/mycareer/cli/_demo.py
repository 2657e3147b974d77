"""``mycareer demo``: the main job, end to end, on the embedded fictitious sample."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from mycareer.demo import load_demo


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on the embedded fictitious sample",
        description="Run mycareer end to end on an embedded, fictitious sample "
        "(one employer, a handful of workers) and print a readable summary.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    sample = load_demo()
    print(f"mycareer demo — fictitious sample, as of {sample.as_of.isoformat()}", file=out)
    print("(independent of the public mycareer.be portal)", file=out)
    for worker in sample.workers:
        name = worker.name or "?"
        print(f"\n{name} — NISS {worker.niss.formatted}", file=out)
        for record in sorted(worker.periods, key=lambda r: r.period.sort_key()):
            end = record.period.end
            employer = f" at {record.employer}" if record.employer else ""
            fraction = f", Q/S {record.fraction}" if record.fraction is not None else ""
            days = record.period.days_as_of(sample.as_of)
            print(
                f"  {record.period.start.isoformat()} → {end.isoformat() if end else 'ongoing':10}"
                f"  {record.kind.label}{employer}{fraction} ({days} days)",
                file=out,
            )
    return 0
