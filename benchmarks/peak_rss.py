"""Wall time and the largest process's peak RSS of one ``mycareer`` command line.

The command runs as a subprocess (:func:`targets.wall_cli`): each of its processes'
``VmHWM`` is sampled every 50 ms, the pool's worker processes included, which
``/usr/bin/time`` does not see (a forkserver starts them, and it is not their waiting
parent). ``--tree DIR`` runs the command from ``DIR/src`` (a tree written by
``git archive COMMIT src | tar -x -C DIR``), for a before and after on the same data; give
the command ``-o FILE`` to keep its output (the script keeps only its digest). Prints one
line: the tree, wall seconds, the largest peak, the output's SHA-256 and the load.

    python benchmarks/batches.py /tmp/natmix /tmp/natsec --kind secretariat
    python benchmarks/peak_rss.py --tree /tmp/tree_old entitlements --year 2024 \\
        --format json --jobs 2 /tmp/natsec -o /tmp/old.json
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from targets import load, wall_cli


def main() -> int:
    arguments = sys.argv[1:]
    tree = "this tree"
    if arguments[:1] == ["--tree"] and len(arguments) > 1:
        tree = arguments[1]
        os.environ["PYTHONPATH"] = str(Path(tree) / "src")  # the subprocess's mycareer
        arguments = arguments[2:]
    if not arguments:
        print(__doc__, file=sys.stderr)
        return 2
    seconds, output, peak = wall_cli(arguments)
    digest = hashlib.sha256(output).hexdigest()[:16]
    print(f"{tree}: {seconds:.1f} s wall, largest process {peak:.0f} MB, stdout sha256 "
          f"{digest}, {load()}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
