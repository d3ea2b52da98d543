"""The register's tables (数据资产登记): assets and their registration applications."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.vocabulary import DataGrade, DataRight, ProductForm


class AssetStatus(StrEnum):
    """Where an asset stands in the register."""

    APPLIED = "applied"  # 登记申请中: initial review or publicity under way
    REGISTERED = "registered"  # 已登记
    REFUSED = "refused"  # 不予登记: rejected in review, or an objection was upheld
    CANCELLED = "cancelled"  # 已注销 (by its holder)
    REVOKED = "revoked"  # 已撤销 (by the registry)


class ApplicationKind(StrEnum):
    """The registration types (登记类型)."""

    INITIAL = "initial"  # 首次登记
    CHANGE = "change"  # 变更登记
    CANCELLATION = "cancellation"  # 注销登记


class ApplicationStatus(StrEnum):
    """Where a registration application stands."""

    UNDER_REVIEW = "under_review"  # 合规审查中
    IN_PUBLICITY = "in_publicity"  # 公示中
    REJECTED = "rejected"  # 审查不通过
    STOPPED = "stopped"  # 异议成立，登记终止
    COMPLETED = "completed"  # 登记完成
    CLOSED = "closed"  # closed unfinished because the registry revoked the asset


OPEN_APPLICATION_STATUSES = (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.IN_PUBLICITY)


class Asset(Base):
    """A data asset (数据资产) in the register, with its current registered description."""

    __tablename__ = "assets"
    __table_args__ = (Index("ix_assets_status_created_at", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    status: Mapped[AssetStatus] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    product_form: Mapped[ProductForm] = mapped_column(String(16))
    data_right: Mapped[DataRight] = mapped_column(String(24))
    scenario: Mapped[str] = mapped_column(String(500))
    grade: Mapped[DataGrade] = mapped_column(String(16))
    personal_information: Mapped[bool] = mapped_column(Boolean)
    fingerprint: Mapped[str] = mapped_column(String(64))
    source_catalog_item_ids: Mapped[list[str]] = mapped_column(JSON)
    source_legality: Mapped[str] = mapped_column(Text)
    personal_information_basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The purpose (授权用途) of a product derived from public data under an operating agreement.
    purpose: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The structured lawful basis (个人信息处理依据) and the consents a consent basis relies on.
    lawful_basis: Mapped[LawfulBasis | None] = mapped_column(String(24), nullable=True)
    consent_ids: Mapped[list[str]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the asset first enters publicity (公示): from then on anyone may read it.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    close_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class AssetApplication(Base):
    """A registration application (登记申请): initial, change or cancellation."""

    __tablename__ = "asset_applications"
    __table_args__ = (
        Index("ix_asset_applications_status_submitted_at", "status", "submitted_at"),
        Index("ix_asset_applications_status_publicity_ends_at", "status", "publicity_ends_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"), index=True)
    kind: Mapped[ApplicationKind] = mapped_column(String(16))
    status: Mapped[ApplicationStatus] = mapped_column(String(16))
    submitted_by: Mapped[str] = mapped_column(String(80))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The asset description the application asks to register (initial, change); None to cancel.
    proposed: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    approvals: Mapped[int] = mapped_column(Integer)
    rejections: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    publicity_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


ASSET_STATUS_LABELS: dict[AssetStatus, str] = {
    AssetStatus.APPLIED: "登记申请中",
    AssetStatus.REGISTERED: "已登记",
    AssetStatus.REFUSED: "不予登记",
    AssetStatus.CANCELLED: "已注销",
    AssetStatus.REVOKED: "已撤销",
}
