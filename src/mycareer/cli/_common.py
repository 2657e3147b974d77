"""What every ``mycareer`` command shares: exit codes, wording, option order, help layout.

One place for the words and options users meet in every command, so that one error
reads the same everywhere:

* :data:`EXIT_OK`, :data:`EXIT_INPUT`, :data:`EXIT_USAGE` and the epilog that lists them;
* :func:`error_line`: ``mycareer COMMAND: error: WHERE: MESSAGE`` (argparse's own layout);
* :data:`MISSING`: the message for a path that does not exist;
* :data:`FORMAT_ORDER`: ``--format`` choices always in this order;
* :func:`add_lang`: ``--lang`` for commands that print explanations;
* :func:`finish_parser`: applied to every subcommand by :func:`mycareer.cli.build_parser`
  (defaults shown, ``--format`` ordered, exit codes in ``--help``);
* :class:`ArgumentParser`: argparse's, whose usage errors quote an argument cut to
  80 characters (:func:`cut_arguments`);
* shared options: :func:`add_indent` (``--indent``), :func:`add_jobs` (``--jobs``) and
  :func:`add_output` (``--output``), and :func:`write_json`.

JSON is written compact by default, with the C encoder (``json.dumps``; ``json.dump``
to a file takes the pure-Python encoder, and indentation costs more again): a
document's top-level lists hold one item per line, which stays easy to grep and
to stream. ``--indent N`` writes the whole document indented for people.

>>> error_line("timeline", f"q1.xml: {MISSING}")
'mycareer timeline: error: q1.xml: cannot read: no such file or folder'
>>> ordered_formats(("xml", "csv", "json", "table"))
('table', 'json', 'csv', 'xml')
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, Final, NoReturn, TextIO

from mycareer._processes import usable_cores
from mycareer.jsontext import item_text
from mycareer.limits import MAX_SHOWN_CHARS, MISSING_INPUT, clip, shown

__all__ = [
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SYSTEM",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "EXIT_WRITE",
    "FORMAT_ORDER",
    "INPUT_PATH_OPTIONS",
    "LANGUAGES",
    "MISSING",
    "NAME_BYTES_BACK",
    "OUTPUT_FILE",
    "ArgumentParser",
    "HelpFormatter",
    "add_command",
    "add_indent",
    "add_jobs",
    "add_lang",
    "add_output",
    "cut_arguments",
    "default_jobs",
    "error_line",
    "exit_codes_epilog",
    "finish_parser",
    "json_lines",
    "missing_paths",
    "ordered_formats",
    "usage_error",
    "whole_number",
    "write_json",
]

#: The pictures ``timeline --plot`` draws, by the file name's suffix (any case).
PLOT_SUFFIXES: Final = (".png", ".svg")
EXIT_OK: Final = 0
EXIT_INPUT: Final = 1
EXIT_USAGE: Final = 2
#: Interrupted (Ctrl-C): 128 + SIGINT, as shells report a command the signal stopped.
EXIT_INTERRUPTED: Final = 130
#: Terminated (SIGTERM): 128 + SIGTERM.
EXIT_TERMINATED: Final = 143
#: The system stopped the run: memory ran out, a worker process was killed (the
#: out-of-memory killer's SIGKILL), or a limit was reached (processes, open files):
#: sysexits.h's EX_OSERR.
EXIT_SYSTEM: Final = 71
#: The system refused to write (a disk full, a file too large, no permission): sysexits.h's
#: EX_IOERR, so that a script tells the machine's trouble from bad input (1).
EXIT_WRITE: Final = 74

#: The one message for a path that does not exist, after ``PATH: ``.
MISSING: Final = MISSING_INPUT

#: ``--format`` choices are listed in this order by every command.
FORMAT_ORDER: Final = ("table", "json", "csv", "xml")

#: Languages of the explanations (``--lang``).
LANGUAGES: Final = ("en", "fr", "nl")

#: The destination of ``--output`` (:func:`add_output`); ``convert``'s OUT and ``demo``'s
#: ``--output`` folder are their commands' own.
OUTPUT_FILE: Final = "output_file"
#: How the command's outputs write a lone surrogate: the byte of a file name that is not
#: UTF-8, which os.fsdecode made it (in a message or a source). Written back as that byte,
#: as Python's own standard output does under a C or POSIX locale, not a traceback.
NAME_BYTES_BACK: Final = "surrogateescape"

#: Argument destinations that name input files or folders: a missing one is reported
#: with :data:`MISSING` before the command runs.
INPUT_PATH_OPTIONS: Final = ("paths", "input", "trainings", "outcomes")

_EXIT_CODES: Final = (
    "exit codes:\n"
    "  0  every input processed (findings, if any, on stderr)\n"
    "  1  {one}\n"
    "  2  usage error (bad option or argument)\n"
    "  71  the system stopped the run (out of memory, a worker process killed, a limit)"
    "{kept}\n"
    "  74  could not write (disk full, file too large, no permission, no such folder){kept}\n"
    "  130  interrupted (Ctrl-C), 143 terminated (SIGTERM){kept}"
)
_DEFAULT_ONE: Final = (
    "some input could not be processed (file and line on stderr; the rest is still output)"
)


def exit_codes_epilog(one: str = _DEFAULT_ONE, *, has_output: bool = False) -> str:
    """The ``exit codes:`` block of ``--help``; ``one`` says what exit code 1 means, and
    ``has_output`` whether the command has ``--output`` (:func:`add_output`)."""
    return _EXIT_CODES.format(one=one, kept=": --output left as it was" if has_output else "")


def error_line(command: str, message: str) -> str:
    """One error as every command prints it on stderr."""
    return f"mycareer {command}: error: {message}"


def usage_error(command: str, message: str, err: TextIO) -> int:
    """Print a usage error the way argparse does and return :data:`EXIT_USAGE`."""
    print(error_line(command, message), file=err)
    return EXIT_USAGE


def ordered_formats(available: Iterable[str]) -> tuple[str, ...]:
    """``available`` in :data:`FORMAT_ORDER` (unknown names last, as given)."""
    names = list(available)
    known = [name for name in FORMAT_ORDER if name in names]
    return (*known, *(name for name in names if name not in FORMAT_ORDER))


def add_lang(parser: argparse.ArgumentParser) -> None:
    """``--lang en|fr|nl`` (default en) for commands that print explanations."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of the explanations"
    )


