"""The audit log contract over HTTP: checkpoints, keys, entries, proofs, verify, reconcile."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta

import httpx
import pytest
from audit_log_helpers import Market, build_market, fresh_checkpoint, published_keys
from sqlalchemy import func, select, text, update

from exchange.audit import merkle
from exchange.audit.log.models import AuditEntry
from exchange.audit.note import parse_checkpoint, verify_checkpoint
from exchange.audit.transparency.models import AuditCheckpoint
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem

# Powers of two, their neighbours, and the whole log (27 entries).
SIZES = (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 26, 27)


@pytest.fixture
async def market(client: httpx.AsyncClient, make_participant: MakeParticipant) -> Market:
    return await build_market(client, make_participant)


async def _all_entries(client: httpx.AsyncClient, market: Market, **params: object) -> list[dict]:
    entries: list[dict] = []
    start: int | None = 0
    while start is not None:
        r = await client.get(
            "/v1/audit/entries",
            params={"start": start, "limit": 7, **params},
            headers=market.regulator.auth,
        )
        assert r.status_code == 200, r.text
        entries += r.json()["entries"]
        start = r.json()["next_start"]
    return entries


async def test_checkpoint_is_a_signed_note_over_the_whole_log(
    client: httpx.AsyncClient, market: Market, clock: ManualClock, runtime: Runtime
) -> None:
    r = await client.get("/v1/audit/checkpoint")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    keys = (await client.get("/v1/audit/public-key")).json()
    assert keys["origin"] == runtime.settings.audit_origin
    [key] = keys["keys"]
    assert key["algorithm"] == "ed25519" and len(base64.b64decode(key["public_key"])) == 32
    checkpoint = verify_checkpoint(r.text, published_keys(keys))
    body, _, signatures = r.text.partition("\n\n")
    assert (
        body
        == f"{checkpoint.origin}\n{checkpoint.size}\n{base64.b64encode(checkpoint.root).decode()}"
    )
    assert signatures.startswith(f"\u2014 {key['key_name']} ") and signatures.endswith("\n")
    entries = await _all_entries(client, market)
    assert checkpoint.size == len(entries)
    leaves = [merkle.leaf_hash(e["leaf"].encode()) for e in entries]
    assert checkpoint.root == merkle.mth_reference(leaves)


async def test_a_fresh_checkpoint_covers_entries_older_than_a_second(
    client: httpx.AsyncClient, market: Market, clock: ManualClock, runtime: Runtime
) -> None:
    first = parse_checkpoint(
        (await client.get("/v1/audit/checkpoint")).text.split("\n\n")[0] + "\n"
    )
    r = await client.post(
        "/v1/transfers",
        json={"to_participant_id": market.payers[1].id, "amount_fen": 5},
        headers=market.payers[0].auth,
    )
    assert r.status_code == 201
    # Within the second: the same checkpoint is served (no new row per request).
    clock.advance(timedelta(milliseconds=500))
    again = (await client.get("/v1/audit/checkpoint")).text
    assert parse_checkpoint(again.split("\n\n")[0] + "\n").size == first.size
    clock.advance(timedelta(milliseconds=600))
    later = (await client.get("/v1/audit/checkpoint")).text
    assert parse_checkpoint(later.split("\n\n")[0] + "\n").size == first.size + 1
    # Nothing new: no new checkpoint however long one waits.
    clock.advance(timedelta(seconds=30))
    assert (await client.get("/v1/audit/checkpoint")).text == later
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 2


async def test_concurrent_checkpoint_requests_sign_once(
    client: httpx.AsyncClient, market: Market, clock: ManualClock, runtime: Runtime
) -> None:
    answers = await asyncio.gather(*(client.get("/v1/audit/checkpoint") for _ in range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1


async def test_entries_are_the_leaves_verbatim_and_chain(
    client: httpx.AsyncClient, market: Market, clock: ManualClock
) -> None:
    entries = await _all_entries(client, market)
    prev = "0" * 64
    for i, entry in enumerate(entries):
        leaf = entry["leaf"].encode("utf-8")
        assert entry["index"] == i
        assert merkle.leaf_hash(leaf).hex() == entry["leaf_hash"]
        parsed = json.loads(leaf)
        assert parsed["seq"] == i and parsed["prev"] == prev
        prev = entry["leaf_hash"]
    assert any("转账" in e["leaf"] for e in entries)  # Chinese text is served as is


async def test_entries_filter_by_actor_action_subject_and_time(
    client: httpx.AsyncClient, market: Market, clock: ManualClock
) -> None:
    payer = market.payers[0]
    mine = await _all_entries(client, market, actor=payer.id)
    assert mine and all(json.loads(e["leaf"])["actor"] == payer.id for e in mine)
    posted = await _all_entries(client, market, action="ledger.posted")
    assert len(posted) == 3 + 12  # three deposits and twelve transfers
    subject = json.loads(posted[0]["leaf"])["subject"]
    one = await _all_entries(client, market, subject_type=subject["type"], subject_id=subject["id"])
    assert [e["index"] for e in one] == [posted[0]["index"]]
    clock.advance(timedelta(minutes=5))
    r = await client.post(
        "/v1/transfers",
        json={"to_participant_id": market.payers[2].id, "amount_fen": 9},
        headers=payer.auth,
    )
    assert r.status_code == 201
    since = (clock.now() - timedelta(minutes=1)).isoformat()
    recent = await _all_entries(client, market, since=since)
    assert (
        len(recent) == 1
        and json.loads(recent[0]["leaf"])["payload"]["postings"][0]["amount_fen"] == -9
    )
    older = await _all_entries(client, market, until=since)
    assert len(older) == len(await _all_entries(client, market)) - 1


async def test_filtered_entries_come_with_proofs_against_a_checkpoint(
    client: httpx.AsyncClient, market: Market, clock: ManualClock
) -> None:
    note = await fresh_checkpoint(client, clock)
    keys = published_keys((await client.get("/v1/audit/public-key")).json())
    checkpoint = verify_checkpoint(note, keys)
    r = await client.get(
        "/v1/audit/entries",
        params={"actor": market.payers[1].id, "proofs": "true"},
        headers=market.regulator.auth,
    )
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["tree_size"] == checkpoint.size and page["checkpoint"] == note
    assert page["entries"]
    for entry in page["entries"]:
        leaf = merkle.leaf_hash(entry["leaf"].encode())
        path = [bytes.fromhex(h) for h in entry["audit_path"]]
        assert merkle.verify_inclusion(leaf, entry["index"], checkpoint.size, path, checkpoint.root)
    # Without proofs the page is exactly the contract's shape.
    plain = await client.get("/v1/audit/entries", headers=market.regulator.auth)
    assert set(plain.json()) == {"entries", "next_start"}
    assert set(plain.json()["entries"][0]) == {"index", "leaf", "leaf_hash"}


async def test_inclusion_proofs_verify_for_every_entry_and_size(
    client: httpx.AsyncClient, market: Market, clock: ManualClock
) -> None:
    checkpoint = verify_checkpoint(
        await fresh_checkpoint(client, clock),
        published_keys((await client.get("/v1/audit/public-key")).json()),
    )
    entries = await _all_entries(client, market)
    leaves = [merkle.leaf_hash(e["leaf"].encode()) for e in entries]
    for size in SIZES:
        root = merkle.mth_reference(leaves[:size])
        for index in range(size):
            r = await client.get(
                "/v1/audit/proof/inclusion",
                params={"index": index, "tree_size": size},
                headers=market.regulator.auth,
            )
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["leaf_hash"] == leaves[index].hex()
            path = [bytes.fromhex(h) for h in body["audit_path"]]
            assert path == merkle.inclusion_proof_reference(leaves[:size], index)
            assert merkle.verify_inclusion(leaves[index], index, size, path, root)
    default = await client.get(
        "/v1/audit/proof/inclusion", params={"index": 3}, headers=market.regulator.auth
    )
    assert default.json()["tree_size"] == checkpoint.size


async def test_consistency_proofs_verify_between_all_sizes(
    client: httpx.AsyncClient, market: Market, clock: ManualClock
) -> None:
    checkpoint = verify_checkpoint(
        await fresh_checkpoint(client, clock),
        published_keys((await client.get("/v1/audit/public-key")).json()),
    )
    assert checkpoint.size == SIZES[-1]
    entries = await _all_entries(client, market)
    leaves = [merkle.leaf_hash(e["leaf"].encode()) for e in entries]
    for second in SIZES:
        for first in range(1, second + 1):
            r = await client.get(
                "/v1/audit/proof/consistency",
                params={"first": first, "second": second},
                headers=market.regulator.auth,
            )
            assert r.status_code == 200, r.text
            proof = [bytes.fromhex(h) for h in r.json()["proof"]]
            assert merkle.verify_consistency(
                first,
                second,
                merkle.mth_reference(leaves[:first]),
                merkle.mth_reference(leaves[:second]),
                proof,
            )


@pytest.mark.parametrize(
    ("path", "params", "slug"),
    [
        ("/v1/audit/proof/inclusion", {"index": 999}, "audit-index-out-of-range"),
        ("/v1/audit/proof/inclusion", {"index": 0, "tree_size": 0}, "audit-index-out-of-range"),
        (
            "/v1/audit/proof/inclusion",
            {"index": 0, "tree_size": 999},
            "audit-tree-size-beyond-checkpoint",
        ),
        ("/v1/audit/proof/inclusion", {"index": -1}, "invalid-request"),
        ("/v1/audit/proof/inclusion", {"index": "abc"}, "invalid-request"),
        ("/v1/audit/proof/inclusion", {"index": "1.5"}, "invalid-request"),
        ("/v1/audit/proof/inclusion", {}, "invalid-request"),
        ("/v1/audit/proof/inclusion", {"index": 2**64}, "invalid-request"),
        ("/v1/audit/proof/inclusion", {"index": 0, "tree_size": -3}, "invalid-request"),
        ("/v1/audit/proof/consistency", {"first": 5, "second": 3}, "audit-sizes-out-of-order"),
        (
            "/v1/audit/proof/consistency",
            {"first": 0, "second": 3},
            "audit-consistency-from-empty-tree",
        ),
        ("/v1/audit/proof/consistency", {"first": 0}, "audit-consistency-from-empty-tree"),
        (
            "/v1/audit/proof/consistency",
            {"first": 1, "second": 999},
            "audit-tree-size-beyond-checkpoint",
        ),
        ("/v1/audit/proof/consistency", {"first": 999}, "audit-sizes-out-of-order"),
        ("/v1/audit/proof/consistency", {"first": "x", "second": 3}, "invalid-request"),
        ("/v1/audit/proof/consistency", {"first": -1, "second": 3}, "invalid-request"),
        ("/v1/audit/entries", {"start": -1}, "invalid-request"),
        ("/v1/audit/entries", {"start": 2**70}, "invalid-request"),
        ("/v1/audit/entries", {"limit": 0}, "invalid-request"),
        (
            "/v1/audit/entries",
            {"proofs": "true", "tree_size": 999},
            "audit-tree-size-beyond-checkpoint",
        ),
        ("/v1/audit/entries", {"since": "yesterday"}, "invalid-request"),
    ],
)
async def test_bad_proof_requests_are_problems_not_crashes(
    client: httpx.AsyncClient,
    market: Market,
    clock: ManualClock,
    path: str,
    params: dict[str, object],
    slug: str,
) -> None:
    await fresh_checkpoint(client, clock)
    r = await client.get(path, params=params, headers=market.regulator.auth)
    assert_problem(r, 422, slug)


async def test_no_proofs_before_the_first_checkpoint(
    client: httpx.AsyncClient, market: Market
) -> None:
    r = await client.get(
        "/v1/audit/proof/inclusion", params={"index": 0}, headers=market.regulator.auth
    )
    body = assert_problem(r, 422, "audit-index-out-of-range")
    assert body["tree_size"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/v1/audit/entries",
        "/v1/audit/proof/inclusion?index=0",
        "/v1/audit/proof/consistency?first=1&second=2",
        "/v1/audit/verify",
        "/v1/audit/reconcile",
    ],
)
async def test_entries_and_proofs_are_for_regulators_and_admins(
    client: httpx.AsyncClient,
    market: Market,
    make_participant: MakeParticipant,
    clock: ManualClock,
    path: str,
) -> None:
    await fresh_checkpoint(client, clock)
    assert_problem(await client.get(path), 401, "unauthenticated")
    for role in (Role.ENTERPRISE, Role.EXCHANGE_OPERATOR, Role.COMPLIANCE_REVIEWER):
        outsider = await make_participant(role)
        assert_problem(await client.get(path, headers=outsider.auth), 403, "forbidden")
    admin = await make_participant(Role.ADMIN)
    for who in (market.regulator, admin):
        r = await client.get(path, headers=who.auth)
        assert r.status_code == 200, r.text


async def test_server_verify_passes_on_an_honest_log(
    client: httpx.AsyncClient, market: Market, clock: ManualClock
) -> None:
    await fresh_checkpoint(client, clock)
    r = await client.get("/v1/audit/verify", headers=market.regulator.auth)
    assert r.status_code == 200
    report = r.json()
    assert set(report) == {"ok", "size", "root", "first_bad_index", "first_bad_range", "problems"}
    assert report["ok"] is True and report["problems"] == [] and report["first_bad_index"] is None
    assert report["first_bad_range"] is None
    entries = await _all_entries(client, market)
    leaves = [merkle.leaf_hash(e["leaf"].encode()) for e in entries]
    assert report["size"] == len(entries)
    assert report["root"] == merkle.mth_reference(leaves).hex()


async def test_reconcile_finds_a_balance_changed_behind_the_platforms_back(
    client: httpx.AsyncClient, market: Market, runtime: Runtime
) -> None:
    r = await client.get("/v1/audit/reconcile", headers=market.regulator.auth)
    assert r.status_code == 200
    report = r.json()
    assert report["ok"] is True and report["differences"] == []
    assert report["entries_replayed"] == 15 + 4  # postings, and the accounts they move
    account = market.payers[1].account_id
    async with runtime.engine.begin() as conn:
        await conn.execute(
            text("UPDATE accounts SET balance_fen = balance_fen + 500 WHERE id = :id"),
            {"id": account},
        )
    report = (await client.get("/v1/audit/reconcile", headers=market.regulator.auth)).json()
    assert report["ok"] is False
    [difference] = report["differences"]
    assert (difference["table"], difference["row_id"]) == ("accounts", account)
    assert (difference["column"], difference["kind"]) == ("balance_fen", "changed")
    assert difference["live_value"] - difference["log_value"] == 500
    # Named with the last entry that moved the account's balance.
    async with runtime.sessionmaker() as session:
        leaves = (
            await session.execute(
                select(AuditEntry.seq, AuditEntry.leaf)
                .where(AuditEntry.action == "ledger.posted")
                .order_by(AuditEntry.seq)
            )
        ).all()
    last = max(seq for seq, leaf in leaves if account.encode() in leaf)
    assert difference["entry_index"] == last


async def test_reconcile_reports_damaged_postings_and_ignores_the_action_column(
    client: httpx.AsyncClient, market: Market, runtime: Runtime
) -> None:
    async with runtime.sessionmaker() as session:
        rows = (
            await session.execute(
                select(AuditEntry.seq, AuditEntry.leaf)
                .where(AuditEntry.action == "ledger.posted")
                .order_by(AuditEntry.seq)
            )
        ).all()
    (relabelled, _), (damaged, leaf) = rows[-1], rows[-2]
    entry = json.loads(leaf)
    entry["payload"]["postings"][0]["amount_fen"] = "1000"  # a string where fen must be int
    async with runtime.engine.begin() as conn:
        # Hiding an entry from the replay by relabelling its column must not work...
        await conn.execute(
            update(AuditEntry).where(AuditEntry.seq == relabelled).values(action="catalog.noop")
        )
        # ...and a forged payload is reported, never a 500 and never half-counted.
        await conn.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == damaged)
            .values(leaf=json.dumps(entry, separators=(",", ":")).encode())
        )
    r = await client.get("/v1/audit/reconcile", headers=market.regulator.auth)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["ok"] is False
    assert report["unreadable_entries"] == [damaged]
    assert report["entries_replayed"] == len(rows) - 1 + 4  # and the 4 accounts opened
    # Only the damaged entry's accounts and journal differ; the relabelled one still counted.
    accounts = {leg["account_id"] for leg in entry["payload"]["postings"]}
    for difference in report["differences"]:
        if difference["table"] == "accounts":
            assert difference["row_id"] in accounts
        else:
            assert difference["table"] in ("journals", "postings"), difference
