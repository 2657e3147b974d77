"""Pro-rata training-right entitlement: days = Σ over the months m of A_m × B_m ÷ 12.

This is the law's A × B × C (R-PRO-2, training-right.md §2.4) applied month by
month, so a change of work fraction or of joint committee during the year is
handled (B-4):

* **A_m** — full-time days of the rule in force for that month's joint committee,
  band and year (:class:`~mycareer.fla.rulebook.Rulebook`);
* **B_m** — the highest daily total Q/S of the worker at that employer during the
  month, capped at 1: concurrent lines add up, consecutive ones take the highest
  (``MonthFraction.LAST`` takes the fraction in force at the month's last
  employed day instead); a month without employment gives 0; a started month
  counts in full.

One result per (employer, worker): two employers give two results, each with its
own band and B, with no cap across employers. Termination-indemnity lines are
not employment. Arithmetic is exact (``Fraction``); ``days`` is the value after
the rounding policy (default none) with 4 places, half-even; hours = days ×
hours per day (default: the full-time weekly hours S ÷ 5, B-6).

The month's joint committee is that of its line with the highest fraction (ties:
the line in force latest in the month, then the highest committee code); months
without employment show the full-time days of the worker's last line. Lines that
DmfA repeats quarter by quarter are joined again first. Result types are in
:mod:`mycareer.fla.values`, re-exported here.

>>> from datetime import date
>>> from mycareer import Employer, EnterpriseNumber, Niss, JointCommission, Period
>>> from mycareer.dmfa import ContractType, DmfaOccupation
>>> occ = DmfaOccupation(sequence=1, start=date(2024, 4, 29), end=None,
...     period=Period(date(2024, 4, 29), date(2024, 12, 31)),
...     joint_commission=JointCommission("111"), working_days_system=400,
...     contract_type=ContractType.PART_TIME, mean_working_hours=3040,
...     ref_mean_working_hours=3800)
>>> e = entitlement_for(Employer(EnterpriseNumber("0403019261")), Niss("85073003328"), 2024,
...     [occ], band=SizeBand.FROM_20)
>>> e.days_exact, e.days, e.regime.value, e.months_employed, e.hours
(Fraction(3, 1), Decimal('3.0000'), 'statutory', 9, Fraction(114, 5))
>>> e.explain("nl")[-4]
'Recht: 3 dagen (exact 3).'
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from typing import Any, NamedTuple

import attrs

from mycareer._cache import bounded_cache
from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord, ServiceLine
from mycareer.employer import Employer
from mycareer.findings import Finding, Severity
from mycareer.fla.band import (
    SOLIDARITY_STUDENT_WORKER_CODES,
    TERMINATION_INDEMNITY_REMUNERATION_CODES,
    UNPAID_LEAVE_SERVICE_CODE,
    BandResult,
    DeclaredQuarter,
    FallbackCount,
    QuarterCount,
    QuarterTally,
    is_termination_indemnity,
    quarter_counts,
    size_band,
)
from mycareer.fla.rulebook import Resolution, Rulebook
from mycareer.fla.values import (
    BandBasis,
    Entitlement,
    FlaRegime,
    Lang,
    MonthFactor,
    Regime,
    RoundingPolicy,
    RuleRef,
    SizeBand,
    decimal_4,
    new_entitlement,
)
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.quarter import Quarter

__all__ = [
    "BandBasis",
    "Entitlement",
    "EntitlementOptions",
    "FlaRegime",
    "HoursPolicy",
    "Lang",
    "MonthFactor",
    "MonthFraction",
    "Overrides",
    "Regime",
    "RoundingPolicy",
    "RuleRef",
    "Segment",
    "SizeBand",
    "compute_entitlements",
    "decimal_4",
    "entitlement_for",
    "month_factors",
    "project_entitlements",
    "segments_of",
]

_ZERO = Fraction(0)
_ONE = Fraction(1)


class MonthFraction(StrEnum):
    """Which B_m a month with several consecutive fractions takes (B-4)."""

    HIGHEST = "highest"
    LAST = "last"


class HoursPolicy(StrEnum):
    """Hours per training day (B-6): S ÷ 5 (default) or the worker's own day Q ÷ days a week."""

    FULL_TIME_DAY = "full-time-day"
    WORKER_DAY = "worker-day"


