"""Request and response models of trading."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from exchange.schemas import RequestModel, ResponseModel, StrictBool, StrictInt
from exchange.trading.models import (
    AuctionRule,
    AuctionStatus,
    BidStatus,
    BrokerLicenceStatus,
    CustomsDecision,
    CustomsStatus,
    ListingReview,
    MandateAction,
    NegotiationParty,
    NegotiationState,
    OrderStatus,
    VenueStatus,
)
from exchange.vocabulary import DeliveryKind, LegalBasis, TradeMode

MAX_AMOUNT_FEN = 10**15

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Note = Annotated[str, StringConstraints(max_length=1000)]
AmountFen = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_FEN, description="Amount in fen (分)")]
BasisPoints = Annotated[
    StrictInt, Field(ge=0, le=10_000, description="Rate in basis points (1 bp = 0.01%)")
]
BuyerKind = Literal["enterprise", "individual", "department"]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time zone is required (e.g. 2026-12-01T00:00:00Z)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


# --- exchanges -----------------------------------------------------------------------------


class RulebookChange(RequestModel):
    """A new rulebook version: the clauses given replace the current ones (交易规则修订)."""

    buyer_fee_bp: BasisPoints | None = None
    seller_fee_bp: BasisPoints | None = None
    max_commission_bp: BasisPoints | None = None
    broker_required_for: list[BuyerKind] | None = Field(default=None, max_length=3)
    trade_modes: list[TradeMode] | None = Field(default=None, max_length=3)
    listing_review: ListingReview | None = None
    min_price_fen: AmountFen | None = None
    max_price_fen: AmountFen | None = None
    note: Reason

    @model_validator(mode="after")
    def _no_duplicates(self) -> RulebookChange:
        for values in (self.broker_required_for, self.trade_modes):
            if values is not None and len(set(values)) != len(values):
                raise ValueError("list entries must be unique")
        return self


class RulebookRead(ResponseModel):
    """One version of an exchange's rulebook."""

    exchange_id: str
    version: int
    buyer_fee_bp: int
    seller_fee_bp: int
    max_commission_bp: int
    broker_required_for: list[str]
    trade_modes: list[str]
    listing_review: ListingReview
    min_price_fen: int
    max_price_fen: int
    note: str
    changed_by: str
    created_at: datetime


class ServiceBaseRead(ResponseModel):
    """A service base (服务基地) that takes listings for its exchange."""

    id: str
    exchange_id: str
    name: str
    name_en: str
    city: str


class ExchangeRead(ResponseModel):
    """An exchange, its current rulebook and its bases."""

    id: str
    name: str
    name_en: str
    city: str
    fee_account_id: str
    escrow_account_id: str
    rulebook: RulebookRead
    bases: list[ServiceBaseRead]


class OperatorBind(RequestModel):
    """Bind an exchange operator to this exchange (admins)."""

    participant_id: Id


class OperatorRead(ResponseModel):
    """An operator's binding to its exchange."""

    participant_id: str
    exchange_id: str
    bound_by: str
    bound_at: datetime


# --- brokers and mandates ------------------------------------------------------------------


class BrokerLicenceCreate(RequestModel):
    """License a data broker (数据经纪人) on the operator's exchange."""

    broker_id: Id
    exchange_id: Id


class ReasonBody(RequestModel):
    """A reason, recorded with the change."""

    reason: Reason


class BrokerLicenceRead(ResponseModel):
    """A broker's licence from one exchange."""

    id: str
    broker_id: str
    exchange_id: str
    status: BrokerLicenceStatus
    issued_by: str
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None


class MandateCreate(RequestModel):
    """A mandate (授权委托) from the calling client to a licensed broker."""

    broker_id: Id
    exchange_ids: list[Id] = Field(min_length=1, max_length=4)
    actions: list[MandateAction] = Field(min_length=1, max_length=3)
    spending_limit_fen: AmountFen
    commission_bp: BasisPoints
    expires_at: AwareDatetime


