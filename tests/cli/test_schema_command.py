"""``mycareer schema`` lists and prints the JSON Schemas shipped in the package (issue 12, 7)."""

from __future__ import annotations

import json
import re
from importlib import resources

import jsonschema
import pytest

from mycareer.schemas import SCHEMA_ID_PREFIX, json_schema, schema_names

from ._run import assert_no_traceback, run_cli

#: Every JSON document the CLI writes has its schema shipped, whatever else is added.
EXPECTED = {"account-1", "career-records-1", "entitlements-1", "timeline-1", "validate-report-1"}


def test_the_schemas_ship_as_package_data() -> None:
    shipped = {
        entry.name.removesuffix(".schema.json")
        for entry in resources.files("mycareer.schemas").iterdir()
        if entry.name.endswith(".schema.json")
    }
    assert set(schema_names()) == shipped
    assert shipped >= EXPECTED


@pytest.mark.parametrize("name", schema_names())
def test_each_schema_is_valid_with_one_id_scheme(name: str) -> None:
    schema = json_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    base, version = re.fullmatch(r"([a-z-]+)-(\d+)", name).groups()  # type: ignore[union-attr]
    assert schema["$id"] == f"{SCHEMA_ID_PREFIX}{base}:{version}"
    assert schema["title"]


def test_listing_names_every_schema_with_its_id() -> None:
    result = run_cli("schema")
    assert_no_traceback(result)
    assert result.returncode == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert [(row[0], row[1]) for row in rows] == [
        (name, json_schema(name)["$id"]) for name in schema_names()
    ]


@pytest.mark.parametrize(
    ("asked", "name"), [("timeline", "timeline-1"), ("account-1", "account-1")]
)
def test_printing_one_gives_the_shipped_schema(asked: str, name: str) -> None:
    result = run_cli("schema", asked)
    assert result.returncode == 0
    assert json.loads(result.stdout) == json_schema(name)


def test_an_unknown_name_is_a_usage_error_listing_the_known_ones() -> None:
    result = run_cli("schema", "nope")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "mycareer schema: error: no JSON Schema named 'nope'" in result.stderr
    assert "timeline-1" in result.stderr


def _property_names(node: object) -> set[str]:
    if isinstance(node, dict):
        properties = node.get("properties")
        names = set(properties) if isinstance(properties, dict) else set()
        return names.union(*(_property_names(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_property_names(value) for value in node))
    return set()


@pytest.mark.parametrize("name", ["account-1", "entitlements-1", "timeline-1", "trainings-1"])
def test_an_employer_is_called_employer_in_every_output(name: str) -> None:
    # (career records keep the Employer value's own fields: employer.enterprise, .nsso)
    names = _property_names(json_schema(name))
    assert "enterprise" not in names, f"{name}: 'enterprise' where every other output says employer"
