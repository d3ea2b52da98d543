"""Benchmark of the public-data catalog at province scale (一数一源一标准, issue 4).

Generates the synthetic catalog (`exchange catalog generate`) into a fresh SQLite file
(and, with --postgres URL, into a PostgreSQL database it creates and drops), starts the
real server (uvicorn, one worker, on a free 127.0.0.1 port) and prints the generation time
and the HTTP p50/p95 of search (one-word English, two-character Chinese, faceted and empty
queries) and of item reads. Loopback traffic only; every loop is bounded.

    python bench/bench_catalog.py [--departments 4055] [--items 121600] [--seed 2022]
        [--searches 800] [--reads 400] [--postgres postgresql+asyncpg://USER@HOST:5432/DB]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from exchange import wiring
from exchange.catalog.items.models import CatalogItem
from exchange.catalog.search import facets
from exchange.config import Settings
from exchange.context import Runtime
from exchange.database import unit_of_work
from exchange.participants import service as participants_service
from exchange.vocabulary import Role

wiring.install()

ENGLISH = (
    "social",
    "insurance",
    "enterprise",
    "license",
    "medical",
    "vehicle",
    "tax",
    "school",
    "permit",
    "statistics",
    "registration",
    "housing",
    "pension",
    "water",
    "price",
)
CHINESE = (
    "社保",
    "医保",
    "户籍",
    "企业",
    "公积",
    "不动",
    "学籍",
    "税务",
    "车辆",
    "养老",
    "药品",
    "证照",
    "环评",
    "婚姻",
    "就业",
)
CITIES = facets.CITY_CODES  # Guangdong and its 21 prefecture cities
FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("city", CITIES),
    ("grade", facets.GRADES),
    ("sharing", facets.SHARINGS),
    ("opening", facets.OPENINGS),
    ("level", ("province", "city", "county")),
    ("usage", ("api", "file", "query", "privacy_computing")),
)


@dataclass
class Timings:
    """Latencies in milliseconds by kind of request."""

    by_kind: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, ms: float) -> None:
        self.by_kind.setdefault(kind, []).append(ms)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A PostgreSQL database of our own for one run, dropped afterwards."""
    name = f"bench_catalog_{uuid.uuid4().hex[:8]}"

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


def generate(env: dict[str, str], args: argparse.Namespace) -> float:
    """Run `exchange catalog generate`; returns its own figure of seconds."""
    command = [
        sys.executable,
        "-m",
        "exchange.cli",
        "catalog",
        "generate",
        "--departments",
        str(args.departments),
        "--items",
        str(args.items),
        "--seed",
        str(args.seed),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"generation failed:\n{done.stdout}\n{done.stderr}")
    found = re.search(r"generated in ([0-9.]+) s", done.stdout)
    print(f"  generation (incl. migrating, process start): {wall:.1f} s wall")
    return float(found.group(1)) if found else wall


async def prepare(database_url: str, reads: int, seed: int) -> tuple[str, list[str]]:
    """An API key for the benchmark and a sample of item ids to read."""
    runtime = Runtime.from_settings(Settings(database_url=database_url))
    try:
        async with unit_of_work(runtime.sessionmaker) as session:
            _, _, key = await participants_service.register(
                runtime.context(session),
                name="基准测试 bench",
                role=Role.ENTERPRISE,
                jurisdiction="CN",
            )
        async with runtime.sessionmaker() as session:
            ids = list((await session.scalars(select(CatalogItem.id))).all())
    finally:
        await runtime.engine.dispose()
    rng = random.Random(seed)
    return key.secret, rng.sample(ids, min(reads, len(ids)))


def search_mix(count: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """The query mix: a quarter each of English, Chinese, faceted and empty searches."""
    rng = random.Random(seed)
    mix: list[tuple[str, dict[str, Any]]] = []
    for i in range(count):
        kind = ("english", "chinese", "faceted", "empty")[i % 4]
        if kind == "english":
            mix.append((kind, {"q": rng.choice(ENGLISH)}))
        elif kind == "chinese":
            mix.append((kind, {"q": rng.choice(CHINESE)}))
        elif kind == "faceted":
            name, values = rng.choice(FILTERS)
            params: dict[str, Any] = {name: rng.choice(values)}
            if rng.random() < 0.5:
                params["q"] = rng.choice(CHINESE + ENGLISH)
            else:
                params["city"] = rng.choice(CITIES)
            mix.append((kind, params))
        else:
            mix.append((kind, {"offset": 20 * rng.randint(0, 49)}))
    return mix


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "exchange.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(base: str, key: str, item_ids: list[str], args: argparse.Namespace) -> Timings:
    timings = Timings()
    mix = search_mix(args.searches, args.seed)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
        for _kind, params in mix[:40]:  # warm-up, not counted
            c.get("/v1/catalog/search", params=params)
        for kind, params in mix:
            started = time.perf_counter()
            r = c.get("/v1/catalog/search", params=params)
            timings.add(kind, (time.perf_counter() - started) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"search {params} answered {r.status_code}: {r.text[:300]}")
        # The floor on this machine: an authenticated request doing one small query.
        for _ in range(len(item_ids)):
            started = time.perf_counter()
            c.get("/v1/participants/me")
            timings.add("floor (auth only)", (time.perf_counter() - started) * 1000)
        for item_id in item_ids:
            started = time.perf_counter()
            r = c.get(f"/v1/catalog/items/{item_id}")
            timings.add("item read", (time.perf_counter() - started) * 1000)
            if r.status_code != 200:
                raise SystemExit(f"item read answered {r.status_code}")
        sample = c.get("/v1/catalog/search", params={"q": "社保"}).json()
        print(f"  '社保' finds {sample['total']:,} items, e.g. {sample['items'][0]['name_zh']}")
    return timings


def report(label: str, seconds: float, timings: Timings) -> None:
    print(f"\n{label}: generation {seconds:.1f} s")
    print(f"  {'requests':<22}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    searches = [
        ms
        for kind, v in timings.by_kind.items()
        if kind in {"english", "chinese", "faceted", "empty"}
        for ms in v
    ]
    rows = [*timings.by_kind.items(), ("search (all)", searches)]
    for kind, values in rows:
        print(
            f"  {kind:<22}{len(values):>6}{statistics.median(values):>10.1f}"
            f"{percentile(values, 95):>10.1f}{max(values):>10.1f}"
        )


def run(label: str, database_url: str, data_dir: Path, args: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "EXCHANGE_DATABASE_URL": database_url,
        "EXCHANGE_DATA_DIR": str(data_dir),
    }
    print(f"{label}: generating {args.departments:,} departments, {args.items:,} items ...")
    seconds = generate(env, args)
    key, item_ids = asyncio.run(prepare(database_url, args.reads, args.seed))
    with server(env) as base:
        timings = measure(base, key, item_ids, args)
    report(label, seconds, timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--departments", type=int, default=4055)
    parser.add_argument("--items", type=int, default=121_600)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--searches", type=int, default=800)
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a database is created under it")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    try:
        if not args.skip_sqlite:
            run("SQLite", f"sqlite+aiosqlite:///{workdir / 'catalog.db'}", workdir, args)
        if args.postgres:
            with postgres_database(args.postgres) as url:
                run("PostgreSQL", url, workdir, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
