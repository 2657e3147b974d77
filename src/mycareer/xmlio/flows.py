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
  business), each said in a ``DOCUMENT_NOT_READ`` info finding; documents of no known
  kind are errors.

:func:`stream_corrected_dmfa` reads originals file by file into stages that the
caller provides (each file whole or not at all; a file that updates or consultation
answers name is held while they are applied to it), so that no caller holds a group's
records: the bounded-memory path of the entitlements and the timeline.

The result has the fields of :class:`mycareer.xmlio.DmfaBatch` (``records``,
``declarations``, ``findings``, ``errors``), so it goes wherever a batch of
originals goes (the training right, the timeline), plus ``lines`` (the
provenance of each record) and ``skipped``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Literal, TypeVar

import attrs

from mycareer._gc import release_parsers
from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.dmfa_update import (
    DmfaConsultation,
    DmfaCorrection,
    DmfaLineUpdate,
    EffectiveLine,
    SlotOpener,
    apply_dmfa_updates,
    employer_ids,
    step_ranks,
)
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.findings import Finding
from mycareer.quarter import Quarter
from mycareer.xmlio._dmfa_originals import FormKey, choose_originals
from mycareer.xmlio.dmfa import FileRead, FileStage, RejectedFile, read_dmfa, read_dmfa_file
from mycareer.xmlio.dmfa_update import (
    CONSULTATION_ROOT,
    UPDATE_ROOT,
    iter_dmfa_consultations,
    iter_dmfa_updates,
)
from mycareer.xmlio.documents import (
    DocumentKind,
    not_read_finding,
    sniff_document,
    version_finding,
)
from mycareer.xmlio.file_order import errors_in_file_order, reading_in_file_order
from mycareer.xmlio.headers import Header, scan_document, scan_employers, scan_header
from mycareer.xmlio.reading import input_files

__all__ = [
    "CorrectedDmfaBatch",
    "KnownHeaders",
    "StreamOrder",
    "StreamedDmfa",
    "read_corrected_dmfa",
    "sort_documents",
    "stream_corrected_dmfa",
]

_ORIGINAL_ROOT = "DmfAOriginal"
#: Files' kinds and headers (:func:`~mycareer.xmlio.headers.scan_document`'s) already read,
#: by file name: :func:`stream_corrected_dmfa` does not read those beginnings again.
KnownHeaders = Mapping[str, tuple[DocumentKind, Header]]
_T = TypeVar("_T")


