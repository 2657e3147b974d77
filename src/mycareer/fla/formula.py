"""The entitlement formula: days = Σ over the months m of A_m × B_m ÷ 12.

This is the law's A × B × C (R-PRO-2) applied month by month, so a change of
work fraction or of joint committee during the year is handled (B-4):

* **A_m** — full-time days of the rule in force for that month's joint committee,
  band and year (:class:`~mycareer.fla.rulebook.Rulebook`);
* **B_m** — the highest daily total Q/S of the worker at that employer during the
  month, capped at 1: concurrent lines add up, consecutive ones take the highest
  (``MonthFraction.LAST`` takes the fraction in force at the month's last
  employed day instead); a month without employment gives 0; a started month
  counts in full.

This module holds the pieces every path shares: the employment lines of a year
(:class:`Segment`, :func:`segments_of`, clipped by :func:`clip`), the month
factors (:func:`month_factors`), the choice of regime and the hours per day, and
:func:`formula_core`, the part of a result that depends only on the lines, the
band and the year.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import NamedTuple

import attrs

from mycareer._cache import bounded_cache
from mycareer.dmfa import DmfaOccupation
from mycareer.findings import Finding, Severity
from mycareer.fla.band import TERMINATION_INDEMNITY_REMUNERATION_CODES, is_termination_indemnity
from mycareer.fla.options import EntitlementOptions, HoursPolicy, MonthFraction
from mycareer.fla.rulebook import Resolution, Rulebook
from mycareer.fla.values import MonthFactor, Regime, RuleRef, SizeBand, Texts, decimal_4
from mycareer.joint_commission import JointCommission

__all__ = [
    "NO_EMPLOYMENT",
    "SEVERAL_JOINT_COMMITTEES",
    "Core",
    "Segment",
    "YearWindow",
    "clip",
    "coalesce",
    "formula_core",
    "month_factors",
    "month_starts",
    "new_segment",
    "segments_of",
    "year_window",
]

_ZERO = Fraction(0)
_ONE = Fraction(1)

#: Why a worker with no line in the year has no rule (English in the result; the
#: explanation says it in the reader's language).
NO_EMPLOYMENT = Texts(
    "no employment declared at this employer in the year",
    "aucune occupation déclarée chez cet employeur pendant l'année",
    "geen tewerkstelling aangegeven bij deze werkgever in het jaar",
)
#: The finding of a year with lines under several joint committees (the explanation shows it).
SEVERAL_JOINT_COMMITTEES = "FLA_SEVERAL_JOINT_COMMITTEES"

#: DmfA expresses the days a week of a work schedule in hundredths: 500 = 5 days. A
#: full-time day is the full-time weekly hours S over 5 days (B-6).
_FULL_TIME_WEEK_HUNDREDTHS = 500


class Segment(NamedTuple):
    """One employment line as the computation needs it: half-open day ordinals, Q, S.

    A ``NamedTuple`` rather than an attrs class: the bulk path builds one per
    occupation line, and a tuple is the cheapest immutable value to build.
    """

    start: int
    stop: int
    q: int
    s: int
    joint_commission: str
    working_days_system: int = 500

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.q, self.s) if self.s else _ZERO


#: ``tuple.__new__``: builds a Segment without the NamedTuple's Python-level ``__new__``.
new_segment = tuple.__new__


@bounded_cache(maxsize=4096)
def _joint_commission(code: str) -> JointCommission:
    return JointCommission(code)


@bounded_cache(maxsize=512)
def month_starts(year: int) -> tuple[int, ...]:
    """13 ordinals: the first day of each month of ``year`` and 1 January of the next."""
    firsts = [date(year, m, 1).toordinal() for m in range(1, 13)]
    return (*firsts, date(year + 1, 1, 1).toordinal())


def _month_index(ordinal: int, starts: tuple[int, ...]) -> int:
    """0..11 for an ordinal inside the year (``starts`` from :func:`month_starts`)."""
    return bisect_right(starts, ordinal) - 1


@bounded_cache(maxsize=512)
def month_of_day(year: int) -> tuple[int, ...]:
    """Month index 0..11 of each day of ``year``, by ordinal minus that of 1 January."""
    starts = month_starts(year)
    return tuple(_month_index(ordinal, starts) for ordinal in range(starts[0], starts[12]))


class YearWindow(NamedTuple):
    """The days of a year a computation looks at, as half-open ordinals ``[first, stop)``."""

    first: int
    stop: int


def year_window(year: int, *, since: date | None = None, until: date | None = None) -> YearWindow:
    """``year`` as ordinals, optionally from ``since`` and up to ``until`` (both included).

    >>> w = year_window(2024, until=date(2024, 3, 31))
    >>> date.fromordinal(w.first), date.fromordinal(w.stop)
    (datetime.date(2024, 1, 1), datetime.date(2024, 4, 1))
    """
    starts = month_starts(year)
    first, stop = starts[0], starts[12]
    if since is not None:
        first = max(first, since.toordinal())
    if until is not None:
        stop = min(stop, until.toordinal() + 1)
    return YearWindow(first, stop)


def clip(start: int, stop: int | None, window: YearWindow) -> tuple[int, int] | None:
    """The one clipping to the year: ``[start, stop)`` (``None``: open) within ``window``.

    ``None`` when nothing is left.

    >>> w = YearWindow(10, 20)
    >>> clip(5, None, w), clip(12, 15, w), clip(20, 30, w), clip(3, 10, w)
    ((10, 20), (12, 15), None, None)
    """
    first = start if start > window.first else window.first
    last = window.stop if stop is None or stop > window.stop else stop
    return (first, last) if first < last else None


def segments_of(
    occupations: Iterable[DmfaOccupation],
    year: int,
    *,
    indemnity_codes: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES,
    until: date | None = None,
) -> list[Segment]:
    """Employment lines of ``year`` (indemnity lines dropped), clipped to the year.

    A line with no S (third-party payers) is kept with fraction 0. ``until``
    clips the lines at that day (projection).
    """
    window = year_window(year, until=None if until is None else until)
    found: list[Segment] = []
    for occupation in occupations:
        if is_termination_indemnity(occupation, indemnity_codes):
            continue
        period = occupation.period
        clipped = clip(
            period.start.toordinal(),
            None if period.stop is None else period.stop.toordinal(),
            window,
        )
        if clipped is None:
            continue
        found.append(
            Segment(
                *clipped,
                occupation.mean_working_hours or 0,
                occupation.ref_mean_working_hours or 0,
                occupation.joint_commission.code,
                occupation.working_days_system,
            )
        )
    return found


def _references(
    segments: Sequence[Segment], values: Sequence[Fraction], starts: tuple[int, ...]
) -> list[Segment | None]:
    """Each month's reference line: highest fraction, then in force latest, then committee.

    Only what the days show counts, so splitting or joining the same line (DmfA
    repeats it per quarter) never changes the choice.
    """
    reference: list[Segment | None] = [None] * 12
    best: list[tuple[Fraction, int, str, int, int]] = [(_ZERO, -1, "", -1, -1)] * 12
    for segment, value in zip(segments, values, strict=True):
        for m in range(
            _month_index(segment.start, starts), _month_index(segment.stop - 1, starts) + 1
        ):
            month_stop = starts[m + 1]
            covered = segment.stop if segment.stop < month_stop else month_stop
            rank = (value, covered, segment.joint_commission, segment[5], segment.s)
            if reference[m] is None or rank > best[m]:
                reference[m] = segment
                best[m] = rank
    return reference


def month_factors(
    segments: Sequence[Segment], year: int, *, month_fraction: MonthFraction = MonthFraction.HIGHEST
) -> tuple[list[Fraction], list[Segment | None]]:
    """B_m for the 12 months (capped at 1) and each month's reference line.

    Sweep over the elementary intervals between line bounds: within one, the sum
    of the fractions in force is constant (concurrent lines add up).

    >>> jan1, jul1 = date(2024, 1, 1).toordinal(), date(2024, 7, 1).toordinal()
    >>> b, _ = month_factors([Segment(jan1, jul1, 19, 38, "200"),
    ...                       Segment(jan1 + 40, jul1 + 10, 19, 38, "200")], 2024)
    >>> [str(x) for x in b]
    ['1/2', '1', '1', '1', '1', '1', '1/2', '0', '0', '0', '0', '0']
    """
    starts = month_starts(year)
    fractions = [_ZERO] * 12
    if not segments:
        return fractions, [None] * 12
    values = [Fraction(seg.q, seg.s) if seg.s else _ZERO for seg in segments]
    reference = _references(segments, values, starts)
    if len(segments) == 1:
        value = min(values[0], _ONE)
        for m in range(12):
            if reference[m] is not None:
                fractions[m] = value
        return fractions, reference
    events: dict[int, Fraction] = defaultdict(Fraction)
    for segment, value in zip(segments, values, strict=True):
        events[segment.start] += value
        events[segment.stop] -= value
    running = _ZERO
    touched = [False] * 12
    for left, right in pairwise(sorted(events)):
        running += events[left]
        if running <= 0:
            continue
        value = min(running, _ONE)
        for m in range(_month_index(left, starts), _month_index(right - 1, starts) + 1):
            if month_fraction is MonthFraction.LAST or not touched[m] or value > fractions[m]:
                fractions[m] = value
            touched[m] = True
    return fractions, reference


def coalesce(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """Sort, and join lines that touch end to start with the same Q, S, committee and days.

    DmfA repeats a line in every quarter (clipped to it): joined again, a year-long
    contract is one segment. Overlapping lines are never joined (they add up).
    """
    if len(segments) == 1:
        return (segments[0],)
    # Same (Q, S, committee, days) next to each other, in time order, then join.
    ordered = sorted(segments, key=lambda seg: (seg[2:], seg[0], seg[1]))
    joined = [ordered[0]]
    for segment in ordered[1:]:
        last = joined[-1]
        if segment.start == last.stop and segment[2:] == last[2:]:
            joined[-1] = new_segment(
                Segment, (last[0], segment[1], last[2], last[3], last[4], last[5])
            )
        else:
            joined.append(segment)
    return tuple(sorted(joined))


@attrs.frozen
class Core:
    """The part of a result that depends only on (segments, band, year, overrides)."""

    months: tuple[MonthFactor, ...]
    days_exact: Fraction | None
    legal: Fraction | None
    sector: Fraction | None
    employer: Fraction | None
    regime: Regime
    rule: RuleRef | None
    rules: tuple[RuleRef, ...]
    reason: str | None
    hours_per_day: Fraction | None
    findings: tuple[Finding, ...]
    days: Decimal | None = None
    hours: Fraction | None = None


@attrs.define
class _Sums:
    """What the months of a year add up to, while they are walked."""

    legal: Fraction = _ZERO
    sector: Fraction = _ZERO
    employer: Fraction = _ZERO
    any_rule: bool = False
    regimes: set[Regime] = attrs.Factory(set)
    rules: list[RuleRef] = attrs.Factory(list)
    reason: str | None = None
    rule: RuleRef | None = None

    def take(self, resolution: Resolution) -> None:
        """A month with employment under ``resolution``: note its regime, rules, reason."""
        self.regimes.add(resolution.regime)
        if resolution.reason is not None:
            self.reason = resolution.reason
        for ref in resolution.rules:
            if ref not in self.rules:
                self.rules.append(ref)
        if resolution.rule is not None:
            self.rule = resolution.rule


def choose_regime(regimes: set[Regime]) -> Regime:
    """The regime of a year whose months fall under ``regimes``: override, sector, statutory."""
    for regime in (Regime.OVERRIDE, Regime.SECTOR, Regime.STATUTORY):
        if regime in regimes:
            return regime
    return Regime.NONE


def hours_per_day(options: EntitlementOptions, last: Segment | None) -> Fraction | None:
    """Hours per training day (B-6): fixed, the worker's own day, or S ÷ 5 (default)."""
    if options.hours_per_day is not None or last is None:
        return options.hours_per_day
    if options.hours_policy is HoursPolicy.WORKER_DAY:
        if last.working_days_system:
            return Fraction(last.q, last.working_days_system)
        return None
    if last.s:
        return Fraction(last.s, _FULL_TIME_WEEK_HUNDREDTHS)
    return None


