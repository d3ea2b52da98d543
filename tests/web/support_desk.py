"""The regulator's desk tests' market: the demo market seeded in process (one order waits at
data customs), and an asset in publicity with an objection against it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from exchange.assets.registry import service as registry_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as review_service
from exchange.assets.review.models import AssetObjection
from exchange.assets.review.rules import ReviewDecision
from exchange.audit.log.models import AuditEntry
from exchange.clock import ManualClock
from exchange.context import Principal, Runtime
from exchange.seed.demo import DemoKey, seed_demo
from exchange.trading.customs.models import CustomsCase
from exchange.vocabulary import DataGrade, DataRight, ProductForm, Role


@dataclass
class Desk:
    """The demo market's participants by handle, and the way to its pages."""

    client: httpx.AsyncClient
    runtime: Runtime
    clock: ManualClock
    keys: dict[str, DemoKey]

    def key(self, handle: str) -> str:
        return self.keys[handle].api_key

    def principal(self, handle: str) -> Principal:
        k = self.keys[handle]
        return Principal(k.id, k.name, Role(k.role), k.jurisdiction)

    def settle(self) -> None:
        """Let the checkpoint's freshness window pass, so the next page signs a new one."""
        self.clock.advance(timedelta(seconds=2))

    async def log_size(self) -> int:
        async with self.runtime.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)

    async def cases(self) -> list[CustomsCase]:
        async with self.runtime.sessionmaker() as session:
            return list(await session.scalars(select(CustomsCase).order_by(CustomsCase.id)))

    async def objections(self) -> list[AssetObjection]:
        async with self.runtime.sessionmaker() as session:
            return list(await session.scalars(select(AssetObjection)))

    async def object_to_a_new_asset(self, grounds: str = "该数据来源存在权属争议") -> str:
        """The demo department applies to register an asset, the reviewers approve it into
        publicity, and the demo enterprise objects. The objection's id."""
        package = "区县,人口\n番禺,2800000\n".encode()
        draft = AssetDraft(
            name="广州市区县人口统计（异议测试）",
            description="区县人口统计表",
            product_form=ProductForm.DATASET,
            right=DataRight.PRODUCT_OPERATION,
            scenario="城市规划",
            grade=DataGrade.GENERAL,
            personal_information=False,
            fingerprint=hashlib.sha256(package).hexdigest(),
            source_legality="政务数据，依法采集",
        )
        runtime = self.runtime
        async with runtime.unit_of_work() as session:
            asset = await registry_service.apply_for_registration(
                runtime.context(session, self.principal("department")), draft=draft
            )
            asset_id = asset.id
        reviewers = [h for h, k in self.keys.items() if k.role == Role.COMPLIANCE_REVIEWER]
        for handle in reviewers[: runtime.settings.asset_review_quorum]:
            async with runtime.unit_of_work() as session:
                await review_service.review_applications(
                    runtime.context(session, self.principal(handle)),
                    asset_ids=[asset_id],
                    decision=ReviewDecision.APPROVE,
                    reason="来源合法",
                )
        async with runtime.unit_of_work() as session:
            objection = await review_service.file_objection(
                runtime.context(session, self.principal("holder")),
                asset_id=asset_id,
                grounds=grounds,
            )
            return objection.id


@pytest.fixture(name="desk")
async def desk_fixture(client: httpx.AsyncClient, runtime: Runtime, clock: ManualClock) -> Desk:
    """The demo market, seeded through its own services, with a fresh checkpoint due."""
    keys = await seed_demo(runtime)
    market = Desk(client, runtime, clock, {k.handle: k for k in keys})
    market.settle()
    return market
