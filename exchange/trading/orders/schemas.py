"""Request and response models of posted-price orders (挂牌交易) and the trades they settle, and the
builders of the responses."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from exchange.context import Context
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.trading.customs.schemas import CustomsCaseRead, customs_read
from exchange.trading.fields import Id
from exchange.trading.licences.schemas import LicenceRead, licence_read
from exchange.trading.orders.models import Trade
from exchange.trading.orders.settlement import Placed, order_split
from exchange.vocabulary import LegalBasis, OrderStatus, TradeMode


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


class TradePage(Page[TradeRead]):
    """A page of trades."""


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
    total_fen: int = Field(
        description="What the buyer pays in all: price, buyer fee and, when its broker placed "
        "the order, the broker's commission (the mandating client pays it)."
    )
    escrow_fen: int
    legal_basis: str | None
    negotiation_id: str | None
    auction_id: str | None
    created_at: datetime
    trade: TradeRead | None
    licence: LicenceRead | None
    customs_case: CustomsCaseRead | None


class OrderPage(Page[OrderRead]):
    """A page of orders."""


def trade_read(trade: Trade) -> TradeRead:
    return TradeRead.model_validate(trade)


def order_read(ctx: Context, placed: Placed) -> OrderRead:
    o = placed.order
    return OrderRead(
        id=o.id,
        mode=o.mode,
        status=o.status,
        reason=o.reason,
        listing_id=o.listing_id,
        tier_id=o.tier_id,
        exchange_id=o.exchange_id,
        rulebook_version=o.rulebook_version,
        buyer_id=o.buyer_id,
        seller_id=o.seller_id,
        broker_id=o.broker_id,
        mandate_id=o.mandate_id,
        placed_by=o.placed_by,
        price_fen=o.price_fen,
        buyer_fee_fen=o.buyer_fee_fen,
        seller_fee_fen=o.seller_fee_fen,
        commission_fen=o.commission_fen,
        total_fen=order_split(o).buyer_pays_fen,
        escrow_fen=o.escrow_fen,
        legal_basis=o.legal_basis,
        negotiation_id=o.negotiation_id,
        auction_id=o.auction_id,
        created_at=o.created_at,
        trade=trade_read(placed.trade) if placed.trade else None,
        licence=licence_read(ctx, placed.licence) if placed.licence else None,
        customs_case=customs_read(placed.customs_case) if placed.customs_case else None,
    )
