"""Tables of sealed-bid auctions (竞价交易)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.vocabulary import AuctionRule, AuctionStatus


class BidStatus(StrEnum):
    """Where a sealed bid stands."""

    SEALED = "sealed"  # 密封: funds held in escrow
    WON = "won"  # 中标
    LOST = "lost"  # 未中标: escrow refunded


class Auction(Base):
    """A sealed-bid auction (密封竞价) of an exclusive licence tier on one exchange."""

    __tablename__ = "trading_auctions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"), index=True)
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    seller_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    rule: Mapped[AuctionRule] = mapped_column(String(16))
    reserve_fen: Mapped[int] = mapped_column(BigInteger)
    # The rulebook is fixed when the auction opens: every bidder knows the fee it escrows.
    rulebook_version: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[AuctionStatus] = mapped_column(String(16))
    winning_bid_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    clearing_price_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Bid(Base):
    """A sealed bid (密封出价); its amount plus the buyer fee waits in escrow until the close."""

    __tablename__ = "trading_bids"
    __table_args__ = (
        UniqueConstraint("auction_id", "bidder_id"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    auction_id: Mapped[str] = mapped_column(ForeignKey("trading_auctions.id"))
    bidder_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    placed_by: Mapped[str] = mapped_column(String(80))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    escrow_fen: Mapped[int] = mapped_column(BigInteger)
    legal_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[BidStatus] = mapped_column(String(16))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
