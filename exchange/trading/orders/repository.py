"""Every query of orders, trades and idempotency keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.trading.orders.filters import TradeFilter
from exchange.trading.orders.models import IdempotencyKey, Order, Trade
from exchange.trading.queries import page_of, where_equal

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


async def get_order(session: AsyncSession, order_id: str) -> Order | None:
    """One order."""
    return await session.get(Order, order_id)


async def get_trade(session: AsyncSession, trade_id: str) -> Trade | None:
    """One trade."""
    return await session.get(Trade, trade_id)


async def get_trades(session: AsyncSession, trade_ids: Sequence[str]) -> dict[str, Trade]:
    """Several trades by id."""
    if not trade_ids:
        return {}
    stmt = select(Trade).where(Trade.id.in_(trade_ids))
    return {t.id: t for t in (await session.scalars(stmt)).all()}


def trade_like(stmt: AnySelect, model: Any, f: TradeFilter, time_column: Any) -> AnySelect:
    for column, value in (
        ("exchange_id", f.exchange_id),
        ("mode", f.mode),
        ("buyer_id", f.buyer_id),
        ("seller_id", f.seller_id),
        ("broker_id", f.broker_id),
        ("listing_id", f.listing_id),
    ):
        if value is not None:
            stmt = stmt.where(getattr(model, column) == value)
    if f.party_id is not None:
        stmt = stmt.where(
            (model.buyer_id == f.party_id)
            | (model.seller_id == f.party_id)
            | (model.broker_id == f.party_id)
        )
    if f.since is not None:
        stmt = stmt.where(time_column >= f.since)
    if f.until is not None:
        stmt = stmt.where(time_column < f.until)
    return stmt


async def list_trades(
    session: AsyncSession, f: TradeFilter, *, limit: int, offset: int
) -> tuple[Sequence[Trade], int]:
    """A page of trades (newest first) and their count."""
    stmt = trade_like(select(Trade), Trade, f, Trade.settled_at)
    return await page_of(session, stmt, [Trade.settled_at.desc(), Trade.id], limit, offset)


async def list_orders(
    session: AsyncSession, f: TradeFilter, *, status: str | None, limit: int, offset: int
) -> tuple[Sequence[Order], int]:
    """A page of orders (newest first) and their count."""
    stmt = trade_like(select(Order), Order, f, Order.created_at)
    stmt = where_equal(stmt, {Order.status: status})
    return await page_of(session, stmt, [Order.created_at.desc(), Order.id], limit, offset)


async def get_idempotency_key(
    session: AsyncSession, participant_id: str, key: str
) -> IdempotencyKey | None:
    """A participant's stored Idempotency-Key, read fresh from the database."""
    stmt = (
        select(IdempotencyKey)
        .where(IdempotencyKey.participant_id == participant_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(stmt)).first()


# pg_try_advisory_xact_lock class for Idempotency-Keys ("GDXI"); the two-int form never
# collides with the single-bigint locks of the audit log.
_IDEMPOTENCY_LOCK_CLASS = 0x47445849


async def claim_idempotency_key(
    session: AsyncSession, *, participant_id: str, key: str, fingerprint: str, created_at: datetime
) -> bool:
    """Insert a key for this transaction; False (without waiting) if another request holds it.

    PostgreSQL: a transaction-level advisory lock on the key is taken first, without waiting,
    so a request racing one still in flight learns so at once instead of blocking on the
    uncommitted row; holding it, only a key committed meanwhile can conflict. SQLite: writers
    are serialized (BEGIN IMMEDIATE), so the same holds. The insert skips a conflicting row
    rather than failing, so the request's transaction stays usable and may read the key again.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        locked = await session.scalar(
            select(
                func.pg_try_advisory_xact_lock(
                    _IDEMPOTENCY_LOCK_CLASS, func.hashtext(f"{participant_id}\n{key}")
                )
            )
        )
        if not locked:
            return False
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(IdempotencyKey)
        .values(
            participant_id=participant_id,
            key=key,
            fingerprint=fingerprint,
            status_code=None,
            response=None,
            created_at=created_at,
        )
        .on_conflict_do_nothing()
    )
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)


async def store_idempotent_response(
    session: AsyncSession, *, participant_id: str, key: str, status_code: int, response: str
) -> None:
    """Keep the first response to a claimed key, for its retries."""
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.participant_id == participant_id, IdempotencyKey.key == key)
        .values(status_code=status_code, response=response)
        .execution_options(synchronize_session=False)
    )
