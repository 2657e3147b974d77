"""The JSON Schemas (draft 2020-12) of every JSON document mycareer writes, shipped as data.

Each schema is the file ``NAME-VERSION.schema.json`` in this package; its ``$id`` is
``urn:mycareer:schema:NAME:VERSION``. ``mycareer schema`` lists them and
``mycareer schema NAME`` prints one; the docs render these very files.

>>> "timeline-1" in schema_names()
True
>>> json_schema("timeline")["$id"]
'urn:mycareer:schema:timeline:1'
>>> schema_id("entitlements-1")
'urn:mycareer:schema:entitlements:1'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

from mycareer._cache import bounded_cache
from mycareer.errors import InvalidValueError

__all__ = ["SCHEMA_ID_PREFIX", "json_schema", "schema_id", "schema_names", "schema_text"]

#: Every ``$id`` starts with this prefix, then ``NAME:VERSION``.
SCHEMA_ID_PREFIX: Final = "urn:mycareer:schema:"

_SUFFIX: Final = ".schema.json"


@bounded_cache(maxsize=1)
def schema_names() -> tuple[str, ...]:
    """Every shipped schema as ``NAME-VERSION``, sorted."""
    folder = resources.files(__name__)
    return tuple(
        sorted(
            entry.name.removesuffix(_SUFFIX)
            for entry in folder.iterdir()
            if entry.name.endswith(_SUFFIX)
        )
    )


def _split(full: str) -> tuple[str, str]:
    base, _, version = full.rpartition("-")
    return base, version


def _resolve(name: str) -> str:
    """``NAME-VERSION`` for ``NAME-VERSION`` or ``NAME`` (its latest version)."""
    names = schema_names()
    if name in names:
        return name
    versions = [full for full in names if _split(full)[0] == name]
    if not versions:
        raise InvalidValueError(f"no JSON Schema named {name[:80]!r}; known: {', '.join(names)}")
    return max(versions, key=lambda full: int(_split(full)[1]))


def schema_text(name: str) -> str:
    """The schema file's text, as shipped (``name`` with or without ``-VERSION``)."""
    full = _resolve(name)
    return (resources.files(__name__) / f"{full}{_SUFFIX}").read_text("utf-8")


def json_schema(name: str) -> dict[str, Any]:
    """The schema as a fresh dict (``name`` with or without ``-VERSION``)."""
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


def schema_id(name: str) -> str:
    """``urn:mycareer:schema:NAME:VERSION`` of a schema."""
    base, version = _split(_resolve(name))
    return f"{SCHEMA_ID_PREFIX}{base}:{version}"
