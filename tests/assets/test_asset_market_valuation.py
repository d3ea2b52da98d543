"""The market method over HTTP: comparables are the exchanges' settled trades."""

from __future__ import annotations

import hashlib
from typing import Any

from support_assets import Registry
from trading.support_trading import file_delivery, tier

from exchange.vocabulary import Role
from support import Actor, MakeParticipant


async def _sell(
    registry: Registry, buyer: Actor, package: bytes, price_fen: int, **asset: Any
) -> dict[str, Any]:
    """Register an asset whose package is `package`, list it on Shenzhen and sell it once."""
    fingerprint = hashlib.sha256(package).hexdigest()
    registered = await registry.register(fingerprint=fingerprint, **asset)
    await _trade(registry, buyer, registered, package, price_fen)
    return registered


async def _trade(
    registry: Registry, buyer: Actor, asset: dict[str, Any], package: bytes, price_fen: int
) -> None:
    client = registry.client
    r = await client.post(
        "/v1/listings",
        json={
            "asset_id": asset["id"],
            "title": asset["name"],
            "description": f"{asset['name']}：按月更新",
            "venues": ["szdex"],
            "tiers": [tier(price_fen=price_fen)],
            "delivery": file_delivery(package),
        },
        headers=registry.holder.auth,
    )
    assert r.status_code == 201, r.text
    listing = r.json()
    r = await client.post(
        "/v1/orders",
        json={
            "listing_id": listing["id"],
            "tier_id": listing["tiers"][0]["id"],
            "exchange_id": "szdex",
        },
        headers=buyer.auth,
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "settled"
    # Sold once: delisted, so that the asset may be listed again (once per exchange).
    r = await client.post(
        f"/v1/listings/{listing['id']}/delist", json={}, headers=registry.holder.auth
    )
    assert r.status_code == 200, r.text


async def test_market_method_values_from_settled_trades(
    registry: Registry, make_participant: MakeParticipant
) -> None:
    buyer = await make_participant(Role.ENTERPRISE, name="佛山制造有限公司", balance_fen=10**8)
    rival = await make_participant(Role.ENTERPRISE, name="东莞电子有限公司", balance_fen=10**8)
    package = "月份,行业,区县,指数\n2026-10,制造业,番禺,103.2\n".encode()
    subject = await registry.register(fingerprint=hashlib.sha256(package).hexdigest())
    assert (subject["product_form"], subject["grade"]) == ("indicator", "general")
    url = f"/v1/assets/{subject['id']}/valuations"

    async def market_value() -> dict[str, Any]:
        r = await registry.client.post(
            url, json={"method": "market"}, headers=registry.reviewer_a.auth
        )
        assert r.status_code == 201, r.text
        report: dict[str, Any] = r.json()
        return report

    # Before any trade the market method says no comparables exist.
    before = await market_value()
    assert before["value_fen"] is None and before["conclusion"] == "no_comparables"
    assert before["inputs"] == {"comparable_prices_fen": []}

    traffic = "路段,时段,车流量\n深南大道,早高峰,8800\n".encode()
    peer = await _sell(registry, buyer, traffic, 200_000, name="深圳市交通流量指标")
    await _trade(registry, rival, peer, traffic, 400_000)
    # Not comparable: another product form, another grade, and the asset's own trade.
    await _sell(registry, buyer, b"quarter,index\n2026Q3,51.8\n", 9_000_000, product_form="report")
    await _sell(registry, buyer, b"rows\n", 7_000_000, name="重要指标", grade="important")
    await _trade(registry, buyer, subject, package, 5_000_000)

    after = await market_value()
    assert after["conclusion"] == "valued"
    assert after["value_fen"] == 300_000  # the median of the two comparable trades
    assert sorted(after["inputs"]["comparable_prices_fen"]) == [200_000, 400_000]
    assert after["details"] == {"comparables": 2, "min_fen": 200_000, "max_fen": 400_000}
    shown = await registry.client.get(f"/v1/assets/{subject['id']}", headers=registry.holder.auth)
    assert shown.json()["latest_valuation"]["id"] == after["id"]
