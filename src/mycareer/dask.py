"""Entitlements on a Dask cluster, for inputs larger than one machine (extra ``mycareer[dask]``).

The unit of work is the employer, as in :mod:`mycareer.pipeline`: the files are
grouped by employer with a header pre-scan (run on the cluster too), each group
is read, computed and serialised by one Dask task, and only compact results
come back (JSON text or entitlements), never worker records. The results are
the same as :func:`mycareer.pipeline.entitlements_from_files` on one machine,
in the same order.

``paths`` are files or folders the workers can open: local paths on a shared
file system (every worker sees the same path), or fsspec URLs such as
``s3://bucket/dmfa/2024/*.xml`` (each worker copies its group's files to a
local temporary folder, so messages name the copy's file name). ``client`` is
a :class:`distributed.Client` or a scheduler address (``"tcp://host:8786"``).

A run on several machines (see docs/performance.md)::

    from mycareer.dask import entitlements_json
    run = entitlements_json(["/shared/dmfa/"], "tcp://scheduler:8786", year=2024)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from distributed import Client, as_completed

from mycareer.fla import EntitlementOptions, Overrides, Rulebook, SizeBand
from mycareer.pipeline import (
    EntitlementRun,
    EntitlementSpec,
    Plan,
    execute,
    file_header,
    plan_employers,
    plan_from_headers,
    run_group,
)

__all__ = ["entitlements", "entitlements_json", "plan_on_cluster"]

Task = list[tuple[int, tuple[str, ...]]]


def _is_url(path: str) -> bool:
    return "://" in path


@contextmanager
def _client(client: Client | str) -> Iterator[Client]:
    if isinstance(client, Client):
        yield client
        return
    with Client(client) as own:  # type: ignore[no-untyped-call]
        yield own


@contextmanager
def _local_copies(files: Sequence[str]) -> Iterator[list[str]]:
    """``files`` as local paths: URLs copied (fsspec) into a temporary folder, kept in order."""
    if not any(_is_url(f) for f in files):
        yield list(files)
        return
    import fsspec

    folder = tempfile.mkdtemp(prefix="mycareer-dask-")
    try:
        local = []
        for index, name in enumerate(files):
            if not _is_url(name):
                local.append(name)
                continue
            target = Path(folder) / f"{index:06d}-{os.path.basename(name)}"
            with fsspec.open(name, "rb") as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            local.append(str(target))
        yield local
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_remote_task(spec: EntitlementSpec, task: Task) -> list[Any]:
    done = []
    for index, files in task:
        with _local_copies(files) as local:
            done.append((index, run_group(spec, local)))
    return done


def _expand_urls(paths: Iterable[str]) -> list[str]:
    import fsspec

    files: list[str] = []
    for path in paths:
        fs, _token, found = fsspec.get_fs_token_paths(path)
        for item in sorted(found):
            if fs.isdir(item):
                found_xml = [f for f in fs.find(item) if f.lower().endswith(".xml")]
                files.extend(_unstrip(fs, f) for f in sorted(found_xml))
            else:
                files.append(_unstrip(fs, item))
    return files


def _unstrip(fs: Any, path: str) -> str:
    protocol = fs.protocol[0] if isinstance(fs.protocol, tuple) else fs.protocol
    return path if "://" in path else f"{protocol}://{path}"


def _remote_header(path: str) -> tuple[str | None, str | None, int]:
    with _local_copies([path]) as (local,):
        root, key = file_header(local)
        return root, key, os.stat(local).st_size


def plan_on_cluster(paths: Sequence[str | os.PathLike[str]], client: Client) -> Plan:
    """The employer groups of ``paths``; the headers of URLs are pre-scanned on the cluster.

    Local paths are planned here (the pre-scan reads each file's first few KB).
    """
    given = [str(os.fspath(p)) for p in paths]
    if not any(_is_url(p) for p in given):
        return plan_employers(given)
    files = _expand_urls(given)
    headers = client.gather(client.map(_remote_header, files, pure=False))  # type: ignore[no-untyped-call]
    return plan_from_headers(files, headers)


def _mapper(client: Client) -> Any:
    def run(spec: EntitlementSpec, tasks: list[Task]) -> Iterator[list[Any]]:
        futures = client.map(_run_remote_task, [spec] * len(tasks), tasks, pure=False)
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()

    return run


def _workers(client: Client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def entitlements(
    paths: Sequence[str | os.PathLike[str]],
    client: Client | str,
    *,
    year: int,
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
    every_band: SizeBand | None = None,
) -> EntitlementRun:
    """Every (employer, worker) entitlement of ``year``, computed on the cluster.

    The same :class:`~mycareer.pipeline.EntitlementRun` as
    :func:`mycareer.pipeline.entitlements_from_files` on the same files.
    """
    spec = EntitlementSpec(year, rulebook, overrides, options, as_of, "objects", "en", every_band)
    with _client(client) as connected:
        plan = plan_on_cluster(paths, connected)
        return execute(plan, spec, _workers(connected), _mapper(connected))


def entitlements_json(
    paths: Sequence[str | os.PathLike[str]],
    client: Client | str,
    *,
    year: int,
    lang: str = "en",
    rulebook: Rulebook | None = None,
    overrides: Overrides | None = None,
    options: EntitlementOptions | None = None,
    as_of: date | None = None,
    every_band: SizeBand | None = None,
) -> EntitlementRun:
    """As :func:`entitlements`, serialised on the workers (``json``: one compact text each)."""
    spec = EntitlementSpec(year, rulebook, overrides, options, as_of, "json", lang, every_band)
    with _client(client) as connected:
        plan = plan_on_cluster(paths, connected)
        return execute(plan, spec, _workers(connected), _mapper(connected))
