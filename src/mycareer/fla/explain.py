"""The explanation of an entitlement, rendered on demand in English, French or Dutch.

Nothing here is stored on the result: :meth:`Entitlement.explain` calls
:func:`explain_entitlement`, which reads the factors, values, rule and source
off the result and fills one template per language. Rule titles, sources and
the reasons for "no rule" come from the rule data in the reader's language;
numbers take the singular or plural of their unit as the language wants.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Final

import attrs

from mycareer._cache import BoundedCache
from mycareer.fla.formula import NO_EMPLOYMENT, SEVERAL_JOINT_COMMITTEES
from mycareer.fla.rulebook import NO_RULE_BEFORE_2023, NO_RULE_JC_999, Rulebook
from mycareer.fla.values import (
    BandBasis,
    Entitlement,
    Lang,
    MonthFactor,
    Regime,
    RuleRef,
    Texts,
    decimal_4,
)

__all__ = [
    "MONTH_NAMES",
    "explain_entitlement",
    "explanation_head",
    "explanation_key",
    "explanation_parts",
]

MONTH_NAMES: Mapping[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv",
        "févr",
        "mars",
        "avr",
        "mai",
        "juin",
        "juil",
        "août",
        "sept",
        "oct",
        "nov",
        "déc",
    ),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}

#: Why no rule applied, by the English text the result keeps.
_REASONS: Mapping[str, Texts] = {
    reason.en: reason for reason in (NO_RULE_BEFORE_2023, NO_RULE_JC_999, NO_EMPLOYMENT)
}

_T: Mapping[str, Mapping[str, str]] = {
    "en": {
        "head": "Training right {year} at employer {employer} for worker {niss}.",
        "band": "Employer size: {band} FTE (average {fte} over quarters {quarters}).",
        "band_fallback": "Employer size: {band} ({fte} {unit} at the end of {quarter}, the "
        "quarter of the first employment after the reference period, which has no "
        "declaration: R-COUNT-4; a quarter declaring only students or no FTE employs nobody "
        "who counts; counted in {unit}, B-3).",
        "band_fallback_given": "Employer size: {band} ({fte} {unit} given by the employer or "
        "its software: no declaration in the reference period, R-COUNT-4, B-3).",
        "unit_fte": "FTE",
        "unit_headcount": "workers",
        "band_override": "Employer size: {band} FTE (given by the employer or its software).",
        "band_unknown": "Employer size: unknown (no declaration found); treated as {band}.",
        "missing": "Reference quarters without a declaration: {quarters}.",
        "count_rule": "Counted at each quarter end (R-COUNT-5): the lines in force on its last "
        "day with at least one day declared under a code other than 30 (unpaid leave); lines "
        "declaring no day, students under the solidarity contribution, full career breaks and "
        "termination indemnities do not count.",
        "count_source": "Counting rule: {title}; source: {source}.",
        "rule": "Rule: {title} ({id}), valid {valid}; source: {source}.",
        "unsourced": "Not in the sources ({id}): {note}.",
        "no_rule": "No training right applies: {reason}.",
        "formula": "Days = sum over the months of full-time days (A) × work fraction (B) ÷ 12; "
        "a month begun counts in full.",
        "month": "{months}: A = {a} × B = {b} × {count} ÷ 12 = {share}.",
        "month_none": "{months}: no employment.",
        "committees": "Lines under several joint committees in {year} "
        "(FLA_SEVERAL_JOINT_COMMITTEES): each month uses the committee of its line with the "
        "highest fraction: {runs}.",
        "committee_run": "{months} PC {code}",
        "total": "Entitlement: {days} (exact {exact}){rounded}.",
        "rounded": ", rounded ({policy})",
        "parts": "Of which legal {legal}, sector complement {sector}, "
        "employer complement {employer}.",
        "hours": "In hours: {hours} (at {hpd} per day).",
        "projected": "Projection: assumes the jobs in force on {as_of} continue all year.",
        "undeclared": "Not declared by this employer: {quarters}, although the occupation was "
        "open at the end of the quarter declared before (no ending date): those months are not "
        "counted and this result is incomplete (DECLARATION_MISSING; the option "
        "assume_continuation credits them).",
        "continued": "Not declared by this employer: {quarters}; the occupation open at the end "
        "of the quarter declared before (no ending date) is assumed to continue through them, "
        "as the caller chose (assume_continuation, DECLARATION_MISSING).",
        "fla": "Federal Learning Account for {year}: {fla}.",
        "fla_before-fla": "did not exist yet (in force from 1 April 2024)",
        "fla_registration-owed": "registration was owed for this year",
        "fla_abolished": "not owed (abolished by the Law of 14 January 2026 with effect from "
        "1 January 2025; data deleted on 1 January 2027)",
    },
    "fr": {
        "head": "Droit individuel à la formation {year} chez l'employeur {employer} "
        "pour le travailleur {niss}.",
        "band": "Taille de l'employeur : {band} ETP (moyenne {fte} sur les trimestres {quarters}).",
        "band_fallback": "Taille de l'employeur : {band} ({fte} {unit} à la fin de {quarter}, "
        "le trimestre de la première occupation après la période de référence, sans "
        "déclaration : R-COUNT-4 ; un trimestre qui ne déclare que des étudiants ou aucun ETP "
        "n'occupe personne qui compte ; compté en {unit}, B-3).",
        "band_fallback_given": "Taille de l'employeur : {band} ({fte} {unit} fournis par "
        "l'employeur ou son logiciel : aucune déclaration pendant la période de référence, "
        "R-COUNT-4, B-3).",
        "unit_fte": "ETP",
        "unit_headcount": "travailleurs",
        "band_override": "Taille de l'employeur : {band} ETP (fournie par l'employeur ou son "
        "logiciel).",
        "band_unknown": "Taille de l'employeur : inconnue (aucune déclaration) ; traitée comme "
        "{band}.",
        "missing": "Trimestres de référence sans déclaration : {quarters}.",
        "count_rule": "Comptées à chaque fin de trimestre (R-COUNT-5) : les lignes d'occupation "
        "en cours le dernier jour avec au moins un jour déclaré sous un code autre que 30 (congé "
        "sans solde) ; les lignes sans jour déclaré, les étudiants soumis à la cotisation de "
        "solidarité, les interruptions complètes de carrière et les indemnités de rupture ne "
        "comptent pas.",
        "count_source": "Règle de comptage : {title} ; source : {source}.",
        "rule": "Règle : {title} ({id}), valable {valid} ; source : {source}.",
        "unsourced": "Sans source ({id}) : {note}.",
        "no_rule": "Aucun droit à la formation ne s'applique : {reason}.",
        "formula": "Jours = somme sur les mois des jours temps plein (A) × fraction d'occupation "
        "(B) ÷ 12 ; tout mois entamé compte en entier.",
        "month": "{months} : A = {a} × B = {b} × {count} ÷ 12 = {share}.",
        "month_none": "{months} : pas d'occupation.",
        "committees": "Lignes relevant de plusieurs commissions paritaires en {year} "
        "(FLA_SEVERAL_JOINT_COMMITTEES) : chaque mois suit la commission de sa ligne à la "
        "fraction la plus élevée : {runs}.",
        "committee_run": "{months} CP {code}",
        "total": "Droit : {days} (exact {exact}){rounded}.",
        "rounded": ", arrondi ({policy})",
        "parts": "Dont légal {legal}, complément sectoriel {sector}, complément employeur "
        "{employer}.",
        "hours": "En heures : {hours} (à {hpd} par jour).",
        "projected": "Projection : suppose que les occupations en cours le {as_of} continuent "
        "toute l'année.",
        "undeclared": "Non déclaré par cet employeur : {quarters}, alors que l'occupation était "
        "en cours à la fin du trimestre déclaré précédent (sans date de fin) : ces mois ne sont "
        "pas comptés et ce résultat est incomplet (DECLARATION_MISSING ; l'option "
        "assume_continuation les compte).",
        "continued": "Non déclaré par cet employeur : {quarters} ; l'occupation en cours à la fin "
        "du trimestre déclaré précédent (sans date de fin) est supposée continuer pendant ces "
        "trimestres, au choix de l'appelant (assume_continuation, DECLARATION_MISSING).",
        "fla": "Federal Learning Account pour {year} : {fla}.",
        "fla_before-fla": "n'existait pas encore (en vigueur le 1er avril 2024)",
        "fla_registration-owed": "l'enregistrement était dû pour cette année",
        "fla_abolished": "non dû (supprimé par la loi du 14 janvier 2026 avec effet au "
        "1er janvier 2025 ; données supprimées le 1er janvier 2027)",
    },
    "nl": {
        "head": "Individueel opleidingsrecht {year} bij werkgever {employer} voor werknemer "
        "{niss}.",
        "band": "Omvang van de werkgever: {band} VTE (gemiddelde {fte} over de kwartalen "
        "{quarters}).",
        "band_fallback": "Omvang van de werkgever: {band} ({fte} {unit} op het einde van "
        "{quarter}, het kwartaal van de eerste tewerkstelling na de referteperiode, zonder "
        "aangifte: R-COUNT-4; een kwartaal met enkel studenten of zonder VTE stelt niemand "
        "te werk die meetelt; geteld in {unit}, B-3).",
        "band_fallback_given": "Omvang van de werkgever: {band} ({fte} {unit} opgegeven door "
        "de werkgever of zijn software: geen aangifte in de referteperiode, R-COUNT-4, B-3).",
        "unit_fte": "VTE",
        "unit_headcount": "werknemers",
        "band_override": "Omvang van de werkgever: {band} VTE (opgegeven door de werkgever of "
        "zijn software).",
        "band_unknown": "Omvang van de werkgever: onbekend (geen aangifte gevonden); behandeld als "
        "{band}.",
        "missing": "Referentiekwartalen zonder aangifte: {quarters}.",
        "count_rule": "Geteld op het einde van elk kwartaal (R-COUNT-5): de "
        "tewerkstellingslijnen die op de laatste dag lopen met minstens één dag aangegeven onder "
        "een andere code dan 30 (onbetaald verlof); lijnen zonder aangegeven dag, studenten met "
        "solidariteitsbijdrage, volledige loopbaanonderbrekingen en opzeggingsvergoedingen tellen "
        "niet mee.",
        "count_source": "Telregel: {title}; bron: {source}.",
        "rule": "Regel: {title} ({id}), geldig {valid}; bron: {source}.",
        "unsourced": "Zonder bron ({id}): {note}.",
        "no_rule": "Er geldt geen opleidingsrecht: {reason}.",
        "formula": "Dagen = som over de maanden van voltijdse dagen (A) × tewerkstellingsbreuk "
        "(B) ÷ 12; een begonnen maand telt volledig.",
        "month": "{months}: A = {a} × B = {b} × {count} ÷ 12 = {share}.",
        "month_none": "{months}: geen tewerkstelling.",
        "committees": "Lijnen onder meerdere paritaire comités in {year} "
        "(FLA_SEVERAL_JOINT_COMMITTEES): elke maand volgt het comité van de lijn met de hoogste "
        "breuk: {runs}.",
        "committee_run": "{months} PC {code}",
        "total": "Recht: {days} (exact {exact}){rounded}.",
        "rounded": ", afgerond ({policy})",
        "parts": "Waarvan wettelijk {legal}, sectoraal aanvullend {sector}, aanvullend door de "
        "werkgever {employer}.",
        "hours": "In uren: {hours} (aan {hpd} per dag).",
        "projected": "Projectie: veronderstelt dat de tewerkstellingen van {as_of} het hele jaar "
        "doorlopen.",
        "undeclared": "Niet aangegeven door deze werkgever: {quarters}, hoewel de tewerkstelling "
        "liep op het einde van het vorige aangegeven kwartaal (zonder einddatum): die maanden "
        "tellen niet mee en dit resultaat is onvolledig (DECLARATION_MISSING; de optie "
        "assume_continuation telt ze mee).",
        "continued": "Niet aangegeven door deze werkgever: {quarters}; de tewerkstelling die liep "
        "op het einde van het vorige aangegeven kwartaal (zonder einddatum) loopt volgens de "
        "keuze van de gebruiker door in die kwartalen (assume_continuation, "
        "DECLARATION_MISSING).",
        "fla": "Federal Learning Account voor {year}: {fla}.",
        "fla_before-fla": "bestond nog niet (van kracht op 1 april 2024)",
        "fla_registration-owed": "registratie was verplicht voor dit jaar",
        "fla_abolished": "niet verplicht (afgeschaft bij de wet van 14 januari 2026 met ingang "
        "van 1 januari 2025; gegevens gewist op 1 januari 2027)",
    },
}


#: Units after a number: (singular, plural) per language. French keeps the singular below
#: 2 ("1,5 jour", the Académie's rule); English and Dutch only for exactly 1.
_UNITS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "en": {"day": ("day", "days"), "month": ("month", "months"), "hour": ("hour", "hours")},
    "fr": {"day": ("jour", "jours"), "month": ("mois", "mois"), "hour": ("heure", "heures")},
    "nl": {"day": ("dag", "dagen"), "month": ("maand", "maanden"), "hour": ("uur", "uur")},
}


def _num(value: Fraction | None, lang: Lang = "en") -> str:
    """A quantity for people: at most 4 decimals, with a decimal comma in French and Dutch."""
    if value is None:
        return "-"
    text = format(decimal_4(value).normalize(), "f")
    return text if lang == "en" else text.replace(".", ",")


def _count(value: Fraction | int | None, unit: str, lang: Lang) -> str:
    """A number with its unit, singular or plural as the language wants.

    >>> _count(Fraction(1), "day", "en"), _count(Fraction(3, 2), "day", "fr")
    ('1 day', '1,5 jour')
    >>> _count(Fraction(2), "day", "fr"), _count(1, "month", "nl"), _count(2, "month", "nl")
    ('2 jours', '1 maand', '2 maanden')
    """
    if value is None:
        return "-"
    singular, plural = _UNITS[lang][unit]
    shown = decimal_4(Fraction(value))  # the number as written decides, not the exact one
    one = shown < 2 if lang == "fr" else shown == 1
    return f"{_num(Fraction(value), lang)} {singular if one else plural}"


#: Rendered bodies (everything but the first line) by the data they come from: in
#: bulk, thousands of workers share the same factors. Bounded; cleared when full.
_BODIES: BoundedCache[tuple[object, ...], tuple[str, ...]] = BoundedCache(
    "explanation bodies", maxsize=4096
)


def explain_entitlement(entitlement: Entitlement, lang: Lang) -> list[str]:
    """Render ``entitlement``'s explanation (one sentence per line) in ``lang``."""
    if lang not in _T:
        raise ValueError(f"unsupported language {lang!r}: expected en, fr or nl")
    head, body = explanation_parts(entitlement, lang)
    return [head, *body]


