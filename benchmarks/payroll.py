"""Generate DmfA originals shaped like real payroll output, for the benchmarks.

One file per employer and quarter (as payroll software sends them), employers of
very different sizes (a few large ones, many small ones), and worker lines as
payrolls write them (https://www.socialsecurity.be/employer/instructions/dmfa/,
annexes 7, 8 and 44):

* several service codes per line: worked days (1) with, depending on the worker,
  manual workers' holidays (2), sickness (50), temporary unemployment (70) or
  educational leave (5), the days of a quarter split between them;
* remuneration codes 1 (ordinary pay) and 2 (premiums) on most lines;
* part-time lines (Q < S), some with a partial career break (reorganisation
  measure 4, in the occupation's own zone or in ``ReorgMeasureInformation`` with
  a percentage), a few full career breaks (measure 3, Q = 0, no services);
* some workers change work fraction within a quarter (two lines), some leave
  one employer and join another (their timeline spans employers), some join
  during the period.

Deterministic for a seed. Run as a script to write a folder::

    python benchmarks/payroll.py OUT --workers 20000 --from 20231 --to 20244
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import attrs

from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    DmfaWorkerRecord,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
)
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.period import Period
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa_writer import write_dmfa

__all__ = ["Payroll", "employer_of", "generate", "niss_of"]

S = 3800  # the reference person's 38 hours a week, in hundredths
COMMITTEES = [JointCommission(c) for c in ("200", "124", "302", "111", "140.03", "330")]
WHITE, BLUE = 495, 15


def niss_of(index: int) -> Niss:
    """A distinct valid NISS for each index below 17.9 million (born 1950-1999)."""
    birth = date(1950, 1, 1) + timedelta(days=index % 18000)
    base = f"{birth:%y%m%d}{index % 997 + 1:03d}"
    return Niss(f"{base}{97 - int(base) % 97:02d}")


def employer_of(index: int) -> Employer:
    """A distinct valid enterprise number for each index (0-series)."""
    body = f"0{200000 + index:07d}"
    return Employer(EnterpriseNumber(f"{body}{97 - int(body) % 97:02d}"))


@attrs.frozen
class Worker:
    """One generated worker's career over the period: who, where, how much."""

    index: int
    employer: int
    hired: date
    q: int  # mean weekly hours, hundredths
    blue: bool
    leaves: date | None  # leaves ``employer`` on this day (then joins ``next_employer``)
    next_employer: int
    reduces: date | None  # goes 4/5 with a partial career break from this day
    full_break: Quarter | None  # a quarter of full career break
    services: tuple[int, ...]  # the absence codes this worker's lines carry besides 1


@attrs.frozen
class Payroll:
    """A generated population: workers, employers, quarters."""

    workers: tuple[Worker, ...]
    employers: int
    quarters: tuple[Quarter, ...]

    def records(self, employer: int, quarter: Quarter) -> Iterator[DmfaWorkerRecord]:
        for worker in self.workers:
            record = _record(worker, employer, quarter)
            if record is not None:
                yield record


def _sizes(workers: int, employers: int, rng: random.Random) -> list[int]:
    """Employer of each worker: a skewed (Pareto-like) size distribution."""
    weights = [1 / (rank + 1) ** 0.9 for rank in range(employers)]
    return rng.choices(range(employers), weights=weights, k=workers)


def population(
    workers: int, quarters: tuple[Quarter, ...], employers: int, seed: int = 2024
) -> Payroll:
    rng = random.Random(seed)
    first, last = quarters[0].first_day, quarters[-1].last_day
    span = (last - first).days
    homes = _sizes(workers, employers, rng)
    people = []
    for index, home in enumerate(homes):
        joins_late = rng.random() < 0.12
        hired = (
            first + timedelta(days=rng.randrange(span))
            if joins_late
            else (first - timedelta(days=rng.randrange(1, 9000)))
        )
        leaves = None
        if rng.random() < 0.08:
            leaves = hired + timedelta(days=rng.randrange(30, 400))
            leaves = max(leaves, first + timedelta(days=rng.randrange(span)))
            if leaves >= last:
                leaves = None
        q = S if rng.random() < 0.78 else rng.choice((1900, 3040, 2280, 1520))
        reduces = None
        if q == S and rng.random() < 0.05:
            reduces = first + timedelta(days=rng.randrange(span))
        full_break = rng.choice(quarters) if rng.random() < 0.01 else None
        absences = rng.sample((50, 70, 5, 30), k=rng.choice((1, 1, 2, 3)))
        people.append(
            Worker(
                index, home, hired, q, rng.random() < 0.35, leaves,
                rng.randrange(employers), reduces, full_break, tuple(absences),
            )
        )  # fmt: skip
    return Payroll(tuple(people), employers, quarters)


