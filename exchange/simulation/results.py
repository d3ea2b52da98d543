"""What a run (offline or a live class) records, and the results computed from it.

A `RunRecord` holds the facts: agents, trades, orders, customs cases and each round's needs
with the best gains they could have yielded. `compute` turns it into per-round, per-exchange
and per-participant results plus welfare; `write_tables` writes them as CSV and JSON. Offline
runs and live classes share all of this, so a class ends with the same results as a run.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from exchange.simulation import welfare


@dataclass(frozen=True, slots=True)
class AgentRecord:
    """One agent (or student) of a run."""

    key: str
    role: str
    name: str
    participant_id: str
    jurisdiction: str = "CN"
    strategy: str = ""
    human: bool = False


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """A settled trade as the results see it."""

    round: int
    trade_id: str
    exchange_id: str
    mode: str
    product: str
    form: str
    grade: str
    cross_border: bool
    buyer: str
    seller: str
    broker: str | None
    price_fen: int
    buyer_fee_fen: int
    seller_fee_fen: int
    commission_fen: int
    value_fen: int
    unit_cost_fen: int
    restriction: str = "open"  # the product's usage policy: open, limited or compute

    @property
    def kind(self) -> str:
        """The form, and the usage policy if any (e.g. "dataset/compute")."""
        return self.form if self.restriction == "open" else f"{self.form}/{self.restriction}"

    def settled(self) -> welfare.Settled:
        """The money side for welfare measures."""
        return welfare.Settled(
            value_fen=self.value_fen,
            price_fen=self.price_fen,
            buyer_fee_fen=self.buyer_fee_fen,
            seller_fee_fen=self.seller_fee_fen,
            commission_fen=self.commission_fen,
            unit_cost_fen=self.unit_cost_fen,
        )


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An attempt to trade (an order, a negotiation or a bid) and how it ended."""

    round: int
    buyer: str
    exchange_id: str
    mode: str
    price_fen: int
    outcome: str  # settled, refused, failed, awaiting_customs, lost, no_deal
    reason: str = ""
    broker: str | None = None