class MandateRead(ResponseModel):
    """A mandate; `state` is active, expired or revoked by the clock."""

    id: str
    client_id: str
    broker_id: str
    exchange_ids: list[str]
    actions: list[str]
    spending_limit_fen: int
    spent_fen: int
    remaining_fen: int
    commission_bp: int
    expires_at: datetime
    state: Literal["active", "expired", "revoked"]
    created_at: datetime
    revoked_at: datetime | None


class MandatePage(ResponseModel):
    """A page of mandates."""

    items: list[MandateRead]
    total: int


# --- listings ------------------------------------------------------------------------------


class TierCreate(RequestModel):
    """A licence tier (许可版本): scope, term, price, exclusivity."""

    name: ShortName
    scope: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    term_days: Annotated[StrictInt, Field(ge=1, le=3650)]
    price_fen: AmountFen
    exclusive: StrictBool = False


class DeliveryCreate(RequestModel):
    """The delivery package: a file (base64) or an API description (text); its SHA-256 must
    equal the fingerprint on the asset's certificate."""

    kind: DeliveryKind
    filename: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    media_type: Annotated[str, StringConstraints(min_length=3, max_length=100)] = (
        "application/octet-stream"
    )
    content_base64: str | None = None
    api_description: str | None = None

    @model_validator(mode="after")
    def _one_body(self) -> DeliveryCreate:
        if self.kind is DeliveryKind.FILE:
            if self.content_base64 is None or self.api_description is not None:
                raise ValueError("a file delivery carries content_base64 (and no api_description)")
            self.body_bytes()
        elif self.api_description is None or self.content_base64 is not None:
            raise ValueError("an API delivery carries api_description (and no content_base64)")
        return self

    def body_bytes(self) -> bytes:
        """The package's bytes."""
        if self.kind is DeliveryKind.API:
            assert self.api_description is not None
            return self.api_description.encode()
        assert self.content_base64 is not None
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("content_base64 is not valid base64") from None


class ListingCreate(RequestModel):
    """List a registered asset on exchanges (by id) or through a service base (by id)."""

    asset_id: Id
    title: Name
    description: Text = ""
    venues: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=4, examples=[["gzde", "szdex"], ["gzde-foshan"]]
    )
    tiers: list[TierCreate] = Field(min_length=1, max_length=10)
    delivery: DeliveryCreate


class ListingReviewCreate(RequestModel):
    """An operator's listing review (上架审核)."""

    approve: StrictBool
    reason: Note = ""


class ListingMove(RequestModel):
    """Suspend, resume or delist on one exchange (or, for the holder, on all)."""

    exchange_id: Id | None = None
    reason: Note = ""


class TierRead(ResponseModel):
    """A licence tier and whether it can be bought now."""

    id: str
    name: str
    scope: str
    term_days: int
    price_fen: int
    exclusive: bool
    available: bool


class VenueRead(ResponseModel):
    """A listing's state on one exchange."""

    exchange_id: str
    base_id: str | None
    status: VenueStatus
    reason: str
    updated_at: datetime


class DeliveryRead(ResponseModel):
    """What the delivery package is; `sha256` equals the certificate's fingerprint."""

    kind: DeliveryKind
    filename: str
    media_type: str
    size: int
    sha256: str


class ListingRead(ResponseModel):
    """A listed data product."""

    id: str
    asset_id: str
    holder_id: str
    certificate_number: str
    title: str
    description: str
    product_form: str
    product_form_label: str
    grade: str
    grade_label: str
    personal_information: bool
    delivery: DeliveryRead
    venues: list[VenueRead]
    tiers: list[TierRead]
    created_at: datetime


class ListingPage(ResponseModel):
    """A page of listings."""

    items: list[ListingRead]
    total: int


# --- orders, trades, licences, customs -----------------------------------------------------


