"""Notebook views: ``_repr_html_`` on the main result objects (issue 6 §2)."""

from __future__ import annotations

from datetime import date

from mycareer.demo import demo_paths
from mycareer.fla import compute_entitlements
from mycareer.xmlio import read_dmfa


def test_entitlement_html_shows_figures_and_explanation() -> None:
    with demo_paths() as paths:
        batch = read_dmfa([paths.dmfa])
    results = compute_entitlements(batch.records, batch.declarations, 2025)
    an = next(e for e in results if e.niss.value == "90010100123")
    html = an._repr_html_()
    assert html.startswith("<table>")
    assert "90.01.01-001.23" in html
    # 4/5 all year under PC 200's one complementary day below 10 workers (T-PC200-3).
    assert "<td>4/5</td>" in html
    assert "&lt;10" in html  # escaped band label
    assert "<li>" in html
    assert date(2025, 1, 1).year == an.year


def test_timeline_html_lists_segments_and_gaps() -> None:
    from mycareer.timeline import build_timelines, career_periods_from_dmfa

    with demo_paths() as paths:
        batch = read_dmfa([paths.dmfa])
    timelines = build_timelines(career_periods_from_dmfa(batch.records).periods,
                                as_of=date(2025, 12, 31))  # fmt: skip
    dirk = next(t for niss, t in timelines.items() if niss.value == "03021512318")
    html = dirk._repr_html_()
    assert "03.02.15-123.18 as of 2025-12-31" in html
    # Student summer job at 1/2, then hired on 2024-12-31: the autumn is a gap.
    assert "<td>2024-07-01..2024-08-31</td>" in html
    assert "<td>1/2</td>" in html
    assert "<td>2024-09-01..2024-12-30</td><td>121</td><td>gap</td>" in html
