"""Entitlements of a year not (fully) declared yet: :func:`project_entitlements`.

The lines in force on ``as_of`` are assumed to go on to the end of the year; the
result is flagged ``projected``. The counts, the duplicate check, the clipping and
the formula are those of the bulk path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.fla.band import (
    DeclaredQuarter,
    DuplicateKey,
    duplicate_key,
    is_termination_indemnity,
    quarter_counts,
)
from mycareer.fla.bulk import assemble, employer_bands
from mycareer.fla.continuation import projected_lines
from mycareer.fla.formula import Segment, year_window
from mycareer.fla.options import EntitlementOptions, Overrides
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.values import Entitlement
from mycareer.fla.years import check_year
from mycareer.niss import Niss
from mycareer.quarter import Quarter

__all__ = ["project_entitlements", "projection_as_of"]


def _latest_quarters(
    records: Sequence[DmfaWorkerRecord], as_of_quarter: Quarter
) -> dict[tuple[str, str], Quarter]:
    """Per (employer, worker), the employer's latest quarter up to ``as_of`` if the worker
    is in it (a worker absent from the employer's latest declared quarter has left)."""
    latest: dict[tuple[str, str], Quarter] = {}
    employer_latest: dict[str, Quarter] = {}
    for record in records:
        if record.quarter <= as_of_quarter:
            k = (record.employer.key, record.niss.value)
            if k not in latest or record.quarter > latest[k]:
                latest[k] = record.quarter
            if employer_latest.get(k[0], record.quarter) <= record.quarter:
                employer_latest[k[0]] = record.quarter
    return {k: q for k, q in latest.items() if employer_latest[k[0]] == q}


def projection_as_of(records: Iterable[DmfaWorkerRecord], year: int) -> date:
    """The default reference date of a projection of ``year``: the last day of the latest
    quarter declared before ``year``, else 31 December of the year before.

    >>> projection_as_of([], 2026)
    datetime.date(2025, 12, 31)
    """
    before = [r.quarter for r in records if r.quarter.year < year]
    return max(before).last_day if before else date(year - 1, 12, 31)


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
    check_year(target, book, over)
    materialised = records if isinstance(records, list | tuple) else list(records)
    counts = quarter_counts(materialised, declarations, indemnity_codes=opts.indemnity_codes)
    as_of_quarter = Quarter.of(as_of)
    latest = _latest_quarters(materialised, as_of_quarter)
    declared_window = year_window(target, until=as_of)
    ahead_window = year_window(target, since=as_of + timedelta(days=1))
    nested: dict[str, dict[str, list[Segment]]] = {}
    employers: dict[str, Employer] = {}
    people: dict[str, Niss] = {}
    seen: set[tuple[str, Quarter, DuplicateKey]] = set()
    for record in materialised:
        k = (record.employer.key, record.niss.value)
        in_latest = latest.get(k) == record.quarter
        in_target = record.quarter.year == target and record.quarter <= as_of_quarter
        mark = (k[0], record.quarter, duplicate_key(record))
        if not (in_latest or in_target) or mark in seen:
            continue
        seen.add(mark)
        found = [
            segment
            for occupation in record.occupations
            if not is_termination_indemnity(occupation, opts.indemnity_codes)
            for segment in projected_lines(
                occupation,
                as_of,
                declared_window if in_target else None,
                ahead_window if in_latest else None,
            )
        ]
        if found:
            nested.setdefault(k[0], {}).setdefault(k[1], []).extend(found)
        if k[1] in nested.get(k[0], {}):
            employers.setdefault(k[0], record.employer)
            people.setdefault(k[1], record.niss)
    bands = employer_bands(employers, target, counts, over, opts)
    return assemble(
        nested, employers, people, bands, target, book, over, opts, {},
        projected=True, as_of=as_of,
    )  # fmt: skip
