"""Entitlement engine on core DmfA records: lines, employers, overrides, projection.

Rules R-COUNT-3/5 and R-PRO-2 of docs/training-right.md and B-4/B-6; expected
values are computed by hand in each docstring.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pytest

from mycareer.employer import Employer
from mycareer.fla import (
    BandBasis,
    EntitlementOptions,
    FlaRegime,
    HoursPolicy,
    MonthFraction,
    Overrides,
    Regime,
    SizeBand,
    compute_entitlements,
    entitlement_for,
    project_entitlements,
    quarter_counts,
)
from mycareer.quarter import Quarter

from ._build import (
    ACME,
    ANN,
    BETA,
    BOB,
    NSSO_ONLY,
    employment,
    occupation,
    record,
    staff,
)

Q = Quarter


@attrs.frozen
class Declared:
    """A declared quarter as the DmfA reader reports it (employer + quarter)."""

    employer: Employer
    quarter: Quarter


def _twenty_plus(employer: Employer = ACME) -> list:  # type: ignore[type-arg]
    """25 FTE in every reference quarter of 2024–25."""
    return [r for q in Quarter.range(Q(2022, 4), Q(2023, 3)) for r in staff(employer, q, 2500)]


def _only(results: tuple, niss: object = ANN, employer: Employer = ACME):  # type: ignore[no-untyped-def,type-arg]
    found = [r for r in results if r.niss == niss and r.employer.key == employer.key]
    assert len(found) == 1, found
    return found[0]


def test_fraction_change_on_a_month_boundary() -> None:
    """80 % Jan–May, full-time from 1 Jun 2024, 20+: 5 × (0.8 × 5 + 7) ÷ 12 = 55/12."""
    lines = [
        occupation(date(2024, 1, 1), date(2024, 5, 31), q=3040, quarter=Q(2024, 1)),
        occupation(date(2024, 1, 1), date(2024, 5, 31), q=3040, quarter=Q(2024, 2)),
        occupation(date(2024, 6, 1), None, quarter=Q(2024, 2), sequence=2),
        occupation(date(2024, 6, 1), None, quarter=Q(2024, 3), sequence=2),
        occupation(date(2024, 6, 1), None, quarter=Q(2024, 4), sequence=2),
    ]
    result = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert result.days_exact == Fraction(55, 12)
    assert [m.fraction for m in result.months][4:6] == [Fraction(4, 5), 1]


def test_fraction_change_mid_month_takes_highest_or_last() -> None:
    """Full-time until 15 Jun, half-time after: June B = 1 (highest, B-4) or 1/2 (last)."""
    lines = [
        occupation(date(2024, 1, 1), date(2024, 6, 15), quarter=Q(2024, 2)),
        occupation(date(2024, 6, 16), date(2024, 6, 30), q=1900, quarter=Q(2024, 2), sequence=2),
    ]
    highest = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    last = entitlement_for(
        ACME, ANN, 2024, lines, band=SizeBand.FROM_20,
        options=EntitlementOptions(month_fraction=MonthFraction.LAST),
    )  # fmt: skip
    assert highest.months[5].fraction == 1
    assert last.months[5].fraction == Fraction(1, 2)
    assert highest.days_exact == Fraction(5 * 3, 12)  # Apr, May, Jun at 1
    assert last.days_exact == Fraction(5 * Fraction(5, 2), 12)


def test_joint_committee_change_on_a_month_boundary() -> None:
    """PC 124 Jan–Jun (2.5 days), PC 200 Jul–Dec (3 days), 20+, 2024: (2.5×6 + 3×6) ÷ 12 = 33/12."""
    lines = [
        occupation(date(2024, 1, 1), date(2024, 6, 30), jc="124", quarter=Q(2024, n))
        for n in (1, 2)
    ] + [occupation(date(2024, 7, 1), None, jc="200", quarter=Q(2024, n), sequence=2)
         for n in (3, 4)]  # fmt: skip
    result = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert result.days_exact == Fraction(33, 12)
    assert result.regime is Regime.SECTOR
    assert {r.id for r in result.rules} == {"pc124-20plus-2023", "pc200-20plus-2024"}
    assert "FLA_SEVERAL_JOINT_COMMITTEES" in {f.code for f in result.findings}


def test_concurrent_lines_add_up_and_are_capped() -> None:
    """Two half-time lines all year → B = 1 (5 days); a third one does not go above 1."""
    two = [occupation(date(2024, 1, 1), quarter=Q(2024, n), q=1900, sequence=s)
           for n in (1, 2, 3, 4) for s in (1, 2)]  # fmt: skip
    assert entitlement_for(ACME, ANN, 2024, two, band=SizeBand.FROM_20).days_exact == 5
    three = [*two, occupation(date(2024, 3, 1), date(2024, 3, 31), q=1900, sequence=3)]
    result = entitlement_for(ACME, ANN, 2024, three, band=SizeBand.FROM_20)
    assert result.days_exact == 5
    assert max(m.fraction for m in result.months) == 1


def test_termination_indemnity_line_is_not_employment_nor_counted() -> None:
    """Work Jan–Mar 2024, indemnity line (remuneration code 3) Apr–Dec: 5 × 3/12 = 5/4.

    The indemnity line does not count in the quarter-end FTE either (R-COUNT-5).
    """
    worked = occupation(date(2024, 1, 1), date(2024, 3, 31))
    indemnity = occupation(
        date(2024, 4, 1), date(2024, 12, 31), quarter=Q(2024, 1), sequence=2,
        remuneration_codes=(3,),
    )  # fmt: skip
    result = entitlement_for(ACME, ANN, 2024, [worked, indemnity], band=SizeBand.FROM_20)
    assert result.days_exact == Fraction(5, 4)
    assert result.months_employed == 3
    only_indemnity = record(ACME, Q(2024, 1), ANN, [
        occupation(date(2024, 1, 1), None, remuneration_codes=(3,)),
    ])  # fmt: skip
    counts = quarter_counts([only_indemnity])
    assert counts[ACME.key][Q(2024, 1)].fte == 0
    assert compute_entitlements([only_indemnity], (), 2024) == ()


def test_who_counts_at_quarter_end() -> None:
    """R-COUNT-5: students 840, full career breaks, leavers before quarter end and code-30-only
    lines do not count; a part-timer counts Q/S."""
    quarter = Q(2023, 1)
    records = [
        record(ACME, quarter, ANN, [occupation(date(2020, 1, 1), q=1900, quarter=quarter)]),
        record(BETA, quarter, ANN, [occupation(date(2020, 1, 1), quarter=quarter)]),
        record(ACME, quarter, BOB, [occupation(date(2020, 1, 1), quarter=quarter)],
               worker_code=840),
    ] + [
        record(ACME, quarter, niss, [line])
        for niss, line in zip(
            [ANN, ANN, ANN],
            [
                occupation(date(2020, 1, 1), quarter=quarter, q=0, measures=(3,), sequence=2),
                occupation(date(2020, 1, 1), date(2023, 3, 30), quarter=quarter, sequence=3),
                occupation(date(2020, 1, 1), quarter=quarter, services=[(30, 6000)], sequence=4),
            ],
            strict=True,
        )
    ]  # fmt: skip
    counts = quarter_counts(records)
    assert counts[ACME.key][quarter].fte == Fraction(1, 2)
    assert counts[ACME.key][quarter].headcount == 1
    assert counts[BETA.key][quarter].fte == 1


def test_declared_quarter_with_zero_fte_counts_in_the_divisor() -> None:
    """R-COUNT-3: 20 FTE in Q4 2022 and a declaration with 0 FTE in Q1 2023 → 10 → 10–19."""
    records = staff(ACME, Q(2022, 4), 2000)
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    without = _only(compute_entitlements(records, (), 2024))
    with_zero = _only(compute_entitlements(records, [Declared(ACME, Q(2023, 1))], 2024))
    assert without.band is SizeBand.FROM_20
    assert with_zero.band is SizeBand.FROM_10_TO_19
    assert with_zero.average_fte == Decimal("10.0000")


def test_two_employers_two_results_without_cap() -> None:
    """Ann full-time at Acme (20+) and half-time at Beta (<10, no rule days): two results."""
    records = _twenty_plus()
    records += employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    records += [r for q in Quarter.range(Q(2022, 4), Q(2023, 3)) for r in staff(BETA, q, 300)]
    records += employment(BETA, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4), q=1900,
                          jc="200")  # fmt: skip
    results = compute_entitlements(records, (), 2024)
    at_acme, at_beta = _only(results, ANN, ACME), _only(results, ANN, BETA)
    assert at_acme.days_exact == 5
    assert (at_beta.band, at_beta.days_exact) == (SizeBand.BELOW_10, Fraction(1, 2))  # PC 200 <10
    keys = [(r.employer.key, r.niss.value) for r in results]
    assert keys == sorted(keys)


def test_employer_without_enterprise_number_is_keyed_by_nsso_number() -> None:
    """B-14: CompanyID 0 → the NSSO number is the key; overrides use that key."""
    records = employment(NSSO_ONLY, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    over = Overrides(band={"nsso:100105": SizeBand.FROM_20})
    result = _only(compute_entitlements(records, (), 2024, overrides=over), ANN, NSSO_ONLY)
    assert result.band_basis is BandBasis.OVERRIDE_BAND
    assert result.days_exact == 5


def test_overrides_quarter_fte_days_and_employer_complement() -> None:
    """Quarterly FTE given by the caller; override of A; employer days kept apart."""
    records = employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    fte = Overrides(quarter_fte={ACME.key: {Q(2023, 1): Decimal("20.5")}})
    by_fte = _only(compute_entitlements(records, (), 2024, overrides=fte))
    assert (by_fte.band, by_fte.band_basis) == (SizeBand.FROM_20, BandBasis.OVERRIDE_FTE)
    assert [str(q) for q in by_fte.reference_quarters] == ["20231"]
    days = Overrides(band={ACME.key: SizeBand.FROM_20}, full_time_days={ACME.key: Fraction(7)},
                     employer_days={ACME.key: Fraction(1)})  # fmt: skip
    result = _only(compute_entitlements(records, (), 2024, overrides=days))
    assert result.regime is Regime.OVERRIDE
    assert (result.legal_days, result.employer_days, result.days_exact) == (7, 1, 8)


def test_no_rule_before_2023_and_for_joint_committee_999() -> None:
    """Resolution step 4: explicit "no rule" with the reason (days None)."""
    line = [occupation(date(2024, 1, 1), None, jc="999")]
    result = entitlement_for(ACME, ANN, 2024, line, band=SizeBand.FROM_20)
    assert (result.days, result.regime) == (None, Regime.NONE)
    assert result.no_rule_reason is not None
    assert "999" in result.no_rule_reason
    assert any("999" in line for line in result.explain("en"))


def test_hours_policies() -> None:
    """B-6: S ÷ 5 by default (38 h → 7.6 h); the worker's own day Q ÷ days a week; fixed."""
    lines = [occupation(date(2024, 1, 1), quarter=Q(2024, n), q=3040, days_per_week=400)
             for n in (1, 2, 3, 4)]  # fmt: skip
    default = entitlement_for(ACME, ANN, 2024, lines, band=SizeBand.FROM_20)
    assert default.days_exact == 4
    assert default.hours_per_day == Fraction(38, 5)
    assert default.hours == Fraction(152, 5)
    own = entitlement_for(
        ACME,
        ANN,
        2024,
        lines,
        band=SizeBand.FROM_20,
        options=EntitlementOptions(hours_policy=HoursPolicy.WORKER_DAY),
    )
    assert own.hours_per_day == Fraction(38, 5)  # 30.4 h over 4 days
    fixed = entitlement_for(
        ACME,
        ANN,
        2024,
        lines,
        band=SizeBand.FROM_20,
        options=EntitlementOptions(hours_per_day=Fraction(8)),
    )
    assert fixed.hours == 32  # fmt: skip


