"""The DmfA-to-career fast paths against their checked constructors.

``career_periods_from_dmfa`` builds each period with the trusted constructor from the
record's own (already checked) values, and ``DmfaOccupation.fraction`` shares the
work fractions of equal Q/S pairs. Both must give exactly what the checked
constructors give: these tests rebuild every value the checked way and compare.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mycareer import dmfa
from mycareer.career import CareerPeriod
from mycareer.dmfa import RemunerationLine, ReorganisationMeasure
from mycareer.errors import InvalidWorkFractionError
from mycareer.kinds import PeriodKind
from mycareer.timeline import career_periods_from_dmfa
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.dmfa import read_dmfa

from .test_dmfa import line, record

DEMO = Path(str(resources.files("mycareer.data.demo")))


def _checked(period: CareerPeriod) -> CareerPeriod:
    """The same period through the checked constructor (converters and validators run)."""
    return CareerPeriod(**{f.name: getattr(period, f.name) for f in attrs.fields(CareerPeriod)})


def test_the_demo_declarations_give_the_periods_the_checked_constructor_gives() -> None:
    batch = read_dmfa(DEMO / "dmfa")
    periods = career_periods_from_dmfa(batch.records).periods
    assert len(periods) > 10
    for period in periods:
        assert _checked(period) == period
        assert type(period.fraction) in (WorkFraction, type(None))
    assert {period.kind for period in periods} <= {PeriodKind.EMPLOYMENT, PeriodKind.CAREER_BREAK}


@given(
    st.integers(min_value=0, max_value=5000),
    st.integers(min_value=1, max_value=5000),
    st.booleans(),
    st.booleans(),
)
def test_every_line_kind_gives_the_checked_period(
    q: int, s: int, full_break: bool, indemnity: bool
) -> None:
    extra: dict[str, object] = {}
    if full_break:
        extra["reorganisation_measures"] = [ReorganisationMeasure(3)]
    if indemnity:
        extra["remunerations"] = [RemunerationLine(3, 100_000)]
    occupation = line(1, date(2023, 1, 1), None, q, s, **extra)
    career = career_periods_from_dmfa([record(occupation)])
    if indemnity:
        assert career.periods == ()
        return
    (period,) = career.periods
    assert _checked(period) == period
    assert period.fraction == WorkFraction.from_hundredths(q, s)  # the shared fraction
    expected = PeriodKind.CAREER_BREAK if full_break and q == 0 else PeriodKind.EMPLOYMENT
    assert period.kind is expected
    assert period.label == (
        "full career break (measure 3)" if expected is expected.CAREER_BREAK else None
    )
    assert period.provisional is False


@given(st.integers(min_value=-5, max_value=10_000), st.integers(min_value=-5, max_value=10_000))
def test_a_shared_fraction_equals_one_built_anew(q: int, s: int) -> None:
    try:
        expected = WorkFraction.from_hundredths(q, s)
    except InvalidWorkFractionError as error:
        for _again in range(2):  # a refused pair is refused every time, never cached
            with pytest.raises(InvalidWorkFractionError, match=re.escape(str(error))):
                dmfa._work_fraction(q, s)
        return
    assert dmfa._work_fraction(q, s) == expected
    assert dmfa._work_fraction(q, s) is dmfa._work_fraction(q, s)  # shared
