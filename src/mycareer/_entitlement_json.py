"""What a run of :mod:`mycareer.pipeline` does to its entitlements' JSON texts.

* :func:`with_finding`: a run-wide finding added to each result, its JSON text
  included (lazily: spooled texts stay on disk);
* :class:`JsonArraySink`: a local run's texts written as one JSON array while the run
  computes (each employer group's spool as soon as every group before it is done),
  taken back when the run's texts turn out not to be those (docs/performance.md,
  "National scale").
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, TypeVar, overload

import attrs

from mycareer._spool import LazySequence, OrderedSpoolWriter, SpooledItems
from mycareer.findings import Finding
from mycareer.jsontext import ARRAY_ITEM_SEPARATOR, ARRAY_LINES_END, ARRAY_LINES_START

if TYPE_CHECKING:
    from mycareer.pipeline import EntitlementRun, GroupResult, Plan

__all__ = ["JsonArraySink", "with_finding"]

Run = TypeVar("Run", bound="EntitlementRun")


def with_finding(run: Run, finding: Finding) -> Run:
    """``finding`` added to the run's findings and to each result's (JSON texts included)."""
    entitlements = tuple(attrs.evolve(e, findings=(*e.findings, finding)) for e in run.entitlements)
    item = json.dumps(
        {"code": finding.code, "severity": finding.severity.value, "message": finding.message},
        ensure_ascii=False,
    )
    texts = _FindingAppended(run.json, item) if run.json else run.json
    findings = tuple(dict.fromkeys((*run.findings, finding)))
    return attrs.evolve(run, entitlements=entitlements, json=texts, findings=findings)


class _FindingAppended(LazySequence[str]):
    """Entitlement JSON texts with one more finding each, made as they are read.

    Lazy, so spooled texts stay on disk. A text ends with its findings list
    (``"findings": [...]}``): the finding is appended to it, as
    :func:`~mycareer.fla.serialize.entitlement_to_json` would have written it.
    """

    def __init__(self, texts: Sequence[str], finding: str) -> None:
        self._texts = texts
        self._finding = finding

    def _add(self, text: str) -> str:
        if text.endswith("[]}"):
            return f"{text[:-3]}[{self._finding}]}}"
        return f"{text[:-2]}, {self._finding}]}}"

    def __len__(self) -> int:
        return len(self._texts)

    def __iter__(self) -> Iterator[str]:
        return map(self._add, self._texts)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._add(text) for text in self._texts[index]]
        return self._add(self._texts[index])


class JsonArraySink:
    """A plan's JSON texts written to ``out`` as its groups finish: the bytes
    ``mycareer entitlements --format json`` writes (:data:`ARRAY_LINES_START`, the texts
    one a line, :data:`ARRAY_LINES_END`), the UTF-8 of the texts, encoded with ``errors``.

    Groups whose employer keys interleave are written together. What is written is
    provisional: :meth:`settle` keeps it when the run's texts are exactly the spools
    written, and otherwise cuts ``out`` back to where it started (a run read again as
    one group, a finding added to every result, no result at all).
    """

    def __init__(self, out: IO[bytes], plan: Plan, errors: str = "strict") -> None:
        # A group without keys (a file that is no document) has no result: its own place.
        ranges = [
            (min(group.keys), max(group.keys)) if group.keys else (group.order, group.order)
            for group in plan.groups
        ]
        self._ranges = ranges
        self._writer = OrderedSpoolWriter(
            out,
            ranges,
            ARRAY_ITEM_SEPARATOR,
            errors=errors,
            before=ARRAY_LINES_START.encode(),
            after=ARRAY_LINES_END.encode(),
        )
        self._given_up = False

    @property
    def usable(self) -> bool:
        """Whether the plan's groups can be written as they come (see
        :attr:`~mycareer._spool.OrderedSpoolWriter.usable`)."""
        return self._writer.usable

    def add(self, index: int, result: GroupResult) -> None:
        """Group ``index`` is done. A text ``errors`` cannot encode (a lone surrogate: a
        file name that is not UTF-8, with ``strict``), or texts of employers outside the
        group's keys, end the writing here, cut back: the run goes on, and its texts
        are the caller's to write."""
        if self._given_up:
            return
        spool = result.spool
        low, high = self._ranges[index]
        outside = spool is not None and not low <= spool.first[0] <= spool.last[0] <= high
        if result.cut or result.slices or outside:
            # Its records named employers its headers did not (a file of several forms,
            # mycareer.regroup), or it was read in slices (several spools, which interleave:
            # mycareer.group_slices): its texts are written once every group is done.
            self._given_up = True
            self._writer.rewind()
            return
        try:
            self._writer.add(index, spool)
        except UnicodeEncodeError:
            self._given_up = True
            self._writer.rewind()

    def abandon(self) -> None:
        """The run failed or was stopped: cut ``out`` back, if it still can be."""
        with contextlib.suppress(OSError, ValueError):  # the output's own failure, or closed
            self._writer.rewind()

    def settle(self, run: EntitlementRun) -> bool:
        """Whether ``out`` holds the run's JSON array, whole; if not, ``out`` is cut back."""
        texts: Any = run.json
        if (
            not self._given_up
            and not run.regrouped  # its texts are of one group read again, not the spools
            and isinstance(texts, SpooledItems)
            and len(texts) == self._writer.count
            and self._writer.finish()
        ):
            return True
        self._writer.rewind()
        return False
