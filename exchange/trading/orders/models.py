"""Tables of posted-price orders (挂牌交易), the trades they settle and idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.vocabulary import OrderStatus, TradeMode


class Order(Base):
    """An order (订单): posted-price purchase, negotiated settlement or auction award."""

    __tablename__ = "trading_orders"
    __table_args__ = (
        Index("ix_trading_orders_buyer_id_created_at", "buyer_id", "created_at"),
        Index("ix_trading_orders_status_created_at", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mode: Mapped[TradeMode] = mapped_column(String(16))
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    rulebook_version: Mapped[int] = mapped_column(Integer)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    seller_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    placed_by: Mapped[str] = mapped_column(String(80))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    buyer_fee_fen: Mapped[int] = mapped_column(BigInteger)
    seller_fee_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    # Funds held in the exchange's escrow account for this order (0 when paid directly).
    escrow_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[OrderStatus] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)
    negotiation_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    auction_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    trade_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The usage policy the licence will carry (the tier's, or the negotiated one).
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Trade(Base):
    """A settled trade (成交): who, what, where, at which price, under which rulebook version."""

    __tablename__ = "trading_trades"
    __table_args__ = (
        Index("ix_trading_trades_exchange_id_settled_at", "exchange_id", "settled_at"),
        Index("ix_trading_trades_settled_at", "settled_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("trading_orders.id"), unique=True)
    mode: Mapped[TradeMode] = mapped_column(String(16))
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"), index=True)
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    # Set only for exclusive tiers: the unique constraint is the last guard against a second sale.
    exclusive_tier_id: Mapped[str | None] = mapped_column(String(36), unique=True, nullable=True)
    asset_id: Mapped[str] = mapped_column(String(36))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    base_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rulebook_version: Mapped[int] = mapped_column(Integer)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    buyer_fee_fen: Mapped[int] = mapped_column(BigInteger)
    seller_fee_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    product_form: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(16))
    personal_information: Mapped[bool] = mapped_column(Boolean)
    cross_border: Mapped[bool] = mapped_column(Boolean)
    journal_id: Mapped[str] = mapped_column(String(36))
    licence_id: Mapped[str] = mapped_column(String(36))
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """A participant's Idempotency-Key and the first response given to it (幂等键)."""

    __tablename__ = "trading_idempotency_keys"
    # A record of requests, not market state: a replay that only tried to claim its key
    # changes nothing, and the request that ran commits with its own audit entries.
    __audit_exempt__ = True

    participant_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
