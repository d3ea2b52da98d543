"""HTTP endpoints of pledges (质押)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.assets.certificates.errors import (
    CertificateAlreadyPledged,
    CertificateNotFound,
    CertificateNotValid,
)
from exchange.assets.pledges import service
from exchange.assets.pledges.errors import PledgeNotFound, PledgeStateConflict
from exchange.assets.pledges.models import PledgeStatus
from exchange.assets.pledges.schemas import PledgeCreate, PledgePage, PledgeRead
from exchange.assets.registry.errors import ApplicationOpen, AssetNotRegistered
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import LenderContext
from exchange.security import ActorContext

router = APIRouter(tags=["assets"])


@router.post(
    "/pledges",
    status_code=201,
    operation_id="record_pledge",
    tags=["pledges"],
    responses=responses(
        Forbidden,
        CertificateNotFound,
        CertificateNotValid,
        CertificateAlreadyPledged,
        AssetNotRegistered,
        ApplicationOpen,
    ),
)
async def record_pledge(body: PledgeCreate, ctx: LenderContext) -> PledgeRead:
    """A lender records a pledge of a certificate (质押登记); the holder then confirms it."""
    pledge = await service.record_pledge(
        ctx,
        certificate_number=body.certificate_number,
        loan_reference=body.loan_reference,
        amount_fen=body.amount_fen,
    )
    return PledgeRead.model_validate(pledge)


@router.get("/pledges", operation_id="list_pledges", tags=["pledges"])
async def list_pledges(
    ctx: ActorContext,
    certificate_number: Annotated[str | None, Query(max_length=32)] = None,
    status: PledgeStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PledgePage:
    """Pledges one is lender or holder of (regulators: all)."""
    rows, total = await service.list_pledges(
        ctx, certificate_number=certificate_number, status=status, limit=limit, offset=offset
    )
    return PledgePage(items=[PledgeRead.model_validate(p) for p in rows], total=total)


@router.get(
    "/pledges/{pledge_id}",
    operation_id="get_pledge",
    tags=["pledges"],
    responses=responses(PledgeNotFound),
)
async def get_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """A pledge (its lender, its holder and regulators)."""
    return PledgeRead.model_validate(await service.get_pledge(ctx, pledge_id))


@router.post(
    "/pledges/{pledge_id}/confirm",
    operation_id="confirm_pledge",
    tags=["pledges"],
    responses=responses(
        PledgeNotFound,
        Forbidden,
        PledgeStateConflict,
        CertificateAlreadyPledged,
        CertificateNotValid,
        ApplicationOpen,
    ),
)
async def confirm_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """The holder confirms a recorded pledge: the certificate is pledged from now on."""
    return PledgeRead.model_validate(await service.confirm_pledge(ctx, pledge_id=pledge_id))


@router.post(
    "/pledges/{pledge_id}/decline",
    operation_id="decline_pledge",
    tags=["pledges"],
    responses=responses(PledgeNotFound, Forbidden, PledgeStateConflict),
)
async def decline_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """The holder declines a pledge recorded against its certificate."""
    return PledgeRead.model_validate(await service.decline_pledge(ctx, pledge_id=pledge_id))


@router.post(
    "/pledges/{pledge_id}/release",
    operation_id="release_pledge",
    tags=["pledges"],
    responses=responses(PledgeNotFound, Forbidden, PledgeStateConflict),
)
async def release_pledge(pledge_id: str, ctx: ActorContext) -> PledgeRead:
    """The lender releases its pledge (解除质押), or withdraws one not yet confirmed."""
    return PledgeRead.model_validate(await service.release_pledge(ctx, pledge_id=pledge_id))
