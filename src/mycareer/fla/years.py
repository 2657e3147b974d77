"""Which years a computation can answer: the rulebook's coverage and the end of the data.

A year the rulebook does not cover is refused with the covered range, instead of
silently giving no result; a year after the last declared quarter is answered with a
:data:`DATA_END_BEFORE_YEAR` finding that points to the projection
(:func:`mycareer.fla.project_entitlements`, ``mycareer entitlements --project``).

>>> from mycareer.fla.rulebook import Rulebook, SectorSchedule, StatutoryRule
>>> covered_years(Rulebook.default())
(2017, 9999)
>>> check_year(1990, Rulebook.default())
Traceback (most recent call last):
...
mycareer.errors.InvalidValueError: year 1990 is outside the years the rules cover (2017 to ...
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding, Severity
from mycareer.fla.options import Overrides
from mycareer.fla.rulebook import Rulebook, SectorSchedule, StatutoryRule
from mycareer.quarter import Quarter

__all__ = [
    "DATA_END_BEFORE_YEAR",
    "FIRST_ANSWERED_YEAR",
    "LAST_YEAR",
    "check_year",
    "covered_years",
    "data_end_finding",
    "data_end_finding_after",
]

#: Finding code: the declarations end before the year asked for.
DATA_END_BEFORE_YEAR: Final = "DATA_END_BEFORE_YEAR"

#: The last year a date can hold; open-ended rules cover up to it.
LAST_YEAR: Final = 9999

#: The first year the rules can answer: the Law of 5 March 2017 on workable and agile work
#: set the training regime that the Law of 3 October 2022 replaced, so 2017-2022 are
#: answered "no individual yearly right" with that reason (T-PRO-3, T-PRO-4), and a caller
#: who knows the old sector days gives them as an override.
FIRST_ANSWERED_YEAR: Final = 2017


def covered_years(rulebook: Rulebook) -> tuple[int, int]:
    """The years ``rulebook`` answers: from 2017 (or its first rule) to its last rule's end."""
    rules: tuple[StatutoryRule | SectorSchedule, ...] = (*rulebook.statutory, *rulebook.schedules)
    if not rules:
        raise InvalidValueError("the rulebook holds no rule", path="rulebook")
    first = min(FIRST_ANSWERED_YEAR, *(rule.valid_from.year for rule in rules))
    ends = [rule.valid_to.year if rule.valid_to is not None else LAST_YEAR for rule in rules]
    return first, max(ends)


def check_year(year: object, rulebook: Rulebook, overrides: Overrides | None = None) -> int:
    """``year`` when the rules cover it, else an error naming the covered range.

    A year before the rules is still accepted when ``overrides`` give the full-time
    days (regime "override", for instance an older sector agreement).
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidValueError(f"year must be a whole number, not {year!r}", path="year")
    first, last = covered_years(rulebook)
    if first <= year <= last:
        return year
    if overrides is not None and overrides.full_time_days and 1 <= year <= LAST_YEAR:
        return year
    raise InvalidValueError(
        f"year {year} is outside the years the rules cover ({first} to {last})", path="year"
    )


def data_end_finding(records: Iterable[DmfaWorkerRecord], year: int) -> Finding | None:
    """A warning when no declared quarter reaches ``year``, pointing to the projection.

    ``None`` when a record of ``year`` or later exists, or when there is no record at all
    (nothing was read: the reader says so).
    """
    last: Quarter | None = None
    for record in records:
        if last is None or record.quarter > last:
            last = record.quarter
    return data_end_finding_after(last, year)


def data_end_finding_after(last: Quarter | None, year: int) -> Finding | None:
    """:func:`data_end_finding` from the latest declared quarter ``last`` (None: no record).

    For callers that read the records in parts (one employer at a time) and keep only
    each part's latest quarter.
    """
    if last is None or last.year >= year:
        return None
    return Finding(
        DATA_END_BEFORE_YEAR,
        Severity.WARNING,
        f"the declarations end with {last.year} Q{last.number}, before {year}: no "
        f"entitlement of {year} can be read from them; project it from the last declared "
        f"lines with project_entitlements (mycareer entitlements --project)",
    )
