"""The demo market's catalog: something to search, seeded once."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from exchange.catalog.items.models import CatalogItem
from exchange.context import Runtime
from exchange.database import unit_of_work
from exchange.seed.catalog import seed_demo_catalog
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


async def test_demo_catalog_is_searchable_and_seeded_once(
    runtime: Runtime, client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    department = await make_participant(Role.DEPARTMENT, name="广东省政务服务数据管理局")
    roles = {"admin": admin.id, "department": department.id}
    for _ in range(2):
        async with unit_of_work(runtime.sessionmaker) as session:
            await seed_demo_catalog(runtime.context(session), roles)
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(CatalogItem)) == 8
    found = (
        await client.get("/v1/catalog/search", params={"q": "医保"}, headers=admin.auth)
    ).json()
    assert {"医保参保信息", "深圳市医保定点药店"} <= {i["name_zh"] for i in found["items"]}
    # The demo department participant is linked to its department and has asked for data.
    shares = (await client.get("/v1/share-requests", headers=department.auth)).json()
    assert [s["item"]["name_zh"] for s in shares["items"]] == ["社保参保登记信息"]
    preview = await client.get(
        f"/v1/catalog/items/{shares['items'][0]['item']['id']}/sample", headers=department.auth
    )
    assert preview.json()["records"][0]["id_number"] == "440106********1234"
