"""Test helper: two employers that each sent one quarter twice, under names of no pattern."""

from __future__ import annotations

import shutil
from pathlib import Path

from mycareer.quarter import Quarter

from ._bench import bench_module


def _created_a_year_later(text: str) -> str:
    head, _, rest = text.partition("<FormCreationDate>")
    year, _, rest = rest.partition("-")
    return f"{head}<FormCreationDate>{int(year) + 1}-{rest}"


def two_duplicated_quarters(tmp_path: Path) -> Path:
    """A folder of two employers' 2024 Q1 and Q2 files, Q1 of each sent twice: a.xml (made
    a year later: it wins) and d.xml for the first, b.xml (excluded) and c.xml (made a year
    later) for the second; the Q2 files keep the payroll names, which sort after them."""
    made = tmp_path / "made"
    made.mkdir()
    quarters = (Quarter(2024, 1), Quarter(2024, 2))
    files = bench_module("payroll").generate(made, 30, quarters, employers=2)
    folder = tmp_path / "in"
    folder.mkdir()
    first = sorted(p for p in files if p.name.endswith("-20241.xml"))
    assert len(first) == 2
    for path in files:
        if path not in first:
            shutil.copy(path, folder / path.name)
    one, other = (p.read_text(encoding="utf-8") for p in first)
    (folder / "a.xml").write_text(_created_a_year_later(one), encoding="utf-8")
    (folder / "d.xml").write_text(one, encoding="utf-8")
    (folder / "b.xml").write_text(other, encoding="utf-8")
    (folder / "c.xml").write_text(_created_a_year_later(other), encoding="utf-8")
    return folder


def shared_nsso_number(tmp_path: Path) -> tuple[Path, list[str]]:
    """Three employers' 2024 Q1 and Q2 files, the first and the last declared under one NSSO
    number (100006), every worker record of the first one's Q2 refused (a bad INSS): its
    declaration is all that says it declared Q2. The folder and the employer keys, sorted."""
    quarters = (Quarter(2024, 1), Quarter(2024, 2))
    folder = tmp_path / "in"
    files = bench_module("payroll").generate(folder, 60, quarters, employers=3)
    keys = sorted({p.name.split("-")[1] for p in files})
    assert len(keys) == 3
    for path in files:
        if keys[1] in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        text = text.replace("<NOSSRegistrationNbr>0<", "<NOSSRegistrationNbr>100006<", 1)
        if keys[0] in path.name and path.name.endswith("-20242.xml"):
            head, *people = text.split("<INSS>")
            text = head + "".join(f"<INSS>12345678901{p[p.index('<') :]}" for p in people)
        path.write_text(text, encoding="utf-8")
    return folder, keys
