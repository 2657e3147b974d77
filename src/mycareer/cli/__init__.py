"""The ``mycareer`` command line.

Each subcommand lives in its own module under :mod:`mycareer.cli` and exposes
``register(subparsers)``; the module names are listed in ``COMMANDS``.
Exit codes: 0 every input processed, 1 some input could not be processed
(the rest is still output), 2 usage error, 71 stopped by the system (out of memory, a
worker process killed), 74 a write refused (disk full, file too large), 130 interrupted,
143 terminated. ``--output FILE``
is written here, atomically, for every command that has the option. What all commands
share (wording, option order, help layout, exit codes) lives in :mod:`mycareer.cli._common`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import os
import signal
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from mycareer import __version__
from mycareer._gc import bulk
from mycareer.cli._common import (
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SYSTEM,
    EXIT_TERMINATED,
    EXIT_USAGE,
    EXIT_WRITE,
    INPUT_PATH_OPTIONS,
    MISSING,
    NAME_BYTES_BACK,
    OUTPUT_FILE,
    PLOT_SUFFIXES,
    ArgumentParser,
    default_jobs,
    error_line,
    finish_parser,
    missing_paths,
)
from mycareer.errors import MycareerError, WorkerProcessLostError, flatten_errors
from mycareer.limits import shown
from mycareer.outputs import OutputError, OutputRefusedError, atomic_output, refuse_inputs

__all__ = [
    "COMMANDS",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SYSTEM",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "EXIT_WRITE",
    "Terminated",
    "build_parser",
    "main",
]

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "demo",
    "validate",
    "convert",
    "timeline",
    "entitlements",
    "account",
    "schema",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only``, just that command's module is imported.

    Each command module imports what its command needs (readers, engines,
    writers); loading one instead of all saves about 0.1 s of start-up, which
    is a visible share of a short run. The other commands stay known by name.
    """
    parser = ArgumentParser(  # usage errors quote arguments cut (its subparsers too)
        prog="mycareer",
        description="Belgian career data (DmfA, Dimona) and the individual training right.",
        epilog="Independent of the public mycareer.be portal.",
    )
    parser.add_argument("--version", action="version", version=f"mycareer {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            module = importlib.import_module(f"mycareer.cli._{name}")
            module.register(subparsers)
            one = getattr(module, "EXIT_ONE", None)
            finish_parser(subparsers.choices[name], **({} if one is None else {"one": one}))
        else:
            subparsers.add_parser(name)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named first in ``argv``, if it is one of ``COMMANDS``."""
    for token in argv:
        if token.startswith("-"):
            return None  # a top-level option such as --help or --version comes first
        return token if token in COMMANDS else None
    return None


#: The commands with ``--jobs`` and the module their worker processes run.
_WORKER_MODULES: dict[str, str] = {
    "entitlements": "mycareer.pipeline",
    "timeline": "mycareer.timeline_jobs",
    "account": "mycareer.account_jobs",
}


def _jobs_asked(arguments: Sequence[str]) -> int | None:
    """The ``--jobs`` value in ``arguments`` (None: not given or not a number)."""
    for index, token in enumerate(arguments):
        value = None
        if token == "--jobs" and index + 1 < len(arguments):
            value = arguments[index + 1]
        elif token.startswith("--jobs="):
            value = token.removeprefix("--jobs=")
        if value is not None:
            return int(value) if value.isdigit() and len(value) < 8 else None
    return None


def start_workers_early(arguments: Sequence[str]) -> bool:
    """Start the worker processes' forkserver now, importing what they run; True if started.

    Only for the console command (its own process: the forkserver's preload list is
    process-wide state, which library calls never change) and only for a command
    that may run more than one process. The forkserver imports mycareer (about 0.5 s)
    while this process parses its arguments and plans the run, and each worker forks
    from it already loaded instead of importing on its own after the plan
    (docs/performance.md, "Using every core").
    """
    module = _WORKER_MODULES.get(_command_of(arguments) or "")
    jobs = _jobs_asked(arguments)
    if module is None or os.name != "posix" or jobs == 1:
        return False
    if jobs is None and default_jobs() < 2:
        return False
    import multiprocessing
    from multiprocessing import forkserver, resource_tracker

    multiprocessing.set_forkserver_preload([module])
    # The forkserver (and the workers it forks) block SIGINT: a Ctrl-C reaches the whole
    # process group, and only this process handles it (it ends the workers). Without
    # this, a Ctrl-C while the forkserver imports printed its traceback. A signal mask
    # is kept across the forkserver's fork and exec; here a Ctrl-C that comes meanwhile
    # is only delayed, and raised once SIGINT is unblocked. The resource tracker starts
    # first: starting, it unblocks SIGINT in this process (it blocks it for its own).
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return True


def _end_workers_server() -> None:
    """End the forkserver :func:`start_workers_early` started, once the command is stopped.

    A command stopped while the forkserver still imports (its first half-second) had
    asked it for a worker: forked after the command ended, that worker found the pool
    gone and printed a traceback. Ended now, the forkserver forks nothing more.
    """
    from multiprocessing import forkserver

    # No public accessor: the forkserver's pid is the module's own record of it.
    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if isinstance(pid, int):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of exiting (for embedding).

    Run as the ``mycareer`` command (``argv`` None), a command that may run several
    worker processes starts them early (:func:`start_workers_early`), and Ctrl-C or
    SIGTERM, from the moment this function runs, ends the command with one line and
    exit 130 or 143; an embedding caller passes ``argv``, keeps its process as it was
    and gets the :class:`KeyboardInterrupt`.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if argv is not None:
        return _command(arguments)
    # The command's own process: SIGTERM (a scheduler's timeout, `kill`) unwinds like
    # Ctrl-C, so worker processes, temporary files and a partial --output go too.
    if threading.current_thread() is threading.main_thread():  # where Python allows it
        signal.signal(signal.SIGTERM, _stop_handler(Terminated))
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored
            signal.signal(signal.SIGINT, _stop_handler(KeyboardInterrupt))
        sys.unraisablehook = _quiet_stops(sys.unraisablehook)
    sys.stdout = _whole_writes(sys.stdout)
    _name_bytes_back(sys.stdout)
    started = False
    try:
        started = start_workers_early(arguments)
        code = _command(arguments)
        _raise_if_stopped()  # a stop some code turned into an error line or swallowed
        if code == EXIT_WRITE:
            _drop_unwritable_stdout()
        return code
    except KeyboardInterrupt as stop:
        return _stopped(stop, arguments, started=started)
    except Exception:
        if not _STOPS:
            raise
        # Python 3.11 turns a KeyboardInterrupt raised in a class's creation into a
        # RuntimeError ("Error calling __set_name__"): seen once in 200 runs stopped early.
        return _stopped(_STOPS[0](), arguments, started=started)


class _WholeWrites(io.RawIOBase):
    """A raw file whose write writes all it is given, or raises (nothing is kept)."""

    def __init__(self, raw: io.FileIO) -> None:
        self._raw = raw

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def isatty(self) -> bool:
        return self._raw.isatty()

    def write(self, data: object) -> int:
        view = memoryview(data).cast("B")  # type: ignore[arg-type]
        total = len(view)
        while view:
            written = self._raw.write(view)
            if written is None:  # a non-blocking file that is full: as unbuffered did
                break
            view = view[written:]
        return total - len(view)


def _whole_writes(stream: object) -> object:
    """Standard output unbuffered (``-u``, ``PYTHONUNBUFFERED``) writes straight to its raw
    file, and ``TextIOWrapper`` ignores a short write (a disk filling up, a file size
    limit): the rest was dropped without a word, exit 0. Given a raw file that writes
    the rest, the refusal of the next write is raised. The command's own process only."""
    if not (isinstance(stream, io.TextIOWrapper) and isinstance(stream.buffer, io.FileIO)):
        return stream
    whole: Any = _WholeWrites(stream.buffer)  # a raw file: typeshed asks for a buffered one
    return io.TextIOWrapper(
        whole, encoding=stream.encoding, errors=stream.errors,
        line_buffering=stream.line_buffering, write_through=True,
    )  # fmt: skip


def _name_bytes_back(stream: object) -> None:
    """Standard output writes file names' bytes back (:data:`NAME_BYTES_BACK`): a strict
    one (a UTF-8 locale) raised UnicodeEncodeError on a file name that is not UTF-8.
    The command's own process only."""
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        with contextlib.suppress(ValueError, OSError):  # closed, or not reconfigurable
            stream.reconfigure(errors=NAME_BYTES_BACK)


def _stopped(stop: KeyboardInterrupt, arguments: list[str], *, started: bool) -> int:
    """Say the command was stopped, in one line; its exit code (130 or 143)."""
    # Worker processes and temporary files are gone by now (their context managers ran).
    if started or "multiprocessing.forkserver" in sys.modules:  # interrupted as it started
        _end_workers_server()
    terminated = isinstance(stop, Terminated)
    what, command = "terminated" if terminated else "interrupted", _command_of(arguments)
    print(error_line(command, what) if command else f"mycareer: error: {what}", file=sys.stderr)
    return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED


def _command(arguments: list[str]) -> int:
    """Parse ``arguments`` and run the command they name."""
    parser = build_parser(only=_command_of(arguments))
    try:
        args = parser.parse_args(arguments)
    except SystemExit as stop:  # argparse exits 2 on usage errors, 0 on --help
        return int(stop.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        refused = _output_refused(args)
    except OSError as error:  # a name the system will not look up (too long, a loop)
        refused = f"--output {getattr(args, OUTPUT_FILE)}: {error.strerror or error}"
    if refused is not None:
        print(error_line(args.command, refused), file=sys.stderr)
        return EXIT_USAGE
    missing = [] if getattr(args, "reports_missing", False) else missing_paths(args)
    dropped = _drop_missing(args, missing) if missing else []
    # The CLI owns its process, so it opts in to mycareer.bulk(): the cyclic collector is
    # paused for the whole command (the records are immutable and acyclic; collection during
    # bulk reads only costs time, docs/performance.md). Library calls never do this themselves.
    from mycareer.cli._progress import RunProgress

    args.progress = progress = RunProgress(args.command)  # phases and the summary line
    try:
        with bulk():
            code: int = _handle(args)
    except (WorkerProcessLostError, MemoryError) as error:
        _raise_if_stopped()  # a stop ends the worker processes too: said as a stop
        print(error_line(args.command, _stopped_by_system(error)), file=sys.stderr)
        code = EXIT_SYSTEM
    except MycareerError as error:
        for line in flatten_errors(error):
            print(error_line(args.command, line), file=sys.stderr)
        unwritten = isinstance(error, OutputError) and not isinstance(error, OutputRefusedError)
        code = EXIT_WRITE if unwritten else EXIT_INPUT  # an output the system refused
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # the machine's trouble, not the input's: no traceback either
        code, message = _refused_by_system(error, args)
        print(error_line(args.command, message), file=sys.stderr)
    code = max(code, EXIT_INPUT) if dropped else code
    progress.finish(code)
    return code


_OUT_OF_MEMORY: Final = (
    "out of memory: the run was stopped; run it again with fewer --jobs (each "
    "worker process holds its own employers), or where there is more memory"
)


def _stopped_by_system(error: BaseException) -> str:
    return _OUT_OF_MEMORY if isinstance(error, MemoryError) else str(error)


#: How the system refuses a write: a disk or quota full, a file too large, a read-only
#: or failing disk, no permission.
_WRITE_REFUSED: Final = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EIO", "EACCES", "EPERM")
    if hasattr(errno, name)
)


def _refused_by_system(error: OSError, args: argparse.Namespace) -> tuple[int, str]:
    """The exit code and the line for an OSError the run did not expect: a refused write
    (74), or another refusal of the system (71: no process could be started, too many
    open files)."""
    reason = error.strerror or str(error)
    if error.errno == errno.ENOMEM:  # memory ran out (a cleanup after a MemoryError)
        return EXIT_SYSTEM, _OUT_OF_MEMORY
    if error.errno not in _WRITE_REFUSED:
        where = "" if error.filename is None else f"{os.fsdecode(error.filename)}: "
        return EXIT_SYSTEM, f"{where}the system refused: {reason}"
    return EXIT_WRITE, _cannot_write(reason, error, args)


def _cannot_write(reason: str, error: OSError, args: argparse.Namespace) -> str:
    """What a refused write says: the file when the system names it, else every place the
    command writes to (a write to an open file does not say which it was)."""
    if error.filename is not None:
        return f"{os.fsdecode(error.filename)}: {reason}"
    output = getattr(args, OUTPUT_FILE, None)
    if output is None and isinstance(getattr(args, "output", None), str):  # convert's OUT
        output = args.output
    target = "standard output" if output in (None, "-") else output  # named as given
    folder = tempfile.gettempdir()
    return f"cannot write {target} or a temporary file in {folder} (TMPDIR names another): {reason}"


def _drop_unwritable_stdout() -> None:
    """Send what standard output still holds to /dev/null when it cannot be written, so
    that Python's exit does not fail on it again (the recipe of the `signal` module's
    documentation for a closed pipe). The command's own process only."""
    try:
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, sys.stdout.fileno())
            finally:
                os.close(null)


