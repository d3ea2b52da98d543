"""Request and response models of exchanges (数据交易所), rulebooks (交易规则),
bases and operators, and the builders of the responses."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel
from exchange.trading.fields import AmountFen, BasisPoints, BuyerKind, Id, Reason
from exchange.trading.venues import service
from exchange.trading.venues.models import ListingReview, Rulebook
from exchange.vocabulary import TradeMode


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


def rulebook_read(book: Rulebook) -> RulebookRead:
    return RulebookRead.model_validate(book)


def exchange_read(view: service.ExchangeView) -> ExchangeRead:
    e = view.exchange
    return ExchangeRead(
        id=e.id,
        name=e.name,
        name_en=e.name_en,
        city=e.city,
        fee_account_id=e.fee_account_id,
        escrow_account_id=e.escrow_account_id,
        rulebook=rulebook_read(view.rulebook),
        bases=[ServiceBaseRead.model_validate(b) for b in view.bases],
    )


class ExchangePage(Page[ExchangeRead]):
    """A page of exchanges."""


class RulebookPage(Page[RulebookRead]):
    """A page of rulebook versions."""
