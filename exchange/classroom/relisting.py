"""A provider student prices its products (重新定价): each listed again at the price it chooses.

What a provider student may do through the API in two steps — delist its product's live
listings, list it again — in one unit of work, on the same licence terms and with the same
delivery package the bots list with (`simulation.services_setup.list_product`), so a student's
listing is one a buyer cannot tell from a bot's. On an exchange that reviews listings
(广州数据交易所) the new listing waits for the operator's review, as anyone's does.
"""

from __future__ import annotations

from collections.abc import Sequence

from exchange.classroom import seats
from exchange.classroom.errors import ProductNotFound, VenueNotOffered
from exchange.context import Context
from exchange.simulation.services_base import licence_terms
from exchange.simulation.services_setup import list_product
from exchange.simulation.world import build_world
from exchange.trading.listings import service as listings_service

RELIST_REASON = "学生重新定价 relisted at a new price"


async def relist(
    ctx: Context, *, product_key: str, price_fen: int, venues: Sequence[str]
) -> listings_service.ListingView:
    """List the calling provider student's product again at `price_fen` on `venues`."""
    state = await seats.student_view(ctx)
    mine = next((p for p in state.products if p["key"] == product_key), None)
    world = build_world(state.scenario)
    product = next((p for p in world.products if p.key == product_key), None)
    if mine is None or product is None or not mine["asset_id"]:
        raise ProductNotFound(f"You hold no product {product_key!r} in this class.")
    chosen = list(dict.fromkeys(venues))
    offered = set(product.exchanges) & set(state.scenario.exchanges)
    if not chosen or not set(chosen) <= offered:
        raise VenueNotOffered(
            f"List {product_key} on one or more of {', '.join(sorted(offered))}.",
            venues=sorted(offered),
        )
    actor = ctx.actor
    assert actor is not None
    listed, _ = await listings_service.list_listings(
        ctx,
        exchange_id=None,
        product_form=None,
        grade=None,
        holder_id=actor.id,
        text=None,
        include_inactive=True,
        limit=500,
        offset=0,
    )
    movable, _ = listings_service.VENUE_MOVES["delist"]
    for view in listed:
        if view.listing.asset_id == mine["asset_id"] and any(
            v.status in movable for v in view.venues
        ):
            await listings_service.move_listing(
                ctx,
                listing_id=view.listing.id,
                move="delist",
                exchange_id=None,
                reason=RELIST_REASON,
            )
    await ctx.session.flush()  # the new listing's one-per-exchange check reads the delisting
    tier_name, scope = licence_terms(
        exclusive=state.scenario.products.exclusive, round_no=state.cls.round
    )
    return await list_product(
        ctx,
        state.scenario,
        product,
        asset_id=mine["asset_id"],
        price_fen=price_fen,
        tier_name=tier_name,
        scope=scope,
        venues=chosen,
    )
