"""What every group of an entitlements run by employer is given, and what it gives back.

:class:`EntitlementSpec` is sent with each task; :class:`GroupResult` is one group's
compact result, which :func:`group_result` makes from its entitlements and what its read
said, its JSON texts spooled where :class:`SpoolPlace` says (:mod:`mycareer.pipeline`
runs the groups), a group read in slices their results put together
(:func:`merge_slices`); :func:`combine` puts every group's together in an
:class:`EntitlementRun`. The first two and the last two are re-exported by
:mod:`mycareer.pipeline`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, Literal, NamedTuple

import attrs

from mycareer._spool import (
    SHARED_SPOOL_MOST,
    SharedSpoolFile,
    Spool,
    SpooledItems,
    spool_texts,
    write_spool,
)
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.fla import Entitlement, EntitlementOptions, Overrides, Rulebook, SizeBand
from mycareer.fla.incomplete import RejectedInput
from mycareer.fla.serialize import entitlement_json_text
from mycareer.group_slices import GroupSlice
from mycareer.jsontext import ARRAY_ITEM_SEPARATOR
from mycareer.quarter import Quarter
from mycareer.read_order import errors_in_file_order, reading_in_file_order
from mycareer.xmlio.dmfa import RejectedFile

__all__ = [
    "EntitlementRun",
    "EntitlementSpec",
    "GroupResult",
    "ReadFacts",
    "Render",
    "SpoolPlace",
    "combine",
    "group_result",
    "merge_slices",
]

Render = Literal["objects", "json"]


@attrs.frozen
class EntitlementSpec:
    """What to compute for every group: picklable, sent once per task."""

    year: int
    rulebook: Rulebook | None = None
    overrides: Overrides | None = None
    options: EntitlementOptions | None = None
    as_of: date | None = None
    render: Render = "objects"
    lang: str = "en"
    #: A band for every employer that ``overrides`` does not name (the CLI's ``--band BAND``).
    every_band: SizeBand | None = None
    #: Rejected files read in other groups (:attr:`~mycareer.plans.Plan.headless`), by file.
    elsewhere: tuple[RejectedInput, ...] = ()
    #: (path, place in the run) of the files that order a group's own rejected files
    #: among ``elsewhere`` (:func:`~mycareer.read_order.rejections_in_file_order`).
    places: tuple[tuple[str, int], ...] | None = None
    #: The plan's header keys and their groups (:func:`~mycareer.regroup.header_groups`),
    #: on the first read only: a group whose records name another group's employer stops
    #: there (its result ``cut``), since the two are read again together.
    header_groups: Mapping[str, int] | None = attrs.field(default=None, eq=False)
    #: The task indexes of groups read in slices, and each one's slice
    #: (:mod:`mycareer.group_slices`); a task index not here reads its group whole.
    slices: Mapping[int, GroupSlice] = attrs.field(factory=dict, eq=False)
    #: The names of the files read under another (a Dask worker's copies of URLs: copy,
    #: URL): a group's rejected files go by these, in their places, in the findings that
    #: mark its results (``REFERENCE_INCOMPLETE``) and in its result.
    read_as: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    #: The task indexes of groups whose read stops at an employer no group's headers
    #: name (``header_groups``' :class:`~mycareer.regroup.WatchedStage`): large enough
    #: to be read in slices if they turn out to hold several employers' forms.
    strangers: frozenset[int] = attrs.field(default=frozenset(), eq=False)

    def overrides_for(self, keys: Iterable[str]) -> Overrides | None:
        """The overrides of a group whose records name the employers ``keys``."""
        if self.every_band is None:
            return self.overrides
        given = self.overrides or Overrides()
        bands = dict.fromkeys(sorted(keys), self.every_band)
        bands.update(given.band)
        return attrs.evolve(given, band=bands)


@attrs.frozen
class GroupResult:
    """The compact result of one group: sortable items, and what reading said.

    ``items`` are ``(employer key, NISS, payload)`` with the payload an
    :class:`~mycareer.fla.Entitlement` or its JSON text; ``findings`` are the
    reading findings, then the results' findings (first occurrence each);
    ``keys`` every employer key the group's records and declarations named;
    ``spool`` the items' JSON texts written to disk instead (local runs, see
    :mod:`mycareer._spool`), ``items`` then empty; ``last_quarter`` the latest
    quarter of its records (None: no record); ``reading`` how many of ``findings`` are
    the reading findings (they come first); ``ids`` the (quarter, employer identifier)
    pairs its records and declarations declared (:func:`declared_ids`).
    """

    items: tuple[tuple[str, str, Any], ...]
    findings: tuple[Finding, ...]
    errors: tuple[InvalidValueError, ...]
    keys: frozenset[str]
    spool: Spool | None = None
    last_quarter: Quarter | None = None
    reading: int = 0
    ids: frozenset[tuple[Quarter, str]] = frozenset()
    #: Each of the results' own findings' first result, (employer key, NISS): a group of
    #: several employers (an NSSO number's, with corrections) puts them back in that order.
    places: tuple[tuple[str, str], ...] = ()
    #: The group's files rejected as a whole (a headless file's go to every group: execute).
    rejected: tuple[RejectedFile, ...] = ()
    #: True when the group has its own rejected files and ``spec.elsewhere`` but not the
    #: files' places to order them (nothing else is then given): run it again with them.
    unordered: bool = False
    #: True when the read stopped at a record of another group's employer (``keys`` names
    #: it, nothing else is given): the two groups are read again together.
    cut: bool = False
    #: The group's other slices' results (:func:`merge_slices`): their items and spools,
    #: and their results' own findings; what reading said is this result's only.
    slices: tuple[GroupResult, ...] = ()

    def parts(self) -> tuple[GroupResult, ...]:
        """This result and its slices': each one's items, spool and findings."""
        return (self, *self.slices)


def merge_slices(parts: Sequence[GroupResult]) -> GroupResult:
    """One group's result from its slices' (the first slice first): the employer keys,
    declared ids and latest quarter of them all, the others' results kept as ``slices``.
    A read that stopped at another group's employer stops every slice (they read the
    same records): the result is ``cut``, naming what they met, and holds nothing else
    but any slice that read on (its spool leaves the disk with the dropped group's)."""
    first, *rest = parts
    if not rest:
        return first
    if any(part.cut for part in parts):
        met = frozenset(key for part in parts if part.cut for key in part.keys)
        return GroupResult((), (), (), met, cut=True, slices=tuple(p for p in parts if not p.cut))
    last = max((p.last_quarter for p in parts if p.last_quarter is not None), default=None)
    return attrs.evolve(
        first,
        keys=frozenset().union(*(p.keys for p in parts)),
        ids=frozenset().union(*(p.ids for p in parts)),
        last_quarter=last,
        slices=tuple(rest),
    )


class SpoolPlace(NamedTuple):
    """Where a group's JSON texts go: the folder (None: back with the result), the name
    of the group's own file there, and the task's shared file for a small group."""

    folder: str | None
    name: str
    shared: SharedSpoolFile | None


#: What reading a group gave besides its records: findings, errors, the employer keys
#: its records and declarations named, the latest quarter of its records, their ids.
ReadFacts = tuple[
    Sequence[Finding],
    Sequence[InvalidValueError],
    Iterable[str],
    Quarter | None,
    frozenset[tuple[Quarter, str]],
]


def group_result(
    spec: EntitlementSpec,
    results: Sequence[Entitlement],
    read: ReadFacts,
    place: SpoolPlace,
) -> GroupResult:
    """A group's compact result: reading findings then the results' (each once)."""
    read_findings, errors, keys, last, ids = read
    reading = len(dict.fromkeys(read_findings))
    first: dict[Finding, tuple[str, str]] = {}
    for e in results:
        for finding in e.findings:
            first.setdefault(finding, (e.employer.key, e.niss.value))
    findings = tuple(dict.fromkeys((*read_findings, *first)))
    places = tuple(first[f] for f in findings[reading:])
    lang: Any = spec.lang
    if spec.render == "json" and place.folder is not None:

        def texts() -> Iterator[tuple[tuple[str, str], str]]:
            return (
                ((e.employer.key, e.niss.value), entitlement_json_text(e, lang)) for e in results
            )

        shared = place.shared if len(results) <= SHARED_SPOOL_MOST else None
        # the command copies it
        spool = spool_texts(place.folder, place.name, texts, ARRAY_ITEM_SEPARATOR, shared)
        return GroupResult(
            (), findings, tuple(errors), frozenset(keys), spool, last, reading, ids, places
        )
    items: tuple[tuple[str, str, Any], ...]
    if spec.render == "json":
        items = tuple((e.employer.key, e.niss.value, entitlement_json_text(e, lang))
                      for e in results)  # fmt: skip
    else:
        items = tuple((e.employer.key, e.niss.value, e) for e in results)
    return GroupResult(
        items, findings, tuple(errors), frozenset(keys), None, last, reading, ids, places
    )


@attrs.frozen
class EntitlementRun:
    """Entitlements of every employer, in order (employer key, then NISS).

    ``entitlements`` (``render="objects"``) or ``json`` (one compact JSON text
    per entitlement, ``render="json"``: a tuple, or for local runs a
    :class:`~mycareer._spool.SpooledItems` read lazily from the run's temporary
    files, so a run of any size holds about one employer's output in memory);
    ``findings`` in order, each once; ``errors`` every refused record or file;
    ``last_quarter`` the latest quarter declared in the records read (None: no record);
    ``json_written`` whether the JSON array of ``json`` is already in the ``json_to``
    file given to :func:`~mycareer.pipeline.entitlements_for_year`.
    """

    entitlements: tuple[Entitlement, ...] = ()
    json: Sequence[str] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[InvalidValueError, ...] = ()
    last_quarter: Quarter | None = None
    json_written: bool = False
    #: Whether the groups turned out not to be apart (a file's records naming another
    #: group's employer) and every file was read again as one group.
    regrouped: bool = False


def combine(
    results: Sequence[GroupResult],
    *,
    files: Sequence[str] | None = None,
    folder: tempfile.TemporaryDirectory[str] | None = None,
    problems: Sequence[InvalidValueError] = (),
) -> EntitlementRun:
    """Put group results (disjoint employers) together in the one-process order.

    Associative over groups of disjoint employers: the items are sorted by
    (employer key, NISS) as :func:`~mycareer.fla.compute_entitlements` sorts
    them. With ``files`` (input order), what reading said comes as one read of them
    reports it (:mod:`mycareer.read_order`), then the results' own findings in the order
    of their first result, as one computation lists them; without, findings and errors
    keep the order of ``results``. Spooled results
    (written to ``folder``) stay on disk and are read back in that order. ``problems``
    (what listing the paths refused, :attr:`~mycareer.plans.Plan.problems`) come after
    every file's errors, as one read reports them. A group read in slices gives each
    slice's results (:meth:`GroupResult.parts`).
    """
    results = [part for result in results for part in result.parts()]
    if files is None:
        findings = tuple(dict.fromkeys(f for r in results for f in r.findings))
        errors = (*(e for r in results for e in r.errors), *problems)
    else:
        read = reading_in_file_order(files, [r.findings[: r.reading] for r in results])
        placed = [p for r in results for p in zip(r.places, r.findings[r.reading :], strict=True)]
        computed = (f for _place, f in sorted(placed, key=itemgetter(0)))  # as one computation
        findings = tuple(dict.fromkeys((*read, *computed)))
        errors = errors_in_file_order(files, (*problems, *(e for r in results for e in r.errors)))
    last = max((r.last_quarter for r in results if r.last_quarter is not None), default=None)
    payloads = _payloads(results, folder)
    if isinstance(payloads, SpooledItems) or (payloads and isinstance(payloads[0], str)):
        return EntitlementRun(json=payloads, findings=findings, errors=errors, last_quarter=last)
    return EntitlementRun(
        entitlements=tuple(payloads), findings=findings, errors=errors, last_quarter=last
    )


def _payloads(
    results: Sequence[GroupResult], folder: tempfile.TemporaryDirectory[str] | None
) -> Sequence[Any]:
    """Every result's payload in (employer key, NISS) order: spooled texts stay on disk."""
    spools = [r.spool for r in results if r.spool is not None]
    if spools and folder is not None:
        loose = sorted((i for r in results for i in r.items), key=lambda i: (i[0], i[1]))
        keyed = (((key, niss), text) for key, niss, text in loose)
        spools += filter(None, [write_spool(folder.name, "loose", keyed)])
        return SpooledItems(spools, folder)
    items = sorted((item for r in results for item in r.items), key=lambda i: (i[0], i[1]))
    return tuple(payload for _key, _niss, payload in items)
