"""The rulebook: statutory days, sector schedules and FLA facts, as dated data.

Rules are data files under ``mycareer/fla/rules/`` (``statutory.json``,
``sectors.json``, ``fla_timeline.json``), never if-chains. Resolution order for a
(joint committee, band, year) (docs/training-right.md, Sector agreements):

1. a caller override (full-time days given by the caller);
2. a sector schedule of kind REPLACE covering (joint committee, band, year);
3. the statutory days, from 2023;
4. otherwise an explicit "no rule": days ``None`` with the reason.

COMPLEMENT schedules (sector days on top, R-CAO-6) add to whatever 2–3 gave.
Vendors add or replace schedules (same ``id`` replaces) from a JSON or TOML
rules file with :meth:`Rulebook.with_rules_file`; every schedule is validated,
and a REPLACE schedule that breaks a sector agreement's constraints is refused,
naming the rule and the year (:mod:`mycareer.fla.cao`: the 2-day floor and the
growth path of R-CAO-2, R-CAO-3, R-CAO-4). Titles and sources are given once or
in English, French and Dutch (``{"en": …, "fr": …, "nl": …}``).

>>> book = Rulebook.default()
>>> r = book.resolve(JointCommission("200"), SizeBand.FROM_20, 2026)
>>> r.regime.value, r.legal_days, r.rule.id
('sector', Fraction(4, 1), 'pc200-20plus-2024')
>>> r = book.resolve(JointCommission("111"), SizeBand.FROM_20, 2023)
>>> r.regime.value, r.total_days, r.rule.id
('statutory', Fraction(4, 1), 'statutory-2023')
>>> book.resolve(JointCommission("111"), SizeBand.FROM_20, 2022).reason
'no individual yearly right before 2023 (Law of 3 Oct 2022; 2022 fell under the two-year regime)'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path

import attrs

from mycareer._cache import bounded_cache
from mycareer.fla.cao import FLOOR_DAYS_20_PLUS
from mycareer.fla.rules_file import (
    UNKNOWN_FILING,
    counting_rule,
    load_rules_file,
    packaged_statutory,
    parse_schedules,
    read_packaged,
)
from mycareer.fla.schedules import (
    FlaFact,
    ResetPolicy,
    Resolution,
    ScheduleKind,
    SectorSchedule,
    StatutoryRule,
)
from mycareer.fla.values import FlaRegime, Regime, RuleRef, SizeBand, Texts
from mycareer.joint_commission import JointCommission

__all__ = [
    "FLOOR_DAYS_20_PLUS",
    "NO_RULE_BEFORE_2023",
    "NO_RULE_JC_999",
    "UNKNOWN_FILING",
    "FlaFact",
    "ResetPolicy",
    "Resolution",
    "Rulebook",
    "ScheduleKind",
    "SectorSchedule",
    "StatutoryRule",
    "load_rules_file",
    "parse_schedules",
]

#: Why no rule applies, in English (``Resolution.reason``), French and Dutch (the explanation).
NO_RULE_BEFORE_2023 = Texts(
    "no individual yearly right before 2023 (Law of 3 Oct 2022; 2022 fell under the "
    "two-year regime)",
    "pas de droit individuel annuel avant 2023 (loi du 3 oct. 2022 ; 2022 relevait du "
    "régime sur deux ans)",
    "geen individueel jaarlijks recht vóór 2023 (wet van 3 okt. 2022; 2022 viel onder de "
    "tweejaarlijkse regeling)",
)
NO_RULE_JC_999 = Texts(
    "joint committee 999: the employer falls under no joint committee, outside the Law of "
    "5 Dec 1968 scope (R-SCOPE-1) [verify]",
    "commission paritaire 999 : l'employeur ne relève d'aucune commission paritaire, hors du "
    "champ de la loi du 5 déc. 1968 (R-SCOPE-1) [à vérifier]",
    "paritair comité 999: de werkgever valt onder geen paritair comité, buiten het "
    "toepassingsgebied van de wet van 5 dec. 1968 (R-SCOPE-1) [te controleren]",
)


@bounded_cache(maxsize=1)
def _default_rulebook() -> Rulebook:
    facts = tuple(
        FlaFact(date.fromisoformat(f["date"]), f["event"], f["text"], f["source"])
        for f in read_packaged("fla_timeline.json")["facts"]
    )
    statutory = packaged_statutory()
    return Rulebook(
        statutory=statutory,
        schedules=parse_schedules(
            read_packaged("sectors.json"),
            file="mycareer/fla/rules/sectors.json",
            statutory=statutory,
        ),
        fla_facts=facts,
        counting=counting_rule(read_packaged("statutory.json")),
    )


@attrs.frozen
class Rulebook:
    """Statutory rules, sector schedules and FLA facts; immutable, extend with ``with_*``.

    ``joint_committee_999_in_scope``: whether the statutory right applies to lines
    under joint committee 999 (default ``False``: no rule, with the reason).
    ``counting`` cites the counting rule (Law of 3 Oct 2022, art. 50 §2 [verify]).
    """

    statutory: tuple[StatutoryRule, ...]
    schedules: tuple[SectorSchedule, ...]
    fla_facts: tuple[FlaFact, ...] = ()
    joint_committee_999_in_scope: bool = False
    counting: RuleRef | None = None
    _cache: dict[tuple[str, SizeBand, int], Resolution] = attrs.field(
        factory=dict, eq=False, repr=False, init=False
    )

    @classmethod
    def default(cls) -> Rulebook:
        """The shipped rules (statutory days, PC 200 and PC 124, FLA timeline)."""
        return _default_rulebook()

    def with_schedules(self, schedules: Iterable[SectorSchedule]) -> Rulebook:
        """A rulebook where ``schedules`` replace those with the same id, or are added."""
        extra = tuple(schedules)
        ids = {s.id for s in extra}
        kept = tuple(s for s in self.schedules if s.id not in ids)
        return attrs.evolve(self, schedules=kept + extra)

    def with_rules_file(self, path: str | Path) -> Rulebook:
        """Add or replace schedules from a vendor rules file (JSON or TOML)."""
        return self.with_schedules(load_rules_file(path))

    def schedule(self, ident: str) -> SectorSchedule:
        for schedule in self.schedules:
            if schedule.id == ident:
                return schedule
        raise KeyError(ident)

    def fla_regime(self, year: int) -> FlaRegime:
        """Which FLA regime applied to a year's data, read off the dated facts.

        Registration was owed from the year the FLA came into force (2024) until the
        effective date of its abolition (1 Jan 2025): for 2024 data only.

        >>> [Rulebook.default().fla_regime(y).value for y in (2023, 2024, 2025)]
        ['before-fla', 'registration-owed', 'abolished']
        """
        days = {fact.event: fact.day for fact in self.fla_facts}
        start, end = days.get("fla-in-force"), days.get("fla-abolished-effect")
        if start is None or end is None:
            return FlaRegime.for_year(year)
        if year < start.year:
            return FlaRegime.BEFORE_FLA
        if year < end.year:
            return FlaRegime.REGISTRATION_OWED
        return FlaRegime.ABOLISHED

    def _pick(
        self, kind: ScheduleKind, joint_commission: JointCommission, band: SizeBand, year: int
    ) -> SectorSchedule | None:
        # Most specific committee wins; among equals, the last added (vendor files) wins.
        best: SectorSchedule | None = None
        for schedule in self.schedules:
            if not (schedule.kind is kind and schedule.covers(joint_commission, band, year)):
                continue
            if best is None or len(schedule.joint_commission.code) >= len(
                best.joint_commission.code
            ):
                best = schedule
        return best

    def resolve(
        self,
        joint_commission: JointCommission,
        band: SizeBand,
        year: int,
        *,
        override_days: Fraction | None = None,
    ) -> Resolution:
        """Full-time days for (joint committee, band, year), in the documented order."""
        if override_days is not None:
            ref = RuleRef("override", "full-time days given by the caller", "caller override")
            return Resolution(Regime.OVERRIDE, override_days, Fraction(0), ref, (ref,))
        key = (joint_commission.code, band, year)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(joint_commission, band, year)
            self._cache[key] = found
        return found

    def _resolve(self, joint_commission: JointCommission, band: SizeBand, year: int) -> Resolution:
        if joint_commission.is_none and not self.joint_committee_999_in_scope:
            return Resolution(Regime.NONE, None, Fraction(0), None, (), NO_RULE_JC_999.en)
        complement = self._pick(ScheduleKind.COMPLEMENT, joint_commission, band, year)
        sector_days = complement.days[year] if complement is not None else Fraction(0)
        extra = (complement.ref,) if complement is not None else ()
        replace = self._pick(ScheduleKind.REPLACE, joint_commission, band, year)
        if replace is not None:
            return Resolution(
                Regime.SECTOR,
                replace.days[year],
                sector_days,
                replace.ref,
                (replace.ref, *extra),
                schedule=replace,
            )
        for rule in self.statutory:
            if rule.covers(year):
                regime = Regime.SECTOR if complement is not None else Regime.STATUTORY
                return Resolution(
                    regime,
                    rule.days[band],
                    sector_days,
                    complement.ref if complement is not None else rule.ref,
                    (rule.ref, *extra),
                    schedule=complement,
                )
        if complement is not None:
            return Resolution(
                Regime.SECTOR, None, sector_days, complement.ref, extra, schedule=complement
            )
        return Resolution(Regime.NONE, None, Fraction(0), None, (), NO_RULE_BEFORE_2023.en)

    def table(
        self, joint_commissions: Sequence[str], years: Iterable[int]
    ) -> list[dict[str, str | None]]:
        """The resolved table (JC × band × year) as plain rows, for snapshots and docs."""
        rows: list[dict[str, str | None]] = []
        for code in joint_commissions:
            for band in SizeBand:
                for year in years:
                    r = self.resolve(JointCommission(code), band, year)
                    rows.append(
                        {
                            "joint_commission": code,
                            "band": band.value,
                            "year": str(year),
                            "regime": r.regime.value,
                            "legal_days": None if r.legal_days is None else str(r.legal_days),
                            "sector_days": str(r.sector_days),
                            "rule": None if r.rule is None else r.rule.id,
                        }
                    )
        return rows
