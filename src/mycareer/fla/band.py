"""Employer size band for the training right, and the training-plan threshold.

Quarter-end FTE of an employer (R-COUNT-5) is Σ Q/S over
the occupation lines in force on the quarter's last day, for workers who count:

* not a termination-indemnity line (:data:`TERMINATION_INDEMNITY_REMUNERATION_CODES`);
* not a full career break (measure 3 with Q = 0);
* not a student paying only the solidarity contribution (worker codes 840/841);
* with at least one day declared under a service code other than 30 (unpaid
  leave): a line that declares no day at all (say a part-timer whose work cycle
  has no work due in that quarter) does not count (B-12).

The band is fixed per biennial period (2022–23, 2024–25, …, R-COUNT-6) from the
reference period Q4 of n-2 + Q1–Q3 of n-1 (R-COUNT-2): average = sum ÷ the
quarters actually declared (R-COUNT-3); a declared quarter with 0 FTE still
counts. No declaration → R-COUNT-4: the FTE at the end of the quarter of the
first employment after the reference period, the first quarter in which someone
counts (a quarter declaring only students, or no FTE, employs nobody who counts;
B-3: FTE by default, headcount as option), flagged ``fallback_used``. Bands are
half-open [0,10), [10,20), [20,∞) (B-1).

>>> [str(q) for q in reference_quarters(2025)]
['20224', '20231', '20232', '20233']
>>> r = size_band("0403019261", 2024, {Quarter(2022, 4): 8, Quarter(2023, 2): 12})
>>> r.band.value, r.average_fte, [str(q) for q in r.missing_quarters]
('10-19', Decimal('10.0000'), ['20231', '20233'])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Protocol

import attrs

from mycareer.dmfa import (
    TERMINATION_INDEMNITY_REMUNERATION_CODES,
    DmfaOccupation,
    DmfaWorkerRecord,
    is_termination_indemnity,
)
from mycareer.employer import Employer
from mycareer.findings import Finding, Severity
from mycareer.fla.values import BandBasis, FallbackCount, SizeBand
from mycareer.quarter import Quarter

__all__ = [
    "SOLIDARITY_STUDENT_WORKER_CODES",
    "TERMINATION_INDEMNITY_REMUNERATION_CODES",
    "UNPAID_LEAVE_SERVICE_CODE",
    "BandResult",
    "DeclaredQuarter",
    "DuplicateKey",
    "FallbackCount",
    "PlanThreshold",
    "QuarterCount",
    "QuarterTally",
    "band_period",
    "counts_at_quarter_end",
    "duplicate_key",
    "is_termination_indemnity",
    "quarter_counts",
    "reference_quarters",
    "size_band",
    "training_plan_threshold",
    "worker_counts_at_quarter_end",
]

#: Annex 2 worker codes of students under the solidarity contribution (R-COUNT-5).
SOLIDARITY_STUDENT_WORKER_CODES: frozenset[int] = frozenset({840, 841})

#: Annex 8 service code 30: time with neither pay nor indemnity (unpaid leave).
UNPAID_LEAVE_SERVICE_CODE = 30

_FOUR = Decimal("0.0001")


class DeclaredQuarter(Protocol):
    """Anything naming an employer and a declared quarter (e.g. H1's ``DmfaDeclaration``)."""

    @property
    def employer(self) -> Employer: ...

    @property
    def quarter(self) -> Quarter: ...


@attrs.frozen
class QuarterCount:
    """An employer's count on the last day of a declared quarter."""

    fte: Fraction
    headcount: int


def counts_at_quarter_end(
    worker_code: int, occupation: DmfaOccupation, last_day: date, *, indemnity: bool
) -> bool:
    """R-COUNT-5 for one line: whether it counts at the end of its quarter (hot path).

    ``indemnity`` is :func:`is_termination_indemnity` of the line. A line with no
    Q or no S adds nothing to the FTE and is not counted either; nor is a line
    without a day declared under a code other than 30 (none declared at all
    included: the ONSS count asks for at least one such day).
    """
    if not (occupation.mean_working_hours and occupation.ref_mean_working_hours):
        return False
    if indemnity or worker_code in SOLIDARITY_STUDENT_WORKER_CODES:
        return False
    if occupation.start > last_day or (occupation.end is not None and occupation.end < last_day):
        return False
    if occupation.reorganisation_measures and occupation.is_full_career_break:
        return False
    for service in occupation.services:
        if service.code != UNPAID_LEAVE_SERVICE_CODE and service.days_hundredths > 0:
            return True
    return False


def worker_counts_at_quarter_end(
    record: DmfaWorkerRecord,
    occupation: DmfaOccupation,
    *,
    indemnity_codes: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES,
) -> bool:
    """Whether this line counts in the employer's quarter-end FTE (R-COUNT-5)."""
    indemnity = is_termination_indemnity(occupation, indemnity_codes)
    return counts_at_quarter_end(
        record.worker_code, occupation, record.quarter.last_day, indemnity=indemnity
    )


#: What makes a worker record unique within one employer's declared quarter: NISS,
#: worker code and employer class. A second record of the same employer and quarter
#: with the same key is that quarter read twice (two files, or one file given twice)
#: and counts once. Compact on purpose: a streaming computation keeps only these keys
#: (per employer and quarter), never the records.
DuplicateKey = tuple[str, int, str]


def duplicate_key(record: DmfaWorkerRecord) -> DuplicateKey:
    """The :data:`DuplicateKey` of ``record``: the one duplicate check of every path."""
    return (record.niss.value, record.worker_code, record.employer_class)


#: An employer's quarter as :class:`QuarterTally` counts it: Q summed per S, the
#: NISS of the workers who count, the :data:`DuplicateKey` of the records seen.
_Bucket = tuple[dict[int, int], set[str], set[DuplicateKey]]


class QuarterTally:
    """Quarter-end counts accumulated one record at a time (one pass with other work).

    Per employer and quarter, a bucket ``(Q summed per S, workers who count, keys
    seen)``: Q is summed in integers and turned into one exact fraction at the end;
    a record seen twice in the bucket (same :func:`duplicate_key`) counts once.
    """

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, int, int], _Bucket] = {}
        self.duplicates: set[tuple[str, Quarter]] = set()
        #: Workers who counted in a sealed bucket (see :meth:`seal`), by bucket.
        self.sealed: dict[tuple[str, int, int], int] = {}

    def seal(self, index: tuple[str, int, int]) -> None:
        """Keep the counts of a bucket ``(key, year, number)`` whose records are all in,
        and drop the names and duplicate keys that only more records would need.

        A streaming caller's step (:class:`~mycareer.fla.bulk.EntitlementStream`): a
        record added to the bucket afterwards would not be checked against them.
        """
        sums, heads, _seen = self.buckets[index]
        self.sealed[index] = self.sealed.get(index, 0) + len(heads)
        self.buckets[index] = (sums, set(), set())

    def declare(self, key: str, quarter: Quarter) -> None:
        self.bucket(key, quarter)

    def bucket(self, key: str, quarter: Quarter) -> _Bucket:
        """The bucket of an employer's quarter (which is now declared)."""
        # (key, year, number): a plain tuple hashes far faster than the attrs Quarter.
        index = (key, quarter.year, quarter.number)
        found = self.buckets.get(index)
        if found is None:
            found = self.buckets[index] = ({}, set(), set())
        return found

    def first_time(self, record: DmfaWorkerRecord, key: str) -> bool:
        """Mark the record as seen; ``False`` (and noted) if it was already."""
        seen = self.bucket(key, record.quarter)[2]
        mark = duplicate_key(record)
        if mark in seen:
            self.duplicates.add((key, record.quarter))
            return False
        seen.add(mark)
        return True

    def add(
        self,
        record: DmfaWorkerRecord,
        key: str,
        occupation: DmfaOccupation,
        last_day: date,
        *,
        indemnity: bool,
    ) -> bool:
        """Count ``occupation`` if it counts at the end of its quarter (R-COUNT-5).

        ``True`` when it counted.
        """
        if counts_at_quarter_end(record.worker_code, occupation, last_day, indemnity=indemnity):
            sums, heads, _ = self.bucket(key, record.quarter)
            s = occupation.ref_mean_working_hours or 0
            sums[s] = sums.get(s, 0) + (occupation.mean_working_hours or 0)
            heads.add(record.niss.value)
            return True
        return False

    def result(self) -> dict[str, dict[Quarter, QuarterCount]]:
        out: dict[str, dict[Quarter, QuarterCount]] = defaultdict(dict)
        sealed = self.sealed
        for index, (sums, heads, _) in self.buckets.items():
            key, year, number = index
            fte = sum((Fraction(q, s) for s, q in sums.items()), Fraction(0))
            out[key][Quarter(year, number)] = QuarterCount(fte, len(heads) + sealed.get(index, 0))
        return dict(out)


