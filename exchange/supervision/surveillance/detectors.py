"""Pure: market surveillance (交易监测) — patterns in trades and the log, as findings.

Each detector takes plain facts of a window and an agency's thresholds, and returns findings:
who is involved, the evidence (trade, auction, negotiation, journal, request or case ids,
which the service turns into audit entry indexes), figures, and a severity.
- wash trades (对敲): two parties trading with each other both ways with little net money
  moving, or trading while paying each other directly (资金往来, a sign of common control);
- prices far from the median of their product form and grade in the window (价格异常);
- bursts of negotiations one buyer opened and dropped (频繁撤单);
- sealed-bid collusion (串通竞价): identical bids in one auction, and groups of bidders who
  meet in auction after auction and take turns winning;
- brokers pressing their mandates' spending limits (经纪人超委托);
- departments' sharing requests overdue (共享超时) and customs cases left pending (海关未决).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median_low

from exchange.supervision.rules import AlertKind, Severity

BASIS = 10_000


@dataclass(frozen=True, slots=True)
class TradeFact:
    """A settled trade, as surveillance reads it."""

    trade_id: str
    buyer_id: str
    seller_id: str
    broker_id: str | None
    mandate_id: str | None
    listing_id: str
    product_form: str
    grade: str
    price_fen: int
    settled_at: datetime


@dataclass(frozen=True, slots=True)
class TransferFact:
    """A direct payment between participants."""

    journal_id: str
    payer_id: str
    payee_id: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class BidFact:
    """A sealed bid in a closed auction."""

    bid_id: str
    bidder_id: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class AuctionFact:
    """A closed auction: its bids and who won."""

    auction_id: str
    winner_id: str | None
    bids: tuple[BidFact, ...]


@dataclass(frozen=True, slots=True)
class DroppedNegotiation:
    """A negotiation ended by the side that opened it."""

    negotiation_id: str
    dropped_by: str


@dataclass(frozen=True, slots=True)
class MandateFact:
    """A broker's mandate: committed spending against its limit."""

    mandate_id: str
    broker_id: str
    client_id: str
    spending_limit_fen: int
    spent_fen: int


@dataclass(frozen=True, slots=True)
class OverdueShare:
    """A sharing request left unanswered past its target."""

    request_id: str
    owner_department_id: str


@dataclass(frozen=True, slots=True)
class PendingCustoms:
    """A customs case waiting for a regulator, and for how many working days."""

    case_id: str
    buyer_id: str
    working_days: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One alert to raise: kind, parties, evidence ids by kind, figures and severity."""

    kind: AlertKind
    severity: Severity
    title: str
    parties: tuple[str, ...]
    evidence: Mapping[str, tuple[str, ...]]
    figures: Mapping[str, int | str | list[str]] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Stable per kind, parties and evidence: scanning the same window twice raises once."""
        parts = [self.kind.value, ",".join(sorted(self.parties))]
        parts += [f"{k}={','.join(sorted(v))}" for k, v in sorted(self.evidence.items())]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def wash_trades(
    trades: Sequence[TradeFact], transfers: Sequence[TransferFact], th: Mapping[str, int]
) -> list[Finding]:
    """Pairs trading back and forth with little net money moving, or while paying each other."""
    between: dict[tuple[str, str], list[TradeFact]] = defaultdict(list)
    for t in trades:
        if t.buyer_id != t.seller_id:
            between[_pair(t.buyer_id, t.seller_id)].append(t)
    paid: dict[tuple[str, str], list[TransferFact]] = defaultdict(list)
    for p in transfers:
        paid[_pair(p.payer_id, p.payee_id)].append(p)
    findings = []
    for pair, pair_trades in sorted(between.items()):
        a, b = pair
        ab = [t for t in pair_trades if t.buyer_id == a]
        ba = [t for t in pair_trades if t.buyer_id == b]
        gross = sum(t.price_fen for t in pair_trades)
        net = abs(sum(t.price_fen for t in ab) - sum(t.price_fen for t in ba))
        signals = []
        if (
            min(len(ab), len(ba)) >= th["wash_min_round_trips"]
            and net * BASIS <= th["wash_net_flow_bp"] * gross
        ):
            signals.append("back_and_forth")
        related = paid.get(pair, [])
        if related and len(pair_trades) >= th["wash_related_min_trades"]:
            signals.append("common_control")
        if not signals:
            continue
        evidence: dict[str, tuple[str, ...]] = {"trade_ids": tuple(t.trade_id for t in pair_trades)}
        if related:
            evidence["journal_ids"] = tuple(p.journal_id for p in related)
        findings.append(
            Finding(
                AlertKind.WASH_TRADE,
                Severity.HIGH if len(signals) == 2 else Severity.MEDIUM,
                f"{a} 与 {b} 对敲: {len(ab)} trades one way, {len(ba)} back",
                pair,
                evidence,
                {
                    "trades": len(pair_trades),
                    "gross_fen": gross,
                    "net_flow_fen": net,
                    "signals": signals,
                },
            )
        )
    return findings