class Terminated(KeyboardInterrupt):
    """SIGTERM, in the ``mycareer`` command's own process: unwinds as Ctrl-C does."""


#: The stops (Ctrl-C, SIGTERM) signalled to the command's own process, in order.
_STOPS: list[type[KeyboardInterrupt]] = []


def _stop_handler(stop: type[KeyboardInterrupt]) -> Callable[[int, object], None]:
    def handler(_signal: int, _frame: object) -> None:
        _STOPS.append(stop)
        raise stop

    return handler


def _quiet_stops(
    previous: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], None]:
    """An unraisable-exception hook that says nothing of our own stops: a stop landing in
    a callback Python cannot raise from (an import lock's weakref callback, seen once in
    about a hundred runs stopped 0.2 s in) was printed as "Exception ignored ... Traceback"
    before the command's one line; :func:`_raise_if_stopped` raises it again anyway."""

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        value = unraisable.exc_value
        if not (isinstance(value, KeyboardInterrupt) and type(value) in _STOPS):
            previous(unraisable)

    return hook


def _raise_if_stopped() -> None:
    """Raise again a stop that some code swallowed, before the output is kept.

    A Ctrl-C that lands while lxml initialises its module (imported on the command's
    first read) is lost there, and the run went on to write its output and exit 0:
    about one run in fifty stopped 0.1 s after the start.
    """
    if _STOPS:
        raise _STOPS[0]


