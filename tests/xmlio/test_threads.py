"""Issue 11 item 8: readers used from several threads give what they give serially.

lxml parsers are not thread-safe; every reader makes its own parser per call
(and :func:`~mycareer.xmlio._safe.hardened_parser` one per thread), so
concurrent reads must agree with serial ones, record for record and error for
error. Fails on the main that shared one module-level parser between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mycareer.demo import demo_paths
from mycareer.xmlio import HARDENED_PARSER, read_dimona, read_dmfa
from mycareer.xmlio._safe import hardened_parser, parse_bytes
from mycareer.xmlio.career_records import career_records_bytes, read_career_records
from mycareer.xmlio.formats import validate
from mycareer.xmlio.training_account import read_training_accounts
from mycareer.xmlio.training_account_writer import training_accounts_bytes

from .test_career_records_fast import three_workers_the_middle_one_bad
from .test_training_account import _pc200_record


def _outcome(result: Any) -> tuple[object, ...]:
    records = getattr(result, "records", None) or getattr(result, "workers", None) or result
    errors = [str(error) for error in getattr(result, "errors", ())]
    return (repr(records), errors)


def _readers(root: Path) -> list[Callable[[], object]]:
    workers = read_career_records(root / "career-records.xml").records
    big = career_records_bytes(list(workers) * 40)
    bad = three_workers_the_middle_one_bad()
    accounts = training_accounts_bytes([_pc200_record()] * 5)
    return [
        lambda: read_career_records(big),
        lambda: read_career_records(bad, name="bad.xml", on_error="collect"),
        lambda: read_training_accounts(accounts),
        lambda: read_dmfa(root / "dmfa"),
        lambda: read_dimona(root / "dimona", on_error="collect"),
        lambda: validate(big, "career-records"),
        lambda: etree.tostring(etree.fromstring(big, hardened_parser())),
    ]


def test_concurrent_reads_equal_serial_reads() -> None:
    with demo_paths() as paths:
        if not (paths.root / "career-records.xml").exists():
            pytest.skip("the demo has no career-records.xml")
        readers = _readers(paths.root)
        serial = [_outcome(read()) for read in readers]
        jobs = [index for index in range(len(readers)) for _ in range(6)]
        with ThreadPoolExecutor(max_workers=6) as pool:
            concurrent = list(pool.map(lambda i: (i, _outcome(readers[i]())), jobs))
    for index, outcome in concurrent:
        assert outcome == serial[index], f"reader {index} differs under threads"


def test_each_thread_has_its_own_parser() -> None:
    seen: list[object] = []
    lock = threading.Lock()

    def grab() -> None:
        with lock:
            seen.append(hardened_parser())
        assert parse_bytes(b"<a/>").getroot().tag == "a"

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(parser) for parser in seen}) == 4
    assert HARDENED_PARSER is not None
