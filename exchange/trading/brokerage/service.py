"""Brokers (数据经纪人) and mandates (授权委托): an exchange licenses a broker; a client
grants it a mandate to act for the client's side — to buy, negotiate or bid for a buyer —
within a spending limit and a commission cap. The client pays the commission."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.context import Context
from exchange.errors import Forbidden, InvalidInput
from exchange.participants import service as participants_service
from exchange.participants.errors import ParticipantNotFound
from exchange.trading.brokerage import repository
from exchange.trading.brokerage.errors import (
    AlreadyLicensed,
    BrokerLicenceNotFound,
    BrokerNotLicensed,
    CommissionAboveCap,
    MandateNotFound,
)
from exchange.trading.brokerage.models import BrokerLicence, BrokerLicenceStatus, Mandate
from exchange.trading.venues.models import Exchange, Rulebook
from exchange.trading.venues.service import (
    BUYER_ROLES,
    actor_of,
    get_exchange,
    oversees,
    require_operator_of,
    rule_of,
)
from exchange.vocabulary import MandateAction, MandateSide, MandateStatus, ParticipantStatus, Role

# Who sells data products, and so may mandate a broker to act for a seller.
SELLER_ROLES = frozenset({Role.DEPARTMENT, Role.ENTERPRISE})


async def license_broker(ctx: Context, *, exchange_id: str, broker_id: str) -> BrokerLicence:
    """License a data broker (数据经纪人) on the operator's exchange."""
    actor = await require_operator_of(ctx, exchange_id)
    broker = await participants_service.get(ctx, broker_id)
    if broker.role != Role.BROKER:
        raise InvalidInput(f"Participant {broker_id} is not a data broker.")
    existing = await repository.get_broker_licence(ctx.session, broker_id, exchange_id)
    if existing is not None and existing.status == BrokerLicenceStatus.ACTIVE:
        raise AlreadyLicensed(f"Broker {broker_id} already holds a licence from {exchange_id}.")
    now = ctx.clock.now()
    if existing is not None:
        licence = existing
        licence.status = BrokerLicenceStatus.ACTIVE
        licence.issued_by = actor.id
        licence.issued_at = now
        licence.revoked_at = None
        licence.revocation_reason = None
    else:
        licence = BrokerLicence(
            id=ctx.ids.new(),
            broker_id=broker_id,
            exchange_id=exchange_id,
            status=BrokerLicenceStatus.ACTIVE,
            issued_by=actor.id,
            issued_at=now,
        )
        ctx.session.add(licence)
    ctx.audit(
        "trading.broker_licensed",
        subject_type="broker_licence",
        subject_id=licence.id,
        payload={"broker_id": broker_id, "exchange_id": exchange_id},
    )
    return licence


async def revoke_broker_licence(ctx: Context, *, licence_id: str, reason: str) -> BrokerLicence:
    """Revoke a broker's licence (the issuing exchange's operators)."""
    licence = await repository.get_broker_licence_by_id(ctx.session, licence_id)
    if licence is None:
        raise BrokerLicenceNotFound(f"No broker licence {licence_id!r}.")
    await require_operator_of(ctx, licence.exchange_id)
    if licence.status == BrokerLicenceStatus.REVOKED:
        return licence
    licence.status = BrokerLicenceStatus.REVOKED
    licence.revoked_at = ctx.clock.now()
    licence.revocation_reason = reason
    ctx.audit(
        "trading.broker_licence_revoked",
        subject_type="broker_licence",
        subject_id=licence.id,
        payload={
            "broker_id": licence.broker_id,
            "exchange_id": licence.exchange_id,
            "reason": reason,
        },
    )
    return licence


async def get_broker_licence(ctx: Context, licence_id: str) -> BrokerLicence:
    """A broker licence by id (public, like the list)."""
    licence = await repository.get_broker_licence_by_id(ctx.session, licence_id)
    if licence is None:
        raise BrokerLicenceNotFound(f"No broker licence {licence_id!r}.")
    return licence


async def list_broker_licences(
    ctx: Context, *, exchange_id: str | None, broker_id: str | None
) -> Sequence[BrokerLicence]:
    """Broker licences (public: clients choose their brokers from them)."""
    return await repository.list_broker_licences(
        ctx.session, exchange_id=exchange_id, broker_id=broker_id
    )


