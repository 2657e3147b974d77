"""NISS / INSZ: the Belgian social-security identification number.

Covers national-register numbers and BIS numbers (birth month +20 or +40),
validated by :mod:`stdnum.be.ssn`. The checksum itself tells a 19xx birth from
a 20xx one (the "2" prefix rule), so people born in 1950 and in 2003 both
validate. Note that stdnum only tries the 20xx rule for years up to the current
one; that is stdnum's clock, never ours.

>>> n = Niss("85.07.30-033.28")
>>> str(n), n.formatted
('85073003328', '85.07.30-033.28')
>>> Niss("50073003369").birth_date, Niss("03021512318").birth_date
(datetime.date(1950, 7, 30), datetime.date(2003, 2, 15))
>>> Niss.is_valid("85.07.30-033.28"), Niss.is_valid("85073003329")
(True, False)
>>> Niss("98472899765").is_bis
True
>>> Niss("85073003329")
Traceback (most recent call last):
...
mycareer.errors.InvalidNissError: invalid NISS '85073003329': The number's checksum ...
"""

from __future__ import annotations

from datetime import date

import attrs
from stdnum import exceptions as stdnum_errors
from stdnum.be import ssn

from mycareer._checks import register
from mycareer.errors import InvalidNissError
from mycareer.limits import identifier_text, shown

__all__ = ["Niss"]


def _reason(error: stdnum_errors.ValidationError) -> str:
    return str(getattr(error, "message", "") or error)


def _normalise(raw: object) -> str:
    if isinstance(raw, Niss):
        return raw.value
    # Bounded before stdnum, which int()s the text (Python's 4,300-digit limit).
    text = identifier_text(raw, "NISS", error=InvalidNissError, width=11)
    try:
        return str(ssn.validate(text))
    except stdnum_errors.ValidationError as error:
        raise InvalidNissError(f"invalid NISS {shown(text)}: {_reason(error)}") from None


@attrs.frozen(order=True)
class Niss:
    """A validated NISS, stored as its 11 digits."""

    value: str = attrs.field(converter=_normalise)

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """True when ``text`` is a valid NISS (any separators), like stdnum's ``is_valid``."""
        try:
            _normalise(text)
        except InvalidNissError:
            return False
        return True

    def __str__(self) -> str:
        """The compact form (stdnum's ``compact``): 11 digits, for storage and keys."""
        return self.value

    @property
    def formatted(self) -> str:
        """Display form ``YY.MM.DD-SSS.CC`` (stdnum's ``format``, sliced from the checked value)."""
        value = self.value  # 11 digits once checked: slicing is what stdnum does, 40x cheaper
        return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}"

    @property
    def is_bis(self) -> bool:
        """True for a BIS number (people not in the National Register)."""
        return ssn.guess_type(self.value) == "bis"

    @property
    def birth_date(self) -> date | None:
        """Date of birth, or ``None`` when the number encodes an unknown month or day."""
        try:
            found = ssn.get_birth_date(self.value)
        except stdnum_errors.ValidationError:
            return None
        return found if isinstance(found, date) else None


def to_niss(raw: Niss | str) -> Niss:
    """An attrs converter: a NISS's text (any separators) becomes a :class:`Niss`."""
    return Niss(raw) if isinstance(raw, str) else raw


def to_optional_niss(raw: Niss | str | None) -> Niss | None:
    return Niss(raw) if isinstance(raw, str) else raw


register(to_niss, to_optional_niss)
