"""Exclusivity per asset and scope across listings and tiers, and one listing of an asset per
exchange: refusals with their own problem types, and exactly one winner of a race."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from support_trading import Market, audit_size, money_invariants, tier

from exchange.trading.licences.models import Licence
from exchange.trading.listings.models import Listing
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem

SCOPE = "内部风控模型训练，不得转售"


async def test_an_asset_is_listed_at_most_once_per_exchange(market: Market) -> None:
    m = market
    first = await m.list("electricity", ["szdex"])
    before = await audit_size(m.runtime)
    again = m.listing_body("electricity", ["szdex"], [tier(price_fen=200_000)])
    problem = assert_problem(await m.post("/v1/listings", m.seller, again), 409)
    assert problem["type"] == "/problems/asset-already-listed"
    assert problem["listings"] == [{"exchange_id": "szdex", "listing_id": first["id"]}]
    # Naming both exchanges is refused as a whole: nothing is listed on Guangzhou either.
    both = m.listing_body("electricity", ["gzde", "szdex"])
    assert_problem(await m.post("/v1/listings", m.seller, both), 409, "asset-already-listed")
    assert await audit_size(m.runtime) == before
    async with m.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Listing)) == 1
    # Another exchange may list it; once delisted, the first exchange may list it again.
    await m.list("electricity", ["gzde"])
    assert_problem(
        await m.post("/v1/listings", m.seller, m.listing_body("electricity", ["gzde"])),
        409,
        "asset-already-listed",
    )
    await m.ok(m.post(f"/v1/listings/{first['id']}/delist", m.seller, {}))
    relisted = await m.list("electricity", ["szdex"], [tier(price_fen=200_000)])
    assert relisted["tiers"][0]["price_fen"] == 200_000


async def test_one_live_exclusive_licence_per_asset_and_scope_across_listings_and_tiers(
    market: Market,
) -> None:
    m = market
    on_sz = await m.list(
        "electricity", ["szdex"], [tier("独家版", exclusive=True, term_days=30, scope=SCOPE)]
    )
    on_gz = await m.list(
        "electricity",
        ["gzde"],
        [
            tier("独家版", exclusive=True, scope=SCOPE),
            tier("标准版", scope=SCOPE),
            tier("科研独家版", exclusive=True, scope="高校科研，不得商用"),
        ],
    )
    won = await m.buy(m.buyer, on_sz)
    assert won["licence"]["exclusive"] is True
    # The same asset and scope through another listing and exchange: exclusive or not, refused.
    second = assert_problem(await m.order(m.rival, on_gz, exchange_id="gzde"), 409)
    assert second["type"] == "/problems/licence-unavailable"
    assert won["licence"]["id"] in second["detail"]
    assert_problem(
        await m.order(m.rival, on_gz, exchange_id="gzde", tier_index=1),
        409,
        "exclusive-licence-in-force",
    )
    # An auction of that scope could not settle either: it does not open.
    opened = await m.post("/v1/auctions", m.seller, m.auction_body(on_gz, exchange_id="gzde"))
    assert_problem(opened, 409, "licence-unavailable")
    # Another scope of the same asset is another exclusive licence.
    other = await m.buy(m.rival, on_gz, exchange_id="gzde", tier_index=2)
    assert other["licence"]["scope"] == "高校科研，不得商用"
    # Once the first licence has run its term, the scope is free again.
    m.clock.advance(timedelta(days=31))
    again = await m.buy(m.rival, on_gz, exchange_id="gzde")
    assert again["licence"]["exclusive"] is True
    async with m.runtime.sessionmaker() as session:
        rows = await session.execute(
            select(Licence.licensee_id, Licence.scope).order_by(Licence.starts_at)
        )
        # The first two began at the same instant: compare them in any order.
        assert sorted(tuple(r) for r in rows.all()) == sorted(
            [
                (m.buyer.id, SCOPE),
                (m.rival.id, "高校科研，不得商用"),
                (m.rival.id, SCOPE),
            ]
        )
    await money_invariants(m.runtime)


async def test_an_exclusive_tier_held_for_customs_reserves_its_scope(market: Market) -> None:
    m = market
    exclusive = tier("独家版", exclusive=True, scope=SCOPE)
    on_sz = await m.list("credit", ["szdex"], [exclusive])
    on_gz = await m.list("credit", ["gzde"], [exclusive, tier(scope=SCOPE)])
    held = await m.buy(m.hk_buyer, on_sz, legal_basis="standard_contract")
    assert held["status"] == "awaiting_customs"
    assert_problem(await m.order(m.buyer, on_gz, exchange_id="gzde"), 409, "licence-unavailable")
    assert_problem(
        await m.order(m.buyer, on_gz, exchange_id="gzde", tier_index=1),
        409,
        "exclusive-licence-in-force",
    )


async def test_simultaneous_exclusive_purchases_through_different_listings_make_one_licence(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    exclusive = tier("独家版", price_fen=300_000, exclusive=True, scope=SCOPE)
    listings = [
        await m.list("traffic", ["szdex"], [exclusive]),
        await m.list("traffic", ["gzde"], [exclusive]),
    ]
    buyers = [
        await make_participant(Role.ENTERPRISE, name=f"买方{i:02d}", balance_fen=400_000)
        for i in range(20)
    ]

    async def attempt(i: int) -> int:
        # Half through each listing: two tiers, one asset and scope, so one licence in all.
        listing, exchange = (listings[0], "szdex") if i % 2 else (listings[1], "gzde")
        r = await m.order(buyers[i], listing, exchange_id=exchange)
        if r.status_code != 201:
            assert_problem(r, 409, "licence-unavailable")
        return r.status_code

    statuses = await asyncio.gather(*(attempt(i) for i in range(20)))
    assert statuses.count(201) == 1 and statuses.count(409) == 19
    async with m.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Licence)) == 1
    balances = sorted([await m.balance(b) for b in buyers])
    assert balances[1:] == [400_000] * 19
    await money_invariants(m.runtime)
