"""Helpers for the audit tests: a small market with a log worth proving things about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx

from exchange.audit.note import public_key_from_raw
from exchange.clock import ManualClock
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


@dataclass
class Market:
    """Participants of a small market and the regulator who audits it."""

    regulator: Actor
    payers: list[Actor]


async def build_market(
    client: httpx.AsyncClient, make_participant: MakeParticipant, *, transfers: int = 12
) -> Market:
    """Register a regulator and three funded companies, then move money between them."""
    regulator = await make_participant(Role.REGULATOR, name="广东省数据流通监管 regulator")
    payers = [
        await make_participant(Role.ENTERPRISE, name=f"数据公司 {i}", balance_fen=10_000)
        for i in range(3)
    ]
    for i in range(transfers):
        payer, payee = payers[i % 3], payers[(i + 1) % 3]
        r = await client.post(
            "/v1/transfers",
            json={"to_participant_id": payee.id, "amount_fen": 1 + i, "memo": f"转账 {i}"},
            headers=payer.auth,
        )
        assert r.status_code == 201, r.text
    return Market(regulator, payers)


async def fresh_checkpoint(client: httpx.AsyncClient, clock: ManualClock) -> str:
    """Let a second pass (the freshness window), then fetch the checkpoint note."""
    clock.advance(timedelta(seconds=2))
    r = await client.get("/v1/audit/checkpoint")
    assert r.status_code == 200, r.text
    return r.text


def published_keys(body: dict[str, object]) -> list[tuple[str, object]]:
    """(key name, public key) pairs from a /public-key answer, for exchange.audit.note."""
    import base64

    keys = body["keys"]
    assert isinstance(keys, list)
    return [(k["key_name"], public_key_from_raw(base64.b64decode(k["public_key"]))) for k in keys]
