"""Request and response models of valuations (价值评估)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from exchange.assets.fields import MAX_AMOUNT_FEN
from exchange.assets.valuation.methods import ValuationMethod
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictInt

MAX_INCOME_PER_PERIOD_FEN = 10**14  # so that fifty periods still sum below 2^53


CostFen = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_FEN, description="Cost in fen (分)")]


IncomeFen = Annotated[StrictInt, Field(ge=0, le=MAX_INCOME_PER_PERIOD_FEN)]


class CostValuationCreate(RequestModel):
    """Cost method (成本法): acquisition + processing + maintenance."""

    method: Literal["cost"]
    acquisition_fen: CostFen
    processing_fen: CostFen
    maintenance_fen: CostFen


class IncomeValuationCreate(RequestModel):
    """Income method (收益法): expected income per period, discounted at a rate."""

    method: Literal["income"]
    expected_income_fen: Annotated[list[IncomeFen], Field(min_length=1, max_length=50)]
    discount_rate_bp: Annotated[
        StrictInt, Field(ge=0, le=100_000, description="Discount rate per period, basis points")
    ]


class MarketValuationCreate(RequestModel):
    """Market method (市场法): comparable trades on the exchanges, found by the registry."""

    method: Literal["market"]


ValuationCreate = Annotated[
    CostValuationCreate | IncomeValuationCreate | MarketValuationCreate,
    Field(discriminator="method"),
]


class ValuationRead(ResponseModel):
    """A stored valuation report."""

    id: str
    asset_id: str
    method: ValuationMethod
    value_fen: int | None
    conclusion: str
    inputs: dict[str, Any]
    details: dict[str, Any]
    valued_by: str
    created_at: datetime


class ValuationPage(Page[ValuationRead]):
    """A page of valuation reports."""
