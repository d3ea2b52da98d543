"""The whole path through the API: list on both exchanges, buy by each of the three modes,
directly and through a broker, cross-border with a customs decision, deliver, market data,
audit log."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from support_trading import Market, audit_actions, money_invariants, tier

from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem
from support_audit import chain_entries


async def test_the_whole_market_path(market: Market) -> None:
    m = market
    # 1. List on both exchanges: Guangzhou through its Foshan base (reviewed), Shenzhen at once.
    r = await m.post(
        "/v1/listings",
        m.seller,
        m.listing_body("electricity", ["gzde-foshan", "szdex"], [tier(price_fen=200_000)]),
    )
    assert r.status_code == 201, r.text
    listing = r.json()
    venues = {v["exchange_id"]: v for v in listing["venues"]}
    assert venues["gzde"] == {
        **venues["gzde"],
        "status": "pending_review",
        "base_id": "gzde-foshan",
    }
    assert venues["szdex"]["status"] == "active"
    assert listing["delivery"]["sha256"] == m.specs["electricity"].fingerprint
    assert listing["product_form_label"] == "数据集" and listing["grade_label"] == "一般数据"
    listing = await m.ok(
        m.post(
            f"/v1/listings/{listing['id']}/venues/gzde/review",
            m.gz_operator,
            {"approve": True, "reason": "材料齐全，准予挂牌"},
        )
    )
    assert {v["status"] for v in listing["venues"]} == {"active"}
    found = await m.ok(m.get("/v1/listings", m.rival, q="用电", exchange_id="gzde"))
    assert [item["id"] for item in found["items"]] == [listing["id"]]

    # 2. Posted price, directly, on Shenzhen (buyer fee 30 bp, seller fee 80 bp).
    buyer_before = await m.balance(m.buyer)
    order = await m.buy(m.buyer, listing, exchange_id="szdex")
    assert order["status"] == "settled" and order["mode"] == "posted"
    assert (order["price_fen"], order["buyer_fee_fen"], order["seller_fee_fen"]) == (
        200_000,
        600,
        1_600,
    )
    assert order["licence"]["state"] == "active" and order["licence"]["licensee_id"] == m.buyer.id
    assert order["trade"]["rulebook_version"] == 1
    assert await m.balance(m.buyer) == buyer_before - 200_600
    assert await m.balance(m.seller) == 198_400
    assert await m.account_balance("exchange-szdex") == 2_200

    # 3. Guangzhou requires individuals to trade through a broker: the rule is named.
    refused = assert_problem(
        await m.order(m.person, listing, exchange_id="gzde"), 409, "broker-required"
    )
    assert "广州数据交易所" in refused["rule"] and "individual" in refused["rule"]
    mandate = await m.mandate(m.person, limit_fen=500_000, commission_bp=300)
    brokered = await m.buy(m.broker, listing, exchange_id="gzde", mandate_id=mandate["id"])
    assert brokered["buyer_id"] == m.person.id and brokered["broker_id"] == m.broker.id
    assert brokered["trade"]["mandate_id"] == mandate["id"]
    # Guangzhou: buyer 50 bp, seller 100 bp; the person mandated the broker, so the person pays
    # its 300 bp on top (in the order's total); the seller keeps price less its own fee.
    assert (brokered["buyer_fee_fen"], brokered["seller_fee_fen"], brokered["commission_fen"]) == (
        1_000,
        2_000,
        6_000,
    )
    assert brokered["total_fen"] == 207_000
    assert await m.balance(m.broker) == 6_000
    assert await m.balance(m.seller) == 198_400 + 198_000
    mandate = await m.ok(m.get(f"/v1/mandates/{mandate['id']}", m.person))
    assert mandate["spent_fen"] == 207_000 and mandate["remaining_fen"] == 293_000

    # 4. Negotiation (协议交易) on Guangzhou: request → offer → counter → offer → accept → agree.
    report = await m.list("logistics", ["gzde"], [tier("年度版", price_fen=500_000)])
    neg = await m.ok(
        m.post(
            "/v1/negotiations",
            m.rival,
            {
                "listing_id": report["id"],
                "tier_id": report["tiers"][0]["id"],
                "exchange_id": "gzde",
                "price_fen": 300_000,
                "message": "批量采购，请给予优惠",
            },
        ),
        201,
    )
    assert neg["state"] == "requested" and neg["provider_id"] == m.seller.id
    path = f"/v1/negotiations/{neg['id']}"
    neg = await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 450_000, "message": "九折"}))
    assert neg["state"] == "offered"
    neg = await m.ok(m.post(f"{path}/request", m.rival, {"price_fen": 400_000}))
    assert neg["state"] == "requested"
    neg = await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 420_000}))
    neg = await m.ok(m.post(f"{path}/accept", m.rival, {}))
    assert neg["state"] == "accepted"
    neg = await m.ok(m.post(f"{path}/agree", m.seller, {"message": "成交"}))
    assert neg["state"] == "agreed"
    assert [s["state"] for s in neg["messages"]] == [
        "requested",
        "offered",
        "requested",
        "offered",
        "accepted",
        "agreed",
    ]
    settled = await m.ok(m.post(f"{path}/settle", m.rival, {}), 201)
    assert settled["mode"] == "negotiated" and settled["price_fen"] == 420_000
    assert settled["status"] == "settled" and settled["negotiation_id"] == neg["id"]
    neg = await m.ok(m.get(path, m.rival))
    assert neg["state"] == "finalized" and neg["order_id"] == settled["id"]

    # 5. Sealed-bid auction of an exclusive licence, second price (bidding through a broker:
    # test_trading_brokered.py, with negotiating through one).
    traffic = await m.list(
        "traffic", ["szdex"], [tier("独家版", price_fen=1_000_000, exclusive=True, term_days=180)]
    )
    auction = await m.open_auction(
        traffic, rule="second_price", reserve_fen=800_000, duration=timedelta(days=3)
    )
    assert auction["status"] == "open"
    listed = await m.ok(m.get(f"/v1/listings/{traffic['id']}", m.rival))
    assert listed["tiers"][0]["available"] is False  # reserved by the auction
    bid_a = await m.ok(
        m.post(f"/v1/auctions/{auction['id']}/bids", m.buyer, {"amount_fen": 1_500_000}), 201
    )
    rival_before = await m.balance(m.rival)
    await m.ok(
        m.post(f"/v1/auctions/{auction['id']}/bids", m.rival, {"amount_fen": 1_200_000}), 201
    )
    # Escrow: the bid plus Shenzhen's 30 bp buyer fee is held until the close.
    assert await m.balance(m.rival) == rival_before - 1_203_600
    sealed = await m.ok(m.get(f"/v1/auctions/{auction['id']}", m.rival))
    assert sealed["bid_count"] == 2 and [b["bidder_id"] for b in sealed["bids"]] == [m.rival.id]
    assert_problem(
        await m.post(f"/v1/auctions/{auction['id']}/close", m.rival), 409, "auction-not-over"
    )
    m.clock.advance(timedelta(days=3))
    closed = await m.ok(m.post(f"/v1/auctions/{auction['id']}/close", m.rival))
    assert closed["status"] == "closed" and closed["winning_bid_id"] == bid_a["id"]
    assert closed["clearing_price_fen"] == 1_200_000  # second price
    assert closed["order"]["status"] == "settled" and closed["order"]["buyer_id"] == m.buyer.id
    assert await m.balance(m.rival) == rival_before  # the loser is refunded in full
    assert await m.account_balance("escrow-szdex") == 0
    listed = await m.ok(m.get(f"/v1/listings/{traffic['id']}", m.rival))
    assert listed["tiers"][0]["available"] is False  # sold, once

    # 6. Cross-border: a Hong Kong buyer of important data with personal information.
    credit = await m.list("credit", ["szdex"], [tier("接口调用版", price_fen=300_000)])
    assert_problem(await m.order(m.hk_buyer, credit), 422, "legal-basis-required")
    hk_before = await m.balance(m.hk_buyer)
    waiting = await m.buy(m.hk_buyer, credit, legal_basis="standard_contract")
    assert waiting["status"] == "awaiting_customs" and waiting["trade"] is None
    case = waiting["customs_case"]
    assert case["status"] == "pending" and case["legal_basis"] == "standard_contract"
    assert case["jurisdiction"] == "HK" and case["grade"] == "important"
    assert await m.balance(m.hk_buyer) == hk_before - 300_900  # held in escrow
    assert await m.account_balance("escrow-szdex") == 300_900
    pending = await m.ok(m.get("/v1/customs/cases", m.regulator, status="pending"))
    assert [c["id"] for c in pending["items"]] == [case["id"]]
    cleared = await m.ok(
        m.post(
            f"/v1/customs/cases/{case['id']}/decision",
            m.regulator,
            {"decision": "approve", "reason": "标准合同已备案，同意出境"},
        )
    )
    assert cleared["status"] == "settled" and cleared["trade"]["cross_border"] is True
    assert cleared["customs_case"]["decision"] == "approved"
    assert await m.account_balance("escrow-szdex") == 0
    assert await m.balance(m.hk_buyer) == hk_before - 300_900
    decided = await m.ok(m.get(f"/v1/customs/cases/{case['id']}", m.hk_buyer))
    assert decided["status"] == "cleared" and decided["reason"] == "标准合同已备案，同意出境"

    # 7. Delivery: the licensee downloads what was registered; nobody else does.
    r = await m.client.get(f"/v1/licences/{order['licence']['id']}/delivery", headers=m.buyer.auth)
    assert r.status_code == 200
    assert r.content == m.specs["electricity"].package
    assert hashlib.sha256(r.content).hexdigest() == r.headers["x-content-sha256"]
    assert r.headers["x-content-sha256"] == m.specs["electricity"].fingerprint
    expires = r.headers["x-licence-expires"]  # RFC 3339 with `Z`, as in JSON bodies
    assert expires.endswith("Z") and datetime.fromisoformat(expires) == datetime.fromisoformat(
        order["licence"]["expires_at"]
    )
    certificate = await m.ok(m.get(f"/v1/certificates/{r.headers['x-certificate']}", m.buyer))
    assert certificate["document"]["fingerprint"]["value"] == r.headers["x-content-sha256"]
    assert_problem(
        await m.client.get(f"/v1/licences/{order['licence']['id']}/delivery", headers=m.rival.auth),
        404,
        "licence-not-found",
    )

    # 8. Market data: per exchange and overall.
    stats = await m.ok(m.get("/v1/market/stats", m.rival))
    overall = stats["overall"]
    assert overall["trades"] == 5
    assert overall["turnover_fen"] == 200_000 + 200_000 + 420_000 + 1_200_000 + 300_000
    assert overall["buyers"] == 4 and overall["sellers"] == 1
    assert overall["broker_commission_fen"] == 6_000 and overall["cross_border_trades"] == 1
    by_exchange = {s["exchange_id"]: s for s in stats["exchanges"]}
    assert by_exchange["gzde"]["turnover_fen"] == 620_000
    assert by_exchange["szdex"]["turnover_fen"] == 1_700_000
    assert abs(sum(s["turnover_share"] for s in stats["exchanges"]) - 1) < 1e-9
    assert {b["key"] for b in overall["by_mode"]} == {"posted", "negotiated", "auction"}
    assert {b["label"] for b in overall["by_grade"]} == {"一般数据", "重要数据"}
    assert stats["price_index"][0]["index"] == 100.0

    # 9. Regulators see and filter everything; the audit log has it all.
    trades = await m.ok(m.get("/v1/trades", m.regulator, exchange_id="gzde"))
    assert trades["total"] == 2 and {t["mode"] for t in trades["items"]} == {"posted", "negotiated"}
    brokered_trades = await m.ok(m.get("/v1/trades", m.regulator, broker_id=m.broker.id))
    assert [t["buyer_id"] for t in brokered_trades["items"]] == [m.person.id]
    mandates = await m.ok(m.get("/v1/mandates", m.regulator, broker_id=m.broker.id))
    assert mandates["total"] == 1
    orders = await m.ok(m.get("/v1/orders", m.regulator, mode="auction"))
    assert orders["total"] == 1 and orders["items"][0]["trade"]["price_fen"] == 1_200_000
    mine = await m.ok(m.get("/v1/trades", m.rival))
    assert {t["buyer_id"] for t in mine["items"]} == {m.rival.id}
    actions = await audit_actions(m.runtime)
    for action in (
        "trading.listing_created",
        "trading.listing_reviewed",
        "trading.mandate_granted",
        "trading.negotiation_agreed",
        "trading.negotiation_settled",
        "trading.auction_opened",
        "trading.bid_placed",
        "trading.auction_closed",
        "customs.case_opened",
        "customs.case_decided",
    ):
        assert action in actions, action
    assert actions.count("trading.trade_settled") == 5
    entries = await chain_entries(m.runtime)
    settled_payloads = [e["payload"] for e in entries if e["action"] == "trading.trade_settled"]
    assert {p["mode"] for p in settled_payloads} == {"posted", "negotiated", "auction"}  # type: ignore[index]
    await money_invariants(m.runtime)


async def test_customs_refusal_refunds_and_is_recorded(market: Market) -> None:
    m = market
    credit = await m.list("credit", ["gzde"], [tier(price_fen=300_000)])
    before = await m.balance(m.hk_buyer)
    waiting = await m.buy(m.hk_buyer, credit, exchange_id="gzde", legal_basis="security_assessment")
    assert await m.account_balance("escrow-gzde") == 301_500
    refused = await m.ok(
        m.post(
            f"/v1/customs/cases/{waiting['customs_case']['id']}/decision",
            m.regulator,
            {"decision": "reject", "reason": "安全评估未通过：涉及敏感个人信息"},
        )
    )
    assert refused["status"] == "refused" and "安全评估未通过" in refused["reason"]
    assert refused["customs_case"]["decision"] == "rejected"
    assert await m.balance(m.hk_buyer) == before
    assert await m.account_balance("escrow-gzde") == 0
    assert_problem(
        await m.post(
            f"/v1/customs/cases/{waiting['customs_case']['id']}/decision",
            m.regulator,
            {"decision": "approve", "reason": "再议"},
        ),
        409,
        "customs-case-decided",
    )
    cases = await m.ok(m.get("/v1/customs/cases", m.regulator, status="refused"))
    assert cases["items"][0]["reason"] == "安全评估未通过：涉及敏感个人信息"
    # Only regulators decide.
    second = await m.buy(m.hk_buyer, credit, exchange_id="gzde", legal_basis="certification")
    assert_problem(
        await m.post(
            f"/v1/customs/cases/{second['customs_case']['id']}/decision",
            m.gz_operator,
            {"decision": "approve", "reason": "x"},
        ),
        403,
    )
    await money_invariants(m.runtime)


async def test_customs_clearance_rechecks_the_listing_and_refunds_if_it_no_longer_trades(
    market: Market,
) -> None:
    m = market
    credit = await m.list("credit", ["szdex"], [tier(price_fen=300_000)])
    before = await m.balance(m.hk_buyer)

    # 1. The holder suspends the listing while the export waits for a regulator.
    waiting = await m.buy(m.hk_buyer, credit, legal_basis="standard_contract")
    assert waiting["status"] == "awaiting_customs"
    assert await m.balance(m.hk_buyer) == before - 300_900
    await m.ok(m.post(f"/v1/listings/{credit['id']}/suspend", m.seller, {"reason": "数据更新维护"}))
    case_id = waiting["customs_case"]["id"]
    decided = await m.ok(
        m.post(
            f"/v1/customs/cases/{case_id}/decision",
            m.regulator,
            {"decision": "approve", "reason": "标准合同已备案，同意出境"},
        )
    )
    assert decided["status"] == "refused" and decided["trade"] is None
    assert decided["licence"] is None and decided["escrow_fen"] == 0
    assert "suspended" in decided["reason"] and "cleared by data customs" in decided["reason"]
    assert decided["customs_case"]["decision"] == "approved"
    assert decided["customs_case"]["reason"] == "标准合同已备案，同意出境"
    assert await m.balance(m.hk_buyer) == before
    assert await m.account_balance("escrow-szdex") == 0
    assert await m.balance(m.seller) == 0
    order = await m.ok(m.get(f"/v1/orders/{waiting['id']}", m.hk_buyer))
    assert order["status"] == "refused" and order["reason"] == decided["reason"]
    case = await m.ok(m.get(f"/v1/customs/cases/{case_id}", m.regulator))
    assert (case["status"], case["decision"]) == ("cleared", "approved")
    assert_problem(
        await m.post(
            f"/v1/customs/cases/{case_id}/decision",
            m.regulator,
            {"decision": "approve", "reason": "再议"},
        ),
        409,
        "customs-case-decided",
    )

    # 2. The registry revokes the asset's certificate while a brokered export waits.
    await m.ok(m.post(f"/v1/listings/{credit['id']}/resume", m.seller, {}))
    mandate = await m.mandate(m.hk_buyer, limit_fen=400_000)
    waiting = await m.buy(m.broker, credit, mandate_id=mandate["id"], legal_basis="certification")
    assert waiting["status"] == "awaiting_customs" and waiting["broker_id"] == m.broker.id
    held = await m.ok(m.get(f"/v1/mandates/{mandate['id']}", m.hk_buyer))
    assert held["spent_fen"] == 300_900 + 6_000  # price, buyer fee and 200 bp commission
    await m.ok(
        m.post(
            f"/v1/assets/{m.assets['credit']}/revocation",
            m.admin,
            {"reason": "登记材料不实，撤销登记"},
        )
    )
    decided = await m.ok(
        m.post(
            f"/v1/customs/cases/{waiting['customs_case']['id']}/decision",
            m.regulator,
            {"decision": "approve", "reason": "认证有效，同意出境"},
        )
    )
    assert decided["status"] == "refused" and decided["trade"] is None
    assert "revoked" in decided["reason"] and "无登记不交易" in decided["reason"]
    assert decided["customs_case"]["decision"] == "approved"
    assert await m.balance(m.hk_buyer) == before
    assert await m.balance(m.broker) == 0
    assert await m.account_balance("escrow-szdex") == 0
    released = await m.ok(m.get(f"/v1/mandates/{mandate['id']}", m.hk_buyer))
    assert released["spent_fen"] == 0
    trades = await m.ok(m.get("/v1/trades", m.regulator, listing_id=credit["id"]))
    assert trades["total"] == 0
    actions = await audit_actions(m.runtime)
    assert actions.count("customs.case_decided") == 2
    assert actions.count("trading.order_refused") == 2
    assert "trading.trade_settled" not in actions
    await money_invariants(m.runtime)


async def test_general_data_passes_customs_automatically(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"])
    order = await m.buy(m.hk_buyer, listing)
    assert order["status"] == "settled" and order["trade"]["cross_border"] is True
    assert order["customs_case"]["decision"] == "auto_cleared"
    cases = await m.ok(m.get("/v1/customs/cases", m.hk_buyer))
    assert [c["status"] for c in cases["items"]] == ["cleared"]


async def test_licence_expires_and_regulators_revoke(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    # Revoking a licence is the trading-conduct remit's (市场监管, gd-amr).
    amr = await make_participant(Role.REGULATOR, name="广东省市场监管局", agency="gd-amr")
    listing = await m.list("electricity", ["szdex"], [tier("短期版", term_days=30), tier("年度版")])
    short = await m.buy(m.buyer, listing)
    year = await m.buy(m.buyer, listing, tier_index=1)
    delivery = f"/v1/licences/{short['licence']['id']}/delivery"
    assert (await m.client.get(delivery, headers=m.buyer.auth)).status_code == 200
    m.clock.advance(timedelta(days=30))
    body = assert_problem(
        await m.client.get(delivery, headers=m.buyer.auth), 409, "licence-not-live"
    )
    assert body["state"] == "expired"
    licence = await m.ok(m.get(f"/v1/licences/{short['licence']['id']}", m.buyer))
    assert licence["state"] == "expired"
    path = f"/v1/licences/{year['licence']['id']}"
    assert_problem(await m.post(f"{path}/revoke", m.seller, {"reason": "x"}), 403)
    outside = assert_problem(
        await m.post(f"{path}/revoke", m.regulator, {"reason": "x"}), 403, "outside-remit"
    )
    assert outside["needed_remits"] == ["trading_conduct"] and "gd-cac" in outside["detail"]
    assert (await m.ok(m.get(path, m.buyer)))["state"] == "active"
    revoked = await m.ok(m.post(f"{path}/revoke", amr, {"reason": "超出许可范围转售数据"}))
    assert revoked["state"] == "revoked" and revoked["revocation_reason"] == "超出许可范围转售数据"
    assert_problem(
        await m.client.get(f"{path}/delivery", headers=m.buyer.auth), 409, "licence-not-live"
    )
    assert_problem(
        await m.post(f"{path}/revoke", amr, {"reason": "again"}),
        409,
        "licence-already-revoked",
    )
    assert "trading.licence_revoked" in await audit_actions(m.runtime)
    # The regulator sees the licence but does not download it.
    assert_problem(await m.client.get(f"{path}/delivery", headers=m.regulator.auth), 403)


async def test_api_delivery_package_is_the_description(market: Market) -> None:
    m = market
    spec = m.specs["credit"]
    body = m.listing_body("credit", ["szdex"])
    body["delivery"] = {
        "kind": "api",
        "filename": "信用评分接口.json",
        "media_type": "application/json",
        "api_description": spec.package.decode(),
    }
    listing = await m.ok(m.post("/v1/listings", m.seller, body), 201)
    assert listing["delivery"]["kind"] == "api"
    order = await m.buy(m.rival, listing)
    r = await m.client.get(f"/v1/licences/{order['licence']['id']}/delivery", headers=m.rival.auth)
    assert r.status_code == 200 and r.content == spec.package
    assert r.headers["content-type"].startswith("application/json")
    assert "UTF-8''" in r.headers["content-disposition"]