@attrs.frozen
class EntitlementOptions:
    """Computation choices; every default is training-right.md's recommendation."""

    rounding: RoundingPolicy = RoundingPolicy.NONE
    hours_policy: HoursPolicy = HoursPolicy.FULL_TIME_DAY
    hours_per_day: Fraction | None = None  # a fixed value wins over hours_policy
    month_fraction: MonthFraction = MonthFraction.HIGHEST
    indemnity_codes: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES
    fallback_count: FallbackCount = FallbackCount.FTE


@attrs.frozen
class Overrides:
    """What the caller knows better, keyed by :attr:`Employer.key`.

    ``band`` fixes the band; ``quarter_fte`` gives quarter-end FTE (replacing the
    declared count of those quarters); ``fallback_fte`` the R-COUNT-4 count;
    ``full_time_days`` replaces A (regime "override"); ``employer_days`` are
    full-time days the employer grants on top (kept apart as ``employer_days``).
    """

    band: Mapping[str, SizeBand] = attrs.field(factory=dict)
    quarter_fte: Mapping[str, Mapping[Quarter, Fraction | Decimal | int]] = attrs.field(
        factory=dict
    )
    fallback_fte: Mapping[str, Fraction | Decimal | int] = attrs.field(factory=dict)
    full_time_days: Mapping[str, Fraction] = attrs.field(factory=dict)
    employer_days: Mapping[str, Fraction] = attrs.field(factory=dict)


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
_new_segment = tuple.__new__


@bounded_cache(maxsize=4096)
def _joint_commission(code: str) -> JointCommission:
    return JointCommission(code)


@bounded_cache(maxsize=512)
def _month_starts(year: int) -> tuple[int, ...]:
    """13 ordinals: the first day of each month of ``year`` and 1 January of the next."""
    firsts = [date(year, m, 1).toordinal() for m in range(1, 13)]
    return (*firsts, date(year + 1, 1, 1).toordinal())


def _month_index(ordinal: int, starts: tuple[int, ...]) -> int:
    """0..11 for an ordinal inside the year (``starts`` from :func:`_month_starts`)."""
    return bisect_right(starts, ordinal) - 1


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
    starts = _month_starts(year)
    first, stop_year = starts[0], starts[12]
    if until is not None:
        stop_year = min(stop_year, until.toordinal() + 1)
    found: list[Segment] = []
    for occupation in occupations:
        if is_termination_indemnity(occupation, indemnity_codes):
            continue
        period = occupation.period
        start = max(period.start.toordinal(), first)
        stop = stop_year if period.stop is None else min(period.stop.toordinal(), stop_year)
        if stop <= start:
            continue
        found.append(
            Segment(
                start,
                stop,
                occupation.mean_working_hours or 0,
                occupation.ref_mean_working_hours or 0,
                occupation.joint_commission.code,
                occupation.working_days_system,
            )
        )
    return found


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
    starts = _month_starts(year)
    fractions = [_ZERO] * 12
    reference: list[Segment | None] = [None] * 12
    if not segments:
        return fractions, reference
    values = [Fraction(seg.q, seg.s) if seg.s else _ZERO for seg in segments]
    # Reference line per month: highest fraction, then latest start.
    best: list[tuple[Fraction, int, str, int, int]] = [(_ZERO, -1, "", -1, -1)] * 12
    for segment, value in zip(segments, values, strict=True):
        for m in range(
            _month_index(segment.start, starts), _month_index(segment.stop - 1, starts) + 1
        ):
            # Highest fraction; ties: in force latest in the month, then the highest
            # committee code. Only what the days show counts, so splitting or joining
            # the same line (DmfA repeats it per quarter) never changes the choice.
            month_stop = starts[m + 1]
            covered = segment.stop if segment.stop < month_stop else month_stop
            rank = (value, covered, segment.joint_commission, segment[5], segment.s)
            if reference[m] is None or rank > best[m]:
                reference[m] = segment
                best[m] = rank
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
    points = sorted(events)
    running = _ZERO
    touched = [False] * 12
    for left, right in pairwise(points):
        running += events[left]
        if running <= 0:
            continue
        value = min(running, _ONE)
        for m in range(_month_index(left, starts), _month_index(right - 1, starts) + 1):
            if month_fraction is MonthFraction.LAST or not touched[m] or value > fractions[m]:
                fractions[m] = value
            touched[m] = True
    return fractions, reference


