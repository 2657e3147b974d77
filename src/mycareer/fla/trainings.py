"""Trainings followed by a worker, as the Federal Learning Account recorded them.

The fields are those the FLA recorded (docs/fla.md; descriptive names, the FLA's
own element names were never published): name, provider, start and end dates,
duration, type, status, outcome, certificate and its validity, funding, and the
flag saying whether the training is deducted from the individual right (B-11:
Flemish training leave and paid educational leave, for example, do not count).

Durations are exact hours (``Fraction``; the FLA recorded hours and minutes).
Days follow through an hours-per-day factor (B-6: no royal decree sets one; the
default elsewhere in :mod:`mycareer.fla` is the worker's full-time weekly hours
÷ 5, e.g. 38 h → 7.6 h).

>>> from datetime import date
>>> t = Training(
...     niss=Niss("85073003328"), name="Excel advanced", start=date(2024, 3, 4),
...     end=date(2024, 3, 5), hours="15.2")
>>> t.hours, t.days(Fraction(38, 5))
(Fraction(76, 5), Fraction(2, 1))
>>> t.debits_individual_right
True
>>> Training(niss=Niss("85073003328"), name="x", start=date(2024, 3, 5),
...          end=date(2024, 3, 4), hours=1)
Traceback (most recent call last):
...
mycareer.errors.InvalidValueError: training end 2024-03-04 is before its start 2024-03-05
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import attrs

from mycareer._checks import is_a, to_date, to_optional_date
from mycareer.employer import Employer, to_optional_employer
from mycareer.errors import InvalidValueError, SourceRef
from mycareer.limits import exact_quantity, shown
from mycareer.niss import Niss, to_niss

__all__ = [
    "Training",
    "TrainingStatus",
    "TrainingType",
    "exact_hours",
    "format_exact",
]


class TrainingType(StrEnum):
    """Which trainings the right covers (R-SCOPE-2): formal, informal, well-being at work."""

    FORMAL = "formal"
    INFORMAL = "informal"
    WELL_BEING = "well-being"


class TrainingStatus(StrEnum):
    """FLA training statuses (countable.be): only a completed training debits the right."""

    COMPLETED = "completed"
    NOT_FOLLOWED = "not-followed"
    RESERVED = "reserved"
    UNSUITABLE = "unsuitable"


def exact_hours(raw: object) -> Fraction:
    """Hours as an exact, non-negative Fraction; floats are refused.

    Accepts ``int``, ``Fraction``, ``Decimal`` and text such as ``"7.5"`` or ``"22/3"``.

    >>> exact_hours("7.5"), exact_hours(Decimal("0.25")), exact_hours("22/3")
    (Fraction(15, 2), Fraction(1, 4), Fraction(22, 3))
    >>> exact_hours(7.5)
    Traceback (most recent call last):
    ...
    mycareer.errors.InvalidValueError: invalid hours 7.5: use an int, Decimal, Fraction or text, ...
    """
    return exact_quantity(raw, "hours", "'7.5' or '22/3'")


def format_exact(value: Fraction) -> str:
    """An exact quantity as text: a plain decimal when it has one, else ``p/q``.

    >>> format_exact(Fraction(15, 2)), format_exact(Fraction(5)), format_exact(Fraction(10, 3))
    ('7.5', '5', '10/3')
    >>> format_exact(Fraction(-1, 4)), format_exact(Fraction(1, 10**7)), format_exact(Fraction(150))
    ('-0.25', '0.0000001', '150')
    """
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return str(value)
    places = max(twos, fives)
    scaled = value * 10**places
    assert scaled.denominator == 1
    return format(Decimal(scaled.numerator).scaleb(-places), "f")


def _hours(raw: object) -> Fraction:
    """:func:`exact_hours` as a field converter: other types reach the field's validator."""
    if isinstance(raw, int | Fraction | Decimal | str | float):
        return exact_hours(raw)
    return raw  # type: ignore[return-value]


_TEXT = is_a(str, optional=True)


