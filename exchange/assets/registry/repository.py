"""Every query of assets and their registration applications (plus the bulk row writers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.certificates.models import Certificate, CertificateState
from exchange.assets.registry.models import (
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    Asset,
    AssetApplication,
    AssetStatus,
)
from exchange.database import Base
from exchange.kit.roundreads import MISSING, reads_of


async def get_asset(
    session: AsyncSession, asset_id: str, *, fresh: bool = False, lock: bool = False
) -> Asset | None:
    """One asset by id; `fresh` re-reads it even if the session holds it, `lock` holds the
    row until commit (PostgreSQL; SQLite writers are serialized anyway)."""
    return await session.get(Asset, asset_id, populate_existing=fresh or lock, with_for_update=lock)


_ROW_SKIPS = frozenset(
    {"description", "source_legality", "personal_information_basis", "source_catalog_item_ids"}
)


async def asset_rows(session: AsyncSession, asset_ids: Sequence[str]) -> dict[str, Row[Any]]:
    """Several assets as plain rows for bulk paths (no ORM state; long texts left out)."""
    table = _table(Asset)
    columns = [column for column in table.c if column.name not in _ROW_SKIPS]
    result = await session.execute(select(*columns).where(table.c.id.in_(list(asset_ids))))
    return {row.id: row for row in result}


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def insert_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert many rows with one Core executemany (bulk paths skip ORM bookkeeping)."""
    if rows:
        await session.execute(insert(_table(model)), list(rows))


async def update_rows(
    session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]
) -> None:
    """Update many rows by id with one Core executemany; every row has the same keys."""
    if not rows:
        return
    table = _table(model)
    columns = [key for key in rows[0] if key != "id"]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({column: bindparam(f"new_{column}") for column in columns})
    )
    params = [
        {"row_id": row["id"], **{f"new_{column}": row[column] for column in columns}}
        for row in rows
    ]
    await session.execute(stmt, params)


async def list_assets(
    session: AsyncSession,
    *,
    visible_to: str | None,
    status: AssetStatus | None,
    holder_id: str | None,
    text: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Asset], int]:
    """A page of assets and the total; `visible_to` limits to published or own assets."""
    conditions: list[ColumnElement[bool]] = []
    if visible_to is not None:
        conditions.append(or_(Asset.published_at.is_not(None), Asset.holder_id == visible_to))
    if status is not None:
        conditions.append(Asset.status == status)
    if holder_id is not None:
        conditions.append(Asset.holder_id == holder_id)
    if text:
        conditions.append(Asset.name.contains(text, autoescape=True))
    where = and_(True, *conditions)
    rows = await session.scalars(
        select(Asset)
        .where(where)
        .order_by(Asset.created_at.desc(), Asset.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(Asset).where(where))
    return rows.all(), int(total or 0)


async def holder_asset_names(session: AsyncSession, holder_id: str) -> set[str]:
    """The names of the assets a participant holds (or has applied for)."""
    stmt = select(Asset.name).where(Asset.holder_id == holder_id)
    return set((await session.scalars(stmt)).all())


async def open_applications(
    session: AsyncSession, asset_ids: Sequence[str], *, lock: bool = False
) -> dict[str, AssetApplication]:
    """Each asset's open application (under review or in publicity), keyed by asset id;
    `lock` holds the rows until commit (PostgreSQL; SQLite writers are serialized anyway)."""
    stmt = select(AssetApplication).where(
        AssetApplication.asset_id.in_(list(asset_ids)),
        AssetApplication.status.in_(OPEN_APPLICATION_STATUSES),
    )
    if lock:
        stmt = stmt.order_by(AssetApplication.id).with_for_update()
    return {app.asset_id: app for app in await session.scalars(stmt)}


async def open_application_rows(
    session: AsyncSession, asset_ids: Sequence[str]
) -> dict[str, Row[Any]]:
    """Each asset's open application as a plain row without its proposal, by asset id.

    The rows stay locked until commit (PostgreSQL), taken in id order so that concurrent
    batches cannot deadlock: two reviewers deciding at once cannot both count one approval.
    """
    table = _table(AssetApplication)
    columns = [column for column in table.c if column.name != "proposed"]
    stmt = (
        select(*columns)
        .where(table.c.asset_id.in_(list(asset_ids)), table.c.status.in_(OPEN_APPLICATION_STATUSES))
        .order_by(table.c.id)
        .with_for_update()
    )
    return {row.asset_id: row for row in await session.execute(stmt)}


async def proposals(session: AsyncSession, application_ids: Sequence[str]) -> dict[str, Any]:
    """The proposed descriptions of some applications, keyed by application id."""
    stmt = select(AssetApplication.id, AssetApplication.proposed).where(
        AssetApplication.id.in_(list(application_ids))
    )
    return {row.id: row.proposed for row in await session.execute(stmt)}


async def get_application(
    session: AsyncSession, application_id: str, *, fresh: bool = False
) -> AssetApplication | None:
    """One application by id; `fresh` re-reads it even if the session already holds it."""
    return await session.get(AssetApplication, application_id, populate_existing=fresh)


async def list_applications(session: AsyncSession, asset_id: str) -> Sequence[AssetApplication]:
    """An asset's applications, oldest first."""
    stmt = (
        select(AssetApplication)
        .where(AssetApplication.asset_id == asset_id)
        .order_by(AssetApplication.submitted_at, AssetApplication.id)
    )
    return (await session.scalars(stmt)).all()


async def list_applications_page(
    session: AsyncSession,
    *,
    status: ApplicationStatus | None,
    holder_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[AssetApplication], int]:
    """A page of applications (oldest first: a review queue), optionally of one holder."""
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(AssetApplication.status == status)
    if holder_id is not None:
        conditions.append(
            AssetApplication.asset_id.in_(select(Asset.id).where(Asset.holder_id == holder_id))
        )
    where = and_(True, *conditions)
    rows = await session.scalars(
        select(AssetApplication)
        .where(where)
        .order_by(AssetApplication.submitted_at, AssetApplication.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(AssetApplication).where(where))
    return rows.all(), int(total or 0)


# Built once: trading reads an asset and its certificate on every purchase.
_ASSET_WITH_VALID_CERTIFICATE = (
    select(Asset, Certificate)
    .outerjoin(
        Certificate,
        and_(Certificate.asset_id == Asset.id, Certificate.state == CertificateState.VALID),
    )
    .where(Asset.id == bindparam("asset_id"))
)
_ASSET_TABLES = frozenset({Asset.__tablename__, Certificate.__tablename__})


async def asset_with_valid_certificate(
    session: AsyncSession, asset_id: str
) -> tuple[Asset, Certificate | None] | None:
    """An asset and its unrevoked certificate (if any), in one round trip."""
    reads = reads_of(session)
    key = ("asset_with_valid_certificate", asset_id)
    if reads is not None and (kept := reads.get(key)) is not MISSING:
        found: tuple[Asset, Certificate | None] | None = kept
        return found
    row = (await session.execute(_ASSET_WITH_VALID_CERTIFICATE, {"asset_id": asset_id})).first()
    pair = None if row is None else (row[0], row[1])
    if reads is not None:
        reads.put(key, _ASSET_TABLES, pair)
    return pair
