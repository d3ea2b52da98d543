"""Races: an exclusive licence sells once, money and mandates never overdraw, retries and
closes apply once — on both databases, many requests at the same time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from support_trading import Market, money_invariants, tier

from exchange.trading.brokerage.models import Mandate
from exchange.trading.licences.models import Licence
from exchange.trading.orders import idempotency, repository, service
from exchange.trading.orders.models import Order, Trade
from exchange.vocabulary import Role
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
    cost = 10_230  # price, Shenzhen's 30 bp buyer fee and the client's 200 bp commission
    mandate = await m.mandate(m.buyer, limit_fen=5 * cost + 100)

    async def attempt() -> int:
        r = await m.order(m.broker, listing, mandate_id=mandate["id"])
        if r.status_code != 201:
            assert_problem(r, 409, "mandate-limit-exceeded")
        return r.status_code

    statuses = await asyncio.gather(*(attempt() for _ in range(20)))
    assert statuses.count(201) == 5
    async with m.runtime.sessionmaker() as session:
        spent = await session.scalar(select(Mandate.spent_fen).where(Mandate.id == mandate["id"]))
    assert spent == 5 * cost
    await money_invariants(m.runtime)


async def test_concurrent_retries_with_one_key_charge_once(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=10_000)])
    before = await m.balance(m.buyer)
    responses = await asyncio.gather(
        *(m.order(m.buyer, listing, key="retry-me") for _ in range(12))
    )
    # Every duplicate waits for the first and gets its result: the same order, charged once.
    assert [r.status_code for r in responses] == [201] * 12, [r.text for r in responses]
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies) and bodies[0]["status"] == "settled"
    assert [r.headers.get("idempotent-replayed") for r in responses].count(None) == 1
    final = await m.order(m.buyer, listing, key="retry-me")
    assert final.status_code == 201 and final.json() == bodies[0]
    assert await m.balance(m.buyer) == before - 10_030
    async with m.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 1
        assert await session.scalar(select(func.count()).select_from(Trade)) == 1
    await money_invariants(m.runtime)


def hold_purchases(monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """Make purchases stop inside the request until released: (entered, release) events."""
    entered, release = asyncio.Event(), asyncio.Event()
    place_order = service.place_order

    async def slow_place_order(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await release.wait()
        return await place_order(*args, **kwargs)

    monkeypatch.setattr(service, "place_order", slow_place_order)
    return entered, release


async def test_a_duplicate_waits_for_the_request_in_flight_and_replays_it(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=10_000)])
    before = await m.balance(m.buyer)
    entered, release = hold_purchases(monkeypatch)
    first = asyncio.create_task(m.order(m.buyer, listing, key="slow"))
    await asyncio.wait_for(entered.wait(), 10)
    entered.clear()
    second = asyncio.create_task(m.order(m.buyer, listing, key="slow"))
    await asyncio.sleep(0.3)  # the duplicate arrives while the first is still in flight
    assert not second.done() and not entered.is_set()
    release.set()
    a, b = await asyncio.gather(first, second)
    assert (a.status_code, b.status_code) == (201, 201), (a.text, b.text)
    assert a.json() == b.json() and b.headers["idempotent-replayed"] == "true"
    assert not entered.is_set()  # the duplicate never ran the purchase
    assert await m.balance(m.buyer) == before - 10_030
    await money_invariants(m.runtime)


async def test_a_duplicate_still_in_flight_after_the_bound_gets_409(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = market
    if m.runtime.engine.dialect.name == "sqlite":
        pytest.skip("SQLite serializes writers: a duplicate starts only once the first commits")
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=10_000)])
    before = await m.balance(m.buyer)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    entered, release = hold_purchases(monkeypatch)
    first = asyncio.create_task(m.order(m.buyer, listing, key="stuck"))
    await asyncio.wait_for(entered.wait(), 10)
    waited = assert_problem(
        await m.order(m.buyer, listing, key="stuck"), 409, "idempotency-key-in-use"
    )
    assert waited["waited_seconds"] == 0.3
    release.set()
    done = await first
    assert done.status_code == 201
    retry = await m.order(m.buyer, listing, key="stuck")
    assert retry.status_code == 201 and retry.json() == done.json()
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


async def test_a_duplicate_that_loses_the_claim_after_the_first_commits_replays(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The race's narrow window, made certain: the duplicate read the key before the first
    # request committed, then tries to claim it after the commit and inserts nothing.
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=10_000)])
    first = await m.order(m.buyer, listing, key="late")
    assert first.status_code == 201, first.text
    before = await m.balance(m.buyer)
    read = repository.get_idempotency_key
    misses = iter([True])

    async def read_too_early(*args: Any, **kwargs: Any) -> Any:
        return None if next(misses, False) else await read(*args, **kwargs)

    monkeypatch.setattr(repository, "get_idempotency_key", read_too_early)
    again = await m.order(m.buyer, listing, key="late")
    assert again.status_code == 201, again.text
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert await m.balance(m.buyer) == before
