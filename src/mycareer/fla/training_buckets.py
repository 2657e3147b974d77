"""Trainings routed by worker into bucket files in one pass, for a run shuffled by worker.

A run that reduces its accounts bucket by bucket of workers (``mycareer account`` in
every format, :mod:`mycareer.account_jobs`) needs each training only in its
worker's bucket. :func:`route_trainings` reads the caller's trainings once, appends
each, with its place in the caller's order, to its bucket's file (``bucket_of`` on the
NISS, the credits' own rule) and keeps only what the whole run needs of them, whose
size grows with the employers they name, not with the trainings
(:class:`TrainingFacts`): their count, the latest end (the default statement date),
the first employer each key is named with, and the keys named with two employers.
So the calling process no longer holds every training (686 bytes each, measured in
``docs/performance.md``, "Accounts on several cores").

>>> import tempfile
>>> from datetime import date
>>> from fractions import Fraction
>>> from mycareer.niss import Niss
>>> from mycareer.fla.trainings import Training
>>> def training(niss: str, day: int) -> Training:
...     return Training(niss=Niss(niss), name="First aid", start=date(2024, 3, day),
...                     end=date(2024, 3, day), hours=Fraction(8))
>>> with tempfile.TemporaryDirectory() as folder:
...     routed = route_trainings(
...         [training("85073003328", 4), training("93051822361", 9)], folder, buckets=4
...     )
...     found = sorted(n for path in routed.paths if path for n, _t in read_routed(path))
>>> routed.facts.count, routed.facts.latest_end, found
(2, datetime.date(2024, 3, 9), [0, 1])
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO

import attrs

from mycareer._processes import bucket_of
from mycareer.employer import Employer
from mycareer.fla.trainings import Training

__all__ = ["RoutedTrainings", "TrainingFacts", "read_routed", "route_trainings"]

#: Trainings held before they are written to their buckets' files (about 11 MB).
_BUFFERED = 16384


@attrs.define
class TrainingFacts:
    """What a run needs of all its trainings, whatever their number.

    ``employers`` maps each employer key the trainings name to the first employer it
    is named with (the training's order); ``varied`` holds the keys named with
    another employer too (an enterprise number with and without its NSSO number).
    """

    count: int = 0
    latest_end: date | None = None
    employers: dict[str, Employer] = attrs.Factory(dict)
    varied: set[str] = attrs.Factory(set)

    def note(self, training: Training) -> None:
        """Count ``training`` in."""
        self.count += 1
        if self.latest_end is None or training.end > self.latest_end:
            self.latest_end = training.end
        employer = training.employer
        if employer is not None:
            first = self.employers.setdefault(employer.key, employer)
            if first != employer:
                self.varied.add(employer.key)

    @classmethod
    def of(cls, trainings: Iterable[Training]) -> TrainingFacts:
        """The facts of ``trainings``."""
        facts = cls()
        for training in trainings:
            facts.note(training)
        return facts


@attrs.frozen
class RoutedTrainings:
    """Trainings written to one file per bucket of workers: ``paths[b]`` (None: none)."""

    facts: TrainingFacts
    paths: tuple[str | None, ...]


def route_trainings(trainings: Iterable[Training], folder: str, buckets: int) -> RoutedTrainings:
    """Each of ``trainings``, numbered in order, appended to its bucket's file in ``folder``.

    Files are named ``trainings-NNNNN``; read one back with :func:`read_routed`. If the
    iterable raises, the files written so far are the caller's to remove (with
    ``folder``).
    """
    facts = TrainingFacts()
    files: dict[int, IO[bytes]] = {}
    held: dict[int, list[tuple[int, Training]]] = {}
    try:
        for number, training in enumerate(trainings):
            facts.note(training)
            held.setdefault(bucket_of(training.niss.value, buckets), []).append((number, training))
            if number % _BUFFERED == _BUFFERED - 1:
                _write(held, files, folder)
        _write(held, files, folder)
    finally:
        for file in files.values():
            file.close()
    paths = tuple(_path(folder, b) if b in files else None for b in range(buckets))
    return RoutedTrainings(facts, paths)


def _path(folder: str, bucket: int) -> str:
    return os.path.join(folder, f"trainings-{bucket:05d}")


def _write(
    held: dict[int, list[tuple[int, Training]]], files: dict[int, IO[bytes]], folder: str
) -> None:
    for bucket, items in held.items():
        if bucket not in files:
            files[bucket] = open(_path(folder, bucket), "wb")  # noqa: SIM115 - closed by the caller
        pickle.dump(items, files[bucket], protocol=pickle.HIGHEST_PROTOCOL)
    held.clear()


def read_routed(path: str | None) -> list[tuple[int, Training]]:
    """A bucket's trainings as :func:`route_trainings` wrote them (None: none), in order."""
    return [item for chunk in _chunks(path) for item in chunk]


def _chunks(path: str | None) -> Iterator[list[tuple[int, Training]]]:
    if path is None:
        return
    with open(path, "rb") as file:
        while True:
            try:
                yield pickle.load(file)  # our own file, written by this run
            except EOFError:
                return
