"""Live classes (课堂实验): a class, its seats (students or bots), its rounds and presence.

These tables live in the main database. Each class's market lives in a sandbox database of
its own; `classroom_seats.key_id` maps a student's API key to its class, so that a request
with that key is served by the class's market and never by the main one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class ClassStatus(StrEnum):
    """Where a class stands."""

    OPEN = "open"  # 报名中: students join, the market waits
    RUNNING = "running"  # 进行中
    PAUSED = "paused"  # 暂停: students read, nobody trades
    FINISHED = "finished"  # 已结束: results are final


class Occupant(StrEnum):
    """Who plays a seat."""

    BOT = "bot"  # 机器人
    STUDENT = "student"  # 学生


class Classroom(Base):
    """A live class run from a scenario by an instructor (课堂)."""

    __tablename__ = "classroom_classes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instructor_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario_name: Mapped[str] = mapped_column(String(64))
    # The validated scenario (treatment and overrides applied), as JSON.
    scenario: Mapped[dict[str, object]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    join_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    student_roles: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[ClassStatus] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(Integer)
    rounds: Mapped[int] = mapped_column(Integer)
    # None: rounds advance only when the instructor says so.
    round_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    round_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The class market's clock runs ahead of the server's by this much (publicity, rounds).
    clock_offset_us: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Seat(Base):
    """A seat of a class: one agent of the scenario, played by a bot or a student."""

    __tablename__ = "classroom_seats"
    __table_args__ = (
        UniqueConstraint("class_id", "seat_no"),
        UniqueConstraint("class_id", "agent_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classroom_classes.id"), index=True)
    seat_no: Mapped[int] = mapped_column(Integer)
    agent_key: Mapped[str] = mapped_column(String(48))
    role: Mapped[str] = mapped_column(String(32))
    # The participant in the class's own database.
    participant_id: Mapped[str] = mapped_column(String(36))
    occupant: Mapped[Occupant] = mapped_column(String(16))
    student_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    assigned_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # A student's API key id (its class database holds the key itself).
    key_id: Mapped[str | None] = mapped_column(String(24), unique=True, nullable=True)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ClassRound(Base):
    """When a round of a class ran, in the class market's time (to place trades in rounds)."""

    __tablename__ = "classroom_rounds"

    class_id: Mapped[str] = mapped_column(ForeignKey("classroom_classes.id"), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Presence(Base):
    """When a student's key was last used, and how often (在线情况).

    Telemetry, not market state: it changes on every request and is exempt from the audit
    log (like the log's own tables), so reading the market does not write audit entries.
    """

    __tablename__ = "classroom_presence"
    __audit_exempt__ = True

    seat_id: Mapped[str] = mapped_column(ForeignKey("classroom_seats.id"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requests: Mapped[int] = mapped_column(Integer)
