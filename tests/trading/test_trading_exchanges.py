"""Exchanges, rulebooks, operators, broker licences, mandates and listing visibility."""

from __future__ import annotations

from datetime import timedelta

from support_trading import Market, refused_unchanged, tier

from exchange.trading.stats import service as stats_service
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem
from support_audit import chain_entries


async def test_exchanges_are_seeded_with_different_rulebooks(market: Market) -> None:
    m = market
    exchanges = {e["id"]: e for e in (await m.ok(m.get("/v1/exchanges", m.person)))["items"]}
    assert exchanges["gzde"]["name"] == "广州数据交易所"
    assert exchanges["szdex"]["name"] == "深圳数据交易所"
    assert [b["id"] for b in exchanges["gzde"]["bases"]] == ["gzde-foshan"]
    assert exchanges["gzde"]["rulebook"]["broker_required_for"] == ["individual"]
    assert exchanges["gzde"]["rulebook"]["listing_review"] == "operator"
    assert exchanges["szdex"]["rulebook"]["listing_review"] == "none"
    assert exchanges["gzde"]["fee_account_id"] == "exchange-gzde"
    assert_problem(await m.get("/v1/exchanges/beijing", m.person), 404, "exchange-not-found")


async def test_a_rulebook_change_applies_forward_only(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["szdex"], [tier(price_fen=100_000)])
    old = await m.buy(m.buyer, listing)
    changed = await m.ok(
        m.post(
            "/v1/exchanges/szdex/rulebook",
            m.sz_operator,
            {"buyer_fee_bp": 100, "seller_fee_bp": 150, "note": "2027年手续费调整"},
        ),
        201,
    )
    assert changed["version"] == 2 and changed["buyer_fee_bp"] == 100
    assert changed["max_commission_bp"] == 800  # unchanged clauses carry over
    new = await m.buy(m.rival, listing)
    assert (new["buyer_fee_fen"], new["seller_fee_fen"], new["rulebook_version"]) == (
        1_000,
        1_500,
        2,
    )
    past = await m.ok(m.get(f"/v1/trades/{old['trade']['id']}", m.buyer))
    assert (past["buyer_fee_fen"], past["seller_fee_fen"], past["rulebook_version"]) == (
        300,
        800,
        1,
    )
    history = await m.ok(m.get("/v1/exchanges/szdex/rulebooks", m.person))
    assert [b["version"] for b in history["items"]] == [2, 1] and history["total"] == 2
    entry = next(
        e for e in await chain_entries(m.runtime) if e["action"] == "trading.rulebook_changed"
    )
    assert entry["actor"] == m.sz_operator.id
    assert entry["payload"]["changes"]["buyer_fee_bp"] == {"from": 30, "to": 100}  # type: ignore[index]


async def test_only_the_exchanges_own_operators_change_its_rulebook(market: Market) -> None:
    m = market
    body = {"buyer_fee_bp": 0, "note": "免收买方手续费"}
    for who in (m.gz_operator, m.admin, m.regulator, m.seller):
        await refused_unchanged(
            m.runtime, lambda who=who: m.post("/v1/exchanges/szdex/rulebook", who, body), 403
        )
    bad = {"seller_fee_bp": 9_500, "note": "卖方费率过高"}
    await refused_unchanged(
        m.runtime, lambda: m.post("/v1/exchanges/szdex/rulebook", m.sz_operator, bad), 422
    )
    inverted = {"min_price_fen": 10**10, "note": "价格下限高于上限"}
    await refused_unchanged(
        m.runtime, lambda: m.post("/v1/exchanges/szdex/rulebook", m.sz_operator, inverted), 422
    )


async def test_a_closed_trade_mode_is_refused_with_its_rule(market: Market) -> None:
    m = market
    listing = await m.list("traffic", ["szdex"], [tier(exclusive=True)])
    await m.ok(
        m.post(
            "/v1/exchanges/szdex/rulebook",
            m.sz_operator,
            {"trade_modes": ["posted", "negotiated"], "note": "暂停竞价交易"},
        ),
        201,
    )
    auction = m.auction_body(listing, reserve_fen=100_000)
    body = await refused_unchanged(
        m.runtime, lambda: m.post("/v1/auctions", m.seller, auction), 409, "trade-mode-closed"
    )
    assert "v2" in body["rule"]