@attrs.frozen
class _Core:
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


def _core(
    segments: tuple[Segment, ...],
    year: int,
    band: SizeBand,
    rulebook: Rulebook,
    options: EntitlementOptions,
    override_days: Fraction | None,
    employer_days: Fraction,
) -> _Core:
    fractions, reference = month_factors(segments, year, month_fraction=options.month_fraction)
    findings: list[Finding] = []
    last = next((r for r in reversed(reference) if r is not None), None)
    resolutions: dict[str, Resolution] = {}

    def resolve(code: str) -> Resolution:
        found = resolutions.get(code)
        if found is None:
            found = rulebook.resolve(JointCommission(code), band, year, override_days=override_days)
            resolutions[code] = found
        return found

    months: list[MonthFactor] = []
    legal_sum = sector_sum = employer_sum = _ZERO
    any_rule = False
    regimes: set[Regime] = set()
    rules: list[RuleRef] = []
    reason: str | None = None
    rule: RuleRef | None = None
    for m in range(12):
        line = reference[m]
        b = fractions[m]
        basis = line if line is not None else last
        if basis is None:
            months.append(MonthFactor(m + 1, b, None))
            continue
        resolution = resolve(basis.joint_commission)
        legal_a = resolution.legal_days
        sector_a = resolution.sector_days
        total = resolution.total_days
        full_time = None if total is None else total + employer_days
        if full_time is None and employer_days:
            full_time = employer_days
        months.append(
            MonthFactor(
                m + 1,
                b,
                full_time,
                legal_a,
                sector_a,
                employer_days,
                _joint_commission(basis.joint_commission),
                None if resolution.rule is None else resolution.rule.id,
            )
        )
        if line is None:
            continue
        regimes.add(resolution.regime)
        if resolution.reason is not None:
            reason = resolution.reason
        for ref in resolution.rules:
            if ref not in rules:
                rules.append(ref)
        if resolution.rule is not None:
            rule = resolution.rule
        if full_time is None or b == 0:
            any_rule = any_rule or full_time is not None
            continue
        any_rule = True
        if legal_a:
            legal_sum += legal_a * b
        if sector_a:
            sector_sum += sector_a * b
        if employer_days:
            employer_sum += employer_days * b
    codes = {r.joint_commission for r in segments}
    if len(codes) > 1:
        findings.append(
            Finding(
                "FLA_SEVERAL_JOINT_COMMITTEES",
                Severity.INFO,
                f"lines under joint committees {', '.join(sorted(codes))} in {year}: each "
                "month uses the committee of its line with the highest fraction",
            )
        )
    if not any_rule:
        regime = Regime.NONE
        days_exact = legal = sector = employer = None
    else:
        if Regime.OVERRIDE in regimes:
            regime = Regime.OVERRIDE
        elif Regime.SECTOR in regimes:
            regime = Regime.SECTOR
        elif Regime.STATUTORY in regimes:
            regime = Regime.STATUTORY
        else:
            regime = Regime.NONE
        legal, sector, employer = legal_sum / 12, sector_sum / 12, employer_sum / 12
        days_exact = legal + sector + employer
        if Regime.NONE not in regimes:
            reason = None
    hours_per_day = options.hours_per_day
    if hours_per_day is None and last is not None:
        if options.hours_policy is HoursPolicy.WORKER_DAY:
            if last.working_days_system:
                hours_per_day = Fraction(last.q, last.working_days_system)
        elif last.s:
            hours_per_day = Fraction(last.s, 500)
    days: Decimal | None = None
    hours: Fraction | None = None
    if days_exact is not None:
        rounded = options.rounding.apply(days_exact, hours_per_day)
        days = decimal_4(rounded)
        if hours_per_day is None:
            findings.append(
                Finding(
                    "FLA_NO_HOURS_PER_DAY",
                    Severity.INFO,
                    "no full-time weekly hours (S) declared: hours not computed",
                )
            )
        else:
            hours = rounded * hours_per_day
    return _Core(
        tuple(months),
        days_exact,
        legal,
        sector,
        employer,
        regime,
        rule,
        tuple(rules),
        reason if regime is Regime.NONE else None,
        hours_per_day,
        tuple(findings),
        days,
        hours,
    )


