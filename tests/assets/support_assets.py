"""Helpers for the data-asset tests: a small market and the registration path over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from exchange.assets.certificates.models import Certificate
from exchange.assets.pledges.models import Pledge
from exchange.assets.registry.models import Asset, AssetApplication
from exchange.assets.review.models import AssetObjection, AssetReview
from exchange.assets.valuation.models import AssetValuation
from exchange.audit.log.models import AuditEntry
from exchange.clock import ManualClock
from exchange.context import Runtime
from support import Actor, assert_problem

FINGERPRINT = hashlib.sha256("粤数据包 v1".encode()).hexdigest()
PUBLICITY = timedelta(days=7)  # five working days from a weekday approval


def application(**overrides: Any) -> dict[str, Any]:
    """An initial registration application body; overrides replace fields."""
    body: dict[str, Any] = {
        "name": "广州市企业用电指数数据产品",
        "description": "按行业、区县汇总的企业月度用电指数",
        "product_form": "indicator",
        "right": "product_operation",
        "scenario": "企业信贷",
        "grade": "general",
        "personal_information": False,
        "fingerprint": FINGERPRINT,
        "source_legality": "数据来源于企业授权及公共数据授权运营，来源合法",
    }
    body.update(overrides)
    return body


async def audit_size(runtime: Runtime) -> int:
    """How many entries the audit log holds."""
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def count_rows(runtime: Runtime, model: Any) -> int:
    """How many rows a table holds."""
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


TABLES = (Asset, AssetApplication, AssetReview, AssetObjection, AssetValuation, Certificate, Pledge)


async def _snapshot(registry: Registry) -> tuple[int, ...]:
    counts = [await count_rows(registry.runtime, table) for table in TABLES]
    return (await audit_size(registry.runtime), *counts)


async def refused_unchanged(
    registry: Registry,
    call: Callable[[], Awaitable[httpx.Response]],
    status: int,
    slug: str | None = None,
) -> dict[str, Any]:
    """Assert the call is refused with a problem and changes nothing, audit log included."""
    before = await _snapshot(registry)
    body = assert_problem(await call(), status, slug)
    assert await _snapshot(registry) == before
    return body


@dataclass
class Registry:
    """A market with a holder, two reviewers, a regulator, a lender and a bystander."""

    client: httpx.AsyncClient
    runtime: Runtime
    clock: ManualClock
    holder: Actor
    reviewer_a: Actor
    reviewer_b: Actor
    regulator: Actor
    lender: Actor
    other: Actor
    admin: Actor
    department_id: str | None = field(default=None, init=False)

    async def catalog_item(self, grade: str = "general", name: str | None = None) -> dict[str, Any]:
        """Publish a public-data catalog item of the given grade (as the admin); return it."""
        if self.department_id is None:
            r = await self.client.post(
                "/v1/departments",
                json={"code": "T-ASSETS", "name": "广东省能源局", "division_code": "440000"},
                headers=self.admin.auth,
            )
            assert r.status_code == 201, r.text
            self.department_id = r.json()["id"]
        restricted = grade != "general"
        body = {
            "department_id": self.department_id,
            "name_zh": name or f"全省企业用电量统计（{grade}）",
            "source_system": "广东电网营销系统",
            "update_frequency": "monthly",
            "update_method": "full",
            "usage_methods": ["file"],
            "grade": grade,
            "personal_information": False,
            "sharing": "conditional" if restricted else "unconditional",
            "sharing_conditions": "仅限能源运行监测使用" if restricted else "",
            "opening": "not_open" if restricted else "unconditional",
            "fields": [{"code": "kwh", "name_zh": "用电量（千瓦时）"}],
        }
        r = await self.client.post("/v1/catalog/items", json=body, headers=self.admin.auth)
        assert r.status_code == 201, r.text
        item: dict[str, Any] = r.json()
        return item

    async def apply(self, holder: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        """File an initial application; return the asset."""
        r = await self.client.post(
            "/v1/assets", json=application(**overrides), headers=(holder or self.holder).auth
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    async def review(
        self, asset_id: str, reviewer: Actor, decision: str = "approve"
    ) -> httpx.Response:
        """One review."""
        return await self.client.post(
            f"/v1/assets/{asset_id}/reviews",
            json={"decision": decision, "reason": "材料齐全，来源合法，场景明确"},
            headers=reviewer.auth,
        )

    async def approve(self, asset_id: str) -> dict[str, Any]:
        """Two approvals: the application enters publicity."""
        for reviewer in (self.reviewer_a, self.reviewer_b):
            r = await self.review(asset_id, reviewer)
            assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        assert body["status"] == "in_publicity"
        return body

    async def finalize(self, asset_id: str, actor: Actor | None = None) -> httpx.Response:
        """Ask for the registration to complete."""
        return await self.client.post(
            f"/v1/assets/{asset_id}/finalize", headers=(actor or self.other).auth
        )

    async def register(self, holder: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        """Apply, approve, wait out publicity and finalize; return the registered asset."""
        asset = await self.apply(holder, **overrides)
        await self.approve(asset["id"])
        self.clock.advance(PUBLICITY)
        r = await self.finalize(asset["id"])
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        assert body["status"] == "registered"
        return body

    async def certificate(self, number: str, actor: Actor | None = None) -> dict[str, Any]:
        """A certificate by number."""
        r = await self.client.get(f"/v1/certificates/{number}", headers=(actor or self.other).auth)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def verify(self, document: Any, signature: str) -> dict[str, Any]:
        """Ask the registry to verify a presented certificate."""
        r = await self.client.post(
            "/v1/certificates/verify",
            json={"document": document, "signature": signature},
            headers=self.other.auth,
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def pledge(self, number: str, lender: Actor | None = None) -> httpx.Response:
        """A lender records a pledge."""
        return await self.client.post(
            "/v1/pledges",
            json={
                "certificate_number": number,
                "loan_reference": "粤信贷2026-0001",
                "amount_fen": 50_000_000,
            },
            headers=(lender or self.lender).auth,
        )
