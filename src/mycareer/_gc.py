"""Pausing the cyclic garbage collector around bulk builds of immutable records.

mycareer's records are frozen and acyclic, so reference counting frees them;
the cyclic collector only re-walks every live object of the caller's batch at
each generation-2 pass (a third to a half of a bulk read's time, measured in
docs/performance.md). Bulk entry points that build everything before returning
pause it; generators never do, since they hand control back to the caller.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector; restore its previous state on exit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