class _Resolver:
    """The rulebook's answer per joint committee, asked once per result."""

    def __init__(
        self, rulebook: Rulebook, band: SizeBand, year: int, override_days: Fraction | None
    ) -> None:
        self.rulebook, self.band, self.year = rulebook, band, year
        self.override_days = override_days
        self.found: dict[str, Resolution] = {}

    def __call__(self, code: str) -> Resolution:
        found = self.found.get(code)
        if found is None:
            found = self.found[code] = self.rulebook.resolve(
                JointCommission(code), self.band, self.year, override_days=self.override_days
            )
        return found


def _walk_months(
    fractions: Sequence[Fraction],
    reference: Sequence[Segment | None],
    resolve: _Resolver,
    employer_days: Fraction,
) -> tuple[list[MonthFactor], _Sums]:
    """Each month's factor, and what the employed months add up to."""
    last = next((r for r in reversed(reference) if r is not None), None)
    months: list[MonthFactor] = []
    sums = _Sums()
    for m in range(12):
        line = reference[m]
        b = fractions[m]
        basis = line if line is not None else last
        if basis is None:
            months.append(MonthFactor(m + 1, b, None))
            continue
        resolution = resolve(basis.joint_commission)
        legal_a, sector_a, total = (
            resolution.legal_days,
            resolution.sector_days,
            resolution.total_days,
        )
        full_time = None if total is None else total + employer_days
        if full_time is None and employer_days:
            full_time = employer_days
        rule_id = None if resolution.rule is None else resolution.rule.id
        months.append(
            MonthFactor(
                m + 1, b, full_time, legal_a, sector_a, employer_days,
                _joint_commission(basis.joint_commission), rule_id,
            )
        )  # fmt: skip
        if line is None:
            continue
        sums.take(resolution)
        if full_time is None or b == 0:
            sums.any_rule = sums.any_rule or full_time is not None
            continue
        sums.any_rule = True
        if legal_a:
            sums.legal += legal_a * b
        if sector_a:
            sums.sector += sector_a * b
        if employer_days:
            sums.employer += employer_days * b
    return months, sums


