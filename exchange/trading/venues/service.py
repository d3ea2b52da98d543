"""Exchanges (数据交易所) and rulebooks (交易规则): who acts, who oversees, who operates which
exchange; rulebook versions and operator bindings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exchange.context import Context, Principal
from exchange.errors import Forbidden, InvalidInput
from exchange.participants import service as participants_service
from exchange.trading import rules
from exchange.trading.venues import repository
from exchange.trading.venues.errors import (
    AlreadyBound,
    ExchangeNotFound,
    NotExchangeOperator,
    VenueStateConflict,
)
from exchange.trading.venues.models import Exchange, ExchangeOperator, Rulebook, ServiceBase
from exchange.vocabulary import Role

# Instructors are not overseers of the main market: a live class reads its own sandbox market
# as that market's admin (`classroom.live`), so nothing needs them to see real trades.
OVERSEER_ROLES = frozenset({Role.ADMIN, Role.REGULATOR})
# Who buys: enterprises, individuals and departments (directly or through a broker).
BUYER_ROLES = frozenset({Role.ENTERPRISE, Role.INDIVIDUAL, Role.DEPARTMENT})


def oversees(actor: Principal) -> bool:
    """Admins and regulators read every trading record."""
    return actor.role in OVERSEER_ROLES


async def operator_exchange(ctx: Context) -> str | None:
    """The exchange the calling operator is bound to (None for anyone else)."""
    actor = actor_of(ctx)
    if actor.role is not Role.EXCHANGE_OPERATOR:
        return None
    binding = await repository.get_operator(ctx.session, actor.id)
    return binding.exchange_id if binding is not None else None


async def require_operator_of(ctx: Context, exchange_id: str) -> Principal:
    """The calling operator, if it operates `exchange_id` (else NotExchangeOperator)."""
    actor = actor_of(ctx)
    if await operator_exchange(ctx) != exchange_id:
        raise NotExchangeOperator(f"Only an operator of exchange {exchange_id!r} may do this.")
    return actor


@dataclass(frozen=True, slots=True)
class ExchangeView:
    """An exchange, its current rulebook and its service bases."""

    exchange: Exchange
    rulebook: Rulebook
    bases: list[ServiceBase]


async def list_exchanges(ctx: Context) -> list[ExchangeView]:
    """Every exchange with its current rulebook and bases."""
    bases = await repository.list_bases(ctx.session)
    return [
        ExchangeView(e, r, [b for b in bases if b.exchange_id == e.id])
        for e, r in await repository.list_exchanges(ctx.session)
    ]


async def get_exchange(ctx: Context, exchange_id: str) -> ExchangeView:
    """One exchange with its current rulebook and bases."""
    found = await repository.get_exchange(ctx.session, exchange_id)
    if found is None:
        raise ExchangeNotFound(f"No exchange {exchange_id!r}.")
    bases = [b for b in await repository.list_bases(ctx.session) if b.exchange_id == exchange_id]
    return ExchangeView(found[0], found[1], bases)


async def list_rulebooks(ctx: Context, *, exchange_id: str) -> Sequence[Rulebook]:
    """Every version of an exchange's rulebook, newest first."""
    await get_exchange(ctx, exchange_id)
    return await repository.list_rulebooks(ctx.session, exchange_id)


RULEBOOK_FIELDS = (
    "buyer_fee_bp",
    "seller_fee_bp",
    "max_commission_bp",
    "broker_required_for",
    "trade_modes",
    "listing_review",
    "min_price_fen",
    "max_price_fen",
)


def rulebook_json(book: Rulebook) -> dict[str, Any]:
    """A rulebook's clauses as JSON."""
    return {name: getattr(book, name) for name in RULEBOOK_FIELDS}


async def change_rulebook(
    ctx: Context, *, exchange_id: str, changes: dict[str, Any], note: str
) -> Rulebook:
    """A new rulebook version for the operator's own exchange; past trades keep theirs."""
    actor = await require_operator_of(ctx, exchange_id)
    view = await get_exchange(ctx, exchange_id)
    old = view.rulebook
    clauses = rulebook_json(old)
    clauses.update({k: v for k, v in changes.items() if k in RULEBOOK_FIELDS})
    if clauses["seller_fee_bp"] + clauses["max_commission_bp"] > rules.BASIS_POINTS:
        raise InvalidInput("seller_fee_bp + max_commission_bp cannot exceed 10000 bp.")
    if clauses["min_price_fen"] > clauses["max_price_fen"]:
        raise InvalidInput("min_price_fen cannot exceed max_price_fen.")
    if not await repository.advance_rulebook(ctx.session, exchange_id, old.version):
        raise VenueStateConflict("The rulebook changed meanwhile; read it again and retry.")
    new = Rulebook(
        exchange_id=exchange_id,
        version=old.version + 1,
        note=note,
        changed_by=actor.id,
        created_at=ctx.clock.now(),
        **clauses,
    )
    ctx.session.add(new)
    ctx.audit(
        "trading.rulebook_changed",
        subject_type="exchange",
        subject_id=exchange_id,
        payload={
            "version": new.version,
            "previous_version": old.version,
            "note": note,
            "changes": {
                k: {"from": getattr(old, k), "to": clauses[k]}
                for k in RULEBOOK_FIELDS
                if getattr(old, k) != clauses[k]
            },
            "rulebook": clauses,
        },
    )
    return new


async def bind_operator(ctx: Context, *, exchange_id: str, participant_id: str) -> ExchangeOperator:
    """Bind an exchange operator to the exchange it runs (admins)."""
    actor = actor_of(ctx)
    if actor.role is not Role.ADMIN:
        raise Forbidden("Only admins bind operators to exchanges.")
    await get_exchange(ctx, exchange_id)
    participant = await participants_service.get(ctx, participant_id)
    if participant.role != Role.EXCHANGE_OPERATOR:
        raise InvalidInput(f"Participant {participant_id} is not an exchange operator.")
    if await repository.get_operator(ctx.session, participant_id) is not None:
        raise AlreadyBound(f"Operator {participant_id} is already bound to an exchange.")
    binding = ExchangeOperator(
        participant_id=participant_id,
        exchange_id=exchange_id,
        bound_by=actor.id,
        bound_at=ctx.clock.now(),
    )
    ctx.session.add(binding)
    ctx.audit(
        "trading.operator_bound",
        subject_type="exchange",
        subject_id=exchange_id,
        payload={"participant_id": participant_id},
    )
    return binding


def actor_of(ctx: Context) -> Principal:
    """The authenticated participant behind a request."""
    if ctx.actor is None:
        raise Forbidden("This action needs an authenticated participant.")
    return ctx.actor


def rule_of(exchange: Exchange, rulebook: Rulebook, clause: str) -> str:
    """A clause of an exchange's rulebook, named with its version."""
    return f"{exchange.name}交易规则 v{rulebook.version}: {clause}"


async def operator_binding(ctx: Context, participant_id: str) -> ExchangeOperator | None:
    """The exchange an operator is bound to, if any."""
    return await repository.get_operator(ctx.session, participant_id)
