"""``slot_place``: the order one application of every correction gives its slots, from parts.

The timeline's runs by employer apply each employer's corrections apart
(:mod:`mycareer.timeline_jobs`) and put the slots back in the order one application of
everything opens them (:func:`mycareer.read_order.slot_place`). The oracle is that one
application (:func:`mycareer.dmfa_update.apply_dmfa_updates`) on random inputs of every
opener: declarations, original lines without one, updates and consultation answers
without their original, split by employer (each file holds one employer's documents, as
the plan groups them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.dmfa import ContractType, DmfaDeclaration, DmfaOccupation, DmfaWorkerRecord
from mycareer.dmfa_update import (
    DmfaConsultation,
    DmfaCorrection,
    DmfaLineUpdate,
    DmfaUpdateForm,
    SlotOpener,
    UpdateAction,
    apply_dmfa_updates,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.read_order import slot_place

EMPLOYERS = tuple(Employer(EnterpriseNumber(n)) for n in ("0000001285", "0000001384",
                                                          "0000001483", "0403019261"))  # fmt: skip
QUARTERS = (Quarter(2024, 1), Quarter(2024, 2))
MOMENTS = (None, datetime(2024, 8, 1, 9), datetime(2024, 8, 1, 10))
KINDS = ("declared", "original", "update", "consultation")


def _line(employer: Employer, quarter: Quarter, file: str) -> DmfaWorkerRecord:
    occupation = DmfaOccupation(1, quarter.first_day, None, quarter.period, JointCommission("200"),
                                500, ContractType.FULL_TIME, 3800, 3800)  # fmt: skip
    return DmfaWorkerRecord(employer, quarter, Niss("90010100123"), 495, "010", quarter.period,
                            [occupation], SourceRef(file, 20))  # fmt: skip


Item = tuple[str, int, int, int, int]  # kind, employer, quarter, file number, moment


@st.composite
def inputs(draw: st.DrawFn) -> list[Item]:
    item = st.tuples(st.sampled_from(KINDS), st.integers(0, 3), st.integers(0, 1),
                     st.integers(0, 2), st.integers(0, 2))  # fmt: skip
    return draw(st.lists(item, min_size=1, max_size=14))


def _apply(items: list[Item], files: list[str]) -> DmfaCorrection:
    """One application of ``items``, in the order the readers give them: declarations
    sorted by quarter then employer with their lines, then lines without one by file."""
    declared = sorted({(QUARTERS[q], EMPLOYERS[e].key, e) for k, e, q, _f, _m in items
                       if k == "declared"})  # fmt: skip
    declarations, originals = [], []
    for quarter, _key, e in declared:
        file = _file(e, 0)
        declarations.append(DmfaDeclaration(EMPLOYERS[e], quarter, source=SourceRef(file, 2)))
        originals.append(_line(EMPLOYERS[e], quarter, file))
    lines = [(files.index(_file(e, f)), e, q) for k, e, q, f, _m in items if k == "original"]
    for place, e, q in sorted(lines):
        originals.append(_line(EMPLOYERS[e], QUARTERS[q], files[place]))
    updates: list[DmfaLineUpdate] = []
    consultations: list[DmfaConsultation] = []
    for kind, e, q, f, m in items:
        file, employer, quarter = _file(e, f), EMPLOYERS[e], QUARTERS[q]
        form = DmfaUpdateForm(employer, quarter, MOMENTS[m], source=SourceRef(file, 3))
        line = _line(employer, quarter, file)
        if kind == "update":
            updates.append(DmfaLineUpdate(form, UpdateAction.CREATED, line))
        elif kind == "consultation":
            consultations.append(DmfaConsultation(form, [line]))
    return apply_dmfa_updates(
        originals, updates, declarations=declarations, consultations=consultations
    )


def _file(employer: int, number: int) -> str:
    return f"e{employer}-{number}.xml"  # one employer's file: read in its group


def _seen(correction: DmfaCorrection) -> list[tuple[Any, ...]]:
    return [(s.quarter, s.employer.key, s.opener) for s in correction.slots]


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_slots_of_parts_sort_into_one_applications_order(items: list[Item]) -> None:
    files = sorted({_file(e, f) for _k, e, _q, f, _m in items} | {_file(e, 0) for e in range(4)})
    whole = _seen(_apply(items, files))
    placed = []
    for employer in range(len(EMPLOYERS)):
        part = _apply([i for i in items if i[1] == employer], files)
        for local, slot in enumerate(part.slots):
            place = files.index(slot.source.file)  # type: ignore[union-attr, arg-type]
            placed.append(((slot_place(slot, place), employer, local), slot))
    placed.sort(key=lambda pair: pair[0])
    assert [(s.quarter, s.employer.key, s.opener) for _t, s in placed] == whole


def test_every_opener_is_met() -> None:
    """The openers in the order one application opens them, on one input of each."""
    items = [("consultation", 0, 0, 1, 1), ("update", 1, 1, 1, 2), ("original", 2, 0, 2, 0),
             ("declared", 3, 1, 0, 0), ("update", 0, 1, 2, 1)]  # fmt: skip
    files = sorted({_file(e, f) for _k, e, _q, f, _m in items} | {_file(e, 0) for e in range(4)})
    openers = [opener for _q, _k, opener in _seen(_apply(items, files))]
    assert openers == [SlotOpener.DECLARATION, SlotOpener.ORIGINAL, SlotOpener.UPDATE,
                       SlotOpener.UPDATE, SlotOpener.CONSULTATION]  # fmt: skip
