"""Tables of data brokers' licences (数据经纪人) and their clients' mandates (授权委托)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.vocabulary import MandateSide, MandateStatus


class BrokerLicenceStatus(StrEnum):
    """Whether a broker's licence (经纪人执业资格) on an exchange stands."""

    ACTIVE = "active"
    REVOKED = "revoked"


class BrokerLicence(Base):
    """A data broker's licence (数据经纪人执业资格) granted by one exchange."""

    __tablename__ = "trading_broker_licences"
    __table_args__ = (UniqueConstraint("broker_id", "exchange_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    broker_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"), index=True)
    status: Mapped[BrokerLicenceStatus] = mapped_column(String(16))
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Mandate(Base):
    """A client's mandate to a broker (授权委托): side, exchanges, actions, limit, commission."""

    __tablename__ = "trading_mandates"
    __table_args__ = (
        CheckConstraint(
            "spent_fen >= 0 AND spent_fen <= spending_limit_fen", name="spending_within_limit"
        ),
        CheckConstraint("commission_bp >= 0 AND commission_bp <= 10000", name="commission_rate"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    # The client's side of the trades the broker makes; the client pays the commission.
    side: Mapped[MandateSide] = mapped_column(String(8), server_default=MandateSide.BUYER.value)
    exchange_ids: Mapped[list[str]] = mapped_column(JSON)
    actions: Mapped[list[str]] = mapped_column(JSON)
    spending_limit_fen: Mapped[int] = mapped_column(BigInteger)
    # Committed spending: settled purchases plus funds held in escrow for open bids and orders.
    spent_fen: Mapped[int] = mapped_column(BigInteger)
    commission_bp: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[MandateStatus] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