class OrderCreate(RequestModel):
    """Buy a tier at its posted price (挂牌交易); a broker names its client's mandate."""

    listing_id: Id
    tier_id: Id
    exchange_id: Id
    mandate_id: Id | None = None
    legal_basis: LegalBasis | None = Field(
        default=None,
        description="Buyers outside mainland China: the legal basis for the data export.",
    )


class TradeRead(ResponseModel):
    """A settled trade (成交)."""

    id: str
    order_id: str
    mode: TradeMode
    listing_id: str
    tier_id: str
    asset_id: str
    exchange_id: str
    base_id: str | None
    rulebook_version: int
    buyer_id: str
    seller_id: str
    broker_id: str | None
    mandate_id: str | None
    price_fen: int
    buyer_fee_fen: int
    seller_fee_fen: int
    commission_fen: int
    product_form: str
    grade: str
    personal_information: bool
    cross_border: bool
    journal_id: str
    licence_id: str
    settled_at: datetime


class TradePage(ResponseModel):
    """A page of trades."""

    items: list[TradeRead]
    total: int


class LicenceRead(ResponseModel):
    """A licence; `state` is active, expired or revoked by the clock."""

    id: str
    trade_id: str
    listing_id: str
    tier_id: str
    licensee_id: str
    licensor_id: str
    scope: str
    exclusive: bool
    starts_at: datetime
    expires_at: datetime
    state: Literal["active", "expired", "revoked"]
    revoked_at: datetime | None
    revocation_reason: str | None


class LicencePage(ResponseModel):
    """A page of licences."""

    items: list[LicenceRead]
    total: int


class CustomsCaseRead(ResponseModel):
    """A data-customs case (数据海关) and its decision."""

    id: str
    order_id: str
    buyer_id: str
    jurisdiction: str
    listing_id: str
    asset_id: str
    exchange_id: str
    grade: str
    personal_information: bool
    legal_basis: str | None
    status: CustomsStatus
    decision: CustomsDecision | None
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class CustomsCasePage(ResponseModel):
    """A page of customs cases."""

    items: list[CustomsCaseRead]
    total: int


class CustomsDecisionCreate(RequestModel):
    """A regulator's decision on a pending case."""

    decision: Literal["approve", "reject"]
    reason: Reason


class OrderRead(ResponseModel):
    """An order and what it led to: a trade and licence, a customs case, or a refusal."""

    id: str
    mode: TradeMode
    status: OrderStatus
    reason: str
    listing_id: str
    tier_id: str
    exchange_id: str
    rulebook_version: int
    buyer_id: str
    seller_id: str
    broker_id: str | None
    mandate_id: str | None
    placed_by: str
    price_fen: int
    buyer_fee_fen: int
    seller_fee_fen: int
    commission_fen: int
    total_fen: int
    escrow_fen: int
    legal_basis: str | None
    negotiation_id: str | None
    auction_id: str | None
    created_at: datetime
    trade: TradeRead | None
    licence: LicenceRead | None
    customs_case: CustomsCaseRead | None


class OrderPage(ResponseModel):
    """A page of orders."""

    items: list[OrderRead]
    total: int


# --- negotiations --------------------------------------------------------------------------


class NegotiationCreate(RequestModel):
    """Request a licence at a proposed price (协议交易: contract request)."""

    listing_id: Id
    tier_id: Id
    exchange_id: Id
    price_fen: AmountFen
    message: Text = ""
    mandate_id: Id | None = None


class NegotiationStep(RequestModel):
    """A counter-request or offer (with a price), or an accept/agree/terminate (without)."""

    price_fen: AmountFen | None = None
    message: Text = ""


class NegotiationTerminate(RequestModel):
    """End a negotiation, with the reason."""

    reason: Reason


class NegotiationSettle(RequestModel):
    """Settle an agreed negotiation at the agreed price."""

    legal_basis: LegalBasis | None = None