def price_deviations(trades: Sequence[TradeFact], th: Mapping[str, int]) -> list[Finding]:
    """Per listing, its trades priced far from the median of their form and grade."""
    groups: dict[tuple[str, str], list[TradeFact]] = defaultdict(list)
    for t in trades:
        groups[(t.product_form, t.grade)].append(t)
    by_listing: dict[str, list[tuple[TradeFact, int, int]]] = defaultdict(list)
    for (_, _), group in sorted(groups.items()):
        if len(group) < th["price_min_sample"]:
            continue
        reference = median_low(t.price_fen for t in group)
        for t in group:
            deviation_bp = abs(t.price_fen - reference) * BASIS // max(reference, 1)
            if deviation_bp >= th["price_deviation_bp"]:
                by_listing[t.listing_id].append((t, reference, deviation_bp))
    findings = []
    for listing_id, hits in sorted(by_listing.items()):
        worst = max(d for _, _, d in hits)
        first, reference, _ = hits[0]
        parties = tuple(dict.fromkeys([first.seller_id, *(t.buyer_id for t, _, _ in hits)]))
        findings.append(
            Finding(
                AlertKind.PRICE_DEVIATION,
                Severity.HIGH if worst >= 2 * th["price_deviation_bp"] else Severity.MEDIUM,
                f"listing {listing_id}: {len(hits)} trades up to {worst / 100:.0f}% from the "
                f"median of {first.product_form}/{first.grade}",
                parties,
                {"trade_ids": tuple(t.trade_id for t, _, _ in hits)},
                {
                    "listing_id": listing_id,
                    "reference_price_fen": reference,
                    "max_deviation_bp": worst,
                },
            )
        )
    return findings


def cancel_bursts(dropped: Sequence[DroppedNegotiation], th: Mapping[str, int]) -> list[Finding]:
    """Participants who opened and dropped many negotiations in the window."""
    by_party: dict[str, list[str]] = defaultdict(list)
    for d in dropped:
        by_party[d.dropped_by].append(d.negotiation_id)
    return [
        Finding(
            AlertKind.CANCEL_BURST,
            Severity.MEDIUM,
            f"{party} dropped {len(ids)} negotiations",
            (party,),
            {"negotiation_ids": tuple(ids)},
            {"dropped": len(ids)},
        )
        for party, ids in sorted(by_party.items())
        if len(ids) >= th["cancel_burst_count"]
    ]


