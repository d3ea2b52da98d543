"""The agents and products of a run, built from a scenario (pure: no I/O, own streams only)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from exchange.simulation import agents as strategy
from exchange.simulation.rng import stream
from exchange.simulation.scenario import Buyers, Scenario

PROVIDER = "provider"
BUYER = "buyer"
CROSS_BORDER_BUYER = "cross_border_buyer"
BROKER = "broker"
REGULATOR = "regulator"
WASH_TRADER = "wash_trader"
RING_BIDDER = "ring_bidder"

FORM_LABELS = {
    "dataset": "数据集",
    "api": "数据接口",
    "indicator": "数据指标",
    "report": "数据报告",
    "model": "数据模型",
    "application": "数据应用",
}
ROLE_NAMES = {
    PROVIDER: "数据提供方 provider",
    BUYER: "数据需方 buyer",
    CROSS_BORDER_BUYER: "境外需方 cross-border buyer",
    BROKER: "数据经纪人 broker",
    REGULATOR: "监管部门 regulator",
    WASH_TRADER: "对敲交易方 wash trader",
    RING_BIDDER: "串通投标人 ring bidder",
}


def agent_key(role: str, index: int) -> str:
    """The stable key of an agent, e.g. buyer-0007."""
    return f"{role}-{index:04d}"


@dataclass
class Product:
    """A data product a provider registers and lists, with its current price."""

    key: str
    provider: str
    form: str
    grade: str
    personal_information: bool
    unit_cost_fen: int
    price_fen: int
    exchanges: tuple[str, ...]
    sold: int = 0
    # Derived from the public catalog item of an authorized-operation scenario (公共数据).
    public: bool = False
    # open (no usage policy), limited (purposes, mainland only, quota) or compute (可用不可见)
    restriction: str = "open"


@dataclass
class Provider:
    """A provider agent: its products and pricing rule."""

    key: str
    index: int
    rng: random.Random
    role: str
    pricing: str
    step_bp: int
    balance_fen: int
    products: list[Product] = field(default_factory=list)


@dataclass
class Buyer:
    """A buyer agent (domestic or cross-border) with its learning state."""

    key: str
    group: str
    index: int
    rng: random.Random
    params: Buyers
    jurisdiction: str
    legal_basis: str | None
    aspiration_bp: int
    home: str = ""
    broker: str | None = None
    purpose: str = ""  # what it uses data for (使用目的), when products carry policies


@dataclass(frozen=True)
class Broker:
    """A broker agent: the exchanges it serves and its commission."""

    key: str
    index: int
    exchanges: tuple[str, ...]
    commission_bp: int


@dataclass(frozen=True)
class Regulator:
    """A regulator agent deciding data-customs cases by a policy."""

    key: str
    index: int
    policy: str


@dataclass(frozen=True)
class WashTrader:
    """One of a wash-trading pair (对敲): it lists one product and buys its partner's."""

    key: str
    index: int
    pair: int
    partner: str
    product: Product


@dataclass(frozen=True)
class RingBidder:
    """A member of a colluding bidding ring (串通竞价)."""

    key: str
    index: int
    ring: int
    position: int


@dataclass
class World:
    """Every agent and product of a run, in a fixed order."""

    scenario: Scenario
    providers: list[Provider]
    buyers: list[Buyer]
    brokers: list[Broker]
    regulators: list[Regulator]
    wash_traders: list[WashTrader] = field(default_factory=list)
    ring_bidders: list[RingBidder] = field(default_factory=list)
    _brokers: dict[str, Broker] = field(default_factory=dict, repr=False)

    @property
    def products(self) -> list[Product]:
        """Every product, provider by provider."""
        return [p for provider in self.providers for p in provider.products]

    def drop_products(self, keys: set[str]) -> None:
        """Take products out of the run (their registration was refused: no grant)."""
        if keys:
            for provider in self.providers:
                provider.products = [p for p in provider.products if p.key not in keys]

    def broker(self, key: str) -> Broker:
        """A broker by key."""
        found = self._brokers.get(key)
        if found is None:
            self._brokers.update({b.key: b for b in self.brokers})
            found = self._brokers[key]
        return found

    def agent_count(self) -> int:
        """How many agents act in the run."""
        return (
            len(self.providers)
            + len(self.buyers)
            + len(self.brokers)
            + len(self.regulators)
            + len(self.wash_traders)
            + len(self.ring_bidders)
        )

    def manipulators(self) -> list[WashTrader | RingBidder]:
        """The manipulative agents, pairs first."""
        return [*self.wash_traders, *self.ring_bidders]


