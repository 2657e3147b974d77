"""The Dimona personnel file against the employer's own declarations.

The personnel file (:mod:`mycareer.personnel_file`) is the ONSS's list of an
employer's Dimona periods: in the timeline it is the authoritative Dimona
source. :func:`reconcile_dimona` compares it, per worker and period id, with
the periods folded from the employer's own declarations and their outcomes
(:func:`~mycareer.timeline.consolidate_dimona`), and gives:

* the employment periods to use: every period of the file that is not
  cancelled; plus the declared periods the file cannot speak for (another
  employer, outside the file's reference window, or an incomplete answer);
* one :class:`DimonaDifference` (and a warning finding) per disagreement:
  a period declared but not in the file (:attr:`DifferenceKind.MISSING_IN_FILE`:
  dropped, since the ONSS does not hold it), in the file but not declared
  (``MISSING_IN_DECLARATIONS``), cancelled in the file while the declarations
  keep it (``CANCELLED_IN_FILE``), other start or end dates
  (``DATES_DIFFER``), another joint committee (``JOINT_COMMITTEE_DIFFERS``).
  The file's values win in each case.

A file period of an employer none of whose declarations is in the input is
not a difference: there is nothing to compare it with.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

import attrs

from mycareer.career import CareerPeriod
from mycareer.employer import Employer
from mycareer.findings import Finding, Severity
from mycareer.niss import Niss
from mycareer.personnel_file import PersonnelFileAnswer, PersonnelFilePeriod
from mycareer.timeline._dimona import DimonaConsolidation, DimonaPeriod

__all__ = ["DifferenceKind", "DimonaDifference", "DimonaReconciliation", "reconcile_dimona"]

#: Finding code of every difference (the kind is in the message and the difference).
DIMONA_FILE_DIFFERENCE: Final = "DIMONA_FILE_DIFFERENCE"


class DifferenceKind(StrEnum):
    MISSING_IN_FILE = "missing in the personnel file"
    MISSING_IN_DECLARATIONS = "missing in the declarations"
    CANCELLED_IN_FILE = "cancelled in the personnel file"
    DATES_DIFFER = "different dates"
    JOINT_COMMITTEE_DIFFERS = "different joint committee"


@attrs.frozen
class DimonaDifference:
    """One disagreement between the declarations and the personnel file, for one period."""

    kind: DifferenceKind
    niss: Niss | None
    period_id: str
    declared: DimonaPeriod | None
    filed: PersonnelFilePeriod | None
    message: str


@attrs.frozen
class DimonaReconciliation:
    """The employment periods to use, the differences and their findings."""

    periods: tuple[CareerPeriod, ...] = ()
    differences: tuple[DimonaDifference, ...] = ()
    findings: tuple[Finding, ...] = ()

    def by_worker(self) -> dict[Niss | None, tuple[DimonaDifference, ...]]:
        """The differences of each worker, in order."""
        grouped: dict[Niss | None, list[DimonaDifference]] = {}
        for difference in self.differences:
            grouped.setdefault(difference.niss, []).append(difference)
        return {niss: tuple(found) for niss, found in grouped.items()}


def _ids(employer: Employer) -> set[str]:
    ids = set()
    if employer.enterprise is not None:
        ids.add(f"e:{employer.enterprise.value}")
    if employer.nsso is not None:
        ids.add(f"n:{employer.nsso.value}")
    return ids


def _dates(period: object) -> str:
    return str(period) if period is not None else "no dates"


@attrs.define
class _Reconciler:
    declared: dict[str, DimonaPeriod]
    answers: list[PersonnelFileAnswer]
    declaring: set[str]
    periods: list[CareerPeriod] = attrs.Factory(list)
    differences: list[DimonaDifference] = attrs.Factory(list)

    def differ(
        self,
        kind: DifferenceKind,
        declared: DimonaPeriod | None,
        filed: PersonnelFilePeriod | None,
        detail: str,
    ) -> None:
        some = filed if filed is not None else declared
        assert some is not None
        self.differences.append(
            DimonaDifference(
                kind, some.niss, some.period_id, declared, filed,
                f"Dimona period {some.period_id} of NISS {some.niss}: {kind.value}: {detail}",
            )
        )  # fmt: skip

    def filed(self, filed: PersonnelFilePeriod) -> None:
        declared = self.declared.pop(filed.period_id, None)
        career = filed.to_career_period()
        if career is not None:
            self.periods.append(career)
        if declared is None:
            if filed.is_employment and _ids(filed.employer) & self.declaring:
                self.differ(
                    DifferenceKind.MISSING_IN_DECLARATIONS, None, filed,
                    f"the ONSS holds {_dates(filed.period)} ({filed.source}), no declaration "
                    "read creates it: the file's period is used",
                )  # fmt: skip
            return
        if filed.cancelled:
            self.differ(
                DifferenceKind.CANCELLED_IN_FILE, declared, filed,
                f"the declarations keep {declared.period}, the ONSS file says cancelled: "
                "not employment",
            )  # fmt: skip
            return
        if filed.period != declared.period:
            self.differ(
                DifferenceKind.DATES_DIFFER, declared, filed,
                f"declared {declared.period}, the ONSS file holds {_dates(filed.period)}: "
                "the file's dates are used",
            )  # fmt: skip
        jc_declared, jc_filed = declared.joint_commission, filed.joint_commission
        if jc_declared is not None and jc_filed is not None and jc_declared != jc_filed:
            self.differ(
                DifferenceKind.JOINT_COMMITTEE_DIFFERS, declared, filed,
                f"declared {jc_declared}, the ONSS file holds {jc_filed}",
            )  # fmt: skip

    def covers(self, declared: DimonaPeriod) -> bool:
        """Whether a complete personnel file speaks for this declared period."""
        for answer in self.answers:
            if not (answer.complete and _ids(answer.employer) & _ids(declared.employer)):
                continue
            if answer.window is None or answer.window.overlaps(declared.period):
                return True
        return False

    def unfiled(self, declared: DimonaPeriod) -> None:
        if self.covers(declared):
            self.differ(
                DifferenceKind.MISSING_IN_FILE, declared, None,
                f"declared {declared.period} ({declared.source}), the ONSS personnel file "
                "does not hold it"
                + (" (the declarations are pending or without outcome)"
                   if declared.provisional else "")
                + ": not used",
            )  # fmt: skip
            return
        career = declared.to_career_period()
        if career is not None:
            self.periods.append(career)


def reconcile_dimona(
    consolidation: DimonaConsolidation,
    personnel: Iterable[PersonnelFilePeriod],
    answers: Iterable[PersonnelFileAnswer] = (),
) -> DimonaReconciliation:
    """Compare the folded declarations with the personnel file; the file is authoritative.

    ``answers`` are the files' headers (employer, reference window, result code):
    a declared period missing from the file is only dropped when a complete
    answer of its employer covers its dates. Without ``answers``, the employers
    of the file's periods are taken as covered, over all dates.
    """
    personnel = list(personnel)
    answer_list = list(answers)
    if not answer_list:
        employers = {p.employer.key: p.employer for p in personnel}
        answer_list = [PersonnelFileAnswer(e, 0) for e in employers.values()]
    declaring = set().union(*(_ids(p.employer) for p in consolidation.periods))
    reconciler = _Reconciler(
        {p.period_id: p for p in consolidation.periods}, answer_list, declaring
    )
    for filed in personnel:
        reconciler.filed(filed)
    for declared in reconciler.declared.values():
        reconciler.unfiled(declared)
    findings = tuple(
        Finding(
            DIMONA_FILE_DIFFERENCE,
            Severity.WARNING,
            difference.message,
            (difference.filed or difference.declared).source,  # type: ignore[union-attr]
        )
        for difference in reconciler.differences
    )
    return DimonaReconciliation(tuple(reconciler.periods), tuple(reconciler.differences), findings)
