"""A new employer's band (R-COUNT-4, B-3): the quarter of the first employment after the
reference period, counted in FTE or heads; worked DmfA examples and the CLI flag."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.fla import FallbackCount, SizeBand, compute_entitlements, quarter_counts, size_band
from mycareer.fla.options import EntitlementOptions
from mycareer.niss import Niss
from mycareer.quarter import Quarter

from ..cli._run import assert_no_traceback, run_cli
from ._build import ACME, ANN, BOB, FULL, employment, occupation, record, staff
from ._xml import round_trip, write_dmfa

Q = Quarter
YEAR = 2024


def _student_first(first_quarter_line: str) -> list[DmfaWorkerRecord]:
    """Acme declares nothing in Q4 2022 – Q3 2023 (the 2024–25 reference period). Its first
    declared quarter, Q4 2023, holds only Bob: a student under the solidarity contribution
    (worker code 841), or a line with no FTE (a full career break). In Q1 2024 Ann starts
    full time with 11 full-timers: 12 FTE on 31 March 2024."""
    if first_quarter_line == "student":
        line = occupation(date(2023, 12, 1), quarter=Q(2023, 4))
        records = [record(ACME, Q(2023, 4), BOB, [line], worker_code=841)]
    else:
        line = occupation(date(2023, 10, 1), quarter=Q(2023, 4), q=0, measures=(3,), services=[])
        records = [record(ACME, Q(2023, 4), BOB, [line])]
    records += staff(ACME, Q(2024, 1), 1100)
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    return records


@pytest.mark.parametrize("first_quarter_line", ["student", "no-fte"])
def test_worked_dmfa_the_fallback_quarter_is_that_of_the_first_employment(
    tmp_path: Path, onss_xsd_dir: Path, first_quarter_line: str
) -> None:
    """12 FTE at the end of Q1 2024 → band 10–19 → Ann has 1 day (not 0 from Q4 2023's 0 FTE)."""
    batch = round_trip(tmp_path / "dmfa", _student_first(first_quarter_line), onss_xsd_dir)
    counts = quarter_counts(batch.records, batch.declarations)[ACME.key]
    assert counts[Q(2023, 4)].fte == 0  # declared, but nobody who counts
    reference = size_band(ACME.key, YEAR, counts)
    assert (reference.fallback_quarter, reference.average_fte) == (Q(2024, 1), Decimal(12))
    [ann] = [e for e in compute_entitlements(batch.records, batch.declarations, YEAR)
             if e.niss == ANN]  # fmt: skip
    assert (ann.band, ann.fallback_used, ann.fallback_quarter) == (
        SizeBand.FROM_10_TO_19, True, Q(2024, 1))  # fmt: skip
    assert ann.days_exact == 1
    english, french, dutch = (" ".join(ann.explain(lang)) for lang in ("en", "fr", "nl"))
    assert "12 FTE at the end of 20241" in english
    assert "R-COUNT-4" in english
    assert "students" in english
    assert "12 ETP à la fin de 20241" in french
    assert "12 VTE op het einde van 20241" in dutch


#: Eleven workers besides Ann (valid NISS numbers, born 1 January 1960).
_PEOPLE = [Niss(f"{base:09d}{97 - base % 97:02d}") for base in range(600101001, 600101023, 2)]


def _new_employer_part_timers() -> list[DmfaWorkerRecord]:
    """T-BAND-9 in the brief's form: no declaration in the reference period; first hires on
    1 April 2024; on 30 June 2024 Ann and 6 others full time, 5 half time: 12 workers, 9.5 FTE."""
    records = employment(ACME, ANN, date(2024, 4, 1), None, last_quarter=Q(2024, 4))
    for index, niss in enumerate(_PEOPLE):
        q = FULL if index < 6 else FULL // 2
        records += employment(ACME, niss, date(2024, 4, 1), None, last_quarter=Q(2024, 4), q=q)
    return records


def test_headcount_or_fte_decides_the_band_of_a_new_employer() -> None:
    """B-3: 9.5 FTE is <10 (0 days); 12 heads is 10–19 (1 day × 9/12 for Ann)."""
    records = _new_employer_part_timers()
    by_fte = [e for e in compute_entitlements(records, (), YEAR) if e.niss == ANN]
    options = EntitlementOptions(fallback_count=FallbackCount.HEADCOUNT)
    by_heads = [e for e in compute_entitlements(records, (), YEAR, options=options)
                if e.niss == ANN]  # fmt: skip
    assert (by_fte[0].band, by_fte[0].average_fte) == (SizeBand.BELOW_10, Decimal("9.5"))
    assert (by_heads[0].band, by_heads[0].average_fte) == (SizeBand.FROM_10_TO_19, Decimal(12))
    assert by_heads[0].days_exact == Fraction(3, 4)
    assert "12 workers at the end of 20242" in " ".join(by_heads[0].explain("en"))
    assert "12 werknemers" in " ".join(by_heads[0].explain("nl"))


def test_cli_fallback_count_flag(tmp_path: Path, onss_xsd_dir: Path) -> None:
    """``--fallback-count headcount`` on real DmfA files, as a subprocess; bad value → exit 2."""
    folder = tmp_path / "dmfa"
    write_dmfa(folder, _new_employer_part_timers(), onss_xsd_dir)
    runs = {
        unit: run_cli("entitlements", "--year", "2024", "--fallback-count", unit, folder)
        for unit in ("fte", "headcount")
    }
    default = run_cli("entitlements", "--year", "2024", folder)
    for result in (*runs.values(), default):
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
    ann = {
        unit: next(d for d in json.loads(result.stdout) if d["niss"] == ANN.value)
        for unit, result in (*runs.items(), ("default", default))
    }
    assert (ann["fte"]["band"], ann["fte"]["days"]) == ("<10", "0.0000")
    assert ann["default"] == ann["fte"]
    assert (ann["headcount"]["band"], ann["headcount"]["days"]) == ("10-19", "0.7500")
    assert ann["headcount"]["fallback_used"] is True
    # T-BAND-9: the first hires are in Q2 2024, so the count is that quarter's.
    fallback = ("fallback_quarter", "fallback_count")
    assert [ann["headcount"][f] for f in fallback] == ["20242", "headcount"]
    assert [ann["fte"][f] for f in fallback] == ["20242", "fte"]
    assert "headcount at the end of 20242" in runs["headcount"].stderr  # the finding
    bad = run_cli("entitlements", "--year", "2024", "--fallback-count", "heads", folder)
    assert_no_traceback(bad)
    assert bad.returncode == 2
    assert "--fallback-count" in bad.stderr
    assert "'heads'" in bad.stderr
