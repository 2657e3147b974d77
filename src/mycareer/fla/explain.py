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
        "band_fallback": "Employer size: {band} FTE ({fte} at the end of the first quarter "
        "with employment: no declaration in the reference period).",
        "band_override": "Employer size: {band} FTE (given by the employer or its software).",
        "band_unknown": "Employer size: unknown (no declaration found); treated as {band}.",
        "missing": "Reference quarters without a declaration: {quarters}.",
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
        "band_fallback": "Taille de l'employeur : {band} ETP ({fte} à la fin du premier trimestre "
        "d'occupation : aucune déclaration pendant la période de référence).",
        "band_override": "Taille de l'employeur : {band} ETP (fournie par l'employeur ou son "
        "logiciel).",
        "band_unknown": "Taille de l'employeur : inconnue (aucune déclaration) ; traitée comme "
        "{band}.",
        "missing": "Trimestres de référence sans déclaration : {quarters}.",
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
        "band_fallback": "Omvang van de werkgever: {band} VTE ({fte} op het einde van het eerste "
        "kwartaal met tewerkstelling: geen aangifte in de referteperiode).",
        "band_override": "Omvang van de werkgever: {band} VTE (opgegeven door de werkgever of "
        "zijn software).",
        "band_unknown": "Omvang van de werkgever: onbekend (geen aangifte gevonden); behandeld als "
        "{band}.",
        "missing": "Referentiekwartalen zonder aangifte: {quarters}.",
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


def _body(e: Entitlement, lang: Lang) -> list[str]:
    t = _T[lang]
    lines: list[str] = []
    fte = "-" if e.average_fte is None else _num(Fraction(e.average_fte), lang)
    quarters = ", ".join(str(q) for q in e.reference_quarters) or "-"
    if e.band_basis in (BandBasis.OVERRIDE_BAND,):
        lines.append(t["band_override"].format(band=e.band.value))
    elif e.band_basis is BandBasis.FALLBACK:
        lines.append(t["band_fallback"].format(band=e.band.value, fte=fte))
    elif e.band_basis is BandBasis.UNKNOWN:
        lines.append(t["band_unknown"].format(band=e.band.value))
    else:
        lines.append(t["band"].format(band=e.band.value, fte=fte, quarters=quarters))
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
    if e.projected and e.as_of is not None:
        lines.append(t["projected"].format(as_of=e.as_of.isoformat()))
    lines.append(t["fla"].format(year=e.year, fla=t[f"fla_{e.fla_regime.value}"]))
    return lines