def _fields_after_worker(
    core: _Core,
    year: int,
    band: BandResult,
    rounding: RoundingPolicy,
    fla_regime: FlaRegime,
    findings: tuple[Finding, ...],
    *,
    projected: bool,
    as_of: date | None,
) -> tuple[Any, ...]:
    """Every field of an :class:`Entitlement` after (employer, niss), in field order.

    The bulk path builds this once per employer and shape, and shares it.
    """
    return (
        year,
        band.band,
        band.average_fte,
        band.reference_quarters,
        band.fallback_used,
        core.regime,
        core.days_exact,
        core.days,
        core.hours,
        core.legal,
        core.sector,
        core.employer,
        core.months,
        core.rule,
        fla_regime,
        findings,
        band.basis,
        core.rules,
        core.hours_per_day,
        rounding,
        core.reason,
        band.missing_quarters,
        projected,
        as_of,
    )


def _finish(
    core: _Core,
    *,
    employer: Employer,
    niss: Niss,
    year: int,
    band: BandResult,
    options: EntitlementOptions,
    fla_regime: FlaRegime,
    extra_findings: tuple[Finding, ...] = (),
    projected: bool = False,
    as_of: date | None = None,
) -> Entitlement:
    findings = (
        band.findings + core.findings + extra_findings
        if (band.findings or extra_findings)
        else core.findings
    )
    fields = _fields_after_worker(
        core, year, band, options.rounding, fla_regime, findings, projected=projected, as_of=as_of
    )
    return Entitlement(employer, niss, *fields)


def _band_result(band: SizeBand | BandResult, employer: Employer, year: int) -> BandResult:
    if isinstance(band, BandResult):
        return band
    return BandResult(
        employer.key,
        year,
        band,
        None,
        None,
        (),
        (),
        fallback_used=False,
        basis=BandBasis.OVERRIDE_BAND,
    )


def entitlement_for(
    employer: Employer,
    niss: Niss,
    year: int,
    occupations: Iterable[DmfaOccupation] | Iterable[Segment],
    *,
    band: SizeBand | BandResult,
    rulebook: Rulebook | None = None,
    options: EntitlementOptions | None = None,
    full_time_days: Fraction | None = None,
    employer_days: Fraction = _ZERO,
) -> Entitlement:
    """One worker's entitlement at one employer for ``year`` from its lines.

    ``band`` is a band (as given by the caller) or a :class:`BandResult`;
    ``full_time_days`` overrides A; ``employer_days`` are added on top.
    """
    book = rulebook or Rulebook.default()
    opts = options or EntitlementOptions()
    items = list(occupations)
    segments = (
        [s for s in items if isinstance(s, Segment)]
        if items and isinstance(items[0], Segment)
        else segments_of(
            (o for o in items if isinstance(o, DmfaOccupation)),
            year,
            indemnity_codes=opts.indemnity_codes,
        )
    )
    result = _band_result(band, employer, year)
    core = _core(
        _coalesce(segments) if segments else (),
        year,
        result.band,
        book,
        opts,
        full_time_days,
        employer_days,
    )
    return _finish(
        core,
        employer=employer,
        niss=niss,
        year=year,
        band=result,
        options=opts,
        fla_regime=book.fla_regime(year),
    )


# --- bulk ----------------------------------------------------------------------------


