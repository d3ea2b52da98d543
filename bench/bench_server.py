"""The server's rows of the speed table (issue 17): CPU per purchase, purchases/s, audit appends.

Usage: python bench/bench_server.py [--postgres URL] [--quick]

Load comes from Debian's `wrk` (C, epoll; a Lua script sends every purchase with a unique
Idempotency-Key, rotating 64 funded buyers' keys), so the client is not what is measured: its
CPU per request is printed beside the server's. Server CPU is utime+stime from /proc of the
server's whole process tree (uvicorn forks workers), read before and after a run once the
server is idle again, divided by the requests the server handled.

Rows (each a ratio to an anchor measured in the same run, on the same server or database):
1. server CPU per purchase (POST /v1/orders) vs per GET /health, 16 connections, <= 10x;
2. purchases/s vs /health req/s, 64 connections, SQLite, >= 0.3x;
3. purchases/s on PostgreSQL with 2 workers vs 1 worker (printed: it should grow);
4. durable audit appends/s with one entry per unit of work, 64 concurrent units of work (each
   opens an account: one INSERT and its one audit entry) vs batches of 1,000 entries per
   transaction, >= 0.25x;
5. durable audit appends/s in batches of 1,000 vs pymerkle's in-memory appends, >= 0.5x.
After every purchase run the trades settled (GET /v1/market/stats) must equal the purchases
acknowledged: the requests still in flight when wrk stopped are sent again with the same
Idempotency-Key, and the count must then match exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bench_audit
import bench_trading
from _rows import Row, print_rows
from _server import Server, postgres_database, running_server

from exchange.audit.log import repository as audit_repository
from exchange.config import Settings
from exchange.context import Runtime
from exchange.migrate import upgrade
from exchange.participants import ledger
from exchange.participants.models import AccountKind

CLIENTS = 64  # concurrent connections of the rate rows, one funded buyer each
MODERATE = 16  # connections of the CPU-per-request rows
THREADS = 2  # wrk threads (the machine has 2 cores)
BATCH = 1000

# Lua shared by both scripts: count what each thread sent, report from done().
_LUA_REPORT = """
local threads = {}
local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH duration_us %d\\n", summary.duration))
  io.write(string.format("BENCH completed %d\\n", summary.requests))
  io.write(string.format("BENCH socket_errors %d\\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("BENCH p50_us %d\\n", latency:percentile(50)))
  io.write(string.format("BENCH p99_us %d\\n", latency:percentile(99)))
  for _, t in ipairs(threads) do
    io.write(string.format("BENCH sent %d\\n", t:get("sent")))
    io.write(string.format("BENCH acked %d\\n", t:get("acked") or 0))
    io.write(string.format("BENCH failed %d\\n", t:get("failed") or 0))
    io.write(string.format("BENCH unmatched %d\\n", t:get("unmatched") or 0))
    local first = t:get("first_error") or ""
    if first ~= "" then io.write("ERROR ", first, "\\n") end
    local pending = t:get("pending") or {}
    for key, buyer in pairs(pending) do io.write("PENDING ", key, " ", buyer, "\\n") end
  end
end
"""

_LUA_HEALTH = (
    _LUA_REPORT
    + """
sent = 0
local req = wrk.format("GET", "/health")
function request()
  sent = sent + 1
  return req
end
"""
)

# Filled with the buyers' Authorization headers and the order's JSON body (then _LUA_REPORT).
_LUA_PURCHASE = """
local buyers = {%(buyers)s}
local body = [[%(body)s]]
function init(args)
  nonce = args[1]
  total_threads = tonumber(args[2])
  sent = 0
  acked = 0
  failed = 0
  unmatched = 0
  first_error = ""
  pending = {}
end
function request()
  sent = sent + 1
  local key = nonce .. "-" .. tid .. "-" .. sent
  local b = ((sent - 1) * total_threads + tid - 1) %% #buyers + 1
  pending[key] = b
  return wrk.format("POST", "/v1/orders", {
    ["Authorization"] = buyers[b],
    ["Idempotency-Key"] = key,
    ["X-Request-ID"] = key,
    ["Content-Type"] = "application/json",
  }, body)
end
function response(status, headers, body)
  local key = headers["x-request-id"] or headers["X-Request-ID"]
  if status == 201 then
    acked = acked + 1
    if key and pending[key] then pending[key] = nil else unmatched = unmatched + 1 end
  else
    failed = failed + 1
    if first_error == "" then
      first_error = status .. " " .. string.gsub(string.sub(body, 1, 300), "%%s+", " ")
    end
  end
end
"""


# ---------------------------------------------------------------------------------------
# Measuring: process-tree CPU and a wrk run
# ---------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime+stime seconds) of a live process, None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user+system) of a process and all its live descendants."""
    stats = {int(p.name): _stat(int(p.name)) for p in Path("/proc").iterdir() if p.name.isdigit()}
    children: dict[int, list[int]] = {}
    for child, stat in stats.items():
        if stat is not None:
            children.setdefault(stat[0], []).append(child)
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        stat = stats.get(current)
        if stat is not None:
            total += stat[1]
        todo.extend(children.get(current, []))
    return total


def settle(pid: int, quiet: float = 0.02, step: float = 0.3, limit: float = 20.0) -> float:
    """Wait until the server tree burns less than `quiet` CPU seconds per `step` (the requests
    still in flight when the client stopped have finished); its CPU seconds then."""
    deadline = time.monotonic() + limit
    last = tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(step)
        now = tree_cpu(pid)
        if now - last < quiet:
            return now
        last = now
    return last


@dataclass
class Load:
    """One wrk run: what the client saw and what each side spent."""

    seconds: float
    completed: int  # responses received
    sent: int  # requests the script generated (the in-flight ones at the stop included)
    acked: int  # 201 answers (purchases)
    failed: int  # other statuses
    unmatched: int  # 201s whose X-Request-ID did not name a pending request
    socket_errors: int
    pending: list[tuple[str, int]]  # (Idempotency-Key, buyer index) not acknowledged
    first_error: str
    p50_ms: float
    p99_ms: float
    server_cpu: float  # seconds, the whole server tree, until it was idle again
    client_cpu: float  # seconds, wrk (user+system)

    @property
    def rate(self) -> float:
        """Requests answered per second (201s for purchases)."""
        return (self.acked or self.completed) / self.seconds


def wrk(server: Server, script: str, *, connections: int, seconds: float, args: list[str]) -> Load:
    """Run wrk against the server with a Lua script; server CPU over the run and its tail."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        cpu0 = settle(server.pid)
        proc = subprocess.Popen(
            [
                "wrk", "-t", str(min(THREADS, connections)), "-c", str(connections),
                "-d", f"{seconds:g}s", "--timeout", "120s", "-s", f.name, server.url, "--",
                *args,
            ],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        server_cpu = settle(server.pid) - cpu0
    finally:
        os.unlink(f.name)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {out[-2000:]}")
    sums: dict[str, int] = {}
    pending: list[tuple[str, int]] = []
    first_error = ""
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] == ["BENCH"]:
            sums[parts[1]] = sums.get(parts[1], 0) + int(parts[2])
        elif parts[:1] == ["PENDING"]:
            pending.append((parts[1], int(parts[2]) - 1))
        elif parts[:1] == ["ERROR"] and not first_error:
            first_error = line[6:]
    return Load(
        seconds=sums["duration_us"] / 1e6,
        completed=sums["completed"],
        sent=sums["sent"],
        acked=sums["acked"],
        failed=sums["failed"],
        unmatched=sums["unmatched"],
        socket_errors=sums["socket_errors"],
        pending=pending,
        first_error=first_error,
        p50_ms=sums["p50_us"] / 1000,
        p99_ms=sums["p99_us"] / 1000,
        server_cpu=server_cpu,
        client_cpu=usage.ru_utime + usage.ru_stime,
    )


# ---------------------------------------------------------------------------------------
# The served market: /health and purchases
# ---------------------------------------------------------------------------------------


@dataclass
class Market:
    """A running server with its funded buyers and the order they place."""

    server: Server
    buyers: list[dict[str, str]]
    order: dict[str, str]

    @classmethod
    def prepare(cls, server: Server) -> Market:
        async def run() -> Market:
            buyers = await bench_trading._buyers(server, CLIENTS)
            return cls(server, buyers, await bench_trading._offer(server))

        return asyncio.run(run())

    def purchase_script(self) -> str:
        auth = ", ".join(f'"{b["Authorization"]}"' for b in self.buyers)
        return _LUA_REPORT + _LUA_PURCHASE % {"buyers": auth, "body": json.dumps(self.order)}

    def health(self, connections: int, seconds: float) -> Load:
        load = wrk(self.server, _LUA_HEALTH, connections=connections, seconds=seconds, args=[])
        if load.socket_errors:
            raise RuntimeError(f"/health: {load.socket_errors} socket errors")
        return load

    def purchases(self, connections: int, seconds: float) -> tuple[Load, int]:
        """A purchase run and the trades it settled, checked against what was acknowledged
        (the unacknowledged requests are sent again with their Idempotency-Key first)."""
        before = asyncio.run(bench_trading._trades(self.server))
        load = wrk(
            self.server,
            self.purchase_script(),
            connections=connections,
            seconds=seconds,
            args=[uuid.uuid4().hex[:12], str(min(THREADS, connections))],
        )
        if load.failed or load.unmatched or load.socket_errors:
            raise RuntimeError(
                f"purchases: {load.failed} failed, {load.unmatched} unmatched, "
                f"{load.socket_errors} socket errors; first: {load.first_error}"
            )
        settled_by_run = asyncio.run(bench_trading._trades(self.server)) - before
        replayed = asyncio.run(self._replay(load.pending))
        settled = asyncio.run(bench_trading._trades(self.server)) - before
        if settled != load.acked + replayed:
            raise RuntimeError(
                f"{settled} trades settled for {load.acked} purchases acknowledged "
                f"+ {replayed} acknowledged on retry"
            )
        return load, settled_by_run

    async def _replay(self, pending: list[tuple[str, int]]) -> int:
        """Send the requests wrk left unanswered again with the same Idempotency-Key; how
        many were acknowledged."""
        acked = 0
        async with httpx.AsyncClient(base_url=self.server.url, timeout=60) as client:
            for key, buyer in pending:
                headers = {**self.buyers[buyer], "Idempotency-Key": key}
                for _ in range(50):
                    r = await client.post("/v1/orders", json=self.order, headers=headers)
                    if r.status_code != 409:  # 409: the first attempt is still in progress
                        break
                    await asyncio.sleep(0.1)
                if r.status_code != 201:
                    raise RuntimeError(f"retry of {key}: {r.status_code} {r.text[:300]}")
                acked += 1
        return acked


def _ms(seconds: float, count: int) -> float:
    return seconds / count * 1000 if count else float("nan")


def cpu_row(market: Market, database: str, health_s: float, buy_s: float) -> Row:
    """Server CPU per purchase beside server CPU per /health, MODERATE connections."""
    health = market.health(MODERATE, health_s)
    buys, settled = market.purchases(MODERATE, buy_s)
    health_cpu = _ms(health.server_cpu, health.sent)
    buy_cpu = _ms(buys.server_cpu, settled)
    return Row(
        "server CPU per purchase",
        database,
        buy_cpu,
        health_cpu,
        "ms CPU",
        "server CPU per GET /health",
        "<= 10x",
        f"{settled} purchases, {health.sent} /health, {MODERATE} conns; wrk CPU "
        f"{_ms(buys.client_cpu, settled):.3f} / {_ms(health.client_cpu, health.sent):.3f} ms",
    )


def rate_loads(market: Market, health_s: float, buy_s: float) -> tuple[Load, Load, int]:
    """/health and purchases at CLIENTS connections."""
    health = market.health(CLIENTS, health_s)
    buys, settled = market.purchases(CLIENTS, buy_s)
    return health, buys, settled


def rate_note(buys: Load, settled: int, health: Load) -> str:
    return (
        f"{buys.acked} acked = {settled} settled (+{len(buys.pending)} in flight, retried); "
        f"p50 {buys.p50_ms:.0f} ms; CPU/req server {_ms(buys.server_cpu, settled):.2f} ms, "
        f"wrk {_ms(buys.client_cpu, settled):.3f} ms (health: server "
        f"{_ms(health.server_cpu, health.sent):.3f}, wrk {_ms(health.client_cpu, health.sent):.3f})"
    )


def served_rows(postgres_url: str | None, quick: bool) -> list[Row]:
    health_s, buy_s = (2.0, 4.0) if quick else (8.0, 20.0)
    rows: list[Row] = []
    with running_server(None) as server:
        market = Market.prepare(server)
        market.health(CLIENTS, 1.0)  # warm-up: connections, caches, the first trades
        market.purchases(CLIENTS, 2.0)
        rows.append(cpu_row(market, "sqlite", health_s, buy_s))
        health, buys, settled = rate_loads(market, health_s, buy_s)
        rows.append(
            Row(
                f"purchases/s, {CLIENTS} concurrent clients",
                "sqlite",
                buys.rate,
                health.rate,
                "req/s",
                "GET /health req/s, same client",
                ">= 0.3x",
                rate_note(buys, settled, health),
            )
        )
    if not postgres_url:
        return rows
    rates: list[tuple[Load, int, Load]] = []
    for workers in (1, 2):
        with postgres_database(postgres_url) as url, running_server(url, workers) as server:
            market = Market.prepare(server)
            market.health(CLIENTS, 1.0)
            market.purchases(CLIENTS, 2.0)
            if workers == 1:
                rows.append(cpu_row(market, "postgresql", health_s, buy_s))
            health, buys, settled = rate_loads(market, health_s, buy_s)
            rates.append((buys, settled, health))
    (one, _, _), (two, two_settled, two_health) = rates
    rows.append(
        Row(
            "purchases/s, PostgreSQL 1 -> 2 workers",
            "postgresql",
            two.rate,
            one.rate,
            "req/s",
            "1 worker, same client",
            "",
            f"grows with workers; {CLIENTS} conns; " + rate_note(two, two_settled, two_health),
        )
    )
    return rows


# ---------------------------------------------------------------------------------------
# The audit spine in process: one entry per unit of work, concurrently, vs batches
# ---------------------------------------------------------------------------------------


async def concurrent_appends(url: str, total: int, concurrency: int = CLIENTS) -> float:
    """Entries per second when `concurrency` tasks each run units of work that open one
    account (one INSERT) and record its one audit entry, with the served settings (SQLite
    synchronous as configured, FULL by default); checks the log grew by exactly `total`."""
    runtime = Runtime.from_settings(Settings(database_url=url))
    try:
        await upgrade(runtime.engine)

        async def size() -> int:
            async with runtime.sessionmaker() as session:
                return int((await audit_repository.get_head(session)).size)

        async def one() -> None:
            async with runtime.unit_of_work() as session:
                ctx = runtime.context(session)
                await ledger.open_account(ctx, owner_id=ctx.ids.new(), kind=AccountKind.PARTICIPANT)

        async def run(count: int) -> float:
            todo = iter(range(count))

            async def worker() -> None:
                for _ in todo:
                    await one()

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return time.perf_counter() - start

        await run(concurrency)  # warm-up
        first = await size()
        elapsed = await run(total)
        grown = await size() - first
        if grown != total:
            raise RuntimeError(f"the log grew by {grown} entries for {total} units of work")
        return total / elapsed
    finally:
        await runtime.engine.dispose()


async def _leaves(url: str, count: int) -> list[bytes]:
    """The first `count` leaves of a log, as stored."""
    runtime = Runtime.from_settings(Settings(database_url=url))
    try:
        async with runtime.sessionmaker() as session:
            rows = await audit_repository.list_entries(session, start=0, limit=count)
        return [bytes(leaf) for _, leaf, _ in rows]
    finally:
        await runtime.engine.dispose()


def audit_rows(postgres_url: str | None, quick: bool) -> list[Row]:
    appends, singles = (5_000, 500) if quick else (20_000, 3_000)
    synchronous = Settings().sqlite_synchronous
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        batch_url = f"sqlite+aiosqlite:///{tmp}/batches.db"
        sqlite_batch = asyncio.run(bench_audit.spine_appends(batch_url, appends, BATCH))
        leaves = asyncio.run(_leaves(batch_url, appends))
        sqlite_single = asyncio.run(
            concurrent_appends(f"sqlite+aiosqlite:///{tmp}/singles.db", singles)
        )
    pymerkle = max(bench_audit.pymerkle_appends(leaves) for _ in range(2))
    figures = [("sqlite", sqlite_batch, sqlite_single, f"synchronous={synchronous}")]
    if postgres_url:
        with postgres_database(postgres_url) as url:
            pg_batch = asyncio.run(bench_audit.spine_appends(url, appends, BATCH))
        with postgres_database(postgres_url) as url:
            pg_single = asyncio.run(concurrent_appends(url, singles))
        figures.append(("postgresql", pg_batch, pg_single, "1 process"))
    for database, batch, single, setting in figures:
        rows.append(
            Row(
                "durable audit appends/s, one entry per request",
                database,
                single,
                batch,
                "entries/s",
                f"batches of {BATCH:,} per transaction",
                ">= 0.25x",
                f"{singles:,} units of work, {CLIENTS} concurrent, each one account opened "
                f"+ its entry; {setting}",
            )
        )
    for database, batch, _, setting in figures:
        rows.append(
            Row(
                f"durable audit appends/s in batches of {BATCH:,}",
                database,
                batch,
                pymerkle,
                "entries/s",
                "pymerkle InmemoryTree appends/s",
                ">= 0.5x",
                f"{appends:,} entries; {setting}",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------


def rows(postgres_url: str | None, *, quick: bool = False) -> list[Row]:
    """Every server row, SQLite and (given a URL) PostgreSQL."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    return served_rows(postgres_url, quick) + audit_rows(postgres_url, quick)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", default=os.environ.get("EXCHANGE_TEST_POSTGRES_URL", ""))
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    print_rows(rows(args.postgres or None, quick=args.quick))
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)


if __name__ == "__main__":
    main()
