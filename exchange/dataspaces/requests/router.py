"""HTTP endpoints of consent requests (授权申请)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from exchange.dataspaces.consents import service as consents_service
from exchange.dataspaces.consents.errors import ConsentScopeInvalid, ConsentTermInvalid
from exchange.dataspaces.consents.schemas import ConsentRead, consent_read
from exchange.dataspaces.requests import service
from exchange.dataspaces.requests.errors import (
    ConsentRequestDecided,
    ConsentRequestNotFound,
    InvalidDataSubject,
)
from exchange.dataspaces.requests.schemas import (
    ConsentRequestCreate,
    ConsentRequestDecline,
    ConsentRequestPage,
    ConsentRequestRead,
    request_read,
)
from exchange.dataspaces.roles import DataSubjectContext, GranteeContext
from exchange.dataspaces.vocabulary import RequestStatus
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.security import ActorContext

router = APIRouter(tags=["dataspaces"])


@router.post(
    "/consent-requests",
    status_code=201,
    operation_id="request_consent",
    responses=responses(Forbidden, InvalidDataSubject, ConsentTermInvalid),
)
async def request_consent(body: ConsentRequestCreate, ctx: GranteeContext) -> ConsentRequestRead:
    """Ask a person or a company for a consent (e.g. a bank, for a credit decision)."""
    request = await service.request_consent(
        ctx,
        subject_id=body.subject_id,
        record_types=body.record_types,
        fields=body.fields,
        purposes=body.purposes,
        certificates=body.certificates,
        expires_at=body.expires_at,
        message=body.message,
    )
    return request_read(request)


@router.get("/consent-requests", operation_id="list_consent_requests")
async def list_consent_requests(
    ctx: ActorContext,
    party: Annotated[
        Literal["subject", "requester"] | None,
        Query(description="subject: requests made of you; requester: requests you made"),
    ] = None,
    status: RequestStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ConsentRequestPage:
    """Consent requests made of you or by you (regulators and admins: every request)."""
    rows, total = await service.list_requests(
        ctx, party=party, status=status, limit=limit, offset=offset
    )
    return ConsentRequestPage(items=[request_read(r) for r in rows], total=total)


@router.get(
    "/consent-requests/{request_id}",
    operation_id="get_consent_request",
    responses=responses(ConsentRequestNotFound),
)
async def get_consent_request(request_id: str, ctx: ActorContext) -> ConsentRequestRead:
    """A consent request and its outcome."""
    return request_read(await service.get_request(ctx, request_id))


@router.post(
    "/consent-requests/{request_id}/accept",
    status_code=201,
    operation_id="accept_consent_request",
    responses=responses(
        Forbidden,
        ConsentRequestNotFound,
        ConsentRequestDecided,
        ConsentScopeInvalid,
        ConsentTermInvalid,
    ),
)
async def accept_consent_request(request_id: str, ctx: DataSubjectContext) -> ConsentRead:
    """Accept a request made of you: the consent is granted, its receipt signed."""
    consent = await service.accept(ctx, request_id=request_id)
    return consent_read(consent, consents_service.status_of(ctx, consent))


@router.post(
    "/consent-requests/{request_id}/decline",
    operation_id="decline_consent_request",
    responses=responses(Forbidden, ConsentRequestNotFound, ConsentRequestDecided),
)
async def decline_consent_request(
    request_id: str, body: ConsentRequestDecline, ctx: DataSubjectContext
) -> ConsentRequestRead:
    """Decline a request made of you: nothing is granted."""
    return request_read(await service.decline(ctx, request_id=request_id, reason=body.reason))
