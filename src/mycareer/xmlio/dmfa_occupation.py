"""The ``Occupation`` element of a DmfA quarter, decoded with every check.

Shared by the readers of originals (:mod:`mycareer.xmlio.dmfa`), updates and
consultation answers (:mod:`mycareer.xmlio.dmfa_update`). The fast path of the
originals' reader (:mod:`mycareer.xmlio._dmfa_fast`) takes over for lines with
nothing to check, and its differential test holds it to this one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

from mycareer._cache import BoundedCache
from mycareer.dmfa import (
    ContractType,
    DmfaOccupation,
    RemunerationLine,
    ReorganisationMeasure,
    ServiceLine,
    is_termination_indemnity,
)
from mycareer.errors import (
    InvalidWorkFractionError,
    SourceRef,
)
from mycareer.joint_commission import JointCommission
from mycareer.period import Period
from mycareer.xmlio.dmfa_checks import overlaps_quarter, work_hours_problem
from mycareer.xmlio.reading import (
    FieldReader,
    plain_integer,
)

__all__ = ["CHECKED_COMMITTEES", "read_occupation"]

#: The joint committees the checked path accepted, by their text as written: shared by
#: every reader and by the fast path (immutable values; payroll files name a few dozen).
#: A cache per document sent the first line of each committee of every file the
#: checked way: 1,859 of 86,135 lines of benchmarks/payroll.py's files, at five times
#: a fast line's cost (docs/performance.md).
CHECKED_COMMITTEES: BoundedCache[str, JointCommission] = BoundedCache(
    "DmfA joint committees", maxsize=1024
)


# The sub-elements of an Occupation: the value each becomes, its fields (tag,
# required) in constructor order, and whether errors number it.
_SUB_LINES: Final[dict[str, tuple[Callable[..., Any], tuple[tuple[str, bool], ...], bool]]] = {
    "Service": (
        ServiceLine,
        (("ServiceCode", True), ("ServiceNbrDays", True), ("ServiceNbrHours", False)),
        True,
    ),
    "Remun": (
        RemunerationLine,
        (
            ("RemunCode", True),
            ("RemunAmount", True),
            ("BonusPaymentFrequency", False),
            ("PercentagePaid", False),
        ),
        True,
    ),
    "ReorgMeasureInformation": (
        ReorganisationMeasure,
        (("ReorganisationMeasure", True), ("ReorganisationMeasurePercentage", False)),
        False,
    ),
}


def _sub_line(fields: FieldReader, child: Any, count: int) -> Any:
    """One Service, Remun or ReorgMeasureInformation line of an occupation."""
    tag = child.tag
    make, spec, numbered = _SUB_LINES[tag]
    texts = {c.tag: c.text for c in child}
    values = []
    for name, required in spec:
        raw = texts.get(name)
        value = plain_integer(raw)
        if value is None and (raw is not None or required):
            # Anything but plain digits: the field reader accepts or explains it.
            step = f"{tag}[{count + 1}]" if numbered else tag
            line = fields.child(child, step, children={c.tag: c for c in child})
            return make(*(line.integer(n, required=r) for n, r in spec))
        values.append(value)
    return make(*values)


def _joint_commission(fields: FieldReader) -> JointCommission:
    text = fields.text("JointCommissionNbr", required=True)
    joint_commission = CHECKED_COMMITTEES.get(text)
    if joint_commission is None:
        joint_commission = fields.convert("JointCommissionNbr", JointCommission, required=True)
        CHECKED_COMMITTEES.put(text, joint_commission)
    return joint_commission


def read_occupation(
    parent: FieldReader,
    element: Any,
    step: str,
    quarter: tuple[date, date],
) -> DmfaOccupation:
    """One ``Occupation`` element (path ``parent.path + "." + step``) of a quarter.

    Shared by the readers of originals, updates and consultation answers.
    """
    children: dict[str, Any] = {}
    fields = parent.child(element, step, children=children)
    services: list[ServiceLine] = []
    remunerations: list[RemunerationLine] = []
    measures: list[ReorganisationMeasure] = []
    lines: dict[str, list[Any]] = {
        "Service": services,
        "Remun": remunerations,
        "ReorgMeasureInformation": measures,
    }
    for child in fields.element:
        tag = child.tag
        bucket = lines.get(tag)
        if bucket is not None:
            bucket.append(_sub_line(fields, child, len(bucket)))
        else:
            children[tag] = child
    start = fields.iso_date("OccupationStartingDate", required=True)
    end = fields.iso_date("OccupationEndingDate")
    if end is not None and end < start:
        fields.fail(
            f"OccupationEndingDate {end} is before OccupationStartingDate {start}",
            "OccupationEndingDate",
        )
    joint_commission = _joint_commission(fields)
    contract = fields.integer("ContractType", required=True)
    if contract not in (0, 1):
        fields.fail(f"invalid ContractType {contract}: expected 0 or 1", "ContractType")
    q = fields.integer("MeanWorkingHours")
    s = fields.integer("RefMeanWorkingHours")
    problem = work_hours_problem(q, s)
    if problem is not None:
        fields.fail(problem[1], problem[0], kind=InvalidWorkFractionError)
    measure = fields.integer("ReorganisationMeasure")
    if measure is not None:
        measures.insert(0, ReorganisationMeasure(measure))
    quarter_start, quarter_end = quarter
    clip_start = start if start > quarter_start else quarter_start
    clip_end = quarter_end if end is None or end > quarter_end else end
    # A line wholly outside its quarter (termination indemnity for a later period)
    # keeps its declared dates.
    period = Period(clip_start, clip_end) if clip_start <= clip_end else Period(start, end)
    line = DmfaOccupation(
        sequence=fields.integer("OccupationSequenceNbr", required=True, minimum=1),
        start=start,
        end=end,
        period=period,
        joint_commission=joint_commission,
        working_days_system=fields.integer("WorkingDaysSystem", required=True),
        contract_type=ContractType.PART_TIME if contract else ContractType.FULL_TIME,
        mean_working_hours=q,
        ref_mean_working_hours=s,
        reorganisation_measures=measures,
        services=services,
        remunerations=remunerations,
        source=SourceRef(fields.file, element.sourceline, fields.path),
    )
    if not overlaps_quarter(start, end, quarter) and not is_termination_indemnity(line):
        fields.fail(
            f"the occupation {start}..{end or ''} lies outside its quarter "
            f"{quarter[0]}..{quarter[1]} and is not a termination-indemnity line",
            "OccupationStartingDate",
        )
    return line
