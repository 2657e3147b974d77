"""DmfA read file by file into stages (:func:`stream_corrected_dmfa`) against one whole read.

The oracle is ``read_corrected_dmfa(paths, on_error="collect")``: the stages committed
must receive its records in its order, and the rest must be its findings, errors,
rejected files and declarations; input it alone gives exactly makes the stream say None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import attrs
import pytest

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import FileRead, read_dmfa_file
from mycareer.xmlio.dmfa_update_writer import write_dmfa_update
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from mycareer.xmlio.flows import (
    StreamedDmfa,
    StreamOrder,
    read_corrected_dmfa,
    stream_corrected_dmfa,
)

from ..fla._build import ACME, ANN, BETA, BOB, CAROL, NSSO_ONLY, occupation, record
from ._consultation import consultation_bytes

Q = Quarter
CREATED = datetime(2024, 7, 20, 9, 0)


class _Stage:
    """Keeps what it is fed until told; the committed records go to ``sink``."""

    def __init__(self, sink: list[DmfaWorkerRecord], log: list[tuple[str, int]]) -> None:
        self.sink, self.log = sink, log
        self.fed: list[DmfaWorkerRecord] = []

    def feed(self, records: Iterable[DmfaWorkerRecord]) -> None:
        self.fed.extend(records)

    def commit(self) -> None:
        self.log.append(("commit", len(self.fed)))
        self.sink.extend(self.fed)

    def discard(self) -> None:
        self.log.append(("discard", len(self.fed)))
        self.fed = []


def _stream(
    paths: Sequence[Path],
    order: StreamOrder = "read",
    employers: Callable[[str], bool] | None = None,
) -> tuple[StreamedDmfa | None, list[DmfaWorkerRecord], list[tuple[str, int]]]:
    records: list[DmfaWorkerRecord] = []
    log: list[tuple[str, int]] = []
    stage = lambda: _Stage(records, log)  # noqa: E731
    return stream_corrected_dmfa(paths, stage, order=order, employers=employers), records, log


def _said(errors: Iterable[InvalidValueError]) -> list[tuple[str, object]]:
    return [(str(e), e.source) for e in errors]


def _assert_as_whole(paths: Sequence[Path]) -> tuple[StreamedDmfa, list[tuple[str, int]]]:
    streamed, records, log = _stream(paths)
    whole = read_corrected_dmfa(paths, on_error="collect")
    assert streamed is not None
    assert records == list(whole.records)
    assert streamed.declarations == whole.declarations
    assert streamed.findings == whole.findings
    assert _said(streamed.errors) == _said(whole.errors)
    assert streamed.rejected == whole.rejected
    return streamed, log


def _staff(employer: Employer, quarter: Quarter, count: int = 3) -> list[DmfaWorkerRecord]:
    people = (ANN, BOB, CAROL)[:count]
    return [record(employer, quarter, n, [occupation(date(2020, 1, 1), quarter=quarter)])
            for n in people]  # fmt: skip


def _write(folder: Path, name: str, employer: Employer, quarter: Quarter) -> Path:
    path = folder / name
    path.write_bytes(dmfa_bytes(employer, quarter, _staff(employer, quarter), created_at=CREATED))
    return path


def _folder(folder: Path) -> list[Path]:
    """Two employers over three quarters, named so that name order is not quarter order."""
    return [
        _write(folder, "a-acme-2024-2.xml", ACME, Q(2024, 2)),
        _write(folder, "b-acme-2023-4.xml", ACME, Q(2023, 4)),
        _write(folder, "c-beta-2024-1.xml", BETA, Q(2024, 1)),
        _write(folder, "d-acme-2024-1.xml", ACME, Q(2024, 1)),
    ]


def test_originals_come_to_the_stages_as_one_whole_read_orders_them(tmp_path: Path) -> None:
    """By declaration (quarter, then employer key), whatever the order of the file names."""
    _folder(tmp_path)
    streamed, log = _assert_as_whole([tmp_path])
    assert log == [("commit", 3)] * 4
    assert [(str(d.quarter), d.employer.key) for d in streamed.declarations] == [
        ("20234", ACME.key), ("20241", BETA.key), ("20241", ACME.key), ("20242", ACME.key)
    ]  # fmt: skip


def test_a_file_that_fails_part_way_contributes_nothing(tmp_path: Path) -> None:
    """A truncated file: its stage got records, then was discarded; none reach the result."""
    files = _folder(tmp_path)
    data = files[3].read_bytes()
    files[3].write_bytes(data[: data.rindex(b"<WorkerRecord>")])  # cut in the third worker
    streamed, log = _assert_as_whole([tmp_path])
    assert ("discard", 2) in log
    assert log.count(("commit", 3)) == 3
    (rejected,) = streamed.rejected
    assert rejected.source == str(files[3])
    assert "none of its records are used, 2 read before" in rejected.reason


def test_a_file_rejected_after_its_records_were_streamed_contributes_nothing(
    tmp_path: Path,
) -> None:
    """Quarter dates that contradict the header, in the last record: the file was read to
    its end, its good records fed, and then the whole file is refused."""
    files = _folder(tmp_path)
    data = files[0].read_bytes()
    at = data.rindex(b"<NOSSQuarterStartingDate>2024-04-01<")
    files[0].write_bytes(data[:at] + data[at:].replace(b"2024-04-01", b"2024-04-02", 1))
    streamed, log = _assert_as_whole([tmp_path])
    assert ("discard", 2) in log
    assert [r.source for r in streamed.rejected] == [str(files[0])]


def test_unreadable_files_are_errors_as_in_a_whole_read(tmp_path: Path) -> None:
    _folder(tmp_path)
    (tmp_path / "e-broken.xml").write_bytes(b"not xml at all")
    streamed, _log = _assert_as_whole([tmp_path, tmp_path / "missing.xml"])
    assert len(streamed.errors) == 2


def test_two_originals_of_one_quarter_stream_the_one_a_whole_read_keeps(tmp_path: Path) -> None:
    """Both are held while read (their headers say they are duplicates), then the one
    created last is staged (a tie: the later file), the other named in a finding."""
    _folder(tmp_path)
    _write(tmp_path, "z-acme-2024-1-again.xml", ACME, Q(2024, 1))
    streamed, log = _assert_as_whole([tmp_path])
    assert [f.code for f in streamed.findings] == ["DMFA_DUPLICATE_ORIGINAL"]
    assert "d-acme-2024-1.xml" in streamed.findings[0].message.split(" wins over ")[1]
    assert log == [("commit", 3)] * 4  # four declarations, one of Acme 2024 Q1


@pytest.mark.parametrize(
    ("created", "kept"),
    [
        ((datetime(2024, 7, 20, 9), datetime(2024, 7, 20, 8), datetime(2024, 7, 20, 9)), "z"),
        ((datetime(2024, 7, 21, 9), datetime(2024, 7, 20, 8), datetime(2024, 7, 20, 9)), "d"),
        ((datetime(2024, 7, 20, 9), datetime(2024, 7, 22, 8), datetime(2024, 7, 20, 9)), "m"),
    ],
)
def test_three_originals_of_one_quarter_stream_as_one_read_chooses(
    tmp_path: Path, created: tuple[datetime, datetime, datetime], kept: str
) -> None:
    """The last created wins, a tie to the later file; each loser named by its own finding,
    its workers listed; the winner's records in its declaration's place."""
    _folder(tmp_path)
    staff = {"d": 3, "m": 1, "z": 2}
    for (name, count), moment in zip(staff.items(), created, strict=True):
        path = tmp_path / f"{name}-acme-2024-1.xml"
        people = _staff(ACME, Q(2024, 1), count)
        path.write_bytes(dmfa_bytes(ACME, Q(2024, 1), people, created_at=moment))
    streamed, log = _assert_as_whole([tmp_path])
    assert [f.code for f in streamed.findings] == ["DMFA_DUPLICATE_ORIGINAL"] * 2
    acme = [d for d in streamed.declarations if d.key == (ACME.key, Q(2024, 1))]
    assert [d.worker_count for d in acme] == [staff[kept]]
    assert ("commit", staff[kept]) in log


def test_a_rejected_duplicate_original_leaves_the_other_to_stream(tmp_path: Path) -> None:
    """A copy cut short is no candidate: the earlier original is kept, no duplicate said."""
    _folder(tmp_path)
    again = _write(tmp_path, "z-acme-2024-1-again.xml", ACME, Q(2024, 1))
    data = again.read_bytes()
    again.write_bytes(data[: data.rindex(b"<WorkerRecord>")])
    streamed, _log = _assert_as_whole([tmp_path])
    assert [f.code for f in streamed.findings] == []
    assert len(streamed.rejected) == 1


def test_duplicate_originals_all_cut_short_leave_the_rest_to_stream(tmp_path: Path) -> None:
    files = _folder(tmp_path)
    again = _write(tmp_path, "z-acme-2024-1-again.xml", ACME, Q(2024, 1))
    for path in (files[3], again):
        data = path.read_bytes()
        path.write_bytes(data[: data.rindex(b"<WorkerRecord>")])
    streamed, log = _assert_as_whole([tmp_path])
    assert len(streamed.rejected) == 2
    assert log == [("commit", 3)] * 3


def test_a_duplicate_original_holding_another_form_needs_a_whole_read(tmp_path: Path) -> None:
    """Its second form's records would go after the other quarter's: only one read places
    them; the files streamed before are then read again."""
    _folder(tmp_path)
    (tmp_path / "z-both.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 1)), _form(ACME, Q(2024, 3)))
    )
    streamed, _records, log = _stream([tmp_path])
    assert streamed is None
    assert log == [("commit", 3), ("commit", 3)]  # Acme 2023 Q4, Beta 2024 Q1
    whole = read_corrected_dmfa([tmp_path], on_error="collect")
    assert [f.code for f in whole.findings] == ["DMFA_DUPLICATE_ORIGINAL"]


def test_duplicate_originals_a_correction_names_need_a_whole_read(tmp_path: Path) -> None:
    """The correction applies to the one kept: one read does both, before any file is read."""
    _folder(tmp_path)
    _write(tmp_path, "z-acme-2024-1-again.xml", ACME, Q(2024, 1))
    _update(tmp_path, "u.xml", ACME, _halved(_staff(ACME, Q(2024, 1))[0]))
    assert _stream([tmp_path]) == (None, [], [])


def test_two_declarations_sharing_an_employer_number_need_a_whole_read(tmp_path: Path) -> None:
    """Enterprise 0403019261 with ONSS 100006, and ONSS 100006 alone, in one quarter: two
    keys, but one slot for the corrections."""
    _write(tmp_path, "a.xml", ACME, Q(2024, 1))
    assert ACME.nsso is not None
    _write(tmp_path, "b.xml", Employer(nsso=ACME.nsso), Q(2024, 1))
    assert _stream([tmp_path])[0] is None


def _two_forms(first: bytes, second: bytes) -> bytes:
    """One file holding the forms of two documents, in that order."""
    form = second[second.index(b"<Form>") : second.rindex(b"</Form>") + len(b"</Form>")]
    end = first.rindex(b"</DmfAOriginal>")
    return first[:end] + form + first[end:]


def _form(employer: Employer, quarter: Quarter) -> bytes:
    return dmfa_bytes(employer, quarter, _staff(employer, quarter), created_at=CREATED)


def test_a_file_of_several_forms_in_order_streams(tmp_path: Path) -> None:
    (tmp_path / "both.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 1)), _form(ACME, Q(2024, 2)))
    )
    _write(tmp_path, "other.xml", BETA, Q(2024, 1))
    streamed, log = _assert_as_whole([tmp_path])
    assert len(streamed.declarations) == 3
    assert log == [("commit", 3), ("commit", 6)]


@pytest.mark.parametrize("order", ["read", "employer"])
def test_a_file_whose_forms_are_out_of_order_needs_a_whole_read(
    tmp_path: Path, order: StreamOrder
) -> None:
    """One employer's quarters out of order: in any stream order (an employer's records
    come in quarter order in one read)."""
    (tmp_path / "both.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 2)), _form(ACME, Q(2024, 1)))
    )
    streamed, records, log = _stream([tmp_path], order)
    assert (streamed, records, log) == (None, [], [("discard", 6)])


def _by_employer(records: Iterable[DmfaWorkerRecord]) -> dict[str, list[DmfaWorkerRecord]]:
    found: dict[str, list[DmfaWorkerRecord]] = {}
    for line in records:
        found.setdefault(line.employer.key, []).append(line)
    return found


def test_by_employer_a_file_of_several_employers_in_its_own_order_streams(
    tmp_path: Path,
) -> None:
    """A social secretariat's file holding Acme's form then Beta's (Beta's key sorts first):
    one read orders Beta's records first, so the read order refuses it; by employer, each
    employer's records come as one read gives them, and everything else is one read's."""
    (tmp_path / "a-batch.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 1)), _form(BETA, Q(2024, 1)))
    )
    _write(tmp_path, "b-acme-2023-4.xml", ACME, Q(2023, 4))
    _write(tmp_path, "c-beta-2024-2.xml", BETA, Q(2024, 2))
    _write(tmp_path, "d-acme-2024-2.xml", ACME, Q(2024, 2))
    assert _stream([tmp_path])[0] is None
    streamed, records, log = _stream([tmp_path], "employer")
    whole = read_corrected_dmfa([tmp_path], on_error="collect")
    assert streamed is not None
    assert records != list(whole.records)  # Acme's 2024 Q1 lines before Beta's
    assert _by_employer(records) == _by_employer(whole.records)
    assert streamed.declarations == whole.declarations
    assert streamed.findings == whole.findings
    assert _said(streamed.errors) == _said(whole.errors)
    assert log == [("commit", 3), ("commit", 6), ("commit", 3), ("commit", 3)]


def test_only_the_employers_asked_for_keep_their_declarations(tmp_path: Path) -> None:
    """A group's slice (mycareer.group_slices) holds its own employers' declarations only;
    the records still all come to the stages (the slice's stage keeps its own)."""
    (tmp_path / "a-batch.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 1)), _form(BETA, Q(2024, 1)))
    )
    _write(tmp_path, "b-beta-2024-2.xml", BETA, Q(2024, 2))
    whole = read_corrected_dmfa([tmp_path], on_error="collect")
    for key in (ACME.key, BETA.key):
        streamed, records, _log = _stream([tmp_path], "employer", key.__eq__)
        assert streamed is not None
        assert streamed.declarations == tuple(
            d for d in whole.declarations if d.employer.key == key
        )
        assert _by_employer(records) == _by_employer(whole.records)


@pytest.mark.parametrize("other", [Q(2024, 1), Q(2023, 4)])
def test_the_employers_asked_for_do_not_decide_whether_files_stream(
    tmp_path: Path, other: Quarter
) -> None:
    """Files that only one read gives exactly (Beta's quarters out of order; Beta's
    2024 Q1 form sharing Acme's ONSS number) need it for every slice of the group, Acme's
    too: the slices of a group then all read it whole, as its one read does."""
    assert ACME.nsso is not None
    shared = Employer(nsso=ACME.nsso)
    (tmp_path / "a-batch.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 1)), _form(BETA, Q(2024, 1)))
    )
    if other == Q(2024, 1):
        _write(tmp_path, "b-shared-2024-1.xml", shared, other)
    else:  # after Beta's 2024 Q1 in the batch's file: out of order
        (tmp_path / "b-batch.xml").write_bytes(
            _two_forms(_form(BETA, Q(2024, 2)), _form(BETA, other))
        )
    assert _stream([tmp_path], "employer")[0] is None
    assert _stream([tmp_path], "employer", ACME.key.__eq__)[0] is None


def test_by_employer_one_employer_twice_in_a_quarter_needs_a_whole_read(tmp_path: Path) -> None:
    """A second form of an employer's quarter in another file: they share a slot."""
    (tmp_path / "a-batch.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 1)), _form(BETA, Q(2024, 1)))
    )
    _write(tmp_path, "b-beta-2024-1.xml", BETA, Q(2024, 1))
    assert _stream([tmp_path], "employer")[0] is None


def test_other_kinds_need_a_whole_read_before_any_file_is_read(tmp_path: Path) -> None:
    _folder(tmp_path)
    dimona = resources.files("mycareer.data.demo") / "dimona"
    assert _stream([tmp_path, Path(str(dimona))]) == (None, [], [])


def _update(folder: Path, name: str, employer: Employer, line: DmfaWorkerRecord,
            action: UpdateAction = UpdateAction.MODIFIED, hour: int = 9) -> Path:  # fmt: skip
    form = DmfaUpdateForm(employer, line.quarter, datetime(2024, 8, 1, hour), declaration_id="1")
    path = folder / name
    write_dmfa_update(path, form, [DmfaLineUpdate(form, action, line)])
    return path


def _halved(line: DmfaWorkerRecord) -> DmfaWorkerRecord:
    first = line.occupations[0]
    return attrs.evolve(line, occupations=[attrs.evolve(first, mean_working_hours=1900)])


def test_corrections_are_applied_to_the_files_they_name_as_one_read_applies_them(
    tmp_path: Path,
) -> None:
    """An update by enterprise number, one by NSSO number alone deleting a line (the
    declaration recounted), two consultation answers for one quarter (the later wins):
    each corrected file is held, corrected, then staged; the others stream."""
    _folder(tmp_path)
    acme_q1, acme_q2 = _staff(ACME, Q(2024, 1)), _staff(ACME, Q(2024, 2))
    _update(tmp_path, "u1.xml", Employer(ACME.enterprise), _halved(acme_q1[1]))
    assert ACME.nsso is not None
    _update(tmp_path, "u2.xml", Employer(nsso=ACME.nsso), acme_q2[0], UpdateAction.DELETED)
    beta = _staff(BETA, Q(2024, 1))
    for name, hour, kept in (("c-late.xml", 11, beta[:1]), ("c-early.xml", 10, beta[1:])):
        answer = consultation_bytes(BETA, Q(2024, 1), kept, created_at=datetime(2024, 8, 1, hour))
        (tmp_path / name).write_bytes(answer)
    streamed, log = _assert_as_whole([tmp_path])
    assert log == [("commit", 3), ("commit", 1), ("commit", 3), ("commit", 2)]
    counts = {(d.employer.key, str(d.quarter)): d.record_count for d in streamed.declarations}
    assert counts[(ACME.key, "20242")] == 2  # one line deleted
    codes = [f.code for f in streamed.findings]
    assert codes.count("DMFA_UPDATE_APPLIED") == 2
    assert "DMFA_CONSULTATION_DUPLICATE" in codes


def test_a_correction_without_its_original_file_needs_a_whole_read(tmp_path: Path) -> None:
    """One read opens its quarter after every declared one: the stream cannot place it.
    No header names it, so that is known before any file is read (the files were streamed
    to their end, then read again whole)."""
    _folder(tmp_path)
    _update(tmp_path, "u.xml", BETA, _staff(BETA, Q(2024, 2))[0], UpdateAction.CREATED)
    assert _stream([tmp_path]) == (None, [], [])


def test_a_correction_of_a_file_rejected_part_way_needs_a_whole_read(tmp_path: Path) -> None:
    files = _folder(tmp_path)
    data = files[3].read_bytes()
    files[3].write_bytes(data[: data.rindex(b"<WorkerRecord>")])  # Acme 2024 Q1, cut short
    _update(tmp_path, "u.xml", ACME, _halved(_staff(ACME, Q(2024, 1))[0]))
    assert _stream([tmp_path])[0] is None


def _spliced(first: Path, second: Path, root: bytes) -> None:
    """``first`` with the forms of ``second`` after its own; ``second`` removed."""
    text, other = first.read_bytes(), second.read_bytes()
    forms = other[other.index(b"<Form>") : other.rindex(b"</Form>") + len(b"</Form>")]
    end = text.rindex(b"</" + root + b">")
    first.write_bytes(text[:end] + forms + text[end:])
    second.unlink()


@pytest.mark.parametrize(("hour_q1", "hour_q2"), [(10, 9), (9, 9), (9, 10)])
def test_a_correction_file_naming_two_original_files_streams_in_one_reads_order(
    tmp_path: Path, hour_q1: int, hour_q2: int
) -> None:
    """Its forms name two files: each is held and corrected in turn, and the forms'
    findings come in one read's order, by creation moment then place in the file (here
    the Q2 form is the file's first), whichever file is corrected first."""
    _folder(tmp_path)
    q1, q2 = _staff(ACME, Q(2024, 1)), _staff(ACME, Q(2024, 2))
    stranger = attrs.evolve(q1[1], worker_code=15)  # no such line: a finding of its own
    second = _update(tmp_path, "u.xml", ACME, _halved(q2[0]), hour=hour_q2)
    first = tmp_path / "v.xml"
    form = DmfaUpdateForm(ACME, Q(2024, 1), datetime(2024, 8, 1, hour_q1), declaration_id="1")
    lines = [DmfaLineUpdate(form, UpdateAction.MODIFIED, r) for r in (_halved(q1[0]), stranger)]
    write_dmfa_update(first, form, lines)
    _spliced(second, first, b"DmfAUpdate")
    streamed, log = _assert_as_whole([tmp_path])
    assert ("commit", 3) in log  # the other files stream
    codes = [f.code for f in streamed.findings if f.code.startswith("DMFA_UPDATE")]
    assert sorted(codes) == [
        "DMFA_UPDATE_APPLIED",
        "DMFA_UPDATE_APPLIED",
        "DMFA_UPDATE_UNKNOWN_LINE",
    ]


def test_consultation_answers_of_two_files_in_one_document_stream_in_one_reads_order(
    tmp_path: Path,
) -> None:
    """One answer document for two employers' quarters (its later form's first), and a
    second answer for one of them in another document: both files held and replaced, the
    duplicate and the precedences said in one read's order."""
    _folder(tmp_path)
    acme, beta = _staff(ACME, Q(2024, 1)), _staff(BETA, Q(2024, 1))
    moments = (datetime(2024, 8, 1, 11), datetime(2024, 8, 1, 10), datetime(2024, 8, 1, 12))
    (tmp_path / "c.xml").write_bytes(
        consultation_bytes(BETA, Q(2024, 1), beta[:2], created_at=moments[0])
    )
    (tmp_path / "d.xml").write_bytes(
        consultation_bytes(ACME, Q(2024, 1), acme[:1], created_at=moments[1])
    )
    _spliced(tmp_path / "c.xml", tmp_path / "d.xml", b"DmfAConsultationAnswer")
    (tmp_path / "e.xml").write_bytes(
        consultation_bytes(ACME, Q(2024, 1), acme[1:], created_at=moments[2])
    )
    streamed, _log = _assert_as_whole([tmp_path])
    codes = [f.code for f in streamed.findings if f.code.startswith("DMFA_CONSULTATION")]
    assert sorted(codes) == [
        "DMFA_CONSULTATION_DUPLICATE",
        "DMFA_CONSULTATION_PRECEDENCE",
        "DMFA_CONSULTATION_PRECEDENCE",
    ]


@pytest.mark.parametrize("acme_first", [True, False])
def test_answers_of_two_files_in_one_document_are_said_in_their_creation_order(
    tmp_path: Path, acme_first: bool
) -> None:
    """One answer document for Acme's and Beta's 2024 Q1, each applied: both precedence
    findings name that document, so one read's order between them is the answers' own
    (creation moment, dmfa_update.step_ranks), not the order the stream holds the files in
    (Beta's key first)."""
    _folder(tmp_path)
    acme, beta = _staff(ACME, Q(2024, 1)), _staff(BETA, Q(2024, 1))
    early, late = datetime(2024, 8, 1, 10), datetime(2024, 8, 1, 11)
    answers = tmp_path / "c.xml"
    answers.write_bytes(
        consultation_bytes(BETA, Q(2024, 1), beta[:2], created_at=late if acme_first else early)
    )
    (tmp_path / "d.xml").write_bytes(
        consultation_bytes(ACME, Q(2024, 1), acme[:1], created_at=early if acme_first else late)
    )
    _spliced(answers, tmp_path / "d.xml", b"DmfAConsultationAnswer")
    streamed, _log = _assert_as_whole([tmp_path])
    said = [f.message for f in streamed.findings if f.code == "DMFA_CONSULTATION_PRECEDENCE"]
    assert [str(answers) in m for m in said] == [True, True]
    employers = [m.split("employer ")[1].split()[0] for m in said]
    acme_key, beta_key = ACME.key, BETA.key
    assert employers == ([acme_key, beta_key] if acme_first else [beta_key, acme_key])
    assert [m.split("(created ")[1][:19] for m in said] == [
        "2024-08-01 10:00:00",
        "2024-08-01 11:00:00",
    ]


def test_a_stage_that_stops_early_still_gets_the_file_read_to_its_end(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.xml", ACME, Q(2024, 1))

    class Lazy(_Stage):
        def feed(self, records: Iterable[DmfaWorkerRecord]) -> None:
            self.fed.append(next(iter(records)))

    read = read_dmfa_file(path, Lazy([], []))
    assert isinstance(read, FileRead)
    assert ([d.key for d in read.declarations], read.errors, read.rejected) == (
        [(ACME.key, Q(2024, 1))], (), ()
    )  # fmt: skip
    assert read.declarations[0].record_count == 3


def test_a_correction_of_a_later_form_of_a_file_needs_a_whole_read(tmp_path: Path) -> None:
    """The header names the first form only, so no header names the corrected quarter:
    known before any file is read. When another file's header names it (a second original
    of that quarter), the file streamed before the correction was seen to name its second
    form, and is discarded."""
    (tmp_path / "both.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 1)), _form(ACME, Q(2024, 2)))
    )
    _update(tmp_path, "u.xml", ACME, _halved(_staff(ACME, Q(2024, 2))[0]))
    assert _stream([tmp_path]) == (None, [], [])
    _write(tmp_path, "other.xml", ACME, Q(2024, 2))
    assert _stream([tmp_path]) == (None, [], [("discard", 6)])


def test_a_correction_naming_another_enterprise_under_the_nsso_number_needs_a_whole_read(
    tmp_path: Path,
) -> None:
    """Beta's enterprise number with Acme's NSSO number: one read gives it a quarter of its
    own (the ONSS would refuse it: DMFA_NSSO_NUMBER_SHARED), opened after every declared one."""
    _folder(tmp_path)
    stranger = Employer(BETA.enterprise, ACME.nsso)
    line = attrs.evolve(_staff(ACME, Q(2024, 2))[0], employer=stranger)
    _update(tmp_path, "u.xml", stranger, line, UpdateAction.CREATED)
    assert _stream([tmp_path])[0] is None
    whole = read_corrected_dmfa([tmp_path], on_error="collect")
    assert "DMFA_NSSO_NUMBER_SHARED" in [f.code for f in whole.findings]


def test_answers_one_read_keeps_one_of_need_a_whole_read(tmp_path: Path) -> None:
    """Two answers naming one enterprise number with two NSSO numbers, each declared alone
    (CompanyID 0) in its own file: one read keeps only the later answer (one per employer
    key and quarter, DMFA_CONSULTATION_DUPLICATE), which files corrected apart do not
    know (found by a review)."""
    assert ACME.enterprise is not None
    assert ACME.nsso is not None
    numbers = (ACME.nsso, NSSO_ONLY.nsso)
    for number, hour in zip(numbers, (9, 10), strict=True):
        assert number is not None
        alone = Employer(nsso=number)
        _write(tmp_path, f"dmfa-{number.value}.xml", alone, Q(2024, 1))
        named = Employer(ACME.enterprise, number)
        kept = [attrs.evolve(r, employer=named) for r in _staff(alone, Q(2024, 1), 2)]
        moment = datetime(2024, 8, 1, hour)
        answer = consultation_bytes(named, Q(2024, 1), kept, created_at=moment)
        (tmp_path / f"answer-{number.value}.xml").write_bytes(answer)
    assert _stream([tmp_path])[0] is None
    whole = read_corrected_dmfa([tmp_path], on_error="collect")
    assert "DMFA_CONSULTATION_DUPLICATE" in [f.code for f in whole.findings]


def test_streamed_declarations_count_the_lines_kept_as_one_read_recounts_them(
    tmp_path: Path,
) -> None:
    """A refused record and a worker in two ``NaturalPerson`` blocks: the file's blocks
    say 3 workers and 4 records, one read counts the kept lines (2 workers, 3 records),
    and so does the stream."""
    staff = [*_staff(ACME, Q(2024, 1)), _staff(ACME, Q(2024, 1))[0]]
    path = tmp_path / "a.xml"
    path.write_bytes(dmfa_bytes(ACME, Q(2024, 1), staff, created_at=CREATED))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"<INSS>{BOB.value}<", "<INSS>12345678901<"), encoding="utf-8")
    _write(tmp_path, "b.xml", BETA, Q(2024, 1))
    streamed, _log = _assert_as_whole([tmp_path])
    counts = {d.employer.key: (d.worker_count, d.record_count) for d in streamed.declarations}
    assert counts == {ACME.key: (2, 3), BETA.key: (3, 3)}
    assert len(streamed.errors) == 1


