"""Delivery under usage policies through a real server: a streamed 100 MB package, metered
calls, and computation without disclosure over 1,000,000 rows — each beside an anchor
measured in the same run on the same machine.

Usage: python bench/bench_delivery.py [--megabytes N] [--rows N] [--postgres URL]
The demo market is seeded and served (uvicorn, one worker); the demo holder registers two
assets over HTTP (a 100 MB file of seeded bytes, a CSV table of N rows), deposits their
packages with `exchange assets deposit-package` (1 MiB at a time), and lists them with usage
policies; a buyer buys and requests transfers. Then:

- streaming: GET /v1/transfers/{id}/data read and SHA-256-checked by the client, beside a
  plain read of the same file checked the same way (and, for reference, without the check,
  and the same file served over HTTP by a bare Starlette app); the server's resident memory
  is sampled throughout: peak above its idle level.
  Targets: throughput >= 0.5x the plain read; peak < 50 MB above idle.
- metered calls: GET /v1/transfers/{id}/rows?limit=10 (policy checked, counted, recorded and
  audited per call, committed in groups) beside GET /health of the same server (target
  >= 0.5x), and, for reference, beside the cheapest keyed read (GET /v1/licences/{id}).
- compute-to-data: the mean of a measure grouped by a dimension over N rows (suppression,
  noise, budget spent, audited), beside the same aggregation run directly in Python over the
  same CSV file. Target >= 0.5x (time ratio direct / served).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import hashlib
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from _server import Server, free_port, postgres_database, rate, running_server

CHUNK = 1 << 20
CITIES = ("广州市", "深圳市", "佛山市", "东莞市", "珠海市", "中山市", "惠州市", "江门市", "韶关市")
INDUSTRIES = ("制造业", "批发和零售业", "信息服务业", "交通运输业", "住宿和餐饮业")
MEASURE = "贷款余额（万元）"
REPEATS = 3


def write_blob(path: Path, megabytes: int) -> str:
    """Seeded random bytes; their SHA-256."""
    rng = random.Random(15)
    digest = hashlib.sha256()
    with path.open("wb") as f:
        for _ in range(megabytes):
            block = rng.randbytes(CHUNK)
            digest.update(block)
            f.write(block)
    return digest.hexdigest()


def write_table(path: Path, rows: int) -> str:
    """A loan table of `rows` rows; its SHA-256."""
    rng = random.Random(96)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(f"地市,行业,{MEASURE}\n")
        for _ in range(rows):
            city = CITIES[min(int(rng.expovariate(0.45)), len(CITIES) - 1)]
            f.write(f"{city},{rng.choice(INDUSTRIES)},{round(rng.uniform(10, 4000), 2)}\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def auth(server: Server, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.key(role)}"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return response.json()


def register(client: httpx.Client, server: Server, name: str, digest: str) -> str:
    """Apply, two approvals; the registration completes when the clock passes publicity."""
    asset = ok(
        client.post(
            "/v1/assets",
            json={
                "name": name,
                "description": f"{name}（压测）",
                "product_form": "dataset",
                "right": "product_operation",
                "scenario": "普惠金融风险研究",
                "grade": "general",
                "personal_information": False,
                "fingerprint": digest,
                "source_legality": "压测用合成数据 synthetic benchmark data",
            },
            headers=auth(server, "enterprise"),
        ),
        201,
    )
    reviewers = [k["api_key"] for k in server.keys if k["role"] == "compliance_reviewer"]
    for key in reviewers:
        ok(
            client.post(
                f"/v1/assets/{asset['id']}/reviews",
                json={"decision": "approve", "reason": "压测材料齐全"},
                headers={"Authorization": f"Bearer {key}"},
            ),
            201,
        )
    return str(asset["id"])


def deposit(server: Server, asset_id: str, path: Path, media_type: str) -> None:
    """The CLI path: the package stored a chunk at a time."""
    env = {**os.environ, "EXCHANGE_DATABASE_URL": server.database_url}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "exchange.cli",
            "assets",
            "deposit-package",
            asset_id,
            str(path),
            "--media-type",
            media_type,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def tier(name: str, policy: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "scope": "压测", "term_days": 365, "price_fen": 1_000, "policy": policy}


def set_up(
    server: Server, blob: Path, blob_sha: str, table: Path, table_sha: str
) -> dict[str, str]:
    """Register, deposit, list and buy; the three transfers' ids."""
    holder = auth(server, "enterprise")
    buyer = auth(server, "individual")
    with httpx.Client(base_url=server.url, timeout=600) as client:
        big = register(client, server, "压测大文件 bench blob", blob_sha)
        loans = register(client, server, "压测贷款表 bench loan table", table_sha)
        ok(client.post("/v1/clock/advance", json={"by": "P8D"}, headers=auth(server, "admin")))
        deposit(server, big, blob, "application/octet-stream")
        deposit(server, loans, table, "text/csv")
        compute = {
            "access": "compute",
            "compute": {
                "dimensions": ["地市", "行业"],
                "measures": {MEASURE: {"lower": 0, "upper": 5000}},
                "k_threshold": 10,
                "epsilon_per_query": 0.1,
                "epsilon_budget": 100.0,
            },
        }
        metered = {"access": "metered", "quota": {"limit": 1_000_000, "period": "day"}}
        listings = [
            (big, "blob.bin", [tier("下载 download", {"access": "download"})]),
            (loans, "loans.csv", [tier("计量 metered", metered), tier("计算 compute", compute)]),
        ]
        transfers: dict[str, str] = {}
        for asset_id, filename, tiers in listings:
            listing = ok(
                client.post(
                    "/v1/listings",
                    json={
                        "asset_id": asset_id,
                        "title": filename,
                        "venues": ["szdex"],
                        "tiers": tiers,
                        "delivery": {"kind": "file", "filename": filename},
                    },
                    headers=holder,
                ),
                201,
            )
            for t in listing["tiers"]:
                order = ok(
                    client.post(
                        "/v1/orders",
                        json={
                            "listing_id": listing["id"],
                            "tier_id": t["id"],
                            "exchange_id": "szdex",
                        },
                        headers=buyer,
                    ),
                    201,
                )
                transfer = ok(
                    client.post(
                        f"/v1/licences/{order['licence']['id']}/transfers", json={}, headers=buyer
                    ),
                    201,
                )
                transfers[t["policy"]["access"]] = transfer["id"]
                transfers[t["policy"]["access"] + "_licence"] = order["licence"]["id"]
    return transfers


