"""``mycareer schema [NAME]``: the JSON Schemas of every JSON document mycareer writes.

Without a name, lists the shipped schemas (``NAME-VERSION``, ``$id``, title); with one,
prints that schema as shipped (``timeline`` picks the latest version, ``timeline-1``
that version). The files live in :mod:`mycareer.schemas`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from mycareer.cli._common import EXIT_OK, add_command, usage_error
from mycareer.errors import InvalidValueError
from mycareer.schemas import json_schema, schema_names, schema_text

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "schema",
        help="list the JSON Schemas of mycareer's JSON outputs, or print one",
        description="Without NAME, list every JSON Schema shipped with mycareer (NAME-VERSION, "
        "$id and title). With NAME (e.g. timeline or timeline-1), print that schema.",
        examples=("mycareer schema", "mycareer schema entitlements > entitlements.schema.json"),
    )
    parser.add_argument(
        "name", nargs="?", metavar="NAME", help="schema to print (default: list them all)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if args.name is None:
        rows = [(name, json_schema(name)) for name in schema_names()]
        width = max(len(name) for name, _ in rows)
        id_width = max(len(schema["$id"]) for _, schema in rows)
        for name, schema in rows:
            print(f"{name:{width}}  {schema['$id']:{id_width}}  {schema['title']}", file=out)
        return EXIT_OK
    try:
        text = schema_text(args.name)
    except InvalidValueError as error:
        return usage_error("schema", str(error), err)
    out.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK
