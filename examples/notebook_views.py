"""Analyst views: pandas frames with exact values, and a timeline picture.

Runs with no arguments (needs the extras ``mycareer[pandas]`` and ``mycareer[plot]``;
without them it says what to install and exits 0). Entitlements for 2025 go into a
DataFrame whose day counts stay exact ``Fraction``/``Decimal`` objects, are
summarised per band, and come back from the frame unchanged; one worker's
timeline is drawn as SVG in a temporary folder.
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
        frame = to_frame(entitlements)
    except MissingExtraError as error:
        print(error)
        return 0
    print(frame[["niss", "band", "days_exact", "days"]].head(4).to_string(index=False))
    total = frame["days_exact"].sum()
    print(f"\n{len(frame)} workers, {total} days in total — a {type(total).__name__}, not a float")
    print("back from the frame unchanged:", from_frame(frame) == entitlements)

    timelines = build_timelines(career_periods_from_dmfa(records).periods, as_of=date(2025, 12, 31))
    segments = to_frame(timelines.values())
    print(f"\n{len(segments)} timeline segments; FTE-days per worker (exact):")
    segments["fte_days"] = segments["fte"] * segments["days"]
    print(segments.groupby("niss")["fte_days"].sum().head(3).to_string())
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
