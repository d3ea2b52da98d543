"""Response models of supervision measures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exchange.kit.paging import Page
from exchange.schemas import ResponseModel
from exchange.supervision.measures.models import Measure
from exchange.supervision.rules import MEASURE_LABELS, MeasureKind


class MeasureRead(ResponseModel):
    """A measure (监管措施): what binds whom, by which case and decisions."""

    id: str
    case_id: str
    agency_id: str
    kind: str
    label: str
    subject_type: str
    subject_id: str
    state: str
    reason: str
    detail: dict[str, Any]
    imposed_by: str
    lifted_by: str | None
    imposed_at: datetime | None
    lifted_at: datetime | None


class MeasurePage(Page[MeasureRead]):
    """A page of measures."""


def measure_read(measure: Measure) -> MeasureRead:
    return MeasureRead(
        id=measure.id,
        case_id=measure.case_id,
        agency_id=measure.agency_id,
        kind=measure.kind,
        label=MEASURE_LABELS[MeasureKind(measure.kind)],
        subject_type=measure.subject_type,
        subject_id=measure.subject_id,
        state=measure.state,
        reason=measure.reason,
        detail=dict(measure.detail),
        imposed_by=measure.imposed_by,
        lifted_by=measure.lifted_by,
        imposed_at=measure.imposed_at,
        lifted_at=measure.lifted_at,
    )