def _training_type(raw: object) -> TrainingType:
    if not isinstance(raw, str):
        return raw  # type: ignore[return-value]  # the validator names the field
    try:
        return TrainingType(str(raw).strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in TrainingType)
        raise InvalidValueError(f"invalid training type {shown(raw)}: expected {allowed}") from None


def _training_status(raw: object) -> TrainingStatus:
    if not isinstance(raw, str):
        return raw  # type: ignore[return-value]  # the validator names the field
    try:
        return TrainingStatus(str(raw).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in TrainingStatus)
        raise InvalidValueError(
            f"invalid training status {shown(raw)}: expected {allowed}"
        ) from None


def _optional_text(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw  # type: ignore[return-value]  # the validator names the field
    text = raw.strip()
    return text or None


def _required_text(raw: object) -> str:
    text = _optional_text(raw)
    if text is None and (raw is None or isinstance(raw, str)):
        raise InvalidValueError(f"a training needs a non-empty name, got {shown(raw)}")
    return text  # type: ignore[return-value]  # not text: the validator names the field


@attrs.frozen
class Training:
    """One training followed (or reserved, or not followed) by one worker.

    ``employer`` is who registered the training; it may be left out when the
    worker has a single employer in the account book. ``source`` says where the
    record was read and does not take part in equality.
    """

    niss: Niss = attrs.field(converter=to_niss, validator=is_a(Niss))
    name: str = attrs.field(converter=_required_text, validator=is_a(str))
    start: date = attrs.field(converter=to_date, validator=is_a(date))
    end: date = attrs.field(converter=to_date, validator=is_a(date))
    hours: Fraction = attrs.field(converter=_hours, validator=is_a(Fraction))
    type: TrainingType = attrs.field(
        default=TrainingType.FORMAL, converter=_training_type, validator=is_a(TrainingType)
    )
    status: TrainingStatus = attrs.field(
        default=TrainingStatus.COMPLETED, converter=_training_status, validator=is_a(TrainingStatus)
    )
    counts_toward_individual_right: bool = attrs.field(default=True, validator=is_a(bool))
    provider: str | None = attrs.field(default=None, converter=_optional_text, validator=_TEXT)
    outcome: str | None = attrs.field(default=None, converter=_optional_text, validator=_TEXT)
    certificate: str | None = attrs.field(default=None, converter=_optional_text, validator=_TEXT)
    certificate_valid_until: date | None = attrs.field(
        default=None, converter=to_optional_date, validator=is_a(date, optional=True)
    )
    funding: str | None = attrs.field(default=None, converter=_optional_text, validator=_TEXT)
    employer: Employer | None = attrs.field(
        default=None, converter=to_optional_employer, validator=is_a(Employer, optional=True)
    )
    id: str | None = attrs.field(default=None, converter=_optional_text, validator=_TEXT)
    source: SourceRef | None = attrs.field(
        default=None, eq=False, validator=is_a(SourceRef, optional=True)
    )

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidValueError(
                f"training end {self.end.isoformat()} is before its start {self.start.isoformat()}"
            )
        if self.certificate_valid_until is not None and self.certificate_valid_until < self.start:
            raise InvalidValueError(
                f"certificate valid until {self.certificate_valid_until.isoformat()} "
                f"is before the training start {self.start.isoformat()}"
            )

    @property
    def minutes(self) -> Fraction:
        """The duration in minutes (exact)."""
        return self.hours * 60

    @property
    def year(self) -> int:
        """The year whose credit the training debits: the year it ends in."""
        return self.end.year

    @property
    def debits_individual_right(self) -> bool:
        """Completed and flagged as counting toward the individual right (B-11)."""
        return self.counts_toward_individual_right and self.status is TrainingStatus.COMPLETED

    def days(self, hours_per_day: Fraction) -> Fraction:
        """The duration in days, through ``hours_per_day`` (B-6)."""
        if hours_per_day <= 0:
            raise InvalidValueError(f"hours per day must be positive, got {hours_per_day}")
        return self.hours / hours_per_day

    @property
    def sort_key(self) -> tuple[date, date, str, str]:
        return (self.start, self.end, self.name, self.id or "")
