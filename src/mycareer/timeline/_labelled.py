"""The labelled timeline: overlapping career records → non-overlapping, explained segments.

One boundary sweep over the records sorted by start, with a min-heap of the
active records' stops (O(n log n) overall). Between two consecutive
boundaries the set of active records is constant; that stretch gets a label:

* ``kind`` — the active kind of highest :class:`Precedence` rank (caller-supplied,
  typed; :data:`DEFAULT_PRECEDENCE` below);
* ``fte`` — the exact sum of the work fractions Q/S of the concurrent
  employment records (DmfA zones 00048/00049), except those *suspended* by a
  career break at the same employer (a full break, measure 3 with Q = 0,
  keeps the relation but no work is due);
* ``employers``, ``provisional`` and ``sources`` (the input records that made it).

Adjacent stretches with the same label are coalesced (their sources united),
so a job declared quarter by quarter in DmfA reads as one segment. Gaps are
not segments: any kind outranks a gap, see :meth:`Timeline.gaps`.

Nothing is raised for inconsistent data and nothing is dropped: findings
report total FTE above 1 (``FTE_ABOVE_ONE``), employment during full
unemployment (``EMPLOYMENT_DURING_UNEMPLOYMENT``) and ongoing records that
only start after ``as_of`` (``OPEN_AFTER_AS_OF``, kept out of the segments).

>>> from datetime import date
>>> from mycareer.niss import Niss
>>> from mycareer.employer import Employer
>>> from mycareer.enterprise import EnterpriseNumber
>>> from mycareer.work_fraction import WorkFraction
>>> niss, acme = Niss("85073003328"), Employer(EnterpriseNumber("0403019261"))
>>> job = CareerPeriod(niss, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1), None),
...                    employer=acme, fraction=WorkFraction(Fraction(4, 5)))
>>> ill = CareerPeriod(niss, PeriodKind.SICKNESS, Period(date(2024, 3, 1), date(2024, 3, 10)))
>>> timeline = build_timeline([job, ill], as_of=date(2024, 6, 30))
>>> for segment in timeline.segments:
...     print(segment.period, segment.kind.value, segment.fte, len(segment.sources))
2024-01-01..2024-02-29 employment 4/5 1
2024-03-01..2024-03-10 sickness 4/5 2
2024-03-11..2024-06-30 employment 4/5 1
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import NamedTuple

import attrs

from mycareer._checks import is_a, items_of, to_date
from mycareer._html import summarised
from mycareer._slots import slot_constructor
from mycareer.career import CareerPeriod
from mycareer.employer import Employer
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding, Severity
from mycareer.kinds import PeriodKind, to_period_kind
from mycareer.niss import Niss, to_optional_niss
from mycareer.period import ONE_DAY, Period
from mycareer.quarter import Quarter
from mycareer.timeline._calendar import months_touched
from mycareer.timeline._gaps import Gap, gaps
from mycareer.timeline._merge import OPEN, _period, merge_sorted_ordinals

__all__ = [
    "DEFAULT_PRECEDENCE",
    "Precedence",
    "Summary",
    "Timeline",
    "TimelineBuilder",
    "TimelineSegment",
    "build_timeline",
    "build_timelines",
]

_ZERO = Fraction(0)
_ONE = Fraction(1)


def _kind_set(raw: Iterable[PeriodKind]) -> frozenset[PeriodKind]:
    return frozenset(PeriodKind(kind) for kind in raw)


def _freeze_ranks(raw: Mapping[PeriodKind, int]) -> Mapping[PeriodKind, int]:
    return {PeriodKind(kind): int(rank) for kind, rank in raw.items()}


@attrs.frozen
class Precedence:
    """Which kind wins where records overlap: the higher rank wins; ties go to enum order.

    ``suspending`` kinds at an employer suspend the employment *at that same
    employer*: it stays in the sources but adds nothing to the FTE. Kinds
    missing from ``ranks`` rank 0 (still above a gap).

    >>> rule = Precedence.from_order(PeriodKind.UNEMPLOYMENT, PeriodKind.EMPLOYMENT)
    >>> rule.winner([PeriodKind.EMPLOYMENT, PeriodKind.UNEMPLOYMENT]).value
    'unemployment'
    """

    ranks: Mapping[PeriodKind, int] = attrs.field(converter=_freeze_ranks)
    suspending: frozenset[PeriodKind] = attrs.field(
        default=frozenset({PeriodKind.CAREER_BREAK}), converter=_kind_set
    )

    @classmethod
    def from_order(
        cls, *kinds: PeriodKind, suspending: Iterable[PeriodKind] = (PeriodKind.CAREER_BREAK,)
    ) -> Precedence:
        """Build from kinds listed strongest first."""
        return cls(
            {kind: len(kinds) - index for index, kind in enumerate(kinds)}, frozenset(suspending)
        )

    def rank(self, kind: PeriodKind) -> int:
        return self.ranks.get(kind, 0)

    def sort_key(self, kind: PeriodKind) -> tuple[int, int]:
        """Higher is stronger; among equal ranks the earlier ``PeriodKind`` member wins."""
        return (self.ranks.get(kind, 0), -_KIND_INDEX[kind])

    def winner(self, kinds: Iterable[PeriodKind]) -> PeriodKind:
        return max(kinds, key=self.sort_key)


_KIND_INDEX = {kind: index for index, kind in enumerate(PeriodKind)}

#: Default rule: caller-supplied sickness, career break and unemployment outrank
#: employment (the situation that explains the day beats the contract that
#: merely exists); employment and civil service outrank self-employment, then
#: training, benefits and other. A career break suspends employment at its employer.
DEFAULT_PRECEDENCE = Precedence(
    {
        PeriodKind.SICKNESS: 80,
        PeriodKind.CAREER_BREAK: 70,
        PeriodKind.UNEMPLOYMENT: 60,
        PeriodKind.EMPLOYMENT: 50,
        PeriodKind.CIVIL_SERVICE: 50,
        PeriodKind.SELF_EMPLOYMENT: 40,
        PeriodKind.TRAINING: 30,
        PeriodKind.BENEFIT: 20,
        PeriodKind.OTHER: 10,
    }
)

_WORK_KINDS = frozenset({PeriodKind.EMPLOYMENT, PeriodKind.CIVIL_SERVICE})

#: Rows of a timeline's notebook table; the rest is counted, not shown.
_HTML_ROWS = 100


@attrs.frozen
class TimelineSegment:
    """A stretch of days with one label; segments of a timeline never overlap.

    ``fte`` sums the known work fractions of the active, non-suspended
    employment records; ``fte_complete`` is False when one of them had no
    fraction (e.g. a Dimona period without its DmfA lines) and no other
    record of the same employer supplied one.
    """

    period: Period = attrs.field(validator=is_a(Period))
    kind: PeriodKind = attrs.field(converter=to_period_kind, validator=is_a(PeriodKind))
    kinds: tuple[PeriodKind, ...] = attrs.field(validator=[is_a(tuple), items_of(PeriodKind)])
    employers: tuple[Employer, ...] = attrs.field(validator=[is_a(tuple), items_of(Employer)])
    fte: Fraction = attrs.field(validator=is_a(Fraction))
    provisional: bool = attrs.field(validator=is_a(bool))
    sources: tuple[CareerPeriod, ...] = attrs.field(validator=[is_a(tuple), items_of(CareerPeriod)])
    suspended: tuple[Employer, ...] = attrs.field(
        default=(), validator=[is_a(tuple), items_of(Employer)]
    )
    fte_complete: bool = attrs.field(default=True, validator=is_a(bool))

    @property
    def days(self) -> int:
        return self.period.days

    @property
    def fte_days(self) -> Fraction:
        """FTE × calendar days, exact."""
        return self.fte * self.period.days


_new_segment = slot_constructor(TimelineSegment)


@attrs.frozen
class Summary:
    """Totals of a timeline over one calendar year or quarter.

    ``label`` is ``"2024"`` for a year or DmfA's ``"20241"`` for a quarter.
    """

    label: str
    period: Period
    days_by_kind: Mapping[PeriodKind, int]
    covered_days: int
    fte_days: Fraction
    months_touched: tuple[int, ...]
    provisional_days: int = 0


@summarised
@attrs.frozen
class Timeline:
    """One worker's labelled timeline as of a date, with its findings."""

    niss: Niss | None = attrs.field(converter=to_optional_niss, validator=is_a(Niss, optional=True))
    as_of: date = attrs.field(converter=to_date, validator=is_a(date))
    segments: tuple[TimelineSegment, ...] = attrs.field(
        validator=[is_a(tuple), items_of(TimelineSegment)]
    )
    findings: tuple[Finding, ...] = attrs.field(
        default=(), validator=[is_a(tuple), items_of(Finding)]
    )
    precedence: Precedence = attrs.field(default=DEFAULT_PRECEDENCE, validator=is_a(Precedence))

    def __iter__(self) -> Iterator[TimelineSegment]:
        return iter(self.segments)

    def __len__(self) -> int:
        return len(self.segments)

    @property
    def periods(self) -> tuple[Period, ...]:
        """The covered days as merged periods (segments are already sorted)."""
        pairs = [(s.period.start.toordinal(), _stop_ordinal(s.period)) for s in self.segments]
        return tuple([_period(a, b) for a, b in merge_sorted_ordinals(pairs)])

    @property
    def span(self) -> Period | None:
        """First covered day to the last one (``None`` when empty)."""
        if not self.segments:
            return None
        return Period(self.segments[0].period.start, self.segments[-1].period.end)

    def segment_on(self, day: date) -> TimelineSegment | None:
        """The segment covering ``day``, if any (binary search)."""
        lo, hi = 0, len(self.segments)
        while lo < hi:
            mid = (lo + hi) // 2
            segment = self.segments[mid]
            if day < segment.period.start:
                hi = mid
            elif segment.period.contains(day):
                return segment
            else:
                lo = mid + 1
        return None

    def gaps(
        self,
        window: Period | None = None,
        *,
        min_days: int = 1,
        provisional_quarters: int = 0,
    ) -> tuple[Gap, ...]:
        """Uncovered stretches of ``window`` (default: first covered day to ``as_of``)."""
        if window is None:
            if not self.segments:
                return ()
            window = Period(self.segments[0].period.start, self.as_of)
        return gaps(
            self.periods,
            window,
            as_of=self.as_of,
            min_days=min_days,
            provisional_quarters=provisional_quarters,
        )

    def _repr_html_(self) -> str:
        """A notebook view: one row per segment, then the gaps."""
        from mycareer._html import html_table

        rows: list[list[object]] = [
            [
                str(s.period),
                s.days,
                s.kind.label,
                ", ".join(e.formatted for e in s.employers) or "-",
                s.fte,
                "provisional" if s.provisional else "",
            ]
            for s in self.segments
        ]
        rows += [[str(g.period), g.days, "gap", "-", "", f"{g.working_days} working days"]
                 for g in self.gaps()]  # fmt: skip
        if len(rows) > _HTML_ROWS:  # a notebook cell, not a dump: to_frame shows them all
            rows = [
                *rows[:_HTML_ROWS],
                ["…", "", f"{len(rows) - _HTML_ROWS} more rows", "", "", ""],
            ]
        who = self.niss.formatted if self.niss is not None else "timeline"
        caption = f"{who} as of {self.as_of.isoformat()}"
        header = ["period", "days", "kind", "employers", "FTE", ""]
        return html_table(header, rows, caption=caption)

    def by_year(self) -> tuple[Summary, ...]:
        """Days per kind, FTE-days and months touched, per calendar year."""
        return self._summaries(lambda day: Period(date(day.year, 1, 1), date(day.year, 12, 31)))

    def by_quarter(self) -> tuple[Summary, ...]:
        """The same totals per calendar quarter (labels ``YYYYQ``)."""
        return self._summaries(lambda day: Quarter.of(day).period)

    def _summaries(self, bucket_of: Callable[[date], Period]) -> tuple[Summary, ...]:
        buckets: dict[Period, list[tuple[TimelineSegment, Period]]] = {}
        for segment in self.segments:
            start = segment.period.start
            end = segment.period.end
            assert end is not None  # segments are resolved at as_of
            while start <= end:
                bucket = bucket_of(start)
                bucket_end = bucket.end
                assert bucket_end is not None
                piece = Period(start, min(end, bucket_end))
                buckets.setdefault(bucket, []).append((segment, piece))
                start = min(end, bucket_end) + ONE_DAY
        summaries = []
        for bucket, pieces in buckets.items():
            days_by_kind: dict[PeriodKind, int] = {}
            fte_days = _ZERO
            provisional_days = 0
            for segment, piece in pieces:
                days_by_kind[segment.kind] = days_by_kind.get(segment.kind, 0) + piece.days
                fte_days += segment.fte * piece.days
                if segment.provisional:
                    provisional_days += piece.days
            is_year = bucket.start.month == 1 and bucket.end == date(bucket.start.year, 12, 31)
            label = str(bucket.start.year) if is_year else str(Quarter.of(bucket.start))
            months = months_touched([piece for _, piece in pieces], bucket.start.year)
            summaries.append(
                Summary(
                    label=label,
                    period=bucket,
                    days_by_kind={k: days_by_kind[k] for k in PeriodKind if k in days_by_kind},
                    covered_days=sum(days_by_kind.values()),
                    fte_days=fte_days,
                    months_touched=months,
                    provisional_days=provisional_days,
                )
            )
        return tuple(summaries)