def missing_paths(args: argparse.Namespace) -> list[str]:
    """Every input path named in ``args`` that does not exist (``-`` is standard input)."""
    missing: list[str] = []
    for dest in INPUT_PATH_OPTIONS:
        value = getattr(args, dest, None)
        values: Sequence[Any] = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str | Path) and str(item) != "-" and not Path(item).exists():
                missing.append(str(item))
    return missing


#: A quoted text in a message (a repr, in either quotes, escapes kept).
_QUOTED: Final = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def _cut_quoted(match: re.Match[str]) -> str:
    quoted = match.group(0)
    if len(quoted) <= MAX_SHOWN_CHARS + 2:
        return quoted
    mark = quoted[0]
    return f"{quoted[: MAX_SHOWN_CHARS + 1]}{mark}… ({len(quoted) - 2} chars)"


def cut_arguments(message: str, arguments: Iterable[str]) -> str:
    """A usage error with every argument it quotes cut as :func:`mycareer.limits.shown` does.

    argparse quotes a bad argument whole (``invalid int value: '999…'``), and so do the
    commands' own type checks; a value given as ``--option=VALUE`` is cut too, as is
    any long quoted text, and the message is at most :data:`~mycareer.limits.clip`'s length.

    >>> cut_arguments("argument --year: invalid int value: '" + "9" * 5000 + "'", ["9" * 5000])
    "argument --year: invalid int value: '999...999'… (5000 chars)"
    >>> cut_arguments("unrecognized arguments: " + "x" * 100, ["x" * 100])[-16:]
    "xx'… (100 chars)"
    """
    values = set()
    for argument in arguments:
        values.add(argument)
        if argument.startswith("-") and "=" in argument:
            values.add(argument.partition("=")[2])
    for value in sorted(values, key=len, reverse=True):
        if len(value) > MAX_SHOWN_CHARS and value in message:
            cut = shown(value)
            message = message.replace(repr(value), cut).replace(value, cut)
    return clip(_QUOTED.sub(_cut_quoted, message))


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors quote the arguments cut to 80 characters.

    Used for ``mycareer`` and (``add_subparsers`` takes the parser's class) every
    subcommand; the exit code (2) and argparse's wording are kept.
    """

    _arguments: Sequence[str] = ()

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        self._arguments = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        super().error(cut_arguments(message, self._arguments))


class HelpFormatter(argparse.HelpFormatter):
    """Shows each option's default when it has one; text with line breaks keeps its layout.

    A one-paragraph description is wrapped to the terminal; an epilog of examples and
    exit codes (several lines) is printed as written.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text.strip():
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        shown = default not in (None, False, [], (), argparse.SUPPRESS)
        if shown and "default" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text


def add_command(
    subparsers: Any, name: str, *, help: str, description: str, examples: Sequence[str] = ()
) -> argparse.ArgumentParser:
    """A subcommand parser with the shared layout and an ``examples:`` epilog."""
    epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples) if examples else None
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help, description=description, epilog=epilog, formatter_class=HelpFormatter
    )
    return parser


