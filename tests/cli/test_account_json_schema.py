"""The training-account JSON of ``mycareer convert`` matches its published JSON Schema.

The accounts are written as XML by ``mycareer account --format xml`` on the demo
declarations and trainings, then converted to JSON by ``mycareer convert``, both
run as a user would. The schema is
``src/mycareer/schemas/training-account-json-1.schema.json``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mycareer.demo import demo_paths

from ._run import assert_no_traceback, run_cli

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "src" / "mycareer" / "schemas" / "training-account-json-1.schema.json"

BART = "85073003328"
AN = "90010100123"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def _accounts_json(folder: Path, *extra: str) -> list[dict[str, Any]]:
    xml = folder / "accounts.xml"
    out = folder / "accounts.json"
    with demo_paths() as demo:
        result = run_cli(
            "account",
            demo.dmfa,
            "--trainings",
            demo.trainings,
            "--from-year",
            "2024",
            "--to-year",
            "2025",
            "--format",
            "xml",
            *extra,
        )
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    xml.write_text(result.stdout, encoding="utf-8")
    converted = run_cli("convert", xml, out)
    assert_no_traceback(converted)
    assert converted.returncode == 0, converted.stderr
    document: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return _accounts_json(tmp_path_factory.mktemp("accounts"))


@pytest.fixture(scope="module")
def terminated(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("terminated")
    return _accounts_json(folder, "--termination", f"{BART}=resignation@2025-06-30")


def _record(document: list[dict[str, Any]], niss: str) -> dict[str, Any]:
    return next(r for r in document if r["account"]["niss"] == niss)


def test_converted_accounts_match_the_schema(
    accounts: list[dict[str, Any]], schema: dict[str, Any]
) -> None:
    jsonschema.validate(accounts, schema)
    assert len(accounts) == 6
    an = _record(accounts, AN)["account"]
    assert len(an["trainings"]) == 2
    debits = [d for s in an["statements"] for d in s["debits"]]
    assert [d["days"] for d in debits] == ["1", "1/2"]  # exact fractions as text
    assert all(d["training"]["niss"] == AN for d in debits)
    assert an["termination"] is None


def test_terminated_account_matches_the_schema(
    terminated: list[dict[str, Any]], schema: dict[str, Any]
) -> None:
    jsonschema.validate(terminated, schema)
    bart = _record(terminated, BART)
    termination = bart["account"]["termination"]
    assert termination["reason"] == "resignation"
    assert termination["date"] == "2025-06-30"
    statement = next(s for s in bart["account"]["statements"] if s["year"] == 2025)
    assert statement["termination"] == termination
    assert [e["days"] for e in bart["entitlements"]] == ["1.0000", "0.7500"]


def test_schema_rejects_corrupted_documents(
    accounts: list[dict[str, Any]], schema: dict[str, Any]
) -> None:
    fraction_as_float = copy.deepcopy(accounts)
    fraction_as_float[0]["account"]["statements"][0]["opening"] = 0.5
    unknown_key = copy.deepcopy(accounts)
    unknown_key[0]["account"]["extra"] = 1
    bad_niss = copy.deepcopy(accounts)
    bad_niss[0]["account"]["niss"] = "123"
    missing_key = copy.deepcopy(accounts)
    del missing_key[0]["account"]["policy"]
    bad_enum = copy.deepcopy(accounts)
    bad_enum[0]["entitlements"][0]["band"] = "small"
    for document in (fraction_as_float, unknown_key, bad_niss, missing_key, bad_enum):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(document, schema)
