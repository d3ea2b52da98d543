"""Every query of catalog items, their fields and versions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    delete,
    exists,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.departments.models import Department
from exchange.catalog.elements.models import DataElement
from exchange.catalog.items.models import CatalogItem, ItemField, ItemVersion
from exchange.catalog.quality.models import ItemSample


async def get_item(
    session: AsyncSession, item_id: str, *, for_update: bool = False
) -> CatalogItem | None:
    """One item by id."""
    stmt = select(CatalogItem).where(CatalogItem.id == item_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def item_with_department(
    session: AsyncSession, item_id: str
) -> tuple[CatalogItem, Department, bool] | None:
    """An item, its department and whether it has a stored sample, in one query."""
    has_sample = exists().where(ItemSample.item_id == CatalogItem.id)
    stmt = (
        select(CatalogItem, Department, has_sample.label("has_sample"))
        .join(Department, Department.id == CatalogItem.department_id)
        .where(CatalogItem.id == item_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], bool(row[2]))


async def fields_with_elements(
    session: AsyncSession, item_id: str
) -> list[tuple[ItemField, DataElement | None]]:
    """An item's fields in order, each with its data element (if mapped)."""
    stmt = (
        select(ItemField, DataElement)
        .outerjoin(DataElement, DataElement.id == ItemField.element_id)
        .where(ItemField.item_id == item_id)
        .order_by(ItemField.position)
    )
    return [(f, e) for f, e in (await session.execute(stmt)).all()]


async def item_fields(session: AsyncSession, item_id: str) -> Sequence[ItemField]:
    """The fields of an item's current version, in order."""
    stmt = select(ItemField).where(ItemField.item_id == item_id).order_by(ItemField.position)
    return (await session.scalars(stmt)).all()


async def replace_fields(session: AsyncSession, item_id: str, rows: list[dict[str, Any]]) -> None:
    """Replace an item's fields."""
    await session.execute(
        delete(ItemField)
        .where(ItemField.item_id == item_id)
        .execution_options(synchronize_session=False)
    )
    if rows:
        await session.execute(insert(ItemField), rows)


async def add_version(session: AsyncSession, row: dict[str, Any]) -> None:
    """Store one version document."""
    await session.execute(insert(ItemVersion), [row])


async def versions(session: AsyncSession, item_id: str) -> Sequence[ItemVersion]:
    """An item's versions, oldest first."""
    stmt = select(ItemVersion).where(ItemVersion.item_id == item_id).order_by(ItemVersion.version)
    return (await session.scalars(stmt)).all()


async def get_version(session: AsyncSession, item_id: str, version: int) -> ItemVersion | None:
    """One version of an item."""
    return await session.get(ItemVersion, (item_id, version))


async def items_brief(session: AsyncSession, ids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    """Items' (code, name, department id) by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    stmt = select(
        CatalogItem.id, CatalogItem.code, CatalogItem.name_zh, CatalogItem.department_id
    ).where(CatalogItem.id.in_(wanted))
    return {i: (c, n, d) for i, c, n, d in (await session.execute(stmt)).all()}


async def item_id_named(session: AsyncSession, department_id: str, name_zh: str) -> str | None:
    """The id of a department's item with this Chinese name, if any."""
    stmt = select(CatalogItem.id).where(
        CatalogItem.department_id == department_id, CatalogItem.name_zh == name_zh
    )
    found: str | None = (await session.scalars(stmt.order_by(CatalogItem.seq).limit(1))).first()
    return found
