"""Every query of negotiated trading (协议交易)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.trading.negotiations.models import Negotiation, NegotiationMessage
from exchange.trading.queries import page_of, where_equal


async def get_negotiation(session: AsyncSession, negotiation_id: str) -> Negotiation | None:
    """One negotiation."""
    return await session.get(Negotiation, negotiation_id)


async def list_negotiation_messages(
    session: AsyncSession, negotiation_id: str
) -> Sequence[NegotiationMessage]:
    """A negotiation's steps in order."""
    stmt = (
        select(NegotiationMessage)
        .where(NegotiationMessage.negotiation_id == negotiation_id)
        .order_by(NegotiationMessage.seq)
    )
    return (await session.scalars(stmt)).all()


async def list_negotiations(
    session: AsyncSession, *, party_id: str | None, state: str | None, limit: int, offset: int
) -> tuple[Sequence[Negotiation], int]:
    """A page of negotiations (newest first) and their count."""
    stmt = select(Negotiation)
    if party_id is not None:
        stmt = stmt.where(
            (Negotiation.consumer_id == party_id)
            | (Negotiation.provider_id == party_id)
            | (Negotiation.broker_id == party_id)
        )
    stmt = where_equal(stmt, {Negotiation.state: state})
    order = [Negotiation.created_at.desc(), Negotiation.id]
    return await page_of(session, stmt, order, limit, offset)


async def step_negotiation(
    session: AsyncSession, negotiation_id: str, *, from_state: str, values: dict[str, Any]
) -> bool:
    """Move a negotiation on if it is still in `from_state` (two steps never both apply)."""
    return await transition(
        session,
        Negotiation,
        Negotiation.id == negotiation_id,
        Negotiation.state == from_state,
        **values,
    )
