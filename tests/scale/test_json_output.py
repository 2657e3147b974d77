"""JSON output: compact by default (one item a line), ``--indent N`` for people, same data."""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest

from tests.cli._run import assert_no_traceback, run_cli

DEMO = Path(str(resources.files("mycareer.data.demo")))
COMMANDS = {
    "timeline": ("timeline", "--format", "json", str(DEMO / "dmfa")),
    "entitlements": ("entitlements", "--year", "2024", "--format", "json", str(DEMO / "dmfa")),
    "validate": ("validate", "--format", "json", str(DEMO / "dmfa")),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_default_json_is_compact_and_indent_is_the_same_data(command: str) -> None:
    compact = run_cli(*COMMANDS[command])
    indented = run_cli(*COMMANDS[command], "--indent", "2")
    assert_no_traceback(compact)
    assert compact.returncode == indented.returncode == 0, compact.stderr
    lines = compact.stdout.splitlines()
    assert not any(line.startswith(" ") for line in lines)  # no indentation at all
    data = json.loads(compact.stdout)
    assert json.loads(indented.stdout) == data
    assert indented.stdout == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_compact_timeline_puts_one_worker_on_each_line() -> None:
    result = run_cli(*COMMANDS["timeline"])
    workers = json.loads(result.stdout)["workers"]
    assert len(workers) > 1
    lines = [line.removesuffix(",") for line in result.stdout.splitlines()[1:]]
    for worker in workers:
        assert json.dumps(worker, ensure_ascii=False) in lines


@pytest.mark.parametrize("value", ["x", "-1", "99"])
def test_a_bad_indent_is_a_usage_error_naming_the_value(value: str) -> None:
    result = run_cli(*COMMANDS["timeline"], "--indent", value)
    assert result.returncode == 2
    assert "--indent" in result.stderr
    assert value in result.stderr
    assert_no_traceback(result)


def _demo_cut_in_a_folder_not_utf8(tmp_path: Path) -> Path:
    """The demo's DmfA in a folder named ``caf\xe9`` (not UTF-8), one file cut short: its
    name goes into every result's REFERENCE_INCOMPLETE and into timeline sources."""
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9"))
    folder.mkdir()
    for source in sorted((DEMO / "dmfa").glob("*.xml")):
        shutil.copy(source, folder / source.name)
    cut = folder / "dmfa-0403019261-20233.xml"
    cut.write_bytes(cut.read_bytes()[:3000])
    return folder


@pytest.mark.skipif(sys.platform != "linux", reason="a file name that is not UTF-8: Linux")
def test_a_file_name_that_is_not_utf8_comes_back_as_its_bytes_whatever_jobs(
    tmp_path: Path,
) -> None:
    """A file cut short puts its name in every result's REFERENCE_INCOMPLETE finding. Its
    byte 0xE9 reaches the texts as a lone surrogate (os.fsdecode); standard output under
    a C.UTF-8 locale writes it back as that byte (surrogateescape), with one process or
    two: the texts cannot be spooled as UTF-8 and are spooled pickled instead (a review
    found the workers failing on them: mycareer._spool.spool_texts)."""
    folder = _demo_cut_in_a_folder_not_utf8(tmp_path)
    outputs = []
    for jobs in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "mycareer", "entitlements", str(folder), "--year", "2024",
             "--format", "json", "--jobs", jobs],
            capture_output=True, env={**os.environ, "LC_ALL": "C.UTF-8"}, check=False,
        )  # fmt: skip
        assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
        assert result.returncode == 1  # the file cut short: an input error
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    items = json.loads(outputs[0].decode("utf-8", "surrogateescape"))
    assert items
    assert all(
        any(f["code"] == "REFERENCE_INCOMPLETE" and "caf\udce9" in f["message"]
            for f in item["findings"])
        for item in items if item["employer"] == "0403019261"
    )  # fmt: skip


