"""Every JSON output of the CLI matches the JSON Schema published in the docs.

The documents are produced by running the commands as a user would, on
fictitious DmfA declarations written by ``examples/_fictitious.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

from ._run import assert_no_traceback, run_cli

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "src" / "mycareer" / "schemas"


@pytest.fixture(scope="module")
def declarations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dmfa")
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from _fictitious import write_declarations  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "examples"))
    write_declarations(folder)
    return folder


def _schema(name: str) -> dict[str, object]:
    schema: dict[str, object] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return schema


def test_timeline_json_matches_its_schema(declarations: Path) -> None:
    result = run_cli("timeline", declarations, "--format", "json", "--provisional-quarters", "1")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, _schema("timeline-1.schema.json"))
    assert len(document["workers"]) == 25  # 22 + An, Bart, Chantal
    bart = next(w for w in document["workers"] if w["niss"] == "85073003328")
    # Bart leaves on 2024-03-15 and comes back on 2024-07-01
    assert [(g["start"], g["end"]) for g in bart["gaps"]] == [("2024-03-16", "2024-06-30")]


def test_entitlements_json_matches_the_shipped_schema(declarations: Path) -> None:
    result = run_cli("entitlements", declarations, "--year", "2025", "--format", "json")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    schema = json.loads(
        (ROOT / "src/mycareer/schemas/entitlements-1.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(json.loads(result.stdout), schema)


def test_account_json_matches_the_documented_schema(declarations: Path) -> None:
    from mycareer.cli._account import ACCOUNT_JSON_SCHEMA

    result = run_cli("account", declarations, "--as-of", "2025-12-31", "--format", "json")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    jsonschema.validate(json.loads(result.stdout), ACCOUNT_JSON_SCHEMA)
