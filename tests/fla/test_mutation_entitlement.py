"""Per-worker entitlement: the cases mutation testing showed untested (docs/mutation.md)."""

from __future__ import annotations

from datetime import date

from mycareer.dmfa import ContractType, DmfaOccupation, RemunerationLine, ServiceLine
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.findings import Finding, Severity
from mycareer.fla.band import BandResult
from mycareer.fla.options import EntitlementOptions
from mycareer.fla.values import BandBasis, SizeBand
from mycareer.fla.worker import entitlement_for
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.period import Period

ACME = Employer(EnterpriseNumber("0403019261"))
ANNA = Niss("85073003328")


def test_a_band_given_by_the_caller_rests_on_no_data() -> None:
    got = entitlement_for(ACME, ANNA, 2024, [], band=SizeBand.FROM_20)
    assert got.band is SizeBand.FROM_20
    assert got.band_basis is BandBasis.OVERRIDE_BAND
    assert got.fallback_used is False
    assert got.average_fte is None
    assert got.reference_quarters == ()
    assert got.missing_quarters == ()
    assert got.months_employed == 0  # no line in the year: no month started


def test_the_band_findings_come_first_in_the_entitlement() -> None:
    said = Finding("BAND_TEST", Severity.WARNING, "band finding")
    band = BandResult(
        ACME.key, 2024, SizeBand.FROM_10_TO_19, None, None, (), (),
        fallback_used=True, basis=BandBasis.FALLBACK, findings=(said,),
    )  # fmt: skip
    got = entitlement_for(ACME, ANNA, 2024, [], band=band)
    assert got.findings[0] == said
    assert got.fallback_used is True
    assert got.band_basis is BandBasis.FALLBACK


def _paid_line(code: int) -> DmfaOccupation:
    year = Period(date(2024, 1, 1), date(2024, 12, 31))
    return DmfaOccupation(
        sequence=1,
        start=date(2024, 1, 1),
        end=None,
        period=year,
        joint_commission=JointCommission("100"),
        working_days_system=500,
        contract_type=ContractType.FULL_TIME,
        mean_working_hours=3800,
        ref_mean_working_hours=3800,
        services=[ServiceLine(1, 26000)],
        remunerations=[RemunerationLine(code, 100_000)],
    )


def test_the_callers_indemnity_codes_decide_which_lines_are_not_employment() -> None:
    """A line paid only under codes the caller lists as termination indemnities is no work."""
    line = _paid_line(1)
    worked = entitlement_for(ACME, ANNA, 2024, [line], band=SizeBand.FROM_20)
    assert worked.months_employed == 12
    options = EntitlementOptions(indemnity_codes=frozenset({1}))
    paid_off = entitlement_for(ACME, ANNA, 2024, [line], band=SizeBand.FROM_20, options=options)
    assert paid_off.months_employed == 0