@attrs.frozen
class CorrectedDmfaBatch:
    """The effective DmfA population of a set of files, and how it was reached.

    ``correction`` is what :func:`~mycareer.dmfa_update.apply_dmfa_updates` gave
    (its :attr:`~mycareer.dmfa_update.DmfaCorrection.lines` pair each record
    with its provenance); ``skipped`` lists the documents of other kinds (each with a
    :data:`~mycareer.xmlio.documents.DOCUMENT_NOT_READ` finding).
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
    *,
    headers: dict[Path, Header] | None = None,
    known: KnownHeaders | None = None,
) -> tuple[dict[Path, DocumentKind], list[Finding], list[InvalidValueError]]:
    """Each file's kind (by root element), version findings, and the unreadable files.

    With ``headers``, each readable file's :func:`~mycareer.xmlio.headers.scan_header`
    goes there too, from the same read of its beginning
    (:func:`~mycareer.xmlio.headers.scan_document`), or from ``known`` (by file name)
    without reading it.
    """
    kinds: dict[Path, DocumentKind] = {}
    findings: list[Finding] = []
    errors: list[InvalidValueError] = []
    for count, path in enumerate(files, 1):
        release_parsers(count)  # the scans' parsers (a read's many files)
        try:
            if headers is None:
                kind = sniff_document(path, name=str(path))
            else:
                found = known.get(str(path)) if known else None
                kind, headers[path] = scan_document(path) if found is None else found
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
    finding). Findings and errors come file by file (:mod:`mycareer.xmlio.file_order`).
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
            findings.append(not_read_finding(kind, str(path)))
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
    # What reading said, file by file (xmlio/file_order.py), as the runs by employer say it.
    names = [str(path) for path in files]
    said = reading_in_file_order(names, [(*findings, *batch.findings, *correction.findings)])
    return CorrectedDmfaBatch(
        correction.records,
        correction.declarations,
        tuple(said),
        errors_in_file_order(names, errors),
        correction,
        tuple(skipped),
        batch.rejected,
    )


@attrs.frozen
class StreamedDmfa:
    """What :func:`stream_corrected_dmfa` read besides the records (those went to the stages).

    ``findings``, ``errors`` and ``rejected`` are those :func:`read_corrected_dmfa`
    gives for the same files, in the same order; ``declarations`` its declarations
    (one per employer and quarter, by quarter then employer key), their worker and
    record counts those of the lines kept (the effective lines where a correction
    applied), as one read recounts every quarter.
    """

    declarations: tuple[DmfaDeclaration, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()
    rejected: tuple[RejectedFile, ...] = ()


#: The order a stream keeps (:func:`stream_corrected_dmfa`): ``"read"`` the order of
#: :func:`read_corrected_dmfa`, ``"employer"`` each employer's records in that order.
StreamOrder = Literal["read", "employer"]


class _CorrectedOrder:
    """Whether committed files keep the order :func:`read_corrected_dmfa` gives the records.

    That order is by declaration (quarter, then employer key; mycareer.dmfa_update's
    slots), then by file. Files whose forms come in strictly increasing (quarter,
    employer key), no two sharing an employer identifier in a quarter (they would share
    a slot, or be duplicate originals of which the last created wins), give exactly it.
    With ``order="employer"``, each employer's quarters must increase, not the pairs: each
    employer's records keep that order, employers may interleave (a social secretariat's
    file of several employers' forms, in its own order).
    """

    def __init__(
        self, order: StreamOrder = "read", kept: Callable[[str], bool] | None = None
    ) -> None:
        self.per_employer = order == "employer"
        #: Which employers' declarations are kept (None: all); the order is judged on all.
        self.kept = kept
        self.last: tuple[Quarter, str] | None = None
        self.last_of: dict[str, Quarter] = {}
        self.ids: dict[Quarter, set[str]] = {}
        self.declarations: list[DmfaDeclaration] = []

    def accepts(self, read: FileRead) -> bool:
        """Take the file's declarations when they keep the order (else take nothing)."""
        if read.undeclared:
            return False
        last, last_of = self.last, dict(self.last_of)
        taken: dict[Quarter, set[str]] = {}
        for declaration in read.declarations:
            quarter, key = declaration.quarter, declaration.employer.key
            ids = set(employer_ids(declaration.employer))
            used = taken.setdefault(quarter, set())
            if self._before(quarter, key, last, last_of) or ids & (
                used | self.ids.get(quarter, set())
            ):
                return False
            used |= ids
            last, last_of[key] = (quarter, key), quarter
        for quarter, ids in taken.items():
            self.ids.setdefault(quarter, set()).update(ids)
        self.last, self.last_of = last, last_of
        kept = self.kept
        self.declarations.extend(
            read.declarations if kept is None else
            (d for d in read.declarations if kept(d.employer.key))
        )  # fmt: skip
        return True

    def _before(
        self,
        quarter: Quarter,
        key: str,
        last: tuple[Quarter, str] | None,
        last_of: dict[str, Quarter],
    ) -> bool:
        """Whether a declaration of ``key`` for ``quarter`` comes out of order."""
        if self.per_employer:
            previous = last_of.get(key)
            return previous is not None and quarter <= previous
        return last is not None and (quarter, key) <= last


def _header_order(key: str | None, quarter: Quarter | None) -> tuple[object, ...]:
    """Where a file's first declaration goes in the corrected order (unknown first)."""
    return (0,) if key is None or quarter is None else (1, quarter, key)


#: A file's first declaration: employer key, quarter, and (with corrections) identifiers.
_Header = tuple[str | None, Quarter | None, tuple[str, ...]]


def _headers(
    originals: Sequence[Path], corrections: _Corrections, scanned: dict[Path, Header]
) -> list[_Header]:
    """Each file's header: as ``scanned`` with its kind, or read again with its
    identifiers when corrections need them to find the files they name
    (:func:`~mycareer.xmlio.headers.scan_employers`)."""
    if corrections.targets:
        return [found[1:] for found in scan_employers([os.fspath(p) for p in originals])]
    found = (scanned.get(path) or scan_header(path) for path in originals)
    return [(key, quarter, ()) for _root, key, quarter in found]


