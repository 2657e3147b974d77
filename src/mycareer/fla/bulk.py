"""Every entitlement of a batch of DmfA records in one pass: :func:`compute_entitlements`.

The bulk path. It reads each record once, feeding both the employers' quarter-end
counts (through :class:`~mycareer.fla.band.QuarterTally`, which applies R-COUNT-5)
and the lines of the year; then it computes one result per (employer, worker)
with the formula of :mod:`mycareer.fla.formula`, sharing the result of workers
whose lines have the same shape. It is tested against :func:`quarter_counts` +
:func:`size_band` + :func:`~mycareer.fla.worker.entitlement_for`, its reference.

:class:`EntitlementStream` is the same pass fed in parts (a file at a time), each
part kept only when its caller commits it, so that no caller holds the records: the
scan keeps compact values only (counts, the lines of the year, the lines open at a
quarter's end as :class:`~mycareer.fla.continuation.OpenLine`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence, Set
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any, overload

import attrs

from mycareer._cache import BoundedCache
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.employer import Employer
from mycareer.findings import Finding, Severity
from mycareer.fla.band import (
    BandResult,
    DeclaredQuarter,
    DuplicateKey,
    QuarterCount,
    QuarterTally,
    counts_at_quarter_end,
    duplicate_key,
    is_termination_indemnity,
    size_band,
)
from mycareer.fla.continuation import (
    Gap,
    OpenLine,
    declaration_missing,
    gap_of,
    is_open_at_end,
    lines_may_continue,
    open_line,
    undeclared_quarters,
)
from mycareer.fla.formula import (
    Core,
    Segment,
    YearWindow,
    clip,
    coalesce,
    formula_core,
    month_of_day,
    month_starts,
    new_segment,
    year_window,
)
from mycareer.fla.options import EntitlementOptions, Overrides
from mycareer.fla.rulebook import Rulebook
from mycareer.fla.values import BandBasis, Entitlement, SizeBand, new_entitlement
from mycareer.fla.worker import fields_after_worker
from mycareer.fla.years import check_year
from mycareer.niss import Niss
from mycareer.quarter import Quarter

__all__ = ["EntitlementStream", "ScanStage", "assemble", "compute_entitlements", "employer_bands"]

_ZERO = Fraction(0)

#: A line as the bulk scan collects it: ``[start, stop, q, s, committee, days]``, the
#: fields of :class:`Segment` in order. A list, so that a line DmfA repeats quarter by
#: quarter is joined in place; it becomes a ``Segment`` only when a result is computed
#: from it (most workers share a memoised result, see :func:`assemble`).
_OpenLine = list[Any]

#: Per employer key, per NISS string: the worker's lines of the year.
Groups = Mapping[str, Mapping[str, Sequence[Sequence[Any]]]]

#: A tally bucket's index: (employer key, year, quarter number).
_Index = tuple[str, int, int]

#: The lines open at the end of one employer quarter (Q4 of the year before to Q3): the
#: employer of its first record, then each line with its worker.
_Opens = tuple[Employer, list[tuple[Niss, OpenLine]]]

_NOTHING: frozenset[Any] = frozenset()


def _merged_counts(
    declared: Mapping[Quarter, QuarterCount] | None,
    given: Mapping[Quarter, Fraction | Decimal | int] | None,
) -> dict[Quarter, QuarterCount | Fraction | Decimal | int]:
    merged: dict[Quarter, QuarterCount | Fraction | Decimal | int] = dict(declared or {})
    if given:
        merged.update(given)
    return merged


def employer_bands(
    keys: Iterable[str],
    year: int,
    counts: Mapping[str, Mapping[Quarter, QuarterCount]],
    overrides: Overrides,
    options: EntitlementOptions,
) -> dict[str, BandResult]:
    """The band of each employer key: :func:`size_band` on its counts and overrides."""
    bands: dict[str, BandResult] = {}
    for key in keys:
        given = overrides.band.get(key)
        quarters = _merged_counts(counts.get(key), overrides.quarter_fte.get(key))
        result = size_band(
            key,
            year,
            quarters,
            override_band=given,
            fallback_count=options.fallback_count,
            fallback_value=overrides.fallback_fte.get(key),
        )
        if key in overrides.quarter_fte and given is None and result.basis is BandBasis.DECLARED:
            result = attrs.evolve(result, basis=BandBasis.OVERRIDE_FTE)
        bands[key] = result
    return bands


@attrs.define
class _Scan:
    """What one pass over the records collects."""

    tally: QuarterTally = attrs.Factory(QuarterTally)
    groups: dict[str, dict[str, list[_OpenLine]]] = attrs.Factory(dict)
    employers: dict[str, Employer] = attrs.Factory(dict)
    people: dict[str, Niss] = attrs.Factory(dict)
    #: Per employer quarter from Q4 of the year before to Q3, the lines open at its end
    #: (they may go on into an undeclared quarter), compact: grouped per worker at the
    #: end, and only for the employers with a quarter missing.
    opens: dict[_Index, _Opens] = attrs.Factory(dict)

    def gaps(self, year: int, *, assume: bool) -> dict[tuple[str, str], Gap]:
        """The :data:`Gap` of each worker (continuations if ``assume``).

        A worker with a gap but no line in ``year`` (its employer declared none of the
        year's quarters it was open into) joins ``groups`` with no line: it gets a result.
        """
        declared = self.declared()
        # Employers that would miss a quarter if every line of theirs were open.
        gapped = {
            k for k, quarters in declared.items() if undeclared_quarters(year, quarters, quarters)
        }
        open_lines: dict[tuple[str, str], dict[Quarter, list[OpenLine]]] = {}
        whose: dict[tuple[str, str], tuple[Employer, Niss]] = {}
        for (key, y, number), (employer, found) in self.opens.items():
            if key not in gapped:
                continue
            quarter = Quarter(y, number)
            for person, line in found:
                who = (key, person.value)
                open_lines.setdefault(who, {}).setdefault(quarter, []).append(line)
                whose[who] = (employer, person)
        found_gaps: dict[tuple[str, str], Gap] = {}
        for (key, niss), lines in open_lines.items():
            gap = gap_of(year, declared[key], lines)
            if gap is not None:
                found_gaps[(key, niss)] = gap if assume else (gap[0], ())
                employer, person = whose[(key, niss)]
                self.groups.setdefault(key, {}).setdefault(niss, [])
                self.employers.setdefault(key, employer)
                self.people.setdefault(niss, person)
        return found_gaps

    def declared(self) -> dict[str, set[Quarter]]:
        """The quarters each employer declared (a record or a declaration)."""
        declared: dict[str, set[Quarter]] = defaultdict(set)
        for key, y, number in self.tally.buckets:
            declared[key].add(Quarter(y, number))
        return declared

    def duplicate_findings(self) -> dict[str, tuple[Finding, ...]]:
        found: dict[str, list[Finding]] = defaultdict(list)
        for key, quarter in sorted(self.tally.duplicates, key=lambda d: (d[0], d[1])):
            found[key].append(
                Finding(
                    "FLA_DUPLICATE_QUARTER",
                    Severity.WARNING,
                    f"employer {key}: quarter {quarter} given more than once; "
                    "each line counted once",
                )
            )
        return {key: tuple(findings) for key, findings in found.items()}

    def absorb(self, later: _Scan, *, seal: bool) -> None:
        """Add ``later``, the scan of the records that follow this one's (scanned with
        this one as its base): as if one pass had read them all, in that order.

        ``seal``: ``later``'s employer quarters are complete (their counts are kept,
        their names and duplicate keys dropped); one sealed before is refused.
        """
        self._absorb_counts(later.tally, seal=seal)
        for key, workers in later.groups.items():
            mine = self.groups.setdefault(key, {})
            for niss, lines in workers.items():
                _join(mine.setdefault(niss, []), lines)
        for key, employer in later.employers.items():
            self.employers.setdefault(key, employer)
        for niss, person in later.people.items():
            self.people.setdefault(niss, person)
        for index, (employer, found) in later.opens.items():
            self.opens.setdefault(index, (employer, []))[1].extend(found)
        self._prune(later)

    def _absorb_counts(self, later: QuarterTally, *, seal: bool) -> None:
        tally = self.tally
        buckets = tally.buckets
        for index, (sums, heads, seen) in later.buckets.items():
            if index in tally.sealed:
                raise ValueError(f"employer quarter {index} was sealed: its records were all in")
            mine = buckets.get(index)
            if mine is None:
                buckets[index] = (sums, heads, seen)
            else:
                for s, q in sums.items():
                    mine[0][s] = mine[0].get(s, 0) + q
                mine[1].update(heads)
                mine[2].update(seen)
            if seal:
                tally.seal(index)
        tally.duplicates.update(later.duplicates)

    def _prune(self, later: _Scan) -> None:
        """Drop the open lines that can no longer go on into an undeclared quarter, once
        ``later`` is absorbed: only the lines it opened and those of the quarters before
        the ones it declared can have stopped (the others were kept at the absorbs before
        it). Looked up employer quarter by employer quarter: every employer's declared
        quarters rebuilt at each absorb took a group of 70,000 files (a batch of
        corrections joins a country's employers) hours."""
        if not self.opens:
            return
        before = ((key, *_parts(Quarter(y, n) - 1)) for key, y, n in later.tally.buckets)
        buckets = self.tally.buckets
        for index in {*later.opens, *before} & self.opens.keys():
            key, y, number = index
            if not lines_may_continue(Quarter(y, number), _Declared(buckets, key)):
                del self.opens[index]


def _parts(quarter: Quarter) -> tuple[int, int]:
    return quarter.year, quarter.number


class _Declared(Container[Quarter]):
    """The quarters employer ``key`` declared (its records' or declarations' buckets),
    found by lookup: :meth:`_Scan.declared` builds every employer's."""

    __slots__ = ("_buckets", "_key")

    def __init__(self, buckets: Mapping[_Index, object], key: str) -> None:
        self._buckets = buckets
        self._key = key

    def __contains__(self, quarter: object) -> bool:
        return (
            isinstance(quarter, Quarter)
            and (self._key, quarter.year, quarter.number) in self._buckets
        )


def _join(lines: list[_OpenLine], later: list[_OpenLine]) -> None:
    """``later`` (one worker's lines of later records) after ``lines``, the first joined to
    the last when it continues it, as the scan joins a line repeated quarter by quarter."""
    if lines and later:
        last, first = lines[-1], later[0]
        if last[1] == first[0] and last[2:] == first[2:]:
            last[1] = first[1]
            lines.extend(later[1:])
            return
    lines.extend(later)


def _scan(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter],
    year: int,
    indemnity_codes: frozenset[int],
) -> _Scan:
    """One pass: quarter-end counts of every quarter and the lines of ``year``."""
    scan = _Scan()
    for declaration in declarations:
        scan.tally.declare(declaration.employer.key, declaration.quarter)
    _feed(scan, records, year, indemnity_codes)
    return scan


