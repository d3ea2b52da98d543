"""Helpers of the "mine" page tests: a small market, registration forms, what a refusal leaves."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from support_web import sign_in

from exchange.assets.packages import service as packages_service
from exchange.assets.packages.models import AssetPackage
from exchange.assets.registry import service as registry_service
from exchange.assets.registry.models import Asset, AssetApplication
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as review_service
from exchange.assets.review.models import AssetReview
from exchange.assets.review.rules import ReviewDecision
from exchange.audit.log.models import AuditEntry
from exchange.clock import ManualClock
from exchange.context import Principal, Runtime
from exchange.participants.models import Journal
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.brokerage.models import Mandate
from exchange.trading.listings.models import Listing, ListingVenue
from exchange.trading.orders.models import Order
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import DataGrade, DataRight, ProductForm, Role
from support import Actor, MakeParticipant

PACKAGE = "月份,行业,区县,用电指数\n2026-10,制造业,番禺,103.2\n".encode()
FINGERPRINT = hashlib.sha256(PACKAGE).hexdigest()
PUBLICITY = timedelta(days=7)  # five working days after a weekday approval, and then some
TABLES = (Asset, AssetApplication, AssetReview, AssetPackage, Listing, ListingVenue, Mandate)
TABLES += (Order, Journal)


def principal(actor: Actor, jurisdiction: str = "CN") -> Principal:
    """The principal a service call runs as."""
    return Principal(id=actor.id, name=actor.name, role=actor.role, jurisdiction=jurisdiction)


def registration(**overrides: Any) -> dict[str, str]:
    """The registration form's fields as a browser posts them; overrides replace fields."""
    fields = {
        "name": "广州市企业用电指数数据产品",
        "description": "按行业、区县汇总的企业月度用电指数",
        "product_form": "indicator",
        "right": "product_operation",
        "grade": "general",
        "scenario": "企业信贷风控",
        "source_legality": "数据来源于企业授权及公共数据授权运营，来源合法",
        "personal_information_basis": "",
        "source_catalog_item_ids": "",
        "fingerprint": "",
    }
    fields.update(overrides)
    return fields


async def footprint(runtime: Runtime) -> tuple[int, ...]:
    """Audit entries and the rows of every table the pages write: a refusal changes none."""
    async with runtime.sessionmaker() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(table))
            for table in (AuditEntry, *TABLES)
        ]
    return tuple(int(c or 0) for c in counts)


async def apply(runtime: Runtime, holder: Actor, name: str = "深圳市交通流量指标") -> str:
    """An application filed through the registry's service; the asset id."""
    draft = AssetDraft(
        name=name,
        description=f"{name}（测试）",
        product_form=ProductForm.DATASET,
        right=DataRight.PRODUCT_OPERATION,
        scenario="城市交通规划",
        grade=DataGrade.GENERAL,
        personal_information=False,
        fingerprint=FINGERPRINT,
        source_legality="企业授权采集，来源合法",
    )
    async with runtime.unit_of_work() as session:
        asset = await registry_service.apply_for_registration(
            runtime.context(session, principal(holder)), draft=draft
        )
    return asset.id


async def approve(runtime: Runtime, asset_id: str, reviewers: list[Actor]) -> None:
    """Each reviewer approves through the review service."""
    for reviewer in reviewers:
        async with runtime.unit_of_work() as session:
            await review_service.review_application(
                runtime.context(session, principal(reviewer)),
                asset_id=asset_id,
                decision=ReviewDecision.APPROVE,
                reason="来源合法，场景明确",
            )


async def register(
    runtime: Runtime, clock: ManualClock, holder: Actor, reviewers: list[Actor], name: str
) -> str:
    """An asset registered through the services (apply, approve, publicity, finalize)."""
    asset_id = await apply(runtime, holder, name)
    await approve(runtime, asset_id, reviewers)
    clock.advance(PUBLICITY)
    async with runtime.unit_of_work() as session:
        await review_service.finalize_registration(
            runtime.context(session, principal(holder)), asset_id=asset_id
        )
    return asset_id


