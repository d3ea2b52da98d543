"""Agent strategies as pure decision functions: no I/O, no clock, randomness passed in.

Providers price (fixed or adaptive); buyers decide what to buy and how much to offer or bid
(zero-intelligence constrained, truthful, adaptive); brokers route an order to an exchange;
regulators decide data-customs cases by policy (strict or lenient). Amounts are integer fen
and rates basis points, so every decision is exact and the same on every machine.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from exchange.trading import rules

BASIS = rules.BASIS_POINTS
MIN_ASPIRATION_BP = 1_000


def fee(amount_fen: int, rate_bp: int) -> int:
    """A fee at `rate_bp` on an amount, rounded down to the fen."""
    return amount_fen * rate_bp // BASIS


def with_fee(price_fen: int, fee_bp: int) -> int:
    """What a buyer pays in all: the price plus the buyer fee (the market's own fee rule)."""
    return price_fen + rules.fee(price_fen, fee_bp)


def max_price_within(total_fen: int, fee_bp: int) -> int:
    """The highest price whose price-plus-fee stays within `total_fen`."""
    if total_fen <= 0:
        return 0
    price = total_fen * BASIS // (BASIS + fee_bp)
    while with_fee(price + 1, fee_bp) <= total_fen:
        price += 1
    while price > 0 and with_fee(price, fee_bp) > total_fen:
        price -= 1
    return price


def weighted_choice(rng: random.Random, weights: Mapping[str, int]) -> str:
    """One key drawn with probability proportional to its weight (keys in sorted order)."""
    items = sorted((k, w) for k, w in weights.items() if w > 0)
    total = sum(w for _, w in items)
    point = rng.randrange(total)
    for key, weight in items:
        if point < weight:
            return key
        point -= weight
    raise AssertionError("unreachable: point is below the total weight")


# --- providers (数据提供方) ----------------------------------------------------------------


def list_price(unit_cost_fen: int, markup_bp: int) -> int:
    """A provider's opening price: its unit cost plus its markup (at least 1 fen)."""
    return max(1, unit_cost_fen + fee(unit_cost_fen, markup_bp))


def next_price(pricing: str, *, price_fen: int, unit_cost_fen: int, sold: int, step_bp: int) -> int:
    """The price for the next round: fixed keeps it; adaptive raises after a sale, else cuts.

    Adaptive pricing never goes below the unit cost (a provider does not sell at a loss).
    """
    if pricing == "fixed":
        return price_fen
    step = max(1, fee(price_fen, step_bp))
    if sold > 0:
        return price_fen + step
    return max(max(1, unit_cost_fen), price_fen - step)


@dataclass(frozen=True, slots=True)
class Response:
    """A provider's answer to an offer: accept it, or counter with a price."""

    accept: bool
    price_fen: int


def respond_to_offer(*, ask_fen: int, floor_fen: int, offer_fen: int) -> Response:
    """Accept an offer at or above the ask; meet halfway above the floor; else hold the ask."""
    if offer_fen >= ask_fen:
        return Response(True, offer_fen)
    if offer_fen >= floor_fen:
        return Response(False, max(offer_fen + 1, (offer_fen + ask_fen + 1) // 2))
    return Response(False, ask_fen)


def reserve_price(list_price_fen: int, reserve_bp: int) -> int:
    """An auction's reserve: a share of the list price (at least 1 fen)."""
    return max(1, fee(list_price_fen, reserve_bp))


# --- buyers (数据需方) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Need:
    """What a buyer wants this round: one licence of a product form, and how much it matters."""

    form: str
    factor_bp: int


def draw_need(
    rng: random.Random, *, demand_bp: int, forms: Mapping[str, int], spread_bp: int
) -> Need | None:
    """Whether the buyer needs a licence this round and, if so, of which form and how badly."""
    roll = rng.randrange(BASIS)
    form = weighted_choice(rng, forms)
    factor = BASIS + rng.randint(-spread_bp, spread_bp)
    return Need(form, max(0, factor)) if roll < demand_bp else None


def value_of(
    need: Need, *, grade: str, base_values: Mapping[str, int], important_value_bp: int
) -> int:
    """The buyer's value in fen of a licence to a product of the needed form and this grade."""
    base = base_values.get(need.form, 0)
    value = fee(base, need.factor_bp)
    return fee(value, important_value_bp) if grade == "important" else value


def restricted_value(
    value_fen: int,
    *,
    restriction: str,
    purpose: str,
    jurisdiction: str,
    limited_value_bp: int,
    compute_value_bp: int,
    limited_purposes: Sequence[str],
    compute_purposes: Sequence[str],
) -> int:
    """What a licence under a usage policy is worth to a buyer (使用策略).

    Open: its whole value. Policy-limited (named purposes, mainland China only, a quota, no
    resale): a share of it to a mainland buyer with an allowed purpose, nothing to anyone
    else (the market would refuse it the use). Compute-only (可用不可见: aggregates, never
    rows): a share to a buyer whose purpose aggregates serve, nothing to others.
    """
    if restriction == "open":
        return value_fen
    if jurisdiction != "CN":
        return 0
    if restriction == "limited":
        return fee(value_fen, limited_value_bp) if purpose in limited_purposes else 0
    if restriction == "compute":
        return fee(value_fen, compute_value_bp) if purpose in compute_purposes else 0
    raise ValueError(f"unknown restriction {restriction!r}")


def willingness_bp(strategy: str, *, aspiration_bp: int, rng: random.Random) -> int:
    """The share of its value a buyer will pay in all (price plus fee) this round.

    truthful: all of it; zero-intelligence constrained (ZI-C, Gode & Sunder 1993): a uniform
    draw, so it never pays above its value; adaptive: an aspiration it learns round by round.
    """
    if strategy == "truthful":
        return BASIS
    if strategy == "zi_c":
        return rng.randint(1, BASIS)
    if strategy == "adaptive":
        return max(1, aspiration_bp)
    raise ValueError(f"unknown buyer strategy {strategy!r}")


def limit_of(value_fen: int, willingness: int) -> int:
    """The most a buyer pays in all for a licence it values at `value_fen`."""
    return max(0, fee(value_fen, willingness))


def next_aspiration(aspiration_bp: int, *, traded: bool, step_bp: int) -> int:
    """Adaptive buyers ask for more surplus after a trade and concede after a miss."""
    if traded:
        return max(MIN_ASPIRATION_BP, aspiration_bp - step_bp)
    return min(BASIS, aspiration_bp + step_bp)


@dataclass(frozen=True, slots=True)
class Quote:
    """A listing as a buyer sees it on one exchange."""

    key: str
    exchange_id: str
    form: str
    grade: str
    price_fen: int
    buyer_fee_bp: int
    personal_information: bool = False
    exclusive: bool = False

    @property
    def total_fen(self) -> int:
        """The price plus this exchange's buyer fee."""
        return with_fee(self.price_fen, self.buyer_fee_bp)


def choose_quote(
    quotes: Sequence[Quote], *, values: Mapping[str, int], willingness: int
) -> Quote | None:
    """The quote with the largest surplus among those within the buyer's limit (first on a tie)."""
    best: Quote | None = None
    best_surplus = -1
    for quote in quotes:
        value = values.get(quote.key, 0)
        total = quote.total_fen
        surplus = value - total
        if total <= limit_of(value, willingness) and surplus > best_surplus:
            best, best_surplus = quote, surplus
    return best


def opening_offer(strategy: str, *, limit_fen: int, ask_fen: int, rng: random.Random) -> int:
    """A buyer's first price in a negotiation (协议交易), never above its limit or the ask."""
    ceiling = max(1, min(limit_fen, ask_fen))
    if strategy == "truthful":
        return ceiling
    if strategy == "zi_c":
        return rng.randint(1, ceiling)
    return max(1, ceiling * 8 // 10)


def accepts_counter(*, counter_fen: int, limit_fen: int) -> bool:
    """A buyer accepts a counter-offer that stays within its limit."""
    return counter_fen <= limit_fen


def bid_amount(
    strategy: str,
    *,
    value_fen: int,
    reserve_fen: int,
    fee_bp: int,
    rule: str,
    aspiration_bp: int,
    rng: random.Random,
) -> int | None:
    """A sealed bid (密封出价) for an exclusive licence, or None if the reserve is out of reach.

    The bid plus the buyer fee never exceeds the value. Truthful bidders bid their value (the
    dominant strategy under second price); adaptive ones shade first-price bids by aspiration.
    """
    ceiling = max_price_within(value_fen, fee_bp)
    if ceiling < reserve_fen:
        return None
    if strategy == "truthful":
        return ceiling
    if strategy == "zi_c":
        return rng.randint(reserve_fen, ceiling)
    if strategy == "adaptive":
        if rule == "second_price":
            return ceiling
        return reserve_fen + fee(ceiling - reserve_fen, aspiration_bp)
    raise ValueError(f"unknown buyer strategy {strategy!r}")


def sample(rng: random.Random, items: Sequence[str], count: int) -> list[str]:
    """Up to `count` distinct items, drawn without replacement."""
    if count >= len(items):
        return list(items)
    return rng.sample(list(items), count)


# --- brokers (数据经纪人) ------------------------------------------------------------------


def broker_route(quotes: Sequence[Quote], *, served: Sequence[str]) -> Quote | None:
    """A broker sends its client's order to the served exchange with the lowest total cost."""
    allowed = [q for q in quotes if q.exchange_id in served]
    if not allowed:
        return None
    return min(allowed, key=lambda q: (q.total_fen, q.exchange_id))


def needs_broker(use_broker: str, *, required: bool) -> bool:
    """Whether a buyer trades through its broker for this order."""
    return use_broker == "always" or (use_broker == "when_required" and required)


# --- regulators and data customs (数据海关) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomsRuling:
    """A regulator's decision on a customs case, with the reason recorded beside it."""

    approve: bool
    reason: str


def customs_ruling(
    policy: str, *, grade: str, personal_information: bool, legal_basis: str | None
) -> CustomsRuling:
    """Decide a pending case: lenient approves any declared basis; strict asks for the right one.

    Strict: important data (重要数据) needs a security assessment (数据出境安全评估); personal
    information needs a standard contract or certification, or a security assessment.
    """
    if legal_basis is None:
        return CustomsRuling(False, "no legal basis for export was declared")
    if policy == "lenient":
        return CustomsRuling(True, f"lenient policy: declared basis {legal_basis} accepted")
    if policy != "strict":
        raise ValueError(f"unknown customs policy {policy!r}")
    if grade == "important" and legal_basis != "security_assessment":
        return CustomsRuling(False, "strict policy: important data needs a security assessment")
    if personal_information and legal_basis not in (
        "standard_contract",
        "certification",
        "security_assessment",
    ):
        return CustomsRuling(False, "strict policy: personal information needs a PI basis")
    return CustomsRuling(True, f"strict policy: {legal_basis} satisfies the export rules")
