"""Transfer processes (传输过程), with the Dataspace Protocol's states.

consumer: request   → REQUESTED → STARTED (the platform's data plane starts it for the
                      provider at once, once the licence's policy admits the request)
either:   suspend   STARTED → SUSPENDED (a regulator may too)
          resume    SUSPENDED → STARTED (whoever suspended it; a regulator any)
          complete  STARTED or SUSPENDED → COMPLETED
          terminate REQUESTED, STARTED or SUSPENDED → TERMINATED (a regulator may too)

Each transition is a compare-and-set on the state and commits with its audit entry. The
consumer is the licensee alone: no one else takes data under a licence (禁止再许可).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exchange.context import Context, Principal
from exchange.errors import Forbidden
from exchange.trading.licences import service as licences_service
from exchange.trading.licences.models import Licence, LicenceStatus
from exchange.trading.policies import rules
from exchange.trading.policies.errors import (
    TransferNotFound,
    TransferStateConflict,
    UsageRefused,
)
from exchange.trading.policies.service import licence_policy
from exchange.trading.policies.terms import Purpose
from exchange.trading.transfers import repository
from exchange.trading.transfers.models import Transfer, TransferState, UsageKind, UsageRecord
from exchange.trading.venues.service import actor_of, oversees
from exchange.vocabulary import Role

OPEN = (TransferState.REQUESTED, TransferState.STARTED, TransferState.SUSPENDED)


@dataclass(frozen=True, slots=True)
class Move:
    """A transition: the states it leaves, the state it enters, the audit action."""

    from_states: tuple[TransferState, ...]
    to: TransferState
    action: str


MOVES: dict[str, Move] = {
    "suspend": Move((TransferState.STARTED,), TransferState.SUSPENDED, "suspended"),
    "resume": Move((TransferState.SUSPENDED,), TransferState.STARTED, "resumed"),
    "complete": Move(
        (TransferState.STARTED, TransferState.SUSPENDED), TransferState.COMPLETED, "completed"
    ),
    "terminate": Move(OPEN, TransferState.TERMINATED, "terminated"),
}


def annotate(refusal: UsageRefused, licence: Licence, transfer: Transfer | None) -> UsageRefused:
    """Name the licence (and transfer) a refusal concerns, so that it can be recorded."""
    refusal.extra.setdefault("licence_id", licence.id)
    if transfer is not None:
        refusal.extra.setdefault("transfer_id", transfer.id)
    return refusal


def live(licence: Licence) -> bool:
    """Not revoked or recorded expired (the term itself is checked against the clock)."""
    return licence.status == LicenceStatus.ACTIVE


async def request(ctx: Context, *, licence_id: str, purpose: Purpose | None) -> Transfer:
    """The licensee asks for a transfer under its licence, declaring its purpose; the policy is
    checked now (term, access, purpose, the caller's territory) and the data plane starts it."""
    actor = actor_of(ctx)
    licence = await licences_service.get_licence(ctx, licence_id)
    if actor.id != licence.licensee_id:
        raise Forbidden(
            "Only the licensee requests a transfer under a licence (no sublicensing, 禁止再许可)."
        )
    policy = licence_policy(licence)
    now = ctx.clock.now()
    try:
        rules.check_use(
            policy,
            starts_at=licence.starts_at,
            expires_at=licence.expires_at,
            live=live(licence),
            now=now,
            purpose=purpose,
            jurisdiction=actor.jurisdiction,
            access=policy.access,
        )
    except UsageRefused as refusal:
        raise annotate(refusal, licence, None) from None
    transfer = Transfer(
        id=ctx.ids.new(),
        licence_id=licence.id,
        consumer_id=licence.licensee_id,
        provider_id=licence.licensor_id,
        access=policy.access.value,
        purpose=purpose.value if purpose is not None else None,
        state=TransferState.REQUESTED,
        suspended_by=None,
        reason="",
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(transfer)
    ctx.audit(
        "trading.transfer_requested",
        subject_type="transfer",
        subject_id=transfer.id,
        payload={
            "licence_id": licence.id,
            "consumer_id": transfer.consumer_id,
            "provider_id": transfer.provider_id,
            "access": transfer.access,
            "purpose": transfer.purpose,
            "jurisdiction": actor.jurisdiction,
        },
    )
    transfer.state = TransferState.STARTED
    ctx.audit(
        "trading.transfer_started",
        subject_type="transfer",
        subject_id=transfer.id,
        payload={
            "licence_id": licence.id,
            "from_state": TransferState.REQUESTED,
            "by": "data plane",
        },
    )
    await ctx.session.flush()
    return transfer


def _takes_part(actor: Principal, transfer: Transfer) -> bool:
    return actor.id in (transfer.consumer_id, transfer.provider_id)


async def get(ctx: Context, transfer_id: str) -> Transfer:
    """A transfer its consumer, its provider or an overseer reads (404 for anyone else)."""
    actor = actor_of(ctx)
    transfer = await repository.get_transfer(ctx.session, transfer_id)
    if transfer is None or not (_takes_part(actor, transfer) or oversees(actor)):
        raise TransferNotFound(f"No transfer {transfer_id!r}.")
    return transfer


async def list_page(
    ctx: Context,
    *,
    licence_id: str | None,
    state: TransferState | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Transfer], int]:
    """Transfers the caller takes part in (overseers: all)."""
    actor = actor_of(ctx)
    return await repository.list_transfers(
        ctx.session,
        party_id=None if oversees(actor) else actor.id,
        licence_id=licence_id,
        state=state,
        limit=limit,
        offset=offset,
    )


async def move(ctx: Context, *, transfer_id: str, step: str, reason: str) -> Transfer:
    """Suspend, resume, complete or terminate a transfer, with its reason."""
    actor = actor_of(ctx)
    transfer = await get(ctx, transfer_id)
    regulator = actor.role is Role.REGULATOR
    if not _takes_part(actor, transfer) and not (regulator and step != "complete"):
        raise Forbidden(f"Only the transfer's consumer or provider may {step} it.")
    if step == "resume" and not regulator and transfer.suspended_by != actor.id:
        raise Forbidden(
            f"Transfer {transfer_id} was suspended by {transfer.suspended_by}; only it (or a "
            "regulator) resumes the transfer."
        )
    spec = MOVES[step]
    if transfer.state not in spec.from_states:
        raise TransferStateConflict(
            f"Transfer {transfer_id} is {transfer.state}; it cannot {step} "
            f"(from {', '.join(spec.from_states)}).",
            state=transfer.state,
        )
    licence = await licences_service.get_licence(ctx, transfer.licence_id)
    if step == "resume":
        try:
            rules.check_term(
                starts_at=licence.starts_at,
                expires_at=licence.expires_at,
                live=live(licence),
                now=ctx.clock.now(),
            )
        except UsageRefused as refusal:
            raise annotate(refusal, licence, transfer) from None
    values: dict[str, object] = {
        "state": spec.to,
        "updated_at": ctx.clock.now(),
        "reason": reason,
        "suspended_by": actor.id if step == "suspend" else None,
    }
    if not await repository.move_transfer(
        ctx.session, transfer.id, from_states=spec.from_states, values=values
    ):
        raise TransferStateConflict(f"Transfer {transfer_id} changed meanwhile.")
    ctx.audit(
        f"trading.transfer_{spec.action}",
        subject_type="transfer",
        subject_id=transfer.id,
        payload={
            "licence_id": transfer.licence_id,
            "from_state": transfer.state,
            "state": spec.to,
            "reason": reason,
        },
    )
    await ctx.session.refresh(transfer)
    return transfer


async def list_usage(
    ctx: Context,
    *,
    licence_id: str,
    transfer_id: str | None,
    kind: UsageKind | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[UsageRecord], int]:
    """A licence's usage records: its licensee, its licensor and overseers (404 for others)."""
    licence = await licences_service.get_licence(ctx, licence_id)
    return await repository.list_usage(
        ctx.session,
        licence_id=licence.id,
        transfer_id=transfer_id,
        kind=kind,
        limit=limit,
        offset=offset,
    )
