"""The DmfA fast paths against the checked path: same records, same errors.

The fast paths (``mycareer.xmlio._dmfa_fast``) read plain occupation lines and
plain WorkerRecord fields by position and hand anything else to the checked
path. Each test reads the same bytes twice, once as shipped and once with the
fast paths switched off, and compares every record (all fields, sources
included) and every error message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import mycareer.xmlio.dmfa as dmfa_module
from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    DmfaWorkerRecord,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import ErrorCollector
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.xmlio import _dmfa_fast
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_occupation import CHECKED_COMMITTEES
from mycareer.xmlio.dmfa_writer import dmfa_bytes

DEMO = Path(str(resources.files("mycareer.data.demo")))
QUARTER = Quarter(2024, 1)
EMPLOYER = Employer(EnterpriseNumber("0403019261"))


def _read(data: bytes) -> tuple[list[DmfaWorkerRecord], list[str]]:
    errors = ErrorCollector(raise_on_exit=False)
    try:
        records = list(iter_dmfa(data, name="d.xml", errors=errors))
    except Exception as error:
        return [], [f"{type(error).__name__}: {error}"]
    return records, [str(e) for e in errors.errors]


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = _read(data)
    with monkeypatch.context() as patch:
        patch.setattr(dmfa_module, "fast_occupation", lambda *_args: None)
        patch.setattr(dmfa_module, "plain_record", lambda *_args: None)
        checked = _read(data)
    return fast, checked


def _occupation(sequence: int) -> DmfaOccupation:
    return DmfaOccupation(
        sequence=sequence,
        start=date(2020, 1, 1),
        end=None,
        period=QUARTER.period,
        joint_commission=JointCommission("200"),
        working_days_system=500,
        contract_type=ContractType.PART_TIME,
        mean_working_hours=1900,
        ref_mean_working_hours=3800,
        reorganisation_measures=[ReorganisationMeasure(4, 5000), ReorganisationMeasure(1)],
        services=[ServiceLine(1, 3200, 12160), ServiceLine(50, 100)],
        remunerations=[RemunerationLine(1, 1_200_000), RemunerationLine(2, 90_000, 1, 100)],
    )


BASE = dmfa_bytes(
    EMPLOYER,
    QUARTER,
    [
        DmfaWorkerRecord(
            EMPLOYER, QUARTER, Niss("90010100123"), 495, "010", QUARTER.period,
            [_occupation(1), _occupation(2)],
        )
    ],
    created_at=datetime(2024, 4, 20, 10, 15),
)  # fmt: skip


def _record(niss: str, *sequences: int) -> DmfaWorkerRecord:
    lines = [_occupation(sequence) for sequence in sequences]
    return DmfaWorkerRecord(EMPLOYER, QUARTER, Niss(niss), 495, "010", QUARTER.period, lines)


# Three records (the first worker's two share a NaturalPerson): the first is read the
# checked way (which accepts the quarter dates), the next two take the fast record path.
WORKERS = dmfa_bytes(
    EMPLOYER,
    QUARTER,
    [_record("90010100123", 1), _record("90010100123", 2, 3), _record("85073003328", 1)],
    created_at=datetime(2024, 4, 20, 10, 15),
)


def _leaves(root: etree._Element) -> list[etree._Element]:
    return [e for o in root.iter("Occupation") for e in o.iter() if len(e) == 0]


def _record_leaves(root: etree._Element) -> list[etree._Element]:
    """The fields of every WorkerRecord and NaturalPerson (occupations apart)."""
    return [e for p in root.iter("NaturalPerson", "WorkerRecord") for e in p if len(e) == 0]


SPECIAL = (
    "", " ", "0", "1", "2", " 7", "7 ", "+7", "-7", "007", "1e3", "٣", "x", "2024-02-30",
    "2024-1-01", "2023-12-31", "20240101", "2024-03-31", "2024-01-01T00:00", "200.01",
    "9" * 18, "9" * 19, "999", None,
)  # fmt: skip
TEXTS = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12),
)  # fmt: skip
Mutation = tuple[str, int, str | None]
Leaves = Callable[[etree._Element], list[etree._Element]]
MUTATIONS = st.tuples(
    st.sampled_from(["text", "drop", "twice", "again", "swap", "first", "tail"]),
    st.integers(min_value=0, max_value=200),
    TEXTS,
)


def _mutate(data: bytes, mutations: list[Mutation], where: Leaves = _leaves) -> bytes:
    root = etree.fromstring(data)
    for kind, index, text in mutations:
        leaves = where(root)
        leaf = leaves[index % len(leaves)]
        parent = leaf.getparent()
        assert parent is not None
        if kind == "text":
            leaf.text = text
        elif kind == "drop":
            parent.remove(leaf)
        elif kind == "twice":
            leaf.addnext(copy.deepcopy(leaf))
        elif kind == "again":  # the field once more, last, with another text
            again = copy.deepcopy(leaf)
            again.text = text
            parent.append(again)
        elif kind == "swap" and leaf.getnext() is not None:
            following = leaf.getnext()
            assert following is not None
            following.addnext(leaf)
        elif kind == "first":
            parent.insert(0, leaf)
        elif kind == "tail":
            parent.append(etree.Element("Unknown"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _count_fast_lines(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """From now on, whether each occupation line took the fast path, in reading order."""
    calls: list[bool] = []
    original = _dmfa_fast.fast_occupation

    def counting(*args: object) -> DmfaOccupation | None:
        line = original(*args)  # type: ignore[arg-type]
        calls.append(line is not None)
        return line

    monkeypatch.setattr(dmfa_module, "fast_occupation", counting)
    return calls


def test_the_fast_path_reads_a_plain_line_equal_to_the_checked_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_fast_lines(monkeypatch)
    CHECKED_COMMITTEES.clear()  # as in a fresh process
    fast = _read(BASE)
    monkeypatch.undo()
    # The first line of a joint committee goes the checked way (which checks and caches
    # the committee); the next one takes the fast path ...
    assert calls == [False, True]
    assert fast[1] == []
    assert len(fast[0][0].occupations) == 2
    assert fast == _both(BASE, monkeypatch)[1]  # ... and gives the checked result


def test_a_committee_checked_in_one_document_is_known_in_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every file's first line of a committee used to go the checked way (2 % of lines)."""
    CHECKED_COMMITTEES.clear()
    first = _read(BASE)
    calls = _count_fast_lines(monkeypatch)
    second = _read(BASE)
    assert calls == [True, True]
    assert first == second
    # A committee the checked path refuses is never remembered: each file reports it.
    bad = BASE.replace(b"<JointCommissionNbr>200<", b"<JointCommissionNbr>20<")
    assert bad != BASE
    errors = [_read(bad)[1] for _ in range(2)]
    assert "20" not in CHECKED_COMMITTEES
    assert all(any("JointCommissionNbr" in str(e) for e in found) for found in errors)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATIONS, min_size=1, max_size=3))