#: The fields of a result the explanation's body may depend on: all but the two of the
#: head line. Derived, not listed, so that a new field can never serve a stale body.
_BODY_FIELDS: Final = tuple(
    field.name for field in attrs.fields(Entitlement) if field.name not in ("employer", "niss")
)
_body_values = operator.attrgetter(*_BODY_FIELDS)


def explanation_key(e: Entitlement, lang: Lang) -> tuple[object, ...]:
    """Everything the explanation depends on except the employer and the worker.

    A rule's French and Dutch texts are not part of its equality (an archive keeps
    the English only), so they are added here.
    """
    texts = tuple((r.title_texts, r.source_texts, r.unsourced) for r in _rules_of(e))
    return (lang, *_body_values(e), texts)


def explanation_head(entitlement: Entitlement, lang: Lang) -> str:
    """The explanation's first line: the year, the employer and the worker.

    The only line of a result's own: bulk output writes it for each result, and the
    rest once per shape. Looking the rest up for each result compared its key's exact
    values, twelve month factors field by field in Python, whenever an equal body was
    cached under another key (``entitlements --jobs 1``: 1.3 % of its CPU).
    """
    if lang not in _T:
        raise ValueError(f"unsupported language {lang!r}: expected en, fr or nl")
    e = entitlement
    return _T[lang]["head"].format(
        year=e.year, employer=e.employer.formatted, niss=e.niss.formatted
    )


