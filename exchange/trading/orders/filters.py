"""Pure: the filters trades and orders share (any field left None filters nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TradeFilter:
    """Filters on trades (and orders): any field left None is not filtered."""

    exchange_id: str | None = None
    mode: str | None = None
    buyer_id: str | None = None
    seller_id: str | None = None
    broker_id: str | None = None
    listing_id: str | None = None
    party_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