def _merged_counts(
    declared: Mapping[Quarter, QuarterCount] | None,
    given: Mapping[Quarter, Fraction | Decimal | int] | None,
) -> dict[Quarter, QuarterCount | Fraction | Decimal | int]:
    merged: dict[Quarter, QuarterCount | Fraction | Decimal | int] = dict(declared or {})
    if given:
        merged.update(given)
    return merged


def _bands(
    keys: Iterable[str],
    year: int,
    counts: Mapping[str, Mapping[Quarter, QuarterCount]],
    overrides: Overrides,
    options: EntitlementOptions,
) -> dict[str, BandResult]:
    bands: dict[str, BandResult] = {}
    for key in keys:
        given = overrides.band.get(key)
        quarters = _merged_counts(counts.get(key), overrides.quarter_fte.get(key))
        result = size_band(
            key,
            year,
            quarters,
            override_band=given,
            fallback_count=options.fallback_count,
            fallback_value=overrides.fallback_fte.get(key),
        )
        if key in overrides.quarter_fte and given is None and result.basis is BandBasis.DECLARED:
            result = attrs.evolve(result, basis=BandBasis.OVERRIDE_FTE)
        bands[key] = result
    return bands


def _paid(services: Sequence[ServiceLine]) -> bool:
    """At least one day under a code other than 30 (unpaid leave), R-COUNT-5."""
    for service in services:
        if service.code != UNPAID_LEAVE_SERVICE_CODE and service.days_hundredths > 0:
            return True
    return False


#: A line as the bulk scan collects it: ``[start, stop, q, s, committee, days]``, the
#: fields of :class:`Segment` in order. A list, so that a line DmfA repeats quarter by
#: quarter is joined in place; it becomes a ``Segment`` only when a result is computed
#: from it (most workers share a memoised result, see :func:`_assemble`).
_OpenLine = list[Any]

#: Per employer key, per NISS string: the worker's lines of the year.
_Groups = Mapping[str, Mapping[str, Sequence[Sequence[Any]]]]

#: The duplicate check of one employer's quarter, per NISS: the first record seen,
#: or, once a NISS came again, the (worker code, employer class) pairs seen.
_Seen = DmfaWorkerRecord | set[tuple[int, str]]


def _seen_before(seen: dict[str, _Seen], niss_value: str, record: DmfaWorkerRecord) -> bool:
    """The slow path of the scan's duplicate check: ``niss_value`` already has a record here.

    A record counts once per (NISS, worker code, employer class) and quarter: a
    second one with the same three is the same quarter read twice.
    """
    prior = seen[niss_value]
    marks = prior if isinstance(prior, set) else {(prior.worker_code, prior.employer_class)}
    seen[niss_value] = marks
    mark = (record.worker_code, record.employer_class)
    if mark in marks:
        return True
    marks.add(mark)
    return False


