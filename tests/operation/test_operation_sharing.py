"""Approved sharing requests (共享申请) give a department the same kind of grant for its own
use: it derives from another department's closed item once the owner approves; the owner
needs none for its own items; raw records of closed data never leave."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from support_operation import Province, refused_unchanged

from exchange.operation.grants.models import Derivation
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


async def _department(
    p: Province, make_participant: MakeParticipant, code: str, name: str
) -> Actor:
    actor = await make_participant(Role.DEPARTMENT, name=name)
    await p.ok(
        p.call(
            "POST",
            "/v1/departments",
            p.admin,
            {"code": code, "name": name, "division_code": "440100", "participant_id": actor.id},
        ),
        201,
    )
    return actor


async def test_an_approved_sharing_request_is_a_grant_for_the_departments_own_use(
    province: Province, make_participant: MakeParticipant
) -> None:
    p = province
    health = await _department(p, make_participant, "OP-440100-WJW", "广州市卫生健康委员会")
    other = await _department(p, make_participant, "OP-440100-JTJ", "广州市交通运输局")
    product: dict[str, Any] = {"right": "processing_use", "purpose": None}

    # Before the owner agrees, the department holds no grant.
    await refused_unchanged(
        p.runtime, lambda: p.apply(health, **product), 409, "operation-grant-required"
    )
    share = await p.ok(
        p.call(
            "POST",
            "/v1/share-requests",
            health,
            {
                "item_id": p.closed_item["id"],
                "purpose": "核验参保状态，用于医疗救助对象认定",
                "fields": ["district", "insured_status"],
            },
        ),
        201,
    )
    await p.ok(
        p.call(
            "POST",
            f"/v1/share-requests/{share['id']}/decision",
            p.hr,
            {"decision": "approve", "reason": ""},
        )
    )
    asset = await p.ok(p.apply(health, **product), 201)
    async with p.runtime.sessionmaker() as session:
        derived = (
            await session.scalars(select(Derivation).where(Derivation.asset_id == asset["id"]))
        ).one()
    assert (derived.grant_kind, derived.share_request_id) == ("sharing", share["id"])
    assert derived.agreement_id is None

    # The grant is that department's alone, and never for the raw records of closed data.
    await refused_unchanged(
        p.runtime, lambda: p.apply(other, **product), 409, "operation-grant-required"
    )
    await refused_unchanged(
        p.runtime,
        lambda: p.apply(health, name="参保原始记录", product_form="dataset", **product),
        409,
        "raw-records-not-open",
    )
    # The department holding the data needs no grant for its own items.
    own = await p.apply(p.hr, name="全省参保稳定指数", **product)
    assert own.status_code == 201, own.text
