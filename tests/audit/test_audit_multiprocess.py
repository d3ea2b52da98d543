"""Two uvicorn workers, thousands of concurrent writes: one unbroken chain, one tree.

Runs a real server (`exchange serve --workers 2`) on loopback against a fresh database of
the backend under test, seeded with the demo market, then checks the log three ways: the
independent chain check, the server's /verify, and the offline verifier command.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from exchange.audit.verifier.files import read_checkpoint_file, verify_file
from exchange.audit.verifier.remote import FRESHNESS_SECONDS
from exchange.cli import app as cli
from exchange.config import Settings
from exchange.context import Runtime
from exchange.migrate import upgrade
from exchange.seed.demo import seed_demo
from support import served
from support_audit import chain_entries

# Override on a slow machine; CI runs the full count.
WRITES = int(os.environ.get("EXCHANGE_TEST_AUDIT_WRITES", "2000"))
CLIENTS = 32
FUNDED = {"enterprise", "individual", "broker", "department", "lender"}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exchange.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
async def server(empty_database_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, dict]]:
    env = dict(os.environ)
    env.update(EXCHANGE_DATABASE_URL=empty_database_url, EXCHANGE_DATA_DIR=str(tmp_path))
    # WAL with synchronous=NORMAL: still atomic and consistent; what is tested here is the
    # interleaving of two writers, not the disk's fsync latency.
    env["EXCHANGE_SQLITE_SYNCHRONOUS"] = "NORMAL"
    env.pop("EXCHANGE_SIGNING_KEY_DIR", None)
    # Seed in process (the same seed_demo as `exchange demo --no-serve`): it saves the
    # command's start-up, and the server then only has to migrate nothing.
    runtime = Runtime.from_settings(Settings(database_url=empty_database_url, data_dir=tmp_path))
    try:
        await upgrade(runtime.engine)
        keys = [key.as_json() for key in await seed_demo(runtime)]
    finally:
        await runtime.engine.dispose()
    async with served(env, tmp_path / "server.log") as url:
        yield url, {"env": env, "keys": keys, "tmp": tmp_path}


async def test_concurrent_writes_from_two_workers_keep_one_chain_and_tree(
    server: tuple[str, dict],
) -> None:
    url, info = server
    keys = info["keys"]
    funded = [k for k in keys if k["role"] in FUNDED]
    regulator = next(k for k in keys if k["role"] == "regulator")
    rng = random.Random(2026)
    plan = []
    for i in range(WRITES):
        payer, payee = rng.sample(funded, 2)
        plan.append((payer["api_key"], payee["id"], i))
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        size_before = await _log_size(client, regulator["api_key"])
        work = iter(plan)

        async def worker() -> None:
            for key, payee, i in work:
                r = await client.post(
                    "/v1/transfers",
                    json={"to_participant_id": payee, "amount_fen": 1, "memo": f"并发 {i}"},
                    headers={"Authorization": f"Bearer {key}"},
                )
                statuses[r.status_code] += 1

        started = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(CLIENTS))), 120)
        print(f"{WRITES} writes in {time.monotonic() - started:.1f} s")
        assert statuses == Counter({201: WRITES})
        before_spends = await _log_size(client, regulator["api_key"])
        overspends = await _fifty_spends_across_workers(client, keys)
        assert overspends == Counter({201: 10, 409: 40}), overspends
        extra = await _log_size(client, regulator["api_key"]) - before_spends

        await asyncio.sleep(FRESHNESS_SECONDS + 0.2)
        auth = {"Authorization": f"Bearer {regulator['api_key']}"}
        report = (await client.get("/v1/audit/verify", headers=auth)).json()
        assert report["ok"] is True, report
        assert report["size"] == size_before + WRITES + extra
        reconciled = (await client.get("/v1/audit/reconcile", headers=auth)).json()
        assert reconciled["ok"] is True, reconciled

    trusted = info["tmp"] / "trusted.txt"
    offline = await asyncio.to_thread(
        _run,
        ["audit", "verify", "--url", url, "--key", regulator["api_key"], "--trusted", str(trusted)],
        info["env"],
    )
    assert offline.returncode == 0, offline.stdout[-3000:] + offline.stderr[-3000:]
    assert read_checkpoint_file(trusted).size == size_before + WRITES + extra

    # The export of a live server verifies offline against its signed checkpoint.
    export, note = info["tmp"] / "log.jsonl", info["tmp"] / "checkpoint.txt"
    exported = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["audit", "export", "--url", url, "--key", regulator["api_key"], "--out", str(export),
         "--checkpoint-out", str(note)],
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    async with httpx.AsyncClient(base_url=url) as client:
        public_key = (await client.get("/v1/audit/public-key")).json()["keys"][0]["public_key"]
    checked = verify_file(
        export, checkpoint_note=note.read_text(encoding="utf-8"), public_keys=[public_key]
    )
    assert checked.ok and checked.entries >= checked.size >= size_before + WRITES + extra

    runtime = Runtime.from_settings(Settings(database_url=info["env"]["EXCHANGE_DATABASE_URL"]))
    try:
        entries = await chain_entries(runtime)
    finally:
        await runtime.engine.dispose()
    assert len(entries) == size_before + WRITES + extra
    memos = [e["payload"].get("memo") for e in entries if e["action"] == "ledger.posted"]
    assert memos.count("超支") == 10  # the refused 40 left no entry behind
    assert sorted(m for m in memos if str(m).startswith("并发")) == sorted(
        f"并发 {i}" for i in range(WRITES)
    )


async def _log_size(client: httpx.AsyncClient, key: str) -> int:
    r = await client.get("/v1/audit/verify", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    return int(r.json()["size"])


async def _fifty_spends_across_workers(client: httpx.AsyncClient, keys: list[dict]) -> Counter[int]:
    """50 simultaneous spends from an account that can afford 10, spread over both workers."""
    admin = {"Authorization": f"Bearer {next(k for k in keys if k['role'] == 'admin')['api_key']}"}
    r = await client.post(
        "/v1/participants", json={"name": "并发付款企业", "role": "enterprise"}, headers=admin
    )
    assert r.status_code == 201, r.text
    spender = r.json()
    r = await client.post(
        f"/v1/accounts/{spender['participant']['id']}/deposits",
        json={"amount_fen": 10 * 700},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    auth = {"Authorization": f"Bearer {spender['api_key']['api_key']}"}
    payee = next(k for k in keys if k["role"] == "individual")["id"]

    async def spend() -> int:
        r = await client.post(
            "/v1/transfers",
            json={"to_participant_id": payee, "amount_fen": 700, "memo": "超支"},
            headers=auth,
        )
        return r.status_code

    statuses = Counter(await asyncio.gather(*(spend() for _ in range(50))))
    me = (await client.get("/v1/accounts/me", headers=auth)).json()
    assert me["balance_fen"] == 0
    return statuses
