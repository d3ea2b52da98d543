"""Every query of operating agreements and their items."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.operation.agreements.models import Agreement, AgreementItem
from exchange.operation.vocabulary import HELD_STATUSES, AgreementStatus


async def get_agreement(
    session: AsyncSession, agreement_id: str, *, for_update: bool = False
) -> Agreement | None:
    """One agreement by id (`for_update`: held until commit, so changes to it queue)."""
    stmt = select(Agreement).where(Agreement.id == agreement_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def items_of(
    session: AsyncSession, agreement_ids: Collection[str]
) -> dict[str, list[AgreementItem]]:
    """The items of several agreements, by agreement, in item-id order."""
    out: dict[str, list[AgreementItem]] = {a: [] for a in agreement_ids}
    if not agreement_ids:
        return out
    rows = await session.scalars(
        select(AgreementItem)
        .where(AgreementItem.agreement_id.in_(list(agreement_ids)))
        .order_by(AgreementItem.agreement_id, AgreementItem.item_id)
    )
    for row in rows:
        out[row.agreement_id].append(row)
    return out


async def held_over_items(
    session: AsyncSession, item_ids: Collection[str], *, other_than: str | None
) -> list[tuple[Agreement, str]]:
    """Approved, active or suspended agreements over any of these items, with the item."""
    stmt = (
        select(Agreement, AgreementItem.item_id)
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
        .where(
            AgreementItem.item_id.in_(list(item_ids)),
            Agreement.status.in_([s.value for s in HELD_STATUSES]),
        )
        .order_by(Agreement.starts_at, Agreement.id)
    )
    if other_than is not None:
        stmt = stmt.where(Agreement.id != other_than)
    return [(a, item_id) for a, item_id in (await session.execute(stmt)).all()]


async def covering(session: AsyncSession, *, operator_id: str, item_id: str) -> Sequence[Agreement]:
    """An operator's agreements over an item, in any state, earliest term first."""
    stmt = (
        select(Agreement)
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
        .where(Agreement.operator_id == operator_id, AgreementItem.item_id == item_id)
        .order_by(Agreement.starts_at, Agreement.id)
    )
    return (await session.scalars(stmt)).all()


async def get_many(
    session: AsyncSession, agreement_ids: Collection[str], *, share_lock: bool = False
) -> dict[str, Agreement]:
    """Several agreements by id; `share_lock` holds them against a change until commit (a
    sale under them and their suspension queue one behind the other)."""
    if not agreement_ids:
        return {}
    stmt = select(Agreement).where(Agreement.id.in_(sorted(agreement_ids)))
    if share_lock:
        stmt = stmt.order_by(Agreement.id).with_for_update(read=True)
    return {a.id: a for a in await session.scalars(stmt)}


def _touching(department_id: str | None, divisions: Collection[str]) -> ColumnElement[bool]:
    """Agreements over an item of this department or of a department in these divisions."""
    conditions: list[ColumnElement[bool]] = []
    if department_id is not None:
        conditions.append(AgreementItem.department_id == department_id)
    if divisions:
        conditions.append(AgreementItem.division_code.in_(sorted(divisions)))
    return Agreement.id.in_(select(AgreementItem.agreement_id).where(or_(*conditions)))


async def list_agreements(
    session: AsyncSession,
    *,
    status: AgreementStatus | None,
    operator_id: str | None,
    item_id: str | None,
    touching: tuple[str | None, Collection[str]] | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Agreement], int]:
    """A page of agreements, newest first; `touching` = (department, divisions) limits them to
    those over items of that department or of departments in those divisions."""
    where: list[ColumnElement[bool]] = []
    if status is not None:
        where.append(Agreement.status == status.value)
    if operator_id is not None:
        where.append(Agreement.operator_id == operator_id)
    if item_id is not None:
        where.append(
            Agreement.id.in_(
                select(AgreementItem.agreement_id).where(AgreementItem.item_id == item_id)
            )
        )
    if touching is not None:
        where.append(_touching(*touching))
    total = await session.scalar(select(func.count()).select_from(Agreement).where(*where))
    rows = await session.scalars(
        select(Agreement)
        .where(*where)
        .order_by(Agreement.proposed_at.desc(), Agreement.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total or 0)


async def due_activations(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """Approved agreements whose term has begun (and not ended)."""
    stmt = (
        select(Agreement.id)
        .where(
            Agreement.status == AgreementStatus.APPROVED.value,
            Agreement.starts_at <= now,
            Agreement.ends_at > now,
        )
        .order_by(Agreement.starts_at, Agreement.id)
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def due_expiries(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """Approved, active or suspended agreements whose term has ended."""
    stmt = (
        select(Agreement.id)
        .where(
            Agreement.status.in_([s.value for s in HELD_STATUSES]),
            Agreement.ends_at <= now,
        )
        .order_by(Agreement.ends_at, Agreement.id)
        .limit(limit)
    )
    return list(await session.scalars(stmt))