def explanation_parts(entitlement: Entitlement, lang: Lang) -> tuple[str, tuple[str, ...]]:
    """The first line (employer and worker) and the rest, shared by equal results."""
    e = entitlement
    head = explanation_head(e, lang)
    key = explanation_key(e, lang)
    body = _BODIES.get(key)
    if body is None:
        body = tuple(_body(e, lang))
        _BODIES.put(key, body)
    return head, body


def _band_line(e: Entitlement, lang: Lang) -> str:
    """Where the band comes from: declared average, R-COUNT-4 fallback, caller, unknown."""
    t = _T[lang]
    fte = "-" if e.average_fte is None else _num(Fraction(e.average_fte), lang)
    if e.band_basis is BandBasis.OVERRIDE_BAND:
        return t["band_override"].format(band=e.band.value)
    if e.band_basis is BandBasis.UNKNOWN:
        return t["band_unknown"].format(band=e.band.value)
    if e.band_basis is not BandBasis.FALLBACK:
        quarters = ", ".join(str(q) for q in e.reference_quarters) or "-"
        return t["band"].format(band=e.band.value, fte=fte, quarters=quarters)
    unit = t[f"unit_{e.fallback_count.value}"]
    if e.fallback_quarter is None:
        return t["band_fallback_given"].format(band=e.band.value, fte=fte, unit=unit)
    return t["band_fallback"].format(
        band=e.band.value, fte=fte, unit=unit, quarter=e.fallback_quarter
    )


