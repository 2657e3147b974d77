"""Batch files from a payroll folder: several employers' forms in one DmfA original.

A DmfA original may hold the forms of several employers (``Form`` is unbounded in the
DmfA XSDs): a social secretariat sends its clients' declarations together. From a folder
written by ``benchmarks/payroll.py`` (one employer and quarter a file, named
``dmfa-<employer>-<yyyyq>.xml``), this writes the same records as batch files:

* ``batch``: for 10 of the employers, each quarter's form goes into another employer's
  file of that quarter (after its own form), its own file removed;
* ``joined``: the same, but each of the 10 keeps its first quarter as a file of its own,
  so that its group and its host's name it (they are read again together);
* ``guest-first``: ``batch`` with each guest's form before its host's;
* ``secretariat``: one file a quarter holding every employer's form, in a shuffled order;
  with ``--clients N``, only N employers' forms (drawn with the seed), the others keeping
  their own files (a secretariat among employers that declare on their own).

Unchanged files are hard links. Run::

    python benchmarks/payroll.py /tmp/payroll --workers 10000
    python benchmarks/batches.py /tmp/payroll /tmp/paybatch --kind batch
    mycareer entitlements --year 2024 --format json --jobs 2 /tmp/paybatch -o out.json

docs/performance.md ("Files of several employers") has the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
from pathlib import Path

KINDS = ("batch", "joined", "guest-first", "secretariat")
#: How many employers go into other employers' files (``batch``, ``joined``, ``guest-first``).
GUESTS = 10

_FORM, _FORM_END, _ROOT_END = b"<Form>", b"</Form>", b"</DmfAOriginal>"


def form_of(document: bytes) -> bytes:
    """The ``<Form>`` elements of a document written by ``benchmarks/payroll.py``."""
    return document[document.index(_FORM) : document.rindex(_FORM_END) + len(_FORM_END)]


def with_form_of(host: bytes, guest: bytes, *, before: bool = False) -> bytes:
    """``host``'s document with ``guest``'s form after its own (or ``before`` it)."""
    at = host.index(_FORM) if before else host.rindex(_ROOT_END)
    return host[:at] + form_of(guest) + b"\n" + host[at:]


def _parts(path: Path) -> tuple[str, str]:
    _dmfa, employer, quarter = path.stem.split("-")
    return employer, quarter


def make(
    source: Path, target: Path, kind: str, *, seed: int = 7, clients: int | None = None
) -> list[Path]:
    """Write ``kind`` batch files of ``source``'s files to ``target`` (emptied first);
    ``clients``: how many employers a secretariat's files hold (default: all)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    files = sorted(source.glob("dmfa-*.xml"))
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if kind == "secretariat":
        return _secretariat(files, target, random.Random(seed), clients)
    for path in files:
        os.link(path, target / path.name)
    employers = sorted({_parts(path)[0] for path in files})
    quarters = sorted({_parts(path)[1] for path in files})
    half = len(employers) // 2
    for host, guest in zip(employers[:GUESTS], employers[half : half + GUESTS], strict=False):
        for quarter in quarters[1 if kind == "joined" else 0 :]:
            into = target / f"dmfa-{host}-{quarter}.xml"
            out = target / f"dmfa-{guest}-{quarter}.xml"
            if not (into.exists() and out.exists()):
                continue
            text = with_form_of(into.read_bytes(), out.read_bytes(), before=kind == "guest-first")
            into.unlink()  # a hard link: the source file stays as it was
            into.write_bytes(text)
            out.unlink()
    return sorted(target.iterdir())


def _secretariat(
    files: list[Path], target: Path, shuffle: random.Random, clients: int | None
) -> list[Path]:
    employers = sorted({_parts(path)[0] for path in files})
    chosen = set(employers if clients is None else shuffle.sample(employers, clients))
    by_quarter: dict[str, list[Path]] = {}
    written = []
    for path in files:
        if _parts(path)[0] in chosen:
            by_quarter.setdefault(_parts(path)[1], []).append(path)
        else:
            os.link(path, target / path.name)
            written.append(target / path.name)
    for quarter, paths in sorted(by_quarter.items()):
        shuffle.shuffle(paths)
        written.append(target / f"secretariat-{quarter}.xml")
        written[-1].write_bytes(one_file(paths))
    return written


def one_file(paths: list[Path]) -> bytes:
    """One document with the forms of ``paths``' documents, in that order."""
    first = paths[0].read_bytes()
    forms = b"\n".join(form_of(path.read_bytes()) for path in paths)
    start, end = first.index(_FORM), first.rindex(_ROOT_END)
    return first[:start] + forms + b"\n" + first[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a folder written by benchmarks/payroll.py")
    parser.add_argument("target", type=Path, help="the folder to write (emptied first)")
    parser.add_argument("--kind", choices=KINDS, default="batch")
    parser.add_argument("--seed", type=int, default=7, help="the secretariat's form order")
    parser.add_argument(
        "--clients", type=int, help="secretariat: how many employers its files hold (all)"
    )
    args = parser.parse_args()
    written = make(args.source, args.target, args.kind, seed=args.seed, clients=args.clients)
    print(f"{len(written)} files in {args.target}")


if __name__ == "__main__":
    main()
