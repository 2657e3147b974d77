"""The documentation site stays true to the code.

``mkdocs build --strict`` (run by the README's test command) already refuses
missing pages, broken links, unresolved API references and missing snippet
files. These tests check what a build cannot: that the generated CLI reference
is what users see with ``--help``, that the Python shown in the pages runs, and
that the published JSON Schemas are valid schemas.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "_hooks" / "generated.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_the_real_help_of_every_command() -> None:
    helps = _hooks().command_helps()
    from mycareer.cli import COMMANDS

    assert set(helps) == {"", *COMMANDS}
    environment = {**os.environ, "COLUMNS": "100"}
    for command, text in helps.items():
        args = [command, "--help"] if command else ["--help"]
        result = subprocess.run(
            [sys.executable, "-m", "mycareer", *args],
            capture_output=True,
            text=True,
            env=environment,
            check=True,
        )
        assert result.stdout == text, f"mycareer {command} --help differs from the docs"


def test_cli_page_is_generated_from_the_parser() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    hooks = _hooks()
    assert hooks.MARKER in page
    rendered = hooks.on_page_markdown(page, None, None, None)
    assert "## `mycareer validate`" in rendered
    assert "usage: mycareer convert" in rendered


def _python_blocks(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [
        block
        for block in re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
        if "--8<--" not in block  # included example scripts run in test_examples.py
    ]


RUNNABLE = [page for page in PAGES if _python_blocks(page)]


@pytest.mark.parametrize("page", RUNNABLE, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_shown_in_the_docs_runs(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": "docs_example"}
    for block in _python_blocks(page):
        exec(compile(block, str(page), "exec"), namespace)


def test_the_pages_that_promise_runnable_code_have_some() -> None:
    names = {str(page.relative_to(DOCS)) for page in RUNNABLE}
    assert {"getting-started.md", "concepts.md", "notebooks.md"} <= names


@pytest.mark.parametrize(
    "schema",
    [
        *sorted((ROOT / "src/mycareer/schemas").glob("*.json")),
    ],
    ids=lambda p: p.name,
)
def test_published_json_schemas_are_valid(schema: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(schema.read_text(encoding="utf-8")))


def test_generated_schema_marker_renders_valid_json() -> None:
    page = (DOCS / "formats.md").read_text(encoding="utf-8")
    rendered = _hooks().on_page_markdown(page, None, None, None)
    assert "mycareer-json-schema" not in rendered
    assert '"$id": "urn:mycareer:schema:account:1"' in rendered


def test_doctest_blocks_are_fenced_for_the_api_reference() -> None:
    markdown = pytest.importorskip("markdown")
    md = markdown.Markdown(extensions=["fenced_code", _hooks().DoctestFenceExtension()])
    html = md.convert("Intro :class:`~mycareer.period.Period`.\n\n>>> [1][0]\n1\n\nAfter.")
    assert "<blockquote>" not in html
    assert "<code>" in html
    assert "&gt;&gt;&gt; [1][0]" in html
    assert "<code>mycareer.period.Period</code>" in html


def test_disclaimer_and_fla_dates_are_stated() -> None:
    home = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "not** affiliated with" in home
    assert "mycareer.be" in home
    fla = (DOCS / "fla.md").read_text(encoding="utf-8")
    for fact in ("14 January 2026", "1 January 2025", "1 January 2027"):
        assert fact in fla
    rules = (DOCS / "training-right.md").read_text(encoding="utf-8")
    for number in range(1, 18):
        assert f"| B-{number} |" in rules, f"ambiguity B-{number} missing"


def test_getting_started_shows_the_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    page = DOCS / "getting-started.md"
    text = page.read_text(encoding="utf-8")
    first = _python_blocks(page)[0]
    exec(compile(first, str(page), "exec"), {"__name__": "docs_example"})
    printed = capsys.readouterr().out.splitlines()
    shown = re.search(r"^```text\n(.*?)^```", text, re.S | re.M)
    assert shown is not None
    for line in shown.group(1).splitlines():
        assert line in printed, f"the page shows {line!r}, the code prints otherwise"


#: Citations of files that are not in the repository (the team's private domain notes).
#: ``docs/training-right.md`` is in the repository: links to it and mentions of its path
#: are fine, a ``training-right.md §x`` section citation is not (its sections are the
#: private note's). This file, which names them as examples, is not scanned.
_FOREIGN_CITATION = re.compile(
    r"career-data\.md|anchors\.md|onss-glossary|shared/domain"
    r"|(?<!docs/)(?<!\]\()(?<!\.\./)training-right\.md`*\s*§"
)
_SCANNED = ("src", "tests", "examples", "benchmarks", "tools", "docs")
_SUFFIXES = {".py", ".md", ".json", ".xsd", ".toml", ".txt", ".csv", ".xml", ".yml", ".yaml"}


def foreign_citations(root: Path) -> list[str]:
    """``file:line`` of every citation of a file that is not in the repository."""
    found = []
    for top in _SCANNED:
        for path in sorted((root / top).rglob("*")):
            if (
                path.suffix not in _SUFFIXES
                or not path.is_file()
                or path == Path(__file__).resolve()
            ):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                if _FOREIGN_CITATION.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()[:100]}")
    return found


def test_foreign_citation_pattern() -> None:
    cited = [
        "career-data.md §3.4",
        "(anchors.md §1.1)",
        "training-right.md §2.7",
        "``training-right.md`` §5.2",
        "/work/shared/domain/x",
        "onss-glossary/Zones.xml",
    ]
    fine = [
        "docs/training-right.md",
        "[The training right](training-right.md#sector)",
        "[x](../training-right.md)",
        "R-COUNT-5, B-7",
        "art. 50 §2",
        "docs/concepts.md, Periods",
    ]
    assert all(_FOREIGN_CITATION.search(text) for text in cited)
    assert not any(_FOREIGN_CITATION.search(text) for text in fine)


def test_comments_cite_only_repository_files_or_public_sources() -> None:
    found = foreign_citations(ROOT)
    assert not found, "cites a file that is not in the repository:\n" + "\n".join(found)
