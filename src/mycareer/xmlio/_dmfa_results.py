"""What reading DmfA originals file by file gives (:mod:`mycareer.xmlio.dmfa`).

Re-exported by :mod:`mycareer.xmlio.dmfa`, where :func:`~mycareer.xmlio.dmfa.read_dmfa_file`
and :func:`~mycareer.xmlio.dmfa.read_dmfa` make them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import attrs

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.quarter import Quarter

__all__ = ["FileRead", "FileStage", "RejectedFile"]


@attrs.frozen
class RejectedFile:
    """A declaration file that contributes no record (all or nothing), and why.

    ``employer`` and ``quarter`` are those of its header when they could be read:
    results whose population includes them are incomplete (``REFERENCE_INCOMPLETE``,
    :func:`mycareer.fla.incomplete.mark_incomplete_references`).
    """

    source: str
    employer: Employer | None
    quarter: Quarter | None
    reason: str


class FileStage(Protocol):
    """Where :func:`~mycareer.xmlio.dmfa.read_dmfa_file` puts one file's records:
    ``feed`` takes them as they are read (all of them), then they are committed, or
    discarded (a file that fails part-way contributes nothing)."""

    def feed(self, records: Iterable[DmfaWorkerRecord]) -> None: ...
    def commit(self) -> None: ...
    def discard(self) -> None: ...


@attrs.frozen
class FileRead:
    """What :func:`~mycareer.xmlio.dmfa.read_dmfa_file` made of one file: its forms'
    ``declarations`` (in file order, their worker and record counts those of the lines
    read), ``errors`` (refused records, then its failure), ``rejected`` (one
    :class:`RejectedFile` per header when it failed, else empty); ``undeclared``: records
    came from a form whose header was not kept (only :func:`~mycareer.xmlio.dmfa.read_dmfa`
    places them).
    """

    declarations: tuple[DmfaDeclaration, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()
    rejected: tuple[RejectedFile, ...] = ()
    undeclared: bool = False