async def grant_mandate(
    ctx: Context,
    *,
    broker_id: str,
    side: MandateSide,
    exchange_ids: Sequence[str],
    actions: Sequence[MandateAction],
    spending_limit_fen: int,
    commission_bp: int,
    expires_at: datetime,
) -> Mandate:
    """A client's mandate (授权委托) to a licensed broker, for the client's side of trades."""
    client = actor_of(ctx)
    allowed = BUYER_ROLES if side is MandateSide.BUYER else SELLER_ROLES
    if client.role not in allowed:
        raise Forbidden(f"A {client.role.value} does not grant mandates to act for a {side.value}.")
    try:
        broker = await participants_service.get(ctx, broker_id)
    except ParticipantNotFound:
        raise InvalidInput(f"No broker {broker_id!r}.") from None
    if broker.role != Role.BROKER or broker.status != ParticipantStatus.ACTIVE:
        raise InvalidInput(f"Participant {broker_id} is not an active data broker.")
    if expires_at <= ctx.clock.now():
        raise InvalidInput("A mandate must expire in the future.")
    for exchange_id in exchange_ids:
        view = await get_exchange(ctx, exchange_id)
        licence = await repository.get_broker_licence(ctx.session, broker_id, exchange_id)
        if licence is None or licence.status != BrokerLicenceStatus.ACTIVE:
            raise BrokerNotLicensed(f"Broker {broker_id} holds no licence from {exchange_id}.")
        check_commission_cap(view.exchange, view.rulebook, commission_bp)
    mandate = Mandate(
        id=ctx.ids.new(),
        client_id=client.id,
        broker_id=broker_id,
        side=side,
        exchange_ids=list(dict.fromkeys(exchange_ids)),
        actions=[a.value for a in dict.fromkeys(actions)],
        spending_limit_fen=spending_limit_fen,
        spent_fen=0,
        commission_bp=commission_bp,
        expires_at=expires_at,
        status=MandateStatus.ACTIVE,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(mandate)
    ctx.audit(
        "trading.mandate_granted",
        subject_type="mandate",
        subject_id=mandate.id,
        payload={
            "client_id": client.id,
            "broker_id": broker_id,
            "side": side,
            "exchange_ids": mandate.exchange_ids,
            "actions": mandate.actions,
            "spending_limit_fen": spending_limit_fen,
            "commission_bp": commission_bp,
            "expires_at": expires_at,
        },
    )
    return mandate


async def get_mandate(ctx: Context, mandate_id: str) -> Mandate:
    """A mandate (its client, its broker, overseers)."""
    actor = actor_of(ctx)
    mandate = await repository.get_mandate(ctx.session, mandate_id)
    if mandate is None or not (
        oversees(actor) or actor.id in (mandate.client_id, mandate.broker_id)
    ):
        raise MandateNotFound(f"No mandate {mandate_id!r}.")
    return mandate


async def revoke_mandate(ctx: Context, *, mandate_id: str) -> Mandate:
    """The client withdraws a mandate at once."""
    actor = actor_of(ctx)
    mandate = await get_mandate(ctx, mandate_id)
    if actor.id != mandate.client_id:
        raise Forbidden("Only the client revokes its mandate.")
    if mandate.status == MandateStatus.REVOKED:
        return mandate
    mandate.status = MandateStatus.REVOKED
    mandate.revoked_at = ctx.clock.now()
    ctx.audit(
        "trading.mandate_revoked",
        subject_type="mandate",
        subject_id=mandate.id,
        payload={"client_id": mandate.client_id, "broker_id": mandate.broker_id},
    )
    return mandate


async def list_mandates(
    ctx: Context,
    *,
    client_id: str | None,
    broker_id: str | None,
    status: MandateStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Mandate], int]:
    """Mandates: overseers filter all; others see those they are party to."""
    actor = actor_of(ctx)
    return await repository.list_mandates(
        ctx.session,
        client_id=client_id,
        broker_id=broker_id,
        party_id=None if oversees(actor) else actor.id,
        status=status,
        limit=limit,
        offset=offset,
    )


async def due_mandates(ctx: Context, *, limit: int) -> list[str]:
    """Mandates past their expiry but still recorded active (the due-work runner)."""
    return await repository.due_mandate_ids(ctx.session, now=ctx.clock.now(), limit=limit)


async def expire_mandates(ctx: Context, *, mandate_ids: Sequence[str]) -> list[str]:
    """Record mandates past their expiry as expired, each with its audit entry."""
    now = ctx.clock.now()
    done = []
    for mandate in await repository.get_mandates(ctx.session, list(dict.fromkeys(mandate_ids))):
        if mandate.expires_at > now or not await repository.mark_mandate_expired(
            ctx.session, mandate.id
        ):
            continue
        ctx.audit(
            "trading.mandate_expired",
            subject_type="mandate",
            subject_id=mandate.id,
            payload={
                "client_id": mandate.client_id,
                "broker_id": mandate.broker_id,
                "expires_at": mandate.expires_at,
            },
        )
        done.append(mandate.id)
    return done


def check_commission_cap(exchange: Exchange, rulebook: Rulebook, commission_bp: int) -> None:
    """Refuse a broker commission above the rulebook's cap (the mandating client pays it)."""
    if commission_bp > rulebook.max_commission_bp:
        rule = rule_of(
            exchange, rulebook, f"broker commission at most {rulebook.max_commission_bp} bp"
        )
        raise CommissionAboveCap(
            f"A {commission_bp} bp commission breaks the rule {rule}.", rule=rule
        )


async def broker_licence(ctx: Context, *, broker_id: str, exchange_id: str) -> BrokerLicence | None:
    """A broker's licence on one exchange, if it has one."""
    return await repository.get_broker_licence(ctx.session, broker_id, exchange_id)


# Recorded by nothing in the log: committed spending moves with escrow and settlement,
# and the times are the clock's, not the entry's.
_NOT_RECONCILED = ("spent_fen", "created_at", "revoked_at")


async def all_for_reconcile(
    session: AsyncSession,
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Every mandate as (table, rows) pages: each column `trading.mandate_granted` and
    `trading.mandate_revoked` record (reconciliation replays the log against them)."""
    async for rows in repository.mandate_pages(session):
        yield (
            Mandate.__tablename__,
            [{k: v for k, v in r.items() if k not in _NOT_RECONCILED} for r in rows],
        )
