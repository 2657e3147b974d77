"""The individual training account (docs/account.md; B-7, B-8, B-11).

Worked examples carry their ID (T-*) from docs/training-right.md; the rest are
properties checked against hand-computed values or simple identities.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InvalidValueError, MycareerErrorGroup
from mycareer.fla.account import (
    AccountPolicy,
    AccountWindow,
    Termination,
    TerminationReason,
    YearCredit,
    build_account,
    build_accounts,
    employer_summaries,
    verify_account,
)
from mycareer.fla.rulebook import Rulebook, SectorSchedule
from mycareer.fla.trainings import Training, TrainingStatus
from mycareer.fla.values import (
    Entitlement,
    FlaRegime,
    Regime,
    RuleRef,
    SizeBand,
)
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber

ANNA = Niss("85073003328")
BERT = Niss("50073003369")
ACME = Employer(EnterpriseNumber("0403019261"))
SMALL = Employer(nsso=NssoNumber("100006"))
EIGHT_HOURS = AccountPolicy(hours_per_day=Fraction(8))


def values(*items: object) -> tuple[object, ...]:
    """A tuple typed loosely, so exact Fractions compare with int literals under mypy."""
    return items


def training(
    niss: Niss,
    day: date,
    hours: int | str,
    *,
    employer: Employer | None = None,
    counts: bool = True,
    status: TrainingStatus = TrainingStatus.COMPLETED,
    name: str = "course",
) -> Training:
    return Training(
        niss=niss,
        name=name,
        start=day,
        end=day,
        hours=hours,
        status=status,
        counts_toward_individual_right=counts,
        employer=employer,
    )


def test_t_def_1_default_regime_window_2024_2028_totals_25_days() -> None:
    """T-DEF-1 (horecaestmapassion; Strelia): 20+, no CAO, 5 days a year → 25 over 2024–2028."""
    credits = [YearCredit(ANNA, year, legal_days=5) for year in range(2024, 2029)]
    account = build_account(credits, as_of=date(2028, 12, 31))
    (window,) = account.windows
    assert window.window == AccountWindow(2024, 2028)
    assert window.credited == 25
    assert window.credited_per_year == 5
    # R-CARRY-2 averages the training *received*: none was taken here
    assert window.average_per_year == 0
    # nothing used: the whole 25 days is reset at the end of the window (B-7 default)
    assert account.statements[-1].reset == 25
    assert account.statements[-1].carried == 0


def test_t_pc200_1_and_4_growth_path_sums_19_and_resets_at_end_2028() -> None:
    """T-PC200-1 (3, 3, 4, 4, 5 → Σ 19) and T-PC200-4 (reset to 0 at 31 Dec 2028), sfonds200."""
    path = {2024: 3, 2025: 3, 2026: 4, 2027: 4, 2028: 5}
    credits = [YearCredit(ANNA, year, sector_days=days) for year, days in path.items()]
    used = [training(ANNA, date(2025, 5, 6), 16), training(ANNA, date(2028, 3, 1), 8)]
    account = build_account(credits, used, as_of=date(2029, 1, 1), policy=EIGHT_HOURS)
    first, second = account.windows
    assert first.window == AccountWindow(2024, 2028)
    assert first.credited == 19
    assert first.used == 3
    assert first.reset == 16
    end_2028 = account.statement(2028)
    assert end_2028 is not None
    assert end_2028.closing == 16
    assert end_2028.carried == 0
    start_2029 = account.statement(2029)
    assert start_2029 is not None
    assert start_2029.opening == 0
    assert second.window == AccountWindow(2029, 2033)


def test_t_pc200_1_from_the_shipped_rulebook_with_its_reset_policy() -> None:
    """T-PC200-1/4 end to end: the rulebook's PC 200 20+ days (sfonds200) feed the ledger."""
    book = Rulebook.default()
    credits = []
    schedules: dict[str, SectorSchedule] = {}
    for year in range(2024, 2029):
        found = book.resolve(JointCommission("200"), SizeBand.FROM_20, year)
        assert found.total_days is not None
        assert found.rule is not None
        credits.append(YearCredit(ANNA, year, legal_days=found.total_days, rule_id=found.rule.id))
        if found.schedule is not None:
            schedules[found.schedule.id] = found.schedule
    (schedule,) = schedules.values()
    policy = AccountPolicy.for_schedule(schedule)
    account = build_account(credits, as_of=date(2028, 12, 31), policy=policy)
    assert [s.credited for s in account.statements] == [3, 3, 4, 4, 5]
    assert account.windows[0].credited == 19
    assert account.statements[-1].reset == 19
    assert account.balance == 19
    assert account.statements[-1].carried == 0


