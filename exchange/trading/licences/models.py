"""Tables of licences (许可) and the delivery (交付) they grant."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class LicenceStatus(StrEnum):
    """The stored state of a licence; its term ends by the clock, and the due-work runner
    then records it as expired."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Licence(Base):
    """A data licence (数据使用许可) a trade grants: scope and term, revocable by regulators."""

    __tablename__ = "trading_licences"
    __table_args__ = (
        Index("ix_trading_licences_licensee_id_starts_at", "licensee_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    trade_id: Mapped[str] = mapped_column(String(36), unique=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    licensee_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    licensor_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    scope: Mapped[str] = mapped_column(Text)
    exclusive: Mapped[bool] = mapped_column(Boolean)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[LicenceStatus] = mapped_column(String(16))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
