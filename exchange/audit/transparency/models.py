"""Tables of the log's transparency side: the signed checkpoints (签名树头) and the last
verification and reconciliation runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Integer, LargeBinary, String, Text
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


class AuditCheckRun(Base):
    """The last run of each whole-log check (验证 verify, 对账 reconcile): what it found.

    One row per kind, replaced by every run (start-up, periodic, an overseer's request), so
    a regulator sees the latest result from any worker and after a restart. Derived from the
    log, not a change to the market: no audit entry of its own (a damaged log takes none).
    """

    __tablename__ = "audit_check_runs"
    __audit_exempt__ = True

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    log_size: Mapped[int] = mapped_column(BigInteger)
    # verify: the root it recomputed; reconcile: none.
    root: Mapped[str | None] = mapped_column(String(64), nullable=True)
    first_bad_index: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # verify: problems found; reconcile: differences found (plus unreadable entries).
    findings: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    # What ran it: start-up, periodic, verify, reconcile (an API call) or console.
    trigger: Mapped[str] = mapped_column(String(40))
    run_by: Mapped[str] = mapped_column(String(80))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