def test_an_output_that_ends_lines_otherwise_gets_no_copied_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows' standard output writes each newline as CRLF: the spooled bytes, which a
    copy would pass by it, go through it there, as one read's texts do (a review's
    finding: the copy mixed ``,\\n`` into CRLF lines)."""
    from mycareer._spool import SpooledItems, write_text_spool
    from mycareer.cli import _entitlements
    from mycareer.pipeline import EntitlementRun

    texts = ('{"a": 1}', '{"a": "\u00e9"}')
    folder = TemporaryDirectory()
    spool = write_text_spool(folder.name, "g", [((n,), t) for n, t in enumerate(texts)], ",\n")
    assert spool is not None
    spooled: SpooledItems[str] = SpooledItems([spool], folder)
    args = argparse.Namespace(indent=None, lang="en")

    def written(json_texts: Sequence[str]) -> bytes:
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="\r\n")
        _entitlements._write_json(EntitlementRun(json=json_texts), args, out)
        out.flush()
        return raw.getvalue()

    monkeypatch.setattr(os, "linesep", "\r\n")
    expected = '[\r\n{"a": 1},\r\n{"a": "\u00e9"}\r\n]\r\n'.encode()
    assert written(spooled) == written(texts) == expected


@pytest.mark.parametrize(
    ("case", "year"),
    [("demo", "2024"), ("demo", "2026"), ("shared", "2024"), ("cut", "2024")],
)
def test_output_written_while_computing_is_the_bytes_of_standard_output(
    case: str, year: str, tmp_path: Path
) -> None:
    """``--output`` gets the JSON as the employer groups finish (mycareer._entitlement_json):
    the bytes standard output gets at the end, with one process or two, also where the run
    ends otherwise and takes them back (a finding for every result: 2026; employers sharing
    an NSSO number, read again as one group) or marks results of a file cut short."""
    if case == "shared":
        from ._duplicates import shared_nsso_number

        folder, _keys = shared_nsso_number(tmp_path)
    else:
        folder = tmp_path / "in"
        shutil.copytree(DEMO / "dmfa", folder)
        if case == "cut":
            cut = folder / "dmfa-0403019261-20233.xml"
            cut.write_bytes(cut.read_bytes()[:3000])
    expected = None
    for jobs in ("1", "2"):
        command = ("entitlements", folder, "--year", year, "--format", "json", "--jobs", jobs)
        printed = run_cli(*command)
        written = run_cli(*command, "-o", tmp_path / f"out-{jobs}.json")
        assert_no_traceback(written)
        assert printed.returncode == written.returncode
        assert printed.stderr == written.stderr
        assert written.stdout == ""
        output = (tmp_path / f"out-{jobs}.json").read_text(encoding="utf-8")
        assert output == printed.stdout
        assert expected in (None, output)
        expected = output
    assert expected is not None
    assert json.loads(expected)


@pytest.mark.skipif(sys.platform != "linux", reason="a file name that is not UTF-8: Linux")
@pytest.mark.parametrize("command", ["entitlements", "timeline"])
def test_a_file_name_that_is_not_utf8_comes_back_as_its_bytes_in_every_output(
    command: str, tmp_path: Path
) -> None:
    """The byte of a file name that is not UTF-8 (a lone surrogate in the texts) is written
    back as that byte to ``--output`` and to a strict UTF-8 standard output (a UTF-8
    locale: PYTHONIOENCODING stands for it here), as Python's standard output does under a
    C locale: both raised UnicodeEncodeError with a traceback before."""
    folder = _demo_cut_in_a_folder_not_utf8(tmp_path)
    arguments = [command, str(folder), "--format", "json"]
    arguments += ["--year", "2024"] if command == "entitlements" else []
    outputs = []
    for jobs in ("1", "2"):
        for output in (None, tmp_path / f"out-{jobs}.json"):
            result = subprocess.run(
                [sys.executable, "-m", "mycareer", *arguments, "--jobs", jobs,
                 *(["-o", str(output)] if output else [])],
                capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
                check=False,
            )  # fmt: skip
            assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
            assert result.returncode == 1  # the file cut short: an input error
            outputs.append(output.read_bytes() if output else result.stdout)
    assert len(set(outputs)) == 1
    assert b"/caf\xe9/dmfa-0403019261-20233.xml" in outputs[0]
    json.loads(outputs[0].decode("utf-8", "surrogateescape"))


def test_a_run_read_again_as_one_group_takes_back_what_was_written(tmp_path: Path) -> None:
    """The groups' spools are written as they finish; a run whose groups turned out not to
    be apart is read again as one group (``regrouped``), spooled too since the read goes
    where the mapper runs tasks (mycareer.pipeline._one_group): its texts may be as many
    as those written, so the sink takes back what it wrote whatever their count."""
    import attrs

    from mycareer._entitlement_json import JsonArraySink
    from mycareer.pipeline import EntitlementSpec, _run_local, plan_employers
    from mycareer.quarter import Quarter

    from ._bench import bench_module

    quarters = (Quarter(2024, 1), Quarter(2024, 2))
    bench_module("payroll").generate(tmp_path, 30, quarters, employers=3)
    plan = plan_employers([tmp_path])
    spec = EntitlementSpec(2024, render="json")
    for regrouped in (False, True):
        with (tmp_path / f"out-{regrouped}.json").open("w+b") as out:
            sink = JsonArraySink(out, plan)
            run = _run_local(plan, spec, 1, None, sink)
            assert len(run.json) == 30
            kept = sink.settle(attrs.evolve(run, regrouped=regrouped))
            assert kept is not regrouped
            out.seek(0)
            written = out.read()
            if kept:
                assert json.loads(written) == [json.loads(text) for text in run.json]
            else:
                assert written == b""  # cut back: the command writes the run's texts
