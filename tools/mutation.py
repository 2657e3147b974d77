"""Mutation testing of the rule modules with mutmut (issue 10 item 12); never in the default tests.

Each target is a set of source files and the fast tests that hold their rules. For each
target the script builds a scratch copy of ``src/`` and ``tests/`` (under ``--workdir``),
writes a mutmut configuration there that mutates only the target's files and runs only
its tests, runs ``mutmut run``, and prints the score: killed (including timeouts) over
the mutants that ran. Survivors are written, with their diffs, to
``<workdir>/<target>/survivors.txt``; ``docs/mutation.md`` says why each left is
equivalent.

Usage (from the repository root, with the project's virtualenv)::

    python tools/mutation.py                      # every target
    python tools/mutation.py band merge --jobs 2  # some targets, two workers each
    python tools/mutation.py --list               # targets, files and tests

Hypothesis runs derandomised with fewer examples (``--examples``, also capping the tests'
own ``@settings``), so that a mutant's verdict does not depend on the draw. Exit status 1
when a target scores under ``--threshold`` percent (85 by default).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    """Files to mutate (globs under the repository root) and the tests that cover them."""

    sources: tuple[str, ...]
    tests: tuple[str, ...]


_ENTITLEMENT_TESTS = (
    "tests/fla/test_entitlement*.py",
    "tests/fla/test_examples.py",
    "tests/fla/test_band*.py",
    "tests/fla/test_bulk*.py",
    "tests/fla/test_formula*.py",
    "tests/fla/test_worker*.py",
    "tests/fla/test_projection*.py",
    "tests/fla/test_counting_rule.py",
    "tests/fla/test_new_employer.py",
    "tests/fla/test_declaration_missing.py",
    "tests/fla/test_years.py",
    "tests/fla/test_mutation_entitlement*.py",
    "tests/fla/test_mutation_band.py",
    "tests/fla/test_mutation_formula.py",
    "tests/fla/test_mutation_bulk.py",
)

TARGETS: dict[str, Target] = {
    "band": Target(("src/mycareer/fla/band.py",), _ENTITLEMENT_TESTS),
    # the entitlement modules, split by job (issue 14 item 1): one target each
    **{
        name: Target((f"src/mycareer/fla/{name}.py",), _ENTITLEMENT_TESTS)
        for name in ("formula", "worker", "bulk", "projection", "options", "entitlement")
    },
    "rulebook": Target(
        # The rulebook was split: values (schedules), reading (rules_file), the CAO checks.
        (
            "src/mycareer/fla/rulebook.py",
            "src/mycareer/fla/rules_file.py",
            "src/mycareer/fla/schedules.py",
            "src/mycareer/fla/cao.py",
        ),
        (
            "tests/fla/test_rulebook*.py",
            "tests/fla/test_cao_constraints.py",
            "tests/fla/test_rule_sources.py",
            "tests/fla/test_entitlement.py",
            "tests/fla/test_examples.py",
            "tests/fla/test_mutation_rulebook.py",
            "tests/fla/test_mutation_rules_file.py",
        ),
    ),
    "account": Target(
        (
            "src/mycareer/fla/account.py",
            "src/mycareer/fla/account_values.py",
        ),
        (
            "tests/fla/test_account.py",
            "tests/fla/test_account_*.py",
            "tests/fla/test_mutation_account.py",
        ),
    ),
    "merge": Target(
        ("src/mycareer/timeline/_merge.py",),
        ("tests/timeline/test_merge*.py", "tests/timeline/test_mutation_merge.py"),
    ),
    "gaps": Target(
        ("src/mycareer/timeline/_gaps.py",),
        ("tests/timeline/test_gaps*.py", "tests/timeline/test_mutation_gaps.py"),
    ),
}

#: Tests that run the CLI as a subprocess import the installed package, not the
#: mutated copy: they cannot kill a mutant and only cost time.
EXCLUDED_TESTS = ("tests/fla/test_account_cli.py", "tests/fla/test_account_pipeline.py")

#: The same, for subprocess tests that share a file with in-process ones: a ``-k``
#: expression (they are named ``test_cli_*``; ``-k`` matches substrings, hence the ``_``).
EXCLUDED_TEST_NAMES = "not test_cli_"

_PROFILE = '''"""Hypothesis profile and cold caches of mutation runs (from tools/mutation.py)."""

import sys

import pytest
from hypothesis import settings

settings.register_profile(
    "mutation", derandomize=True, max_examples={examples}, deadline=None, database=None
)
settings.load_profile("mutation")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # a test's own @settings(max_examples=...) wins over a profile: cap it here
    for item in items:
        test = getattr(item, "obj", None)
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)
        if chosen is not None and chosen.max_examples > {examples}:
            test._hypothesis_internal_use_settings = settings(chosen, max_examples={examples})


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    # mutmut forks each mutant from a process that already ran the tests: a cache filled
    # then (the packaged rulebook, its resolutions) would hide the mutated code
    for name, module in list(sys.modules.items()):
        if name.startswith("mycareer"):
            for value in list(vars(module).values()):
                clear = None if isinstance(value, type) else getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()
'''


def _expand(patterns: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in found and relative not in EXCLUDED_TESTS:
                found.append(relative)
    return found


def _setup_cfg(sources: list[str], tests: list[str]) -> str:
    lines = [
        "[mutmut]",
        "source_paths = src/",
        "only_mutate =",
        *(f"    {path}" for path in sources),
        "pytest_add_cli_args_test_selection =",
        *(f"    {path}" for path in tests),
        "pytest_add_cli_args =",
        "    -p",
        "    no:cacheprovider",
        "    -x",
        "    -k",
        f"    {EXCLUDED_TEST_NAMES}",
        "also_copy =",
        "    conftest.py",
        "    docs",
        "use_git_change_detection = false",
        "",
        "[tool:pytest]",
        "addopts = -q",
        "",
    ]
    return "\n".join(lines)


def _prepare(name: str, target: Target, workdir: Path, examples: int) -> Path:
    sources = _expand(target.sources)
    tests = _expand(target.tests)
    if not sources or not tests:
        raise SystemExit(f"mutation: target {name!r} has no sources or no tests")
    where = workdir / name
    if where.exists():
        shutil.rmtree(where)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "src", where / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", where / "tests", ignore=ignore)
    # Some rule tests hold the docs to the rule data (citations, choices): they read docs/.
    shutil.copytree(ROOT / "docs", where / "docs", ignore=ignore)
    (where / "setup.cfg").write_text(_setup_cfg(sources, tests), encoding="utf-8")
    (where / "conftest.py").write_text(_PROFILE.format(examples=examples), encoding="utf-8")
    return where


def _mutmut(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    return subprocess.run(command, cwd=where, env=env, text=True, capture_output=True, check=False)


_DIFFS = """
import sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant, status_by_exit_code
for name in sys.argv[1:]:
    found = find_mutant(name)
    print(f"# {name}: {status_by_exit_code[found.exit_code_by_key[name]]}")
    print(get_diff_for_mutant(name, path=found.path))
