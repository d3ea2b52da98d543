"""Participants (市场参与者), their API keys, cash accounts and the double-entry ledger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, BigIntId, UTCDateTime


class Role(StrEnum):
    """The one role a participant acts in."""

    DEPARTMENT = "department"  # 政府部门
    ENTERPRISE = "enterprise"  # 企业
    INDIVIDUAL = "individual"  # 个人
    BROKER = "broker"  # 数据经纪人
    EXCHANGE_OPERATOR = "exchange_operator"  # 数据交易所运营方
    COMPLIANCE_REVIEWER = "compliance_reviewer"  # 登记合规委员会委员
    REGULATOR = "regulator"  # 监管部门
    LENDER = "lender"  # 金融机构
    INSTRUCTOR = "instructor"  # 课程教师
    ADMIN = "admin"  # 平台管理员


ROLE_LABELS: dict[Role, str] = {
    Role.DEPARTMENT: "政府部门",
    Role.ENTERPRISE: "企业",
    Role.INDIVIDUAL: "个人",
    Role.BROKER: "数据经纪人",
    Role.EXCHANGE_OPERATOR: "数据交易所运营方",
    Role.COMPLIANCE_REVIEWER: "数据资产登记合规委员会",
    Role.REGULATOR: "监管部门",
    Role.LENDER: "金融机构",
    Role.INSTRUCTOR: "课程教师",
    Role.ADMIN: "平台管理员",
}


class ParticipantStatus(StrEnum):
    """Whether a participant may act."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


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
