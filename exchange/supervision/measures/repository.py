"""Every query of supervision measures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.transition import transition
from exchange.supervision.measures.models import Measure

IN_FORCE = "in_force"


async def get_measure(session: AsyncSession, measure_id: str) -> Measure | None:
    """One measure."""
    return await session.get(Measure, measure_id)


async def binding(session: AsyncSession, restrictions: Sequence[tuple[str, str]]) -> Measure | None:
    """The earliest measure in force that stops any of these (restricted kind, subject) pairs."""
    subjects = list({s for _, s in restrictions})
    stmt = (
        select(Measure)
        .where(
            Measure.subject_id.in_(subjects),
            Measure.state == IN_FORCE,
            or_(*(and_(Measure.restricts == w, Measure.subject_id == s) for w, s in restrictions)),
        )
        .order_by(Measure.imposed_at, Measure.id)
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def in_force_on(
    session: AsyncSession, *, kinds: Sequence[str], subject_id: str
) -> Measure | None:
    """A measure of one of these kinds in force on a subject."""
    stmt = select(Measure).where(
        Measure.subject_id == subject_id, Measure.state == IN_FORCE, Measure.kind.in_(kinds)
    )
    return (await session.scalars(stmt.limit(1))).first()


def _filtered(
    *, case_id: str | None, state: str | None, kind: str | None, subject_id: str | None
) -> Select[Measure]:
    stmt = select(Measure)
    for column, value in (
        (Measure.case_id, case_id),
        (Measure.state, state),
        (Measure.kind, kind),
        (Measure.subject_id, subject_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


async def list_measures(
    session: AsyncSession,
    *,
    case_id: str | None,
    state: str | None,
    kind: str | None,
    subject_id: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Measure], int]:
    """A page of measures, newest first."""
    stmt = _filtered(case_id=case_id, state=state, kind=kind, subject_id=subject_id)
    rows = await session.scalars(
        stmt.order_by(Measure.imposed_at.desc(), Measure.id).limit(limit).offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    return rows.all(), int(total or 0)


async def measures_of_cases(session: AsyncSession, case_ids: Sequence[str]) -> Sequence[Measure]:
    """Every measure of these cases."""
    if not case_ids:
        return []
    stmt = select(Measure).where(Measure.case_id.in_(list(case_ids)))
    return (await session.scalars(stmt.order_by(Measure.imposed_at, Measure.id))).all()


async def lift(session: AsyncSession, measure_id: str, *, decision_id: str, now: datetime) -> bool:
    """Lift a measure in force (compare-and-set); False if it is not in force any more."""
    return await transition(
        session,
        Measure,
        Measure.id == measure_id,
        Measure.state == IN_FORCE,
        state="lifted",
        lifted_by=decision_id,
        lifted_at=now,
    )


async def activate(session: AsyncSession, measure_id: str, *, now: datetime) -> bool:
    """Put a proposed measure in force; False if it is not proposed any more."""
    return await transition(
        session,
        Measure,
        Measure.id == measure_id,
        Measure.state == "proposed",
        state=IN_FORCE,
        imposed_at=now,
    )