def test_carry_over_year_to_year_r_carry_1() -> None:
    """R-CARRY-1: unused days carry over; 5 − 2 = 3 opens 2025, then + 5 − 1."""
    credits = [YearCredit(ANNA, 2024, legal_days=5), YearCredit(ANNA, 2025, legal_days=5)]
    trainings = [training(ANNA, date(2024, 6, 3), 16), training(ANNA, date(2025, 2, 3), 8)]
    account = build_account(credits, trainings, as_of=date(2025, 12, 31), policy=EIGHT_HOURS)
    y2024, y2025 = account.statements
    assert values(y2024.opening, y2024.used, y2024.closing, y2024.carried) == (0, 2, 3, 3)
    assert values(y2025.opening, y2025.used, y2025.closing) == (3, 1, 7)
    assert account.balance == 7


def test_no_reset_when_the_policy_keeps_the_balance() -> None:
    """B-7 alternative: no reset at the window end, the balance runs on."""
    credits = [YearCredit(ANNA, year, legal_days=1) for year in range(2024, 2030)]
    policy = AccountPolicy(reset_at_window_end=False)
    account = build_account(credits, as_of=date(2029, 12, 31), policy=policy)
    assert all(s.reset == 0 for s in account.statements)
    assert account.balance == 6


@pytest.mark.parametrize("reason", [TerminationReason.RESIGNATION, TerminationReason.SERIOUS_CAUSE])
def test_resignation_or_serious_cause_loses_the_credit(reason: TerminationReason) -> None:
    """B-8 (Securex): after a resignation or a serious-cause dismissal the days are lost."""
    credits = [YearCredit(ANNA, 2024, legal_days=5), YearCredit(ANNA, 2025, legal_days="2.5")]
    ending = Termination(ANNA, date(2025, 6, 30), reason)
    account = build_account(
        credits,
        [training(ANNA, date(2025, 3, 3), 8), training(ANNA, date(2025, 9, 1), 8, name="late")],
        as_of=date(2026, 3, 1),
        termination=ending,
        policy=EIGHT_HOURS,
    )
    last = account.statements[-1]
    assert last.year == 2025
    assert last.lost == Fraction(13, 2)  # 5 + 2.5 − 1
    assert last.open_balance == 0
    assert last.carried == 0
    assert account.open_balance is None
    assert account.lost == Fraction(13, 2)
    # the training after the last day is not debited, and that is said
    assert any(f.code == "ACCOUNT_TRAINING_AFTER_END" for f in account.findings)


@pytest.mark.parametrize(
    "reason",
    [
        TerminationReason.DISMISSAL_NOTICE,
        TerminationReason.DISMISSAL_INDEMNITY,
        TerminationReason.MUTUAL_AGREEMENT,
        TerminationReason.END_FIXED_TERM,
        TerminationReason.OTHER,
    ],
)
def test_other_endings_report_the_open_balance(reason: TerminationReason) -> None:
    """B-8: dismissal with notice (and any other ending) reports the open balance."""
    credits = [YearCredit(ANNA, 2024, legal_days=5), YearCredit(ANNA, 2025, legal_days=3)]
    ending = Termination(ANNA, date(2025, 10, 15), reason)
    account = build_account(credits, as_of=date(2025, 12, 31), termination=ending)
    last = account.statements[-1]
    assert last.lost == 0
    assert last.open_balance == 8
    assert account.open_balance == 8
    assert last.termination == ending


def test_termination_in_a_window_end_year_is_not_also_a_reset() -> None:
    credits = [YearCredit(ANNA, year, legal_days=5) for year in range(2024, 2029)]
    ending = Termination(ANNA, date(2028, 12, 31), TerminationReason.DISMISSAL_NOTICE)
    account = build_account(credits, as_of=date(2029, 6, 1), termination=ending)
    last = account.statements[-1]
    assert values(last.year, last.open_balance, last.reset) == (2028, 25, 0)


