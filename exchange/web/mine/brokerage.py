"""Brokers and mandates (数据经纪人与授权委托): a broker's clients and the mandates they
granted, buying for a client under a mandate; a client's own mandates, granted and revoked.

Each form is read into the API's request model (`MandateCreate`, `OrderCreate`) and goes to
the same service; a broker's order carries a one-time key from its form, so a resent form
replays the first answer (`orders.idempotency`) instead of buying twice.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from exchange.context import Context
from exchange.kit.paging import Offset
from exchange.participants import service as participants_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.brokerage.errors import MandateNotFound
from exchange.trading.brokerage.models import BrokerLicenceStatus, Mandate
from exchange.trading.brokerage.schemas import MandateCreate, mandate_read
from exchange.trading.listings import service as listings_service
from exchange.trading.orders import idempotency
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.filters import TradeFilter
from exchange.trading.orders.schemas import OrderCreate, OrderRead, order_read
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import LegalBasis, MandateAction, MandateSide, MandateStatus
from exchange.web.mine.common import (
    HOLDER_ROLES,
    PAGE_SIZE,
    Broker,
    Buyer,
    checked,
    fen_of_yuan,
    integer,
    page,
)
from exchange.web.pages import Form, InvalidForm, PageRoute, field, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

OFFERS_PER_EXCHANGE = 50


async def client_mandate(ctx: Context, mandate_id: str, broker_id: str) -> Mandate:
    """A mandate granted to me as the broker (any other answers 404)."""
    mandate = await brokerage_service.get_mandate(ctx, mandate_id)
    if mandate.broker_id != broker_id:
        raise MandateNotFound(f"No mandate {mandate_id!r}.")
    return mandate


@router.get("/me/clients", response_class=HTMLResponse)
async def my_clients(
    request: Request,
    viewer: Broker,
    status: MandateStatus | None = None,
    offset: Offset = 0,
) -> HTMLResponse:
    """The mandates my clients granted me, newest first, and my licences."""
    async with viewer.read() as ctx:
        mandates, total = await brokerage_service.list_mandates(
            ctx, client_id=None, broker_id=viewer.id, status=status, limit=PAGE_SIZE, offset=offset
        )
        clients = await participants_service.get_many(ctx, [m.client_id for m in mandates])
        licences = await brokerage_service.list_broker_licences(
            ctx, exchange_id=None, broker_id=viewer.id
        )
        reads = [mandate_read(ctx, m) for m in mandates]
    return page(
        request,
        "mine/clients.html",
        viewer,
        mandates=reads,
        clients=clients,
        licences=licences,
        total=total,
        offset=offset,
        limit=PAGE_SIZE,
        chosen=status.value if status else "",
        statuses=list(MandateStatus),
    )


@router.get("/me/clients/{mandate_id}", response_class=HTMLResponse)
async def client_page(
    request: Request, mandate_id: str, viewer: Broker, done: str = ""
) -> HTMLResponse:
    """A client's mandate: its scope and spending, the orders placed under it, and buying."""
    async with viewer.read() as ctx:
        mandate = await client_mandate(ctx, mandate_id, viewer.id)
        read = mandate_read(ctx, mandate)
        client = await participants_service.get(ctx, mandate.client_id)
        offers = []
        if (
            read.state == "active"
            and mandate.side == MandateSide.BUYER
            and MandateAction.BUY.value in mandate.actions
        ):
            for exchange_id in mandate.exchange_ids:
                views, _ = await listings_service.list_listings(
                    ctx,
                    exchange_id=exchange_id,
                    product_form=None,
                    grade=None,
                    holder_id=None,
                    text=None,
                    include_inactive=False,
                    limit=OFFERS_PER_EXCHANGE,
                    offset=0,
                )
                offers += [
                    (exchange_id, view, tier)
                    for view in views
                    if view.listing.holder_id != mandate.client_id
                    for tier in view.tiers
                ]
        orders, _ = await orders_service.list_orders(
            ctx,
            TradeFilter(broker_id=viewer.id, buyer_id=mandate.client_id),
            status=None,
            limit=PAGE_SIZE,
            offset=0,
        )
        placed = [order_read(ctx, o) for o in orders]
    return page(
        request,
        "mine/client.html",
        viewer,
        done=done,
        mandate=read,
        client=client,
        offers=offers,
        orders=placed,
        legal_bases=list(LegalBasis),
        idempotency_key=secrets.token_urlsafe(18),
    )


