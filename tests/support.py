"""Helpers shared by the tests: participants with keys, and problem+json assertions."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from exchange.audit.log.models import AuditEntry
from exchange.context import Runtime
from exchange.participants.models import ApiKey, Participant
from exchange.vocabulary import Role


@dataclass
class Actor:
    """A participant in a test, with its key and auth header."""

    id: str
    name: str
    role: Role
    key: str
    account_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


MakeParticipant = Callable[..., Awaitable[Actor]]


def assert_problem(
    response: httpx.Response, status: int, slug: str | None = None
) -> dict[str, Any]:
    """Assert an RFC 9457 problem response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.text
    if slug is not None:
        assert body["type"] == f"/problems/{slug}", body
    return body


async def footprint(runtime: Runtime) -> tuple[int, ...]:
    """Participants, API keys and audit entries stored: a refused request changes none."""
    async with runtime.sessionmaker() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Participant, ApiKey, AuditEntry)
        ]
    return tuple(int(c or 0) for c in counts)


def _tail(path: Path) -> str:
    return path.read_text()[-2000:]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served(
    env: dict[str, str], log_path: Path, *, workers: int = 2, log_level: str = "warning"
) -> AsyncIterator[str]:
    """`exchange serve` with several workers in a subprocess; yields its URL once it answers."""
    port = free_port()
    with log_path.open("w") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "exchange.cli", "serve", "--host", "127.0.0.1", "--port",
            str(port), "--workers", str(workers), "--log-level", log_level,
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=url, timeout=2) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if (await client.get("/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    assert proc.returncode is None, _tail(log_path)
                    assert time.monotonic() < deadline, "server did not start in 60 s"
                    await asyncio.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
