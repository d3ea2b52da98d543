"""Demo trading (演示交易): the demo operator runs Guangzhou, the demo broker is licensed there
and holds a mandate from the demo individual, the demo enterprise lists its registered
products (their packages are what licensees download), and a foreign buyer's order for
important data waits at data customs for the regulator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from exchange.assets.registry import service as assets_service
from exchange.context import Principal, Runtime
from exchange.seed.assets import DemoParticipant, principal
from exchange.seed.products import DEMO_PRODUCTS, DemoProduct
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.customs import service as customs_service
from exchange.trading.listings import service as listings_service
from exchange.trading.orders import service as orders_service
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import DataGrade, LegalBasis, MandateAction, MandateSide, Role

DEMO_EXCHANGE = "gzde"


def _by_role(participants: Sequence[DemoParticipant]) -> dict[str, str]:
    by_role: dict[str, str] = {}
    for p in participants:
        by_role.setdefault(p.role, p.id)
    return by_role


async def _set_up_venue(
    runtime: Runtime, admin: Principal, operator: Principal, broker_id: str
) -> None:
    """Bind the demo operator to Guangzhou and license the demo broker there (once)."""
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


async def _list(
    runtime: Runtime, holder: Principal, operator: Principal, product: DemoProduct, asset_id: str
) -> str:
    """List one product; Guangzhou's operator approves it there. The listing id."""
    async with runtime.unit_of_work() as session:
        view = await listings_service.create_listing(
            runtime.context(session, holder),
            asset_id=asset_id,
            title=product.name,
            description=product.description,
            venues=product.venues,
            tiers=product.tiers,
            delivery=listings_service.DeliverySpec(
                product.delivery_kind, product.filename, product.media_type, product.package
            ),
        )
    if any(v.exchange_id == DEMO_EXCHANGE for v in view.venues):
        async with runtime.unit_of_work() as session:
            await listings_service.review_listing(
                runtime.context(session, operator),
                listing_id=view.listing.id,
                exchange_id=DEMO_EXCHANGE,
                approve=True,
                reason="演示：材料齐全，准予挂牌",
            )
    return view.listing.id


async def _list_products(runtime: Runtime, holder: Principal, operator: Principal) -> list[str]:
    """List each demo product not listed yet; the new listing ids."""
    async with runtime.unit_of_work(write=False) as session:
        ctx = runtime.context(session, holder)
        assets, _ = await assets_service.list_assets(
            ctx, status=None, holder_id=holder.id, text=None, limit=1000, offset=0
        )
        listed, _ = await listings_service.list_listings(
            ctx,
            exchange_id=None,
            product_form=None,
            grade=None,
            holder_id=holder.id,
            text=None,
            include_inactive=True,
            limit=1000,
            offset=0,
        )
    # Only an asset registered with the product's package (a database seeded by an earlier
    # version may hold one with a placeholder fingerprint: it stays unlisted).
    asset_of = {(a.name, a.fingerprint): a.id for a in assets}
    listed_assets = {view.listing.asset_id for view in listed}
    new = []
    for product in DEMO_PRODUCTS:
        asset_id = asset_of.get((product.name, product.fingerprint))
        if product.venues and asset_id is not None and asset_id not in listed_assets:
            new.append(await _list(runtime, holder, operator, product, asset_id))
    return new


async def _grant_mandate(runtime: Runtime, client: Principal, broker_id: str) -> None:
    """The demo individual mandates the demo broker to buy for it in Guangzhou (once)."""
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session, client)
        _, held = await brokerage_service.list_mandates(
            ctx, client_id=client.id, broker_id=broker_id, status=None, limit=1, offset=0
        )
        if held:
            return
        await brokerage_service.grant_mandate(
            ctx,
            broker_id=broker_id,
            exchange_ids=[DEMO_EXCHANGE],
            actions=[MandateAction.BUY, MandateAction.NEGOTIATE],
            side=MandateSide.BUYER,
            spending_limit_fen=500_000,
            commission_bp=300,
            expires_at=ctx.clock.now() + timedelta(days=365),
        )


async def _order_at_customs(runtime: Runtime, buyer: Principal, holder: Principal) -> None:
    """The foreign buyer orders the important-grade dataset: it waits at data customs (once)."""
    async with runtime.unit_of_work(write=False) as session:
        ctx = runtime.context(session, buyer)
        _, cases = await customs_service.list_customs_cases(
            ctx, status=None, jurisdiction=None, exchange_id=None, limit=1, offset=0
        )
        if cases:
            return
        listed, _ = await listings_service.list_listings(
            ctx,
            exchange_id=DEMO_EXCHANGE,
            product_form=None,
            grade=DataGrade.IMPORTANT.value,
            holder_id=holder.id,
            text=None,
            include_inactive=False,
            limit=1,
            offset=0,
        )
    if not listed:
        return
    view = listed[0]
    async with runtime.unit_of_work() as session:
        await orders_service.place_order(
            runtime.context(session, buyer),
            listing_id=view.listing.id,
            tier_id=view.tiers[0].id,
            exchange_id=DEMO_EXCHANGE,
            mandate_id=None,
            legal_basis=LegalBasis.SECURITY_ASSESSMENT.value,
        )


async def seed_demo_trading(
    runtime: Runtime,
    participants: Sequence[DemoParticipant],
    *,
    foreign_buyer_id: str | None = None,
) -> list[str]:
    """Set up Guangzhou, list the demo products, grant the demo mandate, and hold one order
    at customs; each step once. The new listing ids."""
    by_role = _by_role(participants)
    holder = await principal(runtime, by_role[Role.ENTERPRISE])
    admin = await principal(runtime, by_role[Role.ADMIN])
    operator = await principal(runtime, by_role[Role.EXCHANGE_OPERATOR])
    broker_id = by_role[Role.BROKER]
    await _set_up_venue(runtime, admin, operator, broker_id)
    listing_ids = await _list_products(runtime, holder, operator)
    await _grant_mandate(runtime, await principal(runtime, by_role[Role.INDIVIDUAL]), broker_id)
    if foreign_buyer_id is not None:
        await _order_at_customs(runtime, await principal(runtime, foreign_buyer_id), holder)
    return listing_ids
