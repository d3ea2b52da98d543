"""Every query of the market clock's row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.markettime.models import MARKET_CLOCK_ID, MarketClockState


async def stored_offset_us(session: AsyncSession, /) -> int:
    """The stored offset in microseconds (0 before the clock was ever moved)."""
    stmt = select(MarketClockState.offset_us).where(MarketClockState.id == MARKET_CLOCK_ID)
    return int(await session.scalar(stmt) or 0)


async def get_state(session: AsyncSession, *, lock: bool = False) -> MarketClockState | None:
    """The clock's row (locked for update when asked); the migration seeds it."""
    stmt = select(MarketClockState).where(MarketClockState.id == MARKET_CLOCK_ID)
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt.execution_options(populate_existing=True))


def add_state(session: AsyncSession) -> MarketClockState:
    """The clock's row at offset 0 (for a database whose row went missing)."""
    state = MarketClockState(id=MARKET_CLOCK_ID, offset_us=0)
    session.add(state)
    return state


async def move(
    session: AsyncSession, *, old_offset_us: int, offset_us: int, moved_at: datetime, moved_by: str
) -> bool:
    """Set a larger offset if the stored one is still `old_offset_us`."""
    return await transition(
        session,
        MarketClockState,
        MarketClockState.id == MARKET_CLOCK_ID,
        MarketClockState.offset_us == old_offset_us,
        offset_us=offset_us,
        moved_at=moved_at,
        moved_by=moved_by,
    )
