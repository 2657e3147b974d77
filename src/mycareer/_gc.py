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
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["PARSES_PER_RELEASE", "bulk", "release_parsers"]

#: Loops of small parses (a file's first kilobytes) release every this many files: each
#: collection costs more than the little such a parse leaves (measured: release_parsers).
PARSES_PER_RELEASE = 32


class _Pause:
    """The blocks that paused the collector, across threads: the last one out restores it.

    Threads' blocks need not nest (a Dask worker runs several tasks at once): with a
    save-and-restore per block, the first task to end would switch the collector back
    on under the others. So the state found by the first block is restored when the
    last block ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocks = 0
        self._found = True

    def enter(self) -> None:
        with self._lock:
            if self._blocks == 0:
                self._found = gc.isenabled()
                gc.disable()
            self._blocks += 1

    def leave(self) -> None:
        with self._lock:
            self._blocks -= 1
            if self._blocks == 0 and self._found:
                gc.enable()


_PAUSE = _Pause()


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector for the caller's block; restore its state on exit.

    An opt-in for programs that read or compute many records at once: it
    changes process-wide state (every thread of the process runs without the
    cyclic collector meanwhile), so only use it where the whole process is
    yours, as the ``mycareer`` command does. Reference counting still frees
    mycareer's records, which hold no cycles. Nesting is safe, in one thread or
    across threads: the state found by the first block is restored when the
    last block ends.
    """
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.leave()


def release_parsers(parsed: int | None = None) -> None:
    """Free the documents finished lxml parses left in reference cycles, where the
    collector is paused (:func:`bulk`); nothing where it runs (its state is not changed).

    lxml's ``iterparse`` leaves reference cycles that keep each parsed document and its
    parser's buffers alive, in C memory the collector does not count (with a ``tag``
    filter, the tag matcher holds the document, the document its parser, the parser the
    matcher; a parse stopped early, about half a megabyte each): only a collection frees
    them. With the collector paused, 450 files' header scans kept 250 MB, and a group of
    many files every file's (2,000 small employers joined by one correction: 1,089 MB
    against 115 MB read by employer, docs/performance.md). With the collector paused,
    every object made since the last collection is young, so generation 0 holds the
    cycles of the parses finished since: collecting it alone costs the objects made
    since, once (3,000 header scans: 0.6 s against 1.9 s for full collections).

    Call it between files, once the file's parse is over: a cycle still in use moves to
    an older generation, out of reach (so too a parse another thread is reading: where
    several threads work under one pause, a Dask worker's, run one thread a worker).
    ``parsed``: a loop's count of small parses so far; only every
    :data:`PARSES_PER_RELEASE`-th call releases then.
    """
    if gc.isenabled() or (parsed is not None and parsed % PARSES_PER_RELEASE):
        return
    gc.collect(0)
