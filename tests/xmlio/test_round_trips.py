"""Issue 11 item 7: XML -> JSON -> CSV -> XML is exact, or refused at the first step.

The oracle is the records themselves: after the four conversions the workers
are equal to those first written, for text chosen to be awkward (CR, CRLF, LF,
tabs, quotes, markup, spreadsheet formula starts, apostrophes, empty text).
In-process for the properties; the CLI runs as a subprocess on real files for
the worked examples.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mycareer import CareerPeriod, CareerRecords, Niss, Period, PeriodKind
from mycareer.cli._convert import records_from_csv, records_to_csv
from mycareer.converter import dumps, from_json, unstructure
from mycareer.errors import InvalidValueError, SourceRef
from mycareer.xmlio.career_records import career_records_bytes, read_career_records
from mycareer.xmlio.training_account import AccountRecord, read_training_accounts
from mycareer.xmlio.training_account_writer import training_accounts_bytes

from ..cli._run import assert_no_traceback, run_cli
from .test_career_records_properties import career_records, xml_text
from .test_training_account import _pc200_record

AWKWARD = st.one_of(
    xml_text,
    st.tuples(
        st.sampled_from(["", "'", "''", "=", "+", "-", "@", "\t", "\r", "\r\n", "\n", " "]),
        xml_text,
    ).map("".join),
    st.sampled_from(["", "a\r\nb", "a\rb", "a\nb", "\r", "\r\n", "'=1+2", '"q"', "&amp;<"]),
)


def _awkward(worker: CareerRecords, draw: st.DrawFn) -> CareerRecords:
    periods = [
        CareerPeriod(
            p.niss, p.kind, p.period, p.employer, p.fraction, p.joint_commission,
            draw(st.none() | AWKWARD), p.provisional,
            None if p.source is None else SourceRef(
                draw(st.none() | AWKWARD), p.source.line, draw(AWKWARD)
            ),
        )
        for p in worker.periods
    ]  # fmt: skip
    return CareerRecords(worker.niss, periods, draw(st.none() | AWKWARD))


@st.composite
def documents(draw: st.DrawFn) -> list[CareerRecords]:
    workers = draw(st.lists(career_records(), max_size=3, unique_by=lambda w: w.niss.value))
    return [_awkward(worker, draw) for worker in workers]


def _xml_json_csv_xml(workers: list[CareerRecords]) -> tuple[CareerRecords, ...]:
    first = read_career_records(career_records_bytes(workers)).records
    text = dumps([unstructure(w) for w in first])
    from_json_ = from_json(text, list[CareerRecords])
    sheet = io.StringIO(newline="")
    records_to_csv(from_json_, sheet)
    from_csv = records_from_csv(sheet.getvalue())
    return read_career_records(career_records_bytes(from_csv)).records


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_career_records_survive_xml_json_csv_xml(workers: list[CareerRecords]) -> None:
    assert _xml_json_csv_xml(workers) == tuple(workers)


def test_an_empty_source_is_refused_by_csv_not_lost() -> None:
    niss = Niss("90010100123")
    period = CareerPeriod(
        niss, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1)), source=SourceRef(None, None, None)
    )
    with pytest.raises(InvalidValueError, match="empty source"):
        records_to_csv([CareerRecords(niss, [period])], io.StringIO())


@pytest.mark.parametrize("text", ["a\r\nb", "a\rb", "a\nb", "\r", "=SUM(A1)", "", "'"])
def test_line_breaks_and_formulas_through_the_cli(tmp_path: Path, text: str) -> None:
    niss = Niss("90010100123")
    period = CareerPeriod(niss, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1)), label=text)
    workers = [CareerRecords(niss, [period], name=text)]
    (tmp_path / "a.xml").write_bytes(career_records_bytes(workers))
    for source, target in (("a.xml", "b.json"), ("b.json", "c.csv"), ("c.csv", "d.xml")):
        result = run_cli("convert", tmp_path / source, tmp_path / target)
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
    assert read_career_records(tmp_path / "d.xml").records == tuple(workers)


@pytest.mark.parametrize(
    "document",
    [
        '[{"niss": "90010100123", "name": "An \\ud800", "periods": []}]',
        '[{"niss": "90010100123", "name": "An", "periods": ['
        '{"niss": "90010100123", "kind": "employment", "period": {"start": "2024-01-01"},'
        ' "label": "\\udfff"}]}]',
    ],
)
def test_a_lone_surrogate_is_refused_at_the_first_step(tmp_path: Path, document: str) -> None:
    (tmp_path / "in.json").write_text(document, encoding="utf-8")
    for target in ("out.csv", "out.xml", "out.json"):
        result = run_cli("convert", tmp_path / "in.json", tmp_path / target)
        assert_no_traceback(result)
        assert result.returncode == 1
        assert "lone surrogate" in result.stderr
        assert "$[0]" in result.stderr
        assert not (tmp_path / target).exists()


def test_a_lone_surrogate_in_an_account_json_is_refused(tmp_path: Path) -> None:
    text = dumps([unstructure(_pc200_record())]).replace("Acme Academy", "Acme \\udc80")
    (tmp_path / "in.json").write_text(text, encoding="utf-8")
    result = run_cli("convert", tmp_path / "in.json", tmp_path / "out.xml")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "lone surrogate" in result.stderr
    assert not (tmp_path / "out.xml").exists()


def test_an_account_read_back_from_json_writes_to_xml() -> None:
    """Debits find their training by value: JSON gives new, equal objects (was ``id()``)."""
    record = _pc200_record()
    back = from_json(dumps([unstructure(record)]), list[AccountRecord])
    assert back == [record]
    assert back[0].account.trainings[0] is not record.account.trainings[0]
    assert read_training_accounts(training_accounts_bytes(back)).records == (record,)


@given(st.lists(AWKWARD.filter(bool), min_size=1, max_size=1))
@settings(max_examples=40, deadline=None)
def test_accounts_with_awkward_text_survive_xml_json_xml(texts: list[str]) -> None:
    record = _pc200_record()
    (training,) = record.account.trainings
    import attrs

    renamed = attrs.evolve(training, provider=texts[0], outcome=texts[0])
    account = attrs.evolve(
        record.account,
        trainings=(renamed,),
        statements=tuple(
            attrs.evolve(s, debits=tuple(attrs.evolve(d, training=renamed) for d in s.debits))
            for s in record.account.statements
        ),
    )
    record = attrs.evolve(record, account=account, last_name=texts[0])
    first = read_training_accounts(training_accounts_bytes([record])).records
    assert first == (record,)
    through_json = from_json(dumps([unstructure(r) for r in first]), list[AccountRecord])
    assert read_training_accounts(training_accounts_bytes(through_json)).records == (record,)


def test_the_demo_training_accounts_convert_xml_json_xml(tmp_path: Path) -> None:
    result = run_cli("demo", "--output", tmp_path)
    assert_no_traceback(result)
    archive = tmp_path / "training-accounts.xml"
    original = read_training_accounts(archive).records
    assert original
    steps = (("training-accounts.xml", "a.json"), ("a.json", "b.xml"))
    for source, target in steps:
        converted = run_cli("convert", tmp_path / source, tmp_path / target)
        assert_no_traceback(converted)
        assert converted.returncode == 0, converted.stderr
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert read_training_accounts(tmp_path / "b.xml").records == original
