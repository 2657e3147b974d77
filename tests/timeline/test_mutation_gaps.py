"""Kill the mutants of ``timeline/_gaps.py`` the other tests left alive (docs/mutation.md).

Day counts are calendar facts of 2024: 16 February to 31 March is 14 + 31 = 45 days
with 10 + 21 weekdays and no Belgian public holiday; 3 to 28 June is 26 days with 20
weekdays (Whit Monday was 20 May).
"""

from __future__ import annotations

from datetime import date

import pytest

from mycareer.errors import InvalidValueError
from mycareer.period import Period
from mycareer.timeline import gaps
from mycareer.timeline._gaps import provisional_start


def test_a_real_gap_reads_as_days_and_working_days() -> None:
    jobs = [Period(date(2024, 1, 1), date(2024, 2, 15)), Period(date(2024, 4, 1), None)]
    (gap,) = gaps(jobs, Period(date(2024, 1, 1), date(2024, 12, 31)), as_of=date(2024, 6, 28))
    assert str(gap) == "2024-02-16..2024-03-31: 45 days, 31 working days"


def test_a_provisional_gap_says_so() -> None:
    jobs = [Period(date(2024, 1, 1), date(2024, 6, 2))]
    (gap,) = gaps(
        jobs, Period(date(2024, 1, 1), None), as_of=date(2024, 6, 28), provisional_quarters=1
    )
    assert str(gap) == "2024-06-03..2024-06-28: 26 days, 20 working days (provisional)"


def test_bad_arguments_name_the_value() -> None:
    with pytest.raises(InvalidValueError, match="provisional_quarters must be 0 or more, got -1"):
        provisional_start(date(2024, 5, 10), -1)
    with pytest.raises(InvalidValueError, match="min_days must be at least 1, got 0"):
        gaps([], Period(date(2024, 1, 1), None), as_of=date(2024, 5, 10), min_days=0)
