"""Delivery as a transfer process: REQUESTED → STARTED → (SUSPENDED ↔ STARTED) → COMPLETED /
TERMINATED, each transition audited; every delivery checked against the licence's policy at
that moment, each refusal naming its clause and recorded, nothing delivered."""

from __future__ import annotations

import asyncio
import hashlib

from sqlalchemy import update
from support_policies import (
    CN_CREDIT,
    DAY,
    licence_for,
    licence_row,
    refused_and_recorded,
    transfer,
)
from support_trading import Market, audit_actions

from exchange.participants.models import Participant
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem


async def test_each_clause_is_enforced_at_delivery_and_each_refusal_recorded(
    market: Market,
) -> None:
    m = market
    listing, licence = await licence_for(m, "electricity", CN_CREDIT, term_days=30)
    lid = licence["id"]
    url = f"/v1/licences/{lid}/transfers"
    # Purpose: undeclared, then not permitted; no transfer starts.
    await refused_and_recorded(
        m, m.post(url, m.buyer, {}), 409, "usage-purpose-not-declared", "purpose"
    )
    body = await refused_and_recorded(
        m,
        m.post(url, m.buyer, {"purpose": "marketing"}),
        409,
        "usage-purpose-not-allowed",
        "purpose",
    )
    assert body["allowed"] == ["credit_assessment", "risk_control"]
    assert (await m.ok(m.get("/v1/transfers", m.buyer)))["total"] == 0
    # Only the licensee asks; the licence's old download path sends it to a transfer.
    assert_problem(await m.post(url, m.seller, {"purpose": "risk_control"}), 403)
    assert_problem(
        await m.get(f"/v1/licences/{lid}/delivery", m.buyer), 409, "usage-transfer-required"
    )

    t = await transfer(m, licence, "risk_control")
    data = f"/v1/transfers/{t['id']}/data"
    for _ in range(2):
        got = await m.client.get(data, headers=m.buyer.auth)
        assert got.status_code == 200, got.text
        assert got.content == m.specs["electricity"].package
        assert hashlib.sha256(got.content).hexdigest() == got.headers["x-content-sha256"]
        assert got.headers["x-content-sha256"] == listing["delivery"]["sha256"]
        assert got.headers["x-certificate"] == listing["certificate_number"]
        assert got.headers["x-attribution"]
    # Quota: two a day.
    body = await refused_and_recorded(
        m, m.client.get(data, headers=m.buyer.auth), 409, "usage-quota-exhausted", "quota"
    )
    assert body["limit"] == 2 and body["period"] == "day"
    assert (await licence_row(m, lid)).usage_count == 2
    m.clock.advance(DAY)
    assert (await m.client.get(data, headers=m.buyer.auth)).status_code == 200
    # Territory: the buyer re-registers in Hong Kong; its next delivery is refused.
    async with m.runtime.engine.begin() as conn:
        await conn.execute(
            update(Participant).where(Participant.id == m.buyer.id).values(jurisdiction="HK")
        )
    body = await refused_and_recorded(
        m, m.client.get(data, headers=m.buyer.auth), 409, "usage-territory-not-allowed", "territory"
    )
    assert body["jurisdiction"] == "HK"
    async with m.runtime.engine.begin() as conn:
        await conn.execute(
            update(Participant).where(Participant.id == m.buyer.id).values(jurisdiction="CN")
        )
    # The term: once it ends, nothing more (and no new transfer).
    m.clock.advance(30 * DAY)
    await refused_and_recorded(
        m, m.client.get(data, headers=m.buyer.auth), 409, "usage-term-ended", "term"
    )
    await refused_and_recorded(
        m, m.post(url, m.buyer, {"purpose": "risk_control"}), 409, "usage-term-ended", "term"
    )
    # What a seller and a regulator see: every use and every refusal, with its clause.
    usage = await m.ok(m.get(f"/v1/licences/{lid}/usage", m.seller, limit=50))
    kinds = [r["kind"] for r in reversed(usage["items"])]
    assert kinds == [
        "refused",
        "refused",
        "download",
        "download",
        "refused",
        "download",
        "refused",
        "refused",
        "refused",
    ]
    clauses = [r["clause"] for r in reversed(usage["items"]) if r["kind"] == "refused"]
    assert clauses == ["purpose", "purpose", "quota", "territory", "term", "term"]
    regulator = await m.ok(m.get(f"/v1/licences/{lid}/usage", m.regulator, kind="refused"))
    assert regulator["total"] == 6
    assert_problem(await m.get(f"/v1/licences/{lid}/usage", m.rival), 404)
    # The log still rebuilds every table it covers, the tier's and licence's policies with it.
    report = await m.ok(m.get("/v1/audit/reconcile", m.regulator))
    assert report["ok"] is True, report["differences"]