@dataclass
class People:
    """A holder, a bystander holder, two compliance reviewers, a buyer and a regulator."""

    holder: Actor
    other: Actor
    reviewers: list[Actor]
    buyer: Actor
    regulator: Actor


async def people(make_participant: MakeParticipant) -> People:
    """The participants most "mine" tests need."""
    return People(
        holder=await make_participant(Role.ENTERPRISE, name="广州数联科技有限公司"),
        other=await make_participant(Role.ENTERPRISE, name="深圳某数据公司"),
        reviewers=[
            await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员甲"),
            await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员乙"),
        ],
        buyer=await make_participant(Role.INDIVIDUAL, name="陈小明", balance_fen=1_000_000),
        regulator=await make_participant(Role.REGULATOR, name="广东省数据流通监管"),
    )


def text_of(html: str) -> str:
    """A page's visible text, tags removed and whitespace squeezed (for content checks)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def refused(answer: httpx.Response, status: int, slug: str | None = None) -> None:
    """The answer is the error page of a refusal with this status (and problem slug)."""
    assert answer.status_code == status, answer.text[-2000:]
    assert "text/html" in answer.headers["content-type"]
    if slug is not None:
        assert f"/problems/{slug}" in answer.text, answer.text[-2000:]


async def as_(client: httpx.AsyncClient, actor: Actor) -> str:
    """Sign the client in as `actor` (ending whoever was signed in); the CSRF token."""
    client.cookies.clear()
    return await sign_in(client, actor.key)


@dataclass
class Market:
    """`People` plus an operator on each exchange, a broker licensed on both, a registered
    asset of the holder (its package deposited) and an admin."""

    people: People
    admin: Actor
    gz_operator: Actor
    sz_operator: Actor
    broker: Actor
    asset_id: str


async def market(runtime: Runtime, clock: ManualClock, make_participant: MakeParticipant) -> Market:
    """A market ready for listings and brokered orders, set up through the services."""
    p = await people(make_participant)
    admin = await make_participant(Role.ADMIN, name="管理员 admin")
    gz = await make_participant(Role.EXCHANGE_OPERATOR, name="广州数据交易所运营方")
    sz = await make_participant(Role.EXCHANGE_OPERATOR, name="深圳数据交易所运营方")
    broker = await make_participant(Role.BROKER, name="粤数经纪有限公司")
    for exchange_id, operator in (("gzde", gz), ("szdex", sz)):
        async with runtime.unit_of_work() as session:
            await venues_service.bind_operator(
                runtime.context(session, principal(admin)),
                exchange_id=exchange_id,
                participant_id=operator.id,
            )
        async with runtime.unit_of_work() as session:
            await brokerage_service.license_broker(
                runtime.context(session, principal(operator)),
                exchange_id=exchange_id,
                broker_id=broker.id,
            )
    asset_id = await register(runtime, clock, p.holder, p.reviewers, "广州市企业用电指数")
    async with runtime.unit_of_work() as session:
        await packages_service.upload_package(
            runtime.context(session, principal(p.holder)),
            asset_id=asset_id,
            filename="用电指数.csv",
            media_type="text/csv",
            body=PACKAGE,
        )
    return Market(p, admin, gz, sz, broker, asset_id)


def listing_form(asset_id: str, *venues: str, **overrides: Any) -> dict[str, Any]:
    """The listing form's fields (one tier, the registered package delivered)."""
    fields: dict[str, Any] = {
        "asset_id": asset_id,
        "title": "广州市企业用电指数（月度）",
        "description": "按行业、区县汇总",
        "venues": list(venues),
        "tier0_name": "标准版",
        "tier0_scope": "内部风控模型训练，不得转售",
        "tier0_term_days": "365",
        "tier0_price": "1,200.50",
        "delivery_kind": "file",
    }
    fields.update(overrides)
    return fields


async def count(runtime: Runtime, model: Any) -> int:
    """How many rows a table holds."""
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
