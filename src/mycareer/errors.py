"""Errors raised by mycareer.

Every leaf error subclasses :class:`MycareerError` and, where natural, the matching
builtin (``ValueError``), as attrs and python-stdnum do. Batch operations collect
every problem and raise one :class:`MycareerErrorGroup`; :func:`flatten_errors`
turns any error tree into ``"message @ $.path"`` lines.

>>> try:
...     with ErrorCollector("$.workers") as errors:
...         for index, raw in enumerate(["ok", "bad", "worse"]):
...             with errors.at(f"[{index}]"):
...                 if raw != "ok":
...                     raise InvalidValueError(f"unexpected value {raw!r}")
... except MycareerErrorGroup as group:
...     print("\\n".join(flatten_errors(group)))
unexpected value 'bad' @ $.workers[1]
unexpected value 'worse' @ $.workers[2]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

import attrs

from mycareer._validators import is_a

__all__ = [
    "CappedErrors",
    "ErrorCollector",
    "InputError",
    "InvalidEnterpriseNumberError",
    "InvalidJointCommissionError",
    "InvalidNissError",
    "InvalidNssoNumberError",
    "InvalidPeriodError",
    "InvalidQuarterError",
    "InvalidValueError",
    "InvalidWorkFractionError",
    "MycareerError",
    "MycareerErrorGroup",
    "SourceRef",
    "UnsupportedDocumentError",
    "WorkerProcessLostError",
    "flatten_errors",
]


@attrs.frozen
class SourceRef:
    """Where a record came from: a file, a line in it, and a record path.

    >>> str(SourceRef("q1.xml", 42, "$.workers[3]"))
    'q1.xml:42 $.workers[3]'
    >>> str(SourceRef(record="$.periods[0]"))
    '$.periods[0]'
    """

    file: str | None = attrs.field(default=None, validator=is_a(str, optional=True))
    line: int | None = attrs.field(default=None, validator=is_a(int, optional=True))
    record: str | None = attrs.field(default=None, validator=is_a(str, optional=True))

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        if self.record:
            where = f"{where} {self.record}" if where else self.record
        return where or "<unknown>"


class MycareerError(Exception):
    """Base class of every error raised on purpose by mycareer."""


class InvalidValueError(MycareerError, ValueError):
    """A value was refused. ``path`` and ``source`` say where it was found."""

    def __init__(
        self, message: str, *, path: str | None = None, source: SourceRef | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.source = source

    def __repr__(self) -> str:
        """Keeps where the value was found (file, line, path), unlike ``Exception``'s repr.

        >>> InvalidValueError("bad", source=SourceRef("q1.xml", 3), path="$.end")
        InvalidValueError('bad', source=SourceRef(file='q1.xml', line=3, record=None), path='$.end')
        """
        where = "".join(
            f", {name}={value!r}"
            for name, value in (("source", self.source), ("path", self.path))
            if value is not None
        )
        return f"{type(self).__name__}({self.message!r}{where})"

    def __str__(self) -> str:
        text = self.message
        if self.source is not None:
            text = f"{self.source}: {text}"
        if self.path:
            text = f"{text} @ {self.path}"
        return text


class InvalidPeriodError(InvalidValueError):
    """A period whose end lies before its start, or an impossible date."""


class InvalidNissError(InvalidValueError):
    """A NISS/INSZ (national or BIS number) that fails validation."""


class InvalidEnterpriseNumberError(InvalidValueError):
    """An enterprise number (KBO/BCE) that fails validation."""


class InvalidNssoNumberError(InvalidValueError):
    """An ONSS/RSZ registration number outside its ranges."""


class InvalidJointCommissionError(InvalidValueError):
    """A joint committee code that is not ``CCC``, ``CCC.CC``, ``CCC.CC.CC`` or ``XXX``."""


class InvalidWorkFractionError(InvalidValueError):
    """A work fraction (Q/S) that cannot exist, e.g. S = 0 or a negative Q."""


class InvalidQuarterError(InvalidValueError):
    """A quarter that is not ``YYYYQ`` with Q in 1..4."""


class InputError(InvalidValueError):
    """A document or file that cannot be read: malformed, truncated, unsafe or of the wrong kind."""


class UnsupportedDocumentError(InputError):
    """A well-formed document of a kind mycareer does not read (yet)."""


class WorkerProcessLostError(MycareerError, RuntimeError):
    """A worker process of a run with several jobs ended before its task did: killed (the
    system's out-of-memory killer sends SIGKILL) or ended by some other signal. The run
    stops; the message names the process and how it ended, and the pool's
    ``BrokenProcessPool`` is its ``__cause__`` (a ``RuntimeError``, as that one is)."""


class MycareerErrorGroup(ExceptionGroup[Exception], MycareerError):
    """Every problem found in one batch, each with its path.

    ``flatten_errors(group)`` gives one line per problem.
    """

    def __new__(cls, message: str, errors: Sequence[Exception]) -> MycareerErrorGroup:
        return super().__new__(cls, message, errors)

    def derive(self, excs: Sequence[Exception]) -> MycareerErrorGroup:  # type: ignore[override]
        return MycareerErrorGroup(self.message, excs)


def _error_line(error: BaseException) -> str:
    if isinstance(error, InvalidValueError):
        return str(error)
    notes = getattr(error, "__notes__", None)
    text = str(error) or type(error).__name__
    if notes:
        text = f"{text} ({'; '.join(str(note) for note in notes)})"
    return text


def flatten_errors(error: BaseException) -> list[str]:
    """One ``"message @ path"`` line per leaf error, depth first, in order.

    >>> flatten_errors(InvalidPeriodError("bad", path="$.periods[1].end"))
    ['bad @ $.periods[1].end']
    """
    if isinstance(error, BaseExceptionGroup):
        lines: list[str] = []
        for inner in error.exceptions:
            lines.extend(flatten_errors(inner))
        return lines
    return [_error_line(error)]


class CappedErrors:
    """A list of errors that keeps the first ``limit`` and counts the rest.

    Readers pass :data:`mycareer.limits.MAX_ERRORS_PER_INPUT`; :meth:`listed`
    ends with one summary error when some were left out, so memory stays
    bounded however many records of an input are bad.

    >>> errors = CappedErrors(2)
    >>> for index in range(5):
    ...     errors.append(InvalidValueError(f"bad {index}"))
    >>> [str(e) for e in errors.listed("x.csv")]
    ['bad 0', 'bad 1', 'x.csv: 3 more error(s) not listed (at most 2 per input)']
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.kept: list[InvalidValueError] = []

    def append(self, error: InvalidValueError) -> None:
        self.count += 1
        if self.count <= self.limit:
            self.kept.append(error)

    def __len__(self) -> int:
        return self.count

    def listed(self, label: str) -> list[InvalidValueError]:
        if self.count <= self.limit:
            return list(self.kept)
        more = InvalidValueError(
            f"{self.count - self.limit} more error(s) not listed (at most {self.limit} per input)",
            source=SourceRef(label),
        )
        return [*self.kept, more]


class ErrorCollector:
    """Collect errors over a batch, each tagged with its path, and raise them together.

    Use ``with collector.at("[3].end"):`` around the work for one record: an
    :class:`InvalidValueError` raised inside is recorded with its full path and
    the batch goes on. On exit, if anything was recorded, a
    :class:`MycareerErrorGroup` is raised (unless ``raise_on_exit=False``).
    """

    def __init__(
        self, root: str = "$", *, raise_on_exit: bool = True, limit: int | None = None
    ) -> None:
        self._path = [root]
        self.errors: list[InvalidValueError] = []
        self._raise_on_exit = raise_on_exit
        #: Keep at most this many errors (None: all); :attr:`dropped` counts the rest.
        self.limit = limit
        self.dropped = 0

    @property
    def path(self) -> str:
        return "".join(self._path)

    def __enter__(self) -> ErrorCollector:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None and self._raise_on_exit:
            self.raise_if_any()

    @contextmanager
    def at(self, step: str) -> Iterator[None]:
        """Run a block for one record; record its error instead of stopping."""
        self._path.append(step if step.startswith(("[", ".")) else f".{step}")
        try:
            yield
        except InvalidValueError as error:
            self.add(error)
        finally:
            self._path.pop()

    def add(self, error: InvalidValueError) -> None:
        """Record an error, prefixing its path with the collector's current path."""
        if self.limit is not None and len(self.errors) >= self.limit:
            self.dropped += 1
            return
        if error.path is None or not error.path.startswith("$"):
            error.path = self.path + (error.path or "")
        self.errors.append(error)

    def summarise(self, label: str) -> None:
        """Add one error counting those beyond :attr:`limit`, if any were dropped."""
        if self.dropped:
            self.errors.append(
                InvalidValueError(
                    f"{self.dropped} more error(s) not listed (at most {self.limit} per input)",
                    source=SourceRef(label),
                )
            )
            self.dropped = 0

    def raise_if_any(self, message: str = "invalid input") -> None:
        if self.errors:
            count = len(self.errors)
            raise MycareerErrorGroup(f"{message}: {count} problem(s)", list(self.errors))
