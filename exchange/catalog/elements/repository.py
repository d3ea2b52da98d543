"""Every query of data elements and their authoritative sources."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    case,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.elements.models import DataElement, ElementSource
from exchange.catalog.items.models import CatalogItem, ItemField
from exchange.catalog.search.text import like_pattern
from exchange.catalog.vocabulary import FieldRole
from exchange.kit.transition import transition


async def get_element(session: AsyncSession, element_id: str) -> DataElement | None:
    """One data element by id."""
    return await session.get(DataElement, element_id)


async def element_by_code(session: AsyncSession, code: str) -> DataElement | None:
    """One data element by code."""
    return (await session.scalars(select(DataElement).where(DataElement.code == code))).first()


async def elements_by_codes(session: AsyncSession, codes: Iterable[str]) -> dict[str, DataElement]:
    """Data elements by code."""
    wanted = list(set(codes))
    if not wanted:
        return {}
    rows = await session.scalars(select(DataElement).where(DataElement.code.in_(wanted)))
    return {e.code: e for e in rows}


async def elements_by_ids(session: AsyncSession, ids: Iterable[str]) -> dict[str, DataElement]:
    """Data elements by id."""
    wanted = list({i for i in ids if i})
    if not wanted:
        return {}
    rows = await session.scalars(select(DataElement).where(DataElement.id.in_(wanted)))
    return {e.id: e for e in rows}


async def list_elements(
    session: AsyncSession, *, name: str | None, limit: int, offset: int
) -> tuple[Sequence[DataElement], int]:
    """A page of data elements (by code) and the total."""
    conds: list[ColumnElement[bool]] = []
    if name:
        pattern = like_pattern(name)
        conds.append(
            or_(
                DataElement.name_zh.like(pattern, escape="\\"),
                func.lower(DataElement.name_en).like(pattern.lower(), escape="\\"),
                func.lower(DataElement.code).like(pattern.lower(), escape="\\"),
            )
        )
    rows = await session.scalars(
        select(DataElement).where(*conds).order_by(DataElement.code).limit(limit).offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(DataElement).where(*conds))
    return rows.all(), int(total or 0)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """An element's authoritative source with what a pointer needs."""

    element_id: str
    element_code: str
    item_id: str
    item_code: str
    item_name: str
    department_id: str


async def sources_for_elements(
    session: AsyncSession, element_ids: Iterable[str]
) -> dict[str, SourceRow]:
    """The authoritative source of each element that has one."""
    wanted = list(set(element_ids))
    if not wanted:
        return {}
    stmt = (
        select(
            ElementSource.element_id,
            DataElement.code,
            CatalogItem.id,
            CatalogItem.code,
            CatalogItem.name_zh,
            CatalogItem.department_id,
        )
        .join(DataElement, DataElement.id == ElementSource.element_id)
        .join(CatalogItem, CatalogItem.id == ElementSource.item_id)
        .where(ElementSource.element_id.in_(wanted))
    )
    return {row[0]: SourceRow(*row) for row in (await session.execute(stmt)).all()}


async def lock_elements(session: AsyncSession, element_ids: Iterable[str]) -> None:
    """Row-lock data elements, in id order, so that claims to be their source queue up."""
    ids = sorted(set(element_ids))
    if ids:
        stmt = (
            select(DataElement.id)
            .where(DataElement.id.in_(ids))
            .order_by(DataElement.id)
            .with_for_update()
        )
        await session.execute(stmt)


async def source_elements_of_item(session: AsyncSession, item_id: str) -> set[str]:
    """The elements an item is the authoritative source of."""
    rows = await session.scalars(
        select(ElementSource.element_id).where(ElementSource.item_id == item_id)
    )
    return set(rows)


async def set_source(
    session: AsyncSession, *, element_id: str, item_id: str, since: datetime
) -> None:
    """Make an item the element's source (insert or move)."""
    moved = await transition(
        session, ElementSource, ElementSource.element_id == element_id, item_id=item_id, since=since
    )
    if not moved:
        await session.execute(
            insert(ElementSource).values(element_id=element_id, item_id=item_id, since=since)
        )


async def release_sources(
    session: AsyncSession, *, item_id: str, element_ids: Iterable[str]
) -> None:
    """Drop an item's claim to be the source of these elements."""
    ids = list(element_ids)
    if ids:
        await session.execute(
            delete(ElementSource)
            .where(ElementSource.item_id == item_id, ElementSource.element_id.in_(ids))
            .execution_options(synchronize_session=False)
        )


async def consumers_of_element(
    session: AsyncSession, element_id: str, *, limit: int, offset: int
) -> tuple[list[tuple[str, str, str, str, str, str]], int]:
    """Items using an element: (item id, code, name, department, field code, role)."""
    conds = [ItemField.element_id == element_id]
    stmt = (
        select(
            CatalogItem.id,
            CatalogItem.code,
            CatalogItem.name_zh,
            CatalogItem.department_id,
            ItemField.code,
            ItemField.role,
        )
        .join(CatalogItem, CatalogItem.id == ItemField.item_id)
        .where(*conds)
        .order_by(case((ItemField.role == FieldRole.SOURCE, 0), else_=1), CatalogItem.seq)
        .limit(limit)
        .offset(offset)
    )
    rows = [tuple(r) for r in (await session.execute(stmt)).all()]
    total = await session.scalar(select(func.count()).select_from(ItemField).where(*conds))
    return rows, int(total or 0)  # type: ignore[return-value]
