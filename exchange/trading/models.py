"""Trading (数据交易): exchanges and rulebooks, brokers, listings, orders, trades, licences,
negotiations, auctions, data customs and idempotency keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.vocabulary import DeliveryKind, TradeMode


class ListingReview(StrEnum):
    """The listing review (上架审核) an exchange's rulebook requires."""

    NONE = "none"  # 登记即上架: a valid certificate is review enough
    OPERATOR = "operator"  # 交易所审核: an operator of the exchange approves each listing


class VenueStatus(StrEnum):
    """Where a listing stands on one exchange."""

    PENDING_REVIEW = "pending_review"  # 待审核
    ACTIVE = "active"  # 挂牌中
    SUSPENDED = "suspended"  # 暂停
    REJECTED = "rejected"  # 审核不通过
    DELISTED = "delisted"  # 已下架 (final)


class MandateAction(StrEnum):
    """What a client may let its broker do (委托事项)."""

    BUY = "buy"  # 挂牌购买
    NEGOTIATE = "negotiate"  # 协议磋商与结算
    BID = "bid"  # 竞价出价


class MandateStatus(StrEnum):
    """The stored state of a mandate; expiry is derived from the clock."""

    ACTIVE = "active"
    REVOKED = "revoked"


class BrokerLicenceStatus(StrEnum):
    """Whether a broker's licence (经纪人执业资格) on an exchange stands."""

    ACTIVE = "active"
    REVOKED = "revoked"


class OrderStatus(StrEnum):
    """Where an order stands."""

    AWAITING_CUSTOMS = "awaiting_customs"  # 待数据海关审查: funds held in escrow
    SETTLED = "settled"  # 已结算
    REFUSED = "refused"  # 未放行: refused by data customs, nothing charged


class NegotiationState(StrEnum):
    """Contract negotiation states, after the Dataspace Protocol (协议交易)."""

    REQUESTED = "requested"  # the consumer proposed terms
    OFFERED = "offered"  # the provider offered (or counter-offered) terms
    ACCEPTED = "accepted"  # the consumer accepted the provider's offer
    AGREED = "agreed"  # the provider confirmed the agreement; the consumer may settle
    FINALIZED = "finalized"  # settled: a trade and a licence exist
    TERMINATED = "terminated"  # ended by either side (or by data customs)


class NegotiationParty(StrEnum):
    """The two sides of a negotiation."""

    CONSUMER = "consumer"  # 需方
    PROVIDER = "provider"  # 供方


class AuctionRule(StrEnum):
    """How a sealed-bid auction prices the winning bid."""

    FIRST_PRICE = "first_price"  # 一价密封: the winner pays its bid
    SECOND_PRICE = "second_price"  # 二价密封: the winner pays the next bid (or the reserve)


class AuctionStatus(StrEnum):
    """Where an auction stands."""

    OPEN = "open"  # 竞价中
    CLOSED = "closed"  # 已结束


class BidStatus(StrEnum):
    """Where a sealed bid stands."""

    SEALED = "sealed"  # 密封: funds held in escrow
    WON = "won"  # 中标
    LOST = "lost"  # 未中标: escrow refunded


class LicenceStatus(StrEnum):
    """The stored state of a licence; expiry is derived from the clock."""

    ACTIVE = "active"
    REVOKED = "revoked"


class CustomsStatus(StrEnum):
    """Where a data-customs case (数据海关) stands."""

    PENDING = "pending"  # 待监管决定
    CLEARED = "cleared"  # 放行
    REFUSED = "refused"  # 不予放行


class CustomsDecision(StrEnum):
    """How a customs case was decided."""

    AUTO_CLEARED = "auto_cleared"  # 一般数据且不含个人信息: passes
    AUTO_REFUSED = "auto_refused"  # 核心数据: never leaves
    APPROVED = "approved"  # a regulator approved it on the declared legal basis
    REJECTED = "rejected"  # a regulator rejected it


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