def finish_parser(parser: argparse.ArgumentParser, *, one: str = _DEFAULT_ONE) -> None:
    """Give a command's parser the shared layout, whatever its module set up.

    Shows defaults, orders ``--format`` choices, and appends the exit codes to the epilog
    (once; a command whose epilog already has ``exit codes:`` keeps its own).
    """
    parser.formatter_class = HelpFormatter
    for action in parser._actions:  # argparse has no public accessor for the actions
        choices = action.choices
        if choices is not None and set(choices) <= set(FORMAT_ORDER):
            action.choices = ordered_formats(choices)
            if "--format" in action.option_strings and not action.help:
                action.help = "output format: " + ", ".join(action.choices)
    epilog = parser.epilog or ""
    if "exit codes:" not in epilog:
        has_output = any(action.dest == OUTPUT_FILE for action in parser._actions)
        codes = exit_codes_epilog(one, has_output=has_output)
        parser.epilog = f"{epilog}\n\n{codes}".lstrip("\n")


def add_indent(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--indent",
        type=_indent,
        default=None,
        metavar="N",
        help="JSON output indented by N spaces, for people (default: compact, one item a line)",
    )


def _indent(text: str) -> int:
    return whole_number(text, "spaces", 0, 16)


def whole_number(text: str, unit: str, low: int, high: int) -> int:
    """An option's value: a whole number of ``unit`` from ``low`` to ``high``, else an
    argparse error that names the value (cut short).

    >>> whole_number("3", "spaces", 0, 16)
    3
    >>> whole_number("17", "spaces", 0, 16)
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 17 spaces: give 0 to 16
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of {unit}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value} {unit}: give {low} to {high}")
    return value


def add_output(parser: argparse.ArgumentParser) -> None:
    """``-o/--output FILE``: the command's output to a file, replaced only once complete.

    :func:`mycareer.cli.main` writes it through :func:`mycareer.outputs.atomic_output`
    and refuses a path that is one of the run's inputs, before any work.
    """
    parser.add_argument(
        "-o",
        "--output",
        dest=OUTPUT_FILE,
        metavar="FILE",
        default=None,
        help="write the output to FILE instead of standard output: FILE is replaced only "
        "once the output is complete (a refused or interrupted run leaves it as it was) "
        "and is never one of the inputs",
    )


def default_jobs() -> int:
    """The cores this process may use: the pipelines' own rule (:mod:`mycareer._processes`)."""
    return usable_cores()