def test_termination_after_as_of_is_not_applied_yet() -> None:
    ending = Termination(ANNA, date(2025, 6, 30), "resignation")
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], as_of=date(2024, 12, 31), termination=ending
    )
    assert account.termination is None
    assert account.balance == 5
    assert any(f.code == "ACCOUNT_TERMINATION_AFTER_AS_OF" for f in account.findings)


def test_termination_reason_text_forms() -> None:
    assert Termination(ANNA, date(2025, 1, 1), "SERIOUS_CAUSE").reason.loses_credit
    with pytest.raises(InvalidValueError, match="invalid termination reason 'fired'"):
        Termination(ANNA, date(2025, 1, 1), "fired")


def test_only_completed_trainings_that_count_are_debited() -> None:
    """B-11: paid educational leave etc. carry ``counts_toward_individual_right=False``."""
    trainings = [
        training(ANNA, date(2024, 2, 1), 8),
        training(ANNA, date(2024, 2, 2), 8, counts=False, name="educational leave"),
        training(ANNA, date(2024, 2, 3), 8, status=TrainingStatus.RESERVED, name="booked"),
        training(ANNA, date(2024, 2, 4), 8, status=TrainingStatus.NOT_FOLLOWED, name="missed"),
    ]
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], trainings, as_of=date(2024, 12, 31)
    )
    (statement,) = account.statements
    assert [d.training.name for d in statement.debits] == ["course"]
    assert len(account.trainings) == 4


def test_training_hours_become_days_through_the_credit_factor() -> None:
    """B-6: 38 h a week ÷ 5 = 7.6 h a day; 15.2 h is exactly 2 days."""
    credit = YearCredit(ANNA, 2024, legal_days=5, hours_per_day="7.6")
    account = build_account(
        [credit], [training(ANNA, date(2024, 5, 2), "15.2")], as_of=date(2024, 12, 31)
    )
    assert account.hours_per_day == Fraction(38, 5)
    assert account.statements[0].used == 2
    assert account.hours(account.balance) == Fraction(342, 15)  # 3 days × 7.6 h


def test_default_hours_per_day_is_reported() -> None:
    account = build_account([YearCredit(ANNA, 2024, legal_days=1)], as_of=date(2024, 12, 31))
    assert account.hours_per_day == Fraction(38, 5)
    assert [f.code for f in account.findings] == ["ACCOUNT_DEFAULT_HOURS_PER_DAY"]


def test_overuse_is_reported_not_carried_by_default() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=1), YearCredit(ANNA, 2025, legal_days=1)]
    trainings = [training(ANNA, date(2024, 4, 4), 24)]
    account = build_account(credits, trainings, as_of=date(2025, 12, 31), policy=EIGHT_HOURS)
    y2024, y2025 = account.statements
    assert values(y2024.used, y2024.overused, y2024.closing, y2024.carried) == (3, 2, 0, 0)
    assert y2025.opening == 0
    assert any(f.code == "ACCOUNT_OVERUSE" for f in account.findings)


def test_overuse_allowed_goes_negative_and_is_reported() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=1), YearCredit(ANNA, 2025, legal_days=5)]
    policy = AccountPolicy(hours_per_day=8, allow_overuse=True)
    account = build_account(
        credits, [training(ANNA, date(2024, 4, 4), 24)], as_of=date(2025, 12, 31), policy=policy
    )
    y2024, y2025 = account.statements
    assert values(y2024.overused, y2024.closing, y2024.carried) == (0, -2, -2)
    assert y2025.closing == 3
    assert any(f.code == "ACCOUNT_NEGATIVE_BALANCE" for f in account.findings)


def test_years_before_the_first_window_carry_into_it() -> None:
    """T-PRO-8: 4 days in 2023; years before 2024 belong to no window and carry on."""
    credits = [YearCredit(ANNA, 2023, legal_days=4), YearCredit(ANNA, 2024, legal_days=5)]
    account = build_account(credits, as_of=date(2024, 12, 31))
    y2023, y2024 = account.statements
    assert y2023.window is None
    assert y2023.carried == 4
    assert y2024.opening == 4
    assert [w.window for w in account.windows] == [None, AccountWindow(2024, 2028)]


def test_gap_years_get_zero_credit_statements() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=2), YearCredit(ANNA, 2026, legal_days=2)]
    account = build_account(credits, as_of=date(2026, 12, 31))
    assert [values(s.year, s.credited, s.carried) for s in account.statements] == [
        (2024, 2, 2),
        (2025, 0, 2),
        (2026, 2, 4),
    ]