def stream_corrected_dmfa(
    paths: Iterable[str | os.PathLike[str]],
    stage: Callable[[], FileStage],
    *,
    order: StreamOrder = "read",
    known: KnownHeaders | None = None,
    employers: Callable[[str], bool] | None = None,
) -> StreamedDmfa | None:
    """Read DmfA originals file by file, each into a new ``stage()``, whole or not at all.

    The bounded-memory form of ``read_corrected_dmfa(paths, on_error="collect")``: the
    records go to the stages (never held here), in the order that function gives them
    (``order="read"``), or each employer's in that order (``order="employer"``, for
    callers that place records by employer quarter: files whose forms hold several
    employers in another order then stream too), and a file's stage is committed only
    when the file was read whole (:func:`~mycareer.xmlio.dmfa.read_dmfa_file`); the rest
    is returned. Files are read
    in the order of their headers (:func:`~mycareer.xmlio.headers.scan_header`). DmfA
    updates and consultation answers among the files are read first; an original file
    whose declarations they name is held while they are applied to it
    (:func:`~mycareer.dmfa_update.apply_dmfa_updates`, as one read applies them), then
    its effective lines go to its stage. Original files whose headers name one employer
    and quarter (duplicate originals) are held while read, then the one a whole read
    keeps (the last created, a tie to the later file) goes to its stage, and the others
    are named in findings, as :func:`~mycareer.xmlio.dmfa.read_dmfa` names them.

    None when only a whole read gives the result exactly: the input holds other kinds
    than DmfA, the records could not come in that order (a duplicate original holding
    another form; declarations sharing an employer identifier in a quarter; a file whose
    forms are out of order; records of a form whose header was not kept), a correction
    names a quarter with duplicate originals (it applies to the one kept), or a correction
    names no original file (one read opens its quarter after every declared one). A
    correction file whose forms name several original files streams: each is held and
    corrected in turn, and the findings are put back in the order one application gives
    them (``DmfaCorrection.finding_steps``). Nothing has been read when the kinds decide
    it, or a correction that no file's header names or that names duplicate originals;
    otherwise some stages may have been committed: the caller drops what they made and
    calls :func:`read_corrected_dmfa`.

    ``known``: each file's kind and header as
    :func:`~mycareer.xmlio.headers.scan_document` gives them, by file name, already read
    (a plan's pre-scan, :meth:`mycareer.plans.EmployerGroup.known_headers`): those
    beginnings are not read again. The reader still checks each root at its first element.

    ``employers``: the employer keys whose declarations are returned (None: every one),
    for a caller that computes some employers' results only (a group's slice,
    :mod:`mycareer.group_slices`): the others are not held. Whether the files stream is
    still judged on every declaration, so that each slice of a group decides alike.
    """
    files, errors = input_files(paths)
    scanned: dict[Path, Header] = {}  # each file's beginning read once, kind and header
    kinds, findings, problems = sort_documents(files, headers=scanned, known=known)
    errors.extend(problems)
    corrections = _Corrections.read(kinds, errors)
    if corrections is None:
        return None
    originals, reading = input_files(corrections.originals)  # as read_dmfa lists them
    errors.extend(reading)
    headers = _headers(originals, corrections, scanned)
    if not corrections.named_by(headers):
        return None  # decided before any file is read (else streamed, then read again whole)
    runs = _runs(
        sorted(range(len(originals)), key=lambda i: _header_order(*headers[i][:2])), headers
    )
    if any(len(run) > 1 and corrections.touches(headers[run[0]]) for run in runs):
        return None  # corrections of a quarter with two originals: one read applies them
    stream = _Stream(originals, headers, corrections, stage, _CorrectedOrder(order, employers))
    if not all(stream.take(run) for run in runs):
        return None
    if not corrections.all_taken():
        return None  # a correction without its original file: one read opens its slot last
    reads = stream.reads
    for index in sorted(reads):
        errors.extend(reads[index].errors)
    declarations = sorted(stream.order.declarations, key=lambda d: (d.quarter, d.employer.key))
    rejected = tuple(r for index in sorted(reads) for r in reads[index].rejected)
    names = [str(path) for path in files]  # what reading said, as read_corrected_dmfa says it
    said = reading_in_file_order(names, [(*findings, *stream.duplicates, *corrections.said())])
    return StreamedDmfa(
        tuple(declarations), tuple(said), errors_in_file_order(names, errors), rejected
    )


