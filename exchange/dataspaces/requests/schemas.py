"""Request and response models of consent requests (授权申请)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from exchange.dataspaces.fields import FieldNames, Id, Message, Purposes, Reason, RecordTypes
from exchange.dataspaces.requests.models import ConsentRequest
from exchange.dataspaces.vocabulary import (
    PURPOSE_LABELS,
    ConsentPurpose,
    RecordType,
    RequestStatus,
)
from exchange.kit.fields import MarketDateTime
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictBool


class ConsentRequestCreate(RequestModel):
    """Ask a person or a company for a consent over its records of some types."""

    subject_id: Id = Field(description="The person or company asked (the data subject)")
    record_types: RecordTypes = Field(default_factory=list)
    fields: FieldNames = Field(default_factory=list)
    purposes: Purposes
    certificates: StrictBool = Field(
        default=False, description="Also ask to see the company's data-asset certificates"
    )
    expires_at: MarketDateTime = Field(description="Until when the consent is asked")
    message: Message = ""


class ConsentRequestDecline(RequestModel):
    """Decline a consent request."""

    reason: Reason


class ConsentRequestRead(ResponseModel):
    """A consent request and its outcome."""

    id: str
    requester_id: str
    subject_id: str
    record_types: list[RecordType]
    fields: list[str]
    purposes: list[ConsentPurpose]
    purpose_labels: list[str]
    certificates: bool
    expires_at: datetime
    message: str
    status: RequestStatus
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    consent_id: str | None


class ConsentRequestPage(Page[ConsentRequestRead]):
    """A page of consent requests."""


def request_read(request: ConsentRequest) -> ConsentRequestRead:
    return ConsentRequestRead(
        id=request.id,
        requester_id=request.requester_id,
        subject_id=request.subject_id,
        record_types=[RecordType(t) for t in request.record_types],
        fields=request.fields,
        purposes=[ConsentPurpose(p) for p in request.purposes],
        purpose_labels=[PURPOSE_LABELS[ConsentPurpose(p)] for p in request.purposes],
        certificates=request.certificates,
        expires_at=request.expires_at,
        message=request.message,
        status=RequestStatus(request.status),
        created_at=request.created_at,
        decided_at=request.decided_at,
        decision_reason=request.decision_reason,
        consent_id=request.consent_id,
    )
