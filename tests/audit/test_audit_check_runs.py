"""The last verification and reconciliation are kept: what each found, when, who asked."""

from __future__ import annotations

import httpx
from audit_log_helpers import build_market, fresh_checkpoint
from sqlalchemy import select, update

from exchange.audit.log.models import AuditEntry
from exchange.audit.transparency import runs
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.participants.models import Account
from support import MakeParticipant


async def _last(runtime: Runtime) -> dict[str, runs.CheckRunRead]:
    async with runtime.unit_of_work(write=False) as session:
        return await runs.last_runs(runtime.context(session))


async def test_each_run_replaces_the_last_of_its_kind(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_participant: MakeParticipant,
    clock: ManualClock,
) -> None:
    market = await build_market(client, make_participant, transfers=4)
    await fresh_checkpoint(client, clock)
    assert await _last(runtime) == {}
    verified = await client.get("/v1/audit/verify", headers=market.regulator.auth)
    assert verified.json()["ok"] is True
    reconciled = await client.get("/v1/audit/reconcile", headers=market.regulator.auth)
    assert reconciled.json()["ok"] is True
    last = await _last(runtime)
    verify, reconcile = last["verify"], last["reconcile"]
    assert verify.ok and verify.log_size == verified.json()["size"]
    assert verify.root == verified.json()["root"] and verify.findings == 0
    assert verify.trigger == "verify" and verify.run_by == market.regulator.id
    assert verify.ran_at == clock.now()
    assert reconcile.ok and reconcile.log_size == reconciled.json()["log_size"]
    assert reconcile.summary == "" and reconcile.first_bad_index is None

    # An account's balance edited behind the log's back: the next reconciliation says where.
    async with runtime.engine.begin() as conn:
        await conn.execute(
            update(Account).where(Account.id == market.payers[0].account_id).values(balance_fen=7)
        )
    again = (await client.get("/v1/audit/reconcile", headers=market.regulator.auth)).json()
    assert again["ok"] is False
    kept = (await _last(runtime))["reconcile"]
    assert not kept.ok and kept.findings == again["differences_total"] >= 1
    first = again["differences"][0]
    assert kept.first_bad_index == first["entry_index"]
    assert f"{first['table']} {first['row_id']}" in kept.summary
    assert (await _last(runtime))["verify"] == verify  # the other kind is untouched


async def test_a_failed_verification_is_kept_with_the_first_bad_entry(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_participant: MakeParticipant,
    clock: ManualClock,
) -> None:
    market = await build_market(client, make_participant, transfers=6)
    await fresh_checkpoint(client, clock)
    async with runtime.engine.begin() as conn:
        leaf = bytes(
            (await conn.execute(select(AuditEntry.leaf).where(AuditEntry.seq == 4))).scalar_one()
        )
        tampered = leaf.replace(b'"type":"account"', b'"type":"accounT"', 1)
        assert tampered != leaf
        await conn.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(leaf=tampered))
    report = (await client.get("/v1/audit/verify", headers=market.regulator.auth)).json()
    assert report["ok"] is False and report["first_bad_index"] == 4
    kept = (await _last(runtime))["verify"]
    assert not kept.ok and kept.first_bad_index == 4
    assert kept.findings == len(report["problems"]) and kept.summary