def fte_above_one_finding(segments: Sequence[Segment]) -> Finding | None:
    """A warning when the concurrent lines add up to more than 1 on some day (B is capped).

    The same code as the timeline's (``FTE_ABOVE_ONE``), so ``entitlements`` says
    what ``timeline`` says (issue 11 item 3).

    >>> jan1 = date(2024, 1, 1).toordinal()
    >>> fte_above_one_finding([Segment(jan1, jan1 + 90, 38, 38, "200"),
    ...                        Segment(jan1 + 31, jan1 + 60, 19, 38, "200")]).message
    'total work fraction 3/2 above 1 from 2024-02-01 (concurrent lines): B is capped at 1'
    >>> fte_above_one_finding([Segment(jan1, jan1 + 90, 38, 38, "200")]) is None
    True
    """
    events: dict[int, Fraction] = defaultdict(Fraction)
    for segment in segments:
        if segment.s:
            events[segment.start] += Fraction(segment.q, segment.s)
            events[segment.stop] -= Fraction(segment.q, segment.s)
    running = peak = _ZERO
    when = 0
    for day in sorted(events):
        running += events[day]
        if running > peak:
            peak, when = running, day
    if peak <= _ONE:
        return None
    return Finding(
        "FTE_ABOVE_ONE",
        Severity.WARNING,
        f"total work fraction {peak} above 1 from {date.fromordinal(when)} (concurrent "
        "lines): B is capped at 1",
    )


