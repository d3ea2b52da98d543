"""Helpers for the usage-policy tests: policies, listed-and-bought licences, usage state."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from support_trading import AssetSpec, Market, register_assets, tier

from exchange.audit.log.models import AuditEntry
from exchange.trading.licences.models import Licence
from exchange.trading.transfers.models import UsageKind, UsageRecord
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem

CN_CREDIT: dict[str, Any] = {
    "access": "download",
    "purposes": ["credit_assessment", "risk_control"],
    "territories": ["CN"],
    "quota": {"limit": 2, "period": "day"},
    "prohibitions": ["resale", "sublicensing"],
    "attribution": "数据来源：广州数联科技有限公司",
    "delete_at_expiry": True,
}


async def licence_for(
    m: Market,
    asset: str,
    policy: dict[str, Any] | None,
    *,
    buyer: Actor | None = None,
    term_days: int = 30,
    delivery: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """List the asset on Shenzhen with one tier under `policy`; the buyer buys it. The listing
    and the licence."""
    body = tier("策略版", term_days=term_days)
    if policy is not None:
        body["policy"] = policy
    overrides = {"delivery": delivery} if delivery is not None else {}
    listing = await m.list(asset, ("szdex",), [body], **overrides)
    bought = await m.buy(buyer or m.buyer, listing)
    return listing, bought["licence"]


async def transfer(
    m: Market,
    licence: dict[str, Any],
    purpose: str | None = "credit_assessment",
    who: Actor | None = None,
) -> dict[str, Any]:
    """Request a transfer under a licence (it starts at once)."""
    body = {"purpose": purpose} if purpose is not None else {}
    started: dict[str, Any] = await m.ok(
        m.post(f"/v1/licences/{licence['id']}/transfers", who or m.buyer, body), 201
    )
    assert started["state"] == "STARTED"
    return started


async def refused_and_recorded(
    m: Market, response: Any, status: int, slug: str, clause: str
) -> dict[str, Any]:
    """Assert a refused use names its clause, and that the refusal is recorded: a usage record
    and a `trading.usage_refused` audit entry, both naming the clause and problem."""
    body = assert_problem(await response, status, slug)
    assert body["clause"] == clause, body
    licence_id = body["licence_id"]
    async with m.runtime.sessionmaker() as session:
        record = (
            await session.scalars(
                select(UsageRecord)
                .where(UsageRecord.licence_id == licence_id)
                .order_by(UsageRecord.id.desc())
                .limit(1)
            )
        ).one()
        entry = (
            await session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
        ).one()
    assert record.kind == UsageKind.REFUSED and record.clause == clause
    assert record.problem == slug and record.detail == body["detail"]
    assert entry.action == "trading.usage_refused"
    payload = json.loads(bytes(entry.leaf))["payload"]
    assert payload["clause"] == clause and payload["problem"] == slug
    return body


async def licence_row(m: Market, licence_id: str) -> Licence:
    async with m.runtime.sessionmaker() as session:
        found = await session.get(Licence, licence_id)
    assert found is not None
    return found


async def register_more(
    m: Market, make_participant: MakeParticipant, specs: list[AssetSpec]
) -> list[str]:
    """Register more assets held by the market's seller (the clock moves a week)."""
    reviewers = [
        await make_participant(Role.COMPLIANCE_REVIEWER, name=f"合规委员{i}") for i in range(2)
    ]
    return await register_assets(
        m.runtime, m.clock, holder=m.seller, reviewers=reviewers, specs=specs
    )


DAY = timedelta(days=1)
