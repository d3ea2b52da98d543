"""The table of data-space records (数字空间记录)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.dataspaces.vocabulary import RecordType


class DataRecord(Base):
    """One record a catalog source holds about a person or a company (its data subject):
    which catalog item and department it comes from, its type, period and fields."""

    __tablename__ = "dataspace_records"
    __table_args__ = (Index("ix_dataspace_records_subject_type", "subject_id", "record_type"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    record_type: Mapped[RecordType] = mapped_column(String(24))
    source_item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"))
    source_department_id: Mapped[str] = mapped_column(ForeignKey("catalog_departments.id"))
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
