"""Authorized operation (公共数据授权运营) in a market played through the services.

With `[operation]` in a scenario, set-up adds a department holding a public catalog item, the
province's data authority (数据主管部门) and, where the item is not unconditionally open, an
operating agreement (授权运营协议) for each provider with derived products — proposed by the
provider and decided by the authority through `exchange.operation`, so exclusive operation is
refused there, not here. Derived products are registered one by one: the registry refuses those
of a provider without a grant, and they leave the run. Settlement pays the department its share.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.catalog.departments import service as departments_service
from exchange.catalog.departments.schemas import DepartmentCreate, DepartmentUpdate
from exchange.catalog.items import service as items_service
from exchange.catalog.items.schemas import ItemCreate
from exchange.operation.agreements import service as agreements_service
from exchange.operation.agreements.schemas import (
    AgreementCreate,
    AgreementDecision,
    AgreementItemSpec,
)
from exchange.operation.revenue import service as revenue_service
from exchange.operation.vocabulary import Purpose
from exchange.participants import service as participants_service
from exchange.simulation.results import OperationRecord
from exchange.simulation.services_base import REFUSABLE, MarketBase, attempt, slug_of
from exchange.simulation.world import Product, World
from exchange.vocabulary import ProductForm, Role

AUTHORITY = "data-authority"  # 广东省政务服务和数据管理局: approves operating agreements
HOLDER = "data-department"  # 广东省人力资源和社会保障厅: holds the public catalog item
DIVISION = "440000"  # 广东省
PURPOSE = Purpose.ENTERPRISE_CREDIT
ITEM_FIELDS = (("district", "区县"), ("insured_status", "参保状态"), ("reg_month", "参保月份"))
PAGE = 200


class OperationSetUp(MarketBase):
    """The departments, the catalog item and the agreements of an authorized-operation run."""

    operation_item_id: str = ""
    operation_agreements: dict[str, str]
    operation_refusals: dict[str, str]
    operation_public: int = 0

    async def _open_operation(self, session: AsyncSession, world: World) -> None:
        """The two departments, the item, and (where a grant is needed) the agreements."""
        self.operation_agreements = {}
        self.operation_refusals = {}
        self.operation_public = sum(1 for p in world.products if p.public)
        setup = self.scenario.operation
        ctx = self._ctx(session, None)
        authority = await self._register(
            ctx, AUTHORITY, name="广东省政务服务和数据管理局（仿真）", role=Role.DEPARTMENT
        )
        holder = await self._register(
            ctx, HOLDER, name="广东省人力资源和社会保障厅（仿真）", role=Role.DEPARTMENT
        )
        await session.flush()
        admin = self._ctx(session, self.admin)
        department_ids = {}
        for code, principal in (("SIM-440000-GSDA", authority), ("SIM-440000-HRSS", holder)):
            created = await departments_service.create_department(
                admin,
                body=DepartmentCreate(
                    code=code,
                    name=principal.name,
                    division_code=DIVISION,
                    participant_id=principal.id,
                ),
            )
            department_ids[principal.id] = created.id
        await session.flush()
        await departments_service.update_department(
            admin,
            department_id=department_ids[authority.id],
            body=DepartmentUpdate(data_authority=True),
        )
        item = await items_service.publish_item(
            admin,
            body=ItemCreate.model_validate(
                {
                    "department_id": department_ids[holder.id],
                    "name_zh": "全省社会保险参保登记信息（仿真）",
                    "source_system": "广东省人社一体化信息平台",
                    "update_frequency": "monthly",
                    "update_method": "full",
                    "usage_methods": ["api"],
                    "grade": "general",
                    "personal_information": False,
                    "sharing": "conditional",
                    "sharing_conditions": "经数据责任部门审核同意",
                    "opening": setup.opening,
                    "opening_conditions": "经授权运营" if setup.opening == "conditional" else "",
                    "fields": [{"code": c, "name_zh": n} for c, n in ITEM_FIELDS],
                }
            ),
        )
        self.operation_item_id = item.id
        await session.flush()
        if setup.granted:
            await self._open_agreements(session, world)

    async def _open_agreements(self, session: AsyncSession, world: World) -> None:
        """Each provider with derived products proposes; the authority approves in turn (an
        exclusive proposal over a held item is refused by the agreements service)."""
        setup = self.scenario.operation
        forms = sorted(f for f, w in self.scenario.products.forms.items() if w > 0)
        starts = self.clock.now()
        ends = starts + timedelta(
            days=60 + (self.scenario.rounds * self.scenario.round_hours) // 24 + 30
        )
        for provider in world.providers:
            if not any(p.public for p in provider.products):
                continue
            try:
                async with attempt(session):
                    proposed = await agreements_service.propose(
                        self._ctx(session, provider.key),
                        body=AgreementCreate(
                            title=f"社保参保数据授权运营协议（仿真）{provider.key}",
                            items=[
                                AgreementItemSpec(
                                    item_id=self.operation_item_id,
                                    fields=[code for code, _ in ITEM_FIELDS[:2]],
                                )
                            ],
                            purposes=[PURPOSE],
                            forms=[ProductForm(f) for f in forms],
                            starts_at=starts,
                            ends_at=ends,
                            revenue_share_bp=setup.revenue_share_bp,
                            security_duties="数据不出域，产品不含个人信息（仿真）",
                            exclusive=setup.exclusive,
                        ),
                    )
                    await session.flush()
                    await agreements_service.decide(
                        self._ctx(session, AUTHORITY),
                        agreement_id=proposed.id,
                        body=AgreementDecision(decision="approve", reason="仿真审批通过"),
                    )
                    await session.flush()
            except REFUSABLE as exc:
                self.operation_refusals[provider.key] = slug_of(exc)
                continue
            self.operation_agreements[provider.key] = proposed.id

    def derivation(self, product: Product) -> dict[str, Any]:
        """What a derived product's registration names: its source item and purpose."""
        if not product.public:
            return {}
        return {"source_catalog_item_ids": (self.operation_item_id,), "purpose": PURPOSE}

    async def _register_derived(
        self, session: AsyncSession, world: World, drafts: dict[str, tuple[str, AssetDraft]]
    ) -> None:
        """Apply for each derived product alone: a refusal (no grant) drops it from the run."""
        refused: set[str] = set()
        for key, (owner, draft) in drafts.items():
            try:
                async with attempt(session):
                    (asset_id,) = await assets_service.apply_for_registrations(
                        self._ctx(session, owner), drafts=[draft]
                    )
            except REFUSABLE:
                refused.add(key)
                continue
            self.assets[key] = asset_id
        world.drop_products(refused)

    async def operation_report(self, world: World) -> OperationRecord:
        """Supply and the departments' revenue, read from the operation service and ledger."""
        async with self.unit() as session:
            authority = self._ctx(session, AUTHORITY)
            revenue = 0
            for agreement_id in self.operation_agreements.values():
                page = await revenue_service.list_paid(
                    authority, agreement_id=agreement_id, limit=PAGE, offset=0
                )
                revenue += page.paid_fen
            account = await participants_service.account_of(
                self._ctx(session, HOLDER), self.participant_id(HOLDER)
            )
        public = [p for p in world.products if p.public]
        return OperationRecord(
            opening=self.scenario.operation.opening,
            exclusive=self.scenario.operation.exclusive,
            revenue_share_bp=self.scenario.operation.revenue_share_bp,
            public_products=self.operation_public,
            registered_public=len(public),
            products=len(world.products),
            agreements=len(self.operation_agreements),
            refused_agreements=len(self.operation_refusals),
            revenue_fen=revenue,
            department_balance_fen=account.balance_fen,
        )
