"""Deadlines of trading pass with the market clock: auctions close and licences and mandates
expire by themselves, each effect audited, once."""

from __future__ import annotations

from typing import Any

from support_trading import Market, audit_actions, tier

from support import assert_problem


async def advance(m: Market, **body: Any) -> dict[str, Any]:
    moved: dict[str, Any] = await m.ok(m.post("/v1/clock/advance", m.admin, body))
    due: dict[str, Any] = moved["due_work"]
    assert due["failures"] == []
    return due


async def reconciles(m: Market) -> None:
    """What the runner did is in the log: replaying it rebuilds the live tables."""
    report = await m.ok(m.get("/v1/audit/reconcile", m.regulator))
    assert report["ok"] is True, report["differences"][:3]


async def test_an_auction_past_its_deadline_closes_by_itself(market: Market) -> None:
    m = market
    traffic = await m.list(
        "traffic", ["szdex"], [tier("独家版", price_fen=1_000_000, exclusive=True, term_days=180)]
    )
    auction = await m.open_auction(traffic, rule="second_price", reserve_fen=800_000)
    bid = await m.ok(
        m.post(f"/v1/auctions/{auction['id']}/bids", m.buyer, {"amount_fen": 1_500_000}), 201
    )
    await m.ok(
        m.post(f"/v1/auctions/{auction['id']}/bids", m.rival, {"amount_fen": 1_200_000}), 201
    )
    assert (await advance(m, by="PT1H"))["auctions_closed"] == []  # closes in two hours
    due = await advance(m, by="PT1H")
    assert due["auctions_closed"] == [auction["id"]]
    closed = await m.ok(m.get(f"/v1/auctions/{auction['id']}", m.seller))
    assert closed["status"] == "closed" and closed["winning_bid_id"] == bid["id"]
    assert closed["clearing_price_fen"] == 1_200_000
    assert await m.account_balance("escrow-szdex") == 0
    assert_problem(
        await m.post(f"/v1/auctions/{auction['id']}/close", m.rival), 409, "auction-closed"
    )
    assert (await advance(m, by="PT1H"))["auctions_closed"] == []


async def test_a_licence_past_its_term_expires_by_itself(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier("短期版", term_days=30), tier("年度版")])
    short = await m.buy(m.buyer, listing)
    year = await m.buy(m.buyer, listing, tier_index=1)
    due = await advance(m, by="P30D")
    assert due["licences_expired"] == [short["licence"]["id"]]
    licence = await m.ok(m.get(f"/v1/licences/{short['licence']['id']}", m.buyer))
    assert licence["state"] == "expired"
    assert_problem(
        await m.client.get(f"/v1/licences/{short['licence']['id']}/delivery", headers=m.buyer.auth),
        409,
        "licence-not-live",
    )
    still = await m.ok(m.get(f"/v1/licences/{year['licence']['id']}", m.buyer))
    assert still["state"] == "active"
    assert (await advance(m, by="P1D"))["licences_expired"] == []
    assert (await audit_actions(m.runtime)).count("trading.licence_expired") == 1
    await reconciles(m)


async def test_a_mandate_past_its_expiry_expires_by_itself(market: Market) -> None:
    m = market
    mandate = await m.mandate(m.buyer, days=1)
    due = await advance(m, by="P1D")
    assert due["mandates_expired"] == [mandate["id"]]
    seen = await m.ok(m.get(f"/v1/mandates/{mandate['id']}", m.buyer))
    assert seen["state"] == "expired"
    listing = await m.list("electricity", ["szdex"])
    assert_problem(
        await m.order(m.broker, listing, mandate_id=mandate["id"]), 409, "mandate-expired"
    )
    assert (await audit_actions(m.runtime)).count("trading.mandate_expired") == 1
    await reconciles(m)
