"""The data plane (数据面): every delivery, metered call and computation under a started transfer,
checked against the licence's policy at that moment and recorded.

Each use runs the same steps: `authorize` (the transfer is started; the licence is in force,
grants this kind of access, admits the declared purpose and the caller's territory), then
`spend` in the unit of work that records it (the quota period's count and, for a
computation, the privacy budget, each by compare-and-set on the licence; a usage record; an
audit entry). A refusal (`UsageRefused`) rolls its unit of work back — nothing is counted or
delivered — and `recorded` writes it in a unit of work of its own: a usage record and a
`trading.usage_refused` entry naming the clause.

Work that reads a whole table (rows, computations) is done in a read-only unit of work
before the writing one, so a long computation never holds the write lock; the writing unit
of work authorizes again, so a transfer suspended meanwhile delivers nothing, and the
answer is released only if its spend commits.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm.attributes import set_committed_value

from exchange.assets.packages import service as packages_service
from exchange.context import Context, Principal, Runtime, Slot
from exchange.errors import Forbidden
from exchange.trading.licences import service as licences_service
from exchange.trading.licences.models import Licence
from exchange.trading.listings.models import Listing
from exchange.trading.policies import rules
from exchange.trading.policies.errors import (
    BudgetExhausted,
    DimensionNotAllowed,
    TransferNotActive,
    TransferNotFound,
    TransferSuspended,
    UsageRefused,
)
from exchange.trading.policies.service import licence_policy
from exchange.trading.policies.terms import MICRO, Access, Purpose, UsagePolicy, for_audit
from exchange.trading.transfers import compute, repository
from exchange.trading.transfers.models import Transfer, TransferState, UsageKind, UsageRecord
from exchange.trading.transfers.service import annotate, live
from exchange.trading.transfers.tables import RecordReader
from exchange.trading.venues.service import actor_of, oversees

T = TypeVar("T")
MAX_ROWS_PER_CALL = 1000
PARSE_BYTES = 64 * 1024

NOISE_RNG: Slot[random.Random] = Slot("trading.noise_rng")
"""Where the Laplace noise comes from: the system's CSPRNG, unless a test or a simulation
puts a seeded generator in the runtime's cache."""

_ACTIONS = {
    UsageKind.DOWNLOAD: "trading.package_delivered",
    UsageKind.ROWS: "trading.rows_served",
    UsageKind.COMPUTATION: "trading.computation_run",
}


def noise_rng(runtime: Runtime) -> random.Random:
    """The runtime's source of noise."""
    return runtime.cache.get_or_make(NOISE_RNG, secrets.SystemRandom)


@dataclass(frozen=True, slots=True)
class Use:
    """A use the policy admits so far: its transfer, licence, policy and listing."""

    transfer: Transfer
    licence: Licence
    policy: UsagePolicy
    listing: Listing


async def authorize(ctx: Context, *, transfer_id: str, access: Access) -> Use:
    """The consumer's use of a started transfer, checked against the policy now."""
    actor = actor_of(ctx)
    found = await repository.transfer_with_terms(ctx.session, transfer_id)
    if found is None or not (
        actor.id in (found[0].consumer_id, found[0].provider_id) or oversees(actor)
    ):
        raise TransferNotFound(f"No transfer {transfer_id!r}.")
    transfer, licence, listing = found
    if actor.id != transfer.consumer_id:
        raise Forbidden("Only the transfer's consumer (the licensee) takes its data.")
    policy = licence_policy(licence)
    try:
        if transfer.state == TransferState.SUSPENDED:
            raise TransferSuspended(
                f"Refused under the clause {rules.CLAUSE_LABELS['transfer']}: transfer "
                f"{transfer.id} was suspended by {transfer.suspended_by} ({transfer.reason}).",
                clause="transfer",
                state=transfer.state,
            )
        if transfer.state != TransferState.STARTED:
            raise TransferNotActive(
                f"Refused under the clause {rules.CLAUSE_LABELS['transfer']}: transfer "
                f"{transfer.id} is {transfer.state}.",
                clause="transfer",
                state=transfer.state,
            )
        rules.check_use(
            policy,
            starts_at=licence.starts_at,
            expires_at=licence.expires_at,
            live=live(licence),
            now=ctx.clock.now(),
            purpose=Purpose(transfer.purpose) if transfer.purpose is not None else None,
            jurisdiction=actor.jurisdiction,
            access=access,
        )
    except UsageRefused as refusal:
        raise annotate(refusal, licence, transfer) from None
    # The operating agreement and consents the product was made under, in force now.
    await licences_service.check_sources_in_force(ctx, listing.asset_id)
    return Use(transfer, licence, policy, listing)


