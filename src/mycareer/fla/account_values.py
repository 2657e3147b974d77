"""The values of the individual training account: policy, windows, credits, statements.

The ledger that produces them is :func:`mycareer.fla.account.build_account`; both
are re-exported by :mod:`mycareer.fla.account` and :mod:`mycareer.fla`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final

import attrs

from mycareer._checks import is_a, items_of, to_date, to_enum
from mycareer._html import html_table
from mycareer.employer import Employer, to_optional_employer
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.fla.rulebook import ResetPolicy, SectorSchedule
from mycareer.fla.trainings import Training, format_exact
from mycareer.fla.values import Entitlement
from mycareer.limits import exact_quantity, shown
from mycareer.niss import Niss, to_niss

__all__ = [
    "DEFAULT_HOURS_PER_DAY",
    "STATEMENT_TABLE_COLUMNS",
    "AccountPolicy",
    "AccountWindow",
    "Termination",
    "TerminationReason",
    "TrainingAccount",
    "TrainingDebit",
    "WindowStart",
    "WindowSummary",
    "YearCredit",
    "YearStatement",
    "exact_days",
]

#: 38 h a week ÷ 5, used only when neither the caller nor the credits give a factor.
DEFAULT_HOURS_PER_DAY = Fraction(38, 5)

_ZERO = Fraction(0)


def exact_days(raw: object) -> Fraction:
    """Days as an exact, non-negative Fraction (int, Fraction, Decimal or text; never float).

    >>> exact_days("2.5"), exact_days(Decimal("0.25")), exact_days("10/3")
    (Fraction(5, 2), Fraction(1, 4), Fraction(10, 3))
    >>> exact_days(-1)
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: invalid days -1: negative
    """
    return exact_quantity(raw, "days", "'2.5' or '10/3'")


def _days(raw: object) -> Fraction:
    """:func:`exact_days` as a field converter: a value of another type is left to the
    field's validator, whose ``TypeError`` names the field."""
    if isinstance(raw, int | Fraction | Decimal | str | float):
        return exact_days(raw)
    return raw  # type: ignore[return-value]


def _optional_hours_per_day(raw: object) -> Fraction | None:
    if raw is None:
        return None
    value: object = _days(raw)
    if not isinstance(value, Fraction):
        return value  # type: ignore[return-value]  # the validator names the field
    if value == 0:
        raise InvalidValueError("hours per day must be positive, got 0")
    return value


class TerminationReason(StrEnum):
    """How the contract ended (B-8)."""

    RESIGNATION = "resignation"
    SERIOUS_CAUSE = "serious-cause"
    DISMISSAL_NOTICE = "dismissal-notice"
    DISMISSAL_INDEMNITY = "dismissal-indemnity"
    MUTUAL_AGREEMENT = "mutual-agreement"
    END_FIXED_TERM = "end-fixed-term"
    OTHER = "other"

    @property
    def loses_credit(self) -> bool:
        """After a resignation or a dismissal for serious cause the credit is lost (B-8)."""
        return self in (TerminationReason.RESIGNATION, TerminationReason.SERIOUS_CAUSE)


def _termination_reason(raw: object) -> TerminationReason:
    if isinstance(raw, TerminationReason) or not isinstance(raw, str):
        return raw  # type: ignore[return-value]  # not text: the validator names the field
    text = str(raw).strip().lower().replace("_", "-")
    try:
        return TerminationReason(text)
    except ValueError:
        allowed = ", ".join(r.value for r in TerminationReason)
        raise InvalidValueError(
            f"invalid termination reason {shown(raw)}: expected {allowed}"
        ) from None


@attrs.frozen
class Termination:
    """The end of a worker's contract: last day and reason.

    ``employer=None`` applies it to every account of the worker.
    """

    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    date: date = attrs.field(converter=to_date, validator=is_a(date))
    reason: TerminationReason = attrs.field(
        converter=_termination_reason, validator=is_a(TerminationReason)
    )
    employer: Employer | None = attrs.field(
        default=None, converter=to_optional_employer, validator=is_a(Employer, optional=True)
    )


class WindowStart(StrEnum):
    """Where a worker's first 5-year window starts (issue: R-CARRY-2 fixes only the earliest).

    ``CALENDAR`` (the default): the same blocks for everyone, from
    :attr:`AccountPolicy.first_window_start` (2024–2028, 2029–2033…). ``HIRE``: the first
    window starts at the account's first year (the hire year when the credits come from
    the declarations), never before ``first_window_start``; a 2027 hire gets 2027–2031.
    """

    CALENDAR = "calendar"
    HIRE = "hire"


