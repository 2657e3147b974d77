"""Explanations rendered through the shared body cache equal a cold render (issue 14 item 5).

Bulk output renders each explanation body once per distinct result data and serves it
to every worker that shares it. The cache key is derived from every field of the result
but the employer and the worker, so a field added later cannot serve a stale body.
"""

from __future__ import annotations

from datetime import date

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer._cache import clear_caches
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.findings import Finding, Severity
from mycareer.fla import compute_entitlements
from mycareer.fla.explain import explain_entitlement, explanation_key
from mycareer.fla.values import Lang
from mycareer.quarter import Quarter

from ._build import ACME, ANN, employment
from .test_entitlement_properties import YEAR, populations


@settings(max_examples=60, deadline=None)
@given(populations(), st.sampled_from(["en", "fr", "nl"]))
def test_a_warm_cache_renders_what_a_cold_one_does(
    records: list[DmfaWorkerRecord], lang: Lang
) -> None:
    results = compute_entitlements(records, (), YEAR)
    warm = [explain_entitlement(e, lang) for e in results]
    for result, served in zip(results, warm, strict=True):
        clear_caches()
        assert explain_entitlement(result, lang) == served


def test_fields_the_old_hand_written_key_missed_make_distinct_keys() -> None:
    # fallback_used and findings were not in the hand-written key.
    [result] = compute_entitlements(
        employment(ACME, ANN, date(2023, 1, 1), None, last_quarter=Quarter(YEAR, 4)), (), YEAR
    )
    flagged = attrs.evolve(result, fallback_used=not result.fallback_used)
    noted = attrs.evolve(result, findings=(Finding("X", Severity.WARNING, "noted"),))
    keys = {explanation_key(e, "en") for e in (result, flagged, noted)}
    assert len(keys) == 3
