"""Every query of data customs (数据海关): cross-border orders held for a regulator's decision."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.keyset import table_pages
from exchange.kit.transition import transition
from exchange.trading.customs.models import CustomsCase
from exchange.trading.queries import page_of, where_equal


async def customs_cases_of_orders(
    session: AsyncSession, order_ids: Sequence[str]
) -> dict[str, CustomsCase]:
    """The customs cases of several orders."""
    if not order_ids:
        return {}
    stmt = select(CustomsCase).where(CustomsCase.order_id.in_(order_ids))
    return {c.order_id: c for c in (await session.scalars(stmt)).all()}


async def get_customs_case(session: AsyncSession, case_id: str) -> CustomsCase | None:
    """One customs case."""
    return await session.get(CustomsCase, case_id)


async def decide_customs_case(
    session: AsyncSession, case_id: str, *, values: dict[str, Any]
) -> bool:
    """Decide a pending case once (two regulators never both decide it)."""
    return await transition(
        session, CustomsCase, CustomsCase.id == case_id, CustomsCase.status == "pending", **values
    )


async def list_customs_cases(
    session: AsyncSession,
    *,
    buyer_id: str | None,
    status: str | None,
    jurisdiction: str | None,
    exchange_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[CustomsCase], int]:
    """A page of customs cases (newest first) and their count."""
    stmt = where_equal(
        select(CustomsCase),
        {
            CustomsCase.buyer_id: buyer_id,
            CustomsCase.status: status,
            CustomsCase.jurisdiction: jurisdiction,
            CustomsCase.exchange_id: exchange_id,
        },
    )
    order = [CustomsCase.created_at.desc(), CustomsCase.id]
    return await page_of(session, stmt, order, limit, offset)


def case_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every customs case, in id order, a batch at a time (reconciliation)."""
    table: Table = CustomsCase.__table__  # type: ignore[assignment]
    return table_pages(session, table, [table.c.id])
