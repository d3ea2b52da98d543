"""The market of a run played through the platform's own services, on a fresh database.

Every simulated action is the same service call an HTTP request makes (participants, the
asset registry, trading), acting as the agent's participant, so the market obeys the real
rules and leaves a verifiable audit log. Time comes from a ManualClock, identifiers from a
seeded IdFactory and API keys from a seeded stream, so a scenario and a seed give the same
log byte for byte. Each round is one unit of work; each action runs in a savepoint so that a
refused action (a rule of the market said no) leaves nothing behind, audit entry included.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import wiring
from exchange.assets import service as assets_service
from exchange.assets.models import ReviewDecision
from exchange.assets.rules import AssetDraft, publicity_ends_at
from exchange.audit import merkle
from exchange.clock import ManualClock
from exchange.config import Settings
from exchange.context import Context, Principal, Runtime
from exchange.database import make_sessionmaker
from exchange.errors import ExchangeError
from exchange.ids import IdFactory
from exchange.migrate import upgrade
from exchange.participants import ledger
from exchange.participants import service as participants_service
from exchange.security import seeded_api_keys
from exchange.simulation import agents as strategy
from exchange.simulation import repository
from exchange.simulation.inline_sqlite import inline_engine
from exchange.simulation.market import (
    Action,
    Bid,
    Negotiation,
    Purchase,
    RoundOutcome,
    RoundPlan,
    RulebookView,
    order_record,
)
from exchange.simulation.results import CustomsRecord, OrderRecord, TradeRecord
from exchange.simulation.rng import stream, stream_bytes, stream_seed
from exchange.simulation.scenario import Scenario
from exchange.simulation.world import (
    BROKER,
    PROVIDER,
    REGULATOR,
    Product,
    World,
    agent_name,
    product_name,
)
from exchange.trading.auctions import service as auctions_service
from exchange.trading.auctions.models import AuctionRule
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.brokerage.models import MandateAction
from exchange.trading.customs import service as customs_service
from exchange.trading.customs.models import CustomsStatus
from exchange.trading.listings import service as listings_service
from exchange.trading.listings.models import VenueStatus
from exchange.trading.negotiations import service as negotiations_service
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.models import OrderStatus
from exchange.trading.orders.settlement import Placed
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import DataGrade, DataRight, DeliveryKind, ProductForm, Role

AUDIT_PENDING = "audit_pending"  # where exchange.audit.service queues a unit's entries
REGISTRY_KEY_FILE = "registry-ed25519.pem"
SIM_ORIGIN = "simulation.gd-data-exchange.cn/audit"
MANDATE_ACTIONS = (MandateAction.BUY, MandateAction.NEGOTIATE, MandateAction.BID)
REFUSABLE = (ExchangeError, IntegrityError)


class SetupRefused(RuntimeError):
    """The platform's rules refused part of a scenario's set-up (e.g. a commission over a cap).

    `path` names the scenario field the refused step came from (e.g. agents.brokers), and
    `reason` says what the market said; the message is "path: reason". Picklable, so a sweep's
    worker process can hand it back.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[SetupRefused], tuple[str, str]]:
        return (type(self), (self.path, self.reason))


class ReplayRound(Exception):
    """A purchase expected to pass was refused: play the round again, carefully."""


class SettableClock(Protocol):
    """A clock a market moves forward: a ManualClock offline, a class's own clock live."""

    def now(self) -> datetime: ...

    def set(self, when: datetime) -> None: ...


def simulation_settings(db_path: Path, key_dir: Path) -> Settings:
    """Settings that do not depend on the environment (a run must not change with it)."""
    return Settings.model_construct(
        data_dir=db_path.parent,
        database_url=f"sqlite+aiosqlite:///{db_path}",
        sqlite_synchronous="OFF",
        signing_key_dir=key_dir,
        audit_origin=SIM_ORIGIN,
        asset_publicity_working_days=5,
        asset_review_quorum=2,
    )


