"""Opening a market played through the services: participants, rulebooks, assets, listings.

Time comes from a ManualClock, identifiers from a seeded IdFactory and API keys from a seeded
stream, so a scenario and a seed open the same market, and write the same log, byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import wiring
from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as assets_review
from exchange.assets.review.rules import ReviewDecision, publicity_ends_at
from exchange.context import Context, Runtime
from exchange.database import make_sessionmaker
from exchange.ids import IdFactory
from exchange.kit.roundreads import RoundReads
from exchange.migrate import upgrade
from exchange.participants import ledger
from exchange.participants import service as participants_service
from exchange.simulation.inline_sqlite import inline_engine
from exchange.simulation.market import (
    RulebookView,
)
from exchange.simulation.rng import stream_seed
from exchange.simulation.scenario import Scenario
from exchange.simulation.services_base import (
    MANDATE_ACTIONS,
    REFUSABLE,
    SIMULATED_USE,
    STANDARD_TIER,
    Offering,
    attempt,
    package_of,
    policy_of,
    remove_database,
    setting_up,
    simulation_settings,
    write_registry_key,
)
from exchange.simulation.services_consent import ConsentSetUp
from exchange.simulation.services_operation import OperationSetUp
from exchange.simulation.world import (
    BROKER,
    PROVIDER,
    REGULATOR,
    RING_BIDDER,
    WASH_TRADER,
    Product,
    World,
    agent_name,
    product_name,
)
from exchange.supervision.agencies import service as agencies_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.listings import service as listings_service
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import (
    DataGrade,
    DataRight,
    DeliveryKind,
    MandateSide,
    ProductForm,
    Role,
    VenueStatus,
)

SURVEYOR = "surveillance"  # the regulator that scans a run with manipulators
SURVEYING_AGENCY = "gd-amr"  # 广东省市场监督管理局: trading conduct
CUSTOMS_AGENCY = "gd-cac"  # 广东省委网信办: the regulator agents decide data-customs cases


class MarketSetUp(OperationSetUp, ConsentSetUp):
    """Opening the market: a migrated database, the participants, rulebooks, assets, listings."""

    # --- opening the market -------------------------------------------------------------

    async def open(self, world: World) -> dict[str, RulebookView]:
        """A fresh migrated database, the participants, registered assets and listings."""
        fresh = self.runtime is None
        if self.runtime is None:
            self.runtime = await self._fresh_runtime()
        try:
            async with setting_up("agents"):
                await self._open_participants(world)
            await self._open_rulebooks(world)
            async with setting_up("products"):
                await self._open_assets(world)
            self.clock.set(self.trading_start)
            async with setting_up("agents.providers"):
                await self._open_listings(world)
        except BaseException:
            if fresh:  # the run stops here: close the database it opened (a class closes its own)
                await self.runtime.engine.dispose()
            raise
        return self.rulebooks

    async def _fresh_runtime(self) -> Runtime:
        """A new SQLite file, migrated, with a seeded registry key, ids and clock."""
        assert self.db_path is not None, "an offline market needs a database path"
        seed = self.scenario.seed
        remove_database(self.db_path)
        key_dir = self.db_path.parent / "keys"
        write_registry_key(key_dir, seed)
        settings = simulation_settings(self.db_path, key_dir)
        engine = inline_engine(self.db_path, synchronous="OFF")
        self.reads = RoundReads()
        self.reads.install(engine.sync_engine)
        await upgrade(engine)
        wiring.install()
        return Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            clock=self.clock,
            ids=IdFactory(stream_seed(seed, "ids", 0)),
            group_commit=False,  # one task owns the database: nobody to share a commit with
        )

    async def _open_participants(self, world: World) -> None:
        async with self.unit() as session:
            ctx = self._ctx(session, None)
            self.admin = await self._register(
                ctx, "admin", name="仿真平台管理员 simulation admin", role=Role.ADMIN
            )
            for exchange_id in sorted(self.scenario.exchanges):
                self.operators[exchange_id] = await self._register(
                    ctx,
                    f"operator-{exchange_id}",
                    name=f"交易所运营方 operator of {exchange_id}",
                    role=Role.EXCHANGE_OPERATOR,
                )
            for i in range(1, 3):
                await self._register(
                    ctx,
                    f"reviewer-{i}",
                    name=f"登记合规委员 compliance reviewer {i}",
                    role=Role.COMPLIANCE_REVIEWER,
                )
            for provider in world.providers:
                await self._register(
                    ctx,
                    provider.key,
                    name=agent_name(PROVIDER, provider.index),
                    role=Role(provider.role),
                )
            for buyer in world.buyers:
                await self._register(
                    ctx,
                    buyer.key,
                    name=agent_name(buyer.group, buyer.index),
                    role=Role(buyer.params.role),
                    jurisdiction=buyer.jurisdiction,
                )
                self.legal_basis[buyer.key] = buyer.legal_basis
                self.cash[buyer.key] = buyer.params.budget_fen
                self.buyer_info[buyer.key] = (buyer.params.role, buyer.jurisdiction)
            for broker in world.brokers:
                await self._register(
                    ctx, broker.key, name=agent_name(BROKER, broker.index), role=Role.BROKER
                )
            for regulator in world.regulators:
                self.regulators.append(
                    await self._register(
                        ctx,
                        regulator.key,
                        name=agent_name(REGULATOR, regulator.index),
                        role=Role.REGULATOR,
                    )
                )
            rigged = self.scenario.agents.manipulators
            for agent in world.manipulators():
                role_name = WASH_TRADER if agent in world.wash_traders else RING_BIDDER
                await self._register(
                    ctx, agent.key, name=agent_name(role_name, agent.index), role=Role.ENTERPRISE
                )
                self.cash[agent.key] = rigged.budget_fen
                self.buyer_info[agent.key] = (Role.ENTERPRISE.value, "CN")
                self.legal_basis[agent.key] = None
            await session.flush()
            # The regulator agents decide customs cases: the export remit's agency (网信).
            for regulator in world.regulators:
                await agencies_service.assign_member(
                    self._ctx(session, self.admin),
                    agency_id=CUSTOMS_AGENCY,
                    participant_id=self.participant_id(regulator.key),
                )
            # Every starting balance in one sandbox deposit journal (沙盒注资).
            funding = [(buyer.key, buyer.params.budget_fen) for buyer in world.buyers] + [
                (provider.key, provider.balance_fen) for provider in world.providers
            ]
            funding += [(agent.key, rigged.budget_fen) for agent in world.manipulators()]
            legs = [ledger.Leg(self.accounts[k], amount) for k, amount in funding if amount]
            if legs:
                total = sum(leg.amount_fen for leg in legs)
                await ledger.post(
                    ctx,
                    kind="deposit",
                    memo="仿真初始资金 simulated budgets and starting balances",
                    legs=[ledger.Leg(ledger.SANDBOX_MINT_ACCOUNT_ID, -total), *legs],
                )
            admin = self._ctx(session, self.admin)
            for exchange_id, operator in self.operators.items():
                await venues_service.bind_operator(
                    admin, exchange_id=exchange_id, participant_id=operator.id
                )
            if rigged.scans:
                await self._open_manipulation(session, world)
            if self.scenario.operation.public_bp:
                await self._open_operation(session, world)
            if self.scenario.consent.subjects:
                await self._open_consent(session, world)

    async def _open_manipulation(self, session: AsyncSession, world: World) -> None:
        """Each wash-trading pair's second member funds the first (资金往来, the mark of common
        control); the market-regulation agency gets a regulator to scan the run with."""
        price = self.scenario.agents.manipulators.wash_price_fen
        for trader in world.wash_traders[1::2]:
            await participants_service.transfer(
                self._ctx(session, trader.key),
                to_participant_id=self.participant_id(trader.partner),
                amount_fen=price,
                memo="关联方往来款 funds between related parties",
            )
        surveyor = await self._register(
            self._ctx(session, None),
            SURVEYOR,
            name="市场监管交易监测员 market-surveillance regulator",
            role=Role.REGULATOR,
        )
        await session.flush()
        await agencies_service.assign_member(
            self._ctx(session, self.admin), agency_id=SURVEYING_AGENCY, participant_id=surveyor.id
        )

    async def _open_rulebooks(self, world: World) -> None:
        async with self.unit() as session:
            for exchange_id, setup in sorted(self.scenario.exchanges.items()):
                changes = {k: v for k, v in setup.model_dump().items() if v is not None}
                operator = self._ctx(session, self.operators[exchange_id])
                if changes:
                    async with setting_up(f"exchanges.{exchange_id}"):
                        await venues_service.change_rulebook(
                            operator,
                            exchange_id=exchange_id,
                            changes=changes,
                            note=f"仿真场景 scenario {self.scenario.name}",
                        )
                for broker in world.brokers:
                    if exchange_id in broker.exchanges:
                        async with setting_up("agents.brokers.exchanges"):
                            await brokerage_service.license_broker(
                                operator,
                                exchange_id=exchange_id,
                                broker_id=self.participant_id(broker.key),
                            )
            await session.flush()
            await self.load_rulebooks(session)
            expires = self.scenario.start + timedelta(
                days=30 + (self.scenario.rounds * self.scenario.round_hours) // 24 + 30
            )
            brokers = {b.key: b for b in world.brokers}
            for buyer in world.buyers:
                if buyer.broker is None:
                    continue
                required = any(
                    buyer.params.role in book.broker_required_for
                    for book in self.rulebooks.values()
                )
                if buyer.params.use_broker == "when_required" and not required:
                    # No exchange of this run asks for a broker: the buyer trades directly.
                    buyer.broker = None
                    continue
                broker = brokers[buyer.broker]
                async with setting_up(
                    "agents.brokers", commission_above_cap="agents.brokers.commission_bp"
                ):
                    mandate = await brokerage_service.grant_mandate(
                        self._ctx(session, buyer.key),
                        broker_id=self.participant_id(broker.key),
                        side=MandateSide.BUYER,
                        exchange_ids=list(broker.exchanges),
                        actions=list(MANDATE_ACTIONS),
                        spending_limit_fen=max(1, buyer.params.budget_fen),
                        commission_bp=broker.commission_bp,
                        expires_at=expires,
                    )
                self.mandates[buyer.key] = mandate.id
                self.mandate_room[buyer.key] = max(1, buyer.params.budget_fen)
                self.mandate_commission[buyer.key] = broker.commission_bp

    async def load_rulebooks(self, session: AsyncSession) -> None:
        """What the agents know of each exchange of the scenario: its rulebook in force."""
        self.rulebooks.clear()
        for view in await venues_service.list_exchanges(self._ctx(session, None)):
            if view.exchange.id not in self.scenario.exchanges:
                continue
            book = view.rulebook
            self.rulebooks[view.exchange.id] = RulebookView(
                exchange_id=view.exchange.id,
                buyer_fee_bp=book.buyer_fee_bp,
                seller_fee_bp=book.seller_fee_bp,
                max_commission_bp=book.max_commission_bp,
                broker_required_for=frozenset(book.broker_required_for),
                trade_modes=frozenset(book.trade_modes),
                min_price_fen=book.min_price_fen,
                max_price_fen=book.max_price_fen,
            )

    async def _open_assets(self, world: World) -> None:
        """Register every product: apply, two approvals, publicity, registration."""
        seed = self.scenario.seed
        if self.scenario.consent.subjects:
            # Too few people consented: the product is not made (see services_consent).
            world.drop_products(self.consent_short)
        owners = [(p.key, p.products) for p in world.providers]
        owners += [(t.key, [t.product]) for t in world.wash_traders]
        derived: dict[str, tuple[str, AssetDraft]] = {}
        async with self.unit() as session:
            for owner, products in owners:
                drafts = [
                    AssetDraft(
                        name=product_name(product),
                        description=f"仿真数据产品 simulated {product.form} ({product.grade})",
                        product_form=ProductForm(product.form),
                        right=DataRight.PRODUCT_OPERATION,
                        scenario="课堂仿真 classroom simulation",
                        grade=DataGrade(product.grade),
                        personal_information=product.personal_information,
                        fingerprint=hashlib.sha256(package_of(product, seed)).hexdigest(),
                        source_legality="仿真数据，来源合法 simulated data, lawful source",
                        **self.lawful_basis_of(product),
                        **self.derivation(product),
                    )
                    for product in products
                ]
                # Products derived from public data are applied for one by one (see
                # services_operation); the rest together, as before.
                pairs = list(zip(products, drafts, strict=True))
                derived.update((p.key, (owner, d)) for p, d in pairs if p.public)
                products = [p for p, _ in pairs if not p.public]
                drafts = [d for p, d in pairs if not p.public]
                if not drafts:
                    continue
                asset_ids = await assets_service.apply_for_registrations(
                    self._ctx(session, owner), drafts=drafts
                )
                for product, asset_id in zip(products, asset_ids, strict=True):
                    self.assets[product.key] = asset_id
            await self._register_derived(session, world, derived)
        asset_ids = [
            self.assets[p.key] for _, products in owners for p in products if p.key in self.assets
        ]
        if not asset_ids:
            return
        async with self.unit() as session:
            for i in (1, 2):
                await assets_review.review_applications(
                    self._ctx(session, f"reviewer-{i}"),
                    asset_ids=asset_ids,
                    decision=ReviewDecision.APPROVE,
                    reason="仿真审查通过 approved in simulation",
                )
        ends = publicity_ends_at(self.clock.now(), 5)
        self.clock.set(ends + timedelta(minutes=1))
        self.trading_start = ends + timedelta(hours=1)
        async with self.unit() as session:
            await assets_review.finalize_registrations(
                self._ctx(session, self.admin), asset_ids=asset_ids
            )

    async def _open_listings(self, world: World) -> None:
        # Exclusive licences are listed afresh each round; a wash pair's, never exclusive, once.
        listed = [] if self.scenario.products.exclusive else list(world.products)
        listed += [t.product for t in world.wash_traders]
        if not listed:
            return
        async with self.unit() as session:
            for product in listed:
                await self._list(
                    session,
                    product,
                    product.price_fen,
                    tier_name=STANDARD_TIER,
                    exclusive=False,
                )

    async def _list(
        self,
        session: AsyncSession,
        product: Product,
        price_fen: int,
        *,
        tier_name: str,
        scope: str = SIMULATED_USE,
        exclusive: bool | None = None,
    ) -> None:
        """List a product (again) at a price; an earlier listing of it is delisted first."""
        old = self.offerings.get(product.key)
        ctx = self._ctx(session, product.provider)
        if old is not None:
            try:
                async with attempt(session):
                    await listings_service.move_listing(
                        ctx,
                        listing_id=old.listing_id,
                        move="delist",
                        exchange_id=None,
                        reason="重新定价 relisted at a new price",
                    )
            except REFUSABLE:
                pass  # already delisted (e.g. nothing left on any venue)
        venues = [ex for ex in product.exchanges if ex in self.rulebooks]
        view = await list_product(
            ctx,
            self.scenario,
            product,
            asset_id=self.assets[product.key],
            price_fen=price_fen,
            tier_name=tier_name,
            scope=scope,
            venues=venues,
            exclusive=exclusive,
        )
        # The services expect what earlier requests wrote to be visible: flush between steps.
        await session.flush()
        for venue in view.venues:
            if venue.status == VenueStatus.PENDING_REVIEW:
                await listings_service.review_listing(
                    self._ctx(session, self.operators[venue.exchange_id]),
                    listing_id=view.listing.id,
                    exchange_id=venue.exchange_id,
                    approve=True,
                    reason="仿真上架审核通过 approved in simulation",
                )
        self.offerings[product.key] = Offering(
            view.listing.id, view.tiers[0].id, price_fen, tuple(venues)
        )
        self.product_of_listing[view.listing.id] = product.key
        self.unit_cost[product.key] = product.unit_cost_fen
        self.restriction[product.key] = product.restriction


async def list_product(
    ctx: Context,
    scenario: Scenario,
    product: Product,
    *,
    asset_id: str,
    price_fen: int,
    tier_name: str,
    scope: str,
    venues: Sequence[str],
    exclusive: bool | None = None,
) -> listings_service.ListingView:
    """List a simulated product at a price as whoever holds it (a bot, or a student in class).

    One licence tier on the scenario's terms (exclusive as the scenario says, unless
    `exclusive` says otherwise), delivering the product's package (whose fingerprint was
    registered).
    """
    return await listings_service.create_listing(
        ctx,
        asset_id=asset_id,
        title=product_name(product),
        description=f"仿真数据产品 simulated {product.form}",
        venues=venues,
        tiers=[
            listings_service.TierSpec(
                name=tier_name,
                scope=scope,
                term_days=scenario.products.term_days,
                price_fen=price_fen,
                exclusive=scenario.products.exclusive if exclusive is None else exclusive,
                policy=policy_of(product, scenario),
            )
        ],
        delivery=listings_service.DeliverySpec(
            kind=DeliveryKind.FILE,
            filename=f"{product.key.replace('/', '-')}.csv",
            media_type="text/csv",
            body=package_of(product, scenario.seed),
        ),
    )
