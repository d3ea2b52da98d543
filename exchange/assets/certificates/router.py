"""HTTP endpoints of certificates (数据资产凭证): read, verify, the key, revocations."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query

from exchange.assets.certificates import service
from exchange.assets.certificates.errors import CertificateNotFound
from exchange.assets.certificates.schemas import (
    CertificatePage,
    CertificateRead,
    CertificateVerify,
    IssuerKeyRead,
    RevocationListRead,
    VerificationRead,
)
from exchange.assets.certificates.signing import ISSUER_NAME, encode_signature
from exchange.assets.pledges.schemas import PledgeRead
from exchange.dependencies import RuntimeDep
from exchange.errors import responses
from exchange.kit.paging import Limit, Offset
from exchange.security import ActorContext, PublicContext

router = APIRouter(tags=["assets"])


def certificate_read(view: service.CertificateView) -> CertificateRead:
    """A certificate with its document, signature and status."""
    c = view.certificate
    return CertificateRead(
        number=c.number,
        asset_id=c.asset_id,
        holder_id=c.holder_id,
        document=service.parse_document(c),
        signature=encode_signature(c.signature),
        key_id=c.key_id,
        status=view.status,
        issued_at=c.issued_at,
        expires_at=c.expires_at,
        revoked_at=c.revoked_at,
        revocation_reason=c.revocation_reason,
        pledged=view.pledged,
        pledge=PledgeRead.model_validate(view.pledge) if view.pledge is not None else None,
    )


@router.get("/certificates", operation_id="list_certificates", tags=["certificates"])
async def list_certificates(
    ctx: ActorContext,
    holder_id: Annotated[str | None, Query(max_length=36)] = None,
    asset_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CertificatePage:
    """Certificates one holds (overseers: all, filtered by holder or asset)."""
    views, total = await service.list_certificates(
        ctx, holder_id=holder_id, asset_id=asset_id, limit=limit, offset=offset
    )
    return CertificatePage(items=[certificate_read(v) for v in views], total=total)


@router.get(
    "/certificates/issuer-key", operation_id="get_certificate_issuer_key", tags=["certificates"]
)
async def issuer_key(runtime: RuntimeDep) -> IssuerKeyRead:
    """The registry's Ed25519 public key that signs certificates (no authentication)."""
    key = service.registry_key(runtime)
    return IssuerKeyRead(
        issuer=ISSUER_NAME,
        algorithm="ed25519",
        public_key=encode_signature(key.public_raw),
        key_id=key.key_id,
    )


@router.get(
    "/certificates/revocations",
    operation_id="get_certificate_revocation_list",
    tags=["certificates"],
)
async def revocation_list(ctx: PublicContext) -> RevocationListRead:
    """The registry's signed list of revoked certificates (撤销清单), for offline checks.

    No API key: a bank or a court checking a certificate needs none."""
    signed = await service.revocation_list(ctx)
    return RevocationListRead(
        document=json.loads(signed.document),
        signature=encode_signature(signed.signature),
        key_id=signed.key_id,
    )


@router.post("/certificates/verify", operation_id="verify_certificate", tags=["certificates"])
async def verify(body: CertificateVerify, ctx: PublicContext) -> VerificationRead:
    """Check a presented certificate: signature, register, revocation, expiry and pledge.

    No API key: anyone presented with a certificate may ask the register about it."""
    found = await service.verify_presented(ctx, document=body.document, signature=body.signature)
    return VerificationRead(
        status=found.result.status,
        accepted=found.result.accepted,
        number=found.result.number,
        detail=found.result.detail,
        revocation_reason=found.revocation_reason,
        pledged=found.pledged,
        checked_at=ctx.clock.now(),
    )


@router.get(
    "/certificates/{number}",
    operation_id="get_certificate",
    tags=["certificates"],
    responses=responses(CertificateNotFound),
)
async def get_certificate(number: str, ctx: ActorContext) -> CertificateRead:
    """A certificate: document, signature (base64) and status; pledged or not, not to whom."""
    return certificate_read(await service.certificate_view(ctx, number))