def _feed(
    scan: _Scan,
    records: Iterable[DmfaWorkerRecord],
    year: int,
    indemnity_codes: frozenset[int],
    base: _Scan | None = None,
) -> None:
    """Scan ``records`` into ``scan``: quarter-end counts and the lines of ``year``.

    With ``base`` (the scan of the records before these), a record ``base`` saw in its
    employer quarter counts once, as in one pass; nothing of ``base`` is changed.

    The rules are called, not copied: R-COUNT-5 is :func:`counts_at_quarter_end`,
    the duplicate check :func:`duplicate_key`, the clipping :func:`clip`. The hot
    loop of the bulk path, kept flat on purpose: reader output comes file by file
    (one employer and quarter), so what depends on them is looked up only when they
    change.
    """
    tally = scan.tally
    year_days = year_window(year)
    duplicates = tally.duplicates
    groups, employers, people, opens = scan.groups, scan.employers, scan.people, scan.opens
    before = {} if base is None else base.tally.buckets
    open_from, open_to = Quarter(year - 1, 4), Quarter(year, 3)
    watch: list[tuple[Niss, OpenLine]] | None = None
    last_employer: Employer | None = None
    last_quarter: Quarter | None = None
    key = ""
    last_day = date.min
    window: YearWindow | None = None
    sums: dict[int, int] = {}
    heads: set[str] = set()
    seen: set[DuplicateKey] = set()
    earlier: Set[DuplicateKey] = _NOTHING
    workers: dict[str, list[_OpenLine]] | None = None
    for record in records:
        employer, quarter = record.employer, record.quarter
        if employer is not last_employer or quarter is not last_quarter:
            if employer is not last_employer:
                last_employer, key = employer, employer.key
                workers = groups.get(key)
            last_quarter, last_day = quarter, quarter.last_day
            window = year_days if quarter.year == year else None
            index = (key, quarter.year, quarter.number)
            sums, heads, seen = tally.bucket(key, quarter)  # declared, even if nobody counts
            earlier = before[index][2] if index in before else _NOTHING
            watch = None
            if open_from <= quarter <= open_to:
                watch = opens.setdefault(index, (employer, []))[1]
        mark = duplicate_key(record)
        if mark in seen or mark in earlier:
            duplicates.add((key, quarter))
            continue
        seen.add(mark)
        worker_code = record.worker_code
        mine: list[_OpenLine] | None = None
        counted = False
        for occupation in record.occupations:
            indemnity = bool(occupation.remunerations) and is_termination_indemnity(
                occupation, indemnity_codes
            )
            q = occupation.mean_working_hours or 0
            s = occupation.ref_mean_working_hours or 0
            if counts_at_quarter_end(worker_code, occupation, last_day, indemnity=indemnity):
                sums[s] = sums.get(s, 0) + q
                counted = True
            if indemnity:
                continue
            if watch is not None and is_open_at_end(occupation, last_day):
                watch.append((record.niss, open_line(occupation)))
            if window is None:
                continue
            period = occupation.period
            stop = period.stop
            stop_day = None if stop is None else stop.toordinal()
            span = clip(period.start.toordinal(), stop_day, window)
            if span is None:
                continue
            if mine is None:
                if workers is None:
                    workers = groups[key] = {}
                    employers[key] = employer
                mine = workers.get(mark[0])
                if mine is None:
                    mine = workers[mark[0]] = []
                    people.setdefault(mark[0], record.niss)
            code, days = occupation.joint_commission.code, occupation.working_days_system
            if mine:
                last = mine[-1]
                if (  # the same line continued from the previous quarter: join in place
                    last[1] == span[0]
                    and last[2] == q
                    and last[3] == s
                    and last[4] == code
                    and last[5] == days
                ):
                    last[1] = span[1]
                    continue
            mine.append([span[0], span[1], q, s, code, days])
        if counted:
            heads.add(mark[0])


