"""Idempotency keys (幂等键) for requests that move money.

A client sends `Idempotency-Key: <key>`; the first request with that key (per participant)
runs and its response is stored in the same transaction. A retry with the same key and the
same request gets the stored status and body back and changes nothing; the same key with a
different request is refused. Two requests racing with one key: the database's primary key
lets one insert the key; the other waits for it to commit and then replays its response.
A request that fails stores nothing (its transaction rolls back), so it may be retried.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from exchange.context import Context
from exchange.trading import repository
from exchange.trading.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from exchange.trading.models import IdempotencyKey
from exchange.trading.settlement import actor_of


@dataclass(frozen=True, slots=True)
class Outcome:
    """The response to send: status, JSON body, and whether it is a replay."""

    status: int
    body: str
    replayed: bool


def fingerprint(scope: str, request: dict[str, Any]) -> str:
    """SHA-256 of the operation and its canonical request body."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()


async def once(
    ctx: Context,
    *,
    key: str | None,
    scope: str,
    request: dict[str, Any],
    status: int,
    run: Callable[[], Awaitable[BaseModel]],
) -> Outcome:
    """Run `run` once per (participant, key); replay its first response on retries."""
    if key is None:
        return Outcome(status, (await run()).model_dump_json(), False)
    actor = actor_of(ctx)
    digest = fingerprint(scope, request)
    stored = await repository.get_idempotency_key(ctx.session, actor.id, key)
    if stored is not None:
        if stored.fingerprint != digest:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was first used with a different request; use a new key."
            )
        assert stored.status_code is not None and stored.response is not None
        return Outcome(stored.status_code, stored.response, True)
    record = IdempotencyKey(
        participant_id=actor.id,
        key=key,
        fingerprint=digest,
        status_code=None,
        response=None,
        created_at=ctx.clock.now(),
    )
    if not await repository.claim_idempotency_key(ctx.session, record):
        raise IdempotencyKeyInUse(
            "Another request with this Idempotency-Key was being processed; retry to get its "
            "result."
        )
    body = (await run()).model_dump_json()
    record.status_code = status
    record.response = body
    return Outcome(status, body, False)
