"""kill -9 under concurrent purchases, with group commit on: no acknowledged order is lost.

A real `exchange serve` (SQLite: one process, its writers sharing commits; PostgreSQL: two
workers, releasing the log head's lock before the WAL flush) takes purchases from many
clients at once and is killed with SIGKILL mid-stream. After a restart every order the
server acknowledged is there, with its trade, and the audit log verifies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from support import free_port, served

PG_ENV = "EXCHANGE_TEST_POSTGRES_URL"
BUYERS = 8
CLIENTS = 48
ACKED = 150


async def _pg_database(base: str, name: str, sql: str) -> None:
    engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql.format(name=name)))
    await engine.dispose()


async def _setup(url: str, keys: list[dict[str, str]]) -> tuple[list[dict[str, str]], dict]:
    admin = {"Authorization": f"Bearer {next(k for k in keys if k['role'] == 'admin')['api_key']}"}
    buyers = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for i in range(BUYERS):
            r = await client.post(
                "/v1/participants",
                json={"name": f"断电买方 crash buyer {i}", "role": "enterprise"},
                headers=admin,
            )
            assert r.status_code == 201, r.text
            created = r.json()
            r = await client.post(
                f"/v1/accounts/{created['participant']['id']}/deposits",
                json={"amount_fen": 10**12, "memo": "crash test"},
                headers=admin,
            )
            assert r.status_code in (200, 201), r.text
            buyers.append({"Authorization": f"Bearer {created['api_key']['api_key']}"})
        r = await client.get("/v1/listings", params={"exchange_id": "szdex"}, headers=buyers[0])
        assert r.status_code == 200, r.text
    tiers = [
        (t["price_fen"], listing["id"], t["id"])
        for listing in r.json()["items"]
        for t in listing["tiers"]
        if not t["exclusive"]
    ]
    _, listing_id, tier_id = min(tiers)
    return buyers, {"listing_id": listing_id, "tier_id": tier_id, "exchange_id": "szdex"}


async def _buy_until_killed(
    url: str,
    buyers: list[dict[str, str]],
    order: dict,
    acked: dict[str, int],
    enough: asyncio.Event,
    kill: asyncio.Event,
) -> None:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def loop(i: int) -> None:
            while not kill.is_set():
                try:
                    r = await client.post("/v1/orders", json=order, headers=buyers[i % BUYERS])
                except httpx.TransportError:
                    return  # the server died under this request: never acknowledged
                assert r.status_code == 201, r.text
                acked[r.json()["id"]] = i % BUYERS
                if len(acked) >= ACKED:
                    enough.set()

        try:
            await asyncio.gather(*(loop(i) for i in range(CLIENTS)))
        finally:
            enough.set()  # also when a purchase failed: the test then reports why


async def _serve_and_kill(
    env: dict[str, str], tmp_path: Path, workers: int, keys: list[dict[str, str]]
) -> tuple[list[dict[str, str]], dict[str, int]]:
    """Serve, buy from many clients at once, SIGKILL the server mid-stream: the acks."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (tmp_path / "killed.log").open("w") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "exchange.cli", "serve", "--host", "127.0.0.1", "--port",
            str(port), "--workers", str(workers), "--log-level", "warning",
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=url, timeout=1) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                await asyncio.sleep(0.2)
        buyers, order = await _setup(url, keys)
        acked: dict[str, int] = {}
        enough, kill = asyncio.Event(), asyncio.Event()
        buying = asyncio.create_task(_buy_until_killed(url, buyers, order, acked, enough, kill))
        await enough.wait()
        os.killpg(proc.pid, signal.SIGKILL)  # the server and every worker, mid-stream
        kill.set()
        await buying
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
    return buyers, acked


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_kill_9_under_concurrent_purchases_loses_no_acknowledged_order(
    backend: str, tmp_path: Path
) -> None:
    base_pg = os.environ.get(PG_ENV, "")
    if backend == "postgresql" and not base_pg:
        pytest.skip(f"PostgreSQL tests are off: set {PG_ENV}")
    env = dict(os.environ, EXCHANGE_DATA_DIR=str(tmp_path))
    pg_name = f"exchange_crash_{uuid.uuid4().hex[:8]}"
    if backend == "postgresql":
        await _pg_database(base_pg, pg_name, 'CREATE DATABASE "{name}"')
        env["EXCHANGE_DATABASE_URL"] = base_pg.rsplit("/", 1)[0] + "/" + pg_name
    else:
        env["EXCHANGE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'exchange.db'}"
    workers = 2 if backend == "postgresql" else 1
    try:
        keys_path = tmp_path / "keys.json"
        demo = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "exchange.cli", "demo", "--no-serve", "--keys-out",
            str(keys_path), env=env, stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert await demo.wait() == 0
        keys = json.loads(keys_path.read_text())
        buyers, acked = await _serve_and_kill(env, tmp_path, workers, keys)
        assert len(acked) >= ACKED

        restarted = served(env, tmp_path / "restarted.log", workers=workers)
        async with restarted as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
            for order_id, buyer in acked.items():
                r = await client.get(f"/v1/orders/{order_id}", headers=buyers[buyer])
                assert r.status_code == 200, f"acknowledged order {order_id} lost: {r.text}"
                assert r.json()["status"] == "settled", r.json()
            admin = next(k for k in keys if k["role"] == "admin")["api_key"]
            r = await client.get("/v1/audit/verify", headers={"Authorization": f"Bearer {admin}"})
            assert r.status_code == 200, r.text
            assert r.json()["ok"], r.json()["problems"]
    finally:
        if backend == "postgresql":
            await _pg_database(base_pg, pg_name, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
