"""Tampering with the stored log directly in the database is found, and where.

Each case rewrites the tables behind the platform's back after a checkpoint was signed;
both the server's /verify and the offline verifier (which trusts nothing but the contract)
must fail and name the same first bad index.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from audit_log_helpers import Market, build_market, fresh_checkpoint
from sqlalchemy import delete, insert, select, update

from exchange.audit import merkle
from exchange.audit.log.entry import EntryDraft, build_leaf
from exchange.audit.log.models import AuditEntry, AuditHead, AuditNode
from exchange.audit.verifier.remote import verify_remote
from exchange.audit.verifier.report import Report
from exchange.clock import ManualClock
from exchange.context import Runtime
from support import MakeParticipant

Tamper = Callable[[Runtime], Awaitable[int]]


async def _leaf(runtime: Runtime, seq: int) -> bytes:
    async with runtime.engine.connect() as conn:
        return bytes(
            (await conn.execute(select(AuditEntry.leaf).where(AuditEntry.seq == seq))).scalar_one()
        )


async def _set_leaf(runtime: Runtime, seq: int, leaf: bytes) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(leaf=leaf))


async def flip_ascii_byte(runtime: Runtime) -> int:
    """Turn one letter of entry 10's payload into another (still valid JSON)."""
    leaf = bytearray(await _leaf(runtime, 10))
    at = leaf.index(b'"payload":{"') + len(b'"payload":{"')
    assert chr(leaf[at]).isalpha()
    leaf[at] ^= 0x02
    await _set_leaf(runtime, 10, bytes(leaf))
    return 10


async def flip_byte_of_chinese_text(runtime: Runtime) -> int:
    """Flip one byte inside a Chinese character of a memo: the leaf is no longer UTF-8."""
    for seq in range(15, 27):
        leaf = bytearray(await _leaf(runtime, seq))
        at = leaf.find("转".encode())
        if at >= 0:
            leaf[at + 1] ^= 0x40
            await _set_leaf(runtime, seq, bytes(leaf))
            return seq
    raise AssertionError("no Chinese memo in the log")


async def delete_entry(runtime: Runtime) -> int:
    async with runtime.engine.begin() as conn:
        await conn.execute(delete(AuditEntry).where(AuditEntry.seq == 13))
    return 13


async def swap_entries(runtime: Runtime) -> int:
    """Exchange the places of entries 7 and 12 (every column moves with its row)."""
    async with runtime.engine.begin() as conn:
        for old, new in ((7, 10**9), (12, 7), (10**9, 12)):
            await conn.execute(update(AuditEntry).where(AuditEntry.seq == old).values(seq=new))
    return 7


async def change_subtree_hash(runtime: Runtime) -> int:
    """Overwrite the stored hash of the subtree over entries [16, 32) (level 4, index 1)."""
    async with runtime.engine.begin() as conn:
        result = await conn.execute(
            update(AuditNode)
            .where(AuditNode.level == 4, AuditNode.index == 1)
            .values(hash=merkle.leaf_hash(b"forged"))
        )
        assert result.rowcount == 1
    return 16


async def append_without_the_lock(runtime: Runtime) -> int:
    """Insert a well-formed, correctly chained entry at seq = size, leaving head and tree."""
    async with runtime.engine.begin() as conn:
        head = (await conn.execute(select(AuditHead))).one()
        leaf = build_leaf(
            origin=runtime.settings.audit_origin,
            seq=head.size,
            logged_at=runtime.clock.now(),
            draft=EntryDraft(
                actor="system",
                action="ledger.posted",
                subject_type="journal",
                subject_id="forged-journal",
                payload={"kind": "deposit", "memo": "伪造", "postings": []},
            ),
            prev=head.head_hash,
        )
        digest = merkle.leaf_hash(leaf)
        await conn.execute(
            insert(AuditEntry).values(
                seq=head.size,
                leaf=leaf,
                leaf_hash=digest,
                prev=head.head_hash,
                logged_at=runtime.clock.now(),
                actor="system",
                action="ledger.posted",
                subject_type="journal",
                subject_id="forged-journal",
            )
        )
        return int(head.size)


TAMPERS = [
    flip_ascii_byte,
    flip_byte_of_chinese_text,
    delete_entry,
    swap_entries,
    change_subtree_hash,
    append_without_the_lock,
]


@pytest.fixture
async def signed_market(
    client: httpx.AsyncClient, make_participant: MakeParticipant, clock: ManualClock
) -> Market:
    market = await build_market(client, make_participant, transfers=20)  # 35 entries
    await fresh_checkpoint(client, clock)
    return market


def _waiter(clock: ManualClock) -> Callable[[float], Awaitable[None]]:
    async def wait(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    return wait


async def _verify_offline(
    client: httpx.AsyncClient, market: Market, clock: ManualClock, **options: Any
) -> Report:
    return await verify_remote(client, market.regulator.key, wait=_waiter(clock), **options)


async def test_an_untouched_log_verifies_both_ways(
    client: httpx.AsyncClient, signed_market: Market, clock: ManualClock
) -> None:
    r = await client.get("/v1/audit/verify", headers=signed_market.regulator.auth)
    assert r.json()["ok"] is True
    for all_proofs in (False, True):
        report = await _verify_offline(client, signed_market, clock, all_proofs=all_proofs)
        assert report.ok, report.as_json()
        assert report.first_bad_index is None and report.entries == report.size == 35


@pytest.mark.parametrize("tamper", TAMPERS, ids=lambda t: t.__name__)
async def test_tampering_is_reported_with_the_first_bad_index(
    client: httpx.AsyncClient,
    signed_market: Market,
    runtime: Runtime,
    clock: ManualClock,
    tamper: Tamper,
) -> None:
    first_bad = await tamper(runtime)

    r = await client.get("/v1/audit/verify", headers=signed_market.regulator.auth)
    assert r.status_code == 200, r.text
    server = r.json()
    assert server["ok"] is False
    assert server["first_bad_index"] == first_bad, server
    assert server["problems"]

    for all_proofs in (False, True):
        report = await _verify_offline(client, signed_market, clock, all_proofs=all_proofs)
        assert not report.ok
        assert report.first_bad_index == first_bad, report.as_json()


async def test_the_offline_verifier_names_a_damaged_subtree_through_its_proofs(
    client: httpx.AsyncClient, signed_market: Market, runtime: Runtime, clock: ManualClock
) -> None:
    # Level 4, index 0 covers entries [0, 16): only the proofs of entries 16-31 pass by it,
    # so one spot check per page (entry 0) cannot see it; checking every proof (the default)
    # does.
    async with runtime.engine.begin() as conn:
        await conn.execute(
            update(AuditNode)
            .where(AuditNode.level == 4, AuditNode.index == 0)
            .values(hash=merkle.leaf_hash(b"forged"))
        )
    server = (await client.get("/v1/audit/verify", headers=signed_market.regulator.auth)).json()
    assert server["first_bad_index"] == 0
    assert any("[0, 16)" in p["detail"] for p in server["problems"])
    quick = await _verify_offline(client, signed_market, clock, all_proofs=False)
    assert quick.ok
    thorough = await _verify_offline(client, signed_market, clock)  # every proof, the default
    assert thorough.first_bad_index == 0
    assert any("[0, 16)" in p.detail for p in thorough.problems)
