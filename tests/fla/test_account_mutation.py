"""Training account: the cases mutation testing showed untested (docs/mutation.md).

Routing of trainings and terminations over many accounts, the re-run check of a stored
ledger, the employer view, the notebook table and the wording of every finding. Expected
values are worked by hand from the inputs (days at 8 h a day unless said otherwise).
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

import attrs
import pytest

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding, Severity
from mycareer.fla.account import (
    AccountPolicy,
    Termination,
    TerminationReason,
    YearCredit,
    build_account,
    build_accounts,
    employer_summaries,
    verify_account,
)
from mycareer.fla.rulebook import ResetPolicy, ScheduleKind, SectorSchedule
from mycareer.fla.trainings import Training, TrainingStatus
from mycareer.fla.values import SizeBand
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber

ANNA = Niss("85073003328")
BERT = Niss("50073003369")
CARL = Niss("72020200110")
DORA = Niss("70010100188")
ACME = Employer(EnterpriseNumber("0403019261"))
SMALL = Employer(nsso=NssoNumber("100006"))
EIGHT = AccountPolicy(hours_per_day=Fraction(8))
END_2024 = date(2024, 12, 31)


def values(*items: object) -> tuple[object, ...]:
    """A tuple typed loosely, so exact Fractions compare with int literals under mypy."""
    return items


def course(
    niss: Niss,
    day: date,
    hours: int,
    *,
    employer: Employer | None = None,
    name: str = "course",
    end: date | None = None,
) -> Training:
    return Training(
        niss=niss,
        name=name,
        start=day,
        end=end or day,
        hours=hours,
        status=TrainingStatus.COMPLETED,
        counts_toward_individual_right=True,
        employer=employer,
    )


def test_dora_is_a_valid_niss() -> None:
    assert DORA.value == "70010100188"


# --- build_accounts: where trainings and terminations go --------------------------------


def test_terminations_without_employer_reach_every_account_of_the_worker() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=1, employer=SMALL),
    ]
    carl_course = course(CARL, date(2024, 2, 1), 8)  # no credit, no employer
    endings = [
        Termination(ANNA, date(2024, 6, 30), "dismissal-notice"),
        Termination(CARL, date(2024, 6, 30), "resignation"),
        Termination(DORA, date(2024, 6, 30), "resignation"),
    ]
    accounts, loose = build_accounts(
        credits, [carl_course], as_of=END_2024, terminations=endings, policy=EIGHT
    )
    by_owner = {(a.employer, a.niss): a for a in accounts}
    assert set(by_owner) == {(ACME, ANNA), (SMALL, ANNA), (None, CARL)}
    # the worker's termination, bound to each employer's account
    acme = by_owner[(ACME, ANNA)].termination
    small = by_owner[(SMALL, ANNA)].termination
    assert acme is not None
    assert small is not None
    assert values(acme.employer, small.employer) == (ACME, SMALL)
    assert by_owner[(ACME, ANNA)].open_balance == 5
    assert by_owner[(SMALL, ANNA)].open_balance == 1
    carl = by_owner[(None, CARL)]
    assert carl.termination == endings[1]
    assert carl.statements[-1].overused == 1
    assert loose == (
        Finding(
            "ACCOUNT_TERMINATION_UNKNOWN_WORKER",
            Severity.WARNING,
            "termination given for NISS 70010100188, who has no account",
        ),
    )


def test_a_termination_for_one_employer_leaves_the_other_account_running() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=1, employer=SMALL),
    ]
    ending = Termination(ANNA, date(2024, 6, 30), "resignation", employer=SMALL)
    accounts, loose = build_accounts(credits, as_of=END_2024, terminations=[ending], policy=EIGHT)
    assert loose == ()
    assert [(a.employer, a.termination) for a in accounts] == [(ACME, None), (SMALL, ending)]
    assert [a.lost for a in accounts] == [0, 1]


def test_ambiguous_training_is_an_error_naming_it() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=1, employer=SMALL),
    ]
    unplaced = course(ANNA, date(2024, 4, 1), 8, name="unplaced")
    accounts, loose = build_accounts(credits, [unplaced], as_of=END_2024, policy=EIGHT)
    assert loose == (
        Finding(
            "ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS",
            Severity.ERROR,
            "training 'unplaced' of NISS 85073003328 names no employer and the worker has 2; "
            "it is not debited",
        ),
    )
    assert [a.used for a in accounts] == [0, 0]
    assert all(a.trainings == () for a in accounts)


def test_a_training_naming_its_employer_opens_that_account() -> None:
    credits = [YearCredit(ANNA, 2024, legal_days=5, employer=ACME)]
    elsewhere = course(ANNA, date(2024, 4, 1), 16, employer=SMALL)
    accounts, loose = build_accounts(credits, [elsewhere], as_of=END_2024, policy=EIGHT)
    assert loose == ()
    assert [(a.employer, a.credited, a.used) for a in accounts] == [
        (ACME, Fraction(5), Fraction(0)),
        (SMALL, Fraction(0), Fraction(2)),
    ]


def test_accounts_are_sorted_by_employer_key_then_niss() -> None:
    credits = [
        YearCredit(n, 2024, legal_days=1, employer=e)
        for e in (SMALL, ACME)
        for n in (ANNA, BERT, CARL)
    ] + [YearCredit(DORA, 2024, legal_days=1)]
    accounts, _ = build_accounts(credits, as_of=END_2024, policy=EIGHT)
    assert [(a.employer, a.niss) for a in accounts] == [
        (None, DORA),  # no employer: key "" sorts first
        (ACME, BERT),  # 0403019261 < nsso:100006; NISS by digits: 50…, 72…, 85…
        (ACME, CARL),
        (ACME, ANNA),
        (SMALL, BERT),
        (SMALL, CARL),
        (SMALL, ANNA),
    ]


def test_policies_by_worker_then_employer_then_default() -> None:
    no_reset = AccountPolicy(hours_per_day=8, reset_at_window_end=False)
    overuse = AccountPolicy(hours_per_day=8, allow_overuse=True)
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(BERT, 2024, legal_days=5, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=5, employer=SMALL),
    ]
    accounts, _ = build_accounts(
        credits,
        as_of=END_2024,
        policy=EIGHT,
        policies={ACME.key: no_reset, (ACME.key, BERT.value): overuse},
    )
    policies = {(a.employer, a.niss): a.policy for a in accounts}
    assert policies == {(ACME, ANNA): no_reset, (ACME, BERT): overuse, (SMALL, ANNA): EIGHT}


# --- build_account: findings and edges ----------------------------------------------------


def test_termination_on_the_statement_date_applies() -> None:
    ending = Termination(ANNA, END_2024, "serious_cause")
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], as_of=END_2024, termination=ending
    )
    assert account.termination == ending
    assert ending.reason is TerminationReason.SERIOUS_CAUSE
    assert account.lost == 5


def test_termination_after_as_of_is_an_information() -> None:
    ending = Termination(ANNA, date(2025, 1, 1), "resignation")
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], as_of=END_2024, termination=ending, policy=EIGHT
    )
    assert account.termination is None
    assert account.findings == (
        Finding(
            "ACCOUNT_TERMINATION_AFTER_AS_OF",
            Severity.INFO,
            "NISS 85073003328: termination on 2025-01-01 is after 2024-12-31 and is not applied "
            "yet",
        ),
    )


def test_termination_of_another_worker_is_refused() -> None:
    ending = Termination(BERT, date(2024, 6, 1), "resignation")
    with pytest.raises(
        InvalidValueError,
        match=r"termination of NISS 50073003369 is not for NISS 85073003328 at 0403019261$",
    ):
        build_account(
            [YearCredit(ANNA, 2024, legal_days=5, employer=ACME)],
            as_of=END_2024,
            termination=ending,
        )
    other_employer = Termination(ANNA, date(2024, 6, 1), "resignation", employer=SMALL)
    with pytest.raises(InvalidValueError, match="is not for NISS 85073003328 at 0403019261"):
        build_account(
            [YearCredit(ANNA, 2024, legal_days=5, employer=ACME)],
            as_of=END_2024,
            termination=other_employer,
        )


def test_a_training_ending_on_the_last_day_is_debited_a_later_one_is_reported() -> None:
    on_time = course(ANNA, date(2024, 12, 30), 8, end=END_2024)
    late = course(ANNA, date(2024, 12, 30), 8, end=date(2025, 1, 2), name="late")
    account = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], [on_time, late], as_of=END_2024, policy=EIGHT
    )
    assert account.used == 1
    assert account.findings == (
        Finding(
            "ACCOUNT_TRAINING_AFTER_END",
            Severity.WARNING,
            "NISS 85073003328: training 'late' ending 2025-01-02 is after 2024-12-31 and is not "
            "debited",
        ),
    )


def test_the_latest_credit_gives_the_hours_per_day_and_the_default_is_said() -> None:
    credits = [
        YearCredit(ANNA, 2025, legal_days=5, hours_per_day=7),
        YearCredit(ANNA, 2024, legal_days=5, hours_per_day=8),
    ]
    assert build_account(credits, as_of=date(2025, 12, 31)).hours_per_day == 7
    plain = build_account([YearCredit(ANNA, 2024, legal_days=5)], as_of=END_2024)
    assert plain.hours_per_day == Fraction(38, 5)
    assert plain.findings == (
        Finding(
            "ACCOUNT_DEFAULT_HOURS_PER_DAY",
            Severity.INFO,
            "NISS 85073003328: no hours-per-day factor given; trainings converted at 7.6 h a day "
            "(38 h ÷ 5, B-6)",
        ),
    )


def test_overuse_and_negative_balance_findings_are_worded() -> None:
    heavy = [course(ANNA, date(2024, 3, 1), 60)]  # 7.5 days for 5 credited
    clamped = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], heavy, as_of=END_2024, policy=EIGHT
    )
    assert clamped.findings == (
        Finding(
            "ACCOUNT_OVERUSE",
            Severity.INFO,
            "NISS 85073003328: 2.5 day(s) of training in 2024 beyond the balance "
            "(not carried over)",
        ),
    )
    advance = attrs.evolve(EIGHT, allow_overuse=True)
    negative = build_account(
        [YearCredit(ANNA, 2024, legal_days=5)], heavy, as_of=END_2024, policy=advance
    )
    assert negative.findings == (
        Finding(
            "ACCOUNT_NEGATIVE_BALANCE",
            Severity.WARNING,
            "NISS 85073003328: balance -2.5 day(s) at the end of 2024 (over-use allowed)",
        ),
    )


def test_termination_reason_forms_and_error() -> None:
    assert Termination(ANNA, END_2024, " Dismissal_Indemnity ").reason is (
        TerminationReason.DISMISSAL_INDEMNITY
    )
    with pytest.raises(InvalidValueError) as raised:
        Termination(ANNA, END_2024, "fired")
    assert str(raised.value) == (
        "invalid termination reason 'fired': expected resignation, serious-cause, "
        "dismissal-notice, dismissal-indemnity, mutual-agreement, end-fixed-term, other"
    )


def test_one_year_windows_are_allowed() -> None:
    policy = AccountPolicy(window_years=1, hours_per_day=8)
    account = build_account(
        [YearCredit(ANNA, y, legal_days=5) for y in (2024, 2025)],
        as_of=date(2025, 12, 31),
        policy=policy,
    )
    assert [s.reset for s in account.statements] == [5, 5]


def test_policy_for_a_schedule_without_a_window_start_uses_2024() -> None:
    schedule = SectorSchedule(
        id="pc999",
        joint_commission=JointCommission("999"),
        band=SizeBand.FROM_20,
        kind=ScheduleKind.REPLACE,
        days={2024: Fraction(5)},
        title="test",
        source="test",
        valid_from=date(2024, 1, 1),
        valid_to=None,
        window_years=3,
        reset=ResetPolicy.CARRY_OVER,
    )
    policy = AccountPolicy.for_schedule(schedule, allow_overuse=True)
    assert values(policy.first_window_start, policy.window_years) == (2024, 3)
    assert values(policy.reset_at_window_end, policy.allow_overuse) == (False, True)


def test_statement_of_a_year_outside_the_ledger_is_none() -> None:
    account = build_account([YearCredit(ANNA, 2024, legal_days=5)], as_of=END_2024, policy=EIGHT)
    assert account.statement(2023) is None
    statement = account.statement(2024)
    assert statement is not None
    assert statement.credited == 5


# --- verify_account -----------------------------------------------------------------------


def _ledger() -> tuple[list[YearCredit], list[Training], Termination]:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME, hours_per_day=8),
        YearCredit(ANNA, 2025, legal_days=5, employer=ACME, hours_per_day=8),
    ]
    trainings = [course(ANNA, date(2024, 5, 2), 12), course(ANNA, date(2025, 3, 3), 20)]
    ending = Termination(ANNA, date(2025, 9, 30), "dismissal-notice", employer=ACME)
    return credits, trainings, ending


def test_verify_accepts_a_ledger_run_with_trainings_a_termination_and_a_policy() -> None:
    credits, trainings, ending = _ledger()
    policy = AccountPolicy(reset_at_window_end=False, allow_overuse=True)
    account = build_account(
        credits, trainings, as_of=date(2025, 12, 31), termination=ending, policy=policy
    )
    assert account.open_balance == 6  # 10 credited - 1.5 - 2.5 used, left open (B-8)
    assert verify_account(account) == ()


def test_verify_names_each_year_that_differs() -> None:
    credits, trainings, ending = _ledger()
    account = build_account(credits, trainings, as_of=date(2025, 12, 31), termination=ending)
    first, second = account.statements
    tampered = attrs.evolve(
        account,
        statements=(first, attrs.evolve(second, used=Fraction(1))),
    )
    assert verify_account(tampered) == (
        Finding(
            "ACCOUNT_STATEMENT_MISMATCH",
            Severity.ERROR,
            "NISS 85073003328: the stored statement for 2025 differs from the ledger run again "
            "from its credits, trainings and policy",
        ),
    )
    dropped_training = attrs.evolve(account, trainings=account.trainings[:1])
    assert [f.message[:38] for f in verify_account(dropped_training)] == [
        "NISS 85073003328: the stored statement"
    ]


def test_verify_reports_a_ledger_that_cannot_run_again() -> None:
    credits, _, _ = _ledger()
    account = build_account(credits, as_of=date(2025, 12, 31))
    first, second = account.statements
    twice = attrs.evolve(account, statements=(first, attrs.evolve(second, credit=first.credit)))
    (finding,) = verify_account(twice)
    assert values(finding.code, finding.severity) == ("ACCOUNT_STATEMENT_MISMATCH", Severity.ERROR)
    assert finding.message.startswith(
        "the ledger of NISS 85073003328 cannot be run again: invalid account of NISS "
        "85073003328 at 0403019261"
    )


# --- employer view and notebook table -----------------------------------------------------


def test_employer_summaries_add_up_each_employers_team() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(BERT, 2024, legal_days=3, employer=ACME),
        YearCredit(CARL, 2024, legal_days=2, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=1, employer=SMALL),
        YearCredit(DORA, 2024, legal_days=4),
    ]
    trainings = [course(ANNA, date(2024, 3, 1), 8, employer=ACME)]
    endings = [
        Termination(BERT, date(2024, 6, 30), "resignation"),
        Termination(CARL, date(2024, 6, 30), "dismissal-indemnity"),
    ]
    accounts, _ = build_accounts(
        credits, trainings, as_of=date(2029, 6, 30), terminations=endings, policy=EIGHT
    )
    none, acme, small = employer_summaries(accounts)
    assert values(none.employer, none.workers, none.credited, none.reset) == (None, 1, 4, 4)
    assert values(acme.employer, acme.workers) == (ACME, 3)
    assert values(acme.credited, acme.used) == (10, 1)
    assert acme.remaining == 0  # Anna's 4 days reset at the end of 2028; the others ended
    assert values(acme.lost, acme.open_balance, acme.reset) == (3, 2, 4)
    assert values(small.workers, small.credited, small.reset, small.remaining) == (1, 1, 1, 0)


def test_employer_summary_remaining_counts_running_accounts_only() -> None:
    credits = [
        YearCredit(ANNA, 2024, legal_days=5, employer=ACME),
        YearCredit(BERT, 2024, legal_days=3, employer=ACME),
    ]
    ending = Termination(BERT, date(2024, 6, 30), "mutual-agreement")
    accounts, _ = build_accounts(credits, as_of=END_2024, terminations=[ending], policy=EIGHT)
    (acme,) = employer_summaries(accounts)
    assert values(acme.remaining, acme.open_balance, acme.lost) == (5, 3, 0)


def _cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("</tr>") if "<td>" in row]


def test_notebook_table_shows_every_figure_of_every_year() -> None:
    credits = [
        YearCredit(ANNA, 2023, legal_days=4, employer=ACME),
        YearCredit(ANNA, 2024, legal_days=3, sector_days=1, employer_days="0.5", employer=ACME),
    ]
    ending = Termination(ANNA, date(2024, 8, 31), "dismissal-notice")
    account = build_account(
        credits,
        [course(ANNA, date(2024, 2, 1), 12)],
        as_of=END_2024,
        termination=ending,
        policy=EIGHT,
    )
    html = account._repr_html_()
    header = re.findall(r"<th>(.*?)</th>", html)
    assert header == [
        "year", "window", "opening", "legal", "sector", "employer", "used",
        "closing", "carried", "reset", "lost", "open",
    ]  # fmt: skip
    assert _cells(html) == [
        ["2023", "-", "0", "4", "0", "0", "0", "4", "4", "0", "0", "0"],
        ["2024", "2024-2028", "4", "3", "1", "0.5", "1.5", "7", "0", "0", "0", "7"],
    ]
    assert (
        "<caption>Training account of NISS 85.07.30-033.28 at 0403.019.261 as of 2024-12-31 "
        "(days): balance 7</caption>" in html
    )
    alone = build_account([YearCredit(ANNA, 2024, legal_days=5)], as_of=END_2024, policy=EIGHT)
    assert (
        "<caption>Training account of NISS 85.07.30-033.28 as of 2024-12-31" in alone._repr_html_()
    )
