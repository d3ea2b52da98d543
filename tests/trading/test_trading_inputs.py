"""Times a trading request carries stay on the market's calendar: past it a 422, never a 500.

`9999-12-31T23:59:59.999999-23:59` in a mandate's `expires_at` answered 500: the time parses,
but it has no UTC form to store.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from support_trading import Market, refused_unchanged, tier

FAR_FUTURE = "9999-12-31T23:59:59.999999-23:59"
OFF_CALENDAR = [FAR_FUTURE, "3000-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2026-12-01T00:00:00"]


def mandate_body(m: Market, expires_at: str) -> dict[str, object]:
    return {
        "broker_id": m.broker.id,
        "exchange_ids": ["szdex"],
        "actions": ["buy"],
        "spending_limit_fen": 100_000,
        "commission_bp": 100,
        "expires_at": expires_at,
    }


@pytest.mark.parametrize("when", OFF_CALENDAR)
async def test_a_mandate_expiring_off_the_calendar_is_refused_with_422(
    market: Market, when: str
) -> None:
    m = market
    body = await refused_unchanged(
        m.runtime, lambda: m.post("/v1/mandates", m.buyer, mandate_body(m, when)), 422
    )
    assert body["errors"][0]["loc"] == ["body", "expires_at"]
    # A mandate on the calendar, in any time zone, is granted and stored in UTC.
    when = (m.clock.now() + timedelta(days=30)).astimezone().isoformat()
    mandate = await m.ok(m.post("/v1/mandates", m.buyer, mandate_body(m, when)), 201)
    assert mandate["expires_at"].endswith("Z") or mandate["expires_at"].endswith("+00:00")


async def test_an_auction_closing_off_the_calendar_is_refused_with_422(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=100_000, exclusive=True)])
    body = m.auction_body(listing)
    body["closes_at"] = FAR_FUTURE
    problem = await refused_unchanged(
        m.runtime, lambda: m.post("/v1/auctions", m.seller, body), 422, "invalid-request"
    )
    assert problem["errors"][0]["loc"] == ["body", "closes_at"]
