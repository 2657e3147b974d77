"""The 5-year windows of the training account: the average test and where a window starts.

R-CARRY-2: over a reference period of 5 years starting at the earliest on 1 January
2024, a full-time worker must have *received* 5 days a year on average (25 in all),
or the test applies at the end of the contract when it ends earlier. R-CARRY-3: the
first window is 2024–2028; B-7: reset to 0 at its end by default. The expected
values below are computed by hand from those rules.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.errors import InvalidValueError
from mycareer.fla import WindowStart
from mycareer.fla.account import (
    AccountPolicy,
    AccountWindow,
    Termination,
    TerminationReason,
    YearCredit,
    build_account,
    verify_account,
)
from mycareer.fla.trainings import Training, TrainingStatus
from mycareer.niss import Niss

ANNA = Niss("85073003328")
EIGHT_HOURS = AccountPolicy(hours_per_day=Fraction(8))
HIRE = AccountPolicy(hours_per_day=Fraction(8), window_start=WindowStart.HIRE)


def days_of_training(day: date, days: int) -> Training:
    """A completed training of ``days`` days of 8 hours, on one date."""
    return Training(
        niss=ANNA,
        name="course",
        start=day,
        end=day,
        hours=8 * days,
        status=TrainingStatus.COMPLETED,
        counts_toward_individual_right=True,
    )


def values(*items: object) -> tuple[object, ...]:
    """A tuple typed loosely, so exact Fractions compare with int literals under mypy."""
    return items


def five_a_year(first: int, last: int) -> list[YearCredit]:
    return [YearCredit(ANNA, year, legal_days=5) for year in range(first, last + 1)]


# --- item 10: the average is of the training received, over the period covered -------------


def test_average_is_training_received_over_a_full_window() -> None:
    """T-DEF-1: 25 days received over 2024–2028 is the 5-a-year average the rule asks."""
    received = [days_of_training(date(year, 3, 1), 5) for year in range(2024, 2029)]
    account = build_account(
        five_a_year(2024, 2028), received, as_of=date(2028, 12, 31), policy=EIGHT_HOURS
    )
    (window,) = account.windows
    assert values(window.years, window.used, window.average_per_year) == (5, 25, 5)
    assert window.credited_per_year == 5


def test_average_of_a_2027_hire_is_over_his_two_years_not_five() -> None:
    """Hired in 2027 with 5 days a year; received 3 + 5 = 8 days: 4 a year (credited ÷ 5 gave 2)."""
    received = [days_of_training(date(2027, 9, 1), 3), days_of_training(date(2028, 4, 1), 5)]
    account = build_account(
        five_a_year(2027, 2028), received, as_of=date(2028, 12, 31), policy=EIGHT_HOURS
    )
    (window,) = account.windows
    assert window.window == AccountWindow(2024, 2028)
    assert window.years == 2
    assert window.average_per_year == 4
    assert window.credited_per_year == 5


def test_average_applies_at_the_end_of_a_contract_that_ends_early() -> None:
    """Dismissed with notice on 30 June 2026 after 5 + 5 + 2 days: 12 over 3 years = 4 a year."""
    received = [
        days_of_training(date(2024, 5, 1), 5),
        days_of_training(date(2025, 5, 1), 5),
        days_of_training(date(2026, 5, 1), 2),
    ]
    ending = Termination(ANNA, date(2026, 6, 30), TerminationReason.DISMISSAL_NOTICE)
    account = build_account(
        five_a_year(2024, 2026),
        received,
        as_of=date(2026, 12, 31),
        termination=ending,
        policy=EIGHT_HOURS,
    )
    (window,) = account.windows
    assert values(window.years, window.used) == (3, 12)
    assert window.average_per_year == 4
    assert account.open_balance == 3  # 15 credited - 12 received, left open (B-8)


def test_average_counts_training_beyond_the_balance_as_received() -> None:
    """Over-use is still training received: 7 days in a year with 5 credited."""
    account = build_account(
        five_a_year(2024, 2024),
        [days_of_training(date(2024, 6, 1), 7)],
        as_of=date(2024, 12, 31),
        policy=EIGHT_HOURS,
    )
    (window,) = account.windows
    assert values(window.used, window.overused, window.average_per_year) == (7, 2, 7)


def test_years_before_the_first_window_have_no_average() -> None:
    """2023 belongs to no window (R-CARRY-2: the period starts at the earliest in 2024)."""
    credits = [YearCredit(ANNA, 2023, legal_days=4), *five_a_year(2024, 2024)]
    account = build_account(credits, as_of=date(2024, 12, 31), policy=EIGHT_HOURS)
    before, first = account.windows
    assert before.window is None
    assert before.average_per_year is None
    assert before.credited_per_year is None
    assert values(first.years, first.credited_per_year, first.average_per_year) == (1, 5, 0)


# --- item 11: where the first window starts ---------------------------------------------------


def test_default_calendar_windows_wipe_a_2027_hire_after_two_years() -> None:
    """Today's default, kept: the same 2024–2028 block for everyone, reset at its end."""
    account = build_account(five_a_year(2027, 2029), as_of=date(2029, 12, 31), policy=EIGHT_HOURS)
    assert [s.reset for s in account.statements] == [0, 10, 0]
    assert account.balance == 5
    assert account.policy.first_window_start == 2024


