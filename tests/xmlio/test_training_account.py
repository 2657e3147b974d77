"""The training-account XML document (``urn:mycareer:training-account:1``).

It archives what the FLA held (docs/fla.md) before its data are
deleted on 1 January 2027: written documents validate against the shipped XSD and
read back equal (exact quantities included).
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mycareer.employer import Employer
from mycareer.errors import InputError, MycareerErrorGroup, UnsupportedDocumentError
from mycareer.fla.account import (
    AccountPolicy,
    Termination,
    TerminationReason,
    YearCredit,
    build_account,
    verify_account,
)
from mycareer.fla.trainings import Training
from mycareer.fla.values import FlaRegime, Regime, RuleRef, SizeBand
from mycareer.joint_commission import JointCommission
from mycareer.niss import Niss
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.training_account import (
    TRAINING_ACCOUNT,
    AccountRecord,
    EntitlementSummary,
    read_training_accounts,
    read_trainings_xml,
    validate,
)
from mycareer.xmlio.training_account_writer import training_accounts_bytes, write_training_accounts

from ..fla.test_trainings_strategies import EMPLOYERS, exact_quantities, trainings

ANNA = Niss("85073003328")
NS = TRAINING_ACCOUNT.namespace


def _pc200_record() -> AccountRecord:
    """T-PC200-1: PC 200, 20+, 3 days in 2024 and 2025, with a training and a resignation."""
    employer = EMPLOYERS[2]
    rule = RuleRef("pc200-20plus", "PC 200 growth path", "CAO 6 Jul 2023", date(2024, 1, 1))
    credits = [
        YearCredit(
            ANNA, year, sector_days=3, employer=employer, hours_per_day="7.6", rule_id=rule.id
        )
        for year in (2024, 2025)
    ]
    course = Training(
        ANNA,
        "Excel <advanced> & co",
        date(2024, 3, 4),
        date(2024, 3, 5),
        "15.2",
        provider="Acme Academy",
        certificate="ECDL",
        certificate_valid_until=date(2029, 3, 5),
    )
    ending = Termination(ANNA, date(2025, 6, 30), TerminationReason.RESIGNATION, employer)
    account = build_account(credits, [course], as_of=date(2026, 1, 31), termination=ending)
    summaries = [
        EntitlementSummary(
            year=year,
            band=SizeBand.FROM_20,
            regime=Regime.SECTOR,
            fla_regime=FlaRegime.for_year(year),
            days_exact=Fraction(3),
            days=Decimal("3.0000"),
            hours=Fraction(114, 5),
            legal_days=Fraction(0),
            sector_days=Fraction(3),
            employer_days=Fraction(0),
            average_fte=Decimal("24.5"),
            months_employed=12,
            rule=rule,
        )
        for year in (2024, 2025)
    ]
    return AccountRecord(
        account,
        summaries,
        work_regime=WorkFraction.FULL_TIME,
        joint_committee=JointCommission("200"),
        last_name="Peeters",
        first_name="An",
    )


def test_pc200_account_validates_and_reads_back_equal() -> None:
    record = _pc200_record()
    data = training_accounts_bytes([record])
    assert validate(data, TRAINING_ACCOUNT) == []
    assert validate(data, "training-account") == []
    (back,) = read_training_accounts(data).records
    assert back == record
    # the statements carry the ledger as the FLA showed it: days followed, remaining, carried
    y2024, y2025 = back.account.statements
    assert (y2024.used, y2024.carried) == (Fraction(2), Fraction(1))
    assert (y2025.closing, y2025.lost) == (Fraction(4), Fraction(4))
    assert y2025.termination is not None
    assert b'band="20+"' in data
    assert b'sectorDays="3"' in data


def test_written_to_a_path(tmp_path: Path) -> None:
    target = tmp_path / "accounts.xml"
    assert write_training_accounts(target, [_pc200_record()]) == 1
    assert validate(target, TRAINING_ACCOUNT) == []
    assert read_training_accounts(target).records == (_pc200_record(),)


def test_no_rule_entitlement_has_no_days() -> None:
    account = build_account([YearCredit(ANNA, 2024)], as_of=date(2024, 12, 31))
    summary = EntitlementSummary(
        2024, SizeBand.BELOW_10, Regime.NONE, FlaRegime.REGISTRATION_OWED, None,
        no_rule_reason="no rule for band <10 in 2024",
    )  # fmt: skip
    data = training_accounts_bytes([AccountRecord(account, [summary])])
    assert validate(data, TRAINING_ACCOUNT) == []
    assert b"daysExact" not in data
    assert read_training_accounts(data).records[0].entitlements == (summary,)


def test_trainings_from_xml_take_the_account_employer() -> None:
    result = read_trainings_xml(training_accounts_bytes([_pc200_record()]))
    (training,) = result.trainings
    assert training.employer == EMPLOYERS[2]
    assert training.source is not None
    assert training.source.line is not None


def _document(body: str) -> bytes:
    return f'<trainingAccounts xmlns="{NS}">\n{body}\n</trainingAccounts>'.encode()


def test_bad_accounts_are_all_reported_with_path_and_line_and_good_ones_kept() -> None:
    good = training_accounts_bytes([_pc200_record()]).decode()
    good_account = good[good.index("<account") : good.index("</trainingAccounts>")]
    bad = (
        '<account niss="85073003329" asOf="2024-12-31" hoursPerDay="7.6">'
        '<policy firstWindowStart="2024" windowYears="5" resetAtWindowEnd="true" '
        'allowOveruse="false"/></account>\n'
        '<account niss="85073003328" asOf="2024-13-01" hoursPerDay="x">'
        '<policy firstWindowStart="2024" windowYears="5" resetAtWindowEnd="maybe" '
        'allowOveruse="false"/>'
        '<statement year="2024" opening="0" used="0" overused="0" closing="1" reset="0" '
        'lost="0" openBalance="0" carried="1"><credit legalDays="1" sectorDays="0" '
        'employerDays="0"/><debit training="t9" days="1"/></statement></account>'
    )
    data = _document(good_account + bad)
    result = read_training_accounts(data, name="mixed.xml", on_error="collect")
    assert result.records == (_pc200_record(),)
    where = sorted((e.path or "", e.source.line if e.source else None) for e in result.errors)
    assert [path for path, _ in where] == [
        "$.accounts[1].niss",
        "$.accounts[2].asOf",
        "$.accounts[2].hoursPerDay",
        "$.accounts[2].policy.resetAtWindowEnd",
        "$.accounts[2].statements[0].debits[0]",
    ]
    assert all(line is not None for _, line in where)
    with pytest.raises(MycareerErrorGroup):
        read_training_accounts(data, name="mixed.xml")
    # the XSD sees the same document as invalid too
    assert validate(data, TRAINING_ACCOUNT)


def test_wrong_root_and_wrong_version() -> None:
    with pytest.raises(InputError, match="not a training-account document"):
        read_training_accounts(b"<other/>", name="x.xml")
    with pytest.raises(UnsupportedDocumentError, match="unsupported version"):
        read_training_accounts(
            b'<trainingAccounts xmlns="urn:mycareer:training-account:2"/>', name="x.xml"
        )


def test_doctype_is_refused() -> None:
    evil = b'<!DOCTYPE a [<!ENTITY x "y">]>' + _document("")
    with pytest.raises(InputError, match="DOCTYPE"):
        read_training_accounts(evil)


def test_text_xml_cannot_carry_is_refused_with_its_path_and_nothing_written(
    tmp_path: Path,
) -> None:
    record = attrs.evolve(_pc200_record(), last_name="bad\x00name")
    target = tmp_path / "out.xml"
    with pytest.raises(MycareerErrorGroup) as caught:
        write_training_accounts(target, [_pc200_record(), record])
    assert [getattr(e, "path", None) for e in caught.value.exceptions] == [
        "$.accounts[1].last_name"
    ]
    assert not target.exists()


# --- round trip property --------------------------------------------------------------


@st.composite
def account_records(draw: st.DrawFn) -> AccountRecord:
    employer: Employer | None = draw(st.none() | st.sampled_from(EMPLOYERS))
    years = draw(st.lists(st.integers(2022, 2031), unique=True, max_size=6))
    credits = [
        YearCredit(
            ANNA,
            year,
            legal_days=draw(exact_quantities),
            sector_days=draw(exact_quantities),
            employer_days=draw(exact_quantities),
            employer=employer,
            hours_per_day=draw(st.none() | st.sampled_from(["7.6", "8", "38/6"])),
            rule_id=draw(st.none() | st.sampled_from(["statutory-2024", "pc200-20plus"])),
        )
        for year in years
    ]
    items = [
        attrs.evolve(t, employer=draw(st.sampled_from([None, employer])))
        for t in draw(st.lists(trainings(niss=ANNA), max_size=5))
    ]
    as_of = date(2022, 1, 1) + timedelta(days=draw(st.integers(0, 4000)))
    termination = None
    if draw(st.booleans()):
        termination = Termination(
            ANNA,
            as_of - timedelta(days=draw(st.integers(0, 800))),
            draw(st.sampled_from(TerminationReason)),
            draw(st.sampled_from([None, employer])),
        )
    policy = AccountPolicy(
        first_window_start=draw(st.sampled_from([2024, 2023])),
        window_years=draw(st.integers(1, 5)),
        reset_at_window_end=draw(st.booleans()),
        allow_overuse=draw(st.booleans()),
        hours_per_day=draw(st.none() | st.sampled_from(["7.6", "15/2"])),
    )
    account = build_account(
        credits,
        items,
        as_of=as_of,
        termination=termination,
        policy=policy,
        niss=ANNA,
        employer=employer,
    )
    summaries = [
        EntitlementSummary(
            year=year,
            band=draw(st.sampled_from(SizeBand)),
            regime=draw(st.sampled_from(Regime)),
            fla_regime=FlaRegime.for_year(year),
            days_exact=draw(st.none() | exact_quantities),
            days=draw(st.none() | st.decimals("0", "50", places=4)),
            hours=draw(st.none() | exact_quantities),
            legal_days=draw(st.none() | exact_quantities),
            sector_days=draw(st.none() | exact_quantities),
            employer_days=draw(st.none() | exact_quantities),
            average_fte=draw(st.none() | st.decimals("0", "500", places=2)),
            months_employed=draw(st.none() | st.integers(0, 12)),
            rule=draw(
                st.none()
                | st.builds(
                    RuleRef,
                    st.sampled_from(["statutory-2024", "pc124-20plus"]),
                    st.sampled_from(["Statutory days", "PC 124 — growth path"]),
                    st.sampled_from(["Law 3 Oct 2022, art. 50 §2", "CAO 26 Jun 2023"]),
                    st.none() | st.just(date(2023, 1, 1)),
                    st.none() | st.just(date(2030, 12, 31)),
                )
            ),
            no_rule_reason=draw(st.none() | st.just("no rule")),
        )
        for year in years
    ]
    return AccountRecord(
        account,
        summaries,
        work_regime=draw(
            st.none() | st.sampled_from(["1", "4/5", "19/38"]).map(WorkFraction.parse)
        ),
        joint_committee=draw(
            st.none() | st.sampled_from(["200", "124", "305.02.09"]).map(JointCommission)
        ),
        last_name=draw(st.none() | st.text(min_size=1, max_size=10).filter(str.isprintable)),
        first_name=draw(st.none() | st.just("Zoë")),
    )


@settings(max_examples=120, deadline=None)
@given(st.lists(account_records(), max_size=3))
def test_round_trip_write_validate_read_equal(records: list[AccountRecord]) -> None:
    out = io.BytesIO()
    write_training_accounts(out, records)
    data = out.getvalue()
    assert validate(data, TRAINING_ACCOUNT) == []
    back = read_training_accounts(data).records
    assert back == tuple(records)
    assert all(verify_account(record.account) == () for record in back)


def test_a_tampered_archive_is_caught_by_verify_account() -> None:
    data = training_accounts_bytes([_pc200_record()])
    tampered = data.replace(b'carried="1"', b'carried="2"', 1)
    assert tampered != data
    assert validate(tampered, TRAINING_ACCOUNT) == []  # still a valid document...
    (record,) = read_training_accounts(tampered).records
    findings = verify_account(record.account)  # ...but not the ledger its inputs give
    assert [(f.code, "2024" in f.message) for f in findings] == [
        ("ACCOUNT_STATEMENT_MISMATCH", True)
    ]


@pytest.mark.parametrize("attribute", ["hoursPerDay", "asOf", "niss"])
def test_an_oversized_attribute_is_refused_short_with_file_line_and_path(attribute: str) -> None:
    # Issue 11: every value is bounded and every error names the value cut short.
    good = training_accounts_bytes([_pc200_record()]).decode()
    good_account = good[good.index("<account") : good.index("</trainingAccounts>")]
    huge = "9" * 20_000
    bad_account = good_account.replace(f'{attribute}="', f'{attribute}="{huge}', 1)
    data = _document(good_account + bad_account)
    result = read_training_accounts(data, name="huge.xml", on_error="collect")
    assert result.records == (_pc200_record(),)
    (error,) = result.errors
    assert error.path == f"$.accounts[1].{attribute}"
    assert error.source is not None
    assert error.source.file == "huge.xml"
    assert error.source.line is not None
    assert "20" in str(error)  # the length, or the start of the value
    assert len(str(error)) < 400
