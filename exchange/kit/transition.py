"""Compare-and-set state changes: move a row only if it is still as the caller last saw it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession


async def transition(
    session: AsyncSession, model: type[Any], *where: ColumnElement[bool], **values: Any
) -> bool:
    """Set `values` on the one row of `model` matching `where`; False if none matched.

    Two requests racing to change the same row both read it, but only the first `UPDATE`
    whose conditions still hold moves it: the other sees False and reports a conflict.
    """
    stmt = update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    result: Any = await session.execute(stmt)
    return bool(result.rowcount == 1)