def build_world(scenario: Scenario) -> World:
    """The agents and products of a scenario, each drawing on its own random stream."""
    seed = scenario.seed
    exchanges = tuple(sorted(scenario.exchanges))
    products_setup = scenario.products
    p = scenario.agents.providers
    providers = []
    for i in range(1, p.count + 1):
        key = agent_key(PROVIDER, i)
        rng = stream(seed, PROVIDER, i)
        provider = Provider(key, i, rng, p.role, p.pricing, p.step_bp, p.balance_fen)
        listed_on = tuple(sorted(p.list_on)) if p.list_on else exchanges
        for n in range(1, products_setup.per_provider + 1):
            form = strategy.weighted_choice(rng, products_setup.forms)
            grade = strategy.weighted_choice(rng, products_setup.grades)
            personal = rng.randrange(strategy.BASIS) < products_setup.personal_information_bp
            cost = rng.randint(products_setup.unit_cost_fen.min, products_setup.unit_cost_fen.max)
            # Drawn only when a scenario sets restrictions: other scenarios keep their streams.
            restriction = (
                strategy.weighted_choice(rng, products_setup.restrictions)
                if products_setup.restricted
                else "open"
            )
            provider.products.append(
                Product(
                    key=f"{key}/{n}",
                    provider=key,
                    form=form,
                    grade=grade,
                    personal_information=personal,
                    unit_cost_fen=cost,
                    price_fen=strategy.list_price(cost, p.markup_bp),
                    exchanges=listed_on,
                    restriction=restriction,
                )
            )
        _mark_public(scenario, provider)
        providers.append(provider)

    b = scenario.agents.brokers
    brokers = [
        Broker(
            agent_key(BROKER, i),
            i,
            tuple(sorted(b.exchanges)) if b.exchanges else exchanges,
            b.commission_bp,
        )
        for i in range(1, b.count + 1)
    ]

    buyers = []
    for group, params in scenario.buyer_groups():
        jurisdictions = getattr(params, "jurisdictions", ["CN"])
        basis = getattr(params, "legal_basis", None)
        for i in range(1, params.count + 1):
            buyer = Buyer(
                key=agent_key(group, i),
                group=group,
                index=i,
                rng=stream(seed, group, i),
                params=params,
                jurisdiction=jurisdictions[(i - 1) % len(jurisdictions)],
                legal_basis=basis,
                aspiration_bp=params.aspiration_bp,
            )
            buyer.home = buyer.rng.choice(exchanges)
            if products_setup.restricted:
                buyer.purpose = strategy.weighted_choice(buyer.rng, params.purposes)
            if brokers and params.use_broker != "never":
                # Clients are spread over brokers in turn: deterministic, no draw needed.
                buyer.broker = brokers[(i - 1) % len(brokers)].key
            buyers.append(buyer)

    r = scenario.agents.regulators
    regulators = [
        Regulator(agent_key(REGULATOR, i), i, r.customs_policy) for i in range(1, r.count + 1)
    ]
    return World(
        scenario,
        providers,
        buyers,
        brokers,
        regulators,
        _wash_traders(scenario, exchanges),
        _ring_bidders(scenario),
    )


def _mark_public(scenario: Scenario, provider: Provider) -> None:
    """Which of a provider's products derive from the public catalog item (drawn on the
    provider's own `public` stream, so scenarios without the option draw nothing new); under
    an operating agreement the operator adds the department's share to its price."""
    operation = scenario.operation
    if not operation.public_bp:
        return
    rng = stream(scenario.seed, "public", provider.index)
    for product in provider.products:
        product.public = rng.randrange(strategy.BASIS) < operation.public_bp
        if product.public and operation.granted:
            product.price_fen = strategy.list_price(product.price_fen, operation.revenue_share_bp)


def _wash_traders(scenario: Scenario, exchanges: tuple[str, ...]) -> list[WashTrader]:
    """Each pair lists one product apiece (no draws: priced and costed at the wash price, so
    its trades make no surplus) on the first exchange of the run."""
    rigged = scenario.agents.manipulators
    form = next(f for f, w in sorted(scenario.products.forms.items()) if w > 0)
    traders = []
    for pair in range(1, rigged.wash_pairs + 1):
        keys = (agent_key(WASH_TRADER, 2 * pair - 1), agent_key(WASH_TRADER, 2 * pair))
        for n, key in enumerate(keys):
            product = Product(
                key=f"{key}/1",
                provider=key,
                form=form,
                grade="general",
                personal_information=False,
                unit_cost_fen=rigged.wash_price_fen,
                price_fen=rigged.wash_price_fen,
                exchanges=(exchanges[0],),
            )
            traders.append(WashTrader(key, 2 * pair - 1 + n, pair, keys[1 - n], product))
    return traders


def _ring_bidders(scenario: Scenario) -> list[RingBidder]:
    rigged = scenario.agents.manipulators
    bidders = []
    for ring in range(1, rigged.rings + 1):
        for pos in range(1, rigged.ring_size + 1):
            index = (ring - 1) * rigged.ring_size + pos
            bidders.append(RingBidder(agent_key(RING_BIDDER, index), index, ring, pos))
    return bidders


def agent_name(role: str, index: int) -> str:
    """A display name for a simulated participant (Chinese and English)."""
    return f"{ROLE_NAMES[role]} {index:04d}"


RESTRICTION_LABELS = {"limited": "限定用途", "compute": "仅可计算"}


def product_name(product: Product) -> str:
    """A display name for a simulated data product."""
    name = f"{FORM_LABELS.get(product.form, product.form)} {product.key}"
    label = RESTRICTION_LABELS.get(product.restriction)
    return f"{name}（{label}）" if label else name
