"""DmfA corrections: modification declarations (``DmfAUpdate``) and ONSS consultation answers.

An employer corrects a quarter after the fact by a *modification declaration*
(root ``DmfAUpdate``), and may ask the ONSS for the state of a declaration as
the ONSS holds it (``DmfAConsultationAnswer``). These are plain values;
:mod:`mycareer.xmlio` fills them from XML and :func:`apply_dmfa_updates` folds
them into the *effective* worker lines, each with its provenance.

The reading implemented (public ONSS glossary "DmfAUpdate", version 2023/3,
https://www.socialsecurity.be, by block and zone code; ``[verify]`` marks what
the glossary does not say):

* an ``EmployerDeclarationUpdate`` (block 90219) addresses the original of the
  same ``NOSSRegistrationNbr`` (zone 00011) or ``CompanyID`` (zone 00014) and
  the same ``Quarter`` (zone 00013). ``EmployerDeclarationPID`` (zone 00534) is
  the ONSS's own id, which originals do not carry: it is kept, not matched;
* a ``WorkerRecordUpdate`` (block 90223) addresses the worker line of the
  natural person's ``INSS`` whose ``EmployerClass`` and ``WorkerCode`` are
  those of ``LastSituationWR`` (block 90221: "cardinality 0 when a new worker
  line is to be created"); without a last situation, those of
  ``WorkerRecordUpdateAction`` (block 90225);
* ``UpdateAction`` (zone 00618): **1** some data of the line changed — the
  action carries the complete new situation of the line, whose occupations
  (with their service and remuneration lines) replace the old ones
  ``[verify]`` (the glossary says "certain data modified"; that the block then
  repeats every occupation is read from block 90211 and the official sample);
  **0** the line is deleted; **3** the line is created by a correction;
  **9** the line is unchanged (content repeated for context is ignored);
* several updates of one quarter apply in the order of their form creation
  date and hour (zones 00218, 00299), then file name, then their order in
  the file ``[verify]`` (the glossary gives no order between forms);
* an update whose original is not in the input gives a
  :data:`DMFA_UPDATE_WITHOUT_ORIGINAL` finding, never an error. By default
  (``orphans="use"``) its new situation (actions 1 and 3) is used on its own,
  because action 1 carries the complete line; ``orphans="ignore"`` drops it;
* a ``DmfAConsultationAnswer`` is the ONSS's state of a declaration: where one
  is given for an employer and quarter, its lines replace those of the
  originals and updates of that quarter (a :data:`DMFA_CONSULTATION_PRECEDENCE`
  finding says so, and the lines' provenance is the answer). An answer without
  any worker line (``ResultCodeResearch``: no result) is not taken as a state
  ``[verify]``.

>>> from datetime import date
>>> from mycareer.dmfa import ContractType, DmfaOccupation
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.joint_commission import JointCommission
>>> q1, acme = Quarter(2024, 1), Employer(EnterpriseNumber("0403019261"))
>>> def line(hours: int, file: str) -> DmfaWorkerRecord:
...     occupation = DmfaOccupation(1, date(2024, 1, 1), None, q1.period, JointCommission("200"),
...         500, ContractType.PART_TIME, hours, 3800)
...     return DmfaWorkerRecord(acme, q1, Niss("90010100123"), 495, "010", q1.period,
...                             [occupation], SourceRef(file, 20))
>>> form = DmfaUpdateForm(acme, q1, datetime(2024, 5, 2, 9, 0), source=SourceRef("fix.xml", 3))
>>> fix = DmfaLineUpdate(form, UpdateAction.MODIFIED, line(1900, "fix.xml"))
>>> result = apply_dmfa_updates([line(3800, "q1.xml")], [fix])
>>> [str(r.occupations[0].fraction) for r in result.records]
['1/2']
>>> print(result.lines[0].origin, [str(s) for s in result.lines[0].history])
update ['q1.xml:20', 'fix.xml:20']
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Final, Literal

import attrs

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InvalidValueError, SourceRef
from mycareer.findings import Finding, Severity
from mycareer.niss import Niss
from mycareer.quarter import Quarter

__all__ = [
    "DMFA_CONSULTATION_DUPLICATE",
    "DMFA_CONSULTATION_EMPTY",
    "DMFA_CONSULTATION_PRECEDENCE",
    "DMFA_NSSO_NUMBER_SHARED",
    "DMFA_UPDATE_APPLIED",
    "DMFA_UPDATE_LINE_EXISTS",
    "DMFA_UPDATE_UNKNOWN_LINE",
    "DMFA_UPDATE_WITHOUT_ORIGINAL",
    "CorrectedSlot",
    "DmfaConsultation",
    "DmfaCorrection",
    "DmfaLineUpdate",
    "DmfaUpdateForm",
    "EffectiveLine",
    "FindingStep",
    "LineOrigin",
    "SlotOpener",
    "UpdateAction",
    "apply_dmfa_updates",
    "employer_ids",
    "form_order",
    "step_ranks",
]

#: Finding: an update form names an employer and quarter with no original in the input.
DMFA_UPDATE_WITHOUT_ORIGINAL: Final = "DMFA_UPDATE_WITHOUT_ORIGINAL"
#: Finding: an update modifies or deletes a worker line the original does not have.
DMFA_UPDATE_UNKNOWN_LINE: Final = "DMFA_UPDATE_UNKNOWN_LINE"
#: Finding: an update creates (action 3) a worker line that already exists: it replaces it.
DMFA_UPDATE_LINE_EXISTS: Final = "DMFA_UPDATE_LINE_EXISTS"
#: Finding (info): which file corrected which lines of which quarter.
DMFA_UPDATE_APPLIED: Final = "DMFA_UPDATE_APPLIED"
#: Finding (info): an ONSS consultation answer replaced the lines of a quarter.
DMFA_CONSULTATION_PRECEDENCE: Final = "DMFA_CONSULTATION_PRECEDENCE"
#: Finding: two consultation answers for one employer and quarter; the latest wins.
DMFA_CONSULTATION_DUPLICATE: Final = "DMFA_CONSULTATION_DUPLICATE"
#: Finding (info): a consultation answer without any worker line is not taken as a state.
DMFA_CONSULTATION_EMPTY: Final = "DMFA_CONSULTATION_EMPTY"
#: Finding: two enterprise numbers declared under one NSSO number in a quarter, which the
#: ONSS refuses (anomaly 00014-022); their declarations are kept apart.
DMFA_NSSO_NUMBER_SHARED: Final = "DMFA_NSSO_NUMBER_SHARED"


class UpdateAction(IntEnum):
    """``UpdateAction``, zone 00618 of the ONSS glossary."""

    DELETED = 0
    MODIFIED = 1
    CREATED = 3
    UNCHANGED = 9


class LineOrigin(StrEnum):
    """Which kind of document set an effective worker line."""

    ORIGINAL = "original"
    UPDATE = "update"
    CONSULTATION = "consultation"


@attrs.frozen
class DmfaUpdateForm:
    """The header of one ``EmployerDeclarationUpdate`` (or consultation answer) form.

    ``declaration_id`` is ``EmployerDeclarationPID`` (zone 00534), the ONSS's id.
    """

    employer: Employer
    quarter: Quarter
    created_at: datetime | None = None
    declaration_id: str | None = None
    reference: str | None = None
    source: SourceRef | None = None

    @property
    def file(self) -> str:
        """The file the form was read from (``""`` when unknown)."""
        return (self.source.file if self.source is not None else None) or ""


@attrs.frozen
class DmfaLineUpdate:
    """One ``WorkerRecordUpdate``: the action and the new situation of the line.

    ``record`` holds the line as ``WorkerRecordUpdateAction`` gives it (its
    employer class and worker code, occupations replaced wholesale);
    ``last_employer_class``/``last_worker_code``/``last_version`` come from
    ``LastSituationWR`` (``WorkerRecordVersionNbr``, zone 00610, is the ONSS's
    version of the line: kept for writing, not matched).
    """

    form: DmfaUpdateForm
    action: UpdateAction
    record: DmfaWorkerRecord
    last_employer_class: str | None = None
    last_worker_code: int | None = None
    last_version: str | None = None

    @property
    def target(self) -> tuple[Niss, str, int]:
        """The line addressed: INSS + employer class + worker code (of the last situation)."""
        if self.last_employer_class is not None and self.last_worker_code is not None:
            return (self.record.niss, self.last_employer_class, self.last_worker_code)
        return (self.record.niss, self.record.employer_class, self.record.worker_code)


def _records(items: Iterable[DmfaWorkerRecord]) -> tuple[DmfaWorkerRecord, ...]:
    return tuple(items)


@attrs.frozen
class DmfaConsultation:
    """One ``DmfAConsultationAnswer`` form: the ONSS's state of one declaration."""

    form: DmfaUpdateForm
    records: tuple[DmfaWorkerRecord, ...] = attrs.field(converter=_records, factory=tuple)