class NegotiationMessageRead(ResponseModel):
    """One step of a negotiation."""

    seq: int
    party: NegotiationParty
    sent_by: str
    state: NegotiationState
    price_fen: int
    message: str
    created_at: datetime


class NegotiationRead(ResponseModel):
    """A negotiation and its steps."""

    id: str
    listing_id: str
    tier_id: str
    exchange_id: str
    consumer_id: str
    provider_id: str
    broker_id: str | None
    mandate_id: str | None
    state: NegotiationState
    price_fen: int
    order_id: str | None
    terminated_by: str | None
    termination_reason: str | None
    created_at: datetime
    updated_at: datetime
    messages: list[NegotiationMessageRead]


class NegotiationPage(ResponseModel):
    """A page of negotiations (without their steps)."""

    items: list[NegotiationRead]
    total: int


# --- auctions ------------------------------------------------------------------------------


class AuctionCreate(RequestModel):
    """Auction an exclusive tier by sealed bids until `closes_at`."""

    listing_id: Id
    tier_id: Id
    exchange_id: Id
    rule: AuctionRule
    reserve_fen: AmountFen
    closes_at: AwareDatetime


class BidCreate(RequestModel):
    """A sealed bid; the amount plus the buyer fee is held in escrow until the close."""

    amount_fen: AmountFen
    mandate_id: Id | None = None
    legal_basis: LegalBasis | None = None


class BidRead(ResponseModel):
    """A sealed bid (shown to its bidder; to all concerned after the close)."""

    id: str
    auction_id: str
    bidder_id: str
    broker_id: str | None
    mandate_id: str | None
    amount_fen: int
    escrow_fen: int
    status: BidStatus
    placed_at: datetime


class AuctionRead(ResponseModel):
    """An auction, the bids the caller may see, and the order it led to."""

    id: str
    listing_id: str
    tier_id: str
    exchange_id: str
    seller_id: str
    rule: AuctionRule
    reserve_fen: int
    rulebook_version: int
    closes_at: datetime
    status: AuctionStatus
    bid_count: int
    winning_bid_id: str | None
    clearing_price_fen: int | None
    order_id: str | None
    created_at: datetime
    closed_at: datetime | None
    bids: list[BidRead]
    order: OrderRead | None


class AuctionPage(ResponseModel):
    """A page of auctions."""

    items: list[AuctionRead]
    total: int


# --- market data ---------------------------------------------------------------------------


class BreakdownRead(ResponseModel):
    """Trades and turnover of one slice (a product form, grade or trade mode)."""

    key: str
    label: str
    trades: int
    turnover_fen: int
    share: float = Field(description="Share of this exchange's turnover, 0..1")


class MarketSliceRead(ResponseModel):
    """Statistics of one exchange, or of the whole market (`exchange_id` "all")."""

    exchange_id: str
    trades: int
    turnover_fen: int
    turnover_share: float = Field(description="Share of the whole market's turnover, 0..1")
    buyers: int
    sellers: int
    fees_fen: int
    broker_commission_fen: int
    brokered_trades: int
    cross_border_trades: int
    by_product_form: list[BreakdownRead]
    by_grade: list[BreakdownRead]
    by_mode: list[BreakdownRead]


class IndexPointRead(ResponseModel):
    """One day of a price index (base 100)."""

    day: date
    product_form: str
    trades: int
    turnover_fen: int
    average_price_fen: float
    index: float


class MarketStatsRead(ResponseModel):
    """Market data: overall and per exchange, and price indices by day (UTC)."""

    overall: MarketSliceRead
    exchanges: list[MarketSliceRead]
    price_index: list[IndexPointRead] = Field(
        description="Whole market: chained, mix-adjusted daily index, base 100 on the first day"
    )
    product_form_indices: list[IndexPointRead] = Field(
        description="Per product form: average price relative to the form's first trading day"
    )
    index_method: str
