"""Tables of an item's sample records and quality reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.catalog.columns import CompactJSON
from exchange.database import Base, UTCDateTime


class ItemSample(Base):
    """Sample records of an item (样例数据), checked against its standard when stored."""

    __tablename__ = "catalog_item_samples"

    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"), primary_key=True)
    item_version: Mapped[int] = mapped_column(Integer)
    records: Mapped[list[dict[str, Any]]] = mapped_column(CompactJSON)
    stored_by: Mapped[str] = mapped_column(String(80))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QualityReport(Base):
    """A quality report (质量检测报告) on uploaded sample records."""

    __tablename__ = "catalog_quality_reports"
    __table_args__ = (Index("ix_catalog_quality_reports_item_created", "item_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"))
    item_version: Mapped[int] = mapped_column(Integer)
    source_format: Mapped[str] = mapped_column(String(8))
    record_count: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(SmallInteger)
    passed: Mapped[bool] = mapped_column(Boolean)
    report: Mapped[dict[str, Any]] = mapped_column(CompactJSON)
    submitted_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