def _rules_of(e: Entitlement) -> tuple[RuleRef, ...]:
    return e.rules or ((e.rule,) if e.rule is not None else ())


def _band_part(e: Entitlement, lang: Lang) -> list[str]:
    """The band, how workers were counted (R-COUNT-5, art. 50 §2) and quarters missing."""
    t = _T[lang]
    lines = [_band_line(e, lang)]
    if e.band_basis in (BandBasis.DECLARED, BandBasis.FALLBACK, BandBasis.OVERRIDE_FTE):
        lines.append(t["count_rule"])
        counting = Rulebook.default().counting
        if counting is not None:
            lines.append(
                t["count_source"].format(
                    title=counting.title_in(lang), source=counting.source_in(lang)
                )
            )
    if e.missing_quarters:
        lines.append(t["missing"].format(quarters=", ".join(str(q) for q in e.missing_quarters)))
    return lines


def _rules_part(e: Entitlement, lang: Lang) -> list[str]:
    """Each rule applied, in the reader's language, and what of it no source states."""
    t = _T[lang]
    lines: list[str] = []
    for rule in _rules_of(e):
        valid = f"{rule.valid_from or '…'}..{rule.valid_to or ''}"
        lines.append(
            t["rule"].format(
                title=rule.title_in(lang), id=rule.id, valid=valid, source=rule.source_in(lang)
            )
        )
        if rule.unsourced is not None:
            lines.append(t["unsourced"].format(id=rule.id, note=rule.unsourced.in_lang(lang)))
    return lines


