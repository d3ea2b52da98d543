"""Participants (市场参与者), their API keys, cash accounts and the double-entry ledger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, BigIntId, UTCDateTime
from exchange.vocabulary import ParticipantStatus, Role


class Participant(Base):
    """A department, company, person, broker or official acting in the market."""

    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(32), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    status: Mapped[ParticipantStatus] = mapped_column(String(16), default=ParticipantStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """An API key: shown once, stored as a SHA-256 digest, found by its public key id."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AccountKind(StrEnum):
    """What an account belongs to."""

    PARTICIPANT = "participant"  # 参与者资金账户
    EXCHANGE = "exchange"  # 交易所手续费收入
    SANDBOX_MINT = "sandbox_mint"  # 沙盒注资来源（唯一可为负的账户）


class Account(Base):
    """A cash account in integer fen (分); only the sandbox mint may go below zero."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("balance_fen >= 0 OR kind = 'sandbox_mint'", name="balance_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(String(16))
    owner_id: Mapped[str] = mapped_column(String(36), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A supervision measure's freeze (冻结账户): the account still receives but no longer pays.
    # Kept on the row every payment updates, so a freeze and a payment serialize on it.
    frozen_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    frozen_case: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Journal(Base):
    """One money movement (a correlation id) whose postings sum to zero."""

    __tablename__ = "journals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    memo: Mapped[str] = mapped_column(String(500), default="")
    initiated_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Posting(Base):
    """One leg of a journal: a signed amount in fen against one account."""

    __tablename__ = "postings"
    __table_args__ = (
        Index("ix_postings_account_id_id", "account_id", "id"),
        CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    journal_id: Mapped[str] = mapped_column(ForeignKey("journals.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