# --- memory of the server process ----------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """The process and its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += parents.get(p, [])
    return found


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Sampler:
    """The server's resident memory, sampled every 5 ms while a block runs."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pids))
            time.sleep(0.005)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- the measurements ----------------------------------------------------------------------


def plain_read(path: Path, *, check: bool) -> tuple[float, str]:
    digest = hashlib.sha256()
    started = time.perf_counter()
    with path.open("rb") as f:
        while piece := f.read(CHUNK):
            if check:
                digest.update(piece)
    return time.perf_counter() - started, digest.hexdigest()


def fetch(url: str, path: str, headers: dict[str, str]) -> tuple[float, str, int]:
    """GET a body with the standard library's client (C-buffered reads, so the figure is the
    server's and the check's, not a Python HTTP parser's), SHA-256-checking it on the way."""
    host, port = url.removeprefix("http://").split(":")
    digest = hashlib.sha256()
    size = 0
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, int(port), timeout=600)
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        if r.status != 200:
            raise RuntimeError(f"{path} refused: {r.status} {r.read()[:300]!r}")
        expected = r.getheader("x-content-sha256")
        while piece := r.read(CHUNK):
            digest.update(piece)
            size += len(piece)
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    if expected is not None and digest.hexdigest() != expected:
        raise RuntimeError("the streamed bytes do not match their SHA-256")
    return elapsed, digest.hexdigest(), size


