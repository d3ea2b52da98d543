"""The bulk pilot (试点) through the services, the `exchange assets` commands, and demo assets."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from support_assets import count_rows
from typer.testing import CliRunner

from exchange.assets.certificates.models import Certificate
from exchange.assets.certificates.signing import verify_certificate_offline
from exchange.assets.registry import market as assets_market
from exchange.assets.registry.models import Asset, AssetStatus
from exchange.cli import app
from exchange.context import Runtime
from exchange.seed.assets import DEMO_ASSETS
from exchange.seed.demo import seed_demo
from exchange.seed.pilot import run_pilot
from support_audit import chain_entries


async def test_pilot_registers_and_certifies_every_asset(runtime: Runtime) -> None:
    ticks: dict[str, int] = {}

    def progress(phase: str, done: int) -> None:
        ticks[phase] = ticks.get(phase, 0) + done

    report = await run_pilot(runtime, count=23, batch_size=5, progress=progress)
    assert report.applied == report.registered == report.verified == 23
    assert report.verify_failures == 0
    assert report.statuses == {"valid": 23}
    assert ticks == {"apply": 23, "review": 46, "register": 23, "verify": 23}
    assert report.first_number == "GDDA-2026-00000001"
    assert report.last_number == "GDDA-2026-00000023"
    async with runtime.sessionmaker() as session:
        statuses = (
            await session.execute(select(Asset.status, func.count()).group_by(Asset.status))
        ).all()
        scenarios = set((await session.scalars(select(Asset.scenario))).all())
    assert dict(statuses) == {AssetStatus.REGISTERED: 23}
    assert scenarios == {"惠民医保", "个人信贷", "企业信贷"}
    entries = await chain_entries(runtime)
    actions = [e["action"] for e in entries if e["action"].startswith(("asset.", "certificate."))]
    assert actions.count("asset.applied") == 23
    assert actions.count("asset.reviewed") == 46
    assert actions.count("asset.registered") == 23
    assert actions.count("certificate.issued") == 23
    # A second run adds to the register with the same pilot participants.
    again = await run_pilot(runtime, count=4, batch_size=3)
    assert again.first_number == "GDDA-2026-00000024"
    assert await count_rows(runtime, Certificate) == 27


async def test_pilot_refuses_nonsense(runtime: Runtime) -> None:
    with pytest.raises(ValueError):
        await run_pilot(runtime, count=0)


def test_pilot_and_issuer_key_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'pilot.db'}")
    runner = CliRunner()
    result = runner.invoke(app, ["assets", "pilot", "--count", "12", "--batch-size", "5"])
    assert result.exit_code == 0, result.output
    assert "verified valid 12" in result.output
    assert "GDDA-" in result.output
    key = runner.invoke(app, ["assets", "issuer-key"])
    assert key.exit_code == 0, key.output
    assert "public_key: " in key.output and "key_id: " in key.output
    assert (tmp_path / "keys" / "registry-ed25519.pem").stat().st_mode & 0o777 == 0o600


async def test_demo_enterprise_gets_certified_assets(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    enterprise = next(k for k in keys if k.role == "enterprise")
    auth = {"Authorization": f"Bearer {enterprise.api_key}"}
    listed = (await client.get("/v1/certificates", headers=auth)).json()
    demo_names = {draft.name for draft, _, _ in DEMO_ASSETS}
    demo = [i for i in listed["items"] if i["document"]["asset"]["name"] in demo_names]
    assert len(demo) == 2
    public_key = (await client.get("/v1/certificates/issuer-key")).json()["public_key"]
    for item in listed["items"]:
        assert item["status"] == "valid"
        assert item["document"]["holder"]["id"] == enterprise.id
        result = verify_certificate_offline(
            item["document"], item["signature"], public_key, now=runtime.clock.now()
        )
        assert result.accepted
    assert all(i["document"]["valuation"]["value_fen"] > 0 for i in demo)
    # Seeding again hands out fresh keys but registers nothing new.
    assets = await count_rows(runtime, Asset)
    await seed_demo(runtime)
    assert await count_rows(runtime, Asset) == assets
    async with runtime.sessionmaker() as session:
        ctx = runtime.context(session)
        asset_id = demo[0]["asset_id"]
        listable = await assets_market.listable_asset(ctx, asset_id, enterprise.id)
    assert listable.certificate_status == "valid"
