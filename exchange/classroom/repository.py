"""Every query of live classes (main database)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.classroom.models import Classroom, ClassRound, Presence, Seat


async def get_class(
    session: AsyncSession, class_id: str, *, lock: bool = False
) -> Classroom | None:
    """One class (locked for update when asked)."""
    stmt = select(Classroom).where(Classroom.id == class_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt.execution_options(populate_existing=True))).first()


async def get_class_by_code(session: AsyncSession, code: str) -> Classroom | None:
    """The class with a join code."""
    return (await session.scalars(select(Classroom).where(Classroom.join_code == code))).first()


async def code_taken(session: AsyncSession, code: str) -> bool:
    """Whether a join code is in use."""
    found = await session.scalar(select(func.count()).where(Classroom.join_code == code))
    return bool(found)


async def list_classes(session: AsyncSession, instructor_id: str) -> Sequence[Classroom]:
    """An instructor's classes, newest first."""
    stmt = (
        select(Classroom)
        .where(Classroom.instructor_id == instructor_id)
        .order_by(Classroom.created_at.desc(), Classroom.id)
    )
    return (await session.scalars(stmt)).all()


async def list_seats(session: AsyncSession, class_id: str) -> Sequence[Seat]:
    """A class's seats in seat order."""
    stmt = select(Seat).where(Seat.class_id == class_id).order_by(Seat.seat_no)
    return (await session.scalars(stmt.execution_options(populate_existing=True))).all()


async def get_seat(session: AsyncSession, class_id: str, seat_id: str) -> Seat | None:
    """A seat of a class."""
    stmt = select(Seat).where(Seat.class_id == class_id, Seat.id == seat_id)
    return (await session.scalars(stmt)).first()


async def seat_by_key(session: AsyncSession, key_id: str) -> Seat | None:
    """The seat a student's API key belongs to."""
    return (await session.scalars(select(Seat).where(Seat.key_id == key_id))).first()


async def class_of_key(session: AsyncSession, key_id: str) -> str | None:
    """The class an API key id belongs to, if it is a student's."""
    return await session.scalar(select(Seat.class_id).where(Seat.key_id == key_id))


async def seat_by_participant(
    session: AsyncSession, class_id: str, participant_id: str
) -> Seat | None:
    """The seat a class participant plays."""
    stmt = select(Seat).where(Seat.class_id == class_id, Seat.participant_id == participant_id)
    return (await session.scalars(stmt)).first()


async def seat_in_classes_of(
    session: AsyncSession, instructor_id: str, participant_id: str
) -> tuple[Classroom, Seat] | None:
    """The class of this instructor where a participant sits, and its seat, if any."""
    stmt = (
        select(Classroom, Seat)
        .join(Seat, Seat.class_id == Classroom.id)
        .where(Classroom.instructor_id == instructor_id, Seat.participant_id == participant_id)
        .order_by(Classroom.created_at.desc(), Classroom.id)
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def list_rounds(session: AsyncSession, class_id: str) -> Sequence[ClassRound]:
    """A class's rounds so far."""
    stmt = select(ClassRound).where(ClassRound.class_id == class_id).order_by(ClassRound.round)
    return (await session.scalars(stmt)).all()


async def get_round(session: AsyncSession, class_id: str, round_no: int) -> ClassRound | None:
    """One round of a class."""
    return await session.get(ClassRound, (class_id, round_no))


async def presence(session: AsyncSession, seat_ids: Sequence[str]) -> dict[str, Presence]:
    """Presence of seats, by seat id."""
    if not seat_ids:
        return {}
    rows = await session.scalars(select(Presence).where(Presence.seat_id.in_(seat_ids)))
    return {p.seat_id: p for p in rows}


async def get_presence(session: AsyncSession, seat_id: str) -> Presence | None:
    """One seat's presence row."""
    return await session.get(Presence, seat_id)