def _window_start(raw: object) -> WindowStart:
    return to_enum(WindowStart, raw)


@attrs.frozen
class AccountPolicy:
    """How the ledger runs; the defaults follow B-7 (docs/training-right.md).

    ``first_window_start``/``window_years``: the 5-year windows, 2024–2028, 2029–2033…
    Years before the first window belong to none and simply carry over into it.
    ``reset_at_window_end``: zero the balance on 31 December of a window's last year.
    ``allow_overuse``: let the balance go negative (an advance on future credit); by
    default a debit beyond the balance is reported as ``overused`` and not carried.
    ``hours_per_day``: overrides the factor taken from the credits.
    ``window_start``: :class:`WindowStart`; ``HIRE`` moves the first window to the
    account's first year (see :meth:`resolved`).
    """

    first_window_start: int = attrs.field(default=2024, validator=is_a(int))
    window_years: int = attrs.field(default=5, validator=is_a(int))
    reset_at_window_end: bool = attrs.field(default=True, validator=is_a(bool))
    allow_overuse: bool = attrs.field(default=False, validator=is_a(bool))
    hours_per_day: Fraction | None = attrs.field(
        default=None, converter=_optional_hours_per_day, validator=is_a(Fraction, optional=True)
    )
    window_start: WindowStart = attrs.field(
        default=WindowStart.CALENDAR, converter=_window_start, validator=is_a(WindowStart)
    )

    def __attrs_post_init__(self) -> None:
        if self.window_years < 1:
            raise InvalidValueError(f"window_years must be at least 1, got {self.window_years}")

    @classmethod
    def for_schedule(cls, schedule: SectorSchedule, **changes: Any) -> AccountPolicy:
        """The windows and reset policy a sector schedule ships (PC 200: reset, T-PC200-4).

        >>> from mycareer.fla.rulebook import Rulebook
        >>> pc200 = [s for s in Rulebook.default().schedules if s.joint_commission.code == "200"]
        >>> policy = AccountPolicy.for_schedule(pc200[0])
        >>> policy.reset_at_window_end, str(policy.window_of(2028))
        (True, '2024-2028')
        """
        values: dict[str, Any] = {
            "first_window_start": schedule.window_start or 2024,
            "window_years": schedule.window_years,
            "reset_at_window_end": schedule.reset is ResetPolicy.RESET,
        }
        values.update(changes)
        return cls(**values)

    def resolved(self, first_year: int) -> AccountPolicy:
        """The calendar policy of an account whose first year is ``first_year``.

        ``HIRE`` becomes ``CALENDAR`` with the windows starting at ``first_year`` (not
        before ``first_window_start``), so a stored account names its own windows.

        >>> hire = AccountPolicy(window_start="hire")
        >>> [str(hire.resolved(year).window_of(2028)) for year in (2023, 2027)]
        ['2024-2028', '2027-2031']
        >>> AccountPolicy().resolved(2027).first_window_start
        2024
        """
        if self.window_start is WindowStart.CALENDAR:
            return self
        start = max(self.first_window_start, first_year)
        return attrs.evolve(self, first_window_start=start, window_start=WindowStart.CALENDAR)

    def window_of(self, year: int) -> AccountWindow | None:
        """The window a year belongs to, or ``None`` before the first one.

        >>> policy = AccountPolicy()
        >>> [str(policy.window_of(year)) for year in (2028, 2029, 2023)]
        ['2024-2028', '2029-2033', 'None']
        """
        if year < self.first_window_start:
            return None
        index = (year - self.first_window_start) // self.window_years
        first = self.first_window_start + index * self.window_years
        return AccountWindow(first, first + self.window_years - 1)


@attrs.frozen(order=True)
class AccountWindow:
    """A multi-year reference window, both years included."""

    first_year: int = attrs.field(validator=is_a(int))
    last_year: int = attrs.field(validator=is_a(int))

    def __attrs_post_init__(self) -> None:
        if self.last_year < self.first_year:
            raise InvalidValueError(
                f"window {self.first_year}-{self.last_year} ends before it starts"
            )

    def __str__(self) -> str:
        return f"{self.first_year}-{self.last_year}"

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.first_year <= year <= self.last_year