def _stop_ordinal(period: Period) -> int:
    stop = period.stop
    return OPEN if stop is None else stop.toordinal()


class _Label(NamedTuple):
    """The label of one stretch; the first seven fields decide coalescing."""

    kind: PeriodKind
    kinds: tuple[PeriodKind, ...]
    employers: tuple[Employer, ...]
    fte: Fraction
    provisional: bool
    suspended: tuple[Employer, ...]
    fte_complete: bool
    employed_while_unemployed: bool


def _label(
    records: Sequence[CareerPeriod], indices: Sequence[int], precedence: Precedence
) -> _Label:
    """Label of one stretch from its active records (``records`` at ``indices``)."""
    if len(indices) == 1:  # the common case, kept cheap
        record = records[indices[0]]
        kind = record.kind
        only: tuple[Employer, ...] = () if record.employer is None else (record.employer,)
        fraction = record.fraction if kind in _WORK_KINDS else None
        complete = fraction is not None or kind not in _WORK_KINDS
        fte = _ZERO if fraction is None else fraction.value
        # _make: a keyword argument (employed_while_unemployed=False) cost 5 % of the build
        return _Label._make((kind, (kind,), only, fte, record.provisional, (), complete, False))
    active = [records[index] for index in indices]
    kinds_seen: dict[PeriodKind, None] = {}
    employer_seen: dict[Employer, None] = {}
    suspending_at: set[Employer] = set()
    provisional = False
    unemployed = False
    for record in active:
        kinds_seen[record.kind] = None
        if record.employer is not None:
            employer_seen[record.employer] = None
            if record.kind in precedence.suspending:
                suspending_at.add(record.employer)
        provisional = provisional or record.provisional
        unemployed = unemployed or record.kind is PeriodKind.UNEMPLOYMENT
    fte = _ZERO
    known: dict[Employer | None, bool] = {}
    suspended: dict[Employer, None] = {}
    working = False
    for record in active:
        if record.kind not in _WORK_KINDS:
            continue
        if record.employer is not None and record.employer in suspending_at:
            suspended[record.employer] = None
            continue
        fraction = record.fraction
        if fraction is None:
            known.setdefault(record.employer, False)
            working = True
        else:
            known[record.employer] = True
            fte += fraction.value
            working = working or fraction.value > 0
    kinds = tuple(sorted(kinds_seen, key=precedence.sort_key, reverse=True))
    employers = tuple(sorted(employer_seen, key=lambda e: e.key))
    return _Label(
        kinds[0],
        kinds,
        employers,
        fte,
        provisional,
        tuple(sorted(suspended, key=lambda e: e.key)),
        all(known.values()),
        unemployed and working,
    )


