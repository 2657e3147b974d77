"""The timeline engine: merge, gaps, algebra, labelled timeline, FTE and Dimona folding.

Pure computation on core records (:mod:`mycareer.career`, :mod:`mycareer.dmfa`,
:mod:`mycareer.dimona`); it never imports :mod:`mycareer.xmlio` or the CLI.
Domain: docs/concepts.md (Career records, Timelines, Provisional quarters).
"""

from __future__ import annotations

from mycareer.timeline._algebra import intersect, intersect_ordinals, subtract, subtract_ordinals
from mycareer.timeline._calendar import (
    SplitUnit,
    belgian_public_holidays,
    months_touched,
    split_by,
    working_days,
)
from mycareer.timeline._contracts import timelines_from_contracts
from mycareer.timeline._dimona import DimonaConsolidation, DimonaPeriod, consolidate_dimona
from mycareer.timeline._dmfa import (
    TERMINATION_INDEMNITY_CODES,
    DmfaCareer,
    career_periods_from_dmfa,
)
from mycareer.timeline._gaps import Gap, gaps, provisional_start
from mycareer.timeline._labelled import (
    DEFAULT_PRECEDENCE,
    Precedence,
    Summary,
    Timeline,
    TimelineBuilder,
    TimelineSegment,
    build_timeline,
    build_timelines,
)
from mycareer.timeline._merge import (
    OPEN,
    from_ordinals,
    merge,
    merge_by,
    merge_ordinals,
    merge_rows,
    merge_sorted_ordinals,
    to_ordinals,
)
from mycareer.timeline._reconcile import (
    DifferenceKind,
    DimonaDifference,
    DimonaReconciliation,
    reconcile_dimona,
)
from mycareer.timeline.serialize import (
    TIMELINE_SCHEMA_VERSION,
    timeline_document,
    timeline_to_json,
)

__all__ = [
    "DEFAULT_PRECEDENCE",
    "OPEN",
    "TERMINATION_INDEMNITY_CODES",
    "TIMELINE_SCHEMA_VERSION",
    "DifferenceKind",
    "DimonaConsolidation",
    "DimonaDifference",
    "DimonaPeriod",
    "DimonaReconciliation",
    "DmfaCareer",
    "Gap",
    "Precedence",
    "SplitUnit",
    "Summary",
    "Timeline",
    "TimelineBuilder",
    "TimelineSegment",
    "belgian_public_holidays",
    "build_timeline",
    "build_timelines",
    "career_periods_from_dmfa",
    "consolidate_dimona",
    "from_ordinals",
    "gaps",
    "intersect",
    "intersect_ordinals",
    "merge",
    "merge_by",
    "merge_ordinals",
    "merge_rows",
    "merge_sorted_ordinals",
    "months_touched",
    "provisional_start",
    "reconcile_dimona",
    "split_by",
    "subtract",
    "subtract_ordinals",
    "timeline_document",
    "timeline_to_json",
    "timelines_from_contracts",
    "to_ordinals",
    "working_days",
]