def write_registry_key(key_dir: Path, seed: int) -> None:
    """A registry signing key derived from the seed, so certificates (and the log) repeat."""
    key_dir.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.from_private_bytes(stream_bytes(seed, "registry-key", 0))
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = key_dir / REGISTRY_KEY_FILE
    path.write_bytes(pem)
    path.chmod(0o600)


def remove_database(path: Path) -> None:
    """Delete a SQLite database file and its WAL companions, if they exist."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def package_of(product: Product, seed: int) -> bytes:
    """The delivery package of a simulated product (its SHA-256 is the registered fingerprint)."""
    return f"simulated data package {product.key} seed {seed}\n".encode()


@asynccontextmanager
async def _setting_up(path: str, **by_slug: str) -> AsyncIterator[None]:
    """A set-up step for the scenario field `path`: a refusal becomes SetupRefused naming it.

    `by_slug` names a closer field for a refusal's slug (underscores for its dashes).
    """
    try:
        yield
    except ExchangeError as exc:
        where = by_slug.get(exc.slug.replace("-", "_"), path)
        raise SetupRefused(
            where, f"the market refused the scenario's set-up ({exc.slug}): {exc.detail}"
        ) from exc


@asynccontextmanager
async def attempt(session: AsyncSession) -> AsyncIterator[None]:
    """Run one action in a savepoint: a refusal rolls back its rows and its audit entries.

    The spine keeps a unit's queued audit entries and pre-commit hooks in `session.info` and
    clears them on every commit or rollback event, which SQLAlchemy also fires for a savepoint.
    So the unit's bookkeeping is set aside while the savepoint ends and put back afterwards;
    on a refusal the entries the refused action queued are dropped with its rows.
    """
    pending = session.info.get(AUDIT_PENDING)
    mark = len(pending) if pending is not None else 0
    savepoint = await session.begin_nested()
    try:
        yield
        await session.flush()
    except REFUSABLE:
        saved = _set_aside(session)
        try:
            await savepoint.rollback()
        finally:
            drafts = saved.get(AUDIT_PENDING)
            if drafts is not None:
                del drafts[mark:]
            _put_back(session, saved)
        raise
    saved = _set_aside(session)
    try:
        await savepoint.commit()
    finally:
        _put_back(session, saved)


def _set_aside(session: AsyncSession) -> dict[str, Any]:
    saved = dict(session.info)
    session.info.clear()
    return saved


def _put_back(session: AsyncSession, saved: dict[str, Any]) -> None:
    session.info.clear()
    session.info.update(saved)


def slug_of(exc: Exception) -> str:
    """The problem slug of a refusal (what the market said no with)."""
    if isinstance(exc, ExchangeError):
        return exc.slug
    return "conflict"


@dataclass
class Offering:
    """A product's current listing: what buyers order against."""

    listing_id: str
    tier_id: str
    price_fen: int
    exchanges: tuple[str, ...]


