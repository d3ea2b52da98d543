"""The market's rules as pure functions: fee splits, data-customs triage, negotiation steps.

Amounts are integer fen and rates basis points (1 bp = 0.01%). Fees and commissions are
rounded down to the fen, so that what the seller keeps is never negative. A broker's commission
is paid by its client, the side the broker acts for: a buyer pays it on top of the price, a
seller out of its proceeds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from exchange.vocabulary import (
    CustomsDecision,
    CustomsStatus,
    MandateSide,
    NegotiationParty,
    NegotiationState,
)

BASIS_POINTS = 10_000
MAINLAND = "CN"
GENERAL = "general"
CORE = "core"


def fee(amount_fen: int, rate_bp: int) -> int:
    """A fee at `rate_bp` on `amount_fen`, rounded down to the fen."""
    if amount_fen < 0 or rate_bp < 0:
        raise ValueError("amounts and rates are non-negative")
    return amount_fen * rate_bp // BASIS_POINTS


@dataclass(frozen=True, slots=True)
class Split:
    """How one trade's money divides (结算分配)."""

    price_fen: int
    buyer_fee_fen: int
    seller_fee_fen: int
    commission_fen: int
    # The broker's client, who pays the commission (a buyer on top, a seller out of the price).
    commission_payer: MandateSide

    @property
    def buyer_commission_fen(self) -> int:
        """The commission the buyer pays its broker (0 if none, or the seller's broker)."""
        return self.commission_fen if self.commission_payer is MandateSide.BUYER else 0

    @property
    def seller_commission_fen(self) -> int:
        """The commission the seller pays its broker (0 if none, or the buyer's broker)."""
        return self.commission_fen if self.commission_payer is MandateSide.SELLER else 0

    @property
    def buyer_pays_fen(self) -> int:
        """Price plus the buyer's fee, plus the commission if the buyer mandated the broker."""
        return self.price_fen + self.buyer_fee_fen + self.buyer_commission_fen

    @property
    def seller_receives_fen(self) -> int:
        """Price less the seller's fee, less the commission if the seller mandated the broker."""
        return self.price_fen - self.seller_fee_fen - self.seller_commission_fen

    @property
    def exchange_receives_fen(self) -> int:
        """Both fees."""
        return self.buyer_fee_fen + self.seller_fee_fen


def split(
    *,
    price_fen: int,
    buyer_fee_bp: int,
    seller_fee_bp: int,
    commission_bp: int,
    commission_payer: MandateSide,
) -> Split:
    """Divide a price under a rulebook's fees and a mandate's commission, paid by its client."""
    if commission_payer is MandateSide.SELLER and seller_fee_bp + commission_bp > BASIS_POINTS:
        raise ValueError("the seller's fee and its broker's commission cannot exceed the price")
    if seller_fee_bp > BASIS_POINTS:
        raise ValueError("the seller's fee cannot exceed the price")
    return Split(
        price_fen=price_fen,
        buyer_fee_fen=fee(price_fen, buyer_fee_bp),
        seller_fee_fen=fee(price_fen, seller_fee_bp),
        commission_fen=fee(price_fen, commission_bp),
        commission_payer=commission_payer,
    )


def settlement_legs(
    parts: Split,
    *,
    payer_account: str,
    seller_account: str,
    fee_account: str,
    broker_account: str | None,
) -> list[tuple[str, int]]:
    """Balanced (account, amount) legs of a settlement; zero legs are left out."""
    legs = [
        (payer_account, -parts.buyer_pays_fen),
        (seller_account, parts.seller_receives_fen),
        (fee_account, parts.exchange_receives_fen),
    ]
    if parts.commission_fen:
        if broker_account is None:
            raise ValueError("a commission needs a broker account")
        legs.append((broker_account, parts.commission_fen))
    kept = [(account, amount) for account, amount in legs if amount != 0]
    assert sum(amount for _, amount in kept) == 0
    return kept


def pay_shares(
    legs: Sequence[tuple[str, int]],
    *,
    seller_account: str,
    shares: Sequence[tuple[str, int]],
) -> list[tuple[str, int]]:
    """Pay revenue shares (授权运营收益分成) out of the seller's proceeds: the seller's leg
    shrinks by their sum and each (account, amount) share is credited; legs of one account
    merge (a department may also be the buyer), and zero legs are left out."""
    total = sum(amount for _, amount in shares)
    if not shares or total == 0:
        return list(legs)
    if any(amount < 0 for _, amount in shares):
        raise ValueError("a share is non-negative")
    merged: dict[str, int] = {}
    for account, amount in legs:
        merged[account] = merged.get(account, 0) + amount
    if merged.get(seller_account, 0) < total:
        raise ValueError("the shares cannot exceed the seller's proceeds")
    merged[seller_account] -= total
    for account, amount in shares:
        merged[account] = merged.get(account, 0) + amount
    kept = [(account, amount) for account, amount in merged.items() if amount != 0]
    assert sum(amount for _, amount in kept) == 0
    return kept


