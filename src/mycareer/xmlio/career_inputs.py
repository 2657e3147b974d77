"""Career periods per worker from any mix of DmfA, Dimona, personnel files and career records.

:func:`read_career_inputs` is the reading step of ``mycareer timeline``: each
file is recognised by its root element, whatever its name, and routed to its
reader:

* DmfA originals, updates and consultation answers go through
  :func:`~mycareer.xmlio.flows.read_corrected_dmfa`, then
  :func:`~mycareer.timeline.career_periods_from_dmfa`;
* Dimona declarations, ``NOTIFICATION`` files and outcome sidecars
  (``.json``/``.csv``) are consolidated per period id
  (:func:`~mycareer.timeline.consolidate_dimona`);
* the ONSS personnel file is authoritative: reconciled with the declarations
  (:func:`~mycareer.timeline.reconcile_dimona`), its periods win;
* our own ``careerRecords`` are read as they are.

Nothing stops at the first bad input: errors are collected with their file,
and every good record is kept.

>>> from importlib import resources
>>> demo = resources.files("mycareer.data.demo") / "dmfa"
>>> inputs = read_career_inputs([str(demo)])
>>> inputs.errors, len(inputs.periods) > 0
([], True)
>>> read_career_inputs(["absent.xml"]).errors[0].message
'cannot read: no such file or folder'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from lxml import etree

from mycareer.career import CareerPeriod
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.findings import Finding
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.timeline import (
    DimonaConsolidation,
    career_periods_from_dmfa,
    consolidate_dimona,
    reconcile_dimona,
)
from mycareer.xmlio._safe import iterparse_document
from mycareer.xmlio.reading import Paths, close_events, input_files

__all__ = ["CareerInputs", "read_career_inputs"]

_CAREER_RECORDS_NS = "urn:mycareer:career-records:1"
_SIDECAR_SUFFIXES = (".json", ".csv")
#: DmfA originals, modifications and ONSS consultation answers (mycareer.xmlio.flows).
_DMFA_ROOTS = ("DmfAOriginal", "DmfAUpdate", "DmfAConsultationAnswer", "DmfAUpdateNotification")
#: The ONSS's Dimona personnel file: authoritative Dimona periods (timeline.reconcile_dimona).
_PERSONNEL_FILE_ROOT = "PersonnelFileConsultationAnswer"

Progress = Callable[[Sequence[Path]], Iterable[Path]]


class CareerInputs:
    """Everything read: career periods per worker, names, global findings, errors, file count."""

    def __init__(self) -> None:
        self.periods: dict[Niss, list[CareerPeriod]] = {}
        self.names: dict[Niss, str] = {}
        self.findings: list[Finding] = []
        self.errors: list[InvalidValueError] = []
        self.files = 0

    def __repr__(self) -> str:
        return (
            f"CareerInputs(files={self.files}, workers={len(self.periods)}, "
            f"findings={len(self.findings)}, errors={len(self.errors)})"
        )

    def default_as_of(self) -> date | None:
        """The reference date when none is given: the end of the latest quarter in the data.

        The latest start or end date of any record, rounded up to its quarter end
        (never the machine's clock, so results are reproducible); None without records.
        """
        latest: date | None = None
        for records in self.periods.values():
            for record in records:
                for day in (record.period.start, record.period.end):
                    if day is not None and (latest is None or day > latest):
                        latest = day
        return None if latest is None else Quarter.of(latest).last_day

    def add(self, records: Iterable[CareerPeriod]) -> None:
        """Add career periods, grouped by worker."""
        for record in records:
            self.periods.setdefault(record.niss, []).append(record)

    def add_errors(self, error: BaseException) -> None:
        """Add an error (a group is flattened into its errors)."""
        if isinstance(error, MycareerErrorGroup):
            for inner in error.exceptions:
                self.add_errors(inner)
        elif isinstance(error, InvalidValueError):
            self.errors.append(error)
        else:
            self.errors.append(InvalidValueError(str(error)))


def _root_of(path: Path) -> tuple[str | None, str, int | None]:
    """(namespace, local name, line) of the document's root element."""
    events = iterparse_document(path, events=("start",), name=str(path), peek=True)
    try:
        _, element = next(events)
        qname = etree.QName(element)
        return qname.namespace, qname.localname, element.sourceline
    finally:
        close_events(events)


class _Sorted:
    """The files by the reader they go to."""

    def __init__(self, inputs: CareerInputs) -> None:
        self.inputs = inputs
        self.dmfa: list[Path] = []
        self.dimona: list[Path] = []
        self.personnel: list[Path] = []

    def route(self, path: Path) -> InvalidValueError | None:
        """Put ``path`` in its list, or say why it cannot be read.

        Career records (our own format) are read at once, in input order.
        """
        if path.suffix.lower() in _SIDECAR_SUFFIXES:
            self.dimona.append(path)
            return None
        try:
            namespace, local, line = _root_of(path)
        except InvalidValueError as error:
            return error
        if namespace is None and local in _DMFA_ROOTS:
            self.dmfa.append(path)
        elif namespace is None and local in ("Dimona", "NOTIFICATION"):
            self.dimona.append(path)
        elif namespace is None and local == _PERSONNEL_FILE_ROOT:
            self.personnel.append(path)
        elif namespace == _CAREER_RECORDS_NS and local == "careerRecords":
            _add_career_records(self.inputs, path)
        else:
            shown = f"{{{namespace}}}{local}" if namespace else local
            return InputError(
                f"unsupported document: root element {shown} is not a DmfA document "
                f"({', '.join(_DMFA_ROOTS)}), Dimona, NOTIFICATION, "
                f"{_PERSONNEL_FILE_ROOT} or careerRecords",
                source=SourceRef(str(path), line),
            )
        return None


def _add_career_records(inputs: CareerInputs, path: Path) -> None:
    from mycareer.xmlio.career_records import read_career_records

    result = read_career_records(path, on_error="collect")
    inputs.errors.extend(result.errors)
    for worker in result.records:
        inputs.add(worker.periods)
        inputs.periods.setdefault(worker.niss, [])
        if worker.name:
            inputs.names.setdefault(worker.niss, worker.name)


def _add_dmfa(inputs: CareerInputs, files: Sequence[Path], progress: Progress | None) -> None:
    from mycareer.xmlio.flows import read_corrected_dmfa

    batch = read_corrected_dmfa(files, on_error="collect", progress=progress)
    inputs.errors.extend(batch.errors)
    inputs.findings.extend(batch.findings)
    career = career_periods_from_dmfa(batch.records)
    inputs.findings.extend(career.findings)
    inputs.add(career.periods)


def _add_dimona(inputs: CareerInputs, files: Sequence[Path], personnel: Sequence[Path]) -> None:
    from mycareer.xmlio.dimona import read_dimona

    dimona = read_dimona(files, on_error="collect")
    inputs.errors.extend(dimona.errors)
    inputs.findings.extend(dimona.findings)
    consolidation = consolidate_dimona(dimona.declarations, dimona.outcomes)
    inputs.findings.extend(consolidation.findings)
    if personnel:
        _add_personnel_files(inputs, consolidation, personnel)
    else:
        inputs.add(consolidation.career_periods())


def _add_personnel_files(
    inputs: CareerInputs, consolidation: DimonaConsolidation, files: Sequence[Path]
) -> None:
    """The personnel files are authoritative: reconciled with the declarations, they win."""
    from mycareer.xmlio.personnel_file import read_personnel_files

    personnel = read_personnel_files(files, on_error="collect")
    inputs.errors.extend(personnel.errors)
    inputs.findings.extend(personnel.findings)
    reconciliation = reconcile_dimona(consolidation, personnel.periods, personnel.answers)
    inputs.findings.extend(reconciliation.findings)
    inputs.add(reconciliation.periods)


def read_career_inputs(
    paths: Paths,
    outcomes: Iterable[str | os.PathLike[str]] = (),
    *,
    progress: Progress | None = None,
) -> CareerInputs:
    """Read files and folders (recursively) into career periods per worker.

    ``paths`` is one path or an iterable of paths. ``outcomes`` are extra
    Dimona outcome sidecars; ``progress`` wraps the DmfA files as in
    :func:`mycareer.xmlio.read_dmfa`. Errors never stop the run:
    each is in :attr:`CareerInputs.errors` with its file.
    """
    inputs = CareerInputs()
    files, problems = input_files(paths, (".xml", *_SIDECAR_SUFFIXES))
    inputs.files = len(files)
    inputs.errors.extend(problems)
    sorted_files = _Sorted(inputs)
    for path in files:
        problem = sorted_files.route(path)
        if problem is not None:
            inputs.errors.append(problem)
    if sorted_files.dmfa:
        _add_dmfa(inputs, sorted_files.dmfa, progress)
    sidecars = [Path(p) for p in outcomes]
    if sorted_files.dimona or sidecars or sorted_files.personnel:
        _add_dimona(inputs, [*sorted_files.dimona, *sidecars], sorted_files.personnel)
    return inputs