def _sources(items: Iterable[SourceRef]) -> tuple[SourceRef, ...]:
    return tuple(items)


@attrs.frozen
class EffectiveLine:
    """An effective worker line and where it comes from.

    ``history`` lists the source of every document that set the line, oldest
    first (the original, then each update applied); ``origin`` is the kind of
    the last one.
    """

    record: DmfaWorkerRecord
    origin: LineOrigin
    history: tuple[SourceRef, ...] = attrs.field(converter=_sources, factory=tuple)


#: How a corrected line got its value: its index in the records, its origin, its history.
Change = tuple[int, LineOrigin, tuple[SourceRef, ...]]


class SlotOpener(IntEnum):
    """What opened an employer quarter in :func:`apply_dmfa_updates`, in the order it opens
    them: declarations (in their order), original lines without one (in their order),
    updates without their original (by creation time, then file name), then consultation
    answers without either (likewise, by the first answer of their employer and quarter)."""

    DECLARATION = 0
    ORIGINAL = 1
    UPDATE = 2
    CONSULTATION = 3


@attrs.frozen
class CorrectedSlot:
    """One employer quarter of a :class:`DmfaCorrection`: where its lines start in
    ``records`` (they end where the next slot's start), and what opened it.

    ``employer`` and ``source`` are those of what opened it; ``form_order`` is, for an
    update or a consultation answer, its creation time then file name: the order in which
    such slots are opened. Runs that apply the corrections of several parts apart
    (:mod:`mycareer.timeline_jobs`) put their slots in one application's order with these.
    """

    start: int
    opener: SlotOpener
    quarter: Quarter
    employer: Employer
    source: SourceRef | None = None
    form_order: tuple[datetime, str] | None = None


