"""Helpers of the supervision tests: a wash-trading pair made through the API, reports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conftest import Supervision
from trading.support_trading import AssetSpec, register_assets, tier

from exchange.vocabulary import Role
from support import Actor, MakeParticipant

WASH_SPEC = AssetSpec("佛山制造业产能指数", "月份,产能指数\n2026-10,97.5\n".encode())


async def wash_pair(
    sv: Supervision, make_participant: MakeParticipant, *, rounds: int = 2
) -> dict[str, Any]:
    """The seller and the buyer trade each other's data back and forth, and the buyer pays the
    seller directly too: a wash-trading pair (对敲) under common control."""
    m = sv.m
    reviewers = [
        await make_participant(Role.COMPLIANCE_REVIEWER, name=f"合规委员{i}") for i in (1, 2)
    ]
    (asset_id,) = await register_assets(
        m.runtime, m.clock, holder=m.buyer, reviewers=reviewers, specs=[WASH_SPEC]
    )
    m.assets["wash"], m.specs["wash"] = asset_id, WASH_SPEC
    seller_listing = await m.list("electricity", ["szdex"], [tier(price_fen=200_000)])
    body = m.listing_body("wash", ["szdex"], [tier(price_fen=200_000)])
    buyer_listing = await m.ok(m.post("/v1/listings", m.buyer, body), 201)
    await m.ok(
        m.post(
            f"/v1/accounts/{m.seller.id}/deposits",
            m.admin,
            {"amount_fen": 5_000_000, "memo": "test"},
        ),
        201,
    )
    trades = []
    for _ in range(rounds):
        trades.append(await m.buy(m.buyer, seller_listing))
        trades.append(await m.buy(m.seller, buyer_listing))
        m.clock.advance(timedelta(hours=1))
    await m.ok(
        m.post(
            "/v1/transfers",
            m.buyer,
            {"to_participant_id": m.seller.id, "amount_fen": 50_000, "memo": "往来款"},
        ),
        201,
    )
    return {"seller_listing": seller_listing, "buyer_listing": buyer_listing, "orders": trades}


def party(sv: Supervision, who: Actor) -> str:
    """A participant id as alerts and cases name it."""
    return who.id


async def open_case(
    sv: Supervision, who: Actor, subject_type: str, subject_id: str, remit: str = "trading_conduct"
) -> dict[str, Any]:
    """A case opened by hand."""
    body = {
        "remit": remit,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "title": "测试案件 test case",
        "summary": "测试 test",
    }
    case: dict[str, Any] = await sv.ok(sv.post("/cases", who, body), 201)
    return case


async def impose(
    sv: Supervision, who: Actor, case: dict[str, Any], kind: str, subject_id: str, **extra: Any
) -> dict[str, Any]:
    """A measure decided on a case (expects it accepted)."""
    body = {"kind": kind, "subject_id": subject_id, "reason": "测试措施 test measure", **extra}
    decided: dict[str, Any] = await sv.ok(sv.post(f"/cases/{case['id']}/measures", who, body), 201)
    return decided
