"""Loading the province into one database through the services (issue 17 item 7).

Every stage goes through the same services and units of work as the API, the command line
and the simulation, in large batches (many registrations, listings or trades per unit of
work), so every row is market state with its audit entries and the log verifies afterwards:

- the catalog: the province generator's departments and items (`exchange catalog generate`);
- the staff: an admin, Guangzhou's operator, two compliance reviewers, a regulator;
- the certificates: the 2022 pilot's apply → review ×2 → publicity → register path;
- the market: data merchants (数商) with registered products listed on Guangzhou, Shenzhen
  or both, and funded buyers;
- a year of trades: posted-price orders settled at once, until each exchange's turnover of
  the year is reached, at prices drawn from a log-normal distribution.

Time runs on a manual clock that ends the year at the real present, so the served market
(on the real-time market clock) finds nothing dated in its future.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from exchange import wiring
from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as assets_review
from exchange.assets.review.rules import ReviewDecision, publicity_ends_at
from exchange.clock import ManualClock
from exchange.config import Settings
from exchange.context import Context, Principal, Runtime
from exchange.markettime import duework
from exchange.migrate import upgrade
from exchange.participants import ledger
from exchange.participants import service as participants_service
from exchange.seed.pilot import run_pilot
from exchange.seed.province import loader as province_loader
from exchange.trading.listings import service as listings_service
from exchange.trading.orders import service as orders_service
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import (
    DataGrade,
    DataRight,
    DeliveryKind,
    ProductForm,
    Role,
    VenueStatus,
)

wiring.install()
T = TypeVar("T")

# The seeds' figures (the shared seeds: the 2023 provincial work report): 4,055 departments
# publish 121,600 data classes on the province's sharing platform; the pilot issued 28,000
# data-asset certificates; Guangzhou's and Shenzhen's exchanges traded 0.51 and 1.2 bn yuan.
DEPARTMENTS = 4055
ITEMS = 121_600
CERTIFICATES = 28_000
TURNOVER_FEN = {"gzde": 51_000_000_000, "szdex": 120_000_000_000}
CATALOG_SEED = 2022

FORMS = (
    ProductForm.DATASET,
    ProductForm.API,
    ProductForm.INDICATOR,
    ProductForm.REPORT,
    ProductForm.MODEL,
    ProductForm.APPLICATION,
)
SECTORS = (
    "金融风控",
    "交通出行",
    "医疗健康",
    "企业征信",
    "社保就业",
    "商贸消费",
    "能源气象",
    "城市治理",
)
SCOPE = "企业内部使用 internal use"
TIER = "标准许可 standard licence"


@dataclass(frozen=True, slots=True)
class Plan:
    """What to load; `scale` shrinks every count and turnover (not the prices)."""

    scale: float = 1.0
    sellers: int = 400  # data merchants (数商) with products on the exchanges
    products_per_seller: int = 4
    buyers: int = 2000
    bench_buyers: int = 64  # funded beyond their year's spending, for the purchases under load
    median_price_yuan: float = 30_000.0  # log-normal prices: median and sigma of ln(price)
    sigma: float = 1.2
    min_price_yuan: int = 1_000
    max_price_yuan: int = 5_000_000
    trades_per_unit: int = 250
    batch: int = 500
    seed: int = 2022

    def n(self, full: int, least: int = 1) -> int:
        return max(least, round(full * self.scale))

    @property
    def mean_price_yuan(self) -> float:
        return self.median_price_yuan * math.exp(self.sigma**2 / 2)


@dataclass
class Stage:
    name: str
    seconds: float
    note: str = ""


@dataclass
class Loaded:
    """What the load wrote and how long each stage took, with what the measurements need."""

    stages: list[Stage] = field(default_factory=list)
    admin_key: str = ""
    regulator_key: str = ""
    buyer_keys: list[str] = field(default_factory=list)  # the bench buyers' keys
    offers: list[tuple[str, str, str]] = field(default_factory=list)  # listing, tier, exchange
    trades: dict[str, int] = field(default_factory=dict)
    turnover_fen: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, note: Callable[[], str] = lambda: "") -> Iterator[None]:
        print(f"  loading: {name} ...", flush=True)
        started = time.perf_counter()
        yield
        done = Stage(name, time.perf_counter() - started, note())
        self.stages.append(done)
        print(f"  loaded:  {name}: {done.seconds:,.1f} s  {done.note}", flush=True)


@dataclass
class _Product:
    seller: int
    index: int
    price_fen: int
    venues: tuple[str, ...]
    asset_id: str = ""
    listing_id: str = ""
    tier_id: str = ""


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sector(product: _Product) -> str:
    return SECTORS[(product.seller + product.index) % len(SECTORS)]


def _package(product: _Product) -> bytes:
    return (
        f"region,indicator,value\n广东,{SECTORS[product.index % len(SECTORS)]},"
        f"{product.seller}.{product.index}\n"
    ).encode()


def draw_prices(plan: Plan, count: int, rng: random.Random) -> list[int]:
    """Posted prices in fen: log-normal around the median, within the plan's bounds."""
    mu = math.log(plan.median_price_yuan)
    prices = []
    for _ in range(count):
        yuan = min(
            plan.max_price_yuan, max(plan.min_price_yuan, rng.lognormvariate(mu, plan.sigma))
        )
        prices.append(int(round(yuan, -2)) * 100)  # posted prices in whole hundreds of yuan
    return prices


