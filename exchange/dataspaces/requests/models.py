"""The table of consent requests (授权申请)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.dataspaces.vocabulary import RequestStatus


class ConsentRequest(Base):
    """A participant asks a data subject for a consent over record types, fields and
    purposes until a time; the subject accepts (a consent is granted) or declines."""

    __tablename__ = "dataspace_consent_requests"
    __table_args__ = (
        Index("ix_dataspace_consent_requests_subject_created", "subject_id", "created_at"),
        Index("ix_dataspace_consent_requests_requester_created", "requester_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    subject_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    record_types: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    certificates: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[RequestStatus] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    consent_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
