"""Every query of certificates and the counter that numbers them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.certificates.models import AssetSequence, Certificate, CertificateState
from exchange.kit.keyset import table_pages
from exchange.kit.transition import transition


async def allocate(session: AsyncSession, name: str, count: int) -> int:
    """Reserve `count` consecutive values of a sequence; returns the first."""
    stmt = (
        update(AssetSequence)
        .where(AssetSequence.name == name)
        .values(value=AssetSequence.value + count)
        .returning(AssetSequence.value)
        .execution_options(synchronize_session=False)
    )
    last = (await session.execute(stmt)).scalar_one()
    return int(last) - count + 1


async def get_certificate(session: AsyncSession, number: str) -> Certificate | None:
    """One certificate by number."""
    return await session.get(Certificate, number)


async def get_certificates(session: AsyncSession, numbers: Sequence[str]) -> Sequence[Certificate]:
    """Several certificates by number."""
    return (
        await session.scalars(select(Certificate).where(Certificate.number.in_(list(numbers))))
    ).all()


async def valid_certificates(
    session: AsyncSession, asset_ids: Sequence[str]
) -> dict[str, Certificate]:
    """Each asset's unrevoked certificate, keyed by asset id."""
    stmt = select(Certificate).where(
        Certificate.asset_id.in_(list(asset_ids)), Certificate.state == CertificateState.VALID
    )
    return {c.asset_id: c for c in await session.scalars(stmt)}


async def revoked_certificates(
    session: AsyncSession,
) -> Sequence[Row[str, datetime | None, str | None]]:
    """Every revoked certificate's number, revocation time and reason, by number."""
    stmt = (
        select(Certificate.number, Certificate.revoked_at, Certificate.revocation_reason)
        .where(Certificate.state == CertificateState.REVOKED)
        .order_by(Certificate.number)
    )
    return (await session.execute(stmt)).all()


async def latest_certificate(session: AsyncSession, asset_id: str) -> Certificate | None:
    """The asset's most recently issued certificate."""
    stmt = (
        select(Certificate)
        .where(Certificate.asset_id == asset_id)
        .order_by(Certificate.issued_at.desc(), Certificate.number.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def list_certificates(
    session: AsyncSession,
    *,
    holder_id: str | None,
    asset_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Certificate], int]:
    """A page of certificates, newest first."""
    conditions: list[ColumnElement[bool]] = []
    if holder_id is not None:
        conditions.append(Certificate.holder_id == holder_id)
    if asset_id is not None:
        conditions.append(Certificate.asset_id == asset_id)
    where = and_(True, *conditions)
    rows = await session.scalars(
        select(Certificate)
        .where(where)
        .order_by(Certificate.issued_at.desc(), Certificate.number.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(Certificate).where(where))
    return rows.all(), int(total or 0)


async def set_pledge(session: AsyncSession, number: str, pledge_id: str) -> bool:
    """Mark a certificate pledged, unless it already is (false then)."""
    return await transition(
        session,
        Certificate,
        Certificate.number == number,
        Certificate.pledge_id.is_(None),
        pledge_id=pledge_id,
    )


async def clear_pledge(session: AsyncSession, number: str, pledge_id: str) -> bool:
    """Release a certificate from this pledge (false if it is not the active one)."""
    return await transition(
        session,
        Certificate,
        Certificate.number == number,
        Certificate.pledge_id == pledge_id,
        pledge_id=None,
    )


def certificate_pages(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every certificate, in number order, a batch at a time (reconciliation)."""
    table: Table = Certificate.__table__  # type: ignore[assignment]
    return table_pages(session, table, [table.c.number], batch=200)
