"""Every query of supervision measures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.kit.roundreads import MISSING, reads_of
from exchange.kit.transition import transition
from exchange.supervision.measures.models import Measure

IN_FORCE = "in_force"


async def get_measure(session: AsyncSession, measure_id: str) -> Measure | None:
    """One measure."""
    return await session.get(Measure, measure_id)


# Built once: trading asks on every purchase. Every measure in force on these subjects, in
# the order the earliest binds first; the (restricted kind, subject) pairs are matched here.
# An ORM statement of columns: a measure added earlier in the unit of work is flushed first.
_IN_FORCE_ON_SUBJECTS = (
    select(
        Measure.id,
        Measure.case_id,
        Measure.agency_id,
        Measure.kind,
        Measure.subject_id,
        Measure.restricts,
    )
    .where(Measure.subject_id.in_(bindparam("subjects", expanding=True)), Measure.state == IN_FORCE)
    .order_by(Measure.imposed_at, Measure.id)
)


_SUBJECTS_IN_FORCE = select(Measure.subject_id).where(Measure.state == IN_FORCE).distinct()
_MEASURE_TABLES = frozenset({Measure.__tablename__})


async def binding(
    session: AsyncSession, restrictions: Sequence[tuple[str, str]]
) -> Row[str, str, str, str, str, str | None] | None:
    """The earliest measure in force that stops any of these (restricted kind, subject) pairs:
    its id, case_id, agency_id, kind, subject_id and restricts."""
    wanted = set(restrictions)
    subjects = sorted({s for _, s in wanted})
    reads = reads_of(session)
    if reads is not None:
        # A round keeps which subjects any measure in force is on (most often none at all).
        bound = reads.get(_SUBJECTS_IN_FORCE)
        if bound is MISSING:
            bound = frozenset(await session.scalars(_SUBJECTS_IN_FORCE))
            reads.put(_SUBJECTS_IN_FORCE, _MEASURE_TABLES, bound)
        if bound.isdisjoint(subjects):
            return None
    rows = await session.execute(_IN_FORCE_ON_SUBJECTS, {"subjects": subjects})
    for row in rows:
        if (row.restricts, row.subject_id) in wanted:
            return row
    return None


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
