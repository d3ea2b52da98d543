"""A broker acting for its client beyond the posted price: negotiating to settlement and
bidding in a sealed-bid auction, under a live mandate; and the client of a brokered
negotiation reads it but cannot step in past its broker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from support_trading import Market, money_invariants, refused_unchanged, tier

from support import assert_problem


async def _brokered_negotiation(
    m: Market, mandate_id: str, report: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    """The broker asks for the logistics report on Guangzhou for its client."""
    if report is None:
        report = await m.list("logistics", ["gzde"], [tier("年度版", price_fen=500_000)])
    neg = await m.ok(
        m.post(
            "/v1/negotiations",
            m.broker,
            {
                "listing_id": report["id"],
                "tier_id": report["tiers"][0]["id"],
                "exchange_id": "gzde",
                "price_fen": 300_000,
                "message": "受陈小明委托询价",
                "mandate_id": mandate_id,
            },
        ),
        201,
    )
    return neg, f"/v1/negotiations/{neg['id']}"


async def test_a_broker_negotiates_for_its_client_to_settlement(market: Market) -> None:
    m = market
    mandate = await m.mandate(m.person, limit_fen=600_000, commission_bp=300)
    assert mandate["side"] == "buyer"
    person_before = await m.balance(m.person)
    neg, path = await _brokered_negotiation(m, mandate["id"])
    assert (neg["consumer_id"], neg["broker_id"], neg["mandate_id"]) == (
        m.person.id,
        m.broker.id,
        mandate["id"],
    )
    neg = await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 450_000}))
    neg = await m.ok(m.post(f"{path}/request", m.broker, {"price_fen": 400_000}))
    neg = await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 420_000}))
    neg = await m.ok(m.post(f"{path}/accept", m.broker, {}))
    neg = await m.ok(m.post(f"{path}/agree", m.seller, {"message": "成交"}))
    assert neg["state"] == "agreed"
    assert [(s["party"], s["sent_by"]) for s in neg["messages"]][:2] == [
        ("consumer", m.broker.id),
        ("provider", m.seller.id),
    ]

    settled = await m.ok(m.post(f"{path}/settle", m.broker, {}), 201)
    assert settled["status"] == "settled" and settled["mode"] == "negotiated"
    assert (settled["buyer_id"], settled["broker_id"], settled["placed_by"]) == (
        m.person.id,
        m.broker.id,
        m.broker.id,
    )
    trade = settled["trade"]
    assert (trade["buyer_id"], trade["broker_id"], trade["mandate_id"]) == (
        m.person.id,
        m.broker.id,
        mandate["id"],
    )
    # Guangzhou: buyer 50 bp, seller 100 bp; the client mandated the broker, so the client pays
    # its 300 bp on top of price and fee, and the seller keeps price less its own fee.
    assert (trade["price_fen"], trade["buyer_fee_fen"], trade["seller_fee_fen"]) == (
        420_000,
        2_100,
        4_200,
    )
    assert trade["commission_fen"] == 12_600
    assert settled["total_fen"] == 420_000 + 2_100 + 12_600
    assert await m.balance(m.person) == person_before - 434_700
    assert await m.balance(m.broker) == 12_600
    assert await m.balance(m.seller) == 420_000 - 4_200
    assert settled["licence"]["licensee_id"] == m.person.id
    spent = await m.ok(m.get(f"/v1/mandates/{mandate['id']}", m.person))
    assert spent["spent_fen"] == 434_700 and spent["remaining_fen"] == 600_000 - 434_700
    # The client sees the finished negotiation and downloads what its broker bought.
    done = await m.ok(m.get(path, m.person))
    assert done["state"] == "finalized" and done["order_id"] == settled["id"]
    r = await m.client.get(
        f"/v1/licences/{settled['licence']['id']}/delivery", headers=m.person.auth
    )
    assert r.status_code == 200 and r.content == m.specs["logistics"].package
    trades = await m.ok(m.get("/v1/trades", m.regulator, broker_id=m.broker.id))
    assert [(t["buyer_id"], t["mode"]) for t in trades["items"]] == [(m.person.id, "negotiated")]
    await money_invariants(m.runtime)


async def test_a_broker_negotiates_only_within_its_mandate(market: Market) -> None:
    m = market
    report = await m.list("logistics", ["gzde"], [tier("年度版", price_fen=500_000)])
    body = {
        "listing_id": report["id"],
        "tier_id": report["tiers"][0]["id"],
        "exchange_id": "gzde",
        "price_fen": 300_000,
    }
    bids_only = await m.mandate(m.person, actions=("bid",))
    await refused_unchanged(
        m.runtime,
        lambda: m.post("/v1/negotiations", m.broker, {**body, "mandate_id": bids_only["id"]}),
        409,
        "mandate-scope",
    )
    shenzhen_only = await m.mandate(m.person, exchanges=("szdex",))
    await refused_unchanged(
        m.runtime,
        lambda: m.post("/v1/negotiations", m.broker, {**body, "mandate_id": shenzhen_only["id"]}),
        409,
        "mandate-scope",
    )
    # The limit is charged at settlement: an agreement above it does not settle.
    small = await m.mandate(m.person, limit_fen=350_000, days=2)
    _, path = await _brokered_negotiation(m, small["id"], report)
    await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 400_000}))
    await m.ok(m.post(f"{path}/accept", m.broker, {}))
    await m.ok(m.post(f"{path}/agree", m.seller, {}))
    refused = await refused_unchanged(
        m.runtime, lambda: m.post(f"{path}/settle", m.broker, {}), 409, "mandate-limit-exceeded"
    )
    # Price, Guangzhou's 50 bp buyer fee and the mandate's 200 bp commission, all the client's.
    assert refused["required_fen"] == 400_000 + 2_000 + 8_000
    # An expired mandate stops the broker mid-negotiation.
    m.clock.advance(timedelta(days=3))
    await refused_unchanged(
        m.runtime, lambda: m.post(f"{path}/settle", m.broker, {}), 409, "mandate-expired"
    )


async def test_the_client_of_a_brokered_negotiation_reads_it_but_cannot_step_in(
    market: Market,
) -> None:
    m = market
    # Guangzhou requires individuals to trade through a broker.
    mandate = await m.mandate(m.person, limit_fen=600_000)
    neg, path = await _brokered_negotiation(m, mandate["id"])
    await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 420_000}))
    seen = await m.ok(m.get(path, m.person))
    assert seen["state"] == "offered" and seen["consumer_id"] == m.person.id
    mine = await m.ok(m.get("/v1/negotiations", m.person))
    assert [n["id"] for n in mine["items"]] == [neg["id"]]
    for step, body in (
        ("accept", {}),
        ("request", {"price_fen": 350_000}),
        ("terminate", {"reason": "我自己来谈"}),
    ):
        refused = await refused_unchanged(
            m.runtime,
            lambda step=step, body=body: m.post(f"{path}/{step}", m.person, body),
            403,
            "broker-conducts-negotiation",
        )
        assert "广州数据交易所" in refused["rule"] and "individual" in refused["rule"]
        assert refused["broker_id"] == m.broker.id and refused["mandate_id"] == mandate["id"]
    # Once agreed, only the broker settles it.
    await m.ok(m.post(f"{path}/accept", m.broker, {}))
    await m.ok(m.post(f"{path}/agree", m.seller, {}))
    await refused_unchanged(
        m.runtime,
        lambda: m.post(f"{path}/settle", m.person, {}),
        403,
        "broker-conducts-negotiation",
    )
    settled = await m.ok(m.post(f"{path}/settle", m.broker, {}), 201)
    assert settled["buyer_id"] == m.person.id and settled["status"] == "settled"


async def test_a_client_without_a_broker_rule_is_still_kept_out_of_its_brokers_negotiation(
    market: Market,
) -> None:
    m = market
    # Shenzhen requires no broker; the rule named is the mandate's agency.
    listing = await m.list("logistics", ["szdex"], [tier(price_fen=500_000)])
    mandate = await m.mandate(m.buyer)
    neg = await m.ok(
        m.post(
            "/v1/negotiations",
            m.broker,
            {
                "listing_id": listing["id"],
                "tier_id": listing["tiers"][0]["id"],
                "exchange_id": "szdex",
                "price_fen": 300_000,
                "mandate_id": mandate["id"],
            },
        ),
        201,
    )
    path = f"/v1/negotiations/{neg['id']}"
    await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 400_000}))
    refused = await refused_unchanged(
        m.runtime, lambda: m.post(f"{path}/accept", m.buyer, {}), 403, "broker-conducts-negotiation"
    )
    assert "委托代理" in refused["rule"]
    # A bystander still does not see it at all.
    assert_problem(await m.post(f"{path}/accept", m.rival, {}), 404, "negotiation-not-found")


async def test_a_broker_bids_for_its_client_and_wins(market: Market) -> None:
    m = market
    traffic = await m.list(
        "traffic", ["szdex"], [tier("独家版", price_fen=1_000_000, exclusive=True, term_days=180)]
    )
    auction = await m.open_auction(
        traffic, rule="second_price", reserve_fen=800_000, duration=timedelta(days=3)
    )
    bids = f"/v1/auctions/{auction['id']}/bids"
    # The mandate is checked: the action, and the spending limit against bid plus fee.
    buy_only = await m.mandate(m.person, actions=("buy",))
    await refused_unchanged(
        m.runtime,
        lambda: m.post(bids, m.broker, {"amount_fen": 950_000, "mandate_id": buy_only["id"]}),
        409,
        "mandate-scope",
    )
    small = await m.mandate(m.person, limit_fen=900_000)
    await refused_unchanged(
        m.runtime,
        lambda: m.post(bids, m.broker, {"amount_fen": 950_000, "mandate_id": small["id"]}),
        409,
        "mandate-limit-exceeded",
    )
    mandate = await m.mandate(m.person, limit_fen=1_000_000, commission_bp=200)
    person_before = await m.balance(m.person)
    bid = await m.ok(
        m.post(bids, m.broker, {"amount_fen": 950_000, "mandate_id": mandate["id"]}), 201
    )
    assert (bid["bidder_id"], bid["broker_id"], bid["mandate_id"]) == (
        m.person.id,
        m.broker.id,
        mandate["id"],
    )
    # Escrow: the bid, Shenzhen's 30 bp buyer fee and the 200 bp commission the client pays,
    # from the client, against the mandate.
    assert bid["escrow_fen"] == 950_000 + 2_850 + 19_000
    assert await m.balance(m.person) == person_before - 971_850
    held = await m.ok(m.get(f"/v1/mandates/{mandate['id']}", m.person))
    assert held["spent_fen"] == 971_850
    # One sealed bid per client, whoever places it.
    assert_problem(await m.post(bids, m.person, {"amount_fen": 960_000}), 409, "already-bid")
    await m.ok(m.post(bids, m.rival, {"amount_fen": 900_000}), 201)
    for who in (m.broker, m.person):
        sealed = await m.ok(m.get(f"/v1/auctions/{auction['id']}", who))
        assert [b["id"] for b in sealed["bids"]] == [bid["id"]]

    m.clock.advance(timedelta(days=3))
    closed = await m.ok(m.post(f"/v1/auctions/{auction['id']}/close", m.seller))
    assert closed["winning_bid_id"] == bid["id"] and closed["clearing_price_fen"] == 900_000
    order = closed["order"]
    assert order["status"] == "settled" and order["mode"] == "auction"
    assert (order["buyer_id"], order["broker_id"], order["placed_by"]) == (
        m.person.id,
        m.broker.id,
        m.broker.id,
    )
    trade = order["trade"]
    assert (trade["buyer_id"], trade["broker_id"], trade["mandate_id"]) == (
        m.person.id,
        m.broker.id,
        mandate["id"],
    )
    # Second price 900,000: buyer fee 30 bp, seller fee 80 bp, commission 200 bp.
    assert (trade["buyer_fee_fen"], trade["seller_fee_fen"], trade["commission_fen"]) == (
        2_700,
        7_200,
        18_000,
    )
    assert order["total_fen"] == 900_000 + 2_700 + 18_000
    assert await m.balance(m.person) == person_before - 920_700  # the rest of the escrow back
    assert await m.balance(m.broker) == 18_000
    assert await m.balance(m.seller) == 900_000 - 7_200
    assert await m.account_balance("escrow-szdex") == 0
    charged = await m.ok(m.get(f"/v1/mandates/{mandate['id']}", m.person))
    assert charged["spent_fen"] == 920_700 and charged["remaining_fen"] == 1_000_000 - 920_700
    assert order["licence"]["licensee_id"] == m.person.id
    stats = await m.ok(m.get("/v1/market/stats", m.rival))
    assert stats["overall"]["broker_commission_fen"] == 18_000
    assert stats["overall"]["brokered_trades"] == 1
    await money_invariants(m.runtime)


async def test_a_mandate_states_its_side_and_a_sellers_broker_does_not_buy(market: Market) -> None:
    m = market
    listing = await m.list("logistics", ["szdex"], [tier(price_fen=500_000)])
    body = {
        "broker_id": m.broker.id,
        "exchange_ids": ["szdex"],
        "actions": ["buy", "negotiate"],
        "spending_limit_fen": 1_000_000,
        "commission_bp": 200,
        "expires_at": (m.clock.now() + timedelta(days=30)).isoformat(),
    }
    for_seller = await m.ok(m.post("/v1/mandates", m.rival, {**body, "side": "seller"}), 201)
    assert for_seller["side"] == "seller"
    # A broker acting for a seller does not buy with its client's money.
    await refused_unchanged(
        m.runtime,
        lambda: m.order(m.broker, listing, mandate_id=for_seller["id"]),
        409,
        "mandate-scope",
    )
    # Individuals buy but do not sell data products: no seller's mandate from them.
    assert_problem(
        await m.post("/v1/mandates", m.person, {**body, "side": "seller"}), 403, "forbidden"
    )
    assert_problem(
        await m.post("/v1/mandates", m.rival, {**body, "side": "both"}), 422, "invalid-request"
    )
    # A buyer's mandate: the order's total is what the client pays, commission included.
    for_buyer = await m.ok(m.post("/v1/mandates", m.rival, {**body, "side": "buyer"}), 201)
    before = await m.balance(m.rival)
    order = await m.ok(m.order(m.broker, listing, mandate_id=for_buyer["id"]), 201)
    # Shenzhen: buyer fee 30 bp (1,500), seller fee 80 bp (4,000); commission 200 bp (10,000).
    assert (order["buyer_fee_fen"], order["commission_fen"]) == (1_500, 10_000)
    assert order["total_fen"] == 511_500
    assert await m.balance(m.rival) == before - 511_500
    assert await m.balance(m.broker) == 10_000
    await money_invariants(m.runtime)
