"""The province at once (issue 17 item 7): load the seeds' figures into one PostgreSQL
database, serve it with two workers, and measure search, purchase and proof latency under
concurrent load, each beside `/health`'s p95 under the same load.

Loading (bench/_province.py) goes through the services in large units of work, so the
database holds real market state with its audit entries: 4,055 departments and 121,600
catalog items, 28,000 registered data assets with certificates, a market of data merchants
and buyers, and a year of both exchanges' posted-price trades until Guangzhou's 0.51 bn and
Shenzhen's 1.2 bn yuan of turnover. Each stage's time is printed.

Load comes from Debian's `wrk` (C, an event loop per thread, so the client is not the
bottleneck), two instances at once per phase: one sends the measured request on most of
the connections, the other `/health` on the rest; both p95s come from the same seconds.
Purchases carry unique Idempotency-Keys and rotate over funded buyers' keys. Afterwards
the log is verified from its published contract (`exchange audit verify`) and reconciled
against every derived table (`exchange audit reconcile`).

    python bench/bench_province.py [--postgres URL] [--scale 0.02] [--seconds 20]
        [--clients 48] [--health-clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from _province import Loaded, Plan, load
from _rows import Row, print_rows
from _server import Server, postgres_database, serving

DATABASE = "postgresql (2 workers)"
ANCHOR = "/health p95 under the same load"
TERMS = ("社保", "企业", "交通", "医保", "税务", "公积", "养老", "车辆", "学籍", "证照")

_LUA_COMMON = """
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  counter = 0
  failures = 0
  math.randomseed(id * 7919 + %(nonce)d)
end
function response(status, headers, body)
  if status >= 400 then
    failures = failures + 1
    if failures <= 2 then io.stderr:write(status .. " " .. string.sub(body, 1, 300) .. "\\n") end
  end
