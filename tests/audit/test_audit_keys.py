"""Checkpoint signing keys: created at start-up or first use (0600), rotated, retired."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import httpx
import pytest
from audit_log_helpers import Market, build_market, fresh_checkpoint, published_keys
from typer.testing import CliRunner

from exchange.app import create_app
from exchange.audit.note import NoteError, parse_note, verify_checkpoint
from exchange.audit.verifier.remote import verify_remote
from exchange.cli import app as cli
from exchange.clock import ManualClock
from exchange.context import Runtime
from support import MakeParticipant

REPOSITORY = str(Path(__file__).resolve().parents[2])


@pytest.fixture
async def market(client: httpx.AsyncClient, make_participant: MakeParticipant) -> Market:
    return await build_market(client, make_participant, transfers=3)


@pytest.fixture
def key_env(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the command line at the same key directory as the app under test."""
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(runtime.settings.data_dir))
    monkeypatch.delenv("EXCHANGE_SIGNING_KEY_DIR", raising=False)
    return runtime.settings.resolved_key_dir()


async def _cli(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", *args])
    return result.exit_code, result.output


async def test_the_key_is_created_on_first_use_outside_the_repo_mode_0600(
    client: httpx.AsyncClient, market: Market, runtime: Runtime
) -> None:
    key_dir = runtime.settings.resolved_key_dir()
    assert not key_dir.exists()
    assert (await client.get("/v1/audit/checkpoint")).status_code == 200
    [key_file] = key_dir.iterdir()
    assert key_file.name == "audit-1.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert not str(key_dir).startswith(REPOSITORY)


async def test_a_starting_server_creates_its_signing_key(runtime: Runtime, tmp_path: Path) -> None:
    settings = runtime.settings.model_copy(update={"signing_key_dir": tmp_path / "keys"})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        [key_file] = (tmp_path / "keys").iterdir()
    assert key_file.name == "audit-1.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


async def test_rotation_signs_with_old_and_new_key_until_the_old_is_retired(
    client: httpx.AsyncClient, market: Market, clock: ManualClock, key_env: Path
) -> None:
    before = (await client.get("/v1/audit/public-key")).json()
    old_note = (await client.get("/v1/audit/checkpoint")).text
    [old_key] = before["keys"]

    code, output = await _cli("rotate-key")
    assert code == 0, output
    during = (await client.get("/v1/audit/public-key")).json()
    assert len(during["keys"]) == 2 and during["keys"][0] == old_key
    # The key set changed: the next checkpoint is re-signed at once, by both keys.
    note = (await client.get("/v1/audit/checkpoint")).text
    assert note != old_note
    _, signatures = parse_note(note)
    assert [s.key_id.hex() for s in signatures] == [k["key_id"] for k in during["keys"]]
    for key in published_keys(during):
        verify_checkpoint(note, [key])

    code, output = await _cli("keys")
    assert code == 0 and output.count("active") == 2

    code, output = await _cli("retire-key", "--key-id", old_key["key_id"])
    assert code == 0, output
    after = (await client.get("/v1/audit/public-key")).json()
    assert [k["key_id"] for k in after["keys"]] == [during["keys"][1]["key_id"]]
    note = (await client.get("/v1/audit/checkpoint")).text
    verify_checkpoint(note, published_keys(after))
    with pytest.raises(NoteError, match="not signed by any known key"):
        verify_checkpoint(note, published_keys(before))
    assert (key_env / "audit-1.pem.retired").exists()

    code, output = await _cli("retire-key")
    assert code == 1 and "Rotate first" in output
    assert len((await client.get("/v1/audit/public-key")).json()["keys"]) == 1


async def test_a_verifier_that_trusted_the_old_key_follows_the_rotation(
    client: httpx.AsyncClient,
    market: Market,
    make_participant: MakeParticipant,
    clock: ManualClock,
    key_env: Path,
    tmp_path: Path,
) -> None:
    trusted = tmp_path / "trusted-checkpoint.txt"
    await fresh_checkpoint(client, clock)
    old_key = (await client.get("/v1/audit/public-key")).json()["keys"][0]["public_key"]
    first = await verify_remote(
        client, market.regulator.key, trusted=trusted, public_keys=[old_key]
    )
    assert first.ok, first.as_json()
    assert first.checkpoint is not None and trusted.read_text() == first.checkpoint.note
    assert (await _cli("rotate-key"))[0] == 0
    assert (await _cli("retire-key"))[0] == 0
    await build_market(client, make_participant, transfers=2)
    await fresh_checkpoint(client, clock)
    second = await verify_remote(client, market.regulator.key, trusted=trusted)
    assert second.ok, second.as_json()
    assert second.consistent_with_trusted is True and second.trusted_size == first.size
    assert second.size > first.size
    assert trusted.read_text() == second.checkpoint.note  # type: ignore[union-attr]
    # Pinning the retired key: new checkpoints are not signed by it.
    third = await verify_remote(client, market.regulator.key, public_keys=[old_key])
    assert not third.ok
    assert "not signed by any known key" in third.problems[0].detail
