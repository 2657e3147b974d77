"""``mycareer timeline``: CSV output, ``--plot`` and ``--strict`` as a user runs them."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mycareer.cli import EXIT_WRITE
from mycareer.demo import DemoPaths, demo_paths


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mycareer", *args], capture_output=True, text=True, check=False
    )


def demo() -> DemoPaths:
    with demo_paths() as paths:
        return paths


def test_csv_has_one_row_per_segment_and_gap() -> None:
    paths = demo()
    result = run("timeline", str(paths.dmfa), str(paths.career_records), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    bart = [r for r in rows if r["niss"] == "93051822361"]
    # Caller-supplied unemployment until 2024-04-26, DmfA employment from 2024-04-29:
    # the weekend in between is a 2-day gap with no Belgian working day.
    assert [(r["row"], r["start"], r["end"]) for r in bart] == [
        ("segment", "2023-10-01", "2024-04-26"),
        ("segment", "2024-04-29", "2025-12-31"),
        ("gap", "2024-04-27", "2024-04-28"),
    ]
    assert bart[1]["fte"] == "4/5"
    assert bart[2]["working_days"] == "0"
    assert all(r["name"] for r in rows)  # names come from the career-records file


def test_plot_draws_one_png_per_worker(tmp_path: Path) -> None:
    paths = demo()
    target = tmp_path / "career.png"
    result = run("timeline", str(paths.dmfa), "--plot", str(target), "--format", "json")
    assert result.returncode == 0, result.stderr
    drawn = sorted(p.name for p in tmp_path.iterdir())
    assert len(drawn) == 6
    assert "career-93051822361.png" in drawn
    for name in drawn:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")


def test_strict_fails_on_warning_findings_but_still_prints() -> None:
    paths = demo()
    args = ["timeline", str(paths.dimona), "--as-of", "2025-12-31"]
    lenient = run(*args)
    strict = run(*args, "--strict")
    # The demo's OUT concerns a period whose IN predates the files (a warning finding).
    assert "DIMONA_UNKNOWN_PERIOD" in lenient.stderr
    assert lenient.returncode == 0
    assert strict.returncode == 1
    assert strict.stdout == lenient.stdout
    assert "Traceback" not in strict.stderr


def test_plot_refuses_other_formats_before_reading(tmp_path: Path) -> None:
    result = run("timeline", str(demo().dmfa), "--plot", str(tmp_path / "x.gif"))
    assert result.returncode == 2
    assert "x.gif" in result.stderr
    assert ".png or .svg" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_plot_draws_in_the_worker_processes_and_leaves_the_output_alone(tmp_path: Path) -> None:
    """With two processes each picture is drawn where its timeline is built (SVG here):
    one per worker, named by NISS, announced in the workers' order; stdout is the output
    without --plot, byte for byte; the drawing folder is gone."""
    paths = demo()
    target = tmp_path / "career.svg"
    plain = run("timeline", str(paths.dmfa), "--format", "csv", "--jobs", "2")
    drawn = run("timeline", str(paths.dmfa), "--format", "csv", "--jobs", "2",
                "--plot", str(target))  # fmt: skip
    assert drawn.returncode == plain.returncode == 0, drawn.stderr
    assert drawn.stdout == plain.stdout
    rows = list(csv.DictReader(io.StringIO(plain.stdout)))
    workers = list(dict.fromkeys(row["niss"] for row in rows))
    announced = [line.split(" drawn to ")[1] for line in drawn.stderr.splitlines()
                 if " drawn to " in line]  # fmt: skip
    assert announced == [str(tmp_path / f"career-{niss}.svg") for niss in workers]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(Path(a).name for a in announced)
    for name in announced:
        picture = Path(name).read_text(encoding="utf-8")
        assert picture.lstrip().startswith("<?xml")
        assert 'id="bar-0-0"' in picture


def test_plot_without_matplotlib_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The extra is checked first (the pictures are drawn as the run goes): exit 2, no
    output, no picture, no drawing folder left."""
    import importlib.util

    from mycareer.cli import main

    found = importlib.util.find_spec

    def without_matplotlib(name: str, *args: Any) -> Any:
        return None if name == "matplotlib" else found(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_matplotlib)
    code = main(["timeline", str(demo().dmfa), "--plot", str(tmp_path / "t.png")])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "mycareer[plot]" in err
    assert list(tmp_path.iterdir()) == []


def test_plot_onto_a_folder_is_a_named_error(tmp_path: Path) -> None:
    """A picture's name taken by a folder: the error names it (no traceback), exit 74, the
    folder untouched and the drawing folder gone."""
    paths = demo()
    target = tmp_path / "career.png"
    (tmp_path / "career-93051822361.png").mkdir()
    result = run("timeline", str(paths.dmfa), "--plot", str(target), "--format", "json")
    assert "Traceback" not in result.stderr
    assert result.returncode == EXIT_WRITE
    assert "career-93051822361.png: cannot write" in result.stderr
    assert (tmp_path / "career-93051822361.png").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".mycareer-plot-")]


def test_a_table_without_any_worker_says_so(tmp_path: Path) -> None:
    # Every other format shows an empty run (JSON's empty list, CSV's header line); the
    # table printed nothing at all, which a person cannot tell from a lost output.
    from mycareer.xmlio._safe import parse_document

    tree = parse_document(sorted(demo().dmfa.glob("*.xml"))[0])
    for person in tree.iter("{*}NaturalPerson"):
        parent = person.getparent()
        assert parent is not None
        parent.remove(person)
    empty = tmp_path / "no-worker.xml"
    tree.write(str(empty), xml_declaration=True, encoding="UTF-8")
    result = run("timeline", str(empty), "--format", "table")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "mycareer timeline\nno worker in the input\n"
    dated = run("timeline", str(empty), "--format", "table", "--as-of", "2025-12-31")
    assert dated.stdout == "mycareer timeline — as of 2025-12-31\nno worker in the input\n"
