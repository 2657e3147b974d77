"""Reading rules data: the shipped files and a vendor's rules file (JSON or TOML).

Every schedule is validated field by field, each problem kept with its path, and
checked against the sector-agreement constraints (:mod:`mycareer.fla.cao`);
:func:`parse_schedules` reports every problem at once, naming the file.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from mycareer._cache import bounded_cache
from mycareer.errors import InputError, InvalidValueError, MycareerErrorGroup, SourceRef
from mycareer.fla.cao import CaoFacts, cao_problems
from mycareer.fla.schedules import ResetPolicy, ScheduleKind, SectorSchedule, StatutoryRule
from mycareer.fla.values import RuleRef, SizeBand, Texts
from mycareer.joint_commission import JointCommission
from mycareer.limits import (
    MAX_ERRORS_PER_INPUT,
    MAX_JSON_DEPTH,
    MAX_SHOWN_CHARS,
    MAX_TEXT_CHARS,
    check_decimal,
    clip,
    json_depth,
    load_json,
    parse_decimal,
    read_input_bytes,
    shown,
)

__all__ = [
    "UNKNOWN_FILING",
    "counting_rule",
    "load_rules_file",
    "packaged_statutory",
    "parse_schedules",
    "read_packaged",
]

#: The ``filed`` value that states an agreement's filing date is not known (R-CAO-4).
UNKNOWN_FILING = "unknown"


_DAYS = "number of days"
#: Longest text of a number of days looked at (``"2.5"``, ``"10/3"``; 40 is ample).
_MAX_DAYS_CHARS = 40


def _fraction(raw: object, where: str) -> Fraction:
    """Days as an exact fraction: an integer, a decimal or ``"a/b"``; finite and bounded.

    ``"Infinity"``, ``NaN`` or ``1e999999999`` are refused before any arithmetic,
    with the value cut short (:func:`mycareer.limits.shown`) and the path.
    """
    # Vendor files' decimals arrive as bounded Decimals (load_rules_file); the packaged
    # rules' as floats, whose shortest repr is the text the author wrote.
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise InvalidValueError(f"invalid {_DAYS} {shown(raw)}", path=where)
    text = repr(raw) if isinstance(raw, float) else str(raw).strip()
    if len(text) > _MAX_DAYS_CHARS:
        raise InvalidValueError(
            f"invalid {_DAYS} {shown(raw)}: longer than {_MAX_DAYS_CHARS} characters", path=where
        )
    try:
        value = (
            Fraction(text) if "/" in text else Fraction(check_decimal(Decimal(text), _DAYS, raw))
        )
    except InvalidValueError as error:  # not finite, or an exponent beyond the bounds
        error.path = where
        raise
    except (InvalidOperation, ValueError, ZeroDivisionError):
        raise InvalidValueError(f"invalid {_DAYS} {shown(raw)}", path=where) from None
    if value < 0:
        raise InvalidValueError(f"negative {_DAYS} {shown(raw)}", path=where)
    return value


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


def _texts(raw: object, where: str) -> tuple[str, Texts | None]:
    """A text given once (all languages) or as ``{"en": …, "fr": …, "nl": …}``."""
    if not isinstance(raw, dict):
        return _text(raw, where), None
    if set(raw) != {"en", "fr", "nl"}:
        raise InvalidValueError(
            f"expected text, or an object with exactly the keys 'en', 'fr', 'nl'; got keys "
            f"{shown(sorted(map(str, raw)))}",
            path=where,
        )
    texts = Texts(*(_text(raw[lang], f"{where}.{lang}") for lang in ("en", "fr", "nl")))
    return texts.en, texts


def _filed(raw: object, where: str) -> date | None:
    # TOML has no null: "unknown" states that the filing date is not known (R-CAO-4).
    return None if raw == UNKNOWN_FILING else _date(raw, where, required=True)


def _enum(kind: Any, raw: object, where: str) -> Any:
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise InvalidValueError(
            f"invalid value {shown(raw)}: expected one of {allowed}", path=where
        ) from None


def _window_number(raw: object, where: str, *, least: int | None) -> int | None:
    key = where.rpartition(".")[2]  # the message names the key, the path says where
    if isinstance(raw, bool) or not isinstance(raw, int) or (least is not None and raw < least):
        raise InvalidValueError(f"invalid {key} {shown(raw)}", path=where)
    if abs(raw) > 9999:  # a year, or a count of years, that a date can still hold
        raise InvalidValueError(f"invalid {key} {shown(raw)}: beyond 9999", path=where)
    return raw


def _committee(raw: object, where: str) -> JointCommission:
    try:
        return JointCommission(str(raw))
    except InvalidValueError as error:
        error.path = where
        raise


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
        "filed",
        "days_on_2023_01_01",
        "window_start",
        "window_years",
        "reset",
        "window_source",
        "window_unsourced",
    }
)


_NONE = (None, None)


class _Entry:
    """One schedule entry being read: each step's error is kept with its path."""

    def __init__(self, raw: dict[str, Any], where: str, errors: list[InvalidValueError]) -> None:
        self.raw, self.where, self.errors = raw, where, errors
        self.start = len(errors)

    def read(self, step: str, parse: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``parse(*args, where=…)`` with the path ``where.step`` (named here only), or
        ``None`` with its error kept; every parser sets the path of its errors."""
        try:
            return parse(*args, where=f"{self.where}.{step}", **kwargs)
        except InvalidValueError as error:
            self.errors.append(error)
            return None

    def fail(self, message: str, step: str | None = None) -> None:
        path = self.where if step is None else f"{self.where}.{step}"
        self.errors.append(InvalidValueError(message, path=path))

    @property
    def failed(self) -> bool:
        return len(self.errors) > self.start


def _identity(entry: _Entry) -> dict[str, Any]:
    """Which schedule: id, committee, band, kind, title and source (each in 1 or 3 languages)."""
    raw, read = entry.raw, entry.read
    fields = {
        "id": read("id", _text, raw.get("id")),
        "joint_commission": read("joint_commission", _committee, raw.get("joint_commission", "")),
        "band": read("band", _enum, SizeBand, raw.get("band")),
        "kind": read("kind", _enum, ScheduleKind, raw.get("kind")),
    }
    title, title_texts = read("title", _texts, raw.get("title")) or _NONE
    source, source_texts = read("source", _texts, raw.get("source")) or _NONE
    return fields | {
        "title": title,
        "title_texts": title_texts,
        "source": source,
        "source_texts": source_texts,
        "cao": raw.get("cao"),
    }


def _validity(entry: _Entry, name: str) -> dict[str, Any]:
    """When it applies, and the ledger's windows (with what, if anything, sources them)."""
    raw, read = entry.raw, entry.read
    valid_from = read("valid_from", _date, raw.get("valid_from"), required=True)
    valid_to = read("valid_to", _date, raw.get("valid_to"), required=False)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        entry.fail(f"{name}: valid_to {valid_to} is before valid_from {valid_from}", "valid_to")
    window_start = raw.get("window_start")
    if window_start is not None:
        window_start = read("window_start", _window_number, window_start, least=None)
    window_source = raw.get("window_source")
    if window_source is not None:
        window_source = read("window_source", _text, window_source)
    return {
        "valid_from": valid_from,
        "valid_to": valid_to,
        "window_start": window_start,
        "window_years": read("window_years", _window_number, raw.get("window_years", 5), least=1),
        "reset": read("reset", _enum, ResetPolicy, raw.get("reset", "reset")),
        "window_source": window_source,
        "window_unsourced": _window_unsourced(entry),
    }


def _window_unsourced(entry: _Entry) -> Texts | None:
    """A window and reset that no source states, said so in the three languages."""
    raw = entry.raw.get("window_unsourced")
    if raw is None:
        return None
    if "window_source" in entry.raw:
        entry.fail("give window_source or window_unsourced, not both", "window_unsourced")
    read = entry.read("window_unsourced", _texts, raw)
    if read is None:
        return None
    text, texts = read
    return texts if texts is not None else Texts(text, text, text)


def _days(entry: _Entry, name: str) -> dict[int, Fraction]:
    """The year → full-time days table, each value read exactly."""
    raw = entry.raw
    days: dict[int, Fraction] = {}
    raw_days = raw.get("days")
    if not isinstance(raw_days, dict) or not raw_days:
        entry.fail(f"{name}: days must be a non-empty year → days object", "days")
        return days
    for key, value in raw_days.items():
        if not (isinstance(key, str) and len(key) == 4 and key.isascii() and key.isdigit()):
            entry.fail(f"{name}: invalid year {shown(key)}", f"days.{str(key)[:MAX_SHOWN_CHARS]}")
            continue
        parsed = entry.read(f"days.{key}", _fraction, value)
        if parsed is not None:
            days[int(key)] = parsed
    return days


def _parse_schedule(
    raw: object,
    where: str,
    errors: list[InvalidValueError],
    statutory: Sequence[StatutoryRule],
) -> SectorSchedule | None:
    """One schedule entry, or ``None`` with its problems added to ``errors``."""
    if not isinstance(raw, dict):
        errors.append(
            InvalidValueError(f"a schedule must be an object, got {shown(raw)}", path=where)
        )
        return None
    entry = _Entry(raw, where, errors)
    unknown = sorted(set(raw) - _SCHEDULE_KEYS)
    if unknown:
        entry.fail(f"unknown key(s) {shown(unknown)} in schedule")
    fields = _identity(entry)
    name = f"schedule {fields['id']!r}" if fields["id"] else "schedule"
    fields |= _validity(entry, name)
    before_days = len(errors)
    fields["days"] = _days(entry, name)
    days_read = len(errors) == before_days
    fields |= _agreement(entry)
    if days_read and fields["kind"] is ScheduleKind.REPLACE and fields["band"] is not None:
        _check_agreement(entry, name, fields, statutory)
    if entry.failed:
        return None
    return SectorSchedule(**fields)


def _agreement(entry: _Entry) -> dict[str, Any]:
    """What the sector-agreement checks need: when it was filed, what the sector gave before."""
    raw = entry.raw
    filed = entry.read("filed", _filed, raw["filed"]) if "filed" in raw else None
    granted = raw.get("days_on_2023_01_01")
    if granted is not None:
        granted = entry.read("days_on_2023_01_01", _fraction, granted)
    return {"filed": filed, "days_on_2023_01_01": granted}


def _check_agreement(
    entry: _Entry, name: str, fields: Mapping[str, Any], statutory: Sequence[StatutoryRule]
) -> None:
    """R-CAO-2, -3, -4 on a REPLACE schedule (mycareer.fla.cao), each error at its key."""

    def law(band: SizeBand, year: int) -> Fraction | None:
        return next((rule.days[band] for rule in statutory if rule.covers(year)), None)

    facts = CaoFacts(
        name, fields["band"], fields["days"], "filed" in entry.raw, fields["filed"],
        fields["days_on_2023_01_01"],
    )  # fmt: skip
    for problem in cao_problems(facts, law):
        entry.fail(problem.message, problem.step)


def _within_error_limit(
    raw_list: list[Any], errors: list[InvalidValueError]
) -> Iterator[tuple[int, Any]]:
    """The entries with their index, until MAX_ERRORS_PER_INPUT errors (bounded memory)."""
    for index, raw in enumerate(raw_list):
        if len(errors) >= MAX_ERRORS_PER_INPUT:
            errors.append(
                InvalidValueError(
                    f"{len(raw_list) - index} more schedule(s) not checked "
                    f"(at most {MAX_ERRORS_PER_INPUT} errors per input)",
                    path=f"$.schedules[{index}]",
                )
            )
            return
        yield index, raw


def parse_schedules(
    document: object,
    *,
    file: str | None = None,
    statutory: Sequence[StatutoryRule] | None = None,
) -> tuple[SectorSchedule, ...]:
    """Validate a rules document (``{"schedules": [...]}``) and build its schedules.

    Every problem is reported at once, each naming the file and the entry. The
    sector-agreement constraints compare with ``statutory`` (default: the shipped
    statutory rules).

    >>> from mycareer.errors import flatten_errors
    >>> try:
    ...     parse_schedules({"schedules": [{"id": "x", "joint_commission": "302",
    ...         "band": "20+", "kind": "replace", "title": "t", "source": "s",
    ...         "valid_from": "2024-01-01", "filed": "2023-09-01",
    ...         "days": {"2024": "1.5", "2025": "3"}}]}, file="r.json")
    ... except MycareerErrorGroup as group:
    ...     for line in flatten_errors(group):
    ...         print(line)
    r.json: schedule 'x': a REPLACE schedule for the 20+ band gives 1.5 day(s) in 2024, ...
    (R-CAO-2) @ $.schedules[0].days.2024
    """
    errors: list[InvalidValueError] = []
    found: list[SectorSchedule] = []
    law = packaged_statutory() if statutory is None else statutory
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
    for index, raw in _within_error_limit(raw_list, errors):
        schedule = _parse_schedule(raw, f"$.schedules[{index}]", errors, law)
        if schedule is None:
            continue
        if schedule.id in seen:
            errors.append(
                InvalidValueError(
                    f"duplicate schedule id {schedule.id!r}", path=f"$.schedules[{index}].id"
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
        title, title_texts = _texts(raw["title"], "title")
        source, source_texts = _texts(raw["source"], "source")
        rules.append(
            StatutoryRule(
                id=raw["id"],
                title=title,
                source=source,
                valid_from=date.fromisoformat(raw["valid_from"]),
                valid_to=None if raw["valid_to"] is None else date.fromisoformat(raw["valid_to"]),
                days={SizeBand(band): Fraction(Decimal(d)) for band, d in raw["days"].items()},
                title_texts=title_texts,
                source_texts=source_texts,
            )
        )
    return tuple(rules)


def counting_rule(document: Any) -> RuleRef:
    """The counting rule's citation (art. 50 §2), which the band's explanation names."""
    raw = document["counting"]
    title, title_texts = _texts(raw["title"], "counting.title")
    source, source_texts = _texts(raw["source"], "counting.source")
    return RuleRef(raw["id"], title, source, title_texts=title_texts, source_texts=source_texts)


@bounded_cache(maxsize=1)
def packaged_statutory() -> tuple[StatutoryRule, ...]:
    return _parse_statutory(read_packaged("statutory.json"))


def read_packaged(name: str) -> Any:
    return json.loads((resources.files("mycareer.fla") / "rules" / name).read_text("utf-8"))