def test_credits_after_as_of_are_left_out_with_a_finding() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=5), YearCredit(ANNA, 2025, legal_days=5)]
    account = build_account(credits, as_of=date(2024, 12, 31))
    assert [s.year for s in account.statements] == [2024]
    assert any(f.code == "ACCOUNT_CREDIT_AFTER_END" for f in account.findings)


def test_bad_account_inputs_are_all_reported() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5),
        YearCredit(ANNA, 2024, legal_days=1),
        YearCredit(BERT, 2024, legal_days=1),
    ]
    with pytest.raises(MycareerErrorGroup) as caught:
        build_account(credits, [training(BERT, date(2024, 1, 2), 1)], as_of=date(2024, 12, 31))
    paths = sorted(str(getattr(e, "path", "")) for e in caught.value.exceptions)
    assert paths == ["$.credits[1].year", "$.credits[2]", "$.trainings[0]"]


def test_credit_parts_refuse_floats_and_negatives() -> None:
    with pytest.raises(InvalidValueError, match="never a float"):
        YearCredit(ANNA, 2024, legal_days=2.5)
    with pytest.raises(InvalidValueError, match="negative"):
        YearCredit(ANNA, 2024, sector_days=Decimal("-1"))


def _entitlement(**changes: object) -> Entitlement:
    values: dict[str, object] = {
        "employer": ACME,
        "niss": ANNA,
        "year": 2026,
        "band": SizeBand.FROM_20,
        "average_fte": Decimal("25"),
        "reference_quarters": (),
        "fallback_used": False,
        "regime": Regime.SECTOR,
        "days_exact": Fraction(10, 3),
        "days": Decimal("3.3333"),
        "hours": Fraction(76, 3),
        "legal_days": Fraction(0),
        "sector_days": Fraction(10, 3),
        "employer_days": Fraction(0),
        "months": (),
        "rule": RuleRef("pc200-20plus", "PC 200 growth path", "CAO 6 Jul 2023"),
        "fla_regime": FlaRegime.ABOLISHED,
    }
    values.update(changes)
    return Entitlement(**values)  # type: ignore[arg-type]


def test_credit_from_entitlement_keeps_parts_rule_and_hours_per_day() -> None:
    credit = YearCredit.from_entitlement(_entitlement())
    assert values(credit.legal_days, credit.sector_days, credit.employer_days) == (
        0,
        Fraction(10, 3),
        0,
    )
    assert credit.hours_per_day == Fraction(38, 5)  # (76/3) h ÷ (10/3) days
    assert credit.rule_id == "pc200-20plus"
    assert credit.employer == ACME


def test_credit_from_a_no_rule_entitlement_is_zero() -> None:
    none = _entitlement(
        days_exact=None, days=None, hours=None, legal_days=None, sector_days=None, rule=None
    )
    credit = YearCredit.from_entitlement(none)
    assert credit.total == 0
    assert credit.rule_id is None


def test_accounts_per_employer_and_the_employer_view() -> None:
    """A worker at two employers has two accounts (no cap across employers)."""
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=1, employer=SMALL),
        YearCredit(BERT, 2024, legal_days=5, employer=ACME),
    ]
    trainings = [
        training(ANNA, date(2024, 3, 1), 8, employer=ACME),
        training(BERT, date(2024, 3, 1), 16),  # one employer: goes to ACME
        training(ANNA, date(2024, 4, 1), 8, name="unplaced"),  # two employers: ambiguous
    ]
    ending = Termination(BERT, date(2024, 9, 30), TerminationReason.RESIGNATION)
    accounts, loose = build_accounts(
        credits, trainings, as_of=date(2024, 12, 31), terminations=[ending], policy=EIGHT_HOURS
    )
    # sorted by employer key, then NISS
    assert [values(a.employer, a.niss, a.balance) for a in accounts] == [
        (ACME, BERT, 3),
        (ACME, ANNA, 4),
        (SMALL, ANNA, 1),
    ]
    assert [f.code for f in loose] == ["ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS"]
    acme, small = employer_summaries(accounts)
    assert acme.employer == ACME
    assert values(acme.workers, acme.credited, acme.used) == (2, 10, 3)
    assert acme.remaining == 4  # Anna only; Bert's 3 days were lost at his resignation
    assert acme.lost == 3
    assert values(small.workers, small.credited, small.remaining) == (1, 1, 1)