def _span(run: list[MonthFactor], year: int, lang: Lang) -> str:
    names = MONTH_NAMES[lang]
    first, last = names[run[0].month - 1], names[run[-1].month - 1]
    return f"{first} {year}" if len(run) == 1 else f"{first}–{last} {year}"


def _runs(
    months: Iterable[MonthFactor], same: Callable[[MonthFactor], object]
) -> list[list[MonthFactor]]:
    """Consecutive months with the same ``same(month)``, as runs."""
    runs: list[list[MonthFactor]] = []
    for month in months:
        if runs and runs[-1][-1].month == month.month - 1 and same(runs[-1][-1]) == same(month):
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def _month_lines(e: Entitlement, lang: Lang) -> list[str]:
    """One line per run of months with the same A and B."""
    t = _T[lang]
    lines: list[str] = []
    for run in _runs(e.months, lambda m: (m.fraction, m.full_time_days)):
        span, head = _span(run, e.year, lang), run[0]
        if head.fraction == 0:
            lines.append(t["month_none"].format(months=span))
            continue
        share = head.days * len(run)  # the months of a run have the same A and B
        lines.append(
            t["month"].format(
                months=span,
                a=_count(head.full_time_days, "day", lang),
                b=head.fraction,
                count=_count(len(run), "month", lang),
                share=_count(share, "day", lang),
            )
        )
    return lines


