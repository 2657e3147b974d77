"""Wrap mycareer in a small web service: a plain WSGI callable, no framework.

``application`` answers

* ``GET /health`` → ``{"status": "ok", "version": ...}``;
* ``GET /openapi.json`` → the OpenAPI 3.1 description of these endpoints (:func:`openapi`),
  built from the JSON Schemas shipped in the package;
* ``POST /entitlements?year=2025&lang=fr`` with a DmfA declaration (``application/xml``)
  or a zip of declarations (``application/zip``) → ``{"entitlements": [...], "errors": [...]}``:
  each entitlement as ``mycareer.fla.entitlement_to_json`` writes it (schema
  ``entitlements-1``), each refused record or file with its file, line, record and path
  apart (``mycareer.jsontext.error_to_json``).

Every error answer is an RFC 9457 problem (``application/problem+json``): ``type``,
``title``, ``status``, ``detail`` and, for bad input, ``errors`` in the shape above. A
request with nothing usable gets 422; an oversized body or zip gets 413. Zip members are
bounded in number and uncompressed size, checked on the zip's directory before any
member is read, and again while reading (a directory can lie).

Any WSGI server can host it (gunicorn, uWSGI, mod_wsgi, waitress). Run with no
arguments, this script serves it with the standard library's ``wsgiref`` on a
free local port, sends it the fictitious declarations, a broken one and a zip bomb,
prints the answers and stops.
"""

from __future__ import annotations

import io
import json
import tempfile
import threading
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from mycareer import __version__
from mycareer.dmfa import DmfaWorkerRecord
from mycareer.errors import InvalidValueError, MycareerError
from mycareer.fla import Lang
from mycareer.fla.entitlement import compute_entitlements
from mycareer.fla.serialize import entitlement_to_json
from mycareer.jsontext import error_to_json, errors_to_json
from mycareer.schemas import json_schema
from mycareer.xmlio.dmfa import iter_dmfa

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
MAX_BODY = 50 * 1024 * 1024  # refuse larger uploads instead of exhausting memory
MAX_MEMBERS = 1_000  # declarations in one zip
MAX_MEMBER_SIZE = 20 * 1024 * 1024  # uncompressed bytes of one declaration
MAX_UNZIPPED = 200 * 1024 * 1024  # uncompressed bytes of the whole zip
PROBLEM_BASE = "urn:mycareer:problem:"  # the problem types of this service

# --8<-- [start:app]


