"""Two uvicorn workers: a class's bots trade in every round, whichever worker advanced it.

Runs a real server (`exchange serve --workers 2`) on loopback against a fresh database of the
backend under test. Each "advance" carries its own request id, and the server's JSON log
line for that id names the worker's pid. The test holds a kept-alive connection to each
worker, advances through both until each has started two rounds, and checks that the bots
traded in every round.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from support_classroom import TINY, bearer

from exchange.config import Settings
from exchange.context import Runtime
from exchange.migrate import upgrade
from exchange.participants import service as participants_service
from exchange.vocabulary import Role
from support import served

ROUNDS = 24
MANY_ROUNDS = TINY.replace("rounds = 3\n", f"rounds = {ROUNDS}\n")


@pytest.fixture
async def server(empty_database_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, str, Path]]:
    """(base url, an instructor's key, the server's log) of a two-worker server."""
    env = dict(os.environ)
    env.update(EXCHANGE_DATABASE_URL=empty_database_url, EXCHANGE_DATA_DIR=str(tmp_path))
    env["EXCHANGE_SQLITE_SYNCHRONOUS"] = "NORMAL"
    env.pop("EXCHANGE_SIGNING_KEY_DIR", None)
    runtime = Runtime.from_settings(Settings(database_url=empty_database_url, data_dir=tmp_path))
    try:
        await upgrade(runtime.engine)
        async with runtime.unit_of_work() as session:
            _, _, key = await participants_service.register(
                runtime.context(session),
                name="课程教师 instructor",
                role=Role.INSTRUCTOR,
                jurisdiction="CN",
            )
    finally:
        await runtime.engine.dispose()
    log_path = tmp_path / "server.log"
    async with served(env, log_path, log_level="info") as url:
        yield url, key.secret, log_path


async def _worker_of(log_path: Path, request_id: str) -> int:
    """The pid of the worker that answered a request (from its JSON access log line)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = await asyncio.to_thread(log_path.read_text, encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if request_id not in line or not line.startswith("{"):
                continue
            entry = json.loads(line)
            if entry.get("request_id") == request_id and entry.get("msg") == "request":
                return int(entry["pid"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no log line for request {request_id}")


async def _one_connection_per_worker(url: str, log_path: Path) -> dict[int, httpx.AsyncClient]:
    """A kept-alive connection to each of the two workers, by pid (the kernel deals them out)."""
    pinned: dict[int, httpx.AsyncClient] = {}
    for attempt in range(10):
        batch = [httpx.AsyncClient(base_url=url, timeout=60) for _ in range(8)]
        ids = [f"pin-{os.getpid()}-{attempt}-{n}" for n in range(len(batch))]
        pairs = list(zip(batch, ids, strict=True))
        await asyncio.gather(*(c.get("/health", headers={"X-Request-ID": i}) for c, i in pairs))
        for connection, request_id in pairs:
            pid = await _worker_of(log_path, request_id)
            if pid in pinned:
                await connection.aclose()
            else:
                pinned[pid] = connection
        if len(pinned) == 2:
            return pinned
    raise AssertionError(f"80 connections all went to one worker: {list(pinned)}")


async def test_bots_trade_in_rounds_advanced_through_either_worker(
    server: tuple[str, str, Path],
) -> None:
    url, key, log_path = server
    auth = bearer(key)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        opened = await client.post(
            "/v1/classroom/classes",
            json={"title": "两个进程的课堂", "scenario_toml": MANY_ROUNDS},
            headers=auth,
        )
        assert opened.status_code == 201, opened.text
        class_id = opened.json()["id"]

        async def bot_trades() -> int:
            view = await client.get(f"/v1/classroom/classes/{class_id}", headers=auth)
            assert view.status_code == 200, view.text
            return sum(
                seat["activity"].get("trading.trade_settled", 0)
                for seat in view.json()["seats"]
                if seat["occupant"] == "bot" and seat["role"] == "buyer"
            )

        started = await client.post(f"/v1/classroom/classes/{class_id}/start", headers=auth)
        assert started.status_code == 200, started.text
        before = await bot_trades()
        assert before > 0, "the bots trade in round 1"

        # Which worker started each round (a round begins on the advance that ends the last).
        rounds_by_worker: dict[int, list[int]] = {}
        connections = await _one_connection_per_worker(url, log_path)
        try:
            for round_no in range(2, ROUNDS + 1):
                # Through the worker that has started fewer rounds (the log says which did).
                pinned = min(connections, key=lambda pid: len(rounds_by_worker.get(pid, [])))
                request_id = f"advance-{class_id[:8]}-{round_no}"
                advanced = await connections[pinned].post(
                    f"/v1/classroom/classes/{class_id}/advance",
                    headers={**auth, "X-Request-ID": request_id},
                )
                assert advanced.status_code == 200, advanced.text
                assert advanced.json()["round"] == round_no
                after = await bot_trades()
                worker = await _worker_of(log_path, request_id)
                assert after > before, f"no bot traded in round {round_no} (started by {worker})"
                before = after
                rounds_by_worker.setdefault(worker, []).append(round_no)
                if len(rounds_by_worker) == 2 and min(map(len, rounds_by_worker.values())) >= 2:
                    break
        finally:
            for connection in connections.values():
                await connection.aclose()
        assert len(rounds_by_worker) == 2, f"one worker served every advance: {rounds_by_worker}"
        print(f"rounds started by each worker: {rounds_by_worker}")
