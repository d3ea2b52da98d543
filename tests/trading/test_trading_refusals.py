"""Refusals: each with a clear problem+json, and nothing changed (audit log included)."""

from __future__ import annotations

from datetime import timedelta

from support_trading import AssetSpec, Market, file_delivery, principal, refused_unchanged, tier

from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.vocabulary import DataRight
from support import assert_problem


async def test_broker_exceeding_its_mandate_is_refused(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=100_000)])
    mandate = await m.mandate(m.rival, limit_fen=150_000)
    await m.buy(m.broker, listing, mandate_id=mandate["id"])
    body = await refused_unchanged(
        m.runtime,
        lambda: m.order(m.broker, listing, mandate_id=mandate["id"]),
        409,
        "mandate-limit-exceeded",
    )
    # Price, Shenzhen's 30 bp buyer fee and the 200 bp commission the client pays.
    assert body["spending_limit_fen"] == 150_000 and body["required_fen"] == 102_300


async def test_expired_and_revoked_mandates_are_refused(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"])
    expiring = await m.mandate(m.rival, days=1)
    revoked = await m.mandate(m.buyer)
    await m.ok(m.post(f"/v1/mandates/{revoked['id']}/revoke", m.buyer))
    m.clock.advance(timedelta(days=1))
    await refused_unchanged(
        m.runtime,
        lambda: m.order(m.broker, listing, mandate_id=expiring["id"]),
        409,
        "mandate-expired",
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.order(m.broker, listing, mandate_id=revoked["id"]),
        409,
        "mandate-revoked",
    )
    shown = await m.ok(m.get(f"/v1/mandates/{expiring['id']}", m.broker))
    assert shown["state"] == "expired"


async def test_a_mandate_covers_only_its_exchanges_and_actions(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["gzde", "szdex"])
    shenzhen_only = await m.mandate(m.rival, exchanges=["szdex"])
    bids_only = await m.mandate(m.buyer, actions=["bid"])
    await refused_unchanged(
        m.runtime,
        lambda: m.order(m.broker, listing, exchange_id="gzde", mandate_id=shenzhen_only["id"]),
        409,
        "mandate-scope",
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.order(m.broker, listing, mandate_id=bids_only["id"]),
        409,
        "mandate-scope",
    )
    # Another broker's mandate is not there at all; a broker must name one.
    other = await m.mandate(m.person)
    assert_problem(await m.order(m.broker, listing, mandate_id="nope"), 404, "mandate-not-found")
    assert_problem(await m.order(m.broker, listing), 422, "mandate-required")
    assert_problem(await m.order(m.rival, listing, mandate_id=other["id"]), 422)
    # A broker whose licence the exchange revoked cannot act there.
    await m.ok(
        m.post(
            f"/v1/brokers/{m.broker_licences['gzde']}/revoke",
            m.gz_operator,
            {"reason": "违规撮合"},
        )
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.order(m.broker, listing, exchange_id="gzde", mandate_id=other["id"]),
        409,
        "broker-not-licensed",
    )


async def test_buying_ones_own_listing_is_refused(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"])
    await refused_unchanged(m.runtime, lambda: m.order(m.seller, listing), 409, "own-listing")


async def test_bidding_after_the_deadline_is_refused(market: Market) -> None:
    m = market
    listing = await m.list("traffic", ["szdex"], [tier(exclusive=True, price_fen=50_000)])
    auction = await m.open_auction(listing)
    bids = f"/v1/auctions/{auction['id']}/bids"
    await refused_unchanged(
        m.runtime,
        lambda: m.post(bids, m.buyer, {"amount_fen": 40_000}),
        409,
        "bid-below-reserve",
    )
    await m.ok(m.post(bids, m.buyer, {"amount_fen": 60_000}), 201)
    await refused_unchanged(
        m.runtime, lambda: m.post(bids, m.buyer, {"amount_fen": 70_000}), 409, "already-bid"
    )
    await refused_unchanged(
        m.runtime, lambda: m.post(bids, m.seller, {"amount_fen": 70_000}), 409, "own-listing"
    )
    m.clock.advance(timedelta(hours=2))
    body = await refused_unchanged(
        m.runtime, lambda: m.post(bids, m.rival, {"amount_fen": 90_000}), 409, "auction-closed"
    )
    assert "closes_at" in body
    # The auction of an exclusive tier reserves it: nobody buys it at the posted price.
    await refused_unchanged(
        m.runtime, lambda: m.order(m.rival, listing), 409, "licence-unavailable"
    )
    closed = await m.ok(m.post(f"/v1/auctions/{auction['id']}/close", m.buyer))
    assert closed["clearing_price_fen"] == 60_000
    await refused_unchanged(
        m.runtime,
        lambda: m.post(f"/v1/auctions/{auction['id']}/close", m.buyer),
        409,
        "auction-closed",
    )


async def test_accepting_a_terminated_negotiation_is_refused(market: Market) -> None:
    m = market
    listing = await m.list("logistics", ["szdex"], [tier(price_fen=500_000)])
    neg = await m.ok(
        m.post(
            "/v1/negotiations",
            m.rival,
            {
                "listing_id": listing["id"],
                "tier_id": listing["tiers"][0]["id"],
                "exchange_id": "szdex",
                "price_fen": 200_000,
            },
        ),
        201,
    )
    path = f"/v1/negotiations/{neg['id']}"
    await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 450_000}))
    await refused_unchanged(
        m.runtime, lambda: m.post(f"{path}/agree", m.rival, {}), 403, "wrong-negotiation-party"
    )
    await refused_unchanged(
        m.runtime, lambda: m.post(f"{path}/settle", m.rival, {}), 409, "negotiation-state"
    )
    terminated = await m.ok(m.post(f"{path}/terminate", m.seller, {"reason": "价格差距过大"}))
    assert terminated["state"] == "terminated"
    assert terminated["termination_reason"] == "价格差距过大"
    body = await refused_unchanged(
        m.runtime, lambda: m.post(f"{path}/accept", m.rival, {}), 409, "negotiation-state"
    )
    assert body["state"] == "terminated"
    await refused_unchanged(
        m.runtime,
        lambda: m.post(f"{path}/terminate", m.rival, {"reason": "again"}),
        409,
        "negotiation-state",
    )
    # A bystander does not see it at all.
    assert_problem(await m.get(path, m.buyer), 404, "negotiation-not-found")


