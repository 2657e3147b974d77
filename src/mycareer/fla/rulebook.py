"""The rulebook: statutory days, sector schedules and FLA facts, as dated data.

Rules are data files under ``mycareer/fla/rules/`` (``statutory.json``,
``sectors.json``, ``fla_timeline.json``), never if-chains. Resolution order for a
(joint committee, band, year) (docs/training-right.md, Sector agreements):

1. a caller override (full-time days given by the caller);
2. a sector schedule of kind REPLACE covering (joint committee, band, year);
3. the statutory days, from 2023;
4. otherwise an explicit "no rule": days ``None`` with the reason.

COMPLEMENT schedules (sector days on top, R-CAO-6) add to whatever 2–3 gave.
Vendors add or replace schedules (same ``id`` replaces) from a JSON or TOML
rules file with :meth:`Rulebook.with_rules_file`; every schedule is validated,
and a REPLACE schedule below 2 days for the 20+ band is refused (R-CAO-2).

>>> book = Rulebook.default()
>>> r = book.resolve(JointCommission("200"), SizeBand.FROM_20, 2026)
>>> r.regime.value, r.legal_days, r.rule.id
('sector', Fraction(4, 1), 'pc200-20plus-2024')
>>> r = book.resolve(JointCommission("111"), SizeBand.FROM_20, 2023)
>>> r.regime.value, r.total_days, r.rule.id
('statutory', Fraction(4, 1), 'statutory-2023')
>>> book.resolve(JointCommission("111"), SizeBand.FROM_20, 2022).reason
'no individual yearly right before 2023 (Law of 3 Oct 2022; 2022 fell under the two-year regime)'
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from mycareer._cache import bounded_cache
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.fla.values import FlaRegime, Regime, RuleRef, SizeBand
from mycareer.joint_commission import JointCommission
from mycareer.limits import (
    MAX_ERRORS_PER_INPUT,
    MAX_JSON_DEPTH,
    MAX_SHOWN_CHARS,
    MAX_TEXT_CHARS,
    clip,
    json_depth,
    load_json,
    parse_decimal,
    parse_fraction,
    read_input_bytes,
    shown,
)

__all__ = [
    "FLOOR_DAYS_20_PLUS",
    "FlaFact",
    "ResetPolicy",
    "Resolution",
    "Rulebook",
    "ScheduleKind",
    "SectorSchedule",
    "StatutoryRule",
    "load_rules_file",
    "parse_schedules",
]

#: R-CAO-2: a sector CAO may lower the 20+ right, never below 2 days a year.
FLOOR_DAYS_20_PLUS = Fraction(2)

_NO_RULE_BEFORE_2023 = (
    "no individual yearly right before 2023 (Law of 3 Oct 2022; 2022 fell under the "
    "two-year regime)"
)
_NO_RULE_JC_999 = (
    "joint committee 999: the employer falls under no joint committee, outside the Law of "
    "5 Dec 1968 scope (R-SCOPE-1) [verify]"
)


class ScheduleKind(StrEnum):
    """REPLACE: days in place of the statutory ones; COMPLEMENT: days on top."""

    REPLACE = "replace"
    COMPLEMENT = "complement"


class ResetPolicy(StrEnum):
    """What happens to the balance at the end of a 5-year window (B-7)."""

    RESET = "reset"
    CARRY_OVER = "carry-over"


@attrs.frozen
class StatutoryRule:
    """Statutory full-time days per band, from ``valid_from`` to ``valid_to``."""

    id: str
    title: str
    source: str
    valid_from: date
    valid_to: date | None
    days: Mapping[SizeBand, Fraction]

    def covers(self, year: int) -> bool:
        return self.valid_from.year <= year and (
            self.valid_to is None or year <= self.valid_to.year
        )

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.id, self.title, self.source, self.valid_from, self.valid_to)


@attrs.frozen
class SectorSchedule:
    """A sector (joint committee) schedule of full-time days per year for one band."""

    id: str
    joint_commission: JointCommission
    band: SizeBand
    kind: ScheduleKind
    days: Mapping[int, Fraction]
    title: str
    source: str
    valid_from: date
    valid_to: date | None
    cao: str | None = None
    window_start: int | None = None
    window_years: int = 5
    reset: ResetPolicy = ResetPolicy.RESET

    def covers(self, joint_commission: JointCommission, band: SizeBand, year: int) -> bool:
        return (
            band is self.band
            and year in self.days
            and joint_commission.within(self.joint_commission)
            and self.valid_from.year <= year
            and (self.valid_to is None or year <= self.valid_to.year)
        )

    @property
    def ref(self) -> RuleRef:
        return RuleRef(self.id, self.title, self.source, self.valid_from, self.valid_to)

    def window_of(self, year: int) -> tuple[int, int] | None:
        """The 5-year window holding ``year`` (first 2024–2028), or ``None``.

        >>> Rulebook.default().schedule("pc200-20plus-2024").window_of(2030)
        (2029, 2033)
        """
        if self.window_start is None or year < self.window_start:
            return None
        first = self.window_start + (year - self.window_start) // self.window_years * (
            self.window_years
        )
        return first, first + self.window_years - 1


@attrs.frozen
class FlaFact:
    """A dated fact of the Federal Learning Account's life (docs/fla.md, Timeline)."""

    day: date
    event: str
    text: str
    source: str