#: What made a finding (:attr:`DmfaCorrection.finding_steps`): 0 the originals (no form),
#: 1 an update form applied (its form), 2 a consultation answer replacing an earlier one
#: (the later's form), 3 a consultation answer applied (its quarter's first answer's form).
FindingStep = tuple[int, DmfaUpdateForm | None]


@attrs.frozen
class DmfaCorrection:
    """The effective lines, the declared quarters and the findings of applying corrections.

    ``records`` are the effective worker lines, as the readers of originals give
    them; ``changes`` holds the provenance of the lines that an update or a
    consultation answer set (the others are their original's), and
    :attr:`lines` pairs every record with its provenance.
    """

    records: tuple[DmfaWorkerRecord, ...] = ()
    declarations: tuple[DmfaDeclaration, ...] = ()
    findings: tuple[Finding, ...] = ()
    changes: tuple[Change, ...] = ()
    #: Every employer quarter, in the order of ``records``.
    slots: tuple[CorrectedSlot, ...] = ()
    #: What made each finding, in the order of ``findings``: applications of parts of the
    #: corrections can put their findings in the order one application gives them.
    finding_steps: tuple[FindingStep, ...] = ()

    @property
    def lines(self) -> tuple[EffectiveLine, ...]:
        """Every effective line with its provenance (built on demand)."""
        changed = {index: (origin, history) for index, origin, history in self.changes}
        return tuple(
            EffectiveLine(record, *changed[index])
            if index in changed
            else EffectiveLine(record, LineOrigin.ORIGINAL, _own_source(record))
            for index, record in enumerate(self.records)
        )


