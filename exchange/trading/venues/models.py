"""Tables of exchanges (数据交易所), rulebooks (交易规则), bases, operators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class ListingReview(StrEnum):
    """The listing review (上架审核) an exchange's rulebook requires."""

    NONE = "none"  # 登记即上架: a valid certificate is review enough
    OPERATOR = "operator"  # 交易所审核: an operator of the exchange approves each listing


class Exchange(Base):
    """A data exchange (数据交易所): Guangzhou or Shenzhen, with its fee and escrow accounts."""

    __tablename__ = "trading_exchanges"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    fee_account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    escrow_account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    rulebook_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Rulebook(Base):
    """One version of an exchange's rulebook (交易规则); versions are never changed."""

    __tablename__ = "trading_rulebooks"
    __table_args__ = (
        CheckConstraint(
            "buyer_fee_bp >= 0 AND seller_fee_bp >= 0 AND max_commission_bp >= 0",
            name="rates_not_negative",
        ),
        CheckConstraint("seller_fee_bp + max_commission_bp <= 10000", name="seller_keeps_share"),
        CheckConstraint(
            "min_price_fen > 0 AND max_price_fen >= min_price_fen", name="price_limits"
        ),
    )

    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    buyer_fee_bp: Mapped[int] = mapped_column(Integer)
    seller_fee_bp: Mapped[int] = mapped_column(Integer)
    max_commission_bp: Mapped[int] = mapped_column(Integer)
    broker_required_for: Mapped[list[str]] = mapped_column(JSON)
    trade_modes: Mapped[list[str]] = mapped_column(JSON)
    listing_review: Mapped[ListingReview] = mapped_column(String(16))
    min_price_fen: Mapped[int] = mapped_column(BigInteger)
    max_price_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ServiceBase(Base):
    """A regional service base (服务基地) that takes listings on behalf of its exchange."""

    __tablename__ = "trading_service_bases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExchangeOperator(Base):
    """An exchange operator bound to the one exchange it runs (交易所运营方)."""

    __tablename__ = "trading_exchange_operators"

    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"), index=True)
    bound_by: Mapped[str] = mapped_column(String(80))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime)
