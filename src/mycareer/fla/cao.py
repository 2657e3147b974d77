"""What a sector agreement's schedule may do to the statutory days (R-CAO-2, -3, -4).

docs/training-right.md, Sector agreements. The rulebook checks every REPLACE
schedule (the shipped ones and a vendor's rules file) with :func:`cao_problems`;
each problem names the schedule, the year and the rule:

- R-CAO-2: for the 20+ band, never fewer than 2 days a year; a schedule that
  lowers the statutory days (4 in 2023, 5 from 2024) follows a *growth path
  towards 5 days*: its days never fall from one year to the next, and its last
  year gives more than its first, or 5;
- R-CAO-3: when the sector already granted more than 2 days on 1 January 2023
  (``days_on_2023_01_01``), no year goes below that number;
- R-CAO-4: lowering the days of 2023 or 2024 needed an agreement filed with FPS
  Employment by 30 September 2023 (``filed``; ``"unknown"`` states that the
  date is not known, and is accepted).

>>> law = lambda band, year: Fraction(4) if year == 2023 else Fraction(5)
>>> flat = CaoFacts("schedule 'x'", SizeBand.FROM_20, {2025: Fraction(3), 2026: Fraction(3)})
>>> [(p.step, p.message.endswith("growth path towards 5 days (R-CAO-2)"))
...  for p in cao_problems(flat, law)]
[('days.2026', True)]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction

import attrs

from mycareer.fla.values import SizeBand

__all__ = [
    "FLOOR_DAYS_20_PLUS",
    "GROWTH_TARGET_DAYS",
    "LOWERING_FILING_DEADLINE",
    "CaoFacts",
    "CaoProblem",
    "cao_problems",
    "days_text",
]

#: R-CAO-2: a sector CAO may lower the 20+ right, never below 2 days a year.
FLOOR_DAYS_20_PLUS = Fraction(2)
#: R-CAO-2: the growth path of a lowered schedule leads towards 5 days a year.
GROWTH_TARGET_DAYS = Fraction(5)
#: R-CAO-4: the last day to file an agreement lowering the days of 2023–2024.
LOWERING_FILING_DEADLINE = date(2023, 9, 30)
_LOWERING_NEEDS_FILING = (2023, 2024)
_GROWTH = "a schedule below the statutory days must follow a growth path towards 5 days"


def days_text(days: Fraction) -> str:
    """Exact days as people write them: ``3``, ``2.5``; ``10/3`` as a long decimal.

    >>> days_text(Fraction(5, 2)), days_text(Fraction(3))
    ('2.5', '3')
    """
    if days.denominator == 1:
        return str(days.numerator)
    exact = Decimal(days.numerator) / Decimal(days.denominator)
    return format(exact.normalize(), "f")


def _days(days: Fraction) -> str:
    return f"{days_text(days)} day" if days == 1 else f"{days_text(days)} days"


@attrs.frozen
class CaoFacts:
    """What the checks read off one REPLACE schedule.

    ``filed_given`` is whether the file said anything about the filing date;
    ``filed`` is ``None`` when it said ``"unknown"`` (or nothing).
    """

    name: str
    band: SizeBand
    days: Mapping[int, Fraction]
    filed_given: bool = False
    filed: date | None = None
    days_on_2023_01_01: Fraction | None = None


@attrs.frozen
class CaoProblem:
    """One broken constraint: the message (naming rule and year) and the entry's key."""

    message: str
    step: str


def cao_problems(
    facts: CaoFacts, statutory: Callable[[SizeBand, int], Fraction | None]
) -> list[CaoProblem]:
    """Every constraint ``facts`` breaks; ``statutory(band, year)`` gives the law's days."""
    problems = list(_floor(facts))
    lowered: dict[int, Fraction] = {}  # year → the law's days, where the schedule gives fewer
    if facts.band is SizeBand.FROM_20:
        for year in sorted(facts.days):
            law = statutory(facts.band, year)
            if law is not None and facts.days[year] < law:
                lowered[year] = law
    if lowered:
        problems += _growth(facts)
        problems += _filing(facts, lowered)
    problems += _no_step_back(facts)
    return problems


def _floor(facts: CaoFacts) -> Iterator[CaoProblem]:
    if facts.band is not SizeBand.FROM_20:
        return
    for year in sorted(facts.days):
        if facts.days[year] < FLOOR_DAYS_20_PLUS:
            yield CaoProblem(
                f"{facts.name}: a REPLACE schedule for the 20+ band gives "
                f"{days_text(facts.days[year])} day(s) in {year}, below the floor of "
                f"{FLOOR_DAYS_20_PLUS} days a year (R-CAO-2)",
                f"days.{year}",
            )


def _growth(facts: CaoFacts) -> Iterator[CaoProblem]:
    """R-CAO-2: never falling, and rising from the first year (or at 5 in the last)."""
    years = sorted(facts.days)
    falls = False
    for before, year in itertools.pairwise(years):
        if facts.days[year] < facts.days[before]:
            falls = True
            yield CaoProblem(
                f"{facts.name}: {_days(facts.days[year])} in {year}, down from "
                f"{days_text(facts.days[before])} in {before}: {_GROWTH} (R-CAO-2)",
                f"days.{year}",
            )
    first, last = years[0], years[-1]
    if falls or facts.days[last] >= GROWTH_TARGET_DAYS or facts.days[last] > facts.days[first]:
        return
    yield CaoProblem(
        f"{facts.name}: {_days(facts.days[last])} in {last}, no more than the "
        f"{days_text(facts.days[first])} of {first}: {_GROWTH} (R-CAO-2)",
        f"days.{last}",
    )


def _filing(facts: CaoFacts, lowered: Mapping[int, Fraction]) -> Iterator[CaoProblem]:
    """R-CAO-4: lowering 2023 or 2024 needs an agreement filed by 30 September 2023."""
    for year, law in lowered.items():
        if year not in _LOWERING_NEEDS_FILING:
            continue
        below = f"{_days(facts.days[year])} in {year}, below the statutory {days_text(law)}"
        if not facts.filed_given:
            yield CaoProblem(
                f"{facts.name}: {below}: say when the agreement was filed with FPS Employment "
                "(filed: YYYY-MM-DD, or 'unknown'); lowering 2023-2024 needed an agreement "
                "filed by 30 September 2023 (R-CAO-4)",
                "filed",
            )
        elif facts.filed is not None and facts.filed > LOWERING_FILING_DEADLINE:
            yield CaoProblem(
                f"{facts.name}: {below}, but the agreement was filed on {facts.filed}, after "
                "30 September 2023, the last day to file one lowering 2023-2024 (R-CAO-4)",
                "filed",
            )


def _no_step_back(facts: CaoFacts) -> Iterator[CaoProblem]:
    """R-CAO-3: no year below what the sector granted on 1 January 2023, if above 2."""
    granted = facts.days_on_2023_01_01
    if granted is None or granted <= FLOOR_DAYS_20_PLUS:
        return
    for year in sorted(facts.days):
        if facts.days[year] < granted:
            yield CaoProblem(
                f"{facts.name}: {_days(facts.days[year])} in {year}, below the "
                f"{_days(granted)} the sector already granted on 1 January 2023 "
                "(days_on_2023_01_01): no step backwards (R-CAO-3)",
                f"days.{year}",
            )
