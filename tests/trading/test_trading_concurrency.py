"""Races: an exclusive licence sells once, money and mandates never overdraw, retries and
closes apply once — on both databases, many requests at the same time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from support_trading import Market, money_invariants, tier

from exchange.participants.models import Role
from exchange.trading.models import Licence, Mandate, Trade
from support import MakeParticipant, assert_problem


async def test_hundred_buyers_of_one_exclusive_licence_make_exactly_one_trade(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    listing = await m.list(
        "traffic", ["gzde", "szdex"], [tier("独家版", price_fen=300_000, exclusive=True)]
    )
    buyers = [
        await make_participant(Role.ENTERPRISE, name=f"买方{i:03d}", balance_fen=400_000)
        for i in range(100)
    ]

    async def attempt(i: int) -> int:
        # Half on each exchange: the exclusive tier is one licence wherever it is listed.
        r = await m.order(buyers[i], listing, exchange_id="gzde" if i % 2 else "szdex")
        if r.status_code != 201:
            assert_problem(r, 409, "licence-unavailable")
        return r.status_code

    statuses = await asyncio.gather(*(attempt(i) for i in range(100)))
    assert statuses.count(201) == 1 and statuses.count(409) == 99
    async with m.runtime.sessionmaker() as session:
        tier_id = listing["tiers"][0]["id"]
        assert await session.scalar(select(func.count()).where(Trade.tier_id == tier_id)) == 1
        assert await session.scalar(select(func.count()).select_from(Licence)) == 1
    balances = [await m.balance(b) for b in buyers]
    assert sorted(balances)[1:] == [400_000] * 99
    await money_invariants(m.runtime)


async def test_concurrent_purchases_never_overdraw(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=10_000)])
    cost = 10_030  # price plus Shenzhen's 30 bp buyer fee
    spender = await make_participant(Role.ENTERPRISE, balance_fen=7 * cost + 5)

    async def attempt() -> int:
        r = await m.order(spender, listing)
        if r.status_code != 201:
            assert_problem(r, 409, "insufficient-funds")
        return r.status_code

    statuses = await asyncio.gather(*(attempt() for _ in range(25)))
    assert statuses.count(201) == 7
    assert await m.balance(spender) == 5
    await money_invariants(m.runtime)


async def test_concurrent_broker_orders_never_exceed_the_mandate(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=10_000)])
    mandate = await m.mandate(m.buyer, limit_fen=5 * 10_030 + 100)

    async def attempt() -> int:
        r = await m.order(m.broker, listing, mandate_id=mandate["id"])
        if r.status_code != 201:
            assert_problem(r, 409, "mandate-limit-exceeded")
        return r.status_code

    statuses = await asyncio.gather(*(attempt() for _ in range(20)))
    assert statuses.count(201) == 5
    async with m.runtime.sessionmaker() as session:
        spent = await session.scalar(select(Mandate.spent_fen).where(Mandate.id == mandate["id"]))
    assert spent == 5 * 10_030
    await money_invariants(m.runtime)


async def test_concurrent_retries_with_one_key_charge_once(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=10_000)])
    before = await m.balance(m.buyer)
    responses = await asyncio.gather(
        *(m.order(m.buyer, listing, key="retry-me") for _ in range(12))
    )
    created = [r for r in responses if r.status_code == 201]
    for r in responses:
        if r.status_code != 201:
            assert_problem(r, 409, "idempotency-key-in-use")
    assert created and len({r.json()["id"] for r in created}) == 1
    final = await m.order(m.buyer, listing, key="retry-me")
    assert final.status_code == 201 and final.json() == created[0].json()
    assert await m.balance(m.buyer) == before - 10_030
    await money_invariants(m.runtime)


async def test_concurrent_closes_settle_an_auction_once(market: Market) -> None:
    m = market
    listing = await m.list("traffic", ["szdex"], [tier(price_fen=50_000, exclusive=True)])
    auction = await m.open_auction(listing, duration=timedelta(minutes=30))
    bids = f"/v1/auctions/{auction['id']}/bids"
    for who, amount in ((m.buyer, 70_000), (m.rival, 70_000), (m.hk_buyer, 60_000)):
        await m.ok(m.post(bids, who, {"amount_fen": amount}), 201)
        m.clock.advance(timedelta(minutes=1))
    m.clock.advance(timedelta(minutes=30))
    closers = [m.buyer, m.rival, m.hk_buyer, m.seller, m.sz_operator] * 2
    responses = await asyncio.gather(
        *(m.post(f"/v1/auctions/{auction['id']}/close", who) for who in closers)
    )
    assert [r.status_code for r in responses].count(200) == 1
    for r in responses:
        if r.status_code != 200:
            assert_problem(r, 409, "auction-closed")
    closed = next(r.json() for r in responses if r.status_code == 200)
    # A tie at 70,000 fen: the earlier bid (the buyer's) wins.
    assert closed["order"]["buyer_id"] == m.buyer.id
    assert await m.account_balance("escrow-szdex") == 0
    await money_invariants(m.runtime)
