"""HTTP endpoints of posted-price orders (挂牌交易) and the trades they settle."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response

from exchange.errors import responses
from exchange.kit.fields import MarketDateTime
from exchange.kit.paging import Limit, Offset
from exchange.operation.errors import AgreementNotLive
from exchange.participants.errors import InsufficientFunds
from exchange.security import ActorContext
from exchange.trading.brokerage.errors import (
    BrokerNotLicensed,
    BrokerRequired,
    CommissionAboveCap,
    MandateExpired,
    MandateLimitExceeded,
    MandateNotFound,
    MandateRequired,
    MandateRevoked,
    MandateScope,
)
from exchange.trading.customs.errors import LegalBasisRequired
from exchange.trading.listings.errors import (
    DeliveryFingerprintMismatch,
    ExclusiveLicenceInForce,
    LicenceUnavailable,
    ListingNotActive,
    ListingNotFound,
    PriceOutOfLimits,
    TierNotFound,
    TradeModeClosed,
)
from exchange.trading.orders import idempotency, service
from exchange.trading.orders.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    OrderNotFound,
    OwnListing,
    RoleMayNotTrade,
    TradeNotFound,
)
from exchange.trading.orders.filters import TradeFilter
from exchange.trading.orders.schemas import (
    OrderCreate,
    OrderPage,
    OrderRead,
    TradePage,
    TradeRead,
    order_read,
    trade_read,
)
from exchange.trading.policies.errors import TerritoryNotAllowed
from exchange.vocabulary import OrderStatus, TradeMode

router = APIRouter(tags=["trading"])

REPLAYED_HEADER = "Idempotent-Replayed"


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retries with the same key return the first response and never charge twice.",
    ),
]


def trade_filters(
    exchange_id: str | None = None,
    mode: TradeMode | None = None,
    buyer_id: str | None = None,
    seller_id: str | None = None,
    broker_id: str | None = None,
    listing_id: str | None = None,
    since: MarketDateTime | None = None,
    until: MarketDateTime | None = None,
) -> TradeFilter:
    """The filters trades and orders share (query parameters)."""
    return TradeFilter(
        exchange_id=exchange_id,
        mode=mode,
        buyer_id=buyer_id,
        seller_id=seller_id,
        broker_id=broker_id,
        listing_id=listing_id,
        since=since,
        until=until,
    )


TradeFilters = Annotated[TradeFilter, Depends(trade_filters)]
ORDER_ERRORS = (
    TerritoryNotAllowed,
    ListingNotFound,
    TierNotFound,
    ListingNotActive,
    TradeModeClosed,
    PriceOutOfLimits,
    OwnListing,
    BrokerRequired,
    BrokerNotLicensed,
    MandateRequired,
    MandateNotFound,
    MandateExpired,
    MandateRevoked,
    MandateScope,
    MandateLimitExceeded,
    CommissionAboveCap,
    LicenceUnavailable,
    ExclusiveLicenceInForce,
    LegalBasisRequired,
    InsufficientFunds,
    RoleMayNotTrade,
    AgreementNotLive,
    IdempotencyKeyReused,
    IdempotencyKeyInUse,
    DeliveryFingerprintMismatch,
)


def replayable(status: int = 201) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI note of an operation that takes an Idempotency-Key: replays say so."""
    return {
        status: {
            "headers": {
                REPLAYED_HEADER: {
                    "description": (
                        "`true` when this answer is the stored first response to the same "
                        "Idempotency-Key (nothing was done again); absent on a first answer."
                    ),
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
        }
    }


def json_response(outcome: idempotency.Outcome) -> Response:
    headers = {REPLAYED_HEADER: "true"} if outcome.replayed else None
    return Response(
        content=outcome.body,
        status_code=outcome.status,
        media_type="application/json",
        headers=headers,
    )


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderRead,
    operation_id="place_order",
    responses={**responses(*ORDER_ERRORS), **replayable()},
)
async def place_order(
    body: OrderCreate, ctx: ActorContext, idempotency_key: IdempotencyKey = None
) -> Response:
    """Buy a tier at its posted price (挂牌交易): settles at once, or waits for data customs."""

    async def run() -> OrderRead:
        placed = await service.place_order(
            ctx,
            listing_id=body.listing_id,
            tier_id=body.tier_id,
            exchange_id=body.exchange_id,
            mandate_id=body.mandate_id,
            legal_basis=body.legal_basis,
        )
        return order_read(ctx, placed)

    return json_response(
        await idempotency.once(
            ctx,
            key=idempotency_key,
            scope=idempotency.ORDER_SCOPE,
            request=body.model_dump(mode="json"),
            status=201,
            run=run,
        )
    )


@router.get("/orders", operation_id="list_orders")
async def list_orders(
    ctx: ActorContext,
    filters: TradeFilters,
    status: OrderStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> OrderPage:
    """Orders: one's own; an exchange's operators see its orders; regulators filter all."""
    views, total = await service.list_orders(
        ctx, filters, status=status, limit=limit, offset=offset
    )
    return OrderPage(items=[order_read(ctx, v) for v in views], total=total)


@router.get("/orders/{order_id}", operation_id="get_order", responses=responses(OrderNotFound))
async def get_order(order_id: str, ctx: ActorContext) -> OrderRead:
    """An order with its trade, licence and customs case."""
    return order_read(ctx, await service.get_order(ctx, order_id))


@router.get("/trades", operation_id="list_trades")
async def list_trades(
    ctx: ActorContext, filters: TradeFilters, limit: Limit = 100, offset: Offset = 0
) -> TradePage:
    """Trades: one's own; an exchange's operators see its trades; regulators filter all."""
    rows, total = await service.list_trades(ctx, filters, limit=limit, offset=offset)
    return TradePage(items=[trade_read(t) for t in rows], total=total)


@router.get("/trades/{trade_id}", operation_id="get_trade", responses=responses(TradeNotFound))
async def get_trade(trade_id: str, ctx: ActorContext) -> TradeRead:
    """A settled trade."""
    return trade_read(await service.get_trade(ctx, trade_id))
