"""Hypothesis strategies for trainings (shared by the fla and xmlio tests), and a sanity check."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.fla.trainings import Training, TrainingStatus, TrainingType
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber

NISSES = [Niss("85073003328"), Niss("50073003369"), Niss("03021512318")]
EMPLOYERS = [
    Employer(EnterpriseNumber("0403019261")),
    Employer(nsso=NssoNumber("100006")),
    Employer(EnterpriseNumber("0403019261"), NssoNumber("100006")),
]

# printable text without surrogates or control characters, trimmed by the converters
_TEXT = st.text(
    alphabet=st.characters(
        min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc")
    ),
    min_size=1,
    max_size=20,
).filter(lambda text: text.strip() == text and text != "")

exact_quantities = st.one_of(
    st.integers(0, 80).map(Fraction),
    st.builds(Fraction, st.integers(0, 4000), st.sampled_from([1, 2, 3, 4, 5, 6, 60, 100])),
)


@st.composite
def trainings(draw: st.DrawFn, *, niss: Niss | None = None) -> Training:
    start = date(2023, 1, 1) + timedelta(days=draw(st.integers(0, 4000)))
    end = start + timedelta(days=draw(st.integers(0, 30)))
    valid_until = draw(st.none() | st.integers(0, 2000).map(lambda d: end + timedelta(days=d)))
    return Training(
        niss=niss or draw(st.sampled_from(NISSES)),
        name=draw(_TEXT),
        start=start,
        end=end,
        hours=draw(exact_quantities),
        type=draw(st.sampled_from(TrainingType)),
        status=draw(st.sampled_from(TrainingStatus)),
        counts_toward_individual_right=draw(st.booleans()),
        provider=draw(st.none() | _TEXT),
        outcome=draw(st.none() | _TEXT),
        certificate=draw(st.none() | _TEXT),
        certificate_valid_until=valid_until,
        funding=draw(st.none() | _TEXT),
        employer=draw(st.none() | st.sampled_from(EMPLOYERS)),
        id=draw(st.none() | _TEXT),
    )


@settings(max_examples=30, deadline=None)
@given(trainings())
def test_generated_trainings_are_valid_records(item: Training) -> None:
    assert item.end >= item.start
    assert item.hours >= 0
