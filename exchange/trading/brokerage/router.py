"""HTTP endpoints of data brokers' licences (数据经纪人) and their clients' mandates (授权委托)."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.errors import Forbidden, InvalidInput, NotFound, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import BuyerContext, OperatorContext
from exchange.security import ActorContext
from exchange.trading.brokerage import service
from exchange.trading.brokerage.errors import (
    AlreadyLicensed,
    BrokerLicenceNotFound,
    BrokerNotLicensed,
    CommissionAboveCap,
    MandateNotFound,
)
from exchange.trading.brokerage.models import BrokerLicence
from exchange.trading.brokerage.schemas import (
    BrokerLicenceCreate,
    BrokerLicencePage,
    BrokerLicenceRead,
    MandateCreate,
    MandatePage,
    MandateRead,
    ReasonBody,
    mandate_read,
)
from exchange.trading.venues.errors import ExchangeNotFound, NotExchangeOperator
from exchange.vocabulary import MandateStatus

router = APIRouter(tags=["trading"])


@router.post(
    "/brokers",
    status_code=201,
    operation_id="license_broker",
    responses=responses(NotExchangeOperator, AlreadyLicensed, InvalidInput, NotFound),
)
async def license_broker(body: BrokerLicenceCreate, ctx: OperatorContext) -> BrokerLicenceRead:
    """License a data broker (数据经纪人) on the operator's own exchange."""
    licence: BrokerLicence = await service.license_broker(
        ctx, exchange_id=body.exchange_id, broker_id=body.broker_id
    )
    return BrokerLicenceRead.model_validate(licence)


@router.get("/brokers", operation_id="list_broker_licences")
async def list_broker_licences(
    ctx: ActorContext,
    exchange_id: str | None = None,
    broker_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> BrokerLicencePage:
    """Licensed brokers, by exchange or broker (public)."""
    rows = await service.list_broker_licences(ctx, exchange_id=exchange_id, broker_id=broker_id)
    return BrokerLicencePage.window(
        [BrokerLicenceRead.model_validate(r) for r in rows], limit=limit, offset=offset
    )


@router.post(
    "/brokers/{licence_id}/revoke",
    operation_id="revoke_broker_licence",
    responses=responses(BrokerLicenceNotFound, NotExchangeOperator),
)
async def revoke_broker_licence(
    licence_id: str, body: ReasonBody, ctx: OperatorContext
) -> BrokerLicenceRead:
    """Revoke a broker's licence (the issuing exchange's operators)."""
    licence = await service.revoke_broker_licence(ctx, licence_id=licence_id, reason=body.reason)
    return BrokerLicenceRead.model_validate(licence)


@router.post(
    "/mandates",
    status_code=201,
    operation_id="grant_mandate",
    responses=responses(Forbidden, BrokerNotLicensed, CommissionAboveCap, ExchangeNotFound),
)
async def grant_mandate(body: MandateCreate, ctx: BuyerContext) -> MandateRead:
    """Grant a licensed broker a mandate (授权委托) to trade for the caller."""
    mandate = await service.grant_mandate(
        ctx,
        broker_id=body.broker_id,
        side=body.side,
        exchange_ids=body.exchange_ids,
        actions=body.actions,
        spending_limit_fen=body.spending_limit_fen,
        commission_bp=body.commission_bp,
        expires_at=body.expires_at,
    )
    return mandate_read(ctx, mandate)


@router.get("/mandates", operation_id="list_mandates")
async def list_mandates(
    ctx: ActorContext,
    client_id: str | None = None,
    broker_id: str | None = None,
    status: MandateStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MandatePage:
    """Mandates: one's own as client or broker; regulators and admins filter all."""
    rows, total = await service.list_mandates(
        ctx, client_id=client_id, broker_id=broker_id, status=status, limit=limit, offset=offset
    )
    return MandatePage(items=[mandate_read(ctx, m) for m in rows], total=total)


@router.get(
    "/mandates/{mandate_id}", operation_id="get_mandate", responses=responses(MandateNotFound)
)
async def get_mandate(mandate_id: str, ctx: ActorContext) -> MandateRead:
    """A mandate (its client, its broker, overseers)."""
    return mandate_read(ctx, await service.get_mandate(ctx, mandate_id))


@router.post(
    "/mandates/{mandate_id}/revoke",
    operation_id="revoke_mandate",
    responses=responses(MandateNotFound, Forbidden),
)
async def revoke_mandate(mandate_id: str, ctx: ActorContext) -> MandateRead:
    """The client withdraws its mandate at once."""
    return mandate_read(ctx, await service.revoke_mandate(ctx, mandate_id=mandate_id))
