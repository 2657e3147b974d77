"""Findings: non-fatal observations that travel with results instead of being raised.

>>> f = Finding("DMFA_DUPLICATE", Severity.WARNING, "two originals for 20241",
...             SourceRef("b.xml", 3))
>>> str(f)
'warning DMFA_DUPLICATE: two originals for 20241 (b.xml:3)'
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from mycareer._checks import is_a, register, to_enum
from mycareer.errors import SourceRef

__all__ = ["Finding", "Severity", "SourceRef"]


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


def _to_severity(raw: Severity | str) -> Severity:
    return to_enum(Severity, raw)


register(_to_severity)


@attrs.frozen
class Finding:
    """A coded observation (``code`` is stable; ``message`` is for people)."""

    code: str = attrs.field(validator=is_a(str))
    severity: Severity = attrs.field(converter=_to_severity, validator=is_a(Severity))
    message: str = attrs.field(validator=is_a(str))
    source: SourceRef | None = attrs.field(default=None, validator=is_a(SourceRef, optional=True))

    def __str__(self) -> str:
        where = f" ({self.source})" if self.source is not None else ""
        return f"{self.severity.value} {self.code}: {self.message}{where}"