def within_limits(price_fen: int, *, min_price_fen: int, max_price_fen: int) -> bool:
    """Whether a price lies within a rulebook's price limits (价格区间)."""
    return min_price_fen <= price_fen <= max_price_fen


def crosses_border(jurisdiction: str) -> bool:
    """Whether data sold to a buyer of this jurisdiction leaves mainland China (HK, MO do)."""
    return jurisdiction != MAINLAND


@dataclass(frozen=True, slots=True)
class Triage:
    """Data customs' first look at a cross-border order."""

    status: CustomsStatus
    decision: CustomsDecision | None
    reason: str


def customs_triage(*, grade: str, personal_information: bool) -> Triage:
    """Core data is refused; important data or personal information waits; the rest passes."""
    if grade == CORE:
        return Triage(
            CustomsStatus.REFUSED,
            CustomsDecision.AUTO_REFUSED,
            "核心数据禁止出境: core data never leaves mainland China",
        )
    if grade != GENERAL or personal_information:
        what = "important data (重要数据)" if grade != GENERAL else "personal information"
        if grade != GENERAL and personal_information:
            what += " and personal information (个人信息)"
        return Triage(
            CustomsStatus.PENDING,
            None,
            f"Export of {what} waits for a regulator's decision on the declared legal basis.",
        )
    return Triage(
        CustomsStatus.CLEARED,
        CustomsDecision.AUTO_CLEARED,
        "一般数据且不含个人信息: general data without personal information passes",
    )


def needs_legal_basis(*, grade: str, personal_information: bool) -> bool:
    """Whether a cross-border buyer must declare a legal basis (important data or PI)."""
    return grade != GENERAL or personal_information


class StepRefused(ValueError):
    """A negotiation step the current state does not allow."""


# (step, party) -> (states it may follow, state it leads to)
NEGOTIATION_STEPS: dict[
    tuple[str, NegotiationParty], tuple[frozenset[NegotiationState], NegotiationState]
] = {
    ("request", NegotiationParty.CONSUMER): (
        frozenset({NegotiationState.OFFERED}),
        NegotiationState.REQUESTED,
    ),
    ("offer", NegotiationParty.PROVIDER): (
        frozenset({NegotiationState.REQUESTED}),
        NegotiationState.OFFERED,
    ),
    ("accept", NegotiationParty.CONSUMER): (
        frozenset({NegotiationState.OFFERED}),
        NegotiationState.ACCEPTED,
    ),
    ("agree", NegotiationParty.PROVIDER): (
        frozenset({NegotiationState.REQUESTED, NegotiationState.ACCEPTED}),
        NegotiationState.AGREED,
    ),
    ("settle", NegotiationParty.CONSUMER): (
        frozenset({NegotiationState.AGREED}),
        NegotiationState.FINALIZED,
    ),
}
TERMINABLE = frozenset(
    {
        NegotiationState.REQUESTED,
        NegotiationState.OFFERED,
        NegotiationState.ACCEPTED,
        NegotiationState.AGREED,
    }
)
STEP_PARTY = {step: party for step, party in NEGOTIATION_STEPS}


def negotiation_step(
    state: NegotiationState, step: str, party: NegotiationParty
) -> NegotiationState:
    """The state after `party` takes `step`; StepRefused if the state does not allow it."""
    if step == "terminate":
        if state not in TERMINABLE:
            raise StepRefused(f"a {state} negotiation cannot be terminated")
        return NegotiationState.TERMINATED
    rule = NEGOTIATION_STEPS.get((step, party))
    if rule is None:
        raise StepRefused(f"the {party} does not {step}")
    allowed, after = rule
    if state not in allowed:
        raise StepRefused(f"a {state} negotiation does not allow {step}")
    return after


def broker_required(role: str, broker_required_for: Collection[str]) -> bool:
    """Whether a rulebook has this kind of participant trade through a licensed data broker."""
    return role in broker_required_for


def trade_mode_open(mode: str, trade_modes: Collection[str]) -> bool:
    """Whether a rulebook opens this trade mode (挂牌, 协议 or 竞价)."""
    return mode in trade_modes
