"""From DmfA worker records to career periods (docs/recipes/contracts.md).

* an occupation line becomes ``EMPLOYMENT`` over its dates *clipped to the
  quarter*, with the exact work fraction Q/S and the joint committee;
* a full career break line (reorganisation measure 3 with Q = 0) becomes
  ``CAREER_BREAK`` at the same employer (the relation stands, no work is due);
  a partial break (measure 4) stays employment with its reduced Q/S;
* a line whose remunerations all carry termination-indemnity codes (annex 7
  code 3, "indemnité de rupture"; such lines cover periods *after* the contract
  ended; the shared rule :func:`mycareer.dmfa.is_termination_indemnity`)
  is not employment: it is kept out, with a
  ``DMFA_TERMINATION_INDEMNITY`` finding;
* sickness, maternity or temporary unemployment appear in DmfA only as day
  counts per service code (DmfA annex 8), not as dates, so they yield no period.

Lines of one job declared quarter after quarter stay separate records;
merging them is a view (:func:`~mycareer.timeline.merge_by`, or the
labelled timeline, which coalesces identical adjacent stretches).

>>> from datetime import date
>>> from mycareer.dmfa import ContractType, DmfaOccupation, DmfaWorkerRecord
>>> from mycareer.employer import Employer
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.joint_commission import JointCommission
>>> from mycareer.niss import Niss
>>> from mycareer.quarter import Quarter
>>> q = Quarter(2024, 1)
>>> line = DmfaOccupation(sequence=1, start=date(2020, 9, 1), end=None,
...     period=Period(date(2024, 1, 1), date(2024, 3, 31)),
...     joint_commission=JointCommission("200"), working_days_system=400,
...     contract_type=ContractType.PART_TIME, mean_working_hours=3040,
...     ref_mean_working_hours=3800)
>>> record = DmfaWorkerRecord(employer=Employer(EnterpriseNumber("0403019261")), quarter=q,
...     niss=Niss("85073003328"), worker_code=495, employer_class="010",
...     quarter_period=q.period, occupations=[line])
>>> result = career_periods_from_dmfa([record])
>>> [(str(p.period), p.kind.value, str(p.fraction)) for p in result.periods]
[('2024-01-01..2024-03-31', 'employment', '4/5')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from mycareer._html import summarised
from mycareer._slots import trusted_constructor
from mycareer.career import CareerPeriod
from mycareer.dmfa import (
    TERMINATION_INDEMNITY_REMUNERATION_CODES,
    DmfaOccupation,
    DmfaWorkerRecord,
    is_termination_indemnity,
)
from mycareer.errors import SourceRef
from mycareer.findings import Finding, Severity
from mycareer.kinds import PeriodKind
from mycareer.period import Period

__all__ = ["TERMINATION_INDEMNITY_CODES", "DmfaCareer", "career_periods_from_dmfa"]

#: Annex 7 remuneration codes that mark a termination-indemnity line (the shared
#: rule of :func:`mycareer.dmfa.is_termination_indemnity`, also used by the training right).
TERMINATION_INDEMNITY_CODES: frozenset[int] = TERMINATION_INDEMNITY_REMUNERATION_CODES


@summarised
@attrs.frozen
class DmfaCareer:
    """Career periods read from DmfA records, and what was kept out (as findings)."""

    periods: tuple[CareerPeriod, ...]
    findings: tuple[Finding, ...] = ()

    def __iter__(self) -> Iterator[CareerPeriod]:
        return iter(self.periods)


#: Periods made of a record's own values, which the record's class already checked
#: (types only: CareerPeriod's checks convert and check types, nothing else); the checked
#: constructor cost 0.7 s of a 10 s timeline run (tests/timeline/test_dmfa_trusted.py).
_new_period = trusted_constructor(CareerPeriod)


def _line_period(record: DmfaWorkerRecord, line: DmfaOccupation) -> Period | None:
    return line.period.clip(record.quarter_period)


_DECLARED = False  # provisional: a DmfA line is declared, not provisional
_EMPLOYMENT: tuple[PeriodKind, str | None] = (PeriodKind.EMPLOYMENT, None)
_FULL_BREAK: tuple[PeriodKind, str | None] = (
    PeriodKind.CAREER_BREAK,
    "full career break (measure 3)",
)


def career_periods_from_dmfa(
    records: Iterable[DmfaWorkerRecord],
    *,
    termination_codes: frozenset[int] = TERMINATION_INDEMNITY_CODES,
) -> DmfaCareer:
    """Turn DmfA occupation lines into ``EMPLOYMENT`` / ``CAREER_BREAK`` career periods.

    Every line is either turned into a period or reported by a finding.
    """
    periods: list[CareerPeriod] = []
    findings: list[Finding] = []
    for record in records:
        for line in record.occupations:
            source = line.source or record.source
            if is_termination_indemnity(line, termination_codes):
                findings.append(_indemnity_finding(record, line, source))
                continue
            period = _line_period(record, line)
            if period is None:
                findings.append(_outside_finding(record, line, source))
                continue
            kind, label = _EMPLOYMENT
            if line.is_full_career_break:
                kind, label = _FULL_BREAK
            # Positional, in field order (niss, kind, period, employer, fraction,
            # joint_commission, label, provisional, source).
            periods.append(
                _new_period(
                    record.niss, kind, period, record.employer, line.fraction,
                    line.joint_commission, label, _DECLARED, source,
                )
            )  # fmt: skip
    return DmfaCareer(tuple(periods), tuple(findings))


def _where(record: DmfaWorkerRecord) -> str:
    # Spelt only for a finding: spelling it for every line cost a tenth of this step.
    return f"{record.niss} at {record.employer.key}, quarter {record.quarter}"


def _indemnity_finding(
    record: DmfaWorkerRecord, line: DmfaOccupation, source: SourceRef | None
) -> Finding:
    codes = ", ".join(str(c) for c in sorted(line.remuneration_codes))
    return Finding(
        "DMFA_TERMINATION_INDEMNITY",
        Severity.INFO,
        f"occupation line {line.sequence} of {_where(record)} covers "
        f"{line.start.isoformat()}..{'' if line.end is None else line.end}"
        f" with termination-indemnity remuneration code {codes}: "
        "not counted as employment",
        source,
    )


def _outside_finding(
    record: DmfaWorkerRecord, line: DmfaOccupation, source: SourceRef | None
) -> Finding:
    return Finding(
        "DMFA_LINE_OUTSIDE_QUARTER",
        Severity.WARNING,
        f"occupation line {line.sequence} of {_where(record)} ({line.period}) lies "
        f"outside the quarter {record.quarter_period}: kept out",
        source,
    )
