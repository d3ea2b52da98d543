"""Pledges (质押) of certificates to lenders."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class PledgeStatus(StrEnum):
    """Where a pledge (质押) stands."""

    PENDING = "pending"  # recorded by the lender, awaiting the holder's confirmation
    ACTIVE = "active"  # 质押中: confirmed; the certificate is pledged
    RELEASED = "released"  # 已解除 (by the lender)
    DECLINED = "declined"  # the holder declined it
    WITHDRAWN = "withdrawn"  # the lender withdrew it before confirmation


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
