"""HTTP endpoints of sealed-bid auctions (竞价交易)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset
from exchange.kit.roles import HolderContext
from exchange.security import ActorContext
from exchange.trading.auctions import service
from exchange.trading.auctions.errors import (
    AlreadyBid,
    AuctionClosed,
    AuctionNeedsExclusiveTier,
    AuctionNotFound,
    AuctionNotOver,
    BidBelowReserve,
)
from exchange.trading.auctions.schemas import (
    AuctionCreate,
    AuctionPage,
    AuctionRead,
    BidCreate,
    BidRead,
    auction_read,
    bid_read,
)
from exchange.trading.listings.errors import LicenceUnavailable, ListingNotActive, TradeModeClosed
from exchange.trading.orders import idempotency as orders_idempotency
from exchange.trading.orders.router import (
    ORDER_ERRORS,
    IdempotencyKey,
    json_response,
    replayable,
)
from exchange.vocabulary import AuctionStatus

router = APIRouter(tags=["trading"])


@router.post(
    "/auctions",
    status_code=201,
    operation_id="open_auction",
    responses=responses(
        Forbidden, AuctionNeedsExclusiveTier, LicenceUnavailable, ListingNotActive, TradeModeClosed
    ),
)
async def open_auction(body: AuctionCreate, ctx: HolderContext) -> AuctionRead:
    """Auction an exclusive tier by sealed bids until `closes_at` (竞价交易)."""
    view = await service.open_auction(
        ctx,
        listing_id=body.listing_id,
        tier_id=body.tier_id,
        exchange_id=body.exchange_id,
        rule=body.rule,
        reserve_fen=body.reserve_fen,
        closes_at=body.closes_at,
    )
    return auction_read(ctx, view)


@router.get("/auctions", operation_id="list_auctions")
async def list_auctions(
    ctx: ActorContext,
    exchange_id: str | None = None,
    listing_id: str | None = None,
    status: AuctionStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AuctionPage:
    """Auctions (public): what is auctioned, until when, how many sealed bids."""
    rows, counts, total = await service.list_page(
        ctx,
        exchange_id=exchange_id,
        listing_id=listing_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return AuctionPage(
        items=[auction_read(ctx, service.AuctionView(a, counts[a.id], [])) for a in rows],
        total=total,
    )


@router.get(
    "/auctions/{auction_id}", operation_id="get_auction", responses=responses(AuctionNotFound)
)
async def get_auction(auction_id: str, ctx: ActorContext) -> AuctionRead:
    """An auction; bids stay sealed until the close (a bidder sees its own)."""
    return auction_read(ctx, await service.view(ctx, auction_id))


@router.post(
    "/auctions/{auction_id}/bids",
    status_code=201,
    response_model=BidRead,
    operation_id="place_bid",
    responses={
        **responses(AuctionNotFound, AuctionClosed, BidBelowReserve, AlreadyBid, *ORDER_ERRORS),
        **replayable(),
    },
)
async def place_bid(
    auction_id: str,
    body: BidCreate,
    ctx: ActorContext,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A sealed bid until the deadline; amount plus buyer fee is held in escrow (保证金)."""

    async def run() -> BidRead:
        bid = await service.place_bid(
            ctx,
            auction_id=auction_id,
            amount_fen=body.amount_fen,
            mandate_id=body.mandate_id,
            legal_basis=body.legal_basis,
        )
        return bid_read(bid)

    return json_response(
        await orders_idempotency.once(
            ctx,
            key=idempotency_key,
            scope=orders_idempotency.bid_scope(auction_id),
            request=body.model_dump(mode="json"),
            status=201,
            run=run,
        )
    )


@router.post(
    "/auctions/{auction_id}/close",
    operation_id="close_auction",
    responses=responses(AuctionNotFound, AuctionClosed, AuctionNotOver, Forbidden),
)
async def close_auction(auction_id: str, ctx: ActorContext) -> AuctionRead:
    """Close after the deadline: the best bid wins (ties: earliest, then bidder id)."""
    return auction_read(ctx, await service.close(ctx, auction_id=auction_id))