def _committees_line(e: Entitlement, lang: Lang) -> list[str]:
    """Several joint committees in the year: which committee each month followed."""
    if not any(f.code == SEVERAL_JOINT_COMMITTEES for f in e.findings):
        return []
    t = _T[lang]
    employed = [m for m in e.months if m.fraction > 0 and m.joint_commission is not None]
    runs = ", ".join(
        t["committee_run"].format(months=_span(run, e.year, lang), code=run[0].joint_commission)
        for run in _runs(employed, lambda m: m.joint_commission)
    )
    return [t["committees"].format(year=e.year, runs=runs or "-")]


def _days_part(e: Entitlement, lang: Lang) -> list[str]:
    """The formula month by month, the total and its parts, the hours; or why no right."""
    t = _T[lang]
    if e.regime is Regime.NONE or e.days_exact is None:
        reason = e.no_rule_reason
        known = _REASONS.get(reason) if reason is not None else None
        return [t["no_rule"].format(reason=known.in_lang(lang) if known else reason or "-")]
    lines = [t["formula"], *_month_lines(e, lang), *_committees_line(e, lang)]
    rounded = t["rounded"].format(policy=e.rounding.value) if e.rounding.value != "none" else ""
    days = None if e.days is None else Fraction(e.days)
    lines.append(
        t["total"].format(days=_count(days, "day", lang), exact=e.days_exact, rounded=rounded)
    )
    lines.append(
        t["parts"].format(
            legal=_num(e.legal_days, lang),
            sector=_num(e.sector_days, lang),
            employer=_num(e.employer_days, lang),
        )
    )
    if e.hours is not None and e.hours_per_day is not None:
        lines.append(
            t["hours"].format(hours=_num(e.hours, lang), hpd=_count(e.hours_per_day, "hour", lang))
        )
    return lines


def _notes_part(e: Entitlement, lang: Lang) -> list[str]:
    """Quarters not declared, projection, and what the FLA required for the year."""
    t = _T[lang]
    lines: list[str] = []
    if e.undeclared_quarters:
        which = "continued" if e.assumed_continuation else "undeclared"
        lines.append(t[which].format(quarters=", ".join(str(q) for q in e.undeclared_quarters)))
    if e.projected and e.as_of is not None:
        lines.append(t["projected"].format(as_of=e.as_of.isoformat()))
    lines.append(t["fla"].format(year=e.year, fla=t[f"fla_{e.fla_regime.value}"]))
    return lines


def _body(e: Entitlement, lang: Lang) -> list[str]:
    return [
        *_band_part(e, lang),
        *_rules_part(e, lang),
        *_days_part(e, lang),
        *_notes_part(e, lang),
    ]