def test_mutated_lines_give_the_same_records_and_errors(mutations: list[Mutation]) -> None:
    data = _mutate(BASE, mutations)
    with pytest.MonkeyPatch.context() as patch:
        fast, checked = _both(data, patch)
    assert fast == checked


def test_every_field_of_a_fast_line_with_every_special_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = etree.fromstring(BASE)
    second = list(root.iter("Occupation"))[1]  # the line that takes the fast path
    count = sum(1 for e in second.iter() if len(e) == 0)
    first = len(_leaves(root)) - count
    for index in range(first, first + count):
        for text in SPECIAL:
            data = _mutate(BASE, [("text", index, text)])
            fast, checked = _both(data, monkeypatch)
            assert fast == checked, (index, text)


def test_plain_records_take_the_fast_record_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    original = _dmfa_fast.plain_record

    def counting(*args: object) -> object:
        plain = original(*args)  # type: ignore[arg-type]
        calls.append(plain is not None)
        return plain

    monkeypatch.setattr(dmfa_module, "plain_record", counting)
    fast = _read(WORKERS)
    monkeypatch.undo()
    # The first record goes the checked way (it accepts the quarter dates); the next two
    # are read by position ...
    assert calls == [False, True, True]
    assert fast[1] == []
    assert [len(record.occupations) for record in fast[0]] == [1, 2, 1]
    assert [record.niss.value for record in fast[0]] == ["90010100123"] * 2 + ["85073003328"]
    assert fast == _both(WORKERS, monkeypatch)[1]  # ... and give the checked result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MUTATIONS, min_size=1, max_size=3))
def test_mutated_records_give_the_same_records_and_errors(mutations: list[Mutation]) -> None:
    data = _mutate(WORKERS, mutations, _record_leaves)
    with pytest.MonkeyPatch.context() as patch:
        fast, checked = _both(data, patch)
    assert fast == checked


def test_every_field_of_a_fast_record_with_every_special_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    count = len(_record_leaves(etree.fromstring(WORKERS)))
    for index in range(count):
        for text in SPECIAL:
            data = _mutate(WORKERS, [("text", index, text)], _record_leaves)
            fast, checked = _both(data, monkeypatch)
            assert fast == checked, (index, text)


@pytest.mark.parametrize("where", [_leaves, _record_leaves], ids=["occupations", "records"])
@pytest.mark.parametrize("kind", ["drop", "twice", "again", "swap", "first", "tail"])
def test_every_field_moved_or_given_twice(
    kind: str, where: Leaves, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "again" repeats a field last with another text, which the checked path reads.
    for index in range(len(where(etree.fromstring(WORKERS)))):
        data = _mutate(WORKERS, [(kind, index, "7")], where)
        fast, checked = _both(data, monkeypatch)
        assert fast == checked, index


def _files() -> Iterator[Path]:
    yield from sorted((DEMO / "dmfa").glob("*.xml"))


@pytest.mark.parametrize("path", list(_files()), ids=lambda p: p.name)
def test_the_demo_declarations_read_the_same_both_ways(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, checked = _both(path.read_bytes(), monkeypatch)
    assert fast == checked
