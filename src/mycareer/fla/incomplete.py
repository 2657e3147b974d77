"""Mark results whose population includes a rejected declaration file (issue 11 item 2).

A DmfA file that fails as a whole contributes no record (all or nothing). The
size band and average FTE of its employer are then computed without that
population: rather than hide it, every entitlement of that employer whose
reference quarters or year include the rejected quarter gets a
:data:`REFERENCE_INCOMPLETE` warning naming the file (``--strict`` turns
warnings into a failure). A rejected file whose employer or quarter could not be
read marks every result, since it could belong to any.

Computation never imports the readers: a rejected file is anything with a
``source``, an ``employer`` and a ``quarter`` (``mycareer.xmlio.dmfa.RejectedFile``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Protocol

import attrs

from mycareer.employer import Employer
from mycareer.errors import SourceRef
from mycareer.findings import Finding, Severity
from mycareer.fla.values import Entitlement
from mycareer.quarter import Quarter

__all__ = ["REFERENCE_INCOMPLETE", "RejectedInput", "mark_incomplete_references"]

#: Finding code: the result's population includes a file that was rejected as a whole.
REFERENCE_INCOMPLETE: Final = "REFERENCE_INCOMPLETE"


class RejectedInput(Protocol):
    """A rejected declaration file, its employer and quarter when known."""

    @property
    def source(self) -> str: ...

    @property
    def employer(self) -> Employer | None: ...

    @property
    def quarter(self) -> Quarter | None: ...


def _concerns(rejected: RejectedInput, entitlement: Entitlement) -> bool:
    employer, quarter = rejected.employer, rejected.quarter
    if employer is not None and employer.key != entitlement.employer.key:
        return False
    return (
        quarter is None
        or quarter in entitlement.reference_quarters
        or quarter in entitlement.missing_quarters
        or quarter.year == entitlement.year
    )


def mark_incomplete_references(
    entitlements: Iterable[Entitlement], rejected: Iterable[RejectedInput]
) -> tuple[Entitlement, ...]:
    """``entitlements``, each with a warning per rejected file its population includes.

    Results of one employer with equal findings that the same files concern share one
    findings tuple: bulk JSON output encodes the parts equal results share once, keyed by
    the identity of their values (:func:`mycareer.fla.serialize.entitlement_json_text`);
    a tuple made for each result made every result miss (a file rejected with no
    employer concerns every result of a run: 117 s against 87 s for the national sample).
    """
    files = tuple(rejected)
    if not files:
        return tuple(entitlements)
    made: dict[tuple[object, ...], tuple[Finding, ...]] = {}
    marked: list[Entitlement] = []
    for entitlement in entitlements:
        concerned = tuple(i for i, file in enumerate(files) if _concerns(file, entitlement))
        if not concerned:
            marked.append(entitlement)
            continue
        key = (entitlement.employer, entitlement.findings, concerned)
        findings = made.get(key)
        if findings is None:
            extra = (_finding(entitlement, files[i]) for i in concerned)
            findings = made[key] = (*entitlement.findings, *extra)
        marked.append(attrs.evolve(entitlement, findings=findings))
    return tuple(marked)


def _finding(entitlement: Entitlement, file: RejectedInput) -> Finding:
    return Finding(
        REFERENCE_INCOMPLETE,
        Severity.WARNING,
        f"the declarations of employer {entitlement.employer} include the rejected "
        f"file {file.source} ({file.quarter or 'quarter unknown'}): the size band, "
        "average FTE and days are computed without it",
        SourceRef(file.source),
    )
