"""Enterprise numbers (KBO/BCE ondernemingsnummer / numéro d'entreprise).

Ten digits, first digit 0 or 1 (the 1-series started on 19 September 2023),
last two a mod-97 check. Validated by :mod:`stdnum.be.vat`, which also pads the
old nine-digit form and strips ``BE`` and separators.

>>> e = EnterpriseNumber("BE 403.019.261")
>>> str(e), e.formatted
('0403019261', '0403.019.261')
>>> EnterpriseNumber.is_valid("0403.019.261"), EnterpriseNumber.is_valid("0403019262")
(True, False)
>>> EnterpriseNumber("1000000021").formatted
'1000.000.021'
>>> EnterpriseNumber("0403019262")
Traceback (most recent call last):
...
mycareer.errors.InvalidEnterpriseNumberError: invalid enterprise number '0403019262': ...
"""

from __future__ import annotations

import attrs
from stdnum import exceptions as stdnum_errors
from stdnum.be import vat

from mycareer._cache import BoundedCache
from mycareer.errors import InvalidEnterpriseNumberError
from mycareer.limits import identifier_text, shown

__all__ = ["EnterpriseNumber"]


def _reason(error: stdnum_errors.ValidationError) -> str:
    return str(getattr(error, "message", "") or error)


#: Texts found valid, with their 10 digits: every file of an employer names its number
#: again (a run over 1,000 small employers validated 19,000 texts: 2 % of its time).
_VALID: BoundedCache[str, str] = BoundedCache("enterprise numbers", maxsize=4096)


def _normalise(raw: object) -> str:
    if isinstance(raw, EnterpriseNumber):
        return raw.value
    if type(raw) is str and (known := _VALID.get(raw)) is not None:
        return known
    # Bounded before stdnum, which int()s the text (Python's 4,300-digit limit).
    text = identifier_text(raw, "enterprise number", error=InvalidEnterpriseNumberError)
    try:
        value = str(vat.validate(text))
    except stdnum_errors.ValidationError as error:
        raise InvalidEnterpriseNumberError(
            f"invalid enterprise number {shown(text)}: {_reason(error)}"
        ) from None
    return _VALID.put(raw, value) if type(raw) is str else value


@attrs.frozen(order=True)
class EnterpriseNumber:
    """A validated enterprise number, stored as its 10 digits."""

    value: str = attrs.field(converter=_normalise)

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """True when ``text`` is a valid enterprise number, like stdnum's ``is_valid``."""
        try:
            _normalise(text)
        except InvalidEnterpriseNumberError:
            return False
        return True

    def __str__(self) -> str:
        """The compact form (stdnum's ``compact``): 10 digits, for storage and keys."""
        return self.value

    @property
    def formatted(self) -> str:
        """Display form ``NNNN.NNN.NNN``."""
        v = self.value
        return f"{v[:4]}.{v[4:7]}.{v[7:]}"
