"""Result types of the training-right engine (size band, rule references, entitlements).

These are plain frozen values. :mod:`mycareer.fla.entitlement` re-exports them with
the functions that build them; the training account (H4b) builds on them.
Domain: docs/training-right.md, ambiguities B-1…B-6.

>>> SizeBand.for_fte(Decimal("9.99")), SizeBand.for_fte(Decimal(10)), SizeBand.for_fte(20)
(<SizeBand.BELOW_10: '<10'>, <SizeBand.FROM_10_TO_19: '10-19'>, <SizeBand.FROM_20: '20+'>)
>>> FlaRegime.for_year(2024).value, FlaRegime.for_year(2025).value
('registration-owed', 'abolished')
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum, StrEnum
from fractions import Fraction
from html import escape
from typing import Literal

import attrs

from mycareer._slots import slot_constructor
from mycareer.converter import converter
from mycareer.employer import Employer
from mycareer.findings import Finding
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.quarter import Quarter

__all__ = [
    "BandBasis",
    "Entitlement",
    "FallbackCount",
    "FlaRegime",
    "Lang",
    "MonthFactor",
    "Regime",
    "RoundingPolicy",
    "RuleRef",
    "SizeBand",
    "Texts",
    "decimal_4",
    "rule_ref_json",
]

Lang = Literal["en", "fr", "nl"]

_FOUR_PLACES = Decimal("0.0001")


def decimal_4(value: Fraction) -> Decimal:
    """A fraction as a decimal with 4 places, rounded half-even (the JSON contract).

    >>> decimal_4(Fraction(10, 3)), decimal_4(Fraction(5)), decimal_4(Fraction(5, 12))
    (Decimal('3.3333'), Decimal('5.0000'), Decimal('0.4167'))
    """
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(_FOUR_PLACES, rounding=ROUND_HALF_EVEN)


class SizeBand(StrEnum):
    """Employer size band in average FTE, half-open: [0,10), [10,20), [20,∞) (B-1)."""

    BELOW_10 = "<10"
    FROM_10_TO_19 = "10-19"
    FROM_20 = "20+"

    @classmethod
    def for_fte(cls, fte: Decimal | Fraction | int) -> SizeBand:
        """The band an average FTE falls in ("at least 10 and fewer than 20")."""
        if fte < 10:
            return cls.BELOW_10
        if fte < 20:
            return cls.FROM_10_TO_19
        return cls.FROM_20


class BandBasis(StrEnum):
    """Where the band came from."""

    DECLARED = "declared"  # average of declared quarters (R-COUNT-3)
    FALLBACK = "fallback"  # R-COUNT-4: no declaration in the reference period
    OVERRIDE_BAND = "override-band"  # the caller gave the band
    OVERRIDE_FTE = "override-fte"  # the caller gave quarterly FTE
    UNKNOWN = "unknown"  # nothing to go on: treated as <10, with a finding


class FallbackCount(StrEnum):
    """R-COUNT-4 counts FTE (default) or heads (B-3)."""

    FTE = "fte"
    HEADCOUNT = "headcount"


class Regime(StrEnum):
    """Which kind of rule fixed the full-time days A."""

    STATUTORY = "statutory"
    SECTOR = "sector"
    OVERRIDE = "override"
    NONE = "none"


class FlaRegime(StrEnum):
    """What the Federal Learning Account required for a year's data (dated facts, docs/fla.md).

    The FLA law (20 Oct 2023) was in force from 1 Apr 2024; the Law of 14 Jan 2026
    abolished it with effect from 1 Jan 2025 (B-15), so registration was owed for
    2024 data only. Its data are deleted on 1 Jan 2027.
    """

    BEFORE_FLA = "before-fla"
    REGISTRATION_OWED = "registration-owed"
    ABOLISHED = "abolished"

    @classmethod
    def for_year(cls, year: int) -> FlaRegime:
        if year < 2024:
            return cls.BEFORE_FLA
        if year == 2024:
            return cls.REGISTRATION_OWED
        return cls.ABOLISHED


class RoundingPolicy(Enum):
    """How the exact entitlement is rounded before it is shown (B-5: no official rule).

    NONE (default) keeps the exact value; DOWN truncates to whole days;
    HALF_DAY_UP rounds up to the next half day; NEAREST_HOUR rounds the hours
    (days × hours per day) half-even to a whole hour.
    """

    NONE = "none"
    DOWN = "down"
    HALF_DAY_UP = "half-day-up"
    NEAREST_HOUR = "nearest-hour"

    def apply(self, days: Fraction, hours_per_day: Fraction | None) -> Fraction:
        """Round ``days`` under this policy.

        >>> RoundingPolicy.HALF_DAY_UP.apply(Fraction(10, 3), None)
        Fraction(7, 2)
        >>> RoundingPolicy.NEAREST_HOUR.apply(Fraction(10, 3), Fraction(38, 5))
        Fraction(125, 38)
        """
        if self is RoundingPolicy.NONE:
            return days
        if self is RoundingPolicy.DOWN:
            return Fraction(days.numerator // days.denominator)
        if self is RoundingPolicy.HALF_DAY_UP:
            doubled = days * 2
            return Fraction(-(-doubled.numerator // doubled.denominator), 2)
        if hours_per_day is None or hours_per_day <= 0:
            return days
        return Fraction(round(days * hours_per_day)) / hours_per_day


@attrs.frozen
class Texts:
    """One text in English, French and Dutch (a rule's title, source or note).

    >>> Texts("day counts", "nombre de jours", "aantal dagen").in_lang("nl")
    'aantal dagen'
    """

    en: str
    fr: str
    nl: str

    def in_lang(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.nl if lang == "nl" else self.en


@attrs.frozen
class RuleRef:
    """The rule that gave the full-time days: an id, a title, its legal source and validity.

    ``title`` and ``source`` are the English texts (JSON and XML outputs carry them);
    ``title_texts``/``source_texts`` add French and Dutch when the rule data has them.
    ``unsourced`` says, in the three languages, which part of the rule no source
    states (docs/training-right.md, Sector agreements). The three are left out of
    equality so that a rule read back from an archive (English only) equals the one
    written; the explanation's cache key adds them (explain.explanation_key).
    """

    id: str
    title: str
    source: str
    valid_from: date | None = None
    valid_to: date | None = None
    title_texts: Texts | None = attrs.field(default=None, eq=False, kw_only=True)
    source_texts: Texts | None = attrs.field(default=None, eq=False, kw_only=True)
    unsourced: Texts | None = attrs.field(default=None, eq=False, kw_only=True)

    def title_in(self, lang: Lang) -> str:
        return self.title if self.title_texts is None else self.title_texts.in_lang(lang)

    def source_in(self, lang: Lang) -> str:
        return self.source if self.source_texts is None else self.source_texts.in_lang(lang)


def rule_ref_json(rule: RuleRef) -> dict[str, str | None]:
    """A rule reference as JSON: the five archived fields (English title and source).

    >>> rule_ref_json(RuleRef("x", "t", "s", date(2024, 1, 1), title_texts=Texts("t", "t", "t")))
    {'id': 'x', 'title': 't', 'source': 's', 'valid_from': '2024-01-01', 'valid_to': None}
    """
    return {
        "id": rule.id,
        "title": rule.title,
        "source": rule.source,
        "valid_from": None if rule.valid_from is None else rule.valid_from.isoformat(),
        "valid_to": None if rule.valid_to is None else rule.valid_to.isoformat(),
    }


# Documents that carry a rule (the account JSON) keep the archived fields only.
converter.register_unstructure_hook(RuleRef, rule_ref_json)


@attrs.frozen(cache_hash=True)
class MonthFactor:
    """One month of the year: B_m (fraction, capped at 1) and A_m (full-time days).

    ``full_time_days`` is ``None`` when no rule applies that month. The parts
    (legal, sector complement, employer complement) add up to ``full_time_days``.
    """

    month: int
    fraction: Fraction
    full_time_days: Fraction | None
    legal_full_time_days: Fraction | None = None
    sector_full_time_days: Fraction = Fraction(0)
    employer_full_time_days: Fraction = Fraction(0)
    joint_commission: JointCommission | None = None
    rule_id: str | None = None

    @property
    def days(self) -> Fraction:
        """This month's share A_m × B_m ÷ 12 (0 when no rule)."""
        if self.full_time_days is None:
            return Fraction(0)
        return self.full_time_days * self.fraction / 12


@attrs.frozen
class Entitlement:
    """One worker's training right at one employer for one year.

    ``days_exact`` is Σ A_m × B_m ÷ 12 (``None`` = no rule, see ``no_rule_reason``);
    ``days`` is the same after the rounding policy, with 4 places half-even.
    ``legal_days``/``sector_days``/``employer_days`` keep the parts apart
    (FLA right types, R-CAO-6). ``explain(lang)`` renders the explanation from
    these data on demand.

    ``fallback_quarter`` and ``fallback_count`` say where an R-COUNT-4 band came
    from. ``undeclared_quarters`` are quarters of the year the employer did not
    declare although the worker's occupation was open at the end of the quarter
    before (a ``DECLARATION_MISSING`` warning: the result is incomplete);
    ``assumed_continuation`` says whether they were credited as employment
    (``EntitlementOptions.assume_continuation``).
    """

    employer: Employer
    niss: Niss
    year: int
    band: SizeBand
    average_fte: Decimal | None
    reference_quarters: tuple[Quarter, ...]
    fallback_used: bool
    regime: Regime
    days_exact: Fraction | None
    days: Decimal | None
    hours: Fraction | None
    legal_days: Fraction | None
    sector_days: Fraction | None
    employer_days: Fraction | None
    months: tuple[MonthFactor, ...]
    rule: RuleRef | None
    fla_regime: FlaRegime
    findings: tuple[Finding, ...] = ()
    band_basis: BandBasis = BandBasis.DECLARED
    rules: tuple[RuleRef, ...] = ()
    hours_per_day: Fraction | None = None
    rounding: RoundingPolicy = RoundingPolicy.NONE
    no_rule_reason: str | None = None
    missing_quarters: tuple[Quarter, ...] = ()
    projected: bool = False
    as_of: date | None = None
    fallback_quarter: Quarter | None = None
    fallback_count: FallbackCount = FallbackCount.FTE
    undeclared_quarters: tuple[Quarter, ...] = ()
    assumed_continuation: bool = False

    @property
    def months_employed(self) -> int:
        """C × 12: months with any employment at this employer."""
        return sum(1 for m in self.months if m.fraction > 0)

    def explain(self, lang: Lang = "en") -> list[str]:
        """The explanation for the employee, in English, French or Dutch."""
        from mycareer.fla.explain import explain_entitlement

        return explain_entitlement(self, lang)

    def _repr_html_(self) -> str:
        """A notebook view: the figures, then the explanation in English."""
        from mycareer._html import html_table

        rows = [
            ("employer", self.employer.formatted),
            ("worker", self.niss.formatted),
            ("year", f"{self.year}{' (projected)' if self.projected else ''}"),
            ("band", self.band.value),
            ("regime", self.regime.value),
            ("days", "no rule" if self.days is None else str(self.days)),
            ("days (exact)", "-" if self.days_exact is None else str(self.days_exact)),
            ("rule", self.rule.id if self.rule else "-"),
        ]
        caption = f"Training right {self.year}"
        table = html_table(["", ""], rows, caption=caption)
        items = "".join(f"<li>{escape(line)}</li>" for line in self.explain("en"))
        return f"{table}<ul>{items}</ul>"


#: ``new_entitlement(employer, niss, rest)`` == ``Entitlement(employer, niss, *rest)``
#: (``rest``: the other fields in field order), without the frozen ``__init__``:
#: for the bulk path only (values it built itself).
new_entitlement = slot_constructor(Entitlement, shared_from=2)
