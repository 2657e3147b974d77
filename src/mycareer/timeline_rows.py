"""Career periods as the plain rows the timeline shuffle carries (:mod:`mycareer.timeline_jobs`).

A map task writes each career period as a tuple of plain values (:func:`period_row`);
the reduce rebuilds the period from it (:func:`period_from_row`), or a worker's periods
from its rows at once (:func:`worker_periods`: one :class:`~mycareer.niss.Niss` object
for all of them).

>>> from datetime import date
>>> from mycareer.career import CareerPeriod
>>> job = CareerPeriod("85073003328", "employment", Period(date(2024, 1, 1), None),
...                    employer="0403019261", fraction="4/5")
>>> period_from_row(period_row(job)) == job
True
>>> first, second = worker_periods([period_row(job), period_row(job)])
>>> first == second == job, first.niss is second.niss
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mycareer._cache import bounded_cache
from mycareer._slots import trusted_constructor
from mycareer.career import CareerPeriod
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.work_fraction import WorkFraction

__all__ = ["PeriodRow", "period_from_row", "period_row", "row_file", "worker_periods"]

#: A career period as plain values (see :func:`period_row`).
PeriodRow = tuple[Any, ...]
_KINDS = {kind.value: kind for kind in PeriodKind}
# Rows are rebuilt from values the checked constructors made in the map step of the
# same run (tests/scale/test_timeline_jobs.py holds the round trip equal).
_career = trusted_constructor(CareerPeriod)
_niss = trusted_constructor(Niss)
_period = trusted_constructor(Period)
_fraction = trusted_constructor(WorkFraction)
_source = trusted_constructor(SourceRef)


@bounded_cache(maxsize=1024)  # a run's rows repeat a few dozen (immutable values, shared)
def _committee(code: str) -> JointCommission:
    return JointCommission(code)


def period_row(period: CareerPeriod) -> PeriodRow:
    """A career period as a tuple of plain values, which :func:`period_from_row` rebuilds.

    Pickling the attrs objects themselves (a state dict for each of the nine objects of
    a period) made the shuffle's rows cost twice as much CPU to write and read back:
    measured 0.40 s against 0.19 s for 15,408 periods, 3.4 MB against 2.4 MB.
    """
    span, fraction, committee, source = (
        period.period, period.fraction, period.joint_commission, period.source,
    )  # fmt: skip
    return (
        period.niss.value, period.kind.value, span.start, span.stop, period.employer,
        None if fraction is None else fraction.value,
        None if committee is None else committee.code, period.label, period.provisional,
        None if source is None else (source.file, source.line, source.record),
    )  # fmt: skip


def row_file(row: PeriodRow) -> str | None:
    """The file of the period :func:`period_row` made ``row`` from (None: no source)."""
    source = row[9]
    return None if source is None else str(source[0])


def period_from_row(row: PeriodRow) -> CareerPeriod:
    """The career period :func:`period_row` made ``row`` from (equal to it)."""
    return _rebuilt(row, _niss(row[0]))


def worker_periods(rows: Sequence[PeriodRow]) -> list[CareerPeriod]:
    """:func:`period_from_row` of each of one worker's rows, all with one ``Niss`` object.

    Built once rather than per row, the shared NISS also spares
    :func:`~mycareer.timeline.build_timeline`, which checks that the periods are one
    worker's, comparing equal NISS objects (an attrs ``__eq__`` call per period).
    Raises :class:`ValueError` when the rows are not all of one NISS.
    """
    if not rows:
        return []
    value = rows[0][0]
    niss = _niss(value)
    periods: list[CareerPeriod] = []
    for row in rows:
        if row[0] != value:
            raise ValueError(f"rows of several workers: NISS {value} and {row[0]}")
        periods.append(_rebuilt(row, niss))
    return periods


def _rebuilt(row: PeriodRow, niss: Niss) -> CareerPeriod:
    _value, kind, start, stop, employer, fraction, committee, label, provisional, source = row
    return _career(
        niss, _KINDS[kind], _period(start, stop), employer,
        None if fraction is None else _fraction(fraction),
        None if committee is None else _committee(committee), label, provisional,
        None if source is None else _source(*source),
    )  # fmt: skip
