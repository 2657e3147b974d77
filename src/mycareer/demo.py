"""The embedded, fictitious demo sample: one employer, a handful of workers.

Every name and number in it is invented (identifiers carry valid check digits).

>>> sample = load_demo()
>>> sample.as_of.isoformat(), len(sample.workers)
('2025-12-31', 4)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from importlib import resources

import attrs

from mycareer.career import CareerRecords
from mycareer.converter import from_json

__all__ = ["DemoSample", "demo_files", "load_demo"]


def _workers(items: Iterable[CareerRecords]) -> tuple[CareerRecords, ...]:
    return tuple(items)


@attrs.frozen
class DemoSample:
    """The demo's career records and the fixed date it is shown as of."""

    as_of: date
    workers: tuple[CareerRecords, ...] = attrs.field(converter=_workers)


def demo_files() -> resources.abc.Traversable:
    """The folder of demo files shipped inside the package."""
    return resources.files("mycareer.data.demo")


def load_demo() -> DemoSample:
    """Load the career records of the demo sample."""
    text = (demo_files() / "career.json").read_text(encoding="utf-8")
    return from_json(text, DemoSample, source="mycareer/data/demo/career.json")