#: A worker line's key inside the applier: ``"INSS employer-class worker-code"`` (a text,
#: which the cyclic garbage collector does not track, unlike a tuple holding a Niss).
_LineKey = str


def _own_source(record: DmfaWorkerRecord) -> tuple[SourceRef, ...]:
    return (record.source,) if record.source is not None else ()


def _line_key(record: DmfaWorkerRecord) -> _LineKey:
    return f"{record.niss.value} {record.employer_class} {record.worker_code}"


def _target_key(update: DmfaLineUpdate) -> _LineKey:
    niss, employer_class, worker_code = update.target
    return f"{niss.value} {employer_class} {worker_code}"


def employer_ids(employer: Employer) -> list[str]:
    """The identifiers under which an employer's quarter is found (its slot): enterprise
    number, then ONSS number. Two declarations of a quarter sharing one share the slot."""
    ids = []
    if employer.enterprise is not None:
        ids.append(f"e:{employer.enterprise.value}")
    if employer.nsso is not None:
        ids.append(f"n:{employer.nsso.value}")
    return ids


def _other_enterprise(enterprise: EnterpriseNumber | None, employer: Employer) -> bool:
    """Whether ``employer`` names another enterprise number than a slot's (one NSSO number
    shared: two slots; an employer declared once without its number, CompanyID 0, is
    the same)."""
    return (
        enterprise is not None
        and employer.enterprise is not None
        and enterprise != employer.enterprise
    )


def _shared_nsso_finding(
    first: Employer, second: Employer, quarter: Quarter, source: SourceRef | None
) -> Finding:
    return Finding(
        DMFA_NSSO_NUMBER_SHARED,
        Severity.WARNING,
        f"employer {second} is declared under NSSO number {first.nsso} for {quarter}, as "
        f"employer {first} is: the ONSS accepts only the enterprise number its register "
        "holds for an NSSO number (anomaly 00014-022), so one of them is wrong; each keeps "
        f"its own declaration and lines, and a correction naming only the NSSO number goes "
        f"to {first}",
        source,
    )


