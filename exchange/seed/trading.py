"""Demo trading (演示交易): the demo operator runs Guangzhou, the demo broker is licensed there,
and the demo enterprise lists two data products ready to buy on both exchanges.

The data products are registered through the registry's own path (application, two
approvals, publicity, certificate) on a clock two weeks back, with real delivery packages
whose SHA-256 is the registered fingerprint, so that buyers can check what they download.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as assets_review
from exchange.assets.review.rules import ReviewDecision, publicity_ends_at
from exchange.clock import ManualClock
from exchange.context import Principal, Runtime
from exchange.participants import service as participants_service
from exchange.seed.assets import DemoParticipant
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.listings import service as listings_service
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import DataGrade, DataRight, DeliveryKind, ProductForm, Role

DEMO_EXCHANGE = "gzde"


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A demo data product: what is registered, its package and how it is listed."""

    draft_name: str
    description: str
    product_form: ProductForm
    grade: DataGrade
    filename: str
    media_type: str
    package: bytes
    venues: tuple[str, ...]
    tiers: tuple[listings_service.TierSpec, ...]

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.package).hexdigest()


DEMO_PRODUCTS = (
    DemoProduct(
        draft_name="深圳市公共交通客流指标 Shenzhen public-transit ridership indicator",
        description="按线路、站点、时段汇总的地铁与公交客流指标，日更新",
        product_form=ProductForm.INDICATOR,
        grade=DataGrade.GENERAL,
        filename="客流指标样例.csv",
        media_type="text/csv; charset=utf-8",
        package=(
            "日期,线路,站点,时段,客流\n"
            "2026-11-20,1号线,罗湖,早高峰,48210\n"
            "2026-11-20,1号线,世界之窗,晚高峰,39544\n"
        ).encode(),
        venues=("gzde-foshan", "szdex"),
        tiers=(
            listings_service.TierSpec(
                "标准版 standard", "内部分析与研究，不得转售", 365, 500_000, False
            ),
            listings_service.TierSpec(
                "试用版 trial", "三十日试用，仅限内部评估", 30, 10_000, False
            ),
            listings_service.TierSpec(
                "独家版 exclusive", "独家商业运营许可", 365, 20_000_000, True
            ),
        ),
    ),
    DemoProduct(
        draft_name="珠三角中小企业经营指数接口 PRD SME business-activity index API",
        description="基于用电、纳税、社保等授权数据合成的中小企业经营活跃度指数接口",
        product_form=ProductForm.API,
        grade=DataGrade.GENERAL,
        filename="经营指数接口说明.json",
        media_type="application/json",
        package=(
            '{"openapi":"3.1.0","info":{"title":"珠三角中小企业经营指数","version":"1.0"},'
            '"paths":{"/v1/index/{uscc}":{"get":{"summary":"查询企业经营指数"}}}}'
        ).encode(),
        venues=("szdex",),
        tiers=(
            listings_service.TierSpec(
                "接口年费版 yearly", "信贷风控调用，每日一万次", 365, 2_000_000, False
            ),
        ),
    ),
)


async def _principal(runtime: Runtime, participant_id: str) -> Principal:
    async with runtime.unit_of_work(write=False) as session:
        found = await participants_service.get(runtime.context(session), participant_id)
    return Principal(found.id, found.name, Role(found.role), found.jurisdiction)


async def _reviewers(runtime: Runtime, first_id: str) -> list[Principal]:
    """Two compliance reviewers (the demo's, and another one: the quorum is two)."""
    async with runtime.unit_of_work(write=False) as session:
        rows, _ = await participants_service.list_page(
            runtime.context(session), role=Role.COMPLIANCE_REVIEWER, limit=10, offset=0
        )
    others = [r.id for r in rows if r.id != first_id]
    if not others:
        async with runtime.unit_of_work() as session:
            second, _, _ = await participants_service.register(
                runtime.context(session),
                name="数据资产登记合规委员会委员（三）Compliance reviewer (third)",
                role=Role.COMPLIANCE_REVIEWER,
                jurisdiction="CN",
            )
        others = [second.id]
    return [await _principal(runtime, first_id), await _principal(runtime, others[0])]