def plan_trades(
    plan: Plan, products: list[_Product], buyers: int, start: datetime, rng: random.Random
) -> list[tuple[datetime, int, _Product, str]]:
    """The year's trades (time, buyer, product, exchange) until each exchange's turnover.

    A product's sales follow its popularity (a Zipf-like weight by a random rank), so a few
    products sell often and most seldom, as on the real exchanges.
    """
    trades: list[tuple[datetime, int, _Product, str]] = []
    year = timedelta(days=365).total_seconds()
    for exchange_id, turnover in TURNOVER_FEN.items():
        goal = turnover * plan.scale
        listed = [p for p in products if exchange_id in p.venues]
        ranks = list(range(1, len(listed) + 1))
        rng.shuffle(ranks)
        weights = [1 / r**0.8 for r in ranks]
        total = 0
        while total < goal:
            product = rng.choices(listed, weights)[0]
            when = start + timedelta(seconds=rng.random() * year)
            trades.append((when, rng.randrange(buyers), product, exchange_id))
            total += product.price_fen
    trades.sort(key=lambda t: t[0])
    return trades


async def load(database_url: str, data_dir: Path, plan: Plan) -> Loaded:
    """Migrate a fresh database and load the province into it, stage by stage."""
    loaded = Loaded()
    rng = random.Random(plan.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    year_start = now - timedelta(days=365)
    clock = ManualClock(year_start - timedelta(days=30))
    settings = Settings(database_url=database_url, data_dir=data_dir)
    runtime = Runtime.from_settings(settings, clock=clock)
    try:
        with loaded.stage("schema (migrations)"):
            await upgrade(runtime.engine)
        with loaded.stage("staff: admin, Guangzhou's operator, two reviewers, a regulator"):
            staff, keys = await _staff(runtime)
        loaded.admin_key, loaded.regulator_key = keys["admin"], keys["regulator"]
        await _load_catalog(runtime, plan, loaded)
        count = plan.n(CERTIFICATES)
        with loaded.stage(
            f"certificates: {count:,} (pilot: apply, review x2, publicity, register, verify)"
        ):
            report = await run_pilot(runtime, count=count, batch_size=plan.batch)
        loaded.stages[-1].note = f"{report.verified:,} verified; " + ", ".join(
            f"{k} {v:,.1f} s" for k, v in report.seconds.items()
        )
        products, buyer_ids, bench_keys = await _open_market(
            runtime, clock, plan, staff, rng, loaded
        )
        loaded.buyer_keys = bench_keys
        loaded.offers = [(p.listing_id, p.tier_id, venue) for p in products for venue in p.venues]
        await _trade_year(runtime, clock, plan, products, buyer_ids, year_start, rng, loaded)
        clock.set(datetime.now(UTC))
        with loaded.stage("due work caught up to the present"):
            due = await duework.run(runtime)
        loaded.stages[
            -1
        ].note = f"{due.done:,} effects ({len(due.licences_expired):,} licences expired)"
    finally:
        await runtime.engine.dispose()
    return loaded


STAFF = (
    ("admin", "省级平台管理员 Platform admin", Role.ADMIN),
    ("operator", "广州数据交易所运营方 Guangzhou Data Exchange operator", Role.EXCHANGE_OPERATOR),
    (
        "reviewer1",
        "数据资产登记合规委员会委员（甲）Compliance reviewer A",
        Role.COMPLIANCE_REVIEWER,
    ),
    (
        "reviewer2",
        "数据资产登记合规委员会委员（乙）Compliance reviewer B",
        Role.COMPLIANCE_REVIEWER,
    ),
    ("regulator", "广东省数据流通监管 Data-circulation regulator", Role.REGULATOR),
)


async def _staff(runtime: Runtime) -> tuple[dict[str, Principal], dict[str, str]]:
    """The market's staff (the demo market's own catalog would clash with the province's
    departments, so the staff are registered here); Guangzhou's operator bound to it."""
    staff: dict[str, Principal] = {}
    keys: dict[str, str] = {}
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session)
        for handle, name, role in STAFF:
            participant, _, key = await participants_service.register(
                ctx, name=name, role=role, jurisdiction="CN"
            )
            staff[handle] = Principal(participant.id, name, role, "CN")
            keys[handle] = key.secret
        await session.flush()
        await venues_service.bind_operator(
            runtime.context(session, staff["admin"]),
            exchange_id="gzde",
            participant_id=staff["operator"].id,
        )
    return staff, keys


