"""Random partitions of payroll files into employer groups, shared by the split tests."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from mycareer.pipeline import EmployerGroup, Plan, plan_employers


def employers_of(files: list[str]) -> list[str]:
    """The employer of each file, from its ``dmfa-<employer>-<quarter>.xml`` name."""
    return sorted({Path(f).stem.split("-")[1] for f in files})


def random_plan(data: st.DataObject, folder: Path) -> tuple[list[list[str]], Plan]:
    """The files of ``folder`` in up to four random groups (employers may be split), in a
    random group order: the groups in that order and the plan that runs them."""
    files = plan_employers([folder]).files
    parts = data.draw(st.lists(st.integers(0, 3), min_size=len(files), max_size=len(files)))
    groups: dict[int, list[str]] = {}
    for path, part in zip(files, parts, strict=True):
        groups.setdefault(part, []).append(path)
    order = data.draw(st.permutations(sorted(groups)))
    ordered = [groups[p] for p in order]
    plan = Plan(tuple(EmployerGroup(tuple(employers_of(g)), tuple(g)) for g in ordered), files)
    return ordered, plan