async def _register(
    runtime: Runtime, holder: Principal, reviewers: Sequence[Principal]
) -> list[str]:
    """Register the demo products' assets on a clock two weeks back; their asset ids."""
    clock = ManualClock(runtime.clock.now() - timedelta(days=14))
    sim = replace(runtime, clock=clock)
    drafts = [
        AssetDraft(
            name=p.draft_name,
            description=p.description,
            product_form=p.product_form,
            right=DataRight.PRODUCT_OPERATION,
            scenario="企业信贷与城市治理",
            grade=p.grade,
            personal_information=False,
            fingerprint=p.fingerprint,
            source_legality="公共数据授权运营与企业授权数据，经脱敏汇总，来源合法",
        )
        for p in DEMO_PRODUCTS
    ]
    async with sim.unit_of_work() as session:
        asset_ids = await assets_service.apply_for_registrations(
            sim.context(session, holder), drafts=drafts
        )
    clock.advance(timedelta(hours=1))
    approved_at = clock.now()
    for reviewer in reviewers:
        async with sim.unit_of_work() as session:
            await assets_review.review_applications(
                sim.context(session, reviewer),
                asset_ids=asset_ids,
                decision=ReviewDecision.APPROVE,
                reason="来源合法、场景明确，同意登记",
            )
    clock.set(publicity_ends_at(approved_at, runtime.settings.asset_publicity_working_days))
    async with sim.unit_of_work() as session:
        await assets_review.finalize_registrations(sim.context(session), asset_ids=asset_ids)
    return asset_ids


async def seed_demo_trading(runtime: Runtime, participants: Sequence[DemoParticipant]) -> list[str]:
    """Bind the operator, license the broker, list the demo products once; the listing ids."""
    by_role: dict[str, str] = {}
    for p in participants:
        by_role.setdefault(p.role, p.id)
    holder = await _principal(runtime, by_role[Role.ENTERPRISE])
    async with runtime.unit_of_work(write=False) as session:
        listed = await listings_service.holds_listings(runtime.context(session), holder.id)
    if listed:
        return []
    admin = await _principal(runtime, by_role[Role.ADMIN])
    operator = await _principal(runtime, by_role[Role.EXCHANGE_OPERATOR])
    broker_id = by_role[Role.BROKER]
    async with runtime.unit_of_work() as session:
        if await venues_service.operator_binding(runtime.context(session), operator.id) is None:
            await venues_service.bind_operator(
                runtime.context(session, admin),
                exchange_id=DEMO_EXCHANGE,
                participant_id=operator.id,
            )
    async with runtime.unit_of_work() as session:
        licence = await brokerage_service.broker_licence(
            runtime.context(session), broker_id=broker_id, exchange_id=DEMO_EXCHANGE
        )
        if licence is None:
            await brokerage_service.license_broker(
                runtime.context(session, operator), exchange_id=DEMO_EXCHANGE, broker_id=broker_id
            )
    reviewers = await _reviewers(runtime, by_role[Role.COMPLIANCE_REVIEWER])
    asset_ids = await _register(runtime, holder, reviewers)
    listing_ids = []
    for product, asset_id in zip(DEMO_PRODUCTS, asset_ids, strict=True):
        async with runtime.unit_of_work() as session:
            view = await listings_service.create_listing(
                runtime.context(session, holder),
                asset_id=asset_id,
                title=product.draft_name,
                description=product.description,
                venues=product.venues,
                tiers=product.tiers,
                delivery=listings_service.DeliverySpec(
                    DeliveryKind.FILE
                    if product.product_form != ProductForm.API
                    else DeliveryKind.API,
                    product.filename,
                    product.media_type,
                    product.package,
                ),
            )
        listing_ids.append(view.listing.id)
        if any(v.exchange_id == DEMO_EXCHANGE for v in view.venues):
            async with runtime.unit_of_work() as session:
                await listings_service.review_listing(
                    runtime.context(session, operator),
                    listing_id=view.listing.id,
                    exchange_id=DEMO_EXCHANGE,
                    approve=True,
                    reason="演示：材料齐全，准予挂牌",
                )
    return listing_ids