async def test_operators_brokers_and_mandates_follow_the_rules(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    spare = await make_participant(Role.EXCHANGE_OPERATOR)
    await refused_unchanged(
        m.runtime,
        lambda: m.post("/v1/exchanges/gzde/operators", m.gz_operator, {"participant_id": spare.id}),
        403,
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.post(
            "/v1/exchanges/szdex/operators", m.admin, {"participant_id": m.gz_operator.id}
        ),
        409,
        "operator-already-bound",
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.post(
            "/v1/brokers", m.gz_operator, {"broker_id": m.buyer.id, "exchange_id": "gzde"}
        ),
        422,
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.post(
            "/v1/brokers", m.gz_operator, {"broker_id": m.broker.id, "exchange_id": "szdex"}
        ),
        403,
        "not-exchange-operator",
    )
    await refused_unchanged(
        m.runtime,
        lambda: m.post(
            "/v1/brokers", m.gz_operator, {"broker_id": m.broker.id, "exchange_id": "gzde"}
        ),
        409,
        "broker-already-licensed",
    )
    brokers = await m.ok(m.get("/v1/brokers", m.person, exchange_id="gzde"))
    assert [b["broker_id"] for b in brokers["items"]] == [m.broker.id]
    # Guangzhou caps commissions at 500 bp; a mandate above it is refused with the rule.
    body = await refused_unchanged(
        m.runtime,
        lambda: m.post(
            "/v1/mandates",
            m.person,
            {
                "broker_id": m.broker.id,
                "exchange_ids": ["gzde"],
                "actions": ["buy"],
                "spending_limit_fen": 100_000,
                "commission_bp": 600,
                "expires_at": (m.clock.now() + timedelta(days=1)).isoformat(),
            },
        ),
        409,
        "commission-above-cap",
    )
    assert "500 bp" in body["rule"]
    unlicensed = await make_participant(Role.BROKER)
    await refused_unchanged(
        m.runtime,
        lambda: m.post(
            "/v1/mandates",
            m.person,
            {
                "broker_id": unlicensed.id,
                "exchange_ids": ["szdex"],
                "actions": ["buy"],
                "spending_limit_fen": 100_000,
                "commission_bp": 100,
                "expires_at": (m.clock.now() + timedelta(days=1)).isoformat(),
            },
        ),
        409,
        "broker-not-licensed",
    )
    mandate = await m.mandate(m.person)
    assert_problem(await m.get(f"/v1/mandates/{mandate['id']}", m.rival), 404, "mandate-not-found")
    assert_problem(await m.post(f"/v1/mandates/{mandate['id']}/revoke", m.broker), 403)
    mine = await m.ok(m.get("/v1/mandates", m.broker))
    assert [x["id"] for x in mine["items"]] == [mandate["id"]]


async def test_a_listing_under_review_is_private_until_approved(market: Market) -> None:
    m = market
    r = await m.post("/v1/listings", m.seller, m.listing_body("electricity", ["gzde"]))
    listing = r.json()
    path = f"/v1/listings/{listing['id']}"
    assert_problem(await m.get(path, m.rival), 404, "listing-not-found")
    assert (await m.get(path, m.gz_operator)).status_code == 200
    assert (await m.get(path, m.regulator)).status_code == 200
    public = await m.ok(m.get("/v1/listings", m.rival))
    assert public["total"] == 0
    own = await m.ok(m.get("/v1/listings", m.seller, include_inactive="true"))
    assert [i["id"] for i in own["items"]] == [listing["id"]]
    await refused_unchanged(
        m.runtime,
        lambda: m.post(f"{path}/venues/gzde/review", m.sz_operator, {"approve": True}),
        403,
    )
    await refused_unchanged(
        m.runtime, lambda: m.order(m.buyer, listing, exchange_id="gzde"), 404, "listing-not-found"
    )
    rejected = await m.ok(
        m.post(
            f"{path}/venues/gzde/review", m.gz_operator, {"approve": False, "reason": "描述不清"}
        )
    )
    assert rejected["venues"][0]["status"] == "rejected"
    assert_problem(await m.get(path, m.rival), 404)


async def test_market_stats_filter_by_exchange(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ["gzde", "szdex"], [tier(price_fen=100_000)])
    await m.buy(m.buyer, listing, exchange_id="gzde")
    await m.buy(m.rival, listing, exchange_id="szdex")
    await m.buy(m.hk_buyer, listing, exchange_id="szdex")
    stats = await m.ok(m.get("/v1/market/stats", m.person, exchange_id="szdex"))
    assert [s["exchange_id"] for s in stats["exchanges"]] == ["szdex"]
    assert stats["overall"]["trades"] == 2 and stats["overall"]["buyers"] == 2
    assert stats["exchanges"][0]["turnover_share"] == 1.0
    assert stats["product_form_indices"][0]["product_form"] == "dataset"
    assert_problem(await m.get("/v1/market/stats", m.person, exchange_id="x"), 404)
    everything = await m.ok(m.get("/v1/market/stats", m.person))
    shares = {s["exchange_id"]: s["turnover_share"] for s in everything["exchanges"]}
    assert abs(shares["gzde"] - 1 / 3) < 1e-9 and abs(shares["szdex"] - 2 / 3) < 1e-9
    later = await m.ok(
        m.get(
            "/v1/market/stats",
            m.person,
            since=(m.clock.now() + timedelta(seconds=1)).isoformat(),
        )
    )
    assert later["overall"]["trades"] == 0 and later["price_index"] == []


async def test_comparable_prices_for_market_valuation(market: Market) -> None:
    m = market
    cheap = await m.list("electricity", ["szdex"], [tier(price_fen=100_000)])
    await m.buy(m.buyer, cheap)
    # Relisted at a higher price: one listing of an asset per exchange, so delisted first.
    await m.ok(m.post(f"/v1/listings/{cheap['id']}/delist", m.seller, {}))
    dear = await m.list("electricity", ["szdex"], [tier(price_fen=300_000)])
    await m.buy(m.rival, dear)
    report = await m.list("logistics", ["szdex"], [tier(price_fen=900_000)])
    await m.buy(m.buyer, report)
    async with m.runtime.unit_of_work(write=False) as session:
        ctx = m.runtime.context(session)
        datasets = await stats_service.comparable_prices(
            ctx, product_form="dataset", grade="general"
        )
        reports = await stats_service.comparable_prices(ctx, product_form="report", grade="general")
        none = await stats_service.comparable_prices(ctx, product_form="api", grade="important")
    assert sorted(datasets) == [100_000, 300_000]
    assert reports == [900_000] and none == []


async def test_instructors_do_not_oversee_the_main_market(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    instructor = await make_participant(Role.INSTRUCTOR, name="数据要素市场课程教师")
    listing = await m.list("electricity", ["szdex"])
    order = await m.buy(m.buyer, listing)
    mandate = await m.mandate(m.person)
    credit = await m.list("credit", ["szdex"], [tier(price_fen=300_000)])
    waiting = await m.buy(m.hk_buyer, credit, legal_basis="standard_contract")
    private = {
        f"/v1/orders/{order['id']}": "order-not-found",
        f"/v1/trades/{order['trade']['id']}": "trade-not-found",
        f"/v1/licences/{order['licence']['id']}": "licence-not-found",
        f"/v1/mandates/{mandate['id']}": "mandate-not-found",
        f"/v1/customs/cases/{waiting['customs_case']['id']}": "customs-case-not-found",
    }
    for path, slug in private.items():
        assert_problem(await m.get(path, instructor), 404, slug)
        assert (await m.get(path, m.regulator)).status_code == 200, path
    for path in ("/v1/orders", "/v1/trades", "/v1/licences", "/v1/mandates", "/v1/customs/cases"):
        assert (await m.ok(m.get(path, instructor)))["total"] == 0, path
        assert (await m.ok(m.get(path, m.regulator)))["total"] >= 1, path
