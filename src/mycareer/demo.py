"""The embedded, fictitious demo sample: one employer, a handful of workers.

Everything in it is invented (identifiers carry valid check digits): one
employer (enterprise number 0403.019.261, PC 200) with six workers, its DmfA
declarations from Q4 2022 to Q4 2025, its Dimona declarations with the ONSS
notifications and a sidecar of outcomes, caller-supplied career periods
(unemployment, sickness, studies) in the career-records format, and a CSV of
trainings followed. ``career.json`` holds the same workers' careers as a caller
without declarations would give them, in the JSON of :mod:`mycareer.converter`.

>>> with demo_paths() as paths:
...     sorted(p.name for p in paths.dmfa.iterdir())[:2], paths.trainings.name
(['dmfa-0403019261-20224.xml', 'dmfa-0403019261-20231.xml'], 'trainings.csv')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import attrs

from mycareer._html import summarised
from mycareer.career import CareerRecords
from mycareer.converter import from_json

__all__ = [
    "DEMO_AS_OF",
    "DEMO_YEAR",
    "DemoPaths",
    "DemoSample",
    "demo_files",
    "demo_paths",
    "load_demo",
]

#: The demo is shown as of the last day of its last declared quarter.
DEMO_AS_OF = date(2025, 12, 31)
#: The year whose training right the demo computes.
DEMO_YEAR = 2025


@attrs.frozen
class DemoPaths:
    """Where the demo files are on disk."""

    root: Path

    @property
    def dmfa(self) -> Path:
        """Folder of DmfA originals, one file per quarter."""
        return self.root / "dmfa"

    @property
    def dimona(self) -> Path:
        """Folder of Dimona declarations, ONSS notifications and ``outcomes.csv``."""
        return self.root / "dimona"

    @property
    def corrections(self) -> Path:
        """Folder of DmfA modification declarations (``DmfAUpdate``) correcting the originals."""
        return self.root / "corrections"

    @property
    def career_records(self) -> Path:
        """Caller-supplied periods (unemployment, sickness, studies) and names."""
        return self.root / "career-records.xml"

    @property
    def trainings(self) -> Path:
        """Trainings followed, in the CSV format of :mod:`mycareer.fla.trainings_io`."""
        return self.root / "trainings.csv"


def demo_files() -> Traversable:
    """The folder of demo files shipped inside the package."""
    return resources.files("mycareer.data.demo")


@contextmanager
def demo_paths() -> Iterator[DemoPaths]:
    """The demo files as real paths (extracted if the package is zipped)."""
    with resources.as_file(demo_files()) as root:
        yield DemoPaths(Path(root))


def _workers(items: Iterable[CareerRecords]) -> tuple[CareerRecords, ...]:
    return tuple(items)


@summarised
@attrs.frozen
class DemoSample:
    """The demo's career records in JSON form and the date they are shown as of."""

    as_of: date
    workers: tuple[CareerRecords, ...] = attrs.field(converter=_workers)


def load_demo() -> DemoSample:
    """Load ``career.json``: the demo careers as plain career records.

    >>> sample = load_demo()
    >>> sample.as_of.isoformat(), len(sample.workers)
    ('2025-12-31', 4)
    """
    text = (demo_files() / "career.json").read_text(encoding="utf-8")
    return from_json(text, DemoSample, source="mycareer/data/demo/career.json")
