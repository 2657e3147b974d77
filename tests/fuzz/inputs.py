"""Damaged and hostile inputs for every reader, generated from good seeds.

Shared by the property tests (``test_readers.py``, default run, few examples) and
the long run (``run.py``, ≥ 10,000 inputs per reader, outside the default
command). A mutation is chosen by a random generator so that both can drive it:
hypothesis through ``st.randoms()``, the script through ``random.Random(seed)``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from mycareer.cli._convert import read_accounts, read_records
from mycareer.errors import InvalidValueError, MycareerError
from mycareer.fla.rulebook import load_rules_file
from mycareer.fla.trainings_io import read_trainings
from mycareer.xmlio.dimona import read_dimona
from mycareer.xmlio.dmfa import read_dmfa
from mycareer.xmlio.sidecar import read_outcomes

DEMO = Path(str(resources.files("mycareer.data.demo")))
#: Seeds of our own formats, written by the demo (``mycareer account``, ``convert``).
SEEDS = Path(__file__).parent / "seeds"
RULES = Path(str(resources.files("mycareer.fla"))) / "rules" / "sectors.json"

#: Hostile values spliced into a document: huge numbers and identifiers, bounds of
#: dates, exponents, control characters, deep nesting, long text.
HOSTILE: tuple[bytes, ...] = (
    b"9" * 5000,
    b"-" + b"1" * 4301,
    b"1e-999999",
    b"1E+999999",
    b"NaN",
    b"Infinity",
    b"0",
    b"-1",
    b"",
    b" ",
    b"9999-99-99",
    b"0000-01-01",
    b"2024-02-30",
    b"\xff\xfe",
    b"\xc3\x28",
    b"&amp;&lt;",
    b"\x00",
    b"\t\r\n",
    b"x" * 100_000,
    b"[" * 20_000,
    b"{" * 20_000,
    b"<a>" * 300,
    b'"' * 3,
    b"\xe2\x80\xae",
)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random damage of ``data``: cut, flip, splice a hostile value, drop or repeat."""
    choice = rng.randrange(6)
    if not data:
        return rng.choice(HOSTILE)
    at = rng.randrange(len(data))
    if choice == 0:  # truncated
        return data[:at]
    if choice == 1:  # a few bytes changed
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if choice == 2:  # a hostile value replacing the text after a '>' , a ',' or a ':'
        marks = [i for i in range(len(data)) if data[i : i + 1] in (b">", b",", b":")]
        start = rng.choice(marks) + 1 if marks else at
        end = start
        while end < len(data) and data[end : end + 1] not in (b"<", b",", b"\n", b"}"):
            end += 1
        return data[:start] + rng.choice(HOSTILE) + data[end:]
    if choice == 3:  # a slice removed
        return data[:at] + data[at + rng.randint(1, 200) :]
    if choice == 4:  # a slice repeated
        piece = data[at : at + rng.randint(1, 400)]
        return data[:at] + piece * rng.randint(2, 50) + data[at:]
    return data[:at] + rng.choice(HOSTILE) + data[at:]


@dataclass(frozen=True)
class Reader:
    """A reader under test: its seed file, the suffix it reads, and how to call it."""

    name: str
    seed: Path
    suffix: str
    read: Callable[[list[Path]], Any]
    #: The records read from a list of files (to check good files keep theirs).
    records: Callable[[Any], list[Any]]
    #: The intact file read along (by default the seed itself).
    good: Path | None = None
    #: Also fuzz a JSON version of this CSV seed (:func:`json_seed`).
    json_variant: bool = False


@dataclass
class PerFile:
    """What a one-file reader gave for each of the files read: records or the refusal."""

    records: list[list[Any]]
    errors: list[MycareerError]


def per_file(read_one: Callable[[Path], Any]) -> Callable[[list[Path]], PerFile]:
    """A reader of one file called on each: a refusal costs that file alone."""

    def read(paths: list[Path]) -> PerFile:
        result = PerFile([], [])
        for path in paths:
            try:
                result.records.append(list(read_one(path)))
            except MycareerError as error:
                result.records.append([])
                result.errors.append(error)
        return result

    return read


def _first_file(result: PerFile) -> list[Any]:
    return result.records[0]  # outcome() reads the intact file first


def _records(path: Path) -> Any:
    return read_records(str(path), path.suffix.lstrip("."))


def _accounts(path: Path) -> Any:
    return read_accounts(str(path), path.suffix.lstrip("."))


def _dmfa(paths: list[Path]) -> Any:
    return read_dmfa(paths, on_error="collect")


def _dimona(paths: list[Path]) -> Any:
    return read_dimona(paths, on_error="collect")


