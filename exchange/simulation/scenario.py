"""Scenario files (仿真场景): the market's set-up, the agents, rounds, seed and treatments.

A scenario is a TOML file validated by these models: unknown fields and impossible values
(negative counts or budgets, fees over 100%) are refused before anything runs. Rates are
basis points (1 bp = 0.01%), money is integer fen (分), weights are relative integers.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from exchange.simulation.agents import list_price
from exchange.trading import rulebooks
from exchange.trading.policies.terms import Purpose

TradeModeName = Literal["posted", "negotiated", "auction"]
GradeName = Literal["general", "important"]
TradingRoleName = Literal["department", "enterprise", "individual"]
LegalBasisName = Literal["security_assessment", "standard_contract", "certification"]
BuyerStrategy = Literal["zi_c", "truthful", "adaptive"]
PricingName = Literal["fixed", "adaptive"]
CustomsPolicy = Literal["strict", "lenient"]
BrokerUse = Literal["never", "when_required", "always"]
AuctionRuleName = Literal["first_price", "second_price"]
OpeningName = Literal["unconditional", "conditional", "not_open"]

MAX_FEN = 10**13  # 100 billion yuan: far above any simulated budget, far below 2^53
BASIS = 10_000

Bp = Annotated[int, Field(ge=0, le=BASIS, description="basis points, 0..10000 (0%..100%)")]
Count = Annotated[int, Field(ge=0, le=100_000)]
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="integer fen (分)")]
PositiveFen = Annotated[int, Field(ge=1, le=MAX_FEN, description="integer fen (分), > 0")]
Weight = Annotated[int, Field(ge=0, le=1_000_000)]
ExchangeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,15}$")]
Jurisdiction = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
DEFAULT_START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning
# The exchanges the trading migration seeds; a scenario sets their rulebooks for a run.
KNOWN_EXCHANGES: dict[str, str] = {
    exchange["id"]: f"{exchange['name']} {exchange['name_en']}" for exchange in rulebooks.EXCHANGES
}
# The clauses of the seeded rulebooks (exchange.trading.rulebooks) that a scenario's set-up
# depends on; a scenario's exchange fields are laid over them.
SEEDED_CLAUSES = (
    "seller_fee_bp",
    "max_commission_bp",
    "broker_required_for",
    "min_price_fen",
    "max_price_fen",
)
SEEDED_RULEBOOKS: dict[str, dict[str, Any]] = {
    book["exchange_id"]: {clause: copy.deepcopy(book[clause]) for clause in SEEDED_CLAUSES}
    for book in rulebooks.RULEBOOKS
}
PRODUCT_FORMS = ("dataset", "api", "indicator", "report", "model", "application")
RESTRICTIONS = ("open", "limited", "compute")
PURPOSES = tuple(p.value for p in Purpose)


def _purpose(name: str) -> str:
    if name not in PURPOSES:
        raise ValueError(f"unknown purpose {name!r}; the purposes are {', '.join(PURPOSES)}")
    return name


PurposeName = Annotated[str, AfterValidator(_purpose)]
TRADE_MODES = ("posted", "negotiated", "auction")
DEFAULT_VALUES_FEN: dict[str, int] = {
    "dataset": 200_000,
    "api": 300_000,
    "indicator": 80_000,
    "report": 50_000,
    "model": 500_000,
    "application": 400_000,
}


class FieldConflict(ValueError):
    """A rule a scenario breaks at a known field path (the loader reports it at that path)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


class Section(BaseModel):
    """A part of a scenario: unknown fields are refused, values are checked strictly."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _known(table: dict[str, int], names: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; the {what}s are {', '.join(names)}")


def _positive_weights(weights: dict[str, int], what: str) -> dict[str, int]:
    if not weights or sum(weights.values()) <= 0:
        raise ValueError(f"at least one {what} needs a weight above 0")
    return weights


class FenRange(Section):
    """An inclusive range of amounts in fen."""

    min: Fen
    max: Fen

    @model_validator(mode="after")
    def _ordered(self) -> FenRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class ExchangeSetup(Section):
    """One exchange's rulebook for the run (交易规则); unset fields keep the seeded rulebook."""

    buyer_fee_bp: Bp | None = None
    seller_fee_bp: Bp | None = None
    max_commission_bp: Bp | None = None
    broker_required_for: list[TradingRoleName] | None = None
    trade_modes: list[TradeModeName] | None = None
    listing_review: Literal["none", "operator"] | None = None
    min_price_fen: PositiveFen | None = None
    max_price_fen: PositiveFen | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ExchangeSetup:
        if (
            self.seller_fee_bp is not None
            and self.max_commission_bp is not None
            and self.seller_fee_bp + self.max_commission_bp > BASIS
        ):
            raise ValueError("seller_fee_bp + max_commission_bp would take more than 100%")
        if (
            self.min_price_fen is not None
            and self.max_price_fen is not None
            and self.min_price_fen > self.max_price_fen
        ):
            raise ValueError("min_price_fen is above max_price_fen")
        if self.trade_modes is not None and not self.trade_modes:
            raise ValueError("trade_modes needs at least one mode")
        return self


