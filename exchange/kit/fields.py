"""Field types every domain's requests share: amounts of money and times on the market clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from exchange.middleware import MAX_SAFE_INTEGER
from exchange.schemas import StrictInt

MAX_AMOUNT_FEN = 10**15
"""The largest amount one request moves: ten trillion yuan, far above any sandbox movement."""
MAX_BALANCE_FEN = MAX_SAFE_INTEGER
"""The largest balance an account may hold: 2^53-1 fen, what every JSON client reads exactly."""

AmountFen = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_FEN, description="Amount in fen (分)")]
"""A positive amount of money in fen (分), at most 10^15."""

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def _market_time(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a time zone is required (e.g. 2026-12-01T00:00:00Z)")
    # Compared before converting: a far-off time with an offset may not exist in UTC at all.
    if not EARLIEST <= value <= LATEST:
        raise ValueError("times are limited to 2000-01-01 .. 2999-12-31 (UTC)")
    return value.astimezone(UTC)


MarketDateTime = Annotated[datetime, AfterValidator(_market_time)]
"""A time a request carries: aware, within 2000-01-01 .. 2999-12-31 UTC, returned in UTC."""
