"""Table of sharing requests (共享申请) between departments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.catalog.columns import CompactJSON
from exchange.database import Base, UTCDateTime


class ShareStatus(StrEnum):
    """State of a sharing request (共享申请)."""

    PENDING = "pending"  # 待答复
    APPROVED = "approved"  # 已同意
    REFUSED = "refused"  # 已拒绝


class ShareRequest(Base):
    """A sharing request (共享申请) from one department for another's conditional item."""

    __tablename__ = "catalog_share_requests"
    __table_args__ = (
        Index("ix_catalog_share_requests_owner_status", "owner_department_id", "status"),
        Index("ix_catalog_share_requests_requester", "requester_department_id", "submitted_at"),
        Index("ix_catalog_share_requests_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    item_version: Mapped[int] = mapped_column(Integer)
    requester_department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    owner_department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    requested_by: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(CompactJSON)
    status: Mapped[ShareStatus] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    response_working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # When the due-work runner flagged it overdue (unanswered past 3 working days).
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
