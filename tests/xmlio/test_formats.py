"""The XML machinery shared by mycareer's own formats (issue 3 §3, §4, §6).

Safety payloads (docs/formats.md, Official ONSS documents): DOCTYPEs (XXE, external DTD,
billion laughs) are refused before anything is expanded.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import IO, cast

import pytest
from lxml import etree

from mycareer.errors import InputError, UnsupportedDocumentError
from mycareer.xmlio._safe import SchemaIssue
from mycareer.xmlio.formats import (
    FORMATS,
    ReadResult,
    XmlFormat,
    get_format,
    iter_record_elements,
    open_writer,
    read_decoded,
    register_format,
    validate,
    write_records,
)

NS = "urn:mycareer:career-records:1"
FMT = get_format("career-records")


def doc(*workers: str) -> bytes:
    body = "\n".join(workers)
    return (
        f'<?xml version="1.0"?>\n<careerRecords xmlns="{NS}">\n{body}\n</careerRecords>\n'.encode()
    )


def niss_of(element: etree._Element, file: str, path: str) -> str:
    value = element.get("niss")
    assert value is not None
    return value


# --- registry -----------------------------------------------------------------------


def test_registry_describes_the_career_records_format() -> None:
    assert FORMATS["career-records"] is FMT
    assert FMT.namespace == "urn:mycareer:career-records:1"
    assert FMT.root_tag == f"{{{NS}}}careerRecords"
    assert FMT.record_tag == f"{{{NS}}}worker"
    schema_file = resources.files("mycareer.xmlio.schemas").joinpath(FMT.xsd)
    assert schema_file.is_file()
    root = etree.fromstring(schema_file.read_bytes())
    assert root.get("targetNamespace") == FMT.namespace


def test_schema_is_loaded_once() -> None:
    assert FMT.schema() is FMT.schema()


def test_unknown_format_name_is_a_key_error_listing_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown XML format 'timeline'.*career-records"):
        get_format("timeline")


def test_register_refuses_a_different_format_under_a_taken_name() -> None:
    clash = XmlFormat("career-records", 2, "x", "y", "x.xsd", "$.y")
    with pytest.raises(ValueError, match="already registered"):
        register_format(clash)
    assert register_format(FMT) is FMT  # registering the same entry again is harmless


# --- writing ------------------------------------------------------------------------


def worker(niss: str) -> etree._Element:
    return etree.Element(FMT.tag("worker"), {"niss": niss}, nsmap={None: NS})


def test_write_records_streams_valid_documents_one_record_per_line(tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    count = write_records(target, FMT, (worker(n) for n in ["90010100123", "93051822361"]))
    assert count == 2
    lines = target.read_bytes().splitlines()
    assert lines[0].startswith(b"<?xml")
    assert lines[2].startswith(b"<worker")
    assert b"90010100123" in lines[2]
    assert lines[3].startswith(b"<worker")
    assert b"93051822361" in lines[3]
    assert validate(target, FMT) == []
    assert not [p for p in tmp_path.iterdir() if p.name != "out.xml"]  # no temp file left


def test_a_failed_write_leaves_an_existing_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    target.write_bytes(b"previous content")

    def records() -> Iterator[etree._Element]:
        yield worker("90010100123")
        raise RuntimeError("the producer broke")

    with pytest.raises(RuntimeError, match="producer broke"):
        write_records(target, FMT, records())
    assert target.read_bytes() == b"previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]


def test_open_writer_nests_elements_of_the_format() -> None:
    out = io.BytesIO()
    with open_writer(out, FMT) as writer, writer.element("worker", {"niss": "90010100123"}):
        pass
    tree = etree.fromstring(out.getvalue())
    assert tree.tag == FMT.root_tag
    assert [child.tag for child in tree] == [FMT.tag("worker")]
    assert validate(out.getvalue(), FMT) == []


# --- reading: root, namespace, safety ---------------------------------------------


def test_records_stream_and_consumed_ones_are_cleared() -> None:
    data = doc(
        *(f'<worker niss="{i:011d}"><period kind="x" start="s"/></worker>' for i in range(500))
    )
    seen = []
    for _index, element in enumerate(iter_record_elements(data, FMT)):
        seen.append(element.get("niss"))
        assert len(element) == 1  # the record is complete when yielded
        previous = element.getprevious()
        if previous is not None:  # only the last record is left, and it was cleared
            assert len(previous) == 0
            assert not previous.attrib
            assert previous.getprevious() is None
    assert seen == [f"{i:011d}" for i in range(500)]


def test_wrong_root_names_what_was_found_and_expected_with_file_and_line() -> None:
    data = b'<?xml version="1.0"?>\n\n<DmfAOriginal><Form/></DmfAOriginal>'
    with pytest.raises(InputError) as caught:
        list(iter_record_elements(data, FMT, name="q1.xml"))
    message = str(caught.value)
    assert message.startswith("q1.xml:3: not a career-records document")
    assert "found <DmfAOriginal> in no namespace" in message
    assert f"expected <careerRecords> in namespace '{NS}'" in message


def test_wrong_namespace_is_refused_even_with_the_right_root_name() -> None:
    data = b'<careerRecords xmlns="urn:example:other"><worker niss="1"/></careerRecords>'
    with pytest.raises(InputError, match="found <careerRecords> in namespace 'urn:example:other'"):
        list(iter_record_elements(data, FMT, name="a.xml"))


def test_another_version_of_the_format_is_unsupported() -> None:
    data = b'<careerRecords xmlns="urn:mycareer:career-records:2"/>'
    with pytest.raises(UnsupportedDocumentError, match=r"unsupported version.*records:2"):
        list(iter_record_elements(data, FMT, name="v2.xml"))


def test_xxe_against_a_local_file_is_refused_and_nothing_leaks(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE careerRecords [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f'<careerRecords xmlns="{NS}"><worker niss="&xxe;"/></careerRecords>'
    ).encode()
    path = tmp_path / "xxe.xml"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        list(iter_record_elements(path, FMT))
    assert "DOCTYPE" in str(caught.value)
    assert str(path) in str(caught.value)
    assert "TOP-SECRET" not in str(caught.value)
    with pytest.raises(InputError, match=r"DOCTYPE|entity") as caught:
        validate(path, FMT)
    assert "TOP-SECRET" not in str(caught.value)


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    data = f'<!DOCTYPE careerRecords [{entities}]><careerRecords xmlns="{NS}">&l9;</careerRecords>'
    with pytest.raises(InputError, match="DOCTYPE"):
        list(iter_record_elements(data.encode(), FMT, name="lol.xml"))


def test_a_doctype_hidden_after_a_long_comment_is_still_refused() -> None:
    """_safe peeks at the first 4 KiB only; the root check looks at the document info too."""
    padding = "<!--" + "x" * 5000 + "-->\n"
    data = (
        f'<?xml version="1.0"?>\n{padding}<!DOCTYPE careerRecords [<!ENTITY x "expanded">]>\n'
        f'<careerRecords xmlns="{NS}"><worker niss="&x;"/></careerRecords>'
    ).encode()
    with pytest.raises(InputError, match="DOCTYPE"):
        list(iter_record_elements(data, FMT, name="hidden.xml"))
    with pytest.raises(InputError, match="DOCTYPE"):
        list(iter_record_elements(io.BufferedReader(io.BytesIO(data)), FMT, name="hidden.xml"))


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (doc('<worker niss="90010100123"/>')[:-30], 3),  # truncated inside the root
        (b"", None),
        (b'<careerRecords xmlns="urn:mycareer:career-records:1">\n<worker></wrker>', 2),
    ],
    ids=["truncated", "empty", "malformed"],
)
def test_broken_documents_fail_with_file_and_line(data: bytes, line: int | None) -> None:
    with pytest.raises(InputError) as caught:
        list(iter_record_elements(data, FMT, name="broken.xml"))
    error = caught.value
    assert error.source is not None
    assert error.source.file == "broken.xml"
    if line is not None:
        assert error.source.line == line


def test_a_non_seekable_stream_is_read_and_its_root_checked() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data = doc('<worker niss="90010100123"/>', '<worker niss="93051822361"/>')
    assert [e.get("niss") for e in iter_record_elements(cast(IO[bytes], Pipe(data)), FMT)] == [
        "90010100123",
        "93051822361",
    ]
    with pytest.raises(InputError, match="found <other>"):
        list(iter_record_elements(cast(IO[bytes], Pipe(b"<other><worker/></other>")), FMT))


def test_read_decoded_collect_keeps_records_read_before_a_truncation() -> None:
    data = doc('<worker niss="90010100123"/>', '<worker niss="93051822361"/>')[:-10]
    result = read_decoded(data, FMT, niss_of, name="cut.xml", on_error="collect")
    assert isinstance(result, ReadResult)
    assert result.records == ("90010100123", "93051822361")
    assert not result.ok
    assert len(result.errors) == 1
    assert "cut.xml:5: malformed XML" in str(result.errors[0])
    with pytest.raises(InputError):
        read_decoded(data, FMT, niss_of, name="cut.xml")


# --- validation -------------------------------------------------------------------------


def test_validation_lists_each_issue_with_its_line() -> None:
    data = doc(
        '<worker niss="90010100123"/>',
        '<worker niss="12"/>',
        '<worker niss="90010100123"><period kind="holiday" start="2024-01-01"/></worker>',
    )
    issues = validate(data, "career-records", name="bad.xml")
    assert [(issue.file, issue.line) for issue in issues] == [("bad.xml", 4), ("bad.xml", 5)]
    assert "'12'" in issues[0].message
    assert "niss" in issues[0].message
    assert "'holiday'" in issues[1].message
    assert all(isinstance(issue, SchemaIssue) for issue in issues)


def test_one_function_validates_by_name_format_schema_or_xsd_path() -> None:
    data = doc('<worker niss="90010100123"/>')
    schema_path = resources.files("mycareer.xmlio.schemas").joinpath(FMT.xsd)
    tree = etree.ElementTree(etree.fromstring(data))
    assert validate(data, "career-records") == []
    assert validate(io.BytesIO(data), FMT) == []
    assert validate(tree, FMT.schema()) == []
    assert validate(data, Path(str(schema_path))) == []
    assert validate(data, str(schema_path)) == []


def test_unknown_schema_name_and_missing_xsd_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown XML format 'dmfa-orig'"):
        validate(doc(), "dmfa-orig")
    with pytest.raises(InputError, match="cannot read XSD"):
        validate(doc(), tmp_path / "missing.xsd")


@pytest.mark.onss_xsd
def test_official_onss_schema_by_path_accepts_the_shared_sample_and_lists_errors(
    onss_xsd_dir: Path, tmp_path: Path
) -> None:
    """The same function validates the official DmfA sample against DmfAOriginal_20231.xsd."""
    samples = Path(__file__).resolve().parents[3] / "shared" / "samples"
    sample = samples / "dmfa_skeleton_example.xml"
    if not sample.is_file():
        pytest.skip(f"shared sample {sample} not found")
    xsd = onss_xsd_dir / "DmfAOriginal_20231.xsd"
    assert validate(sample, xsd) == []
    broken_text = sample.read_text(encoding="utf-8").replace(
        "<Quarter>20231</Quarter>", "<Quarter>2023-1</Quarter>"
    )
    broken = tmp_path / "broken.xml"
    broken.write_text(broken_text, encoding="utf-8")
    issues = validate(broken, xsd)
    quarter_line = next(
        number
        for number, text in enumerate(broken_text.splitlines(), start=1)
        if "<Quarter>" in text
    )
    assert issues
    assert issues[0].line == quarter_line
    assert issues[0].file == str(broken)
    assert "Quarter" in issues[0].message
    shutil.rmtree(tmp_path, ignore_errors=True)