class ScanStage:
    """The part of an :class:`EntitlementStream` being fed: kept only when committed."""

    def __init__(self, stream: EntitlementStream) -> None:
        self._stream = stream
        self._scan: _Scan | None = _Scan()

    def feed(self, records: Iterable[DmfaWorkerRecord]) -> None:
        """Scan ``records`` after everything committed before (and fed before here)."""
        assert self._scan is not None, "a stage is fed before it is committed or discarded"
        stream = self._stream
        _feed(self._scan, records, stream.year, stream.indemnity_codes, stream.committed)

    def commit(self) -> None:
        """Add what was fed to the stream."""
        assert self._scan is not None, "a stage is committed once"
        self._stream.committed.absorb(self._scan, seal=self._stream.sealed)
        self._scan = None

    def discard(self) -> None:
        """Forget what was fed."""
        self._scan = None


class EntitlementStream:
    """:func:`compute_entitlements` fed in parts, each kept only when it is committed.

    :meth:`stage` starts a part: its ``feed(records)`` scans records as one pass would
    after the committed ones (a record already seen in its employer quarter counts
    once), ``commit()`` keeps them, ``discard()`` forgets them (a file that failed
    part-way contributes nothing). :meth:`entitlements` then gives what
    :func:`compute_entitlements` gives for the committed records, in the order they
    were fed, and the declarations. Stages are fed one at a time, each committed or
    discarded before the next is fed.

    ``sealed=True`` is the caller's promise that each employer quarter's records come
    in one part (a reader that refuses a second declaration of a quarter, as
    :func:`~mycareer.xmlio.flows.stream_corrected_dmfa` does): committed quarters
    then keep their counts only, and a part naming one again is refused (ValueError).
    """

    def __init__(
        self, year: int, *, options: EntitlementOptions | None = None, sealed: bool = False
    ) -> None:
        self.year = year
        self.options = options or EntitlementOptions()
        self.indemnity_codes = self.options.indemnity_codes
        self.sealed = sealed
        self.committed = _Scan()
        self._done = False

    def stage(self) -> ScanStage:
        """A new part, fed after everything committed so far."""
        return ScanStage(self)

    def employer_keys(self) -> frozenset[str]:
        """The employer keys of the committed records (declarations not included)."""
        return frozenset(key for key, _y, _n in self.committed.tally.buckets)

    def last_quarter(self) -> Quarter | None:
        """The latest quarter of the committed records (None: no record)."""
        latest = max(((y, n) for _k, y, n in self.committed.tally.buckets), default=None)
        return None if latest is None else Quarter(*latest)

    def entitlements(
        self,
        declarations: Iterable[DeclaredQuarter] = (),
        *,
        rulebook: Rulebook | None = None,
        overrides: Overrides | None = None,
        as_of: date | None = None,
    ) -> tuple[Entitlement, ...]:
        """Every result of the committed records and ``declarations``, as
        :func:`compute_entitlements` gives them (once: the stream is spent then)."""
        if self._done:
            raise RuntimeError("an EntitlementStream gives its entitlements once")
        self._done = True
        book = rulebook or Rulebook.default()
        over = overrides or Overrides()
        check_year(self.year, book, over)
        scan = self.committed
        for declaration in declarations:
            scan.tally.declare(declaration.employer.key, declaration.quarter)
        return _finish(scan, self.year, book, over, self.options, as_of)