class ProductSetup(Section):
    """The data products providers register and list (数据产品): forms, grades, values, costs."""

    per_provider: int = Field(default=2, ge=1, le=50)
    forms: dict[str, Weight] = Field(default_factory=lambda: {"dataset": 1})
    grades: dict[str, Weight] = Field(default_factory=lambda: {"general": 1})
    personal_information_bp: Bp = 0
    exclusive: bool = False
    term_days: int = Field(default=30, ge=1, le=3650)
    value_fen: dict[str, PositiveFen] = Field(default_factory=lambda: dict(DEFAULT_VALUES_FEN))
    important_value_bp: int = Field(default=15_000, ge=0, le=100_000)
    value_spread_bp: Bp = 3_000
    unit_cost_fen: FenRange = Field(default_factory=lambda: FenRange(min=10_000, max=60_000))
    # Usage policies (使用策略): how many products are open (no policy), policy-limited
    # (purposes, mainland China only, a daily quota, no resale) or compute-only (可用不可见),
    # by weight; and what such a licence is worth, beside an open one, to a buyer it fits.
    restrictions: dict[str, Weight] = Field(default_factory=lambda: {"open": 1})
    limited_value_bp: Bp = 8_000
    compute_value_bp: Bp = 5_000
    limited_purposes: list[PurposeName] = Field(
        default_factory=lambda: ["credit_assessment", "risk_control"], min_length=1
    )
    compute_purposes: list[PurposeName] = Field(
        default_factory=lambda: ["credit_assessment", "risk_control", "research", "statistics"],
        min_length=1,
    )

    @field_validator("restrictions")
    @classmethod
    def _restrictions(cls, weights: dict[str, int]) -> dict[str, int]:
        _known(weights, RESTRICTIONS, "restriction")
        return _positive_weights(weights, "restriction")

    @property
    def restricted(self) -> bool:
        """Whether any product carries a usage policy (else no draw is made for them)."""
        return any(w > 0 for k, w in self.restrictions.items() if k != "open")

    @field_validator("forms", "value_fen")
    @classmethod
    def _forms(cls, forms: dict[str, int]) -> dict[str, int]:
        _known(forms, PRODUCT_FORMS, "product form")
        return forms

    @field_validator("forms")
    @classmethod
    def _form_weights(cls, forms: dict[str, int]) -> dict[str, int]:
        return _positive_weights(forms, "product form")

    @field_validator("grades")
    @classmethod
    def _grades(cls, grades: dict[str, int]) -> dict[str, int]:
        if "core" in grades:
            raise ValueError(
                "core data (核心数据) can never be registered for trading; use general or important"
            )
        unknown = sorted(set(grades) - {"general", "important"})
        if unknown:
            raise ValueError(f"unknown grade {unknown[0]!r}; grades are general and important")
        return _positive_weights(grades, "grade")

    @model_validator(mode="after")
    def _values_for_forms(self) -> ProductSetup:
        missing = sorted(f for f, w in self.forms.items() if w > 0 and f not in self.value_fen)
        if missing:
            raise ValueError(f"value_fen has no value for the form {missing[0]!r}")
        return self


class Providers(Section):
    """Data providers (数据提供方): hold registered assets, list them, set prices."""

    count: Count = 10
    role: Literal["enterprise", "department"] = "enterprise"
    pricing: PricingName = "fixed"
    markup_bp: int = Field(default=5_000, ge=0, le=100_000)
    step_bp: Bp = 500
    list_on: list[ExchangeId] | None = None
    balance_fen: Fen = 0


