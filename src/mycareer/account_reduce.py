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
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from operator import itemgetter
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Literal

import attrs

from mycareer._spool import Spool, SpooledItems, write_spool
from mycareer.employer import Employer
from mycareer.findings import Finding
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
from mycareer.fla.account_table import account_table_text
from mycareer.fla.training_buckets import read_routed

__all__ = [
    "ACCOUNT_TEXTS",
    "BucketResult",
    "BucketTask",
    "ReduceSpec",
    "Render",
    "Tag",
    "distinct_findings",
    "reduce_bucket",
]

#: What a run gives: the accounts themselves, or (made where each bucket of workers is
#: reduced) each account's JSON text, each account's CSV rows, or the employer view.
Render = Literal["objects", "json", "csv", "table", "employers"]
#: Where a finding stands in the in-parent run's list (see :func:`reduce_bucket`).
Tag = tuple[int | str, ...]


@attrs.frozen
class ReduceSpec:
    """What every bucket is reduced with: picklable, sent with each bucket."""

    as_of: date
    render: Render
    policy: AccountPolicy | None = None
    rulebook: Rulebook | None = None


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


def reduce_bucket(spec: ReduceSpec, task: BucketTask) -> BucketResult:
    """The accounts of one bucket of workers (:func:`credit_ledgers`, the rule of the
    in-parent run), rendered; each finding once, tagged with its first place in the
    in-parent run's list: ``(1, 0, n)`` of the n-th training, ``(1, 1, n)`` of the n-th
    termination, ``(2, employer key, NISS, number)`` of an account's own."""
    rows = _read_rows(task.rows)
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
        key = "" if account.employer is None else account.employer.key
        for number, finding in enumerate(account.findings):
            found.setdefault(finding, (2, key, account.niss.value, number))
    folder, name = os.path.split(task.spool)
    tagged = sorted(((tag, finding) for finding, tag in found.items()), key=itemgetter(0))
    findings = write_spool(folder, f"findings-{name}", tagged)
    workers = len({a.niss for a in accounts})
    if spec.render == "employers":
        summaries = employer_summaries(accounts)
        return BucketResult(None, len(accounts), workers, findings, summaries)
    render = ACCOUNT_TEXTS[spec.render]
    items = [((k.employer.key if k.employer else "", k.niss.value), render(k)) for k in accounts]
    return BucketResult(write_spool(folder, name, items), len(accounts), workers, findings)


def distinct_findings(
    spools: Sequence[Spool], folder: TemporaryDirectory[str]
) -> Sequence[Finding]:
    """The findings of ``spools`` (each ``(tag, finding)`` in tag order) in the order of
    their tags, each once (its first place), as ``dict.fromkeys`` of them all would give.

    The spools are merged and removed. Up to :data:`_HELD` findings come back as a tuple;
    more are written to one spool of ``folder`` and read back lazily (a
    :class:`~mycareer._spool.SpooledItems`, which then shares the folder). Each finding
    is told from those before by a 128-bit digest of its ``repr`` (every field), not
    kept itself: about 90 bytes a distinct finding while merging.
    """
    seen: set[bytes] = set()

    def distinct() -> Iterator[Finding]:
        merged: SpooledItems[Finding] = SpooledItems(spools, folder)
        for finding in merged:
            digest = hashlib.blake2b(repr(finding).encode(), digest_size=16).digest()
            if digest not in seen:
                seen.add(digest)
                yield finding

    findings = distinct()
    held = list(itertools.islice(findings, _HELD + 1))
    if len(held) <= _HELD:
        found: Sequence[Finding] = tuple(held)
    else:
        numbered = (((n,), f) for n, f in enumerate(itertools.chain(held, findings)))
        del held
        spool = write_spool(folder.name, "findings", numbered)
        assert spool is not None
        found = SpooledItems([spool], folder)
    for spool in spools:
        Path(spool.path).unlink(missing_ok=True)
    return found