@overload
def compute_entitlements(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter],
    year: int,
    *,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
) -> tuple[Entitlement, ...]: ...


@overload
def compute_entitlements(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter] = (),
    *,
    year: int,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
) -> tuple[Entitlement, ...]: ...


# The year is required (the overloads make a call without it a type error); the
# default only lets ``year=`` follow omitted declarations, and is refused at run time.
def compute_entitlements(
    records: Iterable[DmfaWorkerRecord],
    declarations: Iterable[DeclaredQuarter] = (),
    year: int | None = None,
    *,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
) -> tuple[Entitlement, ...]:
    """Every (employer, worker) entitlement for ``year``, sorted by employer then NISS.

    One result per (employer, worker) with an occupation line in ``year`` that is
    not a termination indemnity, or with a line open into a quarter of ``year`` its
    employer did not declare (``DECLARATION_MISSING``). Records of other years feed
    the size band (its reference period lies in earlier years). ``as_of`` is recorded
    on the results. One pass over the records; explanations are only built when asked for.
    """
    if year is None:
        raise TypeError("compute_entitlements() needs the year")
    book = rulebook or Rulebook.default()
    opts = options or EntitlementOptions()
    over = overrides or Overrides()
    check_year(year, book, over)
    scan = _scan(records, declarations, year, opts.indemnity_codes)
    return _finish(scan, year, book, over, opts, as_of)


