"""Every operation that takes an Idempotency-Key says so when it replays (and documents it)."""

from __future__ import annotations

from datetime import timedelta

from support_trading import Market, tier

REPLAYED = "idempotent-replayed"


async def test_every_idempotent_operation_documents_its_replay_header(market: Market) -> None:
    spec = (await market.client.get("/openapi.json")).json()
    keyed = [
        (path, op)
        for path, item in spec["paths"].items()
        for op in item.values()
        if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
    ]
    assert {path for path, _ in keyed} == {
        "/v1/orders",
        "/v1/negotiations/{negotiation_id}/settle",
        "/v1/auctions/{auction_id}/bids",
    }
    for path, op in keyed:
        assert "Idempotent-Replayed" in op["responses"]["201"].get("headers", {}), path


async def test_bids_and_settlements_say_when_they_replay(market: Market) -> None:
    m = market
    key = {"Idempotency-Key": "bid-once"}
    traffic = await m.list("traffic", ["szdex"], [tier(price_fen=1_000_000, exclusive=True)])
    auction = await m.open_auction(traffic, reserve_fen=800_000, duration=timedelta(days=3))
    bids = f"/v1/auctions/{auction['id']}/bids"
    first = await m.post(bids, m.buyer, {"amount_fen": 900_000}, **key)
    assert first.status_code == 201, first.text
    assert REPLAYED not in first.headers
    held = await m.balance(m.buyer)
    again = await m.post(bids, m.buyer, {"amount_fen": 900_000}, **key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers[REPLAYED] == "true" and await m.balance(m.buyer) == held

    report = await m.list("logistics", ["gzde"], [tier(price_fen=500_000)])
    neg = await m.ok(
        m.post(
            "/v1/negotiations",
            m.rival,
            {
                "listing_id": report["id"],
                "tier_id": report["tiers"][0]["id"],
                "exchange_id": "gzde",
                "price_fen": 450_000,
            },
        ),
        201,
    )
    path = f"/v1/negotiations/{neg['id']}"
    await m.ok(m.post(f"{path}/offer", m.seller, {"price_fen": 450_000}))
    await m.ok(m.post(f"{path}/accept", m.rival, {}))
    await m.ok(m.post(f"{path}/agree", m.seller, {}))
    key = {"Idempotency-Key": "settle-once"}
    settled = await m.post(f"{path}/settle", m.rival, {}, **key)
    assert settled.status_code == 201, settled.text
    assert REPLAYED not in settled.headers
    paid = await m.balance(m.rival)
    replay = await m.post(f"{path}/settle", m.rival, {}, **key)
    assert (replay.status_code, replay.json()) == (201, settled.json())
    assert replay.headers[REPLAYED] == "true" and await m.balance(m.rival) == paid
