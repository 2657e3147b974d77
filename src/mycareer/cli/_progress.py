"""Progress reporting for long CLI runs, on stderr.

Three modes, picked once per run by :func:`progress_mode`:

* ``"rich"``: a rich progress bar, when the optional extra ``mycareer[cli]`` is installed;
* ``"plain"``: one short line per step (``validate: 3/10 q1.xml``) without rich;
* ``"off"``: nothing at all, the default when stderr is not a terminal (pipes, CI, tests).

``MYCAREER_PROGRESS=rich|plain|off`` overrides the choice, e.g. to see plain lines in a log.
Commands use :func:`track` around the loop over their inputs, and the phases of their run
(:class:`RunProgress`, given to every command by the dispatcher as ``args.progress``)
around computing and writing; the run ends with a one-line summary:

>>> import io
>>> run = RunProgress("timeline", stream=(out := io.StringIO()), mode="plain")
>>> with run.phase("computing"):
...     run.count("workers", 25)
>>> run.finish(0, seconds=1.25)
>>> print(out.getvalue(), end="")  # doctest: +ELLIPSIS
timeline: computing...
timeline: computing done (... s)
timeline: done in 1.2 s: 25 workers, exit 0


>>> import io
>>> stream = io.StringIO()
>>> for name in track(["a.xml", "b.xml"], "validate", stream=stream, mode="plain",
...                   label=str):
...     pass
>>> print(stream.getvalue(), end="")
validate: 1/2 a.xml
validate: 2/2 b.xml
validate: done (2 items)
>>> list(track([1, 2], "quiet", stream=io.StringIO(), mode="off"))
[1, 2]
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TextIO, TypeVar

__all__ = ["PROGRESS_ENV", "ProgressMode", "RunProgress", "phases", "progress_mode", "track"]

T = TypeVar("T")

ProgressMode = Literal["rich", "plain", "off"]

#: Environment variable that forces a mode (``rich``, ``plain`` or ``off``).
PROGRESS_ENV = "MYCAREER_PROGRESS"


def _rich_available() -> bool:
    return importlib.util.find_spec("rich") is not None


def progress_mode(stream: TextIO | None = None) -> ProgressMode:
    """The mode for ``stream`` (default stderr): the env override, else by terminal and rich.

    >>> import io
    >>> progress_mode(io.StringIO())  # not a terminal
    'off'
    """
    forced = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if forced in ("rich", "plain", "off"):
        if forced == "rich" and not _rich_available():
            return "plain"
        return forced  # type: ignore[return-value]
    target = sys.stderr if stream is None else stream
    isatty = getattr(target, "isatty", None)
    if not (callable(isatty) and isatty()):
        return "off"
    return "rich" if _rich_available() else "plain"


def _plain(
    items: Iterable[T],
    description: str,
    total: int | None,
    stream: TextIO,
    label: Callable[[T], str] | None,
) -> Iterator[T]:
    count = 0
    for item in items:
        count += 1
        of = f"/{total}" if total is not None else ""
        suffix = f" {label(item)}" if label is not None else ""
        print(f"{description}: {count}{of}{suffix}", file=stream, flush=True)
        yield item
    print(f"{description}: done ({count} items)", file=stream, flush=True)


def _rich(items: Iterable[T], description: str, total: int | None, stream: TextIO) -> Iterator[T]:
    from rich.console import Console
    from rich.progress import Progress

    console = Console(file=stream)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


def track(
    items: Iterable[T],
    description: str,
    *,
    total: int | None = None,
    stream: TextIO | None = None,
    mode: ProgressMode | None = None,
    label: Callable[[T], str] | None = None,
) -> Iterator[T]:
    """Yield ``items`` unchanged while reporting progress on ``stream`` (default stderr).

    ``total`` defaults to ``len(items)`` when known; ``label`` names the current item in
    plain mode. Progress never goes to stdout, so piped output stays clean.
    """
    target = sys.stderr if stream is None else stream
    chosen = progress_mode(target) if mode is None else mode
    if total is None and isinstance(items, Sized):
        total = len(items)
    if chosen == "off":
        return iter(items)
    if chosen == "rich" and _rich_available():
        return _rich(items, description, total, target)
    return _plain(items, description, total, target, label)


def dmfa_progress(files: Sequence[Path]) -> Iterator[Path]:
    """Progress over the DmfA files a command reads (``read_dmfa(progress=...)``)."""
    return track(files, "reading DmfA", label=str)


class RunProgress:
    """The phases of one command's run on stderr (computing, writing) and its summary line.

    Reading is shown by :func:`track`; a phase without a known length shows its name
    (plain: one line when it starts and one when it ends; rich: a spinner). Nothing is
    shown in ``off`` mode. :meth:`finish` prints ``COMMAND: done in S s: COUNTS, exit N``.
    """

    def __init__(
        self, command: str, *, stream: TextIO | None = None, mode: ProgressMode | None = None
    ) -> None:
        self.command = command
        self.stream = sys.stderr if stream is None else stream
        self.mode: ProgressMode = progress_mode(self.stream) if mode is None else mode
        self.counts: dict[str, int] = {}
        self.started = self._since = time.perf_counter()
        self._current: str | None = None
        self._status: Any = None  # rich's spinner of the current phase

    def _say(self, text: str) -> None:
        print(f"{self.command}: {text}", file=self.stream, flush=True)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Show ``name`` while the block runs."""
        self.step(name)
        try:
            yield
        finally:
            self.step(None)

    def step(self, name: str | None) -> None:
        """End the phase being shown, if any, and start showing ``name`` (None: none)."""
        if self.mode == "off":
            return
        if self._status is not None:
            self._status.stop()
            self._status = None
        elif self._current is not None:
            self._say(f"{self._current} done ({time.perf_counter() - self._since:.1f} s)")
        self._current, self._since = name, time.perf_counter()
        if name is None:
            return
        if self.mode == "rich" and _rich_available():
            from rich.console import Console

            self._status = Console(file=self.stream).status(f"{self.command}: {name}...")
            self._status.start()
        else:
            self._say(f"{name}...")

    def count(self, what: str, number: int) -> None:
        """Add ``number`` to the count of ``what`` the summary line reports."""
        self.counts[what] = self.counts.get(what, 0) + number

    def finish(self, code: int, *, seconds: float | None = None) -> None:
        """The one-line summary of the run."""
        if self.mode == "off":
            return
        self.step(None)
        elapsed = time.perf_counter() - self.started if seconds is None else seconds
        counts = "".join(f"{number} {what}, " for what, number in self.counts.items())
        self._say(f"done in {elapsed:.1f} s: {counts}exit {code}")


def phases(args: Any) -> RunProgress:
    """The run's :class:`RunProgress` (``args.progress``), or a silent one outside the CLI."""
    progress = getattr(args, "progress", None)
    if isinstance(progress, RunProgress):
        return progress
    return RunProgress(getattr(args, "command", None) or "mycareer", mode="off")
