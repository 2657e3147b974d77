"""The order one read of every file gives (mycareer.read_order), against a plain oracle:
findings and errors listed file by file, as one reader going through the files would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mycareer.errors import InvalidValueError, SourceRef
from mycareer.findings import Finding, Severity
from mycareer.read_order import errors_in_file_order, reading_in_file_order
from mycareer.xmlio.documents import DOCUMENT_VERSION_UNKNOWN

FILES = ("a.xml", "b.xml", "c.xml")
#: A file of the run, or one it does not know, or none at all.
WHERE = st.sampled_from([*FILES, "elsewhere.xml", None])


def _finding(number: int, file: str | None, version: bool) -> Finding:
    code = DOCUMENT_VERSION_UNKNOWN if version else "DMFA_DUPLICATE_ORIGINAL"
    source = None if file is None else SourceRef(file, number)
    return Finding(code, Severity.INFO, f"finding {number}", source)


def _rank(file: str | None) -> int:
    return FILES.index(file) if file in FILES else len(FILES)


@given(st.lists(st.lists(st.tuples(WHERE, st.booleans()), max_size=6), max_size=4))
def test_reading_findings_come_versions_first_then_by_file(
    groups: list[list[tuple[str | None, bool]]],
) -> None:
    made = [
        [_finding(100 * g + i, file, version) for i, (file, version) in enumerate(group)]
        for g, group in enumerate(groups)
    ]
    expected = [
        finding
        for version in (True, False)
        for rank in range(len(FILES) + 1)
        for group in made  # within a file: group after group, each in its own order
        for finding in group
        if (finding.code == DOCUMENT_VERSION_UNKNOWN) == version
        and _rank(finding.source.file if finding.source else None) == rank
    ]
    assert reading_in_file_order(FILES, made) == expected


@given(st.lists(WHERE, max_size=12))
def test_errors_come_by_file_each_file_in_its_own_order(files: list[str | None]) -> None:
    errors = [
        InvalidValueError(f"error {n}", source=None if f is None else SourceRef(f, n))
        for n, f in enumerate(files)
    ]
    expected = [
        e for rank in range(len(FILES) + 1) for e in errors
        if _rank(e.source.file if e.source else None) == rank
    ]  # fmt: skip
    assert list(errors_in_file_order(FILES, errors)) == expected