FILE_SERVER = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Route
app = Starlette(routes=[Route("/file", lambda request: FileResponse(sys.argv[1]))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


@contextlib.contextmanager
def file_server(path: Path) -> Iterator[str]:
    """The same bytes served as a plain file by a bare Starlette app (uvicorn, loopback)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", FILE_SERVER, str(path), str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def streaming(server: Server, transfer_id: str, blob: Path, blob_sha: str) -> None:
    megabytes = blob.stat().st_size / 1e6
    pids = _tree(server.pid)
    time.sleep(0.5)
    idle = rss_bytes(pids)
    buyer = auth(server, "individual")
    plain, raw, as_file, remote, peaks = [], [], [], [], []
    with file_server(blob) as file_url:
        for _ in range(REPEATS):
            raw.append(plain_read(blob, check=False)[0])
            seconds, digest = plain_read(blob, check=True)
            assert digest == blob_sha
            plain.append(seconds)
            seconds, digest, _ = fetch(file_url, "/file", {})
            assert digest == blob_sha
            as_file.append(seconds)
            with Sampler(pids) as sampler:
                seconds, digest, size = fetch(
                    server.url, f"/v1/transfers/{transfer_id}/data", buyer
                )
            assert digest == blob_sha and size == blob.stat().st_size
            remote.append(seconds)
            peaks.append(sampler.peak)
    plain_s, raw_s, file_s, served_s = (statistics.median(x) for x in (plain, raw, as_file, remote))
    print(f"\nstreaming a {megabytes:.0f} MB package (median of {REPEATS}, client checks SHA-256):")
    print(f"  plain file read + SHA-256      {megabytes / plain_s:8.0f} MB/s")
    print(f"  plain file read (no check)     {megabytes / raw_s:8.0f} MB/s   (reference)")
    print(f"  the file over HTTP (Starlette) {megabytes / file_s:8.0f} MB/s   (reference)")
    print(f"  served by the transfer         {megabytes / served_s:8.0f} MB/s   SHA-256 matches")
    print(f"  ratio served / plain read      {plain_s / served_s:8.2f}x  (target >= 0.5x)")
    print(f"  ratio served / file over HTTP  {file_s / served_s:8.2f}x")
    above = (max(peaks) - idle) / 1e6
    print(
        f"  server memory: idle {idle / 1e6:.0f} MB, peak {max(peaks) / 1e6:.0f} MB, "
        f"{above:.1f} MB above idle (target < 50 MB)"
    )


def metered(
    server: Server, transfer_id: str, licence_id: str, total: int, concurrency: int
) -> None:
    headers = auth(server, "individual")

    async def run() -> tuple[float, float, float]:
        health, _ = await rate(
            lambda c, _i: c.get("/health"),
            base_url=server.url,
            total=total,
            concurrency=concurrency,
        )
        read, _ = await rate(
            lambda c, _i: c.get(f"/v1/licences/{licence_id}", headers=headers),
            base_url=server.url,
            total=total,
            concurrency=concurrency,
        )
        calls, latencies = await rate(
            lambda c, i: c.get(
                f"/v1/transfers/{transfer_id}/rows",
                params={"offset": (i * 10) % 1000, "limit": 10},
                headers=headers,
            ),
            base_url=server.url,
            total=total,
            concurrency=concurrency,
        )
        print(f"  rows call p50 {statistics.median(latencies) * 1000:.1f} ms")
        return health, read, calls

    print(f"\nmetered calls ({total} each, {concurrency} clients):")
    health, read, calls = asyncio.run(run())
    print(f"  GET /health                    {health:8.0f} /s")
    print(f"  GET /v1/licences/{{id}}          {read:8.0f} /s   (reference: a keyed read)")
    print(f"  GET /v1/transfers/{{id}}/rows    {calls:8.0f} /s   (checked, counted, audited)")
    print(f"  ratio rows / health            {calls / health:8.2f}x  (target >= 0.5x)")
    print(f"  ratio rows / keyed read        {calls / read:8.2f}x")


def direct_mean(path: Path) -> dict[str, float]:
    """The same aggregation, directly: mean of the measure by city over the CSV file."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        city, value = header.index("地市"), header.index(MEASURE)
        for row in reader:
            key = row[city]
            amount = min(5000.0, max(0.0, float(row[value])))
            sums[key] = sums.get(key, 0.0) + amount
            counts[key] = counts.get(key, 0) + 1
    return {k: sums[k] / counts[k] for k in sums}


def computing(server: Server, transfer_id: str, table: Path, rows: int) -> None:
    query = {"aggregate": "mean", "measure": MEASURE, "group_by": ["地市"]}
    direct, remote = [], []
    truth: dict[str, float] = {}
    answer: dict[str, Any] = {}
    with httpx.Client(base_url=server.url, timeout=600) as client:
        for _ in range(REPEATS):
            started = time.perf_counter()
            truth = direct_mean(table)
            direct.append(time.perf_counter() - started)
            started = time.perf_counter()
            answer = ok(
                client.post(
                    f"/v1/transfers/{transfer_id}/computations",
                    json=query,
                    headers=auth(server, "individual"),
                )
            )
            remote.append(time.perf_counter() - started)
    direct_s, served_s = statistics.median(direct), statistics.median(remote)
    worst = max(
        abs(c["value"] - truth[c["group"]["地市"]]) / truth[c["group"]["地市"]]
        for c in answer["answer"]["cells"]
    )
    print(f"\ncompute-to-data over {rows:,} rows (mean by city, median of {REPEATS}):")
    print(f"  directly in Python             {direct_s:8.2f} s")
    print(f"  served (k, noise, ε, audit)    {served_s:8.2f} s   worst cell off by {worst:.2%}")
    print(f"  ratio direct / served          {direct_s / served_s:8.2f}x  (target >= 0.5x)")


def measure(
    server: Server, blob: Path, blob_sha: str, table: Path, table_sha: str, rows: int
) -> None:
    transfers = set_up(server, blob, blob_sha, table, table_sha)
    streaming(server, transfers["download"], blob, blob_sha)
    metered(server, transfers["metered"], transfers["metered_licence"], total=2000, concurrency=16)
    computing(server, transfers["compute"], table, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="also run on a throwaway PostgreSQL database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        blob, table = Path(tmp) / "blob.bin", Path(tmp) / "loans.csv"
        blob_sha = write_blob(blob, args.megabytes)
        table_sha = write_table(table, args.rows)
        print(
            f"package {blob.stat().st_size / 1e6:.0f} MB; table {args.rows:,} rows, "
            f"{table.stat().st_size / 1e6:.0f} MB; {os.cpu_count()} CPUs, load average "
            + " ".join(f"{x:.1f}" for x in os.getloadavg())
        )
        print("== SQLite ==")
        with running_server(None) as server:
            measure(server, blob, blob_sha, table, table_sha, args.rows)
        if args.postgres:
            print("\n== PostgreSQL ==")
            with postgres_database(args.postgres) as url, running_server(url) as server:
                measure(server, blob, blob_sha, table, table_sha, args.rows)


if __name__ == "__main__":
    main()