async def test_listing_an_unregistered_asset_is_refused(market: Market) -> None:
    m = market
    spec = AssetSpec("未登记的数据产品", "草稿".encode())
    async with m.runtime.unit_of_work() as session:
        (applied,) = await assets_service.apply_for_registrations(
            m.runtime.context(session, principal(m.seller)),
            drafts=[
                AssetDraft(
                    name=spec.name,
                    description="仍在合规审查中",
                    product_form=spec.product_form,
                    right=DataRight.HOLDING,
                    scenario="测试",
                    grade=spec.grade,
                    personal_information=False,
                    fingerprint=spec.fingerprint,
                    source_legality="自有数据",
                )
            ],
        )
    body = {
        "asset_id": applied,
        "title": spec.name,
        "venues": ["szdex"],
        "tiers": [tier()],
        "delivery": file_delivery(spec.package),
    }
    await refused_unchanged(
        m.runtime,
        lambda: m.post("/v1/listings", m.seller, body),
        409,
        "asset-not-registered",
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.post("/v1/listings", m.seller, {**body, "asset_id": "no-such-asset"}),
        404,
        "asset-not-found",
    )
    # Someone else's registered asset is not the caller's to list.
    theirs = m.listing_body("electricity", ["szdex"])
    await refused_unchanged(
        m.runtime, lambda: m.post("/v1/listings", m.rival, theirs), 409, "not-asset-holder"
    )


