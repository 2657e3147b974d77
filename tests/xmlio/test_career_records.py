"""The career-records format: worked examples, bad documents, extension point (issue 3 §3, §4)."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.demo import load_demo
from mycareer.employer import Employer
from mycareer.enterprise import EnterpriseNumber
from mycareer.errors import (
    ErrorCollector,
    InputError,
    InvalidValueError,
    MycareerErrorGroup,
    SourceRef,
    flatten_errors,
)
from mycareer.findings import Finding, Severity
from mycareer.joint_commission import JointCommission
from mycareer.kinds import PeriodKind
from mycareer.niss import Niss
from mycareer.nsso import NssoNumber
from mycareer.period import Period
from mycareer.work_fraction import WorkFraction
from mycareer.xmlio.career_records import (
    CAREER_RECORDS,
    WORKER_SECTIONS,
    career_records_bytes,
    career_records_element,
    career_records_from_element,
    findings_element,
    findings_from_element,
    iter_career_records,
    read_career_records,
    write_career_records,
    write_worker,
)
from mycareer.xmlio.formats import iter_record_elements, open_writer, validate, write_records

NS = CAREER_RECORDS.namespace
AN = Niss("90010100123")
BART = Niss("93051822361")
ACME = Employer(EnterpriseNumber("0403019261"), NssoNumber("100006"), "Demo Consulting SRL")


def doc(*lines: str) -> bytes:
    body = "\n".join(lines)
    return (
        f'<?xml version="1.0"?>\n<careerRecords xmlns="{NS}">\n{body}\n</careerRecords>\n'.encode()
    )


def an_career() -> CareerRecords:
    """The DmfA sample: full time, then 4/5 from 15 Feb 2023 (Q/S 3040/3800)."""
    return CareerRecords(
        AN,
        [
            CareerPeriod(
                AN,
                PeriodKind.EMPLOYMENT,
                Period(date(2019, 9, 1), date(2023, 2, 14)),
                ACME,
                WorkFraction(1),
                JointCommission("200"),
                source=SourceRef("dmfa-20231.xml", 31, "$.occupations[0]"),
            ),
            CareerPeriod(
                AN,
                PeriodKind.EMPLOYMENT,
                Period(date(2023, 2, 15), None),
                ACME,
                WorkFraction.from_hundredths(3040, 3800),
                JointCommission("200"),
                provisional=True,
            ),
            CareerPeriod(
                AN, PeriodKind.CAREER_BREAK, Period(date(2024, 5, 1), date(2024, 5, 31)), label="x"
            ),
        ],
        name="An Peeters",
    )


# --- the written document -------------------------------------------------------


def test_worked_example_is_written_as_documented_and_read_back() -> None:
    data = career_records_bytes([an_career()])
    tree = etree.fromstring(data)
    (worker,) = tree
    assert worker.get("niss") == "90010100123"
    assert worker.get("name") == "An Peeters"
    employer, first, second, third = worker
    assert employer.tag == CAREER_RECORDS.tag("employer")
    assert dict(employer.attrib) == {
        "ref": "0403019261",
        "enterprise": "0403019261",
        "nsso": "100006",
        "name": "Demo Consulting SRL",
    }
    assert first.get("employer") == second.get("employer") == "0403019261"
    assert (first.get("start"), first.get("end"), first.get("fraction")) == (
        "2019-09-01",
        "2023-02-14",
        "1",
    )
    assert second.get("end") is None  # ongoing
    assert second.get("fraction") == "4/5"  # exact: 3040/3800
    assert second.get("provisional") == "true"
    assert first.get("provisional") is None
    assert dict(first[0].attrib) == {
        "file": "dmfa-20231.xml",
        "line": "31",
        "record": "$.occupations[0]",
    }
    assert third.get("kind") == "career_break"
    assert third.get("employer") is None
    assert validate(data, CAREER_RECORDS) == []
    assert read_career_records(data).records == (an_career(),)


def test_the_demo_sample_round_trips_and_validates(tmp_path: Path) -> None:
    workers = load_demo().workers
    target = tmp_path / "demo.xml"
    write_career_records(target, workers)
    assert validate(target, "career-records") == []
    result = read_career_records(target)
    assert result.ok
    assert result.records == workers


def test_employers_sharing_a_key_get_distinct_refs() -> None:
    other_office = Employer(EnterpriseNumber("0403019261"), NssoNumber("100105"))
    nsso_only = Employer(nsso=NssoNumber("100006"))
    periods = [
        CareerPeriod(AN, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1), date(2024, 1, 31)), e)
        for e in (ACME, other_office, nsso_only, ACME)
    ]
    data = career_records_bytes([CareerRecords(AN, periods)])
    worker = etree.fromstring(data)[0]
    assert [e.get("ref") for e in worker if e.tag == CAREER_RECORDS.tag("employer")] == [
        "0403019261",
        "0403019261-2",
        "nsso:100006",
    ]
    assert [p.get("employer") for p in worker if p.tag == CAREER_RECORDS.tag("period")] == [
        "0403019261",
        "0403019261-2",
        "nsso:100006",
        "0403019261",
    ]
    assert validate(data, CAREER_RECORDS) == []
    (back,) = read_career_records(data).records
    assert [p.employer for p in back.periods] == [ACME, other_office, nsso_only, ACME]


def test_schema_enumerations_match_the_python_enums() -> None:
    xsd = CAREER_RECORDS.schema()
    del xsd  # loaded from package data; read its text for the enumerations
    from importlib import resources

    text = resources.files("mycareer.xmlio.schemas").joinpath(CAREER_RECORDS.xsd).read_text()
    tree = etree.fromstring(text.encode())
    xs = "{http://www.w3.org/2001/XMLSchema}"

    def values(type_name: str) -> list[str]:
        simple = tree.find(f"{xs}simpleType[@name='{type_name}']")
        assert simple is not None
        return [str(e.get("value")) for e in simple.iter(f"{xs}enumeration")]

    assert values("PeriodKindType") == [kind.value for kind in PeriodKind]
    assert values("SeverityType") == [severity.value for severity in Severity]


# --- writing refuses what cannot be written --------------------------------------


def test_writer_reports_every_unwritable_value_and_leaves_the_file_untouched(
    tmp_path: Path,
) -> None:
    stray = CareerPeriod(BART, PeriodKind.EMPLOYMENT, Period(date(2024, 1, 1)))
    bad_label = CareerPeriod(AN, PeriodKind.OTHER, Period(date(2024, 1, 1)), label="tab\x00")
    target = tmp_path / "out.xml"
    target.write_bytes(b"before")
    workers = [
        an_career(),
        CareerRecords(AN, [stray]),
        CareerRecords(AN, [bad_label], name="ok"),
    ]
    with pytest.raises(MycareerErrorGroup) as caught:
        write_career_records(target, workers)
    lines = flatten_errors(caught.value)
    assert lines == [
        "period of NISS 93051822361 listed under worker 90010100123 @ $.workers[1].periods[0].niss",
        "cannot write 'tab\\x00' as XML: character U+0000 is not allowed in XML 1.0"
        " @ $.workers[2].periods[0].label",
    ]
    assert target.read_bytes() == b"before"


# --- reading bad documents ------------------------------------------------------------


GOOD = '<worker niss="90010100123"><period kind="employment" start="2024-01-01"/></worker>'


@pytest.mark.parametrize(
    ("worker", "value", "path"),
    [
        ('<worker niss="90010100124"/>', "'90010100124'", "$.workers[1].niss"),
        (
            '<worker niss="90010100123"><employer ref="a" enterprise="0403019262"/></worker>',
            "'0403019262'",
            "$.workers[1].employers[0].enterprise",
        ),
        (
            '<worker niss="90010100123"><employer ref="a" nsso="42"/></worker>',
            "'42'",
            "$.workers[1].employers[0].nsso",
        ),
        (
            '<worker niss="90010100123"><period kind="employment" start="2024-02-30"/></worker>',
            "'2024-02-30'",
            "$.workers[1].periods[0].start",
        ),
        (
            '<worker niss="90010100123"><period kind="employment" start="20240101"/></worker>',
            "'20240101'",
            "$.workers[1].periods[0].start",
        ),
        (
            '<worker niss="90010100123">'
            '<period kind="employment" start="2024-02-01" end="2024-01-31"/></worker>',
            "2024-01-31",
            "$.workers[1].periods[0].end",
        ),
        (
            '<worker niss="90010100123"><period kind="holiday" start="2024-01-01"/></worker>',
            "'holiday'",
            "$.workers[1].periods[0].kind",
        ),
        (
            '<worker niss="90010100123">'
            '<period kind="employment" start="2024-01-01" fraction="1/0"/></worker>',
            "'1/0'",
            "$.workers[1].periods[0].fraction",
        ),
        (
            '<worker niss="90010100123">'
            '<period kind="employment" start="2024-01-01" jointCommittee="20"/></worker>',
            "'20'",
            "$.workers[1].periods[0].jointCommittee",
        ),
        (
            '<worker niss="90010100123">'
            '<period kind="employment" start="2024-01-01" employer="nobody"/></worker>',
            "'nobody'",
            "$.workers[1].periods[0].employer",
        ),
        (
            '<worker niss="90010100123">'
            '<period kind="employment" start="2024-01-01" fration="4/5"/></worker>',
            "'fration'",
            "$.workers[1].periods[0]",
        ),
        (
            '<worker niss="90010100123"><perod kind="employment" start="2024-01-01"/></worker>',
            "<perod>",
            "$.workers[1].perod",
        ),
        (
            '<worker niss="90010100123"><period kind="employment" start="2024-01-01">'
            '<source line="ten"/></period></worker>',
            "'ten'",
            "$.workers[1].periods[0].source.line",
        ),
    ],
    ids=[
        "niss-checksum",
        "enterprise-checksum",
        "nsso-range",
        "impossible-date",
        "basic-iso-date",
        "end-before-start",
        "unknown-kind",
        "zero-denominator",
        "joint-committee",
        "undeclared-employer",
        "unknown-attribute",
        "unknown-element",
        "source-line",
    ],
)
def test_a_bad_value_is_named_with_file_line_and_path(worker: str, value: str, path: str) -> None:
    data = doc(GOOD, worker, GOOD)
    result = read_career_records(data, name="batch.xml", on_error="collect")
    assert len(result.records) == 2  # the good workers around it are kept
    (error,) = result.errors
    assert value in error.message
    assert error.source is not None
    assert (error.source.file, error.source.line) == ("batch.xml", 4)
    assert error.path is not None
    assert error.path.startswith(path)
    assert str(error).startswith("batch.xml:4: ")


def test_a_batch_reports_every_bad_worker_and_keeps_the_good_ones() -> None:
    data = doc(
        GOOD,
        '<worker niss="123"><period kind="employment" start="2024-13-01"/></worker>',
        '<worker niss="93051822361"/>',
        '<worker niss="90010100123"><period kind="x" start="2024-01-01"/>'
        '<period kind="employment" start="2024-01-01" end="2023-01-01"/></worker>',
    )
    result = read_career_records(data, name="b.xml", on_error="collect")
    assert [str(w.niss) for w in result.records] == ["90010100123", "93051822361"]
    assert [(e.path, e.source.line if e.source else None) for e in result.errors] == [
        ("$.workers[1].niss", 4),
        ("$.workers[1].periods[0].start", 4),
        ("$.workers[3].periods[0].kind", 6),
        ("$.workers[3].periods[1].end", 6),
    ]
    with pytest.raises(MycareerErrorGroup) as caught:
        read_career_records(data, name="b.xml")
    assert len(flatten_errors(caught.value)) == 4
    assert "b.xml" in str(caught.value)


def test_streaming_reader_raises_on_the_first_bad_worker_without_a_collector() -> None:
    data = doc(GOOD, '<worker niss="1"/>', GOOD)
    seen = []
    with pytest.raises(MycareerErrorGroup, match=re.escape("invalid worker '1' at s.xml:4")):
        for worker in iter_career_records(data, name="s.xml"):
            seen.append(worker)
    assert len(seen) == 1
    collector = ErrorCollector(raise_on_exit=False)
    assert len(list(iter_career_records(data, name="s.xml", errors=collector))) == 2
    assert [e.path for e in collector.errors] == ["$.workers[1].niss"]


def test_employer_ref_declared_twice_and_missing_niss_are_reported() -> None:
    data = doc(
        '<worker niss="90010100123"><employer ref="a" nsso="100006"/>'
        '<employer ref="a" nsso="100105"/></worker>',
        "<worker/>",
    )
    result = read_career_records(data, on_error="collect")
    assert result.records == ()
    messages = [e.message for e in result.errors]
    assert messages == ["employer ref 'a' is declared twice", "a worker needs a niss"]


def test_wrong_root_and_unsafe_documents_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"found <DmfAOriginal>"):
        read_career_records(b"<DmfAOriginal/>")
    collected = read_career_records(b"<DmfAOriginal/>", name="d.xml", on_error="collect")
    assert collected.records == ()
    assert [str(e) for e in collected.errors] == [
        f"d.xml:1: not a career-records document: found <DmfAOriginal> in no namespace, "
        f"expected <careerRecords> in namespace '{NS}' @ $"
    ]
    path = tmp_path / "xxe.xml"
    path.write_bytes(
        b'<!DOCTYPE careerRecords [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + doc('<worker niss="&x;"/>').split(b"\n", 1)[1]
    )
    with pytest.raises(InputError, match="DOCTYPE"):
        read_career_records(path)


def test_reads_from_a_binary_stream() -> None:
    stream = io.BytesIO(career_records_bytes([an_career()]))
    assert read_career_records(stream).records == (an_career(),)


# --- extension point: sections after the periods ---------------------------------


def test_findings_section_extends_a_worker_validates_and_reads_back() -> None:
    """The timeline issue appends sections to the worker element; this reader skips them."""
    findings = [
        Finding(
            "DMFA_DUPLICATE", Severity.WARNING, "two originals for 20231", SourceRef("b.xml", 3)
        ),
        Finding("GAP", Severity.INFO, "no period in May", None),
    ]
    worker = career_records_element(an_career())
    worker.append(findings_element(findings))
    out = io.BytesIO()
    write_records(out, CAREER_RECORDS, [worker])
    assert validate(out.getvalue(), CAREER_RECORDS) == []
    assert "findings" in WORKER_SECTIONS
    read_back = []
    for element in iter_record_elements(out.getvalue(), CAREER_RECORDS):
        section = element.find(CAREER_RECORDS.tag("findings"))
        assert section is not None
        read_back.append(findings_from_element(section, "f.xml", "$.workers[0].findings"))
    assert read_back == [tuple(findings)]
    assert read_career_records(out.getvalue()).records == (an_career(),)


def test_bad_finding_names_its_value() -> None:
    data = doc(
        '<worker niss="90010100123"><findings><finding code="X" severity="fatal" message="m"/>'
        "</findings></worker>"
    )
    element = next(iter_record_elements(data, CAREER_RECORDS))
    section = element.find(CAREER_RECORDS.tag("findings"))
    assert section is not None
    with pytest.raises(InvalidValueError, match=re.escape("invalid severity 'fatal'")) as caught:
        findings_from_element(section, "f.xml", "$.workers[0].findings")
    assert caught.value.path == "$.workers[0].findings[0].severity"
    assert caught.value.source == SourceRef("f.xml", 3)
    assert validate(data, CAREER_RECORDS)  # the schema refuses it too


def test_decoder_is_usable_on_its_own() -> None:
    element = career_records_element(an_career(), path="$.workers[7]")
    assert career_records_from_element(element, "mem", "$.workers[7]") == an_career()


def test_write_worker_adds_sections_and_a_refused_worker_leaves_the_stream_well_formed() -> None:
    out = io.BytesIO()
    findings = [Finding("GAP", Severity.INFO, "no period in May")]
    refused = CareerRecords(AN, [], name="bad\x07name")
    with open_writer(out, CAREER_RECORDS) as writer:
        write_worker(writer, an_career(), sections=[findings_element(findings)])
        with pytest.raises(MycareerErrorGroup) as caught:
            write_worker(writer, refused, path="$.workers[1]")
        write_worker(writer, CareerRecords(BART), path="$.workers[2]")
    assert flatten_errors(caught.value) == [
        "cannot write 'bad\\x07name' as XML: character U+0007 is not allowed in XML 1.0"
        " @ $.workers[1].name"
    ]
    assert validate(out.getvalue(), CAREER_RECORDS) == []
    assert read_career_records(out.getvalue()).records == (an_career(), CareerRecords(BART))