def _scan(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter],
    year: int,
    indemnity_codes: frozenset[int],
    fallback_count: FallbackCount,
) -> tuple[
    dict[str, dict[Quarter, QuarterCount]],
    dict[str, dict[str, list[_OpenLine]]],
    dict[str, Employer],
    dict[str, Niss],
    dict[str, tuple[Finding, ...]],
]:
    """One pass: quarter-end counts of every quarter, and the lines of ``year``."""
    tally = QuarterTally()
    for declaration in declarations:
        tally.declare(declaration.employer.key, declaration.quarter)
    starts = _month_starts(year)
    first, stop_year = starts[0], starts[12]
    groups: dict[str, dict[str, list[_OpenLine]]] = {}
    employers: dict[str, Employer] = {}
    people: dict[str, Niss] = {}
    buckets = tally.buckets
    heads_wanted = fallback_count is FallbackCount.HEADCOUNT
    students = SOLIDARITY_STUDENT_WORKER_CODES
    paid = _paid
    last_employer: Employer | None = None
    key = ""
    workers: dict[str, list[_OpenLine]] | None = None
    last_quarter: Quarter | None = None
    quarter_year = quarter_number = 0
    in_year = False
    last_day = date.min
    last_days: dict[tuple[int, int], date] = {}
    seen_by_bucket: dict[tuple[str, int, int], dict[str, _Seen]] = {}
    # The hot loop of the bulk path: locals, and no tuple built per record on purpose.
    sums: dict[int, int] = {}
    heads: set[str] = set()
    seen: dict[str, _Seen] = {}
    for record in records:
        employer = record.employer
        quarter = record.quarter
        # Reader output comes file by file (one employer and quarter): mostly cache hits.
        if employer is not last_employer or quarter is not last_quarter:
            if employer is not last_employer:
                last_employer, key = employer, employer.key
                workers = groups.get(key)
            if quarter is not last_quarter:
                last_quarter, quarter_year, quarter_number = quarter, quarter.year, quarter.number
                in_year = quarter_year == year
                found_day = last_days.get((quarter_year, quarter_number))
                if found_day is None:
                    found_day = last_days[(quarter_year, quarter_number)] = quarter.last_day
                last_day = found_day
            bucket_key = (key, quarter_year, quarter_number)
            bucket = buckets.get(bucket_key)
            if bucket is None:  # declared, even if nobody counts
                bucket = buckets[bucket_key] = ({}, set(), set())
            sums, heads = bucket[0], bucket[1]
            found_seen = seen_by_bucket.get(bucket_key)
            if found_seen is None:
                found_seen = seen_by_bucket[bucket_key] = {}
            seen = found_seen
        niss_value = record.niss.value
        if niss_value not in seen:
            seen[niss_value] = record
        elif _seen_before(seen, niss_value, record):
            tally.duplicates.add((key, quarter))
            continue
        student = record.worker_code in students
        counted = False
        mine: list[_OpenLine] | None = None
        for occupation in record.occupations:
            indemnity = bool(occupation.remunerations) and is_termination_indemnity(
                occupation, indemnity_codes
            )
            q = occupation.mean_working_hours or 0
            s = occupation.ref_mean_working_hours or 0
            if (  # R-COUNT-5, inlined from band.counts_at_quarter_end (hot path)
                q
                and s
                and not indemnity
                and not student
                and occupation.start <= last_day
                and ((end := occupation.end) is None or end >= last_day)
                and not (occupation.reorganisation_measures and occupation.is_full_career_break)
                and (not (services := occupation.services) or paid(services))
            ):
                sums[s] = sums.get(s, 0) + q
                counted = True
            if not in_year or indemnity:
                continue
            period = occupation.period
            start = period.start.toordinal()
            if start < first:
                start = first
            period_stop = period.stop
            stop = stop_year if period_stop is None else period_stop.toordinal()
            if stop > stop_year:
                stop = stop_year
            if stop <= start:
                continue
            code = occupation.joint_commission.code
            days = occupation.working_days_system
            if mine is None:
                if workers is None:
                    workers = groups[key] = {}
                    employers[key] = employer
                found_mine = workers.get(niss_value)
                if found_mine is None:
                    found_mine = workers[niss_value] = []
                    people.setdefault(niss_value, record.niss)
                mine = found_mine
            if mine:
                last = mine[-1]
                if (
                    last[1] == start
                    and last[2] == q
                    and last[3] == s
                    and last[4] == code
                    and last[5] == days
                ):
                    last[1] = stop  # the same line continued from the previous quarter
                    continue
            mine.append([start, stop, q, s, code, days])
        if counted and heads_wanted:
            heads.add(niss_value)
    duplicates: dict[str, list[Finding]] = defaultdict(list)
    for key, quarter in sorted(tally.duplicates, key=lambda d: (d[0], d[1])):
        duplicates[key].append(
            Finding(
                "FLA_DUPLICATE_QUARTER",
                Severity.WARNING,
                f"employer {key}: quarter {quarter} given more than once; each line counted once",
            )
        )
    return (
        tally.result(),
        groups,
        employers,
        people,
        {key: tuple(found) for key, found in duplicates.items()},
    )


