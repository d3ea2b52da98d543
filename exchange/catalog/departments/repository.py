"""Every query of divisions and departments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import (
    ColumnElement,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.departments.models import Department, Division
from exchange.catalog.search.text import like_pattern


async def all_divisions(session: AsyncSession) -> Sequence[Division]:
    """Every division, by code."""
    return (await session.scalars(select(Division).order_by(Division.code))).all()


async def get_department(
    session: AsyncSession, department_id: str, *, for_update: bool = False
) -> Department | None:
    """One department by id."""
    stmt = select(Department).where(Department.id == department_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def get_departments(session: AsyncSession, ids: Iterable[str]) -> dict[str, Department]:
    """Several departments by id."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Department).where(Department.id.in_(wanted)))
    return {d.id: d for d in rows}


async def department_by_code(session: AsyncSession, code: str) -> Department | None:
    """A department by its code."""
    return (await session.scalars(select(Department).where(Department.code == code))).first()


async def department_codes_taken(session: AsyncSession, codes: Sequence[str]) -> list[str]:
    """Which of the codes already name departments."""
    if not codes:
        return []
    rows = await session.scalars(select(Department.code).where(Department.code.in_(codes)))
    return list(rows)


async def department_of_participant(
    session: AsyncSession, participant_id: str
) -> Department | None:
    """The department a participant is bound to."""
    stmt = select(Department).where(Department.participant_id == participant_id)
    return (await session.scalars(stmt)).first()


async def department_named(
    session: AsyncSession, division_code: str, name: str
) -> Department | None:
    """The department of that name in a division."""
    stmt = select(Department).where(
        Department.division_code == division_code, Department.name == name
    )
    return (await session.scalars(stmt)).first()


async def list_departments(
    session: AsyncSession,
    *,
    division_code: str | None,
    city_code: str | None,
    level: str | None,
    parent_id: str | None,
    name: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Department], int]:
    """A page of departments (by code) and the total."""
    conds: list[ColumnElement[bool]] = []
    if division_code:
        conds.append(Department.division_code == division_code)
    if city_code:
        conds.append(Department.city_code == city_code)
    if level:
        conds.append(Department.level == level)
    if parent_id:
        conds.append(Department.parent_id == parent_id)
    if name:
        conds.append(Department.name.like(like_pattern(name), escape="\\"))
    rows = await session.scalars(
        select(Department).where(*conds).order_by(Department.code).limit(limit).offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(Department).where(*conds))
    return rows.all(), int(total or 0)


async def next_item_serial(session: AsyncSession, department_id: str) -> int:
    """Take the department's next item serial and count the new item (atomic)."""
    stmt = (
        update(Department)
        .where(Department.id == department_id)
        .values(
            item_serial=Department.item_serial + 1,
            item_count=Department.item_count + 1,
        )
        .returning(Department.item_serial)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(stmt)).scalar_one())


async def data_authority_of(session: AsyncSession, division_code: str) -> Department | None:
    """The department designated data authority (数据主管部门) of a division, if any."""
    stmt = select(Department).where(
        Department.division_code == division_code, Department.data_authority.is_(True)
    )
    return (await session.scalars(stmt)).first()
