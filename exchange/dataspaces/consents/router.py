"""HTTP endpoints of consents (授权): grant, read, revoke, receipts, reads under them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from exchange.context import Principal
from exchange.dataspaces.consents import reading, service
from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentNotFound,
    ConsentNotHeld,
    ConsentRecordsNotYours,
    ConsentRevoked,
    ConsentScopeInvalid,
    ConsentTermInvalid,
    InvalidGrantee,
    PurposeNotConsented,
)
from exchange.dataspaces.consents.keys import consent_key
from exchange.dataspaces.consents.receipts import ISSUER_NAME
from exchange.dataspaces.consents.schemas import (
    ConsentCreate,
    ConsentIssuerKeyRead,
    ConsentPage,
    ConsentRead,
    ConsentReadResult,
    ConsentRevoke,
    ReadCreate,
    ReceiptRead,
    ReceiptVerification,
    ReceiptVerify,
    consent_read,
    read_result,
)
from exchange.dataspaces.roles import DataSubjectContext, grantee_apart
from exchange.dataspaces.vocabulary import ConsentStatus
from exchange.dependencies import RuntimeDep
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.signed import encode_signature
from exchange.security import ActorContext, PublicContext

router = APIRouter(tags=["dataspaces"])


@router.get("/consents/issuer-key", operation_id="get_consent_issuer_key")
async def issuer_key(runtime: RuntimeDep) -> ConsentIssuerKeyRead:
    """The platform's Ed25519 public key that signs consent receipts (no authentication)."""
    key = consent_key(runtime)
    return ConsentIssuerKeyRead(
        issuer=ISSUER_NAME,
        algorithm="ed25519",
        public_key=encode_signature(key.public_raw),
        key_id=key.key_id,
    )


@router.post("/consents/verify", operation_id="verify_consent_receipt")
async def verify(body: ReceiptVerify, ctx: PublicContext) -> ReceiptVerification:
    """Check a presented consent receipt: signature, the platform's records, revocation and
    expiry. No API key: a relying party shown a receipt may ask."""
    found = await service.verify_presented(ctx, document=body.document, signature=body.signature)
    return ReceiptVerification(
        status=found.status,
        accepted=found.accepted,
        consent_id=found.consent_id,
        detail=found.detail,
        checked_at=ctx.clock.now(),
    )


@router.post(
    "/consents",
    status_code=201,
    operation_id="grant_consent",
    responses=responses(
        Forbidden,
        ConsentRecordsNotYours,
        InvalidGrantee,
        ConsentScopeInvalid,
        ConsentTermInvalid,
    ),
)
async def grant_consent(body: ConsentCreate, ctx: DataSubjectContext) -> ConsentRead:
    """Grant a consent (授权) over your own records: to whom, which records and fields, for
    which purposes, until when. The platform signs its receipt."""
    consent = await service.grant(
        ctx,
        grantee_id=body.grantee_id,
        record_ids=body.record_ids,
        record_types=body.record_types,
        fields=body.fields,
        purposes=body.purposes,
        certificates=body.certificates,
        expires_at=body.expires_at,
    )
    return consent_read(consent, service.status_of(ctx, consent))


@router.get("/consents", operation_id="list_consents")
async def list_consents(
    ctx: ActorContext,
    party: Annotated[
        Literal["subject", "grantee"] | None,
        Query(description="subject: consents you granted; grantee: consents granted to you"),
    ] = None,
    status: ConsentStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ConsentPage:
    """Consents you granted or hold (regulators and admins: every consent)."""
    rows, total = await service.list_consents(
        ctx, party=party, status=status, limit=limit, offset=offset
    )
    return ConsentPage(
        items=[consent_read(c, service.status_of(ctx, c)) for c in rows], total=total
    )


@router.get(
    "/consents/{consent_id}", operation_id="get_consent", responses=responses(ConsentNotFound)
)
async def get_consent(consent_id: str, ctx: ActorContext) -> ConsentRead:
    """A consent and its status by the market clock (its subject, grantee and overseers)."""
    consent = await service.get_consent(ctx, consent_id)
    return consent_read(consent, service.status_of(ctx, consent))


@router.get(
    "/consents/{consent_id}/receipt",
    operation_id="get_consent_receipt",
    responses=responses(ConsentNotFound),
)
async def get_consent_receipt(consent_id: str, ctx: ActorContext) -> ReceiptRead:
    """The consent's signed receipt (授权凭证) and its status now; verify the receipt offline
    with GET /v1/consents/issuer-key (exchange.client.verify_consent_receipt)."""
    signed = await service.signed_receipt(ctx, consent_id)
    return ReceiptRead(
        consent_id=consent_id,
        document=signed.document,
        signature=encode_signature(signed.signature),
        key_id=signed.key_id,
        status=signed.status,
        checked_at=ctx.clock.now(),
    )


@router.post(
    "/consents/{consent_id}/revoke",
    operation_id="revoke_consent",
    responses=responses(Forbidden, ConsentNotFound, ConsentRevoked, ConsentExpired),
)
async def revoke_consent(
    consent_id: str, body: ConsentRevoke, ctx: DataSubjectContext
) -> ConsentRead:
    """Revoke your consent (撤回授权): every later read, sale, delivery and export relying on
    it is refused at once."""
    consent = await service.revoke(ctx, consent_id=consent_id, reason=body.reason)
    return consent_read(consent, service.status_of(ctx, consent))


@router.post(
    "/consents/{consent_id}/reads",
    operation_id="read_under_consent",
    responses=responses(
        Forbidden,
        ConsentNotFound,
        ConsentNotHeld,
        PurposeNotConsented,
        ConsentRevoked,
        ConsentExpired,
    ),
)
async def read_under_consent(
    consent_id: str,
    body: ReadCreate,
    runtime: RuntimeDep,
    grantee: Principal = grantee_apart(),
) -> ConsentReadResult:
    """The grantee reads the records (and certificates) a consent covers, for a purpose it
    declares, while the consent is in force. Every read is recorded in the audit log, and so
    is every read the consent refuses."""
    result = await reading.read_under_consent(
        runtime, grantee, consent_id=consent_id, purpose=body.purpose
    )
    return read_result(result)
