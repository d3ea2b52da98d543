"""Request and response models of sealed-bid auctions (竞价交易), and the builders of the
responses."""

from __future__ import annotations

from datetime import datetime

from exchange.context import Context
from exchange.kit.fields import MarketDateTime
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.trading.auctions import service
from exchange.trading.auctions.models import Bid, BidStatus
from exchange.trading.fields import AmountFen, Id
from exchange.trading.orders.schemas import OrderRead, order_read
from exchange.vocabulary import AuctionRule, AuctionStatus, LegalBasis


class AuctionCreate(RequestModel):
    """Auction an exclusive tier by sealed bids until `closes_at`."""

    listing_id: Id
    tier_id: Id
    exchange_id: Id
    rule: AuctionRule
    reserve_fen: AmountFen
    closes_at: MarketDateTime


class BidCreate(RequestModel):
    """A sealed bid; the amount plus the buyer fee is held in escrow until the close."""

    amount_fen: AmountFen
    mandate_id: Id | None = None
    legal_basis: LegalBasis | None = None


class BidRead(ResponseModel):
    """A sealed bid (shown to its bidder; to all concerned after the close)."""

    id: str
    auction_id: str
    bidder_id: str
    broker_id: str | None
    mandate_id: str | None
    amount_fen: int
    escrow_fen: int
    status: BidStatus
    placed_at: datetime


class AuctionRead(ResponseModel):
    """An auction, the bids the caller may see, and the order it led to."""

    id: str
    listing_id: str
    tier_id: str
    exchange_id: str
    seller_id: str
    rule: AuctionRule
    reserve_fen: int
    rulebook_version: int
    closes_at: datetime
    status: AuctionStatus
    bid_count: int
    winning_bid_id: str | None
    clearing_price_fen: int | None
    order_id: str | None
    created_at: datetime
    closed_at: datetime | None
    bids: list[BidRead]
    order: OrderRead | None


class AuctionPage(Page[AuctionRead]):
    """A page of auctions."""


def bid_read(bid: Bid) -> BidRead:
    return BidRead.model_validate(bid)


def auction_read(ctx: Context, view: service.AuctionView) -> AuctionRead:
    a = view.auction
    return AuctionRead(
        id=a.id,
        listing_id=a.listing_id,
        tier_id=a.tier_id,
        exchange_id=a.exchange_id,
        seller_id=a.seller_id,
        rule=a.rule,
        reserve_fen=a.reserve_fen,
        rulebook_version=a.rulebook_version,
        closes_at=a.closes_at,
        status=a.status,
        bid_count=view.bid_count,
        winning_bid_id=a.winning_bid_id,
        clearing_price_fen=a.clearing_price_fen,
        order_id=a.order_id,
        created_at=a.created_at,
        closed_at=a.closed_at,
        bids=[bid_read(b) for b in view.bids],
        order=order_read(ctx, view.placed) if view.placed else None,
    )
