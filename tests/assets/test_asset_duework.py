"""Publicity passes with the market clock: the due-work runner registers and certifies."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from support_assets import PUBLICITY, Registry

from exchange.audit.log.models import AuditEntry
from exchange.context import Runtime
from exchange.database import make_sessionmaker
from exchange.markettime import duework


async def advance(registry: Registry, **body: Any) -> dict[str, Any]:
    r = await registry.client.post("/v1/clock/advance", json=body, headers=registry.admin.auth)
    assert r.status_code == 200, r.text
    moved: dict[str, Any] = r.json()
    return moved


async def test_advancing_past_publicity_issues_the_certificate_by_itself(
    registry: Registry,
) -> None:
    asset = await registry.apply()
    await registry.approve(asset["id"])
    # Four working days: publicity still runs, nothing is due.
    early = await advance(registry, working_days=4)
    assert early["due_work"]["registered_asset_ids"] == []
    # The fifth working day ends it: the runner registers and certifies, no finalize call.
    moved = await advance(registry, working_days=1)
    assert moved["due_work"]["registered_asset_ids"] == [asset["id"]]
    [number] = moved["due_work"]["certificate_numbers"]
    detail = (
        await registry.client.get(f"/v1/assets/{asset['id']}", headers=registry.holder.auth)
    ).json()
    assert detail["status"] == "registered"
    assert detail["certificate"]["number"] == number
    assert (await registry.certificate(number))["status"] == "valid"
    async with registry.runtime.sessionmaker() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "asset.registered")
        )
    assert entry is not None and entry.actor == "system"


async def test_an_open_objection_holds_the_registration(registry: Registry) -> None:
    asset = await registry.apply()
    await registry.approve(asset["id"])
    r = await registry.client.post(
        f"/v1/assets/{asset['id']}/objections",
        json={"grounds": "该数据产品包含未经授权的企业数据"},
        headers=registry.other.auth,
    )
    assert r.status_code == 201, r.text
    moved = await advance(registry, working_days=5)
    assert moved["due_work"]["registered_asset_ids"] == []
    detail = (
        await registry.client.get(f"/v1/assets/{asset['id']}", headers=registry.holder.auth)
    ).json()
    assert detail["status"] != "registered"


async def test_the_runner_is_idempotent_and_runs_one_at_a_time(registry: Registry) -> None:
    assets = [await registry.apply(name=f"企业用电指数 {i}") for i in range(3)]
    for asset in assets:
        await registry.approve(asset["id"])
    registry.clock.advance(PUBLICITY)
    # Two runners at once, as two workers with their own runtimes would: each asset is
    # registered exactly once.
    main = registry.runtime
    worker = Runtime(main.settings, main.engine, make_sessionmaker(main.engine), main.clock)
    first, second = await asyncio.gather(duework.run(main), duework.run(worker))
    registered = first.registered_asset_ids + second.registered_asset_ids
    assert sorted(registered) == sorted(a["id"] for a in assets)
    again = await duework.run(registry.runtime)
    assert again.done == 0 and again.failures == []
    async with registry.runtime.sessionmaker() as session:
        entries = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "certificate.issued")
            )
        ).all()
    assert len(entries) == 3
