"""Read a folder of DmfA documents of every kind into the effective worker lines.

:func:`read_corrected_dmfa` reads files and folders that may mix DmfA
originals, modification declarations (``DmfAUpdate``), ONSS consultation
answers (``DmfAConsultationAnswer``) and documents of other kinds (Dimona,
notifications, personnel files, mycareer's own formats), each recognised by
its root element (:func:`mycareer.xmlio.documents.sniff_document`):

* originals are read by :func:`mycareer.xmlio.read_dmfa` (duplicates resolved
  there);
* updates and consultation answers by :mod:`mycareer.xmlio.dmfa_update`; a file
  that breaks off part-way contributes nothing (its error is reported);
* then :func:`mycareer.dmfa_update.apply_dmfa_updates` folds them into the
  effective lines, with their provenance and findings;
* documents of the other kinds are listed in ``skipped`` (another reader's
  business); documents of no known kind are errors.

The result has the fields of :class:`mycareer.xmlio.DmfaBatch` (``records``,
``declarations``, ``findings``, ``errors``), so it goes wherever a batch of
originals goes (the training right, the timeline), plus ``lines`` (the
provenance of each record) and ``skipped``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal, TypeVar

import attrs

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.dmfa_update import (
    DmfaConsultation,
    DmfaCorrection,
    DmfaLineUpdate,
    EffectiveLine,
    apply_dmfa_updates,
)
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.findings import Finding
from mycareer.xmlio.dmfa import RejectedFile, read_dmfa
from mycareer.xmlio.dmfa_update import (
    CONSULTATION_ROOT,
    UPDATE_ROOT,
    iter_dmfa_consultations,
    iter_dmfa_updates,
)
from mycareer.xmlio.documents import DocumentKind, sniff_document, version_finding
from mycareer.xmlio.reading import input_files

__all__ = ["CorrectedDmfaBatch", "read_corrected_dmfa", "sort_documents"]

_ORIGINAL_ROOT = "DmfAOriginal"
_T = TypeVar("_T")


@attrs.frozen
class CorrectedDmfaBatch:
    """The effective DmfA population of a set of files, and how it was reached.

    ``correction`` is what :func:`~mycareer.dmfa_update.apply_dmfa_updates` gave
    (its :attr:`~mycareer.dmfa_update.DmfaCorrection.lines` pair each record
    with its provenance); ``skipped`` lists the documents of other kinds.
    """

    records: tuple[DmfaWorkerRecord, ...] = ()
    declarations: tuple[DmfaDeclaration, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()
    correction: DmfaCorrection = attrs.field(factory=DmfaCorrection)
    skipped: tuple[tuple[Path, DocumentKind], ...] = ()
    rejected: tuple[RejectedFile, ...] = ()

    @property
    def lines(self) -> tuple[EffectiveLine, ...]:
        """Every effective record with its provenance (file, form and line set)."""
        return self.correction.lines


def sort_documents(
    files: Iterable[Path],
) -> tuple[dict[Path, DocumentKind], list[Finding], list[InvalidValueError]]:
    """Each file's kind (by root element), version findings, and the unreadable files."""
    kinds: dict[Path, DocumentKind] = {}
    findings: list[Finding] = []
    errors: list[InvalidValueError] = []
    for path in files:
        try:
            kind = sniff_document(path, name=str(path))
        except InvalidValueError as error:
            errors.append(error)
            continue
        kinds[path] = kind
        finding = version_finding(kind, str(path))
        if finding is not None:
            findings.append(finding)
    return kinds, findings, errors


def _read_whole(
    path: Path, read: Callable[..., Iterable[_T]], errors: list[InvalidValueError]
) -> list[_T]:
    """Every item of one file, or none when the file breaks off part-way."""
    file_errors: list[InvalidValueError] = []
    try:
        items = list(read(path, name=str(path), errors=file_errors))
    except (InputError, MycareerErrorGroup) as error:
        errors.extend(file_errors)
        if isinstance(error, MycareerErrorGroup):
            errors.extend(e for e in error.exceptions if isinstance(e, InvalidValueError))
        else:
            errors.append(error)
        return []
    errors.extend(file_errors)
    return items


def read_corrected_dmfa(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_error: Literal["raise", "collect"] = "raise",
    orphans: Literal["use", "ignore"] = "use",
    progress: Callable[[Sequence[Path]], Iterable[Path]] | None = None,
) -> CorrectedDmfaBatch:
    """Read DmfA files and folders of every kind into the effective worker lines.

    ``on_error`` and ``progress`` work as in :func:`mycareer.xmlio.read_dmfa`
    (``progress`` wraps the originals); ``orphans`` is passed to
    :func:`mycareer.dmfa_update.apply_dmfa_updates` (default ``"use"``: an
    update whose original is not in the input is used on its own, with a
    finding).
    """
    if on_error not in ("raise", "collect"):
        raise InvalidValueError(f"on_error must be 'raise' or 'collect', not {on_error!r}")
    files, errors = input_files(paths)
    kinds, findings, problems = sort_documents(files)
    errors.extend(problems)
    originals: list[Path] = []
    updates: list[DmfaLineUpdate] = []
    consultations: list[DmfaConsultation] = []
    skipped: list[tuple[Path, DocumentKind]] = []
    for path, kind in kinds.items():
        if kind.namespace is None and kind.root == _ORIGINAL_ROOT:
            originals.append(path)
        elif kind.namespace is None and kind.root == UPDATE_ROOT:
            updates.extend(_read_whole(path, iter_dmfa_updates, errors))
        elif kind.namespace is None and kind.root == CONSULTATION_ROOT:
            consultations.extend(_read_whole(path, iter_dmfa_consultations, errors))
        elif kind.family != "unknown":
            skipped.append((path, kind))
        else:
            errors.append(
                InputError(
                    f"unsupported document: root element <{kind.shown}> is not a DmfA, Dimona "
                    "or mycareer document",
                    source=SourceRef(str(path), kind.line),
                )
            )
    batch = read_dmfa(originals, on_error="collect", progress=progress)
    correction = apply_dmfa_updates(
        batch.records,
        updates,
        declarations=batch.declarations,
        consultations=consultations,
        orphans=orphans,
    )
    errors.extend(batch.errors)
    if errors and on_error == "raise":
        raise MycareerErrorGroup(
            f"DmfA batch: {len(errors)} problem(s) in {len(files)} file(s)", errors
        )
    return CorrectedDmfaBatch(
        correction.records,
        correction.declarations,
        (*findings, *batch.findings, *correction.findings),
        tuple(errors),
        correction,
        tuple(skipped),
        batch.rejected,
    )
