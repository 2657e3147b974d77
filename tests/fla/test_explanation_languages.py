"""French and Dutch explanations are French and Dutch throughout.

Rule titles, sources and the reasons for "no rule" come in the reader's language
from the rule data; a number takes its unit in the singular or the plural as the
language wants (English and Dutch: singular for exactly 1; French: below 2, "1,5
jour"); a year under several joint committees says, in the explanation of the
result it changes, which committee each month followed. Expected sentences are
written out by hand from the rules of docs/training-right.md (T-PRO-6, T-PRO-7,
T-PC124-1, T-PC200-1).
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

import pytest

from mycareer.fla import Entitlement, Lang, SizeBand, entitlement_for
from mycareer.quarter import Quarter

from ._build import ACME, ANN, occupation

Q = Quarter
LANGS: tuple[Lang, ...] = ("en", "fr", "nl")
#: English words that have no business in a French or Dutch explanation (URLs aside).
ENGLISH = re.compile(
    r"\b(days?|months?|Rule|Law|agreement|workers?|employment|Entitlement|Employer|"
    r"Counting|individual|growth|sector|joint|committees?|Not in the sources)\b"
)


def _year_long(jc: str, band: SizeBand, *, q: int = 3800, year: int = 2024) -> Entitlement:
    lines = [occupation(date(year, 1, 1), jc=jc, quarter=Q(year, n), q=q) for n in (1, 2, 3, 4)]
    return entitlement_for(ACME, ANN, year, lines, band=band)


def _several() -> Entitlement:
    """PC 124 Jan–Jun (2.5 days), PC 200 Jul–Dec (3 days), 20+, 2024: 33/12 days."""
    lines = [
        occupation(date(2024, 1, 1), date(2024, 6, 30), jc="124", quarter=Q(2024, n))
        for n in (1, 2)
    ] + [occupation(date(2024, 7, 1), None, jc="200", quarter=Q(2024, n), sequence=2)
         for n in (3, 4)]  # fmt: skip
    return entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)


ONE_DAY = {
    "en": ["Jan–Dec 2024: A = 1 day × B = 1 × 12 months ÷ 12 = 1 day.",
           "Entitlement: 1 day (exact 1)."],
    "fr": ["janv–déc 2024 : A = 1 jour × B = 1 × 12 mois ÷ 12 = 1 jour.",
           "Droit : 1 jour (exact 1)."],
    "nl": ["jan–dec 2024: A = 1 dag × B = 1 × 12 maanden ÷ 12 = 1 dag.",
           "Recht: 1 dag (exact 1)."],
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_one_day_is_singular(lang: Lang) -> None:
    """10–19 workers, full time all 2024: 1 × 1 × 12/12 = 1 day."""
    result = _year_long("111", SizeBand.FROM_10_TO_19)
    assert result.days_exact == 1
    lines = result.explain(lang)
    for sentence in ONE_DAY[lang]:
        assert sentence in lines


ONE_MONTH = {
    "en": "Dec 2024: A = 5 days × B = 1 × 1 month ÷ 12 = 0.4167 days.",
    "fr": "déc 2024 : A = 5 jours × B = 1 × 1 mois ÷ 12 = 0,4167 jour.",
    "nl": "dec 2024: A = 5 dagen × B = 1 × 1 maand ÷ 12 = 0,4167 dagen.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_one_month_and_a_fraction_of_a_day(lang: Lang) -> None:
    """T-PRO-6: 20+, hired 31 December 2024: 5 × 1 × 1/12 = 5/12 day."""
    line = [occupation(date(2024, 12, 31), quarter=Q(2024, 4))]
    result = entitlement_for(ACME, ANN, 2024, line, band=SizeBand.FROM_20)
    assert result.days_exact == Fraction(5, 12)
    assert ONE_MONTH[lang] in result.explain(lang)


HALF = {
    "en": "Entitlement: 0.5 days (exact 1/2).",
    "fr": "Droit : 0,5 jour (exact 1/2).",
    "nl": "Recht: 0,5 dagen (exact 1/2).",
}
FIVE = {
    "en": "Entitlement: 5 days (exact 5).",
    "fr": "Droit : 5 jours (exact 5).",
    "nl": "Recht: 5 dagen (exact 5).",
}


@pytest.mark.parametrize("lang", LANGS)
def test_fractions_and_plurals_of_days(lang: Lang) -> None:
    """T-PRO-7: 10–19, half time, full year: 0.5 day; T-PRO-8 shape in 2024: 5 days."""
    half = _year_long("111", SizeBand.FROM_10_TO_19, q=1900)
    assert HALF[lang] in half.explain(lang)
    five = _year_long("111", SizeBand.FROM_20)
    assert FIVE[lang] in five.explain(lang)


RULE_LINE = {
    "en": "Rule: PC 124 sector agreement of 26 June 2023: growth path, 20+ workers "
    "(pc124-20plus-2023), valid 2023-01-01..2030-12-31; source: https://orbiss.be/",
    "fr": "Règle : CP 124, convention sectorielle du 26 juin 2023 : trajectoire de croissance, "
    "20 travailleurs et plus (pc124-20plus-2023), valable 2023-01-01..2030-12-31 ; source : "
    "https://orbiss.be/",
    "nl": "Regel: PC 124, sectorale cao van 26 juni 2023: groeipad, 20 of meer werknemers "
    "(pc124-20plus-2023), geldig 2023-01-01..2030-12-31; bron: https://orbiss.be/",
}
STATUTORY = {
    "en": "Rule: Law of 3 October 2022 (Labour Deal), individual training right from 2024",
    "fr": "Règle : Loi du 3 octobre 2022 (deal pour l'emploi), droit individuel à la "
    "formation à partir de 2024",
    "nl": "Regel: Wet van 3 oktober 2022 (arbeidsdeal), individueel opleidingsrecht vanaf 2024",
}


@pytest.mark.parametrize("lang", LANGS)
def test_rule_titles_and_sources_in_the_readers_language(lang: Lang) -> None:
    pc124 = _year_long("124", SizeBand.FROM_20)
    assert pc124.days_exact == Fraction(5, 2)  # T-PC124-1, 2024
    assert any(line.startswith(RULE_LINE[lang]) for line in pc124.explain(lang))
    statutory = _year_long("111", SizeBand.FROM_20)
    assert any(line.startswith(STATUTORY[lang]) for line in statutory.explain(lang))


NO_RULE = {
    "en": "No training right applies: joint committee 999: the employer falls under no joint "
    "committee",
    "fr": "Aucun droit à la formation ne s'applique : commission paritaire 999 : l'employeur ne "
    "relève d'aucune commission paritaire",
    "nl": "Er geldt geen opleidingsrecht: paritair comité 999: de werkgever valt onder geen "
    "paritair comité",
}


@pytest.mark.parametrize("lang", LANGS)
def test_why_no_rule_applies_in_the_readers_language(lang: Lang) -> None:
    result = _year_long("999", SizeBand.FROM_20)
    assert result.days_exact is None
    assert any(line.startswith(NO_RULE[lang]) for line in result.explain(lang))


SEVERAL = {
    "en": "Lines under several joint committees in 2024 (FLA_SEVERAL_JOINT_COMMITTEES): each "
    "month uses the committee of its line with the highest fraction: Jan–Jun 2024 PC 124, "
    "Jul–Dec 2024 PC 200.",
    "fr": "Lignes relevant de plusieurs commissions paritaires en 2024 "
    "(FLA_SEVERAL_JOINT_COMMITTEES) : chaque mois suit la commission de sa ligne à la fraction "
    "la plus élevée : janv–juin 2024 CP 124, juil–déc 2024 CP 200.",
    "nl": "Lijnen onder meerdere paritaire comités in 2024 (FLA_SEVERAL_JOINT_COMMITTEES): elke "
    "maand volgt het comité van de lijn met de hoogste breuk: jan–jun 2024 PC 124, "
    "jul–dec 2024 PC 200.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_several_joint_committees_in_the_explanation_of_the_result(lang: Lang) -> None:
    """(2.5 × 6 + 3 × 6) ÷ 12 = 33/12: the months follow PC 124, then PC 200."""
    result = _several()
    assert result.days_exact == Fraction(33, 12)
    lines = result.explain(lang)
    assert SEVERAL[lang] in lines
    # Said after the month lines it explains, before the total.
    totals = ("Entitlement: ", "Droit : ", "Recht: ")
    total = next(i for i, line in enumerate(lines) if line.startswith(totals))
    assert lines.index(SEVERAL[lang]) == total - 1


def test_one_committee_says_nothing_of_committees() -> None:
    for lang in LANGS:
        lines = _year_long("200", SizeBand.FROM_20).explain(lang)
        assert not [line for line in lines if "FLA_SEVERAL_JOINT_COMMITTEES" in line]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_no_english_left_in_french_and_dutch(lang: Lang) -> None:
    results = [
        _several(),
        _year_long("999", SizeBand.FROM_20),
        _year_long("111", SizeBand.FROM_10_TO_19, q=1900),
        _year_long("200", SizeBand.BELOW_10),
    ]
    for result in results:
        for line in result.explain(lang):
            words = ENGLISH.findall(re.sub(r"https?://\S+", "", line))
            assert not words, (words, line)