class ServiceMarket:
    """A market on its own SQLite file, every action through the platform's services."""

    def __init__(
        self,
        scenario: Scenario,
        db_path: Path | None = None,
        *,
        audit_log: Path | None = None,
        runtime: Runtime | None = None,
        clock: SettableClock | None = None,
    ) -> None:
        """Offline: a fresh database at `db_path`. Live class: the class's `runtime` and clock."""
        self.scenario = scenario
        self.db_path = db_path
        self.audit_log = audit_log
        self.clock: SettableClock = clock or ManualClock(scenario.start)
        self.runtime = runtime
        # Offline runs repeat byte for byte, keys included; a live class's keys stay random.
        self.seeded = runtime is None
        self.principals: dict[str, Principal] = {}
        self.accounts: dict[str, str] = {}
        self.key_of: dict[str, str] = {}
        self.offerings: dict[str, Offering] = {}
        self.assets: dict[str, str] = {}
        self.mandates: dict[str, str] = {}
        self.legal_basis: dict[str, str | None] = {}
        self.operators: dict[str, Principal] = {}
        self.regulators: list[Principal] = []
        self.admin: Principal | None = None
        self.rulebooks: dict[str, RulebookView] = {}
        self.trading_start = scenario.start
        self.key_rng = stream(scenario.seed, "api-keys", 0)
        # What the results need beside the service's answers: each winning bid's value, the
        # buyer and value of orders waiting for customs, each listing's product and its cost.
        self.bid_values: dict[str, int] = {}
        self.round_auctions: dict[tuple[str, str], str] = {}
        # Safe estimates of each buyer's money and mandate room, to know which purchases the
        # rules will surely accept (those skip the savepoint).
        self.cash: dict[str, int] = {}
        self.mandate_room: dict[str, int] = {}
        self.buyer_info: dict[str, tuple[str, str]] = {}
        self.replays = 0
        self.pending: dict[str, tuple[str, int]] = {}
        self.product_of_listing: dict[str, str] = {}
        self.unit_cost: dict[str, int] = {}

    # --- plumbing -----------------------------------------------------------------------

    def _runtime(self) -> Runtime:
        assert self.runtime is not None, "the market is not open"
        return self.runtime

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One unit of work on the market's database."""
        if not self.seeded:
            async with self._runtime().unit_of_work() as session:
                yield session
            return
        with seeded_api_keys(self.key_rng):
            async with self._runtime().unit_of_work() as session:
                yield session

    def _ctx(self, session: AsyncSession, agent: str | Principal | None) -> Context:
        principal = self.principals[agent] if isinstance(agent, str) else agent
        return self._runtime().context(session, principal)

    def participant_id(self, agent_key: str) -> str:
        """The participant an agent acts as."""
        return self.principals[agent_key].id

    async def _register(
        self, ctx: Context, key: str, *, name: str, role: Role, jurisdiction: str = "CN"
    ) -> Principal:
        participant, account, _ = await participants_service.register(
            ctx, name=name, role=role, jurisdiction=jurisdiction
        )
        principal = Principal(participant.id, participant.name, role, jurisdiction)
        self.principals[key] = principal
        self.key_of[participant.id] = key
        self.accounts[key] = account.id
        return principal

    # --- opening the market -------------------------------------------------------------

    async def open(self, world: World) -> dict[str, RulebookView]:
        """A fresh migrated database, the participants, registered assets and listings."""
        fresh = self.runtime is None
        if self.runtime is None:
            self.runtime = await self._fresh_runtime()
        try:
            async with _setting_up("agents"):
                await self._open_participants(world)
            await self._open_rulebooks(world)
            async with _setting_up("products"):
                await self._open_assets(world)
            self.clock.set(self.trading_start)
            async with _setting_up("agents.providers"):
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
        await upgrade(engine)
        wiring.install()
        return Runtime(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            clock=self.clock,
            ids=IdFactory(stream_seed(seed, "ids", 0)),
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
            await session.flush()
            # Every starting balance in one sandbox deposit journal (沙盒注资).
            funding = [(buyer.key, buyer.params.budget_fen) for buyer in world.buyers] + [
                (provider.key, provider.balance_fen) for provider in world.providers
            ]
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

    async def _open_rulebooks(self, world: World) -> None:
        async with self.unit() as session:
            for exchange_id, setup in sorted(self.scenario.exchanges.items()):
                changes = {k: v for k, v in setup.model_dump().items() if v is not None}
                operator = self._ctx(session, self.operators[exchange_id])
                if changes:
                    async with _setting_up(f"exchanges.{exchange_id}"):
                        await venues_service.change_rulebook(
                            operator,
                            exchange_id=exchange_id,
                            changes=changes,
                            note=f"仿真场景 scenario {self.scenario.name}",
                        )
                for broker in world.brokers:
                    if exchange_id in broker.exchanges:
                        async with _setting_up("agents.brokers.exchanges"):
                            await brokerage_service.license_broker(
                                operator,
                                exchange_id=exchange_id,
                                broker_id=self.participant_id(broker.key),
                            )
            await session.flush()
            ctx = self._ctx(session, None)
            for view in await venues_service.list_exchanges(ctx):
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
                async with _setting_up(
                    "agents.brokers", commission_above_cap="agents.brokers.commission_bp"
                ):
                    mandate = await brokerage_service.grant_mandate(
                        self._ctx(session, buyer.key),
                        broker_id=self.participant_id(broker.key),
                        exchange_ids=list(broker.exchanges),
                        actions=list(MANDATE_ACTIONS),
                        spending_limit_fen=max(1, buyer.params.budget_fen),
                        commission_bp=broker.commission_bp,
                        expires_at=expires,
                    )
                self.mandates[buyer.key] = mandate.id
                self.mandate_room[buyer.key] = max(1, buyer.params.budget_fen)

    async def _open_assets(self, world: World) -> None:
        """Register every product: apply, two approvals, publicity, registration."""
        seed = self.scenario.seed
        async with self.unit() as session:
            for provider in world.providers:
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
                        personal_information_basis=(
                            "仿真授权 simulated consent" if product.personal_information else None
                        ),
                    )
                    for product in provider.products
                ]
                if not drafts:
                    continue
                asset_ids = await assets_service.apply_for_registrations(
                    self._ctx(session, provider.key), drafts=drafts
                )
                for product, asset_id in zip(provider.products, asset_ids, strict=True):
                    self.assets[product.key] = asset_id
        asset_ids = [self.assets[p.key] for p in world.products]
        if not asset_ids:
            return
        async with self.unit() as session:
            for i in (1, 2):
                await assets_service.review_applications(
                    self._ctx(session, f"reviewer-{i}"),
                    asset_ids=asset_ids,
                    decision=ReviewDecision.APPROVE,
                    reason="仿真审查通过 approved in simulation",
                )
        ends = publicity_ends_at(self.clock.now(), 5)
        self.clock.set(ends + timedelta(minutes=1))
        self.trading_start = ends + timedelta(hours=1)
        async with self.unit() as session:
            await assets_service.finalize_registrations(
                self._ctx(session, self.admin), asset_ids=asset_ids
            )

    async def _open_listings(self, world: World) -> None:
        if self.scenario.products.exclusive:
            return  # exclusive licences are listed afresh each round
        async with self.unit() as session:
            for product in world.products:
                await self._list(session, product, product.price_fen, tier_name="标准许可 standard")

    async def _list(
        self, session: AsyncSession, product: Product, price_fen: int, *, tier_name: str
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
        body = package_of(product, self.scenario.seed)
        view = await listings_service.create_listing(
            ctx,
            asset_id=self.assets[product.key],
            title=product_name(product),
            description=f"仿真数据产品 simulated {product.form}",
            venues=venues,
            tiers=[
                listings_service.TierSpec(
                    name=tier_name,
                    scope="仿真用途 simulated use",
                    term_days=self.scenario.products.term_days,
                    price_fen=price_fen,
                    exclusive=self.scenario.products.exclusive,
                )
            ],
            delivery=listings_service.DeliverySpec(
                kind=DeliveryKind.FILE,
                filename=f"{product.key.replace('/', '-')}.csv",
                media_type="text/csv",
                body=body,
            ),
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

    # --- rounds -------------------------------------------------------------------------

    def round_start(self, round_no: int) -> datetime:
        """When a round opens in simulated time."""
        return self.trading_start + timedelta(hours=(round_no - 1) * self.scenario.round_hours)

    async def play_round(self, plan: RoundPlan, world: World) -> RoundOutcome:
        """One unit of work: prices, auctions, every action, closes and customs decisions."""
        outcome = RoundOutcome()
        start = self.round_start(plan.round)
        self.clock.set(start)
        closes_at = start + timedelta(hours=self.scenario.round_hours) - timedelta(minutes=1)
        saved = self._snapshot(world)
        try:
            async with self.unit() as session:
                await self.begin_round(
                    session, plan, world, outcome, closes_at=closes_at, careful=False
                )
                self.clock.set(closes_at)
                await self.end_round(session, plan.round, outcome)
            return outcome
        except ReplayRound:
            pass
        # A purchase thought sure was refused: nothing of the round was kept; play it again
        # with every action in its own savepoint (the same plan, so the same result each run).
        self.replays += 1
        self._restore(saved)
        outcome = RoundOutcome()
        self.clock.set(start)
        async with self.unit() as session:
            await self.begin_round(session, plan, world, outcome, closes_at=closes_at, careful=True)
            self.clock.set(closes_at)
            await self.end_round(session, plan.round, outcome)
        return outcome

    async def begin_round(
        self,
        session: AsyncSession,
        plan: RoundPlan,
        world: World,
        outcome: RoundOutcome,
        *,
        closes_at: datetime,
        careful: bool = True,
    ) -> None:
        """Prices and listings, auctions opened until `closes_at`, then the agents' actions.

        With `careful` off, purchases the rules will surely accept skip their savepoint; if
        one is refused all the same, ReplayRound asks for the round to be played again.
        """
        repriced = {p.key: price for p, price in plan.reprices}
        for product, price in plan.reprices:
            product.price_fen = price
        for product in world.products:
            if self.scenario.products.exclusive:
                tier = f"独占许可 round {plan.round}"
            elif product.key in repriced:
                tier = "标准许可 standard"
            else:
                continue
            try:
                async with attempt(session):
                    await self._list(session, product, product.price_fen, tier_name=tier)
            except REFUSABLE:
                # The exchanges refused the new price (e.g. outside their limits): it stays.
                kept = self.offerings.get(product.key)
                if kept is not None:
                    product.price_fen = kept.price_fen
        self.round_auctions = {}
        for opening in plan.auctions:
            offering = self.offerings[opening.product.key]
            book = self.rulebooks[opening.exchange_id]
            reserve = min(max(opening.reserve_fen, book.min_price_fen), book.max_price_fen)
            try:
                async with attempt(session):
                    view = await auctions_service.open_auction(
                        self._ctx(session, opening.product.provider),
                        listing_id=offering.listing_id,
                        tier_id=offering.tier_id,
                        exchange_id=opening.exchange_id,
                        rule=AuctionRule(opening.rule),
                        reserve_fen=reserve,
                        closes_at=closes_at,
                    )
            except REFUSABLE:
                continue
            self.round_auctions[(opening.product.key, opening.exchange_id)] = view.auction.id
        for action in plan.actions:
            if isinstance(action, Purchase):
                for attempted in (action, *action.fallbacks):
                    if await self._play(session, plan.round, attempted, outcome, careful=careful):
                        break
            else:
                await self._play(session, plan.round, action, outcome, careful=careful)

    async def end_round(self, session: AsyncSession, round_no: int, outcome: RoundOutcome) -> None:
        """Close the round's auctions (the clock is past their deadline) and decide customs."""
        for (product_key, _), auction_id in sorted(self.round_auctions.items()):
            provider = product_key.split("/", 1)[0]
            try:
                async with attempt(session):
                    closed = await auctions_service.close(
                        self._ctx(session, provider), auction_id=auction_id
                    )
            except REFUSABLE:
                continue  # closed already (e.g. by a student in a live class)
            for bid in closed.bids:
                if closed.placed is None or bid.id != closed.auction.winning_bid_id:
                    outcome.orders.append(
                        OrderRecord(
                            round_no,
                            self.key_of[bid.bidder_id],
                            closed.auction.exchange_id,
                            "auction",
                            bid.amount_fen,
                            "lost",
                            broker=self.key_of.get(bid.broker_id or ""),
                        )
                    )
            if closed.placed is not None:
                winner = next(b for b in closed.bids if b.id == closed.auction.winning_bid_id)
                self._record(
                    round_no, closed.placed, outcome, value=self.bid_values.get(winner.id, 0)
                )
        self.round_auctions = {}
        await self._decide_customs(session, round_no, outcome)

    async def _play(
        self,
        session: AsyncSession,
        round_no: int,
        action: Action,
        outcome: RoundOutcome,
        *,
        careful: bool,
    ) -> bool:
        """Play one action; False if an exclusive licence was gone (the buyer may try another)."""
        offering = self.offerings.get(action.product.key)
        if offering is None:
            outcome.orders.append(order_record(round_no, action, "refused", "listing-not-found"))
            return True
        mandate = self.mandates.get(action.buyer) if action.broker is not None else None
        ctx = self._ctx(session, action.broker if action.broker is not None else action.buyer)
        basis = self.legal_basis.get(action.buyer)
        if isinstance(action, Purchase) and not careful and self._sure(action, offering):
            # The rules will accept it: no savepoint, no flush; the round's rows go in bulk.
            try:
                placed = await self._purchase(ctx, action, offering, mandate, basis)
            except REFUSABLE as exc:
                raise ReplayRound(slug_of(exc)) from exc
            self._record(round_no, placed, outcome, value=action.value_fen)
            return True
        try:
            async with attempt(session):
                if isinstance(action, Purchase):
                    placed = await self._purchase(ctx, action, offering, mandate, basis)
                elif isinstance(action, Negotiation):
                    negotiated = await self._negotiate(
                        session, ctx, action, offering, mandate, basis
                    )
                    if negotiated is None:
                        outcome.orders.append(order_record(round_no, action, "no_deal"))
                        return True
                    placed = negotiated
                else:
                    await self._bid(ctx, round_no, action, mandate, basis, outcome)
                    return True
        except REFUSABLE as exc:
            outcome.orders.append(order_record(round_no, action, "refused", slug_of(exc)))
            return slug_of(exc) != "licence-unavailable"
        self._record(round_no, placed, outcome, value=action.value_fen)
        return True

    async def _purchase(
        self,
        ctx: Context,
        action: Purchase,
        offering: Offering,
        mandate: str | None,
        basis: str | None,
    ) -> Placed:
        return await orders_service.place_order(
            ctx,
            listing_id=offering.listing_id,
            tier_id=offering.tier_id,
            exchange_id=action.exchange_id,
            mandate_id=mandate,
            legal_basis=basis,
        )

    async def _bid(
        self,
        ctx: Context,
        round_no: int,
        action: Bid,
        mandate: str | None,
        basis: str | None,
        outcome: RoundOutcome,
    ) -> None:
        auction_id = self.round_auctions.get((action.product.key, action.exchange_id))
        if auction_id is None:
            outcome.orders.append(order_record(round_no, action, "refused", "auction-not-open"))
            return
        bid = await auctions_service.place_bid(
            ctx,
            auction_id=auction_id,
            amount_fen=action.amount_fen,
            mandate_id=mandate,
            legal_basis=basis,
        )
        self.bid_values[bid.id] = action.value_fen
        self._spend(action.buyer, action.broker, bid.escrow_fen)
        outcome.orders.append(order_record(round_no, action, "bid"))

    async def _negotiate(
        self,
        session: AsyncSession,
        ctx: Context,
        action: Negotiation,
        offering: Offering,
        mandate: str | None,
        basis: str | None,
    ) -> Placed | None:
        """Request → offer ↔ counter → accept → agree → settle, or terminate (协议交易)."""
        provider = self._ctx(session, action.product.provider)
        book = self.rulebooks[action.exchange_id]

        def clamp(price: int) -> int:
            return min(max(price, book.min_price_fen), book.max_price_fen)

        offer = clamp(action.offer_fen)
        view = await negotiations_service.request(
            ctx,
            listing_id=offering.listing_id,
            tier_id=offering.tier_id,
            exchange_id=action.exchange_id,
            price_fen=offer,
            message="仿真询价 simulated request",
            mandate_id=mandate,
        )
        negotiation_id = view.negotiation.id
        for step in range(3):
            answer = strategy.respond_to_offer(
                ask_fen=action.ask_fen, floor_fen=action.floor_fen, offer_fen=offer
            )
            if answer.accept:
                break
            counter = clamp(answer.price_fen)
            await negotiations_service.step(
                provider,
                negotiation_id=negotiation_id,
                step="offer",
                price_fen=counter,
                message="仿真报价 simulated offer",
            )
            if strategy.accepts_counter(counter_fen=counter, limit_fen=action.limit_fen):
                await negotiations_service.step(
                    ctx,
                    negotiation_id=negotiation_id,
                    step="accept",
                    price_fen=None,
                    message="接受 accepted",
                )
                break
            offer = clamp(min(action.limit_fen, (offer + counter) // 2))
            if step == 2 or offer <= 0:
                await negotiations_service.step(
                    ctx,
                    negotiation_id=negotiation_id,
                    step="terminate",
                    price_fen=None,
                    message="价格未达成 no agreement on price",
                )
                return None
            await negotiations_service.step(
                ctx,
                negotiation_id=negotiation_id,
                step="request",
                price_fen=offer,
                message="仿真还价 simulated counter-request",
            )
        await negotiations_service.step(
            provider,
            negotiation_id=negotiation_id,
            step="agree",
            price_fen=None,
            message="同意 agreed",
        )
        return await negotiations_service.settle(
            ctx, negotiation_id=negotiation_id, legal_basis=basis
        )

    def _spend(self, buyer: str, broker: str | None, amount_fen: int) -> None:
        """Count money a buyer committed (refunds are never counted back: a safe estimate)."""
        self.cash[buyer] = self.cash.get(buyer, 0) - amount_fen
        if broker is not None:
            self.mandate_room[buyer] = self.mandate_room.get(buyer, 0) - amount_fen

    def _sure(self, action: Purchase, offering: Offering) -> bool:
        """Whether the rules will surely accept a posted-price purchase (else: a savepoint)."""
        book = self.rulebooks.get(action.exchange_id)
        role, jurisdiction = self.buyer_info.get(action.buyer, ("", ""))
        if book is None or self.scenario.products.exclusive or jurisdiction != "CN":
            return False
        if action.exchange_id not in offering.exchanges:
            return False
        if not book.min_price_fen <= offering.price_fen <= book.max_price_fen:
            return False
        total = strategy.with_fee(offering.price_fen, book.buyer_fee_bp)
        if self.cash.get(action.buyer, 0) < total:
            return False
        if action.broker is None:
            return role not in book.broker_required_for
        return self.mandate_room.get(action.buyer, 0) >= total

    def _snapshot(self, world: World) -> dict[str, Any]:
        """What a round changes in memory, to put back if the round is played again."""
        return {
            "offerings": dict(self.offerings),
            "product_of_listing": dict(self.product_of_listing),
            "unit_cost": dict(self.unit_cost),
            "cash": dict(self.cash),
            "mandate_room": dict(self.mandate_room),
            "pending": dict(self.pending),
            "bid_values": dict(self.bid_values),
            "prices": [(p, p.price_fen) for p in world.products],
        }

    def _restore(self, saved: dict[str, Any]) -> None:
        self.offerings = saved["offerings"]
        self.product_of_listing = saved["product_of_listing"]
        self.unit_cost = saved["unit_cost"]
        self.cash = saved["cash"]
        self.mandate_room = saved["mandate_room"]
        self.pending = saved["pending"]
        self.bid_values = saved["bid_values"]
        for product, price in saved["prices"]:
            product.price_fen = price
        self.round_auctions = {}

    def _record(self, round_no: int, placed: Placed, outcome: RoundOutcome, *, value: int) -> None:
        order = placed.order
        buyer = self.key_of[order.buyer_id]
        broker = self.key_of.get(order.broker_id) if order.broker_id else None
        case = placed.customs_case
        if case is not None:
            outcome.customs.append(
                CustomsRecord(
                    round_no,
                    order.exchange_id,
                    buyer,
                    case.grade,
                    case.personal_information,
                    case.legal_basis,
                    str(case.decision) if case.decision is not None else "pending",
                )
            )
        status = OrderStatus(order.status)
        if status is OrderStatus.AWAITING_CUSTOMS:
            self.pending[order.id] = (buyer, value)
        if status in (OrderStatus.AWAITING_CUSTOMS, OrderStatus.SETTLED) and not order.auction_id:
            self._spend(buyer, broker, order.price_fen + order.buyer_fee_fen)
        outcome.orders.append(
            OrderRecord(
                round_no,
                buyer,
                order.exchange_id,
                str(order.mode),
                order.price_fen,
                str(status),
                order.reason[:80] if status is OrderStatus.REFUSED else "",
                broker,
            )
        )
        if placed.trade is not None:
            self._trade(round_no, placed, outcome, value)

    def _trade(self, round_no: int, placed: Placed, outcome: RoundOutcome, value: int) -> None:
        trade = placed.trade
        assert trade is not None
        product_key = self.product_of_listing.get(trade.listing_id, "")
        outcome.trades.append(
            TradeRecord(
                round=round_no,
                trade_id=trade.id,
                exchange_id=trade.exchange_id,
                mode=str(trade.mode),
                product=product_key,
                form=trade.product_form,
                grade=trade.grade,
                cross_border=trade.cross_border,
                buyer=self.key_of.get(trade.buyer_id, trade.buyer_id),
                seller=self.key_of.get(trade.seller_id, trade.seller_id),
                broker=self.key_of.get(trade.broker_id) if trade.broker_id else None,
                price_fen=trade.price_fen,
                buyer_fee_fen=trade.buyer_fee_fen,
                seller_fee_fen=trade.seller_fee_fen,
                commission_fen=trade.commission_fen,
                value_fen=value,
                unit_cost_fen=self.unit_cost.get(product_key, 0),
            )
        )

    async def _decide_customs(
        self, session: AsyncSession, round_no: int, outcome: RoundOutcome
    ) -> None:
        """Regulators decide every open customs case by policy, taking them in turn.

        Every case, not only the bots' orders: in a live class students' cross-border orders
        wait for the same regulator bots (the regulator seat is never a student's).
        """
        if not self.regulators:
            return
        policy = self.scenario.agents.regulators.customs_policy
        ctx = self._ctx(session, self.regulators[0])
        cases, _ = await customs_service.list_customs_cases(
            ctx,
            status=CustomsStatus.PENDING,
            jurisdiction=None,
            exchange_id=None,
            limit=10_000,
            offset=0,
        )
        for i, case in enumerate(cases):
            regulator = self.regulators[i % len(self.regulators)]
            ruling = strategy.customs_ruling(
                policy,
                grade=case.grade,
                personal_information=case.personal_information,
                legal_basis=case.legal_basis,
            )
            placed = await customs_service.decide_customs_case(
                self._ctx(session, regulator),
                case_id=case.id,
                approve=ruling.approve,
                reason=ruling.reason,
            )
            buyer, value = self.pending.pop(
                case.order_id, (self.key_of.get(case.buyer_id, case.buyer_id), 0)
            )
            outcome.customs.append(
                CustomsRecord(
                    round_no,
                    case.exchange_id,
                    buyer,
                    case.grade,
                    case.personal_information,
                    case.legal_basis,
                    "approved" if ruling.approve else "rejected",
                )
            )
            outcome.orders.append(
                OrderRecord(
                    round_no,
                    buyer,
                    case.exchange_id,
                    str(placed.order.mode),
                    placed.order.price_fen,
                    str(OrderStatus(placed.order.status)),
                    "customs" if not ruling.approve else "",
                    self.key_of.get(placed.order.broker_id) if placed.order.broker_id else None,
                )
            )
            if placed.trade is not None:
                self._trade(round_no, placed, outcome, value)

    # --- closing ------------------------------------------------------------------------

    async def finish(self) -> tuple[str, int]:
        """The audit log's Merkle root and size; the log itself written out as JSON lines."""
        runtime = self._runtime()
        try:
            async with runtime.sessionmaker() as session:
                size, frontier = await repository.audit_head(session)
                root = merkle.frontier_root(merkle.decode_frontier(frontier, size))
                if self.audit_log is not None:
                    await repository.write_leaves(session, self.audit_log)
        finally:
            await runtime.engine.dispose()
        return root.hex(), size
