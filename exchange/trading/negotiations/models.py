"""Tables of negotiated trading (协议交易)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.vocabulary import NegotiationParty, NegotiationState


class Negotiation(Base):
    """A contract negotiation (协议磋商) between a consumer and the listing's provider."""

    __tablename__ = "trading_negotiations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    consumer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    state: Mapped[NegotiationState] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    rounds: Mapped[int] = mapped_column(Integer)
    # The usage policy on the table (使用策略): the tier's, or as the last counter-offer moved
    # it within what the seller allows; None for a tier without a policy.
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    terminated_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    termination_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NegotiationMessage(Base):
    """One step of a negotiation: a request, offer, acceptance, agreement or termination."""

    __tablename__ = "trading_negotiation_messages"
    __table_args__ = (UniqueConstraint("negotiation_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    negotiation_id: Mapped[str] = mapped_column(ForeignKey("trading_negotiations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    party: Mapped[NegotiationParty] = mapped_column(String(16))
    sent_by: Mapped[str] = mapped_column(String(80))
    state: Mapped[NegotiationState] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
