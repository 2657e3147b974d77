"""Entitlements as JSON-ready data (contract ``entitlements-1``) and its JSON Schema.

The schema ships as ``mycareer/schemas/entitlements-1.schema.json``. Quantities are
strings in the two spellings of :mod:`mycareer.jsontext`: ``NAME`` a decimal with 4
places (half-even; ``days`` after the rounding policy), ``NAME_exact`` the exact
rational (``"10/3"``).

>>> from datetime import date
>>> from mycareer import Employer, EnterpriseNumber, Niss, Period, JointCommission
>>> from mycareer.fla.entitlement import Segment, SizeBand, entitlement_for
>>> start = date(2024, 3, 29).toordinal()
>>> e = entitlement_for(Employer(EnterpriseNumber("0403019261")), Niss("85073003328"), 2024,
...     [Segment(start, date(2025, 1, 1).toordinal(), 3040, 3800, "111")], band=SizeBand.FROM_20)
>>> data = entitlement_to_json(e, "en")
>>> data["days"], data["days_exact"], data["hours"], data["hours_per_day_exact"]
('3.3333', '10/3', '25.3333', '38/5')
>>> data["months"][2]  # doctest: +NORMALIZE_WHITESPACE
{'month': 3, 'fraction': '0.8000', 'fraction_exact': '4/5',
 'full_time_days': '5.0000', 'full_time_days_exact': '5'}
"""

from __future__ import annotations

import json
from operator import attrgetter
from typing import Any, NamedTuple

import attrs

from mycareer._cache import BoundedCache
from mycareer.converter import converter
from mycareer.fla.explain import explanation_head
from mycareer.fla.values import Entitlement, Lang, MonthFactor, rule_ref_json
from mycareer.jsontext import decimal_text, exact_text, quantity
from mycareer.schemas import json_schema

__all__ = [
    "ENTITLEMENTS_SCHEMA_VERSION",
    "entitlement_json_text",
    "entitlement_to_json",
    "entitlements_schema",
]

#: Version of the JSON contract; bumped on any incompatible change.
ENTITLEMENTS_SCHEMA_VERSION = "1"


_MonthsJson = tuple[dict[str, object], ...]
#: The months' JSON by the identity of their tuple, which the entry keeps alive (so the
#: id stays its own): in bulk, the results of one shape share one months tuple. Looked
#: up by value, the key's twelve months of exact fractions were hashed and compared at
#: each new shape, which cost more than formatting them (docs/performance.md, "Small
#: employers").
_MONTHS: BoundedCache[int, tuple[tuple[MonthFactor, ...], _MonthsJson]] = BoundedCache(
    "entitlement months JSON", maxsize=4096
)


def _months_json(months: tuple[MonthFactor, ...]) -> _MonthsJson:
    found = _MONTHS.get(id(months))
    if found is not None and found[0] is months:
        return found[1]
    made: _MonthsJson = tuple(
        {
            "month": m.month,
            **quantity("fraction", m.fraction),
            **quantity("full_time_days", m.full_time_days),
        }
        for m in months
    )
    _MONTHS.put(id(months), (months, made))
    return made


def entitlement_to_json(entitlement: Entitlement, lang: Lang = "en") -> dict[str, Any]:
    """One entitlement as the ``entitlements-1`` JSON object (explanation in ``lang``).

    Quantities follow :mod:`mycareer.jsontext`: ``NAME`` a 4-place decimal, ``NAME_exact``
    the exact rational (``days`` is after the rounding policy, ``days_exact`` before it).
    """
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
        "average_fte": None if e.average_fte is None else decimal_text(e.average_fte),
        "reference_quarters": [str(q) for q in e.reference_quarters],
        "missing_quarters": [str(q) for q in e.missing_quarters],
        "fallback_used": e.fallback_used,
        "fallback_quarter": None if e.fallback_quarter is None else str(e.fallback_quarter),
        "fallback_count": e.fallback_count.value,
        "undeclared_quarters": [str(q) for q in e.undeclared_quarters],
        "assumed_continuation": e.assumed_continuation,
        "regime": e.regime.value,
        "days": None if e.days is None else decimal_text(e.days),
        "days_exact": None if e.days_exact is None else exact_text(e.days_exact),
        **quantity("hours", e.hours),
        **quantity("hours_per_day", e.hours_per_day),
        **quantity("legal_days", e.legal_days),
        **quantity("sector_days", e.sector_days),
        **quantity("employer_days", e.employer_days),
        "rounding": e.rounding.value,
        "months": [dict(month) for month in _months_json(e.months)],
        "rule": None if rule is None else rule_ref_json(rule),
        "no_rule_reason": e.no_rule_reason,
        "fla_regime": e.fla_regime.value,
        "projected": e.projected,
        "as_of": None if e.as_of is None else e.as_of.isoformat(),
        "explanation": e.explain(lang),
        "findings": [
            {"code": f.code, "severity": f.severity.value, "message": f.message} for f in e.findings
        ],
    }


#: ``json.dumps(text, ensure_ascii=False)`` for a string, without dumps' per-call setup.
_quoted = json.encoder.encode_basestring

#: Every field of an Entitlement but the employer and the worker, in field order.
_OTHER_FIELDS = attrgetter(
    *(field.name for field in attrs.fields(Entitlement) if field.name not in ("employer", "niss"))
)


class _Shared(NamedTuple):
    """The encoded parts equal results share, with what they were made from."""

    values: tuple[object, ...]  # keeps those objects alive, so their ids stay theirs
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
        data = entitlement_to_json(e, lang)
        middle = {k: v for k, v in data.items() if k not in _OWN}
        shared = _Shared(
            values,
            json.dumps(middle, ensure_ascii=False)[1:-1],
            json.dumps(data["explanation"][1:], ensure_ascii=False)[1:-1],  # all but the head
            json.dumps(data["findings"], ensure_ascii=False),
        )
        _SHARED.put(identity, shared)
    head = explanation_head(e, lang)
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


# One shape per result: the generic converter (``mycareer.to_json``) writes an
# Entitlement as documented, in English.
converter.register_unstructure_hook(Entitlement, entitlement_to_json)
