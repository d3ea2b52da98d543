"""Every query of data brokers' licences (数据经纪人) and their clients' mandates (授权委托)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.keyset import table_pages
from exchange.kit.transition import transition
from exchange.trading.brokerage.models import BrokerLicence, Mandate
from exchange.trading.queries import page_of, where_equal
from exchange.vocabulary import MandateStatus


async def get_broker_licence(
    session: AsyncSession, broker_id: str, exchange_id: str
) -> BrokerLicence | None:
    """A broker's licence from one exchange."""
    stmt = select(BrokerLicence).where(
        BrokerLicence.broker_id == broker_id, BrokerLicence.exchange_id == exchange_id
    )
    return (await session.scalars(stmt)).first()


async def get_broker_licence_by_id(session: AsyncSession, licence_id: str) -> BrokerLicence | None:
    """A broker licence by id."""
    return await session.get(BrokerLicence, licence_id)


async def list_broker_licences(
    session: AsyncSession, *, exchange_id: str | None, broker_id: str | None
) -> Sequence[BrokerLicence]:
    """Broker licences, optionally of one exchange or broker."""
    stmt = where_equal(
        select(BrokerLicence),
        {BrokerLicence.exchange_id: exchange_id, BrokerLicence.broker_id: broker_id},
    )
    return (await session.scalars(stmt.order_by(BrokerLicence.issued_at, BrokerLicence.id))).all()


async def get_mandate(session: AsyncSession, mandate_id: str) -> Mandate | None:
    """One mandate."""
    return await session.get(Mandate, mandate_id)


async def spend_mandate(session: AsyncSession, mandate_id: str, amount_fen: int) -> int | None:
    """Commit `amount_fen` of a mandate's limit atomically; None if it would exceed the limit."""
    stmt = (
        update(Mandate)
        .where(
            Mandate.id == mandate_id,
            Mandate.spent_fen + amount_fen <= Mandate.spending_limit_fen,
        )
        .values(spent_fen=Mandate.spent_fen + amount_fen)
        .returning(Mandate.spent_fen)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def release_mandate(session: AsyncSession, mandate_id: str, amount_fen: int) -> None:
    """Give back `amount_fen` of a mandate's committed spending (a refund)."""
    stmt = (
        update(Mandate)
        .where(Mandate.id == mandate_id)
        .values(spent_fen=Mandate.spent_fen - amount_fen)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def list_mandates(
    session: AsyncSession,
    *,
    client_id: str | None,
    broker_id: str | None,
    party_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Mandate], int]:
    """A page of mandates matching the filters, and their count."""
    stmt = where_equal(
        select(Mandate),
        {Mandate.client_id: client_id, Mandate.broker_id: broker_id, Mandate.status: status},
    )
    if party_id is not None:
        stmt = stmt.where((Mandate.client_id == party_id) | (Mandate.broker_id == party_id))
    return await page_of(session, stmt, [Mandate.created_at.desc(), Mandate.id], limit, offset)


async def due_mandate_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """Mandates still recorded active whose expiry has passed, earliest first."""
    stmt = (
        select(Mandate.id)
        .where(Mandate.status == MandateStatus.ACTIVE, Mandate.expires_at <= now)
        .order_by(Mandate.expires_at, Mandate.id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def get_mandates(session: AsyncSession, mandate_ids: Sequence[str]) -> list[Mandate]:
    """Several mandates by id."""
    if not mandate_ids:
        return []
    return list((await session.scalars(select(Mandate).where(Mandate.id.in_(mandate_ids)))).all())


async def mark_mandate_expired(session: AsyncSession, mandate_id: str) -> bool:
    """Record an active mandate as expired; False if it is no longer active."""
    return await transition(
        session,
        Mandate,
        Mandate.id == mandate_id,
        Mandate.status == MandateStatus.ACTIVE,
        status=MandateStatus.EXPIRED,
    )


def mandate_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every mandate, in id order, a batch at a time (reconciliation)."""
    table: Table = Mandate.__table__  # type: ignore[assignment]
    return table_pages(session, table, [table.c.id])
