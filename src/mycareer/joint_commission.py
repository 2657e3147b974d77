"""Joint committees (paritair comité / commission paritaire), DmfA zone 00046.

``200``, ``200.01`` and ``305.02.09`` are committees and sub-committees. ``999``
means *no* joint committee; ``XXX`` (Dimona, e.g. students) means *unknown*.
The two stay distinct.

>>> JointCommission("200").main, JointCommission("305.02.09").main
('200', '305')
>>> JointCommission("999").is_none, JointCommission("XXX").is_unknown
(True, True)
>>> JointCommission("20")
Traceback (most recent call last):
...
mycareer.errors.InvalidJointCommissionError: invalid joint committee '20': expected CCC, CCC.CC, ...
"""

from __future__ import annotations

import re

import attrs

from mycareer._checks import register
from mycareer.errors import InvalidJointCommissionError
from mycareer.limits import shown

__all__ = ["JointCommission"]

_PATTERN = re.compile(r"\d{3}(\.\d{2}){0,2}|XXX", re.ASCII)
NONE_CODE = "999"
UNKNOWN_CODE = "XXX"


def _normalise(raw: object) -> str:
    if isinstance(raw, JointCommission):
        return raw.code
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InvalidJointCommissionError(f"invalid joint committee {shown(raw)}: expected text")
    if isinstance(raw, int) and raw.bit_length() > 64:  # str() fails past 4,300 digits
        raise InvalidJointCommissionError(f"invalid joint committee {shown(raw)}: too long")
    text = str(raw).strip().upper()
    if not _PATTERN.fullmatch(text):
        raise InvalidJointCommissionError(
            f"invalid joint committee {shown(text)}: expected CCC, CCC.CC, CCC.CC.CC, 999 or XXX"
        )
    return text


@attrs.frozen(order=True)
class JointCommission:
    """A joint committee code, kept as written (``"200.01"``)."""

    code: str = attrs.field(converter=_normalise)

    def __str__(self) -> str:
        return self.code

    @property
    def is_none(self) -> bool:
        """``999``: the worker falls under no joint committee."""
        return self.code == NONE_CODE

    @property
    def is_unknown(self) -> bool:
        """``XXX``: the declaration did not say (Dimona students and others)."""
        return self.code == UNKNOWN_CODE

    @property
    def main(self) -> str:
        """The three-digit committee a sub-committee belongs to."""
        return self.code[:3]

    def within(self, other: JointCommission) -> bool:
        """Whether this committee is ``other`` or one of its sub-committees.

        >>> JointCommission("200.01").within(JointCommission("200"))
        True
        """
        return self.code == other.code or self.code.startswith(other.code + ".")


def to_joint_commission(raw: JointCommission | str) -> JointCommission:
    """An attrs converter: a committee code (``"200"``) becomes a JointCommission."""
    return JointCommission(raw) if isinstance(raw, str) else raw


def to_optional_joint_commission(raw: JointCommission | str | None) -> JointCommission | None:
    return JointCommission(raw) if isinstance(raw, str) else raw


register(to_joint_commission, to_optional_joint_commission)
