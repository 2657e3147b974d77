"""Analyst views: pandas frames with exact values, and a timeline picture.

Runs with no arguments (needs the extras ``mycareer[pandas]`` and ``mycareer[plot]``;
without them it says what to install and exits 0). Entitlements for 2025 go into an
analysis DataFrame (float days, ordered band, compact identifiers) and into an
exact one whose day counts stay ``Fraction``/``Decimal`` objects and come back
unchanged; timelines give segment and gap frames; one worker's timeline is
drawn as SVG in a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from _fictitious import BART, all_records

from mycareer.fla.entitlement import compute_entitlements
from mycareer.frames import MissingExtraError, from_frame, to_frame
from mycareer.plot import plot_timeline
from mycareer.timeline import build_timelines, career_periods_from_dmfa


def main() -> int:
    records = all_records()
    entitlements = compute_entitlements(records, (), 2025)
    try:
        frame = to_frame(entitlements)  # analysis dtypes: floats, ordered band, compact text
    except MissingExtraError as error:
        print(error)
        return 0
    print(frame.nlargest(3, "days")[["niss", "band", "days"]].to_string(index=False))
    print("bands, smallest first:", ", ".join(frame["band"].cat.categories))
    exact = to_frame(entitlements, exact=True)  # Fraction/Decimal objects, for exact sums
    total = exact["days_exact"].sum()
    print(f"\n{len(exact)} workers, {total} days in total — a {type(total).__name__}, not a float")
    print("back from the frame unchanged:", from_frame(exact) == entitlements)

    timelines = build_timelines(career_periods_from_dmfa(records).periods, as_of=date(2025, 12, 31))
    segments = to_frame(timelines)  # the dict build_timelines returns
    segments["fte_days"] = segments["fte"] * segments["days"]
    print(f"\n{len(segments)} timeline segments; FTE-days by the year a segment starts:")
    print(segments.groupby(segments["start"].dt.year)["fte_days"].sum().head(3).to_string())
    gaps = to_frame(timelines, "gaps")
    print(f"{len(gaps)} gaps, the longest {gaps['days'].max()} days")
    try:
        with tempfile.TemporaryDirectory() as folder:
            picture = Path(folder) / "bart.svg"
            plot_timeline(timelines[BART], picture)
            print(f"\nSVG picture of one timeline: {picture.stat().st_size} bytes")
    except MissingExtraError as error:
        print(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
