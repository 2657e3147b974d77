"""What a career period is: the kinds a MyCareer-style timeline shows.

>>> PeriodKind("career_break") is PeriodKind.CAREER_BREAK
True
>>> PeriodKind.SICKNESS.label
'sickness or incapacity'
"""

from __future__ import annotations

from enum import StrEnum

from mycareer._checks import register, to_enum

__all__ = ["PeriodKind", "to_period_kind"]


class PeriodKind(StrEnum):
    """Kinds of career periods; the value is the stable machine name."""

    EMPLOYMENT = "employment"
    CIVIL_SERVICE = "civil_service"
    SELF_EMPLOYMENT = "self_employment"
    UNEMPLOYMENT = "unemployment"
    SICKNESS = "sickness"
    CAREER_BREAK = "career_break"
    TRAINING = "training"
    BENEFIT = "benefit"
    OTHER = "other"

    @property
    def label(self) -> str:
        """A short English label for display."""
        return _LABELS[self]


_LABELS = {
    PeriodKind.EMPLOYMENT: "employment",
    PeriodKind.CIVIL_SERVICE: "civil service",
    PeriodKind.SELF_EMPLOYMENT: "self-employment",
    PeriodKind.UNEMPLOYMENT: "unemployment",
    PeriodKind.SICKNESS: "sickness or incapacity",
    PeriodKind.CAREER_BREAK: "career break or time credit",
    PeriodKind.TRAINING: "training",
    PeriodKind.BENEFIT: "benefit",
    PeriodKind.OTHER: "other",
}


def to_period_kind(raw: PeriodKind | str) -> PeriodKind:
    """A kind's name (``"sickness"``) becomes the member (an attrs converter)."""
    return to_enum(PeriodKind, raw)


register(to_period_kind)
