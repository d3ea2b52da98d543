"""Errors of sealed-bid auctions (竞价交易)."""

from __future__ import annotations

from exchange.errors import Conflict, NotFound


class AuctionNotFound(NotFound):
    slug = "auction-not-found"
    title = "No such auction"


class AuctionNeedsExclusiveTier(Conflict):
    slug = "auction-needs-exclusive-tier"
    title = "Only exclusive licences are auctioned"


class AuctionClosed(Conflict):
    slug = "auction-closed"
    title = "The auction no longer takes bids"


class AuctionNotOver(Conflict):
    slug = "auction-not-over"
    title = "The auction's deadline has not passed"


class AlreadyBid(Conflict):
    slug = "already-bid"
    title = "This bidder already placed its sealed bid"


class BidBelowReserve(Conflict):
    slug = "bid-below-reserve"
    title = "The bid is below the reserve price"
