"""Entitlements as JSON-ready data (contract ``entitlements-1``) and its JSON Schema.

The schema ships as ``mycareer/fla/schemas/entitlements-1.schema.json``. Decimal
quantities are strings: ``days`` and ``hours`` with 4 places (half-even, after
the rounding policy), exact values as Python's ``str(Fraction)`` (``"10/3"``).

>>> from datetime import date
>>> from mycareer import Employer, EnterpriseNumber, Niss, Period, JointCommission
>>> from mycareer.fla.entitlement import Segment, SizeBand, entitlement_for
>>> start = date(2024, 3, 29).toordinal()
>>> e = entitlement_for(Employer(EnterpriseNumber("0403019261")), Niss("85073003328"), 2024,
...     [Segment(start, date(2025, 1, 1).toordinal(), 3040, 3800, "111")], band=SizeBand.FROM_20)
>>> data = entitlement_to_json(e, "en")
>>> data["days"], data["days_exact"], data["hours"], data["months"][2]
('3.3333', '10/3', '25.3333', {'month': 3, 'fraction': '4/5', 'full_time_days': '5'})
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from typing import Any

from mycareer.fla.explain import explanation_key, explanation_parts
from mycareer.fla.values import Entitlement, Lang, MonthFactor, decimal_4

__all__ = [
    "ENTITLEMENTS_SCHEMA_VERSION",
    "entitlement_json_text",
    "entitlement_to_json",
    "entitlements_schema",
]

#: Version of the JSON contract; bumped on any incompatible change.
ENTITLEMENTS_SCHEMA_VERSION = "1"


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _four(value: Fraction | None) -> str | None:
    return None if value is None else str(decimal_4(value))


@lru_cache(maxsize=4096)
def _months_text(months: tuple[MonthFactor, ...]) -> tuple[tuple[int, str, str | None], ...]:
    # Thousands of results share one months tuple in bulk: format it once.
    return tuple((m.month, str(m.fraction), _exact(m.full_time_days)) for m in months)


def entitlement_to_json(entitlement: Entitlement, lang: Lang = "en") -> dict[str, Any]:
    """One entitlement as the ``entitlements-1`` JSON object (explanation in ``lang``)."""
    e = entitlement
    rule = e.rule
    return {
        "schema_version": ENTITLEMENTS_SCHEMA_VERSION,
        "employer": None if e.employer.enterprise is None else e.employer.enterprise.value,
        "nsso_number": None if e.employer.nsso is None else e.employer.nsso.value,
        "niss": e.niss.value,
        "year": e.year,
        "band": e.band.value,
        "band_basis": e.band_basis.value,
        "average_fte": None if e.average_fte is None else str(e.average_fte),
        "reference_quarters": [str(q) for q in e.reference_quarters],
        "missing_quarters": [str(q) for q in e.missing_quarters],
        "fallback_used": e.fallback_used,
        "regime": e.regime.value,
        "days": None if e.days is None else str(e.days),
        "days_exact": _exact(e.days_exact),
        "hours": _four(e.hours),
        "hours_per_day": _exact(e.hours_per_day),
        "legal_days": _exact(e.legal_days),
        "sector_days": _exact(e.sector_days),
        "employer_days": _exact(e.employer_days),
        "rounding": e.rounding.value,
        "months": [
            {"month": month, "fraction": fraction, "full_time_days": full_time_days}
            for month, fraction, full_time_days in _months_text(e.months)
        ],
        "rule": None
        if rule is None
        else {
            "id": rule.id,
            "title": rule.title,
            "source": rule.source,
            "valid_from": None if rule.valid_from is None else rule.valid_from.isoformat(),
            "valid_to": None if rule.valid_to is None else rule.valid_to.isoformat(),
        },
        "no_rule_reason": e.no_rule_reason,
        "fla_regime": e.fla_regime.value,
        "projected": e.projected,
        "as_of": None if e.as_of is None else e.as_of.isoformat(),
        "explanation": e.explain(lang),
        "findings": [
            {"code": f.code, "severity": f.severity.value, "message": f.message} for f in e.findings
        ],
    }


#: Encoded JSON of the parts equal results share, by explanation key and findings.
_SHARED: dict[tuple[object, ...], tuple[str, str, str]] = {}
_SHARED_MAX = 4096


def entitlement_json_text(entitlement: Entitlement, lang: Lang = "en") -> str:
    """``json.dumps(entitlement_to_json(entitlement, lang), ensure_ascii=False)``, faster.

    For bulk output: the parts that equal results share (everything but the
    employer, the worker and the first explanation line) are encoded once.
    """
    e = entitlement
    key = explanation_key(e, lang)
    head, body = explanation_parts(e, lang, key)
    shared_key = (key, e.findings)
    shared = _SHARED.get(shared_key)
    if shared is None:
        data = entitlement_to_json(e, lang)
        middle = {k: v for k, v in data.items() if k not in _OWN}
        shared = (
            json.dumps(middle, ensure_ascii=False)[1:-1],
            json.dumps(list(body), ensure_ascii=False)[1:-1],
            json.dumps(data["findings"], ensure_ascii=False),
        )
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[shared_key] = shared
    middle_text, body_text, findings_text = shared
    employer = e.employer
    enterprise = "null" if employer.enterprise is None else f'"{employer.enterprise.value}"'
    nsso = "null" if employer.nsso is None else f'"{employer.nsso.value}"'
    lines = json.dumps(head, ensure_ascii=False) + (", " + body_text if body_text else "")
    return (
        f'{{"schema_version": "{ENTITLEMENTS_SCHEMA_VERSION}", "employer": {enterprise}, '
        f'"nsso_number": {nsso}, "niss": "{e.niss.value}", {middle_text}, '
        f'"explanation": [{lines}], "findings": {findings_text}}}'
    )


_OWN = frozenset({"schema_version", "employer", "nsso_number", "niss", "explanation", "findings"})


def entitlements_schema() -> dict[str, Any]:
    """The shipped JSON Schema (draft 2020-12) of the ``entitlements-1`` output."""
    text = (resources.files("mycareer.fla") / "schemas" / "entitlements-1.schema.json").read_text(
        "utf-8"
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
