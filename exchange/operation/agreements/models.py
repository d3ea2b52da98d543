"""Tables of operating agreements (授权运营协议) and the catalog items each covers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.operation.vocabulary import AgreementStatus


class Agreement(Base):
    """An operating agreement: an operator may derive products from named catalog items, for
    named purposes, in named forms, for a term, paying the departments a share."""

    __tablename__ = "operation_agreements"
    __table_args__ = (
        CheckConstraint(
            "revenue_share_bp >= 0 AND revenue_share_bp <= 10000", name="share_in_range"
        ),
        CheckConstraint("ends_at > starts_at", name="term_positive"),
        Index("ix_operation_agreements_status_ends_at", "status", "ends_at"),
        Index("ix_operation_agreements_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    operator_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    status: Mapped[AgreementStatus] = mapped_column(String(16))
    purposes: Mapped[list[str]] = mapped_column(JSON)
    forms: Mapped[list[str]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revenue_share_bp: Mapped[int] = mapped_column(Integer)
    security_duties: Mapped[str] = mapped_column(Text)
    exclusive: Mapped[bool] = mapped_column(Boolean)
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The data authority (数据主管部门) that decided the proposal, and who acted for it.
    authority_department_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_departments.id"), nullable=True
    )
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Why it was last refused, suspended, resumed or ended.
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgreementItem(Base):
    """A catalog item an agreement covers, with the fields delivered to the operator and the
    item's responsible department (paid its part of the share)."""

    __tablename__ = "operation_agreement_items"

    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("operation_agreements.id"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(
        ForeignKey("catalog_items.id"), primary_key=True, index=True
    )
    department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"), index=True)
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    opening: Mapped[str] = mapped_column(String(16))
