"""Tables of divisions (行政区划, seeded by the migration) and departments (数据责任部门)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.catalog.vocabulary import Level
from exchange.database import Base, BigIntId, UTCDateTime


class Division(Base):
    """An administrative division (行政区划), GB/T 2260 code; seeded by the migration."""

    __tablename__ = "catalog_divisions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80))
    level: Mapped[Level] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_divisions.code"), nullable=True, index=True
    )


class Department(Base):
    """A responsible department (数据责任部门) in a division, under a parent department."""

    __tablename__ = "catalog_departments"
    __table_args__ = (
        UniqueConstraint("division_code", "name"),
        Index("ix_catalog_departments_item_count", "item_count"),
    )

    # A compact integer key (packed into search postings); `id` is the public identifier.
    seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    division_code: Mapped[str] = mapped_column(ForeignKey("catalog_divisions.code"), index=True)
    level: Mapped[Level] = mapped_column(String(16))
    # The prefecture city the department belongs to; 440000 for province-level departments.
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_departments.id"), nullable=True, index=True
    )
    participant_id: Mapped[str | None] = mapped_column(
        ForeignKey("participants.id"), nullable=True, unique=True
    )
    # Designated by an admin as the data authority (数据主管部门) of its division: it approves
    # operating agreements (授权运营协议) over the items of departments in that division.
    data_authority: Mapped[bool] = mapped_column(Boolean, default=False)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    item_serial: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
