"""The synchronous client against a served app, as from a notebook: the demo market's keys."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from exchange.app import create_app
from exchange.client import Client, Forbidden, Unauthenticated
from exchange.config import Settings
from exchange.context import Runtime
from exchange.migrate import upgrade
from exchange.seed.demo import seed_demo


def _demo_keys(settings: Settings) -> dict[str, str]:
    async def prepare() -> list[dict[str, Any]]:
        runtime = Runtime.from_settings(settings)
        try:
            await upgrade(runtime.engine)
            return [key.as_json() for key in await seed_demo(runtime)]
        finally:
            await runtime.engine.dispose()

    keys = asyncio.run(prepare())
    by_role: dict[str, str] = {}
    for key in keys:
        by_role.setdefault(key["role"], key["api_key"])
    return by_role


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The app on a real port, in a thread with its own event loop."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def test_the_sync_client_reads_pages_and_raises_problems(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    )
    keys = _demo_keys(settings)
    with served(settings) as url, httpx.Client(base_url=url, timeout=30) as http:
        enterprise = Client(api_key=keys["enterprise"], http=http)
        assert enterprise.participants.me().role == "enterprise"
        exchanges = enterprise.trading.exchanges()
        assert {e.id for e in exchanges.items} >= {"gzde", "szdex"}
        listings = list(enterprise.paginate(enterprise.trading.listings, limit=1))
        assert len(listings) == enterprise.trading.listings().total > 1
        with pytest.raises(Forbidden):
            enterprise.participants.create_participant(name="新企业", role="enterprise")
        admin = Client(api_key=keys["admin"], http=http)  # sharing the connection, not the key
        people = list(admin.paginate(admin.participants.list_participants, limit=2))
        assert len(people) == admin.participants.list_participants().total
        with pytest.raises(Forbidden):
            enterprise.participants.list_participants()
        stranger = Client(api_key="gdx_0000000000000000_nope", http=http)
        with pytest.raises(Unauthenticated) as refused:
            stranger.participants.me()
        assert refused.value.type == "/problems/unauthenticated"
        checkpoint = Client(http=http).audit.checkpoint()
        assert isinstance(checkpoint, str) and checkpoint.count("\n") >= 4