def _sweep(
    starts: Sequence[int], stops: Sequence[int], order: Sequence[int]
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Boundary sweep: ``(start, stop, active indices)`` for every stretch with active records."""
    stretches: list[tuple[int, int, tuple[int, ...]]] = []
    append = stretches.append
    heap: list[tuple[int, int]] = []
    push, pop = heapq.heappush, heapq.heappop
    active: dict[int, None] = {}
    n = len(order)
    i = 0
    cursor = 0
    while i < n or heap:
        if not heap:
            cursor = starts[order[i]]
        while i < n and starts[order[i]] == cursor:
            index = order[i]
            push(heap, (stops[index], index))
            active[index] = None
            i += 1
        boundary = heap[0][0]
        if i < n and starts[order[i]] < boundary:
            boundary = starts[order[i]]
        append((cursor, boundary, tuple(active)))
        cursor = boundary
        while heap and heap[0][0] == cursor:
            del active[pop(heap)[1]]
    return stretches


def build_timeline(
    records: Iterable[CareerPeriod],
    *,
    as_of: date,
    precedence: Precedence = DEFAULT_PRECEDENCE,
) -> Timeline:
    """One worker's labelled timeline; ongoing records are resolved at ``as_of``.

    All records must belong to the same worker (use :func:`build_timelines`
    for many workers). Closed records keep their own end, even after ``as_of``.
    """
    records = list(records)
    niss = records[0].niss if records else None
    if not all(record.niss is niss for record in records):  # one object: one worker
        nisses = {record.niss for record in records}
        if len(nisses) > 1:
            shown = ", ".join(sorted(str(n) for n in nisses)[:3])
            raise InvalidValueError(
                f"build_timeline takes one worker's records, got {len(nisses)} NISS ({shown}…); "
                "use build_timelines"
            )
    return _build_one(records, niss, as_of, precedence)


def _known_by(
    records: list[CareerPeriod], as_of: date, findings: list[Finding]
) -> tuple[list[CareerPeriod], list[int], list[int]]:
    """The records known at ``as_of``, with their start and stop ordinals (open ones stop there)."""
    as_of_stop = as_of.toordinal() + 1
    kept: list[CareerPeriod] = []
    starts: list[int] = []
    stops: list[int] = []
    for record in records:
        period = record.period
        start = period.start.toordinal()
        stop_date = period.stop
        if stop_date is None:
            if start >= as_of_stop:
                findings.append(
                    Finding(
                        "OPEN_AFTER_AS_OF",
                        Severity.INFO,
                        f"ongoing {record.kind.value} period {period} starts after "
                        f"as_of {as_of.isoformat()}: not on the timeline yet",
                        record.source,
                    )
                )
                continue
            stop = as_of_stop
        else:
            stop = stop_date.toordinal()
        kept.append(record)
        starts.append(start)
        stops.append(stop)
    return kept, starts, stops


def _conflict_findings(segment: TimelineSegment, label: _Label) -> Iterator[Finding]:
    """The warnings of an inconsistent segment: FTE above 1, work while unemployed."""
    source = segment.sources[0].source
    if label.fte > _ONE:
        yield Finding(
            "FTE_ABOVE_ONE",
            Severity.WARNING,
            f"total FTE {segment.fte} above 1 over {segment.period} across "
            + ", ".join(e.key for e in segment.employers),
            source,
        )
    if label.employed_while_unemployed:
        yield Finding(
            "EMPLOYMENT_DURING_UNEMPLOYMENT",
            Severity.WARNING,
            f"employment during full unemployment over {segment.period}",
            source,
        )


def _build_one(
    records: list[CareerPeriod], niss: Niss | None, as_of: date, precedence: Precedence
) -> Timeline:
    """The sweep itself, for records already known to share ``niss``."""
    findings: list[Finding] = []
    kept, starts, stops = _known_by(records, as_of, findings)
    order = sorted(range(len(kept)), key=starts.__getitem__)
    segments: list[TimelineSegment] = []
    previous_key: tuple[object, ...] | None = None  # what decides coalescing
    run_start = run_stop = 0
    run_sources: dict[int, None] = {}
    run_label: _Label | None = None
    conflicts: list[tuple[int, _Label]] = []

    def flush(label: _Label) -> None:
        segment = _new_segment(  # checked values: the slot constructor skips the checks
            _period(run_start, run_stop),
            label.kind,
            label.kinds,
            label.employers,
            label.fte,
            label.provisional,
            tuple([kept[index] for index in run_sources]),
            label.suspended,
            label.fte_complete,
        )
        segments.append(segment)
        if label.fte.numerator > label.fte.denominator or label.employed_while_unemployed:
            conflicts.append((len(segments) - 1, label))

    for start, stop, active in _sweep(starts, stops, order):
        label = _label(kept, active, precedence)
        fte = label.fte  # compared as integers: Fraction.__eq__ is slow in a hot loop
        key = (
            label.kind,
            label.kinds,
            label.employers,
            fte.numerator,
            fte.denominator,
            label.provisional,
            label.suspended,
            label.fte_complete,
        )
        if key == previous_key and start == run_stop:
            run_stop = stop
            for index in active:
                run_sources[index] = None
            continue
        if run_label is not None:
            flush(run_label)
        previous_key, run_label = key, label
        run_start, run_stop = start, stop
        run_sources = dict.fromkeys(active)
    if run_label is not None:
        flush(run_label)
    for position, label in conflicts:
        findings.extend(_conflict_findings(segments[position], label))
    return Timeline(niss, as_of, tuple(segments), tuple(findings), precedence)


def build_timelines(
    records: Iterable[CareerPeriod],
    *,
    as_of: date,
    precedence: Precedence = DEFAULT_PRECEDENCE,
) -> dict[Niss, Timeline]:
    """One timeline per worker, in order of first appearance (one pass to group)."""
    groups: dict[Niss, list[CareerPeriod]] = {}
    for record in records:
        bucket = groups.get(record.niss)
        if bucket is None:
            groups[record.niss] = [record]
        else:
            bucket.append(record)
    return {niss: _build_one(group, niss, as_of, precedence) for niss, group in groups.items()}


class TimelineBuilder:
    """Incremental form: ``add`` is amortised O(1); ``build`` is one O(n log n) sweep.

    Appending never re-sorts or re-merges (the quadratic trap of folding with
    ``|`` in operator-based libraries); Python's sort exploits records that
    arrive mostly in order.

    >>> from datetime import date
    >>> builder = TimelineBuilder()
    >>> builder.add(CareerPeriod(Niss("85073003328"), PeriodKind.TRAINING,
    ...                          Period(date(2024, 1, 8), date(2024, 1, 9))))
    >>> len(builder), len(builder.build(as_of=date(2024, 12, 31)).segments)
    (1, 1)
    """

    def __init__(self, precedence: Precedence = DEFAULT_PRECEDENCE) -> None:
        self._records: list[CareerPeriod] = []
        self._precedence = precedence

    def add(self, record: CareerPeriod) -> None:
        self._records.append(record)

    def extend(self, records: Iterable[CareerPeriod]) -> None:
        self._records.extend(records)

    def __len__(self) -> int:
        return len(self._records)

    def build(self, *, as_of: date) -> Timeline:
        """The timeline of everything added so far (one worker)."""
        return build_timeline(self._records, as_of=as_of, precedence=self._precedence)

    def build_all(self, *, as_of: date) -> dict[Niss, Timeline]:
        """One timeline per worker of everything added so far."""
        return build_timelines(self._records, as_of=as_of, precedence=self._precedence)
