"""Fail closed: a damaged log halts every state change until an admin acknowledges.

Reads keep working (a regulator must be able to inspect), readiness fails, nothing is
appended -- not through the API, not from the command line -- and the halt is lifted only
once the log verifies again.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from audit_log_helpers import Market, build_market, fresh_checkpoint
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from exchange.app import create_app
from exchange.audit.log.models import AuditEntry, AuditHead
from exchange.audit.transparency import halts
from exchange.cli import app as cli
from exchange.clock import ManualClock
from exchange.config import Settings
from exchange.context import Runtime
from support import Actor, MakeParticipant

DAMAGED = "/problems/audit-log-damaged"


@pytest.fixture
async def market(
    client: httpx.AsyncClient, make_participant: MakeParticipant, clock: ManualClock
) -> Market:
    market = await build_market(client, make_participant, transfers=6)
    await fresh_checkpoint(client, clock)
    return market


async def _leaf(runtime: Runtime, seq: int) -> bytes:
    async with runtime.engine.connect() as conn:
        stmt = select(AuditEntry.leaf).where(AuditEntry.seq == seq)
        return bytes((await conn.execute(stmt)).scalar_one())


async def _set_leaf(runtime: Runtime, seq: int, leaf: bytes) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(leaf=leaf))


async def damage(runtime: Runtime, seq: int = 5) -> bytes:
    """Change one byte of an entry's payload behind the platform's back; return the original."""
    original = await _leaf(runtime, seq)
    leaf = bytearray(original)
    at = leaf.index(b'"payload":{"') + len(b'"payload":{"')
    leaf[at] ^= 0x02
    await _set_leaf(runtime, seq, bytes(leaf))
    return original


async def _log_size(runtime: Runtime) -> int:
    async with runtime.engine.connect() as conn:
        size = (await conn.execute(select(AuditHead.size))).scalar_one()
        rows = (await conn.execute(select(func.count()).select_from(AuditEntry))).scalar_one()
    assert size == rows
    return int(size)


async def _transfer(client: httpx.AsyncClient, payer: Actor, payee: Actor) -> httpx.Response:
    return await client.post(
        "/v1/transfers",
        json={"to_participant_id": payee.id, "amount_fen": 1, "memo": "停机后"},
        headers=payer.auth,
    )


def _assert_damaged(r: httpx.Response, index: int) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["type"] == DAMAGED and body["first_bad_index"] == index, body
    assert f"entry {index}" in body["detail"]


async def test_a_damaged_log_refuses_writes_keeps_reads_and_is_lifted_only_once_repaired(
    client: httpx.AsyncClient, market: Market, runtime: Runtime, admin: Actor
) -> None:
    regulator, (payer, payee, _) = market.regulator, market.payers
    original = await damage(runtime, 5)

    found = (await client.get("/v1/audit/verify", headers=regulator.auth)).json()
    assert found["ok"] is False and found["first_bad_index"] == 5
    size = await _log_size(runtime)

    # Every state change is refused, naming the entry; nothing is appended.
    _assert_damaged(await _transfer(client, payer, payee), 5)
    _assert_damaged(await client.get("/health/ready"), 5)
    assert await _log_size(runtime) == size
    # Reads keep working, for the regulator above all.
    assert (await client.get("/v1/accounts/me", headers=payer.auth)).status_code == 200
    entries = await client.get("/v1/audit/entries", headers=regulator.auth)
    assert entries.status_code == 200 and len(entries.json()["entries"]) == size
    status = (await client.get("/v1/audit/halt", headers=regulator.auth)).json()
    assert status["halted"] is True
    assert [(h["first_bad_index"], h["detected_by"]) for h in status["halts"]] == [(5, "verify")]
    scrape = await client.get("/metrics", headers=admin.auth)
    assert "exchange_audit_last_verification_ok 0.0" in scrape.text

    # Acknowledging is for admins, and refused while the log is still damaged.
    refused = await client.post("/v1/audit/halt/acknowledge", headers=regulator.auth)
    assert refused.status_code == 403
    still = await client.post("/v1/audit/halt/acknowledge", headers=admin.auth)
    assert still.status_code == 409, still.text
    assert still.json()["type"] == "/problems/audit-log-still-damaged"
    assert still.json()["first_bad_index"] == 5
    _assert_damaged(await _transfer(client, payer, payee), 5)

    # Repaired (the original bytes restored from a backup), acknowledged: writes work again.
    await _set_leaf(runtime, 5, original)
    lifted = await client.post("/v1/audit/halt/acknowledge", headers=admin.auth)
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["halted"] is False
    assert lifted.json()["acknowledged"][0]["acknowledged_by"] == admin.id
    assert (await _transfer(client, payer, payee)).status_code == 201
    assert (await client.get("/health/ready")).status_code == 200
    assert (await client.get("/v1/audit/halt", headers=regulator.auth)).json()["halted"] is False
    again = await client.post("/v1/audit/halt/acknowledge", headers=admin.auth)
    assert again.status_code == 409 and again.json()["type"] == "/problems/audit-not-halted"

    # The acknowledgement is itself on the record, and the log verifies.
    acks = await client.get(
        "/v1/audit/entries", params={"action": "audit.halt_acknowledged"}, headers=regulator.auth
    )
    [ack] = [json.loads(e["leaf"]) for e in acks.json()["entries"]]
    assert ack["actor"] == admin.id and ack["payload"]["halts"][0]["first_bad_index"] == 5
    assert (await client.get("/v1/audit/verify", headers=regulator.auth)).json()["ok"] is True
    scrape = await client.get("/metrics", headers=admin.auth)
    assert "exchange_audit_last_verification_ok 1.0" in scrape.text


async def test_a_sound_log_is_not_halted(
    client: httpx.AsyncClient, market: Market, runtime: Runtime
) -> None:
    report = await halts.check_log(runtime, trigger="periodic")
    assert report.ok
    assert (await client.get("/health/ready")).status_code == 200
    assert (await _transfer(client, *market.payers[:2])).status_code == 201


@pytest.fixture
def owned_settings(runtime: Runtime, tmp_path: Path) -> Settings:
    """Settings for an app that builds its own runtime on the test database (as served)."""
    return Settings(
        database_url=runtime.settings.database_url,
        data_dir=tmp_path / "served",
        signing_key_dir=runtime.settings.resolved_key_dir(),
        audit_check_seconds=0,
    )


async def test_the_served_app_checks_the_log_at_start_up(
    market: Market, runtime: Runtime, owned_settings: Settings
) -> None:
    await damage(runtime, 7)
    app = create_app(owned_settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        _assert_damaged(await client.get("/health/ready"), 7)
        _assert_damaged(await _transfer(client, *market.payers[:2]), 7)
        payer = market.payers[0]
        assert (await client.get("/v1/accounts/me", headers=payer.auth)).status_code == 200


async def test_the_periodic_check_halts_a_log_damaged_while_serving(
    market: Market, runtime: Runtime, owned_settings: Settings
) -> None:
    settings = owned_settings.model_copy(update={"audit_check_seconds": 0.05})
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        assert (await _transfer(client, *market.payers[:2])).status_code == 201
        await damage(runtime, 3)
        for _ in range(200):
            r = await client.get("/health/ready")
            if r.status_code != 200:
                break
            await asyncio.sleep(0.05)
        _assert_damaged(r, 3)
        _assert_damaged(await _transfer(client, *market.payers[:2]), 3)


async def test_the_command_line_cannot_write_to_a_halted_log_and_acknowledges_once_repaired(
    market: Market, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("EXCHANGE_SIGNING_KEY_DIR", str(runtime.settings.resolved_key_dir()))

    async def run(*args: str) -> tuple[int, str]:
        result = await asyncio.to_thread(CliRunner().invoke, cli, list(args))
        return result.exit_code, result.output + repr(result.exception or "")

    original = await damage(runtime, 4)
    assert not (await halts.check_log(runtime, trigger="periodic")).ok
    size = await _log_size(runtime)

    code, output = await run("participants", "create", "--name", "停机测试", "--role", "enterprise")
    assert code != 0 and "audit log failed verification at entry 4" in output, output
    assert await _log_size(runtime) == size

    code, output = await run("audit", "acknowledge")
    assert code == 1 and "still fails verification at entry 4" in output, output

    await _set_leaf(runtime, 4, original)
    code, output = await run("audit", "acknowledge", "--json")
    assert code == 0, output
    assert await _log_size(runtime) == size + 1  # the acknowledgement, audited
    code, output = await run("participants", "create", "--name", "恢复测试", "--role", "enterprise")
    assert code == 0, output
