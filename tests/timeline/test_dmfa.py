"""DmfA occupation lines → career periods (docs/recipes/contracts.md)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    DmfaWorkerRecord,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.errors import SourceRef
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.timeline import build_timeline, career_periods_from_dmfa

from .helpers import ACME, NISS

Q1 = Quarter(2023, 1)


def line(
    seq: int, start: date, end: date | None, q: int, s: int = 3800, **extra: object
) -> DmfaOccupation:
    period_end = end if end is not None and end <= Q1.last_day else Q1.last_day
    return DmfaOccupation(
        sequence=seq,
        start=start,
        end=end,
        period=Period(max(start, Q1.first_day), period_end),
        joint_commission=JointCommission("200"),
        working_days_system=500 * q // s,
        contract_type=ContractType.FULL_TIME if q == s else ContractType.PART_TIME,
        mean_working_hours=q,
        ref_mean_working_hours=s,
        source=SourceRef("dmfa.xml", 10 * seq),
        **extra,  # type: ignore[arg-type]
    )


def record(*lines: DmfaOccupation) -> DmfaWorkerRecord:
    return DmfaWorkerRecord(
        employer=ACME,
        quarter=Q1,
        niss=NISS,
        worker_code=495,
        employer_class="010",
        quarter_period=Q1.period,
        occupations=lines,
    )


def test_skeleton_example_full_time_then_four_fifths() -> None:
    """The DmfA skeleton of the samples: full-time until 14 Feb 2023, then 30.4/38 h."""
    result = career_periods_from_dmfa(
        [
            record(
                line(1, date(2019, 9, 1), date(2023, 2, 14), 3800),
                line(2, date(2023, 2, 15), None, 3040),
            )
        ]
    )
    assert [(str(p.period), p.kind, p.fraction and p.fraction.value) for p in result] == [
        ("2023-01-01..2023-02-14", PeriodKind.EMPLOYMENT, Fraction(1)),
        ("2023-02-15..2023-03-31", PeriodKind.EMPLOYMENT, Fraction(4, 5)),
    ]
    assert result.findings == ()
    timeline = build_timeline(result.periods, as_of=date(2023, 3, 31))
    assert sum((s.fte_days for s in timeline), Fraction(0)) == 45 + Fraction(4, 5) * 45


def test_full_career_break_line_becomes_a_career_break() -> None:
    """DmfA FAQ: full break = Q 0, S 38 h, measure 3.

    https://www.socialsecurity.be/site_nl/employer/applics/dmfa/general/faq.htm
    """
    brk = line(1, date(2023, 1, 1), None, 0, reorganisation_measures=[ReorganisationMeasure(3)])
    partial = line(
        2,
        date(2023, 1, 1),
        None,
        1900,
        reorganisation_measures=[ReorganisationMeasure(4)],
        services=[ServiceLine(1, 3200)],
    )
    result = career_periods_from_dmfa([record(brk)])
    [period] = result.periods
    assert period.kind is PeriodKind.CAREER_BREAK
    assert period.employer == ACME
    [partial_period] = career_periods_from_dmfa([record(partial)]).periods
    assert partial_period.kind is PeriodKind.EMPLOYMENT
    assert partial_period.fraction is not None
    assert partial_period.fraction.value == Fraction(1, 2)


def test_termination_indemnity_lines_are_kept_out_with_a_finding() -> None:
    """DmfA instructions: indemnity lines cover time after the contract ended; code 3."""
    worked = line(
        1, date(2023, 1, 1), date(2023, 2, 28), 3800, remunerations=[RemunerationLine(1, 500000)]
    )
    indemnity = line(
        90, date(2023, 3, 1), date(2023, 3, 31), 3800, remunerations=[RemunerationLine(3, 400546)]
    )
    result = career_periods_from_dmfa([record(worked, indemnity)])
    assert [str(p.period) for p in result.periods] == ["2023-01-01..2023-02-28"]
    [finding] = result.findings
    assert finding.code == "DMFA_TERMINATION_INDEMNITY"
    assert finding.source == SourceRef("dmfa.xml", 900)
    assert "code 3" in finding.message


def test_a_line_mixing_pay_and_indemnity_codes_stays_employment() -> None:
    """The shared rule (mycareer.dmfa.is_termination_indemnity): every remuneration must be one."""
    mixed = line(
        1, date(2023, 1, 1), date(2023, 3, 31), 3800,
        remunerations=[RemunerationLine(1, 500000), RemunerationLine(3, 1000)],
    )  # fmt: skip
    result = career_periods_from_dmfa([record(mixed)])
    assert [p.kind for p in result.periods] == [PeriodKind.EMPLOYMENT]
    assert result.findings == ()
