"""Tables of listings (挂牌): venues on each exchange, licence tiers, delivery packages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.vocabulary import DeliveryKind, VenueStatus


class Listing(Base):
    """A listed data product (挂牌数据产品): a registered asset, its tiers and delivery package
    (its bytes are the asset's registered package, `exchange.assets.packages`)."""

    __tablename__ = "trading_listings"
    __table_args__ = (Index("ix_trading_listings_created_at_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # No foreign key to assets: the registry lives in its own migration branch.
    asset_id: Mapped[str] = mapped_column(String(36), index=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    certificate_number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    product_form: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(16))
    personal_information: Mapped[bool] = mapped_column(Boolean)
    fingerprint: Mapped[str] = mapped_column(String(64))
    delivery_kind: Mapped[DeliveryKind] = mapped_column(String(8))
    delivery_filename: Mapped[str] = mapped_column(String(200))
    delivery_media_type: Mapped[str] = mapped_column(String(100))
    delivery_size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ListingVenue(Base):
    """A listing on one exchange (挂牌场所), possibly taken in by one of its service bases."""

    __tablename__ = "trading_listing_venues"

    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"), primary_key=True)
    exchange_id: Mapped[str] = mapped_column(
        ForeignKey("trading_exchanges.id"), primary_key=True, index=True
    )
    base_id: Mapped[str | None] = mapped_column(
        ForeignKey("trading_service_bases.id"), nullable=True
    )
    status: Mapped[VenueStatus] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LicenceTier(Base):
    """One licence version on offer (许可版本): scope, term, price, exclusivity."""

    __tablename__ = "trading_licence_tiers"
    __table_args__ = (
        UniqueConstraint("listing_id", "position"),
        CheckConstraint("price_fen > 0", name="price_positive"),
        CheckConstraint("term_days > 0", name="term_positive"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(Text)
    term_days: Mapped[int] = mapped_column(Integer)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    exclusive: Mapped[bool] = mapped_column(Boolean)
    # An exclusive tier's holder ("order:<id>" or "auction:<id>"), taken and handed on only by
    # conditional UPDATEs, so that two buyers can never both hold it.
    claim: Mapped[str | None] = mapped_column(String(48), nullable=True)
    sold_trade_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The tier's usage policy (使用策略, `trading.policies.terms.UsagePolicy` as JSON); None: the
    # scope text alone, as before policies existed.
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class AssetLock(Base):
    """One row per listed asset, locked by every step that must see the asset's listings and
    licences whole: listing it on an exchange, selling or auctioning any of its tiers.

    It holds no state (hence exempt from the audit log): on PostgreSQL `SELECT ... FOR UPDATE`
    of it serializes those steps per asset; SQLite serializes every writer already.
    """

    __tablename__ = "trading_asset_locks"
    __audit_exempt__ = True

    asset_id: Mapped[str] = mapped_column(String(36), primary_key=True)