def _finish(
    scan: _Scan,
    year: int,
    book: Rulebook,
    over: Overrides,
    opts: EntitlementOptions,
    as_of: date | None,
) -> tuple[Entitlement, ...]:
    """The results of a finished scan: gaps, bands, then one result per worker."""
    # Before the bands: a gap may add an employer with no line in the year.
    gaps = scan.gaps(year, assume=opts.assume_continuation)
    bands = employer_bands(scan.employers, year, scan.tally.result(), over, opts)
    return assemble(
        scan.groups,
        scan.employers,
        scan.people,
        bands,
        year,
        book,
        over,
        opts,
        scan.duplicate_findings(),
        projected=False,
        as_of=as_of,
        gaps=gaps,
    )


def _shape(
    segments: tuple[Segment, ...], month_of: tuple[int, ...], first: int
) -> tuple[object, ...]:
    """A memo key: month-level when the lines do not overlap (days within a month do not
    matter then), the exact lines otherwise. ``month_of`` from :func:`month_of_day`,
    ``first`` the ordinal of 1 January."""
    previous_stop = 0
    shape: list[object] = []
    for segment in segments:
        if segment.start < previous_stop:
            return segments
        previous_stop = segment.stop
        shape.append(
            (month_of[segment.start - first], month_of[segment.stop - 1 - first], *segment[2:])
        )
    return tuple(shape)


def _shape_of(
    lines: Sequence[Sequence[Any]], month_of: tuple[int, ...], first: int
) -> tuple[tuple[object, ...], tuple[Segment, ...] | None]:
    """The memo key of a worker's lines, and the coalesced lines when they were built."""
    if not lines:  # a worker with a gap only (no line declared in the year)
        return (), ()
    if len(lines) == 1:
        only = lines[0]
        shape = (month_of[only[0] - first], month_of[only[1] - 1 - first], *only[2:6])
        return shape, None
    ordered = coalesce([new_segment(Segment, line) for line in lines])
    return _shape(ordered, month_of, first), ordered


#: Cores by shape, per context (the rulebook's identity, the options, year, band and
#: overrides): a country's small employers share few shapes each but many across
#: employers (1,000 small employers: 4,071 shapes, 430 distinct), and a process computes
#: group after group. Each entry keeps its rulebook alive (its id stays its own) and is
#: checked to be its; both levels are bounded (16 contexts of 512 cores: an account run
#: computes several years, each a context per band).
_CORE_MEMOS: BoundedCache[
    tuple[object, ...], tuple[Rulebook, BoundedCache[tuple[object, ...], Core]]
] = BoundedCache("entitlement core memos", maxsize=16)


