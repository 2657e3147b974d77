"""Read DmfA declarations and print each worker's career timeline, with its gaps.

Runs with no arguments: fictitious DmfA files (one per quarter, Q4 2022 to Q4 2025)
are written to a temporary folder, read back with the streaming reader, turned into
career periods and then into labelled timelines as of 31 December 2025.
If matplotlib is installed, a picture of one timeline is saved next to the files.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from _fictitious import BART, NAMES, write_declarations

from mycareer.plot import plot_timeline
from mycareer.timeline import build_timelines, career_periods_from_dmfa
from mycareer.xmlio.dmfa import read_dmfa

AS_OF = date(2025, 12, 31)


# --8<-- [start:main]
def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = write_declarations(Path(folder))
        batch = read_dmfa([folder])  # a folder is read recursively, files in sorted order
        print(f"read {len(batch.records)} worker records from {len(files)} DmfA files")
        career = career_periods_from_dmfa(batch.records)
        timelines = build_timelines(career.periods, as_of=AS_OF)
        for niss, name in NAMES.items():
            timeline = timelines[niss]
            print(f"\n{name} ({niss.formatted}), as of {AS_OF}")
            for segment in timeline.segments:
                print(f"  {segment.period}  {segment.kind.label:<12} FTE {segment.fte}")
            for gap in timeline.gaps():
                print(f"  gap {gap}")
            for year in timeline.by_year():
                print(f"  {year.label}: {year.covered_days} days covered, {year.fte_days} FTE-days")
        try:
            picture = Path(folder) / "bart.png"
            plot_timeline(timelines[BART], picture)
            print(f"\npicture of {NAMES[BART]}'s timeline: {picture.stat().st_size} bytes of PNG")
        except ImportError:  # MissingExtraError: matplotlib is an optional extra
            print("\n(install mycareer[plot] for a picture of the timeline)")


# --8<-- [end:main]

if __name__ == "__main__":
    main()