def compute_entitlements(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter] = (),
    year: int | None = None,
    *,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
) -> tuple[Entitlement, ...]:
    """Every (employer, worker) entitlement for ``year``, sorted by employer then NISS.

    One result per (employer, worker) with an occupation line in ``year`` that is
    not a termination indemnity. Records of other years feed the size band (its
    reference period lies in earlier years). ``as_of`` is recorded on the results.
    One pass over the records; explanations are only built when asked for.
    """
    if year is None:
        raise TypeError("compute_entitlements() needs the year")
    book = rulebook or Rulebook.default()
    opts = options or EntitlementOptions()
    over = overrides or Overrides()
    counts, groups, employers, people, duplicates = _scan(
        records, declarations, year, opts.indemnity_codes, opts.fallback_count
    )
    bands = _bands(employers, year, counts, over, opts)
    return _assemble(
        groups,
        employers,
        people,
        bands,
        year,
        book,
        over,
        opts,
        duplicates,
        projected=False,
        as_of=as_of,
    )


def _coalesce(segments: Sequence[Segment]) -> tuple[Segment, ...]:
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
            joined[-1] = _new_segment(
                Segment, (last[0], segment[1], last[2], last[3], last[4], last[5])
            )
        else:
            joined.append(segment)
    return tuple(sorted(joined))


@bounded_cache(maxsize=512)
def _month_of_day(year: int) -> tuple[int, ...]:
    """Month index 0..11 of each day of ``year``, by ordinal minus that of 1 January."""
    starts = _month_starts(year)
    return tuple(_month_index(ordinal, starts) for ordinal in range(starts[0], starts[12]))


def _shape(
    segments: tuple[Segment, ...], month_of: tuple[int, ...], first: int
) -> tuple[object, ...]:
    """A memo key: month-level when the lines do not overlap (days within a month do not
    matter then), the exact lines otherwise. ``month_of`` from :func:`_month_of_day`,
    ``first`` the ordinal of 1 January."""
    previous_stop = 0
    shape: list[object] = []
    for segment in segments:
        if segment.start < previous_stop:
            return segments
        previous_stop = segment.stop
        shape.append(
            (month_of[segment.start - first], month_of[segment.stop - 1 - first], *segment[2:])
        )
    return tuple(shape)


def _assemble(
    groups: _Groups,
    employers: Mapping[str, Employer],
    people: Mapping[str, Niss],
    bands: Mapping[str, BandResult],
    year: int,
    book: Rulebook,
    over: Overrides,
    opts: EntitlementOptions,
    extra: Mapping[str, tuple[Finding, ...]],
    *,
    projected: bool,
    as_of: date | None,
) -> tuple[Entitlement, ...]:
    """One result per (employer, worker) of ``groups``, sorted by employer, then NISS."""
    fla = book.fla_regime(year)
    first = _month_starts(year)[0]
    month_of = _month_of_day(year)
    rounding = opts.rounding
    new_segment = _new_segment
    make = new_entitlement
    memos: dict[tuple[object, ...], dict[tuple[object, ...], _Core]] = {}
    results: list[Entitlement] = []
    append = results.append
    for key in sorted(groups):
        workers = groups[key]
        band = bands[key]
        employer = employers[key]
        override_days = over.full_time_days.get(key)
        employer_days = over.employer_days.get(key, _ZERO)
        memo = memos.setdefault((band.band, override_days, employer_days), {})
        band_findings = band.findings + extra.get(key, ())
        # Per shape, this employer's fields of the result after (employer, niss).
        rests: dict[tuple[object, ...], tuple[object, ...]] = {}
        for niss in sorted(workers):
            lines = workers[niss]
            ordered: tuple[Segment, ...] | None = None
            if len(lines) == 1:
                only = lines[0]
                shape: tuple[object, ...] = (
                    month_of[only[0] - first],
                    month_of[only[1] - 1 - first],
                    only[2],
                    only[3],
                    only[4],
                    only[5],
                )
            elif lines:
                ordered = _coalesce([new_segment(Segment, line) for line in lines])
                shape = _shape(ordered, month_of, first)
            else:
                continue
            rest = rests.get(shape)
            if rest is None:
                core = memo.get(shape)
                if core is None:
                    if ordered is None:
                        ordered = (new_segment(Segment, lines[0]),)
                    core = _core(ordered, year, band.band, book, opts, override_days, employer_days)
                    memo[shape] = core
                findings = band_findings + core.findings if band_findings else core.findings
                rest = rests[shape] = _fields_after_worker(
                    core, year, band, rounding, fla, findings, projected=projected, as_of=as_of
                )
            append(make(employer, people[niss], rest))
    return tuple(results)