class Problem(Exception):
    """An RFC 9457 problem: the answer to a request that cannot be served."""

    def __init__(
        self, status: int, kind: str, title: str, detail: str, errors: Iterable[Any] = ()
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.errors = list(errors)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        return body


def _too_large(detail: str) -> Problem:
    return Problem(413, "too-large", "Content Too Large", detail)


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The zip's XML members, refused on the directory before anything is inflated."""
    members = [i for i in archive.infolist() if i.filename.lower().endswith(".xml")]
    if len(members) > MAX_MEMBERS:
        raise _too_large(f"{len(members)} declarations in the zip; at most {MAX_MEMBERS}")
    for info in members:
        if info.file_size > MAX_MEMBER_SIZE:
            raise _too_large(
                f"{info.filename[:80]}: {info.file_size} bytes unzipped; at most {MAX_MEMBER_SIZE}"
            )
    total = sum(info.file_size for info in members)
    if total > MAX_UNZIPPED:
        raise _too_large(f"{total} bytes unzipped in all; at most {MAX_UNZIPPED}")
    return sorted(members, key=lambda info: info.filename)


def _documents(body: bytes, content_type: str) -> Iterator[tuple[str, bytes]]:
    if not content_type.startswith("application/zip"):
        yield "request.xml", body
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as error:
        raise Problem(400, "bad-zip", "Bad Request", f"not a zip file: {error}") from None
    with archive:
        for info in _members(archive):
            try:  # the directory may lie: read one byte more than allowed, at most
                with archive.open(info) as member:
                    data = member.read(MAX_MEMBER_SIZE + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError) as error:
                detail = f"{info.filename[:80]}: {str(error)[:80]}"
                raise Problem(400, "bad-zip", "Bad Request", detail) from None
            if len(data) > MAX_MEMBER_SIZE:
                raise _too_large(f"{info.filename[:80]}: over {MAX_MEMBER_SIZE} bytes unzipped")
            yield info.filename, data


def _json(start_response: StartResponse, status: str, data: object, kind: str) -> Iterable[bytes]:
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    start_response(
        status,
        [("Content-Type", f"{kind}; charset=utf-8"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def _ok(start_response: StartResponse, data: object) -> Iterable[bytes]:
    return _json(start_response, "200 OK", data, "application/json")


def _problem(start_response: StartResponse, problem: Problem) -> Iterable[bytes]:
    reason = {400: "Bad Request", 404: "Not Found", 413: "Content Too Large",
              422: "Unprocessable Content"}[problem.status]  # fmt: skip
    status = f"{problem.status} {reason}"
    return _json(start_response, status, problem.to_json(), "application/problem+json")


def _arguments(environ: dict[str, Any]) -> tuple[int, Lang]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        year = int(query.get("year", [""])[0][:4])
    except ValueError:
        raise Problem(400, "bad-query", "Bad Request", "year=YYYY is required") from None
    languages: dict[str, Lang] = {"en": "en", "fr": "fr", "nl": "nl"}
    lang = languages.get(query.get("lang", ["en"])[0])
    if lang is None:
        raise Problem(400, "bad-query", "Bad Request", "lang must be en, fr or nl")
    return year, lang


def _read(environ: dict[str, Any]) -> tuple[list[DmfaWorkerRecord], list[dict[str, Any]]]:
    """Every good record, and every refused record or file; a file that fails adds nothing."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        raise _too_large(f"{length} bytes; at most {MAX_BODY}")
    body = environ["wsgi.input"].read(length)
    records: list[DmfaWorkerRecord] = []
    errors: list[dict[str, Any]] = []
    for name, document in _documents(body, environ.get("CONTENT_TYPE", "")):
        refused: list[InvalidValueError] = []
        try:
            found = list(iter_dmfa(document, name=name, errors=refused))
        except MycareerError as error:  # unreadable document: report it, keep the others
            errors.extend(errors_to_json(error))
            continue
        records.extend(found)
        errors.extend(error_to_json(e) for e in refused)
    return records, errors


def entitlements(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    try:
        year, lang = _arguments(environ)
        records, errors = _read(environ)
        if not records:
            raise Problem(
                422, "no-usable-input", "Unprocessable Content",
                "no worker record could be read from the request", errors,
            )  # fmt: skip
        results = compute_entitlements(records, (), year)
    except Problem as problem:
        return _problem(start_response, problem)
    except MycareerError as error:  # e.g. a year outside the rulebook
        detail = str(error)[:200]
        problem = Problem(422, "refused", "Unprocessable Content", detail, errors_to_json(error))
        return _problem(start_response, problem)
    data = {
        "entitlements": [entitlement_to_json(result, lang) for result in results],
        "errors": errors,
    }
    return _ok(start_response, data)


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI entry point: route by method and path."""
    route = (environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
    if route == ("GET", "/health"):
        return _ok(start_response, {"status": "ok", "version": __version__})
    if route == ("GET", "/openapi.json"):
        return _ok(start_response, openapi())
    if route == ("POST", "/entitlements"):
        return entitlements(environ, start_response)
    detail = f"no route {route[0]} {route[1]}"[:200]
    return _problem(start_response, Problem(404, "no-route", "Not Found", detail))


# --8<-- [end:app]

# --8<-- [start:openapi]

#: RFC 9457 problem details, with this service's ``errors`` member.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}},
    },
}


def _shipped(name: str, definition: str) -> dict[str, Any]:
    """One ``$defs`` entry of a shipped schema, made standalone: its ``$defs`` come along."""
    schema = json_schema(name)
    return {
        "$schema": schema["$schema"],
        "$id": f"{schema['$id']}:{definition}",
        **schema["$defs"][definition],
        "$defs": schema["$defs"],
    }


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 description of this service, from the schemas mycareer ships."""
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

    def answer(text: str) -> dict[str, Any]:
        return {"description": text, "content": problem}

    query = [
        {"name": "year", "in": "query", "required": True, "schema": {"type": "integer"}},
        {"name": "lang", "in": "query", "required": False,
         "schema": {"enum": ["en", "fr", "nl"], "default": "en"}},
    ]  # fmt: skip
    body = {"type": "string", "contentEncoding": "binary"}
    entitlements_answer = {
        "type": "object",
        "required": ["entitlements", "errors"],
        "properties": {
            "entitlements": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Entitlement"},
            },
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "mycareer web service (example)", "version": __version__},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/health": {"get": {"responses": {"200": {"description": "the service is up"}}}},
            "/entitlements": {
                "post": {
                    "summary": "training-right entitlements of every worker in the declarations",
                    "parameters": query,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/xml": {"schema": body},
                            "application/zip": {"schema": body},
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "entitlements and the refused records",
                            "content": {"application/json": {"schema": entitlements_answer}},
                        },
                        "400": answer("a bad query or a bad zip"),
                        "413": answer("a body, a zip member or a whole zip over its limit"),
                        "422": answer("nothing usable in the request"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Entitlement": _shipped("entitlements-1", "entitlement"),
                "Error": _shipped("timeline-1", "error"),
                "Problem": PROBLEM_SCHEMA,
            }
        },
    }


# --8<-- [end:openapi]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _post(url: str, body: bytes, content_type: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, body, {"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def main() -> None:
    from _fictitious import AN, write_declarations

    server = make_server("127.0.0.1", 0, application, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=10) as response:
            print("GET /health →", response.status, json.load(response)["status"])
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as response:
            print("GET /openapi.json →", response.status, "OpenAPI", json.load(response)["openapi"])
        with tempfile.TemporaryDirectory() as folder:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for path in write_declarations(Path(folder)):
                    archive.write(path, path.name)
        status, data = _post(
            f"{base}/entitlements?year=2025&lang=nl", buffer.getvalue(), "application/zip"
        )
        an = next(e for e in data["entitlements"] if e["niss"] == AN.value)
        print(
            f"POST /entitlements (zip of 13 DmfA files) → {status}: "
            f"{len(data['entitlements'])} entitlements, {len(data['errors'])} errors"
        )
        print(f"  An Peeters: {an['days']} days; {an['explanation'][-4]}")
        broken = b"<DmfAOriginal><Form>"
        status, data = _post(f"{base}/entitlements?year=2025", broken, "application/xml")
        error = data["errors"][0]
        print(
            f"POST /entitlements (truncated XML) → {status} {data['type']}: "
            f"{error['file']}:{error['line']}: {error['message']}"
        )
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bomb.xml", bytes(MAX_MEMBER_SIZE + 1))
        status, data = _post(f"{base}/entitlements?year=2025", bomb.getvalue(), "application/zip")
        size = len(bomb.getvalue())
        print(f"POST /entitlements ({size}-byte zip bomb) → {status}: {data['detail']}")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
