"""Idempotency keys (幂等键) for requests that move money.

A client sends `Idempotency-Key: <key>`; the first request with that key (per participant)
runs and its response is stored in the same transaction. A retry with the same key and the
same request gets the stored status and body back (with `Idempotent-Replayed: true`) and
changes nothing; the same key with a different request is refused (422).

Two requests racing with one key: one claims the key (PostgreSQL: an advisory lock on it,
then the row; SQLite: writers are serialized, so the second starts after the first
commits). The other polls the stored key with short real sleeps, up to `WAIT_SECONDS`, and
replays the first request's response once it has committed. Only if the first is still in
flight after that bound does it get 409 `idempotency-key-in-use`, and a later retry replays.
A request that fails stores nothing (its transaction rolls back), so a waiting duplicate
then runs the request itself, and a client may retry.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from exchange.context import Context
from exchange.trading.orders import repository
from exchange.trading.orders.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from exchange.trading.orders.models import IdempotencyKey
from exchange.trading.venues.service import actor_of

# How long a duplicate waits for the request holding its key, and how often it looks.
WAIT_SECONDS = 5.0
POLL_SECONDS = (0.005, 0.1)  # first and longest pause between looks (doubling)


ORDER_SCOPE = "POST /v1/orders"


def bid_scope(auction_id: str) -> str:
    """The scope of a key sent with a sealed bid."""
    return f"POST /v1/auctions/{auction_id}/bids"


def settle_scope(negotiation_id: str) -> str:
    """The scope of a key sent with a negotiation's settlement."""
    return f"POST /v1/negotiations/{negotiation_id}/settle"


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
    deadline = time.monotonic() + WAIT_SECONDS
    pause, longest = POLL_SECONDS
    while True:
        stored = await repository.get_idempotency_key(ctx.session, actor.id, key)
        if stored is not None:
            return _replay(stored, digest)
        if await repository.claim_idempotency_key(
            ctx.session,
            participant_id=actor.id,
            key=key,
            fingerprint=digest,
            created_at=ctx.clock.now(),
        ):
            break
        # Another request holds the key and has not committed: wait for it, bounded.
        if time.monotonic() >= deadline:
            raise IdempotencyKeyInUse(
                f"Another request with this Idempotency-Key was still being processed after "
                f"{WAIT_SECONDS:g} s; retry to get its result.",
                waited_seconds=WAIT_SECONDS,
            )
        await asyncio.sleep(pause)
        pause = min(pause * 2, longest)
    body = (await run()).model_dump_json()
    await repository.store_idempotent_response(
        ctx.session, participant_id=actor.id, key=key, status_code=status, response=body
    )
    return Outcome(status, body, False)


def _replay(stored: IdempotencyKey, digest: str) -> Outcome:
    """The stored response of the key's first request (if this is the same request)."""
    if stored.fingerprint != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was first used with a different request; use a new key."
        )
    assert stored.status_code is not None and stored.response is not None
    return Outcome(stored.status_code, stored.response, True)
