"""Races of authorized operation, on both databases: of overlapping exclusive agreements one is
approved; a suspension racing purchases never lets a sale settle after it committed."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from support_operation import Province, money_invariants

from exchange.audit.log.models import AuditEntry
from exchange.operation.agreements.models import Agreement
from exchange.operation.revenue.models import RevenueShare
from exchange.trading.orders.models import Trade
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem


async def test_of_overlapping_exclusive_agreements_one_is_approved(
    province: Province, make_participant: MakeParticipant
) -> None:
    p = province
    operators = [p.operator, p.rival] + [
        await make_participant(Role.ENTERPRISE, name=f"运营机构{i}") for i in range(6)
    ]
    # Proposals are not grants: all eight are accepted; the approvals race.
    proposals = [await p.propose(operator, exclusive=True) for operator in operators]
    answers = await asyncio.gather(*(p.decide(a["id"]) for a in proposals))
    won = [r for r in answers if r.status_code == 200]
    assert len(won) == 1, [r.text for r in answers]
    for r in answers:
        if r.status_code != 200:
            assert_problem(r, 409, "exclusive-operation-conflict")
    async with p.runtime.sessionmaker() as session:
        statuses = sorted((await session.execute(select(Agreement.status))).scalars())
    assert statuses == ["active"] + ["proposed"] * 7


async def test_a_suspension_racing_purchases_never_settles_a_sale_after_it(
    province: Province, make_participant: MakeParticipant
) -> None:
    p = province
    agreement = await p.approved()
    listing = await p.list_asset((await p.register())["id"])
    buyers = [
        await make_participant(Role.ENTERPRISE, name=f"买方{i}", balance_fen=5_000_000)
        for i in range(8)
    ]
    calls = [p.order(listing, buyer) for buyer in buyers[:4]]
    calls.append(p.move(agreement["id"], "suspension"))
    calls += [p.order(listing, buyer) for buyer in buyers[4:]]
    answers = await asyncio.gather(*calls)
    suspension = answers[4]
    assert suspension.status_code == 200, suspension.text
    orders = answers[:4] + answers[5:]
    for r in orders:
        if r.status_code != 201:
            problem = assert_problem(r, 409)
            assert problem["type"] in (
                "/problems/listing-not-active",
                "/problems/operating-agreement-not-live",
            ), problem
    async with p.runtime.sessionmaker() as session:
        actions = list(
            (
                await session.execute(
                    select(AuditEntry.action, AuditEntry.subject_id).order_by(AuditEntry.seq)
                )
            ).all()
        )
        trades = set((await session.scalars(select(Trade.id))).all())
        shared = set((await session.scalars(select(RevenueShare.trade_id))).all())
    suspended_at = actions.index(("operation.agreement_suspended", agreement["id"]))
    settled = [i for i, (action, _) in enumerate(actions) if action == "trading.trade_settled"]
    # Every sale that settled committed before the suspension; each paid the department.
    assert all(i < suspended_at for i in settled)
    assert len(settled) == len(trades) == sum(r.status_code == 201 for r in orders)
    assert shared == trades
    await money_invariants(p.runtime)