async def _load_catalog(runtime: Runtime, plan: Plan, loaded: Loaded) -> None:
    departments, items = plan.n(DEPARTMENTS, 22), plan.n(ITEMS, 100)
    with loaded.stage(f"catalog: {departments:,} departments, {items:,} items"):
        report = await province_loader.generate(
            runtime, departments=departments, items=items, seed=CATALOG_SEED
        )
    loaded.stages[-1].note = f"{report.items:,} items, {report.departments:,} departments"


async def _open_market(
    runtime: Runtime,
    clock: ManualClock,
    plan: Plan,
    staff: dict[str, Principal],
    rng: random.Random,
    loaded: Loaded,
) -> tuple[list[_Product], list[Principal], list[str]]:
    """Sellers and buyers registered; products registered and listed; buyers funded later."""
    sellers_n, buyers_n = plan.n(plan.sellers, 4), plan.n(plan.buyers, plan.bench_buyers)
    sellers: list[Principal] = []
    buyers: list[Principal] = []
    bench_keys: list[str] = []
    with loaded.stage(f"market: {sellers_n:,} data merchants and {buyers_n:,} buyers registered"):
        specs = [("seller", i) for i in range(sellers_n)] + [("buyer", i) for i in range(buyers_n)]
        for chunk in _chunks(specs, plan.batch):
            async with runtime.unit_of_work() as session:
                ctx = runtime.context(session)
                for kind, i in chunk:
                    name = (
                        f"粤数商{i + 1:04d}号数据科技有限公司 Data merchant no. {i + 1}"
                        if kind == "seller"
                        else f"粤采{i + 1:05d}号企业 Data buyer no. {i + 1}"
                    )
                    participant, _, key = await participants_service.register(
                        ctx, name=name, role=Role.ENTERPRISE, jurisdiction="CN"
                    )
                    who = Principal(participant.id, name, Role.ENTERPRISE, "CN")
                    (sellers if kind == "seller" else buyers).append(who)
                    if kind == "buyer" and i < plan.bench_buyers:
                        bench_keys.append(key.secret)
    products: list[_Product] = []
    prices = draw_prices(plan, sellers_n * plan.products_per_seller, rng)
    for s in range(sellers_n):
        for k in range(plan.products_per_seller):
            # Shenzhen lists on a certificate alone and trades more: 40% there only,
            # 35% on Guangzhou only, 25% on both.
            draw = rng.random()
            venues = ("szdex",) if draw < 0.4 else ("gzde",) if draw < 0.75 else ("gzde", "szdex")
            products.append(_Product(s, k, prices[len(products)], venues))
    with loaded.stage(
        f"market: {len(products):,} products registered (apply, review x2, publicity, register)"
    ):
        await _register_products(runtime, clock, plan, sellers, products, staff)
    with loaded.stage(f"market: {len(products):,} listings (Guangzhou's reviewed by its operator)"):
        await _list_products(runtime, plan, sellers, products, staff["operator"])
    return products, buyers, bench_keys


