"""The synthetic province-scale catalog: deterministic, realistic, and fully audited."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from exchange.audit.log.models import AuditEntry
from exchange.catalog.departments.models import Department
from exchange.catalog.departments.rules import DivisionInfo
from exchange.catalog.elements.models import ElementSource
from exchange.catalog.errors import CatalogAlreadyGenerated
from exchange.catalog.items.models import CatalogItem, ItemVersion
from exchange.catalog.vocabulary import FieldRole, Level
from exchange.cli import app
from exchange.context import Runtime
from exchange.seed.province import loader
from exchange.seed.province.generator import plan_catalog
from support import Actor

DIVISIONS = [
    DivisionInfo("440000", "广东省", "Guangdong", Level.PROVINCE, None),
    DivisionInfo("440100", "广州市", "Guangzhou", Level.CITY, "440000"),
    DivisionInfo("440106", "天河区", "Tianhe District", Level.COUNTY, "440100"),
    DivisionInfo("440300", "深圳市", "Shenzhen", Level.CITY, "440000"),
    DivisionInfo("440305", "南山区", "Nanshan District", Level.COUNTY, "440300"),
]


def test_plans_are_deterministic_and_add_up() -> None:
    first = list(plan_catalog(DIVISIONS, departments=120, items=3000, seed=7))
    again = list(plan_catalog(DIVISIONS, departments=120, items=3000, seed=7))
    other = list(plan_catalog(DIVISIONS, departments=120, items=3000, seed=8))
    assert first == again and first != other
    assert len(first) == 120 and sum(len(d.items) for d in first) == 3000
    assert len({d.code for d in first}) == 120
    names = {d.name for d in first}
    assert "广东省人力资源和社会保障厅" in names and "广州市公安局" in names
    assert "广州市天河区人力资源和社会保障局" in names
    assert Counter(d.level for d in first)[Level.PROVINCE] > 0
    by_code = {d.code: d for d in first}
    for department in first:  # parents come first and contain their children
        if department.parent_code is not None:
            parent = by_code[department.parent_code]
            assert first.index(parent) < first.index(department)
    items = [i for d in first for i in d.items]
    assert any("社保" in i.name_zh for i in items) and any("医保" in i.name_zh for i in items)
    sources = Counter(f.element_code for i in items for f in i.fields if f.role is FieldRole.SOURCE)
    assert sources and max(sources.values()) == 1  # one source per data element
    for item in items:
        codes = [f.code for f in item.fields]
        assert len(codes) == len(set(codes))
        assert set(item.unique_key) <= set(codes)


def test_elements_already_sourced_are_only_referenced() -> None:
    plans = plan_catalog(DIVISIONS, departments=20, items=200, seed=1, sourced=["DE.GD.0002"])
    roles = {
        f.role for d in plans for i in d.items for f in i.fields if f.element_code == "DE.GD.0002"
    }
    assert roles == {FieldRole.REFERENCE}


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_generation_writes_searchable_items_covered_by_the_audit_log(
    runtime: Runtime, client: httpx.AsyncClient, admin: Actor
) -> None:
    report = await loader.generate(runtime, departments=150, items=1500, seed=3, batch_items=400)
    assert (report.departments, report.items) == (150, 1500)
    assert report.batches >= 3
    assert await count(runtime, Department) == 150
    assert await count(runtime, CatalogItem) == 1500
    assert await count(runtime, ItemVersion) == 1500
    assert await count(runtime, ElementSource) > 0
    async with runtime.sessionmaker() as session:
        leaves = (
            await session.scalars(
                select(AuditEntry.leaf).where(AuditEntry.action == "catalog.department_generated")
            )
        ).all()
        versions = {
            v.item_id: v.document for v in (await session.scalars(select(ItemVersion))).all()
        }
    payloads = [json.loads(leaf)["payload"] for leaf in leaves]
    assert len(payloads) == 150
    covered = [item_id for p in payloads for item_id in p["item_ids"]]
    assert sorted(covered) == sorted(versions)  # every item is named by an audit entry
    sample = next(p for p in payloads if p["item_count"] > 0)
    documents = [versions[i] for i in sample["item_ids"]]
    digest = hashlib.sha256(
        json.dumps(documents, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert digest == sample["items_sha256"]
    async with runtime.sessionmaker() as session:
        with_term = await session.scalar(
            select(func.count())
            .select_from(CatalogItem)
            .where(CatalogItem.search_text.like("%社保%"))
        )
    r = await client.get("/v1/catalog/search", params={"q": "社保"}, headers=admin.auth)
    result = r.json()
    assert result["total"] == with_term and with_term
    assert sum(f["count"] for f in result["facets"]["city"]) == with_term
    one_city = result["facets"]["city"][0]
    narrowed = await client.get(
        "/v1/catalog/search", params={"q": "社保", "city": one_city["value"]}, headers=admin.auth
    )
    assert narrowed.json()["total"] == one_city["count"]
    assert all("社保" in i["name_zh"] for i in result["items"][:3])
    everything = (await client.get("/v1/catalog/search", headers=admin.auth)).json()
    assert everything["total"] == 1500
    assert sum(f["count"] for f in everything["facets"]["level"]) == 1500
    with pytest.raises(CatalogAlreadyGenerated):
        await loader.generate(runtime, departments=150, items=1500, seed=3)
    assert await count(runtime, CatalogItem) == 1500


def test_generate_command_honours_the_database_url(empty_database_url: str) -> None:
    result = CliRunner().invoke(
        app,
        ["catalog", "generate", "--departments", "30", "--items", "300", "--seed", "5"],
        env={"EXCHANGE_DATABASE_URL": empty_database_url},
    )
    assert result.exit_code == 0, result.output
    assert "300" in result.output and "generated in" in result.output
    again = CliRunner().invoke(
        app,
        ["catalog", "generate", "--departments", "30", "--items", "300", "--seed", "5"],
        env={"EXCHANGE_DATABASE_URL": empty_database_url},
    )
    assert again.exit_code == 1 and "refused" in again.output