def _components(edges: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in parent:
        groups[find(x)].append(x)
    return sorted(tuple(sorted(g)) for g in groups.values())


def bid_collusion(auctions: Sequence[AuctionFact], th: Mapping[str, int]) -> list[Finding]:
    """Groups of bidders placing identical bids, or meeting in auctions and taking turns."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    identical_auctions: set[str] = set()
    for auction in auctions:
        by_amount: dict[int, list[str]] = defaultdict(list)
        for bid in auction.bids:
            by_amount[bid.amount_fen].append(bid.bidder_id)
        for bidders in by_amount.values():
            if len(bidders) >= th["collusion_identical_bids"]:
                identical_auctions.add(auction.auction_id)
                for i, a in enumerate(sorted(bidders)):
                    for b in sorted(bidders)[i + 1 :]:
                        edges[(a, b)].add("identical_bids")
    shared: dict[tuple[str, str], list[AuctionFact]] = defaultdict(list)
    for auction in auctions:
        bidders = sorted({b.bidder_id for b in auction.bids})
        for i, a in enumerate(bidders):
            for b in bidders[i + 1 :]:
                shared[(a, b)].append(auction)
    for pair, met in shared.items():
        winners = {x.winner_id for x in met}
        if len(met) >= th["collusion_rotation_auctions"] and set(pair) <= winners:
            edges[pair].add("rotating_winners")
    findings = []
    for group in _components(edges):
        members = set(group)
        met = [a for a in auctions if len(members & {b.bidder_id for b in a.bids}) >= 2]
        signals = sorted(
            {s for (a, b), found in edges.items() if a in members and b in members for s in found}
        )
        wins = {m: sum(1 for a in met if a.winner_id == m) for m in group}
        findings.append(
            Finding(
                AlertKind.BID_COLLUSION,
                Severity.HIGH if len(signals) == 2 else Severity.MEDIUM,
                f"{len(group)} bidders met in {len(met)} auctions ({', '.join(signals)})",
                group,
                {
                    "auction_ids": tuple(a.auction_id for a in met),
                    "bid_ids": tuple(
                        b.bid_id for a in met for b in a.bids if b.bidder_id in members
                    ),
                },
                {
                    "auctions": len(met),
                    "identical_bid_auctions": len(
                        [a for a in met if a.auction_id in identical_auctions]
                    ),
                    "signals": signals,
                    "wins": [f"{m}:{wins[m]}" for m in group],
                },
            )
        )
    return findings


def broker_mandates(
    trades: Sequence[TradeFact], mandates: Sequence[MandateFact], th: Mapping[str, int]
) -> list[Finding]:
    """Brokers who traded in the window under mandates spent near (or at) their limits."""
    traded: dict[str, list[str]] = defaultdict(list)
    for t in trades:
        if t.mandate_id is not None:
            traded[t.mandate_id].append(t.trade_id)
    findings = []
    for m in mandates:
        if m.mandate_id not in traded or m.spending_limit_fen <= 0:
            continue
        use_bp = m.spent_fen * BASIS // m.spending_limit_fen
        if use_bp < th["broker_mandate_use_bp"]:
            continue
        findings.append(
            Finding(
                AlertKind.BROKER_MANDATE,
                Severity.MEDIUM if use_bp >= BASIS else Severity.LOW,
                f"broker {m.broker_id} used {use_bp / 100:.0f}% of mandate {m.mandate_id}",
                (m.broker_id, m.client_id),
                {"trade_ids": tuple(traded[m.mandate_id]), "mandate_ids": (m.mandate_id,)},
                {"use_bp": use_bp, "spending_limit_fen": m.spending_limit_fen},
            )
        )
    return findings


def overdue_sharing(shares: Sequence[OverdueShare], th: Mapping[str, int]) -> list[Finding]:
    """Departments with sharing requests overdue (past the 3-working-day target)."""
    by_owner: dict[str, list[str]] = defaultdict(list)
    for s in shares:
        by_owner[s.owner_department_id].append(s.request_id)
    return [
        Finding(
            AlertKind.OVERDUE_SHARING,
            Severity.MEDIUM if len(ids) > th["sharing_overdue_count"] else Severity.LOW,
            f"department {owner}: {len(ids)} sharing requests overdue",
            (),
            {"share_request_ids": tuple(ids), "department_ids": (owner,)},
            {"overdue": len(ids)},
        )
        for owner, ids in sorted(by_owner.items())
        if len(ids) >= th["sharing_overdue_count"]
    ]


def unanswered_customs(cases: Sequence[PendingCustoms], th: Mapping[str, int]) -> list[Finding]:
    """Customs cases left pending longer than the threshold (working days)."""
    limit = th["customs_pending_working_days"]
    return [
        Finding(
            AlertKind.UNANSWERED_CUSTOMS,
            Severity.HIGH if c.working_days >= 2 * limit else Severity.MEDIUM,
            f"customs case {c.case_id} pending {c.working_days} working days",
            (c.buyer_id,),
            {"customs_case_ids": (c.case_id,)},
            {"working_days": c.working_days},
        )
        for c in cases
        if c.working_days >= limit
    ]
