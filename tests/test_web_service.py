"""The web-service recipe (``examples/web_service.py``): RFC 9457 problems that keep each
error's file, line and path; an OpenAPI 3.1 description built from the shipped schemas;
zip members bounded before they are read (issue 12 item 9, issue 11 item 4)."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest

from mycareer.schemas import json_schema

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def service() -> Iterator[ModuleType]:
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location("web_service", EXAMPLES / "web_service.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(EXAMPLES))


@pytest.fixture(scope="module")
def declarations(tmp_path_factory: pytest.TempPathFactory, service: ModuleType) -> list[Path]:
    from _fictitious import write_declarations  # type: ignore[import-not-found]

    paths: list[Path] = write_declarations(tmp_path_factory.mktemp("dmfa"))
    return paths


def call(
    service: ModuleType, method: str, path: str, body: bytes = b"", content_type: str = ""
) -> tuple[int, str, Any]:
    """Call the WSGI app in process: (status, content type, decoded JSON)."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"] = int(status.split()[0])
        answer["type"] = dict(headers)["Content-Type"].split(";")[0]

    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    payload = b"".join(service.application(environ, start_response))
    return answer["status"], answer["type"], json.loads(payload)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/entitlements?year=abcd", 400), ("/entitlements?year=2025&lang=de", 400), ("/nope", 404)],
)
def test_bad_requests_are_problem_details(service: ModuleType, path: str, status: int) -> None:
    method = "GET" if path == "/nope" else "POST"
    code, kind, body = call(service, method, path, b"<x/>", "application/xml")
    assert (code, kind) == (status, "application/problem+json")
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["status"] == status


def test_unusable_input_is_a_422_problem_with_structured_errors(service: ModuleType) -> None:
    code, kind, body = call(
        service, "POST", "/entitlements?year=2025", b"<DmfAOriginal>\n<Form>", "application/xml"
    )
    assert (code, kind) == (422, "application/problem+json")
    (error,) = body["errors"]
    assert (error["file"], error["line"]) == ("request.xml", 2)
    assert error["message"].startswith("malformed XML")
    jsonschema.validate(error, json_schema("timeline-1")["$defs"]["error"])


def test_good_members_are_computed_and_a_broken_one_reported_apart(
    service: ModuleType, declarations: list[Path]
) -> None:
    members = {p.name: p.read_bytes() for p in declarations}
    members["zz-broken.xml"] = b"<DmfAOriginal><Form>"
    code, kind, body = call(
        service, "POST", "/entitlements?year=2025", _zip(members), "application/zip"
    )
    assert (code, kind) == (200, "application/json")
    assert len(body["entitlements"]) == 25
    (error,) = body["errors"]
    assert (error["file"], error["line"]) == ("zz-broken.xml", 1)
    entitlement = json_schema("entitlements-1")
    for item in body["entitlements"]:
        jsonschema.validate([item], entitlement)


def test_zip_members_are_bounded_before_any_is_read(
    service: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was read before the bounds were checked")

    bomb = _zip({"bomb.xml": bytes(service.MAX_MEMBER_SIZE + 1)})
    many = _zip({f"q{i}.xml": b"<x/>" for i in range(4)})
    two = _zip({"a.xml": b"<x>123</x>", "b.xml": b"<x>456</x>"})
    assert len(bomb) < 100_000  # 20 MiB of zeros deflate to ~20 KB
    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    code, kind, body = call(service, "POST", "/entitlements?year=2025", bomb, "application/zip")
    assert (code, kind) == (413, "application/problem+json")
    assert "bomb.xml" in body["detail"]
    monkeypatch.setattr(service, "MAX_MEMBERS", 3)
    code, _, body = call(service, "POST", "/entitlements?year=2025", many, "application/zip")
    assert code == 413
    assert "4 declarations" in body["detail"]
    monkeypatch.setattr(service, "MAX_MEMBERS", 1000)
    monkeypatch.setattr(service, "MAX_UNZIPPED", 10)
    code, _, body = call(service, "POST", "/entitlements?year=2025", two, "application/zip")
    assert code == 413
    assert "in all" in body["detail"]


def test_a_member_larger_than_its_directory_says_is_refused(
    service: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _zip({"liar.xml": b"<x>" + b"0" * 1000 + b"</x>"})
    real = zipfile.ZipFile.infolist

    def lying(self: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
        infos = real(self)
        for info in infos:
            info.file_size = 10  # the directory claims a small member
        return infos

    monkeypatch.setattr(zipfile.ZipFile, "infolist", lying)
    code, kind, body = call(service, "POST", "/entitlements?year=2025", data, "application/zip")
    assert (code, kind) == (400, "application/problem+json")  # never more than it claimed
    assert body["detail"].startswith("liar.xml: ")


# --- OpenAPI -------------------------------------------------------------------------


def _refs(node: Any, base: dict[str, Any], root: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every ``$ref`` with the document it is relative to (a schema with ``$id`` is its own)."""
    if isinstance(node, dict):
        if "$id" in node:
            base = node
        if isinstance(node.get("$ref"), str):
            yield node["$ref"], base
        for value in node.values():
            yield from _refs(value, base, root)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value, base, root)


def _resolve(ref: str, base: dict[str, Any]) -> Any:
    assert ref.startswith("#/"), f"external reference {ref}"
    node: Any = base
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_openapi_is_valid_json_and_every_reference_resolves(service: ModuleType) -> None:
    document = json.loads(json.dumps(service.openapi()))
    assert document["openapi"] == "3.1.0"
    assert {"/health", "/entitlements"} <= set(document["paths"])
    refs = list(_refs(document, document, document))
    assert len(refs) > 10
    for ref, base in refs:
        _resolve(ref, base)
    responses = document["paths"]["/entitlements"]["post"]["responses"]
    assert {"200", "400", "413", "422"} <= set(responses)


def test_openapi_schemas_are_the_shipped_ones(
    service: ModuleType, declarations: list[Path]
) -> None:
    schemas = service.openapi()["components"]["schemas"]
    shipped = json_schema("entitlements-1")
    entitlement = schemas["Entitlement"]
    assert entitlement["$defs"] == shipped["$defs"]
    assert entitlement["properties"] == shipped["$defs"]["entitlement"]["properties"]
    members = {p.name: p.read_bytes() for p in declarations}
    _, _, body = call(service, "POST", "/entitlements?year=2025", _zip(members), "application/zip")
    jsonschema.Draft202012Validator.check_schema(entitlement)
    for item in body["entitlements"][:5]:
        jsonschema.validate(item, entitlement)