@attrs.frozen
class YearCredit:
    """One year's training credit of a worker at an employer, in days, by part.

    >>> c = YearCredit(Niss("85073003328"), 2024, legal_days="3", sector_days=Fraction(1, 2))
    >>> c.total
    Fraction(7, 2)
    """

    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    year: int = attrs.field(validator=is_a(int))
    legal_days: Fraction = attrs.field(default=_ZERO, converter=_days, validator=is_a(Fraction))
    sector_days: Fraction = attrs.field(default=_ZERO, converter=_days, validator=is_a(Fraction))
    employer_days: Fraction = attrs.field(default=_ZERO, converter=_days, validator=is_a(Fraction))
    employer: Employer | None = attrs.field(
        default=None, converter=to_optional_employer, validator=is_a(Employer, optional=True)
    )
    hours_per_day: Fraction | None = attrs.field(
        default=None, converter=_optional_hours_per_day, validator=is_a(Fraction, optional=True)
    )
    rule_id: str | None = attrs.field(default=None, validator=is_a(str, optional=True))

    @property
    def total(self) -> Fraction:
        return self.legal_days + self.sector_days + self.employer_days

    @classmethod
    def from_entitlement(cls, entitlement: Entitlement) -> YearCredit:
        """The credit an entitlement grants (a "no rule" entitlement grants 0).

        The parts come from ``legal_days``/``sector_days``/``employer_days`` when the
        entitlement has them, else the whole ``days_exact`` is the legal part.
        ``hours_per_day`` is read from the entitlement, or from its hours ÷ days.
        """
        parts = [
            part or _ZERO
            for part in (entitlement.legal_days, entitlement.sector_days, entitlement.employer_days)
        ]
        days = entitlement.days_exact
        if days and sum(parts, _ZERO) == 0:
            parts = [days, _ZERO, _ZERO]
        hours_per_day = entitlement.hours_per_day
        if hours_per_day is None and entitlement.hours is not None and days:
            hours_per_day = entitlement.hours / days
        return cls(
            entitlement.niss,
            entitlement.year,
            legal_days=parts[0],
            sector_days=parts[1],
            employer_days=parts[2],
            employer=entitlement.employer,
            hours_per_day=hours_per_day or None,
            rule_id=None if entitlement.rule is None else entitlement.rule.id,
        )


@attrs.frozen
class TrainingDebit:
    """A training as booked on the account: its days through the hours-per-day factor."""

    training: Training = attrs.field(validator=is_a(Training))
    days: Fraction = attrs.field(validator=is_a(Fraction))


#: The columns a statement is shown in: the year, the window, :attr:`YearStatement.figures`.
STATEMENT_TABLE_COLUMNS: Final = (
    "year", "window", "opening", "legal", "sector", "employer", "used", "closing",
    "carried", "reset", "lost", "open",
)  # fmt: skip


@attrs.frozen
class YearStatement:
    """One year of the ledger.

    ``closing = opening + credit - used`` before any clamp; without ``allow_overuse``
    a negative closing is clamped to 0 and the excess is ``overused``. Then
    ``closing = carried + reset + lost + open_balance``: the reset at a window end,
    the credit lost at a resignation or serious-cause dismissal, or the balance left
    open at any other end of contract (B-8).
    """

    year: int = attrs.field(validator=is_a(int))
    window: AccountWindow | None = attrs.field(validator=is_a(AccountWindow, optional=True))
    opening: Fraction = attrs.field(validator=is_a(Fraction))
    credit: YearCredit = attrs.field(validator=is_a(YearCredit))
    debits: tuple[TrainingDebit, ...] = attrs.field(
        validator=[is_a(tuple), items_of(TrainingDebit)]
    )
    used: Fraction = attrs.field(validator=is_a(Fraction))
    overused: Fraction = attrs.field(validator=is_a(Fraction))
    closing: Fraction = attrs.field(validator=is_a(Fraction))
    reset: Fraction = attrs.field(validator=is_a(Fraction))
    lost: Fraction = attrs.field(validator=is_a(Fraction))
    open_balance: Fraction = attrs.field(validator=is_a(Fraction))
    carried: Fraction = attrs.field(validator=is_a(Fraction))
    termination: Termination | None = attrs.field(
        default=None, validator=is_a(Termination, optional=True)
    )

    @property
    def credited(self) -> Fraction:
        return self.credit.total

    @property
    def figures(self) -> tuple[Fraction, ...]:
        """The year's quantities as statements show them, after the year and the window
        (:data:`STATEMENT_TABLE_COLUMNS`): opening, the credit's parts, used, closing, carried,
        reset, lost, open balance."""
        credit = self.credit
        return (
            self.opening, credit.legal_days, credit.sector_days, credit.employer_days,
            self.used, self.closing, self.carried, self.reset, self.lost, self.open_balance,
        )  # fmt: skip

    @property
    def window_end(self) -> bool:
        return self.window is not None and self.year == self.window.last_year


