"""Tables of transfer processes (传输过程) and the uses of a licence they record."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, BigIntId, UTCDateTime


class TransferState(StrEnum):
    """A transfer process's state, with the Dataspace Protocol's names."""

    REQUESTED = "REQUESTED"
    STARTED = "STARTED"
    SUSPENDED = "SUSPENDED"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"


class UsageKind(StrEnum):
    """What a usage record records."""

    DOWNLOAD = "download"  # the package, streamed
    ROWS = "rows"  # a metered call that served rows
    COMPUTATION = "computation"  # an aggregate query (可用不可见)
    REFUSED = "refused"  # a use the policy refused, with its clause


class Transfer(Base):
    """A transfer process (传输过程) under a licence: the licensee (consumer) asks, the platform's
    data plane starts it for the licensor (provider); either side may suspend, resume,
    complete or terminate it, and a regulator may suspend or terminate it."""

    __tablename__ = "trading_transfers"
    __table_args__ = (
        Index("ix_trading_transfers_consumer_id_created_at", "consumer_id", "created_at"),
        Index("ix_trading_transfers_provider_id_created_at", "provider_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    licence_id: Mapped[str] = mapped_column(ForeignKey("trading_licences.id"), index=True)
    consumer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    access: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[TransferState] = mapped_column(String(16))
    suspended_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UsageRecord(Base):
    """One use of a licence, or one refusal (使用记录): what the licensee, the licensor and the
    regulators see of how a licence is used. A computation keeps its query and its (noisy,
    suppressed) result, never a row."""

    __tablename__ = "trading_usage_records"
    __table_args__ = (Index("ix_trading_usage_records_licence_id_id", "licence_id", "id"),)

    # In the order they were written (several may share one clock instant).
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    licence_id: Mapped[str] = mapped_column(ForeignKey("trading_licences.id"))
    transfer_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    actor_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[UsageKind] = mapped_column(String(16))
    purpose: Mapped[str | None] = mapped_column(String(32), nullable=True)
    clause: Mapped[str | None] = mapped_column(String(16), nullable=True)
    problem: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    units: Mapped[int] = mapped_column(Integer)
    epsilon_micro: Mapped[int] = mapped_column(BigInteger)
    query: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