@attrs.frozen
class Resolution:
    """What the rulebook says for one (joint committee, band, year).

    ``legal_days`` is ``None`` for "no rule" (then ``reason`` says why);
    ``sector_days`` is the COMPLEMENT part on top (0 when none).
    """

    regime: Regime
    legal_days: Fraction | None
    sector_days: Fraction
    rule: RuleRef | None
    rules: tuple[RuleRef, ...]
    reason: str | None = None
    schedule: SectorSchedule | None = None

    @property
    def total_days(self) -> Fraction | None:
        if self.legal_days is None:
            return None if not self.sector_days else self.sector_days
        return self.legal_days + self.sector_days


# --- parsing and validation -------------------------------------------------------


def _fraction(raw: object, where: str) -> Fraction:
    # Vendor files' decimals arrive as bounded Decimals (load_rules_file); the packaged
    # rules' as floats, whose shortest repr is the text the author wrote.
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise InvalidValueError(f"invalid number of days {shown(raw)}", path=where)
    text = repr(raw) if isinstance(raw, float) else str(raw).strip()
    try:  # bounded digits and exponent: "1e999999" is refused, never expanded
        value = parse_fraction(text, "number of days")
    except InvalidValueError as error:
        error.path = where
        raise
    if value < 0:
        raise InvalidValueError(f"negative number of days {shown(raw)}", path=where)
    return value


def _days_text(days: Fraction) -> str:
    if days.denominator == 1:
        return str(days.numerator)
    exact = Decimal(days.numerator) / Decimal(days.denominator)
    return format(exact.normalize(), "f")


def _date(raw: object, where: str, *, required: bool) -> date | None:
    if raw is None and not required:
        return None
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise InvalidValueError(f"invalid date {shown(raw)}: expected YYYY-MM-DD", path=where)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidValueError(
            f"invalid date {shown(raw)}: expected YYYY-MM-DD", path=where
        ) from None