def add_jobs(parser: argparse.ArgumentParser, note: str = "") -> None:
    """``--jobs N``; ``note`` adds what the command splits (and what it runs in one process)."""
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes (default: the usable cores; 1: one process); "
        "the output is the same byte for byte whatever N" + (f"; {note}" if note else ""),
    )


def _jobs(text: str) -> int:
    return whole_number(text, "processes", 1, 1024)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_lines(items: Iterable[str]) -> str:
    """A JSON array of already-encoded items, one a line."""
    body = ",\n".join(items)
    return f"[\n{body}\n]" if body else "[]"


def write_json(
    out: TextIO,
    document: Mapping[str, Any],
    indent: int | None,
    encoded: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """Write ``document``: indented when ``indent`` is given, else compact.

    ``encoded`` gives lists whose items are already JSON text, each
    ``item_text(value, indent, 2)`` (:func:`mycareer.jsontext.item_text`: encoded where
    it was computed, in a worker process, compact or indented as it sits in this
    document), written in place of ``document``'s: the bytes of ``json.dumps(document,
    indent=indent)`` with the lists filled in. The output is written as it goes, a few
    hundred items at a time: the whole text is never held (300 MB for the accounts of
    200,000 workers).

    >>> import io
    >>> sink = io.StringIO()
    >>> write_json(sink, {"as_of": "2024-12-31", "workers": [{"a": 1}, {"a": 2}]}, None)
    >>> print(sink.getvalue(), end="")
    {"as_of": "2024-12-31", "workers": [
    {"a": 1},
    {"a": 2}
    ]}
    """
    if indent is not None:
        if encoded:
            _write_indented(out, document, indent, encoded)
        else:
            out.write(json.dumps(document, ensure_ascii=False, indent=indent) + "\n")
        return
    out.write("{")
    for number, (key, value) in enumerate(document.items()):
        out.write(f"{', ' if number else ''}{_dumps(key)}: ")
        if encoded and key in encoded:
            _write_lines(out, encoded[key])
        elif isinstance(value, list) and value:
            _write_lines(out, map(_dumps, value))
        else:
            out.write(_dumps(value))
    out.write("}\n")


_LINES_PER_WRITE = 256  # one write per item cost more than joining a few hundred


def _nested(value: Any, indent: int, level: int) -> str:
    """``value`` as ``json.dumps(..., indent=indent)`` writes it ``level`` deep, after a key."""
    return item_text(value, indent, level)[indent * level :]  # without the first line's pad


def _write_indented(
    out: TextIO, document: Mapping[str, Any], indent: int, encoded: Mapping[str, Iterable[str]]
) -> None:
    """What ``json.dumps(document, indent=indent)`` writes (and a newline), with the
    ``encoded`` lists' items (already indented) in place."""
    if not document:
        out.write("{}\n")
        return
    pad = " " * indent
    for number, (key, value) in enumerate(document.items()):
        out.write(f"{',' if number else '{'}\n{pad}{_dumps(key)}: ")
        if key not in encoded:
            out.write(_nested(value, indent, 1))
            continue
        _write_lines(out, encoded[key], pad)
    out.write("\n}\n")


def _write_lines(out: TextIO, items: Iterable[str], pad: str = "") -> None:
    """What :func:`json_lines` returns for ``items``, written in chunks as they come;
    ``pad`` goes before the closing bracket (a list nested in an indented object)."""
    iterator = iter(items)
    chunk = list(islice(iterator, _LINES_PER_WRITE))
    if not chunk:
        out.write("[]")
        return
    out.write("[\n" + ",\n".join(chunk))
    while chunk := list(islice(iterator, _LINES_PER_WRITE)):
        out.write(",\n" + ",\n".join(chunk))
    out.write(f"\n{pad}]")
