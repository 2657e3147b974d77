"""Entitlements as JSON-ready data (contract ``entitlements-1``) and its JSON Schema.

The schema ships as ``mycareer/schemas/entitlements-1.schema.json``. Decimal
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
from operator import attrgetter
from typing import Any, NamedTuple

import attrs

from mycareer._cache import BoundedCache, bounded_cache
from mycareer.fla.explain import explanation_key, explanation_parts
from mycareer.fla.values import Entitlement, Lang, MonthFactor, decimal_4
from mycareer.schemas import json_schema

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


@bounded_cache(maxsize=4096)
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


class _Key(tuple[object, ...]):
    """An explanation key that hashes once.

    The key holds the exact values (fractions among them), whose hashes Python
    recomputes on every lookup; bulk output looks the same key up for thousands of
    results. Equal to, and hashing like, the plain tuple.
    """

    _hash: int

    def __new__(cls, items: tuple[object, ...]) -> _Key:
        made = super().__new__(cls, items)
        made._hash = tuple.__hash__(made)
        return made

    def __hash__(self) -> int:
        return self._hash


#: ``json.dumps(text, ensure_ascii=False)`` for a string, without dumps' per-call setup.
_quoted = json.encoder.encode_basestring

#: Every field of an Entitlement but the employer and the worker, in field order.
_OTHER_FIELDS = attrgetter(
    *(field.name for field in attrs.fields(Entitlement) if field.name not in ("employer", "niss"))
)


class _Shared(NamedTuple):
    """The encoded parts equal results share, with what they were made from."""

    values: tuple[object, ...]  # keeps those objects alive, so their ids stay theirs
    key: _Key
    middle: str
    body: str
    findings: str


#: Shared parts by language and the identities of ``_OTHER_FIELDS``: the bulk path
#: gives the results of one employer and shape the very same objects, so this key
#: costs no value hashing. Equal values held by other objects only miss the cache.
_SHARED: BoundedCache[tuple[object, ...], _Shared] = BoundedCache(
    "entitlement JSON parts", maxsize=4096
)


def entitlement_json_text(entitlement: Entitlement, lang: Lang = "en") -> str:
    """``json.dumps(entitlement_to_json(entitlement, lang), ensure_ascii=False)``, faster.

    For bulk output: the parts that equal results share (everything but the
    employer, the worker and the first explanation line) are encoded once.
    """
    e = entitlement
    values = _OTHER_FIELDS(e)
    identity = (lang, *map(id, values))
    shared = _SHARED.get(identity)
    if shared is None:
        key = _Key(explanation_key(e, lang))
        _, body = explanation_parts(e, lang, key)
        data = entitlement_to_json(e, lang)
        middle = {k: v for k, v in data.items() if k not in _OWN}
        shared = _Shared(
            values,
            key,
            json.dumps(middle, ensure_ascii=False)[1:-1],
            json.dumps(list(body), ensure_ascii=False)[1:-1],
            json.dumps(data["findings"], ensure_ascii=False),
        )
        _SHARED.put(identity, shared)
    head, _ = explanation_parts(e, lang, shared.key)
    employer = e.employer
    enterprise = "null" if employer.enterprise is None else f'"{employer.enterprise.value}"'
    nsso = "null" if employer.nsso is None else f'"{employer.nsso.value}"'
    body_text = shared.body
    lines = _quoted(head) + (", " + body_text if body_text else "")
    return (
        f'{{"schema_version": "{ENTITLEMENTS_SCHEMA_VERSION}", "employer": {enterprise}, '
        f'"nsso_number": {nsso}, "niss": "{e.niss.value}", {shared.middle}, '
        f'"explanation": [{lines}], "findings": {shared.findings}}}'
    )


_OWN = frozenset({"schema_version", "employer", "nsso_number", "niss", "explanation", "findings"})


def entitlements_schema() -> dict[str, Any]:
    """The shipped JSON Schema (draft 2020-12) of the ``entitlements-1`` output."""
    return json_schema("entitlements-1")