class _Stream:
    """The original files read so far, each committed to its stage or discarded."""

    def __init__(
        self,
        originals: Sequence[Path],
        headers: Sequence[_Header],
        corrections: _Corrections,
        stage: Callable[[], FileStage],
        order: _CorrectedOrder,
    ) -> None:
        self.originals, self.headers, self.corrections = originals, headers, corrections
        self.stage = stage
        self.reads: dict[int, FileRead] = {}
        self.order = order
        #: The findings naming the duplicate originals left out (DMFA_DUPLICATE_ORIGINAL).
        self.duplicates: list[Finding] = []

    def take(self, run: Sequence[int]) -> bool:
        """Read the files of ``run`` (one, or duplicate originals) and commit what one read
        keeps of them; False when only a whole read gives it (what was staged discarded)."""
        try:
            return self._take(run)
        finally:  # the declarations the order keeps are the ones returned: the rest go
            for index in run:
                read = self.reads.get(index)
                if read is not None and read.declarations:
                    self.reads[index] = attrs.evolve(read, declarations=())
            release_parsers()  # the run's files' parses: a group may hold many files

    def _take(self, run: Sequence[int]) -> bool:
        picked = self._read(run)
        if picked is None:
            return False
        if not picked:
            return True  # rejected: its stage was discarded
        index, current, held = picked
        settled = self.corrections.settle(index, self.reads[index], current, held, self.stage)
        if settled is None:
            current.discard()
            return False
        current, read = settled
        if not self.order.accepts(read):
            current.discard()
            return False
        current.commit()
        return True

    def _read(
        self, run: Sequence[int]
    ) -> tuple[int, FileStage, _HeldRecords | None] | tuple[()] | None:
        """The file to commit, its stage, and its records if held for a correction; ()
        when none is (rejected); None when only a whole read gives it."""
        if len(run) > 1:
            return self._chosen(run)
        index = run[0]
        held = _HeldRecords() if self.corrections.touches(self.headers[index]) else None
        current = held or self.stage()
        self.reads[index] = read_dmfa_file(self.originals[index], current, sniffed=True)
        return () if self.reads[index].rejected else (index, current, held)

    def _chosen(self, run: Sequence[int]) -> tuple[int, FileStage, None] | tuple[()] | None:
        """Duplicate originals, each held while read, then the one
        :func:`~mycareer.xmlio.dmfa.read_dmfa` keeps (``choose_originals``, the rule's one
        place) in a stage, not held for a correction (none names them); () when every
        file of ``run`` was rejected; None when one holds another form (only a whole read
        orders those)."""
        headers: list[tuple[FormKey, DmfaDeclaration]] = []
        by_form: dict[FormKey, list[DmfaWorkerRecord]] = {}
        for index in run:
            held = _HeldRecords()
            read = self.reads[index] = read_dmfa_file(self.originals[index], held, sniffed=True)
            if read.rejected:
                continue
            if read.undeclared or len(read.declarations) != 1:
                return None
            headers.append(((index, 0), read.declarations[0]))
            by_form[(index, 0)] = held.records
        if len({declaration.key for _key, declaration in headers}) > 1:
            return None  # a header said one quarter, the form another
        if not headers:
            return ()
        winners, _declarations, findings = choose_originals(headers, by_form)
        self.duplicates.extend(findings)
        ((index, _form),) = winners
        current = self.stage()
        current.feed(by_form[(index, 0)])
        return index, current, None


def _runs(order: Sequence[int], headers: Sequence[_Header]) -> list[list[int]]:
    """The files in reading order, those whose headers name one employer and quarter
    (duplicate originals, next to each other in that order) together."""
    runs: list[list[int]] = []
    for index in order:
        header = headers[index][:2]
        if runs and None not in header and headers[runs[-1][0]][:2] == header:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


class _HeldRecords:
    """A file's records held while the corrections that name it are applied."""

    def __init__(self) -> None:
        self.records: list[DmfaWorkerRecord] = []

    def feed(self, records: Iterable[DmfaWorkerRecord]) -> None:
        self.records.extend(records)

    def commit(self) -> None:
        pass

    def discard(self) -> None:
        self.records = []


