"""The demo market lists data products ready to buy; the `exchange trading` commands."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from exchange.cli import app
from exchange.context import Runtime
from exchange.seed.demo import seed_demo
from exchange.seed.products import DEMO_PRODUCTS
from exchange.trading.listings.models import Listing


async def test_demo_lists_products_ready_to_buy(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    person = next(k for k in keys if k.role == "individual")
    auth = {"Authorization": f"Bearer {person.api_key}"}
    listed = (await client.get("/v1/listings", headers=auth)).json()
    listable = len([p for p in DEMO_PRODUCTS if p.venues])
    assert listed["total"] == listable
    venues = {v["exchange_id"]: v for i in listed["items"] for v in i["venues"]}
    assert venues["gzde"]["status"] == "active" and venues["gzde"]["base_id"] == "gzde-foshan"
    product = next(i for i in listed["items"] if len(i["venues"]) == 2)
    trial = next(t for t in product["tiers"] if t["term_days"] == 30)
    r = await client.post(
        "/v1/orders",
        json={"listing_id": product["id"], "tier_id": trial["id"], "exchange_id": "szdex"},
        headers=auth,
    )
    assert r.status_code == 201, r.text
    licence = r.json()["licence"]["id"]
    package = await client.get(f"/v1/licences/{licence}/delivery", headers=auth)
    assert hashlib.sha256(package.content).hexdigest() == product["delivery"]["sha256"]
    broker = next(k for k in keys if k.role == "broker")
    brokers = (await client.get("/v1/brokers", params={"exchange_id": "gzde"}, headers=auth)).json()
    assert [b["broker_id"] for b in brokers["items"]] == [broker.id]
    await seed_demo(runtime)
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Listing)) == listable


async def test_demo_offers_a_policy_limited_and_a_compute_only_product(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    person = next(k for k in keys if k.role == "individual")
    auth = {"Authorization": f"Bearer {person.api_key}"}
    listed = (await client.get("/v1/listings", params={"limit": 100}, headers=auth)).json()
    tiers = {t["name"]: (i, t) for i in listed["items"] for t in i["tiers"]}
    _, limited = tiers["信贷风控版 credit (policy-limited)"]
    assert "使用目的：信贷评估、风险控制" in limited["policy_labels"]
    listing, compute = tiers["隐私计算版 compute only"]
    assert compute["policy"]["access"] == "compute"
    r = await client.post(
        "/v1/orders",
        json={"listing_id": listing["id"], "tier_id": compute["id"], "exchange_id": "szdex"},
        headers=auth,
    )
    assert r.status_code == 201, r.text
    licence = r.json()["licence"]
    t = await client.post(
        f"/v1/licences/{licence['id']}/transfers", json={"purpose": "research"}, headers=auth
    )
    assert t.status_code == 201, t.text
    url = f"/v1/transfers/{t.json()['id']}/computations"
    query = {"aggregate": "mean", "measure": "贷款余额（万元）", "group_by": ["地市"]}
    answer = (await client.post(url, json=query, headers=auth)).json()["answer"]
    # The big cities are answered; the smallest (fewer than ten loans) are suppressed.
    assert {"广州市", "深圳市"} <= {c["group"]["地市"] for c in answer["cells"]}
    assert answer["suppressed_cells"] >= 2 and "云浮市" not in str(answer)
    raw = await client.get(f"/v1/transfers/{t.json()['id']}/data", headers=auth)
    assert raw.status_code == 409 and raw.json()["clause"] == "access"


def test_trading_commands_show_exchanges_and_market_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    shown = runner.invoke(app, ["trading", "exchanges"])
    assert shown.exit_code == 0, shown.output
    assert "广州数据交易所" in shown.output and "深圳数据交易所" in shown.output
    assert "佛山服务基地" in shown.output
    stats = runner.invoke(app, ["trading", "stats", "--exchange-id", "szdex"])
    assert stats.exit_code == 0, stats.output
    assert "szdex" in stats.output and "gzde" not in stats.output


async def test_listings_filter_by_a_price_range_of_their_tiers(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    person = next(k for k in keys if k.role == "individual")
    auth = {"Authorization": f"Bearer {person.api_key}"}
    everything = (await client.get("/v1/listings", headers=auth)).json()
    low, high = 100_000, 500_000
    inside = await client.get(
        "/v1/listings", params={"min_price_fen": low, "max_price_fen": high}, headers=auth
    )
    assert inside.status_code == 200, inside.text
    expected = {
        item["id"]
        for item in everything["items"]
        if any(low <= t["price_fen"] <= high for t in item["tiers"])
    }
    assert {item["id"] for item in inside.json()["items"]} == expected
    assert inside.json()["total"] == len(expected)
    assert 0 < len(expected) < everything["total"]
    above = await client.get("/v1/listings", params={"min_price_fen": 10**16}, headers=auth)
    assert above.status_code == 422  # beyond any amount a request may carry