def _core_memo(
    book: Rulebook,
    opts: EntitlementOptions,
    year: int,
    band: SizeBand,
    overridden: tuple[Fraction | None, Fraction],
) -> BoundedCache[tuple[object, ...], Core]:
    """The cores of one context by shape, shared by every call in this process."""
    key = (id(book), opts, year, band, *overridden)
    found = _CORE_MEMOS.get(key)
    if found is not None and found[0] is book:
        return found[1]
    memo: BoundedCache[tuple[object, ...], Core] = BoundedCache(
        "entitlement cores of one context", maxsize=512
    )
    _CORE_MEMOS.put(key, (book, memo))
    return memo


def _core(
    memo: BoundedCache[tuple[object, ...], Core],
    shape: tuple[object, ...],
    ordered: tuple[Segment, ...] | None,
    lines: Sequence[Sequence[Any]],
    compute: Callable[..., Core],
) -> Core:
    """The :class:`Core` of ``lines`` (memo key ``shape``, see :func:`_shape_of`), computed
    once per key."""
    core = memo.get(shape)
    if core is None:
        if ordered is None:
            ordered = (new_segment(Segment, lines[0]),)
        core = memo.put(shape, compute(segments=ordered))
    return core


def _continued(lines: Sequence[Sequence[Any]], gap: Gap) -> list[Sequence[Any]]:
    """``lines`` and the gap's assumed continuations, as scan lines."""
    return [*lines, *([*segment] for segment in gap[1])]


def assemble(
    groups: Groups,
    employers: Mapping[str, Employer],
    people: Mapping[str, Niss],
    bands: Mapping[str, BandResult],
    year: int,
    book: Rulebook,
    over: Overrides,
    opts: EntitlementOptions,
    extra: Mapping[str, tuple[Finding, ...]],
    *,
    projected: bool,
    as_of: date | None,
    gaps: Mapping[tuple[str, str], Gap] | None = None,
) -> tuple[Entitlement, ...]:
    """One result per (employer, worker) of ``groups``, sorted by employer, then NISS.

    A worker with a :data:`~mycareer.fla.continuation.Gap` gets its own result (with the
    ``DECLARATION_MISSING`` finding), the others share theirs per shape.
    """
    fla = book.fla_regime(year)
    first = month_starts(year)[0]
    month_of = month_of_day(year)
    results: list[Entitlement] = []
    for key in sorted(groups):
        workers = groups[key]
        band = bands[key]
        employer = employers[key]
        override_days = over.full_time_days.get(key)
        employer_days = over.employer_days.get(key, _ZERO)
        memo = _core_memo(book, opts, year, band.band, (override_days, employer_days))
        compute = partial(
            formula_core, year=year, band=band.band, rulebook=book, options=opts,
            override_days=override_days, employer_days=employer_days,
        )  # fmt: skip
        band_findings = band.findings + extra.get(key, ())
        # Per shape, this employer's fields of the result after (employer, niss).
        rests: dict[tuple[object, ...], tuple[object, ...]] = {}
        for niss in sorted(workers):
            lines = workers[niss]
            gap = gaps.get((key, niss)) if gaps else None
            if not lines and gap is None:
                continue
            if gap is not None:
                lines = _continued(lines, gap)
                shape, ordered = _shape_of(lines, month_of, first)
                core = _core(memo, shape, ordered, lines, compute)
                said = declaration_missing(key, niss, gap[0], assumed=opts.assume_continuation)
                own = fields_after_worker(
                    core, year, band, opts.rounding, fla, (*band_findings, said, *core.findings),
                    projected=projected, as_of=as_of, undeclared=gap[0],
                    assumed_continuation=opts.assume_continuation,
                )  # fmt: skip
                results.append(new_entitlement(employer, people[niss], own))
                continue
            shape, ordered = _shape_of(lines, month_of, first)
            rest = rests.get(shape)
            if rest is None:
                core = _core(memo, shape, ordered, lines, compute)
                findings = band_findings + core.findings if band_findings else core.findings
                rest = rests[shape] = fields_after_worker(
                    core, year, band, opts.rounding, fla, findings,
                    projected=projected, as_of=as_of,
                )  # fmt: skip
            results.append(new_entitlement(employer, people[niss], rest))
    return tuple(results)
