"""An independent check of the audit chain, written from the contract alone."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from exchange.audit.log.models import AuditEntry, AuditHead
from exchange.context import Runtime


def _mth(hashes: list[bytes]) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(hashes[:k]) + _mth(hashes[k:])).digest()


async def chain_entries(runtime: Runtime) -> list[dict[str, object]]:
    """Check every leaf hash, the prev chain, seq order and the head; return the entries."""
    async with runtime.sessionmaker() as session:
        rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all()
        head = (await session.scalars(select(AuditHead))).one()
    prev = "0" * 64
    entries: list[dict[str, object]] = []
    hashes: list[bytes] = []
    last_time = ""
    for i, row in enumerate(rows):
        assert row.seq == i
        entry = json.loads(row.leaf)
        assert entry["seq"] == i and entry["v"] == 1
        assert entry["prev"] == prev, f"chain broken at {i}"
        assert entry["logged_at"] >= last_time and entry["logged_at"].endswith("Z")
        digest = hashlib.sha256(b"\x00" + row.leaf).digest()
        assert digest == row.leaf_hash
        prev = digest.hex()
        last_time = str(entry["logged_at"])
        hashes.append(digest)
        entries.append(entry)
    assert head.size == len(rows)
    assert head.head_hash.hex() == (prev if rows else "0" * 64)
    return entries