def test_same_quarter_given_twice_counts_once() -> None:
    """A quarter read from two files: each line counted once, with a finding."""
    records = employment(ACME, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    result = _only(
        compute_entitlements(
            records + records[:1], (), 2024, overrides=Overrides(band={ACME.key: SizeBand.FROM_20})
        )
    )
    assert result.days_exact == 5
    assert "FLA_DUPLICATE_QUARTER" in {f.code for f in result.findings}


def test_projection_assumes_lines_in_force_continue() -> None:
    """Hired 1 Oct 2024 at 80 %, as_of 30 Nov 2024: projected 2025 = 5 × 0.8 = 4 days (20+).

    A colleague who left on 15 Nov 2024 gets no projection.
    """
    records = _twenty_plus()
    records += employment(ACME, ANN, date(2024, 10, 1), None, last_quarter=Q(2024, 4), q=3040)
    records += employment(ACME, BOB, date(2024, 1, 1), date(2024, 11, 15),
                          last_quarter=Q(2024, 4))  # fmt: skip
    results = project_entitlements(records, (), as_of=date(2024, 11, 30))
    mine = _only(results)
    assert (mine.year, mine.projected, mine.days_exact) == (2025, True, 4)
    assert not [r for r in results if r.niss == BOB]
    assert any("2024-11-30" in line for line in mine.explain("fr"))


def test_fla_regime_and_explanations_in_three_languages() -> None:
    """Every result says which FLA regime applied (registration owed for 2024 data only)."""
    lines = [occupation(date(2023, 1, 1), date(2023, 1, 31))]
    for year, regime in [(2023, FlaRegime.BEFORE_FLA), (2024, FlaRegime.REGISTRATION_OWED),
                         (2025, FlaRegime.ABOLISHED)]:  # fmt: skip
        line = [occupation(date(year, 1, 1), quarter=Q(year, 1))]
        assert entitlement_for(ACME, ANN, year, line, band=SizeBand.FROM_20).fla_regime is regime
    result = entitlement_for(ACME, ANN, 2023, lines, band=SizeBand.FROM_20)
    english, french, dutch = (result.explain(lang) for lang in ("en", "fr", "nl"))
    assert len(english) == len(french) == len(dutch)
    assert "Training right 2023" in english[0]
    assert "Droit individuel" in french[0]
    assert "Individueel opleidingsrecht" in dutch[0]
    assert any("statutory-2023" in line for line in english)
    assert "Jan 2023: A = 4 days × B = 1 × 1 month ÷ 12 = 0.3333 days." in english
    assert "Feb–Dec 2023: no employment." in english
    assert any("0,3333 jour." in line for line in french)  # singular below 2 in French
    assert any("0,3333 dagen" in line for line in dutch)
    with pytest.raises(ValueError, match="unsupported language"):
        result.explain("de")  # type: ignore[arg-type]


def test_fallback_counts_heads_when_asked() -> None:
    """B-3: R-COUNT-4 counts FTE by default; heads as an option.

    End of Q2 2024: 12 half-timers and Ann full-time → 7 FTE (<10) but 13 heads (10–19).
    """
    from mycareer.fla import FallbackCount

    quarter = Q(2024, 2)
    records = [
        record(ACME, quarter, niss, [occupation(date(2024, 4, 1), quarter=quarter, q=1900)])
        for niss in [r.niss for r in staff(ACME, quarter, 1200)]
    ]
    records += employment(ACME, ANN, date(2024, 5, 1), None, last_quarter=Q(2024, 4))
    by_fte = _only(compute_entitlements(records, (), 2024))
    by_heads = _only(
        compute_entitlements(
            records, (), 2024, options=EntitlementOptions(fallback_count=FallbackCount.HEADCOUNT)
        )
    )
    assert (by_fte.band, by_fte.average_fte) == (SizeBand.BELOW_10, Decimal("7.0000"))
    assert (by_heads.band, by_heads.average_fte) == (SizeBand.FROM_10_TO_19, Decimal("13.0000"))


def test_fast_json_text_equals_the_plain_encoding() -> None:
    """entitlement_json_text (shared parts encoded once) == json.dumps(entitlement_to_json)."""
    import json

    from mycareer.fla import entitlement_json_text, entitlement_to_json

    records = _twenty_plus()
    records += employment(ACME, ANN, date(2024, 4, 29), None, last_quarter=Q(2024, 4), q=3040)
    records += employment(ACME, BOB, date(2024, 1, 1), None, last_quarter=Q(2024, 4))
    records += employment(NSSO_ONLY, ANN, date(2024, 1, 1), None, last_quarter=Q(2024, 4),
                          jc="999")  # fmt: skip
    results = compute_entitlements(records, (), 2024)
    assert len(results) == 3
    # The shared parts are looked up by the identity of the fields: a result that differs
    # in one field only (the others the very same objects) must not get the cached text.
    changed = [
        attrs.evolve(results[0], days_exact=Fraction(1, 3), days=Decimal("0.3333")),
        attrs.evolve(results[0], findings=()),
        attrs.evolve(results[0], months=results[0].months[:11]),
        attrs.evolve(results[1], niss=results[0].niss, employer=NSSO_ONLY),
    ]
    for lang in ("en", "fr", "nl"):
        for result in (*results, *results, *changed):  # the second round hits the cache
            text = entitlement_json_text(result, lang)
            plain = entitlement_to_json(result, lang)
            assert text == json.dumps(plain, ensure_ascii=False)


def test_the_months_json_is_looked_up_by_the_very_tuple() -> None:
    """The months' JSON is kept by the identity of the months tuple (its hash, twelve
    months of fractions, cost more than the JSON): an entry left under the id of another
    tuple (an id used again) must not be served, nor one of an equal tuple's."""
    from mycareer.fla import entitlement_to_json, serialize

    records = [
        *_twenty_plus(),
        *employment(ACME, ANN, date(2024, 4, 29), None, last_quarter=Q(2024, 4), q=3040),
    ]
    first = compute_entitlements(records, (), 2024)[0]
    sevenths = tuple(attrs.evolve(m, fraction=Fraction(1, 7)) for m in first.months)
    other = attrs.evolve(first, months=sevenths)
    stale = (first.months, serialize._months_json(first.months))
    serialize._MONTHS.put(id(other.months), stale)
    assert {m["fraction_exact"] for m in entitlement_to_json(other)["months"]} == {"1/7"}
    equal = attrs.evolve(first, months=tuple(attrs.evolve(m) for m in first.months))
    assert entitlement_to_json(equal)["months"] == entitlement_to_json(first)["months"]


def test_cores_shared_across_calls_never_cross_their_context() -> None:
    """A process shares each shape's core across calls (a country's small employers share
    shapes across employers): every call gives what it gives from cold caches, whatever
    came before it: another band, full-time days or employer days, options, a rulebook."""
    from mycareer._cache import clear_caches
    from mycareer.fla import Rulebook

    lines = employment(ACME, ANN, date(2024, 4, 29), None, last_quarter=Q(2024, 4), q=3040)
    big = [*_twenty_plus(), *lines]
    small = [r for q in Quarter.range(Q(2022, 4), Q(2023, 3)) for r in staff(ACME, q, 500)]
    small += lines
    # the same months a year before (4 days a year in 2023, 5 from 2024)
    before = employment(ACME, ANN, date(2023, 4, 29), None, last_quarter=Q(2023, 4), q=3040)
    no_statute = attrs.evolve(Rulebook.default(), statutory=())
    calls: list[tuple[list[Any], dict[str, Any]]] = [
        (big, {}),
        (small, {}),
        (big, {"overrides": Overrides(full_time_days={ACME.key: Fraction(8)})}),
        (big, {"overrides": Overrides(employer_days={ACME.key: Fraction(2)})}),
        (big, {"options": EntitlementOptions(hours_policy=HoursPolicy.WORKER_DAY)}),
        (big, {"rulebook": no_statute}),
        ([*_twenty_plus(), *before], {"year": 2023}),
    ]
    cold = []
    for records, given in calls:
        clear_caches()
        cold.append(compute_entitlements(records, (), **{"year": 2024, **given}))
    assert len({(_only(c).days_exact, _only(c).hours) for c in cold}) == len(calls)  # all differ
    clear_caches()
    warm = [compute_entitlements(r, (), **{"year": 2024, **given}) for r, given in calls]
    assert warm == cold
    again = [compute_entitlements(r, (), **{"year": 2024, **given}) for r, given in calls[::-1]]
    assert again == cold[::-1]


def test_the_slot_constructor_equals_the_attrs_init() -> None:
    """The bulk path's constructor sets every field, as Entitlement(*fields) does."""
    from mycareer.fla.values import Entitlement, new_entitlement

    values: list[Any] = [object() for _ in attrs.fields(Entitlement)]
    made = new_entitlement(values[0], values[1], tuple(values[2:]))
    assert type(made) is Entitlement
    assert made == Entitlement(*values)
    assert attrs.astuple(made, recurse=False) == tuple(values)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.year = 2025  # type: ignore[misc]
