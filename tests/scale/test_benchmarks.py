"""The benchmark data is shaped like payroll output, and the quick ratio check passes.

The quick check (``benchmarks/targets.py --quick --check``) times mycareer against
the raw lxml floor on small data with generous bounds, so that a regression such
as losing the reader's fast path fails the test suite, not only the benchmarks.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mycareer.quarter import Quarter
from mycareer.xmlio._safe import load_schema, validate_document
from mycareer.xmlio.dmfa import iter_dmfa

from ._bench import BENCHMARKS, bench_module

QUARTERS = tuple(Quarter.range(Quarter(2024, 1), Quarter(2024, 4)))


@pytest.fixture(scope="module")
def payroll_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("payroll")
    bench_module("payroll").generate(folder, 400, QUARTERS, employers=4)
    return folder


def test_payroll_files_come_one_per_employer_and_quarter(payroll_folder: Path) -> None:
    names = sorted(p.name for p in payroll_folder.iterdir())
    employers = {name.split("-")[1] for name in names}
    assert len(employers) == 4
    assert len(names) == 4 * len(QUARTERS)


def test_payroll_lines_look_like_real_payrolls(payroll_folder: Path) -> None:
    services, remunerations, measures = Counter[int](), Counter[int](), Counter[int]()
    per_line = Counter[int]()
    workers_at: dict[str, set[str]] = {}
    for path in sorted(payroll_folder.iterdir()):
        for record in iter_dmfa(path):
            workers_at.setdefault(str(record.niss), set()).add(record.employer.key)
            for line in record.occupations:
                per_line[len(line.services)] += 1
                services.update(s.code for s in line.services)
                remunerations.update(r.code for r in line.remunerations)
                measures.update(m.code for m in line.reorganisation_measures)
    lines = sum(per_line.values())
    several = sum(count for n, count in per_line.items() if n >= 2)
    assert several > lines / 2  # most lines carry several service codes
    assert {1, 2, 50}.issubset(services)
    assert set(remunerations) == {1, 2}
    assert measures[4] > 0  # partial career breaks
    assert any(len(employers) > 1 for employers in workers_at.values())  # moves


def test_payroll_files_validate_against_the_official_xsd(
    payroll_folder: Path, onss_xsd_dir: Path
) -> None:
    schema = load_schema(onss_xsd_dir / "DmfAOriginal_20231.xsd")
    for path in sorted(payroll_folder.iterdir())[:6]:
        assert validate_document(path, schema) == [], path


def test_the_floor_counts_every_worker_line(payroll_folder: Path) -> None:
    files = sorted(payroll_folder.iterdir())
    lines = sum(len(r.occupations) for path in files for r in iter_dmfa(path))
    assert bench_module("targets").floor(files) == lines


def test_quick_run_measures_every_contender() -> None:
    # No --check: the ratio bounds are a measurement that CI runs as its own step (the
    # README's test command); inside the suite they would fail with the machine's load.
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "targets.py"), "--quick", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "x floor" in done.stdout
    rows = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert {"floor", "iter_dmfa", "entitlements", "timeline"} <= rows


def test_results_json_bench_checks_the_bulk_path_against_the_plain_one(
    payroll_folder: Path,
) -> None:
    """It refuses to time a bulk path whose texts differ from the plain encoding."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_results_json.py"), str(payroll_folder),
         "--repeat", "1"],
        capture_output=True, text=True, timeout=300, check=False, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split()[0] for line in done.stdout.splitlines()[2:]}
    assert rows == {"plain", "json_text", "explain"}


def test_two_trees_side_by_side_report_a_ratio_and_identical_outputs(
    payroll_folder: Path,
) -> None:
    # The regression check between two source trees; a tree against itself must give
    # identical outputs (a differing output would be reported as DIFFER).
    tree = str(BENCHMARKS.parent)
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "ab_trees.py"), str(payroll_folder),
         "--before", tree, "--after", tree, "--repeat", "1"],
        capture_output=True, text=True, timeout=300, check=False, env=dict(os.environ),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    reports = [line for line in done.stdout.splitlines() if "after/before" in line]
    assert [line.split()[0] for line in reports] == ["entitlements", "timeline"]
    assert all(line.endswith("outputs identical") for line in reports)


