"""``mycareer demo``: every command, end to end, on the embedded fictitious sample.

The demo runs the same code paths as the commands a user types — ``timeline``,
``entitlements``, ``account`` — on the declarations shipped in
:mod:`mycareer.demo`, so it always shows what the library really does.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mycareer.cli._common import EXIT_WRITE, error_line
from mycareer.demo import DEMO_AS_OF, DEMO_YEAR, DemoPaths, demo_paths
from mycareer.outputs import OutputError, atomic_output


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
    parser.add_argument(
        "--output",
        metavar="DIR",
        type=Path,
        help="also write files there: timeline pictures (needs mycareer[plot]), the "
        "training-account XML archive and the career records converted to JSON",
    )
    parser.set_defaults(handler=run)


#: Steps whose standard output goes to a file of ``--output`` rather than the screen.
_TO_FILE = {
    "Timeline pictures": "timeline.csv",
    "Training-account archive (XML)": "training-accounts.xml",
}


def _correction_step(paths: DemoPaths) -> tuple[str, list[str]]:
    """The training right after the DmfAUpdate of ``corrections/`` (an info finding names it)."""
    title = f"Training right {DEMO_YEAR} after a correction: the DmfAUpdate in corrections/"
    argv = ["entitlements", "--year", str(DEMO_YEAR), str(paths.dmfa), str(paths.corrections)]
    return title, [*argv, "--format", "table"]


def _output_steps(paths: DemoPaths, output: Path) -> list[tuple[str, list[str]]]:
    """The steps that write files into ``--output``."""
    as_of = DEMO_AS_OF.isoformat()
    return [
        (
            "Timeline pictures",
            ["timeline", str(paths.dmfa), str(paths.career_records), "--as-of", as_of,
             "--format", "csv", "--plot", str(output / "timeline.png")],
        ),
        (
            "Training-account archive (XML)",
            ["account", str(paths.dmfa), "--trainings", str(paths.trainings),
             "--from-year", "2024", "--to-year", str(DEMO_YEAR), "--as-of", as_of,
             "--format", "xml"],
        ),
        (
            "Career records converted to JSON",
            ["convert", str(paths.career_records), str(output / "career-records.json")],
        ),
    ]  # fmt: skip


def _steps(paths: DemoPaths, lang: str, output: Path | None) -> list[tuple[str, list[str]]]:
    as_of = DEMO_AS_OF.isoformat()
    dimona = sorted(str(p) for p in paths.dimona.glob("*.xml"))
    steps = [
        (
            "Validation of the shipped documents (XSD and domain checks)",
            ["validate", str(paths.root), "--format", "table"],
        ),
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
        _correction_step(paths),
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
    if output is not None:
        steps += _output_steps(paths, output)
    return steps


def run(args: argparse.Namespace, argv_runner: Any = None) -> int:
    from mycareer.cli import main

    runner = argv_runner or main
    print(f"mycareer demo — fictitious sample, as of {DEMO_AS_OF.isoformat()}")
    print("Independent of the public mycareer.be portal; every name and number is invented.")
    worst = 0
    with demo_paths() as paths:
        if args.output is not None:
            try:
                args.output.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise OutputError(
                    f"cannot create the folder: {error.strerror}", args.output
                ) from None
        for title, argv in _steps(paths, args.lang, args.output):
            print(f"\n=== {title} ===", flush=True)
            target = _TO_FILE.get(title) if args.output is not None else None
            typed = _shown(argv, paths) + (f" > {args.output / target}" if target else "")
            print(f"$ mycareer {typed}", flush=True)
            path = None if target is None else args.output / target
            code: int = runner(argv) if path is None else _run_to_file(runner, argv, path)
            if code == EXIT_WRITE:  # the step said why; the next steps would fail alike
                return code
            if path is not None:
                print(f"(written to {path})")
            sys.stdout.flush()
            worst = max(worst, code)
    return worst


class _NotWritten(Exception):
    """A step could not write its output: its file is left as it was."""


def _run_to_file(runner: Any, argv: Sequence[str], path: Path) -> int:
    """Run one step with its standard output in ``path``, written atomically (a symlink
    planted at the path is replaced, never followed) unless the step could not write."""
    try:
        with atomic_output(path, "w") as sink, contextlib.redirect_stdout(sink):
            code: int = runner(argv)
            if code == EXIT_WRITE:
                raise _NotWritten
    except _NotWritten:
        print(error_line("demo", f"{path}: not written"), file=sys.stderr)
    return code


def _shown(argv: Sequence[str], paths: DemoPaths) -> str:
    root = str(paths.root)
    return " ".join(arg.replace(root, "<demo>") for arg in argv)
