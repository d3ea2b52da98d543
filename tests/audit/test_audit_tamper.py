"""Tampering with the stored log directly in the database is found, and where.

Each case rewrites the tables behind the platform's back after a checkpoint was signed; the
server's /verify, the remote verifier (which trusts nothing but the contract) and the
verifier of an export must each name the first entry that differs from what was signed --
or, for what is not theirs to see (the server's query columns, its head, its stored subtree
hashes in an export), say where the server found it, and that they could not.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from audit_log_helpers import Market, build_market, fresh_checkpoint
from sqlalchemy import delete, insert, select, update

from exchange.audit import merkle
from exchange.audit.log.entry import EntryDraft, build_leaf, canonical_json
from exchange.audit.log.models import AuditEntry, AuditHead, AuditNode
from exchange.audit.transparency.service import export_lines
from exchange.audit.verifier.files import verify_file
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


async def recompute_leaf_hash(runtime: Runtime) -> int:
    """Rewrite entry 10's payload and store its new leaf hash (the rest untouched)."""
    leaf = bytearray(await _leaf(runtime, 10))
    at = leaf.index(b'"payload":{"') + len(b'"payload":{"')
    leaf[at] ^= 0x02
    async with runtime.engine.begin() as conn:
        await conn.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == 10)
            .values(leaf=bytes(leaf), leaf_hash=merkle.leaf_hash(bytes(leaf)))
        )
    return 10


async def relink_tail(runtime: Runtime, edited: int = 20) -> int:
    """Rewrite entry 20 and re-link everything after it: every later prev and leaf hash, the
    prev column and the head -- all but the stored subtree hashes and the checkpoints."""
    async with runtime.engine.begin() as conn:
        rows = (
            await conn.execute(select(AuditEntry.seq, AuditEntry.leaf).order_by(AuditEntry.seq))
        ).all()
        hashes = [merkle.leaf_hash(bytes(leaf)) for _, leaf in rows]
        for seq, leaf in rows[edited:]:
            entry = json.loads(bytes(leaf))
            if seq == edited:
                entry["payload"]["memo"] = "改写 rewritten"
            else:
                entry["prev"] = hashes[seq - 1].hex()
            new = canonical_json(entry)
            hashes[seq] = merkle.leaf_hash(new)
            await conn.execute(
                update(AuditEntry)
                .where(AuditEntry.seq == seq)
                .values(leaf=new, leaf_hash=hashes[seq], prev=bytes.fromhex(entry["prev"]))
            )
        await conn.execute(
            update(AuditHead).values(
                head_hash=hashes[-1],
                frontier=merkle.encode_frontier(merkle.frontier_from_leaf_hashes(hashes)),
            )
        )
    return edited


async def edit_columns(runtime: Runtime) -> int:
    """Give entry 9 another actor and action in the query columns (its leaf is untouched)."""
    async with runtime.engine.begin() as conn:
        await conn.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == 9)
            .values(actor="system", action="participant.registered")
        )
    return 9


async def damage_head_hash(runtime: Runtime) -> int:
    """The head no longer names the last entry (34 of 35)."""
    async with runtime.engine.begin() as conn:
        await conn.execute(update(AuditHead).values(head_hash=merkle.leaf_hash(b"forged")))
    return 34


async def damage_head_frontier(runtime: Runtime) -> int:
    """The head's frontier of 35 = 32 + 2 + 1: its second subtree (entries 32-33) forged."""
    async with runtime.engine.begin() as conn:
        frontier = bytes((await conn.execute(select(AuditHead.frontier))).scalar_one())
        forged = frontier[:32] + merkle.leaf_hash(b"forged") + frontier[64:]
        await conn.execute(update(AuditHead).values(frontier=forged))
    return 32


# Each kind of edit, and whether the remote verifier and the verifier of an export can see
# it (the server always does); each that sees it names the same first bad index.
def _kind(tamper: Tamper, *, remote: bool, export: bool) -> Any:
    return pytest.param(tamper, remote, export, id=tamper.__name__)