def quarter_counts(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter] = (),
    *,
    indemnity_codes: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES,
) -> dict[str, dict[Quarter, QuarterCount]]:
    """Quarter-end FTE and headcount per employer key and declared quarter.

    Every quarter in ``declarations`` or in ``records`` is a declared quarter,
    even when nobody counts (0 FTE still counts in the divisor).
    """
    tally = QuarterTally()
    for declaration in declarations:
        tally.declare(declaration.employer.key, declaration.quarter)
    for record in records:
        key = record.employer.key
        tally.declare(key, record.quarter)
        if not tally.first_time(record, key):
            continue
        last_day = record.quarter.last_day
        for occupation in record.occupations:
            indemnity = is_termination_indemnity(occupation, indemnity_codes)
            tally.add(record, key, occupation, last_day, indemnity=indemnity)
    return tally.result()


def band_period(year: int) -> tuple[int, int]:
    """The biennial period holding ``year``: 2022–23, 2024–25, 2026–27, …

    >>> band_period(2023), band_period(2024), band_period(2027)
    ((2022, 2023), (2024, 2025), (2026, 2027))
    """
    first = year if year % 2 == 0 else year - 1
    return first, first + 1


def reference_quarters(year: int) -> tuple[Quarter, ...]:
    """Q4 of n-2 and Q1–Q3 of n-1, n being the first year of ``year``'s band period."""
    first, _ = band_period(year)
    return tuple(Quarter.range(Quarter(first - 2, 4), Quarter(first - 1, 3)))


