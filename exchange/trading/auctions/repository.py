"""Every query of sealed-bid auctions (竞价交易)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.trading.auctions.models import Auction, Bid
from exchange.trading.queries import page_of, where_equal
from exchange.vocabulary import AuctionStatus


async def get_auction(session: AsyncSession, auction_id: str) -> Auction | None:
    """One auction."""
    return await session.get(Auction, auction_id)


async def due_auction_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """Open auctions whose deadline has passed, earliest deadline first."""
    stmt = (
        select(Auction.id)
        .where(Auction.status == AuctionStatus.OPEN, Auction.closes_at <= now)
        .order_by(Auction.closes_at, Auction.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def list_auctions(
    session: AsyncSession,
    *,
    exchange_id: str | None,
    listing_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Auction], int]:
    """A page of auctions (newest first) and their count."""
    stmt = where_equal(
        select(Auction),
        {Auction.exchange_id: exchange_id, Auction.listing_id: listing_id, Auction.status: status},
    )
    return await page_of(session, stmt, [Auction.created_at.desc(), Auction.id], limit, offset)


async def list_bids(session: AsyncSession, auction_id: str) -> Sequence[Bid]:
    """An auction's bids in the order placed."""
    stmt = select(Bid).where(Bid.auction_id == auction_id).order_by(Bid.placed_at, Bid.id)
    return (await session.scalars(stmt)).all()


async def count_bids(session: AsyncSession, auction_ids: Sequence[str]) -> dict[str, int]:
    """How many bids each auction holds."""
    if not auction_ids:
        return {}
    stmt = (
        select(Bid.auction_id, func.count())
        .where(Bid.auction_id.in_(auction_ids))
        .group_by(Bid.auction_id)
    )
    counts = {aid: 0 for aid in auction_ids}
    counts.update({aid: int(n) for aid, n in (await session.execute(stmt)).all()})
    return counts


async def close_auction(session: AsyncSession, auction_id: str, *, values: dict[str, Any]) -> bool:
    """Close an open auction once (two closers never both settle it)."""
    return await transition(
        session, Auction, Auction.id == auction_id, Auction.status == "open", **values
    )
