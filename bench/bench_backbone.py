"""Write requests that append audit entries vs /health, through a real server.

Usage: python bench/bench_backbone.py [--requests N] [--postgres URL] [--workers N]
Prints requests/s for sequential and 32-client transfers beside /health on the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from _server import Server, pct, postgres_database, rate, running_server


def measure(server: Server, label: str, n: int) -> None:
    payer = server.key("enterprise")
    payee = next(k["id"] for k in server.keys if k["role"] == "individual")
    headers = {"Authorization": f"Bearer {payer}"}

    async def transfer(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post(
            "/v1/transfers",
            json={"to_participant_id": payee, "amount_fen": 1, "memo": f"bench {i}"},
            headers=headers,
        )

    async def health(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.get("/health")

    async def run() -> None:
        for name, fn in (("health", health), ("transfer", transfer)):
            for conc in (1, 32):
                await rate(fn, base_url=server.url, total=max(50, n // 10), concurrency=conc)
                rps, lat = await rate(fn, base_url=server.url, total=n, concurrency=conc)
                print(
                    f"{label:<22} {name:<9} clients={conc:<3} {rps:9.0f} req/s   "
                    f"p50={pct(lat, 50) * 1000:6.1f} ms  p95={pct(lat, 95) * 1000:6.1f} ms",
                    flush=True,
                )

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--postgres", default=os.environ.get("EXCHANGE_TEST_POSTGRES_URL", ""))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with running_server(None) as server:
        measure(server, "sqlite (1 worker)", args.requests)
    if args.postgres:
        with postgres_database(args.postgres) as url, running_server(url, args.workers) as server:
            measure(server, f"postgresql ({args.workers} workers)", args.requests)
    else:
        print("postgresql: skipped (pass --postgres URL or set EXCHANGE_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