def _window(use: Use, now: datetime) -> tuple[datetime, datetime]:
    quota = use.policy.quota
    if quota is None:
        return use.licence.starts_at, use.licence.expires_at
    return rules.quota_window(
        quota.period, starts_at=use.licence.starts_at, expires_at=use.licence.expires_at, now=now
    )


def precheck(ctx: Context, use: Use, *, epsilon_micro: int = 0) -> None:
    """Refuse early what `spend` would refuse (before reading a whole table for nothing)."""
    quota = use.policy.quota
    start, end = _window(use, ctx.clock.now())
    try:
        if (
            quota is not None
            and use.licence.usage_period_start == start
            and use.licence.usage_count >= quota.limit
        ):
            raise rules.quota_refusal(use.policy, used=use.licence.usage_count, window_end=end)
        if epsilon_micro:
            _check_budget(use, use.licence.epsilon_spent_micro + epsilon_micro)
    except UsageRefused as refusal:
        raise annotate(refusal, use.licence, use.transfer) from None


def _check_budget(use: Use, needed_micro: int) -> None:
    terms = use.policy.compute
    assert terms is not None
    if needed_micro > terms.budget_micro:
        raise BudgetExhausted(
            f"Refused under the clause {rules.CLAUSE_LABELS['budget']}: "
            f"ε={use.licence.epsilon_spent_micro / MICRO:g} of ε={terms.epsilon_budget:g} is "
            f"spent; a query costs ε={terms.epsilon_per_query:g}.",
            clause="budget",
            epsilon_spent=use.licence.epsilon_spent_micro / MICRO,
            epsilon_budget=terms.epsilon_budget,
        )


