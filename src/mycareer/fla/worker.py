"""One worker's entitlement at one employer: :func:`entitlement_for`.

The reference path: the bulk path (:mod:`mycareer.fla.bulk`) builds the same
results for many workers at once and is tested against this one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from typing import Any

from mycareer.dmfa import DmfaOccupation
from mycareer.employer import Employer
from mycareer.findings import Finding
from mycareer.fla.band import BandResult
from mycareer.fla.continuation import declaration_missing
from mycareer.fla.formula import Core, Segment, coalesce, formula_core, segments_of
from mycareer.fla.options import EntitlementOptions
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.values import BandBasis, Entitlement, FlaRegime, RoundingPolicy, SizeBand
from mycareer.fla.years import check_year
from mycareer.niss import Niss
from mycareer.quarter import Quarter

__all__ = ["entitlement_for", "fields_after_worker"]

_ZERO = Fraction(0)


def fields_after_worker(
    core: Core,
    year: int,
    band: BandResult,
    rounding: RoundingPolicy,
    fla_regime: FlaRegime,
    findings: tuple[Finding, ...],
    *,
    projected: bool,
    as_of: date | None,
    undeclared: tuple[Quarter, ...] = (),
    assumed_continuation: bool = False,
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
        band.fallback_quarter,
        band.fallback_count,
        undeclared,
        assumed_continuation,
    )


def _band_result(band: SizeBand | BandResult, employer: Employer, year: int) -> BandResult:
    if isinstance(band, BandResult):
        return band
    return BandResult(
        employer.key, year, band, None, None, (), (),
        fallback_used=False, basis=BandBasis.OVERRIDE_BAND,
    )  # fmt: skip


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
    undeclared: tuple[Quarter, ...] = (),
) -> Entitlement:
    """One worker's entitlement at one employer for ``year`` from its lines.

    ``band`` is a band (as given by the caller) or a :class:`BandResult`;
    ``full_time_days`` overrides A; ``employer_days`` are added on top.
    ``undeclared`` are the quarters the employer did not declare while the
    occupation was open (:func:`~mycareer.fla.continuation.declaration_gaps`): the
    result says so; under ``options.assume_continuation`` the caller has added the
    continued lines (the gap's segments) to ``occupations``.
    """
    book = rulebook or Rulebook.default()
    opts = options or EntitlementOptions()
    if full_time_days is None:
        check_year(year, book)
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
    core = formula_core(
        coalesce(segments) if segments else (),
        year,
        result.band,
        book,
        opts,
        full_time_days,
        employer_days,
    )
    said = (
        (declaration_missing(employer.key, niss.value, undeclared,
                             assumed=opts.assume_continuation),)
        if undeclared
        else ()
    )  # fmt: skip
    findings = (*result.findings, *said, *core.findings)
    fields = fields_after_worker(
        core, year, result, opts.rounding, book.fla_regime(year), findings,
        projected=False, as_of=None, undeclared=undeclared,
        assumed_continuation=opts.assume_continuation and bool(undeclared),
    )  # fmt: skip
    return Entitlement(employer, niss, *fields)
