"""Server CPU per posted-price purchase, in process, beside an in-process /health loop.

Usage: python bench/bench_purchase_cpu.py [--purchases N] [--runs R] [--postgres URL]
       [--profile FILE] [--statements]

The demo market is seeded into a throwaway database; the app is driven in process through
httpx's ASGI transport (no sockets, no client process), so the process CPU per request is the
server's plus a thin in-process client, the same for /health and for purchases. Each purchase
is one POST /v1/orders of the demo's non-exclusive trial tier on Shenzhen by one of 32 funded
buyers. Prints the CPU per /health and per purchase (median of R runs), their ratio (target
<= 10x), and with --statements the SQL statements one purchase sends.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

sys.path.insert(0, os.path.dirname(__file__))
from _server import postgres_database

BUYERS = 32
EXCHANGE = "szdex"


def seed(tmp: str, database_url: str) -> list[dict[str, str]]:
    """The demo market in `database_url`; the demo's keys."""
    env = dict(os.environ, EXCHANGE_DATA_DIR=tmp, EXCHANGE_DATABASE_URL=database_url)
    keys_path = Path(tmp) / "keys.json"
    subprocess.run(
        [sys.executable, "-m", "exchange.cli", "demo", "--no-serve", "--keys-out", str(keys_path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    keys: list[dict[str, str]] = json.loads(keys_path.read_text())
    return keys


async def cpu_per_call(call: Callable[[int], Awaitable[httpx.Response]], n: int) -> float:
    """Process CPU seconds per call over n sequential calls."""
    t0 = time.process_time()
    for i in range(n):
        r = await call(i)
        if r.status_code >= 400:
            raise RuntimeError(f"{r.status_code} {r.text[:300]}")
    return (time.process_time() - t0) / n


async def run(args: argparse.Namespace, tmp: str, database_url: str) -> None:
    from exchange.app import create_app
    from exchange.config import Settings
    from exchange.context import Runtime

    keys = seed(tmp, database_url)
    settings = Settings(
        database_url=database_url,
        data_dir=Path(tmp),
        due_work_interval_seconds=0,
        audit_check_on_start=False,
        audit_check_seconds=0,
    )
    runtime = Runtime.from_settings(settings)
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    admin = {"Authorization": "Bearer " + next(k["api_key"] for k in keys if k["role"] == "admin")}
    viewer = {
        "Authorization": "Bearer " + next(k["api_key"] for k in keys if k["role"] == "individual")
    }
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        buyers = []
        for i in range(BUYERS):
            r = await client.post(
                "/v1/participants",
                json={"name": f"压测买方 bench buyer {i:02d}", "role": "enterprise"},
                headers=admin,
            )
            r.raise_for_status()
            created = r.json()
            r = await client.post(
                f"/v1/accounts/{created['participant']['id']}/deposits",
                json={"amount_fen": 10**13, "memo": "bench"},
                headers=admin,
            )
            r.raise_for_status()
            buyers.append({"Authorization": f"Bearer {created['api_key']['api_key']}"})
        r = await client.get("/v1/listings", params={"exchange_id": EXCHANGE}, headers=viewer)
        r.raise_for_status()
        _, listing_id, tier_id = min(
            (t["price_fen"], listing["id"], t["id"])
            for listing in r.json()["items"]
            for t in listing["tiers"]
            if not t["exclusive"]
        )
        order = {"listing_id": listing_id, "tier_id": tier_id, "exchange_id": EXCHANGE}

        async def health(i: int) -> httpx.Response:
            return await client.get("/health")

        async def purchase(i: int) -> httpx.Response:
            return await client.post("/v1/orders", json=order, headers=buyers[i % BUYERS])

        await cpu_per_call(health, 200)
        await cpu_per_call(purchase, 100)

        if args.statements:
            statements: list[str] = []

            def listen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
                statements.append(" ".join(statement.split())[:160])

            sync_engine = runtime.engine.sync_engine
            event.listen(sync_engine, "before_cursor_execute", listen)
            await cpu_per_call(purchase, 10)
            event.remove(sync_engine, "before_cursor_execute", listen)
            print(f"statements per purchase: {len(statements) / 10:.1f}")
            for s in statements[: len(statements) // 10]:
                print("   ", s)

        if args.profile == "-":
            # Only purchases, for an outside sampling profiler (py-spy record --subprocesses).
            await cpu_per_call(purchase, args.purchases)
            return
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            await cpu_per_call(purchase, args.purchases)
            profiler.disable()
            profiler.dump_stats(args.profile)
            stats = pstats.Stats(args.profile)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(35)
            return

        healths, purchases = [], []
        for _ in range(args.runs):
            healths.append(await cpu_per_call(health, args.purchases * 2))
            purchases.append(await cpu_per_call(purchase, args.purchases))
        h, p = statistics.median(healths), statistics.median(purchases)
        print(
            f"{runtime.engine.dialect.name:<10} CPU per /health {h * 1000:6.3f} ms | "
            f"per purchase {p * 1000:6.3f} ms | ratio {p / h:5.1f}x (target <= 10x) | "
            f"runs {', '.join(f'{x / y:.1f}' for x, y in zip(purchases, healths, strict=True))}",
            flush=True,
        )
    await runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--purchases", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="")
    parser.add_argument("--profile", default="")
    parser.add_argument("--statements", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            with postgres_database(args.postgres) as url:
                asyncio.run(run(args, tmp, url))
        else:
            asyncio.run(run(args, tmp, f"sqlite+aiosqlite:///{tmp}/exchange.db"))


if __name__ == "__main__":
    main()
