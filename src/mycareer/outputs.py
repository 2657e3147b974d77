"""How mycareer writes files: atomically, never through a symlink, never over an input.

Every file the library and the CLI write goes through :func:`atomic_output`
(or :func:`write_atomic`):

* the data go to a temporary file in the target's folder, renamed into place
  only once complete, so a failure leaves the old file (or no file), never half
  a file nor an empty one;
* the rename replaces whatever sits at the path: a symbolic link planted there
  is replaced, its target is never written;
* a new file is created with mode ``0o666`` minus the process umask (``0644``
  under the usual umask ``022``), as ``open(path, "w")`` would; a regular file
  that is replaced keeps its permission bits and its group (a report made
  private with ``chmod 600`` stays private), as ``open(path, "w")`` would keep
  them too; where its group cannot be kept, the group bits are dropped;
* a file the process may not write is not replaced (:class:`OutputError`), as
  ``open(path, "w")`` would refuse it: a rename needs only the folder's write
  permission, and would otherwise let one user take over another's report. The
  replacing file belongs to the process; a file with several names (hard links)
  gets its new content under this name only, its other names keep the old one;
* :func:`refuse_inputs` refuses an output path that is one of the run's inputs.

CSV cells holding free text go through :func:`csv_cell`, which neutralises
spreadsheet formulas the way OWASP recommends
(https://owasp.org/www-community/attacks/CSV_Injection): a cell beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any leading
apostrophes) gets one more leading apostrophe; :func:`csv_text` removes it
when reading back, so the transformation is exact both ways. Text made of
apostrophes only, the empty text included, gets one too: an empty cell then
means "no value" and ``'`` an empty text, so CSV keeps that difference.

>>> import pathlib, tempfile
>>> scratch = tempfile.TemporaryDirectory()
>>> folder = pathlib.Path(scratch.name)
>>> write_atomic(folder / "a.txt", "hello\\n")
>>> (folder / "a.txt").read_text()
'hello\\n'
>>> scratch.cleanup()
>>> csv_cell("=1+2"), csv_text(csv_cell("=1+2")), csv_cell("An"), csv_cell("'@x")
("'=1+2", '=1+2', 'An', "''@x")
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Final, Literal, cast, overload

from mycareer.errors import MycareerError, SourceRef

__all__ = [
    "OutputError",
    "OutputRefusedError",
    "atomic_output",
    "csv_cell",
    "csv_text",
    "named_refusals",
    "refuse_inputs",
    "write_atomic",
]

_FLAGS: Final = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_FORMULA: Final = re.compile(r"'*(?:[=+\-@\t\r]|\Z)")
_NEUTRALISED: Final = re.compile(r"'+(?:[=+\-@\t\r]|\Z)")


class OutputError(MycareerError):
    """A file could not be written (the old file, if any, is left as it was)."""

    def __init__(self, message: str, path: str | os.PathLike[str]) -> None:
        super().__init__(f"{os.fspath(path)}: {message}")
        self.message = message
        self.source = SourceRef(os.fspath(path))

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its message and path (a worker process sends it back pickled;
        ``Exception`` would call ``__init__`` with the one joined text)."""
        return type(self), (self.message, self.source.file), self.__dict__


class OutputRefusedError(OutputError):
    """An output path is one of the inputs of the same run (a usage error: exit 2)."""


def _replaced(target: Path) -> os.stat_result | None:
    """The regular file at ``target`` (a link is not followed), or None."""
    try:
        old = os.lstat(target)
    except OSError:
        return None
    return old if stat.S_ISREG(old.st_mode) else None


def _may_write(target: Path) -> bool:
    """Whether the process may write the file at ``target`` itself, as ``open()`` checks
    (effective ids where the platform tells them apart; ACLs included)."""
    if os.access in os.supports_effective_ids:
        return os.access(target, os.W_OK, effective_ids=True)
    return os.access(target, os.W_OK)


def _temporary(target: Path, old: os.stat_result | None) -> tuple[int, Path]:
    # Replacing a file: private until _keep_permissions gives it the old file's mode, so
    # no one can open it meanwhile. A new file: 0o666 minus the umask, as open() gives.
    mode = 0o666 if old is None else 0o600
    for _ in range(16):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, _FLAGS, mode), temporary  # the umask applies
        except FileExistsError:
            continue
    raise OutputError("cannot create a temporary file next to it", target)


def _keep_permissions(handle: int, old: os.stat_result) -> None:
    """Give the temporary file the permission bits and group of the regular file it replaces.

    Set before any data are written, so a private report is never readable by
    others, not even in its temporary file. Where the old file's group cannot be
    kept (the process is not one of its members), the group bits are dropped
    rather than given to the process's own group: the new file is never more open
    than the old one. Its owner is the process (as for any new file). A symbolic
    link at the target is not followed: it is replaced like anything else, and the
    new file gets the umask's mode. Set-id and sticky bits are not copied.
    """
    change_mode = getattr(os, "fchmod", None)  # not on Windows before Python 3.13
    if change_mode is not None:
        mode = stat.S_IMODE(old.st_mode) & 0o777
        if not _keep_group(handle, old):
            mode &= ~0o070
        change_mode(handle, mode)


