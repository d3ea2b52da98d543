"""Response models of the revenue shares paid under an agreement."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from exchange.kit.paging import Page
from exchange.schemas import ResponseModel


class RevenueShareRead(ResponseModel):
    """A department's share of one trade, paid in the trade's settlement journal."""

    id: str
    agreement_id: str
    department_id: str
    participant_id: str
    trade_id: str
    asset_id: str
    amount_fen: int
    journal_id: str
    paid_at: datetime


class RevenuePage(Page[RevenueShareRead]):
    """A page of the shares paid under an agreement, and their sum."""

    paid_fen: int = Field(description="All revenue shares paid under the agreement, in fen")
