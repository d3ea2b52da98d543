"""Request and response models of supervision cases and their decisions."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from exchange.kit.paging import Page
from exchange.kit.params import Position
from exchange.schemas import RequestModel, ResponseModel, StrictInt
from exchange.supervision.cases.decisions import Decided
from exchange.supervision.cases.service import CaseView
from exchange.supervision.fields import AgencyId, Id, Reason, Text, Title
from exchange.supervision.measures.schemas import MeasureRead, measure_read
from exchange.supervision.rules import MeasureKind, Outcome, Remit, SubjectType


class CaseCreate(RequestModel):
    """Open a case (立案) within one's agency's remit, by hand or from an alert."""

    remit: Remit
    subject_type: SubjectType
    subject_id: Id
    title: Title
    summary: Text
    facts: list[Position] = Field(default_factory=list, max_length=500)
    alert_id: Id | None = None
    response_working_days: StrictInt = Field(default=5, ge=1, le=60)


class FactCreate(RequestModel):
    """Link an audit entry to the case."""

    entry_index: Position
    note: Text


class ReferralCreate(RequestModel):
    """Refer a part of the case to another agency (协同)."""

    to_agency_id: AgencyId
    remit: Remit
    part: Text
    reason: Reason


class ResponseCreate(RequestModel):
    """A notified party's answer (陈述申辩)."""

    text: Text


class MeasureCreate(RequestModel):
    """Decide a measure (监管措施) on the case; `joint_with` makes it a joint decision."""

    kind: MeasureKind
    subject_id: Id
    reason: Reason
    joint_with: list[AgencyId] = Field(default_factory=list, max_length=4)


class ClosureCreate(RequestModel):
    """Close the case with its outcome (结案)."""

    outcome: Outcome
    finding: Text


class LiftCreate(RequestModel):
    """Lift a measure by a later decision (解除)."""

    reason: Reason


class FactRead(ResponseModel):
    """A fact: an audit entry index and what it shows."""

    entry_index: int
    note: str
    added_by: str
    added_at: datetime


class ReferralRead(ResponseModel):
    """A part of the case referred to another agency."""

    id: str
    from_agency_id: str
    to_agency_id: str
    remit: str
    part: str
    reason: str
    referred_by: str
    referred_at: datetime


class ResponseRead(ResponseModel):
    """A notified party's answer."""

    id: str
    participant_id: str
    text: str
    responded_at: datetime


class DecisionRead(ResponseModel):
    """A decision on a case; a joint one is `proposed` until every partner concurs."""

    id: str
    case_id: str
    agency_id: str
    kind: str
    state: str
    measure_id: str | None
    outcome: str | None
    reason: str
    joint_with: list[str]
    concurred_by: list[str]
    decided_by: str
    decided_at: datetime
    effective_at: datetime | None


class DecidedRead(ResponseModel):
    """A decision and the measure it imposes or lifts."""

    decision: DecisionRead
    measure: MeasureRead | None


class CaseRead(ResponseModel):
    """A supervision case (监管案件)."""

    id: str
    lead_agency_id: str
    agency_ids: list[str]
    remit: str
    title: str
    summary: str
    subject_type: str
    subject_id: str
    notified: list[str]
    respond_by: datetime
    alert_id: str | None
    state: str
    outcome: str | None
    finding: str | None
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    facts: list[FactRead]
    referrals: list[ReferralRead]
    responses: list[ResponseRead]
    decisions: list[DecisionRead]
    measures: list[MeasureRead]


class CaseSummary(ResponseModel):
    """A case as lists show it."""

    id: str
    lead_agency_id: str
    remit: str
    title: str
    subject_type: str
    subject_id: str
    state: str
    outcome: str | None
    respond_by: datetime
    opened_at: datetime
    closed_at: datetime | None


class CasePage(Page[CaseSummary]):
    """A page of cases."""


def case_read(found: CaseView) -> CaseRead:
    c = found.case
    return CaseRead(
        id=c.id,
        lead_agency_id=c.lead_agency_id,
        agency_ids=found.agency_ids,
        remit=c.remit,
        title=c.title,
        summary=c.summary,
        subject_type=c.subject_type,
        subject_id=c.subject_id,
        notified=list(c.notified),
        respond_by=c.respond_by,
        alert_id=c.alert_id,
        state=c.state,
        outcome=c.outcome,
        finding=c.finding,
        opened_by=c.opened_by,
        opened_at=c.opened_at,
        closed_at=c.closed_at,
        facts=[FactRead.model_validate(f) for f in found.facts],
        referrals=[ReferralRead.model_validate(r) for r in found.referrals],
        responses=[ResponseRead.model_validate(r) for r in found.responses],
        decisions=[DecisionRead.model_validate(d) for d in found.decisions],
        measures=[measure_read(m) for m in found.measures],
    )


def decided_read(decided: Decided) -> DecidedRead:
    return DecidedRead(
        decision=DecisionRead.model_validate(decided.decision),
        measure=measure_read(decided.measure) if decided.measure is not None else None,
    )