def project_entitlements(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter] = (),
    *,
    as_of: date,
    year: int | None = None,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
) -> tuple[Entitlement, ...]:
    """Projected entitlements for ``year`` (default: the year after ``as_of``).

    Assumes the lines in force on ``as_of`` go on to the end of ``year``: the
    lines of the employer's latest declared quarter up to ``as_of`` (a worker
    missing from it has left). Lines of ``year`` already declared count up to
    ``as_of``.
    """
    target = as_of.year + 1 if year is None else year
    if target < as_of.year:
        raise ValueError(f"cannot project {target} from as_of {as_of}: the year is past")
    book = rulebook or Rulebook.default()
    opts = options or EntitlementOptions()
    over = overrides or Overrides()
    materialised = records if isinstance(records, list | tuple) else list(records)
    counts = quarter_counts(materialised, declarations, indemnity_codes=opts.indemnity_codes)
    as_of_quarter = Quarter.of(as_of)
    latest: dict[tuple[str, str], Quarter] = {}
    employer_latest: dict[str, Quarter] = {}
    for record in materialised:
        if record.quarter <= as_of_quarter:
            k = (record.employer.key, record.niss.value)
            if k not in latest or record.quarter > latest[k]:
                latest[k] = record.quarter
            if employer_latest.get(k[0], record.quarter) <= record.quarter:
                employer_latest[k[0]] = record.quarter
    # A worker absent from the employer's latest declared quarter has left: not projected.
    latest = {k: q for k, q in latest.items() if employer_latest[k[0]] == q}
    year_start = date(target, 1, 1).toordinal()
    year_stop = date(target + 1, 1, 1).toordinal()
    cut = (as_of + timedelta(days=1)).toordinal()
    groups: dict[tuple[str, str], list[Segment]] = defaultdict(list)
    employers: dict[str, Employer] = {}
    people: dict[str, Niss] = {}
    seen: set[tuple[str, str, Quarter, int]] = set()
    for record in materialised:
        k = (record.employer.key, record.niss.value)
        in_latest = latest.get(k) == record.quarter
        in_target = record.quarter.year == target and record.quarter <= as_of_quarter
        if not (in_latest or in_target):
            continue
        for occupation in record.occupations:
            mark = (*k, record.quarter, occupation.sequence)
            if mark in seen or is_termination_indemnity(occupation, opts.indemnity_codes):
                continue
            seen.add(mark)
            q = occupation.mean_working_hours or 0
            s = occupation.ref_mean_working_hours or 0
            jc = occupation.joint_commission.code
            wds = occupation.working_days_system
            if in_target:  # already declared in the projected year: up to as_of
                start = max(occupation.period.start.toordinal(), year_start)
                stop = min(
                    cut,
                    year_stop,
                    year_stop
                    if occupation.period.stop is None
                    else occupation.period.stop.toordinal(),
                )
                if start < stop:
                    groups[k].append(Segment(start, stop, q, s, jc, wds))
            in_force = occupation.start <= as_of and (
                occupation.end is None or occupation.end >= as_of
            )
            if in_latest and in_force:
                start = max(occupation.start.toordinal(), year_start, cut)
                stop = year_stop
                if occupation.end is not None:
                    stop = min(stop, occupation.end.toordinal() + 1)
                if start < stop:
                    groups[k].append(Segment(start, stop, q, s, jc, wds))
        if k in groups:
            employers.setdefault(k[0], record.employer)
            people.setdefault(k[1], record.niss)
    nested: dict[str, dict[str, list[Segment]]] = {}
    for (key, niss_value), found in groups.items():
        nested.setdefault(key, {})[niss_value] = found
    bands = _bands(employers, target, counts, over, opts)
    return _assemble(
        nested,
        employers,
        people,
        bands,
        target,
        book,
        over,
        opts,
        {},
        projected=True,
        as_of=as_of,
    )