async def test_a_transfer_is_suspended_and_resumed_each_step_audited(market: Market) -> None:
    m = market
    _, licence = await licence_for(m, "traffic", {**CN_CREDIT, "quota": None})
    before = len(await audit_actions(m.runtime))
    t = await transfer(m, licence)
    data = f"/v1/transfers/{t['id']}/data"
    assert (await m.client.get(data, headers=m.buyer.auth)).status_code == 200

    suspended = await m.ok(
        m.post(f"/v1/transfers/{t['id']}/suspend", m.seller, {"reason": "核查使用情况"})
    )
    assert suspended["state"] == "SUSPENDED" and suspended["suspended_by"] == m.seller.id
    body = await refused_and_recorded(
        m, m.client.get(data, headers=m.buyer.auth), 409, "transfer-suspended", "transfer"
    )
    assert "核查使用情况" in body["detail"]
    # The consumer cannot lift the provider's suspension; a second suspend is a conflict.
    assert_problem(await m.post(f"/v1/transfers/{t['id']}/resume", m.buyer, {}), 403)
    assert_problem(
        await m.post(f"/v1/transfers/{t['id']}/suspend", m.buyer, {}),
        409,
        "transfer-state-conflict",
    )
    resumed = await m.ok(m.post(f"/v1/transfers/{t['id']}/resume", m.seller, {}))
    assert resumed["state"] == "STARTED" and resumed["suspended_by"] is None
    assert (await m.client.get(data, headers=m.buyer.auth)).status_code == 200
    # A regulator suspends and resumes any transfer; a stranger does not see it.
    await m.ok(m.post(f"/v1/transfers/{t['id']}/suspend", m.regulator, {"reason": "监管检查"}))
    await m.ok(m.post(f"/v1/transfers/{t['id']}/resume", m.regulator, {}))
    assert_problem(await m.post(f"/v1/transfers/{t['id']}/suspend", m.rival, {}), 404)
    done = await m.ok(m.post(f"/v1/transfers/{t['id']}/complete", m.buyer, {}))
    assert done["state"] == "COMPLETED"
    await refused_and_recorded(
        m, m.client.get(data, headers=m.buyer.auth), 409, "transfer-not-active", "transfer"
    )
    assert_problem(
        await m.post(f"/v1/transfers/{t['id']}/terminate", m.seller, {"reason": "x"}),
        409,
        "transfer-state-conflict",
    )
    actions = (await audit_actions(m.runtime))[before:]
    steps = [a for a in actions if a.startswith("trading.transfer_")]
    assert steps == [
        "trading.transfer_requested",
        "trading.transfer_started",
        "trading.transfer_suspended",
        "trading.transfer_resumed",
        "trading.transfer_suspended",
        "trading.transfer_resumed",
        "trading.transfer_completed",
    ]
    assert actions.count("trading.package_delivered") == 2
    # A new transfer on the same licence can be terminated by the provider.
    again = await transfer(m, licence)
    ended = await m.ok(
        m.post(f"/v1/transfers/{again['id']}/terminate", m.seller, {"reason": "合同终止"})
    )
    assert ended["state"] == "TERMINATED" and ended["reason"] == "合同终止"
    listed = await m.ok(m.get("/v1/transfers", m.seller, licence_id=licence["id"]))
    assert {x["state"] for x in listed["items"]} == {"COMPLETED", "TERMINATED"}


async def test_a_revoked_licence_delivers_nothing(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    # Revoking a licence is the trading-conduct remit's (市场监管, gd-amr).
    amr = await make_participant(Role.REGULATOR, name="广东省市场监管局", agency="gd-amr")
    _, licence = await licence_for(m, "electricity", CN_CREDIT)
    t = await transfer(m, licence)
    await m.ok(m.post(f"/v1/licences/{licence['id']}/revoke", amr, {"reason": "违规使用"}))
    await refused_and_recorded(
        m,
        m.client.get(f"/v1/transfers/{t['id']}/data", headers=m.buyer.auth),
        409,
        "usage-term-ended",
        "term",
    )


async def test_metered_calls_serve_rows_within_the_quota(market: Market) -> None:
    m = market
    policy = {"access": "metered", "quota": {"limit": 3, "period": "day"}}
    _, licence = await licence_for(m, "electricity", policy)
    t = await transfer(m, licence, None)
    rows = f"/v1/transfers/{t['id']}/rows"
    first = await m.ok(m.get(rows, m.buyer, limit=1))
    assert first["columns"] == ["月份", "行业", "区县", "指数"]
    assert first["rows"] == [["2026-10", "制造业", "番禺", "103.2"]]
    assert first["next_offset"] is None and first["used_in_period"] == 1
    assert first["quota_limit"] == 3
    past = await m.ok(m.get(rows, m.buyer, offset=5))
    assert past["rows"] == [] and past["used_in_period"] == 2
    # A metered licence hands out no file; the third call is the last of the day.
    await refused_and_recorded(
        m,
        m.client.get(f"/v1/transfers/{t['id']}/data", headers=m.buyer.auth),
        409,
        "usage-access-not-granted",
        "access",
    )
    await m.ok(m.get(rows, m.buyer))
    await refused_and_recorded(
        m, m.client.get(rows, headers=m.buyer.auth), 409, "usage-quota-exhausted", "quota"
    )
    # Only the consumer takes data.
    assert_problem(await m.get(rows, m.seller), 403)
    assert_problem(await m.get(rows, m.rival), 404)


async def test_concurrent_metered_calls_never_overdraw_the_quota(market: Market) -> None:
    m = market
    policy = {"access": "metered", "quota": {"limit": 12, "period": "day"}}
    _, licence = await licence_for(m, "electricity", policy)
    t = await transfer(m, licence, None)
    before = await audit_actions(m.runtime)
    answers = await asyncio.gather(
        *(m.get(f"/v1/transfers/{t['id']}/rows", m.buyer, limit=1) for _ in range(20))
    )
    served = [r for r in answers if r.status_code == 200]
    refused = [r for r in answers if r.status_code != 200]
    assert len(served) == 12 and len(refused) == 8
    for r in refused:
        assert_problem(r, 409, "usage-quota-exhausted")
    assert sorted(r.json()["used_in_period"] for r in served) == list(range(1, 13))
    assert (await licence_row(m, licence["id"])).usage_count == 12
    actions = (await audit_actions(m.runtime))[len(before) :]
    assert actions.count("trading.rows_served") == 12
    assert actions.count("trading.usage_refused") == 8
    usage = await m.ok(m.get(f"/v1/licences/{licence['id']}/usage", m.seller, limit=50))
    assert sorted(r["kind"] for r in usage["items"]) == ["refused"] * 8 + ["rows"] * 12
