"""The map side of ``mycareer account``: one employer group's entitlements of every year.

:func:`run_account_group` reads one group's files (in whichever process runs it: a
worker process of :mod:`mycareer.account_jobs`, or a Dask worker of
:mod:`mycareer.dask`) and sends back an :class:`AccountGroupResult`: its entitlements
(or their credit lines), worker facts and what reading said, or, for a shuffling
:class:`AccountSpec`, its credits as rows by bucket of workers. Never the records:
DmfA originals stream file by file into an
:class:`~mycareer.fla.account_stream.AccountStream`.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from mycareer.account_reduce import Tag
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.fla import EntitlementOptions, Overrides, Rulebook
from mycareer.fla.account_pipeline import (
    CreditLine,
    CreditRow,
    credit_lines,
    credit_row,
    year_entitlements,
)
from mycareer.fla.account_records import EntitlementSummary, account_key
from mycareer.fla.account_stream import AccountStream, GroupFacts
from mycareer.fla.values import Entitlement
from mycareer.joint_commission import JointCommission
from mycareer.pipeline import bucket_of
from mycareer.quarter import Quarter
from mycareer.read_order import declared_ids
from mycareer.regroup import NamesAnotherGroup, watched
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.flows import KnownHeaders, read_corrected_dmfa, stream_corrected_dmfa

__all__ = ["AccountGroupResult", "AccountSpec", "run_account_group"]

_Key = tuple[str, str]


@attrs.frozen
class AccountSpec:
    """What every group computes: picklable, sent once per task."""

    years: tuple[int, int]
    as_of: date
    rulebook: Rulebook | None = None
    options: EntitlementOptions | None = None
    overrides: Overrides | None = None
    #: False: each group sends back credits (:func:`credit_lines`), not entitlements.
    keep_entitlements: bool = True
    #: More than 0: each group sends its credits as rows in this many buckets of workers
    #: (:func:`~mycareer.pipeline.bucket_of` their NISS), no entitlement or worker fact.
    buckets: int = 0
    #: The employer keys the trainings name: for these (and for a key whose credits show
    #: two employers) a shuffling group says which employer its first credit shows.
    training_keys: frozenset[str] = frozenset()
    #: With ``buckets``: each group also sends what the archive keeps
    #: (:func:`_archive_rows`), so that the buckets can write it.
    archive: bool = False
    #: The plan's header keys and their groups (:func:`~mycareer.regroup.header_groups`):
    #: a group whose records name another group's employer stops there (see
    #: :func:`run_account_group`).
    header_groups: Mapping[str, int] | None = attrs.field(default=None, eq=False)


@attrs.frozen
class AccountGroupResult:
    """One group's entitlements of every year, its worker facts and what reading said.

    ``entitlements`` in the one-process order (year, employer key, NISS), or, when
    the spec does not keep them, ``credits`` (their credit lines, in that order);
    ``keys`` every employer key its records and declarations named, ``ids`` the
    (quarter, employer identifier) pairs they declared; ``first_year`` and
    ``last_quarter`` those of its records (None: no record).

    A shuffling spec (``buckets``) gets none of these and no worker fact, but ``rows``:
    per bucket the pickled :func:`~mycareer.fla.account_pipeline.credit_row` of its
    credits (None: none), and ``credit_findings``, each finding of the credits once
    with the tag of its first place (``(0, year, employer key, NISS, number)``),
    ``employers``, the employer of the first credit of each key the spec asks about, and
    ``mixed``, the keys whose credits show unequal employers (asked about too).
    """

    entitlements: tuple[Entitlement, ...]
    work_regimes: dict[_Key, WorkFraction]
    joint_committees: dict[_Key, JointCommission]
    findings: tuple[Finding, ...]
    errors: tuple[InvalidValueError, ...]
    keys: frozenset[str]
    first_year: int | None
    last_quarter: Quarter | None
    credits: tuple[CreditLine, ...] = ()
    rows: tuple[bytes | None, ...] = ()
    credit_findings: tuple[tuple[Tag, Finding], ...] = ()
    employers: tuple[tuple[str, Employer], ...] = ()
    mixed: frozenset[str] = frozenset()
    ids: frozenset[tuple[Quarter, str]] = frozenset()


def run_account_group(
    spec: AccountSpec,
    files: Sequence[str],
    group: int | None = None,
    known: KnownHeaders | None = None,
) -> AccountGroupResult:
    """Read one group's files and compute every year's entitlements (in this process).

    DmfA originals stream into an :class:`~mycareer.fla.account_stream.AccountStream`
    file by file, each whole or not at all, as :func:`~mycareer.pipeline.run_group`
    streams them: the process holds counts, lines and each worker's latest line, never
    the group's records. Input only a whole read gives exactly is read whole. With
    ``spec.header_groups`` and the group's index ``group``, the read stops at the first
    record of another group's employer: the result names only it (``keys``), as
    the group is read again joined (:func:`~mycareer.account_jobs.run_account_plan`).
    ``known``: the files' kinds and headers the plan's pre-scan read, not read again.
    """
    try:
        streamed = _streamed(spec, files, group, known)
    except NamesAnotherGroup as met:
        return AccountGroupResult((), {}, {}, (), (), frozenset({met.key}), None, None)
    entitlements, facts, declared, reading = streamed or _read_whole(spec, files)
    result = AccountGroupResult(
        entitlements=(),
        work_regimes={},
        joint_committees={},
        findings=tuple(dict.fromkeys(reading[0])),
        errors=tuple(reading[1]),
        keys=frozenset(facts.keys | declared),
        first_year=facts.first_year,
        last_quarter=facts.last,
        ids=reading[2],
    )
    regimes, committees = facts.regimes_and_committees()
    if spec.buckets:
        archive = _archive_rows(entitlements, regimes, committees) if spec.archive else []
        return _shuffled(result, credit_lines(entitlements), spec, archive)
    kept = spec.keep_entitlements
    return attrs.evolve(
        result,
        entitlements=tuple(entitlements) if kept else (),
        work_regimes=regimes,
        joint_committees=committees,
        credits=() if kept else tuple(credit_lines(entitlements)),
    )


#: A group read: its entitlements, the facts of its records, the employer keys of its
#: declarations, and what reading said (findings, errors, declared ids).
_GroupRead = tuple[
    list[Entitlement],
    GroupFacts,
    set[str],
    tuple[Sequence[Finding], Sequence[InvalidValueError], frozenset[tuple[Quarter, str]]],
]


def _streamed(
    spec: AccountSpec, files: Sequence[str], group: int | None, known: KnownHeaders | None
) -> _GroupRead | None:
    """The group streamed (None: only a whole read gives it exactly)."""
    stream = AccountStream(spec.years, options=spec.options, rulebook=spec.rulebook,
                           overrides=spec.overrides, as_of=spec.as_of)  # fmt: skip
    stage = watched(stream.stage, group, spec.header_groups)
    streamed = stream_corrected_dmfa(files, stage, order="employer", known=known)
    if streamed is None:
        return None
    declarations = streamed.declarations
    entitlements = stream.entitlements(declarations)
    declared = {d.employer.key for d in declarations}
    # Every streamed record was declared (the stream refuses the others): its ids too.
    return entitlements, stream.facts, declared, (
        streamed.findings, streamed.errors, declared_ids(declarations)
    )  # fmt: skip


def _read_whole(spec: AccountSpec, files: Sequence[str]) -> _GroupRead:
    """The group from one read of its files (any input)."""
    batch = read_corrected_dmfa(files, on_error="collect")
    records = batch.records
    entitlements = year_entitlements(
        records, batch.declarations, spec.years, as_of=spec.as_of,
        rulebook=spec.rulebook or Rulebook.default(), options=spec.options,
        overrides=spec.overrides,
    )  # fmt: skip
    declared = {d.employer.key for d in batch.declarations}
    ids = declared_ids(batch.declarations, records)
    return entitlements, GroupFacts.of(records), declared, (batch.findings, batch.errors, ids)


def _archive_rows(
    entitlements: Iterable[Entitlement],
    regimes: dict[_Key, WorkFraction],
    committees: dict[_Key, JointCommission],
) -> list[tuple[Any, ...]]:
    """What the archive keeps of a group's entitlements and worker facts, as rows whose
    third item is the NISS: ``("E", employer key, NISS, summary)`` and ``("F", employer
    key, NISS, work regime, joint committee)`` (of each worker's latest line)."""
    rows: list[tuple[Any, ...]] = []
    for e in entitlements:
        rows.append(("E", *account_key(e.employer, e.niss), EntitlementSummary.from_entitlement(e)))
    for key, niss in regimes.keys() | committees.keys():
        rows.append(("F", key, niss, regimes.get((key, niss)), committees.get((key, niss))))
    return rows


def _shuffled(
    result: AccountGroupResult,
    lines: Sequence[CreditLine],
    spec: AccountSpec,
    archive: Sequence[tuple[Any, ...]] = (),
) -> AccountGroupResult:
    """The group's credits (and ``archive`` rows) as rows by bucket, their findings tagged,
    the employers asked."""
    buckets: list[list[CreditRow]] = [[] for _ in range(spec.buckets)]
    for row in archive:
        buckets[bucket_of(row[2], spec.buckets)].append(row)
    found: dict[Finding, Tag] = {}
    first: dict[str, Employer] = {}
    mixed: set[str] = set()
    for credit, findings in lines:
        row = credit_row(credit)
        buckets[bucket_of(row[2], spec.buckets)].append(row)
        for number, finding in enumerate(findings):
            found.setdefault(finding, (0, *row[:3], number))
        employer = credit.employer
        if employer is not None and first.setdefault(row[1], employer) != employer:
            mixed.add(row[1])
    asked = spec.training_keys | mixed
    return attrs.evolve(
        result,
        rows=tuple(pickle.dumps(b, pickle.HIGHEST_PROTOCOL) if b else None for b in buckets),
        credit_findings=tuple((tag, finding) for finding, tag in found.items()),
        employers=tuple((key, employer) for key, employer in first.items() if key in asked),
        mixed=frozenset(mixed),
    )
