"""Helpers of the authorized-operation tests: a province with a data authority, a department
holding public data that is not open, an operator, and the HTTP steps of the whole path."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from exchange.assets.registry.models import Asset
from exchange.audit.log.models import AuditEntry
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.operation.agreements.models import Agreement
from exchange.operation.grants.models import Derivation
from exchange.operation.revenue.models import RevenueShare
from exchange.participants.models import Account, Posting
from support import Actor, assert_problem

PUBLICITY = timedelta(days=7)  # five working days after a weekday approval, and then some
PACKAGE = "区县,月份,参保稳定指数\n天河,2026-10,98.2\n番禺,2026-10,96.7\n".encode()
FINGERPRINT = hashlib.sha256(PACKAGE).hexdigest()


def item_body(department_id: str, name: str, *, opening: str, **overrides: Any) -> dict[str, Any]:
    """A catalog item of general grade with the given opening attribute."""
    body: dict[str, Any] = {
        "department_id": department_id,
        "name_zh": name,
        "source_system": "广东省人社一体化信息平台",
        "update_frequency": "monthly",
        "update_method": "full",
        "usage_methods": ["api"],
        "grade": "general",
        "personal_information": False,
        "sharing": "conditional",
        "sharing_conditions": "经数据责任部门审核同意",
        "opening": opening,
        "opening_conditions": "经授权运营" if opening == "conditional" else "",
        "fields": [
            {"code": "district", "name_zh": "区县"},
            {"code": "insured_status", "name_zh": "参保状态"},
            {"code": "reg_month", "name_zh": "参保月份"},
        ],
    }
    body.update(overrides)
    return body


async def count(runtime: Runtime, model: Any) -> int:
    """How many rows a table holds."""
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


TABLES = (AuditEntry, Agreement, Derivation, RevenueShare, Asset, Posting)


async def snapshot(runtime: Runtime) -> tuple[Any, ...]:
    """Row counts of the audit log and the tables a refusal must leave alone, and balances."""
    counts = [await count(runtime, table) for table in TABLES]
    async with runtime.sessionmaker() as session:
        balances = sorted((await session.execute(select(Account.id, Account.balance_fen))).all())
        statuses = sorted((await session.execute(select(Agreement.id, Agreement.status))).all())
    return (*counts, tuple(balances), tuple(statuses))


async def refused_unchanged(
    runtime: Runtime, call: Callable[[], Awaitable[httpx.Response]], status: int, slug: str
) -> dict[str, Any]:
    """Assert the call is refused with its own problem type and changes nothing."""
    before = await snapshot(runtime)
    body = assert_problem(await call(), status, slug)
    assert await snapshot(runtime) == before
    return body


@dataclass
class Province:
    """A province: its data authority, the HR department holding public data that is not
    open (and an item open to all), Guangzhou's data authority, an operator, a rival
    enterprise, a buyer, two compliance reviewers, a regulator and an admin."""

    client: httpx.AsyncClient
    runtime: Runtime
    clock: ManualClock
    admin: Actor
    regulator: Actor
    authority: Actor
    hr: Actor
    city_authority: Actor
    operator: Actor
    rival: Actor
    buyer: Actor
    reviewers: tuple[Actor, Actor]
    hr_department_id: str
    authority_department_id: str
    closed_item: dict[str, Any]
    conditional_item: dict[str, Any]
    open_item: dict[str, Any]

    async def call(
        self, method: str, path: str, who: Actor, body: Any = None, **kw: Any
    ) -> httpx.Response:
        return await self.client.request(method, path, json=body, headers=who.auth, **kw)

    async def ok(self, response: Awaitable[httpx.Response], status: int = 200) -> Any:
        r = await response
        assert r.status_code == status, r.text
        return r.json()

    def agreement_body(self, **overrides: Any) -> dict[str, Any]:
        """An operator's proposal over the closed item, for a year from now."""
        now = self.clock.now()
        body: dict[str, Any] = {
            "title": "社保参保数据授权运营协议 Social-insurance enrolment operation",
            "items": [
                {"item_id": self.closed_item["id"], "fields": ["district", "insured_status"]}
            ],
            "purposes": ["enterprise_credit", "inclusive_insurance"],
            "forms": ["indicator", "model", "report"],
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=365)).isoformat(),
            "revenue_share_bp": 2000,
            "security_duties": "数据不出域，仅在隐私计算环境中加工；产品不含个人信息；"
            "按季度报告安全情况",
            "exclusive": False,
        }
        body.update(overrides)
        return body

    async def propose(self, operator: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = await self.ok(
            self.call(
                "POST",
                "/v1/operation/agreements",
                operator or self.operator,
                self.agreement_body(**overrides),
            ),
            201,
        )
        assert body["status"] == "proposed"
        return body

    async def decide(
        self, agreement_id: str, decision: str = "approve", who: Actor | None = None
    ) -> httpx.Response:
        return await self.call(
            "POST",
            f"/v1/operation/agreements/{agreement_id}/decision",
            who or self.authority,
            {"decision": decision, "reason": "符合公共数据授权运营管理办法"},
        )

    async def approved(self, operator: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        """A proposal the data authority approved (active if its term has begun)."""
        agreement = await self.propose(operator, **overrides)
        body: dict[str, Any] = await self.ok(self.decide(agreement["id"]))
        return body

    async def move(self, agreement_id: str, step: str, who: Actor | None = None) -> httpx.Response:
        return await self.call(
            "POST",
            f"/v1/operation/agreements/{agreement_id}/{step}",
            who or self.authority,
            {"reason": "运营机构未按季度报告安全情况，责令整改"},
        )

    def asset_body(self, **overrides: Any) -> dict[str, Any]:
        """A product derived from the closed item, for enterprise credit, as an indicator."""
        body: dict[str, Any] = {
            "name": "广州市企业参保稳定指数 Guangzhou enrolment-stability index",
            "description": "按区县、月份汇总的参保稳定指数，不含个人信息",
            "product_form": "indicator",
            "right": "product_operation",
            "scenario": "企业信贷风控",
            "grade": "general",
            "personal_information": False,
            "fingerprint": FINGERPRINT,
            "source_legality": "依据授权运营协议加工，来源合法",
            "source_catalog_item_ids": [self.closed_item["id"]],
            "purpose": "enterprise_credit",
        }
        body.update(overrides)
        return body

    async def apply(self, holder: Actor | None = None, **overrides: Any) -> httpx.Response:
        return await self.call(
            "POST", "/v1/assets", holder or self.operator, self.asset_body(**overrides)
        )

    async def register(self, holder: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        """Apply, two approvals, publicity by the clock, finalize: the registered asset."""
        asset = await self.ok(self.apply(holder, **overrides), 201)
        for reviewer in self.reviewers:
            await self.ok(
                self.call(
                    "POST",
                    f"/v1/assets/{asset['id']}/reviews",
                    reviewer,
                    {"decision": "approve", "reason": "依据授权运营协议加工，来源合法"},
                ),
                201,
            )
        self.clock.advance(PUBLICITY)
        body: dict[str, Any] = await self.ok(
            self.call("POST", f"/v1/assets/{asset['id']}/finalize", holder or self.operator)
        )
        assert body["status"] == "registered" and body["certificate"]["status"] == "valid"
        return body

    async def list_asset(self, asset_id: str, holder: Actor | None = None) -> dict[str, Any]:
        """List an asset on Shenzhen (no operator review) with one tier."""
        body: dict[str, Any] = await self.ok(
            self.call(
                "POST",
                "/v1/listings",
                holder or self.operator,
                {
                    "asset_id": asset_id,
                    "title": "广州市企业参保稳定指数",
                    "venues": ["szdex"],
                    "tiers": [
                        {
                            "name": "年度版",
                            "scope": "企业信贷风控，不得转售",
                            "term_days": 365,
                            "price_fen": 1_000_000,
                        }
                    ],
                    "delivery": {
                        "kind": "file",
                        "filename": "参保稳定指数.csv",
                        "media_type": "text/csv; charset=utf-8",
                        "content_base64": base64.b64encode(PACKAGE).decode(),
                    },
                },
            ),
            201,
        )
        return body

    async def order(self, listing: dict[str, Any], buyer: Actor | None = None) -> httpx.Response:
        return await self.call(
            "POST",
            "/v1/orders",
            buyer or self.buyer,
            {
                "listing_id": listing["id"],
                "tier_id": listing["tiers"][0]["id"],
                "exchange_id": "szdex",
            },
        )

    async def balance(self, who: Actor) -> int:
        body = await self.ok(self.call("GET", "/v1/accounts/me", who))
        return int(body["balance_fen"])

    async def agreement(self, agreement_id: str, who: Actor | None = None) -> dict[str, Any]:
        body: dict[str, Any] = await self.ok(
            self.call("GET", f"/v1/operation/agreements/{agreement_id}", who or self.regulator)
        )
        return body


async def money_invariants(runtime: Runtime) -> None:
    """All money sums to zero, and every balance is the sum of its postings."""
    async with runtime.sessionmaker() as session:
        balances = dict((await session.execute(select(Account.id, Account.balance_fen))).all())
        sums = dict(
            (
                await session.execute(
                    select(Posting.account_id, func.sum(Posting.amount_fen)).group_by(
                        Posting.account_id
                    )
                )
            ).all()
        )
    assert sum(balances.values()) == 0
    for account_id, balance in balances.items():
        assert balance == int(sums.get(account_id, 0)), account_id