def test_a_file_whose_header_is_unclear_leaves_the_corrections_to_the_read(
    tmp_path: Path,
) -> None:
    """A header whose quarter does not read may hide a quarter a correction names: the
    stream does not give up before reading (this file is then rejected, as by one read)."""
    _folder(tmp_path)
    _update(tmp_path, "u.xml", ACME, _halved(_staff(ACME, Q(2024, 1))[0]))
    bad = _write(tmp_path, "e-beta-2024-2.xml", BETA, Q(2024, 2))
    bad.write_text(bad.read_text(encoding="utf-8").replace("<Quarter>20242<", "<Quarter>2024x<"))
    streamed, _log = _assert_as_whole([tmp_path])
    assert [r.source.endswith("e-beta-2024-2.xml") for r in streamed.rejected] == [True]


def test_each_files_beginning_is_read_once_before_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run by employer reads each file's kind and header from one read of its beginning
    (``scan_document``), and the reader does not read the root a second time: the
    separate reads (sniff_document, scan_header, the reader's root_tag) are never made,
    and the stream still gives what one whole read gives."""
    from mycareer.xmlio import dmfa, flows, headers

    paths = _folder(tmp_path)
    whole = read_corrected_dmfa(paths, on_error="collect")
    scanned: list[Path] = []
    scan = headers.scan_document

    def counted(path: Path) -> object:
        scanned.append(path)
        return scan(path)

    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a file's beginning read a second time")

    monkeypatch.setattr(flows, "scan_document", counted)
    for module, name in ((flows, "sniff_document"), (flows, "scan_header"), (dmfa, "root_tag")):
        monkeypatch.setattr(module, name, refused)
    streamed, records, _log = _stream(paths)
    assert sorted(scanned) == sorted(paths)
    assert streamed is not None
    assert records == list(whole.records)
    assert streamed.declarations == whole.declarations


def test_a_file_sniffed_as_an_original_is_still_refused_if_its_root_is_not_one(
    tmp_path: Path,
) -> None:
    """``sniffed`` only spares the reader its own read of the root: a file whose root is
    not an original's by the time it is read (changed since, or sniffed wrongly) is
    rejected with the message it gets without it, and contributes nothing."""
    path = _update(tmp_path, "u.xml", ACME, _staff(ACME, Q(2024, 1))[0])
    said = []
    for sniffed in (False, True):
        log: list[tuple[str, int]] = []
        read = read_dmfa_file(path, _Stage([], log), sniffed=sniffed)
        assert read.rejected
        assert not read.declarations
        assert log == [("discard", 0)]
        said.append(_said(read.errors))
    assert said[0] == said[1]
    assert "DmfAUpdate (modification declaration) is not an original" in said[0][0][0]
