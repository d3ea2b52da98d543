"""Tables of licences (许可) and the delivery (交付) they grant."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
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
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"), index=True)
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
    # The usage policy (使用策略) the licence carries, copied from its order; None: scope text.
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The quota's current period and the uses counted in it, moved only by compare-and-set.
    usage_period_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    # The differential-privacy budget spent, in millionths of ε (compare-and-set).
    epsilon_spent_micro: Mapped[int] = mapped_column(BigInteger, default=0)
    # The licensee's confirmation that it deleted the data (到期删除 duty).
    deletion_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
