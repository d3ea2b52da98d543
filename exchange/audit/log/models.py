"""Tables of the append-only audit log (审计日志): entries, the head, subtree hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, BigIntId, UTCDateTime

ZERO_HASH = bytes(32)


class AuditEntry(Base):
    """One leaf of the log: the canonical JSON bytes, stored verbatim, plus query columns."""

    __tablename__ = "audit_entries"
    __audit_exempt__ = True
    __table_args__ = (
        Index("ix_audit_entries_actor_seq", "actor", "seq"),
        Index("ix_audit_entries_action_seq", "action", "seq"),
        Index("ix_audit_entries_subject_seq", "subject_type", "subject_id", "seq"),
        Index("ix_audit_entries_logged_at", "logged_at"),
        CheckConstraint("seq >= 0", name="seq_non_negative"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    # Unique: two entries can never claim the same predecessor, so the chain cannot fork.
    prev: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str] = mapped_column(String(120))


class AuditHead(Base):
    """The single row every append locks: size, last leaf hash and the Merkle frontier."""

    __tablename__ = "audit_head"
    __audit_exempt__ = True
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    last_logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# Subtrees below this level are not stored: any of them is at most 8 leaf hashes away
# (read in the same query as the rest of a proof), and skipping them saves 7 rows in 8.
STORED_NODE_MIN_LEVEL = 4


class AuditNode(Base):
    """Hash of a completed perfect subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L).

    Level 0 (the leaves) is read from `audit_entries.leaf_hash`; levels 1-3 are recomputed
    from those; only levels >= STORED_NODE_MIN_LEVEL live here.
    """

    __tablename__ = "audit_nodes"
    __audit_exempt__ = True

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditHalt(Base):
    """A halt of the market (停机): the log failed verification, so no state change commits.

    Written outside the log (an entry cannot be appended to a damaged log); lifted only by an
    admin's acknowledgement once the log verifies again, and that acknowledgement is audited.
    """

    __tablename__ = "audit_halts"
    __audit_exempt__ = True

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    first_bad_index: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    # What found the damage: start-up, periodic, verify (an overseer's GET /v1/audit/verify).
    detected_by: Mapped[str] = mapped_column(String(40))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
