"""Demo data assets (演示数据资产): two registered, certified assets of the demo enterprise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as assets_review
from exchange.assets.review.rules import ReviewDecision, publicity_ends_at
from exchange.assets.valuation import service as assets_valuation
from exchange.assets.valuation.methods import ValuationMethod
from exchange.clock import ManualClock
from exchange.context import Principal, Runtime
from exchange.participants import service as participants_service
from exchange.vocabulary import DataGrade, DataRight, ProductForm, Role

SECOND_REVIEWER = "数据资产登记合规委员会委员（二）Compliance reviewer (second)"
DEMO_ASSETS: tuple[tuple[AssetDraft, ValuationMethod, dict[str, Any]], ...] = (
    (
        AssetDraft(
            name="广州市企业用电指数数据产品 Guangzhou enterprise electricity-use index",
            description="按行业、区县汇总的企业月度用电指数，反映经营活跃度",
            product_form=ProductForm.INDICATOR,
            right=DataRight.PRODUCT_OPERATION,
            scenario="企业信贷",
            grade=DataGrade.GENERAL,
            personal_information=False,
            fingerprint="5d0f0a8b7e7f1c1e4c7f4c2b8d3c2a9f0e6b1d4a7c3e9f2b8a6d5c4e3f2a1b0c",
            source_legality="电网企业授权数据与公共数据授权运营所得，来源合法",
        ),
        ValuationMethod.COST,
        {"acquisition_fen": 30_000_000, "processing_fen": 12_000_000, "maintenance_fen": 3_000_000},
    ),
    (
        AssetDraft(
            name="粤港澳大湾区跨境物流时效数据集 GBA cross-border logistics timeliness",
            description="大湾区主要口岸跨境货运通关与运输时效统计",
            product_form=ProductForm.DATASET,
            right=DataRight.PROCESSING_USE,
            scenario="供应链金融与企业信贷",
            grade=DataGrade.IMPORTANT,
            personal_information=False,
            fingerprint="a3c1e5b7d9f0214365879abcdef0123456789abcdef0123456789abcdef01234",
            source_legality="物流企业自有业务数据，经脱敏汇总",
        ),
        ValuationMethod.INCOME,
        {"expected_income_fen": [8_000_000, 10_000_000, 12_000_000], "discount_rate_bp": 800},
    ),
)


class DemoParticipant(Protocol):
    """A seeded demo participant (exchange.seed.demo.DemoKey)."""

    @property
    def id(self) -> str: ...

    @property
    def role(self) -> str: ...


async def _principal(runtime: Runtime, participant_id: str) -> Principal:
    async with runtime.unit_of_work(write=False) as session:
        found = await participants_service.get(runtime.context(session), participant_id)
    return Principal(found.id, found.name, Role(found.role), found.jurisdiction)


async def seed_demo_assets(runtime: Runtime, participants: Sequence[DemoParticipant]) -> list[str]:
    """Register the demo assets once, through the full path; returns certificate numbers."""
    holder_id = next(p.id for p in participants if p.role == Role.ENTERPRISE)
    reviewer_id = next(p.id for p in participants if p.role == Role.COMPLIANCE_REVIEWER)
    async with runtime.unit_of_work(write=False) as session:
        held = await assets_service.holder_asset_names(runtime.context(session), holder_id)
    if any(draft.name in held for draft, _, _ in DEMO_ASSETS):
        return []
    # The publicity period passes on a clock that starts two weeks back, so the demo
    # assets are registered by now without future-dated entries in the log.
    clock = ManualClock(runtime.clock.now() - timedelta(days=14))
    sim = replace(runtime, clock=clock)
    holder = await _principal(sim, holder_id)
    first_reviewer = await _principal(sim, reviewer_id)
    async with sim.unit_of_work() as session:
        second, _, _ = await participants_service.register(
            sim.context(session),
            name=SECOND_REVIEWER,
            role=Role.COMPLIANCE_REVIEWER,
            jurisdiction="CN",
        )
        ctx = sim.context(session, holder)
        asset_ids = await assets_service.apply_for_registrations(
            ctx, drafts=[draft for draft, _, _ in DEMO_ASSETS]
        )
        for asset_id, (_, method, inputs) in zip(asset_ids, DEMO_ASSETS, strict=True):
            await assets_valuation.value_asset(
                ctx,
                asset_id=asset_id,
                method=method,
                inputs=inputs,
            )
    second_reviewer = Principal(second.id, second.name, Role.COMPLIANCE_REVIEWER, "CN")
    clock.advance(timedelta(hours=2))
    approved_at = clock.now()
    for reviewer in (first_reviewer, second_reviewer):
        async with sim.unit_of_work() as session:
            await assets_review.review_applications(
                sim.context(session, reviewer),
                asset_ids=asset_ids,
                decision=ReviewDecision.APPROVE,
                reason="来源合法、场景明确、分级准确，同意登记",
            )
    clock.set(publicity_ends_at(approved_at, runtime.settings.asset_publicity_working_days))
    async with sim.unit_of_work() as session:
        issued = await assets_review.finalize_registrations(
            sim.context(session), asset_ids=asset_ids
        )
    return [certificate.number for certificate in issued]
