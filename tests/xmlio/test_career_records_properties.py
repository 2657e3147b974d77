"""Property tests of the career-records format (issue 3 §3 and §8).

Any valid list of :class:`CareerRecords` written and read back is equal, keeps
employer names (which ``Employer.__eq__`` ignores) and validates against
``career-records-1.xsd``.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    career_records_bytes,
    read_career_records,
)
from mycareer.xmlio.formats import validate

# XML 1.0 text: no control characters but tab/newline/carriage return, no
# surrogates, no non-characters (category Cn also holds U+FFFE/U+FFFF).
xml_text = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n\r "),
    max_size=12,
)


@st.composite
def nisses(draw: st.DrawFn) -> Niss:
    """National-register numbers of people born 1940–1999 (checksum computed here)."""
    born = draw(st.dates(date(1940, 1, 1), date(1999, 12, 31)))
    serial = draw(st.integers(1, 997))
    base = f"{born:%y%m%d}{serial:03d}"
    return Niss(f"{base}{97 - int(base) % 97:02d}")


@st.composite
def enterprises(draw: st.DrawFn) -> EnterpriseNumber:
    base = draw(st.integers(2_000_000, 19_999_999))  # first digit 0 or 1 once padded
    return EnterpriseNumber(f"{base:08d}{97 - base % 97:02d}")


nsso_numbers = st.one_of(st.integers(100006, 199999934), st.integers(5000000120, 5999999989)).map(
    NssoNumber
)


@st.composite
def employers(draw: st.DrawFn) -> Employer:
    enterprise = draw(st.none() | enterprises())
    nsso = draw(nsso_numbers) if enterprise is None else draw(st.none() | nsso_numbers)
    return Employer(enterprise, nsso, draw(st.none() | xml_text))


@st.composite
def spans(draw: st.DrawFn) -> Period:
    start = draw(st.dates(date(1, 1, 1), date(9999, 12, 30)))
    if draw(st.booleans()):
        return Period(start, None)
    return Period(start, draw(st.dates(start, date(9999, 12, 31))))


fractions = st.builds(Fraction, st.integers(0, 400), st.integers(1, 120)).map(WorkFraction)
committees = st.from_regex(r"[0-9]{3}(\.[0-9]{2}){0,2}|XXX", fullmatch=True).map(JointCommission)
sources = st.builds(
    SourceRef,
    st.none() | xml_text,
    st.none() | st.integers(-5, 10**9),
    st.none() | xml_text,
)


@st.composite
def career_records(draw: st.DrawFn) -> CareerRecords:
    niss = draw(nisses())
    pool = draw(st.lists(employers(), max_size=3))
    # Same enterprise, other NSSO number: one employer key, two employers.
    if pool and pool[0].enterprise is not None and draw(st.booleans()):
        pool.append(Employer(pool[0].enterprise, draw(nsso_numbers), pool[0].name))
    periods = draw(
        st.lists(
            st.builds(
                CareerPeriod,
                st.just(niss),
                st.sampled_from(PeriodKind),
                spans(),
                st.sampled_from(pool) | st.none() if pool else st.none(),
                st.none() | fractions,
                st.none() | committees,
                st.none() | xml_text,
                st.booleans(),
                st.none() | sources,
            ),
            max_size=6,
        )
    )
    return CareerRecords(niss, periods, draw(st.none() | xml_text))


def employer_names(workers: tuple[CareerRecords, ...] | list[CareerRecords]) -> list[object]:
    return [
        None if p.employer is None else (p.employer.name, p.employer.nsso)
        for worker in workers
        for p in worker.periods
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(career_records(), max_size=5))
def test_written_documents_validate_and_read_back_equal(workers: list[CareerRecords]) -> None:
    data = career_records_bytes(workers)
    assert validate(data, CAREER_RECORDS) == []
    result = read_career_records(data)
    assert result.errors == ()
    assert list(result.records) == workers
    assert employer_names(result.records) == employer_names(workers)
    assert [w.name for w in result.records] == [w.name for w in workers]