async def _register_products(
    runtime: Runtime,
    clock: ManualClock,
    plan: Plan,
    sellers: list[Principal],
    products: list[_Product],
    staff: dict[str, Principal],
) -> None:
    per_unit = max(1, plan.batch // plan.products_per_seller)
    for chunk in _chunks(range(len(sellers)), per_unit):
        async with runtime.unit_of_work() as session:
            for s in chunk:
                own = [
                    p for p in products[s * plan.products_per_seller :][: plan.products_per_seller]
                ]
                drafts = [
                    AssetDraft(
                        name=f"{_sector(p)}数据产品 {s + 1}-{p.index + 1}",
                        description=f"数商{s + 1}的{_sector(p)}数据产品",
                        product_form=FORMS[(s + p.index) % len(FORMS)],
                        right=DataRight.PRODUCT_OPERATION,
                        scenario=_sector(p),
                        grade=DataGrade.GENERAL,
                        personal_information=False,
                        fingerprint=hashlib.sha256(_package(p)).hexdigest(),
                        source_legality="企业自有经营数据，来源合法 the merchant's own lawful data",
                    )
                    for p in own
                ]
                ids = await assets_service.apply_for_registrations(
                    runtime.context(session, sellers[s]), drafts=drafts
                )
                for product, asset_id in zip(own, ids, strict=True):
                    product.asset_id = asset_id
    approved_at = clock.now()
    for reviewer in (staff["reviewer1"], staff["reviewer2"]):
        for batch in _chunks([p.asset_id for p in products], plan.batch):
            async with runtime.unit_of_work() as session:
                await assets_review.review_applications(
                    runtime.context(session, reviewer),
                    asset_ids=batch,
                    decision=ReviewDecision.APPROVE,
                    reason="材料齐全，来源合法 complete and lawful",
                )
    clock.set(
        publicity_ends_at(approved_at, runtime.settings.asset_publicity_working_days)
        + timedelta(minutes=1)
    )
    for batch in _chunks([p.asset_id for p in products], plan.batch):
        async with runtime.unit_of_work() as session:
            await assets_review.finalize_registrations(
                runtime.context(session, staff["admin"]),
                asset_ids=batch,
            )


async def _list_products(
    runtime: Runtime,
    plan: Plan,
    sellers: list[Principal],
    products: list[_Product],
    operator: Principal,
) -> None:
    for chunk in _chunks(products, plan.batch // 2):
        async with runtime.unit_of_work() as session:
            for p in chunk:
                view = await listings_service.create_listing(
                    runtime.context(session, sellers[p.seller]),
                    asset_id=p.asset_id,
                    title=f"{SECTORS[(p.seller + p.index) % len(SECTORS)]}数据产品 "
                    f"{p.seller + 1}-{p.index + 1}",
                    description="数商挂牌数据产品 a data merchant's listed product",
                    venues=list(p.venues),
                    tiers=[
                        listings_service.TierSpec(
                            name=TIER,
                            scope=SCOPE,
                            term_days=365,
                            price_fen=p.price_fen,
                            exclusive=False,
                        )
                    ],
                    delivery=listings_service.DeliverySpec(
                        DeliveryKind.FILE,
                        f"product-{p.seller}-{p.index}.csv",
                        "text/csv",
                        _package(p),
                    ),
                )
                await session.flush()
                p.listing_id, p.tier_id = view.listing.id, view.tiers[0].id
                for venue in view.venues:
                    if venue.status == VenueStatus.PENDING_REVIEW:
                        await listings_service.review_listing(
                            runtime.context(session, operator),
                            listing_id=p.listing_id,
                            exchange_id=venue.exchange_id,
                            approve=True,
                            reason="材料齐全，准予挂牌 approved",
                        )


async def _trade_year(
    runtime: Runtime,
    clock: ManualClock,
    plan: Plan,
    products: list[_Product],
    buyers: list[Principal],
    year_start: datetime,
    rng: random.Random,
    loaded: Loaded,
) -> None:
    trades = plan_trades(plan, products, len(buyers), year_start, rng)
    spend = [0] * len(buyers)
    for _, b, product, _ in trades:
        spend[b] += product.price_fen
    reserve = 5_000_000_000  # 50 million yuan for the bench buyers' purchases under load
    with loaded.stage(f"market: {len(buyers):,} buyers funded for the year (deposit journals)"):
        clock.set(max(clock.now(), year_start - timedelta(days=1)))
        legs = [
            # The year's spending, fees included (at most 0.5%), plus a margin.
            (
                buyers[b].id,
                amount * 101 // 100 + 1_000_000 + (reserve if b < plan.bench_buyers else 0),
            )
            for b, amount in enumerate(spend)
        ]
        for chunk in _chunks(legs, plan.batch):
            async with runtime.unit_of_work() as session:
                ctx = runtime.context(session)
                postings = [
                    ledger.Leg(await _account(ctx, owner), amount) for owner, amount in chunk
                ]
                await ledger.post(
                    ctx,
                    kind="deposit",
                    memo="年度采购资金 the year's purchasing funds",
                    legs=[
                        ledger.Leg(
                            ledger.SANDBOX_MINT_ACCOUNT_ID, -sum(p.amount_fen for p in postings)
                        ),
                        *postings,
                    ],
                )
    mean = sum(p.price_fen for _, _, p, _ in trades) / max(1, len(trades)) / 100
    label = (
        f"a year of trades: {len(trades):,} posted-price purchases "
        f"(turnover x{plan.scale:g}: Guangzhou {TURNOVER_FEN['gzde'] * plan.scale / 1e11:,.3f} bn "
        f"yuan, Shenzhen {TURNOVER_FEN['szdex'] * plan.scale / 1e11:,.3f} bn yuan; prices "
        f"log-normal, median {plan.median_price_yuan:,.0f} yuan, sigma {plan.sigma}, "
        f"{plan.min_price_yuan:,}-{plan.max_price_yuan:,} yuan; mean trade {mean:,.0f} yuan)"
    )
    started = time.perf_counter()
    done = 0
    with loaded.stage(label, lambda: f"{done / (time.perf_counter() - started):,.0f} trades/s"):
        for batch in _chunks(trades, plan.trades_per_unit):
            async with runtime.unit_of_work() as session:
                for when, b, product, exchange_id in batch:
                    clock.set(max(clock.now(), when))
                    placed = await orders_service.place_order(
                        runtime.context(session, buyers[b]),
                        listing_id=product.listing_id,
                        tier_id=product.tier_id,
                        exchange_id=exchange_id,
                        mandate_id=None,
                        legal_basis=None,
                    )
                    assert placed.trade is not None, "a domestic posted purchase settles at once"
                    loaded.trades[exchange_id] = loaded.trades.get(exchange_id, 0) + 1
                    loaded.turnover_fen[exchange_id] = (
                        loaded.turnover_fen.get(exchange_id, 0) + placed.trade.price_fen
                    )
            done += len(batch)
            if done % (plan.trades_per_unit * 20) == 0:
                rate = done / (time.perf_counter() - started)
                print(f"    {done:,}/{len(trades):,} trades, {rate:,.0f}/s", flush=True)


async def _account(ctx: Context, owner_id: str) -> str:
    return (await participants_service.account_of(ctx, owner_id)).id
