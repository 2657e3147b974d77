"""The explanation of an entitlement, rendered on demand in English, French or Dutch.

Nothing here is stored on the result: :meth:`Entitlement.explain` calls
:func:`explain_entitlement`, which reads the factors, values, rule and source
off the result and fills one template per language.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from fractions import Fraction
from typing import Final

import attrs

from mycareer._cache import BoundedCache
from mycareer.fla.values import BandBasis, Entitlement, Lang, MonthFactor, Regime, decimal_4

__all__ = ["MONTH_NAMES", "explain_entitlement", "explanation_key", "explanation_parts"]

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
        "rule": "Rule: {title} ({id}), valid {valid}; source: {source}.",
        "no_rule": "No training right applies: {reason}.",
        "formula": "Days = sum over the months of full-time days (A) × work fraction (B) ÷ 12; "
        "a month begun counts in full.",
        "month": "{months}: A = {a} days × B = {b} × {count} month(s) ÷ 12 = {share} days.",
        "month_none": "{months}: no employment.",
        "total": "Entitlement: {days} days (exact {exact}){rounded}.",
        "rounded": ", rounded ({policy})",
        "parts": "Of which legal {legal}, sector complement {sector}, "
        "employer complement {employer}.",
        "hours": "In hours: {hours} (at {hpd} hours per day).",
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
        "rule": "Règle : {title} ({id}), valable {valid} ; source : {source}.",
        "no_rule": "Aucun droit à la formation ne s'applique : {reason}.",
        "formula": "Jours = somme sur les mois des jours temps plein (A) × fraction d'occupation "
        "(B) ÷ 12 ; tout mois entamé compte en entier.",
        "month": "{months} : A = {a} jours × B = {b} × {count} mois ÷ 12 = {share} jours.",
        "month_none": "{months} : pas d'occupation.",
        "total": "Droit : {days} jours (exact {exact}){rounded}.",
        "rounded": ", arrondi ({policy})",
        "parts": "Dont légal {legal}, complément sectoriel {sector}, complément employeur "
        "{employer}.",
        "hours": "En heures : {hours} (à {hpd} heures par jour).",
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
        "rule": "Regel: {title} ({id}), geldig {valid}; bron: {source}.",
        "no_rule": "Er geldt geen opleidingsrecht: {reason}.",
        "formula": "Dagen = som over de maanden van voltijdse dagen (A) × tewerkstellingsbreuk "
        "(B) ÷ 12; een begonnen maand telt volledig.",
        "month": "{months}: A = {a} dagen × B = {b} × {count} maand(en) ÷ 12 = {share} dagen.",
        "month_none": "{months}: geen tewerkstelling.",
        "total": "Recht: {days} dagen (exact {exact}){rounded}.",
        "rounded": ", afgerond ({policy})",
        "parts": "Waarvan wettelijk {legal}, sectoraal aanvullend {sector}, aanvullend door de "
        "werkgever {employer}.",
        "hours": "In uren: {hours} (aan {hpd} uren per dag).",
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


def _num(value: Fraction | None, lang: Lang = "en") -> str:
    """A quantity for people: at most 4 decimals, with a decimal comma in French and Dutch."""
    if value is None:
        return "-"
    text = format(decimal_4(value).normalize(), "f")
    return text if lang == "en" else text.replace(".", ",")


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
    """Everything the explanation depends on except the employer and the worker."""
    return (lang, *_body_values(e))


def explanation_parts(
    entitlement: Entitlement, lang: Lang, key: tuple[object, ...] | None = None
) -> tuple[str, tuple[str, ...]]:
    """The first line (employer and worker) and the rest, shared by equal results."""
    if lang not in _T:
        raise ValueError(f"unsupported language {lang!r}: expected en, fr or nl")
    e = entitlement
    head = _T[lang]["head"].format(
        year=e.year, employer=e.employer.formatted, niss=e.niss.formatted
    )
    key = explanation_key(e, lang) if key is None else key
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


def _body(e: Entitlement, lang: Lang) -> list[str]:
    t = _T[lang]
    lines: list[str] = [_band_line(e, lang)]
    if e.band_basis in (BandBasis.DECLARED, BandBasis.FALLBACK, BandBasis.OVERRIDE_FTE):
        lines.append(t["count_rule"])
    if e.missing_quarters:
        lines.append(t["missing"].format(quarters=", ".join(str(q) for q in e.missing_quarters)))
    for rule in e.rules or ((e.rule,) if e.rule is not None else ()):
        valid = f"{rule.valid_from or '…'}..{rule.valid_to or ''}"
        lines.append(
            t["rule"].format(title=rule.title, id=rule.id, valid=valid, source=rule.source)
        )
    if e.regime is Regime.NONE or e.days_exact is None:
        lines.append(t["no_rule"].format(reason=e.no_rule_reason or "-"))
    else:
        lines.append(t["formula"])
        names = MONTH_NAMES[lang]
        # Consecutive months with the same A and B share one line.
        runs: list[list[MonthFactor]] = []
        for month in e.months:
            if runs and (runs[-1][-1].fraction, runs[-1][-1].full_time_days) == (
                month.fraction,
                month.full_time_days,
            ):
                runs[-1].append(month)
            else:
                runs.append([month])
        for run in runs:
            first, last = names[run[0].month - 1], names[run[-1].month - 1]
            span = f"{first} {e.year}" if len(run) == 1 else f"{first}–{last} {e.year}"
            head = run[0]
            if head.fraction == 0:
                lines.append(t["month_none"].format(months=span))
            else:
                lines.append(
                    t["month"].format(
                        months=span,
                        a=_num(head.full_time_days, lang),
                        b=head.fraction,
                        count=len(run),
                        share=_num(sum((m.days for m in run), Fraction(0)), lang),
                    )
                )
        rounded = t["rounded"].format(policy=e.rounding.value) if e.rounding.value != "none" else ""
        lines.append(
            t["total"].format(
                days=_num(None if e.days is None else Fraction(e.days), lang),
                exact=e.days_exact,
                rounded=rounded,
            )
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
                t["hours"].format(hours=_num(e.hours, lang), hpd=_num(e.hours_per_day, lang))
            )
    if e.undeclared_quarters:
        which = "continued" if e.assumed_continuation else "undeclared"
        lines.append(t[which].format(quarters=", ".join(str(q) for q in e.undeclared_quarters)))
    if e.projected and e.as_of is not None:
        lines.append(t["projected"].format(as_of=e.as_of.isoformat()))
    lines.append(t["fla"].format(year=e.year, fla=t[f"fla_{e.fla_regime.value}"]))
    return lines