TAMPERS = [
    _kind(flip_ascii_byte, remote=True, export=True),
    _kind(flip_byte_of_chinese_text, remote=True, export=True),
    _kind(recompute_leaf_hash, remote=True, export=True),
    _kind(delete_entry, remote=True, export=True),
    _kind(swap_entries, remote=True, export=True),
    # An export holds no subtree hashes, and cannot know when its entries were signed.
    _kind(change_subtree_hash, remote=True, export=False),
    _kind(append_without_the_lock, remote=True, export=False),
    # Query columns are not signed, served or exported; the head is the server's own.
    _kind(edit_columns, remote=False, export=False),
    _kind(damage_head_hash, remote=False, export=False),
    _kind(damage_head_frontier, remote=False, export=False),
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


async def _verify_export(
    client: httpx.AsyncClient, runtime: Runtime, tmp_path: Path, trusted: Path | None = None
) -> Report:
    """Export the log as stored, then verify the file against the served checkpoint."""
    export = tmp_path / "export.jsonl"
    async with runtime.sessionmaker() as session:
        lines = [line async for line in export_lines(session)]
    export.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    note = (await client.get("/v1/audit/checkpoint")).text
    key = (await client.get("/v1/audit/public-key")).json()["keys"][0]["public_key"]
    return verify_file(export, checkpoint_note=note, public_keys=[key], trusted=trusted)


@pytest.mark.parametrize(("tamper", "remote_sees", "export_sees"), TAMPERS)
async def test_tampering_is_reported_with_the_first_bad_index(
    client: httpx.AsyncClient,
    signed_market: Market,
    runtime: Runtime,
    clock: ManualClock,
    tmp_path: Path,
    tamper: Tamper,
    remote_sees: bool,
    export_sees: bool,
) -> None:
    first_bad = await tamper(runtime)

    r = await client.get("/v1/audit/verify", headers=signed_market.regulator.auth)
    assert r.status_code == 200, r.text
    server = r.json()
    assert server["ok"] is False
    assert server["first_bad_index"] == first_bad, server
    assert server["problems"]
    assert any(p["index"] == first_bad for p in server["problems"])

    for all_proofs in (False, True):
        report = await _verify_offline(client, signed_market, clock, all_proofs=all_proofs)
        if remote_sees:
            assert not report.ok
            assert report.first_bad_index == first_bad, report.as_json()
        else:
            assert report.ok, report.as_json()

    exported = await _verify_export(client, runtime, tmp_path)
    if export_sees:
        assert not exported.ok
        assert exported.first_bad_index == first_bad, exported.as_json()
    else:
        assert exported.ok, exported.as_json()


async def test_a_relinked_tail_is_named_at_the_edited_entry_by_what_was_seen_before(
    client: httpx.AsyncClient,
    signed_market: Market,
    runtime: Runtime,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    # A verification that passed once (the server's periodic check, a regulator's run with
    # --trusted) keeps the leaf hashes it checked against the signed root.
    regulator = signed_market.regulator
    assert (await client.get("/v1/audit/verify", headers=regulator.auth)).json()["ok"]
    trusted = tmp_path / "trusted" / "checkpoint.txt"
    assert (await _verify_offline(client, signed_market, clock, trusted=trusted)).ok
    assert trusted.with_name("checkpoint.txt.leaves").stat().st_size == 35 * 32

    await relink_tail(runtime, 20)

    server = (await client.get("/v1/audit/verify", headers=regulator.auth)).json()
    assert server["first_bad_index"] == 20 and server["first_bad_range"] == [20, 21], server
    assert any(p["index"] == 20 and "entry 20 differs" in p["detail"] for p in server["problems"])
    for all_proofs in (False, True):
        remote = await _verify_offline(
            client, signed_market, clock, trusted=trusted, all_proofs=all_proofs
        )
        assert remote.first_bad_index == 20 and remote.first_bad_range == (20, 21)
    exported = await _verify_export(client, runtime, tmp_path, trusted=trusted)
    assert exported.first_bad_index == 20 and exported.first_bad_range == (20, 21)


async def test_a_relinked_tail_without_earlier_evidence_is_bounded_not_misplaced(
    client: httpx.AsyncClient,
    signed_market: Market,
    runtime: Runtime,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    # With nothing seen before and the tail re-linked to the end, the database keeps no
    # memory of entry 20's signed hash: every mode says so with a range, never a wrong entry.
    await relink_tail(runtime, 20)
    server = (await client.get("/v1/audit/verify", headers=signed_market.regulator.auth)).json()
    start, end = server["first_bad_range"]
    assert start <= 20 < end and server["first_bad_index"] == start
    assert any("is in [" in p["detail"] for p in server["problems"])
    remote = await _verify_offline(client, signed_market, clock)
    assert remote.first_bad_range is not None
    assert remote.first_bad_range[0] <= 20 < remote.first_bad_range[1]
    exported = await _verify_export(client, runtime, tmp_path)
    assert exported.first_bad_range is not None
    assert exported.first_bad_range[0] <= 20 < exported.first_bad_range[1]


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