def _committees_finding(segments: Sequence[Segment], year: int) -> Finding | None:
    codes = {r.joint_commission for r in segments}
    if len(codes) <= 1:
        return None
    return Finding(
        SEVERAL_JOINT_COMMITTEES,
        Severity.INFO,
        f"lines under joint committees {', '.join(sorted(codes))} in {year}: each "
        "month uses the committee of its line with the highest fraction",
    )


def formula_core(
    segments: tuple[Segment, ...],
    year: int,
    band: SizeBand,
    rulebook: Rulebook,
    options: EntitlementOptions,
    override_days: Fraction | None,
    employer_days: Fraction,
) -> Core:
    """Days, hours, regime and rules of one worker's (coalesced) lines for ``year``."""
    fractions, reference = month_factors(segments, year, month_fraction=options.month_fraction)
    resolve = _Resolver(rulebook, band, year, override_days)
    months, sums = _walk_months(fractions, reference, resolve, employer_days)
    findings: list[Finding] = []
    several = _committees_finding(segments, year)
    if several is not None:
        findings.append(several)
    above = fte_above_one_finding(segments)
    if above is not None:
        findings.append(above)
    reason = sums.reason if segments else NO_EMPLOYMENT.en
    if not sums.any_rule:
        regime = Regime.NONE
        days_exact = legal = sector = employer = None
    else:
        regime = choose_regime(sums.regimes)
        legal, sector, employer = sums.legal / 12, sums.sector / 12, sums.employer / 12
        days_exact = legal + sector + employer
        if Regime.NONE not in sums.regimes:
            reason = None
    last = next((r for r in reversed(reference) if r is not None), None)
    per_day = hours_per_day(options, last)
    days: Decimal | None = None
    hours: Fraction | None = None
    if days_exact is not None:
        rounded = options.rounding.apply(days_exact, per_day)
        days = decimal_4(rounded)
        if per_day is None:
            findings.append(
                Finding(
                    "FLA_NO_HOURS_PER_DAY",
                    Severity.INFO,
                    "no full-time weekly hours (S) declared: hours not computed",
                )
            )
        else:
            hours = rounded * per_day
    return Core(
        tuple(months), days_exact, legal, sector, employer, regime, sums.rule,
        tuple(sums.rules), reason if regime is Regime.NONE else None, per_day,
        tuple(findings), days, hours,
    )  # fmt: skip
