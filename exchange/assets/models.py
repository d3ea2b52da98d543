"""Data assets (数据资产): registrations, reviews, objections, valuations, certificates, pledges."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
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


class ReviewDecision(StrEnum):
    """A compliance reviewer's decision."""

    APPROVE = "approve"  # 通过
    REJECT = "reject"  # 不通过


class ObjectionStatus(StrEnum):
    """Where an objection (异议) stands."""

    OPEN = "open"  # 待处理
    UPHELD = "upheld"  # 异议成立
    DISMISSED = "dismissed"  # 异议不成立


class ObjectionDecision(StrEnum):
    """A regulator's decision on an objection."""

    UPHOLD = "uphold"  # 异议成立: the registration stops
    DISMISS = "dismiss"  # 异议不成立


class ValuationMethod(StrEnum):
    """Valuation methods (价值评估方法)."""

    COST = "cost"  # 成本法
    INCOME = "income"  # 收益法
    MARKET = "market"  # 市场法


class CertificateState(StrEnum):
    """The stored state of a certificate; expiry and pledges are derived when read."""

    VALID = "valid"
    REVOKED = "revoked"


class PledgeStatus(StrEnum):
    """Where a pledge (质押) stands."""

    PENDING = "pending"  # recorded by the lender, awaiting the holder's confirmation
    ACTIVE = "active"  # 质押中: confirmed; the certificate is pledged
    RELEASED = "released"  # 已解除 (by the lender)
    DECLINED = "declined"  # the holder declined it
    WITHDRAWN = "withdrawn"  # the lender withdrew it before confirmation


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


class AssetValuation(Base):
    """A valuation report (价值评估报告): method, inputs as given, and the value in fen."""

    __tablename__ = "asset_valuations"
    __table_args__ = (Index("ix_asset_valuations_asset_id_created_at", "asset_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"))
    method: Mapped[ValuationMethod] = mapped_column(String(16))
    # None when the method could not value the asset (the market method with no comparables).
    value_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    conclusion: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    valued_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Certificate(Base):
    """A data-asset certificate (数据资产凭证): the signed canonical document, stored verbatim."""

    __tablename__ = "asset_certificates"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"), index=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    document: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    key_id: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[CertificateState] = mapped_column(String(16))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The active pledge, if any: set and cleared with a guarded UPDATE so two pledges never race.
    pledge_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Pledge(Base):
    """A pledge (质押) of a certificate to a lender as security for a loan."""

    __tablename__ = "asset_pledges"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    certificate_number: Mapped[str] = mapped_column(
        ForeignKey("asset_certificates.number"), index=True
    )
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"))
    lender_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    loan_reference: Mapped[str] = mapped_column(String(100))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[PledgeStatus] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AssetSequence(Base):
    """A named counter (certificate numbers); advanced with one guarded UPDATE per batch."""

    __tablename__ = "asset_sequences"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


CERTIFICATE_SEQUENCE = "certificate"

RIGHT_LABELS: dict[DataRight, str] = {
    DataRight.HOLDING: "数据资源持有权",
    DataRight.PROCESSING_USE: "数据加工使用权",
    DataRight.PRODUCT_OPERATION: "数据产品经营权",
}
PRODUCT_FORM_LABELS: dict[ProductForm, str] = {
    ProductForm.DATASET: "数据集",
    ProductForm.API: "数据接口",
    ProductForm.INDICATOR: "数据指标",
    ProductForm.REPORT: "数据报告",
    ProductForm.MODEL: "数据模型",
    ProductForm.APPLICATION: "数据应用",
}
GRADE_LABELS: dict[DataGrade, str] = {
    DataGrade.GENERAL: "一般数据",
    DataGrade.IMPORTANT: "重要数据",
    DataGrade.CORE: "核心数据",
}
ASSET_STATUS_LABELS: dict[AssetStatus, str] = {
    AssetStatus.APPLIED: "登记申请中",
    AssetStatus.REGISTERED: "已登记",
    AssetStatus.REFUSED: "不予登记",
    AssetStatus.CANCELLED: "已注销",
    AssetStatus.REVOKED: "已撤销",
}
