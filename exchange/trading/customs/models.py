"""Tables of data customs (数据海关): cross-border orders held for a regulator's decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.vocabulary import CustomsDecision, CustomsStatus


class CustomsCase(Base):
    """A data-customs case (数据海关): a cross-border buyer's order awaiting clearance."""

    __tablename__ = "trading_customs_cases"
    __table_args__ = (Index("ix_trading_customs_cases_status_created_at", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("trading_orders.id"), unique=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    asset_id: Mapped[str] = mapped_column(String(36))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    grade: Mapped[str] = mapped_column(String(16))
    personal_information: Mapped[bool] = mapped_column(Boolean)
    legal_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[CustomsStatus] = mapped_column(String(16))
    decision: Mapped[CustomsDecision | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
