"""Trainings routed by worker into bucket files (mycareer.fla.training_buckets).

The oracle is the plain one: every training once, in the bucket of its NISS
(``bucket_of``, the credits' rule), in the caller's order with its place; the facts
recomputed from the whole list.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer._processes import bucket_of
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.fla import training_buckets
from mycareer.fla.training_buckets import TrainingFacts, read_routed, route_trainings
from mycareer.fla.trainings import Training

from .test_account_split import trainings


def expected_facts(given: list[Training]) -> tuple[int, date | None, dict[str, object], set[str]]:
    firsts: dict[str, object] = {}
    shown: dict[str, set[object]] = {}
    for t in given:
        if t.employer is not None:
            firsts.setdefault(t.employer.key, t.employer)
            shown.setdefault(t.employer.key, set()).add(t.employer)
    varied = {key for key, employers in shown.items() if len(employers) > 1}
    latest = max((t.end for t in given), default=None)
    return len(given), latest, firsts, varied


@settings(max_examples=60, deadline=None)
@given(trainings, st.integers(1, 7), st.integers(1, 4))
def test_each_training_once_in_its_workers_bucket_in_order(
    given_trainings: list[Training], buckets: int, buffered: int
) -> None:
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as folder:
        patch.setattr(training_buckets, "_BUFFERED", buffered)  # several chunks per file
        routed = route_trainings(iter(given_trainings), folder, buckets)
        assert len(routed.paths) == buckets
        found = {b: read_routed(path) for b, path in enumerate(routed.paths)}
    for bucket, items in found.items():
        assert [n for n, _t in items] == sorted(n for n, _t in items)
        assert all(bucket_of(t.niss.value, buckets) == bucket for _n, t in items)
        if routed.paths[bucket] is None:
            assert items == []
    every = sorted((n, t) for items in found.values() for n, t in items)
    assert every == list(enumerate(given_trainings))
    facts = routed.facts
    assert (facts.count, facts.latest_end, facts.employers, facts.varied) == expected_facts(
        given_trainings
    )
    assert facts == TrainingFacts.of(given_trainings)


def test_no_training_writes_no_file(tmp_path: Path) -> None:
    routed = route_trainings([], str(tmp_path), 3)
    assert routed.paths == (None, None, None)
    assert routed.facts == TrainingFacts(count=0, latest_end=None)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_iterable_raises_and_leaves_its_files_closed(tmp_path: Path) -> None:
    """The caller removes the folder (a run removes its temporary folder); nothing stays open."""
    day = date(2024, 1, 8)
    made = [Training(n, "course", day, day, 2) for n in ("85073003328", "50073003369")]

    def failing() -> Iterator[Training]:
        yield from made
        raise ValueError("the third training is unreadable")

    before = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else None
    with (
        pytest.MonkeyPatch.context() as patch,
        pytest.raises(ValueError, match="third training"),
    ):
        patch.setattr(training_buckets, "_BUFFERED", 1)  # written before the failure
        route_trainings(failing(), str(tmp_path), 2)
    assert list(tmp_path.iterdir())
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def test_routing_holds_no_training_once_written(tmp_path: Path) -> None:
    """Only the facts stay (employers by key): none of the trainings routed."""
    day = date(2024, 2, 5)
    acme = Employer(EnterpriseNumber("0403019261"))

    def fresh() -> Iterator[Training]:
        for number in range(300):
            niss = ("85073003328", "50073003369", "72020200110")[number % 3]
            yield Training(niss, "course", day, day, 1, employer=acme if number % 2 else None)

    def alive() -> int:
        gc.collect()
        return sum(isinstance(item, Training) for item in gc.get_objects())

    before = alive()
    routed = route_trainings(fresh(), str(tmp_path), 4)
    assert alive() == before
    assert routed.facts.count == 300
    assert sum(len(read_routed(path)) for path in routed.paths) == 300
