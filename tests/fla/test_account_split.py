"""Ledgers split by worker (issue 15 "Scale"): each part's accounts are the whole run's.

``mycareer account --jobs`` builds the ledgers bucket by bucket of workers
(:mod:`mycareer.account_jobs`) with :func:`credit_ledgers`, the rule of the in-parent
run. Everything a ledger needs is the worker's own (credits, trainings, terminations),
except the employer shown for a key (its first credit's, else its first training's),
which the whole run gives each part. The reference is the whole run in one call.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.findings import Finding
from mycareer.fla.account import (
    Origin,
    Termination,
    TerminationReason,
    TrainingAccount,
    YearCredit,
    build_accounts,
    employer_summaries,
    merge_summaries,
    routed_accounts,
    shown_employers,
)
from mycareer.fla.account_pipeline import credit_from_row, credit_ledgers, credit_row
from mycareer.fla.trainings import Training
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber

NOBODY = Niss("85010100115")  # no credit, no training
WORKERS = [Niss(n) for n in ("85073003328", "50073003369", "72020200110", "70010100188")]
#: One enterprise with and without its NSSO number (equal keys, unequal employers).
ACME = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"))
ACME_BARE = Employer(EnterpriseNumber("0403019261"))
OTHER = Employer(EnterpriseNumber("0202239951"), NssoNumber("200017"))
SMALL = Employer(nsso=NssoNumber("300028"))
EMPLOYERS = [ACME, ACME_BARE, OTHER, SMALL]
AS_OF = date(2025, 12, 31)
PC200 = "pc200-20plus-2024"

days = st.builds(Fraction, st.integers(0, 12), st.sampled_from([1, 2, 3]))


@st.composite
def credits(draw: st.DrawFn) -> list[YearCredit]:
    """Distinct (year, employer key, NISS) credits in the credits' order."""
    place = st.tuples(st.sampled_from([2023, 2024, 2025]), st.integers(0, 2), st.integers(0, 3))
    places = draw(st.sets(place, max_size=14))
    made = []
    for year, employer, worker in places:
        shown = (ACME, OTHER, SMALL)[employer]
        if shown is ACME:
            shown = draw(st.sampled_from([ACME, ACME_BARE]))  # two employers for one key
        made.append(
            YearCredit(
                WORKERS[worker],
                year,
                legal_days=draw(days),
                sector_days=draw(days),
                employer=shown,
                rule_id=draw(st.sampled_from([None, PC200])),
                hours_per_day=draw(st.sampled_from([None, Fraction(38, 5), Fraction(8)])),
            )
        )
    return sorted(made, key=lambda c: (c.year, c.employer.key if c.employer else "", c.niss.value))


one_day = st.dates(date(2023, 1, 1), date(2026, 6, 30))
trainings = st.lists(
    st.builds(
        lambda niss, employer, day, hours: Training(
            niss, "course", day, day + timedelta(days=1), hours, employer=employer
        ),
        st.sampled_from(WORKERS),
        st.sampled_from([None, None, *EMPLOYERS]),
        one_day,
        st.integers(1, 60),
    ),
    max_size=8,
)
terminations = st.lists(
    st.builds(
        Termination,
        st.sampled_from([*WORKERS, NOBODY]),  # the last has nothing
        one_day,
        st.sampled_from(list(TerminationReason)),
        st.sampled_from([None, None, *EMPLOYERS]),
    ),
    max_size=3,
)


def _order(account: TrainingAccount) -> tuple[str, str]:
    return (account.employer.key if account.employer else "", account.niss.value)


def split_run(
    given_credits: Sequence[YearCredit],
    given_trainings: Sequence[Training],
    given_terminations: Sequence[Termination],
    part_of: dict[str, int],
) -> tuple[list[TrainingAccount], list[tuple[Origin, Finding]], list[Sequence[TrainingAccount]]]:
    """Each part's ledgers, seeded with the whole run's employers; merged back in order."""
    seed = shown_employers((c.employer for c in given_credits), given_trainings)
    employers = {key: e for key, e in seed.items() if key is not None and e is not None}
    accounts: list[TrainingAccount] = []
    loose: list[tuple[Origin, Finding]] = []
    parts: list[Sequence[TrainingAccount]] = []
    for part in sorted(set(part_of.values())):
        mine = [n for n, niss in enumerate(given_trainings) if part_of[niss.niss.value] == part]
        ends = [n for n, t in enumerate(given_terminations) if part_of[t.niss.value] == part]
        found, lost = credit_ledgers(
            [c for c in given_credits if part_of[c.niss.value] == part],
            [given_trainings[n] for n in mine], as_of=AS_OF,
            terminations=[given_terminations[n] for n in ends], employers=employers,
        )  # fmt: skip
        accounts += found
        parts.append(found)
        loose += [((kind, (mine, ends)[kind][n]), f) for (kind, n), f in lost]
    return sorted(accounts, key=_order), sorted(loose, key=lambda item: item[0]), parts


