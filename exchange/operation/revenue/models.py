"""Table of revenue shares paid (收益分成): one row per department paid for one trade."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class RevenueShare(Base):
    """A department's share of one settled trade of a product derived under an agreement,
    paid in the trade's own settlement journal."""

    __tablename__ = "operation_revenue_shares"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_operation_revenue_shares_agreement_id_paid_at", "agreement_id", "paid_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("operation_agreements.id"))
    department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"), index=True)
    # The department's participant, whose account was credited.
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    # No foreign keys to trading: settlement sits above this domain and refers to it.
    trade_id: Mapped[str] = mapped_column(String(36), index=True)
    asset_id: Mapped[str] = mapped_column(String(36))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    journal_id: Mapped[str] = mapped_column(ForeignKey("journals.id"))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
