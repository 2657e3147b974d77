"""A command line's own peak RSS: ``mycareer ARGS`` run in this process, then its ``VmHWM``.

The worker processes of ``--jobs N`` are not counted (they are not this process's
children: ``forkserver`` starts them), so this is the parent's figure, exactly, where
sampling ``/proc`` may miss the last moments. The output goes to standard output as the
command writes it; one line goes to ``--log``: the arguments, the exit code, the peak,
this process's CPU (user + system) and the load average at the end.

    nice -n 10 python benchmarks/parent_rss.py --log rss.txt timeline /tmp/payroll \\
        --format csv --jobs 2 > out.csv
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[1] != "--log":
        print(__doc__, file=sys.stderr)
        return 2
    log, arguments = sys.argv[2], sys.argv[3:]
    from mycareer.cli import main as command

    code = command(arguments)
    sys.stdout.flush()
    used = resource.getrusage(resource.RUSAGE_SELF)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    with open(log, "a", encoding="utf-8") as out:
        out.write(
            f"{' '.join(arguments)}\texit {code}\tpeak {peak_mb():.1f} MB"
            f"\tCPU {used.ru_utime + used.ru_stime:.1f} s\tload {load}\n"
        )
    return code


if __name__ == "__main__":  # forkserver workers import this module again
    sys.exit(main())
