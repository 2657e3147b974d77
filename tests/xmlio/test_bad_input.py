"""Bad DmfA input: files are all or nothing, impossible data is refused on its line.

Issue 11 items 1-3, on the shipped demo declarations (tests/cli/_run.py runs the CLI
as a subprocess on real files).
"""

from __future__ import annotations

import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InputError
from mycareer.fla.incomplete import REFERENCE_INCOMPLETE
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import read_dmfa

from ..cli._run import assert_no_traceback, run_cli

DEMO = Path(str(resources.files("mycareer.data.demo"))) / "dmfa"
ACME = Employer(EnterpriseNumber("0403019261"))


def _edit(folder: Path, quarter: str, old: str, new: str) -> Path:
    path = folder / f"dmfa-0403019261-{quarter}.xml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "dmfa"
    shutil.copytree(DEMO, target)
    return target


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.9, 0.99])
def test_a_truncated_file_contributes_no_record_and_is_named(folder: Path, cut: float) -> None:
    whole = read_dmfa(folder).records
    path = folder / "dmfa-0403019261-20232.xml"
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])
    batch = read_dmfa(folder, on_error="collect")
    assert [r for r in whole if r.source is not None and r.source.file != str(path)] == list(
        batch.records
    )
    assert len(batch.errors) == 1
    assert isinstance(batch.errors[0], InputError)
    assert "whole file is rejected" in str(batch.errors[0])
    (rejected,) = batch.rejected
    assert rejected.source == str(path)
    assert rejected.employer is not None
    assert (rejected.employer.key, rejected.quarter) == (ACME.key, Quarter(2023, 2))


def test_quarter_header_and_record_dates_must_agree(folder: Path) -> None:
    path = _edit(
        folder,
        "20241",
        "<NOSSQuarterEndingDate>2024-03-31</NOSSQuarterEndingDate>",
        "<NOSSQuarterEndingDate>2024-12-31</NOSSQuarterEndingDate>",
    )
    batch = read_dmfa(folder, on_error="collect")
    assert not [r for r in batch.records if r.quarter == Quarter(2024, 1)]
    message = str(batch.errors[0])
    assert message.startswith(
        f"{path}:27: NOSSQuarterStartingDate..EndingDate 2024-01-01..2024-12-31"
    )
    assert "do not match the declaration's Quarter 20241" in message
    (rejected,) = batch.rejected
    assert (rejected.source, rejected.quarter) == (str(path), Quarter(2024, 1))


def test_a_quarter_header_of_another_quarter_rejects_the_file(folder: Path) -> None:
    path = _edit(folder, "20241", "<Quarter>20241</Quarter>", "<Quarter>20233</Quarter>")
    batch = read_dmfa(folder, on_error="collect")
    assert {r.source.file for r in batch.records if r.source} == {
        str(p) for p in sorted(folder.glob("*.xml")) if p != path
    }
    assert batch.rejected[0].quarter == Quarter(2023, 3)


def test_q_above_s_is_refused_on_its_line(folder: Path) -> None:
    path = _edit(
        folder,
        "20241",
        "<MeanWorkingHours>3040</MeanWorkingHours>",
        "<MeanWorkingHours>999999999</MeanWorkingHours>",
    )
    batch = read_dmfa(folder, on_error="collect")
    (error,) = batch.errors
    assert str(error).startswith(f"{path}:36: invalid work fraction Q/S = 999999999/3800")
    assert error.path is not None
    assert error.path.endswith("Occupation[1].MeanWorkingHours")
    assert batch.rejected == ()  # a bad line costs its record, not the file


def test_s_outside_the_onss_domain_is_refused(folder: Path) -> None:
    _edit(
        folder,
        "20241",
        "<RefMeanWorkingHours>3800</RefMeanWorkingHours>",
        "<RefMeanWorkingHours>99999</RefMeanWorkingHours>",
    )
    (error,) = read_dmfa(folder, on_error="collect").errors
    assert "outside the ONSS domain" in str(error)


def test_an_open_line_starting_after_its_quarter_is_refused(folder: Path) -> None:
    path = _edit(
        folder,
        "20241",
        "<OccupationStartingDate>2023-02-15</OccupationStartingDate>",
        "<OccupationStartingDate>2024-06-01</OccupationStartingDate>",
    )
    (error,) = read_dmfa(folder, on_error="collect").errors
    assert str(error).startswith(f"{path}:31: the occupation 2024-06-01.. lies outside its quarter")


def test_cli_truncated_file_warns_reference_incomplete_and_strict_fails(folder: Path) -> None:
    path = folder / "dmfa-0403019261-20232.xml"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result = run_cli("entitlements", "--year", "2024", "--format", "csv", folder)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"{path}" in result.stderr
    assert REFERENCE_INCOMPLETE in result.stderr
    assert "whole file is rejected" in result.stderr
    assert len(result.stdout.splitlines()) > 1  # the other files still give results


def test_cli_bad_line_names_file_line_and_value(folder: Path) -> None:
    path = _edit(
        folder,
        "20241",
        "<MeanWorkingHours>3040</MeanWorkingHours>",
        "<MeanWorkingHours>999999999</MeanWorkingHours>",
    )
    result = run_cli("entitlements", "--year", "2025", "--format", "csv", folder)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"{path}:36: invalid work fraction Q/S = 999999999/3800" in result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<INSS>", "<INSS>" + "9" * 5000),
        ("<CompanyID>0403019261", "<CompanyID>" + "4" * 5000),
        ("<MeanWorkingHours>3040", "<MeanWorkingHours>" + "1" * 5000),
        ("<NOSSQuarterStartingDate>2024-01-01", "<NOSSQuarterStartingDate>" + "2" * 5000),
    ],
)
def test_huge_values_are_refused_with_a_short_message(folder: Path, old: str, new: str) -> None:
    path = _edit(folder, "20241", old, new)
    result = run_cli("timeline", "--format", "json", folder)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert str(path) in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 400
    assert len(result.stdout) > 1000  # the other files are still read


def test_entitlements_warn_when_concurrent_lines_add_up_above_one(tmp_path: Path) -> None:
    """Issue 11 item 3: summed Q/S above 1 is a warning in entitlements, as in timeline."""
    from datetime import datetime

    from .test_dmfa import occupation, record, write

    quarter = Quarter(2024, 1)
    both = record(
        "90010100123",
        occupation(quarter, date(2020, 1, 1), q=3800),
        occupation(quarter, date(2024, 2, 1), q=1900),
        quarter=quarter,
    )
    path = write(tmp_path / "d.xml", [both], datetime(2024, 4, 2))
    result = run_cli("entitlements", "--year", "2024", "--format", "csv", path)
    assert_no_traceback(result)
    assert "FTE_ABOVE_ONE: total work fraction 3/2 above 1 from 2024-02-01" in result.stderr
    strict = run_cli("entitlements", "--year", "2024", "--format", "csv", "--strict", path)
    assert strict.returncode == 1
