"""Certificates (数据资产凭证) as stored, and the counter that numbers them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class CertificateState(StrEnum):
    """The stored state of a certificate; expiry and pledges are derived when read."""

    VALID = "valid"
    REVOKED = "revoked"


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


class AssetSequence(Base):
    """A named counter (certificate numbers); advanced with one guarded UPDATE per batch."""

    __tablename__ = "asset_sequences"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


CERTIFICATE_SEQUENCE = "certificate"