@settings(max_examples=150, deadline=None)
@given(
    credits(),
    trainings,
    terminations,
    st.lists(st.integers(0, 3), min_size=5, max_size=5),
)
def test_a_run_split_by_worker_gives_the_whole_runs_ledgers(
    given_credits: list[YearCredit],
    given_trainings: list[Training],
    given_terminations: list[Termination],
    parts: list[int],
) -> None:
    """Any split of the workers: the same accounts, loose findings and employer totals."""
    part_of = {n.value: part for n, part in zip([*WORKERS, NOBODY], parts, strict=True)}
    whole, whole_loose = credit_ledgers(
        given_credits, given_trainings, as_of=AS_OF, terminations=given_terminations
    )
    accounts, loose, by_part = split_run(
        given_credits, given_trainings, given_terminations, part_of
    )
    assert accounts == list(whole)
    assert [_order(a) for a in whole] == sorted(_order(a) for a in whole)
    assert loose == list(whole_loose)
    assert merge_summaries(employer_summaries(p) for p in by_part) == employer_summaries(whole)


def test_the_seed_shows_the_whole_runs_employer_in_every_part() -> None:
    """ANNA's credit at ACME (with its NSSO number) comes first; BERT only has a training
    naming ACME by its enterprise number. Alone, BERT's part would show that bare
    employer; seeded, it shows the one the whole run shows."""
    anna, bert = WORKERS[0], WORKERS[1]
    credit = YearCredit(anna, 2024, legal_days=2, employer=ACME)
    course = Training(bert, "Safety", date(2024, 5, 6), date(2024, 5, 6), 8, employer=ACME_BARE)
    (whole, _anna), _ = build_accounts([credit], [course], as_of=AS_OF)  # by NISS: BERT first
    assert whole.niss == bert
    assert whole.employer is not None
    assert whole.employer.nsso == ACME.nsso
    (alone,), _ = routed_accounts([], [course], as_of=AS_OF)
    assert alone.employer is not None
    assert alone.employer.nsso is None
    seed = shown_employers([ACME], [course])
    assert seed == {ACME.key: ACME}
    (seeded,), _ = routed_accounts([], [course], as_of=AS_OF, employers={ACME.key: ACME})
    assert seeded == whole


def test_loose_findings_say_which_training_or_termination_they_come_from() -> None:
    anna = WORKERS[0]
    both = [YearCredit(anna, 2024, legal_days=1, employer=e) for e in (ACME, OTHER)]
    day = date(2024, 5, 6)
    unplaced = Training(anna, "Excel", day, day, 4)  # two employers: not debited
    nobody = Termination(NOBODY, day, TerminationReason.RESIGNATION)
    _, loose = routed_accounts(
        both, [Training(anna, "Safety", day, day, 4, employer=ACME), unplaced],
        as_of=AS_OF, terminations=[nobody],
    )  # fmt: skip
    assert [(origin, f.code) for origin, f in loose] == [
        ((0, 1), "ACCOUNT_TRAINING_EMPLOYER_AMBIGUOUS"),
        ((1, 0), "ACCOUNT_TERMINATION_UNKNOWN_WORKER"),
    ]
    _, findings = build_accounts(both, [unplaced], as_of=AS_OF, terminations=[nobody])
    assert findings == tuple(f for _origin, f in loose)


@settings(max_examples=200, deadline=None)
@given(credits())
def test_credit_rows_rebuild_equal_credits(made: list[YearCredit]) -> None:
    """The trusted constructor's differential test: pickled rows give equal credits."""
    rows = pickle.loads(pickle.dumps([credit_row(c) for c in made]))
    back = [credit_from_row(row) for row in rows]
    assert back == made
    assert [b.employer.nsso if b.employer else None for b in back] == [
        c.employer.nsso if c.employer else None for c in made
    ]
    assert all(type(b.legal_days) is Fraction and b.niss.value for b in back)
    assert [row[:3] for row in rows] == [
        (c.year, c.employer.key if c.employer else "", c.niss.value) for c in made
    ]