def _when(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ") if moment is not None else "no date"


def form_order(form: DmfaUpdateForm) -> tuple[datetime, str]:
    """The order corrections apply in: creation moment, then file name (ties: input order)."""
    return (form.created_at or datetime.min, form.file)


def step_ranks(
    updates: Iterable[DmfaLineUpdate], consultations: Iterable[DmfaConsultation]
) -> dict[int, int]:
    """Each update form's place (by identity) among the update forms, and each answer's
    among the consultation answers, in the order :func:`apply_dmfa_updates` takes them:
    the forms of a :class:`FindingStep` ranked, so that applications of parts of the
    corrections can put their findings in one application's order."""
    forms = {id(update.form): update.form for update in updates}  # first seen first
    answers = [consultation.form for consultation in consultations]
    ranks: dict[int, int] = {}
    for ordered in (sorted(forms.values(), key=form_order), sorted(answers, key=form_order)):
        ranks.update((id(form), rank) for rank, form in enumerate(ordered))
    return ranks


@attrs.define
class _Slot:
    """The lines of one employer and quarter while corrections are applied.

    ``records`` keeps the input order (``None``: a deleted line); the index by
    line key is only built when a correction reaches the slot, and ``changes``
    only holds the provenance of changed lines, so that uncorrected quarters
    cost next to nothing.
    """

    employer: Employer
    quarter: Quarter
    #: The enterprise number of the slot's employer, the first that joined it (a slot
    #: made by a declaration without one, CompanyID 0, takes the next one's).
    enterprise: EnterpriseNumber | None = None
    opener: SlotOpener = SlotOpener.DECLARATION
    source: SourceRef | None = None
    form_order: tuple[datetime, str] | None = None
    records: list[DmfaWorkerRecord | None] = attrs.Factory(list)
    changes: dict[int, tuple[LineOrigin, tuple[SourceRef, ...]]] = attrs.Factory(dict)
    declaration: DmfaDeclaration | None = None
    has_original: bool = False
    _index: dict[_LineKey, int] | None = None

    def index(self) -> dict[_LineKey, int]:
        """Position of each line key (the first line of a key, if a declaration repeats one)."""
        if self._index is None:
            self._index = {}
            for position, record in enumerate(self.records):
                if record is not None:
                    self._index.setdefault(_line_key(record), position)
        return self._index

    def history(self, position: int) -> tuple[SourceRef, ...]:
        change = self.changes.get(position)
        if change is not None:
            return change[1]
        record = self.records[position]
        return () if record is None else _own_source(record)

    def put(self, target: _LineKey | None, record: DmfaWorkerRecord, origin: LineOrigin) -> None:
        """Set the line ``target`` (``None``: a new line) to ``record``."""
        index = self.index()
        position = None if target is None else index.get(target)
        if position is None:
            position = len(self.records)
            self.records.append(record)
            history: tuple[SourceRef, ...] = ()
        else:
            history = self.history(position)
            self.records[position] = record
            assert target is not None
            del index[target]
        index.setdefault(_line_key(record), position)
        self.changes[position] = (origin, (*history, *_own_source(record)))

    def delete(self, target: _LineKey) -> None:
        position = self.index().pop(target)
        self.records[position] = None
        self.changes.pop(position, None)

    def forget_index(self) -> None:
        self._index = None

    def live(self) -> list[DmfaWorkerRecord]:
        return [record for record in self.records if record is not None]


@attrs.define
class _Applier:
    """The state of :func:`apply_dmfa_updates`: slots by employer id and quarter."""

    orphans: Literal["use", "ignore"]
    slots: list[_Slot] = attrs.Factory(list)
    index: dict[tuple[Quarter, str], _Slot] = attrs.Factory(dict)
    findings: list[Finding] = attrs.Factory(list)
    last: _Slot | None = None
    #: Where each step's findings start: (index in ``findings``, step).
    marks: list[tuple[int, FindingStep]] = attrs.Factory(lambda: [(0, (0, None))])

    def step(self, phase: int, form: DmfaUpdateForm) -> None:
        """The findings from here on are those of ``form`` in ``phase`` (FindingStep)."""
        self.marks.append((len(self.findings), (phase, form)))

    def slot(
        self,
        employer: Employer,
        quarter: Quarter,
        *,
        create: SlotOpener | None,
        source: SourceRef | None = None,
        form_order: tuple[datetime, str] | None = None,
    ) -> _Slot | None:
        """The slot of ``employer``'s quarter, found by either of its numbers; with
        ``create``, a new one opened by that when there is none (``source``: where)."""
        other: _Slot | None = None
        for key in employer_ids(employer):
            found = self.index.get((quarter, key))
            if found is not None and not _other_enterprise(found.enterprise, employer):
                found.enterprise = found.enterprise or employer.enterprise
                return found
            other = other or found
        if create is None:
            return None
        slot = _Slot(employer, quarter, employer.enterprise, create, source, form_order)
        self.slots.append(slot)
        for key in employer_ids(employer):
            self.index.setdefault((quarter, key), slot)  # a shared NSSO number: the first's
        if other is not None:
            # A slot made by a CompanyID-0 declaration is named by the enterprise that joined it.
            named = attrs.evolve(other.employer, enterprise=other.enterprise)
            self.findings.append(_shared_nsso_finding(named, employer, quarter, source))
        return slot

    def add_original(self, record: DmfaWorkerRecord) -> None:
        last = self.last
        if last is not None and record.employer is last.employer and record.quarter is last.quarter:
            slot = last  # the records of one declaration share their employer and quarter
        else:
            found = self.slot(
                record.employer, record.quarter, create=SlotOpener.ORIGINAL, source=record.source
            )
            assert found is not None
            slot = self.last = found
        slot.has_original = True
        slot.records.append(record)

    def add_declaration(self, declaration: DmfaDeclaration) -> None:
        slot = self.slot(
            declaration.employer,
            declaration.quarter,
            create=SlotOpener.DECLARATION,
            source=declaration.source,
        )
        assert slot is not None
        slot.has_original = True
        slot.declaration = declaration

    # -- updates ---------------------------------------------------------------
    def apply_form(self, form: DmfaUpdateForm, updates: list[DmfaLineUpdate]) -> None:
        slot = self.slot(form.employer, form.quarter, create=None)
        if slot is None or not slot.has_original:
            used = self.orphans == "use"
            self.findings.append(
                Finding(
                    DMFA_UPDATE_WITHOUT_ORIGINAL,
                    Severity.WARNING,
                    f"{form.file or 'an update'} corrects employer {form.employer} quarter "
                    f"{form.quarter}, whose original is not in the input: "
                    + (
                        "its new worker lines are used on their own"
                        if used
                        else "ignored (orphans='ignore')"
                    ),
                    form.source,
                )
            )
            if not used:
                return
            slot = self.slot(form.employer, form.quarter, create=SlotOpener.UPDATE,
                             source=form.source, form_order=form_order(form))  # fmt: skip
            assert slot is not None
            slot.declaration = DmfaDeclaration(
                form.employer, form.quarter, form.created_at, source=form.source
            )
        done: dict[UpdateAction, list[str]] = {}
        for update in updates:
            if self._apply_line(slot, update):
                done.setdefault(update.action, []).append(str(update.record.niss))
        if done:
            self.findings.append(_applied_finding(form, slot, done))

    def _apply_line(self, slot: _Slot, update: DmfaLineUpdate) -> bool:
        """Apply one line update; ``True`` when it changed something."""
        action = update.action
        if action is UpdateAction.UNCHANGED:
            return False
        target = _target_key(update)
        exists = target in slot.index()
        record = update.record
        if record.employer != slot.employer:  # the original's employer (with both its ids)
            record = attrs.evolve(record, employer=slot.employer)
        what = _what(update)
        if action is UpdateAction.DELETED:
            if not exists:
                self._unknown_line(update, f"deletes {what}, which the declaration does not have")
                return False
            slot.delete(target)
            return True
        if not exists and action is UpdateAction.MODIFIED:
            used = self.orphans == "use"
            self._unknown_line(
                update,
                f"modifies {what}, which the declaration does not have: "
                + ("its new situation is used on its own" if used else "ignored"),
            )
            if not used:
                return False
        if exists and action is UpdateAction.CREATED:
            self.findings.append(
                Finding(
                    DMFA_UPDATE_LINE_EXISTS,
                    Severity.WARNING,
                    f"{update.form.file}: creates {what}, which already exists: it is replaced",
                    update.record.source,
                )
            )
        slot.put(target if exists else None, record, LineOrigin.UPDATE)
        return True

    def _unknown_line(self, update: DmfaLineUpdate, message: str) -> None:
        self.findings.append(
            Finding(
                DMFA_UPDATE_UNKNOWN_LINE,
                Severity.WARNING,
                f"{update.form.file}: {message}",
                update.record.source,
            )
        )

    # -- consultation answers ------------------------------------------------
    def apply_consultation(
        self, consultation: DmfaConsultation, first: tuple[datetime, str]
    ) -> None:
        """Apply ``consultation``; ``first``: the form order of its quarter's first answer."""
        form = consultation.form
        if not consultation.records:
            self.findings.append(
                Finding(
                    DMFA_CONSULTATION_EMPTY,
                    Severity.INFO,
                    f"the ONSS consultation answer {form.file} for employer {form.employer} "
                    f"quarter {form.quarter} holds no worker line (no result found): it is not "
                    "taken as the state of the declaration [verify]",
                    form.source,
                )
            )
            return
        slot = self.slot(form.employer, form.quarter, create=SlotOpener.CONSULTATION,
                         source=form.source, form_order=first)  # fmt: skip
        assert slot is not None
        replaced = len(slot.live())
        corrected = sum(
            origin is LineOrigin.UPDATE and slot.records[position] is not None
            for position, (origin, _history) in slot.changes.items()
        )
        slot.records, slot.changes = [], {}
        slot.forget_index()
        for record in consultation.records:
            slot.put(None, attrs.evolve(record, employer=slot.employer), LineOrigin.CONSULTATION)
        slot.declaration = DmfaDeclaration(
            slot.employer,
            form.quarter,
            form.created_at,
            worker_count=len({r.niss for r in consultation.records}),
            record_count=len(consultation.records),
            reference=form.reference,
            source=form.source,
        )
        self.findings.append(
            Finding(
                DMFA_CONSULTATION_PRECEDENCE,
                Severity.INFO,
                f"the ONSS consultation answer {form.file} (created {_when(form.created_at)}) is "
                f"the state of employer {slot.employer} quarter {form.quarter}: its "
                f"{len(consultation.records)} worker line(s) replace the {replaced} line(s) of "
                f"the originals and updates ({corrected} of them corrected by an update)",
                form.source,
            )
        )

    # -- result --------------------------------------------------------------
    def result(self) -> DmfaCorrection:
        records: list[DmfaWorkerRecord] = []
        changes: list[Change] = []
        declarations: list[DmfaDeclaration] = []
        slots: list[CorrectedSlot] = []
        for slot in self.slots:
            slots.append(CorrectedSlot(len(records), slot.opener, slot.quarter, slot.employer,
                                       slot.source, slot.form_order))  # fmt: skip
            if not slot.changes and None not in slot.records:
                records.extend(slot.records)  # type: ignore[arg-type]  # no None: checked
            else:
                for position, record in enumerate(slot.records):
                    if record is None:
                        continue
                    change = slot.changes.get(position)
                    if change is not None:
                        changes.append((len(records), *change))
                    records.append(record)
            if slot.declaration is not None:
                declarations.append(_recount(slot))
        declarations.sort(key=lambda d: (d.quarter, d.employer.key))
        steps: list[FindingStep] = []
        for (start, step), (end, _next) in itertools.pairwise(
            [*self.marks, (len(self.findings), (0, None))]
        ):
            steps.extend([step] * (end - start))
        return DmfaCorrection(tuple(records), tuple(declarations), tuple(self.findings),
                              tuple(changes), tuple(slots), tuple(steps))  # fmt: skip


class _What:
    """How a finding names a line update's target, written only when a finding needs it."""

    def __init__(self, update: DmfaLineUpdate) -> None:
        self.update = update

    def __str__(self) -> str:
        niss, employer_class, worker_code = self.update.target
        return f"NISS {niss} class {employer_class} worker code {worker_code:03d}"


_what = _What


def _recount(slot: _Slot) -> DmfaDeclaration:
    """The slot's header with its worker and line counts after the corrections."""
    declaration = slot.declaration
    assert declaration is not None
    records = slot.live()
    return attrs.evolve(
        declaration,
        worker_count=len({r.niss for r in records}),
        record_count=len(records),
    )


_ACTION_WORDS: Final = {
    UpdateAction.MODIFIED: "modified",
    UpdateAction.DELETED: "deleted",
    UpdateAction.CREATED: "created",
}


def _applied_finding(
    form: DmfaUpdateForm, slot: _Slot, done: dict[UpdateAction, list[str]]
) -> Finding:
    parts = "; ".join(
        f"{_ACTION_WORDS[action]} NISS {', '.join(nisses)}"
        for action, nisses in sorted(done.items())
    )
    return Finding(
        DMFA_UPDATE_APPLIED,
        Severity.INFO,
        f"{form.file or 'an update'} (created {_when(form.created_at)}) corrects employer "
        f"{slot.employer} quarter {slot.quarter}: {parts}",
        form.source,
    )


def _latest_consultations(
    consultations: Iterable[DmfaConsultation], applier: _Applier
) -> list[tuple[DmfaConsultation, DmfaUpdateForm]]:
    """One consultation answer per employer and quarter: the latest created, then file name;
    each with the form of the first (the answers apply in that order)."""
    ranked = sorted(consultations, key=lambda c: form_order(c.form))
    kept: dict[tuple[str, Quarter], DmfaConsultation] = {}
    first: dict[tuple[str, Quarter], DmfaUpdateForm] = {}
    for consultation in ranked:
        key = (consultation.form.employer.key, consultation.form.quarter)
        previous = kept.get(key)
        if previous is not None:
            applier.step(2, consultation.form)
            applier.findings.append(
                Finding(
                    DMFA_CONSULTATION_DUPLICATE,
                    Severity.WARNING,
                    f"two ONSS consultation answers for employer {consultation.form.employer} "
                    f"quarter {key[1]}: {consultation.form.file} "
                    f"(created {_when(consultation.form.created_at)}) replaces "
                    f"{previous.form.file} (created {_when(previous.form.created_at)})",
                    previous.form.source,
                )
            )
        kept[key] = consultation
        first.setdefault(key, consultation.form)
    return [(consultation, first[key]) for key, consultation in kept.items()]


def apply_dmfa_updates(
    originals: Iterable[DmfaWorkerRecord],
    updates: Iterable[DmfaLineUpdate] = (),
    *,
    declarations: Iterable[DmfaDeclaration] = (),
    consultations: Iterable[DmfaConsultation] = (),
    orphans: Literal["use", "ignore"] = "use",
) -> DmfaCorrection:
    """Apply modification declarations and consultation answers to original worker lines.

    ``originals`` are the lines of the original declarations (one winner per
    employer and quarter, as :func:`mycareer.xmlio.read_dmfa` gives them) and
    ``declarations`` their headers; ``updates`` are the line updates of any
    number of ``DmfAUpdate`` forms, in any order (they are applied by form
    creation time, then file name, then input order); ``consultations`` are
    ONSS consultation answers, which take precedence over both. ``orphans``
    says what an update without its original does (see the module's reading).

    Never raises on inconsistent data: each surprise is a finding. Lines keep
    their input order; a line created by a correction comes after the others
    of its quarter.
    """
    if orphans not in ("use", "ignore"):
        raise InvalidValueError(f"orphans must be 'use' or 'ignore', not {orphans!r}")
    applier = _Applier(orphans)
    for declaration in declarations:
        applier.add_declaration(declaration)
    for record in originals:
        applier.add_original(record)
    forms: dict[int, tuple[DmfaUpdateForm, list[DmfaLineUpdate]]] = {}
    for update in updates:
        # forms are told apart by identity: two equal headers are still two forms
        forms.setdefault(id(update.form), (update.form, []))[1].append(update)
    for form, lines in sorted(forms.values(), key=lambda item: form_order(item[0])):
        applier.step(1, form)
        applier.apply_form(form, lines)
    for consultation, first in _latest_consultations(consultations, applier):
        applier.step(3, first)
        applier.apply_consultation(consultation, form_order(first))
    return applier.result()
