"""Career-records texts (names, labels, employer names, sources) are bounded in every format.

Issue 11 item 1: docs/concepts.md (Limits) bounds a record's text fields at 4,096
characters. A longer text refuses its record, with the file, the line (XML, CSV) or
the JSON path, and the value quoted cut to 80 characters; the other records are kept
as they are for any other bad value of that format (XML: read; JSON, CSV: the file is
refused as a whole, every problem listed).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from mycareer.career import CareerPeriod, CareerRecords
from mycareer.cli._convert import read_records, records_to_csv
from mycareer.errors import InvalidValueError, MycareerError, MycareerErrorGroup, flatten_errors
from mycareer.period import Period
from mycareer.xmlio.career_records import (
    career_records_bytes,
    finding_from_element,
    read_career_records,
)

#: The documented limit (docs/concepts.md, Limits: MAX_TEXT_CHARS).
LIMIT = 4096
LONG = "n" * 5000
NS = "urn:mycareer:career-records:1"
GOOD = (
    '<worker niss="90010100123" name="An"><period kind="employment" start="2024-01-01"/></worker>'
)
HEADER = (
    "niss,name,kind,start,end,employer_enterprise,employer_nsso,employer_name,"
    "fraction,joint_commission,label,provisional\n"
)


def _assert_cut(line: str) -> None:
    assert "(5000 chars): longer than 4096 characters" in line
    assert f"'{LONG[:80]}'…" in line
    assert LONG[:81] not in line


@pytest.mark.parametrize(
    ("worker", "path_end"),
    [
        (f'<worker niss="93051822361" name="{LONG}"/>', ".name"),
        (
            f'<worker niss="93051822361"><employer ref="e" enterprise="0403019261" '
            f'name="{LONG}"/></worker>',
            ".employers[0].name",
        ),
        (
            f'<worker niss="93051822361"><period kind="employment" start="2024-01-01" '
            f'label="{LONG}"/></worker>',
            ".periods[0].label",
        ),
        (
            '<worker niss="93051822361"><period kind="employment" start="2024-01-01">'
            f'<source file="{LONG}" line="3"/></period></worker>',
            ".periods[0].source.file",
        ),
        (
            '<worker niss="93051822361"><period kind="employment" start="2024-01-01">'
            f'<source file="q1.xml" record="{LONG}"/></period></worker>',
            ".periods[0].source.record",
        ),
    ],
    ids=["worker-name", "employer-name", "label", "source-file", "source-record"],
)
def test_xml_refuses_the_worker_with_a_long_text_and_keeps_the_others(
    tmp_path: Path, worker: str, path_end: str
) -> None:
    path = tmp_path / "records.xml"
    path.write_text(f'<careerRecords xmlns="{NS}">\n{GOOD}\n{worker}\n{GOOD}\n</careerRecords>\n')
    result = read_career_records(path, on_error="collect")
    assert [r.niss.value for r in result.records] == ["90010100123", "90010100123"]
    (error,) = result.errors
    assert isinstance(error, InvalidValueError)
    line = str(error)
    assert line.startswith(f"{path}:3: invalid ")
    assert line.endswith(f"@ $.workers[1]{path_end}")
    _assert_cut(line)


def test_xml_keeps_a_text_of_exactly_the_limit_in_both_readers(tmp_path: Path) -> None:
    text = "é" * LIMIT
    worker = (
        f'<worker niss="93051822361" name="{text}"><employer ref="e" enterprise="0403019261" '
        f'name="{text}"/><period kind="employment" start="2024-01-01" employer="e" '
        f'label="{text}"/></worker>'
    )
    path = tmp_path / "records.xml"
    path.write_text(f'<careerRecords xmlns="{NS}">\n{worker}\n</careerRecords>\n')
    (record,) = read_career_records(path).records
    (period,) = record.periods
    assert record.name == period.label == text
    assert period.employer is not None
    assert period.employer.name == text
    # one character more refuses it, whichever reader (fast or checked) sees it first
    path.write_text(path.read_text().replace(f'label="{text}"', f'label="{text}x"'))
    result = read_career_records(path, on_error="collect")
    assert not result.records
    assert [e.path for e in result.errors if isinstance(e, InvalidValueError)] == [
        "$.workers[0].periods[0].label"
    ]


def _json_worker(niss: str, *, name: str = "An", label: str = "", employer: str = "") -> object:
    return {
        "niss": niss,
        "name": name,
        "periods": [
            {
                "niss": niss,
                "kind": "employment",
                "period": {"start": "2024-01-01", "end": None},
                "employer": {"enterprise": "0403019261", "nsso": None, "name": employer or None},
                "fraction": None,
                "joint_commission": None,
                "label": label or None,
                "provisional": False,
                "source": None,
            }
        ],
    }


@pytest.mark.parametrize(
    ("change", "path", "what"),
    [
        ({"name": LONG}, "$[1].name", "text"),
        ({"label": LONG}, "$[1].periods[0].label", "text"),
        ({"employer": LONG}, "$[1].periods[0].employer", "employer name"),
    ],
    ids=["worker-name", "label", "employer-name"],
)
def test_json_refuses_a_long_text_naming_the_file_and_path(
    tmp_path: Path, change: dict[str, str], path: str, what: str
) -> None:
    document = [
        _json_worker("90010100123"),
        _json_worker("93051822361", **change),
        _json_worker("85073003328"),
    ]
    source = tmp_path / "records.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(MycareerErrorGroup) as caught:
        read_records(str(source), "json")
    (line,) = flatten_errors(caught.value)
    assert line.startswith(f"{source}: invalid {what} 'nnn")
    assert line.endswith(f"@ {path}")
    _assert_cut(line)
    change = dict.fromkeys(change, "é" * LIMIT)  # exactly the limit is kept
    source.write_text(json.dumps([_json_worker("93051822361", **change)]), encoding="utf-8")
    (record,) = read_records(str(source), "json")
    (period,) = record.periods
    employer = period.employer.name if period.employer is not None else None
    assert "é" * LIMIT in (record.name, period.label, employer)


@pytest.mark.parametrize(
    ("column", "index"),
    [("name", 1), ("employer_name", 7), ("label", 10)],
)
def test_csv_refuses_the_row_with_a_long_text_naming_the_line(
    tmp_path: Path, column: str, index: int
) -> None:
    good = "90010100123,An,employment,2024-01-01,,0403019261,100006,Acme,4/5,200,,false"
    cells = good.split(",")
    cells[0] = "93051822361"
    cells[index] = LONG
    source = tmp_path / "records.csv"
    source.write_text(f"{HEADER}{good}\n{','.join(cells)}\n{good}\n", encoding="utf-8")
    with pytest.raises(MycareerError) as caught:
        read_records(str(source), "csv")
    (line,) = flatten_errors(caught.value)
    assert line.startswith(f"{source}:3: invalid {column} 'nnn")
    assert line.endswith(f"@ $.{column}")
    _assert_cut(line)
    cells[index] = "é" * LIMIT  # exactly the limit is kept
    source.write_text(f"{HEADER}{','.join(cells)}\n", encoding="utf-8")
    (record,) = read_records(str(source), "csv")
    assert record.periods[0].niss.value == "93051822361"


def test_the_csv_writer_refuses_a_text_its_reader_would_refuse() -> None:
    period = CareerPeriod("90010100123", "employment", Period(date(2024, 1, 1), None), label=LONG)
    with pytest.raises(InvalidValueError) as caught:
        records_to_csv([CareerRecords("90010100123", [period])], io.StringIO())
    assert caught.value.message == "text of 5000 characters: longer than a text is read back (4096)"
    assert caught.value.path == "$.workers[0].periods[0].label"


def test_the_xml_writer_refuses_a_text_its_readers_would_refuse() -> None:
    period = CareerPeriod("90010100123", "employment", Period(date(2024, 1, 1), None), label=LONG)
    with pytest.raises(MycareerErrorGroup) as caught:
        career_records_bytes([CareerRecords("90010100123", [period], name="é" * LIMIT)])
    (line,) = flatten_errors(caught.value)  # the name of exactly the limit is written
    assert line.endswith("longer than 4096 characters @ $.workers[0].periods[0].label")
    _assert_cut(line)


def test_a_finding_read_back_refuses_a_long_message() -> None:
    from lxml import etree

    element = etree.fromstring(
        f'<finding xmlns="{NS}" code="X1" severity="info" message="{LONG}"/>'.encode()
    )
    with pytest.raises(InvalidValueError) as caught:
        finding_from_element(element, "t.xml", "$.findings[0]")
    line = str(caught.value)
    assert line.startswith("t.xml:1: invalid message 'nnn")
    assert line.endswith("@ $.findings[0].message")
    _assert_cut(line)