class _Discarded(Exception):
    """The command ended with a usage error: its ``--output`` is not written."""


def _handle(args: argparse.Namespace) -> int:
    """Run the command, its output to ``--output`` (atomically) when it names a file."""
    output = getattr(args, OUTPUT_FILE, None)
    if output is None or output == "-":
        code = int(args.handler(args))
        _raise_if_stopped()
        if code != EXIT_WRITE:  # else said already (demo's step): not said again
            sys.stdout.flush()  # a disk full shows here, as an error line, not at exit
        return code
    try:
        with atomic_output(output, "w", errors=NAME_BYTES_BACK) as stream:
            code = int(args.handler(args, stream))
            _raise_if_stopped()
            if code == EXIT_USAGE:  # refused before any work: the file stays as it was
                raise _Discarded
    except _Discarded:
        return EXIT_USAGE
    return code


def _name_key(name: str) -> str:
    """A file name as a case- and normalisation-insensitive filesystem compares it
    (macOS, Windows): Unicode canonical caseless matching, NFD(casefold(NFD(name)))."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def _same_name(one: Path, other: Path) -> bool:
    """Whether two paths may name one file: in the same folder, names compared without
    case or Unicode normalisation (``é`` as one character or two), as macOS and Windows
    filesystems would."""
    return one.parent.resolve() == other.parent.resolve() and (
        _name_key(one.name) == _name_key(other.name)
    )


def _worker_picture(plot: Path, target: Path) -> bool:
    """Whether ``target`` may have the name ``--plot`` gives one worker's picture when it
    draws several (``STEM-NISS.SUFFIX``, in the same folder): see ``_timeline``."""
    if target.parent.resolve() != plot.parent.resolve():
        return False
    stem, suffix, name = _name_key(plot.stem), _name_key(plot.suffix), _name_key(target.name)
    if not (name.startswith(f"{stem}-") and name.endswith(suffix)):
        return False
    niss = name[len(stem) + 1 : len(name) - len(suffix)]
    return len(niss) == 11 and niss.isascii() and niss.isdigit()


def _output_refused(args: argparse.Namespace) -> str | None:
    """Why ``--output`` cannot be written (checked before any work), or None."""
    output = getattr(args, OUTPUT_FILE, None)
    if output is None or output == "-":
        return None
    target = Path(output)
    if not output or target.is_dir():
        return f"--output {shown(output)}: give a file name, not a folder"
    inputs: list[str] = []
    for dest in (*INPUT_PATH_OPTIONS, "rules"):  # a rules file is read too
        value = getattr(args, dest, None)
        inputs.extend(map(str, value if isinstance(value, list) else [value] if value else []))
    try:
        refuse_inputs([output], inputs)
    except OutputRefusedError as refused:
        return f"--output: {refused}"
    if target.exists() and not target.is_file():  # a device or a pipe: not replaced
        return f"--output {shown(output)}: not a regular file (use a shell redirect)"
    resolved = target.resolve()
    folders = [*inputs, getattr(args, "schema_dir", None) or ""]
    for folder in filter(None, folders):
        if Path(folder).is_dir() and resolved.is_relative_to(Path(folder).resolve()):
            return f"--output {shown(output)}: inside {folder}, an input folder of the same run"
    plot = getattr(args, "plot", None)
    if not plot or Path(plot).suffix.lower() not in PLOT_SUFFIXES:
        return None  # no picture: the command reports a bad --plot itself
    if _same_name(Path(plot), target):
        return f"--output and --plot name the same file ({output})"
    if _worker_picture(Path(plot), target):
        return f"--output {shown(output)}: --plot draws a worker's picture under that name"
    return None


def _drop_missing(args: argparse.Namespace, missing: Sequence[str]) -> list[str]:
    """Report each missing input path in the one wording and drop it from ``args``.

    Returns the paths dropped. When no input would be left, they all stay: the command
    then reports them itself, after its own usage checks (a usage error still exits 2).
    """
    gone = set(missing)
    lists = {
        dest: value
        for dest in INPUT_PATH_OPTIONS
        if isinstance(value := getattr(args, dest, None), list)
    }
    kept = {
        dest: [item for item in value if str(item) not in gone] for dest, value in lists.items()
    }
    if not any(kept.values()):
        return []
    dropped = [str(item) for value in lists.values() for item in value if str(item) in gone]
    for dest, items in kept.items():
        setattr(args, dest, items)
    for path in dropped:
        print(error_line(args.command, f"{path}: {MISSING}"), file=sys.stderr)
    return dropped
