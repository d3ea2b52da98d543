"""Start a real exchange server in a subprocess for benchmarks (loopback only)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server, its base URL and the demo keys it was seeded with."""

    url: str
    keys: list[dict[str, str]]
    database_url: str
    pid: int = 0  # the server process (benchmarks that sample its memory)
    ready_seconds: float = 0.0  # from start until /health/ready first answered

    def key(self, role: str) -> str:
        return next(k["api_key"] for k in self.keys if k["role"] == role)


@contextlib.contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A throwaway PostgreSQL database for one benchmark run."""
    name = f"exchange_bench_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        engine = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _wait_until_quiet(pid: int, deadline: float) -> None:
    """Wait until the server's workers stop burning CPU (each finished its start-up)."""
    last = -1
    while time.monotonic() < deadline:
        ticks = _cpu_ticks(_children(pid))
        if ticks == last:
            return
        last = ticks
        time.sleep(1.0)


@contextlib.contextmanager
def serving(
    database_url: str,
    data_dir: str | Path,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    keys: list[dict[str, str]] | None = None,
    start_timeout: float = 60,
) -> Iterator[Server]:
    """Serve an existing database (migrated) with uvicorn; stop it afterwards.

    Ready when /health/ready answers and, with several workers, when the workers have gone
    quiet (each runs its start-up log verification before it accepts a connection).
    """
    full_env = {**os.environ, **(env or {})}
    full_env["EXCHANGE_DATA_DIR"] = str(data_dir)
    full_env["EXCHANGE_DATABASE_URL"] = database_url
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "exchange.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        deadline = started + start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                _, err = proc.communicate()
                raise RuntimeError(f"server exited: {err.decode()[-2000:]}")
            try:
                if httpx.get(url + "/health/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        ready = time.monotonic() - started
        if workers > 1:
            _wait_until_quiet(proc.pid, deadline)
        yield Server(url, keys or [], database_url, proc.pid, ready)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def running_server(database_url: str | None, workers: int = 1) -> Iterator[Server]:
    """Seed the demo market and serve it with uvicorn; stop it afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env["EXCHANGE_DATA_DIR"] = tmp
        db_url = database_url or f"sqlite+aiosqlite:///{tmp}/exchange.db"
        env["EXCHANGE_DATABASE_URL"] = db_url
        keys_path = Path(tmp) / "keys.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "exchange.cli",
                "demo",
                "--no-serve",
                "--keys-out",
                str(keys_path),
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with serving(db_url, tmp, workers=workers, keys=json.loads(keys_path.read_text())) as s:
            yield s


async def rate(
    make_request: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    *,
    base_url: str,
    total: int,
    concurrency: int,
) -> tuple[float, list[float]]:
    """Requests per second and per-request latencies (s) for `total` requests."""
    latencies: list[float] = []
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for i in counter:
                t0 = time.perf_counter()
                r = await make_request(client, i)
                latencies.append(time.perf_counter() - t0)
                if r.status_code >= 400:
                    raise RuntimeError(f"request failed: {r.status_code} {r.text[:200]}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return total / elapsed, latencies


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (0..100) of values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values)