class _Corrections:
    """The updates and consultation answers of a streamed read, each to be applied with the
    one original file whose declarations it names (by quarter and employer identifier)."""

    def __init__(
        self,
        originals: list[Path],
        updates: list[DmfaLineUpdate],
        consultations: list[DmfaConsultation],
    ) -> None:
        self.originals = originals
        self.updates = updates
        self.consultations = consultations
        forms = [u.form for u in updates] + [c.form for c in consultations]
        self.forms = {id(form): form for form in forms}
        #: The forms by each (quarter, employer identifier) they name, and the consultation
        #: answers by employer key and quarter (one read keeps one of each such set).
        self.targets: dict[tuple[Quarter, str], set[int]] = {}
        for form in forms:
            for name in employer_ids(form.employer):
                self.targets.setdefault((form.quarter, name), set()).add(id(form))
        self.answers: dict[tuple[str, Quarter], set[int]] = {}
        for consultation in consultations:
            key = (consultation.form.employer.key, consultation.form.quarter)
            self.answers.setdefault(key, set()).add(id(consultation.form))
        #: The forms taken by an original file, and each form's place in the order one
        #: application takes them (its findings' order: DmfaCorrection.finding_steps).
        self.taken: set[int] = set()
        self.ranks = step_ranks(updates, consultations)
        self.findings: list[tuple[tuple[int, int], Finding]] = []

    @classmethod
    def read(
        cls, kinds: dict[Path, DocumentKind], errors: list[InvalidValueError]
    ) -> _Corrections | None:
        """The corrections read whole (their errors to ``errors``); None for other kinds."""
        originals: list[Path] = []
        updates: list[DmfaLineUpdate] = []
        consultations: list[DmfaConsultation] = []
        for path, kind in kinds.items():
            if kind.namespace is not None:
                return None
            if kind.root == _ORIGINAL_ROOT:
                originals.append(path)
            elif kind.root == UPDATE_ROOT:
                updates.extend(_read_whole(path, iter_dmfa_updates, errors))
            elif kind.root == CONSULTATION_ROOT:
                consultations.extend(_read_whole(path, iter_dmfa_consultations, errors))
            else:
                return None
        return cls(originals, updates, consultations)

    def named_by(self, headers: Sequence[_Header]) -> bool:
        """Whether every correction names a quarter some file's header declares (or a
        header is unclear). One that none names is a correction without its original
        file, or of a file's later form: either makes the stream give up."""
        named: set[int] = set()
        for _key, quarter, ids in headers:
            if quarter is None:
                return True  # settled while reading
            for name in ids:
                named |= self.targets.get((quarter, name), set())
        return len(named) == len(self.forms)

    def touches(self, header: _Header) -> bool:
        """Whether the file's header names a quarter a correction names (or is unclear)."""
        if not self.targets:
            return False
        _key, quarter, ids = header
        return quarter is None or any((quarter, name) in self.targets for name in ids)

    def settle(
        self,
        index: int,
        read: FileRead,
        current: FileStage,
        held: _HeldRecords | None,
        stage: Callable[[], FileStage],
    ) -> tuple[FileStage, FileRead] | None:
        """The stage holding file ``index``'s effective lines, and its corrected read.

        None when a correction it names was taken by another file, when a consultation
        answer of another file has the same employer key and quarter as one it names, when
        it was streamed though a correction names it (its header did not say so: a later
        form), or when applying opens another quarter.
        """
        named = self._take(index, read)
        if named is None or (named and held is None):
            return None
        if held is None:
            return current, read
        corrected = self._corrected(read, held.records, named)
        if corrected is None:
            return None
        records, read = corrected
        current = stage()
        current.feed(records)
        return current, read

    def _take(self, index: int, read: FileRead) -> set[int] | None:
        """The forms that name the file's declarations (their ids), now taken by it."""
        declared = {(d.quarter, n) for d in read.declarations for n in employer_ids(d.employer)}
        named = {key for pair in declared for key in self.targets.get(pair, ())}
        for key in named:
            if key in self.taken:
                return None
            self.taken.add(key)
        # One read keeps one answer per employer key and quarter across every file
        # (dmfa_update._latest_consultations), even for answers naming two NSSO numbers.
        answered = {(self.forms[key].employer.key, self.forms[key].quarter) for key in named}
        if any(not self.answers.get(pair, set()) <= named for pair in answered):
            return None
        return named

    def _corrected(
        self, read: FileRead, records: list[DmfaWorkerRecord], named: set[int]
    ) -> tuple[tuple[DmfaWorkerRecord, ...], FileRead] | None:
        """The file's lines and declarations after the corrections ``named``, as one read
        of everything gives them; None when one opens a quarter the file does not declare."""
        correction = apply_dmfa_updates(
            records,
            [u for u in self.updates if id(u.form) in named],
            declarations=read.declarations,
            consultations=[c for c in self.consultations if id(c.form) in named],
        )
        if any(slot.opener is not SlotOpener.DECLARATION for slot in correction.slots):
            return None
        for finding, (phase, form) in zip(
            correction.findings, correction.finding_steps, strict=True
        ):
            self.findings.append(((phase, -1 if form is None else self.ranks[id(form)]), finding))
        recounted = {d.key: d for d in correction.declarations}
        declarations = tuple(recounted[d.key] for d in read.declarations)
        return correction.records, attrs.evolve(read, declarations=declarations)

    def said(self) -> list[Finding]:
        """The findings of every file's corrections, in the order one application of them
        all gives (by step, then form: stable, so each form's keep their order)."""
        return [finding for _step, finding in sorted(self.findings, key=itemgetter(0))]

    def all_taken(self) -> bool:
        """Whether every correction named an original file (else one read opens its quarter
        after every declared one)."""
        return len(self.taken) == len(self.forms)