end
function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + t:get("failures") end
  io.write(string.format(
    '{"requests": %%d, "seconds": %%.3f, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
    .. '"failed": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _lua_list(values: list[str]) -> str:
    return "{" + ",".join(f"[==[{v}]==]" for v in values) + "}"


def search_script(key: str, nonce: int) -> str:
    paths = [
        "/v1/catalog/search?" + urllib.parse.urlencode({"q": term, "offset": offset})
        for term in TERMS
        for offset in (0, 20, 40)
    ]
    return (
        (_LUA_COMMON % {"nonce": nonce})
        + f"""
local paths = {_lua_list(paths)}
local headers = {{["Authorization"] = "Bearer {key}"}}
function request()
  counter = counter + 1
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
"""
    )


def purchase_script(keys: list[str], offers: list[tuple[str, str, str]], nonce: int) -> str:
    bodies = [
        json.dumps({"listing_id": listing, "tier_id": tier, "exchange_id": exchange})
        for listing, tier, exchange in offers
    ]
    return (
        (_LUA_COMMON % {"nonce": nonce})
        + f"""
local keys = {_lua_list(keys)}
local bodies = {_lua_list(bodies)}
function request()
  counter = counter + 1
  local headers = {{
    ["Authorization"] = "Bearer " .. keys[math.random(#keys)],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("province-%d-%d-%d", {nonce}, id, counter),
  }}
  return wrk.format("POST", "/v1/orders", headers, bodies[math.random(#bodies)])
end
"""
    )


def proof_script(key: str, size: int, nonce: int) -> str:
    return (
        (_LUA_COMMON % {"nonce": nonce})
        + f"""
local headers = {{["Authorization"] = "Bearer {key}"}}
function request()
  counter = counter + 1
  local path = string.format(
    "/v1/audit/proof/inclusion?index=%d&tree_size=%d", math.random(0, {size - 1}), {size})
  return wrk.format("GET", path, headers)
end
"""
    )


def health_script(nonce: int) -> str:
    return (
        (_LUA_COMMON % {"nonce": nonce})
        + """
function request()
  counter = counter + 1
  return wrk.format("GET", "/health")
end
"""
    )


@dataclass(frozen=True, slots=True)
class Run:
    """One wrk instance's figures (latencies in ms)."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    failed: int
    socket_errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _wrk(
    url: str, script: Path, connections: int, threads: int, seconds: float
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "60s",
            "-s",
            str(script),
            url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(proc: subprocess.Popen[str], what: str) -> Run:
    out, err = proc.communicate(timeout=600)
    line = next((x for x in reversed(out.splitlines()) if x.startswith("{")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk ({what}) failed: {out[-1000:]} {err[-1000:]}")
    if err.strip():
        print(f"    {what}: refused requests, e.g.: {err.strip()[:400]}", flush=True)
    data = json.loads(line)
    return Run(
        data["requests"],
        data["seconds"],
        data["p50_us"] / 1000,
        data["p95_us"] / 1000,
        data["p99_us"] / 1000,
        data["failed"],
        data["socket_errors"],
    )


def under_load(
    server: Server,
    workdir: Path,
    name: str,
    script: Callable[[int], str],
    args: argparse.Namespace,
    waits: Callable[[], list[str]] | None = None,
) -> tuple[Run, Run]:
    """The measured request on `clients` connections beside /health on `health_clients`,
    for `seconds` after a short warm-up; (measured, /health). Each wrk run gets a script of
    its own nonce (so no Idempotency-Key of the warm-up comes back in the measured run)."""
    measured = workdir / f"{name}.lua"
    health = workdir / "health.lua"
    threads = 2 if args.clients >= 2 else 1
    for seconds, counted in ((args.warmup, False), (args.seconds, True)):
        if seconds <= 0:
            continue
        measured.write_text(script(random.randrange(1 << 30)))
        health.write_text(health_script(random.randrange(1 << 30)))
        a = _wrk(server.url, measured, args.clients, threads, seconds)
        b = _wrk(server.url, health, args.health_clients, 1, seconds)
        sampled = waits() if counted and waits is not None else []
        run, anchor = _result(a, name), _result(b, "/health")
        if counted:
            print(
                f"    {name:<9} n={run.requests:>6,} {run.rate:>7,.1f}/s  p50 {run.p50:8.1f} ms"
                f"  p95 {run.p95:8.1f} ms  p99 {run.p99:8.1f} ms  refused {run.failed:,}"
                f"  socket errors {run.socket_errors:,}",
                flush=True,
            )
            print(
                f"    {'/health':<9} n={anchor.requests:>6,} {anchor.rate:>7,.1f}/s  p50 "
                f"{anchor.p50:8.1f} ms  p95 {anchor.p95:8.1f} ms  p99 {anchor.p99:8.1f} ms",
                flush=True,
            )
            for line in sampled:
                print(f"      {line}", flush=True)
    return run, anchor


# What the database's active sessions wait on (sampled while purchases run).
_WAITS_SQL = (
    "select coalesce(wait_event_type, 'on CPU') || ':' || coalesce(wait_event, '') || '  ' "
    "|| left(regexp_replace(query, '\\s+', ' ', 'g'), 90), count(*) from pg_stat_activity "
    "where datname = current_database() and state = 'active' and pid <> pg_backend_pid() "
    "group by 1"
)


def sample_waits(database_url: str, seconds: float) -> list[str]:
    """Sample pg_stat_activity every 0.5 s for `seconds` (psql); the busiest waits, by share
    of samples: what the purchases queue on."""
    dsn = database_url.replace("+asyncpg", "")
    counts: dict[str, int] = {}
    samples = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = subprocess.run(
            ["psql", dsn, "-At", "-F", "\t", "-c", _WAITS_SQL],
            capture_output=True,
            text=True,
            check=False,
        )
        samples += 1
        for line in done.stdout.splitlines():
            what, _, n = line.rpartition("\t")
            if what:
                counts[what] = counts.get(what, 0) + int(n)
        time.sleep(0.5)
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:6]
    return [
        f"db sessions (mean over {samples} samples) {n / max(1, samples):5.1f}  {what}"
        for what, n in top
    ]


def _check(
    server: Server, method: str, path: str, key: str, body: dict[str, str] | None = None
) -> dict[str, Any]:
    """One request of a kind before loading it: refuse to measure refusals."""
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"check-{time.time_ns()}"}
    r = httpx.request(method, server.url + path, headers=headers, json=body, timeout=120)
    if r.status_code >= 400:
        raise RuntimeError(f"{method} {path} answered {r.status_code}: {r.text[:300]}")
    answer: dict[str, Any] = r.json()
    return answer


def measure(server: Server, loaded: Loaded, workdir: Path, args: argparse.Namespace) -> list[Row]:
    """Each phase `rounds` times (search, purchase, proof in turn); medians of the p95s."""
    clients = f"{args.clients}+{args.health_clients} concurrent clients (wrk), {args.seconds:g} s"
    key = loaded.buyer_keys[0]
    print(f"\nunder load: {clients} per phase, after a {args.warmup:g} s warm-up", flush=True)
    for term in ("社保", "企业", "交通"):
        found_items = _check(server, "GET", "/v1/catalog/search?q=" + urllib.parse.quote(term), key)
        print(f"    '{term}' finds {found_items['total']:,} catalog items", flush=True)
    listing, tier, exchange = loaded.offers[0]
    body = {"listing_id": listing, "tier_id": tier, "exchange_id": exchange}
    _check(server, "POST", "/v1/orders", loaded.buyer_keys[-1], body)
    found: dict[str, list[tuple[Run, Run]]] = {"search": [], "purchase": [], "proof": []}
    for round_no in range(1, args.rounds + 1):
        print(f"  round {round_no} of {args.rounds}", flush=True)
        found["search"].append(
            under_load(server, workdir, "search", lambda n: search_script(key, n), args)
        )
        found["purchase"].append(
            under_load(
                server,
                workdir,
                "purchase",
                lambda n: purchase_script(loaded.buyer_keys, loaded.offers, n),
                args,
                waits=lambda: sample_waits(server.database_url, args.seconds - 1),
            )
        )
        checkpoint = httpx.get(server.url + "/v1/audit/checkpoint", timeout=120).text
        size = int(checkpoint.split("\n")[1])
        path = f"/v1/audit/proof/inclusion?index={size - 1}&tree_size={size}"
        _check(server, "GET", path, loaded.regulator_key)
        print(f"    proofs against the latest checkpoint: {size:,} audit entries", flush=True)
        found["proof"].append(
            under_load(
                server,
                workdir,
                "proof",
                functools.partial(proof_script, loaded.regulator_key, size),
                args,
            )
        )
    targets = {"search": "<= 10x", "purchase": "<= 15x", "proof": "<= 4x"}
    return [
        _row(f"province: {kind} p95 under load", runs, targets[kind], clients)
        for kind, runs in found.items()
    ]


def _row(measure: str, runs: list[tuple[Run, Run]], target: str, clients: str) -> Row:
    """Medians over the rounds of the measured p95 and of /health's p95 beside it."""
    p95 = statistics.median(run.p95 for run, _ in runs)
    anchor = statistics.median(health.p95 for _, health in runs)
    rate = statistics.median(run.rate for run, _ in runs)
    ratios = ", ".join(f"{run.p95 / health.p95:.1f}x" for run, health in runs)
    note = f"{rate:,.0f}/s, {clients}, median of {len(runs)} (ratios {ratios})"
    failed = sum(run.failed for run, _ in runs)
    errors = sum(run.socket_errors for run, _ in runs)
    if failed or errors:
        note += f"; {failed:,} refused, {errors:,} socket errors"
    return Row(measure, DATABASE, p95, anchor, "ms", ANCHOR, target, note)


def verify(server: Server, loaded: Loaded, env: dict[str, str]) -> None:
    """The log from its published contract, and every derived table against the log."""
    for label, command in (
        (
            "exchange audit verify (from the published contract, spot checks)",
            [
                "audit",
                "verify",
                "--url",
                server.url,
                "--key",
                loaded.regulator_key,
                "--spot-checks",
            ],
        ),
        ("exchange audit reconcile (every derived table against the log)", ["audit", "reconcile"]),
    ):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "exchange.cli", *command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        verdict = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        print(f"  {label}: {verdict} in {time.perf_counter() - started:,.1f} s", flush=True)
        if done.returncode != 0:
            print((done.stdout + done.stderr)[-3000:], flush=True)


def run_province(postgres_url: str, args: argparse.Namespace) -> list[Row]:
    plan = Plan(scale=args.scale)
    print(
        f"the province at once, scale {plan.scale:g}: prices log-normal, median "
        f"{plan.median_price_yuan:,.0f} yuan, sigma {plan.sigma} (mean "
        f"{plan.mean_price_yuan:,.0f} yuan), so about "
        f"{sum(_p for _p in (51e9, 120e9)) * plan.scale / 100 / plan.mean_price_yuan:,.0f} "
        "trades make the year's turnover",
        flush=True,
    )
    with (
        postgres_database(postgres_url) as url,
        tempfile.TemporaryDirectory(prefix="bench-province-") as tmp,
    ):
        started = time.perf_counter()
        loaded = asyncio.run(load(url, Path(tmp), plan))
        total = time.perf_counter() - started
        print("\nloading, by stage:")
        for stage in loaded.stages:
            print(f"  {stage.seconds:>9,.1f} s  {stage.name}  {stage.note}")
        print(f"  {total:>9,.1f} s  in all")
        for exchange_id, count in sorted(loaded.trades.items()):
            turnover = loaded.turnover_fen.get(exchange_id, 0) / 100
            print(
                f"  {exchange_id}: {count:,} trades, turnover {turnover / 1e9:,.4f} bn yuan,"
                f" mean {turnover / max(1, count):,.0f} yuan"
            )
        env = {**os.environ, "EXCHANGE_DATABASE_URL": url, "EXCHANGE_DATA_DIR": tmp}
        started = time.perf_counter()
        with serving(url, tmp, workers=2, start_timeout=1800) as server:
            print(
                f"\nserving with 2 workers: ready in {server.ready_seconds:,.1f} s, both workers "
                f"quiet after {time.perf_counter() - started:,.1f} s (each worker migrates, then "
                "verifies the whole log before it serves)",
                flush=True,
            )
            rows = measure(server, loaded, Path(tmp), args)
            print("\nafterwards:", flush=True)
            verify(server, loaded, env)
    return rows


def _arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("EXCHANGE_TEST_POSTGRES_URL", ""))
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every count (smoke)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per measured phase")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=48, help="connections sending the request")
    parser.add_argument("--health-clients", type=int, default=8, help="connections on /health")
    parser.add_argument("--rounds", type=int, default=2, help="measure each phase this often")
    return parser.parse_args(argv)


def rows(postgres_url: str, scale: float = 1.0) -> list[Row]:
    """The province rows: search, purchase and proof p95 beside /health p95, two workers."""
    return run_province(postgres_url, _arguments(["--scale", str(scale)]))


def main() -> None:
    args = _arguments()
    if not args.postgres:
        raise SystemExit("pass --postgres URL or set EXCHANGE_TEST_POSTGRES_URL")
    found = run_province(args.postgres, args)
    print()
    print_rows(found)


if __name__ == "__main__":
    main()
