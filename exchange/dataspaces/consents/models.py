"""The table of consents (授权) and their signed receipts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.dataspaces.vocabulary import ConsentStatus


class Consent(Base):
    """A data subject's consent: to whom, which records and fields, for which purposes, until
    when; stored active or revoked (expiry is read from the market clock). The receipt is the
    canonical JSON the platform signed when it was granted."""

    __tablename__ = "dataspace_consents"
    __table_args__ = (
        Index("ix_dataspace_consents_subject_granted", "subject_id", "granted_at"),
        Index("ix_dataspace_consents_grantee_granted", "grantee_id", "granted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    grantee_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    record_ids: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    certificates: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[ConsentStatus] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    receipt: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    key_id: Mapped[str] = mapped_column(String(16))
