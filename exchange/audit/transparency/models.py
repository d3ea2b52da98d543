"""Tables of the log's transparency side: the signed checkpoints (签名树头)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, BigIntId, UTCDateTime


class AuditCheckpoint(Base):
    """A signed tree head (签名树头): the C2SP checkpoint note of the log at one size.

    Derived from the log, not a change to the market, so it needs no audit entry of its own.
    """

    __tablename__ = "audit_checkpoints"
    __audit_exempt__ = True
    __table_args__ = (CheckConstraint("size >= 0", name="size_non_negative"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(BigInteger, index=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    # The hex key IDs that signed the note, comma-separated: a change of the active keys
    # (rotation, retirement) calls for a new note even if the log has not grown.
    key_ids: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
