"""Demo data assets (演示数据资产): the demo enterprise registers every demo product through
the registry's full path (application, the quorum of approvals, publicity, certificate),
and deposits its real package."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from exchange.assets.packages import service as packages_service
from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as assets_review
from exchange.assets.review.rules import ReviewDecision, publicity_ends_at
from exchange.assets.valuation import service as assets_valuation
from exchange.assets.valuation.methods import ValuationMethod
from exchange.catalog.departments import service as departments_service
from exchange.catalog.items import service as items_service
from exchange.clock import ManualClock
from exchange.context import Principal, Runtime
from exchange.participants import service as participants_service
from exchange.seed.products import DEMO_PRODUCTS, DemoProduct
from exchange.vocabulary import Role

# The valued demo assets, as (draft, valuation method, inputs).
DEMO_ASSETS: tuple[tuple[AssetDraft, ValuationMethod, dict[str, Any]], ...] = tuple(
    (p.draft(), *p.valuation) for p in DEMO_PRODUCTS if p.valuation is not None
)


class DemoParticipant(Protocol):
    """A seeded demo participant (exchange.seed.demo.DemoKey)."""

    @property
    def id(self) -> str: ...

    @property
    def role(self) -> str: ...


async def principal(runtime: Runtime, participant_id: str) -> Principal:
    """A participant as the actor of a seeding step."""
    async with runtime.unit_of_work(write=False) as session:
        found = await participants_service.get(runtime.context(session), participant_id)
    return Principal(found.id, found.name, Role(found.role), found.jurisdiction)


async def source_ids(runtime: Runtime, product: DemoProduct) -> tuple[str, ...]:
    """The ids of the catalog items a demo product derives from."""
    ids: list[str] = []
    async with runtime.unit_of_work(write=False) as session:
        ctx = runtime.context(session)
        for code, name in product.sources:
            department = await departments_service.department_by_code(ctx, code)
            found = (
                await items_service.item_id_named(ctx, department.id, name)
                if department is not None
                else None
            )
            if found is None:
                raise RuntimeError(f"The demo catalog has no item {name!r} of {code}.")
            ids.append(found)
    return tuple(ids)


async def seed_demo_assets(
    runtime: Runtime, participants: Sequence[DemoParticipant], consent_ids: Sequence[str] = ()
) -> list[str]:
    """Register the demo products the holder does not hold yet; their certificate numbers.
    A product with personal information relies on `consent_ids` (the demo person's)."""
    holder_id = next(p.id for p in participants if p.role == Role.ENTERPRISE)
    reviewer_ids = [p.id for p in participants if p.role == Role.COMPLIANCE_REVIEWER]
    async with runtime.unit_of_work(write=False) as session:
        held = await assets_service.holder_asset_names(runtime.context(session), holder_id)
    products = [p for p in DEMO_PRODUCTS if p.name not in held]
    if not products:
        return []
    quorum = runtime.settings.asset_review_quorum
    if len(reviewer_ids) < quorum:
        raise RuntimeError(f"The demo has {len(reviewer_ids)} reviewers; the quorum is {quorum}.")
    # The publicity period passes on a clock that starts two weeks back, so the demo
    # assets are registered by now without future-dated entries in the log.
    clock = ManualClock(runtime.clock.now() - timedelta(days=14))
    sim = replace(runtime, clock=clock)
    holder = await principal(sim, holder_id)
    drafts = [p.draft(await source_ids(runtime, p), tuple(consent_ids)) for p in products]
    async with sim.unit_of_work() as session:
        ctx = sim.context(session, holder)
        asset_ids = await assets_service.apply_for_registrations(ctx, drafts=drafts)
        for asset_id, product in zip(asset_ids, products, strict=True):
            await packages_service.upload_package(
                ctx,
                asset_id=asset_id,
                filename=product.filename,
                media_type=product.media_type,
                body=product.package,
            )
            if product.valuation is not None:
                method, inputs = product.valuation
                await assets_valuation.value_asset(
                    ctx, asset_id=asset_id, method=method, inputs=inputs
                )
    clock.advance(timedelta(hours=2))
    approved_at = clock.now()
    for reviewer_id in reviewer_ids[:quorum]:
        reviewer = await principal(sim, reviewer_id)
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
    numbers = {certificate.asset_id: certificate.number for certificate in issued}
    return [numbers[a] for a in asset_ids]
