"""Where each rule comes from, said in the data, the docs and the explanation.

B-12 of docs/training-right.md: the day counts come from art. 52 of the Law of
3 October 2022 and the counting rule from art. 50 §2, both to be checked against
the published text ([verify]). The PC 124 schedule's 5-year window with a reset
is stated by no source (the sources give the days a year only): the data say so
and every explanation of a result under that schedule says so, in its language.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

from mycareer.fla import (
    Lang,
    Regime,
    Rulebook,
    SizeBand,
    compute_entitlements,
    entitlement_for,
)
from mycareer.quarter import Quarter

from ._build import ACME, ANN, employment, occupation, staff

Q = Quarter
DOCS = Path(__file__).resolve().parents[2] / "docs" / "training-right.md"
VERIFY = {"en": "[verify]", "fr": "[à vérifier]", "nl": "[te controleren]"}
LANGS: tuple[Lang, ...] = ("en", "fr", "nl")


def _packaged(name: str) -> dict:  # type: ignore[type-arg]
    text = (resources.files("mycareer.fla") / "rules" / name).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_rule_data_cite_article_52_for_days_and_article_50_for_the_count() -> None:
    statutory = _packaged("statutory.json")
    for rule in statutory["rules"]:
        for lang in LANGS:
            assert "art. 52" in rule["source"][lang], rule["id"]
            assert VERIFY[lang] in rule["source"][lang], rule["id"]
            assert "art. 50" not in rule["source"][lang]  # the count is cited apart
    counting = statutory["counting"]["source"]
    for lang in LANGS:
        assert "art. 50 §2" in counting[lang]
        assert VERIFY[lang] in counting[lang]
    book = Rulebook.default()
    assert book.counting is not None
    assert "art. 50 §2 [verify]" in book.counting.source
    assert all("art. 52 (days) [verify]" in rule.source for rule in book.statutory)


def test_docs_cite_both_articles_with_verify() -> None:
    text = DOCS.read_text("utf-8")
    assert "art. 52" in text
    assert "art. 50 §2" in text
    b12 = next(line for line in text.splitlines() if line.startswith("| B-12 "))
    assert "art. 52" in b12
    assert "art. 50 §2" in b12
    assert "[verify]" in b12


def _declared_band_result(jc: str = "111") -> list:  # type: ignore[type-arg]
    """25 FTE in every reference quarter of 2024–25; Ann full time in 2024 under ``jc``."""
    records = [r for q in Q.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 2500)]
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4), jc=jc)
    return [e for e in compute_entitlements(records, (), 2024) if e.niss == ANN]


@pytest.mark.parametrize("lang", LANGS)
def test_explanation_names_both_sources_in_its_language(lang: Lang) -> None:
    [ann] = _declared_band_result()
    assert (ann.regime, ann.days_exact) == (Regime.STATUTORY, 5)
    lines = ann.explain(lang)
    count = [line for line in lines if "art. 50 §2" in line]
    days = [line for line in lines if "art. 52" in line]
    assert len(count) == 1
    assert VERIFY[lang] in count[0]
    assert len(days) == 1
    assert VERIFY[lang] in days[0]
    assert "statutory-2024" in days[0]


def test_pc124_window_is_marked_unsourced_in_the_data() -> None:
    [pc124] = [s for s in _packaged("sectors.json")["schedules"] if s["id"].startswith("pc124")]
    assert "window_source" not in pc124
    assert set(pc124["window_unsourced"]) == {"en", "fr", "nl"}
    assert "B-7" in pc124["window_unsourced"]["en"]
    schedule = Rulebook.default().schedule("pc124-20plus-2023")
    assert schedule.window_source is None
    assert schedule.window_unsourced is not None
    assert schedule.ref.unsourced == schedule.window_unsourced
    # PC 200's 20+ window and reset are stated by its sector fund.
    pc200 = Rulebook.default().schedule("pc200-20plus-2024")
    assert pc200.window_unsourced is None
    assert pc200.window_source is not None
    assert "sfonds200" in pc200.window_source


UNSOURCED_WORDS = {
    "en": "Not in the sources (pc124-20plus-2023): no source states",
    "fr": "Sans source (pc124-20plus-2023) : aucune source n'indique",
    "nl": "Zonder bron (pc124-20plus-2023): geen bron vermeldt",
}


@pytest.mark.parametrize("lang", LANGS)
def test_explanation_says_the_pc124_window_is_unsourced(lang: Lang) -> None:
    """Under PC 124 (2.5 days in 2024, T-PC124-1) the explanation says it; not otherwise."""
    line = [occupation(date(2024, 1, 1), jc="124", quarter=Q(2024, n)) for n in (1, 2, 3, 4)]
    pc124 = entitlement_for(ACME, ANN, 2024, line, band=SizeBand.FROM_20)
    assert pc124.days_exact == Fraction(5, 2)
    said = [text for text in pc124.explain(lang) if text.startswith(UNSOURCED_WORDS[lang])]
    assert len(said) == 1
    assert "B-7" in said[0]
    other = [occupation(date(2024, 1, 1), jc="200", quarter=Q(2024, n)) for n in (1, 2, 3, 4)]
    pc200 = entitlement_for(ACME, ANN, 2024, other, band=SizeBand.FROM_20)
    opening = UNSOURCED_WORDS[lang].split(" (")[0]
    assert not [text for text in pc200.explain(lang) if text.startswith(opening)]