class Buyers(Section):
    """Data buyers (数据需方): a need some rounds, a valuation, a budget and a strategy."""

    count: Count = 50
    role: TradingRoleName = "enterprise"
    strategy: BuyerStrategy = "truthful"
    budget_fen: Fen = 2_000_000
    demand_bp: Bp = 5_000
    search: int = Field(default=3, ge=1, le=50)
    # How often a buyer compares exchanges; otherwise it buys on its home exchange.
    shop_around_bp: Bp = BASIS
    modes: dict[str, Weight] = Field(default_factory=lambda: {"posted": 1})
    use_broker: BrokerUse = "when_required"
    aspiration_bp: Bp = 8_000
    step_bp: Bp = 500
    # What buyers use data for (使用目的), by weight: drawn only when products carry policies.
    purposes: dict[PurposeName, Weight] = Field(default_factory=lambda: {"credit_assessment": 1})

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, purposes: dict[str, int]) -> dict[str, int]:
        return _positive_weights(purposes, "purpose")

    @field_validator("modes")
    @classmethod
    def _modes(cls, modes: dict[str, int]) -> dict[str, int]:
        _known(modes, TRADE_MODES, "trade mode")
        return _positive_weights(modes, "trade mode")


class CrossBorderBuyers(Buyers):
    """Buyers outside mainland China (境外需方): every purchase passes data customs (数据海关)."""

    count: Count = 0
    jurisdictions: list[Jurisdiction] = Field(default_factory=lambda: ["HK"])
    legal_basis: LegalBasisName | None = "standard_contract"

    @field_validator("jurisdictions")
    @classmethod
    def _abroad(cls, codes: list[str]) -> list[str]:
        if not codes:
            raise ValueError("at least one jurisdiction is needed")
        if "CN" in codes:
            raise ValueError("CN is mainland China; cross-border buyers are from elsewhere")
        return codes


class Brokers(Section):
    """Data brokers (数据经纪人): act for buyers under mandates, for a commission."""

    count: Count = 0
    commission_bp: Bp = 200
    exchanges: list[ExchangeId] | None = None


class Regulators(Section):
    """Regulators (监管部门): decide data-customs cases by a policy."""

    count: int = Field(default=1, ge=0, le=10)
    customs_policy: CustomsPolicy = "lenient"


class Manipulators(Section):
    """Manipulative agents (操纵市场的代理), for market surveillance (交易监测) to catch.

    A wash-trading pair (对敲): two enterprises under common control — one funds the other —
    that each list a product and buy each other's, round after round, at an inflated price.
    A colluding bidding ring (串通竞价): bidders who place identical cover bids at the reserve
    in the auctions of one product and let the winner rotate among them. With any of them (or
    with `surveillance` on), the run ends with the market-regulation agency scanning the whole
    run for alerts.
    """

    wash_pairs: int = Field(default=0, ge=0, le=20)
    wash_price_fen: PositiveFen = 300_000
    wash_every: int = Field(default=1, ge=1, le=100)
    rings: int = Field(default=0, ge=0, le=10)
    ring_size: int = Field(default=3, ge=2, le=10)
    ring_markup_bp: Bp = 2_000
    budget_fen: Fen = 10_000_000
    surveillance: bool = False

    @property
    def scans(self) -> bool:
        """Whether the run ends with a surveillance scan (any manipulator, or asked for)."""
        return self.surveillance or self.wash_pairs > 0 or self.rings > 0

    def count(self) -> int:
        """How many manipulative agents there are."""
        return 2 * self.wash_pairs + self.rings * self.ring_size


class Agents(Section):
    """The agents of a run, by role."""

    providers: Providers = Field(default_factory=Providers)
    buyers: Buyers = Field(default_factory=Buyers)
    brokers: Brokers = Field(default_factory=Brokers)
    cross_border_buyers: CrossBorderBuyers = Field(default_factory=CrossBorderBuyers)
    regulators: Regulators = Field(default_factory=Regulators)
    manipulators: Manipulators = Field(default_factory=Manipulators)

    def total(self) -> int:
        """How many agents the run has."""
        return (
            self.providers.count
            + self.buyers.count
            + self.brokers.count
            + self.cross_border_buyers.count
            + self.regulators.count
            + self.manipulators.count()
        )


class AuctionSetup(Section):
    """Sealed-bid auctions (密封竞价) of exclusive licences: the pricing rule and the reserve."""

    rule: AuctionRuleName = "second_price"
    reserve_bp: Bp = 5_000


class Operation(Section):
    """Authorized operation of public data (公共数据授权运营).

    A share of the providers' products derive from a public catalog item that a department
    holds. Its opening attribute decides what registering them takes: `unconditional`
    (无条件开放) needs no grant; `conditional` or `not_open` needs an operating agreement
    (授权运营协议) that the data authority approved, and each sale pays the department
    `revenue_share_bp` of the operator's proceeds, which operators add to their prices. With
    `exclusive`, each provider proposes an exclusive agreement and only the first is approved
    (独家授权): the others cannot register their derived products.
    """

    public_bp: Bp = 0
    opening: OpeningName = "not_open"
    exclusive: bool = False
    revenue_share_bp: Bp = 2_000

    @property
    def granted(self) -> bool:
        """Whether derived products need an operating agreement."""
        return self.public_bp > 0 and self.opening != "unconditional"


class ConsentSetup(Section):
    """Consent of individuals (授权用数, 个人同意率).

    With `subjects` > 0, that many simulated people hold social-insurance records in their data
    spaces, and each grants the provider of each product containing personal information a
    consent to develop data products from them with probability `rate_bp`. The products are
    registered on the basis of consent naming the consents granted; a product with fewer than
    `min_subjects` consenting people is not made and leaves the run.
    """

    subjects: int = Field(default=0, ge=0, le=1_000)
    rate_bp: Bp = 10_000
    min_subjects: int = Field(default=1, ge=1)


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class Scenario(Section):
    """A whole simulation: the market, the agents, how long it runs, and named treatments."""

    name: Slug
    title: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=20_000)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    rounds: int = Field(default=20, ge=1, le=10_000)
    round_hours: int = Field(default=24, ge=1, le=24 * 30)
    start: datetime = DEFAULT_START
    exchanges: dict[ExchangeId, ExchangeSetup] = Field(min_length=1)
    products: ProductSetup = Field(default_factory=ProductSetup)
    agents: Agents = Field(default_factory=Agents)
    auction: AuctionSetup = Field(default_factory=AuctionSetup)
    operation: Operation = Field(default_factory=Operation)
    consent: ConsentSetup = Field(default_factory=ConsentSetup)
    treatments: dict[Slug, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("exchanges")
    @classmethod
    def _known_exchanges(cls, exchanges: dict[str, ExchangeSetup]) -> dict[str, ExchangeSetup]:
        for name in exchanges:
            if name not in KNOWN_EXCHANGES:
                known = ", ".join(f"{k} ({v})" for k, v in KNOWN_EXCHANGES.items())
                raise ValueError(f"no exchange {name!r}; the market has {known}")
        return exchanges

    @field_validator("start")
    @classmethod
    def _aware(cls, start: datetime) -> datetime:
        if start.tzinfo is None:
            raise ValueError("start needs a time zone, e.g. 2026-11-23T09:00:00Z")
        return start.astimezone(UTC)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        known = set(self.exchanges)
        for where, names in (
            ("agents.providers.list_on", self.agents.providers.list_on),
            ("agents.brokers.exchanges", self.agents.brokers.exchanges),
        ):
            unknown = sorted(set(names or ()) - known)
            if unknown:
                raise ValueError(f"{where} names {unknown[0]!r}, not one of the exchanges")
        for where, buyers in (
            ("agents.buyers", self.agents.buyers),
            ("agents.cross_border_buyers", self.agents.cross_border_buyers),
        ):
            if buyers.count and buyers.modes.get("auction") and not self.products.exclusive:
                raise ValueError(
                    f"{where}.modes has auctions, which sell exclusive licences only: "
                    "set products.exclusive = true"
                )
            if buyers.count and buyers.use_broker == "always" and not self.agents.brokers.count:
                raise ValueError(f"{where}.use_broker is 'always' but there are no brokers")
        rigged = self.agents.manipulators
        if rigged.rings and not self.products.exclusive:
            raise ValueError(
                "agents.manipulators.rings bid in auctions, which sell exclusive licences only: "
                "set products.exclusive = true"
            )
        if rigged.rings and not self.agents.providers.count:
            raise ValueError("agents.manipulators.rings need providers whose auctions to rig")
        operation = self.operation
        if (
            operation.public_bp
            and operation.opening == "not_open"
            and self.products.forms.get("dataset")
        ):
            raise FieldConflict(
                "operation.opening",
                "products derive from a catalog item that is not open (不予开放), whose raw "
                "records never leave: products.forms may not include dataset",
            )
        if operation.exclusive and not operation.granted:
            raise FieldConflict(
                "operation.exclusive",
                "exclusive operation needs derived products (public_bp > 0) from an item that "
                "is not unconditionally open (opening = conditional or not_open)",
            )
        consent = self.consent
        if consent.subjects and consent.min_subjects > consent.subjects:
            raise FieldConflict(
                "consent.min_subjects",
                f"a product needs {consent.min_subjects} consenting people but the run has only "
                f"{consent.subjects} (consent.subjects)",
            )
        if consent.subjects and not self.products.personal_information_bp:
            raise FieldConflict(
                "consent.subjects",
                "consents are granted for products containing personal information: set "
                "products.personal_information_bp above 0",
            )
        if "base" in self.treatments:
            raise ValueError("'base' names the untreated scenario; call the treatment otherwise")
        self._fits_the_rulebooks()
        return self

    def rulebook(self, exchange_id: str) -> dict[str, Any]:
        """An exchange's rulebook clauses for the run: the seeded ones with the scenario's over."""
        setup = self.exchanges[exchange_id].model_dump(exclude_none=True)
        return {**SEEDED_RULEBOOKS.get(exchange_id, {}), **setup}

    def _fits_the_rulebooks(self) -> None:
        """Refuse now what the market's rules would refuse when the run is set up.

        Fields a scenario leaves unset keep the seeded rulebook's clause, so a value can be
        valid alone and still break a rule with the clause it meets (e.g. a commission above
        the exchange's cap).
        """
        books = {ex: self.rulebook(ex) for ex in sorted(self.exchanges)}
        for ex, book in books.items():
            where = f"exchanges.{ex}"
            if book["seller_fee_bp"] + book["max_commission_bp"] > BASIS:
                raise FieldConflict(
                    f"{where}.max_commission_bp",
                    f"seller_fee_bp ({book['seller_fee_bp']}) + max_commission_bp "
                    f"({book['max_commission_bp']}) would take more than 100% "
                    "(a field left unset keeps the exchange's seeded rulebook)",
                )
            if book["min_price_fen"] > book["max_price_fen"]:
                raise FieldConflict(
                    f"{where}.min_price_fen",
                    f"min_price_fen ({book['min_price_fen']}) is above max_price_fen "
                    f"({book['max_price_fen']}) (a field left unset keeps the seeded rulebook)",
                )
        brokers = self.agents.brokers
        served = sorted(brokers.exchanges or books)
        mandated = brokers.count and any(
            group.count
            and (
                group.use_broker == "always"
                or (
                    group.use_broker == "when_required"
                    and any(group.role in book["broker_required_for"] for book in books.values())
                )
            )
            for _, group in self.buyer_groups()
        )
        for ex in served if mandated else ():
            cap = books[ex]["max_commission_bp"]
            if brokers.commission_bp > cap:
                raise FieldConflict(
                    "agents.brokers.commission_bp",
                    f"{brokers.commission_bp} bp is above the commission cap of {ex} "
                    f"(exchanges.{ex}.max_commission_bp = {cap}); the brokers' clients "
                    "could not grant them mandates",
                )
        rigged = self.agents.manipulators
        if rigged.wash_pairs:
            book = books[min(books)]
            if not book["min_price_fen"] <= rigged.wash_price_fen <= book["max_price_fen"]:
                raise FieldConflict(
                    "agents.manipulators.wash_price_fen",
                    f"{rigged.wash_price_fen} fen is outside {min(books)}'s price limits "
                    f"({book['min_price_fen']} to {book['max_price_fen']} fen), where the "
                    "wash-trading pairs list",
                )
        providers = self.agents.providers
        if providers.count and not self.products.exclusive:
            costs = self.products.unit_cost_fen
            low = list_price(costs.min, providers.markup_bp)
            high = list_price(costs.max, providers.markup_bp)
            for ex in sorted(providers.list_on or books):
                book = books[ex]
                if low < book["min_price_fen"] or high > book["max_price_fen"]:
                    raise FieldConflict(
                        "products.unit_cost_fen",
                        f"opening prices from {low} to {high} fen (unit cost plus "
                        f"agents.providers.markup_bp) fall outside {ex}'s price limits "
                        f"({book['min_price_fen']} to {book['max_price_fen']} fen, "
                        f"exchanges.{ex}.min_price_fen / max_price_fen)",
                    )

    def buyer_groups(self) -> tuple[tuple[str, Buyers], ...]:
        """The buyer populations, domestic first, with the role names their streams use."""
        return (
            ("buyer", self.agents.buyers),
            ("cross_border_buyer", self.agents.cross_border_buyers),
        )
