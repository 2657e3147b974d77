"""ONSS/RSZ registration numbers (``NOSSRegistrationNbr``, zone 00011).

A definitive number lies in [100006; 199999934]; a provisional one (zone 00948)
in [5000000120; 5999999989]. The sources give no public check algorithm, so
only the ranges are checked. ``0`` (used in DmfA when ``CompanyID`` identifies
the employer) is *not* a number: readers map it to ``None``.

>>> NssoNumber("100006"), NssoNumber(5000000120).is_provisional
(NssoNumber(value='100006'), True)
>>> NssoNumber("0")
Traceback (most recent call last):
...
mycareer.errors.InvalidNssoNumberError: invalid NSSO number '0': outside [100006; 199999934] ...
"""

from __future__ import annotations

import attrs

from mycareer.errors import InvalidNssoNumberError
from mycareer.limits import identifier_text, shown

__all__ = ["NssoNumber"]

DEFINITIVE_RANGE = (100006, 199999934)
PROVISIONAL_RANGE = (5000000120, 5999999989)


def _normalise(raw: object) -> str:
    if isinstance(raw, NssoNumber):
        return raw.value
    # Bounded before int(), which refuses more than 4,300 digits with a bare ValueError.
    text = identifier_text(raw, "NSSO number", error=InvalidNssoNumberError)
    if not (text.isascii() and text.isdigit()):
        raise InvalidNssoNumberError(f"invalid NSSO number {shown(text)}: expected digits only")
    number = int(text)
    if not (
        DEFINITIVE_RANGE[0] <= number <= DEFINITIVE_RANGE[1]
        or PROVISIONAL_RANGE[0] <= number <= PROVISIONAL_RANGE[1]
    ):
        raise InvalidNssoNumberError(
            f"invalid NSSO number {shown(text)}: outside [100006; 199999934] "
            "and [5000000120; 5999999989]"
        )
    return str(number)


@attrs.frozen(order=True)
class NssoNumber:
    """An ONSS registration number, stored without leading zeros."""

    value: str = attrs.field(converter=_normalise)

    def __str__(self) -> str:
        """The compact form: the digits without leading zeros."""
        return self.value

    @property
    def formatted(self) -> str:
        """For people: the same digits (the ONSS publishes no grouped display form)."""
        return self.value

    @property
    def is_provisional(self) -> bool:
        return int(self.value) >= PROVISIONAL_RANGE[0]