@router.post("/me/clients/{mandate_id}/orders")
async def buy_for_client(mandate_id: str, viewer: Broker, form: Form) -> Response:
    """Buy a tier at its posted price for the client, under its mandate."""
    listing_id, _, rest = field(form, "offer").partition("|")
    tier_id, _, exchange_id = rest.partition("|")
    body = checked(
        OrderCreate,
        listing_id=listing_id,
        tier_id=tier_id,
        exchange_id=exchange_id,
        mandate_id=mandate_id,
        legal_basis=field(form, "legal_basis") or None,
    )
    key = field(form, "idempotency_key")
    if not 16 <= len(key) <= 200:
        raise InvalidForm("idempotency_key: reload the page to get a fresh form.")
    async with viewer.write() as ctx:
        await client_mandate(ctx, mandate_id, viewer.id)

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

        await idempotency.once(
            ctx,
            key=f"console:{key}",
            scope=idempotency.ORDER_SCOPE,
            request=body.model_dump(mode="json"),
            status=201,
            run=run,
        )
    return see_other(f"/me/clients/{mandate_id}?done=ordered")


@router.get("/me/mandates", response_class=HTMLResponse)
async def my_mandates(
    request: Request, viewer: Buyer, offset: Offset = 0, done: str = ""
) -> HTMLResponse:
    """The mandates I granted to brokers, and a form to grant one."""
    async with viewer.read() as ctx:
        mandates, total = await brokerage_service.list_mandates(
            ctx, client_id=viewer.id, broker_id=None, status=None, limit=PAGE_SIZE, offset=offset
        )
        licences = [
            licence
            for licence in await brokerage_service.list_broker_licences(
                ctx, exchange_id=None, broker_id=None
            )
            if licence.status == BrokerLicenceStatus.ACTIVE
        ]
        brokers = await participants_service.get_many(
            ctx, [m.broker_id for m in mandates] + [licence.broker_id for licence in licences]
        )
        exchanges = await venues_service.list_exchanges(ctx)
        reads = [mandate_read(ctx, m) for m in mandates]
        today = ctx.clock.now().date()
    licensed: dict[str, list[str]] = {}
    for licence in licences:
        licensed.setdefault(licence.broker_id, []).append(licence.exchange_id)
    return page(
        request,
        "mine/mandates.html",
        viewer,
        done=done,
        mandates=reads,
        brokers=brokers,
        licensed=licensed,
        exchanges=exchanges,
        total=total,
        offset=offset,
        limit=PAGE_SIZE,
        sides=list(MandateSide) if viewer.role in HOLDER_ROLES else [MandateSide.BUYER],
        actions=list(MandateAction),
        expires_default=(today + timedelta(days=365)).isoformat(),
    )


def _end_of_day(text: str) -> datetime:
    """A date typed as YYYY-MM-DD: the mandate runs to the end of that day (UTC)."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise InvalidForm("expires_on: enter a date as YYYY-MM-DD.") from None
    return day.replace(hour=23, minute=59, second=59, tzinfo=UTC)


@router.post("/me/mandates")
async def grant_mandate(viewer: Buyer, form: Form) -> Response:
    """Grant a licensed broker a mandate to act for me."""
    body = checked(
        MandateCreate,
        broker_id=field(form, "broker_id"),
        side=field(form, "side") or MandateSide.BUYER.value,
        exchange_ids=[v for v in form.getlist("exchange_ids") if isinstance(v, str) and v],
        actions=[v for v in form.getlist("actions") if isinstance(v, str) and v],
        spending_limit_fen=fen_of_yuan(form, "spending_limit"),
        commission_bp=integer(form, "commission_bp"),
        expires_at=_end_of_day(field(form, "expires_on")),
    )
    async with viewer.write() as ctx:
        await brokerage_service.grant_mandate(
            ctx,
            broker_id=body.broker_id,
            side=body.side,
            exchange_ids=body.exchange_ids,
            actions=body.actions,
            spending_limit_fen=body.spending_limit_fen,
            commission_bp=body.commission_bp,
            expires_at=body.expires_at,
        )
    return see_other("/me/mandates?done=granted")


@router.post("/me/mandates/{mandate_id}/revoke")
async def revoke_mandate(mandate_id: str, viewer: Buyer, form: Form) -> Response:
    """Withdraw a mandate at once (the client only)."""
    async with viewer.write() as ctx:
        await brokerage_service.revoke_mandate(ctx, mandate_id=mandate_id)
    return see_other("/me/mandates?done=revoked")