"""


def _diffs(where: Path, names: list[str]) -> str:
    """The diff of each mutant, in one process (``mutmut show`` costs a start-up per mutant)."""
    if not names:
        return ""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [sys.executable, "-c", _DIFFS, *names]
    done = subprocess.run(command, cwd=where, env=env, text=True, capture_output=True, check=False)
    return done.stdout + done.stderr


def _survivors(where: Path) -> list[str]:
    listed = _mutmut(where, "results")
    names = []
    for line in listed.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if status in {"survived", "no tests"}:
            names.append(f"{name} ({status})")
    return names


def _run_target(name: str, target: Target, args: argparse.Namespace) -> dict[str, object]:
    where = _prepare(name, target, args.workdir, args.examples)
    began = time.monotonic()
    run = _mutmut(where, "run", "--max-children", str(args.jobs))
    seconds = round(time.monotonic() - began)
    (where / "run.log").write_text(run.stdout + run.stderr, encoding="utf-8")
    _mutmut(where, "export-cicd-stats")
    stats_path = where / "mutants" / "mutmut-cicd-stats.json"
    if run.returncode != 0 or not stats_path.exists():
        print(f"{name}: mutmut failed (exit {run.returncode}), see {where / 'run.log'}", flush=True)
        return {"target": name, "error": run.returncode}
    stats = json.loads(stats_path.read_text(encoding="utf-8"))
    survivors = _survivors(where)
    shown = _diffs(where, [s.partition(" ")[0] for s in survivors])
    (where / "survivors.txt").write_text(shown, encoding="utf-8")
    ran = int(stats["total"]) - int(stats.get("skipped", 0)) - int(stats.get("not_checked", 0))
    caught = int(stats["killed"]) + int(stats.get("timeout", 0))
    caught += int(stats.get("caught_by_type_check", 0))
    score = 100.0 * caught / ran if ran else 0.0
    return {
        "target": name,
        "mutants": ran,
        "killed": caught,
        "survived": int(stats.get("survived", 0)),
        "no_tests": int(stats.get("no_tests", 0)),
        "score": round(score, 1),
        "seconds": seconds,
        "survivors": survivors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(TARGETS))
    parser.add_argument("--jobs", type=int, default=1, help="mutmut workers per target")
    parser.add_argument("--examples", type=int, default=30, help="hypothesis examples per test")
    parser.add_argument("--threshold", type=float, default=85.0, help="minimum score, percent")
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / "build" / "mutation", help="scratch folder"
    )
    parser.add_argument("--json", type=Path, help="also write the scores to this file")
    parser.add_argument("--list", action="store_true", help="print the targets and exit")
    args = parser.parse_args(argv)
    names = args.targets or list(TARGETS)
    unknown = sorted(set(names) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}: expected {', '.join(TARGETS)}")
    if args.list:
        for name in names:
            print(f"{name}: {_expand(TARGETS[name].sources)} <- {_expand(TARGETS[name].tests)}")
        return 0
    results = []
    for name in names:
        result = _run_target(name, TARGETS[name], args)
        results.append(result)
        if "score" in result:
            print(
                f"{name}: {result['killed']}/{result['mutants']} killed = {result['score']} % "
                f"({result['survived']} survived, {result['no_tests']} without tests, "
                f"{result['seconds']} s)",
                flush=True,
            )
            for survivor in result["survivors"]:  # type: ignore[attr-defined]
                print(f"    {survivor}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    failed = [r for r in results if "score" not in r or float(r["score"]) < args.threshold]  # type: ignore[arg-type]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
