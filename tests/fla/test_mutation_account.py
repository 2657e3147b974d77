"""Training account: the survivors of the second mutation run (docs/mutation.md).

Membership (who an account is for, and what is refused with which words), the debits
left out, the clamp of R-CARRY-1, the re-run check of a stored ledger, the employer view,
the credit an entitlement grants and the wording of every refused value. Expected values
are worked by hand from the rules in docs/account.md and docs/training-right.md (days at
8 h a day unless said otherwise).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.findings import Finding, Severity
from mycareer.fla.account import (
    AccountPolicy,
    AccountWindow,
    Termination,
    YearCredit,
    build_account,
    build_accounts,
    employer_summaries,
    exact_days,
    verify_account,
)
from mycareer.fla.trainings import Training, TrainingStatus
from mycareer.fla.values import Entitlement, FlaRegime, Regime, RuleRef, SizeBand
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber

ANNA = Niss("85073003328")
BERT = Niss("50073003369")
ACME = Employer(EnterpriseNumber("0403019261"))
SMALL = Employer(nsso=NssoNumber("100006"))
EIGHT = AccountPolicy(hours_per_day=Fraction(8))
END_2024 = date(2024, 12, 31)
SHEET = SourceRef("trainings.csv", 7)


def values(*items: object) -> tuple[object, ...]:
    """A tuple typed loosely, so exact Fractions compare with int literals under mypy."""
    return items


def course(
    niss: Niss,
    start: date,
    hours: int,
    *,
    end: date | None = None,
    employer: Employer | None = None,
    name: str = "course",
    counts: bool = True,
    source: SourceRef | None = None,
) -> Training:
    return Training(
        niss=niss,
        name=name,
        start=start,
        end=end or start,
        hours=hours,
        status=TrainingStatus.COMPLETED,
        counts_toward_individual_right=counts,
        employer=employer,
        source=source,
    )


def messages(raised: pytest.ExceptionInfo[MycareerErrorGroup]) -> list[str]:
    return [str(error) for error in raised.value.exceptions]


# --- membership: who the account is for, and what does not belong to it ------------------


def test_an_account_of_trainings_only_is_the_trainings_worker() -> None:
    account = build_account([], [course(ANNA, date(2024, 3, 1), 8)], as_of=END_2024, policy=EIGHT)
    assert account.niss == ANNA
    assert values(account.credited, account.used, account.balance) == (0, 1, 0)
    assert account.statements[0].overused == 1  # no credit: the day is beyond the balance


def test_an_account_needs_someone() -> None:
    with pytest.raises(InvalidValueError) as raised:
        build_account([], as_of=END_2024)
    assert str(raised.value) == "an account needs a NISS, a credit or a training"


def test_a_credit_at_another_employer_is_refused_with_its_path() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2025, legal_days=5, employer=SMALL),
    ]
    with pytest.raises(MycareerErrorGroup) as raised:
        build_account(credits, as_of=date(2025, 12, 31))
    assert str(raised.value).startswith("invalid account of NISS 85073003328 at 0403019261")
    assert messages(raised) == [
        "credit for NISS 85073003328 at nsso:100006 does not belong to the account of "
        "NISS 85073003328 at 0403019261 @ $.credits[1]"
    ]


def test_two_credits_for_a_year_are_refused_naming_the_year() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=5), YearCredit(ANNA, 2024, legal_days=1)]
    with pytest.raises(MycareerErrorGroup) as raised:
        build_account(credits, as_of=END_2024)
    assert messages(raised) == [
        "two credits for 2024 in the account of NISS 85073003328 @ $.credits[1].year"
    ]


def test_a_training_at_another_employer_is_refused_with_its_source() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=5, employer=ACME)]
    elsewhere = course(ANNA, date(2024, 3, 1), 8, employer=SMALL, name="forklift", source=SHEET)
    with pytest.raises(MycareerErrorGroup) as raised:
        build_account(credits, [elsewhere], as_of=END_2024)
    (error,) = raised.value.exceptions
    assert isinstance(error, InvalidValueError)
    assert error.source == SHEET
    assert str(error) == (
        "trainings.csv:7: training 'forklift' of NISS 85073003328 does not belong to the "
        "account of NISS 85073003328 at 0403019261 @ $.trainings[0]"
    )


def test_every_problem_is_refused_at_once() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(BERT, 2024, legal_days=5, employer=ACME),
    ]
    other = course(BERT, date(2024, 3, 1), 8, name="other")
    with pytest.raises(MycareerErrorGroup) as raised:
        build_account(credits, [other], as_of=END_2024)
    assert [str(e).split(" @ ")[1] for e in raised.value.exceptions] == [
        "$.credits[1]",
        "$.trainings[0]",
    ]


# --- debits: what is left out -------------------------------------------------------------


def test_a_training_outside_the_right_does_not_stop_the_later_ones() -> None:
    outside = course(ANNA, date(2024, 2, 1), 8, counts=False, name="outside")
    inside = course(ANNA, date(2024, 3, 1), 16, name="inside")
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], [outside, inside], as_of=END_2024, policy=EIGHT
    )
    assert account.used == 2  # the 16 h of the second only (B-11)
    assert account.balance == 3


def test_a_training_ending_late_is_reported_with_its_source_and_the_next_still_debits() -> None:
    late = course(
        ANNA, date(2024, 12, 1), 8, end=date(2025, 1, 10), name="late", source=SHEET
    )  # starts first, ends after the account's last day
    short = course(ANNA, date(2024, 12, 15), 8, name="short")
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], [late, short], as_of=END_2024, policy=EIGHT
    )
    assert account.used == 1
    assert account.findings == (
        Finding(
            "ACCOUNT_TRAINING_AFTER_END",
            Severity.WARNING,
            "NISS 85073003328: training 'late' ending 2025-01-10 is after 2024-12-31 and is not "
            "debited",
            SHEET,
        ),
    )


# --- the year's close (R-CARRY-1) and windows (R-CARRY-2, B-7) ----------------------------


def test_a_balance_under_one_day_is_carried_not_clamped() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=1), YearCredit(ANNA, 2025, legal_days=1)]
    half_day = course(ANNA, date(2024, 5, 1), 4)
    account = build_account(credits, [half_day], as_of=date(2025, 12, 31), policy=EIGHT)
    first, second = account.statements
    assert values(first.closing, first.overused, first.carried) == (
        Fraction(1, 2),
        0,
        Fraction(1, 2),
    )
    assert second.opening == Fraction(1, 2)
    assert account.balance == Fraction(3, 2)


def test_a_window_holds_both_its_years() -> None:
    window = AccountWindow(2024, 2028)
    assert [year in window for year in (2023, 2024, 2028, 2029)] == [False, True, True, False]
    with pytest.raises(InvalidValueError) as raised:
        AccountWindow(2029, 2028)
    assert str(raised.value) == "window 2029-2028 ends before it starts"


def test_a_year_without_credit_gets_a_zero_credit_of_the_accounts_employer() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2026, legal_days=5, employer=ACME),
    ]
    account = build_account(credits, as_of=date(2026, 12, 31), policy=EIGHT)
    gap = account.statement(2025)
    assert gap is not None
    assert gap.credit == YearCredit(ANNA, 2025, employer=ACME)
    assert account.balance == 10  # carried over the empty year (R-CARRY-1)


# --- verify_account -----------------------------------------------------------------------


def test_verify_keeps_a_factor_taken_from_a_credit_after_the_ledger() -> None:
    # the 2025 credit gives 6 h a day but lies after as_of: the statements hold only 2024
    credits = [
        YearCredit(ANNA, 2024, legal_days=5),
        YearCredit(ANNA, 2025, legal_days=5, hours_per_day=6),
    ]
    account = build_account(credits, [course(ANNA, date(2024, 4, 1), 12)], as_of=END_2024)
    assert values(account.hours_per_day, account.used) == (6, 2)
    assert verify_account(account) == ()


def test_verify_refuses_a_stored_training_of_another_employer() -> None:
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], as_of=END_2024, policy=EIGHT, employer=ACME
    )
    foreign = course(ANNA, date(2024, 3, 1), 8, counts=False, employer=SMALL)  # debits nothing
    (finding,) = verify_account(attrs.evolve(account, trainings=(foreign,)))
    assert finding.code == "ACCOUNT_STATEMENT_MISMATCH"
    assert finding.message == (
        "the ledger of NISS 85073003328 cannot be run again: invalid account of NISS "
        "85073003328 at 0403019261 (1 sub-exception)"
    )


def test_verify_names_a_stored_year_the_run_does_not_reach() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=5), YearCredit(ANNA, 2025, legal_days=5)]
    account = build_account(credits, as_of=date(2025, 12, 31), policy=EIGHT)
    moved = attrs.evolve(account, as_of=END_2024)  # the 2025 statement is now beyond it
    assert [f.message for f in verify_account(moved)] == [
        "NISS 85073003328: the stored statement for 2025 differs from the ledger run again "
        "from its credits, trainings and policy"
    ]


# --- build_accounts -----------------------------------------------------------------------


def test_an_ambiguous_training_finding_says_where_it_was_read() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=1, employer=SMALL),
    ]
    unplaced = course(ANNA, date(2024, 4, 1), 8, source=SHEET)
    _, loose = build_accounts(credits, [unplaced], as_of=END_2024, policy=EIGHT)
    assert [(f.code, f.source) for f in loose] == [("ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS", SHEET)]


def test_accounts_without_employer_take_the_policy_of_the_empty_key() -> None:
    no_reset = AccountPolicy(hours_per_day=8, reset_at_window_end=False)
    credits = [
        YearCredit(ANNA, 2024, legal_days=5),
        YearCredit(BERT, 2024, legal_days=5, employer=ACME),
    ]
    accounts, _ = build_accounts(credits, as_of=END_2024, policy=EIGHT, policies={"": no_reset})
    assert [(a.employer, a.policy) for a in accounts] == [(None, no_reset), (ACME, EIGHT)]


# --- employer_summaries: exact sums -------------------------------------------------------


def test_summary_of_a_team_that_all_left_is_an_exact_zero_remaining() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=5, employer=ACME)]
    ending = Termination(ANNA, date(2024, 6, 30), "resignation")
    accounts, _ = build_accounts(credits, as_of=END_2024, terminations=[ending], policy=EIGHT)
    (acme,) = employer_summaries(accounts)
    assert values(acme.remaining, acme.lost) == (0, 5)  # B-8: lost after a resignation
    assert type(acme.remaining) is Fraction


def test_summary_of_accounts_without_statements_is_an_exact_zero_reset() -> None:
    # a training ending after as_of, no credit: an account with no year yet
    late = course(ANNA, date(2024, 12, 20), 8, end=date(2025, 1, 5), employer=ACME)
    accounts, _ = build_accounts([], [late], as_of=END_2024, policy=EIGHT)
    assert [a.statements for a in accounts] == [()]
    (acme,) = employer_summaries(accounts)
    assert values(acme.reset, acme.remaining, acme.credited) == (0, 0, 0)
    assert type(acme.reset) is Fraction


# --- the credit an entitlement grants -----------------------------------------------------


def _entitlement(**changes: object) -> Entitlement:
    fields: dict[str, object] = {
        "employer": ACME,
        "niss": ANNA,
        "year": 2025,
        "band": SizeBand.FROM_20,
        "average_fte": Decimal("25"),
        "reference_quarters": (),
        "fallback_used": False,
        "regime": Regime.STATUTORY,
        "days_exact": Fraction(5),
        "days": Decimal("5"),
        "hours": Fraction(38),
        "legal_days": None,
        "sector_days": None,
        "employer_days": None,
        "months": (),
        "rule": RuleRef("legal-5", "5 days", "law"),
        "fla_regime": FlaRegime.ABOLISHED,
    }
    fields.update(changes)
    return Entitlement(**fields)  # type: ignore[arg-type]


def test_an_entitlement_without_parts_is_a_legal_credit() -> None:
    credit = YearCredit.from_entitlement(_entitlement())
    assert values(credit.legal_days, credit.sector_days, credit.employer_days) == (5, 0, 0)
    assert credit.hours_per_day == Fraction(38, 5)  # 38 h ÷ 5 days


def test_an_entitlement_keeps_each_of_its_parts() -> None:
    split = _entitlement(
        legal_days=Fraction(3), sector_days=Fraction(1), employer_days=Fraction(1, 2),
        days_exact=Fraction(9, 2),
    )  # fmt: skip
    credit = YearCredit.from_entitlement(split)
    assert values(credit.legal_days, credit.sector_days, credit.employer_days) == (
        3,
        1,
        Fraction(1, 2),
    )


def test_an_entitlement_factor_wins_over_hours_over_days() -> None:
    given = YearCredit.from_entitlement(_entitlement(hours_per_day=Fraction(8)))
    assert given.hours_per_day == 8
    no_hours = YearCredit.from_entitlement(_entitlement(hours_per_day=Fraction(8), hours=None))
    assert no_hours.hours_per_day == 8


# --- values refused, and their words ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (Decimal("NaN"), "invalid days 'NaN': expected a finite decimal"),
        ("abc", "invalid days 'abc'"),
        ([1], "invalid days [1]: expected e.g. '2.5' or '10/3'"),
        ("-2.5", "invalid days '-2.5': negative"),
        (Decimal("-1"), "invalid days Decimal('-1'): negative"),
    ],
)
def test_refused_days_are_named(raw: object, message: str) -> None:
    with pytest.raises(InvalidValueError) as raised:
        exact_days(raw)
    assert str(raised.value).startswith(message)


def test_hours_per_day_must_be_positive() -> None:
    with pytest.raises(InvalidValueError) as raised:
        AccountPolicy(hours_per_day=Fraction(0))
    assert str(raised.value) == "hours per day must be positive, got 0"
    with pytest.raises(InvalidValueError, match=r"^hours per day must be positive, got 0$"):
        YearCredit(ANNA, 2024, hours_per_day="0")
    assert AccountPolicy(hours_per_day=1).hours_per_day == 1


def test_a_termination_reason_that_is_not_text_is_named_by_its_field() -> None:
    with pytest.raises(TypeError, match=r"Termination\.reason: expected TerminationReason"):
        Termination(ANNA, END_2024, 5)
