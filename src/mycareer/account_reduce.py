"""The reduce of a training-account run shuffled by worker: one bucket of workers' ledgers.

:mod:`mycareer.account_jobs` shuffles each year's credits by worker into bucket files
(with each bucket's trainings, :mod:`mycareer.fla.training_buckets`); a worker process
then reduces each bucket with :func:`reduce_bucket`: the ledgers of the in-parent run
(:func:`~mycareer.fla.account_pipeline.credit_ledgers`), rendered there, the texts
spooled (:mod:`mycareer._spool`). Everything a bucket task carries is picklable.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from operator import itemgetter
from tempfile import TemporaryDirectory
from typing import Any, Literal, TypeVar, overload

import attrs

from mycareer._processes import bucket_of
from mycareer._slots import slot_constructor
from mycareer._spool import LazySequence, Spool, SpooledItems, write_spool
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.findings import Finding, Severity
from mycareer.fla import Rulebook
from mycareer.fla.account import (
    AccountPolicy,
    EmployerAccountSummary,
    Termination,
    TrainingAccount,
    employer_summaries,
)
from mycareer.fla.account_json import account_json_text, statement_rows_text
from mycareer.fla.account_pipeline import CreditRow, credit_from_row, credit_ledgers
from mycareer.fla.account_records import AccountRecord, account_key, records_of_summaries
from mycareer.fla.account_table import account_table_text
from mycareer.fla.training_buckets import read_routed
from mycareer.jsontext import item_text
from mycareer.xmlio.training_account_writer import account_element_text

__all__ = [
    "ACCOUNT_TEXTS",
    "BucketResult",
    "BucketTask",
    "PlainFinding",
    "ReduceSpec",
    "Render",
    "SpooledFindings",
    "Tag",
    "account_texts",
    "archive_texts",
    "by_worker",
    "distinct_findings",
    "finding_of",
    "plain_finding",
    "reduce_bucket",
]

#: What a run gives: the accounts themselves, or (made where each bucket of workers is
#: reduced) each account's JSON text, CSV rows, table block or archive element, or the
#: employer view.
Render = Literal["objects", "json", "csv", "table", "xml", "employers"]
#: Where a finding stands in the in-parent run's list (see :func:`reduce_bucket`).
Tag = tuple[int | str, ...]
_V = TypeVar("_V")


@attrs.frozen
class ReduceSpec:
    """What every bucket is reduced with: picklable, sent with each bucket."""

    as_of: date
    render: Render
    policy: AccountPolicy | None = None
    rulebook: Rulebook | None = None
    indent: int | None = None  #: JSON texts indented as in the document (account_texts)


@attrs.frozen
class BucketTask:
    """One bucket of workers: its rows' file, its trainings' file
    (:func:`~mycareer.fla.training_buckets.route_trainings`) and its terminations (each
    with its place in the caller's list), the employers the whole run shows for some keys
    (:func:`~mycareer.fla.account.routed_accounts`), and where its texts go."""

    rows: str | None
    trainings: str | None
    terminations: tuple[tuple[int, Termination], ...]
    employers: dict[str, Employer]
    spool: str


@attrs.frozen
class BucketResult:
    """A bucket's accounts as the run renders them, counted, and its findings: each
    once with its tag, in tag order, spooled (None: none)."""

    spool: Spool | None
    accounts: int
    workers: int
    findings: Spool | None
    summaries: tuple[EmployerAccountSummary, ...] = ()
    #: The archive's accounts that cannot be written (text XML cannot carry), keyed.
    errors: tuple[Keyed[InvalidValueError], ...] = ()


def _read_rows(path: str | None) -> list[CreditRow]:
    rows: list[CreditRow] = []
    if path is None:
        return rows
    with open(path, "rb") as blobs:
        while True:
            try:
                rows.extend(pickle.load(blobs))  # our own rows, written by this run
            except EOFError:
                return rows


#: At most this many distinct findings of a run are held (about 3 MB); more are spooled.
_HELD = 4096

#: Each account's text, by the run's ``render`` (JSON, CSV rows, or its table block).
ACCOUNT_TEXTS: dict[str, Callable[[TrainingAccount], str]] = {
    "json": account_json_text,
    "csv": statement_rows_text,
    "table": account_table_text,
}


def account_texts(
    accounts: Iterable[TrainingAccount], render: str, indent: int | None = None
) -> Iterator[str]:
    """Each account's text by ``render`` (:data:`ACCOUNT_TEXTS`); with ``indent``, each
    JSON object as it sits in the indented accounts document (``item_text(..., indent, 2)``
    of :func:`mycareer.jsontext.item_text`), so the writer only joins them."""
    text_of = ACCOUNT_TEXTS[render]
    if render != "json" or indent is None:
        return map(text_of, accounts)
    return (item_text(json.loads(text_of(account)), indent, 2) for account in accounts)


def reduce_bucket(spec: ReduceSpec, task: BucketTask) -> BucketResult:
    """The accounts of one bucket of workers (:func:`credit_ledgers`, the rule of the
    in-parent run), rendered; each finding once, tagged with its first place in the
    in-parent run's list: ``(1, 0, n)`` of the n-th training, ``(1, 1, n)`` of the n-th
    termination, ``(2, employer key, NISS, number)`` of an account's own."""
    rows = _read_rows(task.rows)
    archive = [row for row in rows if isinstance(row[0], str)]  # "E" or "F" (account_jobs)
    rows = [row for row in rows if not isinstance(row[0], str)]
    rows.sort(key=lambda row: row[:3])  # the credits' order: year, employer key, NISS
    trainings = read_routed(task.trainings)
    accounts, loose = credit_ledgers(
        [credit_from_row(row) for row in rows], [t for _n, t in trainings],
        as_of=spec.as_of, terminations=[t for _n, t in task.terminations],
        policy=spec.policy, rulebook=spec.rulebook, employers=task.employers,
    )  # fmt: skip
    del rows
    found: dict[Finding, Tag] = {}
    for (kind, number), finding in loose:
        place = (trainings, task.terminations)[kind][number][0]
        found.setdefault(finding, (1, kind, place))
    for account in accounts:
        key, niss = account_key(account.employer, account.niss)
        for number, finding in enumerate(account.findings):
            found.setdefault(finding, (2, key, niss, number))
    folder, name = os.path.split(task.spool)
    tagged = sorted(((tag, plain_finding(f)) for f, tag in found.items()), key=itemgetter(0))
    findings = write_spool(folder, f"findings-{name}", tagged)
    workers = len({a.niss for a in accounts})
    if spec.render == "employers":
        summaries = employer_summaries(accounts)
        return BucketResult(None, len(accounts), workers, findings, summaries)
    if spec.render == "xml":
        items, errors = _archived(accounts, archive)
    else:
        texts = account_texts(accounts, spec.render, spec.indent)
        pairs = zip(accounts, texts, strict=True)
        items = [(account_key(k.employer, k.niss), text) for k, text in pairs]
        errors = []
    spool = write_spool(folder, name, items)
    return BucketResult(spool, len(accounts), workers, findings, errors=tuple(errors))


def by_worker(items: Sequence[Termination], count: int) -> list[list[tuple[int, Termination]]]:
    """Each bucket's terminations, each with its place in ``items``."""
    buckets: list[list[tuple[int, Termination]]] = [[] for _ in range(count)]
    for number, item in enumerate(items):
        buckets[bucket_of(item.niss.value, count)].append((number, item))
    return buckets


#: An account's (employer key, NISS), and what it keyed: a text, or an error.
Keyed = tuple[tuple[str, str], _V]


def _archived(
    accounts: Sequence[TrainingAccount], rows: Sequence[tuple[Any, ...]]
) -> tuple[list[Keyed[str]], list[Keyed[InvalidValueError]]]:
    """Each account's ``<account>`` text with what the archive keeps of it (``rows``, see
    :func:`~mycareer.account_groups._archive_rows`): :func:`archive_texts`."""
    summaries = [((row[1], row[2]), row[3]) for row in rows if row[0] == "E"]
    facts = [row for row in rows if row[0] == "F"]
    regimes = {(r[1], r[2]): r[3] for r in facts if r[3] is not None}
    committees = {(r[1], r[2]): r[4] for r in facts if r[4] is not None}
    records = records_of_summaries(
        accounts, summaries, work_regimes=regimes, joint_committees=committees
    )
    return archive_texts(records)


def archive_texts(
    records: Iterable[AccountRecord],
) -> tuple[list[Keyed[str]], list[Keyed[InvalidValueError]]]:
    """Each record's ``<account>`` text keyed by (employer key, NISS), and the errors of
    those that cannot be written (text XML cannot carry), keyed too, in the records'
    order; each named by its account (``$.accounts[KEY/NISS]``: its place in the
    document is not known in a bucket)."""
    items: list[Keyed[str]] = []
    errors: list[Keyed[InvalidValueError]] = []
    for record in records:
        key = account_key(record.employer, record.niss)
        try:
            items.append((key, account_element_text(record, path=f"$.accounts[{'/'.join(key)}]")))
        except MycareerErrorGroup as group:
            found = (e for e in group.exceptions if isinstance(e, InvalidValueError))
            errors.extend((key, error) for error in found)
    return items, errors


#: A finding as plain values (code, severity, message, source file, line, record): what
#: the spools hold. Pickled and read back ten times faster than the attrs objects.
PlainFinding = tuple[str, str, str, tuple[str | None, int | None, str | None] | None]
_new_finding = slot_constructor(Finding)
_new_source = slot_constructor(SourceRef)


def plain_finding(finding: Finding) -> PlainFinding:
    """``finding`` as plain values, which :func:`finding_of` rebuilds (equal to it)."""
    source = finding.source
    where = None if source is None else (source.file, source.line, source.record)
    return finding.code, finding.severity.value, finding.message, where


def finding_of(plain: PlainFinding) -> Finding:
    """The finding :func:`plain_finding` gave ``plain`` for (values checked when it was made)."""
    code, severity, message, where = plain
    source = None if where is None else _new_source(*where)
    return _new_finding(code, Severity(severity), message, source)


class SpooledFindings(LazySequence[Finding]):
    """Findings read back lazily from a spool of plain findings (owning the run's folder)."""

    def __init__(self, plain: SpooledItems[PlainFinding]) -> None:
        self._plain = plain

    def __len__(self) -> int:
        return len(self._plain)

    def __repr__(self) -> str:
        return f"<SpooledFindings: {len(self._plain)} findings>"

    def __iter__(self) -> Iterator[Finding]:
        return map(finding_of, self._plain)

    @overload
    def __getitem__(self, index: int) -> Finding: ...
    @overload
    def __getitem__(self, index: slice) -> list[Finding]: ...
    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return [finding_of(plain) for plain in self._plain[index]]
        return finding_of(self._plain[index])


def distinct_findings(
    spools: Sequence[Spool], folder: TemporaryDirectory[str]
) -> Sequence[Finding]:
    """The findings of ``spools`` (each ``(tag, plain finding)`` in tag order, see
    :func:`plain_finding`) in the order of their tags, each once (its first place), as
    ``dict.fromkeys`` of them all would give.

    The spools are merged and removed. Up to :data:`_HELD` findings come back as a tuple;
    more are written to one spool of ``folder`` and read back lazily
    (:class:`SpooledFindings`, which then shares the folder). Each finding is told from
    those before by a 128-bit digest of its plain values' ``repr`` (unambiguous: strings,
    numbers and None), not kept itself: about 90 bytes a distinct finding while merging.
    """
    seen: set[bytes] = set()
    merged: SpooledItems[PlainFinding] = SpooledItems(spools, folder)

    def distinct() -> Iterator[PlainFinding]:
        for plain in merged:
            digest = hashlib.blake2b(repr(plain).encode(), digest_size=16).digest()
            if digest not in seen:
                seen.add(digest)
                yield plain

    findings = distinct()
    held = list(itertools.islice(findings, _HELD + 1))
    if len(held) <= _HELD:
        found: Sequence[Finding] = tuple(map(finding_of, held))
    else:
        numbered = (((n,), f) for n, f in enumerate(itertools.chain(held, findings)))
        del held
        spool = write_spool(folder.name, "findings", numbered)
        assert spool is not None
        found = SpooledFindings(SpooledItems([spool], folder))
    merged.remove_files()  # the parts, and the merges of more than OPEN_FILES of them
    return found
