"""The choice between two DmfA originals of one employer and quarter (one rule, one place).

:func:`mycareer.xmlio.dmfa.read_dmfa` keeps one original per employer and quarter: the
one created last (``FormCreationDate`` + ``FormCreationHour``), a tie to the later file
in sort order; the other is excluded with a :data:`DMFA_DUPLICATE_ORIGINAL` finding
naming both and the workers left out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from mycareer.dmfa import DmfaDeclaration, DmfaWorkerRecord
from mycareer.findings import Finding, Severity
from mycareer.quarter import Quarter

__all__ = ["DMFA_DUPLICATE_ORIGINAL", "FormKey", "choose_originals"]

#: Finding code: two originals for the same employer and quarter.
DMFA_DUPLICATE_ORIGINAL: Final = "DMFA_DUPLICATE_ORIGINAL"

#: A form: (file index, form index).
FormKey = tuple[int, int]


def _when(declaration: DmfaDeclaration) -> str:
    return declaration.created_at.isoformat(sep=" ") if declaration.created_at else "no date"


def choose_originals(
    headers: list[tuple[FormKey, DmfaDeclaration]],
    by_form: dict[FormKey, list[DmfaWorkerRecord]],
) -> tuple[set[FormKey], list[DmfaDeclaration], list[Finding]]:
    """One original per employer and quarter: the one created last, a tie to the later file.

    The findings come by the form they exclude (file, then form).
    """
    groups: dict[tuple[str, Quarter], list[tuple[FormKey, DmfaDeclaration]]] = {}
    for key, header in headers:
        groups.setdefault(header.key, []).append((key, header))
    excluded: list[tuple[FormKey, Finding]] = []
    winners: set[FormKey] = set()
    declarations: list[DmfaDeclaration] = []
    for candidates in groups.values():
        ranked = sorted(candidates, key=lambda item: (item[1].created_at or datetime.min, item[0]))
        winner_key, winner = ranked[-1]
        winners.add(winner_key)
        declarations.append(winner)
        excluded.extend(
            (loser_key, _duplicate_finding(winner, loser, by_form.get(loser_key, [])))
            for loser_key, loser in ranked[:-1]
        )
    # By the form each excludes (file, then form): an order that any split of the files
    # by employer keeps (mycareer.timeline_jobs places these findings at that file).
    excluded.sort(key=lambda item: item[0])
    return winners, declarations, [finding for _key, finding in excluded]


def _duplicate_finding(
    winner: DmfaDeclaration, loser: DmfaDeclaration, excluded: list[DmfaWorkerRecord]
) -> Finding:
    same_time = loser.created_at == winner.created_at
    why = (
        "both were created at the same time, so the later file in sort order wins"
        if same_time
        else f"it was created later ({_when(winner)} against {_when(loser)})"
    )
    names = ", ".join(str(r.niss) for r in excluded) or "none"
    return Finding(
        DMFA_DUPLICATE_ORIGINAL,
        Severity.WARNING,
        f"two original declarations for employer {winner.employer} quarter "
        f"{winner.quarter}: {winner.source} wins over {loser.source} because {why}; "
        f"the {len(excluded)} worker record(s) of the latter are excluded "
        f"(NISS {names})",
        loser.source,
    )
