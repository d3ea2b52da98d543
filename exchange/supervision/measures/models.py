"""Tables of supervision measures (监管措施): what binds whom, by which case and decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class Measure(Base):
    """A measure on one subject, imposed by a decision and lifted by a later one."""

    __tablename__ = "supervision_measures"
    __table_args__ = (Index("ix_supervision_measures_subject_id_state", "subject_id", "state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_cases.id"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"))
    kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(36))
    # What the market's services check: the restricted kind of subject (None: nothing to stop).
    restricts: Mapped[str | None] = mapped_column(String(16), nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    imposed_by: Mapped[str] = mapped_column(String(36))
    lifted_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    imposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
