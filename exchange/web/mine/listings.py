"""My listings (我的挂牌): list a certified asset on exchanges with licence tiers and its
delivery package, then suspend, resume or delist it per exchange.

The form becomes the API's `ListingCreate` (tiers, venues, delivery) and goes to the listing
service's `create_listing`; the rules (无登记不交易, price limits, one listing per exchange,
the package's SHA-256 equal to the certificate's fingerprint) are the service's alone.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from exchange.assets.registry import service as registry_service
from exchange.assets.registry.models import AssetStatus
from exchange.context import Context
from exchange.kit.paging import Offset
from exchange.trading.listings import router as listings_router
from exchange.trading.listings import service as listings_service
from exchange.trading.listings.errors import ListingNotFound
from exchange.trading.listings.schemas import ListingCreate, ListingMove
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import DeliveryKind
from exchange.web.mine.assets import own_asset, stored_package
from exchange.web.mine.common import (
    PAGE_SIZE,
    Holder,
    checked,
    fen_of_yuan,
    integer,
    page,
    upload,
)
from exchange.web.pages import Form, InvalidForm, PageRoute, field, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

TIER_ROWS = 3
MOVES = ("suspend", "resume", "delist")


async def own_listing(
    ctx: Context, listing_id: str, holder_id: str
) -> listings_service.ListingView:
    """One of my listings (anyone else's answers 404, active or not)."""
    view = await listings_service.get_listing(ctx, listing_id)
    if view.listing.holder_id != holder_id:
        raise ListingNotFound(f"No listing {listing_id!r}.")
    return view


def _tiers(form: FormData) -> list[dict[str, Any]]:
    """The tier rows filled in (a row left blank is skipped)."""
    tiers = []
    for i in range(TIER_ROWS):
        name, scope, price = (field(form, f"tier{i}_{k}") for k in ("name", "scope", "price"))
        if not (name or scope or price):
            continue
        tiers.append(
            {
                "name": name,
                "scope": scope,
                "term_days": integer(form, f"tier{i}_term_days"),
                "price_fen": fen_of_yuan(form, f"tier{i}_price"),
                "exclusive": field(form, f"tier{i}_exclusive") == "yes",
            }
        )
    return tiers


async def _delivery(ctx: Context, form: FormData, asset_id: str, holder_id: str) -> dict[str, Any]:
    """The delivery package: an API's description, a chosen file, or the registered package."""
    kind = field(form, "delivery_kind")
    if kind == DeliveryKind.API.value:
        return {
            "kind": kind,
            "filename": field(form, "api_filename") or "api.json",
            "media_type": "application/json",
            "api_description": field(form, "api_description"),
        }
    chosen = await upload(form, "package")
    if chosen is None:
        await own_asset(ctx, asset_id, holder_id)
        package = await stored_package(ctx, asset_id)
        if package is None:
            raise InvalidForm(
                "package: the registry holds no package for this asset; choose the file to deliver."
            )
        # A file delivery without content is the registered package (of any size).
        return {"kind": kind, "filename": package.filename, "media_type": package.media_type}
    filename, media_type, body = chosen
    return {
        "kind": kind,
        "filename": filename,
        "media_type": media_type,
        "content_base64": base64.b64encode(body).decode("ascii"),
    }


@router.get("/me/listings", response_class=HTMLResponse)
async def my_listings(
    request: Request, viewer: Holder, offset: Offset = 0, done: str = ""
) -> HTMLResponse:
    """My listings in every state, newest first, with their state on each exchange."""
    async with viewer.read() as ctx:
        views, total = await listings_service.list_listings(
            ctx,
            exchange_id=None,
            product_form=None,
            grade=None,
            holder_id=viewer.id,
            text=None,
            include_inactive=True,
            limit=PAGE_SIZE,
            offset=offset,
        )
    return page(
        request,
        "mine/listings.html",
        viewer,
        done=done,
        views=views,
        total=total,
        offset=offset,
        limit=PAGE_SIZE,
    )


@router.get("/me/listings/new", response_class=HTMLResponse)
async def new_listing(request: Request, viewer: Holder, asset_id: str = "") -> HTMLResponse:
    """The listing form: a registered asset, exchanges, tiers and the delivery package."""
    async with viewer.read() as ctx:
        assets, _ = await registry_service.list_assets(
            ctx,
            status=AssetStatus.REGISTERED,
            holder_id=viewer.id,
            text=None,
            limit=200,
            offset=0,
        )
        exchanges = await venues_service.list_exchanges(ctx)
        chosen = next((a for a in assets if a.id == asset_id), None)
        package = await stored_package(ctx, chosen.id) if chosen is not None else None
    return page(
        request,
        "mine/listing_form.html",
        viewer,
        assets=assets,
        chosen=chosen,
        package=package,
        exchanges=exchanges,
        tier_rows=range(TIER_ROWS),
    )


@router.post("/me/listings")
async def create_listing(viewer: Holder, form: Form) -> Response:
    """List the asset; the listing service checks every rule."""
    asset_id = field(form, "asset_id")
    if not asset_id:
        raise InvalidForm("asset_id: choose the registered asset to list.")
    tiers = _tiers(form)
    async with viewer.write() as ctx:
        body = checked(
            ListingCreate,
            asset_id=asset_id,
            title=field(form, "title"),
            description=field(form, "description"),
            venues=[v for v in form.getlist("venues") if isinstance(v, str) and v],
            tiers=tiers,
            delivery=await _delivery(ctx, form, asset_id, viewer.id),
        )
        view = await listings_router.create_from(ctx, body)
    return see_other(f"/me/listings/{view.listing.id}?done=listed")


@router.get("/me/listings/{listing_id}", response_class=HTMLResponse)
async def my_listing(
    request: Request, listing_id: str, viewer: Holder, done: str = ""
) -> HTMLResponse:
    """A listing: its state on each exchange with the moves allowed, tiers and delivery."""
    async with viewer.read() as ctx:
        view = await own_listing(ctx, listing_id, viewer.id)
        exchanges = {e.exchange.id: e for e in await venues_service.list_exchanges(ctx)}
    return page(
        request,
        "mine/listing.html",
        viewer,
        done=done,
        view=view,
        listing=view.listing,
        exchanges=exchanges,
        moves=listings_service.VENUE_MOVES,
    )


@router.post("/me/listings/{listing_id}/move")
async def move_listing(listing_id: str, viewer: Holder, form: Form) -> Response:
    """Suspend, resume or delist on one exchange (or on all of them)."""
    move = field(form, "move")
    if move not in MOVES:
        raise InvalidForm(f"move: one of {', '.join(MOVES)}.")
    body = checked(
        ListingMove, exchange_id=field(form, "exchange_id") or None, reason=field(form, "reason")
    )
    async with viewer.write() as ctx:
        await own_listing(ctx, listing_id, viewer.id)
        await listings_service.move_listing(
            ctx, listing_id=listing_id, move=move, exchange_id=body.exchange_id, reason=body.reason
        )
    return see_other(f"/me/listings/{listing_id}?done=moved")