def test_a_2027_hire_keeps_his_balance_with_a_window_starting_at_hire() -> None:
    """Window start HIRE: his first window is 2027–2031, so nothing is reset at the end of 2028."""
    account = build_account(five_a_year(2027, 2031), as_of=date(2031, 12, 31), policy=HIRE)
    assert [str(s.window) for s in account.statements] == ["2027-2031"] * 5
    assert [s.carried for s in account.statements] == [5, 10, 15, 20, 0]
    assert account.statements[-1].reset == 25
    # the stored policy names the worker's own windows, so the archive and verify agree
    assert account.policy.first_window_start == 2027
    assert account.policy.window_start is WindowStart.CALENDAR
    assert verify_account(account) == ()


def test_2023_credit_carries_into_the_first_window_whatever_the_start() -> None:
    """The 2023 credit (4 days, 20+) belongs to no window: its balance opens 2024 and is reset
    with the window at the end of 2028 (B-7), with calendar and hire windows alike."""
    credits = [YearCredit(ANNA, 2023, legal_days=4), *five_a_year(2024, 2028)]
    for policy in (EIGHT_HOURS, HIRE):
        account = build_account(credits, as_of=date(2028, 12, 31), policy=policy)
        first, second = account.statements[:2]
        assert values(first.year, first.window, first.carried) == (2023, None, 4)
        assert values(second.year, second.window, second.opening) == (
            2024,
            AccountWindow(2024, 2028),
            4,
        )
        assert account.statements[-1].reset == 29
        assert account.policy.first_window_start == 2024


def test_hire_windows_never_start_before_the_earliest_start() -> None:
    """R-CARRY-2: at the earliest 1 January 2024, even with an account opened in 2023."""
    assert HIRE.resolved(2023).first_window_start == 2024
    assert HIRE.resolved(2030).window_of(2034) == AccountWindow(2030, 2034)
    assert HIRE.resolved(2030).window_of(2035) == AccountWindow(2035, 2039)


def test_window_start_is_checked() -> None:
    with pytest.raises(InvalidValueError, match="unknown WindowStart 'monday': expected one of"):
        AccountPolicy(window_start="monday")
    with pytest.raises(InvalidValueError, match="window_years must be at least 1, got 0"):
        AccountPolicy(window_years=0)


def _oracle_carried(first_year: int, credits: list[int], start: WindowStart) -> list[int]:
    """Carried balance per year, no training: add the credit, reset at each window's last year."""
    window_first = max(2024, first_year) if start is WindowStart.HIRE else 2024
    carried, balance = [], 0
    for offset, days in enumerate(credits):
        year = first_year + offset
        balance += days
        if year >= window_first and (year - window_first) % 5 == 4:
            balance = 0
        carried.append(balance)
    return carried


@settings(max_examples=60, deadline=None)
@given(
    first_year=st.integers(2023, 2035),
    credits=st.lists(st.integers(0, 5), min_size=1, max_size=12),
    start=st.sampled_from(WindowStart),
)
def test_carry_over_and_resets_match_a_running_total(
    first_year: int, credits: list[int], start: WindowStart
) -> None:
    years = [YearCredit(ANNA, first_year + i, legal_days=days) for i, days in enumerate(credits)]
    last = date(first_year + len(credits) - 1, 12, 31)
    policy = AccountPolicy(hours_per_day=Fraction(8), window_start=start)
    account = build_account(years, as_of=last, policy=policy)
    assert [s.carried for s in account.statements] == _oracle_carried(first_year, credits, start)
    assert verify_account(account) == ()
