"""Every query of exchanges (数据交易所), rulebooks (交易规则), bases, operators."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.trading.venues.models import Exchange, ExchangeOperator, Rulebook, ServiceBase


async def list_exchanges(session: AsyncSession) -> Sequence[tuple[Exchange, Rulebook]]:
    """Every exchange with its current rulebook."""
    stmt = (
        select(Exchange, Rulebook)
        .join(
            Rulebook,
            and_(
                Rulebook.exchange_id == Exchange.id,
                Rulebook.version == Exchange.rulebook_version,
            ),
        )
        .order_by(Exchange.id)
    )
    return [(e, r) for e, r in (await session.execute(stmt)).all()]


async def get_exchange(session: AsyncSession, exchange_id: str) -> tuple[Exchange, Rulebook] | None:
    """One exchange with its current rulebook."""
    stmt = (
        select(Exchange, Rulebook)
        .join(
            Rulebook,
            and_(
                Rulebook.exchange_id == Exchange.id,
                Rulebook.version == Exchange.rulebook_version,
            ),
        )
        .where(Exchange.id == exchange_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def get_rulebook(session: AsyncSession, exchange_id: str, version: int) -> Rulebook | None:
    """One version of an exchange's rulebook."""
    return await session.get(Rulebook, (exchange_id, version))


async def list_rulebooks(session: AsyncSession, exchange_id: str) -> Sequence[Rulebook]:
    """Every version of an exchange's rulebook, newest first."""
    stmt = (
        select(Rulebook)
        .where(Rulebook.exchange_id == exchange_id)
        .order_by(Rulebook.version.desc())
    )
    return (await session.scalars(stmt)).all()


async def advance_rulebook(session: AsyncSession, exchange_id: str, old_version: int) -> bool:
    """Move the exchange to the next rulebook version, if nobody moved it first."""
    return await transition(
        session,
        Exchange,
        Exchange.id == exchange_id,
        Exchange.rulebook_version == old_version,
        rulebook_version=old_version + 1,
    )


async def list_bases(session: AsyncSession) -> Sequence[ServiceBase]:
    """Every service base."""
    return (await session.scalars(select(ServiceBase).order_by(ServiceBase.id))).all()


async def get_base(session: AsyncSession, base_id: str) -> ServiceBase | None:
    """One service base."""
    return await session.get(ServiceBase, base_id)


async def get_operator(session: AsyncSession, participant_id: str) -> ExchangeOperator | None:
    """The exchange an operator is bound to, if any."""
    return await session.get(ExchangeOperator, participant_id)
