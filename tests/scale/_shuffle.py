"""Test helper: make ``mycareer timeline`` go through the shuffle on small test files."""

from __future__ import annotations

from typing import Any

import pytest

from mycareer import timeline_jobs
from mycareer.timeline_jobs import TimelineRun


def always_shuffle(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Lower the 8 MB the shuffle waits for to 1 byte, and count its runs: the list gets
    the arguments of each :func:`~mycareer.timeline_jobs.execute` call."""
    monkeypatch.setattr(timeline_jobs, "_TASK_BYTES", 1)
    taken: list[object] = []
    real = timeline_jobs.execute

    def counted(*arguments: Any) -> TimelineRun | None:
        taken.append(arguments)
        return real(*arguments)

    monkeypatch.setattr(timeline_jobs, "execute", counted)
    return taken
