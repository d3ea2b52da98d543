"""Races (issue 16): a freeze that meets purchases in flight — each purchase commits before the
freeze or is refused after it, never half; two unfreezes of one account — one wins, the other
meets its own problem; two freezes, two handlings of one alert — one wins."""

from __future__ import annotations

import asyncio
import json

from conftest import Supervision
from sqlalchemy import func, select
from support_supervision import impose, open_case, wash_pair
from trading.support_trading import money_invariants, tier

from exchange.audit.log.models import AuditEntry
from exchange.participants.models import Account
from exchange.trading.orders.models import Order, Trade
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem

COST = 30_090  # 30,000 fen on Shenzhen plus its 30 bp buyer fee


async def _entries(sv: Supervision) -> list[tuple[int, str, str, dict[str, object]]]:
    async with sv.m.runtime.sessionmaker() as session:
        rows = (
            await session.execute(
                select(
                    AuditEntry.seq, AuditEntry.action, AuditEntry.subject_id, AuditEntry.leaf
                ).order_by(AuditEntry.seq)
            )
        ).all()
    return [(s, a, sid, json.loads(bytes(leaf))["payload"]) for s, a, sid, leaf in rows]


async def test_a_freeze_amid_purchases_lets_each_commit_before_it_or_refuses_it_after(
    sv: Supervision, make_participant: MakeParticipant
) -> None:
    m = sv.m
    listing = await m.list("traffic", ["szdex"], [tier(price_fen=30_000)])
    spender = await make_participant(Role.ENTERPRISE, name="并发买方", balance_fen=40 * COST)
    case = await open_case(sv, sv.amr, "participant", spender.id)

    first_sale = asyncio.Event()

    async def purchase(i: int) -> int:
        await asyncio.sleep(0.005 * i)
        r = await m.order(spender, listing)
        if r.status_code != 201:
            body = assert_problem(r, 409, "account-frozen")
            assert body["case_id"] == case["id"] and body["measure_id"]
        else:
            first_sale.set()
        return r.status_code

    async def freeze() -> int:
        await first_sale.wait()  # the freeze lands while purchases are in flight
        r = await sv.post(
            f"/cases/{case['id']}/measures",
            sv.amr,
            {"kind": "freeze_account", "subject_id": spender.id, "reason": "并发冻结"},
        )
        return r.status_code

    results = await asyncio.gather(*(purchase(i) for i in range(30)), freeze())
    assert results[-1] == 201
    bought = results[:-1].count(201)
    refused = results[:-1].count(409)
    assert bought + refused == 30 and bought >= 1
    assert_problem(await m.order(spender, listing), 409, "account-frozen")

    # Nothing half: every order has its trade; the account paid exactly for those.
    async with m.runtime.sessionmaker() as session:
        orders = int(await session.scalar(select(func.count()).where(Order.buyer_id == spender.id)))
        trades = int(await session.scalar(select(func.count()).where(Trade.buyer_id == spender.id)))
        account = await session.scalar(select(Account).where(Account.owner_id == spender.id))
    assert orders == trades == bought
    assert account is not None and account.balance_fen == 40 * COST - bought * COST
    assert account.frozen_by is not None
    # In the log (commit order), no payment by the account comes after its freeze.
    entries = await _entries(sv)
    frozen_at = next(s for s, a, sid, _ in entries if a == "account.frozen" and sid == account.id)
    debits = [
        s
        for s, a, _, payload in entries
        if a == "ledger.posted"
        and any(
            p["account_id"] == account.id and p["amount_fen"] < 0  # type: ignore[index]
            for p in payload["postings"]  # type: ignore[union-attr]
        )
    ]
    assert len(debits) == bought and all(s < frozen_at for s in debits)
    await money_invariants(m.runtime)


async def test_two_unfreezes_at_once_lift_once_and_the_other_meets_its_own_problem(
    sv: Supervision,
) -> None:
    m = sv.m
    case = await open_case(sv, sv.amr, "participant", m.buyer.id)
    frozen = await impose(sv, sv.amr, case, "freeze_account", m.buyer.id)
    measure_id = frozen["measure"]["id"]

    async def lift() -> int:
        r = await sv.post(f"/measures/{measure_id}/lift", sv.amr, {"reason": "解冻"})
        if r.status_code != 201:
            body = assert_problem(r, 409, "measure-already-lifted")
            assert body["measure_id"] == measure_id and body["case_id"] == case["id"]
        return r.status_code

    assert sorted(await asyncio.gather(lift(), lift(), lift())) == [201, 409, 409]
    unfrozen = [e for e in await _entries(sv) if e[1] == "account.unfrozen"]
    lifted = [e for e in await _entries(sv) if e[1] == "supervision.measure_lifted"]
    assert len(unfrozen) == len(lifted) == 1
    # Unfreezing once more, later, is the same problem; nothing is written.
    again = assert_problem(
        await sv.post(f"/measures/{measure_id}/lift", sv.amr, {"reason": "再次解冻"}),
        409,
        "measure-already-lifted",
    )
    assert "lifted already" in again["detail"]
    assert len([e for e in await _entries(sv) if e[1] == "account.unfrozen"]) == 1
    await m.buy(m.buyer, await m.list("traffic", ["szdex"], [tier(price_fen=30_000)]))


async def test_two_freezes_at_once_bind_once(sv: Supervision) -> None:
    m = sv.m
    first = await open_case(sv, sv.amr, "participant", m.rival.id)
    second = await open_case(sv, sv.amr, "participant", m.rival.id)

    async def freeze(case_id: str) -> int:
        r = await sv.post(
            f"/cases/{case_id}/measures",
            sv.amr,
            {"kind": "freeze_account", "subject_id": m.rival.id, "reason": "冻结"},
        )
        if r.status_code != 201:
            assert r.status_code == 409, r.text
            assert r.json()["type"] in (
                "/problems/measure-already-in-force",
                "/problems/account-already-frozen",
            )
        return r.status_code

    assert sorted(await asyncio.gather(freeze(first["id"]), freeze(second["id"]))) == [201, 409]
    in_force = await sv.ok(sv.get("/measures", sv.cac, subject_id=m.rival.id, state="in_force"))
    assert in_force["total"] == 1


async def test_dismissing_and_opening_a_case_on_one_alert_at_once_one_wins(
    sv: Supervision, make_participant: MakeParticipant
) -> None:
    start = sv.m.clock.now()
    await wash_pair(sv, make_participant)
    scan = await sv.ok(sv.post("/alerts/scan", sv.amr, {"since": start.isoformat()}), 201)
    alert = next(a for a in scan["raised"] if a["kind"] == "wash_trade")
    body = {
        "remit": "trading_conduct",
        "subject_type": "participant",
        "subject_id": sv.m.buyer.id,
        "title": "对敲",
        "summary": "对敲",
        "alert_id": alert["id"],
    }
    opened, dismissed = await asyncio.gather(
        sv.post("/cases", sv.amr, body),
        sv.post(f"/alerts/{alert['id']}/dismissal", sv.amr, {"reason": "正常往来"}),
    )
    assert sorted([opened.status_code, dismissed.status_code]) in ([200, 409], [201, 409])
    final = await sv.ok(sv.get(f"/alerts/{alert['id']}", sv.amr))
    cases = await sv.ok(sv.get("/cases", sv.amr))
    if opened.status_code == 201:
        assert final["state"] == "case_opened" and cases["total"] == 1
        assert_problem(dismissed, 409, "alert-handled")
    else:
        assert final["state"] == "dismissed" and cases["total"] == 0
        assert_problem(opened, 409, "alert-handled")
