"""mkdocs hook: pages generated from the code at build time, so they cannot drift.

* ``<!-- mycareer-cli-reference -->`` becomes one section per subcommand listed in
  ``mycareer.cli.COMMANDS`` with its ``--help`` text (``tests/test_docs.py``
  checks it against ``mycareer <command> --help`` run as a user would);
* ``<!-- mycareer-json-schema NAME -->`` becomes the JSON Schema shipped in the
  package as ``mycareer/schemas/NAME.schema.json`` (the docs hold no copy);
* doctest blocks (``>>>`` lines and their output) in docstrings are fenced as
  ``pycon`` code, so the API reference shows them as code rather than as Markdown.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

MARKER = "<!-- mycareer-cli-reference -->"
WIDTH = "100"


def command_helps() -> dict[str, str]:
    """``{command: help text}`` for ``mycareer`` itself ("") and every subcommand."""
    from mycareer.cli import COMMANDS, build_parser

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH  # argparse wraps to the terminal width
    try:
        parser = build_parser()
        helps = {"": parser.format_help()}
        for action in parser._actions:  # argparse has no public accessor for subparsers
            if isinstance(action, argparse._SubParsersAction):
                for name in COMMANDS:
                    helps[name] = action.choices[name].format_help()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return helps


def cli_reference() -> str:
    sections = []
    for name, text in command_helps().items():
        title = f"mycareer {name}".strip()
        sections.append(f"## `{title}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(sections)


SCHEMA_MARKER = re.compile(r"^([ \t]*)<!-- mycareer-json-schema ([\w-]+) -->", re.M)


def json_schema_block(match: re.Match[str]) -> str:
    from mycareer.schemas import schema_text

    indent, name = match.groups()
    block = f"```json\n{schema_text(name).rstrip()}\n```"
    return "\n".join(indent + line for line in block.splitlines())


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, cli_reference())
    return SCHEMA_MARKER.sub(json_schema_block, markdown)


class _DoctestFence(Preprocessor):
    """Wrap bare doctest blocks (outside fences) in ```pycon fences."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fence: str | None = None
        index = 0
        while index < len(lines):
            line = lines[index]
            stripped = line.lstrip()
            if fence is not None:
                if stripped.startswith(fence):
                    fence = None
                out.append(line)
                index += 1
                continue
            if stripped.startswith(("```", "~~~")):
                fence = stripped[:3]
                out.append(line)
                index += 1
                continue
            if stripped.startswith(">>>"):
                indent = line[: len(line) - len(stripped)]
                out.append(f"{indent}```pycon")
                while index < len(lines) and lines[index].strip():
                    out.append(lines[index])
                    index += 1
                out.append(f"{indent}```")
                continue
            out.append(_ROLE.sub(r"`\1`", line))
            index += 1
        return out


# Sphinx roles in docstrings (:class:`~a.B`) shown as plain code in Markdown.
_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):`~?([^`]+)`")


class DoctestFenceExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_DoctestFence(md), "mycareer_doctest_fence", 35)


def on_config(config: Any) -> Any:
    # The same list is handed to mkdocstrings, which renders docstrings with it.
    config.markdown_extensions.append(DoctestFenceExtension())
    return config
