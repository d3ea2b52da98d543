"""Compliance review and publicity tables: reviews (合规审查意见) and objections (异议)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.assets.review.rules import ReviewDecision
from exchange.database import Base, UTCDateTime


class ObjectionStatus(StrEnum):
    """Where an objection (异议) stands."""

    OPEN = "open"  # 待处理
    UPHELD = "upheld"  # 异议成立
    DISMISSED = "dismissed"  # 异议不成立


class ObjectionDecision(StrEnum):
    """A regulator's decision on an objection."""

    UPHOLD = "uphold"  # 异议成立: the registration stops
    DISMISS = "dismiss"  # 异议不成立


class AssetReview(Base):
    """One compliance reviewer's decision (合规审查意见) on one application."""

    __tablename__ = "asset_reviews"
    # A reviewer decides an application once; the service checks first, this makes it certain.
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Found by application through the unique (application_id, reviewer_id) index.
    application_id: Mapped[str] = mapped_column(ForeignKey("asset_applications.id"))
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"))
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    decision: Mapped[ReviewDecision] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssetObjection(Base):
    """An objection (异议) raised during publicity, decided by a regulator."""

    __tablename__ = "asset_objections"
    __table_args__ = (
        Index("ix_asset_objections_application_id_status", "application_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("asset_applications.id"))
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"), index=True)
    objector_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
