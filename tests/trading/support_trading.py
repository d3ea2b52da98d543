"""Helpers for the trading tests: registered assets, a small market and its HTTP calls."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as assets_review
from exchange.assets.review.rules import ReviewDecision
from exchange.audit.log.models import AuditEntry
from exchange.clock import ManualClock
from exchange.context import Principal, Runtime
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.participants.models import Account, Posting
from exchange.trading.auctions.models import Bid
from exchange.trading.brokerage.models import Mandate
from exchange.trading.customs.models import CustomsCase
from exchange.trading.licences.models import Licence
from exchange.trading.listings.models import Listing
from exchange.trading.negotiations.models import Negotiation
from exchange.trading.orders.models import Order, Trade
from exchange.vocabulary import DataGrade, DataRight, ProductForm
from support import Actor, assert_problem

PUBLICITY = timedelta(days=7)  # five working days after a weekday approval, and then some


@dataclass(frozen=True)
class AssetSpec:
    """An asset to register for trading, with the bytes of its delivery package."""

    name: str
    package: bytes
    product_form: ProductForm = ProductForm.DATASET
    grade: DataGrade = DataGrade.GENERAL
    personal_information: bool = False

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.package).hexdigest()


def principal(actor: Actor, jurisdiction: str = "CN") -> Principal:
    """The principal a service call runs as."""
    return Principal(id=actor.id, name=actor.name, role=actor.role, jurisdiction=jurisdiction)


async def register_assets(
    runtime: Runtime,
    clock: ManualClock,
    *,
    holder: Actor,
    reviewers: Sequence[Actor],
    specs: Sequence[AssetSpec],
) -> list[str]:
    """Register assets through the registry's own services: apply, two approvals, publicity
    (by advancing the clock), finalize with certificates. Returns the asset ids."""
    drafts = [
        AssetDraft(
            name=spec.name,
            description=f"{spec.name}（测试数据产品）",
            product_form=spec.product_form,
            right=DataRight.PRODUCT_OPERATION,
            scenario="企业信贷风控",
            grade=spec.grade,
            personal_information=spec.personal_information,
            fingerprint=spec.fingerprint,
            source_legality="企业授权采集，来源合法",
            personal_information_basis=(
                "已合法公开的个人信息（测试）" if spec.personal_information else None
            ),
            lawful_basis=LawfulBasis.PUBLICLY_DISCLOSED if spec.personal_information else None,
        )
        for spec in specs
    ]
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session, principal(holder))
        asset_ids = await assets_service.apply_for_registrations(ctx, drafts=drafts)
    for reviewer in reviewers:
        async with runtime.unit_of_work() as session:
            await assets_review.review_applications(
                runtime.context(session, principal(reviewer)),
                asset_ids=asset_ids,
                decision=ReviewDecision.APPROVE,
                reason="来源合法，场景明确",
            )
    clock.advance(PUBLICITY)
    async with runtime.unit_of_work() as session:
        await assets_review.finalize_registrations(
            runtime.context(session, principal(holder)), asset_ids=asset_ids
        )
    return asset_ids


def file_delivery(package: bytes, filename: str = "数据包.csv") -> dict[str, Any]:
    """A file delivery body (base64)."""
    return {
        "kind": "file",
        "filename": filename,
        "media_type": "text/csv",
        "content_base64": base64.b64encode(package).decode(),
    }


def tier(
    name: str = "标准版",
    *,
    price_fen: int = 100_000,
    term_days: int = 365,
    exclusive: bool = False,
    scope: str = "内部风控模型训练，不得转售",
) -> dict[str, Any]:
    """A licence tier body."""
    return {
        "name": name,
        "scope": scope,
        "term_days": term_days,
        "price_fen": price_fen,
        "exclusive": exclusive,
    }


async def audit_size(runtime: Runtime) -> int:
    """How many entries the audit log holds."""
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def audit_actions(runtime: Runtime) -> list[str]:
    """Every audit action, in log order."""
    async with runtime.sessionmaker() as session:
        return list(
            (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq))).all()
        )


TABLES = (Listing, Order, Trade, Licence, Mandate, Negotiation, Bid, CustomsCase, Posting)


async def snapshot(runtime: Runtime) -> tuple[Any, ...]:
    """The audit size, row counts of trading tables and every balance."""
    async with runtime.sessionmaker() as session:
        counts = [
            int(await session.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES
        ]
        balances = sorted((await session.execute(select(Account.id, Account.balance_fen))).all())
        spent = sorted((await session.execute(select(Mandate.id, Mandate.spent_fen))).all())
    return (await audit_size(runtime), *counts, tuple(balances), tuple(spent))


async def refused_unchanged(
    runtime: Runtime,
    call: Callable[[], Awaitable[httpx.Response]],
    status: int,
    slug: str | None = None,
) -> dict[str, Any]:
    """Assert the call is refused with a problem and changes nothing, audit log included."""
    before = await snapshot(runtime)
    body = assert_problem(await call(), status, slug)
    assert await snapshot(runtime) == before
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
        if account_id != "sandbox-mint":
            assert balance >= 0, account_id


@dataclass
class Market:
    """A market: both exchanges with operators, a seller with registered assets, buyers,
    a licensed broker, a regulator and an admin."""

    client: httpx.AsyncClient
    runtime: Runtime
    clock: ManualClock
    admin: Actor
    regulator: Actor
    gz_operator: Actor
    sz_operator: Actor
    seller: Actor
    buyer: Actor
    rival: Actor
    person: Actor
    hk_buyer: Actor
    broker: Actor
    assets: dict[str, str]
    specs: dict[str, AssetSpec]
    broker_licences: dict[str, str] = field(default_factory=dict)

    async def post(self, path: str, who: Actor, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.post(path, json=body, headers={**who.auth, **kw})

    async def get(self, path: str, who: Actor, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params or None, headers=who.auth)

    async def ok(self, response: Awaitable[httpx.Response], status: int = 200) -> Any:
        r = await response
        assert r.status_code == status, r.text
        return r.json()

    async def balance(self, who: Actor) -> int:
        body = await self.ok(self.get("/v1/accounts/me", who))
        return int(body["balance_fen"])

    async def account_balance(self, account_id: str) -> int:
        async with self.runtime.sessionmaker() as session:
            return int(
                await session.scalar(select(Account.balance_fen).where(Account.id == account_id))
                or 0
            )

    def listing_body(
        self,
        asset: str,
        venues: Sequence[str],
        tiers: Sequence[dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        spec = self.specs[asset]
        body = {
            "asset_id": self.assets[asset],
            "title": spec.name,
            "description": f"{spec.name}：按月更新",
            "venues": list(venues),
            "tiers": list(tiers or [tier()]),
            "delivery": file_delivery(spec.package),
        }
        body.update(overrides)
        return body

    async def list(
        self,
        asset: str,
        venues: Sequence[str] = ("szdex",),
        tiers: Sequence[dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        """List an asset; Guangzhou's operator approves its listing review."""
        listing: dict[str, Any] = await self.ok(
            self.post(
                "/v1/listings", self.seller, self.listing_body(asset, venues, tiers, **overrides)
            ),
            201,
        )
        for venue in listing["venues"]:
            if venue["status"] == "pending_review":
                assert venue["exchange_id"] == "gzde"
                listing = await self.ok(
                    self.post(
                        f"/v1/listings/{listing['id']}/venues/gzde/review",
                        self.gz_operator,
                        {"approve": True, "reason": "材料齐全"},
                    )
                )
        return listing

    async def order(
        self,
        who: Actor,
        listing: dict[str, Any],
        *,
        exchange_id: str = "szdex",
        tier_index: int = 0,
        mandate_id: str | None = None,
        legal_basis: str | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "listing_id": listing["id"],
            "tier_id": listing["tiers"][tier_index]["id"],
            "exchange_id": exchange_id,
        }
        if mandate_id is not None:
            body["mandate_id"] = mandate_id
        if legal_basis is not None:
            body["legal_basis"] = legal_basis
        headers = {"Idempotency-Key": key} if key else {}
        return await self.post("/v1/orders", who, body, **headers)

    async def buy(self, who: Actor, listing: dict[str, Any], **kw: Any) -> dict[str, Any]:
        body: dict[str, Any] = await self.ok(self.order(who, listing, **kw), 201)
        return body

    async def mandate(
        self,
        client: Actor,
        *,
        limit_fen: int = 1_000_000,
        commission_bp: int = 200,
        exchanges: Sequence[str] = ("gzde", "szdex"),
        actions: Sequence[str] = ("buy", "negotiate", "bid"),
        days: int = 30,
    ) -> dict[str, Any]:
        body: dict[str, Any] = await self.ok(
            self.post(
                "/v1/mandates",
                client,
                {
                    "broker_id": self.broker.id,
                    "exchange_ids": list(exchanges),
                    "actions": list(actions),
                    "spending_limit_fen": limit_fen,
                    "commission_bp": commission_bp,
                    "expires_at": (self.clock.now() + timedelta(days=days)).isoformat(),
                },
            ),
            201,
        )
        return body

    def auction_body(
        self,
        listing: dict[str, Any],
        *,
        rule: str = "first_price",
        reserve_fen: int = 50_000,
        duration: timedelta = timedelta(hours=2),
        exchange_id: str = "szdex",
    ) -> dict[str, Any]:
        return {
            "listing_id": listing["id"],
            "tier_id": listing["tiers"][0]["id"],
            "exchange_id": exchange_id,
            "rule": rule,
            "reserve_fen": reserve_fen,
            "closes_at": (self.clock.now() + duration).isoformat(),
        }

    async def open_auction(self, listing: dict[str, Any], **kw: Any) -> dict[str, Any]:
        """The seller auctions the listing's first tier (exclusive) on an exchange."""
        body: dict[str, Any] = await self.ok(
            self.post("/v1/auctions", self.seller, self.auction_body(listing, **kw)), 201
        )
        return body