def _floor4(value: Fraction) -> Decimal:
    # Floor, so a displayed 10.0000 never hides a band of "<10".
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(_FOUR, rounding=ROUND_FLOOR)


def _as_fraction(value: Fraction | Decimal | int | QuarterCount) -> Fraction:
    if isinstance(value, QuarterCount):
        return value.fte
    return Fraction(value)


def _employs(count: Fraction | Decimal | int | QuarterCount) -> bool:
    if isinstance(count, QuarterCount):
        return count.headcount > 0 and count.fte > 0
    return count > 0


def _first_employment(
    quarter_fte: Mapping[Quarter, Fraction | Decimal | int | QuarterCount], after: Quarter
) -> Quarter | None:
    """R-COUNT-4's quarter: the first after ``after`` in which someone counts (the first
    employment), else the first declared one (its count is 0 then), else ``None``."""
    later = sorted(q for q in quarter_fte if q > after)
    employing = [q for q in later if _employs(quarter_fte[q])]
    return employing[0] if employing else (later[0] if later else None)


@attrs.frozen
class BandResult:
    """The band of one employer for one year, with what it rests on."""

    employer_key: str
    year: int
    band: SizeBand
    average_fte: Decimal | None
    average_exact: Fraction | None
    reference_quarters: tuple[Quarter, ...]
    missing_quarters: tuple[Quarter, ...]
    fallback_used: bool
    basis: BandBasis
    findings: tuple[Finding, ...] = ()
    fallback_quarter: Quarter | None = None
    fallback_count: FallbackCount = FallbackCount.FTE


def size_band(
    employer_key: str,
    year: int,
    quarter_fte: Mapping[Quarter, Fraction | Decimal | int | QuarterCount],
    *,
    override_band: SizeBand | None = None,
    fallback_count: FallbackCount = FallbackCount.FTE,
    fallback_value: Fraction | Decimal | int | None = None,
) -> BandResult:
    """The employer's size band for ``year`` from its declared quarter-end counts.

    ``quarter_fte`` holds declared quarters only (missing = not declared or file
    absent: a finding names them). ``override_band`` wins over everything;
    ``fallback_value`` replaces the R-COUNT-4 count read from the data.
    """
    wanted = reference_quarters(year)
    used = tuple(q for q in wanted if q in quarter_fte)
    missing = tuple(q for q in wanted if q not in quarter_fte)
    if override_band is not None:
        return BandResult(
            employer_key, year, override_band, None, None, used, missing,
            fallback_used=False, basis=BandBasis.OVERRIDE_BAND,
        )  # fmt: skip
    findings = [] if not missing else [_missing_finding(employer_key, year, used, missing)]
    if used:
        # R-COUNT-3: the average over the reference quarters actually declared.
        average = sum((_as_fraction(quarter_fte[q]) for q in used), Fraction(0)) / len(used)
        return BandResult(
            employer_key, year, SizeBand.for_fte(average), _floor4(average), average, used,
            missing, fallback_used=False, basis=BandBasis.DECLARED, findings=tuple(findings),
        )  # fmt: skip
    return _fallback_band(
        employer_key, year, quarter_fte, missing, findings, fallback_count, fallback_value
    )