async def test_listing_rules_refuse_with_nothing_changed(market: Market) -> None:
    m = market
    wrong = m.listing_body("electricity", ["szdex"], delivery=file_delivery(b"tampered"))
    body = await refused_unchanged(
        m.runtime,
        lambda: m.post("/v1/listings", m.seller, wrong),
        409,
        "delivery-fingerprint-mismatch",
    )
    assert body["certificate_fingerprint"] == m.specs["electricity"].fingerprint
    cheap = m.listing_body("electricity", ["gzde", "szdex"], [tier(price_fen=500)])
    body = await refused_unchanged(
        m.runtime, lambda: m.post("/v1/listings", m.seller, cheap), 409, "price-out-of-limits"
    )
    assert "深圳数据交易所" in body["rule"]
    twice = m.listing_body("electricity", ["gzde", "gzde-foshan"])
    await refused_unchanged(m.runtime, lambda: m.post("/v1/listings", m.seller, twice), 422)
    nowhere = m.listing_body("electricity", ["beijing"])
    await refused_unchanged(
        m.runtime, lambda: m.post("/v1/listings", m.seller, nowhere), 404, "exchange-not-found"
    )
    bad64 = m.listing_body("electricity", ["szdex"])
    bad64["delivery"]["content_base64"] = "不是base64"
    await refused_unchanged(
        m.runtime, lambda: m.post("/v1/listings", m.seller, bad64), 422, "invalid-request"
    )


async def test_order_rules_refuse_with_nothing_changed(market: Market) -> None:
    m = market
    listing = await m.list(
        "electricity", ["szdex"], [tier(price_fen=20_000_000), tier("独家版", exclusive=True)]
    )
    await refused_unchanged(
        m.runtime, lambda: m.order(m.person, listing), 409, "insufficient-funds"
    )
    await refused_unchanged(
        m.runtime, lambda: m.order(m.regulator, listing), 403, "role-may-not-trade"
    )
    await m.buy(m.buyer, listing, tier_index=1)
    await refused_unchanged(
        m.runtime, lambda: m.order(m.rival, listing, tier_index=1), 409, "licence-unavailable"
    )
    # A listing suspended by the exchange cannot be bought, nor resumed by its holder.
    await m.ok(
        m.post(f"/v1/listings/{listing['id']}/suspend", m.sz_operator, {"reason": "核查数据来源"})
    )
    await refused_unchanged(m.runtime, lambda: m.order(m.rival, listing), 409, "listing-not-active")
    await refused_unchanged(
        m.runtime,
        lambda: m.post(f"/v1/listings/{listing['id']}/resume", m.seller, {}),
        409,
        "listing-venue-state",
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.post(f"/v1/listings/{listing['id']}/suspend", m.gz_operator, {}),
        403,
    )
    resumed = await m.ok(m.post(f"/v1/listings/{listing['id']}/resume", m.sz_operator, {}))
    assert resumed["venues"][0]["status"] == "active"
    delisted = await m.ok(m.post(f"/v1/listings/{listing['id']}/delist", m.seller, {}))
    assert delisted["venues"][0]["status"] == "delisted"
    await refused_unchanged(m.runtime, lambda: m.order(m.rival, listing), 409, "listing-not-active")


async def test_idempotency_key_returns_the_first_result_and_never_charges_twice(
    market: Market,
) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=100_000)])
    before = await m.balance(m.buyer)
    first = await m.order(m.buyer, listing, key="order-0001")
    assert first.status_code == 201
    again = await m.order(m.buyer, listing, key="order-0001")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await m.balance(m.buyer) == before - 100_300
    other = await m.list("logistics", ["szdex"])
    await refused_unchanged(
        m.runtime,
        lambda: m.order(m.buyer, other, key="order-0001"),
        422,
        "idempotency-key-reused",
    )
    # Keys belong to their participant: another buyer's same key is a new order.
    theirs = await m.order(m.rival, listing, key="order-0001")
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