def _trainings(paths: list[Path]) -> Any:
    return [read_trainings(p, keep_valid=True) for p in paths]


READERS: tuple[Reader, ...] = (
    Reader(
        "dmfa",
        DEMO / "dmfa" / "dmfa-0403019261-20241.xml",
        ".xml",
        _dmfa,
        lambda batch: list(batch.records),
        DEMO / "dmfa" / "dmfa-0403019261-20242.xml",  # another quarter: not a duplicate
    ),
    Reader(
        "dimona",
        DEMO / "dimona" / "dimona-0403019261.xml",
        ".xml",
        _dimona,
        lambda batch: list(batch.declarations),
    ),
    Reader(
        "notifications",
        DEMO / "dimona" / "notifications-0403019261.xml",
        ".xml",
        _dimona,
        lambda batch: list(batch.outcomes),
    ),
    Reader("sidecar-csv", DEMO / "dimona" / "outcomes.csv", ".csv", read_outcomes, list,
           json_variant=True),
    Reader("trainings-csv", DEMO / "trainings.csv", ".csv", _trainings,
           lambda imports: [t for i in imports for t in i.trainings], json_variant=True),
    Reader("career-records-xml", SEEDS / "career-records.xml", ".xml", per_file(_records),
           _first_file),
    Reader("career-records-json", DEMO / "career.json", ".json", per_file(_records), _first_file),
    Reader("career-records-csv", SEEDS / "career-records.csv", ".csv", per_file(_records),
           _first_file),
    Reader("training-accounts-xml", SEEDS / "training-accounts.xml", ".xml", per_file(_accounts),
           _first_file),
    Reader("training-accounts-json", SEEDS / "training-accounts.json", ".json",
           per_file(_accounts), _first_file),
    Reader("rules-json", RULES, ".json", per_file(load_rules_file), _first_file),
    Reader("rules-toml", SEEDS / "rules.toml", ".toml", per_file(load_rules_file), _first_file),
)  # fmt: skip


def json_seed(reader: Reader) -> bytes | None:
    """A JSON version of the CSV seeds (sidecar, trainings), to fuzz the JSON readers too."""
    if not reader.json_variant:
        return None
    lines = reader.seed.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    return json.dumps(rows, indent=1).encode()


def outcome(reader: Reader, folder: Path, damaged: bytes, suffix: str) -> str:
    """Read ``damaged`` next to an intact copy of the seed; classify what happened.

    Returns ``"ok"`` (read whole), ``"refused"`` (a MycareerError, or errors
    collected) ; raises AssertionError when the intact file lost records, and
    lets any other exception out (a traceback: the fuzzing target).
    """
    intact = reader.good or reader.seed
    good = folder / f"good{intact.suffix}"
    if not good.exists():
        good.write_bytes(intact.read_bytes())
    expected = _expected(reader, good)
    bad = folder / f"bad{suffix}"
    bad.write_bytes(damaged)
    try:
        result = reader.read([good, bad])
    except MycareerError as error:
        _check_messages(error)
        return "refused"
    kept = reader.records(result)
    codes = {f.code for f in getattr(result, "findings", ())}
    if "DMFA_DUPLICATE_ORIGINAL" in codes:  # the damaged copy now claims the same quarter
        return "refused" if result.errors else "ok"
    if isinstance(result, PerFile):
        from_good = kept  # the intact file's own records
    else:
        sources = [getattr(r, "source", None) for r in kept]
        from_good = [
            r for r, s in zip(kept, sources, strict=True) if s is None or str(good) in str(s)
        ]
    assert len(from_good) >= expected, "the intact file lost records"
    errors: Any = getattr(result, "errors", None)
    if errors is None and isinstance(result, list):
        errors = [e for i in result for e in i.errors]
    for problem in errors or ():
        _check_messages(problem)
    return "refused" if errors else "ok"


_EXPECTED: dict[tuple[str, Path], int] = {}


def _expected(reader: Reader, good: Path) -> int:
    """How many records the intact file gives alone (read once per reader and folder)."""
    key = (reader.name, good)
    if key not in _EXPECTED:
        _EXPECTED[key] = len(reader.records(reader.read([good])))
    return _EXPECTED[key]


#: Longest message accepted: a value is cut to 80 characters, a parser's message to 240.
MAX_MESSAGE = 400


def _check_messages(error: BaseException) -> None:
    """Every message is short: the value is cut, never echoed whole."""
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            _check_messages(inner)
        return
    assert isinstance(error, MycareerError), repr(error)[:200]
    text = error.message if isinstance(error, InvalidValueError) else str(error)
    assert len(text) <= MAX_MESSAGE, text[:300]