def test_trainings_without_credits_open_an_account() -> None:
    accounts, _ = build_accounts(
        [], [training(ANNA, date(2024, 3, 1), 8)], as_of=date(2024, 12, 31), policy=EIGHT_HOURS
    )
    (account,) = accounts
    assert account.statements[0].overused == 1
    assert account.balance == 0


# --- properties -------------------------------------------------------------------------

YEARS = range(2022, 2036)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[YearCredit], list[Training]]:
    years = draw(st.lists(st.sampled_from(YEARS), unique=True, max_size=10))
    credits = [
        YearCredit(ANNA, year, legal_days=Fraction(draw(st.integers(0, 20)), 4)) for year in years
    ]
    trainings = [
        training(ANNA, date(draw(st.sampled_from(YEARS)), draw(st.integers(1, 12)), 1), hours)
        for hours in draw(st.lists(st.integers(0, 48), max_size=12))
    ]
    return credits, trainings


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.booleans(), st.booleans())
def test_every_statement_balances_and_chains(
    ledger: tuple[list[YearCredit], list[Training]], reset: bool, overuse: bool
) -> None:
    """opening + credit − used + overused = carried + reset + lost + open; chained openings."""
    credits, trainings = ledger
    policy = AccountPolicy(hours_per_day=8, reset_at_window_end=reset, allow_overuse=overuse)
    account = build_account(credits, trainings, as_of=date(2035, 12, 31), policy=policy, niss=ANNA)
    previous = Fraction(0)
    for statement in account.statements:
        assert statement.opening == previous
        assert (
            statement.opening + statement.credited - statement.used + statement.overused
            == statement.closing
            == statement.carried + statement.reset + statement.lost + statement.open_balance
        )
        previous = statement.carried
    # oracle from the inputs: every day credited is used, over-used, reset or still there
    credited = sum((c.total for c in credits), Fraction(0))
    used = sum((t.hours / 8 for t in trainings), Fraction(0))
    overused = sum((s.overused for s in account.statements), Fraction(0))
    total_reset = sum((s.reset for s in account.statements), Fraction(0))
    assert credited - used + overused == total_reset + previous
    assert verify_account(account) == ()


def test_html_view_for_notebooks() -> None:
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=Fraction(10, 3))], as_of=date(2024, 12, 31)
    )
    html = account._repr_html_()
    assert html.startswith("<table><caption>Training account of NISS 85.07.30-033.28")
    assert "<td>10/3</td>" in html
    assert "<td>2024-2028</td>" in html


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.booleans())
def test_carry_over_is_never_negative_unless_overuse_is_allowed_and_reported(
    ledger: tuple[list[YearCredit], list[Training]], overuse: bool
) -> None:
    credits, trainings = ledger
    policy = AccountPolicy(hours_per_day=8, allow_overuse=overuse)
    account = build_account(credits, trainings, as_of=date(2035, 12, 31), policy=policy, niss=ANNA)
    negative_years = {s.year for s in account.statements if s.closing < 0}
    if not overuse:
        assert not negative_years
        assert all(s.carried >= 0 for s in account.statements)
    reported = {
        int(f.message.split(" at the end of ")[1][:4])
        for f in account.findings
        if f.code == "ACCOUNT_NEGATIVE_BALANCE"
    }
    assert reported == negative_years


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_reset_zeroes_exactly_at_window_ends(
    ledger: tuple[list[YearCredit], list[Training]],
) -> None:
    """B-7 default: the balance is zeroed on 31 Dec 2028, 2033…, and at no other year end.

    Oracle: without over-use, what is reset at a window end is the window's credits
    minus its use, plus what came in from before the window.
    """
    credits, trainings = ledger
    account = build_account(
        credits, trainings, as_of=date(2035, 12, 31), policy=EIGHT_HOURS, niss=ANNA
    )
    for statement in account.statements:
        if statement.year in (2028, 2033):
            assert statement.carried == 0
            assert statement.reset == statement.closing
        else:
            assert statement.reset == 0
    for summary in account.windows:
        if summary.window is None or summary.overused:
            continue
        window = summary.window
        first = next(s for s in account.statements if s.year in window)
        total = first.opening + summary.credited - summary.used
        assert summary.closing == total
        if summary.window.last_year <= 2035:
            assert summary.reset == total
