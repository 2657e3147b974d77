"""Timelines from contracts: their DmfA records through the DmfA route.

>>> from datetime import date
>>> from mycareer.contract import Contract
>>> job = Contract("0403019261", "85073003328", date(2024, 4, 29), None,
...                weekly_hours="30.4", joint_commission="111")
>>> [timeline] = timelines_from_contracts([job], as_of=date(2024, 8, 15)).values()
>>> [(str(s.period), s.kind.value, s.fte) for s in timeline.segments]
[('2024-04-29..2024-09-30', 'employment', Fraction(4, 5))]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from mycareer.contract import Contract, contract_records
from mycareer.niss import Niss
from mycareer.quarter import Quarter
from mycareer.timeline._dmfa import career_periods_from_dmfa
from mycareer.timeline._labelled import DEFAULT_PRECEDENCE, Precedence, Timeline, build_timelines

__all__ = ["timelines_from_contracts"]


def timelines_from_contracts(
    contracts: Iterable[Contract], *, as_of: date, precedence: Precedence = DEFAULT_PRECEDENCE
) -> dict[Niss, Timeline]:
    """One timeline per worker, from the contracts' DmfA up to the quarter of ``as_of``.

    As from DmfA, an ongoing contract shows until the end of the last quarter
    declared (the quarter of ``as_of``).
    """
    chosen = tuple(contracts)
    if not chosen:
        return {}
    first = min(Quarter.of(contract.start) for contract in chosen)
    found = contract_records(chosen, first=first, last=Quarter.of(as_of))
    career = career_periods_from_dmfa(found.records)
    return build_timelines(career.periods, as_of=as_of, precedence=precedence)