def test_peak_rss_sees_the_worker_processes_and_digests_the_output(
    payroll_folder: Path,
) -> None:
    """A smoke test: both runs measured (a peak at least an interpreter's), and the digest
    is that of the command's own bytes whatever ``--jobs``."""
    command = ["entitlements", "--year", "2024", "--format", "json", str(payroll_folder)]
    lines = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, str(BENCHMARKS / "peak_rss.py"), "--tree",
             str(BENCHMARKS.parent), *command, "--jobs", jobs],
            capture_output=True, text=True, timeout=300, check=False, env=dict(os.environ),
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        lines.append(done.stdout)
    own = subprocess.run([sys.executable, "-m", "mycareer", *command], capture_output=True,
                         timeout=300, check=True).stdout  # fmt: skip
    for line in lines:
        assert f"sha256 {hashlib.sha256(own).hexdigest()[:16]}" in line
        peak = float(line.split("largest process ")[1].split(" MB")[0])
        assert 20 < peak < 2000  # an interpreter's worth, at least: a sampled process


def _batch_update(payroll_folder: Path, target: Path, parts: int) -> list[Path]:
    written: list[Path] = bench_module("batch_update").write(
        payroll_folder, target, Quarter(2024, 2), parts
    )
    return written


def test_a_batch_update_corrects_every_employer_in_one_group(
    payroll_folder: Path, tmp_path: Path
) -> None:
    """One form an employer, each deleting the first line of its 2024 Q2 file: applied,
    every employer has one line less than its file; the plan makes one group of all."""
    from mycareer.dmfa_update import UpdateAction
    from mycareer.pipeline import plan_employers
    from mycareer.xmlio.dmfa_update import iter_dmfa_updates
    from mycareer.xmlio.flows import read_corrected_dmfa

    (update,) = _batch_update(payroll_folder, tmp_path / "batch", 1)
    updates = list(iter_dmfa_updates(update))
    originals = sorted(payroll_folder.glob("dmfa-*-20242.xml"))
    assert [u.form.employer.key for u in updates] == [p.stem.split("-")[1] for p in originals]

    def line(record: Any) -> tuple[Any, ...]:
        return record.employer, record.quarter, record.niss, record.worker_code

    assert [line(u.record) for u in updates] == [
        line(next(iter(iter_dmfa(p)))) for p in originals
    ]  # the first line of each file, deleted
    assert {u.action for u in updates} == {UpdateAction.DELETED}
    plan = plan_employers([tmp_path / "batch"])
    assert len(plan.groups) == 1
    assert plan.corrections
    corrected = read_corrected_dmfa([tmp_path / "batch"])
    read = [r for p in originals for r in iter_dmfa(p)]
    in_q2 = [r for r in corrected.records if r.quarter == Quarter(2024, 2)]
    assert len(in_q2) == len(read) - len(originals)


def test_batch_update_files_validate_against_the_official_xsd(
    payroll_folder: Path, onss_xsd_dir: Path, tmp_path: Path
) -> None:
    schema = load_schema(onss_xsd_dir / "DmfAUpdate_20223.xsd")
    for update in _batch_update(payroll_folder, tmp_path / "parts", 2):
        assert validate_document(update, schema) == [], update


def test_a_batch_update_s_parts_give_the_whole_group_s_entitlements(
    payroll_folder: Path, tmp_path: Path
) -> None:
    """An employer's results depend on its own files and forms only (the premise of
    reading a batch of corrections' group in parts): each part's folder, its employers'
    originals and their forms, gives the whole group's entitlements, findings included."""
    from mycareer.pipeline import entitlements_from_files

    _batch_update(payroll_folder, tmp_path / "batch", 1)
    parts = [p.parent for p in _batch_update(payroll_folder, tmp_path / "parts", 3)]
    whole = entitlements_from_files([tmp_path / "batch"], 2024, jobs=1).entitlements
    split = [
        e for part in parts for e in entitlements_from_files([part], 2024, jobs=1).entitlements
    ]
    assert len(whole) > 100
    assert sorted(split, key=lambda e: (e.employer.key, e.niss.value)) == list(whole)


def test_a_batch_update_is_never_written_over_its_source(payroll_folder: Path) -> None:
    """The target is emptied first: the source, or a folder holding it, is refused."""
    for target in (payroll_folder, payroll_folder.parent):
        with pytest.raises(SystemExit, match="must be outside the source"):
            _batch_update(payroll_folder, target, 1)
    assert len(list(payroll_folder.glob("dmfa-*.xml"))) == 16
