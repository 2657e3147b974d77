"""``mycareer demo``: every command, end to end, on the embedded fictitious sample.

The demo runs the same code paths as the commands a user types — ``timeline``,
``entitlements``, ``account`` — on the declarations shipped in
:mod:`mycareer.demo`, so it always shows what the library really does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from mycareer.demo import DEMO_AS_OF, DEMO_YEAR, DemoPaths, demo_paths


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run every command on the embedded fictitious sample",
        description="Run mycareer end to end on an embedded, fictitious sample: one employer, "
        "six workers, their DmfA and Dimona declarations, caller-supplied periods and "
        "trainings. Prints the timelines, the training right and the training accounts.",
        epilog="Example: mycareer demo --lang nl",
    )
    parser.add_argument(
        "--lang", choices=("en", "fr", "nl"), default="en", help="language of explanations"
    )
    parser.set_defaults(handler=run)


def _steps(paths: DemoPaths, lang: str) -> list[tuple[str, list[str]]]:
    as_of = DEMO_AS_OF.isoformat()
    dimona = sorted(str(p) for p in paths.dimona.glob("*.xml"))
    return [
        (
            "Career timelines (DmfA + Dimona + caller-supplied periods)",
            [
                "timeline",
                str(paths.dmfa),
                *dimona,
                str(paths.career_records),
                "--outcomes",
                str(paths.dimona / "outcomes.csv"),
                "--as-of",
                as_of,
            ],
        ),
        (
            f"Training right {DEMO_YEAR} (Law of 3 October 2022)",
            [
                "entitlements",
                "--year",
                str(DEMO_YEAR),
                str(paths.dmfa),
                "--format",
                "table",
                "--explain",
                "--lang",
                lang,
            ],
        ),
        (
            f"Projected training right {DEMO_YEAR + 1} (occupations in force on {as_of} go on)",
            [
                "entitlements",
                "--year",
                str(DEMO_YEAR + 1),
                "--project",
                "--as-of",
                as_of,
                str(paths.dmfa),
                "--format",
                "table",
            ],
        ),
        (
            "Individual training accounts 2024-2025",
            [
                "account",
                str(paths.dmfa),
                "--trainings",
                str(paths.trainings),
                "--from-year",
                "2024",
                "--to-year",
                str(DEMO_YEAR),
                "--as-of",
                as_of,
                "--employer-view",
            ],
        ),
    ]


def run(args: argparse.Namespace, argv_runner: Any = None) -> int:
    from mycareer.cli import main

    runner = argv_runner or main
    print(f"mycareer demo — fictitious sample, as of {DEMO_AS_OF.isoformat()}")
    print("Independent of the public mycareer.be portal; every name and number is invented.")
    worst = 0
    with demo_paths() as paths:
        for title, argv in _steps(paths, args.lang):
            print(f"\n=== {title} ===", flush=True)
            print(f"$ mycareer {_shown(argv, paths)}", flush=True)
            code: int = runner(argv)
            sys.stdout.flush()
            worst = max(worst, code)
    return worst


def _shown(argv: Sequence[str], paths: DemoPaths) -> str:
    root = str(paths.root)
    return " ".join(arg.replace(root, "<demo>") for arg in argv)
