"""The audit log's speed, side by side with what it is measured against.

Usage: python bench/bench_audit.py [--appends N] [--batch B] [--log-size N] [--proofs N]
                                   [--postgres URL]

1. Durable appends per second through the spine (`audit.log.service.record` + the unit of work's
   commit, which appends under the head lock), B and 10×B entries per transaction, on SQLite
   (synchronous=FULL, WAL) and PostgreSQL, against pymerkle's in-memory appends per second.
2. Full-log verification speed (`verifier.checker.LogChecker`: leaf hashes, prev chain, seq,
   logged_at, origin, Merkle root) against a bare `hashlib.sha256` loop over the same leaves.
3. Inclusion-proof latency through HTTP (a real uvicorn server, loopback, one client) on a
   log of --log-size entries (default 1,000,000), built quickly with batched appends.
Figures are printed, never asserted; the machine is shared, so run it once or twice.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _server import free_port, pct, postgres_database

from exchange import wiring
from exchange.audit import merkle
from exchange.audit.log import repository as audit_repository
from exchange.audit.log import service as audit_service
from exchange.audit.log.entry import EntryDraft
from exchange.audit.verifier.checker import CHUNK, LogChecker
from exchange.audit.verifier.proofs import tree_root
from exchange.clock import SystemClock
from exchange.config import Settings
from exchange.context import Runtime
from exchange.database import (
    begin_write,
    create_engine,
    make_sessionmaker,
    unit_of_work,
)
from exchange.migrate import upgrade
from exchange.participants import service as participants_service
from exchange.vocabulary import Role

wiring.install()

ORIGIN = Settings().audit_origin


def payload(i: int) -> dict[str, object]:
    """A typical entry: a transfer's ledger posting, with a Chinese memo."""
    return {
        "kind": "transfer",
        "memo": f"数据产品许可费 licence fee {i}",
        "postings": [
            {"account_id": "6f1e2d4c-1111-4222-8333-444455556666", "amount_fen": -100 - i},
            {"account_id": "9a1e2d4c-1111-4222-8333-444455556666", "amount_fen": 100 + i},
        ],
    }


# ---------------------------------------------------------------------------------------
# 1. Durable appends vs pymerkle
# ---------------------------------------------------------------------------------------


async def spine_appends(url: str, total: int, batch: int, synchronous: str = "FULL") -> float:
    """Entries per second appended through the spine, batch entries per transaction."""
    settings = Settings(database_url=url, sqlite_synchronous=synchronous)
    runtime = Runtime.from_settings(settings)
    try:
        await upgrade(runtime.engine)
        start = time.perf_counter()
        for first in range(0, total, batch):
            async with unit_of_work(runtime.sessionmaker) as session:
                for i in range(first, min(total, first + batch)):
                    audit_service.record(
                        session,
                        clock=runtime.clock,
                        origin=ORIGIN,
                        actor="bench",
                        action="ledger.posted",
                        subject_type="journal",
                        subject_id=f"journal-{i}",
                        payload=payload(i),
                    )
        return total / (time.perf_counter() - start)
    finally:
        await runtime.engine.dispose()


def pymerkle_appends(leaves: list[bytes]) -> float:
    """pymerkle's in-memory appends per second over the same leaf bytes."""
    from pymerkle import InmemoryTree

    tree = InmemoryTree(algorithm="sha256")
    start = time.perf_counter()
    for leaf in leaves:
        tree.append_entry(leaf)
    return len(leaves) / (time.perf_counter() - start)


# ---------------------------------------------------------------------------------------
# 2. Verification vs a bare hashing loop
# ---------------------------------------------------------------------------------------


def bare_hashing(leaves: list[bytes]) -> float:
    """Leaves per second of the bare loop: SHA-256 of each leaf (RFC 6962 leaf prefix)."""
    sha256 = hashlib.sha256
    start = time.perf_counter()
    for leaf in leaves:
        sha256(b"\x00" + leaf).digest()
    return len(leaves) / (time.perf_counter() - start)


def hashes_and_root(leaves: list[bytes]) -> float:
    """Leaves per second of only what cannot be skipped: every leaf hash and the root."""
    sha256 = hashlib.sha256
    start = time.perf_counter()
    tree_root([sha256(b"\x00" + leaf).digest() for leaf in leaves])
    return len(leaves) / (time.perf_counter() - start)


def full_verification(leaves: list[bytes], hashes: list[bytes]) -> tuple[float, bytes]:
    """Leaves per second of LogChecker over the same leaves (as the verifier is fed them)."""
    start = time.perf_counter()
    checker = LogChecker(ORIGIN)
    step = CHUNK
    for first in range(0, len(leaves), step):
        chunk = leaves[first : first + step]
        checker.add(range(first, first + len(chunk)), chunk, hashes[first : first + step])
    root = checker.finish()
    elapsed = time.perf_counter() - start
    assert checker.ok, checker.problems[:3]
    return len(leaves) / elapsed, root


# ---------------------------------------------------------------------------------------
# 3. Inclusion proofs through HTTP on a large log
# ---------------------------------------------------------------------------------------


