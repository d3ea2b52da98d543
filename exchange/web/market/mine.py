"""A participant's own trading records (我的): licences with the delivery download, orders and
trades, and the negotiations it takes part in. Others' objects answer 404, as in the API;
like every "mine" page they are for the main market's participants (regulators have their
desk and students their class: 403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from exchange.trading import rules
from exchange.trading.licences import service as licences_service
from exchange.trading.licences.router import delivery_response
from exchange.trading.licences.schemas import licence_read
from exchange.trading.listings import service as listings_service
from exchange.trading.negotiations import service as negotiations_service
from exchange.trading.negotiations.schemas import negotiation_read
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.filters import TradeFilter
from exchange.trading.orders.schemas import order_read
from exchange.vocabulary import MAINLAND, NegotiationState, OrderStatus
from exchange.web.market import labels
from exchange.web.market.common import (
    PAGE_SIZE,
    PathId,
    one_time_key,
    page,
    page_number,
    with_query,
)
from exchange.web.mine.common import Mine
from exchange.web.pages import InvalidForm, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PageNo = Annotated[str | None, Query(alias="page")]


@router.get("/me/licences", response_class=HTMLResponse)
async def my_licences(
    request: Request,
    viewer: Mine,
    side: Annotated[str, Query(alias="as", max_length=20)] = "licensee",
    page_no: PageNo = None,
) -> Response:
    """The licences I hold (as licensee), or those I granted (as licensor)."""
    if side not in ("licensee", "licensor"):
        raise InvalidForm("as: licensee or licensor.")
    number = page_number(page_no)
    async with viewer.read() as ctx:
        rows, total = await licences_service.list_licences(
            ctx,
            licensee_id=viewer.id if side == "licensee" else None,
            licensor_id=viewer.id if side == "licensor" else None,
            listing_id=None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        licences = [licence_read(ctx, r) for r in rows]
        titles = await listings_service.listing_titles(ctx, [r.listing_id for r in rows])
    return page(
        request,
        viewer,
        "market/licences.html",
        licences=licences,
        titles=titles,
        total=total,
        side=side,
        page_no=number,
        size=PAGE_SIZE,
        page_link=lambda n: with_query("/me/licences", {"as": side, "page": n}),
    )


@router.get("/me/licences/{licence_id}", response_class=HTMLResponse)
async def my_licence(request: Request, viewer: Mine, licence_id: PathId) -> Response:
    """A licence: its scope and term, the trade that granted it, and the download."""
    async with viewer.read() as ctx:
        row = await licences_service.get_licence(ctx, licence_id)
        licence = licence_read(ctx, row)
        trade = await orders_service.get_trade(ctx, row.trade_id)
        view = await listings_service.get_listing(ctx, row.listing_id)
    tier = next((t for t in view.tiers if t.id == row.tier_id), None)
    return page(
        request,
        viewer,
        "market/licence.html",
        licence=licence,
        trade=trade,
        listing=view.listing,
        tier=tier,
        downloadable=licence.state == "active" and viewer.id == licence.licensee_id,
    )


@router.get("/me/licences/{licence_id}/download")
async def download(viewer: Mine, licence_id: PathId) -> Response:
    """The delivery package: the same bytes, media type and file name as the API serves."""
    async with viewer.read() as ctx:
        delivery = await licences_service.deliver(ctx, licence_id=licence_id)
        runtime = ctx.runtime
    return delivery_response(delivery, runtime)


@router.get("/me/orders", response_class=HTMLResponse)
async def my_orders(
    request: Request,
    viewer: Mine,
    status: Annotated[str, Query(max_length=20)] = "",
    page_no: PageNo = None,
) -> Response:
    """Orders I placed, sold into or brokered, and what they led to."""
    if status and status not in set(OrderStatus):
        raise InvalidForm(f"status: one of {', '.join(OrderStatus)}.")
    number = page_number(page_no)
    async with viewer.read() as ctx:
        views, total = await orders_service.list_orders(
            ctx,
            TradeFilter(party_id=viewer.id),  # mine, also for an admin (who reads all)
            status=OrderStatus(status) if status else None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        orders = [order_read(ctx, v) for v in views]
        titles = await listings_service.listing_titles(ctx, [o.listing_id for o in orders])
    return page(
        request,
        viewer,
        "market/orders.html",
        orders=orders,
        titles=titles,
        total=total,
        chosen_status=status,
        statuses=labels.values("order_status"),
        page_no=number,
        size=PAGE_SIZE,
        page_link=lambda n: with_query("/me/orders", {"status": status, "page": n}),
    )


@router.get("/me/orders/{order_id}", response_class=HTMLResponse)
async def my_order(request: Request, viewer: Mine, order_id: PathId) -> Response:
    """An order with its trade, licence and data-customs case."""
    async with viewer.read() as ctx:
        order = order_read(ctx, await orders_service.get_order(ctx, order_id))
        titles = await listings_service.listing_titles(ctx, [order.listing_id])
    return page(
        request,
        viewer,
        "market/order.html",
        order=order,
        title=titles.get(order.listing_id, order.listing_id),
    )


@router.get("/me/negotiations", response_class=HTMLResponse)
async def my_negotiations(
    request: Request,
    viewer: Mine,
    state: Annotated[str, Query(max_length=20)] = "",
    page_no: PageNo = None,
) -> Response:
    """The negotiations I take part in, as consumer, provider or broker."""
    if state and state not in set(NegotiationState):
        raise InvalidForm(f"state: one of {', '.join(NegotiationState)}.")
    number = page_number(page_no)
    async with viewer.read() as ctx:
        rows, total = await negotiations_service.list_page(
            ctx,
            state=NegotiationState(state) if state else None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        titles = await listings_service.listing_titles(ctx, [n.listing_id for n in rows])
    return page(
        request,
        viewer,
        "market/negotiations.html",
        negotiations=[negotiation_read(n, []) for n in rows],
        titles=titles,
        total=total,
        state=state,
        states=labels.values("negotiation"),
        page_no=number,
        size=PAGE_SIZE,
        page_link=lambda n: with_query("/me/negotiations", {"state": state, "page": n}),
    )


@router.get("/me/negotiations/{negotiation_id}", response_class=HTMLResponse)
async def my_negotiation(request: Request, viewer: Mine, negotiation_id: PathId) -> Response:
    """A negotiation's steps, and the steps I may take now (answer a counter, agree, settle)."""
    async with viewer.read() as ctx:
        found = await negotiations_service.view(ctx, negotiation_id)
        party = negotiations_service.party_of(ctx, found.negotiation)
        listing = await listings_service.get_listing(ctx, found.negotiation.listing_id)
    negotiation = negotiation_read(found.negotiation, found.messages)
    steps = []
    if party is not None and negotiation.order_id is None:
        for step in (*rules.STEP_PARTY, "terminate"):
            try:
                rules.negotiation_step(negotiation.state, step, party)
            except rules.StepRefused:
                continue
            steps.append(step)
    may_settle = (
        party is not None
        and party.value == "consumer"
        and negotiation.state == NegotiationState.AGREED
        and negotiation.order_id is None
    )
    return page(
        request,
        viewer,
        "market/negotiation.html",
        negotiation=negotiation,
        party=party,
        steps=steps,
        may_settle=may_settle,
        listing=listing.listing,
        tier=next((t for t in listing.tiers if t.id == negotiation.tier_id), None),
        cross_border=viewer.principal.jurisdiction != MAINLAND,
        legal_bases=labels.values("legal_basis"),
        settle_key=one_time_key(),
    )
