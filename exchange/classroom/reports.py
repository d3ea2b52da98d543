"""Results of live classes: the same results an offline run writes, plus a CSV of every
order and trade with each payoff.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.classroom import repository, seats
from exchange.classroom.classes import catch_up, owned_class, scenario_of
from exchange.classroom.live import (
    RoundWindow,
    SeatInfo,
    class_record,
    seat_name,
)
from exchange.classroom.models import (
    Classroom,
    ClassStatus,
    Occupant,
)
from exchange.classroom.sandbox import MAIN, registry
from exchange.context import Context, Principal, Runtime
from exchange.simulation import runner, welfare
from exchange.simulation.results import Results, RunRecord, TradeRecord, compute, write_csv
from exchange.trading.orders import service as orders_service
from exchange.vocabulary import Role

# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassOutcome:
    """A class's results, written under its results directory."""

    cls: Classroom
    record: RunRecord
    results: Results
    out: Path

    @property
    def report(self) -> Path:
        return self.out / "report.html"

    @property
    def activity_csv(self) -> Path:
        return self.out / "activity.csv"


ACTIVITY_COLUMNS = [
    "kind",
    "round",
    "agent",
    "name",
    "student",
    "role",
    "exchange",
    "mode",
    "price_fen",
    "buyer_fee_fen",
    "seller_fee_fen",
    "commission_fen",
    "outcome",
    "reason",
    "counterparty",
    "value_fen",
    "surplus_fen",
    "payoff_fen",
]


def _activity_rows(record: RunRecord, results: Results) -> list[dict[str, Any]]:
    """Every order and trade, one row per participant involved, with its total payoff."""
    agents = {a.key: a for a in record.agents}
    payoff = {p["key"]: p["payoff_fen"] for p in results.participants}

    def who(key: str) -> dict[str, Any]:
        agent = agents.get(key)
        return {
            "agent": key,
            "name": agent.name if agent else key,
            "student": bool(agent and agent.human),
            "role": agent.role if agent else "",
            "payoff_fen": payoff.get(key, 0),
        }

    rows: list[dict[str, Any]] = []
    for o in record.orders:
        rows.append(
            {
                "kind": "order",
                "round": o.round,
                **who(o.buyer),
                "exchange": o.exchange_id,
                "mode": o.mode,
                "price_fen": o.price_fen,
                "outcome": o.outcome,
                "reason": o.reason,
                "counterparty": o.broker or "",
            }
        )
    for t in record.trades:
        settled = t.settled()
        for side, key, other, surplus in (
            ("trade:buyer", t.buyer, t.seller, welfare.buyer_surplus(settled)),
            ("trade:seller", t.seller, t.buyer, welfare.seller_surplus(settled)),
        ):
            rows.append(
                {
                    "kind": side,
                    "round": t.round,
                    **who(key),
                    "exchange": t.exchange_id,
                    "mode": t.mode,
                    "price_fen": t.price_fen,
                    "buyer_fee_fen": t.buyer_fee_fen,
                    "seller_fee_fen": t.seller_fee_fen,
                    "commission_fen": t.commission_fen,
                    "outcome": "settled",
                    "counterparty": other,
                    "value_fen": t.value_fen if side == "trade:buyer" else t.unit_cost_fen,
                    "surplus_fen": surplus,
                }
            )
    rows.sort(key=lambda r: (r["round"], r["kind"], r["agent"]))
    return rows


async def _record(session: AsyncSession, class_runtime: Runtime, cls: Classroom) -> RunRecord:
    """The run record of a class: its seats and rounds (main database), its market's trades."""
    scenario = scenario_of(cls)
    seats = await repository.list_seats(session, cls.id)
    windows = [
        RoundWindow(r.round, r.started_at, r.ended_at)
        for r in await repository.list_rounds(session, cls.id)
    ]
    infos = [
        SeatInfo(
            s.agent_key,
            s.participant_id,
            s.student_name
            if s.occupant == Occupant.STUDENT and s.student_name
            else seat_name(s.agent_key),
            s.occupant == Occupant.STUDENT,
        )
        for s in seats
    ]
    record = await class_record(
        scenario,
        class_runtime,
        label=f"class {cls.title}",
        seats=infos,
        windows=windows,
        rounds_played=cls.round,
    )
    record.title = f"{cls.title} · {scenario.title or scenario.name}"
    return record


@dataclass(frozen=True, slots=True)
class ClassStanding:
    """A class's results so far (final once it has finished), computed, not written."""

    cls: Classroom
    record: RunRecord
    results: Results
    newest: list[TradeRecord]  # the latest trades, last settled first

    @property
    def final(self) -> bool:
        return self.cls.status == ClassStatus.FINISHED


async def standing(ctx: Context, *, class_id: str, newest: int = 12) -> ClassStanding:
    """The class's results so far, for its instructor's live view: trades, prices, welfare."""
    cls = await owned_class(ctx, class_id, lock=True)
    await catch_up(ctx, cls)
    session = registry(ctx.runtime).session(cls.id, cls.clock_offset_us)
    record = await _record(ctx.session, session.runtime, cls)
    # The record orders trades by round; the market knows which settled last.
    admin = next(
        s for s in await repository.list_seats(ctx.session, cls.id) if s.agent_key == "admin"
    )
    async with session.runtime.sessionmaker() as class_db:
        market = session.runtime.context(
            class_db, Principal(admin.participant_id, "admin", Role.ADMIN, "CN")
        )
        latest, _ = await orders_service.list_all_trades(market, limit=newest, offset=0)
    by_id = {t.trade_id: t for t in record.trades}
    return ClassStanding(
        cls, record, compute(record), [by_id[t.id] for t in latest if t.id in by_id]
    )


async def results(ctx: Context, *, class_id: str) -> ClassOutcome:
    """The class's results (final once it has finished), written as files too."""
    found = await standing(ctx, class_id=class_id)
    out = registry(ctx.runtime).db_path(class_id).with_suffix("") / "results"
    computed, _ = runner.write_outputs(out, found.record)
    write_csv(out / "activity.csv", _activity_rows(found.record, computed), ACTIVITY_COLUMNS)
    return ClassOutcome(found.cls, found.record, computed, out)


def rank_in_role(participants: Sequence[Mapping[str, Any]], key: str) -> tuple[int, int]:
    """(rank, players) of `key` by payoff among the players of its role (ties share a rank)."""
    me = next(p for p in participants if p["key"] == key)
    peers = [p["payoff_fen"] for p in participants if p["role"] == me["role"]]
    return 1 + sum(1 for payoff in peers if payoff > me["payoff_fen"]), len(peers)


@dataclass(frozen=True, slots=True)
class StudentStanding:
    """A student's result in its class: payoff, trades and rank among its role's players."""

    final: bool
    role: str
    payoff_fen: int
    trades: int
    rank: int
    players: int


async def student_standing(ctx: Context) -> StudentStanding:
    """The calling student's payoff and rank, from the class's results (its class market)."""
    cls, seat = await seats.student_seat(ctx)
    main = ctx.runtime.cache.get(MAIN)
    assert main is not None, "a student's context runs on its class market"
    async with main.unit_of_work(write=False) as session:
        record = await _record(session, ctx.runtime, cls)
    participants = compute(record).participants
    mine = next(p for p in participants if p["key"] == seat.agent_key)
    rank, players = rank_in_role(participants, seat.agent_key)
    return StudentStanding(
        cls.status == ClassStatus.FINISHED,
        seat.role,
        mine["payoff_fen"],
        mine["trades"],
        rank,
        players,
    )
