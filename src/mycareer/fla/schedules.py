"""The rulebook's values: statutory rules, sector schedules, FLA facts, resolutions.

Built by :mod:`mycareer.fla.rules_file` from the data files, held and resolved by
:class:`mycareer.fla.rulebook.Rulebook` (which re-exports them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from fractions import Fraction

import attrs

from mycareer.fla.values import Regime, RuleRef, SizeBand, Texts
from mycareer.joint_commission import JointCommission

__all__ = [
    "FlaFact",
    "ResetPolicy",
    "Resolution",
    "ScheduleKind",
    "SectorSchedule",
    "StatutoryRule",
]


class ScheduleKind(StrEnum):
    """REPLACE: days in place of the statutory ones; COMPLEMENT: days on top."""

    REPLACE = "replace"
    COMPLEMENT = "complement"


class ResetPolicy(StrEnum):
    """What happens to the balance at the end of a 5-year window (B-7)."""

    RESET = "reset"
    CARRY_OVER = "carry-over"


@attrs.frozen
class StatutoryRule:
    """Statutory full-time days per band, from ``valid_from`` to ``valid_to``."""

    id: str
    title: str
    source: str
    valid_from: date
    valid_to: date | None
    days: Mapping[SizeBand, Fraction]
    title_texts: Texts | None = None
    source_texts: Texts | None = None

    def covers(self, year: int) -> bool:
        return self.valid_from.year <= year and (
            self.valid_to is None or year <= self.valid_to.year
        )

    @property
    def ref(self) -> RuleRef:
        return RuleRef(
            self.id, self.title, self.source, self.valid_from, self.valid_to,
            title_texts=self.title_texts, source_texts=self.source_texts,
        )  # fmt: skip


@attrs.frozen
class SectorSchedule:
    """A sector (joint committee) schedule of full-time days per year for one band.

    ``filed`` is the date the agreement was filed with FPS Employment (``None``:
    not known), ``days_on_2023_01_01`` what the sector granted before (R-CAO-3).
    ``window_source`` says where the window and reset come from; ``window_unsourced``
    says, in three languages, that no source states them (the explanation shows it).
    """

    id: str
    joint_commission: JointCommission
    band: SizeBand
    kind: ScheduleKind
    days: Mapping[int, Fraction]
    title: str
    source: str
    valid_from: date
    valid_to: date | None
    cao: str | None = None
    window_start: int | None = None
    window_years: int = 5
    reset: ResetPolicy = ResetPolicy.RESET
    title_texts: Texts | None = None
    source_texts: Texts | None = None
    filed: date | None = None
    days_on_2023_01_01: Fraction | None = None
    window_source: str | None = None
    window_unsourced: Texts | None = None

    def covers(self, joint_commission: JointCommission, band: SizeBand, year: int) -> bool:
        return (
            band is self.band
            and year in self.days
            and joint_commission.within(self.joint_commission)
            and self.valid_from.year <= year
            and (self.valid_to is None or year <= self.valid_to.year)
        )

    @property
    def ref(self) -> RuleRef:
        return RuleRef(
            self.id, self.title, self.source, self.valid_from, self.valid_to,
            title_texts=self.title_texts, source_texts=self.source_texts,
            unsourced=self.window_unsourced,
        )  # fmt: skip

    def window_of(self, year: int) -> tuple[int, int] | None:
        """The 5-year window holding ``year`` (first 2024–2028), or ``None``.

        >>> from mycareer.fla.rulebook import Rulebook
        >>> Rulebook.default().schedule("pc200-20plus-2024").window_of(2030)
        (2029, 2033)
        """
        if self.window_start is None or year < self.window_start:
            return None
        first = self.window_start + (year - self.window_start) // self.window_years * (
            self.window_years
        )
        return first, first + self.window_years - 1


@attrs.frozen
class FlaFact:
    """A dated fact of the Federal Learning Account's life (docs/fla.md, Timeline)."""

    day: date
    event: str
    text: str
    source: str


@attrs.frozen
class Resolution:
    """What the rulebook says for one (joint committee, band, year).

    ``legal_days`` is ``None`` for "no rule" (then ``reason`` says why);
    ``sector_days`` is the COMPLEMENT part on top (0 when none).
    """

    regime: Regime
    legal_days: Fraction | None
    sector_days: Fraction
    rule: RuleRef | None
    rules: tuple[RuleRef, ...]
    reason: str | None = None
    schedule: SectorSchedule | None = None

    @property
    def total_days(self) -> Fraction | None:
        if self.legal_days is None:
            return None if not self.sector_days else self.sector_days
        return self.legal_days + self.sector_days
