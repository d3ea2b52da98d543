"""Every query of transfer processes and usage records, and the compare-and-set updates that
spend a licence's quota and privacy budget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.trading.licences.models import Licence
from exchange.trading.listings.models import Listing
from exchange.trading.queries import page_of, where_equal
from exchange.trading.transfers.models import Transfer, TransferState, UsageKind, UsageRecord


async def get_transfer(session: AsyncSession, transfer_id: str) -> Transfer | None:
    """One transfer process."""
    return await session.get(Transfer, transfer_id)


async def transfer_with_terms(
    session: AsyncSession, transfer_id: str
) -> tuple[Transfer, Licence, Listing] | None:
    """A transfer with its licence and the licence's listing, in one query."""
    stmt = (
        select(Transfer, Licence, Listing)
        .join(Licence, Licence.id == Transfer.licence_id)
        .join(Listing, Listing.id == Licence.listing_id)
        .where(Transfer.id == transfer_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], row[2])


async def list_transfers(
    session: AsyncSession,
    *,
    party_id: str | None,
    licence_id: str | None,
    state: TransferState | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Transfer], int]:
    """A page of transfers (newest first): those a party takes part in, or all."""
    stmt = where_equal(select(Transfer), {Transfer.licence_id: licence_id, Transfer.state: state})
    if party_id is not None:
        stmt = stmt.where(or_(Transfer.consumer_id == party_id, Transfer.provider_id == party_id))
    return await page_of(session, stmt, [Transfer.created_at.desc(), Transfer.id], limit, offset)


async def move_transfer(
    session: AsyncSession,
    transfer_id: str,
    *,
    from_states: Sequence[TransferState],
    values: dict[str, Any],
) -> bool:
    """Move a transfer out of one of `from_states` (False if it has left them meanwhile)."""
    return await transition(
        session,
        Transfer,
        Transfer.id == transfer_id,
        Transfer.state.in_([s.value for s in from_states]),
        **values,
    )


async def count_use(
    session: AsyncSession, licence_id: str, *, period_start: datetime, limit: int | None
) -> int | None:
    """Count one use in the quota period beginning `period_start`: the period's count after
    it, or None if the period's quota is spent. One conditional UPDATE: of two racing uses of
    the last unit, one wins."""
    same_period = Licence.usage_period_start == period_start
    conditions = [Licence.id == licence_id]
    if limit is not None:
        conditions.append(
            or_(
                Licence.usage_period_start.is_(None),
                Licence.usage_period_start != period_start,
                Licence.usage_count < limit,
            )
        )
    stmt = (
        update(Licence)
        .where(*conditions)
        .values(
            usage_count=case((same_period, Licence.usage_count + 1), else_=1),
            usage_period_start=period_start,
        )
        .returning(Licence.usage_count)
        .execution_options(synchronize_session=False)
    )
    found = (await session.execute(stmt)).scalar_one_or_none()
    return None if found is None else int(found)


async def spend_budget(
    session: AsyncSession, licence_id: str, *, cost_micro: int, budget_micro: int
) -> int | None:
    """Spend ε (in millionths) of a licence's privacy budget: the total spent after it, or None
    if it would overdraw the budget. One conditional UPDATE: of two racing queries for the
    last of the budget, one wins."""
    stmt = (
        update(Licence)
        .where(
            Licence.id == licence_id,
            Licence.epsilon_spent_micro + cost_micro <= budget_micro,
        )
        .values(epsilon_spent_micro=Licence.epsilon_spent_micro + cost_micro)
        .returning(Licence.epsilon_spent_micro)
        .execution_options(synchronize_session=False)
    )
    found = (await session.execute(stmt)).scalar_one_or_none()
    return None if found is None else int(found)


async def list_usage(
    session: AsyncSession,
    *,
    licence_id: str,
    transfer_id: str | None,
    kind: UsageKind | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[UsageRecord], int]:
    """A page of a licence's usage records, newest first."""
    stmt = where_equal(
        select(UsageRecord),
        {
            UsageRecord.licence_id: licence_id,
            UsageRecord.transfer_id: transfer_id,
            UsageRecord.kind: kind,
        },
    )
    return await page_of(session, stmt, [UsageRecord.id.desc()], limit, offset)