@dataclass(frozen=True, slots=True)
class CustomsRecord:
    """A data-customs case (数据海关) and its outcome."""

    round: int
    exchange_id: str
    buyer: str
    grade: str
    personal_information: bool
    legal_basis: str | None
    outcome: str  # auto_cleared, auto_refused, approved, rejected, pending


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """A buyer's need in one round and the best gains any allocation could have given it."""

    round: int
    buyer: str
    form: str
    value_fen: int
    best_gains_fen: int


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A surveillance alert (监测预警) the run ended with: who, what and on what evidence."""

    kind: str
    severity: str
    title: str
    parties: tuple[str, ...]  # agent keys
    trades: int
    auctions: int
    entries: int
    alert_id: str = ""


@dataclass(frozen=True)
class OperationRecord:
    """Authorized operation in a run (公共数据授权运营): how many derived products the
    providers meant to register and did, the agreements, and what the department was paid
    (the operation service's sum and its ledger balance)."""

    opening: str
    exclusive: bool
    revenue_share_bp: int
    public_products: int
    registered_public: int
    products: int
    agreements: int
    refused_agreements: int
    revenue_fen: int
    department_balance_fen: int


@dataclass(frozen=True)
class ConsentRecord:
    """Consent of individuals in a run (授权用数): the people asked, the consents they granted
    (the rate realised), and the products containing personal information registered on them
    or dropped for too few consenting people."""

    subjects: int
    rate_bp: int
    min_subjects: int
    asked: int
    granted: int
    pi_products: int
    registered_pi: int
    dropped_pi: int
    products: int

    @property
    def realised_bp(self) -> int:
        """The share of requests the people granted, in basis points."""
        return self.granted * 10_000 // self.asked if self.asked else 0


@dataclass
class RunRecord:
    """Everything a run produced that the results are computed from."""

    scenario: str
    label: str
    seed: int
    rounds: int
    exchanges: list[str]
    agents: list[AgentRecord] = field(default_factory=list)
    trades: list[TradeRecord] = field(default_factory=list)
    orders: list[OrderRecord] = field(default_factory=list)
    customs: list[CustomsRecord] = field(default_factory=list)
    needs: list[NeedRecord] = field(default_factory=list)
    # Best gains of exclusive licences, assigned round by round (rivalry makes it a matching).
    best_gains_by_round: dict[int, int] = field(default_factory=dict)
    audit_root: str = ""
    audit_size: int = 0
    title: str = ""
    note: str = ""
    alerts: list[AlertRecord] = field(default_factory=list)
    surveilled: bool = False  # the run ended with a surveillance scan
    operation: OperationRecord | None = None
    consent: ConsentRecord | None = None


@dataclass
class Results:
    """Tables and totals computed from a run record."""

    summary: dict[str, Any]
    rounds: list[dict[str, Any]]
    prices: list[dict[str, Any]]
    participants: list[dict[str, Any]]
    customs: list[dict[str, Any]]
    welfare_by_round: list[dict[str, Any]]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def best_gains(record: RunRecord, round_no: int | None = None) -> int:
    """The best achievable gains of the run (or of one round)."""
    if record.best_gains_by_round:
        if round_no is None:
            return sum(record.best_gains_by_round.values())
        return record.best_gains_by_round.get(round_no, 0)
    return sum(n.best_gains_fen for n in record.needs if round_no is None or n.round == round_no)


def _payoffs(record: RunRecord) -> dict[str, int]:
    payoff: dict[str, int] = {a.key: 0 for a in record.agents}
    for t in record.trades:
        s = t.settled()
        payoff[t.buyer] = payoff.get(t.buyer, 0) + welfare.buyer_surplus(s)
        payoff[t.seller] = payoff.get(t.seller, 0) + welfare.seller_surplus(s)
        if t.broker is not None:
            payoff[t.broker] = payoff.get(t.broker, 0) + t.commission_fen
    return payoff


def compute(record: RunRecord) -> Results:
    """Per-round and per-exchange market figures, payoffs and welfare of a run."""
    by_round_exchange: dict[tuple[int, str], list[TradeRecord]] = defaultdict(list)
    for t in record.trades:
        by_round_exchange[(t.round, t.exchange_id)].append(t)
    customs_by: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in record.customs:
        customs_by[(c.round, c.exchange_id)][c.outcome] += 1
    refused_by: dict[tuple[int, str], int] = defaultdict(int)
    for o in record.orders:
        if o.outcome in ("refused", "failed"):
            refused_by[(o.round, o.exchange_id)] += 1

    rounds: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    for r in range(1, record.rounds + 1):
        turnover_all = sum(
            t.price_fen for ex in record.exchanges for t in by_round_exchange.get((r, ex), [])
        )
        for ex in record.exchanges:
            trades = by_round_exchange.get((r, ex), [])
            turnover = sum(t.price_fen for t in trades)
            cases = customs_by.get((r, ex), {})
            rounds.append(
                {
                    "round": r,
                    "exchange": ex,
                    "trades": len(trades),
                    "turnover_fen": turnover,
                    "market_share": _share(turnover, turnover_all),
                    "buyer_fees_fen": sum(t.buyer_fee_fen for t in trades),
                    "seller_fees_fen": sum(t.seller_fee_fen for t in trades),
                    "broker_commissions_fen": sum(t.commission_fen for t in trades),
                    "brokered_trades": sum(1 for t in trades if t.broker is not None),
                    "cross_border_trades": sum(1 for t in trades if t.cross_border),
                    "refused_orders": refused_by.get((r, ex), 0),
                    "customs_cleared": cases.get("auto_cleared", 0) + cases.get("approved", 0),
                    "customs_refused": cases.get("auto_refused", 0) + cases.get("rejected", 0),
                    "customs_pending": cases.get("pending", 0),
                }
            )
            by_form: dict[str, list[int]] = defaultdict(list)
            for t in trades:
                by_form[t.kind].append(t.price_fen)
            for form in sorted(by_form):
                values = by_form[form]
                prices.append(
                    {
                        "round": r,
                        "exchange": ex,
                        "form": form,
                        "trades": len(values),
                        "mean_price_fen": sum(values) // len(values),
                        "min_price_fen": min(values),
                        "max_price_fen": max(values),
                    }
                )

    payoff = _payoffs(record)
    trades_by_agent: dict[str, int] = defaultdict(int)
    for t in record.trades:
        trades_by_agent[t.buyer] += 1
        trades_by_agent[t.seller] += 1
        if t.broker is not None:
            trades_by_agent[t.broker] += 1
    participants = [
        {
            "key": a.key,
            "role": a.role,
            "name": a.name,
            "participant_id": a.participant_id,
            "jurisdiction": a.jurisdiction,
            "strategy": a.strategy,
            "human": a.human,
            "trades": trades_by_agent.get(a.key, 0),
            "payoff_fen": payoff.get(a.key, 0),
        }
        for a in record.agents
    ]

    welfare_rows = []
    for r in range(1, record.rounds + 1):
        w = welfare.welfare(
            [t.settled() for t in record.trades if t.round == r],
            best_gains_fen=best_gains(record, r),
        )
        welfare_rows.append({"round": r, **_welfare_dict(w)})

    customs_rows = [
        {"round": r, "exchange": ex, "outcome": outcome, "cases": n}
        for (r, ex), outcomes in sorted(customs_by.items())
        for outcome, n in sorted(outcomes.items())
    ]

    total = welfare.welfare([t.settled() for t in record.trades], best_gains_fen=best_gains(record))
    turnover_total = sum(t.price_fen for t in record.trades)
    by_exchange = {
        ex: {
            "trades": sum(1 for t in record.trades if t.exchange_id == ex),
            "turnover_fen": sum(t.price_fen for t in record.trades if t.exchange_id == ex),
            "market_share": _share(
                sum(t.price_fen for t in record.trades if t.exchange_id == ex), turnover_total
            ),
            "fees_fen": sum(
                t.buyer_fee_fen + t.seller_fee_fen for t in record.trades if t.exchange_id == ex
            ),
        }
        for ex in record.exchanges
    }
    outcome_counts: dict[str, int] = defaultdict(int)
    for c in record.customs:
        outcome_counts[c.outcome] += 1
    order_counts: dict[str, int] = defaultdict(int)
    for o in record.orders:
        order_counts[o.outcome] += 1
    payoffs = [payoff.get(a.key, 0) for a in record.agents if a.role not in ("regulator",)]
    summary = {
        "scenario": record.scenario,
        "label": record.label,
        "title": record.title,
        "seed": record.seed,
        "rounds": record.rounds,
        "agents": len(record.agents),
        "trades": len(record.trades),
        "turnover_fen": turnover_total,
        "by_exchange": by_exchange,
        "orders": dict(sorted(order_counts.items())),
        "customs": dict(sorted(outcome_counts.items())),
        "welfare": _welfare_dict(total),
        "gini_payoffs": welfare.gini(payoffs),
        "audit_root": record.audit_root,
        "audit_size": record.audit_size,
    }
    if record.surveilled:
        kinds: dict[str, int] = defaultdict(int)
        for alert in record.alerts:
            kinds[alert.kind] += 1
        summary["alerts"] = dict(sorted(kinds.items()))
    if record.operation is not None:
        summary["operation"] = {
            **asdict(record.operation),
            "mean_price_fen": (turnover_total // len(record.trades)) if record.trades else 0,
        }
    if record.consent is not None:
        summary["consent"] = {
            **asdict(record.consent),
            "realised_bp": record.consent.realised_bp,
            "mean_price_fen": (turnover_total // len(record.trades)) if record.trades else 0,
        }
    return Results(summary, rounds, prices, participants, customs_rows, welfare_rows)


def _welfare_dict(w: welfare.Welfare) -> dict[str, Any]:
    return {
        "buyer_surplus_fen": w.buyer_surplus_fen,
        "seller_surplus_fen": w.seller_surplus_fen,
        "fees_fen": w.fees_fen,
        "commissions_fen": w.commissions_fen,
        "realised_gains_fen": w.realised_gains_fen,
        "best_gains_fen": w.best_gains_fen,
        "efficiency": w.efficiency,
    }


def write_csv(path: Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Rows as UTF-8 CSV (with a BOM, so spreadsheet programs read Chinese text right)."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _cell(row.get(c)) for c in columns})


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_json(path: Path, data: Any) -> None:
    """Pretty, stable JSON (sorted keys, Chinese kept as is)."""
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def _columns(rows: Sequence[Mapping[str, Any]], default: Sequence[str]) -> list[str]:
    return list(rows[0].keys()) if rows else list(default)


TRADE_COLUMNS = [f for f in TradeRecord.__dataclass_fields__]
ORDER_COLUMNS = [f for f in OrderRecord.__dataclass_fields__]


def write_tables(out: Path, record: RunRecord, results: Results) -> list[Path]:
    """Write the run's CSV tables and summary.json into `out`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    tables: list[tuple[str, Sequence[Mapping[str, Any]], Sequence[str]]] = [
        ("rounds.csv", results.rounds, ["round", "exchange", "trades", "turnover_fen"]),
        ("prices.csv", results.prices, ["round", "exchange", "form", "trades", "mean_price_fen"]),
        ("participants.csv", results.participants, ["key", "role", "name", "payoff_fen"]),
        ("customs.csv", results.customs, ["round", "exchange", "outcome", "cases"]),
        ("welfare.csv", results.welfare_by_round, ["round", "efficiency"]),
        ("trades.csv", [asdict(t) for t in record.trades], TRADE_COLUMNS),
        ("orders.csv", [asdict(o) for o in record.orders], ORDER_COLUMNS),
    ]
    if record.alerts:
        alerts = [{**asdict(a), "parties": ";".join(a.parties)} for a in record.alerts]
        tables.append(("alerts.csv", alerts, ["kind", "severity", "parties", "title"]))
    for name, rows, default in tables:
        path = out / name
        write_csv(path, rows, _columns(rows, default))
        written.append(path)
    path = out / "summary.json"
    write_json(path, results.summary)
    written.append(path)
    return written
