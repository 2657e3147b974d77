"""Two source trees' command lines side by side: is a change faster or slower per core?

Runs ``mycareer entitlements --jobs 1`` and ``mycareer timeline --jobs 1`` (JSON;
``--commands`` picks others, ``account`` among them) from each tree's ``src`` in turn,
round after round, so that load from other programs hits both alike; keeps each one's
best CPU time (user + system of the subprocess) and checks the outputs are byte-identical.
A ratio above 1.05 is a regression (docs/performance.md).

    git worktree add /tmp/before main~1
    python benchmarks/ab_trees.py /tmp/payroll --before /tmp/before --after . --repeat 3
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

COMMANDS = {
    "entitlements": ["entitlements", "--year", "2024", "--format", "json", "--jobs", "1"],
    "timeline": ["timeline", "--format", "json", "--jobs", "1"],
    "account": ["account", "--format", "json", "--jobs", "1"],
}
DEFAULT_COMMANDS = ("entitlements", "timeline")


def _cpu_of(tree: Path, arguments: list[str], output: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with output.open("w", encoding="utf-8") as out:
        subprocess.run(
            [sys.executable, "-m", "mycareer", *arguments],
            env={**os.environ, "PYTHONPATH": str(tree / "src")},
            stdout=out,
            check=True,
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--commands", nargs="+", choices=sorted(COMMANDS), default=list(DEFAULT_COMMANDS),
        help="the commands to compare (default: entitlements timeline)",
    )  # fmt: skip
    args = parser.parse_args()
    commands = {name: COMMANDS[name] for name in args.commands}
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    best: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(args.repeat):
            for command, options in commands.items():
                for name, tree in trees.items():
                    output = Path(folder, f"{command}-{name}.json")
                    cpu = _cpu_of(tree, [options[0], str(args.folder), *options[1:]], output)
                    best[(command, name)] = min(best.get((command, name), cpu), cpu)
            print(f"round {round_number}: load average {os.getloadavg()[0]:.2f}", flush=True)
        for command in commands:
            same = filecmp.cmp(
                Path(folder, f"{command}-before.json"), Path(folder, f"{command}-after.json"),
                shallow=False,
            )  # fmt: skip
            before, after = best[(command, "before")], best[(command, "after")]
            print(
                f"{command:<13} before {before:6.2f} s  after {after:6.2f} s  "
                f"after/before {after / before:.3f}  outputs {'identical' if same else 'DIFFER'}"
            )


if __name__ == "__main__":
    main()
