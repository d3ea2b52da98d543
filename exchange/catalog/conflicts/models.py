"""Table of refused second sources (一数一源) and their escalation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class ConflictStatus(StrEnum):
    """State of a refused second-source registration."""

    REFUSED = "refused"  # 已拒绝登记
    PENDING = "pending"  # 申诉待裁决
    RESOLVED = "resolved"  # 已裁决


class ConflictOutcome(StrEnum):
    """How an escalated source conflict was decided."""

    KEEP_EXISTING = "keep_existing"  # 维持原数据源头
    TRANSFER = "transfer"  # 数据源头移交申诉方


class SourceConflict(Base):
    """A refused second source for a data element, possibly escalated for a decision."""

    __tablename__ = "catalog_source_conflicts"
    __table_args__ = (Index("ix_catalog_source_conflicts_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    element_id: Mapped[str] = mapped_column(ForeignKey("catalog_data_elements.id"), index=True)
    existing_item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"))
    claimant_department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    claimant_participant_id: Mapped[str] = mapped_column(String(80))
    # The item that tried to claim the source (None if it was refused at first publication).
    claimant_item_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_items.id"), nullable=True
    )
    proposed_item_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[ConflictStatus] = mapped_column(String(16))
    escalation_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[ConflictOutcome | None] = mapped_column(String(16), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
