"""read_career_inputs: the reading step of ``mycareer timeline`` as a library call."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from mycareer import xmlio
from mycareer.demo import demo_files
from mycareer.xmlio import read_career_inputs, read_corrected_dmfa
from mycareer.xmlio.career_inputs import CareerInputs


def test_re_exported() -> None:
    assert "read_career_inputs" in xmlio.__all__
    assert "CareerInputs" in xmlio.__all__


def test_dmfa_folder_gives_the_workers_of_the_corrected_dmfa() -> None:
    folder = Path(str(demo_files() / "dmfa"))
    inputs = read_career_inputs(str(folder))  # one str path, never iterated
    assert inputs.errors == []
    batch = read_corrected_dmfa(sorted(folder.rglob("*.xml")), on_error="collect")
    assert set(inputs.periods) == {record.niss for record in batch.records}
    assert inputs.files == len(list(folder.rglob("*.xml")))


def test_bad_inputs_are_all_reported_and_good_ones_kept(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text("<somethingElse/>")
    folder = Path(str(demo_files() / "dmfa"))
    inputs = read_career_inputs([tmp_path / "absent.xml", other, folder])
    assert [(str(e.source.file), e.message.split(":")[0]) for e in inputs.errors if e.source] == [
        (str(tmp_path / "absent.xml"), "cannot read"),
        (str(other), "unsupported document"),
    ]
    assert inputs.errors[0].message == "cannot read: no such file or folder"
    assert inputs.periods  # the demo folder's workers are still read
    assert isinstance(inputs, CareerInputs)
    assert "errors=2" in repr(inputs)


def test_default_as_of_is_the_end_of_the_latest_quarter_in_the_data() -> None:
    inputs = read_career_inputs(Path(str(demo_files() / "dmfa")))
    days = [
        day
        for records in inputs.periods.values()
        for record in records
        for day in (record.period.start, record.period.end)
        if day is not None
    ]
    latest = max(days)
    quarter_end_month = (latest.month - 1) // 3 * 3 + 3
    expected = date(latest.year + quarter_end_month // 12, quarter_end_month % 12 + 1, 1)
    assert inputs.default_as_of() == expected - timedelta(days=1)
    assert CareerInputs().default_as_of() is None


def test_an_unsupported_document_is_reported_at_its_root_element(tmp_path: Path) -> None:
    """Every error names the file and the line: the root element's, on line 3 here (as
    read_corrected_dmfa reports the same file)."""
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?>\n<!-- not ours -->\n<somethingElse/>\n")
    (error,) = read_career_inputs([other]).errors
    assert error.source is not None
    assert (error.source.file, error.source.line) == (str(other), 3)
    assert "somethingElse" in error.message
