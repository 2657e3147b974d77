"""Quarters an employer did not declare while a worker's occupation was still open.

A DmfA line carries ``OccupationEndingDate`` only in the quarter the occupation
ends; a line without it at the end of a quarter goes on into the next. When the
employer's next quarters of the year are not in the data (not filed yet, or the
file was not given), reading them as "no employment" silently drops months. So:

* :func:`undeclared_quarters` is the rule: the quarters of the year the employer
  did not declare while the worker's occupation was open at the end of the last
  quarter it declared before them (from Q4 of the year before on);
* the result gets a :data:`DECLARATION_MISSING` finding naming them and keeps them
  in ``Entitlement.undeclared_quarters`` (a warning: the result is incomplete);
* with ``EntitlementOptions.assume_continuation`` the open lines are assumed to go
  on through those quarters, with the projection's logic (:func:`projected_lines`,
  as :func:`~mycareer.fla.projection.project_entitlements` uses it), and the
  finding says so (information).

The bulk path collects the open lines during its single pass, as compact
:class:`OpenLine` values (not the records); the per-worker reference gathers them
with :func:`declaration_gaps`. Both call the functions here.

>>> Q = Quarter
>>> undeclared_quarters(2024, {Q(2023, 4), Q(2024, 1)}, {Q(2024, 1)})
(Quarter(year=2024, number=2), Quarter(year=2024, number=3), Quarter(year=2024, number=4))
>>> undeclared_quarters(2024, {Q(2024, 1), Q(2024, 3)}, {Q(2024, 1)})
(Quarter(year=2024, number=2),)
>>> undeclared_quarters(2024, {Q(2024, 1)}, set())
()
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from datetime import date
from typing import Final, NamedTuple

from mycareer.dmfa import DmfaOccupation, DmfaWorkerRecord, is_termination_indemnity
from mycareer.findings import Finding, Severity
from mycareer.fla.band import (
    TERMINATION_INDEMNITY_REMUNERATION_CODES,
    DeclaredQuarter,
    DuplicateKey,
    duplicate_key,
)
from mycareer.fla.formula import Segment, YearWindow, clip, year_window
from mycareer.quarter import Quarter

__all__ = [
    "DECLARATION_MISSING",
    "Gap",
    "OpenLine",
    "continued_line",
    "continued_segments",
    "declaration_gaps",
    "declaration_missing",
    "gap_of",
    "is_open_at_end",
    "line_segment",
    "lines_may_continue",
    "open_line",
    "projected_lines",
    "undeclared_quarters",
]

#: Finding code: quarters of the year not declared while an occupation was open.
DECLARATION_MISSING: Final = "DECLARATION_MISSING"

#: A worker's undeclared quarters and the lines assumed to continue through them.
Gap = tuple[tuple[Quarter, ...], tuple[Segment, ...]]


class OpenLine(NamedTuple):
    """What the continuation rules need of a line: its dates, then its Q, S, committee
    and days a week (the fields of :class:`Segment` after the span, in order).

    Compact on purpose: the bulk path keeps one per line open at a quarter's end from
    Q4 of the year before on, instead of the record holding it.
    """

    start: date
    end: date | None
    q: int
    s: int
    joint_commission: str
    working_days_system: int


def open_line(occupation: DmfaOccupation) -> OpenLine:
    """The :class:`OpenLine` of an occupation line."""
    return OpenLine(
        occupation.start,
        occupation.end,
        occupation.mean_working_hours or 0,
        occupation.ref_mean_working_hours or 0,
        occupation.joint_commission.code,
        occupation.working_days_system,
    )


def line_segment(occupation: DmfaOccupation, span: tuple[int, int]) -> Segment:
    """``occupation``'s Q, S, committee and days a week over ``span`` (day ordinals)."""
    line = open_line(occupation)
    return Segment(*span, line.q, line.s, line.joint_commission, line.working_days_system)


def continued_line(line: OpenLine, as_of: date, ahead: YearWindow) -> Segment | None:
    """The line assumed to go on over ``ahead`` when it is in force on ``as_of`` (else
    None, as when nothing of it falls in ``ahead``)."""
    end = line.end
    if line.start <= as_of and (end is None or end >= as_of):
        stop = None if end is None else end.toordinal() + 1
        span = clip(line.start.toordinal(), stop, ahead)
        if span is not None:
            return Segment(*span, line.q, line.s, line.joint_commission, line.working_days_system)
    return None


def projected_lines(
    occupation: DmfaOccupation,
    as_of: date,
    declared: YearWindow | None,
    ahead: YearWindow | None,
) -> list[Segment]:
    """The line's declared part up to ``as_of`` (``declared``) and, when in force on
    ``as_of``, its assumed continuation over ``ahead``."""
    found: list[Segment] = []
    if declared is not None:
        period = occupation.period
        span = clip(
            period.start.toordinal(),
            None if period.stop is None else period.stop.toordinal(),
            declared,
        )
        if span is not None:
            found.append(line_segment(occupation, span))
    if ahead is not None:
        continued = continued_line(open_line(occupation), as_of, ahead)
        if continued is not None:
            found.append(continued)
    return found


