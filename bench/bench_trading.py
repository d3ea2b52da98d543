"""End-to-end posted-price purchases through a real server, beside its /health rate.

Usage: python bench/bench_trading.py [--purchases N] [--postgres URL] [--workers N]
Each purchase is one POST /v1/orders: order, settlement (double-entry postings), licence and
audit entries in one transaction. 32 clients, each buying with its own funded buyer, buy
the demo listing's non-exclusive trial tier on the Shenzhen exchange. Target: purchases per
second at least 0.25 x the /health rate of the same server. For reference it also prints the
rate of plain transfers (the backbone's cheapest audited write) on the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from _server import Server, pct, postgres_database, rate, running_server

CLIENTS = 32
EXCHANGE = "szdex"


async def _buyers(server: Server, count: int = CLIENTS) -> list[dict[str, str]]:
    """`count` funded enterprise buyers (one per client), registered through the admin API."""
    admin = {"Authorization": f"Bearer {server.key('admin')}"}
    buyers = []
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        for i in range(count):
            r = await client.post(
                "/v1/participants",
                json={"name": f"压测买方 bench buyer {i:02d}", "role": "enterprise"},
                headers=admin,
            )
            r.raise_for_status()
            created = r.json()
            buyer_id = created["participant"]["id"]
            r = await client.post(
                f"/v1/accounts/{buyer_id}/deposits",
                json={"amount_fen": 10**13, "memo": "bench"},
                headers=admin,
            )
            r.raise_for_status()
            buyers.append({"Authorization": f"Bearer {created['api_key']['api_key']}"})
    return buyers


async def _offer(server: Server) -> dict[str, str]:
    """The cheapest non-exclusive tier listed on the exchange (the demo's trial tier)."""
    headers = {"Authorization": f"Bearer {server.key('individual')}"}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        r = await client.get("/v1/listings", params={"exchange_id": EXCHANGE}, headers=headers)
        r.raise_for_status()
    tiers = [
        (t["price_fen"], listing["id"], t["id"])
        for listing in r.json()["items"]
        for t in listing["tiers"]
        if not t["exclusive"]
    ]
    if not tiers:
        raise RuntimeError("the demo seeded no non-exclusive listing on Shenzhen")
    _, listing_id, tier_id = min(tiers)
    return {"listing_id": listing_id, "tier_id": tier_id, "exchange_id": EXCHANGE}


async def _trades(server: Server) -> int:
    headers = {"Authorization": f"Bearer {server.key('regulator')}"}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        r = await client.get("/v1/market/stats", params={"exchange_id": EXCHANGE}, headers=headers)
        r.raise_for_status()
    return int(r.json()["overall"]["trades"])


def measure(server: Server, label: str, n: int) -> None:
    async def run() -> None:
        buyers = await _buyers(server)
        order = await _offer(server)

        async def health(client: httpx.AsyncClient, i: int) -> httpx.Response:
            return await client.get("/health")

        async def purchase(client: httpx.AsyncClient, i: int) -> httpx.Response:
            return await client.post("/v1/orders", json=order, headers=buyers[i % CLIENTS])

        payee = next(k["id"] for k in server.keys if k["role"] == "individual")

        async def transfer(client: httpx.AsyncClient, i: int) -> httpx.Response:
            # For reference: the cheapest audited write the backbone offers (one posting pair).
            body = {"to_participant_id": payee, "amount_fen": 1}
            return await client.post("/v1/transfers", json=body, headers=buyers[i % CLIENTS])

        warm = max(64, n // 10)
        await rate(health, base_url=server.url, total=warm, concurrency=CLIENTS)
        health_rps, _ = await rate(health, base_url=server.url, total=n * 4, concurrency=CLIENTS)
        await rate(purchase, base_url=server.url, total=warm, concurrency=CLIENTS)
        before = await _trades(server)
        buy_rps, lat = await rate(purchase, base_url=server.url, total=n, concurrency=CLIENTS)
        settled = await _trades(server) - before
        assert settled == n, f"{settled} trades for {n} purchases"
        transfer_rps, _ = await rate(transfer, base_url=server.url, total=n, concurrency=CLIENTS)
        print(
            f"{label:<24} health {health_rps:8.0f} req/s | purchases {buy_rps:7.0f} /s "
            f"(p50 {pct(lat, 50) * 1000:6.1f} ms, p95 {pct(lat, 95) * 1000:6.1f} ms) | "
            f"ratio {buy_rps / health_rps:5.2f} (target >= 0.25) | {settled} trades settled | "
            f"transfers {transfer_rps:7.0f} /s (purchases/transfers "
            f"{buy_rps / transfer_rps:4.2f})",
            flush=True,
        )

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--purchases", type=int, default=2000)
    parser.add_argument("--postgres", default=os.environ.get("EXCHANGE_TEST_POSTGRES_URL", ""))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with running_server(None) as server:
        measure(server, "sqlite (1 worker)", args.purchases)
    if args.postgres:
        with postgres_database(args.postgres) as url, running_server(url, args.workers) as server:
            measure(server, f"postgresql ({args.workers} workers)", args.purchases)
    else:
        print("postgresql: skipped (pass --postgres URL or set EXCHANGE_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
