"""Who employs: an enterprise number, an ONSS number, or both.

The employer *key* is the enterprise number, or the ONSS number when DmfA's
``CompanyID`` is 0 (training-right issue, B-14).

>>> Employer(EnterpriseNumber("0403019261"), NssoNumber("100006")).key
'0403019261'
>>> Employer(nsso=NssoNumber("100006")).key
'nsso:100006'
>>> Employer("0403019261") == Employer(EnterpriseNumber("0403019261"))
True
>>> Employer()
Traceback (most recent call last):
...
mycareer.errors.InvalidValueError: an employer needs an enterprise number or an NSSO number
"""

from __future__ import annotations

import attrs

from mycareer._checks import is_a, register
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import InvalidValueError
from mycareer.nsso import NssoNumber

__all__ = ["Employer"]


def _to_enterprise(raw: EnterpriseNumber | str | None) -> EnterpriseNumber | None:
    """An enterprise number's text becomes the number: ``Employer("0403019261")``."""
    return EnterpriseNumber(raw) if isinstance(raw, str) else raw


def _to_nsso(raw: NssoNumber | str | None) -> NssoNumber | None:
    return NssoNumber(raw) if isinstance(raw, str) else raw


@attrs.frozen(order=False)
class Employer:
    """An employer identified by enterprise number and/or ONSS registration number."""

    enterprise: EnterpriseNumber | None = attrs.field(
        default=None, converter=_to_enterprise, validator=is_a(EnterpriseNumber, optional=True)
    )
    nsso: NssoNumber | None = attrs.field(
        default=None, converter=_to_nsso, validator=is_a(NssoNumber, optional=True)
    )
    name: str | None = attrs.field(default=None, eq=False, validator=is_a(str, optional=True))

    def __attrs_post_init__(self) -> None:
        if self.enterprise is None and self.nsso is None:
            raise InvalidValueError("an employer needs an enterprise number or an NSSO number")

    @property
    def key(self) -> str:
        """A stable text key: the enterprise number, else ``nsso:<number>``."""
        if self.enterprise is not None:
            return self.enterprise.value
        assert self.nsso is not None  # guaranteed by __attrs_post_init__
        return f"nsso:{self.nsso.value}"

    def __str__(self) -> str:
        """The compact form (:attr:`key`), as every identifier's ``str``."""
        return self.key

    @property
    def formatted(self) -> str:
        """For people: ``0403.019.261``, or ``NSSO 100006`` without an enterprise number."""
        if self.enterprise is not None:
            return self.enterprise.formatted
        return f"NSSO {self.nsso}"


def to_employer(raw: Employer | EnterpriseNumber | str) -> Employer:
    """An attrs converter: an enterprise number (or its text) alone becomes its Employer."""
    if isinstance(raw, str | EnterpriseNumber):
        return Employer(EnterpriseNumber(raw))
    return raw


def to_optional_employer(raw: Employer | EnterpriseNumber | str | None) -> Employer | None:
    if isinstance(raw, str | EnterpriseNumber):
        return Employer(EnterpriseNumber(raw))
    return raw


register(to_employer, to_optional_employer)