def _segments(worker: Worker, employer: int, quarter: Quarter) -> list[tuple[date, date | None]]:
    """The worker's lines at ``employer`` in ``quarter``: (declared start, declared end)."""
    first, last = quarter.first_day, quarter.last_day
    spans: list[tuple[date, date | None]] = []
    if worker.employer == employer:
        spans.append((worker.hired, worker.leaves))
    if worker.leaves is not None and worker.next_employer == employer:
        spans.append((worker.leaves + timedelta(days=1), None))
    lines: list[tuple[date, date | None]] = []
    for start, end in spans:
        if start > last or (end is not None and end < first):
            continue
        if worker.reduces is not None and start < worker.reduces <= (end or last):
            if first < worker.reduces <= last:  # two lines in this quarter
                lines.append((start, worker.reduces - timedelta(days=1)))
            if worker.reduces <= last:
                start = worker.reduces
        lines.append((start, end))
    return lines


def _services(worker: Worker, days: int, q: int, rng: random.Random) -> list[ServiceLine]:
    """Split the line's days (hundredths) among code 1 and the worker's other codes."""
    services = []
    left = days
    for code in (2, *worker.services) if worker.blue else worker.services:
        share = min(left // 4, rng.randrange(100, 1500, 100))
        if share > 0:
            services.append((code, share))
            left -= share
    lines = [ServiceLine(1, left, left * q // 500)]
    lines += [ServiceLine(code, share, share * q // 500) for code, share in services]
    return lines


def _occupation(
    worker: Worker, sequence: int, start: date, end: date | None, quarter: Quarter
) -> DmfaOccupation:
    rng = random.Random(worker.index * 7919 + sequence * 31 + quarter.year * 4 + quarter.number)
    period = Period(max(start, quarter.first_day), min(end or quarter.last_day, quarter.last_day))
    reduced = worker.reduces is not None and start >= worker.reduces
    q = 3040 if reduced else worker.q
    measures: list[ReorganisationMeasure] = []
    if reduced:
        percentage = 2000 if worker.index % 2 else None
        measures.append(ReorganisationMeasure(4, percentage))
    broken = worker.full_break == quarter
    if broken:
        q, measures = 0, [ReorganisationMeasure(3)]
    weekdays = sum(1 for n in range(period.days) if (period.start + timedelta(n)).weekday() < 5)
    days = weekdays * 100 * q // S
    services = [] if broken or days == 0 else _services(worker, days, q, rng)
    pay = q * 11 * period.days
    remunerations = [] if broken else [RemunerationLine(1, pay)]
    if not broken and rng.random() < 0.6:
        remunerations.append(RemunerationLine(2, pay // 12))
    return DmfaOccupation(
        sequence=sequence,
        start=start,
        end=end,
        period=period,
        joint_commission=COMMITTEES[worker.employer % len(COMMITTEES)],
        working_days_system=500,
        contract_type=ContractType.FULL_TIME if q == S else ContractType.PART_TIME,
        mean_working_hours=q,
        ref_mean_working_hours=S,
        reorganisation_measures=measures,
        services=services,
        remunerations=remunerations,
    )


def _record(worker: Worker, employer: int, quarter: Quarter) -> DmfaWorkerRecord | None:
    lines = _segments(worker, employer, quarter)
    if not lines:
        return None
    occupations = [
        _occupation(worker, sequence, start, end, quarter)
        for sequence, (start, end) in enumerate(lines, start=1)
    ]
    return DmfaWorkerRecord(
        employer_of(employer),
        quarter,
        niss_of(worker.index),
        BLUE if worker.blue else WHITE,
        "010",
        quarter.period,
        occupations,
    )


def generate(
    folder: Path,
    workers: int,
    quarters: tuple[Quarter, ...],
    *,
    employers: int | None = None,
    seed: int = 2024,
) -> list[Path]:
    """Write one DmfA original per employer and quarter into ``folder``; returns the files.

    ``employers`` defaults to one per 200 workers (at least 2).
    """
    count = employers or max(2, workers // 200)
    payroll = population(workers, quarters, count, seed)
    by_employer: dict[int, list[Worker]] = {}
    for worker in payroll.workers:
        by_employer.setdefault(worker.employer, []).append(worker)
        if worker.leaves is not None and worker.next_employer != worker.employer:
            by_employer.setdefault(worker.next_employer, []).append(worker)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for employer, staff in sorted(by_employer.items()):
        staff.sort(key=lambda w: w.index)
        for quarter in quarters:
            records = [r for w in staff if (r := _record(w, employer, quarter)) is not None]
            if not records:
                continue
            path = folder / f"dmfa-{employer_of(employer).key}-{quarter}.xml"
            made = quarter.last_day + timedelta(days=20)
            write_dmfa(
                path,
                employer_of(employer),
                quarter,
                records,
                created_at=datetime(made.year, made.month, made.day, 10, employer % 60),
            )
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--employers", type=int, default=None)
    parser.add_argument("--from", dest="first", default="20224")
    parser.add_argument("--to", dest="last", default="20244")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    quarters = tuple(Quarter.range(Quarter.parse(args.first), Quarter.parse(args.last)))
    began = time.perf_counter()
    paths = generate(args.folder, args.workers, quarters, employers=args.employers, seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"{len(paths)} files, {size / 1e6:.0f} MB, in {time.perf_counter() - began:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
