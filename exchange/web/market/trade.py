"""The trading forms (交易): buy at the posted price, open and answer a negotiation, settle
it, and bid in an auction — each through the service and the idempotency keys the API uses.

A form that moves money carries a one-time key drawn when the page was shown, used as the
API's `Idempotency-Key`: sent twice (a double click, a reload of the POST), it buys once and
both answers lead to the same order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from exchange.context import Context
from exchange.trading.auctions import service as auctions_service
from exchange.trading.auctions.schemas import BidCreate, BidRead, bid_read
from exchange.trading.negotiations import service as negotiations_service
from exchange.trading.negotiations.schemas import (
    NegotiationCreate,
    NegotiationSettle,
    NegotiationStep,
    NegotiationTerminate,
)
from exchange.trading.orders import idempotency
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.schemas import OrderCreate, OrderRead, order_read
from exchange.web.market.common import PathId, fen_of, optional
from exchange.web.mine.common import Mine, checked
from exchange.web.pages import Form, InvalidForm, PageRoute, SignedIn, field, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STEPS: tuple[Literal["request", "offer", "accept", "agree"], ...] = (
    "request",
    "offer",
    "accept",
    "agree",
)


def _key(form_key: str) -> str:
    """The form's one-time key (its page drew it); without one the form is stale."""
    if not 1 <= len(form_key) <= 255:
        raise InvalidForm("idempotency_key: the form has no one-time key; reload the page.")
    return form_key


async def _once(
    ctx: Context, *, key: str, scope: str, body: BaseModel, run: Callable[[], Awaitable[BaseModel]]
) -> str:
    """Run `run` once for this key (a replay answers the first run's body); that body."""
    outcome = await idempotency.once(
        ctx, key=key, scope=scope, request=body.model_dump(mode="json"), status=201, run=run
    )
    return outcome.body


@router.post("/market/listings/{listing_id}/buy")
async def buy(viewer: SignedIn, form: Form, listing_id: PathId) -> Response:
    """Buy a tier at its posted price (挂牌交易) on the chosen exchange."""
    key = _key(field(form, "idempotency_key"))
    body = checked(
        OrderCreate,
        listing_id=listing_id,
        tier_id=field(form, "tier_id"),
        exchange_id=field(form, "exchange_id"),
        mandate_id=optional(field(form, "mandate_id")),
        legal_basis=optional(field(form, "legal_basis")),
    )
    async with viewer.write() as ctx:

        async def run() -> OrderRead:
            placed = await orders_service.place_order(
                ctx,
                listing_id=body.listing_id,
                tier_id=body.tier_id,
                exchange_id=body.exchange_id,
                mandate_id=body.mandate_id,
                legal_basis=body.legal_basis,
            )
            return order_read(ctx, placed)

        answer = await _once(ctx, key=key, scope=idempotency.ORDER_SCOPE, body=body, run=run)
    order = OrderRead.model_validate_json(answer)
    return see_other(f"/me/orders/{order.id}?done=bought")


@router.post("/market/listings/{listing_id}/negotiate")
async def negotiate(viewer: SignedIn, form: Form, listing_id: PathId) -> Response:
    """Ask the provider for a licence at a proposed price (协议交易)."""
    body = checked(
        NegotiationCreate,
        listing_id=listing_id,
        tier_id=field(form, "tier_id"),
        exchange_id=field(form, "exchange_id"),
        price_fen=fen_of(field(form, "price"), name="price"),
        message=field(form, "message"),
        mandate_id=optional(field(form, "mandate_id")),
    )
    async with viewer.write() as ctx:
        view = await negotiations_service.request(
            ctx,
            listing_id=body.listing_id,
            tier_id=body.tier_id,
            exchange_id=body.exchange_id,
            price_fen=body.price_fen,
            message=body.message,
            mandate_id=body.mandate_id,
        )
    return see_other(f"/me/negotiations/{view.negotiation.id}?done=negotiation")


@router.post("/me/negotiations/{negotiation_id}/step")
async def negotiation_step(viewer: Mine, form: Form, negotiation_id: PathId) -> Response:
    """A counter-request or offer (with a price), or an accept or agree."""
    step = field(form, "step")
    if step not in STEPS:
        raise InvalidForm(f"step: one of {', '.join(STEPS)}.")
    body = checked(
        NegotiationStep,
        price_fen=fen_of(field(form, "price"), name="price"),
        message=field(form, "message"),
    )
    async with viewer.write() as ctx:
        await negotiations_service.step(
            ctx,
            negotiation_id=negotiation_id,
            step=step,
            price_fen=body.price_fen,
            message=body.message,
        )
    return see_other(f"/me/negotiations/{negotiation_id}?done=step")


@router.post("/me/negotiations/{negotiation_id}/terminate")
async def negotiation_terminate(viewer: Mine, form: Form, negotiation_id: PathId) -> Response:
    """End the negotiation, with a reason."""
    body = checked(NegotiationTerminate, reason=field(form, "reason"))
    async with viewer.write() as ctx:
        await negotiations_service.step(
            ctx,
            negotiation_id=negotiation_id,
            step="terminate",
            price_fen=None,
            message=body.reason,
        )
    return see_other(f"/me/negotiations/{negotiation_id}?done=terminated")


@router.post("/me/negotiations/{negotiation_id}/settle")
async def negotiation_settle(viewer: Mine, form: Form, negotiation_id: PathId) -> Response:
    """Settle an agreed negotiation at the agreed price (once, whatever the clicks)."""
    key = _key(field(form, "idempotency_key"))
    body = checked(NegotiationSettle, legal_basis=optional(field(form, "legal_basis")))
    async with viewer.write() as ctx:

        async def run() -> OrderRead:
            placed = await negotiations_service.settle(
                ctx, negotiation_id=negotiation_id, legal_basis=body.legal_basis
            )
            return order_read(ctx, placed)

        answer = await _once(
            ctx, key=key, scope=idempotency.settle_scope(negotiation_id), body=body, run=run
        )
    order = OrderRead.model_validate_json(answer)
    return see_other(f"/me/orders/{order.id}?done=settled")


@router.post("/market/auctions/{auction_id}/bid")
async def bid(viewer: SignedIn, form: Form, auction_id: PathId) -> Response:
    """A sealed bid; its amount and the buyer fee are held in escrow until the close."""
    key = _key(field(form, "idempotency_key"))
    body = checked(
        BidCreate,
        amount_fen=fen_of(field(form, "amount"), name="amount"),
        mandate_id=optional(field(form, "mandate_id")),
        legal_basis=optional(field(form, "legal_basis")),
    )
    async with viewer.write() as ctx:

        async def run() -> BidRead:
            placed = await auctions_service.place_bid(
                ctx,
                auction_id=auction_id,
                amount_fen=body.amount_fen,
                mandate_id=body.mandate_id,
                legal_basis=body.legal_basis,
            )
            return bid_read(placed)

        await _once(ctx, key=key, scope=idempotency.bid_scope(auction_id), body=body, run=run)
        auction = (await auctions_service.view(ctx, auction_id)).auction
    return see_other(f"/market/listings/{auction.listing_id}?done=bid#auctions")
