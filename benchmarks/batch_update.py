"""A batch of corrections: one DmfA update correcting every employer of a payroll folder.

A social secretariat may send one modification declaration (``DmfAUpdate``) whose forms
correct many clients: it puts all of them in one group of the runs by employer
(:mod:`mycareer.correction_groups`), which issue 15 measures ("A batch of corrections'
group" in docs/performance.md). From a folder written by ``benchmarks/payroll.py``, this
links every original into ``target`` and writes ``updates-<yyyyq>.xml`` there: for each
employer with a file of ``--quarter``, a form deleting that file's first worker line
(created a month after the quarter's end, at 09:00). ``--parts N`` writes instead N folders
``target/part-K``, each with a share of the employers of about as many bytes, their
originals and an update of their forms only: what a run reading each part apart
would read, for measuring that design against the whole group.

Run::

    python benchmarks/payroll.py /tmp/mix2k --workers 50000 --employers 2000
    python benchmarks/batch_update.py /tmp/mix2k /tmp/batch2k --quarter 20242
    python benchmarks/peak_rss.py entitlements --year 2024 --format json --jobs 1 \\
        /tmp/batch2k -o /tmp/batch2k.json
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import attrs

from mycareer.dmfa_update import DmfaLineUpdate, DmfaUpdateForm, UpdateAction
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import iter_dmfa
from mycareer.xmlio.dmfa_update_writer import dmfa_update_bytes

_FORM, _FORM_END = b"<Form>", b"</Form>"


def forms_of(document: bytes) -> bytes:
    """The ``<Form>`` elements of a DmfA update document."""
    return document[document.index(_FORM) : document.rindex(_FORM_END) + len(_FORM_END)]


def deletion(path: Path) -> bytes:
    """A DmfA update deleting the first worker line of the original at ``path``, created
    a month after the quarter's end, at 09:00."""
    line = attrs.evolve(next(iter(iter_dmfa(path))), source=None)
    created = datetime.combine(line.quarter.last_day + timedelta(days=32), time(9))
    form = DmfaUpdateForm(line.employer, line.quarter, created, declaration_id="1")
    return dmfa_update_bytes(form, [DmfaLineUpdate(form, UpdateAction.DELETED, line)])


def batch(documents: list[bytes]) -> bytes:
    """One update document holding the forms of ``documents``, in their order."""
    first = documents[0]
    head, tail = first[: first.index(_FORM)], first[first.rindex(_FORM_END) + len(_FORM_END) :]
    return head + b"\n".join(forms_of(d) for d in documents) + tail


def shares(files: list[Path], parts: int) -> list[set[str]]:
    """The employers of ``files`` in ``parts`` shares of about as many bytes each: the
    largest first, each to the share with the fewest bytes so far (as a run would pack
    the parts for its cores)."""
    sizes: dict[str, int] = {}
    for path in files:
        key = path.stem.split("-")[1]
        sizes[key] = sizes.get(key, 0) + path.stat().st_size
    taken = [(0, number, set[str]()) for number in range(parts)]
    for key in sorted(sizes, key=lambda k: (-sizes[k], k)):
        size, number, share = min(taken, key=lambda t: (t[0], t[1]))
        share.add(key)
        taken[number] = (size + sizes[key], number, share)
    return [share for _size, _number, share in taken]


def write(source: Path, target: Path, quarter: Quarter, parts: int) -> list[Path]:
    """Write the folders (``target``, or its ``part-K``) and return the updates written."""
    source, target = source.resolve(), target.resolve()
    if target == source or target in source.parents or source in target.parents:
        raise SystemExit(f"the target {target} must be outside the source {source}")
    files = sorted(source.glob("dmfa-*.xml"))
    tag = f"{quarter.year}{quarter.number}"
    if target.exists():
        shutil.rmtree(target)
    written = []
    for number, share in enumerate(shares(files, parts)):
        folder = target if parts == 1 else target / f"part-{number}"
        folder.mkdir(parents=True)
        mine = [path for path in files if path.stem.split("-")[1] in share]
        for path in mine:
            os.link(path, folder / path.name)
        corrected = [deletion(path) for path in mine if path.stem.split("-")[2] == tag]
        if not corrected:
            print(f"{folder}: no file of {quarter}, no update", file=sys.stderr)
            continue
        update = folder / f"updates-{tag}.xml"
        update.write_bytes(batch(corrected))
        written.append(update)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--quarter", type=Quarter.parse, default=Quarter(2024, 2))
    parser.add_argument("--parts", type=int, default=1)
    args = parser.parse_args()
    for update in write(args.source, args.target, args.quarter, args.parts):
        print(f"{update}: {update.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