def _text(raw: object, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidValueError(f"expected non-empty text, got {shown(raw)}", path=where)
    if len(raw) > MAX_TEXT_CHARS:
        raise InvalidValueError(
            f"invalid text {shown(raw)}: longer than {MAX_TEXT_CHARS} characters", path=where
        )
    return raw.strip()


_SCHEDULE_KEYS = frozenset(
    {
        "id",
        "joint_commission",
        "band",
        "kind",
        "days",
        "title",
        "source",
        "valid_from",
        "valid_to",
        "cao",
        "window_start",
        "window_years",
        "reset",
    }
)


def _parse_days(
    raw_days: object,
    name: str,
    kind: ScheduleKind | None,
    band: SizeBand | None,
    where: str,
    errors: list[InvalidValueError],
) -> dict[int, Fraction]:
    """A schedule's ``days`` (year → days), each bad entry an error with its path."""
    days: dict[int, Fraction] = {}
    if not isinstance(raw_days, dict) or not raw_days:
        errors.append(
            InvalidValueError(
                f"{name}: days must be a non-empty year → days object", path=f"{where}.days"
            )
        )
        return days
    for key, value in raw_days.items():
        step = f"{where}.days.{str(key)[:MAX_SHOWN_CHARS]}"
        if not (isinstance(key, str) and len(key) == 4 and key.isascii() and key.isdigit()):
            errors.append(InvalidValueError(f"{name}: invalid year {shown(key)}", path=step))
            continue
        try:
            parsed = _fraction(value, step)
        except InvalidValueError as error:
            errors.append(error)
            continue
        year = int(key)
        below_floor = kind is ScheduleKind.REPLACE and band is SizeBand.FROM_20
        if below_floor and parsed < FLOOR_DAYS_20_PLUS:
            errors.append(
                InvalidValueError(
                    f"{name}: a REPLACE schedule for the 20+ band gives "
                    f"{_days_text(parsed)} day(s) in {year}, below the floor of "
                    f"{FLOOR_DAYS_20_PLUS} days a year (R-CAO-2)",
                    path=step,
                )
            )
            continue
        days[year] = parsed
    return days


def _parse_schedule(
    raw: object, where: str, errors: list[InvalidValueError]
) -> SectorSchedule | None:
    start = len(errors)

    def check(step: str, parse: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return parse(*args, **kwargs)
        except InvalidValueError as error:
            if error.path is None:
                error.path = f"{where}.{step}"
            errors.append(error)
            return None

    if not isinstance(raw, dict):
        errors.append(
            InvalidValueError(f"a schedule must be an object, got {shown(raw)}", path=where)
        )
        return None
    unknown = sorted(set(raw) - _SCHEDULE_KEYS)
    if unknown:
        errors.append(InvalidValueError(f"unknown key(s) {shown(unknown)} in schedule", path=where))
    ident = check("id", _text, raw.get("id"), f"{where}.id")
    name = f"schedule {shown(ident)}" if ident else "schedule"
    jc = check("joint_commission", JointCommission, str(raw.get("joint_commission", "")))
    band = check("band", _enum, SizeBand, raw.get("band"), f"{where}.band")
    kind = check("kind", _enum, ScheduleKind, raw.get("kind"), f"{where}.kind")
    reset = check("reset", _enum, ResetPolicy, raw.get("reset", "reset"), f"{where}.reset")
    title = check("title", _text, raw.get("title"), f"{where}.title")
    source = check("source", _text, raw.get("source"), f"{where}.source")
    valid_from = check(
        "valid_from", _date, raw.get("valid_from"), f"{where}.valid_from", required=True
    )
    valid_to = check("valid_to", _date, raw.get("valid_to"), f"{where}.valid_to", required=False)
    window_start = raw.get("window_start")
    if window_start is not None and not _is_year(window_start):
        errors.append(
            InvalidValueError(
                f"invalid window_start {shown(window_start)}: expected a year in [1; 9999]",
                path=f"{where}.window_start",
            )
        )
    window_years = raw.get("window_years", 5)
    if not _is_year(window_years):
        errors.append(
            InvalidValueError(
                f"invalid window_years {shown(window_years)}: expected a count in [1; 9999]",
                path=f"{where}.window_years",
            )
        )
    days = _parse_days(raw.get("days"), name, kind, band, where, errors)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        errors.append(
            InvalidValueError(
                f"{name}: valid_to {valid_to} is before valid_from {valid_from}",
                path=f"{where}.valid_to",
            )
        )
    if len(errors) > start:
        return None
    return SectorSchedule(
        id=ident,
        joint_commission=jc,
        band=band,
        kind=kind,
        days=days,
        title=title,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        cao=raw.get("cao"),
        window_start=window_start,
        window_years=window_years,
        reset=reset,
    )


def _is_year(raw: object) -> bool:
    """An int in [1; 9999]: a year (or a count of years) a date can still hold."""
    return isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 9999


def _enum(kind: Any, raw: object, where: str) -> Any:
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise InvalidValueError(
            f"invalid value {shown(raw)}: expected one of {allowed}", path=where
        ) from None


def parse_schedules(document: object, *, file: str | None = None) -> tuple[SectorSchedule, ...]:
    """Validate a rules document (``{"schedules": [...]}``) and build its schedules.

    Every problem is reported at once, each naming the file and the entry.

    >>> from mycareer.errors import flatten_errors
    >>> try:
    ...     parse_schedules({"schedules": [{"id": "x", "joint_commission": "302",
    ...         "band": "20+", "kind": "replace", "title": "t", "source": "s",
    ...         "valid_from": "2024-01-01", "days": {"2024": "1.5"}}]}, file="r.json")
    ... except MycareerErrorGroup as group:
    ...     for line in flatten_errors(group):
    ...         print(line)
    r.json: schedule 'x': a REPLACE schedule for the 20+ band gives 1.5 day(s) in 2024, ...
    (R-CAO-2) @ $.schedules[0].days.2024
    """
    errors: list[InvalidValueError] = []
    found: list[SectorSchedule] = []
    raw_list = document.get("schedules") if isinstance(document, dict) else None
    if isinstance(document, dict):
        unknown = sorted(set(document) - {"format", "schedules", "schedule"})
        if unknown:
            errors.append(
                InvalidValueError(f"unknown key(s) {shown(unknown)} in rules file", path="$")
            )
        if raw_list is None:
            raw_list = document.get("schedule")  # TOML's natural [[schedule]]
    if not isinstance(raw_list, list):
        errors.append(
            InvalidValueError(
                "a rules file needs a list 'schedules' ([[schedule]] in TOML)", path="$.schedules"
            )
        )
        raw_list = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_list):
        if len(errors) >= MAX_ERRORS_PER_INPUT:  # bounded memory, as every reader
            errors.append(
                InvalidValueError(
                    f"{len(raw_list) - index} more schedule(s) not checked "
                    f"(at most {MAX_ERRORS_PER_INPUT} errors per input)",
                    path=f"$.schedules[{index}]",
                )
            )
            break
        schedule = _parse_schedule(raw, f"$.schedules[{index}]", errors)
        if schedule is None:
            continue
        if schedule.id in seen:
            errors.append(
                InvalidValueError(
                    f"duplicate schedule id {shown(schedule.id)}",
                    path=f"$.schedules[{index}].id",
                )
            )
            continue
        seen.add(schedule.id)
        found.append(schedule)
    if errors:
        where = SourceRef(file) if file else None
        for error in errors:
            error.source = error.source or where
        raise MycareerErrorGroup(f"invalid rules file {file or '<document>'}", errors)
    return tuple(found)


def load_rules_file(path: str | Path) -> tuple[SectorSchedule, ...]:
    """Read and validate a vendor rules file, JSON (``.json``) or TOML (``.toml``).

    Bounded as every input (:mod:`mycareer.limits`): at most ``MAX_INPUT_BYTES``
    are read, JSON and TOML nesting and numbers are bounded, and a failure of any
    kind is an :class:`~mycareer.errors.InvalidValueError` naming the file.
    """
    file = Path(path)
    try:
        raw = read_input_bytes(file)
    except InputError as error:
        error.message = error.message.replace("cannot read", "cannot read rules file", 1)
        raise
    if file.suffix.lower() == ".toml":
        document = _load_toml(raw, str(file))
    else:
        document = load_json(raw, str(file))
    return parse_schedules(document, file=str(file))


def _load_toml(raw: bytes, label: str) -> object:
    """TOML with bounded decimals and nesting; tomllib's own failures name the line."""
    try:
        document: object = tomllib.loads(
            raw.decode("utf-8"), parse_float=lambda text: parse_decimal(text, "TOML number")
        )
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        found = re.search(r"at line (\d+)", str(error))  # tomllib (3.11) says it in its message
        line = int(found.group(1)) if found else None
        raise InputError(
            f"malformed rules file: {clip(str(error))}", source=SourceRef(label, line)
        ) from None
    except InvalidValueError as error:
        raise InputError(error.message, source=SourceRef(label)) from None
    except (ValueError, RecursionError) as error:  # > 4,300-digit integers, deep nesting
        raise InputError(
            f"malformed rules file: {type(error).__name__}: {shown(str(error))}",
            source=SourceRef(label),
        ) from None
    if json_depth(document) > MAX_JSON_DEPTH:
        raise InputError(
            f"TOML nested deeper than {MAX_JSON_DEPTH} levels: refused", source=SourceRef(label)
        )
    return document


def _parse_statutory(document: Any) -> tuple[StatutoryRule, ...]:
    rules = []
    for raw in document["rules"]:
        rules.append(
            StatutoryRule(
                id=raw["id"],
                title=raw["title"],
                source=raw["source"],
                valid_from=date.fromisoformat(raw["valid_from"]),
                valid_to=None if raw["valid_to"] is None else date.fromisoformat(raw["valid_to"]),
                days={SizeBand(band): Fraction(Decimal(d)) for band, d in raw["days"].items()},
            )
        )
    return tuple(rules)


def _read_packaged(name: str) -> Any:
    return json.loads((resources.files("mycareer.fla") / "rules" / name).read_text("utf-8"))


@bounded_cache(maxsize=1)
def _default_rulebook() -> Rulebook:
    facts = tuple(
        FlaFact(date.fromisoformat(f["date"]), f["event"], f["text"], f["source"])
        for f in _read_packaged("fla_timeline.json")["facts"]
    )
    return Rulebook(
        statutory=_parse_statutory(_read_packaged("statutory.json")),
        schedules=parse_schedules(
            _read_packaged("sectors.json"), file="mycareer/fla/rules/sectors.json"
        ),
        fla_facts=facts,
    )


@attrs.frozen
class Rulebook:
    """Statutory rules, sector schedules and FLA facts; immutable, extend with ``with_*``.

    ``joint_committee_999_in_scope``: whether the statutory right applies to lines
    under joint committee 999 (default ``False``: no rule, with the reason).
    """

    statutory: tuple[StatutoryRule, ...]
    schedules: tuple[SectorSchedule, ...]
    fla_facts: tuple[FlaFact, ...] = ()
    joint_committee_999_in_scope: bool = False
    _cache: dict[tuple[str, SizeBand, int], Resolution] = attrs.field(
        factory=dict, eq=False, repr=False, init=False
    )

    @classmethod
    def default(cls) -> Rulebook:
        """The shipped rules (statutory days, PC 200 and PC 124, FLA timeline)."""
        return _default_rulebook()

    def with_schedules(self, schedules: Iterable[SectorSchedule]) -> Rulebook:
        """A rulebook where ``schedules`` replace those with the same id, or are added."""
        extra = tuple(schedules)
        ids = {s.id for s in extra}
        kept = tuple(s for s in self.schedules if s.id not in ids)
        return attrs.evolve(self, schedules=kept + extra)

    def with_rules_file(self, path: str | Path) -> Rulebook:
        """Add or replace schedules from a vendor rules file (JSON or TOML)."""
        return self.with_schedules(load_rules_file(path))

    def schedule(self, ident: str) -> SectorSchedule:
        for schedule in self.schedules:
            if schedule.id == ident:
                return schedule
        raise KeyError(ident)

    def fla_regime(self, year: int) -> FlaRegime:
        """Which FLA regime applied to a year's data, read off the dated facts.

        Registration was owed from the year the FLA came into force (2024) until the
        effective date of its abolition (1 Jan 2025): for 2024 data only.

        >>> [Rulebook.default().fla_regime(y).value for y in (2023, 2024, 2025)]
        ['before-fla', 'registration-owed', 'abolished']
        """
        days = {fact.event: fact.day for fact in self.fla_facts}
        start, end = days.get("fla-in-force"), days.get("fla-abolished-effect")
        if start is None or end is None:
            return FlaRegime.for_year(year)
        if year < start.year:
            return FlaRegime.BEFORE_FLA
        if year < end.year:
            return FlaRegime.REGISTRATION_OWED
        return FlaRegime.ABOLISHED

    def _pick(
        self, kind: ScheduleKind, joint_commission: JointCommission, band: SizeBand, year: int
    ) -> SectorSchedule | None:
        # Most specific committee wins; among equals, the last added (vendor files) wins.
        best: SectorSchedule | None = None
        for schedule in self.schedules:
            if not (schedule.kind is kind and schedule.covers(joint_commission, band, year)):
                continue
            if best is None or len(schedule.joint_commission.code) >= len(
                best.joint_commission.code
            ):
                best = schedule
        return best

    def resolve(
        self,
        joint_commission: JointCommission,
        band: SizeBand,
        year: int,
        *,
        override_days: Fraction | None = None,
    ) -> Resolution:
        """Full-time days for (joint committee, band, year), in the documented order."""
        if override_days is not None:
            ref = RuleRef("override", "full-time days given by the caller", "caller override")
            return Resolution(Regime.OVERRIDE, override_days, Fraction(0), ref, (ref,))
        key = (joint_commission.code, band, year)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(joint_commission, band, year)
            self._cache[key] = found
        return found

    def _resolve(self, joint_commission: JointCommission, band: SizeBand, year: int) -> Resolution:
        if joint_commission.is_none and not self.joint_committee_999_in_scope:
            return Resolution(Regime.NONE, None, Fraction(0), None, (), _NO_RULE_JC_999)
        complement = self._pick(ScheduleKind.COMPLEMENT, joint_commission, band, year)
        sector_days = complement.days[year] if complement is not None else Fraction(0)
        extra = (complement.ref,) if complement is not None else ()
        replace = self._pick(ScheduleKind.REPLACE, joint_commission, band, year)
        if replace is not None:
            return Resolution(
                Regime.SECTOR,
                replace.days[year],
                sector_days,
                replace.ref,
                (replace.ref, *extra),
                schedule=replace,
            )
        for rule in self.statutory:
            if rule.covers(year):
                regime = Regime.SECTOR if complement is not None else Regime.STATUTORY
                return Resolution(
                    regime,
                    rule.days[band],
                    sector_days,
                    complement.ref if complement is not None else rule.ref,
                    (rule.ref, *extra),
                    schedule=complement,
                )
        if complement is not None:
            return Resolution(
                Regime.SECTOR, None, sector_days, complement.ref, extra, schedule=complement
            )
        return Resolution(Regime.NONE, None, Fraction(0), None, (), _NO_RULE_BEFORE_2023)

    def table(
        self, joint_commissions: Sequence[str], years: Iterable[int]
    ) -> list[dict[str, str | None]]:
        """The resolved table (JC × band × year) as plain rows, for snapshots and docs."""
        rows: list[dict[str, str | None]] = []
        for code in joint_commissions:
            for band in SizeBand:
                for year in years:
                    r = self.resolve(JointCommission(code), band, year)
                    rows.append(
                        {
                            "joint_commission": code,
                            "band": band.value,
                            "year": str(year),
                            "regime": r.regime.value,
                            "legal_days": None if r.legal_days is None else str(r.legal_days),
                            "sector_days": str(r.sector_days),
                            "rule": None if r.rule is None else r.rule.id,
                        }
                    )
        return rows
