"""The exchanges' listings (挂牌产品): browse and filter them, and a product's page with its
tiers, venues, verified certificate and the forms to buy, negotiate and bid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from exchange.participants import service as participants_service
from exchange.trading import rules
from exchange.trading.auctions import service as auctions_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.listings import service as listings_service
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import MAINLAND, AuctionStatus, MandateStatus, Role, VenueStatus
from exchange.web.market import labels
from exchange.web.market.certificate import check_certificate
from exchange.web.market.common import (
    PAGE_SIZE,
    PathId,
    fen_of,
    one_time_key,
    optional,
    page,
    page_number,
    with_query,
    yuan_text,
)
from exchange.web.pages import InvalidForm, PageRoute, SignedIn

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Filter = Annotated[str, Query(max_length=40)]


@router.get("/market/listings", response_class=HTMLResponse)
async def listings_page(
    request: Request,
    viewer: SignedIn,
    exchange: Filter = "",
    form: Filter = "",
    grade: Filter = "",
    min_price: Filter = "",
    max_price: Filter = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page_no: Annotated[str | None, Query(alias="page")] = None,
) -> Response:
    """Listed products, filtered by exchange, product form, grade, price (yuan) and words."""
    low = fen_of(min_price, name="min_price")
    high = fen_of(max_price, name="max_price")
    if low is not None and high is not None and low > high:
        raise InvalidForm("min_price: the lowest price is above the highest.")
    number = page_number(page_no)
    async with viewer.read() as ctx:
        exchanges = await venues_service.list_exchanges(ctx)
        if exchange and exchange not in {e.exchange.id for e in exchanges}:
            raise InvalidForm(f"exchange: no exchange {exchange!r}.")
        views, total = await listings_service.list_listings(
            ctx,
            exchange_id=optional(exchange),
            product_form=optional(form),
            grade=optional(grade),
            holder_id=None,
            text=optional(q.strip()),
            include_inactive=False,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
            min_price_fen=low,
            max_price_fen=high,
        )
    chosen = {
        "exchange": exchange,
        "form": form,
        "grade": grade,
        "min_price": yuan_text(low),
        "max_price": yuan_text(high),
        "q": q,
    }
    return page(
        request,
        viewer,
        "market/listings.html",
        views=views,
        total=total,
        exchanges=exchanges,
        exchange_names={e.exchange.id: e.exchange for e in exchanges},
        forms=labels.values("form"),
        grades=labels.values("grade"),
        chosen=chosen,
        page_no=number,
        size=PAGE_SIZE,
        page_link=lambda n: with_query("/market/listings", {**chosen, "page": n}),
    )


@router.get("/market/listings/{listing_id}", response_class=HTMLResponse)
async def product_page(request: Request, viewer: SignedIn, listing_id: PathId) -> Response:
    """A product: tiers and prices, venues, its certificate checked, and the trading forms."""
    async with viewer.read() as ctx:
        view = await listings_service.get_listing(ctx, listing_id)
        listing = view.listing
        exchanges = {e.exchange.id: e for e in await venues_service.list_exchanges(ctx)}
        holder = await participants_service.get(ctx, listing.holder_id)
        certificate = await check_certificate(
            ctx, listing.certificate_number, listing_fingerprint=listing.fingerprint
        )
        auctions, bid_counts, _ = await auctions_service.list_page(
            ctx,
            exchange_id=None,
            listing_id=listing.id,
            status=AuctionStatus.OPEN,
            limit=10,
            offset=0,
        )
        own_bids = {a.id: (await auctions_service.view(ctx, a.id)).bids for a in auctions}
        mandates = []
        if viewer.role is Role.BROKER:
            mandates = list(
                (
                    await brokerage_service.list_mandates(
                        ctx,
                        client_id=None,
                        broker_id=viewer.id,
                        status=MandateStatus.ACTIVE,
                        limit=100,
                        offset=0,
                    )
                )[0]
            )
    active = [v for v in view.venues if v.status == VenueStatus.ACTIVE]
    needs_broker = {
        v.exchange_id: rules.broker_required(
            viewer.role.value, exchanges[v.exchange_id].rulebook.broker_required_for
        )
        for v in active
    }
    may_trade = viewer.id != listing.holder_id and (
        viewer.role in venues_service.BUYER_ROLES or viewer.role is Role.BROKER
    )
    return page(
        request,
        viewer,
        "market/product.html",
        view=view,
        listing=listing,
        holder=holder,
        exchanges=exchanges,
        exchange_names={k: e.exchange for k, e in exchanges.items()},
        active=active,
        needs_broker=needs_broker,
        available={t.id: listings_service.tier_available(t) for t in view.tiers},
        certificate=certificate,
        auctions=auctions,
        bid_counts=bid_counts,
        own_bids=own_bids,
        tiers_by_id={t.id: t for t in view.tiers},
        mandates=mandates,
        may_trade=may_trade,
        cross_border=viewer.principal.jurisdiction != MAINLAND,
        legal_bases=labels.values("legal_basis"),
        buy_key=one_time_key(),
        bid_key=one_time_key(),
    )
