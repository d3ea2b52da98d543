"""The `exchange` command a new user meets first: demo keys and participants create."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from exchange.app import create_app
from exchange.cli import app as cli
from exchange.config import Settings
from exchange.vocabulary import Role


@pytest.fixture
def cli_env(empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the command line at a brand-new database and data directory."""
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("EXCHANGE_SIGNING_KEY_DIR", raising=False)
    return Settings(database_url=empty_database_url, data_dir=tmp_path / "data")


async def _run(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, cli, list(args))
    return result.exit_code, result.output


async def test_demo_hands_out_one_working_key_per_role_in_a_private_file(
    cli_env: Settings, tmp_path: Path
) -> None:
    keys_file = tmp_path / "demo-keys.json"
    code, output = await _run("demo", "--no-serve", "--keys-out", str(keys_file))
    assert code == 0, output
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    keys = json.loads(keys_file.read_text(encoding="utf-8"))
    assert all(set(k) >= {"id", "name", "role", "api_key"} for k in keys)
    assert {k["role"] for k in keys} == {r.value for r in Role}
    assert any("陈小明" in k["name"] for k in keys)  # Chinese names survive the file

    # Seeding again (a restart of `exchange demo`) keeps the same market.
    code, output = await _run("demo", "--no-serve", "--keys-out", str(keys_file))
    assert code == 0, output
    again = json.loads(keys_file.read_text(encoding="utf-8"))
    assert sorted(k["id"] for k in again) == sorted(k["id"] for k in keys)

    app = create_app(cli_env)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        for key in again:
            r = await client.get(
                "/v1/accounts/me", headers={"Authorization": f"Bearer {key['api_key']}"}
            )
            assert r.status_code == 200, (key["role"], r.text)
        company = next(k for k in again if k["role"] == "enterprise")
        me = await client.get(
            "/v1/accounts/me", headers={"Authorization": f"Bearer {company['api_key']}"}
        )
        assert me.json()["balance_fen"] > 0  # demo participants are funded


async def test_participants_create_prints_a_key_once_and_refuses_bad_input(
    cli_env: Settings,
) -> None:
    code, output = await _run(
        "participants", "create", "--name", " 香港数据有限公司 ", "--role", "enterprise",
        "--jurisdiction", "HK",
    )  # fmt: skip
    assert code == 0, output
    created = json.loads(output)
    assert created["name"] == "香港数据有限公司" and created["role"] == "enterprise"

    app = create_app(cli_env)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        auth = {"Authorization": f"Bearer {created['api_key']}"}
        me = await client.get("/v1/accounts/me", headers=auth)
        assert me.status_code == 200 and me.json()["balance_fen"] == 0

    for bad in (["--role", "pirate", "--jurisdiction", "CN"], ["--role", "enterprise",
                "--jurisdiction", "hk"]):  # fmt: skip
        code, output = await _run("participants", "create", "--name", "坏输入", *bad)
        assert code != 0
        assert "Traceback" not in output


async def test_clock_show_and_advance_move_market_time_forward_only(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = await _run("clock", "show")
    assert code == 0, output
    shown = json.loads(output)
    assert shown["offset_us"] == 0 and shown["mode"] == "market"

    code, output = await _run("clock", "advance", "--by", "P2D")
    assert code == 0, output
    moved = json.loads(output)
    assert moved["clock"]["offset_us"] >= 2 * 86_400 * 1_000_000 - 60_000_000
    assert moved["due_work"]["failures"] == []
    code, output = await _run("clock", "show")
    assert json.loads(output)["offset_us"] == moved["clock"]["offset_us"]

    code, output = await _run("clock", "advance", "--to", "2020-01-01T00:00:00Z")
    assert code == 1 and "only moves forward" in output
    code, output = await _run("clock", "advance", "--by", "P1D", "--working-days", "1")
    assert code == 2 and "Traceback" not in output

    monkeypatch.setenv("EXCHANGE_CLOCK", "real")
    code, output = await _run("clock", "advance", "--by", "P1D")
    assert code == 1 and "EXCHANGE_CLOCK=real" in output