class BrokerLicence(Base):
    """A data broker's licence (数据经纪人执业资格) granted by one exchange."""

    __tablename__ = "trading_broker_licences"
    __table_args__ = (UniqueConstraint("broker_id", "exchange_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    broker_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"), index=True)
    status: Mapped[BrokerLicenceStatus] = mapped_column(String(16))
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Mandate(Base):
    """A client's mandate to a broker (授权委托): exchanges, actions, limit, commission, expiry."""

    __tablename__ = "trading_mandates"
    __table_args__ = (
        CheckConstraint(
            "spent_fen >= 0 AND spent_fen <= spending_limit_fen", name="spending_within_limit"
        ),
        CheckConstraint("commission_bp >= 0 AND commission_bp <= 10000", name="commission_rate"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    exchange_ids: Mapped[list[str]] = mapped_column(JSON)
    actions: Mapped[list[str]] = mapped_column(JSON)
    spending_limit_fen: Mapped[int] = mapped_column(BigInteger)
    # Committed spending: settled purchases plus funds held in escrow for open bids and orders.
    spent_fen: Mapped[int] = mapped_column(BigInteger)
    commission_bp: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[MandateStatus] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Listing(Base):
    """A listed data product (挂牌数据产品): a registered asset, its tiers and delivery package."""

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


class DeliveryPackage(Base):
    """The bytes a licensee downloads (交付包): its SHA-256 is the certificate's fingerprint."""

    __tablename__ = "trading_delivery_packages"

    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)


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


class Order(Base):
    """An order (订单): posted-price purchase, negotiated settlement or auction award."""

    __tablename__ = "trading_orders"
    __table_args__ = (
        Index("ix_trading_orders_buyer_id_created_at", "buyer_id", "created_at"),
        Index("ix_trading_orders_status_created_at", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mode: Mapped[TradeMode] = mapped_column(String(16))
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    rulebook_version: Mapped[int] = mapped_column(Integer)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    seller_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    placed_by: Mapped[str] = mapped_column(String(80))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    buyer_fee_fen: Mapped[int] = mapped_column(BigInteger)
    seller_fee_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    # Funds held in the exchange's escrow account for this order (0 when paid directly).
    escrow_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[OrderStatus] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)
    negotiation_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    auction_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    trade_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Trade(Base):
    """A settled trade (成交): who, what, where, at which price, under which rulebook version."""

    __tablename__ = "trading_trades"
    __table_args__ = (
        Index("ix_trading_trades_exchange_id_settled_at", "exchange_id", "settled_at"),
        Index("ix_trading_trades_settled_at", "settled_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("trading_orders.id"), unique=True)
    mode: Mapped[TradeMode] = mapped_column(String(16))
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"), index=True)
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    # Set only for exclusive tiers: the unique constraint is the last guard against a second sale.
    exclusive_tier_id: Mapped[str | None] = mapped_column(String(36), unique=True, nullable=True)
    asset_id: Mapped[str] = mapped_column(String(36))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    base_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rulebook_version: Mapped[int] = mapped_column(Integer)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    buyer_fee_fen: Mapped[int] = mapped_column(BigInteger)
    seller_fee_fen: Mapped[int] = mapped_column(BigInteger)
    commission_fen: Mapped[int] = mapped_column(BigInteger)
    product_form: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(16))
    personal_information: Mapped[bool] = mapped_column(Boolean)
    cross_border: Mapped[bool] = mapped_column(Boolean)
    journal_id: Mapped[str] = mapped_column(String(36))
    licence_id: Mapped[str] = mapped_column(String(36))
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Licence(Base):
    """A data licence (数据使用许可) a trade grants: scope and term, revocable by regulators."""

    __tablename__ = "trading_licences"
    __table_args__ = (
        Index("ix_trading_licences_licensee_id_starts_at", "licensee_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    trade_id: Mapped[str] = mapped_column(String(36), unique=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    licensee_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    licensor_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    scope: Mapped[str] = mapped_column(Text)
    exclusive: Mapped[bool] = mapped_column(Boolean)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[LicenceStatus] = mapped_column(String(16))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Negotiation(Base):
    """A contract negotiation (协议磋商) between a consumer and the listing's provider."""

    __tablename__ = "trading_negotiations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    consumer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    state: Mapped[NegotiationState] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    rounds: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    terminated_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    termination_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NegotiationMessage(Base):
    """One step of a negotiation: a request, offer, acceptance, agreement or termination."""

    __tablename__ = "trading_negotiation_messages"
    __table_args__ = (UniqueConstraint("negotiation_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    negotiation_id: Mapped[str] = mapped_column(ForeignKey("trading_negotiations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    party: Mapped[NegotiationParty] = mapped_column(String(16))
    sent_by: Mapped[str] = mapped_column(String(80))
    state: Mapped[NegotiationState] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Auction(Base):
    """A sealed-bid auction (密封竞价) of an exclusive licence tier on one exchange."""

    __tablename__ = "trading_auctions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"), index=True)
    tier_id: Mapped[str] = mapped_column(ForeignKey("trading_licence_tiers.id"))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    seller_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    rule: Mapped[AuctionRule] = mapped_column(String(16))
    reserve_fen: Mapped[int] = mapped_column(BigInteger)
    # The rulebook is fixed when the auction opens: every bidder knows the fee it escrows.
    rulebook_version: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[AuctionStatus] = mapped_column(String(16))
    winning_bid_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    clearing_price_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Bid(Base):
    """A sealed bid (密封出价); its amount plus the buyer fee waits in escrow until the close."""

    __tablename__ = "trading_bids"
    __table_args__ = (
        UniqueConstraint("auction_id", "bidder_id"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    auction_id: Mapped[str] = mapped_column(ForeignKey("trading_auctions.id"))
    bidder_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    broker_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), nullable=True)
    mandate_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    placed_by: Mapped[str] = mapped_column(String(80))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    escrow_fen: Mapped[int] = mapped_column(BigInteger)
    legal_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[BidStatus] = mapped_column(String(16))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomsCase(Base):
    """A data-customs case (数据海关): a cross-border buyer's order awaiting clearance."""

    __tablename__ = "trading_customs_cases"
    __table_args__ = (Index("ix_trading_customs_cases_status_created_at", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("trading_orders.id"), unique=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    listing_id: Mapped[str] = mapped_column(ForeignKey("trading_listings.id"))
    asset_id: Mapped[str] = mapped_column(String(36))
    exchange_id: Mapped[str] = mapped_column(ForeignKey("trading_exchanges.id"))
    grade: Mapped[str] = mapped_column(String(16))
    personal_information: Mapped[bool] = mapped_column(Boolean)
    legal_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[CustomsStatus] = mapped_column(String(16))
    decision: Mapped[CustomsDecision | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """A participant's Idempotency-Key and the first response given to it (幂等键)."""

    __tablename__ = "trading_idempotency_keys"
    # A record of requests, not market state: a replay that only tried to claim its key
    # changes nothing, and the request that ran commits with its own audit entries.
    __audit_exempt__ = True

    participant_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


TRADE_MODE_LABELS: dict[TradeMode, str] = {
    TradeMode.POSTED: "挂牌交易",
    TradeMode.NEGOTIATED: "协议交易",
    TradeMode.AUCTION: "竞价交易",
}