async def build_log(url: str, size: int, batch: int = 20_000) -> tuple[list[bytes], str]:
    """Append size entries in big batches (append_drafts under the head lock); returns the
    leaves and a regulator's API key."""
    engine = create_engine(url, synchronous="OFF")
    runtime = Runtime(
        settings=Settings(database_url=url), engine=engine, sessionmaker=make_sessionmaker(engine)
    )
    await upgrade(engine)
    clock = SystemClock()
    for first in range(0, size, batch):
        drafts = [
            EntryDraft("bench", "ledger.posted", "journal", f"journal-{i}", payload(i))  # type: ignore[arg-type]
            for i in range(first, min(size, first + batch))
        ]
        async with runtime.sessionmaker() as session:
            await begin_write(session)
            head = await audit_repository.lock_head(session)
            await audit_service.append_drafts(
                session,
                head_size=head.size,
                head_hash=head.head_hash,
                frontier=head.frontier,
                last_logged_at=head.last_logged_at,
                drafts=drafts,
                clock=clock,
                origin=ORIGIN,
            )
            await session.commit()
        print(f"\r  building the log: {min(size, first + batch):,}/{size:,}", end="", flush=True)
    print()
    async with unit_of_work(runtime.sessionmaker) as session:
        _, _, key = await participants_service.register(
            runtime.context(session),
            name="监管 bench regulator",
            role=Role.REGULATOR,
            jurisdiction="CN",
        )
    async with runtime.sessionmaker() as session:
        rows = await audit_repository.list_entries(session, start=0, limit=size)
        leaves = [bytes(leaf) for _, leaf, _ in rows]
    await engine.dispose()
    return leaves, key.secret


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), load-independent."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proof_latency(
    db_url: str, data_dir: str, key: str, count: int
) -> tuple[int, list[float], float | None]:
    """Tree size, per-request latencies (s) of GET /v1/audit/proof/inclusion at random
    indexes against the checkpoint, and the server's CPU seconds per request."""
    env = dict(os.environ, EXCHANGE_DATABASE_URL=db_url, EXCHANGE_DATA_DIR=data_dir)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "exchange.cli", "serve", "--port", str(port), "--log-level",
         "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            size = int(client.get("/v1/audit/checkpoint").text.split("\n")[1])
            headers = {"Authorization": f"Bearer {key}"}
            rng = random.Random(1)
            latencies = []
            cpu_start = 0.0
            for i in range(count + 100):
                if i == 100:  # after warm-up
                    cpu_start = _cpu_seconds(proc.pid)
                params = {"index": rng.randrange(size), "tree_size": size}
                t0 = time.perf_counter()
                r = client.get("/v1/audit/proof/inclusion", params=params, headers=headers)
                elapsed = time.perf_counter() - t0
                assert r.status_code == 200, r.text
                if i >= 100:
                    latencies.append(elapsed)
            cpu = (_cpu_seconds(proc.pid) - cpu_start) / count
            return size, latencies, cpu
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--appends", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--log-size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("EXCHANGE_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        batches = (args.batch, args.batch * 10)
        print(f"1. Durable appends ({args.appends:,} entries; {batches} entries per transaction)")
        sqlite_rates = [
            asyncio.run(spine_appends(f"sqlite+aiosqlite:///{tmp}/appends{b}.db", args.appends, b))
            for b in batches
        ]
        pg_rates: list[float] = []
        if args.postgres:
            for b in batches:
                with postgres_database(args.postgres) as pg_url:
                    pg_rates.append(asyncio.run(spine_appends(pg_url, args.appends, b)))

        print(f"3. (building a {args.log_size:,}-entry log in SQLite for 2 and 3)")
        db_url = f"sqlite+aiosqlite:///{tmp}/large.db"
        leaves, key = asyncio.run(build_log(db_url, args.log_size))
        pymerkle_rate = pymerkle_appends(leaves[: args.appends])
        for b, rate in zip(batches, sqlite_rates, strict=True):
            print(
                f"   spine -> SQLite FULL, {b:>6,}/txn {rate:10,.0f} appends/s  "
                f"{rate / pymerkle_rate:5.2f}x pymerkle (target >= 0.5)"
            )
        for b, rate in zip(batches, pg_rates, strict=True):
            print(
                f"   spine -> PostgreSQL,  {b:>6,}/txn {rate:10,.0f} appends/s  "
                f"{rate / pymerkle_rate:5.2f}x pymerkle"
            )
        if not pg_rates:
            print("   spine -> PostgreSQL: skipped (pass --postgres URL)")
        print(f"   pymerkle InmemoryTree          {pymerkle_rate:10,.0f} appends/s (in memory)")

        hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
        mean = sum(map(len, leaves)) // len(leaves)
        print(f"2. Full-log verification ({len(leaves):,} leaves of {mean} bytes on average)")
        bare = max(bare_hashing(leaves) for _ in range(2))
        floor = max(hashes_and_root(leaves) for _ in range(2))
        verified, root = max(full_verification(leaves, hashes) for _ in range(2))
        assert root == merkle.root_from_leaf_hashes(hashes)
        print(f"   bare hashlib.sha256 loop {bare:12,.0f} leaves/s")
        print(
            f"   leaf hashes + root only  {floor:12,.0f} leaves/s  ({floor / bare:.2f}x: the floor)"
        )
        print(f"   LogChecker (all checks)  {verified:12,.0f} leaves/s")
        print(f"   ratio                    {verified / bare:12.2f}x  (target >= 0.5)")

        print(f"3. Inclusion proofs through HTTP ({args.proofs} requests, 1 client, loopback)")
        data_dir = str(Path(tmp) / "data")
        size, latencies, cpu = proof_latency(db_url, data_dir, key, args.proofs)
        print(
            f"   log of {size:,}: p50 {pct(latencies, 50) * 1000:.2f} ms, "
            f"p95 {pct(latencies, 95) * 1000:.2f} ms (target p95 <= 5 ms); "
            f"server CPU {cpu * 1000 if cpu is not None else float('nan'):.2f} ms/request"
        )
        print(f"   (machine load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
