"""How hard the source is to read: complex functions per 1,000 lines, long functions, big files.

Run: ``python tools/complexity.py`` prints the figures; ``--check`` also fails (exit 1) when

- a function has a cyclomatic complexity above 15 more often than 1.3 times per 1,000 lines
  (cattrs' level; the lines are every physical line of ``src/**/*.py``);
- a function is longer than 80 lines and is not a hot loop listed in ``HOT_LOOPS``;
- a source file is longer than 800 lines.

Complexity is radon's (https://radon.readthedocs.io/en/latest/intro.html#cyclomatic-complexity),
the McCabe number that ruff's ``C901`` also reports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Function

MAX_COMPLEXITY = 15
MAX_COMPLEX_PER_KLOC = 1.3
MAX_FUNCTION_LINES = 80
MAX_FILE_LINES = 800

# Functions allowed past MAX_FUNCTION_LINES, each with the reason (path:function -> why).
HOT_LOOPS: dict[str, str] = {
    "src/mycareer/fla/bulk.py:_feed": (
        "one pass over every worker record of a batch; a call per step would cost per record"
    ),
}


def functions(path: Path) -> Iterator[Function]:
    # radon lists methods both on their own and inside their class: take the former only.
    for block in cc_visit(path.read_text(encoding="utf-8")):
        if isinstance(block, Function):
            yield block


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="src", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 when a limit is passed")
    args = parser.parse_args(argv)
    lines = 0
    complex_functions: list[str] = []
    long_functions: list[str] = []
    big_files: list[str] = []
    largest = (0, "")
    for path in sorted(args.root.rglob("*.py")):
        count = len(path.read_text(encoding="utf-8").splitlines())
        lines += count
        largest = max(largest, (count, str(path)))
        if count > MAX_FILE_LINES:
            big_files.append(f"{path} ({count} lines)")
        for function in functions(path):
            name = f"{path}:{function.fullname}"
            length = function.endline - function.lineno + 1
            if function.complexity > MAX_COMPLEXITY:
                complex_functions.append(f"{name} (complexity {function.complexity})")
            if length > MAX_FUNCTION_LINES and name not in HOT_LOOPS:
                long_functions.append(f"{name} ({length} lines)")
    per_kloc = 1000 * len(complex_functions) / max(lines, 1)
    print(f"{lines} lines in {args.root}; largest file {largest[1]} ({largest[0]} lines)")
    print(
        f"functions with complexity > {MAX_COMPLEXITY}: {len(complex_functions)}"
        f" = {per_kloc:.2f} per 1,000 lines (limit {MAX_COMPLEX_PER_KLOC})"
    )
    for title, rows in (
        (f"complexity > {MAX_COMPLEXITY}", complex_functions),
        (f"functions over {MAX_FUNCTION_LINES} lines (not a listed hot loop)", long_functions),
        (f"files over {MAX_FILE_LINES} lines", big_files),
    ):
        print(f"{title}: {len(rows)}")
        for row in rows:
            print(f"  {row}")
    failed = per_kloc > MAX_COMPLEX_PER_KLOC or bool(long_functions) or bool(big_files)
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
