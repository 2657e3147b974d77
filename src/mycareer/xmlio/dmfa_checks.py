"""Consistency rules a DmfA occupation line must meet, shared by the checked and fast readers.

* ``RefMeanWorkingHours`` (S, zone 00049) lies in the domain of the official
  ``DmfAOriginal`` XSD, [1; 6000] hundredths (the glossary says [1; 4800] "in
  general": sector exceptions go up to the XSD's bound), 0 only with Q = 0
  or no Q; ``MeanWorkingHours`` (Q, zone 00048) is at most S: a fraction Q/S
  above 1 cannot be declared;
* a line lies at least partly in its quarter, unless it is a termination-indemnity
  line (zone 00045: the ending date lies within the quarter except for those).

Sources: the ONSS glossary of zones 00045, 00048 and 00049
(https://www.socialsecurity.be/employer/instructions/dmfa/fr/latest/intermediates).

>>> work_hours_problem(3040, 3800) is None
True
>>> work_hours_problem(999999999, 3800)[0]
'MeanWorkingHours'
>>> work_hours_problem(None, 6001)
('RefMeanWorkingHours', 'invalid RefMeanWorkingHours 6001: outside the ONSS domain [1; 6000]')
"""

from __future__ import annotations

from datetime import date
from typing import Final

__all__ = ["MAX_REF_MEAN_WORKING_HOURS", "overlaps_quarter", "work_hours_problem"]

#: Upper bound of RefMeanWorkingHours (S) in hundredths: 60 hours a week, the XSD's bound.
MAX_REF_MEAN_WORKING_HOURS: Final = 6000


def work_hours_problem(q: int | None, s: int | None) -> tuple[str, str] | None:
    """``(field, message)`` when Q and S cannot be declared together, else None."""
    if s is not None and s > MAX_REF_MEAN_WORKING_HOURS:
        return (
            "RefMeanWorkingHours",
            f"invalid RefMeanWorkingHours {s}: outside the ONSS domain "
            f"[1; {MAX_REF_MEAN_WORKING_HOURS}]",
        )
    if s == 0 and q:
        return (
            "RefMeanWorkingHours",
            f"invalid work fraction Q/S = {q}/0: S (RefMeanWorkingHours) must be positive",
        )
    if q is not None and s and q > s:
        return (
            "MeanWorkingHours",
            f"invalid work fraction Q/S = {q}/{s}: MeanWorkingHours (Q) is above "
            "RefMeanWorkingHours (S)",
        )
    return None


def overlaps_quarter(start: date, end: date | None, quarter: tuple[date, date]) -> bool:
    """True when the line ``start``..``end`` (open: None) shares a day with the quarter."""
    return start <= quarter[1] and (end is None or end >= quarter[0])
