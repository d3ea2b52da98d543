"""HTTP endpoints of negotiated trading (协议交易)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from exchange.errors import responses
from exchange.kit.paging import Limit, Offset
from exchange.security import ActorContext
from exchange.trading.brokerage.errors import MandateExpired, MandateRevoked
from exchange.trading.listings.errors import PriceOutOfLimits
from exchange.trading.negotiations import service
from exchange.trading.negotiations.errors import (
    BrokerConductsNegotiation,
    NegotiationNotFound,
    NegotiationStateConflict,
    WrongNegotiationParty,
)
from exchange.trading.negotiations.schemas import (
    NegotiationCreate,
    NegotiationPage,
    NegotiationRead,
    NegotiationSettle,
    NegotiationStep,
    NegotiationTerminate,
    negotiation_read,
)
from exchange.trading.orders import idempotency as orders_idempotency
from exchange.trading.orders.router import (
    ORDER_ERRORS,
    IdempotencyKey,
    json_response,
    replayable,
)
from exchange.trading.orders.schemas import OrderRead, order_read
from exchange.trading.policies.errors import PolicyOutsideAllowance
from exchange.vocabulary import NegotiationState

router = APIRouter(tags=["trading"])


@router.post(
    "/negotiations",
    status_code=201,
    operation_id="request_negotiation",
    responses=responses(*ORDER_ERRORS, PolicyOutsideAllowance),
)
async def request_negotiation(body: NegotiationCreate, ctx: ActorContext) -> NegotiationRead:
    """Ask a provider for a licence at a proposed price (协议交易)."""
    view = await service.request(
        ctx,
        listing_id=body.listing_id,
        tier_id=body.tier_id,
        exchange_id=body.exchange_id,
        price_fen=body.price_fen,
        message=body.message,
        mandate_id=body.mandate_id,
        policy=body.policy,
    )
    return negotiation_read(view.negotiation, view.messages)


@router.get("/negotiations", operation_id="list_negotiations")
async def list_negotiations(
    ctx: ActorContext,
    state: NegotiationState | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> NegotiationPage:
    """Negotiations the caller takes part in (regulators: all)."""
    rows, total = await service.list_page(ctx, state=state, limit=limit, offset=offset)
    return NegotiationPage(items=[negotiation_read(n, []) for n in rows], total=total)


@router.get(
    "/negotiations/{negotiation_id}",
    operation_id="get_negotiation",
    responses=responses(NegotiationNotFound),
)
async def get_negotiation(negotiation_id: str, ctx: ActorContext) -> NegotiationRead:
    """A negotiation and its steps."""
    view = await service.view(ctx, negotiation_id)
    return negotiation_read(view.negotiation, view.messages)


NEGOTIATION_STEP_ERRORS = responses(
    NegotiationNotFound,
    NegotiationStateConflict,
    WrongNegotiationParty,
    BrokerConductsNegotiation,
    PriceOutOfLimits,
    MandateExpired,
    MandateRevoked,
    PolicyOutsideAllowance,
)


@router.post(
    "/negotiations/{negotiation_id}/terminate",
    operation_id="terminate_negotiation",
    responses=NEGOTIATION_STEP_ERRORS,
)
async def terminate_negotiation(
    negotiation_id: str, body: NegotiationTerminate, ctx: ActorContext
) -> NegotiationRead:
    """Either side ends the negotiation, with its reason."""
    view = await service.step(
        ctx,
        negotiation_id=negotiation_id,
        step="terminate",
        price_fen=None,
        message=body.reason,
        policy=None,
    )
    return negotiation_read(view.negotiation, view.messages)


@router.post(
    "/negotiations/{negotiation_id}/settle",
    status_code=201,
    response_model=OrderRead,
    operation_id="settle_negotiation",
    responses={
        **responses(
            NegotiationNotFound,
            NegotiationStateConflict,
            WrongNegotiationParty,
            BrokerConductsNegotiation,
            *ORDER_ERRORS,
        ),
        **replayable(),
    },
)
async def settle_negotiation(
    negotiation_id: str,
    body: NegotiationSettle,
    ctx: ActorContext,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Settle an agreed negotiation at the agreed price (the consumer, or its broker)."""

    async def run() -> OrderRead:
        placed = await service.settle(
            ctx, negotiation_id=negotiation_id, legal_basis=body.legal_basis
        )
        return order_read(ctx, placed)

    return json_response(
        await orders_idempotency.once(
            ctx,
            key=idempotency_key,
            scope=orders_idempotency.settle_scope(negotiation_id),
            request=body.model_dump(mode="json"),
            status=201,
            run=run,
        )
    )


@router.post(
    "/negotiations/{negotiation_id}/{step}",
    operation_id="step_negotiation",
    responses=NEGOTIATION_STEP_ERRORS,
)
async def step_negotiation(
    negotiation_id: str,
    step: Literal["request", "offer", "accept", "agree"],
    body: NegotiationStep,
    ctx: ActorContext,
) -> NegotiationRead:
    """A step: the consumer counter-requests or accepts; the provider offers or agrees."""
    view = await service.step(
        ctx,
        negotiation_id=negotiation_id,
        step=step,
        price_fen=body.price_fen,
        message=body.message,
        policy=body.policy,
    )
    return negotiation_read(view.negotiation, view.messages)