def is_open_at_end(occupation: DmfaOccupation, last_day: date) -> bool:
    """The line goes on after its quarter's ``last_day`` (no ending date in the quarter)."""
    end = occupation.end
    return occupation.start <= last_day and (end is None or end > last_day)


def undeclared_quarters(
    year: int, declared: Collection[Quarter], open_at: Collection[Quarter]
) -> tuple[Quarter, ...]:
    """The quarters of ``year`` not in ``declared`` whose previous declared quarter (Q4 of
    the year before or later) is in ``open_at``: the worker's occupation was open at its end."""
    earliest = Quarter(year - 1, 4)
    found: list[Quarter] = []
    for quarter in Quarter.range(Quarter(year, 1), Quarter(year, 4)):
        if quarter in declared:
            continue
        before = [q for q in declared if earliest <= q < quarter]
        if before and max(before) in open_at:
            found.append(quarter)
    return tuple(found)


def lines_may_continue(quarter: Quarter, declared: Container[Quarter]) -> bool:
    """Whether the lines open at the end of ``quarter`` may still go on into an undeclared
    quarter: not once the employer declared the next one, since
    :func:`undeclared_quarters` only looks at the last quarter declared before a gap."""
    return quarter + 1 not in declared


def continued_segments(
    year: int,
    undeclared: Sequence[Quarter],
    declared: Collection[Quarter],
    open_lines: Mapping[Quarter, Sequence[OpenLine]],
) -> tuple[Segment, ...]:
    """The open lines of the quarter before each undeclared quarter, assumed to go on
    through it (:func:`continued_line`, as the projection continues a line)."""
    found: list[Segment] = []
    for quarter in undeclared:
        before = max(q for q in declared if q < quarter)
        ahead = year_window(year, since=quarter.first_day, until=quarter.last_day)
        for line in open_lines.get(before, ()):
            continued = continued_line(line, before.last_day, ahead)
            if continued is not None:
                found.append(continued)
    return tuple(found)


def declaration_missing(
    employer_key: str, niss: str, undeclared: Sequence[Quarter], *, assumed: bool
) -> Finding:
    """The finding of a worker's undeclared quarters: a warning, or information when the
    caller chose to assume the occupation continued."""
    quarters = ", ".join(str(q) for q in undeclared)
    if assumed:
        return Finding(
            DECLARATION_MISSING,
            Severity.INFO,
            f"employer {employer_key}, worker {niss}: no declaration for {quarters}; the "
            "occupation open before them is assumed to continue (assume_continuation)",
        )
    return Finding(
        DECLARATION_MISSING,
        Severity.WARNING,
        f"employer {employer_key}, worker {niss}: no declaration for {quarters} although "
        "the occupation was open at the end of the quarter declared before: those months are "
        "not counted and the result is incomplete (assume_continuation credits them)",
    )


def declaration_gaps(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter],
    year: int,
    *,
    indemnity_codes: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES,
) -> dict[tuple[str, str], Gap]:
    """Per (employer key, NISS) with undeclared quarters in ``year``: those quarters and the
    lines assumed to continue through them. The reference of the bulk path's collection."""
    declared: dict[str, set[Quarter]] = {}
    opens: dict[tuple[str, str], dict[Quarter, list[OpenLine]]] = {}
    for declaration in declarations:
        declared.setdefault(declaration.employer.key, set()).add(declaration.quarter)
    seen: set[tuple[str, Quarter, DuplicateKey]] = set()
    for record in records:
        key, quarter = record.employer.key, record.quarter
        declared.setdefault(key, set()).add(quarter)
        mark = (key, quarter, duplicate_key(record))
        if mark in seen:  # a record given twice counts once
            continue
        seen.add(mark)
        lines = opens.setdefault((key, record.niss.value), {}).setdefault(quarter, [])
        for occupation in record.occupations:
            if is_open_at_end(occupation, quarter.last_day) and not is_termination_indemnity(
                occupation, indemnity_codes
            ):
                lines.append(open_line(occupation))
    gaps: dict[tuple[str, str], Gap] = {}
    for (key, niss), by_quarter in opens.items():
        gap = gap_of(year, declared[key], {q: found for q, found in by_quarter.items() if found})
        if gap is not None:
            gaps[(key, niss)] = gap
    return gaps


def gap_of(
    year: int,
    declared: Collection[Quarter],
    open_lines: Mapping[Quarter, Sequence[OpenLine]],
) -> Gap | None:
    """A worker's :data:`Gap` at an employer (``None`` when there is none), from the
    employer's declared quarters and the worker's open lines per quarter."""
    missing = undeclared_quarters(year, declared, open_lines)
    if not missing:
        return None
    return missing, continued_segments(year, missing, declared, open_lines)