def _period_text(year: int) -> str:
    return "–".join(str(y) for y in band_period(year))


def _missing_finding(
    employer_key: str, year: int, used: tuple[Quarter, ...], missing: tuple[Quarter, ...]
) -> Finding:
    """Reference quarters not declared: information when others were, else a warning."""
    return Finding(
        "FLA_REFERENCE_QUARTERS_MISSING",
        Severity.INFO if used else Severity.WARNING,
        f"employer {employer_key}: no declaration found for reference quarter(s) "
        f"{', '.join(str(q) for q in missing)} of band period {_period_text(year)} (not "
        "declared, or its file was not given)",
    )


def _fallback_count_value(
    quarter_fte: Mapping[Quarter, Fraction | Decimal | int | QuarterCount],
    fallback_quarter: Quarter | None,
    fallback_count: FallbackCount,
    fallback_value: Fraction | Decimal | int | None,
) -> Fraction | None:
    """R-COUNT-4's count: the caller's value, else FTE or heads of ``fallback_quarter``."""
    if fallback_value is not None:
        return Fraction(fallback_value)
    if fallback_quarter is None:
        return None
    count = quarter_fte[fallback_quarter]
    if fallback_count is FallbackCount.HEADCOUNT and isinstance(count, QuarterCount):
        return Fraction(count.headcount)
    return _as_fraction(count)


def _fallback_band(
    employer_key: str,
    year: int,
    quarter_fte: Mapping[Quarter, Fraction | Decimal | int | QuarterCount],
    missing: tuple[Quarter, ...],
    findings: list[Finding],
    fallback_count: FallbackCount,
    fallback_value: Fraction | Decimal | int | None,
) -> BandResult:
    """No declaration in the reference period: R-COUNT-4, or <10 when nothing is known."""
    fallback_quarter = _first_employment(quarter_fte, reference_quarters(year)[-1])
    value = _fallback_count_value(quarter_fte, fallback_quarter, fallback_count, fallback_value)
    if value is None:
        findings.append(
            Finding(
                "FLA_BAND_UNKNOWN",
                Severity.WARNING,
                f"employer {employer_key}: no declared quarter to size the band for {year}; "
                "treated as <10 (pass the band or quarterly FTE to override)",
            )
        )
        return BandResult(
            employer_key, year, SizeBand.BELOW_10, None, None, (), missing,
            fallback_used=False, basis=BandBasis.UNKNOWN, findings=tuple(findings),
        )  # fmt: skip
    where = (
        "given by the caller"
        if fallback_value is not None
        else f"at the end of {fallback_quarter}, the quarter of the first employment after it"
    )
    findings.append(
        Finding(
            "FLA_BAND_FALLBACK",
            Severity.INFO,
            f"employer {employer_key}: no declaration in the reference period of "
            f"{_period_text(year)}; band from the {fallback_count.value} {where} "
            "(R-COUNT-4, B-3)",
        )
    )
    return BandResult(
        employer_key, year, SizeBand.for_fte(value), _floor4(value), value, (), missing,
        fallback_used=True, basis=BandBasis.FALLBACK, findings=tuple(findings),
        fallback_quarter=None if fallback_value is not None else fallback_quarter,
        fallback_count=fallback_count,
    )  # fmt: skip


@attrs.frozen
class PlanThreshold:
    """Training-plan duty for a year (T-PLAN-1/2): 20+ FTE on the annual reference period."""

    year: int
    quarters: tuple[Quarter, ...]
    used_quarters: tuple[Quarter, ...]
    average_fte: Decimal | None
    required: bool | None


def training_plan_threshold(
    year: int,
    quarter_fte: Mapping[Quarter, Fraction | Decimal | int | QuarterCount],
    *,
    threshold: int = 20,
) -> PlanThreshold:
    """Whether a training plan is due for ``year`` (T-PLAN-1/2), on an **annual** period.

    Reference: the FTE declared at the end of Q4 of year-2 to Q3 of year-1, divided
    by the quarters declared (B-2). ``required`` is ``None`` with no declaration.

    >>> [str(q) for q in training_plan_threshold(2023, {}).quarters]
    ['20214', '20221', '20222', '20223']
    """
    quarters = tuple(Quarter.range(Quarter(year - 2, 4), Quarter(year - 1, 3)))
    used = tuple(q for q in quarters if q in quarter_fte)
    if not used:
        return PlanThreshold(year, quarters, used, None, None)
    average = sum((_as_fraction(quarter_fte[q]) for q in used), Fraction(0)) / len(used)
    return PlanThreshold(year, quarters, used, _floor4(average), average >= threshold)