@attrs.frozen
class WindowSummary:
    """Totals of one window (or of the years before the first window, ``window=None``).

    ``years`` is the number of the window's years the ledger covers: all of them, or
    fewer when the account starts inside the window (a hire) or the contract ends
    before the window does.
    """

    window: AccountWindow | None = attrs.field(validator=is_a(AccountWindow, optional=True))
    credited: Fraction = attrs.field(validator=is_a(Fraction))
    used: Fraction = attrs.field(validator=is_a(Fraction))
    overused: Fraction = attrs.field(validator=is_a(Fraction))
    reset: Fraction = attrs.field(validator=is_a(Fraction))
    lost: Fraction = attrs.field(validator=is_a(Fraction))
    closing: Fraction = attrs.field(validator=is_a(Fraction))
    years: int = attrs.field(default=1, validator=is_a(int))

    @property
    def average_per_year(self) -> Fraction | None:
        """Training days *received* per year of the period: the average test of R-CARRY-2.

        The rule asks that a full-time worker has received 5 days a year on average over
        the window, or over the shorter period when the contract ends early; the period
        here is the window's years the ledger covers (``years``), a started year counting
        as a whole one. ``None`` before the first window.
        """
        if self.window is None:
            return None
        return self.used / self.years

    @property
    def credited_per_year(self) -> Fraction | None:
        """Credited days per year of the same period: what the average is measured against."""
        if self.window is None:
            return None
        return self.credited / self.years


@attrs.frozen
class TrainingAccount:
    """The ledger of one worker at one employer, as of a date.

    ``balance`` is the last statement's closing balance (what is left to use, or,
    after a termination, what was lost or left open). ``trainings`` holds every
    training given for this account, debited or not; ``findings`` say what was
    ignored and why.
    """

    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    employer: Employer | None = attrs.field(
        converter=to_optional_employer, validator=is_a(Employer, optional=True)
    )
    as_of: date = attrs.field(converter=to_date, validator=is_a(date))
    policy: AccountPolicy = attrs.field(validator=is_a(AccountPolicy))
    hours_per_day: Fraction = attrs.field(validator=is_a(Fraction))
    statements: tuple[YearStatement, ...] = attrs.field(
        validator=[is_a(tuple), items_of(YearStatement)]
    )
    trainings: tuple[Training, ...] = attrs.field(validator=[is_a(tuple), items_of(Training)])
    termination: Termination | None = attrs.field(
        default=None, validator=is_a(Termination, optional=True)
    )
    findings: tuple[Finding, ...] = attrs.field(
        default=(), validator=[is_a(tuple), items_of(Finding)]
    )

    @property
    def balance(self) -> Fraction:
        return self.statements[-1].closing if self.statements else _ZERO

    @property
    def credited(self) -> Fraction:
        return sum((s.credited for s in self.statements), _ZERO)

    @property
    def used(self) -> Fraction:
        return sum((s.used for s in self.statements), _ZERO)

    @property
    def lost(self) -> Fraction:
        return sum((s.lost for s in self.statements), _ZERO)

    @property
    def open_balance(self) -> Fraction | None:
        """The balance left open at the end of the contract (B-8), if it ended so."""
        if self.termination is None or self.termination.reason.loses_credit:
            return None
        return self.statements[-1].open_balance if self.statements else _ZERO

    @property
    def windows(self) -> tuple[WindowSummary, ...]:
        groups: dict[AccountWindow | None, list[YearStatement]] = {}
        for statement in self.statements:
            groups.setdefault(statement.window, []).append(statement)
        return tuple(
            WindowSummary(
                window=window,
                credited=sum((s.credited for s in group), _ZERO),
                used=sum((s.used for s in group), _ZERO),
                overused=sum((s.overused for s in group), _ZERO),
                reset=sum((s.reset for s in group), _ZERO),
                lost=sum((s.lost for s in group), _ZERO),
                closing=group[-1].closing,
                years=len(group),
            )
            for window, group in groups.items()
        )

    def statement(self, year: int) -> YearStatement | None:
        return next((s for s in self.statements if s.year == year), None)

    def hours(self, days: Fraction) -> Fraction:
        """Days of this account in hours."""
        return days * self.hours_per_day

    def _repr_html_(self) -> str:
        header = list(STATEMENT_TABLE_COLUMNS)
        rows = [[s.year, s.window or "-", *map(format_exact, s.figures)] for s in self.statements]
        where = "" if self.employer is None else f" at {self.employer.formatted}"
        caption = (
            f"Training account of NISS {self.niss.formatted}{where} as of "
            f"{self.as_of.isoformat()} (days): balance {format_exact(self.balance)}"
        )
        return html_table(header, rows, caption=caption)


def _same_employer(a: Employer | None, b: Employer | None) -> bool:
    return a is None or b is None or a.key == b.key
