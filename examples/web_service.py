"""Wrap mycareer in a small web service: a plain WSGI callable, no framework.

``application`` answers

* ``GET /health`` → ``{"status": "ok", "version": ...}``;
* ``POST /entitlements?year=2025&lang=fr`` with a DmfA declaration (``application/xml``)
  or a zip of declarations (``application/zip``) → the ``entitlements-1`` JSON
  (the schema of ``mycareer entitlements --format json``); every refused record
  comes back in ``errors`` with its file, line and path, and a request with nothing
  usable gets status 422.

Any WSGI server can host it (gunicorn, uWSGI, mod_wsgi, waitress). Run with no
arguments, this script serves it with the standard library's ``wsgiref`` on a
free local port, sends it the fictitious declarations and a broken one, prints
the answers and stops.
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
from mycareer.errors import InvalidValueError, MycareerError, flatten_errors
from mycareer.fla import Lang
from mycareer.fla.entitlement import compute_entitlements
from mycareer.fla.serialize import entitlement_to_json
from mycareer.xmlio.dmfa import iter_dmfa

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
MAX_BODY = 50 * 1024 * 1024  # refuse larger uploads instead of exhausting memory

# --8<-- [start:app]


def _documents(body: bytes, content_type: str) -> Iterator[tuple[str, bytes]]:
    if content_type.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in sorted(archive.namelist()):
                if name.lower().endswith(".xml"):
                    yield name, archive.read(name)
    else:
        yield "request.xml", body


def _json(start_response: StartResponse, status: str, data: object) -> Iterable[bytes]:
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    start_response(
        status,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
        ],
    )
    return [payload]


def entitlements(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        year = int(query.get("year", [""])[0])
    except ValueError:
        return _json(start_response, "400 Bad Request", {"error": "year=YYYY is required"})
    languages: dict[str, Lang] = {"en": "en", "fr": "fr", "nl": "nl"}
    lang = languages.get(query.get("lang", ["en"])[0])
    if lang is None:
        return _json(start_response, "400 Bad Request", {"error": "lang must be en, fr or nl"})
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        return _json(start_response, "413 Payload Too Large", {"error": "body too large"})
    body = environ["wsgi.input"].read(length)
    records: list[DmfaWorkerRecord] = []
    errors: list[InvalidValueError] = []
    try:
        for name, document in _documents(body, environ.get("CONTENT_TYPE", "")):
            try:
                records.extend(iter_dmfa(document, name=name, errors=errors))
            except MycareerError as error:  # unreadable document: report it, keep the others
                errors.append(InvalidValueError("; ".join(flatten_errors(error))))
    except zipfile.BadZipFile as error:
        return _json(start_response, "400 Bad Request", {"error": f"bad zip: {error}"})
    problems = [str(error) for error in errors]
    if not records:
        return _json(start_response, "422 Unprocessable Content", {"errors": problems})
    results = compute_entitlements(records, (), year)
    data = {
        "entitlements": [entitlement_to_json(result, lang) for result in results],
        "errors": problems,
    }
    return _json(start_response, "200 OK", data)


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI entry point: route by method and path."""
    route = (environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
    if route == ("GET", "/health"):
        return _json(start_response, "200 OK", {"status": "ok", "version": __version__})
    if route == ("POST", "/entitlements"):
        return entitlements(environ, start_response)
    return _json(start_response, "404 Not Found", {"error": f"no route {route[0]} {route[1]}"})


# --8<-- [end:app]


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
        print(f"POST /entitlements (truncated XML) → {status}: {data['errors'][0]}")
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
