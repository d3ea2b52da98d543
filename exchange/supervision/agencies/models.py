"""Tables of supervisory agencies (监管机构), their member regulators and their surveillance
thresholds (监测阈值)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class Agency(Base):
    """An agency with its remits (职责) at one level of government (a province or a city)."""

    __tablename__ = "supervision_agencies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    remits: Mapped[list[str]] = mapped_column(JSON)
    level: Mapped[str] = mapped_column(String(16))
    division_code: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgencyMember(Base):
    """A regulator acting for an agency (one agency per regulator)."""

    __tablename__ = "supervision_members"

    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"), index=True)
    assigned_by: Mapped[str] = mapped_column(String(80))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgencyThreshold(Base):
    """One surveillance threshold an agency set (the rest keep their defaults)."""

    __tablename__ = "supervision_thresholds"

    agency_id: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
