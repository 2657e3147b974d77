"""What every group of an entitlements run by employer is given, and what it gives back.

:class:`EntitlementSpec` is sent with each task; :class:`GroupResult` is one group's
compact result, which :func:`group_result` makes from its entitlements and what its read
said, its JSON texts spooled where :class:`SpoolPlace` says (:mod:`mycareer.pipeline`
runs the groups and combines the results). The first two are re-exported by
:mod:`mycareer.pipeline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Literal, NamedTuple

import attrs

from mycareer._spool import SHARED_SPOOL_MOST, SharedSpoolFile, Spool, spool_texts
from mycareer.errors import InvalidValueError
from mycareer.findings import Finding
from mycareer.fla import Entitlement, EntitlementOptions, Overrides, Rulebook, SizeBand
from mycareer.fla.incomplete import RejectedInput
from mycareer.fla.serialize import entitlement_json_text
from mycareer.jsontext import ARRAY_ITEM_SEPARATOR
from mycareer.quarter import Quarter
from mycareer.xmlio.dmfa import RejectedFile

__all__ = ["EntitlementSpec", "GroupResult", "ReadFacts", "Render", "SpoolPlace", "group_result"]

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
