"""Originals read file by file into stages (:func:`stream_corrected_dmfa`) against one whole read.

The oracle is ``read_corrected_dmfa(paths, on_error="collect")``: the stages committed
must receive its records in its order, and the rest must be its findings, errors,
rejected files and declarations; input it alone gives exactly makes the stream say None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import FileRead, read_dmfa_file
from mycareer.xmlio.dmfa_writer import dmfa_bytes
from mycareer.xmlio.flows import StreamedDmfa, read_corrected_dmfa, stream_corrected_dmfa

from ..fla._build import ACME, ANN, BETA, BOB, CAROL, occupation, record

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
) -> tuple[StreamedDmfa | None, list[DmfaWorkerRecord], list[tuple[str, int]]]:
    records: list[DmfaWorkerRecord] = []
    log: list[tuple[str, int]] = []
    return stream_corrected_dmfa(paths, lambda: _Stage(records, log)), records, log


def _said(errors: Iterable[InvalidValueError]) -> list[tuple[str, object]]:
    return [(str(e), e.source) for e in errors]


def _assert_as_whole(paths: Sequence[Path]) -> tuple[StreamedDmfa, list[tuple[str, int]]]:
    streamed, records, log = _stream(paths)
    whole = read_corrected_dmfa(paths, on_error="collect")
    assert streamed is not None
    assert records == list(whole.records)
    assert [(d.key, d.source) for d in streamed.declarations] == [
        (d.key, d.source) for d in whole.declarations
    ]
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


def test_two_originals_of_one_quarter_need_a_whole_read(tmp_path: Path) -> None:
    """The last created wins: only a whole read knows which, so the stream says None."""
    _folder(tmp_path)
    _write(tmp_path, "z-acme-2024-1-again.xml", ACME, Q(2024, 1))
    assert _stream([tmp_path])[0] is None
    codes = [f.code for f in read_corrected_dmfa([tmp_path], on_error="collect").findings]
    assert codes == ["DMFA_DUPLICATE_ORIGINAL"]


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


def test_a_file_whose_forms_are_out_of_order_needs_a_whole_read(tmp_path: Path) -> None:
    (tmp_path / "both.xml").write_bytes(
        _two_forms(_form(ACME, Q(2024, 2)), _form(ACME, Q(2024, 1)))
    )
    streamed, records, log = _stream([tmp_path])
    assert (streamed, records, log) == (None, [], [("discard", 6)])


def test_updates_need_a_whole_read_before_any_file_is_read(tmp_path: Path) -> None:
    _folder(tmp_path)
    (tmp_path / "x-update.xml").write_bytes(b"<DmfAUpdate/>")
    assert _stream([tmp_path]) == (None, [], [])


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
