"""An explicit, caller-owned pause of the cyclic garbage collector for bulk work.

mycareer's records are frozen and acyclic, so reference counting frees them;
the cyclic collector only re-walks every live object of a batch at each
generation-2 pass (a fifth to a third of a bulk read's time, see
docs/performance.md). The collector is process-wide state, so library calls
never switch it themselves: a caller who wants that speed asks for it around
its own block with :func:`bulk`, and the CLI does so for its own process.

>>> import gc
>>> import mycareer
>>> with mycareer.bulk():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["bulk"]


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector for the caller's block; restore its state on exit.

    An opt-in for programs that read or compute many records at once: it
    changes process-wide state (every thread of the process runs without the
    cyclic collector meanwhile), so only use it where the whole process is
    yours, as the ``mycareer`` command does. Reference counting still frees
    mycareer's records, which hold no cycles. Nesting is safe: the outer block
    restores the state it found.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
