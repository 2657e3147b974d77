"""An account group's entitlements and worker facts, fed file by file: the bounded form.

``mycareer account`` needs, of each employer group, every year's entitlements
(:func:`~mycareer.fla.account_pipeline.year_entitlements`) and the facts of its records
(:class:`GroupFacts`: each worker's latest line per employer, the employer keys, the
first and last quarter). :class:`AccountStream` gives the same from records fed in
parts, as :class:`~mycareer.fla.bulk.EntitlementStream` does for one year (one stream
per year, each fed the same records): a part is kept only when committed, so a file
that fails part-way contributes nothing, and the group's records are never held.

>>> stream = AccountStream((2023, 2024))
>>> stage = stream.stage()
>>> stage.feed([])
>>> stage.commit()
>>> stream.entitlements(), stream.facts.first_year
([], None)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import islice

import attrs

from mycareer.dmfa import DmfaWorkerRecord
from mycareer.fla.band import DeclaredQuarter
from mycareer.fla.bulk import EntitlementStream, ScanStage
from mycareer.fla.options import EntitlementOptions, Overrides
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.values import Entitlement
from mycareer.joint_commission import JointCommission
from mycareer.quarter import Quarter
from mycareer.work_fraction import WorkFraction

__all__ = ["AccountStage", "AccountStream", "GroupFacts"]

_Key = tuple[str, str]
#: A worker's latest line at an employer: its start, work fraction, joint committee.
_Latest = tuple[date, WorkFraction | None, JointCommission]
#: Records handed to each year's scan at a time: the streams share one pass over a
#: file without holding it (a few hundred kB of records).
_CHUNK = 512


@attrs.define
class GroupFacts:
    """What a group's records say besides entitlements, folded record by record.

    ``latest``: per ``(employer key, NISS digits)`` the latest line (a later start
    wins, and so does the later line of two starting the same day); ``keys`` the
    employer keys of the records; ``first`` and ``last`` their earliest and latest
    quarter (None: no record). Folding parts one after another (:meth:`absorb`) gives
    what folding their records in that order gives.
    """

    latest: dict[_Key, _Latest] = attrs.field(factory=dict)
    keys: set[str] = attrs.field(factory=set)
    first: Quarter | None = None
    last: Quarter | None = None

    @classmethod
    def of(cls, records: Iterable[DmfaWorkerRecord]) -> GroupFacts:
        """The facts of ``records``, in their order."""
        facts = cls()
        facts.add(records)
        return facts

    def add(self, records: Iterable[DmfaWorkerRecord]) -> None:
        """Fold ``records`` after those folded before."""
        latest, keys = self.latest, self.keys
        previous: Quarter | None = None
        for record in records:
            employer_key, quarter = record.employer.key, record.quarter
            keys.add(employer_key)
            if quarter is not previous:  # records come file by file: few changes
                self._quarter(quarter, quarter)
                previous = quarter
            key = (employer_key, record.niss.value)
            for occupation in record.occupations:
                start = occupation.period.start
                _keep_latest(latest, key, (start, occupation.fraction, occupation.joint_commission))

    def absorb(self, later: GroupFacts) -> None:
        """Fold the facts of records that came after this one's."""
        for key, line in later.latest.items():
            _keep_latest(self.latest, key, line)
        self.keys |= later.keys
        if later.first is not None and later.last is not None:
            self._quarter(later.first, later.last)

    @property
    def first_year(self) -> int | None:
        """The earliest year of the records (None: no record)."""
        return None if self.first is None else self.first.year

    def regimes_and_committees(
        self,
    ) -> tuple[dict[_Key, WorkFraction], dict[_Key, JointCommission]]:
        """Each latest line's work regime (when it has one) and joint committee."""
        latest = self.latest
        regimes = {k: fraction for k, (_, fraction, _) in latest.items() if fraction is not None}
        committees = {k: committee for k, (_, _, committee) in latest.items()}
        return regimes, committees

    def _quarter(self, first: Quarter, last: Quarter) -> None:
        if self.first is None or first < self.first:
            self.first = first
        if self.last is None or last > self.last:
            self.last = last


def _keep_latest(latest: dict[_Key, _Latest], key: _Key, line: _Latest) -> None:
    """The rule of :class:`GroupFacts`: a line that starts on or after the kept one wins."""
    kept = latest.get(key)
    if kept is None or line[0] >= kept[0]:
        latest[key] = line


class AccountStage:
    """The part of an :class:`AccountStream` being fed: kept only when committed."""

    def __init__(self, stream: AccountStream) -> None:
        self._stream = stream
        self._stages: list[ScanStage] = [year.stage() for year in stream.years]
        self._facts = GroupFacts()

    def feed(self, records: Iterable[DmfaWorkerRecord]) -> None:
        """Scan ``records`` for every year, after everything committed (and fed) before."""
        remaining = iter(records)
        while chunk := list(islice(remaining, _CHUNK)):
            for stage in self._stages:
                stage.feed(chunk)
            self._facts.add(chunk)

    def commit(self) -> None:
        """Add what was fed to the stream."""
        for stage in self._stages:
            stage.commit()
        self._stream.facts.absorb(self._facts)

    def discard(self) -> None:
        """Forget what was fed."""
        for stage in self._stages:
            stage.discard()
        self._facts = GroupFacts()


class AccountStream:
    """:func:`~mycareer.fla.account_pipeline.year_entitlements` and :class:`GroupFacts`
    fed in parts, each part committed or discarded before the next is fed.

    ``sealed`` as :class:`~mycareer.fla.bulk.EntitlementStream`: each employer quarter's
    records come in one part (as :func:`~mycareer.xmlio.flows.stream_corrected_dmfa`
    feeds them). What the results need besides the records (the rules, the caller's
    overrides, the statement date) is known when a group starts: it is given here, once.
    """

    def __init__(
        self,
        years: tuple[int, int],
        *,
        options: EntitlementOptions | None = None,
        rulebook: Rulebook | None = None,
        overrides: Overrides | None = None,
        as_of: date | None = None,
    ) -> None:
        self.years = tuple(
            EntitlementStream(year, options=options, sealed=True)
            for year in range(years[0], years[1] + 1)
        )
        self.rulebook, self.overrides, self.as_of = rulebook, overrides, as_of
        self.facts = GroupFacts()
        self._done = False

    def stage(self) -> AccountStage:
        """A new part, fed after everything committed so far."""
        return AccountStage(self)

    def entitlements(self, declarations: Iterable[DeclaredQuarter] = ()) -> list[Entitlement]:
        """Every year's results, year by year, as ``year_entitlements`` gives them for
        the committed records and ``declarations`` (none without a record); once."""
        if self._done:
            raise RuntimeError("an AccountStream gives its entitlements once")
        self._done = True
        if self.facts.first is None:
            return []
        declared = tuple(declarations)
        results: list[Entitlement] = []
        for year in self.years:
            results.extend(
                year.entitlements(
                    declared, rulebook=self.rulebook, overrides=self.overrides, as_of=self.as_of
                )
            )
        return results