async def spend(
    ctx: Context,
    use: Use,
    *,
    kind: UsageKind,
    units: int,
    epsilon_micro: int = 0,
    query: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
) -> UsageRecord:
    """Count one use against the quota (and spend ε), record it and audit it."""
    licence = use.licence
    now = ctx.clock.now()
    start, end = _window(use, now)
    quota = use.policy.quota
    try:
        used = await repository.count_use(
            ctx.session,
            licence.id,
            period_start=start,
            limit=quota.limit if quota is not None else None,
        )
        if used is None:
            raise rules.quota_refusal(use.policy, used=licence.usage_count, window_end=end)
        spent = licence.epsilon_spent_micro
        if epsilon_micro:
            terms = use.policy.compute
            assert terms is not None
            after = await repository.spend_budget(
                ctx.session,
                licence.id,
                cost_micro=epsilon_micro,
                budget_micro=terms.budget_micro,
            )
            if after is None:
                await ctx.session.refresh(licence)
                _check_budget(use, licence.epsilon_spent_micro + epsilon_micro)
            spent = after if after is not None else spent
    except UsageRefused as refusal:
        raise annotate(refusal, licence, use.transfer) from None
    # What the compare-and-set wrote, without marking the row for another write.
    set_committed_value(licence, "usage_count", used)
    set_committed_value(licence, "usage_period_start", start)
    set_committed_value(licence, "epsilon_spent_micro", spent)
    record = UsageRecord(
        licence_id=licence.id,
        transfer_id=use.transfer.id,
        actor_id=ctx.actor_ref,
        kind=kind,
        purpose=use.transfer.purpose,
        clause=None,
        problem=None,
        detail="",
        units=units,
        epsilon_micro=epsilon_micro,
        query=query,
        result=result,
        created_at=now,
    )
    ctx.session.add(record)
    payload: dict[str, Any] = {
        "transfer_id": use.transfer.id,
        "purpose": use.transfer.purpose,
        "units": units,
        "period_start": start,
        "used_in_period": licence.usage_count,
    }
    if kind is UsageKind.COMPUTATION:
        payload.update(
            query=for_audit(query),
            epsilon_micro=epsilon_micro,
            epsilon_spent_micro=licence.epsilon_spent_micro,
            result_sha256=hashlib.sha256(
                json.dumps(result, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest(),
        )
    ctx.audit(_ACTIONS[kind], subject_type="licence", subject_id=licence.id, payload=payload)
    return record


async def record_refusal(ctx: Context, refusal: UsageRefused) -> None:
    """Write down a refused use (its own unit of work): a usage record and an audit entry."""
    licence_id = str(refusal.extra["licence_id"])
    transfer_id = refusal.extra.get("transfer_id")
    ctx.session.add(
        UsageRecord(
            licence_id=licence_id,
            transfer_id=transfer_id,
            actor_id=ctx.actor_ref,
            kind=UsageKind.REFUSED,
            purpose=None,
            clause=refusal.clause,
            problem=refusal.slug,
            detail=refusal.detail,
            units=0,
            epsilon_micro=0,
            query=None,
            result=None,
            created_at=ctx.clock.now(),
        )
    )
    ctx.audit(
        "trading.usage_refused",
        subject_type="licence",
        subject_id=licence_id,
        payload={
            "transfer_id": transfer_id,
            "clause": refusal.clause,
            "problem": refusal.slug,
            "detail": refusal.detail,
        },
    )


async def recorded(runtime: Runtime, principal: Principal, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` (its own units of work); a refusal of a use is recorded apart, then raised."""
    try:
        return await work()
    except UsageRefused as refusal:
        if "licence_id" in refusal.extra:
            async with runtime.unit_of_work() as session:
                await record_refusal(runtime.context(session, principal), refusal)
        raise


async def _batches(ctx: Context, listing: Listing) -> AsyncGenerator[list[list[str]]]:
    """The listing's table as batches of records (header first), read a chunk at a time."""
    reader = RecordReader()
    chunks = packages_service.session_chunks(
        ctx, asset_id=listing.asset_id, sha256=listing.fingerprint
    )
    async with aclosing(chunks) as pieces:
        async for piece in pieces:
            # Parsed a slice at a time: a call that wants ten rows reads ten rows' worth.
            for start in range(0, len(piece), PARSE_BYTES):
                batch = reader.feed(piece[start : start + PARSE_BYTES])
                if batch:
                    yield batch
    batch = reader.feed(b"", final=True)
    if batch:
        yield batch


@dataclass(frozen=True, slots=True)
class TableHead:
    """The first rows of a registered table (its bytes never change: keyed by SHA-256)."""

    header: list[str]
    rows: list[list[str]]
    complete: bool  # the whole table


HEAD_ROWS = 2000
_HEADS: Slot[dict[tuple[str, str], TableHead]] = Slot("trading.table_heads")


async def _read_rows(
    ctx: Context, listing: Listing, *, offset: int, limit: int
) -> tuple[list[str], list[list[str]], bool]:
    header: list[str] | None = None
    rows: list[list[str]] = []
    seen = 0  # data rows passed so far
    async with aclosing(_batches(ctx, listing)) as batches:
        async for batch in batches:
            if header is None:
                header = batch.pop(0)
            wanted = batch[max(0, offset - seen) : max(0, offset + limit + 1 - seen)]
            rows += wanted
            seen += len(batch)
            if len(rows) > limit:
                break
    return header or [], rows[:limit], len(rows) > limit


async def read_rows(
    ctx: Context, listing: Listing, *, offset: int, limit: int
) -> tuple[list[str], list[list[str]], bool]:
    """The header and rows [offset, offset+limit) of a listing's table; whether more follow.

    The first rows of each table are kept in memory once read (most calls page from the
    start); deeper pages are read from the registered chunks.
    """
    heads = ctx.runtime.cache.get_or_make(_HEADS, dict)
    key = (listing.asset_id, listing.fingerprint)
    head = heads.get(key)
    if head is None:
        header, rows, more = await _read_rows(ctx, listing, offset=0, limit=HEAD_ROWS)
        head = TableHead(header, rows, not more)
        if len(heads) >= 32:
            heads.pop(next(iter(heads)))
        heads[key] = head
    if head.complete or offset + limit < len(head.rows):
        page = head.rows[offset : offset + limit]
        return head.header, page, offset + limit < len(head.rows) or not head.complete
    return await _read_rows(ctx, listing, offset=offset, limit=limit)


async def aggregate(ctx: Context, use: Use, plan: compute.Plan) -> compute.Accumulator:
    """Run a plan over the listing's whole table (nothing of it is kept but the sums)."""
    acc = compute.Accumulator(plan)
    header = False
    async with aclosing(_batches(ctx, use.listing)) as batches:
        async for batch in batches:
            if not header:
                _header(acc, batch.pop(0), use)
                header = True
            try:
                acc.feed(batch)
            except UsageRefused as refusal:
                raise annotate(refusal, use.licence, use.transfer) from None
    return acc


def _header(acc: compute.Accumulator, header: list[str], use: Use) -> None:
    try:
        acc.header(header)
    except ValueError:
        raise annotate(
            DimensionNotAllowed(
                "The registered table lacks a column this query needs.", clause="dimension"
            ),
            use.licence,
            use.transfer,
        ) from None
