"""``accounts_from_declarations`` (the library pipeline) and ``mycareer account --window-start``.

The employer (PC 100, no sector schedule) declares 21 full-time workers from Q4 2024
to Q4 2028, so it is in the 20+ band and the statutory right is 5 days a year
(R-DAYS). Dave is hired full time on 1 January 2027. Worked by hand:

* calendar windows (the default): 2027 and 2028 fall in 2024–2028, so his 10 days are
  reset at the end of 2028 (B-7) and his balance is 0;
* windows from hire: his first window is 2027–2031, nothing is reset and he keeps 10.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.fla import (
    AccountPolicy,
    WindowStart,
    accounts_document,
    accounts_from_declarations,
)
from mycareer.fla.account import TrainingAccount
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa_writer import dmfa_bytes

from ..cli._run import assert_no_traceback, run_cli
from .test_account_cli import ANNA, EMPLOYER, _niss, _worker

DAVE = "72020200110"
HIRED = date(2027, 1, 1)
YEARS = ("--from-year", "2027", "--to-year", "2028", "--as-of", "2028-12-31")


def _quarter_records(quarter: Quarter) -> list[DmfaWorkerRecord]:
    candidates = [_worker(quarter, ANNA, date(2019, 1, 1))]
    candidates += [_worker(quarter, _niss(i), date(2019, 1, 1)) for i in range(20)]
    candidates.append(_worker(quarter, DAVE, HIRED))
    return [r for r in candidates if r is not None]


QUARTERS = list(Quarter.range(Quarter(2024, 4), Quarter(2028, 4)))


@pytest.fixture(scope="module")
def records() -> list[DmfaWorkerRecord]:
    return [r for quarter in QUARTERS for r in _quarter_records(quarter)]


@pytest.fixture(scope="module")
def dmfa_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dmfa-hire")
    for quarter in QUARTERS:
        created = datetime(quarter.year + (quarter.number == 4), quarter.number % 4 * 3 + 1, 20)
        (folder / f"dmfa-{quarter}.xml").write_bytes(
            dmfa_bytes(EMPLOYER, quarter, _quarter_records(quarter), created_at=created)
        )
    return folder


def _account(accounts: tuple[TrainingAccount, ...], niss: str) -> TrainingAccount:
    (account,) = [a for a in accounts if a.niss == Niss(niss)]
    return account


def test_pipeline_defaults_come_from_the_declarations(records: list[DmfaWorkerRecord]) -> None:
    """as_of: end of the last declared quarter; years: first declared (2024) to as_of's."""
    run = accounts_from_declarations(records)
    assert run.as_of == date(2028, 12, 31)
    assert (run.from_year, run.to_year) == (2024, 2028)
    assert run.workers == 22
    dave = _account(run.accounts, DAVE)
    assert [(s.year, s.credited) for s in dave.statements] == [
        (2027, Fraction(5)),
        (2028, Fraction(5)),
    ]


def test_a_2027_hire_is_wiped_with_calendar_windows(records: list[DmfaWorkerRecord]) -> None:
    run = accounts_from_declarations(records, from_year=2027, to_year=2028)
    dave = _account(run.accounts, DAVE)
    assert [str(s.window) for s in dave.statements] == ["2024-2028", "2024-2028"]
    assert dave.statements[-1].reset == 10
    assert dave.statements[-1].carried == 0  # nothing reaches 2029


def test_a_2027_hire_keeps_his_balance_with_windows_from_hire(
    records: list[DmfaWorkerRecord],
) -> None:
    policy = AccountPolicy(window_start=WindowStart.HIRE)
    run = accounts_from_declarations(records, from_year=2027, to_year=2028, policy=policy)
    dave = _account(run.accounts, DAVE)
    assert [str(s.window) for s in dave.statements] == ["2027-2031", "2027-2031"]
    assert dave.statements[-1].reset == 0
    assert dave.statements[-1].carried == 10
    # Anna's account starts in 2027 too here (from_year), so her window also starts then
    assert _account(run.accounts, ANNA).statements[-1].carried == 10


def test_from_year_after_to_year_is_refused(records: list[DmfaWorkerRecord]) -> None:
    with pytest.raises(ValueError, match="from_year 2028 is after to_year 2027"):
        accounts_from_declarations(records, from_year=2028, to_year=2027)


def _dave_json(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    (dave,) = [a for a in document["accounts"] if a["niss"] == DAVE]
    return [
        (s["year"], s["window"], s["reset_exact"], s["carried_exact"]) for s in dave["statements"]
    ]


def test_cli_window_start_hire(dmfa_dir: Path, records: list[DmfaWorkerRecord]) -> None:
    hire = run_cli("account", dmfa_dir, *YEARS, "--window-start", "hire", "--format", "json")
    assert_no_traceback(hire)
    assert hire.returncode == 0, hire.stderr
    document = json.loads(hire.stdout)
    assert _dave_json(document) == [(2027, "2027-2031", "0", "5"), (2028, "2027-2031", "0", "10")]
    # the command is the library pipeline and its serialiser, nothing more
    policy = AccountPolicy(window_start=WindowStart.HIRE)
    run = accounts_from_declarations(
        records, from_year=2027, to_year=2028, as_of=date(2028, 12, 31), policy=policy
    )
    assert document == json.loads(json.dumps(accounts_document(run.accounts, run.as_of)))

    calendar = run_cli("account", dmfa_dir, *YEARS, "--format", "json")
    assert calendar.returncode == 0, calendar.stderr
    assert _dave_json(json.loads(calendar.stdout)) == [
        (2027, "2024-2028", "0", "5"),
        (2028, "2024-2028", "10", "0"),
    ]


def test_cli_bad_window_start_is_a_usage_error(dmfa_dir: Path) -> None:
    result = run_cli("account", dmfa_dir, "--window-start", "monday")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert "invalid choice: 'monday'" in result.stderr


def test_the_account_credits_follow_the_entitlement_options() -> None:
    """The same choices as ``mycareer entitlements`` reach the credits: Ann (PC 200, 20+)
    with only Q1 2024 declared and her line open is credited 0.75 day (three months of
    3 days, T-PC200-1, with a DECLARATION_MISSING warning), or 3 days when the caller
    assumes continuation (docs/training-right.md, "Choices made on the count")."""
    from mycareer.fla.options import EntitlementOptions

    from ._build import ANN as Q1_ONLY_ANN
    from .test_declaration_missing import _only_q1_declared

    records = _only_q1_declared()
    options = EntitlementOptions(assume_continuation=True)
    runs = [
        accounts_from_declarations(records, from_year=2024, to_year=2024, options=chosen)
        for chosen in (None, options)
    ]
    credited = [_account(r.accounts, Q1_ONLY_ANN.value).statements[0].credit.total for r in runs]
    assert credited == [Fraction(3, 4), Fraction(3)]
    assert any(f.code == "DECLARATION_MISSING" for f in runs[0].findings)
