"""Consent requests (授权申请): a participant (a bank deciding on a loan, 企业信贷) asks a
person or a company for a consent; the subject accepts, and the consent is granted over its
records of the types asked, or declines. Either way the request is closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from exchange.clock import rfc3339
from exchange.context import Context
from exchange.dataspaces.consents import service as consents_service
from exchange.dataspaces.consents.errors import ConsentTermInvalid
from exchange.dataspaces.consents.models import Consent
from exchange.dataspaces.records import service as records_service
from exchange.dataspaces.requests import repository
from exchange.dataspaces.requests.errors import (
    ConsentRequestDecided,
    ConsentRequestNotFound,
    InvalidDataSubject,
)
from exchange.dataspaces.requests.models import ConsentRequest
from exchange.dataspaces.vocabulary import (
    DATA_SUBJECT_ROLES,
    ConsentPurpose,
    RecordType,
    RequestStatus,
)
from exchange.errors import Forbidden
from exchange.participants import service as participants_service
from exchange.participants.errors import ParticipantNotFound
from exchange.vocabulary import Role

Party = Literal["subject", "requester"]


async def request_consent(
    ctx: Context,
    *,
    subject_id: str,
    record_types: Sequence[RecordType],
    fields: Sequence[str],
    purposes: Sequence[ConsentPurpose],
    certificates: bool,
    expires_at: datetime,
    message: str,
) -> ConsentRequest:
    """Ask a person or a company for a consent (the caller becomes its grantee)."""
    me = consents_service.actor_id(ctx)
    if subject_id == me:
        raise InvalidDataSubject("Consent is asked of another participant, not of oneself.")
    try:
        subject = await participants_service.get(ctx, subject_id)
    except ParticipantNotFound:
        raise InvalidDataSubject(f"No participant {subject_id!r} to ask.") from None
    if Role(subject.role) not in DATA_SUBJECT_ROLES:
        raise InvalidDataSubject(
            f"Participant {subject_id} is a {subject.role}: only people and companies have a "
            "data space to consent over."
        )
    if certificates and Role(subject.role) is not Role.ENTERPRISE:
        raise InvalidDataSubject("Only a company holds data-asset certificates.")
    now = ctx.clock.now()
    if expires_at <= now or expires_at > now + consents_service.MAX_CONSENT_TERM:
        raise ConsentTermInvalid(
            f"expires_at {rfc3339(expires_at)} must be after now and within five years."
        )
    request = ConsentRequest(
        id=ctx.ids.new(),
        requester_id=me,
        subject_id=subject_id,
        record_types=[t.value for t in dict.fromkeys(record_types)],
        fields=list(dict.fromkeys(fields)),
        purposes=[p.value for p in dict.fromkeys(purposes)],
        certificates=certificates,
        expires_at=expires_at,
        message=message,
        status=RequestStatus.PENDING,
        created_at=now,
    )
    ctx.session.add(request)
    ctx.audit(
        "consent.requested",
        subject_type="consent_request",
        subject_id=request.id,
        payload={
            "requester_id": me,
            "subject_id": subject_id,
            "record_types": request.record_types,
            "fields": request.fields,
            "purposes": request.purposes,
            "certificates": certificates,
            "expires_at": expires_at,
            "message": message,
        },
    )
    await ctx.session.flush()
    return request


def _visible(ctx: Context, request: ConsentRequest) -> bool:
    me = consents_service.actor_id(ctx)
    return consents_service.oversees(ctx) or me in (request.subject_id, request.requester_id)


async def get_request(ctx: Context, request_id: str) -> ConsentRequest:
    """A request: its requester, its subject and overseers see it (404 for anyone else)."""
    request = await repository.get_request(ctx.session, request_id)
    if request is None or not _visible(ctx, request):
        raise ConsentRequestNotFound(f"No consent request {request_id!r}.")
    return request


async def list_requests(
    ctx: Context,
    *,
    party: Party | None,
    status: RequestStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ConsentRequest], int]:
    """Requests made of the caller (`subject`), by it (`requester`) or either; overseers see
    every request unless they name a party."""
    me = consents_service.actor_id(ctx)
    everyone = consents_service.oversees(ctx) and party is None
    return await repository.list_requests(
        ctx.session,
        subject_id=me if party == "subject" else None,
        requester_id=me if party == "requester" else None,
        either_id=None if everyone or party is not None else me,
        status=status.value if status is not None else None,
        limit=limit,
        offset=offset,
    )


async def _pending_of_mine(ctx: Context, request_id: str) -> ConsentRequest:
    """A pending request made of the caller, locked until the decision commits."""
    me = records_service.data_subject(ctx)
    request = await repository.get_request(ctx.session, request_id, lock=True)
    if request is None or not _visible(ctx, request):
        raise ConsentRequestNotFound(f"No consent request {request_id!r}.")
    if request.subject_id != me.id:
        raise Forbidden("Only the person or company asked decides a consent request.")
    if request.status != RequestStatus.PENDING:
        raise ConsentRequestDecided(f"Consent request {request_id} is already {request.status}.")
    return request


async def accept(ctx: Context, *, request_id: str) -> Consent:
    """The subject accepts: a consent is granted to the requester over its records of the
    types asked (as they are now), for the purposes, fields and term asked."""
    request = await _pending_of_mine(ctx, request_id)
    consent = await consents_service.grant(
        ctx,
        grantee_id=request.requester_id,
        record_ids=(),
        record_types=[RecordType(t) for t in request.record_types],
        fields=request.fields,
        purposes=[ConsentPurpose(p) for p in request.purposes],
        certificates=request.certificates,
        expires_at=request.expires_at,
        request_id=request.id,
    )
    request.status = RequestStatus.ACCEPTED
    request.decided_at = ctx.clock.now()
    request.consent_id = consent.id
    ctx.audit(
        "consent.request_accepted",
        subject_type="consent_request",
        subject_id=request.id,
        payload={"consent_id": consent.id, "subject_id": request.subject_id},
    )
    return consent


async def decline(ctx: Context, *, request_id: str, reason: str) -> ConsentRequest:
    """The subject declines: nothing is granted."""
    request = await _pending_of_mine(ctx, request_id)
    request.status = RequestStatus.DECLINED
    request.decided_at = ctx.clock.now()
    request.decision_reason = reason
    ctx.audit(
        "consent.request_declined",
        subject_type="consent_request",
        subject_id=request.id,
        payload={"subject_id": request.subject_id, "reason": reason},
    )
    await ctx.session.flush()
    return request


async def request_ids_of(ctx: Context, subject_id: str) -> list[str]:
    """Every request made of a subject (who used my data)."""
    return await repository.request_ids_of_subject(ctx.session, subject_id)