def _keep_group(handle: int, old: os.stat_result) -> bool:
    """Give the new file the old one's group; whether it has it. The owner stays the
    process: a file planted under the target's name never makes a report someone else's."""
    change_owner = getattr(os, "fchown", None)
    if os.fstat(handle).st_gid == old.st_gid:
        return True
    if change_owner is None:
        return False
    try:
        change_owner(handle, -1, old.st_gid)
    except OSError:  # not a member, or a filesystem without owners (FAT, some CIFS)
        return False
    return os.fstat(handle).st_gid == old.st_gid  # some filesystems ignore it silently


@overload
def atomic_output(
    path: str | os.PathLike[str], mode: Literal["wb"] = "wb", *, errors: str = "strict"
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
@overload
def atomic_output(
    path: str | os.PathLike[str], mode: Literal["w"], *, errors: str = "strict"
) -> contextlib.AbstractContextManager[IO[str]]: ...
def atomic_output(
    path: str | os.PathLike[str], mode: Literal["wb", "w"] = "wb", *, errors: str = "strict"
) -> contextlib.AbstractContextManager[IO[bytes]] | contextlib.AbstractContextManager[IO[str]]:
    """A stream whose content replaces ``path`` when the block ends without an exception.

    ``mode="w"`` gives UTF-8 text with no newline translation (what is written
    is what lands), encoded with the error handler ``errors``. An
    :class:`OSError` (folder missing or unwritable, path a folder, a file the
    process may not write) becomes an :class:`OutputError`
    naming the path; on any failure the temporary file is removed and ``path`` is
    left as it was.
    """
    # The overloads give each mode its stream type.
    return cast(contextlib.AbstractContextManager[IO[bytes]], _atomic(Path(path), mode, errors))


@contextlib.contextmanager
def _atomic(target: Path, mode: str, errors: str) -> Iterator[IO[bytes] | IO[str]]:
    old = _replaced(target)
    if old is not None and not _may_write(target):  # as open(path, "w") refuses it
        raise OutputError("cannot write: Permission denied (the file is not writable)", target)
    with named_refusals(target):
        handle, temporary = _temporary(target, old)
    try:
        with _dropped_on_failure(os.fdopen(handle, "wb"), target) as raw:
            try:
                if old is not None:
                    _keep_permissions(raw.fileno(), old)
            except OSError as error:  # a filesystem that refuses chmod: named, not a traceback
                message = f"cannot keep its permissions: {error.strerror}"
                raise OutputError(message, target) from None
            if mode == "w":
                text = io.TextIOWrapper(raw, encoding="utf-8", errors=errors, newline="")
                yield text
                with named_refusals(target):
                    text.flush()
                text.detach()
            else:
                yield raw
            with named_refusals(target):  # what close() would write: a disk full named here
                raw.flush()
        with named_refusals(target):
            os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def named_refusals(target: str | os.PathLike[str]) -> Iterator[None]:
    """Within the block, a write the system refuses (a folder missing, a disk full, a file
    too large, no permission) becomes an :class:`OutputError` naming ``target``. For a
    block that writes ``target`` and nothing else."""
    try:
        yield
    except OSError as error:
        raise OutputError(f"cannot write: {error.strerror or error}", target) from None


@contextlib.contextmanager
def _dropped_on_failure(raw: IO[bytes], target: Path) -> Iterator[IO[bytes]]:
    """``raw``, closed at the end; after a failure, closed without a word: what its buffer
    still holds (a write the system refused) goes with the temporary file."""
    try:
        yield raw
    except BaseException:
        with contextlib.suppress(OSError):
            raw.close()
        raise
    with named_refusals(target):
        raw.close()


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8, no newline translation) to ``path`` atomically; a
    refused write is an :class:`OutputError` naming ``path``."""
    with atomic_output(path) as stream, named_refusals(path):
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)


def refuse_inputs(
    outputs: Iterable[str | os.PathLike[str]], inputs: Iterable[str | os.PathLike[str]]
) -> None:
    """Raise :class:`OutputRefusedError` if an output path is (or resolves to) an input.

    Compared by the file itself when both exist (hard links, symlinks, ``..``),
    else by resolved path.
    """
    sources = [Path(p) for p in inputs if os.fspath(p) != "-"]
    for output in outputs:
        if os.fspath(output) == "-":
            continue
        target = Path(output)
        resolved = target.resolve()
        for source in sources:
            same = resolved == source.resolve()
            if not same and target.exists() and source.exists():
                with contextlib.suppress(OSError):
                    same = os.path.samefile(target, source)
            if same:
                raise OutputRefusedError(
                    f"refused: this output is an input of the same run ({os.fspath(source)})",
                    target,
                )


def csv_cell(value: str) -> str:
    """Free text for a CSV cell, with spreadsheet formulas neutralised (OWASP).

    A value that starts, after any apostrophes, with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return, or that has nothing after them (``""``),
    gets one more leading apostrophe.
    """
    return "'" + value if _FORMULA.match(value) else value


def csv_text(cell: str) -> str:
    """The free text :func:`csv_cell` wrote to ``cell`` (its exact inverse)."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell
