"""The market a run plays against: the port the engine talks to, and an in-memory ceiling.

`Market` is what the engine needs from a market: open it (participants, assets, listings),
play one round's plan, and finish (the audit root). `ServiceMarket` (in `services_market`)
plays every action through the platform's services on a real database; `NullMarket` here
fills the same plans in memory with the same arithmetic, to measure the agents' decision loop
with no market behind it (the benchmark's ceiling).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from exchange.simulation import agents as strategy
from exchange.simulation.results import (
    AlertRecord,
    ConsentRecord,
    CustomsRecord,
    OperationRecord,
    OrderRecord,
    TradeRecord,
)
from exchange.simulation.scenario import Scenario
from exchange.simulation.world import Product, World
from exchange.supervision.rules import DEFAULT_THRESHOLDS
from exchange.supervision.surveillance import detectors
from exchange.trading import matching, rules
from exchange.vocabulary import AuctionRule, CustomsStatus, MandateSide

ALL_MODES = frozenset({"posted", "negotiated", "auction"})
MAX_NEGOTIATION_STEPS = 3
CLOSE = datetime(2000, 1, 1, tzinfo=UTC)  # every bid of a NullMarket auction: one close


@dataclass(frozen=True, slots=True)
class RulebookView:
    """What agents need to know of an exchange's rulebook."""

    exchange_id: str
    buyer_fee_bp: int
    seller_fee_bp: int
    max_commission_bp: int
    broker_required_for: frozenset[str]
    trade_modes: frozenset[str]
    min_price_fen: int
    max_price_fen: int


@dataclass(frozen=True, slots=True)
class Purchase:
    """Buy a licence at its posted price (挂牌交易)."""

    buyer: str
    product: Product
    exchange_id: str
    price_fen: int
    value_fen: int
    broker: str | None
    # Next-best purchases to try, in order, if an exclusive licence went to someone else first.
    fallbacks: tuple[Purchase, ...] = ()


@dataclass(frozen=True, slots=True)
class Negotiation:
    """Negotiate a licence (协议交易): the buyer's opening offer and limit, the seller's terms."""

    buyer: str
    product: Product
    exchange_id: str
    offer_fen: int
    limit_fen: int
    ask_fen: int
    floor_fen: int
    value_fen: int
    broker: str | None


@dataclass(frozen=True, slots=True)
class Bid:
    """A sealed bid on this round's auction of a product's exclusive licence (竞价交易)."""

    buyer: str
    product: Product
    exchange_id: str
    amount_fen: int
    value_fen: int
    broker: str | None


Action = Purchase | Negotiation | Bid


@dataclass(frozen=True, slots=True)
class AuctionOpening:
    """A provider opens a sealed-bid auction of one exclusive licence for this round."""

    product: Product
    exchange_id: str
    reserve_fen: int
    rule: str


@dataclass
class RoundPlan:
    """Everything agents decided for one round, in the order it is to be played."""

    round: int
    reprices: list[tuple[Product, int]] = field(default_factory=list)
    auctions: list[AuctionOpening] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass
class RoundOutcome:
    """What one round produced."""

    trades: list[TradeRecord] = field(default_factory=list)
    orders: list[OrderRecord] = field(default_factory=list)
    customs: list[CustomsRecord] = field(default_factory=list)


def mode_of(action: Action) -> str:
    """The trade mode of an action."""
    if isinstance(action, Purchase):
        return "posted"
    return "negotiated" if isinstance(action, Negotiation) else "auction"


def asked_price(action: Action) -> int:
    """The price an action names: the posted price, the opening offer or the bid."""
    if isinstance(action, Purchase):
        return action.price_fen
    return action.offer_fen if isinstance(action, Negotiation) else action.amount_fen


def order_record(
    round_no: int,
    action: Action,
    outcome: str,
    reason: str = "",
    *,
    mode: str | None = None,
    price_fen: int | None = None,
) -> OrderRecord:
    """How an agent's action ended, as the results list it."""
    return OrderRecord(
        round_no,
        action.buyer,
        action.exchange_id,
        mode if mode is not None else mode_of(action),
        price_fen if price_fen is not None else asked_price(action),
        outcome,
        reason,
        action.broker,
    )


class Market(Protocol):
    """The market a run plays against."""

    async def open(self, world: World) -> dict[str, RulebookView]:
        """Set up participants, assets and listings; return each exchange's rulebook."""
        ...

    async def play_round(self, plan: RoundPlan, world: World) -> RoundOutcome:
        """Play one round's plan and report what happened."""
        ...

    async def finish(self) -> tuple[str, int]:
        """Close the market; return the audit log's Merkle root (hex) and size."""
        ...

    async def surveil(self, world: World) -> list[AlertRecord]:
        """Scan the whole run for manipulation (交易监测); the alerts raised."""
        ...

    async def operation_report(self, world: World) -> OperationRecord:
        """Authorized operation's supply and the departments' revenue (公共数据授权运营)."""
        ...

    async def consent_report(self, world: World) -> ConsentRecord:
        """Individuals' consents and the personal-information products made on them (授权用数)."""
        ...

    def participant_id(self, agent_key: str) -> str:
        """The participant an agent acts as."""
        ...


def rulebooks_from_scenario(scenario: Scenario) -> dict[str, RulebookView]:
    """Rulebooks as the scenario sets them (unset rates 0, every mode open, no limits)."""
    out = {}
    for exchange_id, setup in sorted(scenario.exchanges.items()):
        out[exchange_id] = RulebookView(
            exchange_id=exchange_id,
            buyer_fee_bp=setup.buyer_fee_bp or 0,
            seller_fee_bp=setup.seller_fee_bp or 0,
            max_commission_bp=setup.max_commission_bp
            if setup.max_commission_bp is not None
            else strategy.BASIS,
            broker_required_for=frozenset(setup.broker_required_for or ()),
            trade_modes=frozenset(setup.trade_modes) if setup.trade_modes else ALL_MODES,
            min_price_fen=setup.min_price_fen or 1,
            max_price_fen=setup.max_price_fen or 10**13,
        )
    return out


class NullMarket:
    """Fills plans in memory with the same rules of thumb: the ceiling of the decision loop."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.rulebooks = rulebooks_from_scenario(scenario)
        self.cash: dict[str, int] = {}
        self.roles: dict[str, str] = {}
        self.jurisdictions: dict[str, str] = {}
        self.legal_basis: dict[str, str | None] = {}
        self.commission: dict[str, int] = {}
        self.policy = scenario.agents.regulators.customs_policy
        self.regulated = scenario.agents.regulators.count > 0
        self.sold_exclusive: set[str] = set()
        self.counter = 0
        self.settled: list[TradeRecord] = []
        self.auctions: list[tuple[str, str | None, list[Bid]]] = []

    async def open(self, world: World) -> dict[str, RulebookView]:
        """Give every buyer its budget; authorized operation is refused (its grants, agreements
        and revenue shares are the platform's services, which this market does not run)."""
        if self.scenario.operation.public_bp:
            from exchange.simulation.services_base import SetupRefused

            raise SetupRefused(
                "operation",
                "authorized operation runs only on the market played through the services: "
                "its agreements and revenue shares are the platform's",
            )
        if self.scenario.consent.subjects:
            from exchange.simulation.services_base import SetupRefused

            raise SetupRefused(
                "consent",
                "individuals' consents run only on the market played through the services: "
                "data spaces, consents and the registry's lawful-basis check are the platform's",
            )
        for buyer in world.buyers:
            self.cash[buyer.key] = buyer.params.budget_fen
            self.roles[buyer.key] = buyer.params.role
            self.jurisdictions[buyer.key] = buyer.jurisdiction
            self.legal_basis[buyer.key] = buyer.legal_basis
        for broker in world.brokers:
            self.commission[broker.key] = broker.commission_bp
        for agent in world.manipulators():
            self.cash[agent.key] = self.scenario.agents.manipulators.budget_fen
            self.roles[agent.key] = "enterprise"
            self.jurisdictions[agent.key] = "CN"
            self.legal_basis[agent.key] = None
        return self.rulebooks

    def participant_id(self, agent_key: str) -> str:
        """Agents are their own participants here."""
        return agent_key

    async def finish(self) -> tuple[str, int]:
        """No audit log: an empty root."""
        return "", 0

    async def operation_report(self, world: World) -> OperationRecord:
        """Never reached: `open` refuses scenarios with authorized operation."""
        raise AssertionError("the null market runs no authorized operation")

    async def consent_report(self, world: World) -> ConsentRecord:
        """Never reached: `open` refuses scenarios with individuals' consents."""
        raise AssertionError("the null market runs no data spaces")

    async def surveil(self, world: World) -> list[AlertRecord]:
        """The same surveillance patterns over the trades and auctions held in memory."""
        return null_surveillance(self.settled, self.auctions)

    async def play_round(self, plan: RoundPlan, world: World) -> RoundOutcome:
        """Settle what the rules allow, in order."""
        outcome = RoundOutcome()
        self.sold_exclusive.clear()
        for product, price in plan.reprices:
            product.price_fen = price
        bids: dict[tuple[str, str], list[Bid]] = {}
        for action in plan.actions:
            if isinstance(action, Bid):
                bids.setdefault((action.product.key, action.exchange_id), []).append(action)
                continue
            if isinstance(action, Negotiation):
                agreed = self._negotiate(action)
                if agreed is None:
                    outcome.orders.append(order_record(plan.round, action, "no_deal"))
                    continue
                self._settle(outcome, plan.round, action, agreed, "negotiated")
            else:
                for attempt in (action, *action.fallbacks):
                    if self._settle(outcome, plan.round, attempt, attempt.price_fen, "posted"):
                        break
        for opening in plan.auctions:
            placed = bids.get((opening.product.key, opening.exchange_id), [])
            if not placed:
                continue
            # Bids of one close, in plan order: the buyer breaks ties, then the order placed.
            sealed = [
                matching.SealedBid(f"{n:08d}", bid.buyer, bid.amount_fen, CLOSE)
                for n, bid in enumerate(placed)
            ]
            result = matching.resolve(
                sealed, rule=AuctionRule(opening.rule), reserve_fen=opening.reserve_fen
            )
            if result.winner is None or result.price_fen is None:
                continue
            ranked = [placed[int(s.bid_id)] for s in matching.rank(sealed)]
            winner = placed[int(result.winner.bid_id)]
            self.auctions.append((f"{opening.product.key}@{plan.round}", winner.buyer, placed))
            for loser in ranked:
                if loser is not winner:
                    outcome.orders.append(order_record(plan.round, loser, "lost"))
            self._settle(outcome, plan.round, winner, result.price_fen, "auction")
        return outcome

    def _negotiate(self, action: Negotiation) -> int | None:
        offer = action.offer_fen
        for _ in range(MAX_NEGOTIATION_STEPS):
            response = strategy.respond_to_offer(
                ask_fen=action.ask_fen, floor_fen=action.floor_fen, offer_fen=offer
            )
            if response.accept:
                return response.price_fen
            if strategy.accepts_counter(counter_fen=response.price_fen, limit_fen=action.limit_fen):
                return response.price_fen
            offer = min(action.limit_fen, (offer + response.price_fen) // 2)
        return None

    def _settle(
        self, outcome: RoundOutcome, round_no: int, action: Action, price: int, mode: str
    ) -> bool:
        """Settle one action if the rules allow; whether it settled."""
        rulebook = self.rulebooks[action.exchange_id]
        role = self.roles[action.buyer]
        # The buyer mandated its broker, so it pays the commission on top (as the market does).
        parts = rules.split(
            price_fen=price,
            buyer_fee_bp=rulebook.buyer_fee_bp,
            seller_fee_bp=rulebook.seller_fee_bp,
            commission_bp=self.commission[action.broker] if action.broker else 0,
            commission_payer=MandateSide.BUYER,
        )
        refusal = None
        if not rules.trade_mode_open(mode, rulebook.trade_modes):
            refusal = "trade-mode-closed"
        elif action.broker is None and rules.broker_required(role, rulebook.broker_required_for):
            refusal = "broker-required"
        elif self.scenario.products.exclusive and action.product.key in self.sold_exclusive:
            refusal = "licence-unavailable"
        elif self.cash[action.buyer] < parts.buyer_pays_fen:
            refusal = "insufficient-funds"
        if refusal is not None:
            outcome.orders.append(
                order_record(round_no, action, "refused", refusal, mode=mode, price_fen=price)
            )
            return False
        product = action.product
        cross_border = rules.crosses_border(self.jurisdictions[action.buyer])
        if cross_border and not self._cleared(outcome, round_no, action):
            outcome.orders.append(
                order_record(
                    round_no, action, "refused", "customs-refused", mode=mode, price_fen=price
                )
            )
            return False
        self.cash[action.buyer] -= parts.buyer_pays_fen
        if self.scenario.products.exclusive:
            self.sold_exclusive.add(action.product.key)
        self.counter += 1
        outcome.orders.append(order_record(round_no, action, "settled", mode=mode, price_fen=price))
        outcome.trades.append(
            record := TradeRecord(
                round=round_no,
                trade_id=f"t{self.counter}",
                exchange_id=action.exchange_id,
                mode=mode,
                product=product.key,
                form=product.form,
                grade=product.grade,
                cross_border=cross_border,
                buyer=action.buyer,
                seller=product.provider,
                broker=action.broker,
                price_fen=price,
                buyer_fee_fen=parts.buyer_fee_fen,
                seller_fee_fen=parts.seller_fee_fen,
                commission_fen=parts.commission_fen,
                value_fen=action.value_fen,
                unit_cost_fen=product.unit_cost_fen,
                restriction=product.restriction,
            )
        )
        self.settled.append(record)
        return True

    def _cleared(self, outcome: RoundOutcome, round_no: int, action: Action) -> bool:
        """Data customs on a cross-border action: the market's triage, then the regulators."""
        product = action.product
        basis = self.legal_basis[action.buyer]
        triage = rules.customs_triage(
            grade=product.grade, personal_information=product.personal_information
        )
        if triage.status is CustomsStatus.PENDING:
            ruling = strategy.customs_ruling(
                self.policy,
                grade=product.grade,
                personal_information=product.personal_information,
                legal_basis=basis,
            )
            cleared = self.regulated and ruling.approve
            decision = "approved" if cleared else "rejected"
        else:
            cleared = triage.status is CustomsStatus.CLEARED
            decision = str(triage.decision)
        outcome.customs.append(
            CustomsRecord(
                round_no,
                action.exchange_id,
                action.buyer,
                product.grade,
                product.personal_information,
                basis,
                decision,
            )
        )
        return cleared


def null_surveillance(
    trades: list[TradeRecord], auctions: list[tuple[str, str | None, list[Bid]]]
) -> list[AlertRecord]:
    """Wash trades and bid collusion found in memory, with the default thresholds."""
    th = dict(DEFAULT_THRESHOLDS)
    facts = [
        detectors.TradeFact(
            t.trade_id,
            t.buyer,
            t.seller,
            t.broker,
            None,
            t.product,
            t.form,
            t.grade,
            t.price_fen,
            CLOSE,
        )
        for t in trades
    ]
    closed = [
        detectors.AuctionFact(
            key,
            winner,
            tuple(
                detectors.BidFact(f"{key}/{n}", bid.buyer, bid.amount_fen)
                for n, bid in enumerate(bids)
            ),
        )
        for key, winner, bids in auctions
    ]
    found = detectors.wash_trades(facts, [], th) + detectors.bid_collusion(closed, th)
    return [
        AlertRecord(
            f.kind.value,
            f.severity.value,
            f.title,
            tuple(sorted(f.parties)),
            len(f.evidence.get("trade_ids", ())),
            len(f.evidence.get("auction_ids", ())),
            0,
        )
        for f in found
    ]
