"""Tables of market surveillance (交易监测): alerts with their evidence and state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class Alert(Base):
    """A pattern surveillance found: evidence (ids and audit entry indexes), severity, state."""

    __tablename__ = "supervision_alerts"
    __table_args__ = (Index("ix_supervision_alerts_state_raised_at", "state", "raised_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    remit: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    parties: Mapped[list[str]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    window_since: Mapped[datetime] = mapped_column(UTCDateTime)
    window_until: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_by: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    dismissal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
